/**
 * Logical plans: what the binder produces from SQL, before join ordering and
 * before deciding where rows move. Expressions index into the input's fields
 * (for joins: the left fields followed by the right fields).
 */
import type { Batch } from '../types.js';
import type { Catalog, TableMeta } from '../catalog/catalog.js';
import type { SystemTable } from '../catalog/system-tables.js';
import type { Expr } from './expr.js';
import type { AggFn } from '../functions/aggregate-kinds.js';
import type { Field, JoinType } from './physical.js';
import type { WindowFunc, WindowSortKey } from './window-spec.js';

export interface LogicalAgg {
  readonly fn: AggFn;
  /** null for COUNT(*). */
  readonly arg: Expr | null;
  /** LISTAGG: WITHIN GROUP (ORDER BY ...), over the aggregate's input. */
  readonly order?: readonly { readonly expr: Expr; readonly desc: boolean; readonly nullsFirst: boolean }[];
  /** LISTAGG: the delimiter (none when absent). */
  readonly separator?: string;
  /** LISTAGG(DISTINCT ...). */
  readonly distinct?: boolean;
  /** PERCENTILE_CONT / PERCENTILE_DISC: the fraction, 0 to 1. */
  readonly fraction?: number;
  /** PERCENTILE_CONT / PERCENTILE_DISC: WITHIN GROUP (ORDER BY x DESC). */
  readonly desc?: boolean;
}

/**
 * GROUP BY ROLLUP / CUBE / GROUPING SETS: each set as the indexes (into the
 * aggregate's groups) of its keys. The aggregate's output then has, right
 * after the groups, the row's set number (INTEGER, the index into `sets`),
 * and a group outside the row's set reads NULL (plan/bind-grouping.ts).
 */
export interface GroupingSetsSpec {
  readonly sets: readonly (readonly number[])[];
}

export type LogicalNode =
  | { readonly op: 'get'; readonly table: TableMeta; readonly alias: string; readonly fields: readonly Field[] }
  | { readonly op: 'rows'; readonly batches: readonly Batch[]; readonly label: string; readonly fields: readonly Field[] }
  /** A system table, read when the query is planned: only the columns it uses (rules/system-table.ts). */
  | { readonly op: 'system'; readonly table: SystemTable; readonly catalog: Catalog; readonly fields: readonly Field[] }
  | { readonly op: 'filter'; readonly input: LogicalNode; readonly predicate: Expr; readonly fields: readonly Field[] }
  | { readonly op: 'project'; readonly input: LogicalNode; readonly exprs: readonly Expr[]; readonly fields: readonly Field[] }
  | {
      readonly op: 'join';
      /** 'single': a scalar subquery's row joined to every left row (at most one row, NULLs when none). */
      readonly type: JoinType;
      readonly left: LogicalNode;
      readonly right: LogicalNode;
      readonly condition: Expr | null;
      readonly fields: readonly Field[];
    }
  | {
      readonly op: 'aggregate';
      readonly input: LogicalNode;
      readonly groups: readonly Expr[];
      readonly aggs: readonly LogicalAgg[];
      /** groups, then (with grouping sets) the set number, then aggregates */
      readonly fields: readonly Field[];
      readonly grouping?: GroupingSetsSpec;
    }
  | {
      readonly op: 'sort';
      readonly input: LogicalNode;
      readonly keys: readonly { readonly expr: Expr; readonly desc: boolean; readonly nullsFirst: boolean }[];
      readonly fields: readonly Field[];
    }
  | {
      /** Window functions over one (PARTITION BY, ORDER BY); fields: the input's, then one per function. */
      readonly op: 'window';
      readonly input: LogicalNode;
      readonly partition: readonly Expr[];
      readonly order: readonly WindowSortKey<Expr>[];
      readonly funcs: readonly WindowFunc<Expr>[];
      readonly fields: readonly Field[];
    }
  | { readonly op: 'limit'; readonly input: LogicalNode; readonly limit: number | null; readonly offset: number; readonly fields: readonly Field[] }
  | { readonly op: 'distinct'; readonly input: LogicalNode; readonly fields: readonly Field[] }
  | { readonly op: 'union'; readonly inputs: readonly LogicalNode[]; readonly fields: readonly Field[] }
  | {
      readonly op: 'setop';
      readonly kind: 'intersect' | 'except';
      readonly all: boolean;
      readonly left: LogicalNode;
      readonly right: LogicalNode;
      readonly fields: readonly Field[];
    };
