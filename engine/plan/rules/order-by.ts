/**
 * ORDER BY: sort keys that are expressions are computed by a projection below
 * the sort, and the rows are gathered to one slice (or read from one copy of a
 * replicated input) to be sorted there. A LIMIT above may then make it a top-N
 * sort (limit-pushdown.ts).
 */
import { columnsOf, remapColumns, type Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import type { Field, PlanNode } from '../physical.js';
import { unionFields, type PlanContext, type Planned } from './context.js';

export function planSort(ctx: PlanContext, node: Extract<LogicalNode, { op: 'sort' }>, required: readonly number[]): Planned {
  const keyCols = node.keys.map((k) => k.expr);
  const need = unionFields(required, keyCols.flatMap((e) => [...columnsOf(e)]));
  const input = ctx.plan(node.input, need);
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
  let child = ctx.project(input.node, exprs, fields);
  child = ctx.gatherIfNeeded(child);
  const sorted: PlanNode = { op: 'sort', id: ctx.id(), input: child, keys, limit: null, fields: child.fields, dist: child.dist, estRows: child.estRows };
  return { node: sorted, pos: new Map(need.map((f, i) => [f, i])), base: input.base };
}
