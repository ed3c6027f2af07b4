/**
 * Parsing of the statements that read and change the session's settings, in
 * Redshift's (and PostgreSQL's) words:
 *
 *   SET [SESSION] timezone { TO | = } { 'zone' | zone | DEFAULT | LOCAL }
 *   SET [SESSION] TIME ZONE { 'zone' | zone | DEFAULT | LOCAL }
 *   RESET timezone    RESET TIME ZONE    RESET ALL (every setting)
 *   SHOW timezone     SHOW TIME ZONE     SHOW ALL     SHOW name (a fixed setting: server_version ...)
 *
 *   SET [SESSION] enable_result_cache_for_session | mv_enable_aqmv_for_session
 *     { TO | = } { on | off | DEFAULT }, and RESET of them
 *   SET [SESSION] statement_timeout | idle_session_timeout
 *     { TO | = } { ms | 'n[ms|s|min|h|d]' | DEFAULT }, and RESET of them
 *
 * SET of the settings a schema dump writes (search_path to public,
 * client_encoding ...) is accepted and ignored (parse-ignored.ts); any other
 * is refused by name (UNSUPPORTED), as are SET LOCAL (a setting for the
 * transaction only) and a zone given as an offset (INTERVAL '-8 hours', -8),
 * which Redshift takes.
 */
import type * as ast from './ast.js';
import type { ParserCursor } from './parse-cursor.js';
import { ignoredSetting } from './parse-ignored.js';

/** The session's on/off settings, by Redshift's names (statements/settings.ts gives their meaning). */
export const SESSION_FLAGS: readonly string[] = ['enable_result_cache_for_session', 'mv_enable_aqmv_for_session'];
/** The session's durations, by PostgreSQL's names (statements/settings.ts: what reads them). */
export const SESSION_DURATIONS: readonly string[] = ['statement_timeout', 'idle_session_timeout'];
const isSessionSetting = (name: string) => SESSION_FLAGS.includes(name) || SESSION_DURATIONS.includes(name);

const isName = (p: ParserCursor) => p.tok.kind === 'word' || p.tok.kind === 'qident';

export function setStatement(p: ParserCursor): ast.SetStatement | ast.IgnoredStatement {
  const pos = p.advance().pos;
  const local = p.acceptWord('local');
  if (!local) p.acceptWord('session');
  const settingPos = p.tok.pos;
  const name = isName(p) ? p.tok.value.toLowerCase() : '';
  const zone = p.isWord('time') || name === 'timezone';
  // the settings a schema dump writes are accepted and ignored (parse-ignored.ts); any other is refused there by name
  if (!zone && !isSessionSetting(name)) return ignoredSetting(p, pos);
  if (local) throw p.unsupported('SET LOCAL (a setting for the current transaction only)');
  if (p.acceptWord('time')) {
    p.expectWord('zone');
    return { kind: 'set', setting: 'timezone', settingPos, value: zoneValue(p), reset: false, pos };
  }
  p.advance();
  if (!p.acceptWord('to') && !p.acceptOp('=')) throw p.expected('TO or "="');
  if (zone) return { kind: 'set', setting: 'timezone', settingPos, value: zoneValue(p), reset: false, pos };
  const t = p.tok;
  if (t.kind !== 'word' && t.kind !== 'qident' && t.kind !== 'number' && t.kind !== 'string') throw p.expected('a value');
  p.advance();
  return { kind: 'set', setting: name, settingPos, value: t.kind === 'word' && t.value === 'default' ? null : t.value, reset: false, pos };
}

/** RESET ALL | TIME ZONE | name */
export function resetStatement(p: ParserCursor): ast.SetStatement {
  const pos = p.advance().pos;
  const settingPos = p.tok.pos;
  if (p.acceptWord('all')) return { kind: 'set', setting: 'all', settingPos, value: null, reset: true, pos };
  if (p.acceptWord('time')) {
    p.expectWord('zone');
    return { kind: 'set', setting: 'timezone', settingPos, value: null, reset: true, pos };
  }
  const t = p.tok;
  if (!isName(p)) throw p.expected('a setting name');
  const name = t.value.toLowerCase();
  if (name !== 'timezone' && !isSessionSetting(name)) throw p.unsupported(`RESET ${t.value} (keel's settings are timezone, ${[...SESSION_FLAGS, ...SESSION_DURATIONS].join(', ')})`);
  p.advance();
  return { kind: 'set', setting: name, settingPos, value: null, reset: true, pos };
}

/** SHOW timezone, SHOW TIME ZONE, SHOW ALL (SHOW TABLES is parsed beside it, in parser.ts). */
export function showStatement(p: ParserCursor): ast.ShowStatement {
  const pos = p.advance().pos;
  const settingPos = p.tok.pos;
  if (p.acceptWord('all')) return { kind: 'show', setting: 'all', settingPos, pos };
  if (p.acceptWord('time')) {
    p.expectWord('zone');
    return { kind: 'show', setting: 'timezone', settingPos, pos };
  }
  // SHOW TRANSACTION ISOLATION LEVEL, as JDBC asks it, is transaction_isolation
  if (p.isWord('transaction') && p.isWord('isolation', 1) && p.isWord('level', 2)) {
    for (let i = 0; i < 3; i++) p.advance();
    return { kind: 'show', setting: 'transaction_isolation', settingPos, pos };
  }
  const t = p.tok;
  if (t.kind !== 'word' && t.kind !== 'qident') throw p.expected('a setting name');
  p.advance();
  // the statement refuses a name keel has no setting of (statements/settings.ts)
  return { kind: 'show', setting: t.value.toLowerCase(), settingPos, pos };
}

/** A zone as a string or a name; null for DEFAULT and LOCAL (the default zone, UTC). */
function zoneValue(p: ParserCursor): string | null {
  const t = p.tok;
  if (t.kind === 'string') {
    p.advance();
    return t.value;
  }
  if (t.kind === 'word' && (t.value === 'default' || t.value === 'local')) {
    p.advance();
    return null;
  }
  if (t.kind === 'number' || (t.kind === 'op' && (t.value === '-' || t.value === '+')) || (t.kind === 'word' && t.value === 'interval')) {
    throw p.unsupported('a time zone given as an offset from UTC (use a zone name such as \'America/New_York\' or \'UTC\')');
  }
  if (t.kind === 'word' || t.kind === 'qident') {
    p.advance();
    // an unquoted name is folded to lower case by the lexer; zone names match without regard to case
    return t.value;
  }
  throw p.expected('a time zone name');
}
