/**
 * Building a join of two planned inputs: key expressions that are not plain
 * columns computed by a projection first, then each input brought where its
 * matches are by the cheapest correct placement (Redshift's DS_* actions,
 * chosen by the bytes each option moves: join-placement.ts). A semi or anti
 * join whose outer input is much the smaller builds its hash table there.
 */
import { remapColumns, type Expr } from '../expr.js';
import type { Distribution, JoinDistAction, JoinNode, JoinType, PlanNode } from '../physical.js';
import { joinPlacement, type SideMove } from '../join-placement.js';
import { allOf } from './predicates.js';
import type { PlanContext, Planned } from './context.js';

/**
 * Joins two planned inputs on key expressions (over region/logical field
 * indexes, mapped through each side's pos). Key expressions that are not plain
 * columns are computed by a projection first.
 */
export function joinParts(
  ctx: PlanContext,
  type: JoinType,
  outer: Planned,
  inner: Planned,
  keys: readonly { o: Expr; i: Expr }[],
  residual: readonly Expr[],
  est: number,
  keyNames?: { left: string; right: string }[],
): Planned {
  const [left, leftKeys] = withKeyColumns(ctx, outer, keys.map((k) => k.o));
  const [right, rightKeys] = withKeyColumns(ctx, inner, keys.map((k) => k.i));
  const placed = distributeJoin(ctx, type, left, right, leftKeys, rightKeys);
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
    id: ctx.id(),
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
function withKeyColumns(ctx: PlanContext, p: Planned, keys: readonly Expr[]): [PlanNode, number[]] {
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
  return [ctx.project(p.node, exprs, fields), cols];
}

/** Chooses how the two inputs meet, by the bytes each correct option moves (join-placement.ts). */
function distributeJoin(
  ctx: PlanContext,
  type: JoinType,
  left: PlanNode,
  right: PlanNode,
  leftKeys: readonly number[],
  rightKeys: readonly number[],
): { left: PlanNode; right: PlanNode; action: JoinDistAction; dist: Distribution } {
  const p = joinPlacement(ctx.slices, type, left, right, leftKeys, rightKeys);
  const apply = (node: PlanNode, s: SideMove): PlanNode => {
    const from = s.pick ? ctx.exchange(node, 'pick', []) : node;
    if (s.move === 'none') return from;
    if (s.move === 'gather') return from.dist.kind === 'single' ? from : ctx.exchange(from, 'gather', []);
    if (s.move === 'broadcast') return ctx.exchange(from, 'broadcast', []);
    return ctx.exchange(from, 'hash', [s.move.hash]);
  };
  return { left: apply(left, p.left), right: apply(right, p.right), action: p.action, dist: p.dist };
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
