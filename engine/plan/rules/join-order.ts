/**
 * Join order: a tree of inner and cross joins (with the filters above them) is
 * flattened into a region of relations and predicates, and joined again
 * greedily. Predicates on one relation filter it before any join (an OR over
 * several relations also implies, for each one, the OR of its own
 * restrictions); equalities between two relations are the join graph's edges.
 * Each step joins the pair of parts costing least in bytes: what the join's
 * placement moves (join-placement.ts) plus what it hands upward (estimated
 * rows times the width of the columns carried), the smaller input becoming
 * the hash table. Edges left over (a cycle) and other predicates filter the
 * result on top.
 */
import { BOOLEAN, balanced, columnsOf, remapColumns, type Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import type { PlanNode } from '../physical.js';
import { keyJoinRows } from '../estimate.js';
import { joinPlacement, nodeBytes, rowWidth } from '../join-placement.js';
import { allOf, conjuncts, disjuncts } from './predicates.js';
import type { PlanContext, Planned } from './context.js';
import { joinParts } from './join-distribution.js';

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

/** Flattens inner/cross joins and filters above them, then orders the joins greedily. */
export function planJoinRegion(ctx: PlanContext, root: LogicalNode, required: readonly number[]): Planned {
  const region = ctx.site('region', root.fields.length);
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
    return ctx.plan(n, [...need[r]!].sort((a, b) => a - b));
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
    return keyJoinRows(a.planned.node.estRows, b.planned.node.estRows, ctx.keyDomain(a.planned, ka), ctx.keyDomain(b.planned, kb));
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
    const placed = joinPlacement(ctx.slices, 'inner', o.node, n.node, lk, rk);
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
          est = ctx.observed(partSite(new Set([...parts[i]!.rels, ...parts[j]!.rels])), edgeRows(parts[i]!, parts[j]!, es));
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
    const joined = joinParts(ctx, 'inner', outer.planned, inner.planned, keys, usable, best!.est);
    ctx.recordSite(joined.node.id, partSite(rels));
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
    const node: PlanNode = { op: 'filter', id: ctx.id(), input: result.node, predicate: pred, fields: result.node.fields, dist: result.node.dist, estRows: ctx.observed(site, result.node.estRows * 0.5) };
    ctx.recordSite(node.id, site);
    result = { ...result, node };
  }
  return result;
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
