/** What a statement returns to the session: its rows (if any), counters and the command tag. */
import type { Batch, SqlType, WallClock } from '../types.js';
import type { Field } from '../plan/physical.js';
import type { QueryStats } from '../result.js';
import { batchFromRows } from '../rows.js';
import type { CopyOutFormat } from '../sql/ast.js';

export interface StatementOutcome {
  readonly command: string;
  readonly fields: readonly Field[];
  readonly batch: Batch;
  readonly stats: QueryStats;
  readonly rowCount: number;
  /** A warning about a statement that ran but had nothing to do (COMMIT outside a transaction): PostgreSQL's NOTICE/WARNING. */
  readonly notice?: string;
  /** The session's time zone when it is not UTC: TIMESTAMPTZ values print in it. */
  readonly zone?: WallClock;
  /** COPY ... TO STDOUT: the rows are to be written in this format. */
  readonly copyOut?: CopyOutFormat;
}

const NO_ROWS: Batch = { length: 0, columns: [] };
const PLAN_TEXT: SqlType = { id: 'varchar', length: 65535 };
/** EXPLAIN's one column. */
export const PLAN_FIELDS: readonly Field[] = [{ name: 'QUERY PLAN', type: PLAN_TEXT }];

export function zeroStats(elapsedMs: number): QueryStats {
  return { elapsedMs, rowsReturned: 0, rowsMoved: 0, bytesMoved: 0, blocksScanned: 0, blocksSkipped: 0, blocksTotal: 0, rowsScanned: 0, bytesSpilled: 0, spillFiles: 0 };
}

/** Lines of text as a one-column result (EXPLAIN's QUERY PLAN). */
export function textResult(command: string, lines: readonly string[], t0: number, stats?: QueryStats): StatementOutcome {
  const batch = batchFromRows([PLAN_TEXT], lines.map((l) => [l]));
  return {
    command,
    fields: PLAN_FIELDS,
    batch,
    stats: stats ?? zeroStats(performance.now() - t0),
    rowCount: lines.length,
  };
}

/** A statement that returns no rows; `rowCount` is the rows it affected. */
export function done(command: string, t0: number, rowCount = 0): StatementOutcome {
  return { command, fields: [], batch: NO_ROWS, stats: zeroStats(performance.now() - t0), rowCount };
}
