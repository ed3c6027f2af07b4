/**
 * The recommendation contract (DESIGN.md): what the advisor proposes, with its
 * DDL, estimated benefit, evidence and status; and the advisor run that made it.
 */
import type { Lifecycle } from '../autonomics/types.js';
import type { StorageEvidence } from '../storage-recommendations.js';

export const RECOMMENDATIONS_FORMAT = 1;

export type RecommendationStatus = 'proposed' | 'applying' | 'applied' | 'verified' | 'reverted' | 'failed';

export interface EdgeEvidence {
  /** The join edge, e.g. lineitem.l_orderkey=orders.o_orderkey. */
  readonly edge: string;
  /** Join executions in the workload. */
  readonly count: number;
  readonly queries: number;
  /** Bytes these joins moved, as logged. */
  readonly bytesMoved: number;
  /** The model's cost of the edge now and under the proposed layout (decayed bytes). */
  readonly costBefore: number;
  readonly costAfter: number;
  readonly fingerprints: readonly { readonly fingerprint: string; readonly count: number; readonly bytesMoved: number }[];
}

export type RecommendationKind = 'distkey' | 'diststyle' | 'sortkey' | 'encoding';

export interface Recommendation {
  readonly id: string;
  readonly table: string;
  readonly kind: RecommendationKind;
  /**
   * As svv_table_info shows it: EVEN, KEY(c), ALL, AUTO(...) for distribution;
   * the sort key's columns ("a, b"), NONE, or AUTO(...) for a sort key; the
   * column's ENCODE name (AZ64, ZSTD, ..., AUTO) for an encoding.
   */
  readonly current: string;
  readonly proposed: string;
  readonly ddl: string;
  /**
   * Estimated benefit. distkey/diststyle: decayed bytes the workload's joins
   * would stop moving (net of ALL's price), and that as a percent of the
   * current join cost. sortkey: bytes the logged scans of the table would stop
   * reading, and the percent of their blocks. encoding: bytes the logged scans
   * of the column would stop reading, and the percent of the column's size.
   * secondsPerDay: that in query time per day of the observed workload, by the
   * cost model fitted on the log (advisor/cost-model); every recommendation of
   * a run has it.
   */
  readonly benefit: { readonly bytes: number; readonly percent: number; readonly secondsPerDay?: number };
  /** What applying costs: the table rewritten once, and its storage after (all copies). */
  readonly applyCost: { readonly rows: number; readonly rewriteBytes: number; readonly storageBytesBefore: number; readonly storageBytesAfter: number };
  /** The table's distribution is the user's (not AUTO): recommended, applied only when asked for. */
  readonly userSet: boolean;
  readonly reason: string;
  readonly evidence: {
    readonly edges: readonly EdgeEvidence[];
    /** The fingerprints behind those edges, with executions and logged bytes moved. */
    readonly fingerprints: readonly { readonly fingerprint: string; readonly count: number; readonly bytesMoved: number }[];
    /** Keys not considered because they are skewed. */
    readonly rejectedKeys: readonly { readonly column: string; readonly reason: string }[];
  } & StorageEvidence;
  readonly status: RecommendationStatus;
  readonly statusReason: string | null;
  readonly history: readonly { readonly status: RecommendationStatus; readonly at: string; readonly reason: string | null }[];
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The advisor run that made it. */
  readonly run: string;
  /** Apply, verification and revert details (advisor/autonomics), once it leaves proposed. */
  readonly lifecycle?: Lifecycle;
}

export interface AdvisorRun {
  readonly id: string;
  readonly at: string;
  readonly queries: number;
  readonly tables: number;
  readonly edges: number;
  readonly objectiveBefore: number;
  readonly objectiveAfter: number;
  readonly lowerBound: number;
  readonly gap: number;
  readonly optimal: boolean;
  readonly method: string;
  readonly solveMs: number;
  /** Greedy heaviest-edge-first's objective, for comparison. */
  readonly greedyObjective: number;
  /** The solver's layout's objective (objectiveAfter differs when what-if planning changed the layout). */
  readonly solverObjective: number;
  /** What-if planning of the workload's query shapes (distkey/what-if.ts); absent when left out. */
  readonly whatIf?: {
    readonly shapes: number;
    /** Shapes run once to observe their row counts. */
    readonly observed: number;
    readonly plans: number;
    readonly ms: number;
    /** Estimated bytes moved (calibrated, decayed, plus ALL's replication) now, under the solver's layout, and under the proposed one. */
    readonly before: number;
    readonly solver: number;
    readonly after: number;
    /** Tables whose choice differs from the solver's, e.g. "orders: KEY(o_custkey) -> KEY(o_orderkey)". */
    readonly changed: readonly string[];
  };
}

export interface StoreFile {
  readonly format: number;
  readonly nextId: number;
  readonly runs: readonly AdvisorRun[];
  readonly recommendations: readonly Recommendation[];
}

