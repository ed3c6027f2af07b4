/**
 * Expression binding: an AST expression to a typed bound expression (expr.ts),
 * with every implicit conversion made an explicit cast, constants folded, and
 * names resolved through a Scope. Subqueries are handed to the query binder
 * (bind-subquery.ts), which attaches joins to the relation being built and
 * returns the column holding the subquery's value.
 *
 * After GROUP BY (env.agg set), an expression is first matched against the
 * grouping expressions and registered aggregates; a column that is neither
 * grouped nor aggregated is a grouping error, as in PostgreSQL.
 */
import type * as ast from '../sql/ast.js';
import { ExecError, KeelError, SqlError } from '../errors.js';
import type { ParamValue, SqlType } from '../types.js';
import { DAY_US, parseTimestamp, parseTimestampTz, physicalKind } from '../types.js';
import { TimeZone } from '../functions/time-zone.js';
import { AGGREGATE_FAMILY, aggregateKind, aggregateNames, functionNames, isRefusedAggregate, lookupAggregate, lookupFunction, lookupOperator, lookupWindowFunction } from '../functions/registry.js';
import { balanced, call, fnCall, operandsOf, type Expr, type Op } from './expr.js';
import { CallBinding } from './bind-call.js';
import { evaluate, fold } from './fold.js';
import type { LogicalAgg } from './logical.js';
import { OuterReferenceError, didYouMean } from './bind-scope.js';
import { bindGrouping, isGroupingCall } from './bind-grouping.js';
import { withFilter } from './bind-aggregate-filter.js';
import type { AggState, AggregateBinding, ExprEnv, SubqueryBinder } from './bind-env.js';
import { containsAggregate, containsSubquery, isAggregateCall, someNode } from './ast-walks.js';
import {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
  INTEGER,
  TIMESTAMP,
  TIMESTAMPTZ,
  VARCHAR,
  castable,
  commonNumeric,
  commonType,
  decimalType,
  identical,
  isConstant,
  isFloat,
  isInteger,
  isNumeric,
  isString,
  isTemporal,
  isTimestamp,
  isUnknown,
  lit,
  numberLiteral,
  parseLiteralAs,
  precisionOf,
  sameRepresentation,
  scaleOf,
  shortName,
  sqlError,
  unknownLiteral,
  numericLiteralType,
} from './coerce.js';

export { call };
export type { AggState, AggregateBinding, AggregatePart, ExprEnv, Rel, SubqueryBinder } from './bind-env.js';
export { collectAggregates, containsAggregate, containsSubquery, isAggregateCall, isAggregateName, isSubqueryNode, someNode } from './ast-walks.js';

// ---------------------------------------------------------------- small constructors

export function col(index: number, type: SqlType): Expr {
  return { k: 'col', index, type };
}

export function and(a: Expr, b: Expr): Expr {
  return { k: 'call', op: 'and', args: [a, b], type: BOOLEAN };
}

/** The AND of conditions (a balanced tree, see expr.ts), or null when there are none. */
export function andAll(es: readonly Expr[]): Expr | null {
  return es.length ? balanced(es, and) : null;
}

/** The OR of conditions (a balanced tree), or null when there are none. */
export function orAll(es: readonly Expr[]): Expr | null {
  return es.length ? balanced(es, (a, b) => call('or', [a, b], BOOLEAN)) : null;
}

export function not(a: Expr): Expr {
  return fold(call('not', [a], BOOLEAN));
}

/** The conjuncts of an AND tree. */
export function conjunctsOf(e: Expr): Expr[] {
  return operandsOf(e, 'and');
}

function disjunctsOf(e: Expr): Expr[] {
  return operandsOf(e, 'or');
}

/**
 * A condition as conjuncts, with what every branch of an OR requires pulled
 * out of it: (a AND b) OR (a AND c) is a AND (b OR c) (also under three-valued
 * logic). TPC-H q19's join condition sits in every branch of an OR; pulled
 * out, it is a join key instead of a filter over a cross product.
 */
export function factorConjuncts(e: Expr): Expr[] {
  const out: Expr[] = [];
  for (const c of conjunctsOf(e)) {
    if (!(c.k === 'call' && c.op === 'or')) {
      out.push(c);
      continue;
    }
    const branches = disjunctsOf(c).map(conjunctsOf);
    const keys = branches.map((b) => new Set(b.map(exprKey)));
    const common = branches[0]!.filter((x, i, all) => keys.every((k) => k.has(exprKey(x))) && all.findIndex((y) => exprKey(y) === exprKey(x)) === i);
    if (common.length === 0) {
      out.push(c);
      continue;
    }
    const commonKeys = new Set(common.map(exprKey));
    const rests = branches.map((b) => b.filter((x) => !commonKeys.has(exprKey(x))));
    out.push(...common);
    // (a) OR (a AND b) is a
    if (rests.every((r) => r.length > 0)) out.push(orAll(rests.map((r) => andAll(r)!))!);
  }
  return out;
}

export function exprKey(e: Expr): string {
  return JSON.stringify(e);
}

/** Rewrites every column reference of an expression. */
export function mapColumns(e: Expr, f: (c: Extract<Expr, { k: 'col' }>) => Expr): Expr {
  switch (e.k) {
    case 'col':
      return f(e);
    case 'lit':
      return e;
    case 'call':
    case 'fn':
      return { ...e, args: e.args.map((a) => mapColumns(a, f)) };
    case 'case':
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: mapColumns(w.when, f), then: mapColumns(w.then, f) })),
        otherwise: e.otherwise ? mapColumns(e.otherwise, f) : null,
      };
    case 'in':
    case 'like':
      return { ...e, arg: mapColumns(e.arg, f) };
  }
}

/** The operands of a chain of one operator, AND or OR, however parenthesized: (a OR b) OR c is [a, b, c]. */
function chainOperands(e: ast.BinaryExpr): ast.Expr[] {
  const out: ast.Expr[] = [];
  const stack: ast.Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.kind === 'binary' && x.op === e.op) stack.push(x.right, x.left);
    else out.push(x);
  }
  return out;
}

const SPECIAL_NAMES = new Set(['current_date', 'current_timestamp', 'sysdate', 'localtimestamp', 'current_time']);

/** PostgreSQL's name for an output column without an alias. */
export function outputName(e: ast.Expr): string {
  switch (e.kind) {
    case 'column':
      return e.name.name;
    case 'function':
      return e.name;
    case 'cast': {
      const inner = outputName(e.arg);
      return inner;
    }
    case 'case':
      return 'case';
    case 'extract':
      return 'date_part';
    case 'exists':
      return 'exists';
    case 'typed':
      return e.type.id;
    case 'boolean':
      return 'bool';
    case 'interval':
      return 'interval';
    default:
      return '?column?';
  }
}

// ---------------------------------------------------------------- the binder

/** The untyped literals that stand for a parameter, and its index: the cast that types one names the parameter's type. */
const PARAM_OF = new WeakMap<Expr, number>();

/**
 * The aggregates of one GROUP BY: each call bound once, identical parts shared
 * (SUM(x) and AVG(x) next to STDDEV(x) still compute one SUM(x)).
 */
export class AggregateRegistry {
  readonly aggs: LogicalAgg[] = [];
  readonly fields: { name: string; type: SqlType }[] = [];
  readonly exprs = new Map<ast.FunctionCall, Expr>();
  /** Indexes (among aggs) of COUNTs, which read 0 rather than NULL over no rows. */
  readonly countLike = new Set<number>();
  private readonly keys: string[] = [];

  constructor(
    private readonly binder: ExprBinder,
    private readonly input: ExprEnv,
    private readonly groupCount: number,
  ) {}

  add(call: ast.FunctionCall): void {
    let b = this.binder.bindAggregate(call, this.input);
    if (call.filter) b = withFilter(b, this.binder.bindCondition(call.filter, { ...this.input, clause: 'FILTER' }));
    const cols = b.parts.map((p) => {
      const k = JSON.stringify([p.fn, p.arg, p.order ?? null, p.separator ?? null, p.distinct ?? false, p.fraction ?? null, p.desc ?? false]);
      let i = this.keys.indexOf(k);
      if (i < 0) {
        i = this.aggs.length;
        this.keys.push(k);
        const { type: _type, ...agg } = p;
        this.aggs.push(agg);
        this.fields.push({ name: b.parts.length === 1 ? call.name : `${call.name}_${p.fn}`, type: p.type });
        if (aggregateKind(p.fn).empty === 0) this.countLike.add(i);
      }
      return col(this.groupCount + i, p.type);
    });
    this.exprs.set(call, b.combine(cols));
  }
}

export class ExprBinder {
  constructor(
    private readonly sql: string,
    private readonly subqueries: SubqueryBinder,
    /** The values of $1, $2 ... for this execution. */
    private readonly params: readonly ParamValue[],
    /** Filled while binding: the type each untyped parameter was read as (its first context), for the wire protocol's ParameterDescription. */
    private readonly paramTypes: (SqlType | null)[] | undefined,
    /** The session's time zone when it is not UTC (SET timezone): casts to and from TIMESTAMPTZ read and give wall-clock times in it. */
    readonly sessionZone: string | null = null,
    /** The user the session acts as (current_user); null: the data directory's owner. */
    readonly sessionUser: string | null = null,
  ) {}

  error(code: ConstructorParameters<typeof SqlError>[0], message: string, pos: number): SqlError {
    return sqlError(this.sql, code, message, pos);
  }

  /** Binds a condition: must be boolean (an untyped literal is read as one). */
  bindCondition(e: ast.Expr, env: ExprEnv): Expr {
    const b = this.bind(e, env);
    return this.asBoolean(b, e.pos, env.clause);
  }

  asBoolean(b: Expr, pos: number, clause: string): Expr {
    if (isUnknown(b)) return this.castTo(b, BOOLEAN, 'implicit', pos);
    if (b.type.id !== 'boolean') throw this.error('TYPE_MISMATCH', `argument of ${clause} must be type boolean, not type ${shortName(b.type)}`, pos);
    return b;
  }

  bind(e: ast.Expr, env: ExprEnv): Expr {
    if (e.kind === 'function' && (e.over || lookupWindowFunction(e.name))) return this.windowCall(e, env);
    if (e.kind === 'column' && this.isLateralAlias(e, env)) return env.aliases!.get(e.name.name)!;
    if (env.agg) {
      const r = this.afterGrouping(e, env.agg, env);
      if (r) return r;
    }
    switch (e.kind) {
      case 'column':
        return this.column(e, env);
      case 'number': {
        const n = numberLiteral(e.text);
        if (!n) throw this.error('OVERFLOW', `numeric literal ${e.text} is out of range (more than 15 significant digits)`, e.pos);
        return lit(n.value, n.type);
      }
      case 'string':
        return unknownLiteral(e.value);
      case 'boolean':
        return lit(e.value ? 1 : 0, BOOLEAN);
      case 'null':
        return unknownLiteral(null);
      case 'typed':
        return this.parseTyped(e.value, e.type, e.pos);
      case 'param':
        return this.param(e);
      case 'interval':
        throw this.error('TYPE_MISMATCH', 'an interval can only be added to or subtracted from a date or timestamp', e.pos);
      case 'unary':
        return this.unary(e, env);
      case 'binary':
        return this.binary(e, env);
      case 'isNull': {
        const a = this.bind(e.arg, env);
        return fold(call(e.negated ? 'isNotNull' : 'isNull', [a], BOOLEAN));
      }
      case 'isBool': {
        const a = this.asBoolean(this.bind(e.arg, env), e.arg.pos, 'IS TRUE/FALSE');
        const op: Op = e.value ? (e.negated ? 'isNotTrue' : 'isTrue') : e.negated ? 'isNotFalse' : 'isFalse';
        return fold(call(op, [a], BOOLEAN));
      }
      case 'between': {
        const a = this.bind(e.arg, env);
        const lo = this.bind(e.low, env);
        const hi = this.bind(e.high, env);
        const both = and(this.compare('ge', a, lo, e.pos), this.compare('le', a, hi, e.pos));
        return e.negated ? not(both) : fold(both);
      }
      case 'inList':
        return this.inList(e, env);
      case 'inSubquery': {
        this.requireRel(env, e.pos);
        const a = this.bind(e.arg, env);
        return this.subqueries.inSubquery(e, a, env);
      }
      case 'exists':
        this.requireRel(env, e.pos);
        return this.subqueries.exists(e, env);
      case 'subquery':
        this.requireRel(env, e.pos);
        return this.subqueries.scalar(e, env);
      case 'quantified': {
        this.requireRel(env, e.pos);
        const a = this.bind(e.arg, env);
        return this.subqueries.quantified(e, a, env);
      }
      case 'like':
        return this.like(e, env);
      case 'match': {
        const symbol = e.syntax === 'similar' ? `${e.negated ? 'not ' : ''}similar to` : `${e.negated ? '!' : ''}~${e.caseInsensitive ? '*' : ''}`;
        return this.operator(symbol, e.escape ? [e.arg, e.pattern, e.escape] : [e.arg, e.pattern], e.pos, env);
      }
      case 'distinctFrom':
        return this.operator(e.negated ? 'is not distinct from' : 'is distinct from', [e.left, e.right], e.pos, env);
      case 'case':
        return this.caseExpr(e, env);
      case 'cast':
        return this.castTo(this.bind(e.arg, env), e.type, 'explicit', e.pos);
      case 'extract':
        return this.operator('extract', [{ kind: 'string', value: e.field, pos: e.pos }, e.arg], e.pos, env);
      case 'function':
        return this.func(e, env);
    }
  }

  /** A window function call: the column bind-window.ts made for it, where window functions may be. */
  private windowCall(e: ast.FunctionCall, env: ExprEnv): Expr {
    const bound = e.over ? env.windows?.get(e) : undefined;
    if (bound) return bound;
    if (!e.over) throw this.error('SYNTAX', `window function ${e.name} requires an OVER clause`, e.pos);
    if (env.clause === 'SELECT' || env.clause === 'ORDER BY') {
      throw this.error('UNSUPPORTED', `window function ${e.name}() is not supported here (a correlated subquery, or the ORDER BY of a set operation)`, e.pos);
    }
    throw this.error('SYNTAX', `window functions are not allowed in ${env.clause}`, e.pos);
  }

  private requireRel(env: ExprEnv, pos: number): void {
    if (!env.rel) throw this.error('UNSUPPORTED', `subqueries are not supported in ${env.clause}`, pos);
  }

  // ------------------------------------------------------------ names

  private column(e: ast.ColumnRef, env: ExprEnv): Expr {
    const r = env.scope.resolve(e);
    const full = e.table ? `${e.table.name}.${e.name.name}` : e.name.name;
    switch (r.kind) {
      case 'found':
        return col(r.column.index, r.column.type);
      case 'ambiguous':
        throw this.error('AMBIGUOUS_COLUMN', `column reference "${full}" is ambiguous`, e.pos);
      case 'outer':
        throw new OuterReferenceError(
          `correlated reference to "${full}" is not supported in ${env.clause} here (a subquery with UNION, INTERSECT, EXCEPT or WITH cannot refer to the enclosing query)`,
          this.sql,
          e.pos,
          r.scope,
          r.column,
        );
      case 'missing': {
        // CURRENT_DATE, SYSDATE, ... written without parentheses (as a quoted name, say)
        if (!e.table && SPECIAL_NAMES.has(e.name.name)) return this.func({ kind: 'function', name: e.name.name, args: [], distinct: false, star: false, pos: e.pos }, env);
        if (r.unknownTable !== null) {
          throw this.error('UNKNOWN_TABLE', `missing FROM-clause entry for table "${r.unknownTable}"${didYouMean(r.unknownTable, env.scope.tableCandidates())}`, e.pos);
        }
        const what = e.table ? `${e.table.name}.${e.name.name}` : `"${e.name.name}"`;
        throw this.error('UNKNOWN_COLUMN', `column ${what} does not exist${didYouMean(e.name.name, env.scope.candidates())}`, e.table ? e.name.pos : e.pos);
      }
    }
  }

  private isLateralAlias(e: ast.Expr, env: ExprEnv): boolean {
    if (e.kind !== 'column' || e.table || !env.aliases?.has(e.name.name)) return false;
    const scope = env.agg ? env.agg.input.scope : env.scope;
    return scope.resolve(e).kind === 'missing';
  }

  /** After GROUP BY: aggregates and grouped expressions become columns of the aggregate's output. */
  private afterGrouping(e: ast.Expr, agg: AggState, env: ExprEnv): Expr | null {
    if (isGroupingCall(e)) return bindGrouping(e as ast.FunctionCall, agg, (a) => exprKey(this.bind(a, agg.input)), (code, message, pos) => this.error(code, message, pos));
    if (isAggregateCall(e)) {
      const x = agg.aggExprs.get(e as ast.FunctionCall);
      if (x === undefined) throw this.error('SYNTAX', `aggregate function calls are not allowed here`, e.pos);
      return x;
    }
    if (containsSubquery(e) || containsAggregate(e) || someNode(e, isGroupingCall)) return null;
    // window calls bind where they are (to their column, or to an error naming this clause)
    if (someNode(e, (n) => n.kind === 'function' && n.over !== undefined)) return null;
    if (!someNode(e, (n) => n.kind === 'column')) return null;
    if (env.aliases && someNode(e, (n) => this.isLateralAlias(n, env))) return null;
    const b = this.bind(e, agg.input);
    if (isConstant(b)) return b;
    const k = agg.groupKeys.indexOf(exprKey(b));
    if (k >= 0) return col(k, agg.groups[k]!.type);
    if (e.kind === 'column') {
      const full = e.table ? `${e.table.name}.${e.name.name}` : e.name.name;
      throw this.error('SYNTAX', `column "${full}" must appear in the GROUP BY clause or be used in an aggregate function`, e.pos);
    }
    return null;
  }

  // ------------------------------------------------------------ literals and casts

  /**
   * A parameter is a constant of this execution: a literal of its declared
   * type, or an untyped one (typed by its context, as '...' is) when the
   * client declared none. The plan is built per execution, so the value folds
   * and prunes blocks as a literal written in the text would.
   */
  private param(e: ast.ParamRef): Expr {
    const p = this.params[e.index - 1];
    if (!p) throw this.error('UNDEFINED_PARAMETER', `there is no parameter $${e.index}`, e.pos);
    if (p.type === null) {
      const u = unknownLiteral(p.text);
      PARAM_OF.set(u, e.index - 1);
      return u;
    }
    if (p.text === null) return lit(null, p.type);
    return this.parseTyped(p.text, p.type, e.pos);
  }

  /**
   * A cast between TIMESTAMPTZ and a type without a zone in a session whose
   * zone is not UTC, as Redshift and PostgreSQL convert: a TIMESTAMP or DATE
   * is a wall-clock time in the zone (x AT TIME ZONE zone), a TIMESTAMPTZ
   * becomes its wall-clock time there; its text carries the zone's offset, and
   * text without an offset is read in the zone. Null for the other casts.
   */
  private zonedCast(e: Expr, t: SqlType, mode: 'implicit' | 'explicit' | 'assign', pos: number, zone: string): Expr | null {
    const z = lit(zone, VARCHAR);
    if (e.type.id === 'timestamptz') {
      if (t.id === 'timestamp') return this.folded(fnCall('timezone', [z, e], TIMESTAMP), pos);
      if (t.id === 'date') return this.castTo(this.folded(fnCall('timezone', [z, e], TIMESTAMP), pos), DATE, mode, pos);
      if (isString(t)) return this.castTo(this.folded(fnCall('timestamptz_text', [e], VARCHAR, zone), pos), t, mode === 'implicit' ? 'explicit' : mode, pos);
      return null;
    }
    if (e.type.id === 'timestamp') return this.folded(fnCall('timezone', [z, e], TIMESTAMPTZ), pos);
    if (e.type.id === 'date') return this.folded(fnCall('timezone', [z, this.castTo(e, TIMESTAMP, 'explicit', pos)], TIMESTAMPTZ), pos);
    if (isString(e.type)) return this.folded(fnCall('text_timestamptz', [e], TIMESTAMPTZ, zone), pos);
    return null;
  }

  /** e evaluated now when it is constant (as castTo folds its casts). */
  private folded(e: Expr, pos: number): Expr {
    if (!isConstant(e)) return e;
    try {
      return lit(evaluate(e), e.type);
    } catch (err) {
      if (err instanceof KeelError) throw this.error(err.code, err.message, pos);
      throw err;
    }
  }

  private parseTyped(value: string, type: SqlType, pos: number): Expr {
    if (type.id === 'timestamptz' && this.sessionZone !== null) {
      // text without an offset is a wall-clock time in the session's zone; malformed text fails below as under UTC
      const us = parseTimestampTz(value, TimeZone.of(this.sessionZone)!);
      if (!Number.isNaN(us)) return lit(us, type);
    }
    try {
      return lit(parseLiteralAs(value, type), type);
    } catch (err) {
      if (err instanceof ExecError) throw this.error('INVALID_VALUE', err.message, pos);
      throw err;
    }
  }

  /**
   * Converts e to type t. 'implicit' skips conversions that do not change the
   * physical value (wider integer, more decimal precision, string lengths);
   * 'explicit' is CAST; 'assign' is INSERT (strings too long are an error).
   */
  castTo(e: Expr, t: SqlType, mode: 'implicit' | 'explicit' | 'assign', pos: number): Expr {
    if (isUnknown(e)) {
      const param = PARAM_OF.get(e);
      if (param !== undefined && this.paramTypes && !this.paramTypes[param]) this.paramTypes[param] = t;
      const v = (e as Extract<Expr, { k: 'lit' }>).value;
      if (v === null) return lit(null, t);
      if (mode === 'assign' && isString(t) && t.length !== undefined && (v as string).replace(/ +$/, '').length > t.length) {
        throw this.error('INVALID_VALUE', `value too long for type ${t.id === 'char' ? 'character' : 'character varying'}(${t.length})`, pos);
      }
      const parsed = this.parseTyped(v as string, t, pos);
      if (mode !== 'implicit' && isString(t) && t.length !== undefined && (parsed as { value: string }).value.length > t.length) {
        return lit((parsed as { value: string }).value.substring(0, t.length), t);
      }
      return parsed;
    }
    if (mode === 'implicit') {
      if (sameRepresentation(e.type, t)) return e;
      if (isInteger(e.type) && isInteger(t) && precisionOf(e.type) <= precisionOf(t)) return e.k === 'lit' ? lit(e.value, t) : e;
    } else if (identical(e.type, t)) {
      return e;
    }
    if (e.k === 'lit' && e.value === null) return lit(null, t);
    if (!castable(e.type, t)) throw this.error('TYPE_MISMATCH', `cannot cast type ${shortName(e.type)} to ${shortName(t)}`, pos);
    if (this.sessionZone !== null && (e.type.id === 'timestamptz') !== (t.id === 'timestamptz')) {
      const zoned = this.zonedCast(e, t, mode, pos, this.sessionZone);
      if (zoned !== null) return zoned;
    }
    if (mode !== 'assign' && isString(e.type) && isString(t) && (t.length === undefined || t.length >= 65535)) {
      return e.k === 'lit' ? lit(e.value, t) : e;
    }
    const c = call('cast', [e], t, mode === 'assign' ? 'assign' : undefined);
    if (isConstant(e)) {
      try {
        return lit(evaluate(c), t);
      } catch (err) {
        if (err instanceof KeelError) throw this.error(err.code, err.message, pos);
        throw err;
      }
    }
    return c;
  }

  asString(e: Expr, pos: number): Expr {
    if (isUnknown(e)) return this.castTo(e, VARCHAR, 'implicit', pos);
    if (isString(e.type)) return e;
    return this.castTo(e, VARCHAR, 'explicit', pos);
  }

  asInt(e: Expr, pos: number, what: string): Expr {
    if (isUnknown(e)) return this.castTo(e, INTEGER, 'implicit', pos);
    if (isInteger(e.type)) return e;
    if (isNumeric(e.type)) return this.castTo(e, BIGINT, 'explicit', pos);
    throw this.error('TYPE_MISMATCH', `${what} must be an integer, not ${shortName(e.type)}`, pos);
  }

  asDouble(e: Expr, pos: number, what: string): Expr {
    if (isUnknown(e)) return this.castTo(e, DOUBLE, 'implicit', pos);
    if (isNumeric(e.type)) return this.castTo(e, DOUBLE, 'implicit', pos);
    throw this.error('TYPE_MISMATCH', `${what} must be a number, not ${shortName(e.type)}`, pos);
  }

  asNumber(e: Expr, pos: number, what: string): Expr {
    if (isUnknown(e)) return this.castTo(e, numericLiteralType(e), 'implicit', pos);
    if (isNumeric(e.type)) return e;
    throw this.error('TYPE_MISMATCH', `${what} must be a number, not ${shortName(e.type)}`, pos);
  }

  asTemporal(e: Expr, pos: number, what: string): Expr {
    if (isUnknown(e)) {
      const v = (e as Extract<Expr, { k: 'lit' }>).value;
      if (v === null) return lit(null, TIMESTAMP);
      const ts = parseTimestamp(v as string);
      if (Number.isNaN(ts)) throw this.error('INVALID_VALUE', `invalid input syntax for type timestamp: "${v}"`, pos);
      return /[ T]\d/.test(v as string) ? lit(ts, TIMESTAMP) : lit(ts / DAY_US, DATE);
    }
    if (isTemporal(e.type)) return e;
    throw this.error('TYPE_MISMATCH', `${what} must be a date or timestamp, not ${shortName(e.type)}`, pos);
  }

  // ------------------------------------------------------------ operators

  private unary(e: ast.UnaryExpr, env: ExprEnv): Expr {
    if (e.op === 'not') return not(this.asBoolean(this.bind(e.arg, env), e.arg.pos, 'NOT'));
    const a = this.asNumber(this.bind(e.arg, env), e.arg.pos, `operand of unary ${e.op}`);
    if (e.op === '+') return a;
    if (a.k === 'lit' && typeof a.value === 'number') {
      // the literal keeps its type: -2147483648 is a BIGINT as 2147483648 is (PostgreSQL)
      const v = -a.value;
      return lit(v === 0 ? 0 : v, a.type);
    }
    if (a.k === 'lit') return a;
    return call('neg', [a], a.type);
  }

  private binary(e: ast.BinaryExpr, env: ExprEnv): Expr {
    switch (e.op) {
      case 'and':
      case 'or': {
        // a chain of thousands (WHERE a = 0 OR a = 1 OR ...) is bound as one list, into a balanced tree
        const op = e.op;
        const operands = chainOperands(e).map((x) => this.asBoolean(this.bind(x, env), x.pos, op.toUpperCase()));
        return balanced(operands, (l, r) => fold(call(op, [l, r], BOOLEAN)));
      }
      case '=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const l = this.bind(e.left, env);
        const r = this.bind(e.right, env);
        return this.compare(COMPARE_OPS[e.op], l, r, e.pos);
      }
      case '||': {
        const l = this.asString(this.bind(e.left, env), e.left.pos);
        const r = this.asString(this.bind(e.right, env), e.right.pos);
        return fold(call('concat', [l, r], VARCHAR));
      }
      default: {
        // date/timestamp +- interval
        if (e.right.kind === 'interval' && e.op !== '*' && e.op !== '/' && e.op !== '%') {
          const l = this.asTemporal(this.bind(e.left, env), e.left.pos, `left operand of ${e.op} interval`);
          return this.addInterval(l, e.right, e.op === '-' ? -1 : 1);
        }
        if (e.left.kind === 'interval' && e.op === '+') {
          const r = this.asTemporal(this.bind(e.right, env), e.right.pos, 'operand of interval +');
          return this.addInterval(r, e.left, 1);
        }
        const l = this.bind(e.left, env);
        const r = this.bind(e.right, env);
        return this.arith(e.op, l, r, e.pos);
      }
    }
  }

  /** x + interval: months, then days, then microseconds (PostgreSQL's order); the result is a TIMESTAMP. */
  private addInterval(x: Expr, iv: ast.IntervalLiteral, sign: 1 | -1): Expr {
    let t = x.type.id === 'date' ? this.castTo(x, TIMESTAMP, 'explicit', iv.pos) : x;
    // a TIMESTAMPTZ stays one: its days and months are those of UTC, the session's zone
    const type = t.type.id === 'timestamptz' ? TIMESTAMPTZ : TIMESTAMP;
    if (iv.months) t = call('addMonths', [t, lit(sign * iv.months, INTEGER)], type);
    const micros = iv.days * DAY_US + iv.micros;
    if (micros) t = call('addMicros', [t, lit(sign * micros, BIGINT)], type);
    return fold(t);
  }

  /** Arithmetic on two bound operands. */
  arith(opText: string, l: Expr, r: Expr, pos: number): Expr {
    const op = ARITH_OPS[opText]!;
    // untyped literals take the other operand's type
    if (isUnknown(l) && isUnknown(r)) {
      l = this.castTo(l, numericLiteralType(l), 'implicit', pos);
      r = this.castTo(r, numericLiteralType(r), 'implicit', pos);
    } else if (isUnknown(l)) l = this.castTo(l, unknownPartner(r.type, op, true), 'implicit', pos);
    else if (isUnknown(r)) r = this.castTo(r, unknownPartner(l.type, op, false), 'implicit', pos);
    const lt = l.type;
    const rt = r.type;
    const mismatch = () => this.error('TYPE_MISMATCH', `operator does not exist: ${shortName(lt)} ${opText} ${shortName(rt)}`, pos);
    if (isNumeric(lt) && isNumeric(rt)) return fold(this.numericArith(op, l, r, pos));
    if (lt.id === 'date' && isInteger(rt) && (op === 'add' || op === 'sub')) {
      return fold(call('addDays', [l, op === 'sub' ? negate(r) : r], DATE));
    }
    if (isInteger(lt) && rt.id === 'date' && op === 'add') return fold(call('addDays', [r, l], DATE));
    if (lt.id === 'date' && rt.id === 'date' && op === 'sub') return fold(call('dateDiffDays', [l, r], INTEGER));
    throw mismatch();
  }

  private numericArith(op: Op, l: Expr, r: Expr, pos: number): Expr {
    const lt = l.type;
    const rt = r.type;
    if (isFloat(lt) || isFloat(rt)) {
      const t = commonNumeric(lt, rt);
      return call(op, [this.castTo(l, t, 'implicit', pos), this.castTo(r, t, 'implicit', pos)], t);
    }
    if (isInteger(lt) && isInteger(rt)) return call(op, [l, r], commonNumeric(lt, rt));
    const s1 = scaleOf(lt);
    const s2 = scaleOf(rt);
    const p1 = precisionOf(lt);
    const p2 = precisionOf(rt);
    switch (op) {
      case 'add':
      case 'sub':
      case 'mod': {
        const s = Math.max(s1, s2);
        const intDigits = Math.max(p1 - s1, p2 - s2);
        const t = decimalType(intDigits + s + (op === 'mod' ? 0 : 1), s);
        return call(op, [this.rescale(l, s, pos), this.rescale(r, s, pos)], t);
      }
      case 'mul': {
        // a constant's trailing fractional zeros add scale but no value (100.00 * x, 0.0001000000 * x):
        // dropped here, they keep the product far from the 2^53 limit
        const a = trimScale(l);
        const b = trimScale(r);
        return call('mul', [a, b], decimalType(precisionOf(a.type) + precisionOf(b.type), scaleOf(a.type) + scaleOf(b.type)));
      }
      case 'div':
        return call('div', [l, r], decimalType(38, Math.max(6, s1, s2)));
      default:
        throw this.error('TYPE_MISMATCH', `unsupported operator`, pos);
    }
  }

  /** A numeric expression as a decimal with scale s (integers included). */
  private rescale(e: Expr, s: number, pos: number): Expr {
    if (scaleOf(e.type) === s && (e.type.id === 'decimal' || s === 0)) return e;
    return this.castTo(e, decimalType(Math.max(precisionOf(e.type) - scaleOf(e.type), 1) + s, s), 'explicit', pos);
  }

  /** Brings two operands of a comparison to one type; returns the comparison. */
  compare(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', l: Expr, r: Expr, pos: number): Expr {
    const scaled = this.compareScales(op, l, r, pos);
    if (scaled) return scaled;
    [l, r] = this.unifyPair(l, r, pos, op);
    // a date column against a timestamp constant compares as dates (zone maps work on the column)
    // (a TIMESTAMPTZ constant too: a date is a day of UTC, the session's zone)
    if (l.type.id === 'date' && isTimestamp(r.type) && r.k === 'lit' && typeof r.value === 'number') {
      const d = dateBound(op, r.value);
      if (d) return fold(call(d.op, [l, lit(d.value, DATE)], BOOLEAN));
    }
    if (r.type.id === 'date' && isTimestamp(l.type) && l.k === 'lit' && typeof l.value === 'number') {
      const d = dateBound(FLIP[op], l.value);
      if (d) return fold(call(d.op, [r, lit(d.value, DATE)], BOOLEAN));
    }
    if (l.type.id !== r.type.id && isTemporal(l.type) && isTemporal(r.type)) {
      const t = l.type.id === 'timestamptz' || r.type.id === 'timestamptz' ? TIMESTAMPTZ : TIMESTAMP;
      l = this.castTo(l, t, 'implicit', pos);
      r = this.castTo(r, t, 'implicit', pos);
    }
    return fold(call(op, [l, r], BOOLEAN));
  }

  /**
   * Exact numbers of different scales. Raising the smaller scale to the larger
   * can leave 2^53 (a SUM at scale 2 against a value at scale 12); lowering the
   * larger one cannot, and is exact for ordering when rounded the right way:
   * lo < hi iff lo < ceil(hi), lo <= hi iff lo <= floor(hi), lo > hi iff
   * lo > floor(hi), lo >= hi iff lo >= ceil(hi), lo = hi iff floor(hi) = lo = ceil(hi).
   * A constant on the smaller-scale side is raised instead (it folds, and the
   * column keeps its zone maps); so are two non-constant sides under = and <>.
   */
  private compareScales(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', l: Expr, r: Expr, pos: number): Expr | null {
    if (isUnknown(l) || isUnknown(r)) return null;
    const exact = (t: SqlType) => isInteger(t) || t.id === 'decimal';
    if (!exact(l.type) || !exact(r.type) || scaleOf(l.type) === scaleOf(r.type)) return null;
    const loIsLeft = scaleOf(l.type) < scaleOf(r.type);
    const lo = loIsLeft ? l : r;
    const hi = loIsLeft ? r : l;
    const opLo = loIsLeft ? op : FLIP[op];
    if (isConstant(lo)) {
      try {
        const up = this.castTo(lo, decimalType(precisionOf(lo.type) - scaleOf(lo.type) + scaleOf(hi.type), scaleOf(hi.type)), 'explicit', pos);
        return fold(call(op, loIsLeft ? [up, hi] : [hi, up], BOOLEAN));
      } catch (err) {
        if (!(err instanceof SqlError) || err.code !== 'OVERFLOW') throw err;
      }
    } else if (!isConstant(hi) && (op === 'eq' || op === 'ne')) {
      return null;
    }
    const s = scaleOf(lo.type);
    const down = (fn: 'floor' | 'ceil'): Expr => {
      let e = fold(fnCall(fn, [hi], decimalType(precisionOf(hi.type) - scaleOf(hi.type) + s + 1, s)));
      // against an integer, a whole-number constant reads as that integer type (zone maps compare like with like)
      if (isInteger(lo.type) && e.k === 'lit' && typeof e.value === 'number' && Number.isSafeInteger(e.value)) {
        const range = lo.type.id === 'smallint' ? 32767 : lo.type.id === 'integer' ? 2147483647 : Number.MAX_SAFE_INTEGER;
        if (Math.abs(e.value) <= range) e = lit(e.value, lo.type);
      }
      return e;
    };
    const cmp = (o: 'eq' | 'lt' | 'le' | 'gt' | 'ge', x: Expr): Expr => fold(call(loIsLeft ? o : FLIP[o], loIsLeft ? [lo, x] : [x, lo], BOOLEAN));
    switch (opLo) {
      case 'lt':
        return cmp('lt', down('ceil'));
      case 'le':
        return cmp('le', down('floor'));
      case 'gt':
        return cmp('gt', down('floor'));
      case 'ge':
        return cmp('ge', down('ceil'));
      case 'eq':
      case 'ne': {
        const f = down('floor');
        const c = down('ceil');
        const same = f.k === 'lit' && c.k === 'lit' && f.value === c.value;
        const eq = same ? cmp('eq', f) : fold(and(cmp('eq', f), cmp('eq', c)));
        return opLo === 'eq' ? eq : not(eq);
      }
    }
  }

  /**
   * Two values brought to a common type for comparison (also used by IN, CASE
   * operand, NULLIF, set operations' keys). Untyped literals adopt the other
   * side's type. CHAR against a non-CHAR string compares without trailing blanks.
   */
  unifyPair(l: Expr, r: Expr, pos: number, what = 'eq'): [Expr, Expr] {
    if (isUnknown(l) && isUnknown(r)) return [this.castTo(l, VARCHAR, 'implicit', pos), this.castTo(r, VARCHAR, 'implicit', pos)];
    if (isUnknown(l)) return [this.castTo(l, r.type, 'implicit', pos), r];
    if (isUnknown(r)) return [l, this.castTo(r, l.type, 'implicit', pos)];
    const lt = l.type;
    const rt = r.type;
    if (isNumeric(lt) && isNumeric(rt)) {
      if (isInteger(lt) && isInteger(rt)) return [l, r];
      const t = commonNumeric(lt, rt);
      return [this.castTo(l, t, 'implicit', pos), this.castTo(r, t, 'implicit', pos)];
    }
    if (isString(lt) && isString(rt)) {
      if (lt.id === 'char' && rt.id !== 'char') return [l, this.rtrim(r)];
      if (rt.id === 'char' && lt.id !== 'char') return [this.rtrim(l), r];
      return [l, r];
    }
    if (isTemporal(lt) && isTemporal(rt)) return [l, r];
    if (lt.id === 'boolean' && rt.id === 'boolean') return [l, r];
    void what;
    throw this.error('TYPE_MISMATCH', `cannot compare ${shortName(lt)} with ${shortName(rt)}`, pos);
  }

  private rtrim(e: Expr): Expr {
    if (e.k === 'lit') return typeof e.value === 'string' ? lit(e.value.replace(/ +$/, ''), e.type) : e;
    return fnCall('rtrim', [e], e.type);
  }

  /** Common type of several values, each converted to it (CASE, COALESCE, GREATEST, VALUES, UNION). */
  unify(values: readonly Expr[], positions: readonly number[], what: string): Expr[] {
    const t = commonType(
      values.map((v) => v.type),
      values.map(isUnknown),
    );
    if (!t) {
      const known = values.filter((v) => !isUnknown(v));
      const a = known[0]!.type;
      const b = known.find((v) => commonType([a, v.type], [false, false]) === null)!.type;
      throw this.error('TYPE_MISMATCH', `${what} types ${shortName(a)} and ${shortName(b)} cannot be matched`, positions[values.indexOf(known.find((v) => v.type === b)!)] ?? positions[0]!);
    }
    return values.map((v, i) => {
      const c = this.castTo(v, t, 'implicit', positions[i]!);
      // castTo leaves a narrower integer as it is (an operator takes either width); here the values become one
      // value of type t (CASE, COALESCE, GREATEST, ...) whose type is taken from them: an INTEGER branch of a
      // BIGINT CASE made the CASE an INTEGER and wrapped its BIGINT values to 32 bits
      if (!isInteger(c.type) || !isInteger(t) || identical(c.type, t)) return c;
      return physicalKind(c.type) === physicalKind(t) ? { ...c, type: t } : call('cast', [c], t);
    });
  }

  private inList(e: ast.InListExpr, env: ExprEnv): Expr {
    const a0 = this.bind(e.arg, env);
    const items0 = e.list.map((x) => this.bind(x, env));
    const all = this.unifyIn(a0, items0, e);
    const a = all[0]!;
    const items = all.slice(1).map(fold);
    if (items.every((x) => x.k === 'lit')) {
      const values: (number | string)[] = [];
      const seen = new Set<number | string>();
      let hasNull = false;
      for (const x of items) {
        const v = (x as Extract<Expr, { k: 'lit' }>).value;
        if (v === null) hasNull = true;
        else if (!seen.has(v)) {
          seen.add(v);
          values.push(v);
        }
      }
      if (a.k === 'lit') return fold({ k: 'in', arg: a, values, hasNull, negated: e.negated, type: BOOLEAN });
      return { k: 'in', arg: a, values, hasNull, negated: e.negated, type: BOOLEAN };
    }
    const ors = orAll(items.map((x) => call('eq', [a, x], BOOLEAN)))!;
    return e.negated ? not(ors) : fold(ors);
  }

  private unifyIn(a: Expr, items: Expr[], e: ast.InListExpr): Expr[] {
    const values = [a, ...items];
    // an exact column against exact constants: the constants at the column's scale (a constant that has
    // more digits than the column can never equal it and is dropped), so the column is read as it is
    const exact = (t: SqlType) => isInteger(t) || t.id === 'decimal';
    if (!isConstant(a) && exact(a.type) && items.every((x) => x.k === 'lit' && (x.value === null || (exact(x.type) && !isUnknown(x))))) {
      const sa = scaleOf(a.type);
      const out: Expr[] = [a];
      for (const x of items) {
        const v = (x as Extract<Expr, { k: 'lit' }>).value;
        if (v === null) {
          out.push(lit(null, a.type));
          continue;
        }
        const sx = scaleOf(x.type);
        const scaled = sx <= sa ? (v as number) * 10 ** (sa - sx) : (v as number) / 10 ** (sx - sa);
        if (Number.isSafeInteger(scaled)) out.push(lit(scaled, a.type));
      }
      return out;
    }
    if (isString(a.type) || isUnknown(a)) {
      // strings: each item compared as with '='
      return [a, ...items.map((x, i) => this.unifyPair(a, x, e.list[i]!.pos)[1])].map((x, i) => (i > 0 && a.type.id === 'char' && x.k === 'lit' && typeof x.value === 'string' ? lit(x.value.replace(/ +$/, ''), x.type) : x));
    }
    const t = commonType(
      values.map((v) => v.type),
      values.map(isUnknown),
    );
    if (!t) {
      const bad = items.findIndex((x) => !isUnknown(x) && commonType([a.type, x.type], [false, false]) === null);
      throw this.error('TYPE_MISMATCH', `cannot compare ${shortName(a.type)} with ${shortName(items[Math.max(0, bad)]!.type)}`, e.list[Math.max(0, bad)]!.pos);
    }
    const target = isInteger(t) ? BIGINT : t;
    return values.map((v, i) => {
      if (isInteger(v.type) && isInteger(t) && !isUnknown(v)) return v;
      return this.castTo(v, target, 'implicit', i === 0 ? e.arg.pos : e.list[i - 1]!.pos);
    });
  }

  private like(e: ast.LikeExpr, env: ExprEnv): Expr {
    const a0 = this.bind(e.arg, env);
    const a = isUnknown(a0) ? this.castTo(a0, VARCHAR, 'implicit', e.arg.pos) : a0;
    if (!isString(a.type)) throw this.error('TYPE_MISMATCH', `operator does not exist: ${shortName(a.type)} ${e.caseInsensitive ? 'ILIKE' : 'LIKE'} varchar`, e.pos);
    const p = fold(this.asString(this.bind(e.pattern, env), e.pattern.pos));
    const x = e.escape ? fold(this.asString(this.bind(e.escape, env), e.escape.pos)) : null;
    if (p.k !== 'lit' || (x !== null && x.k !== 'lit')) {
      // a pattern (or escape) computed per row
      const m = call('like', x ? [a, p, x] : [a, p], BOOLEAN, e.caseInsensitive ? 'i' : undefined);
      return e.negated ? not(m) : fold(m);
    }
    let escape: string | null = null;
    if (x) {
      if ((x as Extract<Expr, { k: 'lit' }>).value === null) return lit(null, BOOLEAN);
      escape = (x as Extract<Expr, { k: 'lit' }>).value as string;
      if (escape.length > 1) throw this.error('INVALID_VALUE', 'invalid escape string: it must be empty or one character', e.escape!.pos);
    }
    if (p.value === null) return lit(null, BOOLEAN);
    const out: Expr = { k: 'like', arg: a, pattern: p.value as string, escape, caseInsensitive: e.caseInsensitive, negated: e.negated, type: BOOLEAN };
    return fold(out);
  }

  private caseExpr(e: ast.CaseExpr, env: ExprEnv): Expr {
    const operand = e.operand ? this.bind(e.operand, env) : null;
    const conds = e.whens.map((w) => {
      const v = this.bind(w.when, env);
      return operand ? this.compare('eq', operand, v, w.when.pos) : this.asBoolean(v, w.when.pos, 'CASE/WHEN');
    });
    const results = [...e.whens.map((w) => this.bind(w.then, env)), ...(e.otherwise ? [this.bind(e.otherwise, env)] : [])];
    const positions = [...e.whens.map((w) => w.then.pos), ...(e.otherwise ? [e.otherwise.pos] : [])];
    const unified = this.unify(results, positions, 'CASE');
    const type = unified[0]!.type;
    const whens = conds.map((c, i) => ({ when: c, then: unified[i]! }));
    // drop branches that can never be taken; a first branch that always is taken decides
    const kept: { when: Expr; then: Expr }[] = [];
    let otherwise: Expr | null = e.otherwise ? unified[unified.length - 1]! : null;
    for (const w of whens) {
      if (w.when.k === 'lit') {
        if (w.when.value === 1) {
          otherwise = w.then;
          break;
        }
        continue;
      }
      kept.push(w);
    }
    if (kept.length === 0) return otherwise ?? lit(null, type);
    return fold({ k: 'case', whens: kept, otherwise, type });
  }

  // ------------------------------------------------------------ functions

  /** A scalar function: its binding rules come from the registry (engine/functions). */
  private func(e: ast.FunctionCall, env: ExprEnv): Expr {
    if (isAggregateCall(e)) {
      if (isRefusedAggregate(e.name)) throw this.error('UNSUPPORTED', `aggregate function ${e.name} is not supported`, e.pos);
      throw this.error('SYNTAX', `aggregate functions are not allowed in ${env.clause}`, e.pos);
    }
    if (e.withinGroup) throw this.error('SYNTAX', `WITHIN GROUP is only allowed with LISTAGG, not with ${e.name}()`, e.pos);
    if (e.filter) throw this.error('SYNTAX', `FILTER is only allowed with aggregate functions, not with ${e.name}()`, e.pos);
    if (isGroupingCall(e)) throw this.error('SYNTAX', `${e.name.toUpperCase()} is only allowed in the select list, HAVING and ORDER BY of a query with GROUP BY`, e.pos);
    if (e.distinct || e.star) throw this.error('SYNTAX', `${e.distinct ? 'DISTINCT' : '*'} is only allowed in aggregate functions, not in ${e.name}()`, e.pos);
    const f = lookupFunction(e.name);
    if (!f) throw this.error('UNSUPPORTED', `function ${e.name}() does not exist${didYouMean(e.name, [...functionNames(), ...aggregateNames()])}`, e.pos);
    return fold(f.bind(new CallBinding(this, e, env)));
  }

  /** An operator the function registry binds (~, SIMILAR TO, IS DISTINCT FROM), its operands as the arguments. */
  private operator(symbol: string, operands: readonly ast.Expr[], pos: number, env: ExprEnv): Expr {
    const call: ast.FunctionCall = { kind: 'function', name: symbol, args: operands, distinct: false, star: false, pos };
    return fold(lookupOperator(symbol).bind(new CallBinding(this, call, env)));
  }

  // ------------------------------------------------------------ aggregates

  /**
   * An aggregate call: the aggregates it needs (arguments bound over the
   * input) and how its value is made of them, by its entry in the function
   * registry (functions/aggregate.ts). What every aggregate shares is checked
   * here.
   */
  bindAggregate(e: ast.FunctionCall, input: ExprEnv, windowed = false): AggregateBinding {
    const f = lookupAggregate(e.name);
    if (!f) {
      if (isRefusedAggregate(e.name)) throw this.error('UNSUPPORTED', `aggregate function ${e.name} is not supported`, e.pos);
      throw new Error(`bindAggregate: ${e.name} is no aggregate`);
    }
    // an aggregate OVER a window may take the query's aggregates: sum(sum(x)) OVER (...)
    for (const a of windowed ? [] : e.args) {
      if (containsAggregate(a)) throw this.error('SYNTAX', 'aggregate function calls cannot be nested', a.pos);
    }
    // a subquery in the argument joins the aggregate's input (input.rel), evaluated per input row
    const env: ExprEnv = { ...input, clause: `aggregate function ${e.name}` };
    if (e.approximate) {
      if (!f.approximate) throw this.error('SYNTAX', 'APPROXIMATE is only supported with COUNT(DISTINCT expression)', e.pos);
      return f.approximate(this, e, env);
    }
    if (e.withinGroup && !f.withinGroup) {
      throw this.error('SYNTAX', `WITHIN GROUP is only allowed with ${withinGroupNames()}, not with ${e.name}()`, e.pos);
    }
    return f.bind(this, e, env);
  }

  fold(e: Expr): Expr {
    return fold(e);
  }

  containsAggregate(e: ast.Expr): boolean {
    return containsAggregate(e);
  }
}

/** The aggregates that take WITHIN GROUP, as an error message lists them: "LISTAGG, PERCENTILE_CONT and PERCENTILE_DISC". */
function withinGroupNames(): string {
  const names = AGGREGATE_FAMILY.functions.filter((f) => f.withinGroup).map((f) => f.names[0].toUpperCase());
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('');
}

const COMPARE_OPS = { '=': 'eq', '<>': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' } as const;
const FLIP = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' } as const;
const ARITH_OPS: Record<string, Op> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod' };

/** A DECIMAL constant at the smallest scale that holds its value exactly. */
function trimScale(e: Expr): Expr {
  if (e.k !== 'lit' || e.type.id !== 'decimal' || typeof e.value !== 'number') return e;
  let v = e.value;
  let s = scaleOf(e.type);
  while (s > 0 && v % 10 === 0) {
    v /= 10;
    s--;
  }
  return s === scaleOf(e.type) ? e : lit(v, decimalType(Math.max(1, precisionOf(e.type) - scaleOf(e.type) + s), s));
}

function negate(e: Expr): Expr {
  if (e.k === 'lit' && typeof e.value === 'number') return lit(-e.value, e.type);
  return call('neg', [e], e.type);
}

/** `date op ts` as `date op' day` when that is equivalent (ts a constant). */
function dateBound(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', ts: number): { op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; value: number } | null {
  const days = ts / DAY_US;
  if (Number.isInteger(days)) return { op, value: days };
  switch (op) {
    case 'lt':
      return { op: 'lt', value: Math.ceil(days) };
    case 'le':
      return { op: 'le', value: Math.floor(days) };
    case 'gt':
      return { op: 'gt', value: Math.floor(days) };
    case 'ge':
      return { op: 'ge', value: Math.ceil(days) };
    default:
      return null;
  }
}

/** The type an untyped literal takes next to a value of type t in arithmetic. */
function unknownPartner(t: SqlType, op: Op, literalIsLeft: boolean): SqlType {
  if (isNumeric(t)) return t;
  if (t.id === 'date') return op === 'sub' && !literalIsLeft ? DATE : INTEGER;
  return t;
}
