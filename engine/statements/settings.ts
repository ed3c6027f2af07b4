/**
 * The session's settings: SET, RESET and SHOW (sql/parse-session.ts): the
 * time zone, the result cache and rewriting to materialized views. They are
 * the session's (a Database handle's, or a server connection's), and last
 * until changed again (a ROLLBACK does not undo them; see docs/sql.md, "Time
 * zones").
 *
 * What reads the zone: the binder (casts between TIMESTAMPTZ and the types without
 * a zone, text read as TIMESTAMPTZ, DATE_TRUNC, EXTRACT and DATE_PART of a
 * TIMESTAMPTZ), and the rows a statement returns (a TIMESTAMPTZ printed in the
 * zone with its offset). Each statement takes the zone in force when it starts.
 */
import type * as ast from '../sql/ast.js';
import type { ParsedStatement } from '../sql/index.js';
import type { Field } from '../plan/physical.js';
import { TimeZone } from '../functions/time-zone.js';
import { batchFromRows } from '../rows.js';
import { done, zeroStats, type StatementOutcome } from './outcome.js';
import { SqlError, positionAt } from '../errors.js';
import { fixedSetting, fixedSettings } from '../catalog/pg-catalog.js';

export interface SessionSettings {
  /** The zone's name as SET was given it (a name the platform's time-zone data knows), 'UTC' by default. */
  timeZone: string;
  /** enable_result_cache_for_session: repeat queries over unchanged tables answer from the result cache (engine/result-cache.ts). */
  resultCache: boolean;
  /** mv_enable_aqmv_for_session: queries a fresh materialized view answers exactly are rewritten to read it (engine/matview/rewrite.ts). */
  viewRewrite: boolean;
  /**
   * statement_timeout, in ms (0: none): a statement that runs (or waits in
   * keel serve's queue) longer is cancelled (session.ts arms its deadline on
   * the statement's cancel flag, exec/cancel.ts), in process as over the wire (57014).
   */
  statementTimeoutMs: number;
  /** idle_session_timeout, in ms (0: none): keel serve closes a connection idle this long, with 57P05. Kept only, as statementTimeoutMs. */
  idleSessionTimeoutMs: number;
}

export const DEFAULT_TIME_ZONE = 'UTC';

/** The settings a session starts with when its opener says nothing: UTC, the result cache off (engine/database.ts OpenOptions.resultCache says why), rewriting to fresh views on. */
export function defaultSettings(): SessionSettings {
  return { timeZone: DEFAULT_TIME_ZONE, resultCache: false, viewRewrite: true, statementTimeoutMs: 0, idleSessionTimeoutMs: 0 };
}

/** The on/off settings by their Redshift names (sql/parse-session.ts SESSION_FLAGS). */
const FLAGS: Readonly<Record<string, 'resultCache' | 'viewRewrite'>> = {
  enable_result_cache_for_session: 'resultCache',
  mv_enable_aqmv_for_session: 'viewRewrite',
};

/** The settings that are durations, by their PostgreSQL names (sql/parse-session.ts SESSION_DURATIONS). */
const DURATIONS: Readonly<Record<string, 'statementTimeoutMs' | 'idleSessionTimeoutMs'>> = {
  statement_timeout: 'statementTimeoutMs',
  idle_session_timeout: 'idleSessionTimeoutMs',
};

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration setting's value as PostgreSQL reads it: a whole number of
 * milliseconds (5000, '5000'), or a number with a unit ('5s', '1min', '2h');
 * 0 turns it off. Null when it is none of these.
 */
export function durationMs(v: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$/i.exec(v);
  if (!m) return null;
  const ms = Math.round(Number(m[1]) * DURATION_UNITS[(m[2] ?? 'ms').toLowerCase()]!);
  // PostgreSQL's limit for these settings: INT_MAX milliseconds
  return ms <= 0x7fffffff ? ms : null;
}

/** A duration as SHOW prints it, in the largest unit that divides it, as PostgreSQL does: 0, 250ms, 5s, 2min, 1h, 1d. */
export function durationText(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function onOff(v: string): boolean | null {
  const t = v.toLowerCase();
  if (t === 'on' || t === 'true' || t === '1' || t === 'yes') return true;
  if (t === 'off' || t === 'false' || t === '0' || t === 'no') return false;
  return null;
}

/** The zone of a session whose zone is not UTC; undefined for UTC, where nothing needs converting. */
export function sessionZone(settings: SessionSettings): TimeZone | undefined {
  const zone = TimeZone.of(settings.timeZone);
  return zone === null || zone.canonicalName === 'UTC' ? undefined : zone;
}

/**
 * SET and RESET: a value of null (RESET, DEFAULT) restores what the session
 * started with (`initial`); RESET ALL restores every setting. INVALID_VALUE at
 * the statement for a zone the platform does not know, or a flag's value that
 * is not on or off.
 */
export function setSetting(settings: SessionSettings, initial: Readonly<SessionSettings>, s: ast.SetStatement, p: ParsedStatement, t0: number): StatementOutcome {
  const tag = s.reset ? 'RESET' : 'SET';
  if (s.setting === 'all') {
    Object.assign(settings, initial);
    return done(tag, t0);
  }
  const flag = FLAGS[s.setting];
  if (flag) {
    const v = s.value === null ? initial[flag] : onOff(s.value);
    if (v === null) throw new SqlError('INVALID_VALUE', `setting "${s.setting}" takes on or off, not "${s.value}"`, positionAt(p.text, s.pos), p.text);
    settings[flag] = v;
    return done(tag, t0);
  }
  const duration = DURATIONS[s.setting];
  if (duration) {
    const v = s.value === null ? initial[duration] : durationMs(s.value);
    if (v === null) throw new SqlError('INVALID_VALUE', `invalid value for parameter "${s.setting}": "${s.value}" (milliseconds, or a number with a unit: 5000, '5s', '1min'; 0 for none)`, positionAt(p.text, s.pos), p.text);
    settings[duration] = v;
    return done(tag, t0);
  }
  if (s.value === null) {
    settings.timeZone = initial.timeZone;
    return done(tag, t0);
  }
  const zone = TimeZone.of(s.value);
  if (zone === null) {
    const message = `invalid value for parameter "timezone": "${s.value}" (use a name of the IANA time-zone database, such as 'America/New_York', or 'UTC')`;
    throw new SqlError('INVALID_VALUE', message, positionAt(p.text, s.pos), p.text);
  }
  // kept as written, as SHOW gives it back in PostgreSQL and Redshift
  settings.timeZone = s.value;
  return done('SET', t0);
}

const TEXT = { id: 'varchar', length: 256 } as const;
const SHOW_FIELDS: readonly Field[] = [{ name: 'timezone', type: TEXT }];
const SHOW_ALL_FIELDS: readonly Field[] = [
  { name: 'name', type: TEXT },
  { name: 'setting', type: TEXT },
];

/**
 * SHOW timezone: one row, the zone's name; SHOW of a fixed setting (the
 * server's, as pg_settings lists them: server_version, search_path ...) or
 * a session flag: its value, in a column named after it, as PostgreSQL
 * answers; SHOW ALL: a (name, setting) row per setting. A name keel has no
 * setting of is UNSUPPORTED at the name.
 */
export function showSetting(settings: SessionSettings, s: ast.ShowStatement, p: ParsedStatement, t0: number): StatementOutcome {
  const all = s.setting === 'all';
  const onOffText = (b: boolean) => (b ? 'on' : 'off');
  const session: [string, string][] = [
    ['timezone', settings.timeZone],
    ['enable_result_cache_for_session', onOffText(settings.resultCache)],
    ['mv_enable_aqmv_for_session', onOffText(settings.viewRewrite)],
    ['statement_timeout', durationText(settings.statementTimeoutMs)],
    ['idle_session_timeout', durationText(settings.idleSessionTimeoutMs)],
  ];
  let fields = SHOW_ALL_FIELDS;
  let rows: string[][];
  if (all) {
    rows = [...session, ...fixedSettings().map((x) => [x.name, x.value])];
  } else {
    const own = session.find(([name]) => name === s.setting);
    const fixed = own ? undefined : fixedSetting(s.setting);
    if (!own && !fixed) throw new SqlError('UNSUPPORTED', `SHOW ${s.setting} is not supported: keel has no such setting (SHOW ALL lists them)`, positionAt(p.text, s.settingPos), p.text);
    fields = s.setting === 'timezone' ? SHOW_FIELDS : [{ name: s.setting, type: TEXT }];
    rows = [[own ? own[1] : fixed!.value]];
  }
  return { command: 'SHOW', fields, batch: batchFromRows(fields.map((f) => f.type), rows), stats: { ...zeroStats(performance.now() - t0), rowsReturned: rows.length }, rowCount: rows.length };
}
