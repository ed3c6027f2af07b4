/**
 * From a logical plan to a physical one:
 *  - only the columns the query uses are read (each node is planned for the
 *    fields its parent needs, and reports where they landed);
 *  - filters over a table become the scan's filter and its zone-map tests;
 *  - trees of inner joins are flattened and reordered greedily: each step takes
 *    the join costing least in bytes, what its placement moves plus what it
 *    hands upward (estimated rows times the width of the columns carried), the
 *    smaller input of each join becoming the hash table (inner side);
 *    estimates use the column statistics storage already keeps (stats.ts: value
 *    ranges from zone maps, distinct counts of dictionary-encoded strings);
 *  - a semi join over a join region may filter the one relation it reads
 *    instead (planned both ways, the cheaper kept), and a semi or anti join
 *    whose outer input is much smaller builds its hash table there;
 *  - a grouped subquery joined on its group key (a decorrelated correlated
 *    subquery) first keeps only the keys the outer query can produce (magicSet);
 *  - each join gets the cheapest correct way to bring matching rows together
 *    (Redshift's DS_* actions), by the estimated bytes each option moves;
 *  - aggregates run in two phases around an exchange unless the input is
 *    already distributed on a group key, or grouping would not shrink each
 *    slice's rows (GROUP BY a key): then rows move once, hashed on one group column;
 *    grouping sets (ROLLUP, CUBE, GROUPING SETS) are planned in plan-grouping-sets.ts;
 *  - window functions run where each partition's rows are (plan-window.ts).
 */
import { SqlError } from '../errors.js';
import { physicalKind } from '../types.js';
import { BOOLEAN, balanced, columnsOf, operandsOf, remapColumns, type Expr } from './expr.js';
import type { LogicalNode } from './logical.js';
import type {
  AggSpec,
  Distribution,
  ExchangeNode,
  Field,
  JoinDistAction,
  JoinNode,
  JoinType,
  PlanNode,
  ScanNode,
  ZonePredicate,
} from './physical.js';
import { childrenOf } from './physical.js';
import { keyJoinRows, scanSelectivity, selectivity } from './estimate.js';
import { aggSpec, hasPartialState, partialStates } from './aggregate-states.js';
import { planGroupingSets, type GroupingPlanHost } from './plan-grouping-sets.js';
import { joinPlacement, nodeBytes, rowWidth, type SideMove, type TableLayout } from './join-placement.js';
import { planWindow } from './plan-window.js';
import type { Planned } from './rules/context.js';

/** What-if planning's inputs: distributions in place of the catalog's, by table; rows observed at sites, by key. */
export interface WhatIfInputs {
  readonly layouts?: ReadonlyMap<string, TableLayout>;
  readonly rows?: ReadonlyMap<string, number>;
}
import { columnDistinct, columnRange, type ColumnRange, type StatsSource } from './stats.js';
import type { TableMeta } from '../catalog/catalog.js';

/** A partial result of a join region: which relations it holds, where their region fields sit (pos: region field index -> column). */
interface Part {
  rels: Set<number>;
  planned: Planned;
}

/** An equality between two relations of a join region: a join key pair. */
interface RegionEdge {
  a: number;
  b: number;
  ea: Expr;
  eb: Expr;
  pred: Expr;
}

export class Planner {
  private nextId = 1;
  /** Tables scanned by this query, by name: where a field's `source` leads for statistics. */
  private readonly tables = new Map<string, TableMeta>();
  private readonly ranges = new Map<string, ColumnRange | null>();

  /**
   * Row-count sites, numbered in the order planning reaches them (scans, filters,
   * aggregates, outer joins, the joined parts of a join region): by physical
   * node id, the site's key. Planning one bound query again reaches the same
   * sites in the same order whatever the layout, so rows observed at a site in
   * one run stand for it in another (what-if planning).
   */
  readonly sites = new Map<number, string>();
  private site = 0;

  /**
   * `stats`: where column ranges come from (the data directory's segments); without it estimates use shape defaults only.
   * `whatIf`: distributions to plan with in place of the catalog's, by table name, and rows observed at sites
   * (by key) to use in place of estimates.
   */
  constructor(
    private readonly slices: number,
    private readonly stats: StatsSource | null = null,
    private readonly whatIf: WhatIfInputs | null = null,
  ) {}

  private siteKey(kind: string, width: number): string {
    return `${this.site++}:${kind}:${width}`;
  }

  /** The rows observed at a site, else the estimate. */
  private observed(key: string, estimate: number): number {
    const rows = this.whatIf?.rows?.get(key);
    return rows === undefined ? estimate : Math.max(1, rows);
  }

  /** The value range of a base table column, when statistics are available. */
  private range(table: TableMeta, column: number): ColumnRange | null {
    if (!this.stats) return null;
    const key = `${table.id}:${table.version}:${table.segments.length}:${column}`;
    let r = this.ranges.get(key);
    if (r === undefined) {
      r = columnRange(this.stats, table, column);
      this.ranges.set(key, r);
    }
    return r;
  }

  private readonly distincts = new Map<string, number | null>();

  /** The distinct values of a base table's string column, when few and statistics are available. */
  private distinct(table: TableMeta, column: number): number | null {
    if (!this.stats) return null;
    const key = `${table.id}:${table.version}:${table.segments.length}:${column}`;
    let d = this.distincts.get(key);
    if (d === undefined) {
      d = columnDistinct(this.stats, table, column);
      this.distincts.set(key, d);
    }
    return d;
  }

  /** Distinct values of the base string column a field is a copy of, when known. */
  private fieldDistinct(f: Field | undefined): number | null {
    if (!f?.source) return null;
    const t = this.tables.get(f.source.table);
    if (!t) return null;
    const c = t.columns.findIndex((x) => x.name === f.source!.column);
    return c < 0 ? null : this.distinct(t, c);
  }

  /** The range of the base column a field is a copy of. */
  private fieldRange(f: Field | undefined): ColumnRange | null {
    if (!f?.source) return null;
    const t = this.tables.get(f.source.table);
    if (!t) return null;
    const c = t.columns.findIndex((x) => x.name === f.source!.column);
    return c < 0 ? null : this.range(t, c);
  }

  /**
   * At most how many distinct values the key expressions (over the relation's
   * logical fields) take in `p`: its unfiltered size, or less when the keys are
   * integral columns with a known range.
   */
  private keyDomain(p: Planned, keys: readonly Expr[]): number {
    return Math.max(1, Math.min(p.base, this.rangeProduct(p, keys)));
  }

  /** The product of the key expressions' integral value ranges; Infinity when one is unknown. */
  private rangeProduct(p: Planned, keys: readonly Expr[]): number {
    let prod = 1;
    for (const k of keys) {
      const m = remapColumns(k, (f) => p.pos.get(f) ?? -1);
      const f = m.k === 'col' && m.index >= 0 ? p.node.fields[m.index] : undefined;
      const r = this.fieldRange(f);
      prod *= r && r.integral ? r.max - r.min + 1 : (this.fieldDistinct(f) ?? Infinity);
    }
    return prod;
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

  private id(): number {
    return this.nextId++;
  }

  /** The node's columns reordered to exactly `fields` (a projection only if needed). */
  private ordered(p: Planned, fields: readonly number[]): PlanNode {
    const cols = fields.map((f) => p.pos.get(f)!);
    if (cols.length === p.node.fields.length && cols.every((c, i) => c === i)) return p.node;
    return this.project(p.node, cols.map((c) => ({ k: 'col', index: c, type: p.node.fields[c]!.type }) as Expr), cols.map((c) => p.node.fields[c]!));
  }

  private project(input: PlanNode, exprs: readonly Expr[], fields: readonly Field[]): PlanNode {
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

  private plan(node: LogicalNode, required: readonly number[]): Planned {
    switch (node.op) {
      case 'get':
        return this.planScan(node, required, []);
      case 'filter': {
        const pushed = pushFilter(node);
        if (pushed) return this.plan(pushed, required);
        if (node.input.op === 'get') return this.planScan(node.input, required, conjuncts(node.predicate));
        if (node.input.op === 'join' && (node.input.type === 'inner' || node.input.type === 'cross')) return this.planJoinRegion(node, required);
        const site = this.siteKey('filter', node.fields.length);
        const need = union(required, [...columnsOf(node.predicate)]);
        const input = this.plan(node.input, need);
        const predicate = remapColumns(node.predicate, (i) => input.pos.get(i)!);
        const est = this.observed(site, Math.max(1, input.node.estRows * selectivity(node.predicate)));
        const filtered: PlanNode = { op: 'filter', id: this.id(), input: input.node, predicate, fields: input.node.fields, dist: input.node.dist, estRows: est };
        this.sites.set(filtered.id, site);
        return { node: filtered, pos: input.pos, base: input.base };
      }
      case 'project': {
        const need = new Set<number>();
        for (const r of required) columnsOf(node.exprs[r]!, need);
        const input = this.plan(node.input, [...need].sort((a, b) => a - b));
        const exprs = required.map((r) => remapColumns(node.exprs[r]!, (i) => input.pos.get(i)!));
        const out = this.project(input.node, exprs, required.map((r) => node.fields[r]!));
        return { node: out, pos: new Map(required.map((r, i) => [r, i])), base: input.base };
      }
      case 'join': {
        if (node.type === 'inner' || node.type === 'cross') return this.planJoinRegion(node, required);
        // a semi join over a join region may instead filter the one relation its condition reads,
        // before the region's joins: planned both ways, the cheaper plan is kept
        const pushed = node.type === 'semi' ? pushSemiJoin(node) : null;
        const plain = this.planOuterJoin(node, required);
        if (!pushed) return plain;
        const alt = this.plan(pushed, required);
        return planCost(alt.node) < planCost(plain.node) ? alt : plain;
      }
      case 'aggregate':
        return node.grouping ? planGroupingSets(this.groupingHost(), node) : this.planAggregate(node, required);
      case 'window':
        return this.planWindow(node, required);
      case 'sort': {
        const keyCols = node.keys.map((k) => k.expr);
        const need = union(required, keyCols.flatMap((e) => [...columnsOf(e)]));
        const input = this.plan(node.input, need);
        // sort keys that are expressions are computed by a projection below the sort
        const exprs: Expr[] = need.map((f) => ({ k: 'col', index: input.pos.get(f)!, type: node.input.fields[f]!.type }));
        const keys = node.keys.map((k) => {
          const e = remapColumns(k.expr, (i) => input.pos.get(i)!);
          let at = exprs.findIndex((x) => JSON.stringify(x) === JSON.stringify(e));
          if (at < 0) {
            at = exprs.length;
            exprs.push(e);
          }
          return { column: at, desc: k.desc, nullsFirst: k.nullsFirst };
        });
        const fields: Field[] = exprs.map((e, i) => (i < need.length ? node.input.fields[need[i]!]! : { name: `sortkey${i}`, type: e.type }));
        let child = this.project(input.node, exprs, fields);
        child = this.gatherIfNeeded(child);
        const sorted: PlanNode = { op: 'sort', id: this.id(), input: child, keys, limit: null, fields: child.fields, dist: child.dist, estRows: child.estRows };
        return { node: sorted, pos: new Map(need.map((f, i) => [f, i])), base: input.base };
      }
      case 'limit': {
        const input = this.plan(node.input, required);
        // top-N: a LIMIT right above a sort keeps only limit+offset rows while sorting
        let child = input.node;
        if (child.op === 'sort' && node.limit !== null) {
          const n = node.limit + node.offset;
          child = { ...child, limit: n, estRows: Math.min(child.estRows, n) };
          // each slice keeps only its own top n before the gather, so at most n rows per slice move
          const g = child.input;
          if (g.op === 'exchange' && g.mode === 'gather' && g.input.estRows > n) {
            const local: PlanNode = { op: 'sort', id: this.id(), input: g.input, keys: child.keys, limit: n, fields: g.input.fields, dist: g.input.dist, estRows: Math.min(g.input.estRows, n * this.slices) };
            child = { ...child, input: { ...g, input: local, estRows: local.estRows } };
          }
        }
        // a plain LIMIT: each slice stops after its first limit+offset rows, so a quick look reads a few
        // blocks and moves at most that many rows a slice, not the whole table
        if (child.op !== 'sort' && node.limit !== null && child.dist.kind !== 'single' && child.dist.kind !== 'all') {
          const n = node.limit + node.offset;
          if (child.estRows > n) child = { op: 'limit', id: this.id(), input: child, limit: n, offset: 0, fields: child.fields, dist: child.dist, estRows: Math.min(child.estRows, n * this.slices) };
        }
        child = this.gatherIfNeeded(child);
        const est = node.limit === null ? child.estRows : Math.min(child.estRows, node.limit);
        const limited: PlanNode = { op: 'limit', id: this.id(), input: child, limit: node.limit, offset: node.offset, fields: child.fields, dist: child.dist, estRows: est };
        return { node: limited, pos: input.pos, base: input.base };
      }
      case 'distinct': {
        const all = node.fields.map((_, i) => i);
        const agg: LogicalNode = {
          op: 'aggregate',
          input: node.input,
          groups: all.map((i) => ({ k: 'col', index: i, type: node.fields[i]!.type })),
          aggs: [],
          fields: node.fields,
        };
        return this.planAggregate(agg, required);
      }
      case 'union': {
        const all = node.fields.map((_, i) => i);
        const inputs = node.inputs.map((inp) => {
          let n = this.ordered(this.plan(inp, all), all);
          if (n.dist.kind === 'all') n = this.exchange(n, 'pick', []);
          return n;
        });
        const single = inputs.every((n) => n.dist.kind === 'single');
        const est = inputs.reduce((a, n) => a + n.estRows, 0);
        const u: PlanNode = { op: 'union', id: this.id(), inputs, fields: node.fields, dist: single ? { kind: 'single' } : { kind: 'any' }, estRows: est };
        // rows of single-slice inputs sit on slice 0 only, which a union over slices keeps as they are
        return { node: u, pos: new Map(all.map((i) => [i, i])), base: est };
      }
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
      case 'setop': {
        if (node.all) throw new SqlError('UNSUPPORTED', `${node.kind.toUpperCase()} ALL is not supported`);
        // INTERSECT / EXCEPT: the distinct left rows semi/anti-joined to the right on every column,
        // NULLs equal to NULLs (both the is-NULL flags and the values with NULL read as a constant)
        const w = node.fields.length;
        const conds: Expr[] = [];
        node.fields.forEach((f, i) => {
          const l: Expr = { k: 'col', index: i, type: f.type };
          const r: Expr = { k: 'col', index: w + i, type: node.right.fields[i]!.type };
          const zero: Expr = { k: 'lit', value: physicalKind(f.type) === 'str' ? '' : 0, type: f.type };
          conds.push({ k: 'call', op: 'eq', args: [{ k: 'call', op: 'isNull', args: [l], type: BOOLEAN }, { k: 'call', op: 'isNull', args: [r], type: BOOLEAN }], type: BOOLEAN });
          conds.push({
            k: 'call',
            op: 'eq',
            args: [{ k: 'call', op: 'coalesce', args: [l, zero], type: f.type }, { k: 'call', op: 'coalesce', args: [r, { ...zero, type: r.type }], type: r.type }],
            type: BOOLEAN,
          });
        });
        const left: LogicalNode = { op: 'distinct', input: node.left, fields: node.left.fields };
        const join: LogicalNode = {
          op: 'join',
          type: node.kind === 'intersect' ? 'semi' : 'anti',
          left,
          right: node.right,
          condition: conds.length ? allOf(conds) : null,
          fields: node.fields,
        };
        return this.plan(join, required);
      }
    }
  }

  /** Window functions (plan-window.ts): in place, or after their rows meet by partition. */
  private planWindow(node: Extract<LogicalNode, { op: 'window' }>, required: readonly number[]): Planned {
    const planned = planWindow(
      {
        slices: this.slices,
        plan: (n, r) => this.plan(n, r),
        project: (input, exprs, fields) => this.project(input, exprs, fields),
        exchange: (input, mode, keys) => this.exchange(input, mode, keys),
        id: () => this.id(),
        domain: (input, key) => this.rangeProduct(input as Planned, [key]),
      },
      node,
      required,
    );
    return { node: planned.node, pos: new Map(planned.pos), base: planned.base };
  }

  /** A single-slice or replicated node's rows on slice 0 only; others gathered there. */
  private gatherIfNeeded(node: PlanNode): PlanNode {
    if (node.dist.kind === 'single') return node;
    return this.exchange(node, node.dist.kind === 'all' ? 'pick' : 'gather', []);
  }

  private planScan(get: Extract<LogicalNode, { op: 'get' }>, required: readonly number[], preds: readonly Expr[]): Planned {
    const needed = new Set<number>(required);
    for (const p of preds) columnsOf(p, needed);
    const columns = [...needed].sort((a, b) => a - b);
    const pos = new Map(columns.map((c, i) => [c, i]));
    const local = preds.map((p) => remapColumns(p, (i) => pos.get(i)!));
    const filter = local.length ? allOf(local) : null;
    const zone = local.flatMap((p) => zonePredicates(p));
    const t = get.table;
    const layout = this.whatIf?.layouts?.get(t.name) ?? { style: t.distStyle, key: t.distKey };
    let dist: Distribution;
    if (layout.style === 'all') dist = { kind: 'all' };
    else if (layout.style === 'key') {
      const keyIdx = t.columns.findIndex((c) => c.name === layout.key);
      dist = pos.has(keyIdx) ? { kind: 'hash', keys: [pos.get(keyIdx)!] } : { kind: 'any' };
    } else dist = { kind: 'any' };
    this.tables.set(t.name, t);
    const site = this.siteKey('scan', get.fields.length);
    const est = this.observed(site, Math.max(1, t.rows * scanSelectivity(preds, (c) => this.range(t, c), t.rows, (c) => this.distinct(t, c))));
    const scan: ScanNode = {
      op: 'scan',
      id: this.id(),
      table: t,
      alias: get.alias,
      columns,
      filter,
      zone,
      singleCopy: false,
      fields: columns.map((c) => get.fields[c]!),
      dist,
      estRows: est,
    };
    this.sites.set(scan.id, site);
    // columns read only by the filter leave here, so no exchange above carries them
    const keep = [...new Set(required)].sort((a, b) => a - b);
    if (keep.length > 0 && keep.length < columns.length) {
      const exprs = keep.map((c) => ({ k: 'col', index: pos.get(c)!, type: scan.fields[pos.get(c)!]!.type }) as Expr);
      const node = this.project(scan, exprs, keep.map((c) => scan.fields[pos.get(c)!]!));
      return { node, pos: new Map(keep.map((c, i) => [c, i])), base: Math.max(1, t.rows) };
    }
    return { node: scan, pos, base: Math.max(1, t.rows) };
  }

  /** Flattens inner/cross joins and filters above them, then orders the joins greedily. */
  private planJoinRegion(root: LogicalNode, required: readonly number[]): Planned {
    const region = this.siteKey('region', root.fields.length);
    const partSite = (rels: ReadonlySet<number>) => `${region}/${[...rels].sort((a, b) => a - b).join('.')}`;
    const relations: { node: LogicalNode; start: number }[] = [];
    const preds: Expr[] = [];
    const collect = (n: LogicalNode, offset: number): void => {
      if (n.op === 'filter' && n.input.op === 'join' && (n.input.type === 'inner' || n.input.type === 'cross')) {
        for (const c of conjuncts(n.predicate)) preds.push(remapColumns(c, (i) => i + offset));
        collect(n.input, offset);
      } else if (n.op === 'join' && (n.type === 'inner' || n.type === 'cross')) {
        if (n.condition) for (const c of conjuncts(n.condition)) preds.push(remapColumns(c, (i) => i + offset));
        collect(n.left, offset);
        collect(n.right, offset + n.left.fields.length);
      } else relations.push({ node: n, start: offset });
    };
    collect(root, 0);
    const relOf = (field: number): number => {
      for (let r = relations.length - 1; r >= 0; r--) if (field >= relations[r]!.start) return r;
      return 0;
    };
    // sort predicates: single-relation ones go down; equalities between two become edges
    const local: Expr[][] = relations.map(() => []);
    const edges: RegionEdge[] = [];
    const residual: Expr[] = [];
    for (const p of preds) {
      const rels = new Set([...columnsOf(p)].map(relOf));
      // an OR over several relations implies, for each relation every branch restricts, the OR of those restrictions
      if (rels.size > 1 && p.k === 'call' && p.op === 'or') {
        for (const r of rels) {
          const implied = impliedFor(p, (c) => relOf(c) === r);
          if (implied) local[r]!.push(remapColumns(implied, (i) => i - relations[r]!.start));
        }
      }
      if (rels.size === 1) {
        const r = [...rels][0]!;
        local[r]!.push(remapColumns(p, (i) => i - relations[r]!.start));
        continue;
      }
      if (rels.size === 2 && p.k === 'call' && p.op === 'eq') {
        const ra = new Set([...columnsOf(p.args[0]!)].map(relOf));
        const rb = new Set([...columnsOf(p.args[1]!)].map(relOf));
        if (ra.size === 1 && rb.size === 1) {
          const a = [...ra][0]!;
          const b = [...rb][0]!;
          if (a !== b) {
            edges.push({ a, b, ea: p.args[0]!, eb: p.args[1]!, pred: p });
            continue;
          }
        }
      }
      residual.push(p);
    }
    // what each relation must provide: required fields, edge keys, residual columns
    const need: Set<number>[] = relations.map(() => new Set());
    for (const f of required) need[relOf(f)]!.add(f - relations[relOf(f)]!.start);
    for (const e of edges) {
      for (const c of columnsOf(e.ea)) need[e.a]!.add(c - relations[e.a]!.start);
      for (const c of columnsOf(e.eb)) need[e.b]!.add(c - relations[e.b]!.start);
    }
    for (const p of residual) for (const c of columnsOf(p)) need[relOf(c)]!.add(c - relations[relOf(c)]!.start);
    const planned = relations.map((rel, r) => {
      const n = local[r]!.length ? ({ op: 'filter', input: rel.node, predicate: allOf(local[r]!), fields: rel.node.fields } as LogicalNode) : rel.node;
      return this.plan(n, [...need[r]!].sort((a, b) => a - b));
    });
    const parts: Part[] = planned.map((p, r) => ({
      rels: new Set([r]),
      planned: { node: p.node, base: p.base, pos: new Map([...p.pos].map(([f, c]) => [f + relations[r]!.start, c])) },
    }));
    const pending = [...residual];
    const unusedEdges = [...edges];
    // with a part's key expressions on each side of the edges, the domains bound the join's output
    const edgeRows = (a: Part, b: Part, es: typeof edges): number => {
      const ka = es.map((e) => (a.rels.has(e.a) ? e.ea : e.eb));
      const kb = es.map((e) => (a.rels.has(e.a) ? e.eb : e.ea));
      return keyJoinRows(a.planned.node.estRows, b.planned.node.estRows, this.keyDomain(a.planned, ka), this.keyDomain(b.planned, kb));
    };
    // a plain column of the part for a key expression, or -1 when it must be computed first
    const keyColumn = (p: Planned, e: Expr): number => {
      const m = remapColumns(e, (f) => p.pos.get(f) ?? -1);
      return m.k === 'col' ? m.index : -1;
    };
    // what joining two parts costs: the bytes its placement moves (rows times the width of the columns
    // carried, join-placement.ts) plus the bytes it hands the joins above. Counting width, not rows only,
    // keeps a wide relation (names, addresses, comments) out of the early joins whose results move again.
    // A lookup into a replicated table that keeps every row (est. no fewer rows out than in) moves nothing
    // and only widens the rows: it waits until no join that moves rows is left, so those move narrower rows.
    const joinScore = (outer: Part, inner: Part, es: typeof edges, est: number): { score: number; lookup: boolean } => {
      const o = outer.planned;
      const n = inner.planned;
      const lk = es.map((e) => keyColumn(o, outer.rels.has(e.a) ? e.ea : e.eb));
      const rk = es.map((e) => keyColumn(n, outer.rels.has(e.a) ? e.eb : e.ea));
      const placed = joinPlacement(this.slices, 'inner', o.node, n.node, lk, rk);
      const lookup = placed.action === 'DS_DIST_ALL_NONE' && est >= Math.max(o.node.estRows, n.node.estRows);
      return { score: placed.bytes + est * (rowWidth(o.node) + rowWidth(n.node)), lookup };
    };
    // the larger input probes; the smaller is built into the hash table
    const orient = (A: Part, B: Part): [Part, Part] => (A.planned.node.estRows >= B.planned.node.estRows ? [A, B] : [B, A]);
    while (parts.length > 1) {
      // choose the pair of parts, connected by an edge if any, whose join costs least
      // ranked: joins on keys first, then lookups into replicated tables, then cross products; by score within a rank
      let best: { i: number; j: number; est: number; score: number; rank: number; edges: typeof edges } | null = null;
      for (let i = 0; i < parts.length; i++) {
        for (let j = i + 1; j < parts.length; j++) {
          const es = unusedEdges.filter((e) => (parts[i]!.rels.has(e.a) && parts[j]!.rels.has(e.b)) || (parts[i]!.rels.has(e.b) && parts[j]!.rels.has(e.a)));
          const pi = parts[i]!.planned;
          const pj = parts[j]!.planned;
          let est: number;
          let score: number;
          let rank = 2;
          if (es.length) {
            est = this.observed(partSite(new Set([...parts[i]!.rels, ...parts[j]!.rels])), edgeRows(parts[i]!, parts[j]!, es));
            const [o, n] = orient(parts[i]!, parts[j]!);
            const js = joinScore(o, n, es, est);
            score = js.score;
            rank = js.lookup ? 1 : 0;
          } else {
            est = pi.node.estRows * pj.node.estRows * 1e6;
            score = nodeBytes(pi.node) * nodeBytes(pj.node) * 1e6;
          }
          const better = !best || (rank !== best.rank ? rank < best.rank : score < best.score || (score === best.score && es.length > best.edges.length));
          if (better) best = { i, j, est, score, rank, edges: es };
        }
      }
      const { i, j } = best!;
      const [outer, inner] = orient(parts[i]!, parts[j]!);
      const rels = new Set([...outer.rels, ...inner.rels]);
      const usable = pending.filter((p) => [...columnsOf(p)].every((c) => rels.has(relOf(c))));
      for (const u of usable) pending.splice(pending.indexOf(u), 1);
      for (const e of best!.edges) unusedEdges.splice(unusedEdges.indexOf(e), 1);
      const keys = best!.edges.map((e) => (outer.rels.has(e.a) ? { o: e.ea, i: e.eb } : { o: e.eb, i: e.ea }));
      const joined = this.joinParts('inner', outer.planned, inner.planned, keys, usable, best!.est);
      this.sites.set(joined.node.id, partSite(rels));
      parts.splice(Math.max(i, j), 1);
      parts.splice(Math.min(i, j), 1);
      parts.push({ rels, planned: joined });
    }
    let result = parts[0]!.planned;
    // edges left over (a cycle in the join graph) and residuals become a filter on top
    const leftover = [...pending, ...unusedEdges.map((e) => e.pred)];
    if (leftover.length) {
      const pred = remapColumns(allOf(leftover), (f) => result.pos.get(f)!);
      const site = `${region}/residual`;
      const node: PlanNode = { op: 'filter', id: this.id(), input: result.node, predicate: pred, fields: result.node.fields, dist: result.node.dist, estRows: this.observed(site, result.node.estRows * 0.5) };
      this.sites.set(node.id, site);
      result = { ...result, node };
    }
    return result;
  }

  /**
   * Joins two planned inputs on key expressions (over region/logical field
   * indexes, mapped through each side's pos). Key expressions that are not plain
   * columns are computed by a projection first.
   */
  private joinParts(
    type: JoinType,
    outer: Planned,
    inner: Planned,
    keys: readonly { o: Expr; i: Expr }[],
    residual: readonly Expr[],
    est: number,
    keyNames?: { left: string; right: string }[],
  ): Planned {
    const [left, leftKeys] = this.withKeyColumns(outer, keys.map((k) => k.o));
    const [right, rightKeys] = this.withKeyColumns(inner, keys.map((k) => k.i));
    const placed = this.distributeJoin(type, left, right, leftKeys, rightKeys);
    const leftWidth = left.fields.length;
    const pos = new Map<number, number>(outer.pos);
    const emitsRight = type !== 'semi' && type !== 'anti' && type !== 'antiNullAware';
    if (emitsRight) for (const [f, c] of inner.pos) pos.set(f, leftWidth + c);
    const res = residual.length
      ? remapColumns(allOf(residual), (f) => (outer.pos.has(f) ? outer.pos.get(f)! : leftWidth + inner.pos.get(f)!))
      : null;
    const fields = emitsRight ? [...placed.left.fields, ...placed.right.fields] : placed.left.fields;
    let dist: Distribution = placed.dist;
    // NULL-extended inner rows sit where their own key hashed, not the outer key; replicated or single results stay so
    if ((type === 'right' || type === 'full') && dist.kind === 'hash') dist = { kind: 'any' };
    const names = keyNames ?? keys.map((k) => ({ left: exprName(k.o, outer, left), right: exprName(k.i, inner, right) }));
    const node: JoinNode = {
      op: 'join',
      id: this.id(),
      type: keys.length === 0 && type === 'inner' ? 'cross' : type,
      left: placed.left,
      right: placed.right,
      leftKeys,
      rightKeys,
      residual: res,
      action: placed.action,
      keyNames: names,
      fields,
      dist,
      estRows: Math.max(1, est),
    };
    // a semi/anti join whose outer input is much the smaller builds its hash table on the outer input
    if (!emitsRight && keys.length > 0 && placed.right.estRows > 2 * placed.left.estRows) (node as { buildOuter?: boolean }).buildOuter = true;
    return { node, pos, base: Math.max(outer.base, inner.base) };
  }

  /** Ensures each key expression is a column of the input; returns the node and the key columns. */
  private withKeyColumns(p: Planned, keys: readonly Expr[]): [PlanNode, number[]] {
    const mapped = keys.map((k) => remapColumns(k, (f) => p.pos.get(f)!));
    if (mapped.every((k) => k.k === 'col')) return [p.node, mapped.map((k) => (k as { index: number }).index)];
    const base = p.node.fields.map((f, i) => ({ k: 'col', index: i, type: f.type }) as Expr);
    const exprs = [...base];
    const cols = mapped.map((k) => {
      if (k.k === 'col') return k.index;
      exprs.push(k);
      return exprs.length - 1;
    });
    const fields = exprs.map((e, i) => (i < base.length ? p.node.fields[i]! : { name: `joinkey${i}`, type: e.type }));
    return [this.project(p.node, exprs, fields), cols];
  }

  /** Chooses how the two inputs meet, by the bytes each correct option moves (join-placement.ts). */
  private distributeJoin(
    type: JoinType,
    left: PlanNode,
    right: PlanNode,
    leftKeys: readonly number[],
    rightKeys: readonly number[],
  ): { left: PlanNode; right: PlanNode; action: JoinDistAction; dist: Distribution } {
    const p = joinPlacement(this.slices, type, left, right, leftKeys, rightKeys);
    const apply = (node: PlanNode, s: SideMove): PlanNode => {
      const from = s.pick ? this.exchange(node, 'pick', []) : node;
      if (s.move === 'none') return from;
      if (s.move === 'gather') return from.dist.kind === 'single' ? from : this.exchange(from, 'gather', []);
      if (s.move === 'broadcast') return this.exchange(from, 'broadcast', []);
      return this.exchange(from, 'hash', [s.move.hash]);
    };
    return { left: apply(left, p.left), right: apply(right, p.right), action: p.action, dist: p.dist };
  }

  private planOuterJoin(node: Extract<LogicalNode, { op: 'join' }>, required: readonly number[]): Planned {
    const site = this.siteKey(`join-${node.type}`, node.fields.length);
    const leftWidth = node.left.fields.length;
    const conds = node.condition ? conjuncts(node.condition) : [];
    const keys: { o: Expr; i: Expr }[] = [];
    const residual: Expr[] = [];
    const side = (e: Expr): 'l' | 'r' | 'both' | 'none' => {
      const cols = [...columnsOf(e)];
      if (cols.length === 0) return 'none';
      if (cols.every((c) => c < leftWidth)) return 'l';
      if (cols.every((c) => c >= leftWidth)) return 'r';
      return 'both';
    };
    const innerOnly: Expr[] = [];
    for (const c of conds) {
      if (c.k === 'call' && c.op === 'eq') {
        const a = side(c.args[0]!);
        const b = side(c.args[1]!);
        if (a === 'l' && b === 'r') { keys.push({ o: c.args[0]!, i: c.args[1]! }); continue; }
        if (a === 'r' && b === 'l') { keys.push({ o: c.args[1]!, i: c.args[0]! }); continue; }
        // NOT IN with a constant (3 NOT IN (q)): still a key, so that a NULL in q makes every row
        // unknown; filtering q by "3 = y" would drop its NULLs and answer TRUE instead
        if (node.type === 'antiNullAware' && a === 'none' && b === 'r') { keys.push({ o: c.args[0]!, i: c.args[1]! }); continue; }
        if (node.type === 'antiNullAware' && a === 'r' && b === 'none') { keys.push({ o: c.args[1]!, i: c.args[0]! }); continue; }
      }
      // a condition on the inner side alone filters the inner input (for left, semi and anti joins)
      if (side(c) === 'r' && (node.type === 'left' || node.type === 'single' || node.type === 'semi' || node.type === 'anti' || node.type === 'antiNullAware')) {
        innerOnly.push(remapColumns(c, (i) => i - leftWidth));
        continue;
      }
      residual.push(c);
    }
    const type: JoinType = node.type;
    const leftNeed = new Set<number>();
    const rightNeed = new Set<number>();
    for (const f of required) (f < leftWidth ? leftNeed : rightNeed).add(f < leftWidth ? f : f - leftWidth);
    for (const k of keys) {
      for (const c of columnsOf(k.o)) leftNeed.add(c);
      for (const c of columnsOf(k.i)) rightNeed.add(c - leftWidth);
    }
    for (const r of residual) for (const c of columnsOf(r)) (c < leftWidth ? leftNeed : rightNeed).add(c < leftWidth ? c : c - leftWidth);
    const reduced = type === 'left' || type === 'single' || type === 'semi' || type === 'anti' ? this.magicSet(node, keys) : null;
    const rightBase = reduced ?? node.right;
    const rightLogical: LogicalNode = innerOnly.length
      ? { op: 'filter', input: rightBase, predicate: allOf(innerOnly), fields: node.right.fields }
      : rightBase;
    const outer = this.plan(node.left, [...leftNeed].sort((a, b) => a - b));
    const innerP = this.plan(rightLogical, [...rightNeed].sort((a, b) => a - b));
    const inner: Planned = { ...innerP, pos: new Map([...innerP.pos].map(([f, c]) => [f + leftWidth, c])) };
    const est =
      type === 'semi' || type === 'anti' || type === 'antiNullAware'
        ? outer.node.estRows * 0.5
        : keys.length
          ? Math.max(outer.node.estRows, keyJoinRows(outer.node.estRows, inner.node.estRows, this.keyDomain(outer, keys.map((k) => k.o)), this.keyDomain(inner, keys.map((k) => k.i))))
          : outer.node.estRows * Math.max(1, inner.node.estRows);
    const joined = this.joinParts(type, outer, inner, keys, residual, this.observed(site, est));
    this.sites.set(joined.node.id, site);
    return joined;
  }

  /**
   * Semi-join reduction of a grouped inner side (a decorrelated subquery: the
   * outer rows joined to GROUP BY k of another input on k). Only groups whose
   * key some outer row has can matter, and the outer key comes from a base
   * table, filtered, within the outer input: the aggregate's input is first
   * semi-joined to that table, filtered the same way (a second, cheap scan),
   * so that a correlated AVG over lineitem aggregates only the rows of the
   * parts the outer query selected (TPC-H q2, q17, q20). Applied when that
   * table keeps under half its rows by estimate; null otherwise.
   */
  private magicSet(node: Extract<LogicalNode, { op: 'join' }>, keys: readonly { o: Expr; i: Expr }[]): LogicalNode | null {
    const agg = node.right;
    if (agg.op !== 'aggregate' || agg.groups.length === 0 || keys.length === 0) return null;
    const leftWidth = node.left.fields.length;
    let best: { source: LogicalNode; col: number; group: Expr; frac: number } | null = null;
    for (const k of keys) {
      if (k.o.k !== 'col' || k.i.k !== 'col') continue;
      const g = k.i.index - leftWidth;
      if (g < 0 || g >= agg.groups.length) continue;
      const b = boundOf(node.left, k.o.index);
      if (!b) continue;
      const planned = this.plan(b.node, [b.col]);
      const frac = planned.node.estRows / Math.max(1, b.rows);
      if (frac < 0.5 && (!best || frac < best.frac)) best = { source: b.node, col: b.col, group: agg.groups[g]!, frac };
    }
    if (!best) return null;
    const w = agg.input.fields.length;
    const condition: Expr = { k: 'call', op: 'eq', args: [best.group, { k: 'col', index: w + best.col, type: best.source.fields[best.col]!.type }], type: BOOLEAN };
    const input: LogicalNode = { op: 'join', type: 'semi', left: agg.input, right: best.source, condition, fields: agg.input.fields };
    return { ...agg, input };
  }

  /** What planning grouping sets (plan-grouping-sets.ts) needs of the planner. */
  private groupingHost(): GroupingPlanHost {
    return {
      slices: this.slices,
      plan: (n, r) => this.plan(n, r),
      project: (input, exprs, fields) => this.project(input, exprs, fields),
      exchange: (input, mode, keys) => this.exchange(input, mode, keys),
      id: () => this.id(),
      domain: (p, keys) => this.rangeProduct(p, keys),
      site: (kind, width) => this.siteKey(kind, width),
      observed: (key, estimate) => this.observed(key, estimate),
      recordSite: (id, key) => void this.sites.set(id, key),
    };
  }

  private planAggregate(node: Extract<LogicalNode, { op: 'aggregate' }>, required: readonly number[]): Planned {
    const site = this.siteKey('aggregate', node.fields.length);
    const need = new Set<number>();
    for (const g of node.groups) columnsOf(g, need);
    for (const a of node.aggs) {
      if (a.arg) columnsOf(a.arg, need);
      for (const o of a.order ?? []) columnsOf(o.expr, need);
    }
    const input = this.plan(node.input, [...need].sort((a, b) => a - b));
    // compute group keys and aggregate arguments as columns
    const exprs: Expr[] = [];
    const colFor = (e: Expr): number => {
      const m = remapColumns(e, (i) => input.pos.get(i)!);
      const key = JSON.stringify(m);
      let at = exprs.findIndex((x) => JSON.stringify(x) === key);
      if (at < 0) {
        at = exprs.length;
        exprs.push(m);
      }
      return at;
    };
    const groupCols = node.groups.map(colFor);
    const argCols = node.aggs.map((a) => (a.arg ? colFor(a.arg) : -1));
    // LISTAGG's WITHIN GROUP keys are input columns too
    const orderCols = node.aggs.map((a) => a.order?.map((o) => ({ column: colFor(o.expr), desc: o.desc, nullsFirst: o.nullsFirst })));
    // plain columns keep their field (name, table, source) for EXPLAIN and the query record
    const projFields: Field[] = exprs.map((e, i) => (e.k === 'col' ? input.node.fields[e.index]! : { name: `c${i}`, type: e.type }));
    let child = this.project(input.node, exprs, projFields);
    if (child.dist.kind === 'all') child = this.exchange(child, 'pick', []);
    const g = groupCols.length;
    const specs: AggSpec[] = node.aggs.map((a, i) => aggSpec(a, argCols[i]!, node.fields[g + i]!.type, orderCols[i]));
    // groups: bounded by the product of the group columns' domains where known (a column without
    // statistics is taken to depend on the others, as GROUP BY key, name, address usually does),
    // else a quarter of the rows
    const domains = node.groups.map((e) => this.rangeProduct(input, [e]));
    const known = domains.filter((d) => Number.isFinite(d));
    const domain = g === 0 ? 1 : known.length ? known.reduce((a, b) => a * b, 1) : Infinity;
    // rows of a group meet on one slice when hashed on any one group column: the one with the widest
    // domain spreads them (and is a placement joins above can use); else all of them together
    let spread = -1;
    domains.forEach((d, j) => {
      if (Number.isFinite(d) && d >= 64 * this.slices && (spread < 0 || d > domains[spread]!)) spread = j;
    });
    const estGroups = g === 0 ? 1 : this.observed(site, Math.max(1, Math.min(child.estRows, Number.isFinite(domain) ? domain : child.estRows / 4)));
    // a partial aggregate pays off only when each slice's rows fold into clearly fewer groups;
    // when they do not (GROUP BY a key), the rows move once and are aggregated where they land
    const partialPays = !Number.isFinite(domain) || estGroups < (child.estRows / this.slices) * 0.5;
    const outFields = node.fields;
    // DISTINCT aggregates, MEDIAN, LISTAGG and the percentiles have no partial states: a group's rows meet first
    const hasDistinct = specs.some((s) => !hasPartialState(s.fn));
    const colocated =
      child.dist.kind === 'single' || (child.dist.kind === 'hash' && child.dist.keys.every((k) => groupCols.includes(k)));
    let out: PlanNode;
    // where the rows went: by the spreading column (a placement joins above can use), else by all group keys together
    const outDist = (): Distribution => (g === 0 ? { kind: 'single' } : { kind: 'hash', keys: spread >= 0 ? [spread] : groupCols.map((_, i) => i) });
    if (colocated) {
      const dist: Distribution = child.dist.kind === 'single' ? { kind: 'single' } : { kind: 'hash', keys: (child.dist as { keys: readonly number[] }).keys.map((k) => groupCols.indexOf(k)) };
      out = { op: 'aggregate', id: this.id(), input: child, groups: groupCols, aggs: specs, mode: 'complete', fields: outFields, dist, estRows: estGroups };
    } else if (hasDistinct || !partialPays) {
      const moved = g === 0 ? this.exchange(child, 'gather', []) : this.exchange(child, 'hash', spread >= 0 ? [groupCols[spread]!] : groupCols);
      out = { op: 'aggregate', id: this.id(), input: moved, groups: groupCols, aggs: specs, mode: 'complete', fields: outFields, dist: outDist(), estRows: estGroups };
    } else {
      // partial per slice: groups, then each aggregate's state (AVG: sum and count)
      const { stateFields, finalSpecs } = partialStates(specs, groupCols.map((c) => projFields[c]!), (c) => projFields[c]!.type);
      const partial: PlanNode = { op: 'aggregate', id: this.id(), input: child, groups: groupCols, aggs: specs, mode: 'partial', fields: stateFields, dist: child.dist, estRows: Math.min(child.estRows, estGroups * this.slices) };
      const moved = g === 0 ? this.exchange(partial, 'gather', []) : this.exchange(partial, 'hash', spread >= 0 ? [spread] : groupCols.map((_, i) => i));
      out = {
        op: 'aggregate',
        id: this.id(),
        input: moved,
        groups: groupCols.map((_, i) => i),
        aggs: finalSpecs.map((s) => (s.fn === 'avg' ? s : { ...s, arg: s.arg })),
        mode: 'final',
        fields: outFields,
        dist: outDist(),
        estRows: estGroups,
      };
    }
    void required;
    this.sites.set(out.id, site);
    return { node: out, pos: new Map(outFields.map((_, i) => [i, i])), base: estGroups };
  }
}

/** e with each column reference i replaced by exprs[i]. */
function substitute(e: Expr, exprs: readonly Expr[]): Expr {
  switch (e.k) {
    case 'col':
      return exprs[e.index]!;
    case 'lit':
      return e;
    case 'call':
    case 'fn':
      return { ...e, args: e.args.map((a) => substitute(a, exprs)) };
    case 'case':
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: substitute(w.when, exprs), then: substitute(w.then, exprs) })),
        otherwise: e.otherwise ? substitute(e.otherwise, exprs) : null,
      };
    case 'in':
    case 'like':
      return { ...e, arg: substitute(e.arg, exprs) };
  }
}

function filterOf(input: LogicalNode, preds: readonly Expr[]): LogicalNode {
  return preds.length ? { op: 'filter', input, predicate: allOf(preds), fields: input.fields } : input;
}

/**
 * A filter moved below the node under it, where that keeps the result: through
 * projections (its columns replaced by their expressions), other filters,
 * DISTINCT, sorts and UNION ALL inputs; below an aggregate for conditions on
 * group columns only, and below a window for conditions on partition columns; to the preserved side of LEFT/RIGHT and semi/anti joins.
 * A filter on a view, CTE or derived table so reaches the scan and its zone
 * maps. Null when nothing moves.
 */
function pushFilter(node: Extract<LogicalNode, { op: 'filter' }>): LogicalNode | null {
  const input = node.input;
  const preds = conjuncts(node.predicate);
  switch (input.op) {
    case 'filter':
      return { ...input, predicate: and(input.predicate, node.predicate) };
    case 'project': {
      const below = preds.map((p) => substitute(p, input.exprs));
      return { ...input, input: filterOf(input.input, below) };
    }
    case 'distinct':
    case 'sort':
      return { ...input, input: filterOf(input.input, preds) } as LogicalNode;
    case 'window': {
      // a condition on PARTITION BY columns keeps or drops whole partitions, whose results do not depend on the others
      const keys = new Set(input.partition.flatMap((e) => (e.k === 'col' ? [e.index] : [])));
      const down = preds.filter((p) => {
        const cols = [...columnsOf(p)];
        return cols.length > 0 && cols.every((c) => keys.has(c));
      });
      if (down.length === 0) return null;
      const stay = preds.filter((p) => !down.includes(p));
      return filterOf({ ...input, input: filterOf(input.input, down) }, stay);
    }
    case 'union':
      return { ...input, inputs: input.inputs.map((i) => filterOf(i, preds)) };
    case 'aggregate': {
      const g = input.groups.length;
      // without GROUP BY the aggregate makes its one row whatever its input: a condition (a constant one,
      // the only kind that names no aggregate) must stay above it, or FALSE would leave that row standing
      if (g === 0) return null;
      // with grouping sets a key reads NULL in the sets without it: a condition on it holds of other rows there
      if (input.grouping) return null;
      const down = preds.filter((p) => [...columnsOf(p)].every((c) => c < g));
      if (down.length === 0) return null;
      const stay = preds.filter((p) => !down.includes(p));
      const inner: LogicalNode = { ...input, input: filterOf(input.input, down.map((p) => substitute(p, input.groups))) };
      return filterOf(inner, stay);
    }
    case 'join': {
      const w = input.left.fields.length;
      if (input.type === 'semi' || input.type === 'anti' || input.type === 'antiNullAware') {
        return { ...input, left: filterOf(input.left, preds) };
      }
      if (input.type === 'left' || input.type === 'single' || input.type === 'right') {
        const leftSide = input.type !== 'right';
        const down = preds.filter((p) => {
          const cols = [...columnsOf(p)];
          return cols.length > 0 && cols.every((c) => (leftSide ? c < w : c >= w));
        });
        if (down.length === 0) return null;
        const stay = preds.filter((p) => !down.includes(p));
        const moved: LogicalNode = leftSide
          ? { ...input, left: filterOf(input.left, down) }
          : { ...input, right: filterOf(input.right, down.map((p) => remapColumns(p, (c) => c - w))) };
        return filterOf(moved, stay);
      }
      return null;
    }
    default:
      return null;
  }
}

/**
 * A rough cost of a physical plan for choosing between alternatives: the rows
 * every join reads on both sides, every aggregate reads, and every exchange
 * moves, by estimate.
 */
function planCost(node: PlanNode): number {
  let cost = 0;
  const visit = (n: PlanNode): void => {
    if (n.op === 'join') cost += n.left.estRows + n.right.estRows;
    else if (n.op === 'aggregate' || n.op === 'exchange') cost += n.input.estRows;
    for (const c of childrenOf(n)) visit(c);
  };
  visit(node);
  return cost;
}

/**
 * A relation whose column `col` holds every value column `c` of `n` can hold:
 * the base table (with its own filters) that `c` comes from through filters,
 * projections, inner joins and group keys, or the other side of a semi join
 * on `c`. Null when `c` is computed or comes from elsewhere. `rows` is the
 * relation's unfiltered size, to judge how much its filters keep.
 */
function boundOf(n: LogicalNode, c: number): { node: LogicalNode; col: number; rows: number } | null {
  switch (n.op) {
    case 'get':
      return { node: n, col: c, rows: Math.max(1, n.table.rows) };
    case 'filter': {
      if (n.input.op === 'get') return { node: n, col: c, rows: Math.max(1, n.input.table.rows) };
      if (n.input.op === 'join' && (n.input.type === 'inner' || n.input.type === 'cross')) return regionBound(n, c);
      return boundOf(n.input, c);
    }
    case 'project': {
      const e = n.exprs[c];
      return e && e.k === 'col' ? boundOf(n.input, e.index) : null;
    }
    case 'aggregate': {
      const e = n.groups[c];
      return e && e.k === 'col' ? boundOf(n.input, e.index) : null;
    }
    case 'join': {
      if (n.type === 'inner' || n.type === 'cross') return regionBound(n, c);
      if (n.type === 'semi' && c < n.left.fields.length && n.condition) {
        // c = y with y on the semi join's right side: c's values are among y's
        const lw = n.left.fields.length;
        for (const e of conjuncts(n.condition)) {
          if (e.k !== 'call' || e.op !== 'eq') continue;
          const [a, b] = e.args as [Expr, Expr];
          const y = a.k === 'col' && a.index === c && b.k === 'col' && b.index >= lw ? b.index : b.k === 'col' && b.index === c && a.k === 'col' && a.index >= lw ? a.index : -1;
          if (y >= 0) return boundOf(n.right, y - lw);
        }
      }
      if ((n.type === 'semi' || n.type === 'anti' || n.type === 'antiNullAware' || n.type === 'left' || n.type === 'single') && c < n.left.fields.length) return boundOf(n.left, c);
      return null;
    }
    default:
      return null;
  }
}

/** boundOf for a region of inner joins (with filters above them): the relation holding c, with the conditions on it alone. */
function regionBound(root: LogicalNode, c: number): { node: LogicalNode; col: number; rows: number } | null {
  const relations: { node: LogicalNode; start: number }[] = [];
  const preds: Expr[] = [];
  const collect = (n: LogicalNode, offset: number): void => {
    if (n.op === 'filter' && n.input.op === 'join' && (n.input.type === 'inner' || n.input.type === 'cross')) {
      for (const p of conjuncts(n.predicate)) preds.push(remapColumns(p, (i) => i + offset));
      collect(n.input, offset);
    } else if (n.op === 'join' && (n.type === 'inner' || n.type === 'cross')) {
      if (n.condition) for (const p of conjuncts(n.condition)) preds.push(remapColumns(p, (i) => i + offset));
      collect(n.left, offset);
      collect(n.right, offset + n.left.fields.length);
    } else relations.push({ node: n, start: offset });
  };
  collect(root, 0);
  const rel = [...relations].reverse().find((r) => c >= r.start);
  if (!rel) return null;
  const end = rel.start + rel.node.fields.length;
  const own = preds.filter((p) => {
    const cols = [...columnsOf(p)];
    return cols.length > 0 && cols.every((x) => x >= rel.start && x < end);
  });
  // a base table with the region's conditions on it alone; anything else bounds c by what is inside it
  if (rel.node.op !== 'get') return boundOf(rel.node, c - rel.start);
  return { node: filterOf(rel.node, own.map((p) => remapColumns(p, (i) => i - rel.start))), col: c - rel.start, rows: Math.max(1, rel.node.table.rows) };
}

/**
 * semi(L, R) with L a region of inner joins (and filters) whose relation X
 * alone provides the columns the semi join's condition reads on the left:
 * the region with X replaced by semi(X, R). The result has L's fields; null
 * when the condition reads several of L's relations.
 */
function pushSemiJoin(node: Extract<LogicalNode, { op: 'join' }>): LogicalNode | null {
  if (!node.condition) return null;
  const lw = node.left.fields.length;
  const leftCols = [...columnsOf(node.condition)].filter((c) => c < lw);
  if (leftCols.length === 0) return null;
  const down = (l: LogicalNode, cond: Expr): LogicalNode | null => {
    const w = l.fields.length;
    if (l.op === 'filter') {
      const inner = down(l.input, cond);
      return inner ? { ...l, input: inner } : null;
    }
    if (l.op !== 'join' || (l.type !== 'inner' && l.type !== 'cross')) return null;
    const aw = l.left.fields.length;
    const cols = [...columnsOf(cond)].filter((c) => c < w);
    const onRight = (c: number): number => c - w; // index into the semi join's right input
    if (cols.every((c) => c < aw)) {
      const c2 = remapColumns(cond, (c) => (c < w ? c : aw + onRight(c)));
      const semi: LogicalNode = { ...node, left: l.left, condition: c2, fields: l.left.fields };
      return { ...l, left: down(l.left, c2) ?? semi };
    }
    if (cols.every((c) => c >= aw)) {
      const bw = l.right.fields.length;
      const c2 = remapColumns(cond, (c) => (c < w ? c - aw : bw + onRight(c)));
      const semi: LogicalNode = { ...node, left: l.right, condition: c2, fields: l.right.fields };
      return { ...l, right: down(l.right, c2) ?? semi };
    }
    return null;
  };
  return down(node.left, node.condition);
}

function union(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

function disjuncts(e: Expr): Expr[] {
  return operandsOf(e, 'or');
}

/** The OR, over the branches of `p`, of each branch's conjuncts that read only columns `mine` accepts; null if a branch has none. */
function impliedFor(p: Expr, mine: (column: number) => boolean): Expr | null {
  const parts: Expr[] = [];
  for (const branch of disjuncts(p)) {
    const own = conjuncts(branch).filter((c) => {
      const cols = [...columnsOf(c)];
      return cols.length > 0 && cols.every(mine);
    });
    if (own.length === 0) return null;
    parts.push(allOf(own));
  }
  return balanced(parts, (a, b) => ({ k: 'call', op: 'or', args: [a, b], type: BOOLEAN }));
}

export function conjuncts(e: Expr): Expr[] {
  return operandsOf(e, 'and');
}

export function and(a: Expr, b: Expr): Expr {
  return { k: 'call', op: 'and', args: [a, b], type: BOOLEAN };
}

/** The AND of predicates, as a balanced tree (expr.ts): a WHERE can AND thousands. */
function allOf(ps: readonly Expr[]): Expr {
  return balanced(ps, and);
}

function exprName(e: Expr, p: Planned, node: PlanNode): string {
  const m = remapColumns(e, (f) => p.pos.get(f)!);
  if (m.k === 'col') {
    const f = node.fields[m.index];
    if (f?.source) return `${f.source.table}.${f.source.column}`;
    return f ? (f.table ? `${f.table}.${f.name}` : f.name) : '?';
  }
  return 'expression';
}

/** Zone-map tests implied by a conjunct over scan columns: col op literal. */
function zonePredicates(p: Expr): ZonePredicate[] {
  if (p.k === 'call') {
    const flip: Record<string, ZonePredicate['op']> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq' };
    if (p.op in flip && p.args.length === 2) {
      const [a, b] = p.args;
      if (a!.k === 'col' && b!.k === 'lit' && b!.value !== null && sameKind(a!, b!)) return [{ column: a!.index, op: p.op as ZonePredicate['op'], value: b!.value }];
      if (b!.k === 'col' && a!.k === 'lit' && a!.value !== null && sameKind(a!, b!)) return [{ column: b!.index, op: flip[p.op]!, value: a!.value }];
    }
    return [];
  }
  if (p.k === 'in' && !p.negated && p.arg.k === 'col' && p.values.length > 0) {
    return [{ column: p.arg.index, op: 'in', value: p.values[0]!, values: p.values }];
  }
  if (p.k === 'like' && !p.negated && !p.caseInsensitive && p.arg.k === 'col') {
    const m = /^([^%_\\]+)%/.exec(p.pattern);
    if (m && p.escape === null) return [{ column: p.arg.index, op: 'prefix', value: m[1]! }];
  }
  return [];
}

/** Zone maps hold physical values; a test is only sound when the literal has the column's physical kind and scale. */
function sameKind(col: Expr, lit: Expr): boolean {
  const a = col.type;
  const b = lit.type;
  if (physicalKind(a) !== physicalKind(b)) return false;
  if (a.id === 'decimal' || b.id === 'decimal') return a.id === b.id && (a.scale ?? 0) === (b.scale ?? 0);
  if ((a.id === 'date') !== (b.id === 'date') || (a.id === 'timestamp') !== (b.id === 'timestamp')) return false;
  return true;
}

/**
 * The gather under the query's final ORDER BY and LIMIT brings the result to
 * the leader, as the return of an unordered query does: it is the result
 * coming back, not rows moved between slices to compute it, so it is not
 * counted as moved (a LIMIT or ORDER BY does not change a query's bytes moved).
 */
function returnAtTop(node: PlanNode): PlanNode {
  if (node.op === 'exchange') return node.mode === 'gather' ? { ...node, mode: 'return' } : node;
  if (node.op === 'limit' || node.op === 'sort' || node.op === 'project') return { ...node, input: returnAtTop(node.input) } as PlanNode;
  return node;
}
