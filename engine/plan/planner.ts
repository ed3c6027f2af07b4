/**
 * From a logical plan to a physical one. This module is the driver: it walks
 * the logical plan top down, planning each node for the fields its parent
 * needs (so only the columns the query uses are read) and reporting where
 * they landed, and hands each kind of node to its rule (rules/):
 *
 *  - filter-pushdown.ts   filters moved down through projections, aggregates,
 *                         windows, outer joins and unions, to the scan
 *  - scan.ts              column pruning, the scan's filter and zone-map tests
 *  - system-table.ts      a system table read for the columns used, its zone tests passed on
 *  - join-order.ts        regions of inner joins flattened and reordered greedily
 *  - join-distribution.ts each join's placement (Redshift's DS_* actions)
 *  - outer-join.ts        keys, inner-only filters and estimates of other joins
 *  - semi-join-pushdown.ts a semi join moved onto the one relation it reads
 *  - magic-set.ts         a decorrelated grouped subquery keeps only keys that can match
 *  - aggregate-split.ts   partial and final aggregates around an exchange
 *  - grouping-sets.ts     ROLLUP, CUBE and GROUPING SETS in one pass
 *  - window-placement.ts  window functions where each partition's rows are
 *  - window-limit.ts      top-N per partition: a rank limit above a window
 *                         cuts each slice's rows before they move
 *  - order-by.ts, limit-pushdown.ts  sorting on one slice, top-N and per-slice limits
 *  - set-operations.ts    UNION ALL, INTERSECT and EXCEPT
 *  - result-return.ts     the final gather counted as the result's return
 *
 * The driver also keeps what the rules share (rules/context.ts): node ids,
 * the column statistics read (plan-statistics.ts), and the row-count sites of
 * what-if planning.
 */
import { columnsOf, remapColumns, type Expr } from './expr.js';
import type { LogicalNode } from './logical.js';
import type { Distribution, ExchangeNode, Field, PlanNode } from './physical.js';
import type { TableMeta } from '../catalog/catalog.js';
import type { StatsSource } from './stats.js';
import type { TableLayout } from './join-placement.js';
import { PlanStatistics } from './plan-statistics.js';
import type { PlanContext, Planned } from './rules/context.js';
import { planFilter } from './rules/filter-pushdown.js';
import { planScan } from './rules/scan.js';
import { planSystemTable } from './rules/system-table.js';
import { planJoinRegion } from './rules/join-order.js';
import { planOuterJoin } from './rules/outer-join.js';
import { planSemiJoin } from './rules/semi-join-pushdown.js';
import { planAggregate, planDistinct } from './rules/aggregate-split.js';
import { planGroupingSets } from './rules/grouping-sets.js';
import { planWindow } from './rules/window-placement.js';
import { planSort } from './rules/order-by.js';
import { planLimit } from './rules/limit-pushdown.js';
import { planSetOp, planUnion } from './rules/set-operations.js';
import { returnAtTop } from './rules/result-return.js';

/** What-if planning's inputs: distributions in place of the catalog's, by table; rows observed at sites, by key. */
export interface WhatIfInputs {
  readonly layouts?: ReadonlyMap<string, TableLayout>;
  readonly rows?: ReadonlyMap<string, number>;
}

export class Planner implements PlanContext {
  private nextId = 1;
  private readonly statistics: PlanStatistics;

  /**
   * Row-count sites, numbered in the order planning reaches them (scans, filters,
   * aggregates, outer joins, the joined parts of a join region): by physical
   * node id, the site's key. Planning one bound query again reaches the same
   * sites in the same order whatever the layout, so rows observed at a site in
   * one run stand for it in another (what-if planning).
   */
  readonly sites = new Map<number, string>();
  private siteCount = 0;

  /**
   * `stats`: where column ranges come from (the data directory's segments); without it estimates use shape defaults only.
   * `whatIf`: distributions to plan with in place of the catalog's, by table name, and rows observed at sites
   * (by key) to use in place of estimates.
   */
  constructor(
    readonly slices: number,
    stats: StatsSource | null = null,
    private readonly whatIf: WhatIfInputs | null = null,
  ) {
    this.statistics = new PlanStatistics(stats);
  }

  /** Plans a whole query: every output field, delivered on slice 0. */
  planQuery(root: LogicalNode): PlanNode {
    const all = root.fields.map((_, i) => i);
    const p = this.plan(root, all);
    let node = returnAtTop(this.ordered(p, all));
    if (node.dist.kind !== 'single') node = this.exchange(node, node.dist.kind === 'all' ? 'pick' : 'return', []);
    // the result's columns carry the query's output names and types
    node = { ...node, fields: root.fields } as PlanNode;
    return node;
  }

  plan(node: LogicalNode, required: readonly number[]): Planned {
    switch (node.op) {
      case 'get':
        return planScan(this, node, required, []);
      case 'filter':
        return planFilter(this, node, required);
      case 'project': {
        const need = new Set<number>();
        for (const r of required) columnsOf(node.exprs[r]!, need);
        const input = this.plan(node.input, [...need].sort((a, b) => a - b));
        const exprs = required.map((r) => remapColumns(node.exprs[r]!, (i) => input.pos.get(i)!));
        const out = this.project(input.node, exprs, required.map((r) => node.fields[r]!));
        return { node: out, pos: new Map(required.map((r, i) => [r, i])), base: input.base };
      }
      case 'join':
        if (node.type === 'inner' || node.type === 'cross') return planJoinRegion(this, node, required);
        return node.type === 'semi' ? planSemiJoin(this, node, required) : planOuterJoin(this, node, required);
      case 'aggregate':
        return node.grouping ? planGroupingSets(this, node) : planAggregate(this, node, required);
      case 'window':
        return planWindow(this, node, required);
      case 'sort':
        return planSort(this, node, required);
      case 'limit':
        return planLimit(this, node, required);
      case 'distinct':
        return planDistinct(this, node, required);
      case 'union':
        return planUnion(this, node);
      case 'rows': {
        const r: PlanNode = {
          op: 'rows',
          id: this.id(),
          batches: node.batches,
          label: node.label,
          fields: node.fields,
          dist: { kind: 'single' },
          estRows: node.batches.reduce((a, b) => a + b.length, 0),
        };
        return { node: r, pos: new Map(node.fields.map((_, i) => [i, i])), base: r.estRows };
      }
      case 'system':
        return planSystemTable(this, node, required, []);
      case 'setop':
        return planSetOp(this, node, required);
    }
  }

  // ---------------------------------------------------------------- what the rules share (rules/context.ts)

  id(): number {
    return this.nextId++;
  }

  ordered(p: Planned, fields: readonly number[]): PlanNode {
    const cols = fields.map((f) => p.pos.get(f)!);
    if (cols.length === p.node.fields.length && cols.every((c, i) => c === i)) return p.node;
    return this.project(p.node, cols.map((c) => ({ k: 'col', index: c, type: p.node.fields[c]!.type }) as Expr), cols.map((c) => p.node.fields[c]!));
  }

  project(input: PlanNode, exprs: readonly Expr[], fields: readonly Field[]): PlanNode {
    // a projection keeps a hash distribution when it keeps the key columns
    let dist: Distribution = input.dist;
    if (dist.kind === 'hash') {
      const keys = dist.keys.map((k) => exprs.findIndex((e) => e.k === 'col' && e.index === k));
      dist = keys.every((k) => k >= 0) ? { kind: 'hash', keys } : { kind: 'any' };
    }
    return { op: 'project', id: this.id(), input, exprs, fields, dist, estRows: input.estRows };
  }

  exchange(input: PlanNode, mode: ExchangeNode['mode'], keys: readonly number[]): PlanNode {
    const dist: Distribution =
      mode === 'hash' ? { kind: 'hash', keys } : mode === 'broadcast' ? { kind: 'all' } : { kind: 'single' };
    return { op: 'exchange', id: this.id(), input, mode, keys, fields: input.fields, dist, estRows: input.estRows };
  }

  gatherIfNeeded(node: PlanNode): PlanNode {
    if (node.dist.kind === 'single') return node;
    return this.exchange(node, node.dist.kind === 'all' ? 'pick' : 'gather', []);
  }

  site(kind: string, width: number): string {
    return `${this.siteCount++}:${kind}:${width}`;
  }

  observed(key: string, estimate: number): number {
    const rows = this.whatIf?.rows?.get(key);
    return rows === undefined ? estimate : Math.max(1, rows);
  }

  recordSite(id: number, key: string): void {
    this.sites.set(id, key);
  }

  domain(p: Planned, keys: readonly Expr[]): number {
    return this.statistics.rangeProduct(p, keys);
  }

  keyDomain(p: Planned, keys: readonly Expr[]): number {
    return this.statistics.keyDomain(p, keys);
  }

  layout(t: TableMeta): TableLayout {
    return this.whatIf?.layouts?.get(t.name) ?? { style: t.distStyle, key: t.distKey };
  }

  scanStats(t: TableMeta): ReturnType<PlanContext['scanStats']> {
    return this.statistics.scanned(t);
  }
}
