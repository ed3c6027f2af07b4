/**
 * The binder: parsed queries (sql/ast.ts) to logical plans (logical.ts) whose
 * expressions are fully typed (expr.ts).
 *
 *   bindQuery(query, ctx)               a SELECT (or any query) to a LogicalNode
 *   bindInsertSource(stmt, table, ctx)  the rows an INSERT adds, in the table's
 *                                       column order and types
 *
 * A SELECT binds in PostgreSQL's order: FROM (tables, views, CTEs, derived
 * tables, system tables, joins), WHERE (plain conditions become one filter;
 * [NOT] EXISTS and [NOT] IN subqueries become semi/anti joins; other
 * subqueries are joined in and read as columns, see bind-subquery.ts), GROUP BY
 * and aggregates, HAVING, the select list, DISTINCT, ORDER BY (output names,
 * ordinals, or any expression, which then rides along as a hidden column),
 * LIMIT/OFFSET. Set operations unify their columns' types.
 *
 * Output columns are named as PostgreSQL names them: the alias, else the column
 * name, else the function name (sum, count, ...), else ?column?.
 */
import type * as ast from '../sql/ast.js';
import { parseStatement } from '../sql/index.js';
import { SqlError, isStackOverflow, overflowError } from '../errors.js';
import type { Catalog, MaterializedViewMeta, TableMeta } from '../catalog/catalog.js';
import { materializedViews } from '../catalog/catalog.js';
import type { SystemTable } from '../catalog/system-tables.js';
import type { ParamValue, SqlType } from '../types.js';
import { batchFromRows, type PhysicalValue } from '../rows.js';
import type { Expr } from './expr.js';
import { columnsOf, remapColumns } from './expr.js';
import type { LogicalAgg, LogicalNode } from './logical.js';
import type { Field, JoinType } from './physical.js';
import { Scope, didYouMean, type ScopeColumn } from './bind-scope.js';
import {
  AggregateRegistry,
  ExprBinder,
  andAll,
  col,
  collectAggregates,
  containsAggregate,
  containsSubquery,
  exprKey,
  factorConjuncts,
  outputName,
  type AggState,
  type ExprEnv,
  type Rel,
} from './bind-expr.js';
import { Subqueries, isSemiJoinConjunct } from './bind-subquery.js';
import { groupingSets, type GroupingState } from './bind-grouping.js';
import { WindowBinder } from './bind-window.js';
import { windowSpecChildren } from '../sql/expr-children.js';
import type { ImportKey, OuterContext, QueryBinder, SelectParts } from './bind-query.js';
import { aggregateNode, allColumns, filterNode, joinNode, limitNode, oneRow, projectNode } from './logical-build.js';
import { commonType, identical, isUnknown, lit, shortName, sqlError } from './coerce.js';
import { fold } from './fold.js';

export interface BindContext {
  readonly catalog: Catalog;
  readonly systemTable: (name: string) => SystemTable | undefined;
  /** The statement's text, for error positions. */
  readonly sql: string;
  /** The values of $1, $2 ... (a prepared statement's execution); absent: the statement has no parameters. */
  readonly params?: readonly ParamValue[];
  /** Filled while binding: the type each untyped parameter was read as (ExprBinder.param). */
  readonly paramTypes?: (SqlType | null)[];
  /** The session's time zone when it is not UTC (statements/settings.ts); absent for UTC. */
  readonly sessionZone?: string;
  /** The user the session acts as (current_user); absent: the data directory's owner. */
  readonly sessionUser?: string;
  /**
   * When set, a table it names is stats-only (catalog/imported-stats.ts): a
   * statement that reads rows refuses it; EXPLAIN and planned-only records
   * leave this out and plan with the imported statistics.
   */
  readonly statsOnly?: (table: TableMeta) => boolean;
  /**
   * When set, the session's privileges are checked (statements/privileges.ts):
   * called for every relation of the catalog a statement names, with the view
   * whose definition names it (null: the statement itself); a message refuses it.
   */
  readonly canRead?: (relation: string, viaView: string | null) => string | null;
}

/** The view whose definition is being bound (the innermost, added last), or null at the statement's own level. */
function lastOf(views: ReadonlySet<string>): string | null {
  let last: string | null = null;
  for (const v of views) last = v;
  return last;
}

/** Binds a query to a logical plan. */
export function bindQuery(query: ast.Query, ctx: BindContext): LogicalNode {
  return new Binder(ctx, ctx.sql, new Set()).query(query, null);
}

/**
 * INSERT's source (VALUES or a query) bound and cast to exactly the target
 * table's column types, in table column order; columns not named get their DEFAULT (NULL when none).
 */
export function bindInsertSource(stmt: ast.InsertStatement, table: Pick<TableMeta, 'name' | 'columns'>, ctx: BindContext): LogicalNode {
  return new Binder(ctx, ctx.sql, new Set()).insertSource(stmt, table);
}

/**
 * UPDATE's source: `query` returns the table's columns (new values, in table
 * order) and then extra columns (the row id); the first are cast to the
 * table's types as an assignment casts them (as INSERT does, errors at
 * `positions`), the extra ones pass as they are.
 */
export function bindAssignedQuery(query: ast.Query, table: TableMeta, positions: readonly number[], ctx: BindContext): LogicalNode {
  return new Binder(ctx, ctx.sql, new Set()).assignedQuery(query, table, positions);
}

interface CteDef {
  readonly node: LogicalNode;
}

function renamed(node: LogicalNode, names: readonly string[], table: string | null): LogicalNode {
  const fields = node.fields.map((f, i) => {
    const out: Field = { name: names[i] ?? f.name, type: f.type };
    if (table !== null) (out as { table?: string }).table = table;
    if (f.source) (out as { source?: Field['source'] }).source = f.source;
    return out;
  });
  if (fields.every((f, i) => f.name === node.fields[i]!.name && f.table === node.fields[i]!.table)) return node;
  return { ...node, fields } as LogicalNode;
}

/** A materialized view reads its stored table: the view's columns, which come first, without the hidden states after them (catalog.ts). */
function materializedViewNode(catalog: Catalog, mv: MaterializedViewMeta, alias: string): LogicalNode {
  const t = catalog.tables[mv.table];
  if (!t) throw new SqlError('CORRUPT', `materialized view "${mv.name}" has lost its table "${mv.table}"`);
  const get: LogicalNode = {
    op: 'get',
    table: t,
    alias,
    fields: t.columns.map((c) => ({ name: c.name, type: c.type, table: alias, source: { table: t.name, column: c.name } })),
  };
  const n = mv.columns.length;
  return n === t.columns.length ? get : projectNode(get, allColumns(get).slice(0, n), get.fields.slice(0, n));
}

export class Binder implements QueryBinder {
  readonly exprs: ExprBinder;
  readonly subqueries: Subqueries;
  private readonly windows: WindowBinder;
  private readonly ctes: Map<string, CteDef>[] = [];
  /** Output names of scalar subqueries used as select items (PostgreSQL names them after the subquery's column). */
  readonly subqueryNames = new WeakMap<ast.Expr, string>();

  constructor(
    readonly ctx: BindContext,
    readonly sql: string,
    /** Views being expanded (recursion guard). */
    private readonly views: ReadonlySet<string>,
  ) {
    this.subqueries = new Subqueries(this);
    this.exprs = new ExprBinder(sql, this.subqueries, ctx.params ?? [], ctx.paramTypes, ctx.sessionZone ?? null, ctx.sessionUser ?? null);
    this.windows = new WindowBinder(this.exprs, sql);
  }

  error(code: Parameters<typeof sqlError>[1], message: string, pos: number) {
    return sqlError(this.sql, code, message, pos);
  }

  // ------------------------------------------------------------ queries

  query(q: ast.Query, parent: Scope | null): LogicalNode {
    return this.withCtes(q.with, () => {
      if (q.body.kind === 'select') return this.finishSelect(this.selectParts(q.body, null, parent), q);
      const node = this.body(q.body, parent);
      return this.orderAndLimit(node, q);
    });
  }

  withCtes<T>(list: readonly ast.CommonTableExpr[], fn: () => T): T {
    if (list.length === 0) return fn();
    const frame = new Map<string, CteDef>();
    this.ctes.push(frame);
    try {
      for (const c of list) {
        if (frame.has(c.name.name)) throw this.error('DUPLICATE_OBJECT', `WITH query name "${c.name.name}" specified more than once`, c.name.pos);
        let node = this.query(c.query, null);
        if (c.columns) {
          if (c.columns.length > node.fields.length) {
            throw this.error('SYNTAX', `WITH query "${c.name.name}" has ${node.fields.length} columns available but ${c.columns.length} columns specified`, c.columns[0]!.pos);
          }
          node = renamed(node, c.columns.map((x) => x.name), null);
        }
        frame.set(c.name.name, { node });
      }
      return fn();
    } finally {
      this.ctes.pop();
    }
  }

  private body(b: ast.QueryBody, parent: Scope | null): LogicalNode {
    switch (b.kind) {
      case 'select':
        return this.finishSelect(this.selectParts(b, null, parent), null);
      case 'nested':
        return this.query(b.query, parent);
      case 'values':
        return this.values(b);
      case 'setOp':
        return this.setOp(b, parent);
    }
  }

  // ------------------------------------------------------------ FROM

  private fromList(items: readonly ast.TableRef[]): { node: LogicalNode; columns: ScopeColumn[] } {
    let acc: { node: LogicalNode; columns: ScopeColumn[] } | null = null;
    for (const item of items) {
      const r = this.tableRef(item);
      if (!acc) {
        acc = r;
        continue;
      }
      const w: number = acc.node.fields.length;
      acc = {
        node: joinNode('cross', acc.node, r.node, null),
        columns: [...acc.columns, ...r.columns.map((c) => ({ ...c, index: c.index + w }))],
      };
    }
    return acc ?? { node: oneRow(), columns: [] };
  }

  private tableRef(ref: ast.TableRef): { node: LogicalNode; columns: ScopeColumn[] } {
    switch (ref.kind) {
      case 'table':
        return this.namedRelation(ref);
      case 'subquery': {
        let node = this.query(ref.query, null);
        const alias = ref.alias?.name ?? null;
        if (ref.columnAliases) {
          if (ref.columnAliases.length > node.fields.length) {
            throw this.error('SYNTAX', `table "${alias ?? 'subquery'}" has ${node.fields.length} columns available but ${ref.columnAliases.length} columns specified`, ref.columnAliases[0]!.pos);
          }
        }
        node = renamed(node, ref.columnAliases?.map((c) => c.name) ?? [], alias);
        return { node, columns: scopeColumns(node, alias) };
      }
      case 'join':
        return this.join(ref);
    }
  }

  private namedRelation(ref: ast.TableName): { node: LogicalNode; columns: ScopeColumn[] } {
    const name = ref.name.name;
    const alias = ref.alias?.name ?? name;
    let node: LogicalNode | null = null;
    for (let i = this.ctes.length - 1; i >= 0 && !node; i--) {
      const c = this.ctes[i]!.get(name);
      if (c) node = renamed(c.node, [], alias);
    }
    const fromCte = node !== null;
    const catalog = this.ctx.catalog;
    if (!node) {
      const mv = materializedViews(catalog)[name];
      if (mv) node = materializedViewNode(catalog, mv, alias);
    }
    if (!node) {
      const t = catalog.tables[name];
      if (t && this.ctx.statsOnly?.(t)) {
        throw this.error(
          'STATS_ONLY',
          `table "${name}" is stats-only: it holds imported statistics and no rows, so a query over it has no true answer (EXPLAIN and the advisor use its statistics; load its rows to query it)`,
          ref.name.pos,
        );
      }
      if (t) {
        node = {
          op: 'get',
          table: t,
          alias,
          fields: t.columns.map((c) => ({ name: c.name, type: c.type, table: alias, source: { table: t.name, column: c.name } })),
        };
      }
    }
    if (!node) {
      const v = catalog.views[name];
      if (v) node = renamed(this.view(v.name, v.sql, v.columns, ref.name.pos), [], alias);
    }
    if (!node) {
      const st = this.ctx.systemTable(name);
      if (st) node = { op: 'system', table: st, catalog, fields: st.fields.map((f) => ({ ...f, table: alias })) };
    }
    if (node && !fromCte && this.ctx.canRead) {
      const denied = this.ctx.canRead(name, lastOf(this.views));
      if (denied !== null) throw this.error('INSUFFICIENT_PRIVILEGE', denied, ref.name.pos);
    }
    if (!node) {
      const names = [...Object.keys(catalog.tables), ...Object.keys(catalog.views), ...Object.keys(materializedViews(catalog)), ...this.ctes.flatMap((f) => [...f.keys()]), 'svv_table_info'];
      throw this.error('UNKNOWN_TABLE', `table "${name}" does not exist${didYouMean(name, names)}`, ref.name.pos);
    }
    if (ref.columnAliases) {
      if (ref.columnAliases.length > node.fields.length) {
        throw this.error('SYNTAX', `table "${alias}" has ${node.fields.length} columns available but ${ref.columnAliases.length} columns specified`, ref.columnAliases[0]!.pos);
      }
      node = renamed(node, ref.columnAliases.map((c) => c.name), alias);
    }
    return { node, columns: scopeColumns(node, alias) };
  }

  private view(name: string, sql: string, columns: readonly string[] | null, pos: number): LogicalNode {
    if (this.views.has(name)) throw this.error('INVALID_DDL', `infinite recursion detected in the definition of view "${name}"`, pos);
    try {
      const stmt = parseStatement(sql);
      if (stmt.kind !== 'select') throw this.error('INVALID_DDL', `view "${name}" does not hold a query`, pos);
      const inner = new Binder(this.ctx, sql, new Set([...this.views, name]));
      let node = inner.query(stmt.query, null);
      if (columns) node = renamed(node, columns, null);
      return node;
    } catch (e) {
      // A view is bound where it is used, so the nesting of views within views adds up, past what the
      // nesting limits see. Out of stack, the statement is TOO_COMPLEX at its use of the outermost view
      // (each view on the way out says so at its own use), not at a place in some view's text.
      if (isStackOverflow(e)) throw overflowError(this.error('TOO_COMPLEX', `statement too complex: view "${name}" and the views it uses nest too deeply to run`, pos));
      throw e;
    }
  }

  private join(j: ast.JoinRef): { node: LogicalNode; columns: ScopeColumn[] } {
    const L = this.tableRef(j.left);
    const R = this.tableRef(j.right);
    const w = L.node.fields.length;
    let lcols = L.columns;
    let rcols = R.columns.map((c) => ({ ...c, index: c.index + w }));
    const type: JoinType = j.type === 'cross' ? 'cross' : j.type;
    let using: readonly ast.Ident[] | null = j.using;
    if (j.natural) {
      const names = lcols.filter((c) => !c.hidden).map((c) => c.name);
      using = [...new Set(names.filter((n) => rcols.some((c) => !c.hidden && c.name === n)))].map((name) => ({ name, pos: j.pos }));
    }
    if (using) {
      const conds: Expr[] = [];
      const merged: { l: ScopeColumn; r: ScopeColumn; name: string }[] = [];
      for (const u of using) {
        const find = (cols: readonly ScopeColumn[], side: string): ScopeColumn => {
          const m = cols.filter((c) => c.name === u.name && !c.hidden);
          if (m.length === 0) throw this.error('UNKNOWN_COLUMN', `column "${u.name}" specified in USING clause does not exist in ${side} table`, u.pos);
          if (m.length > 1) throw this.error('AMBIGUOUS_COLUMN', `common column name "${u.name}" appears more than once in ${side} table`, u.pos);
          return m[0]!;
        };
        const l = find(lcols, 'left');
        const r = find(rcols, 'right');
        conds.push(this.exprs.compare('eq', col(l.index, l.type), col(r.index, r.type), u.pos));
        merged.push({ l, r, name: u.name });
      }
      const condition = andAll(conds);
      let node = joinNode(type === 'cross' ? 'inner' : type, L.node, R.node, condition);
      if (type === 'full') {
        // the merged column is COALESCE(left, right); both originals stay reachable qualified
        const extra = merged.map((m) => {
          const [a, b] = this.exprs.unify([col(m.l.index, m.l.type), col(m.r.index, m.r.type)], [j.pos, j.pos], 'JOIN/USING');
          return { expr: { k: 'call', op: 'coalesce', args: [a!, b!], type: a!.type } as Expr, name: m.name };
        });
        const base = allColumns(node);
        const width = base.length;
        node = projectNode(node, [...base, ...extra.map((x) => x.expr)], [...node.fields, ...extra.map((x) => ({ name: x.name, type: x.expr.type }))]);
        const hide = new Set(merged.flatMap((m) => [m.l.index, m.r.index]));
        lcols = lcols.map((c) => (hide.has(c.index) ? { ...c, hidden: true } : c));
        rcols = rcols.map((c) => (hide.has(c.index) ? { ...c, hidden: true } : c));
        const mergedCols: ScopeColumn[] = extra.map((x, i) => ({ table: null, name: x.name, type: x.expr.type, index: width + i, field: { name: x.name, type: x.expr.type } }));
        return { node, columns: [...mergedCols, ...lcols, ...rcols] };
      }
      // the merged column reads as the preserved side's
      const hide = new Set(merged.map((m) => (type === 'right' ? m.l.index : m.r.index)));
      lcols = lcols.map((c) => (hide.has(c.index) ? { ...c, hidden: true } : c));
      rcols = rcols.map((c) => (hide.has(c.index) ? { ...c, hidden: true } : c));
      return { node, columns: [...lcols, ...rcols] };
    }
    const columns = [...lcols, ...rcols];
    let condition: Expr | null = null;
    if (j.on) {
      const env: ExprEnv = { scope: Scope.of(columns), rel: null, agg: null, clause: 'JOIN condition' };
      condition = andAll(factorConjuncts(this.exprs.bindCondition(j.on, env)));
      if (condition && condition.k === 'lit' && condition.value === 1) condition = null;
    }
    return { node: joinNode(type === 'cross' && condition ? 'inner' : type, L.node, R.node, condition), columns };
  }

  // ------------------------------------------------------------ SELECT

  /** FROM and WHERE. With `outer`, conditions referencing the outer query are collected, not applied. */
  selectParts(body: ast.SelectBody, outer: OuterContext | null, parent: Scope | null): SelectParts {
    const from = this.fromList(body.from);
    const fromWidth = from.node.fields.length;
    const importKeys: ImportKey[] = [];
    const imported: ScopeColumn[] = [];
    let fromNode = from.node;
    if (outer?.imports?.length && outer.node) {
      // the outer columns' distinct values joined to every row of FROM; they resolve after FROM's own columns
      const src = outer.node;
      const cols = outer.imports;
      const fields: Field[] = cols.map((c) => ({ ...src.fields[c.index]!, name: c.name }));
      const values = projectNode(src, cols.map((c) => col(c.index, c.type)), fields);
      fromNode = joinNode('cross', fromNode, { op: 'distinct', input: values, fields }, null);
      cols.forEach((c, j) => {
        imported.push({ ...c, index: fromWidth + j });
        importKeys.push({ outer: col(c.index, c.type), inner: col(fromWidth + j, c.type) });
      });
    }
    const scope = new Scope(imported.length ? [from.columns, imported] : [from.columns], outer ? outer.scope : parent);
    const rel: Rel = { node: fromNode };
    const correlated: Expr[] = [];
    if (body.where) {
      const conjuncts = splitAnd(body.where);
      const plain: Expr[] = [];
      const semis: ast.Expr[] = [];
      const complex: ast.Expr[] = [];
      for (const c of conjuncts) {
        if (isSemiJoinConjunct(c)) semis.push(c);
        else if (containsSubquery(c)) complex.push(c);
        else if (outer) {
          // bound over the outer's fields followed by ours: ours resolve first
          const w = outer.width;
          const shifted = from.columns.map((x) => ({ ...x, index: x.index + w }));
          const combined = new Scope([shifted, ...outer.scope.tiers], outer.scope.parent);
          const b = this.exprs.bindCondition(c, { scope: combined, rel: null, agg: null, clause: 'WHERE' });
          for (const f of factorConjuncts(b)) {
            if ([...columnsOf(f)].some((i) => i < w)) correlated.push(f);
            else plain.push(remapColumns(f, (i) => i - w));
          }
        } else {
          plain.push(...factorConjuncts(this.exprs.bindCondition(c, { scope, rel: null, agg: null, clause: 'WHERE' })));
        }
      }
      const keep = plain.filter((p) => !(p.k === 'lit' && p.value === 1));
      const pred = andAll(keep);
      if (pred) rel.node = filterNode(rel.node, pred);
      const env: ExprEnv = { scope, rel, agg: null, clause: 'WHERE' };
      for (const s of semis) {
        if (!this.subqueries.attachConjunct(s, env)) complex.push(s);
      }
      const rest: Expr[] = [];
      for (const c of complex) rest.push(...factorConjuncts(this.exprs.bindCondition(c, env)));
      const restPred = andAll(rest.filter((p) => !(p.k === 'lit' && p.value === 1)));
      if (restPred) rel.node = filterNode(rel.node, restPred);
    }
    return { body, rel, scope, fromWidth, correlated, importKeys };
  }

  /** GROUP BY, aggregates, HAVING, window functions, the select list, QUALIFY, DISTINCT, ORDER BY, LIMIT. */
  finishSelect(parts: SelectParts, q: ast.Query | null): LogicalNode {
    const body = parts.body;
    if (parts.correlated.length || parts.importKeys.length) {
      throw this.error('UNSUPPORTED', 'a correlated subquery is not supported here', body.pos);
    }
    const orderBy = q?.orderBy ?? [];
    const rel = parts.rel;
    const inputEnv: ExprEnv = { scope: parts.scope, rel, agg: null, clause: 'SELECT' };
    const items = this.expandItems(body, parts.scope);
    const itemAsts = items.map((i) => i.ast);
    const aggregated =
      body.groupBy.length > 0 ||
      body.groupingSets !== undefined ||
      body.having !== null ||
      itemAsts.some((a) => containsAggregate(a)) ||
      orderBy.some((o) => containsAggregate(o.expr)) ||
      (body.qualify !== null && containsAggregate(body.qualify)) ||
      body.windows.some((w) => windowSpecChildren(w.spec).some((x) => containsAggregate(x)));
    let env: ExprEnv = inputEnv;
    if (aggregated) {
      const state = this.aggregate(body, items, orderBy, inputEnv, rel);
      env = { scope: state.groupScope, rel, agg: state, clause: 'SELECT' };
      if (body.having) {
        const h = this.exprs.bindCondition(body.having, { ...env, clause: 'HAVING' });
        if (!(h.k === 'lit' && h.value === 1)) rel.node = filterNode(rel.node, h);
      }
    }
    // window functions, over the rows GROUP BY and HAVING leave (bind-window.ts): columns from here on
    const windowSources = body.qualify ? [...itemAsts, body.qualify, ...orderBy.map((o) => o.expr)] : [...itemAsts, ...orderBy.map((o) => o.expr)];
    const windows = this.windows.bind(body, windowSources, env, rel);
    if (windows) env = { ...env, windows };
    // the select list
    const exprs: Expr[] = [];
    const fields: Field[] = [];
    const aliases = new Map<string, Expr>();
    for (const it of items) {
      const e = it.direct && !aggregated ? it.direct : this.exprs.bind(it.ast, { ...env, aliases });
      const bound = isUnknown(e) ? lit((e as { value: string | null }).value, e.type) : e;
      exprs.push(bound);
      if (it.alias !== null && !it.direct && !aliases.has(it.alias)) aliases.set(it.alias, bound);
      const name = it.alias ?? (it.ast.kind === 'subquery' ? (this.subqueryNames.get(it.ast) ?? '?column?') : outputName(it.ast));
      const f: Field = { name, type: bound.type };
      if (bound.k === 'col') {
        const src = rel.node.fields[bound.index];
        if (src?.source) (f as { source?: Field['source'] }).source = src.source;
      }
      fields.push(f);
    }
    // QUALIFY filters on window results; it may name select items by their aliases (as in Redshift)
    if (body.qualify) {
      const qf = this.exprs.bindCondition(body.qualify, { ...env, aliases, clause: 'QUALIFY' });
      if (!(qf.k === 'lit' && qf.value === 1)) rel.node = filterNode(rel.node, qf);
    }
    const names = fields.map((f) => f.name);
    // ORDER BY: output columns by ordinal or name, else expressions (hidden columns)
    const keys: { index: number; desc: boolean; nullsFirst: boolean }[] = [];
    const hidden: Expr[] = [];
    for (const o of orderBy) {
      let index = this.outputReference(o.expr, names, exprs);
      if (index < 0) {
        // an expression may name select items by their aliases where no input column has the name (as Redshift does: TPC-DS q36 orders by `case when lochierarchy = 0 ...`)
        const e = this.exprs.bind(o.expr, { ...env, aliases, clause: 'ORDER BY' });
        const k = exprKey(e);
        index = exprs.findIndex((x) => exprKey(x) === k);
        if (index < 0) {
          if (body.distinct) throw this.error('SYNTAX', 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', o.expr.pos);
          const h = hidden.findIndex((x) => exprKey(x) === k);
          index = exprs.length + (h >= 0 ? h : hidden.push(e) - 1);
        }
      }
      keys.push({ index, desc: o.desc, nullsFirst: o.nullsFirst ?? o.desc });
    }
    const allExprs = [...exprs, ...hidden];
    const allFields = [...fields, ...hidden.map((h, i) => ({ name: `?order${i}?`, type: h.type }))];
    let node: LogicalNode = projectNode(rel.node, allExprs, allFields);
    if (body.distinct) node = { op: 'distinct', input: node, fields: node.fields };
    if (keys.length) {
      node = { op: 'sort', input: node, keys: keys.map((k) => ({ expr: col(k.index, allFields[k.index]!.type), desc: k.desc, nullsFirst: k.nullsFirst })), fields: node.fields };
    }
    node = this.applyLimit(node, q);
    if (hidden.length) node = projectNode(node, allColumns(node).slice(0, exprs.length), fields);
    return node;
  }

  /** The select list with * expanded: each item's AST (stars as column references) and name. */
  expandItems(body: ast.SelectBody, scope: Scope): { ast: ast.Expr; alias: string | null; direct: Expr | null }[] {
    const out: { ast: ast.Expr; alias: string | null; direct: Expr | null }[] = [];
    for (const item of body.items) {
      if (item.kind === 'expr') {
        out.push({ ast: item.expr, alias: item.alias?.name ?? null, direct: null });
        continue;
      }
      const table = item.table?.name ?? null;
      const cols = scope.columns.filter((c) => (table === null ? !c.hidden : c.table === table));
      if (table !== null && cols.length === 0 && !scope.columns.some((c) => c.table === table)) {
        throw this.error('UNKNOWN_TABLE', `missing FROM-clause entry for table "${table}"${didYouMean(table, scope.tableCandidates())}`, item.table!.pos);
      }
      if (table === null && body.from.length === 0) throw this.error('SYNTAX', 'SELECT * with no tables specified is not valid', item.pos);
      for (const c of cols) {
        const ref: ast.ColumnRef = { kind: 'column', pos: item.pos, table: c.table !== null ? { name: c.table, pos: item.pos } : null, name: { name: c.name, pos: item.pos } };
        out.push({ ast: ref, alias: c.name, direct: col(c.index, c.type) });
      }
    }
    return out;
  }

  /** ORDER BY n, or ORDER BY name where name is an output column: that column's index, else -1. */
  private outputReference(e: ast.Expr, names: readonly string[], exprs: readonly Expr[]): number {
    if (e.kind === 'number' && /^\d+$/.test(e.text)) {
      const n = Number(e.text);
      if (n < 1 || n > names.length) throw this.error('SYNTAX', `ORDER BY position ${n} is not in select list`, e.pos);
      return n - 1;
    }
    if (e.kind === 'column' && !e.table) {
      const hits = names.map((n, i) => (n === e.name.name ? i : -1)).filter((i) => i >= 0);
      if (hits.length === 1) return hits[0]!;
      if (hits.length > 1) {
        const k = exprKey(exprs[hits[0]!]!);
        if (hits.every((h) => exprKey(exprs[h]!) === k)) return hits[0]!;
        throw this.error('AMBIGUOUS_COLUMN', `ORDER BY "${e.name.name}" is ambiguous`, e.pos);
      }
    }
    return -1;
  }

  /** Builds the aggregate node over rel (rel.node becomes it) and the state for binding after it. */
  private aggregate(
    body: ast.SelectBody,
    items: readonly { ast: ast.Expr; alias: string | null }[],
    orderBy: readonly ast.OrderItem[],
    inputEnv: ExprEnv,
    rel: Rel,
  ): AggState {
    const groupEnv: ExprEnv = { ...inputEnv, rel: null, clause: 'GROUP BY' };
    const groups: Expr[] = [];
    const groupFields: Field[] = [];
    const keys: string[] = [];
    const addKey = (g: ast.Expr): number => {
      const e = this.groupItem(g, items, groupEnv);
      const k = exprKey(e);
      const at = keys.indexOf(k);
      if (at >= 0) return at;
      keys.push(k);
      groups.push(e);
      const src = e.k === 'col' ? rel.node.fields[e.index] : undefined;
      groupFields.push(src ? { ...src } : { name: g.kind === 'column' ? g.name.name : `group${groups.length}`, type: e.type });
      return groups.length - 1;
    };
    const plain = body.groupBy.map(addKey);
    // ROLLUP, CUBE, GROUPING SETS: the set number follows the keys in the aggregate's output
    const sets = body.groupingSets ? groupingSets(plain, body.groupingSets, addKey, (code, message, pos) => this.error(code, message, pos)) : null;
    const setFields: Field[] = sets ? [{ name: 'grouping_set', type: { id: 'integer' } }] : [];
    // aggregate calls of the select list, HAVING and ORDER BY
    const calls: ast.FunctionCall[] = [];
    for (const it of items) collectAggregates(it.ast, calls);
    if (body.having) collectAggregates(body.having, calls);
    for (const o of orderBy) collectAggregates(o.expr, calls);
    if (body.qualify) collectAggregates(body.qualify, calls);
    for (const w of body.windows) for (const x of windowSpecChildren(w.spec)) collectAggregates(x, calls);
    const registry = new AggregateRegistry(this.exprs, inputEnv, groups.length + setFields.length);
    for (const c of calls) registry.add(c);
    const aggs: LogicalAgg[] = registry.aggs;
    const aggFields: Field[] = registry.fields;
    rel.node = aggregateNode(rel.node, groups, [...groupFields, ...setFields], aggs, aggFields);
    if (sets) rel.node = { ...rel.node, grouping: { sets } } as LogicalNode;
    // grouped plain columns stay nameable (for correlated subqueries after GROUP BY)
    const groupCols: ScopeColumn[] = [];
    groups.forEach((g, i) => {
      if (g.k !== 'col') return;
      for (const c of inputEnv.scope.columns) if (c.index === g.index) groupCols.push({ ...c, index: i });
    });
    const grouping: GroupingState = {
      sets: sets ? { column: groups.length, sets } : null,
      keyOf: (a) => exprKey(this.groupItem(a, items, groupEnv)),
    };
    return { input: { ...inputEnv, rel: null }, groups, groupKeys: keys, aggExprs: registry.exprs, groupScope: Scope.of(groupCols, inputEnv.scope.parent), grouping };
  }

  /** A GROUP BY item: an ordinal, an input column, an output alias, or an expression. */
  groupItem(g: ast.Expr, items: readonly { ast: ast.Expr; alias: string | null }[], env: ExprEnv): Expr {
    if (g.kind === 'number' && /^\d+$/.test(g.text)) {
      const n = Number(g.text);
      if (n < 1 || n > items.length) throw this.error('SYNTAX', `GROUP BY position ${n} is not in select list`, g.pos);
      const it = items[n - 1]!;
      if (containsAggregate(it.ast)) throw this.error('SYNTAX', 'aggregate functions are not allowed in GROUP BY', g.pos);
      return this.exprs.bind(it.ast, env);
    }
    if (g.kind === 'column' && !g.table) {
      const r = env.scope.resolve(g);
      if (r.kind !== 'found') {
        const hit = items.find((i) => i.alias === g.name.name);
        if (hit) {
          if (containsAggregate(hit.ast)) throw this.error('SYNTAX', 'aggregate functions are not allowed in GROUP BY', g.pos);
          return this.exprs.bind(hit.ast, env);
        }
      }
    }
    return this.exprs.bind(g, env);
  }

  private applyLimit(node: LogicalNode, q: ast.Query | null): LogicalNode {
    if (!q || (q.limit === null && q.offset === null)) return node;
    const limit = q.limit ? this.constantCount(q.limit, 'LIMIT') : null;
    const offset = q.offset ? (this.constantCount(q.offset, 'OFFSET') ?? 0) : 0;
    if (limit === null && offset === 0) return node;
    return limitNode(node, limit, offset);
  }

  private constantCount(e: ast.Expr, what: string): number | null {
    const env: ExprEnv = { scope: Scope.empty(), rel: null, agg: null, clause: what };
    let b = fold(this.exprs.bind(e, env));
    if (isUnknown(b)) b = this.exprs.castTo(b, { id: 'bigint' }, 'implicit', e.pos);
    if (b.k !== 'lit') throw this.error('SYNTAX', `argument of ${what} must be a constant`, e.pos);
    if (b.value === null) return null;
    if (typeof b.value !== 'number' || (b.type.id !== 'integer' && b.type.id !== 'bigint' && b.type.id !== 'smallint')) {
      throw this.error('TYPE_MISMATCH', `argument of ${what} must be an integer, not ${shortName(b.type)}`, e.pos);
    }
    if (b.value < 0) throw this.error('INVALID_VALUE', `${what} must not be negative`, e.pos);
    return b.value;
  }

  /** ORDER BY and LIMIT over a set operation or VALUES: output names, ordinals, expressions over outputs. */
  private orderAndLimit(node: LogicalNode, q: ast.Query): LogicalNode {
    if (q.orderBy.length === 0) return this.applyLimit(node, q);
    const names = node.fields.map((f) => f.name);
    const base = allColumns(node);
    const scope = Scope.of(node.fields.map((f, i) => ({ table: null, name: f.name, type: f.type, index: i, field: f })));
    const env: ExprEnv = { scope, rel: null, agg: null, clause: 'ORDER BY' };
    const hidden: Expr[] = [];
    const keys = q.orderBy.map((o) => {
      let index = this.outputReference(o.expr, names, base);
      if (index < 0) {
        const e = this.exprs.bind(o.expr, env);
        index = base.findIndex((x) => exprKey(x) === exprKey(e));
        if (index < 0) index = base.length + hidden.push(e) - 1;
      }
      return { index, desc: o.desc, nullsFirst: o.nullsFirst ?? o.desc };
    });
    const fields = [...node.fields, ...hidden.map((h, i) => ({ name: `?order${i}?`, type: h.type }))];
    let out: LogicalNode = hidden.length ? projectNode(node, [...base, ...hidden], fields) : node;
    out = { op: 'sort', input: out, keys: keys.map((k) => ({ expr: col(k.index, fields[k.index]!.type), desc: k.desc, nullsFirst: k.nullsFirst })), fields: out.fields };
    out = this.applyLimit(out, q);
    if (hidden.length) out = projectNode(out, base, node.fields);
    return out;
  }

  // ------------------------------------------------------------ VALUES and set operations

  private values(b: ast.ValuesBody): LogicalNode {
    const env: ExprEnv = { scope: Scope.empty(), rel: null, agg: null, clause: 'VALUES' };
    const width = b.rows[0]?.length ?? 0;
    const rows = b.rows.map((r) => {
      if (r.length !== width) throw this.error('SYNTAX', 'VALUES lists must all be the same length', r[0]?.pos ?? b.pos);
      return r.map((x) => this.exprs.bind(x, env));
    });
    const columns: Expr[][] = [];
    for (let c = 0; c < width; c++) {
      columns.push(
        this.exprs.unify(
          rows.map((r) => r[c]!),
          b.rows.map((r) => r[c]!.pos),
          'VALUES',
        ),
      );
    }
    const fields: Field[] = columns.map((c, i) => ({ name: `column${i + 1}`, type: c[0]!.type }));
    return rowsOrUnion(
      rows.map((_, r) => columns.map((c) => fold(c[r]!))),
      fields,
    );
  }

  private setOp(b: ast.SetOpBody, parent: Scope | null): LogicalNode {
    if (b.op === 'union') return this.unionChain(b, parent);
    const left = this.body(b.left, parent);
    const right = this.body(b.right, parent);
    const opName = b.op.toUpperCase();
    if (left.fields.length !== right.fields.length) throw this.error('SYNTAX', `each ${opName} query must have the same number of columns`, b.right.pos);
    const types: SqlType[] = left.fields.map((lf, i) => {
      const rf = right.fields[i]!;
      const unknown = [untypedColumn(left, i), untypedColumn(right, i)];
      const t = commonType([lf.type, rf.type], unknown);
      if (!t) throw this.error('TYPE_MISMATCH', `${opName} types ${shortName(lf.type)} and ${shortName(rf.type)} cannot be matched`, b.right.pos);
      return t;
    });
    const l = this.castColumns(left, types, b.left.pos);
    const r = this.castColumns(right, types, b.right.pos);
    const fields: Field[] = left.fields.map((f, i) => ({ name: f.name, type: types[i]! }));
    if (b.all) throw this.error('UNSUPPORTED', `${opName} ALL is not supported (Redshift supports ${opName} without ALL)`, b.pos);
    return { op: 'setop', kind: b.op, all: false, left: l, right: r, fields };
  }

  /**
   * A chain of UNIONs (or of UNION ALLs), ((a UNION b) UNION c) ..., as one
   * list without recursion: thousands of branches bind as one Append. Column
   * types are resolved pairwise from the left, as nested UNIONs resolve them;
   * each branch is cast once, to the final types.
   */
  private unionChain(top: ast.SetOpBody, parent: Scope | null): LogicalNode {
    const all = top.all;
    const rights: ast.QueryBody[] = [];
    let first: ast.QueryBody = top;
    while (first.kind === 'setOp' && first.op === 'union' && first.all === all) {
      rights.push(first.right);
      first = first.left;
    }
    rights.reverse();
    const branches = [first, ...rights];
    const nodes = branches.map((b) => this.body(b, parent));
    const opName = 'UNION';
    const head = nodes[0]!;
    const types: SqlType[] = head.fields.map((f) => f.type);
    for (let k = 1; k < nodes.length; k++) {
      const right = nodes[k]!;
      const pos = branches[k]!.pos;
      if (head.fields.length !== right.fields.length) throw this.error('SYNTAX', `each ${opName} query must have the same number of columns`, pos);
      for (let i = 0; i < types.length; i++) {
        // after the first pair the left side is a union, whose columns are typed
        const unknown = [k === 1 && untypedColumn(head, i), untypedColumn(right, i)];
        const t = commonType([types[i]!, right.fields[i]!.type], unknown);
        if (!t) throw this.error('TYPE_MISMATCH', `${opName} types ${shortName(types[i]!)} and ${shortName(right.fields[i]!.type)} cannot be matched`, pos);
        types[i] = t;
      }
    }
    const inputs: LogicalNode[] = [];
    nodes.forEach((n, k) => {
      for (const x of unionInputs(this.castColumns(n, types, branches[k]!.pos))) inputs.push(x);
    });
    const fields: Field[] = head.fields.map((f, i) => ({ name: f.name, type: types[i]! }));
    const u: LogicalNode = { op: 'union', inputs, fields };
    return all ? u : { op: 'distinct', input: u, fields };
  }

  /** A node's columns converted to the given types (in its projection when it has one). */
  private castColumns(node: LogicalNode, types: readonly SqlType[], pos: number): LogicalNode {
    if (node.fields.every((f, i) => identical(f.type, types[i]!))) return node;
    if (node.op === 'project') {
      const exprs = node.exprs.map((e, i) => this.exprs.castTo(e, types[i]!, 'explicit', pos));
      return projectNode(node.input, exprs, node.fields.map((f, i) => ({ ...f, type: types[i]! })));
    }
    const exprs = node.fields.map((f, i) => this.exprs.castTo(col(i, f.type), types[i]!, 'explicit', pos));
    return projectNode(node, exprs, node.fields.map((f, i) => ({ ...f, type: types[i]! })));
  }

  // ------------------------------------------------------------ INSERT

  assignedQuery(query: ast.Query, table: TableMeta, positions: readonly number[]): LogicalNode {
    const node = this.query(query, null);
    const n = table.columns.length;
    const exprs = allColumns(node).map((e, i) => (i < n ? fold(this.exprs.castTo(e, table.columns[i]!.type, 'assign', positions[i] ?? query.pos)) : e));
    const fields = node.fields.map((f, i) => (i < n ? { name: table.columns[i]!.name, type: table.columns[i]!.type } : f));
    return projectNode(node, exprs, fields);
  }

  insertSource(stmt: ast.InsertStatement, table: Pick<TableMeta, 'name' | 'columns'>): LogicalNode {
    const targets: number[] = [];
    if (stmt.columns) {
      for (const c of stmt.columns) {
        const i = table.columns.findIndex((x) => x.name === c.name);
        if (i < 0) {
          throw this.error('UNKNOWN_COLUMN', `column "${c.name}" of table "${table.name}" does not exist${didYouMean(c.name, table.columns.map((x) => x.name))}`, c.pos);
        }
        if (targets.includes(i)) throw this.error('SYNTAX', `column "${c.name}" specified more than once`, c.pos);
        targets.push(i);
      }
    } else {
      table.columns.forEach((_, i) => targets.push(i));
    }
    const fields: Field[] = table.columns.map((c) => ({ name: c.name, type: c.type }));
    const src = stmt.source;
    const arity = (n: number, pos: number) => {
      if (n > targets.length) throw this.error('SYNTAX', 'INSERT has more expressions than target columns', pos);
      if (n < targets.length) throw this.error('SYNTAX', 'INSERT has more target columns than expressions', pos);
    };
    const assign = (values: readonly Expr[], positions: readonly number[]): Expr[] =>
      table.columns.map((c, i) => {
        const at = targets.indexOf(i);
        if (at < 0 && c.identity) {
          throw this.error('UNSUPPORTED', `generating IDENTITY values for column "${c.name}" is not supported; name the column in the INSERT and give its values`, stmt.pos);
        }
        if (at < 0) return lit(c.default ?? null, c.type); // a column not named gets its DEFAULT
        const v = fold(this.exprs.castTo(values[at]!, c.type, 'assign', positions[at]!));
        if (c.notNull && v.k === 'lit' && v.value === null) {
          throw this.error('INVALID_VALUE', `null value in column "${c.name}" violates not-null constraint`, positions[at]!);
        }
        return v;
      });
    if (src.body.kind === 'values' && src.with.length === 0 && src.orderBy.length === 0 && src.limit === null && src.offset === null) {
      const env: ExprEnv = { scope: Scope.empty(), rel: null, agg: null, clause: 'VALUES' };
      const rows = src.body.rows.map((r) => {
        arity(r.length, r[0]?.pos ?? src.pos);
        return assign(
          r.map((x) => this.exprs.bind(x, env)),
          r.map((x) => x.pos),
        );
      });
      return rowsOrUnion(rows, fields);
    }
    const node = this.query(src, null);
    arity(node.fields.length, src.pos);
    const exprs = assign(allColumns(node), node.fields.map(() => src.pos));
    return projectNode(node, exprs, fields);
  }
}

// ---------------------------------------------------------------- helpers

/** The conjuncts of a condition, left to right, without recursion (a WHERE can AND thousands). */
export function splitAnd(e: ast.Expr): ast.Expr[] {
  const out: ast.Expr[] = [];
  const stack: ast.Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.kind === 'binary' && x.op === 'and') stack.push(x.right, x.left);
    else out.push(x);
  }
  return out;
}

function scopeColumns(node: LogicalNode, alias: string | null): ScopeColumn[] {
  return node.fields.map((f, i) => ({ table: alias, name: f.name, type: f.type, index: i, field: f }));
}

/** Whether column i of a node is an untyped literal (a NULL or string literal in a select list). */
function untypedColumn(node: LogicalNode, i: number): boolean {
  if (node.op === 'project') {
    const e = node.exprs[i]!;
    return e.k === 'lit' && (e.value === null || (typeof e.value === 'string' && node.fields[i]!.type.id === 'varchar' && node.fields[i]!.type.length === 65535));
  }
  return false;
}

function unionInputs(n: LogicalNode): LogicalNode[] {
  return n.op === 'union' ? [...n.inputs] : [n];
}

/** Rows of constants as a 'rows' node; rows with non-constant expressions as a union of one-row projections. */
export function rowsOrUnion(rows: readonly (readonly Expr[])[], fields: readonly Field[]): LogicalNode {
  if (rows.every((r) => r.every((e) => e.k === 'lit'))) {
    const values: PhysicalValue[][] = rows.map((r) => r.map((e) => (e as Extract<Expr, { k: 'lit' }>).value));
    return { op: 'rows', batches: [batchFromRows(fields.map((f) => f.type), values)], label: 'values', fields };
  }
  const inputs = rows.map((r) => projectNode(oneRow(), r, fields));
  return inputs.length === 1 ? inputs[0]! : { op: 'union', inputs, fields };
}

