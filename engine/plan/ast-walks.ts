/**
 * Walks over AST expressions that binding asks of a whole expression before
 * binding it: does it hold an aggregate call, a subquery; which aggregate
 * calls are its outermost. Apart from bind-expr.ts so that the binders it
 * calls (bind-window.ts) use them without importing it. Which names are
 * aggregates is the function registry's (functions/aggregate.ts).
 */
import type * as ast from '../sql/ast.js';
import { children } from '../sql/expr-children.js';
import { isAggregateName } from '../functions/registry.js';

/** Whether a function of that name is an aggregate (supported or refused), as the function registry knows. */
export { isAggregateName };

/** An aggregate call of the query level (with OVER it is a window function, bind-window.ts). */
export function isAggregateCall(e: ast.Expr): boolean {
  return e.kind === 'function' && !e.over && isAggregateName(e.name);
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

/**
 * Visits every node of a parsed statement that has a `kind` (statements,
 * queries, FROM items, expressions), subqueries included: a generic walk for
 * questions asked of a whole query, not a typed traversal.
 */
export function walkAst(root: unknown, visit: (node: Record<string, unknown> & { kind: unknown }) => void): void {
  const stack: unknown[] = [root];
  while (stack.length) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      for (const y of x) stack.push(y);
      continue;
    }
    if (x === null || typeof x !== 'object') continue;
    const o = x as Record<string, unknown> & { kind: unknown };
    if (typeof o.kind === 'string') visit(o);
    for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) stack.push(v);
  }
}
