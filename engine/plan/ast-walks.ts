/**
 * Walks over AST expressions that binding asks of a whole expression before
 * binding it: does it hold an aggregate call, a subquery; which aggregate
 * calls are its outermost. Apart from bind-expr.ts so that the binders it
 * calls (bind-percentile.ts, bind-window.ts) use them without importing it.
 */
import type * as ast from '../sql/ast.js';
import { children } from '../sql/expr-children.js';

/** The aggregate functions keel computes, by SQL name. */
export const AGGREGATES: ReadonlySet<string> = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'any_value', 'bool_and', 'bool_or',
  'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop', 'median', 'listagg',
  'percentile_cont', 'percentile_disc',
]);
/** Aggregate names keel refuses as UNSUPPORTED, rather than as unknown functions. */
export const UNSUPPORTED_AGGREGATES: ReadonlySet<string> = new Set([
  'bit_and', 'bit_or', 'approximate', 'string_agg', 'array_agg', 'mode',
]);

/** Whether a function of that name is an aggregate (supported or not). */
export function isAggregateName(name: string): boolean {
  return AGGREGATES.has(name) || UNSUPPORTED_AGGREGATES.has(name);
}

/** An aggregate call of the query level (with OVER it is a window function, bind-window.ts). */
export function isAggregateCall(e: ast.Expr): boolean {
  return e.kind === 'function' && !e.over && (AGGREGATES.has(e.name) || UNSUPPORTED_AGGREGATES.has(e.name));
}

/** Whether p holds for e or a node under it (not inside subqueries); without recursion, as AND and OR chains are long. */
export function someNode(e: ast.Expr, p: (e: ast.Expr) => boolean): boolean {
  const stack: ast.Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (p(x)) return true;
    for (const c of children(x)) stack.push(c); // not push(...): an IN list can hold 100,000
  }
  return false;
}

export function containsAggregate(e: ast.Expr): boolean {
  return someNode(e, isAggregateCall);
}

export function isSubqueryNode(e: ast.Expr): boolean {
  return e.kind === 'subquery' || e.kind === 'exists' || e.kind === 'inSubquery' || e.kind === 'quantified';
}

export function containsSubquery(e: ast.Expr): boolean {
  return someNode(e, isSubqueryNode);
}

/** Aggregate calls of an expression, outermost only (nested ones are an error found when binding). */
export function collectAggregates(e: ast.Expr, out: ast.FunctionCall[]): void {
  // depth first, left to right, without recursion
  const stack: ast.Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (isAggregateCall(x)) {
      out.push(x as ast.FunctionCall);
      continue;
    }
    const cs = children(x);
    for (let i = cs.length - 1; i >= 0; i--) stack.push(cs[i]!);
  }
}
