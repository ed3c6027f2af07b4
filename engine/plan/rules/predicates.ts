/**
 * Predicates as the rules handle them: split into conjuncts to move each one
 * on its own, and put back together as a balanced AND (expr.ts: a WHERE can
 * AND thousands, and a deep chain would overflow the stack of every walk).
 */
import { BOOLEAN, balanced, operandsOf, type Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import { filterNode } from '../logical-build.js';

export function conjuncts(e: Expr): Expr[] {
  return operandsOf(e, 'and');
}

export function disjuncts(e: Expr): Expr[] {
  return operandsOf(e, 'or');
}

export function and(a: Expr, b: Expr): Expr {
  return { k: 'call', op: 'and', args: [a, b], type: BOOLEAN };
}

/** The AND of predicates, as a balanced tree. */
export function allOf(ps: readonly Expr[]): Expr {
  return balanced(ps, and);
}

/** `input` filtered by the AND of `preds`; `input` itself when there are none. */
export function filterOf(input: LogicalNode, preds: readonly Expr[]): LogicalNode {
  return preds.length ? filterNode(input, allOf(preds)) : input;
}
