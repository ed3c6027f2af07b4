/**
 * Physical plans: what runs on each slice, and where rows cross slices.
 * Every node lists its output fields; expressions index into the input's fields.
 */
import type { Batch, SqlType } from '../types.js';
import type { TableMeta } from '../catalog/catalog.js';
import type { Expr } from './expr.js';
import type { AggFn } from '../functions/aggregate-kinds.js';
import type { WindowFunc } from './window-spec.js';

export interface Field {
  readonly name: string;
  readonly type: SqlType;
  /** The table alias the field came from, for name resolution and EXPLAIN. */
  readonly table?: string;
  /** The base table and column it is a copy of, for the query record. */
  readonly source?: { readonly table: string; readonly column: string };
}

/**
 * Where a node's output rows are: hashed on some output columns, a full copy
 * on every slice, all on one slice, or spread with no known key.
 */
export type Distribution =
  | { readonly kind: 'hash'; readonly keys: readonly number[] }
  | { readonly kind: 'all' }
  | { readonly kind: 'single' }
  | { readonly kind: 'any' };

/** A zone-map test: column (index into the scan's columns) op literal (physical value). */
export interface ZonePredicate {
  readonly column: number;
  readonly op: 'eq' | 'lt' | 'le' | 'gt' | 'ge' | 'in' | 'prefix';
  readonly value: number | string;
  readonly values?: readonly (number | string)[];
}

/** Redshift's names for how a join gets its inputs onto the same slices. */
export type JoinDistAction =
  | 'DS_DIST_NONE'
  | 'DS_DIST_ALL_NONE'
  | 'DS_BCAST_INNER'
  | 'DS_DIST_INNER'
  | 'DS_DIST_OUTER'
  | 'DS_DIST_BOTH'
  | 'DS_DIST_ALL_INNER';

/**
 * 'single': a left join whose inner side holds at most one match per outer row
 * (a scalar subquery's value); a second match is a CARDINALITY error.
 */
export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti' | 'antiNullAware' | 'cross' | 'single';

export interface AggSpec {
  readonly fn: AggFn;
  /** Input column index, or -1 for COUNT(*). */
  readonly arg: number;
  readonly type: SqlType;
  /** LISTAGG: WITHIN GROUP (ORDER BY ...) over input columns. */
  readonly order?: readonly SortKey[];
  /** LISTAGG: the delimiter (none when absent). */
  readonly separator?: string;
  /** LISTAGG(DISTINCT ...). */
  readonly distinct?: boolean;
  /** PERCENTILE_CONT / PERCENTILE_DISC: the fraction, 0 to 1. */
  readonly fraction?: number;
  /** PERCENTILE_CONT / PERCENTILE_DISC: the WITHIN GROUP order is descending. */
  readonly desc?: boolean;
}

export interface SortKey {
  readonly column: number;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

interface NodeBase {
  /** Unique within a plan; stats are kept per id. */
  readonly id: number;
  readonly fields: readonly Field[];
  readonly dist: Distribution;
  /** Estimated output rows (all slices together). */
  readonly estRows: number;
}

export interface ScanNode extends NodeBase {
  readonly op: 'scan';
  readonly table: TableMeta;
  readonly alias: string;
  /** Table column indexes read, in output order. */
  readonly columns: readonly number[];
  /** Predicate over the output columns, applied while scanning. */
  readonly filter: Expr | null;
  readonly zone: readonly ZonePredicate[];
  /**
   * Of a replicated (ALL) table, read only share `index` of `of` of the copy's
   * block groups (storage/scan.ts, shareOf). Never planned: the parallel
   * executor sets it on the copies of a fragment that reads one copy (below a
   * `pick` exchange), run as separate tasks that together read it once.
   */
  readonly share?: { readonly index: number; readonly of: number };
}

export interface RowsNode extends NodeBase {
  readonly op: 'rows';
  readonly batches: readonly Batch[];
  readonly label: string;
}

export interface FilterNode extends NodeBase {
  readonly op: 'filter';
  readonly input: PlanNode;
  readonly predicate: Expr;
}

export interface ProjectNode extends NodeBase {
  readonly op: 'project';
  readonly input: PlanNode;
  readonly exprs: readonly Expr[];
}

export interface JoinNode extends NodeBase {
  readonly op: 'join';
  readonly type: JoinType;
  /** Outer (probe) side. */
  readonly left: PlanNode;
  /** Inner (build) side. */
  readonly right: PlanNode;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  /** Extra condition over left fields followed by right fields. */
  readonly residual: Expr | null;
  readonly action: JoinDistAction;
  /** For the query record: the joined columns, as table.column. */
  readonly keyNames: readonly { readonly left: string; readonly right: string }[];
  /**
   * Semi and anti joins: build the hash table on the outer (left) input and
   * stream the inner one through it, when the outer input is the smaller.
   */
  readonly buildOuter?: boolean;
}

export interface ExchangeNode extends NodeBase {
  readonly op: 'exchange';
  readonly input: PlanNode;
  /**
   * hash: by keys; broadcast: every slice gets every row; gather: all to slice 0;
   * return: to the leader as the result (not counted as moved: every layout pays it);
   * pick: of a replicated input, slice 0's copy only (nothing moves).
   */
  readonly mode: 'hash' | 'broadcast' | 'gather' | 'return' | 'pick';
  readonly keys: readonly number[];
}

export interface AggregateNode extends NodeBase {
  readonly op: 'aggregate';
  readonly input: PlanNode;
  readonly groups: readonly number[];
  readonly aggs: readonly AggSpec[];
  /** partial: per slice, emits states; final: merges states; complete: one pass. */
  readonly mode: 'partial' | 'final' | 'complete';
  /**
   * Grouping sets (rules/grouping-sets.ts): the last group column is the set
   * number. `emptySets` are the numbers of the empty sets (GROUP BY ()): like
   * an aggregate without GROUP BY, each makes one row even over no rows, which
   * slice 0 adds when no input row reached it there (rows of an empty set have
   * only NULL keys, which a hash exchange sends to slice 0).
   */
  readonly grouping?: { readonly emptySets: readonly number[] };
}

/**
 * Grouping sets: every input row once per set, with the input's columns, then
 * each key column again (NULL where the set leaves it out), then the set's
 * number (INTEGER). Columns are shared, not copied: a set costs a NULL column
 * per key it leaves out.
 */
export interface ExpandNode extends NodeBase {
  readonly op: 'expand';
  readonly input: PlanNode;
  /** Input columns of the grouping keys. */
  readonly keys: readonly number[];
  /** Per set, the indexes into `keys` it keeps. */
  readonly sets: readonly (readonly number[])[];
}

export interface SortNode extends NodeBase {
  readonly op: 'sort';
  readonly input: PlanNode;
  readonly keys: readonly SortKey[];
  /** Top-N: keep only the first limit+offset rows. */
  readonly limit: number | null;
}

/**
 * Window functions over one (PARTITION BY, ORDER BY), run per slice once each
 * partition's rows are on one slice. Output: the input's columns, then one per
 * function.
 */
export interface WindowNode extends NodeBase {
  readonly op: 'window';
  readonly input: PlanNode;
  readonly partition: readonly number[];
  readonly order: readonly SortKey[];
  readonly funcs: readonly WindowFunc<number>[];
  /** How the partitions came together: already in place, redistributed on a partition key, or gathered (no PARTITION BY). */
  readonly placement: 'in place' | 'redistributed' | 'gathered';
}

/**
 * Below a window whose rows a filter keeps only up to a rank (ROW_NUMBER() or
 * RANK() <= limit, rules/window-limit.ts): per slice, each partition's rows
 * whose `key` (the window's first ORDER BY key) is among its `limit`
 * smallest, ties with the last included; the others cannot rank within the
 * limit. Output: the input's columns, the kept rows in input order.
 */
export interface WindowLimitNode extends NodeBase {
  readonly op: 'windowLimit';
  readonly input: PlanNode;
  readonly partition: readonly number[];
  readonly key: SortKey;
  readonly limit: number;
}

export interface LimitNode extends NodeBase {
  readonly op: 'limit';
  readonly input: PlanNode;
  readonly limit: number | null;
  readonly offset: number;
}

export interface UnionNode extends NodeBase {
  readonly op: 'union';
  readonly inputs: readonly PlanNode[];
}

export type PlanNode = ScanNode | RowsNode | FilterNode | ProjectNode | JoinNode | ExchangeNode | AggregateNode | ExpandNode | SortNode | WindowNode | WindowLimitNode | LimitNode | UnionNode;

export function childrenOf(node: PlanNode): PlanNode[] {
  switch (node.op) {
    case 'scan':
    case 'rows':
      return [];
    case 'join':
      return [node.left, node.right];
    case 'union':
      return [...node.inputs];
    default:
      return [node.input];
  }
}
