/**
 * The query binder (binder.ts) as the subquery binder (bind-subquery.ts) sees
 * it: the parts of a SELECT bound so far, the correlation context a subquery
 * is bound in, and the binder's entry points a subquery calls back into. The
 * subquery binder depends on this interface, not on the binder, so the two
 * modules do not import each other.
 */
import type * as ast from '../sql/ast.js';
import type { Expr } from './expr.js';
import type { LogicalNode } from './logical.js';
import type { Scope, ScopeColumn } from './bind-scope.js';
import type { ExprBinder, ExprEnv, Rel } from './bind-expr.js';

/** The correlation context of a subquery: the outer query's names and its relation's width. */
export interface OuterContext {
  readonly scope: Scope;
  readonly width: number;
  /** The outer relation (`width` fields), for imported columns. */
  readonly node?: LogicalNode;
  /**
   * Outer columns (of `scope`) referenced deeper than this query's own WHERE
   * conditions: in its select list or in a subquery of its own. They are
   * imported: the distinct outer values are joined to the FROM relation, so
   * inside this query they are plain columns, and the subquery is correlated
   * to the outer query by the NULL-safe equality of each with its source.
   */
  readonly imports?: readonly ScopeColumn[];
}

/** An imported outer column: NULL-safe equal to its outer source. */
export interface ImportKey {
  /** Over the outer relation's fields. */
  readonly outer: Expr;
  /** Over the subquery relation's fields. */
  readonly inner: Expr;
}

/** A SELECT after FROM and WHERE, before grouping and the select list. */
export interface SelectParts {
  readonly body: ast.SelectBody;
  /** The FROM relation filtered by WHERE (its first `fromWidth` fields are the FROM columns). */
  readonly rel: Rel;
  /** FROM's names; the parent is the outer scope (references there are reported, not resolved). */
  readonly scope: Scope;
  readonly fromWidth: number;
  /** WHERE conditions that reference the outer query: over the outer's fields followed by rel's. */
  readonly correlated: Expr[];
  /** Imported outer columns (see OuterContext.imports): correlations too, matched NULL-safely. */
  readonly importKeys: readonly ImportKey[];
}

/** What the subquery binder calls back into: a subquery is a query, bound as the binder binds any. */
export interface QueryBinder {
  /** The statement's text, for error positions. */
  readonly sql: string;
  readonly exprs: ExprBinder;
  /** Output names of scalar subqueries used as select items (PostgreSQL names them after the subquery's column). */
  readonly subqueryNames: WeakMap<ast.Expr, string>;
  /** A whole query, in a scope whose parent holds the outer query's names. */
  query(q: ast.Query, parent: Scope | null): LogicalNode;
  /** A SELECT's FROM and WHERE, correlated to an outer query when `outer` is given. */
  selectParts(body: ast.SelectBody, outer: OuterContext | null, parent: Scope | null): SelectParts;
  /** The rest of a SELECT (grouping, select list, DISTINCT, ORDER BY, LIMIT). */
  finishSelect(parts: SelectParts, q: ast.Query | null): LogicalNode;
  /** The select items with * expanded. */
  expandItems(body: ast.SelectBody, scope: Scope): { ast: ast.Expr; alias: string | null; direct: Expr | null }[];
  /** A GROUP BY item: an output name, an ordinal, or an expression. */
  groupItem(g: ast.Expr, items: readonly { ast: ast.Expr; alias: string | null }[], env: ExprEnv): Expr;
}
