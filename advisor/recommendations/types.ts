/**
 * The recommendation contract (DESIGN.md): what the advisor proposes, with its
 * DDL, estimated benefit, evidence and status; and the advisor run that made it.
 */
import type { Lifecycle } from '../autonomics/types.js';
import type { EncodingEvidence, SortKeyEvidence } from '../storage-recommendations.js';

/**
 * The store's format. 2 added `refusals`; a format 1 store (without them)
 * is read as one with none, and written back as format 2.
 */
export const RECOMMENDATIONS_FORMAT = 2;

/** Store formats this keel reads. */
export const READABLE_RECOMMENDATIONS_FORMATS: readonly number[] = [1, 2];

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

/**
 * Estimated benefit, for ranking: query time per day of the logged workload
 * the change would save, by the cost model fitted on this machine's log.
 */
export interface Benefit {
  /** Seconds per day saved (the log's queries taken as the workload of the days they span, at least one). */
  readonly secondsPerDay: number;
  /** ± that much: the estimate times the cost model's held-out median error. */
  readonly secondsPerDayError: number;
  /** secondsPerDay as a percent of the logged workload's query time per day. */
  readonly percent: number;
  /** The kind's own measure, summed over the logged workload: bytes no longer moved (distribution) or read (sort key, encoding). */
  readonly bytes: number;
}

export interface FingerprintCount {
  readonly fingerprint: string;
  /** Executions in the mined log. */
  readonly count: number;
  /** Bytes they moved between slices, as logged. */
  readonly bytesMoved: number;
}

/** One measure of the shadow proof, summed over the affected statements (per run: one execution of each, weighted by its fingerprint's count). */
export interface ShadowMeasure {
  readonly current: number;
  readonly proposed: number;
}

/**
 * The shadow proof (advisor/shadow): the affected query shapes' latest
 * statements run on a sampled copy of their tables under the current layout
 * and under the proposed one, interleaved, several rounds.
 */
export interface ShadowEvidence {
  readonly at: string;
  /** Statements run (one per affected fingerprint) and rounds of each layout. */
  readonly statements: number;
  readonly rounds: number;
  /** Rows of each table in the shadow copy, and of the table itself. */
  readonly tables: readonly { readonly table: string; readonly rows: number; readonly tableRows: number }[];
  /** Rows per block in the shadow copy (the real block size scaled by the sample fraction, so tables keep their blocks per slice). */
  readonly blockRows: number;
  /** What the cost model predicted for the group, to set beside what the shadow measured. */
  readonly predicted: { readonly secondsPerDay: number; readonly secondsPerDayError: number; readonly bytesMovedSaved: number; readonly bytesReadSaved: number };
  /** Exact counters of one run of the statements (weighted by executions in the log). */
  readonly blocksScanned: ShadowMeasure;
  /** Rows decoded by the scans: a rewrite that merges partial blocks reads fewer blocks of more rows each. Absent in proofs stored before it was measured. */
  readonly rowsScanned?: ShadowMeasure;
  readonly bytesMoved: ShadowMeasure;
  /** Encoded bytes of the group's tables in the shadow copy. */
  readonly storageBytes: ShadowMeasure;
  /** Median over rounds of one weighted run, ms. */
  readonly timeMs: ShadowMeasure;
  /**
   * The time ratio proposed/current: its point estimate, 95% interval and
   * one-sided 95% bounds (docs/advisor.md, "Shadow proof"). The bounds are
   * absent in proofs stored before they were measured.
   */
  readonly timeRatio: { readonly estimate: number; readonly low: number; readonly high: number; readonly faster?: number; readonly slower?: number };
  /**
   * The saving in seconds per day the time ratio implies: the statements'
   * logged time per day (their fingerprints' executions in the log, over the
   * days it spans) times 1 - ratio, with the interval's bounds. Absent in
   * proofs stored before it was measured.
   */
  readonly measured?: { readonly affectedSecondsPerDay: number; readonly secondsPerDay: number; readonly low: number; readonly high: number };
  /** Inconclusive: the clock was too noisy to settle what the counters left open; not remembered as a refusal, measured again next run. */
  readonly verdict: 'proven' | 'rejected' | 'inconclusive';
  /** The decision in words: which measure proved or refused it, against what threshold. */
  readonly reason: string;
}

/** Fields every recommendation has, whatever its kind. */
interface RecommendationBase {
  readonly id: string;
  /**
   * The unit that is applied, verified and reverted: every change to one
   * table, plus the other tables whose changes only pay together with it
   * (co-located joins). Stable across mining runs while the group is unchanged.
   */
  readonly group: string;
  readonly table: string;
  /**
   * As svv_table_info shows it: EVEN, KEY(c), ALL, AUTO(...) for distribution;
   * the sort key's columns ("a, b"), NONE, or AUTO(...) for a sort key; the
   * column's ENCODE name (AZ64, ZSTD, ..., AUTO) for an encoding.
   */
  readonly current: string;
  readonly proposed: string;
  /** The Redshift statement that applies it. */
  readonly ddl: string;
  readonly benefit: Benefit;
  /** What applying costs: the table rewritten once (once for its whole group), and its storage after (all copies). */
  readonly applyCost: { readonly rows: number; readonly rewriteBytes: number; readonly storageBytesBefore: number; readonly storageBytesAfter: number };
  /** The setting is the user's (not AUTO): recommended, applied only when asked for. */
  readonly userSet: boolean;
  /** Set on a change mirrored onto a staging twin (advisor/twins.ts): the table it follows, in the same group. */
  readonly twinOf?: string;
  readonly reason: string;
  readonly status: RecommendationStatus;
  readonly statusReason: string | null;
  readonly history: readonly { readonly status: RecommendationStatus; readonly at: string; readonly reason: string | null }[];
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The advisor run that made (or last confirmed) it. */
  readonly run: string;
  /** Apply, verification and revert details (advisor/autonomics), once it leaves proposed. */
  readonly lifecycle?: Lifecycle;
}

interface EvidenceBase {
  /** The query shapes behind it, with executions and logged bytes moved. */
  readonly fingerprints: readonly FingerprintCount[];
  /** The group's shadow proof (the same for every member), when one ran. */
  readonly shadow?: ShadowEvidence;
}

export interface DistributionRecommendation extends RecommendationBase {
  readonly kind: 'distkey' | 'diststyle';
  readonly evidence: EvidenceBase & {
    readonly edges: readonly EdgeEvidence[];
    /** Keys not considered because they are skewed. */
    readonly rejectedKeys: readonly { readonly column: string; readonly reason: string }[];
  };
}

export interface SortKeyRecommendation extends RecommendationBase {
  readonly kind: 'sortkey';
  readonly evidence: EvidenceBase & { readonly sortKey: SortKeyEvidence };
}

export interface EncodingRecommendation extends RecommendationBase {
  readonly kind: 'encoding';
  readonly evidence: EvidenceBase & { readonly encoding: EncodingEvidence };
}

export type Recommendation = DistributionRecommendation | SortKeyRecommendation | EncodingRecommendation;

export const isDistribution = (r: Recommendation): r is DistributionRecommendation => r.kind === 'distkey' || r.kind === 'diststyle';

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
  /** The logged workload's query time per day, the base of every benefit's percent. */
  readonly workloadSecondsPerDay?: number;
  /**
   * Groups the shadow proof refused: what they would have changed and why they
   * are not proposed. `refusedAt` is set on a group refused by an earlier run
   * and not measured again in this one (the workload has not changed since).
   */
  readonly rejected?: readonly { readonly tables: readonly string[]; readonly changes: readonly string[]; readonly reason: string; readonly refusedAt?: string }[];
  /** Remembered refusals this run found the workload changed since (so their groups were free to be proposed and measured again), and what changed. */
  readonly reopened?: readonly { readonly changes: readonly string[]; readonly refusedAt: string; readonly why: string }[];
  /** Shadow measurements this run made (absent in runs stored before it was counted). */
  readonly shadowProofs?: number;
}

/** One change of a refused group, as its recommendation stated it (changeKey names it). */
export interface RefusedChange {
  readonly table: string;
  readonly kind: RecommendationKind;
  readonly current: string;
  readonly proposed: string;
  readonly ddl: string;
  /** The column, for an encoding change (to read its setting now). */
  readonly column?: string;
}

/**
 * A group the shadow proof measured and refused, remembered so that a later
 * run neither proposes nor measures it again while the workload it was
 * measured on stands (advisor/shadow/memory.ts; docs/advisor.md, "Remembered
 * refusals").
 */
export interface Refusal {
  readonly tables: readonly string[];
  readonly changes: readonly RefusedChange[];
  /** When it was measured, and by which run. */
  readonly at: string;
  readonly run: string;
  /** The shadow proof's decision in words. */
  readonly reason: string;
  /** The measurement itself: the time ratio and its interval, the counters. */
  readonly shadow: ShadowEvidence;
  /** The workload it was measured on. */
  readonly workload: {
    /** The affected query shapes the proof ran, with their executions in the log then. */
    readonly fingerprints: readonly { readonly fingerprint: string; readonly count: number }[];
    /** Their executions, summed. */
    readonly executions: number;
    /** Rows of every table the statements read, then. */
    readonly rows: readonly { readonly table: string; readonly rows: number }[];
  };
}

export interface StoreFile {
  readonly format: number;
  readonly nextId: number;
  /** The next group number (g1, g2, ...). */
  readonly nextGroup?: number;
  readonly runs: readonly AdvisorRun[];
  readonly recommendations: readonly Recommendation[];
  /** Groups the shadow proof refused and the advisor remembers (format 2; a format 1 store has none). */
  readonly refusals?: readonly Refusal[];
}

