/**
 * The log record: the engine's query record (engine/query-record.ts, the
 * contract of DESIGN.md) plus where the statement came from. This is what the
 * workload log stores, one per statement; docs/workload-log.md documents it.
 */
import type { QueryRecord } from '../engine/index.js';
import { QUERY_RECORD_VERSION } from '../engine/index.js';

/**
 * Where a statement came from: `api` (Database.query/execute), `cli` (keel sql,
 * keel gen, keel demo), `replay` (keel replay), `redshift` (keel log import).
 */
export type RecordSource = 'api' | 'cli' | 'replay' | 'redshift' | (string & {});

export interface LogRecord extends QueryRecord {
  readonly source: RecordSource;
}

/** Checks a decoded payload has the fields every reader relies on; returns a message for what is wrong. */
export function recordProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return 'not a JSON object';
  const r = v as Record<string, unknown>;
  if (typeof r.version !== 'number') return 'no version';
  if (r.version > QUERY_RECORD_VERSION) return `record version ${r.version} is newer than this keel reads (${QUERY_RECORD_VERSION})`;
  for (const k of ['id', 'startTime', 'sql', 'fingerprint', 'status'] as const) {
    if (typeof r[k] !== 'string') return `field "${k}" missing or not a string`;
  }
  if (typeof r.durationMs !== 'number') return 'field "durationMs" missing or not a number';
  if (!Array.isArray(r.scans) || !Array.isArray(r.joins)) return 'fields "scans" and "joins" must be arrays';
  return null;
}

/** Milliseconds since the epoch of a record's ISO start time. */
export function startMs(r: { readonly startTime: string }): number {
  return Date.parse(r.startTime);
}
