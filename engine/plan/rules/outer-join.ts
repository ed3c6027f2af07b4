/**
 * Joins other than inner ones (LEFT, RIGHT, FULL, semi, anti, the null-aware
 * anti join of NOT IN, and the single-match join of a scalar subquery): the
 * condition split into key pairs, a filter on the inner input alone (where
 * that keeps the result) and a residual; a grouped inner side first reduced
 * to the keys the outer side can produce (magic-set.ts); rows estimated from
 * the key domains.
 */
import { columnsOf, remapColumns, type Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import type { JoinType } from '../physical.js';
import { keyJoinRows } from '../estimate.js';
import { allOf, conjuncts } from './predicates.js';
import type { PlanContext, Planned } from './context.js';
import { joinParts } from './join-distribution.js';
import { magicSet } from './magic-set.js';

export function planOuterJoin(ctx: PlanContext, node: Extract<LogicalNode, { op: 'join' }>, required: readonly number[]): Planned {
  const site = ctx.site(`join-${node.type}`, node.fields.length);
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
  const reduced = type === 'left' || type === 'single' || type === 'semi' || type === 'anti' ? magicSet(ctx, node, keys) : null;
  const rightBase = reduced ?? node.right;
  const rightLogical: LogicalNode = innerOnly.length
    ? { op: 'filter', input: rightBase, predicate: allOf(innerOnly), fields: node.right.fields }
    : rightBase;
  const outer = ctx.plan(node.left, [...leftNeed].sort((a, b) => a - b));
  const innerP = ctx.plan(rightLogical, [...rightNeed].sort((a, b) => a - b));
  const inner: Planned = { ...innerP, pos: new Map([...innerP.pos].map(([f, c]) => [f + leftWidth, c])) };
  const est =
    type === 'semi' || type === 'anti' || type === 'antiNullAware'
      ? outer.node.estRows * 0.5
      : keys.length
        ? Math.max(outer.node.estRows, keyJoinRows(outer.node.estRows, inner.node.estRows, ctx.keyDomain(outer, keys.map((k) => k.o)), ctx.keyDomain(inner, keys.map((k) => k.i))))
        : outer.node.estRows * Math.max(1, inner.node.estRows);
  const joined = joinParts(ctx, type, outer, inner, keys, residual, ctx.observed(site, est));
  ctx.recordSite(joined.node.id, site);
  return joined;
}
