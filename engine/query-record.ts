/**
 * The query record: what the engine reports about every statement it runs
 * (the contract of DESIGN.md; documented in docs/workload-log.md). The engine
 * only emits records; the workload log stores them.
 */

export const QUERY_RECORD_VERSION = 1;

export interface PredicateRecord {
  readonly column: string;
  /** =, <, <=, >, >=, in, like, between, other */
  readonly op: string;
  /** The literal (first one for IN), as text; null when not a literal comparison. */
  readonly literal: string | null;
  readonly estSelectivity: number;
  /** Rows out of the scan over rows read, for the scan's whole filter (null when not measured). */
  readonly actualSelectivity: number | null;
}

export interface ScanRecord {
  readonly table: string;
  readonly columns: readonly string[];
  readonly predicates: readonly PredicateRecord[];
  readonly blocksTotal: number;
  readonly blocksScanned: number;
  readonly blocksSkipped: number;
  readonly rowsScanned: number;
  readonly rowsOut: number;
}

export interface JoinRecord {
  /** table.column of each side's key (first key for multi-column joins). */
  readonly left: string;
  readonly right: string;
  readonly keys: readonly { readonly left: string; readonly right: string }[];
  readonly type: string;
  /** DS_DIST_NONE, DS_BCAST_INNER, ... */
  readonly action: string;
  readonly leftRows: number;
  readonly rightRows: number;
  readonly rowsMoved: number;
  readonly bytesMoved: number;
}

export interface QueryRecord {
  readonly version: typeof QUERY_RECORD_VERSION;
  readonly id: string;
  /** ISO-8601 start time. */
  readonly startTime: string;
  readonly durationMs: number;
  readonly user: string;
  readonly session: string;
  readonly sql: string;
  /** The statement with literals replaced, IN lists collapsed, keywords and spacing normalized. */
  readonly fingerprint: string;
  readonly command: string;
  readonly status: 'ok' | 'error';
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly rowsReturned: number;
  /**
   * The transaction the statement ran in: statements of one BEGIN ... COMMIT
   * block share it; a statement outside a block has one of its own. Added
   * within version 1: records written before it, and planned-only records of
   * statements that ran elsewhere, have none.
   */
  readonly transactionId?: string;
  /**
   * True when the rows came from the result cache (engine/result-cache.ts):
   * nothing was scanned or moved, and scans and joins are empty. Absent
   * otherwise, and from records written before it (added within version 1).
   */
  readonly resultCacheHit?: true;
  /**
   * The id of the catalog user who ran the statement (pg_user.usesysid,
   * Redshift's user_id), when a session acts as one (keel serve's logins).
   * Absent for the data directory's owner (the local CLI, embedding code),
   * and from records written before it (added within version 1).
   */
  readonly userId?: number;
  /**
   * Milliseconds the statement waited in keel serve's workload-management
   * queue before it started (Redshift's queue_time); durationMs does not
   * include them. Absent when it did not go through a queue, and from records
   * written before it (added within version 1).
   */
  readonly queueMs?: number;
  readonly rowsMoved: number;
  readonly bytesMoved: number;
  readonly blocksTotal: number;
  readonly blocksScanned: number;
  readonly blocksSkipped: number;
  readonly scans: readonly ScanRecord[];
  readonly joins: readonly JoinRecord[];
  readonly groupBy: readonly string[];
  readonly orderBy: readonly string[];
}
