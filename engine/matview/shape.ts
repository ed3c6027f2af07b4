/**
 * What a materialized view's query allows a refresh to do, read from its
 * syntax tree once per refresh:
 *
 *  - rows: SELECT ... FROM base tables joined by inner joins WHERE ..., no
 *    aggregation. Rows appended to a base table add exactly the view rows they
 *    join to, so an incremental refresh appends those.
 *  - aggregate: the same with GROUP BY (or aggregates alone), every column a
 *    grouping expression or a plain SUM, COUNT, AVG, MIN or MAX, and every
 *    GROUP BY expression a column. The delta of the new rows is aggregated and
 *    merged into the stored groups: sums and counts add (and subtract for
 *    deleted rows), MIN and MAX take the smaller and larger. Hidden columns of
 *    the stored table keep what merging needs and the view does not show: a
 *    COUNT(*) per group (a group whose count falls to 0 is gone), the count of
 *    each SUM's argument (a SUM over no non-NULL value is NULL), and the sum
 *    and count behind each AVG, from which the merged average is computed.
 *  - full: anything else (outer joins, DISTINCT, HAVING, windows, subqueries,
 *    set operations, a table read twice, a view in FROM ...): every refresh
 *    recomputes the whole query. `reason` says why, for svv_mv_info's users.
 *
 * Rows views take appends incrementally; aggregate views appends, deletes
 * and updates too (refresh.ts).
 */
import type * as ast from '../sql/ast.js';
import type { Catalog } from '../catalog/catalog.js';
import { materializedViews } from '../catalog/catalog.js';
import { containsAggregate, containsSubquery, isAggregateCall, someNode } from '../plan/ast-walks.js';

/** What each column of the stored table holds, and how an incremental refresh merges it. */
export type StateRole =
  | { readonly kind: 'key' }
  | { readonly kind: 'count' | 'min' | 'max' }
  /** A SUM: NULL where its argument's count (column `count`) is 0, which subtraction alone cannot tell. */
  | { readonly kind: 'sum'; readonly count: number }
  /** The view's AVG: recomputed from the sum and count columns after they merge. */
  | { readonly kind: 'avg'; readonly sum: number; readonly count: number };

export type ViewShape =
  | { readonly kind: 'full'; readonly reason: string }
  | { readonly kind: 'rows'; readonly tables: readonly string[] }
  | {
      readonly kind: 'aggregate';
      readonly tables: readonly string[];
      /** The view's query with the hidden state columns after its own. */
      readonly stateQuery: ast.Query;
      /** Per stored column (the view's, then the hidden ones). */
      readonly roles: readonly StateRole[];
      /** Names of the hidden columns. */
      readonly hidden: readonly string[];
      /** The stored column counting each group's rows (COUNT(*)): a group whose count falls to 0 is gone. */
      readonly rows: number;
      /** No GROUP BY: the view is always one row, even over no rows. */
      readonly scalar: boolean;
      /** Whether a MIN or MAX is among the columns: those cannot subtract a deleted row. */
      readonly extremes: boolean;
    };

/** Names the hidden columns of an AVG's state start with; a view's own columns may not. */
export const HIDDEN_PREFIX = '__keel_';

/** The hidden COUNT(*) of an aggregate view's stored table. */
export const ROWS_COLUMN = `${HIDDEN_PREFIX}rows`;

const MERGEABLE = new Set(['sum', 'count', 'min', 'max', 'avg']);

/** The shape of `query`, a materialized view's definition, against `catalog`. */
export function viewShape(query: ast.Query, catalog: Catalog): ViewShape {
  const full = (reason: string): ViewShape => ({ kind: 'full', reason });
  if (query.with.length) return full('WITH');
  if (query.orderBy.length || query.limit || query.offset) return full('ORDER BY, LIMIT or OFFSET');
  const b = query.body;
  if (b.kind !== 'select') return full(b.kind === 'setOp' ? 'a set operation' : 'a VALUES or nested query');
  if (b.distinct) return full('DISTINCT');
  if (b.groupingSets?.length) return full('ROLLUP, CUBE or GROUPING SETS');
  if (b.having) return full('HAVING');
  if (b.qualify || b.windows.length) return full('window functions');
  if (b.from.length === 0) return full('no FROM');
  const tables: string[] = [];
  for (const ref of b.from) {
    const why = collectTables(ref, catalog, tables);
    if (why) return full(why);
  }
  if (new Set(tables).size !== tables.length) return full('a table read more than once');
  if (b.where && containsSubquery(b.where)) return full('a subquery');
  for (const item of b.items) {
    if (item.kind === 'expr' && containsSubquery(item.expr)) return full('a subquery');
    if (item.kind === 'expr' && someNode(item.expr, (e) => e.kind === 'function' && e.over !== undefined)) return full('window functions');
  }
  const aggregated = b.groupBy.length > 0 || b.items.some((i) => i.kind === 'expr' && containsAggregate(i.expr));
  if (!aggregated) return { kind: 'rows', tables };
  return aggregateShape(query, b, tables, catalog);
}

/** The base tables of a FROM item (inner and cross joins of tables), or why it is not one. */
function collectTables(ref: ast.TableRef, catalog: Catalog, out: string[]): string | null {
  switch (ref.kind) {
    case 'subquery':
      return 'a subquery in FROM';
    case 'table': {
      const name = ref.name.name;
      if (!catalog.tables[name] || materializedViews(catalog)[name]) return `"${name}" is not a table`;
      out.push(name);
      return null;
    }
    case 'join':
      if (ref.type !== 'inner' && ref.type !== 'cross') return 'an outer join';
      if (ref.natural) return 'a NATURAL join';
      if (ref.on && containsSubquery(ref.on)) return 'a subquery';
      return collectTables(ref.left, catalog, out) ?? collectTables(ref.right, catalog, out);
  }
}

function aggregateShape(query: ast.Query, b: ast.SelectBody, tables: readonly string[], catalog: Catalog): ViewShape {
  const full = (reason: string): ViewShape => ({ kind: 'full', reason });
  const roles: StateRole[] = [];
  const extra: ast.SelectItem[] = [];
  const extraRoles: StateRole[] = [];
  const hidden: string[] = [];
  const items = b.items;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind !== 'expr') return full('* in an aggregate view');
    const e = item.expr;
    if (!containsAggregate(e)) {
      roles.push({ kind: 'key' });
      continue;
    }
    if (!isMergeable(e)) {
      if (e.kind !== 'function' || !isAggregateCall(e)) return full('an expression over an aggregate');
      return full(`${e.name.toUpperCase()}${e.distinct ? ' DISTINCT' : ''}${e.filter ? ' with FILTER' : ''}: only plain SUM, COUNT, AVG, MIN and MAX merge`);
    }
    const call = e as ast.FunctionCall;
    const hide = (name: string, role: StateRole, expr: ast.Expr) => {
      hidden.push(name);
      extraRoles.push(role);
      extra.push({ kind: 'expr', expr, alias: { name, pos: item.pos }, pos: item.pos });
    };
    const at = items.length + extra.length;
    if (call.name === 'sum') {
      roles.push({ kind: 'sum', count: at });
      hide(`${HIDDEN_PREFIX}sum_count_${i + 1}`, { kind: 'count' }, { ...call, name: 'count' });
    } else if (call.name === 'avg') {
      roles.push({ kind: 'avg', sum: at, count: at + 1 });
      // the sum's own count is the AVG's count, so its NULL needs no third column
      hide(`${HIDDEN_PREFIX}avg_sum_${i + 1}`, { kind: 'sum', count: at + 1 }, { ...call, name: 'sum' });
      hide(`${HIDDEN_PREFIX}avg_count_${i + 1}`, { kind: 'count' }, { ...call, name: 'count' });
    } else {
      roles.push({ kind: call.name as 'count' | 'min' | 'max' });
    }
  }
  const pos = b.pos;
  const rows = items.length + extra.length;
  hidden.push(ROWS_COLUMN);
  extraRoles.push({ kind: 'count' });
  extra.push({ kind: 'expr', expr: { kind: 'function', name: 'count', args: [], star: true, distinct: false, pos } as ast.FunctionCall, alias: { name: ROWS_COLUMN, pos }, pos });
  roles.push(...extraRoles);
  // every group must be one stored row: each GROUP BY expression has to be a column of the view
  const fromColumns = new Set(tables.flatMap((t) => catalog.tables[t]!.columns.map((c) => c.name)));
  for (const g of b.groupBy) {
    if (!items.some((item, i) => roles[i]!.kind === 'key' && item.kind === 'expr' && groupMatches(g, item, i, fromColumns))) return full('a GROUP BY expression that is not a column of the view');
  }
  const stateQuery: ast.Query = { ...query, body: { ...b, items: [...items, ...extra] } };
  const extremes = roles.some((r) => r.kind === 'min' || r.kind === 'max');
  return { kind: 'aggregate', tables, stateQuery, roles, hidden, rows, scalar: b.groupBy.length === 0, extremes };
}

/** A plain SUM, COUNT, AVG, MIN or MAX call (no DISTINCT, FILTER or OVER) over an expression without aggregates. */
function isMergeable(e: ast.Expr): boolean {
  if (!isAggregateCall(e) || e.kind !== 'function') return false;
  if (!MERGEABLE.has(e.name) || e.distinct || e.filter || e.withinGroup || e.approximate || e.over) return false;
  if (e.star) return e.name === 'count';
  return e.args.length === 1 && !containsAggregate(e.args[0]!);
}

/** Whether GROUP BY expression `g` is the select item at index i: by ordinal, by output name, or as the same expression. */
function groupMatches(g: ast.Expr, item: Extract<ast.SelectItem, { kind: 'expr' }>, i: number, fromColumns: ReadonlySet<string>): boolean {
  if (g.kind === 'number') return Number(g.text) === i + 1;
  // a name that is also an input column means that column (PostgreSQL's rule), so only other names refer to outputs
  if (g.kind === 'column' && g.table === null && item.alias?.name === g.name.name && !fromColumns.has(g.name.name)) return true;
  return sameExpr(g, item.expr);
}

/** Structural equality of two expressions, positions aside. */
export function sameExpr(a: ast.Expr, b: ast.Expr): boolean {
  return sameAst(a, b);
}

/** Whether two pieces of syntax (clauses, lists, expressions) are the same but for where they were written. */
export function sameAst(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, withoutPos) === JSON.stringify(b, withoutPos);
}

/**
 * The query's ORDER BY by output position: an ordinal as written, an
 * expression (or a bare alias) by the select item it is; null when one names
 * no select item.
 */
export function orderByOrdinals(query: ast.Query, b: ast.SelectBody): ast.OrderItem[] | null {
  const order: ast.OrderItem[] = [];
  for (const o of query.orderBy) {
    if (o.expr.kind === 'number') {
      order.push(o);
      continue;
    }
    const e = o.expr;
    const at = b.items.findIndex((item) => item.kind === 'expr' && (sameExpr(item.expr, e) || (e.kind === 'column' && e.table === null && item.alias?.name === e.name.name)));
    if (at < 0) return null;
    order.push({ ...o, expr: { kind: 'number', text: String(at + 1), pos: o.pos } });
  }
  return order;
}

function withoutPos(key: string, value: unknown): unknown {
  return key === 'pos' ? undefined : value;
}
