/**
 * What the autonomics loop remembers about a recommendation beyond its status
 * (kept in recommendations.json beside it): the table's layout when the apply
 * began (to revert it and to tell, after a crash, whether the new version was
 * swapped in), who is applying it, and the verification's measurements.
 */

/** A table's physical settings, as the catalog holds them. */
export interface LayoutSnapshot {
  readonly distStyle: string;
  readonly distKey: string | null;
  readonly distAuto: boolean;
  readonly sortKey: readonly string[];
  /** 'interleaved' for an interleaved key; absent for compound (as in snapshots taken before interleaved keys, which compare equal). */
  readonly sortStyle?: 'interleaved';
  readonly sortAuto: boolean;
  /** Per column: its encoding and whether the user set it. */
  readonly encodings: Readonly<Record<string, { readonly encoding: string; readonly explicit: boolean }>>;
  /** The table version (incremented by every rewrite). */
  readonly version: number;
}

/** One measured metric over the affected fingerprints, before and after. */
export interface MetricComparison {
  /** Workload-weighted mean per execution, before and after. */
  readonly before: number;
  readonly after: number;
  /** after / before - 1 (0 when both are 0). */
  readonly change: number;
  /** The configured limit on `change` (null: not judged). */
  readonly limit: number | null;
  readonly worse: boolean;
  /** Beyond the noise: always for the exact counters; for time, a difference beyond 1.96 standard errors. */
  readonly significant?: boolean;
}

/** better/neutral/mixed are kept (mixed: a trade between the counters that time does not object to); worse is reverted. */
export type Verdict = 'better' | 'neutral' | 'mixed' | 'worse' | 'no-evidence';

export interface Verification {
  readonly at: string;
  readonly verdict: Verdict;
  readonly window: { readonly before: { readonly since: string; readonly until: string }; readonly after: { readonly since: string; readonly until: string } };
  /** Fingerprints that ran in both windows, and their executions in each. */
  readonly fingerprints: number;
  readonly executionsBefore: number;
  readonly executionsAfter: number;
  readonly timeMs: MetricComparison;
  readonly bytesMoved: MetricComparison;
  readonly blocksScanned: MetricComparison;
}

export interface Lifecycle {
  /** Applies begun (a crash or failure and a retry make it more than one). */
  readonly attempts: number;
  /** The process applying it now, so another can tell a crashed apply (dead pid) from a running one. */
  readonly owner: { readonly pid: number; readonly host: string } | null;
  /** Applied by the daemon (policy) or by hand. */
  readonly by: 'daemon' | 'user' | null;
  readonly before: LayoutSnapshot | null;
  readonly applyStartedAt: string | null;
  readonly appliedAt: string | null;
  readonly applyMs: number | null;
  /** The DDL that undoes it, derived from `before`. */
  readonly revertDdl: string | null;
  readonly verification: Verification | null;
}
