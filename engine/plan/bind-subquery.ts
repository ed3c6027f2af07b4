/**
 * Subqueries without per-row re-execution: each becomes a join attached to the
 * relation of the query that contains it.
 *
 *  WHERE-level conjuncts (no value needed):
 *    [NOT] EXISTS (q)       -> semi / anti join; q's correlated conditions (any
 *                              comparison, e.g. l3.l_suppkey <> l1.l_suppkey)
 *                              become the join condition
 *    x IN (q), x = ANY (q)  -> semi join on x = q.col (and the correlations)
 *    x NOT IN (q), <> ALL   -> null-aware anti join when q is uncorrelated (a NULL
 *                              in q rejects every row; a NULL x qualifies only when
 *                              q is empty); correlated: NOT of the value form below
 *
 *  Values (anywhere an expression is: SELECT list, under OR, CASE, HAVING):
 *    (q) scalar             -> uncorrelated: a 'single' join (at most one row, a
 *                              CARDINALITY error at run time otherwise; NULL when
 *                              none). Correlated with an aggregate: q's rows are
 *                              grouped by the correlation and left-joined back;
 *                              the select expression is computed above the join,
 *                              so COUNT of an empty group is 0 (not NULL).
 *                              Correlated without an aggregate: a 'single' join
 *                              on the correlation conditions.
 *    EXISTS (q)             -> left join to q grouped by the correlation; true
 *                              when matched (one row of q when uncorrelated)
 *    x [NOT] IN (q)         -> a "mark" from two left joins: the distinct
 *                              (correlation, value) pairs, and per correlation
 *                              the row and non-NULL counts, giving SQL's
 *                              three-valued result
 *    x op ANY/ALL (q)       -> min, max and counts of q (uncorrelated)
 *
 *  A correlated EXISTS over an aggregating subquery tests whether it returns a
 *  row: without GROUP BY it always does (one row, even over no input) unless a
 *  HAVING rejects it, so it is TRUE, or the HAVING computed like a correlated
 *  scalar aggregate (over an empty group too); with GROUP BY, q is grouped by
 *  the correlation and its own keys, filtered by HAVING, and semi-joined.
 *
 * "Grouped by the correlation": when every correlation is inner_expr =
 * outer_expr, by the inner expressions; otherwise by the distinct outer values
 * the correlations read, joined to q's rows by the correlations themselves
 * (t2.id <= t1.id: a running total), and joined back NULL-safely.
 *
 * Correlated references directly in a subquery's WHERE conditions become the
 * correlation conditions. A reference anywhere else in the subquery (its select
 * list, or a subquery of its own: a correlation two levels up) is imported: the
 * subquery is bound again with the distinct values of those outer columns
 * cross-joined to its FROM relation (the "magic set" of the correlation), where
 * nested subqueries and expressions read them as ordinary columns, and the
 * subquery is correlated to the outer query by the NULL-safe equality of each
 * imported column with its source. A subquery whose body is not a plain SELECT
 * (a set operation, WITH), or a correlated one with LIMIT/OFFSET, is reported
 * as UNSUPPORTED, as are GROUP BY/HAVING in correlated scalar and IN subqueries.
 */
import type * as ast from '../sql/ast.js';
import type { Expr } from './expr.js';
import { columnsOf, remapColumns } from './expr.js';
import type { LogicalAgg, LogicalNode } from './logical.js';
import type { Field } from './physical.js';
import { OuterReferenceError, Scope, type ScopeColumn } from './bind-scope.js';
import {
  AggregateRegistry,
  and,
  andAll,
  call,
  col,
  collectAggregates,
  containsAggregate,
  containsSubquery,
  exprKey,
  mapColumns,
  not,
  outputName,
  type AggState,
  type ExprEnv,
  type SubqueryBinder,
} from './bind-expr.js';
import { BIGINT, BOOLEAN, lit, sqlError } from './coerce.js';
import type { QueryBinder, SelectParts } from './bind-query.js';
import { aggregateNode, allColumns, filterNode, joinNode, limitNode, projectNode } from './logical-build.js';

/** At most this many outer columns are imported into one subquery. */
const MAX_IMPORTS = 64;

/** A conjunct the WHERE clause can turn into a semi or anti join. */
export function isSemiJoinConjunct(e: ast.Expr): boolean {
  const u = unwrapNot(e).expr;
  if (u.kind === 'exists') return true;
  if (u.kind === 'inSubquery') return !containsSubquery(u.arg);
  if (u.kind === 'quantified') {
    return !containsSubquery(u.arg) && ((u.op === '=' && u.quantifier === 'any') || (u.op === '<>' && u.quantifier === 'all'));
  }
  return false;
}

function unwrapNot(e: ast.Expr): { expr: ast.Expr; negated: boolean } {
  let negated = false;
  while (e.kind === 'unary' && e.op === 'not') {
    negated = !negated;
    e = e.arg;
  }
  return { expr: e, negated };
}

type Correlated = { readonly correlated: true; readonly parts: SelectParts; readonly width: number; readonly query: ast.Query };
type Analysis = { readonly correlated: false; readonly node: LogicalNode } | Correlated;

interface Correlation {
  /** The rows to group: the subquery's (FROM + WHERE), possibly joined to the outer values. */
  readonly source: LogicalNode;
  readonly keys: readonly EqualityKey[];
}

interface EqualityKey {
  /** Over the outer relation's fields. */
  readonly outer: Expr;
  /** Over the source's fields. */
  readonly inner: Expr;
  /** Whether the join back must match a NULL key with a NULL key. */
  readonly nullSafe: boolean;
}

/**
 * What a correlated EXISTS tests: whether the subquery has rows (no
 * aggregation), always TRUE (aggregates without GROUP BY or HAVING: one row),
 * its HAVING over the one group (aggregates without GROUP BY), or whether some
 * group survives HAVING (GROUP BY).
 */
type ExistsShape = 'rows' | 'always' | 'having' | 'groups';

/** a IS NOT DISTINCT FROM b, as two equalities (each usable as a hash-join key). */
function nullSafeEq(a: Expr, b: Expr): Expr[] {
  const t = a.type;
  const zero = lit(t.id === 'char' || t.id === 'varchar' ? '' : 0, t);
  return [
    call('eq', [call('isNull', [a], BOOLEAN), call('isNull', [b], BOOLEAN)], BOOLEAN),
    call('eq', [call('coalesce', [a, zero], t), call('coalesce', [b, zero], t)], BOOLEAN),
  ];
}

export class Subqueries implements SubqueryBinder {
  constructor(private readonly b: QueryBinder) {}

  private error(code: Parameters<typeof sqlError>[1], message: string, pos: number) {
    return sqlError(this.b.sql, code, message, pos);
  }

  /**
   * Binds q against the outer environment and hands the result to `use`, which
   * attaches it to env's relation. An outer column referenced where it cannot
   * be a correlation condition (see the header) is imported, and q bound again.
   */
  private withSubquery<T>(q: ast.Query, env: ExprEnv, use: (a: Analysis) => T): T {
    const imports: ScopeColumn[] = [];
    const rel = env.rel!;
    const saved = rel.node;
    const outerScope = env.agg ? env.agg.groupScope : env.scope;
    const plain = q.body.kind === 'select' && q.with.length === 0;
    for (;;) {
      try {
        return use(this.analyze(q, env, imports));
      } catch (err) {
        rel.node = saved;
        if (
          plain &&
          err instanceof OuterReferenceError &&
          err.scope === outerScope &&
          imports.length < MAX_IMPORTS &&
          !imports.some((c) => c.index === err.column.index)
        ) {
          imports.push(err.column);
          continue;
        }
        throw err;
      }
    }
  }

  /** Binds q against the outer environment: either an ordinary (uncorrelated) plan, or its parts with the correlations. */
  private analyze(q: ast.Query, env: ExprEnv, imports: readonly ScopeColumn[]): Analysis {
    const outerScope = env.agg ? env.agg.groupScope : env.scope;
    const node = env.rel!.node;
    const width = node.fields.length;
    if (q.body.kind === 'select' && q.with.length === 0) {
      const parts = this.b.selectParts(q.body, { scope: outerScope, width, node, imports }, null);
      if (parts.correlated.length === 0 && parts.importKeys.length === 0) return { correlated: false, node: this.b.finishSelect(parts, q) };
      if (q.limit !== null || q.offset !== null) throw this.error('UNSUPPORTED', 'LIMIT/OFFSET in a correlated subquery is not supported', q.pos);
      if (q.body.groupingSets) throw this.error('UNSUPPORTED', 'ROLLUP, CUBE and GROUPING SETS in a correlated subquery are not supported', q.body.pos);
      return { correlated: true, parts, width, query: q };
    }
    return { correlated: false, node: this.b.query(q, outerScope) };
  }

  /** Every correlation as a condition over the outer's fields followed by the subquery's. */
  private conditions(a: Correlated): Expr[] {
    const w = a.width;
    return [...a.parts.correlated, ...a.parts.importKeys.flatMap((k) => nullSafeEq(k.outer, remapColumns(k.inner, (i) => i + w)))];
  }

  /** The correlations as inner = outer equalities, or null if one is not. */
  private equalities(a: Correlated): EqualityKey[] | null {
    const w = a.width;
    const keys: EqualityKey[] = [];
    for (const p of a.parts.correlated) {
      if (p.k !== 'call' || p.op !== 'eq') return null;
      const [x, y] = p.args as [Expr, Expr];
      const side = (e: Expr): 'outer' | 'inner' | 'mixed' => {
        const cols = [...columnsOf(e)];
        if (cols.length && cols.every((c) => c < w)) return 'outer';
        if (cols.length && cols.every((c) => c >= w)) return 'inner';
        return 'mixed';
      };
      const sx = side(x);
      const sy = side(y);
      const shift = (e: Expr) => remapColumns(e, (i) => i - w);
      if (sx === 'outer' && sy === 'inner') keys.push({ outer: x, inner: shift(y), nullSafe: false });
      else if (sx === 'inner' && sy === 'outer') keys.push({ outer: y, inner: shift(x), nullSafe: false });
      else return null;
    }
    for (const k of a.parts.importKeys) keys.push({ outer: k.outer, inner: k.inner, nullSafe: true });
    return keys;
  }

  /**
   * What a value-form subquery is grouped by, and over which rows. When every
   * correlation is inner_expr = outer_expr (or an imported column), the
   * subquery's own rows grouped by the inner expressions. Otherwise (t2.id <=
   * t1.id, t.x IS NULL, ...) the distinct outer values the correlations read
   * are joined to the subquery's rows by the correlations, and the result is
   * grouped by those values and joined back NULL-safely (a correlation may hold
   * for a NULL outer value).
   */
  private correlation(a: Correlated, env: ExprEnv): Correlation {
    const keys = this.equalities(a);
    if (keys && keys.length) return { source: a.parts.rel.node, keys };
    const w = a.width;
    const outer = env.rel!.node;
    const inner = a.parts.rel.node;
    const conditions = a.parts.correlated;
    const cols = [...new Set(conditions.flatMap((p) => [...columnsOf(p)].filter((c) => c < w)))].sort((x, y) => x - y);
    const domainFields: Field[] = cols.map((c) => ({ ...outer.fields[c]! }));
    const domain: LogicalNode = { op: 'distinct', input: projectNode(outer, cols.map((c) => col(c, outer.fields[c]!.type)), domainFields), fields: domainFields };
    const iw = inner.fields.length;
    const cond = andAll(conditions.map((p) => remapColumns(p, (i) => (i < w ? iw + cols.indexOf(i) : i - w))));
    const source = joinNode('inner', inner, domain, cond);
    return {
      source,
      keys: [
        ...cols.map((c, j) => ({ outer: col(c, outer.fields[c]!.type), inner: col(iw + j, outer.fields[c]!.type), nullSafe: true })),
        // imported columns are the subquery's own: grouped as they are (a select item may read them)
        ...a.parts.importKeys.map((k) => ({ outer: k.outer, inner: k.inner, nullSafe: true })),
      ],
    };
  }

  /** The join back from the outer relation (fields 0..w) to a grouped result whose first columns are the keys. */
  private keyCondition(keys: readonly EqualityKey[], w: number, extra: Expr[] = []): Expr | null {
    const conds: Expr[] = [];
    keys.forEach((k, i) => {
      const g = col(w + i, k.inner.type);
      if (k.nullSafe) conds.push(...nullSafeEq(k.outer, g));
      else conds.push(call('eq', [k.outer, g], BOOLEAN));
    });
    return andAll([...conds, ...extra]);
  }

  /** The subquery's environment for its own select list. */
  private innerEnv(parts: SelectParts, clause: string): ExprEnv {
    return { scope: parts.scope, rel: parts.rel, agg: null, clause };
  }

  /** The single select item of a subquery. */
  private singleItem(body: ast.SelectBody, pos: number, what: string): ast.Expr {
    if (body.items.length !== 1) throw this.error('SYNTAX', `${what} must return only one column`, pos);
    const item = body.items[0]!;
    if (item.kind === 'star') throw this.error('UNSUPPORTED', `SELECT * in a correlated ${what} is not supported; name the column`, item.pos);
    return item.expr;
  }

  private rejectGrouping(parts: SelectParts, what: string): void {
    const body = parts.body;
    if (body.groupBy.length || body.having) throw this.error('UNSUPPORTED', `GROUP BY/HAVING in a correlated ${what} is not supported`, body.pos);
  }

  private oneColumn(node: LogicalNode, pos: number, what: string): void {
    if (node.fields.length !== 1) throw this.error('SYNTAX', `${what} must return only one column`, pos);
  }

  private attach(env: ExprEnv, node: LogicalNode): void {
    env.rel!.node = node;
  }

  // ------------------------------------------------------------ EXISTS over aggregates

  private existsShape(a: Correlated): ExistsShape {
    const body = a.parts.body;
    if (body.groupBy.length) return 'groups';
    if (body.having) return 'having';
    const aggregated = body.items.some((i) => i.kind === 'expr' && containsAggregate(i.expr)) || a.query.orderBy.some((o) => containsAggregate(o.expr));
    return aggregated ? 'always' : 'rows';
  }

  /**
   * The select list of an aggregating subquery bound over its single group, for
   * its errors only (an unknown column, a column neither grouped nor
   * aggregated): EXISTS does not read the values.
   */
  private checkAggregateItems(a: Correlated): void {
    const parts = a.parts;
    const items = this.b.expandItems(parts.body, parts.scope).map((i) => i.ast);
    const { state } = this.groupedBy(parts, { source: parts.rel.node, keys: [] }, items);
    for (const x of items) this.b.exprs.bind(x, { scope: Scope.empty(), rel: null, agg: state, clause: 'SELECT' });
  }

  /**
   * EXISTS (q) for q with GROUP BY: q's rows grouped by the correlation keys and
   * q's own GROUP BY, filtered by HAVING; the first columns are the keys.
   */
  private survivingGroups(a: Correlated, corr: Correlation): LogicalNode {
    const parts = a.parts;
    const body = parts.body;
    const items = this.b.expandItems(body, parts.scope);
    const groupEnv: ExprEnv = { scope: parts.scope, rel: null, agg: null, clause: 'GROUP BY' };
    const own: Expr[] = [];
    for (const g of body.groupBy) {
      const e = this.b.groupItem(g, items, groupEnv);
      if (!own.some((x) => exprKey(x) === exprKey(e))) own.push(e);
    }
    const exprs = body.having ? [body.having] : [];
    const { node, state } = this.groupedBy(parts, corr, exprs, own);
    if (!body.having) return node;
    const h = this.b.exprs.bindCondition(body.having, { scope: Scope.empty(), rel: null, agg: state, clause: 'HAVING' });
    return h.k === 'lit' && h.value === 1 ? node : filterNode(node, h);
  }

  /**
   * The value of `exprs` (aggregates of the correlated subquery a) per outer
   * row: a's rows grouped by the correlation and left-joined to env's relation;
   * an outer row without rows reads COUNTs as 0 and other aggregates as NULL.
   */
  private aggregatedValues(a: Correlated, env: ExprEnv, exprs: readonly ast.Expr[], clause: string): Expr[] {
    const rel = env.rel!;
    const w = rel.node.fields.length;
    const corr = this.correlation(a, env);
    const keys = corr.keys;
    const { node, state, countLike } = this.groupedBy(a.parts, corr, exprs);
    this.attach(env, joinNode('left', rel.node, node, this.keyCondition(keys, w)));
    const g = keys.length;
    return exprs.map((x) => {
      const v = this.b.exprs.bind(x, { scope: Scope.empty(), rel: null, agg: state, clause });
      return mapColumns(v, (c) => {
        // an imported outer column is a NULL-safe key: read it from the outer row (the group may be empty)
        if (c.index < g && keys[c.index]!.nullSafe) return keys[c.index]!.outer;
        const shifted = col(w + c.index, c.type);
        // an empty group is no row of the join: COUNT reads 0 there, as it would have over no rows
        if (c.index >= g && countLike.has(c.index - g)) return call('coalesce', [shifted, lit(0, BIGINT)], BIGINT);
        return shifted;
      });
    });
  }

  /** The HAVING of an aggregating subquery without GROUP BY, per outer row: does its one row survive? */
  private havingHolds(a: Correlated, env: ExprEnv): Expr {
    const having = a.parts.body.having!;
    const [h] = this.aggregatedValues(a, env, [having], 'HAVING');
    return call('isTrue', [this.b.exprs.asBoolean(h!, having.pos, 'HAVING')], BOOLEAN);
  }

  // ------------------------------------------------------------ WHERE conjuncts

  attachConjunct(c: ast.Expr, env: ExprEnv): boolean {
    const { expr, negated } = unwrapNot(c);
    if (expr.kind === 'exists') {
      const anti = expr.negated !== negated;
      return this.withSubquery(expr.query, env, (a) => {
        const left = env.rel!.node;
        if (!a.correlated) {
          this.attach(env, joinNode(anti ? 'anti' : 'semi', left, limitNode(a.node, 1, 0), null));
          return true;
        }
        switch (this.existsShape(a)) {
          case 'rows':
            this.attach(env, joinNode(anti ? 'anti' : 'semi', left, a.parts.rel.node, andAll(this.conditions(a))));
            return true;
          case 'always':
            this.checkAggregateItems(a);
            if (anti) this.attach(env, filterNode(left, lit(0, BOOLEAN)));
            return true;
          case 'having': {
            const h = this.havingHolds(a, env);
            this.attach(env, filterNode(env.rel!.node, anti ? not(h) : h));
            return true;
          }
          case 'groups': {
            const corr = this.correlation(a, env);
            const groups = this.survivingGroups(a, corr);
            this.attach(env, joinNode(anti ? 'anti' : 'semi', left, groups, this.keyCondition(corr.keys, left.fields.length)));
            return true;
          }
        }
      });
    }
    // x IN (q), x = ANY (q), and their negations
    const isIn = expr.kind === 'inSubquery' || expr.kind === 'quantified';
    if (!isIn) return false;
    const e = expr as ast.InSubqueryExpr | ast.QuantifiedExpr;
    const anti = (e.kind === 'inSubquery' ? e.negated : e.op === '<>') !== negated;
    const x = this.b.exprs.bind(e.arg, env);
    return this.withSubquery(e.query, env, (a) => {
      const w = env.rel!.node.fields.length;
      if (!a.correlated) {
        this.oneColumn(a.node, e.query.pos, 'subquery');
        const y = a.node.fields[0]!;
        const [lx, ry] = this.b.exprs.unifyPair(x, col(w, y.type), e.pos);
        this.attach(env, joinNode(anti ? 'antiNullAware' : 'semi', env.rel!.node, a.node, call('eq', [lx!, ry!], BOOLEAN)));
        return true;
      }
      if (anti) {
        // NOT IN over a correlated subquery: the three-valued value form
        const v = this.inValue(e, x, a, env);
        env.rel!.node = filterNode(env.rel!.node, not(v));
        return true;
      }
      const body = a.parts.body;
      this.rejectGrouping(a.parts, 'IN subquery');
      const item = this.singleItem(body, e.query.pos, 'subquery');
      if (containsAggregate(item)) throw this.error('UNSUPPORTED', 'an aggregate in a correlated IN subquery is not supported', item.pos);
      const y = this.b.exprs.bind(item, this.innerEnv(a.parts, 'SELECT'));
      const right = a.parts.rel.node;
      const [lx, ry] = this.b.exprs.unifyPair(x, remapColumns(y, (i) => i + w), e.pos);
      const cond = and(call('eq', [lx!, ry!], BOOLEAN), andAll(this.conditions(a))!);
      this.attach(env, joinNode('semi', env.rel!.node, right, cond));
      return true;
    });
  }

  // ------------------------------------------------------------ values

  scalar(e: ast.ScalarSubquery, env: ExprEnv): Expr {
    return this.withSubquery(e.query, env, (a) => {
      const rel = env.rel!;
      const w = rel.node.fields.length;
      if (!a.correlated) {
        this.oneColumn(a.node, e.query.pos, 'subquery used as an expression');
        this.b.subqueryNames.set(e, a.node.fields[0]!.name);
        this.attach(env, joinNode('single', rel.node, a.node, null));
        return col(w, a.node.fields[0]!.type);
      }
      const parts = a.parts;
      const body = parts.body;
      this.rejectGrouping(parts, 'scalar subquery');
      if (body.distinct) throw this.error('UNSUPPORTED', 'DISTINCT in a correlated scalar subquery is not supported', body.pos);
      const item = this.singleItem(body, e.query.pos, 'subquery used as an expression');
      const alias = body.items[0]!.kind === 'expr' ? body.items[0]!.alias?.name : undefined;
      this.b.subqueryNames.set(e, alias ?? outputName(item));
      if (!containsAggregate(item)) {
        // at most one row per outer row, checked at run time
        const y = this.b.exprs.bind(item, this.innerEnv(parts, 'SELECT'));
        const right = projectNode(parts.rel.node, [...allColumns(parts.rel.node), y], [...parts.rel.node.fields, { name: 'value', type: y.type }]);
        this.attach(env, joinNode('single', rel.node, right, andAll(this.conditions(a))));
        return col(w + parts.rel.node.fields.length, y.type);
      }
      return this.aggregatedValues(a, env, [item], 'subquery')[0]!;
    });
  }

  /** The subquery's input grouped by the correlation keys (then `own` keys), with the aggregates of `exprs`. */
  private groupedBy(
    parts: SelectParts,
    corr: Correlation,
    exprs: readonly ast.Expr[],
    own: readonly Expr[] = [],
  ): { node: LogicalNode; state: AggState; countLike: Set<number> } {
    const inputEnv: ExprEnv = { scope: parts.scope, rel: null, agg: null, clause: 'SELECT' };
    const groups = [...corr.keys.map((k) => k.inner), ...own];
    const calls: ast.FunctionCall[] = [];
    for (const x of exprs) collectAggregates(x, calls);
    const registry = new AggregateRegistry(this.b.exprs, inputEnv, groups.length);
    for (const c of calls) registry.add(c);
    const aggs: LogicalAgg[] = registry.aggs;
    const aggFields: Field[] = registry.fields;
    const countLike = registry.countLike;
    const groupFields: Field[] = groups.map((g, i) => (g.k === 'col' ? { ...corr.source.fields[g.index]! } : { name: `key${i}`, type: g.type }));
    const node = aggregateNode(corr.source, groups, groupFields, aggs, aggFields);
    const state: AggState = {
      input: inputEnv,
      groups,
      groupKeys: groups.map(exprKey),
      aggExprs: registry.exprs,
      groupScope: Scope.empty(),
    };
    return { node, state, countLike };
  }

  exists(e: ast.ExistsExpr, env: ExprEnv): Expr {
    return this.withSubquery(e.query, env, (a) => {
      const rel = env.rel!;
      const w = rel.node.fields.length;
      let v: Expr;
      if (!a.correlated) {
        const one = projectNode(limitNode(a.node, 1, 0), [lit(1, BOOLEAN)], [{ name: 'exists', type: BOOLEAN }]);
        this.attach(env, joinNode('single', rel.node, one, null));
        v = call('isTrue', [col(w, BOOLEAN)], BOOLEAN);
      } else {
        const shape = this.existsShape(a);
        if (shape === 'always') {
          this.checkAggregateItems(a);
          v = lit(1, BOOLEAN);
        } else if (shape === 'having') {
          v = this.havingHolds(a, env);
        } else {
          const corr = this.correlation(a, env);
          const source = shape === 'groups' ? this.survivingGroups(a, corr) : corr.source;
          const groups = shape === 'groups' ? corr.keys.map((k, i) => col(i, k.inner.type)) : corr.keys.map((k) => k.inner);
          // one row per key, with a count: matched rows read it, others NULL
          const node = aggregateNode(source, groups, groups.map((g, i) => ({ name: `key${i}`, type: g.type })), [{ fn: 'countStar', arg: null }], [{ name: 'rows', type: BIGINT }]);
          this.attach(env, joinNode('left', rel.node, node, this.keyCondition(corr.keys, w)));
          v = call('isNotNull', [col(w + groups.length, BIGINT)], BOOLEAN);
        }
      }
      return e.negated ? not(v) : v;
    });
  }

  inSubquery(e: ast.InSubqueryExpr, x: Expr, env: ExprEnv): Expr {
    return this.withSubquery(e.query, env, (a) => {
      const v = this.inValue(e, x, a, env);
      return e.negated ? not(v) : v;
    });
  }

  /**
   * x IN (q) as a value: TRUE when some row of q equals x; else FALSE when q is
   * empty (for this row); else NULL when x is NULL or q holds a NULL; else FALSE.
   */
  private inValue(e: ast.InSubqueryExpr | ast.QuantifiedExpr, x: Expr, a: Analysis, env: ExprEnv): Expr {
    const rel = env.rel!;
    let keys: EqualityKey[] = [];
    let source: LogicalNode;
    let y: Expr;
    if (!a.correlated) {
      this.oneColumn(a.node, e.query.pos, 'subquery');
      source = a.node;
      y = col(0, a.node.fields[0]!.type);
    } else {
      this.rejectGrouping(a.parts, 'IN subquery');
      const item = this.singleItem(a.parts.body, e.query.pos, 'subquery');
      if (containsAggregate(item)) throw this.error('UNSUPPORTED', 'an aggregate in a correlated IN subquery is not supported', item.pos);
      const corr = this.correlation(a, env);
      keys = [...corr.keys];
      source = corr.source;
      y = this.b.exprs.bind(item, this.innerEnv(a.parts, 'SELECT'));
    }
    const k = keys.length;
    // 1. distinct (keys, y), left-joined on keys and x = y
    const w1 = rel.node.fields.length;
    const [lx, ry] = this.b.exprs.unifyPair(x, remapColumns(y, (i) => i + w1 + k), e.pos);
    const yKey = remapColumns(ry!, (i) => i - w1 - k);
    const pairs = aggregateNode(
      source,
      [...keys.map((q) => q.inner), yKey],
      [...keys.map((q, i) => ({ name: `key${i}`, type: q.inner.type })), { name: 'value', type: yKey.type }],
      [],
      [],
    );
    const matchCond = this.keyCondition(keys, w1, [call('eq', [lx!, col(w1 + k, yKey.type)], BOOLEAN)])!;
    this.attach(env, joinNode('left', rel.node, pairs, matchCond));
    const matched = call('isNotNull', [col(w1 + k, yKey.type)], BOOLEAN);
    // 2. per key: rows and non-NULL values
    const w2 = rel.node.fields.length;
    const stats = aggregateNode(
      source,
      keys.map((q) => q.inner),
      keys.map((q, i) => ({ name: `key${i}`, type: q.inner.type })),
      [
        { fn: 'countStar', arg: null },
        { fn: 'count', arg: yKey },
      ],
      [
        { name: 'rows', type: BIGINT },
        { name: 'values', type: BIGINT },
      ],
    );
    const statsCond = this.keyCondition(keys, w2);
    this.attach(env, joinNode(k ? 'left' : 'single', rel.node, stats, statsCond));
    const rows = call('coalesce', [col(w2 + k, BIGINT), lit(0, BIGINT)], BIGINT);
    const values = call('coalesce', [col(w2 + k + 1, BIGINT), lit(0, BIGINT)], BIGINT);
    return {
      k: 'case',
      whens: [
        { when: matched, then: lit(1, BOOLEAN) },
        { when: call('eq', [rows, lit(0, BIGINT)], BOOLEAN), then: lit(0, BOOLEAN) },
        { when: call('isNull', [lx!], BOOLEAN), then: lit(null, BOOLEAN) },
        { when: call('gt', [rows, values], BOOLEAN), then: lit(null, BOOLEAN) },
      ],
      otherwise: lit(0, BOOLEAN),
      type: BOOLEAN,
    };
  }

  quantified(e: ast.QuantifiedExpr, x: Expr, env: ExprEnv): Expr {
    return this.withSubquery(e.query, env, (a) => this.quantifiedValue(e, x, a, env));
  }

  private quantifiedValue(e: ast.QuantifiedExpr, x: Expr, a: Analysis, env: ExprEnv): Expr {
    if ((e.op === '=' && e.quantifier === 'any') || (e.op === '<>' && e.quantifier === 'all')) {
      const v = this.inValue(e, x, a, env);
      return e.op === '<>' ? not(v) : v;
    }
    if (a.correlated) throw this.error('UNSUPPORTED', `a correlated ${e.quantifier.toUpperCase()} subquery is not supported`, e.pos);
    this.oneColumn(a.node, e.query.pos, 'subquery');
    const rel = env.rel!;
    const w = rel.node.fields.length;
    const yType = a.node.fields[0]!.type;
    const y0 = col(0, yType);
    const stats = aggregateNode(
      a.node,
      [],
      [],
      [
        { fn: 'min', arg: y0 },
        { fn: 'max', arg: y0 },
        { fn: 'countStar', arg: null },
        { fn: 'count', arg: y0 },
      ],
      [
        { name: 'min', type: yType },
        { name: 'max', type: yType },
        { name: 'rows', type: BIGINT },
        { name: 'values', type: BIGINT },
      ],
    );
    this.attach(env, joinNode('single', rel.node, stats, null));
    const exprs = this.b.exprs;
    const [lx, mn] = exprs.unifyPair(x, col(w, yType), e.pos);
    const [, mx] = exprs.unifyPair(x, col(w + 1, yType), e.pos);
    const rows = col(w + 2, BIGINT);
    const values = col(w + 3, BIGINT);
    const OPS = { '=': 'eq', '<>': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' } as const;
    const op = OPS[e.op];
    const cmp = (bound: Expr) => call(op, [lx!, bound], BOOLEAN);
    const all = e.quantifier === 'all';
    // ALL: decided FALSE by the extreme that could fail; ANY: decided TRUE by the extreme that could pass
    let decisive: Expr;
    if (e.op === '=' || e.op === '<>') {
      const same = and(call('eq', [lx!, mn!], BOOLEAN), call('eq', [lx!, mx!], BOOLEAN));
      decisive = not(same); // '= ALL' fails, '<> ANY' passes, when some value differs
    } else if (all) decisive = not(cmp(e.op === '<' || e.op === '<=' ? mn! : mx!));
    else decisive = cmp(e.op === '<' || e.op === '<=' ? mx! : mn!);
    const none = all ? lit(1, BOOLEAN) : lit(0, BOOLEAN);
    const hit = all ? lit(0, BOOLEAN) : lit(1, BOOLEAN);
    return {
      k: 'case',
      whens: [
        { when: call('eq', [rows, lit(0, BIGINT)], BOOLEAN), then: none },
        { when: call('isNull', [lx!], BOOLEAN), then: lit(null, BOOLEAN) },
        { when: call('isTrue', [decisive], BOOLEAN), then: hit },
        { when: call('gt', [rows, values], BOOLEAN), then: lit(null, BOOLEAN) },
      ],
      otherwise: none,
      type: BOOLEAN,
    };
  }
}
