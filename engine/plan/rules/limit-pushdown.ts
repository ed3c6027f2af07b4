/**
 * Limit pushdown: a LIMIT right above a sort makes it a top-N sort that keeps
 * only limit+offset rows, and each slice keeps its own top n before the
 * gather, so at most n rows a slice move. A plain LIMIT over distributed rows
 * stops each slice after its first limit+offset rows, so a quick look reads a
 * few blocks and moves at most that many rows a slice, not the whole table.
 */
import type { LogicalNode } from '../logical.js';
import type { PlanNode } from '../physical.js';
import type { PlanContext, Planned } from './context.js';

export function planLimit(ctx: PlanContext, node: Extract<LogicalNode, { op: 'limit' }>, required: readonly number[]): Planned {
  const input = ctx.plan(node.input, required);
  // top-N: a LIMIT right above a sort keeps only limit+offset rows while sorting
  let child = input.node;
  if (child.op === 'sort' && node.limit !== null) {
    const n = node.limit + node.offset;
    child = { ...child, limit: n, estRows: Math.min(child.estRows, n) };
    // each slice keeps only its own top n before the gather, so at most n rows per slice move
    const g = child.input;
    if (g.op === 'exchange' && g.mode === 'gather' && g.input.estRows > n) {
      const local: PlanNode = { op: 'sort', id: ctx.id(), input: g.input, keys: child.keys, limit: n, fields: g.input.fields, dist: g.input.dist, estRows: Math.min(g.input.estRows, n * ctx.slices) };
      child = { ...child, input: { ...g, input: local, estRows: local.estRows } };
    }
  }
  // a plain LIMIT: each slice stops after its first limit+offset rows, so a quick look reads a few
  // blocks and moves at most that many rows a slice, not the whole table
  if (child.op !== 'sort' && node.limit !== null && child.dist.kind !== 'single' && child.dist.kind !== 'all') {
    const n = node.limit + node.offset;
    if (child.estRows > n) child = { op: 'limit', id: ctx.id(), input: child, limit: n, offset: 0, fields: child.fields, dist: child.dist, estRows: Math.min(child.estRows, n * ctx.slices) };
  }
  child = ctx.gatherIfNeeded(child);
  const est = node.limit === null ? child.estRows : Math.min(child.estRows, node.limit);
  const limited: PlanNode = { op: 'limit', id: ctx.id(), input: child, limit: node.limit, offset: node.offset, fields: child.fields, dist: child.dist, estRows: est };
  return { node: limited, pos: input.pos, base: input.base };
}
