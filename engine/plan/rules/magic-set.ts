/**
 * Semi-join reduction of a decorrelated subquery (a "magic set"): before a
 * grouped inner side is joined on its group key, its input keeps only the
 * keys the outer query can produce, found by following the outer key to the
 * filtered base table it comes from (boundOf). TPC-H q2, q17 and q20 so
 * aggregate only the rows of the parts the outer query selected.
 */
import { BOOLEAN, columnsOf, remapColumns, type Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import { conjuncts, filterOf } from './predicates.js';
import type { PlanContext } from './context.js';

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
export function magicSet(ctx: PlanContext, node: Extract<LogicalNode, { op: 'join' }>, keys: readonly { o: Expr; i: Expr }[]): LogicalNode | null {
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
    const planned = ctx.plan(b.node, [b.col]);
    const frac = planned.node.estRows / Math.max(1, b.rows);
    if (frac < 0.5 && (!best || frac < best.frac)) best = { source: b.node, col: b.col, group: agg.groups[g]!, frac };
  }
  if (!best) return null;
  const w = agg.input.fields.length;
  const condition: Expr = { k: 'call', op: 'eq', args: [best.group, { k: 'col', index: w + best.col, type: best.source.fields[best.col]!.type }], type: BOOLEAN };
  const input: LogicalNode = { op: 'join', type: 'semi', left: agg.input, right: best.source, condition, fields: agg.input.fields };
  return { ...agg, input };
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
