/**
 * The expression binder's vocabulary: the environment an expression is bound
 * in, what binding an aggregate call yields, and what the entries of the
 * aggregate functions (functions/aggregate.ts) and bind-aggregate-filter.ts
 * need of the binder. Types only, in their own
 * module, so that those helpers and bind-expr.ts, which calls them, do not
 * import each other.
 */
import type * as ast from '../sql/ast.js';
import type { SqlError } from '../errors.js';
import type { SqlType } from '../types.js';
import type { AggFn } from '../functions/aggregate-kinds.js';
import type { Expr } from './expr.js';
import type { LogicalAgg, LogicalNode } from './logical.js';
import type { Scope } from './bind-scope.js';
import type { GroupingState } from './bind-grouping.js';

/** The relation being built: subqueries append joins to it (existing field indexes never move). */
export interface Rel {
  node: LogicalNode;
}

export interface AggState {
  /** The environment of the aggregate's input (before GROUP BY). */
  readonly input: ExprEnv;
  readonly groups: readonly Expr[];
  readonly groupKeys: readonly string[];
  /** Registered aggregate calls (by AST node): their value over the aggregate's output columns. */
  readonly aggExprs: ReadonlyMap<ast.FunctionCall, Expr>;
  /** Grouped plain columns by name, for correlated subqueries after GROUP BY. */
  readonly groupScope: Scope;
  /** GROUP BY's grouping sets, for GROUPING() (absent: a plain GROUP BY). */
  readonly grouping?: GroupingState;
}

export interface ExprEnv {
  readonly scope: Scope;
  /** Where subqueries attach their joins; null where subqueries are not allowed. */
  readonly rel: Rel | null;
  readonly agg: AggState | null;
  /** For messages: "WHERE", "JOIN condition", "GROUP BY", ... */
  readonly clause: string;
  /**
   * Aliases of earlier select items (Redshift's lateral column aliases:
   * SELECT a + 1 AS x, x * 2): a name no FROM column has reads as that item.
   */
  readonly aliases?: ReadonlyMap<string, Expr>;
  /** Window function calls of the query level, bound beforehand (bind-window.ts) to their columns. */
  readonly windows?: ReadonlyMap<ast.FunctionCall, Expr>;
}

/** What the expression binder needs from the query binder. */
export interface SubqueryBinder {
  scalar(e: ast.ScalarSubquery, env: ExprEnv): Expr;
  exists(e: ast.ExistsExpr, env: ExprEnv): Expr;
  inSubquery(e: ast.InSubqueryExpr, arg: Expr, env: ExprEnv): Expr;
  quantified(e: ast.QuantifiedExpr, arg: Expr, env: ExprEnv): Expr;
}

/** One aggregate the aggregate operator computes. */
export interface AggregatePart {
  readonly fn: AggFn;
  readonly arg: Expr | null;
  readonly type: SqlType;
  /** LISTAGG's WITHIN GROUP order, delimiter and DISTINCT (see LogicalAgg). */
  readonly order?: LogicalAgg['order'];
  readonly separator?: string;
  readonly distinct?: boolean;
  /** PERCENTILE_CONT / PERCENTILE_DISC's fraction and direction (see LogicalAgg). */
  readonly fraction?: number;
  readonly desc?: boolean;
}

/** An aggregate call: the operator's aggregates it needs, and its value from their columns. */
export interface AggregateBinding {
  readonly parts: readonly AggregatePart[];
  combine(columns: readonly Expr[]): Expr;
}

/** What the binders of single kinds of calls need of the expression binder (bind-expr.ts's ExprBinder). */
export interface CallBinder {
  error(code: ConstructorParameters<typeof SqlError>[0], message: string, pos: number): SqlError;
  bind(e: ast.Expr, env: ExprEnv): Expr;
  castTo(e: Expr, t: SqlType, mode: 'implicit' | 'explicit' | 'assign', pos: number): Expr;
}

/** What an aggregate function's entry (functions/aggregate.ts) needs of the expression binder. */
export interface AggregateBinder extends CallBinder {
  /** A value as text (an untyped literal is one; other types are cast). */
  asString(e: Expr, pos: number): Expr;
  /** A constant subexpression evaluated now. */
  fold(e: Expr): Expr;
  /** Whether an expression holds an aggregate call (which may not be nested in another's arguments). */
  containsAggregate(e: ast.Expr): boolean;
}
