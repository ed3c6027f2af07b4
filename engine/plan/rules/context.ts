/**
 * What the planner's rules (this folder) share: a planned subtree, and what a
 * rule may ask of the planner driver (planner.ts): to plan a child, to build
 * the nodes every rule uses (projections, exchanges), node ids, statistics,
 * and the row-count sites of what-if planning. Rules import this module,
 * never the driver, so the driver can import every rule without a cycle.
 */
import type { TableMeta } from '../../catalog/catalog.js';
import type { Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import type { ExchangeNode, Field, PlanNode } from '../physical.js';
import type { TableLayout } from '../join-placement.js';
import type { ColumnRange } from '../stats.js';
import type { ColumnDistribution } from '../imported-column-stats.js';

/** A logical node planned for the fields its parent needs. */
export interface Planned {
  node: PlanNode;
  /** pos.get(logical field index) = output column of node. */
  pos: Map<number, number>;
  /** Unfiltered size of the relation's base table(s), for join estimates. */
  base: number;
}

export interface PlanContext {
  readonly slices: number;
  /** Plans a logical node for the fields `required` (sorted logical field indexes). */
  plan(node: LogicalNode, required: readonly number[]): Planned;
  /** A fresh physical node id. */
  id(): number;
  /** A projection; it keeps a hash distribution when it keeps the key columns. */
  project(input: PlanNode, exprs: readonly Expr[], fields: readonly Field[]): PlanNode;
  exchange(input: PlanNode, mode: ExchangeNode['mode'], keys: readonly number[]): PlanNode;
  /** The node's columns reordered to exactly `fields` (a projection only if needed). */
  ordered(p: Planned, fields: readonly number[]): PlanNode;
  /** A single-slice or replicated node's rows on slice 0 only; others gathered there. */
  gatherIfNeeded(node: PlanNode): PlanNode;
  /** The next row-count site (see Planner.sites), by kind and output width. */
  site(kind: string, width: number): string;
  /** The rows observed at a site in what-if planning, else the estimate. */
  observed(site: string, estimate: number): number;
  recordSite(id: number, site: string): void;
  /** The product of the key expressions' value ranges (over `p`'s logical fields); Infinity when one is unknown. */
  domain(p: Planned, keys: readonly Expr[]): number;
  /** At most how many distinct values the keys take in `p`: its unfiltered size, or less when their domains are known. */
  keyDomain(p: Planned, keys: readonly Expr[]): number;
  /** Where a table's rows are: the catalog's distribution, or a what-if one. */
  layout(table: TableMeta): TableLayout;
  /** A scanned table's column value ranges and distinct counts, when statistics have them; the table is then known to fields copied from it. */
  scanStats(table: TableMeta): { range(column: number): ColumnRange | null; distinct(column: number): number | null; distribution(column: number): ColumnDistribution | null };
}

/** The sorted union of two lists of field indexes. */
export function unionFields(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}
