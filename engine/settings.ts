/**
 * A session's settings, as SET and RESET change them. Only the settings keel
 * acts on exist; SET of any other name is refused with the list, rather than
 * taken and ignored.
 */
import { SqlError, positionAt } from './errors.js';
import type * as ast from './sql/ast.js';

export interface SessionSettings {
  /** enable_result_cache_for_session: repeat queries over unchanged tables answer from the result cache (engine/result-cache.ts). */
  resultCache: boolean;
  /** mv_enable_aqmv_for_session: queries a fresh materialized view answers exactly are rewritten to read it (engine/matview/rewrite.ts). */
  viewRewrite: boolean;
}

/** The settings a session starts with when its opener says nothing: the result cache off (engine/database.ts OpenOptions.resultCache says why), rewriting to fresh views on. */
export function defaultSettings(): SessionSettings {
  return { resultCache: false, viewRewrite: true };
}

/** The settings by their Redshift names, with how each reads its value. */
const SETTINGS: Readonly<Record<string, { readonly key: keyof SessionSettings; readonly parse: (v: string) => boolean | null }>> = {
  enable_result_cache_for_session: { key: 'resultCache', parse: onOff },
  mv_enable_aqmv_for_session: { key: 'viewRewrite', parse: onOff },
};

function onOff(v: string): boolean | null {
  const t = v.toLowerCase();
  if (t === 'on' || t === 'true' || t === '1' || t === 'yes') return true;
  if (t === 'off' || t === 'false' || t === '0' || t === 'no') return false;
  return null;
}

/** Applies SET or RESET to `settings`; a value of null (RESET, SET ... TO DEFAULT) restores what the session started with (`initial`). */
export function applySetting(settings: SessionSettings, initial: Readonly<SessionSettings>, s: ast.SetStatement, sql: string): void {
  const def = SETTINGS[s.name.name];
  if (!def) {
    throw new SqlError('UNSUPPORTED', `setting "${s.name.name}" is not supported; keel has ${Object.keys(SETTINGS).join(', ')}`, positionAt(sql, s.name.pos), sql);
  }
  if (s.value === null) {
    settings[def.key] = initial[def.key];
    return;
  }
  const v = def.parse(s.value);
  if (v === null) throw new SqlError('INVALID_VALUE', `setting "${s.name.name}" takes on or off, not "${s.value}"`, positionAt(sql, s.pos), sql);
  settings[def.key] = v;
}
