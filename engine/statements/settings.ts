/**
 * The session's settings: SET, RESET and SHOW (sql/parse-session.ts). The
 * time zone is the one setting; it is the session's (a Database handle's, or a
 * server connection's), starts as UTC, and lasts until changed again (a
 * ROLLBACK does not undo it; see docs/sql.md, "Time zones").
 *
 * What reads it: the binder (casts between TIMESTAMPTZ and the types without
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

export interface SessionSettings {
  /** The zone's name as SET was given it (a name the platform's time-zone data knows), 'UTC' by default. */
  timeZone: string;
}

export const DEFAULT_TIME_ZONE = 'UTC';

export function defaultSettings(): SessionSettings {
  return { timeZone: DEFAULT_TIME_ZONE };
}

/** The zone of a session whose zone is not UTC; undefined for UTC, where nothing needs converting. */
export function sessionZone(settings: SessionSettings): TimeZone | undefined {
  const zone = TimeZone.of(settings.timeZone);
  return zone === null || zone.canonicalName === 'UTC' ? undefined : zone;
}

/** SET timezone ... / RESET: INVALID_VALUE at the statement for a zone the platform does not know. */
export function setSetting(settings: SessionSettings, s: ast.SetStatement, p: ParsedStatement, t0: number): StatementOutcome {
  if (s.value === null) {
    settings.timeZone = DEFAULT_TIME_ZONE;
    return done(s.reset ? 'RESET' : 'SET', t0);
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

/** SHOW timezone: one row, the zone's name; SHOW ALL: a (name, setting) row per setting. */
export function showSetting(settings: SessionSettings, s: ast.ShowStatement, t0: number): StatementOutcome {
  const all = s.setting === 'all';
  const fields = all ? SHOW_ALL_FIELDS : SHOW_FIELDS;
  const rows = all ? [['timezone', settings.timeZone]] : [[settings.timeZone]];
  return { command: 'SHOW', fields, batch: batchFromRows(fields.map((f) => f.type), rows), stats: { ...zeroStats(performance.now() - t0), rowsReturned: 1 }, rowCount: 1 };
}
