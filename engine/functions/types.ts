/**
 * What a SQL function is to keel: one entry of the registry (registry.ts),
 * written in the file of its family (string.ts, date.ts, ...). An entry holds
 * everything about the function, so that adding one touches one file:
 *
 *  - its names (the first is canonical, the others aliases) and its reference
 *    text (docs/sql.md's function table is made from these, see docs.ts);
 *  - its type rules: `bind` receives the call with its arguments and returns
 *    the bound expression, converting arguments as the function takes them and
 *    giving the result its type. Most entries return a call of their own
 *    implementation (a FnExpr naming it); some are rewritings into operators,
 *    CASE or other functions (NVL2 is a CASE);
 *  - its NULL behaviour (`nulls`) and its code (`compile`): the JavaScript the
 *    expression compiler (exec/compile.ts) inlines into the per-row loop.
 *
 * Implementations without a SQL name of their own (a part of another
 * function's rewriting) are `internal` entries of a family.
 *
 * The binder and the compiler never name a function: they look it up here.
 */
import type * as ast from '../sql/ast.js';
import type { ErrorCode, SqlError } from '../errors.js';
import type { Batch, SqlType, Vector } from '../types.js';
import type { Expr, FnExpr } from '../plan/expr.js';
import type { AggregateBinder, AggregateBinding, ExprEnv } from '../plan/bind-env.js';
import type { Field } from '../plan/physical.js';
import type { WindowFrame, WindowFunc } from '../plan/window-spec.js';
import type { WindowLayout } from '../exec/ops/window-layout.js';
import type { FrameBounds } from '../exec/ops/window-frame.js';

/** A family of functions: one file, one section of the reference. */
export interface Family {
  /** As the reference's table names the group: "strings", "dates", ... */
  readonly name: string;
  readonly functions: readonly ScalarFunction[];
  /** Implementations the family's (or the binder's) rewritings call, by id; no SQL name reaches them. */
  readonly internal?: Readonly<Record<string, Implementation>>;
}

export interface ScalarFunction {
  /** Lower-case SQL names; the first is the canonical one (and the id of its implementation, if it has one). */
  readonly names: readonly [string, ...string[]];
  /**
   * The names are operators' ('~', 'similar to'), not callable by name: the
   * binder binds the operator's syntax through this entry, with the operands
   * as arguments and the operator as written as the call's name.
   */
  readonly operator?: true;
  /** The reference: call forms, e.g. ["LPAD(s, n [, fill])"]. */
  readonly syntax: readonly string[];
  /** The reference: the result type, e.g. "VARCHAR", "the argument's type". */
  readonly returns: string;
  /** The reference: what it computes, and where it differs from DuckDB or PostgreSQL. */
  readonly doc: string;
  /** Argument and result type rules: the bound call (constants are folded by the caller). */
  bind(b: Binding): Expr;
  /**
   * What a NULL argument does: for an entry that compiles, how its code is
   * called; for one that rewrites into other expressions, what the rewriting
   * does (the reference states it either way).
   */
  readonly nulls: NullRule;
  /** The code of the calls `bind` makes with this entry's id (names[0]); absent when bind rewrites into other expressions. */
  compile?(c: CodeArgs): string;
}

/**
 * How an implementation treats NULL arguments:
 *  - 'strict': the result is NULL when any argument is; `compile` runs only
 *    for rows whose arguments are all non-NULL;
 *  - 'own': `compile` sees each argument's NULL flag and sets the result's
 *    (GREATEST skips NULL arguments).
 * For the reference, a function without an implementation of its own says in
 * its doc text what NULL does.
 */
export type NullRule = 'strict' | 'own';

export interface Implementation {
  readonly nulls: NullRule;
  /** Statements computing the value into c.target (and, for 'own', its NULL flag into c.isNull). */
  compile(c: CodeArgs): string;
}

/** What an implementation's code generator gets. */
export interface CodeArgs {
  /** The bound call: argument and result types, its constant parameter. */
  readonly call: FnExpr;
  /**
   * JavaScript expressions of the arguments' values (their physical values:
   * days, microseconds, scaled integers). The code may call exec/runtime.ts
   * as `rt` (rt.invalid, rt.overflow, rt.roundHalfAway); helpers of its own
   * it reaches through constant().
   */
  readonly args: readonly string[];
  /** JavaScript expressions: whether argument i is NULL ('own' implementations only; 'false' for strict ones). */
  readonly nulls: readonly string[];
  /** The variable to assign the value to. */
  readonly target: string;
  /** The variable to assign "is NULL" to ('own' implementations; strict ones leave it alone). */
  readonly isNull: string;
  /**
   * A value the compiled function closes over, as a JavaScript name: a helper
   * function, a RegExp compiled once per query, a Set. The same value gets
   * the same name.
   */
  constant(value: unknown): string;
  /** Code raising OVERFLOW when variable v leaves type t's range (nothing for types without one). */
  rangeCheck(t: SqlType, v: string): string;
}

/**
 * A function call being bound: its arguments (bound on first use, once), and
 * the binder's type rules. The binder implements it (plan/bind-call.ts).
 */
export interface Binding extends TypeRules {
  /** The name as written (an alias, say). */
  readonly name: string;
  /** Where the call starts in the SQL text. */
  readonly pos: number;
  /** How many arguments the call has. */
  readonly count: number;
  /** The session's time zone when it is not UTC (SET timezone), else null. */
  readonly sessionZone: string | null;
  /** The user the session acts as (current_user), else null: the data directory's owner. */
  readonly sessionUser: string | null;
  /** Checks the argument count (SYNTAX error otherwise); max may be Infinity. */
  argc(min: number, max?: number): void;
  /** Argument i, bound (once: a subquery in it joins the query once). */
  arg(i: number): Expr;
  /** Where argument i starts. */
  argPos(i: number): number;
  /** Argument i as written (a date part may be a bare word). */
  syntaxOf(i: number): ast.Expr;
  /** Argument i as a string (an untyped literal is one; other types are cast). */
  str(i: number): Expr;
  /** Argument i as an integer (numbers are cast to BIGINT); `what` names it in a TYPE_MISMATCH error. */
  int(i: number, what?: string): Expr;
  /** Argument i as a DOUBLE PRECISION (any number). */
  double(i: number, what: string): Expr;
  /** Argument i as a number of its own type (an untyped literal takes its literal type). */
  number(i: number, what: string): Expr;
  /** Argument i as a DATE or TIMESTAMP (a string literal is read as one). */
  temporal(i: number, what: string): Expr;
  /** Argument i as a date part ('month', month, 'mon'), normalized. */
  datePart(i: number): string;
  /** Argument i as a constant string (NULL as null): a SYNTAX error naming `what` otherwise. */
  constantString(i: number, what: string): string | null;
}

/** The binder's type rules, for functions that build their own expressions. */
export interface TypeRules {
  error(code: ErrorCode, message: string, pos: number): SqlError;
  /** Converts e to type t: 'implicit' skips conversions that do not change physical values; 'explicit' is CAST. */
  castTo(e: Expr, t: SqlType, mode: 'implicit' | 'explicit', pos: number): Expr;
  /** The common type of several values, each converted to it (COALESCE, GREATEST). */
  unify(values: readonly Expr[], positions: readonly number[], what: string): Expr[];
  /** Two values brought to a common type for comparison. */
  unifyPair(l: Expr, r: Expr, pos: number): [Expr, Expr];
  /** A comparison of two values, with the operators' conversions. */
  compare(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', l: Expr, r: Expr, pos: number): Expr;
  /** Arithmetic (+ - * / %) with the operators' type rules. */
  arith(op: '+' | '-' | '*' | '/' | '%', l: Expr, r: Expr, pos: number): Expr;
  /** A constant subexpression evaluated now (anything else is returned as it is). */
  fold(e: Expr): Expr;
  /** Whether e is an untyped literal (a string or NULL literal that has not met a type yet). */
  isUnknown(e: Expr): boolean;
  /** An untyped literal read as a number of its own literal type ('5' an INTEGER, '1.5' a DECIMAL). */
  asNumber(e: Expr, pos: number, what: string): Expr;
  /** A value as a DATE or TIMESTAMP (a string literal is read as one). */
  asTemporal(e: Expr, pos: number, what: string): Expr;
}

// ---------------------------------------------------------------- aggregates and window functions

/**
 * An aggregate function: one entry of aggregate.ts. Its call binds to parts,
 * each an aggregate kind the operator computes (aggregate-kinds.ts: the
 * accumulator, the partial state, how it runs over window frames), and a
 * value made of their columns: AVG is one part, STDDEV three (COUNT, SUM(x),
 * SUM(x*x)) and an expression over them.
 *
 * What every aggregate shares the binder checks before `bind`: nesting, FILTER
 * (the argument made NULL where the condition is not TRUE), WITHIN GROUP for
 * entries that do not take it, APPROXIMATE for those without an approximate
 * form, and OVER (window.ts's rules for aggregates as window functions).
 */
export interface AggregateFunction {
  /** Lower-case SQL names; the first is the canonical one. */
  readonly names: readonly [string, ...string[]];
  /** The reference: call forms. */
  readonly syntax: readonly string[];
  /** The reference: the result type. */
  readonly returns: string;
  /** The reference: what it computes, and where it differs from DuckDB or PostgreSQL. */
  readonly doc: string;
  /** The reference: what NULL arguments do and the value over no rows. */
  readonly nulls: string;
  /** Whether it takes WITHIN GROUP (ORDER BY ...). */
  readonly withinGroup: boolean;
  /** Argument and result type rules: the parts the call needs and its value from their columns. */
  bind(b: AggregateBinder, call: ast.FunctionCall, env: ExprEnv): AggregateBinding;
  /** APPROXIMATE name(...), for a function that has an approximate form. */
  approximate?(b: AggregateBinder, call: ast.FunctionCall, env: ExprEnv): AggregateBinding;
}

/** The aggregate families: the functions, and the names keel refuses as unsupported aggregates rather than unknown functions. */
export interface AggregateFamily {
  readonly name: string;
  readonly functions: readonly AggregateFunction[];
  readonly refused: readonly string[];
}

/**
 * A window function that is no aggregate: one entry of window.ts. It binds to
 * one WindowFunc (plan/window-spec.ts) of its `kind`, which its `evaluate`
 * computes over a sorted window node (exec/ops/window*.ts). Aggregates OVER a
 * window are the aggregate entries, evaluated through their kinds.
 */
export interface WindowFunction {
  readonly names: readonly [string, ...string[]];
  readonly syntax: readonly string[];
  readonly returns: string;
  readonly doc: string;
  /** The reference: what NULL arguments do. */
  readonly nulls: string;
  /** Whether it takes IGNORE NULLS / RESPECT NULLS. */
  readonly ignoreNulls: boolean;
  /** The WindowFunc kind it binds to, the id its evaluator is found by. */
  readonly kind: WindowKind;
  /** Argument and result type rules. */
  bind(w: WindowCall): WindowFunc<Expr>;
  /** The function's value for every row of the node's input, in input order. */
  evaluate(f: WindowFunc<number>, c: WindowInput): Vector;
}

export type WindowKind = WindowFunc<number>['kind'];

/** A window function call being bound (plan/bind-window.ts implements it). */
export interface WindowCall {
  readonly name: string;
  readonly pos: number;
  readonly count: number;
  /** Checks the argument count (SYNTAX error naming the window function otherwise). */
  argc(min: number, max: number): void;
  /** Argument i, bound. */
  arg(i: number): Expr;
  /** Argument i bound as a value (an untyped literal is text). */
  value(i: number): Expr;
  argPos(i: number): number;
  /** Argument i as a constant integer (null for NULL); `what` names it in errors. */
  constantInteger(i: number, what: string): number | null;
  /** The frame the call reads (the OVER clause's, or the default). */
  readonly frame: WindowFrame;
  /** IGNORE NULLS was written. */
  readonly ignoreNulls: boolean;
  readonly rules: TypeRules;
}

/** What a window function's evaluator reads: the node's input gathered in one batch, sorted once. */
export interface WindowInput {
  readonly batch: Batch;
  readonly fields: readonly Field[];
  readonly layout: WindowLayout;
  /** The frame bounds of a frame, computed once per node and frame. */
  bounds(frame: WindowFrame): FrameBounds;
}
