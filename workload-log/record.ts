/**
 * The log record: the engine's query record (engine/query-record.ts, the
 * contract of DESIGN.md) plus where the statement came from. This is what the
 * workload log stores, one per statement; docs/workload-log.md documents it.
 */
import type { QueryRecord } from '../engine/index.js';

/**
 * Where a statement came from: `api` (Database.query/execute), `cli` (keel sql,
 * keel gen, keel demo), `replay` (keel replay), `redshift` (keel log import).
 */
export type RecordSource = 'api' | 'cli' | 'replay' | 'redshift' | (string & {});

export interface LogRecord extends QueryRecord {
  readonly source: RecordSource;
}
