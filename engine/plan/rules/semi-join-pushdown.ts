/**
 * Semi-join pushdown: a semi join over a region of inner joins whose
 * condition reads one relation of the region may instead filter that relation
 * before the region's joins (the region then joins fewer rows). Both plans are
 * built and the cheaper kept by a rough cost (planCost): the rows joins and
 * aggregates read and exchanges move.
 */
import { columnsOf, remapColumns, type Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import { childrenOf, type PlanNode } from '../physical.js';
import type { PlanContext, Planned } from './context.js';
import { planOuterJoin } from './outer-join.js';

/** A semi join planned as it is, or with its filter pushed into the region below it when that costs less. */
export function planSemiJoin(ctx: PlanContext, node: Extract<LogicalNode, { op: 'join' }>, required: readonly number[]): Planned {
  const pushed = pushSemiJoin(node);
  const plain = planOuterJoin(ctx, node, required);
  if (!pushed) return plain;
  const alt = ctx.plan(pushed, required);
  return planCost(alt.node) < planCost(plain.node) ? alt : plain;
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
