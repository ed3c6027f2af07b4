/**
 * Set operations: UNION ALL keeps each input where its rows are (a replicated
 * input read from one copy); INTERSECT and EXCEPT become the distinct left
 * rows semi- or anti-joined to the right on every column, NULLs equal to
 * NULLs, and are planned as such joins. INTERSECT ALL and EXCEPT ALL are
 * refused.
 */
import { SqlError } from '../../errors.js';
import { physicalKind } from '../../types.js';
import { BOOLEAN, type Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import type { PlanNode } from '../physical.js';
import { allOf } from './predicates.js';
import type { PlanContext, Planned } from './context.js';

export function planUnion(ctx: PlanContext, node: Extract<LogicalNode, { op: 'union' }>): Planned {
  const all = node.fields.map((_, i) => i);
  const inputs = node.inputs.map((inp) => {
    let n = ctx.ordered(ctx.plan(inp, all), all);
    if (n.dist.kind === 'all') n = ctx.exchange(n, 'pick', []);
    return n;
  });
  const single = inputs.every((n) => n.dist.kind === 'single');
  const est = inputs.reduce((a, n) => a + n.estRows, 0);
  const u: PlanNode = { op: 'union', id: ctx.id(), inputs, fields: node.fields, dist: single ? { kind: 'single' } : { kind: 'any' }, estRows: est };
  // rows of single-slice inputs sit on slice 0 only, which a union over slices keeps as they are
  return { node: u, pos: new Map(all.map((i) => [i, i])), base: est };
}

export function planSetOp(ctx: PlanContext, node: Extract<LogicalNode, { op: 'setop' }>, required: readonly number[]): Planned {
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
  return ctx.plan(join, required);
}
