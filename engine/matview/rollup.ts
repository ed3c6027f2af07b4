/**
 * Roll-up rewrites: a SELECT over the same FROM as a fresh aggregate view,
 * with the view's WHERE plus filters on its grouping columns, grouped by some
 * of the view's grouping expressions (or not grouped), whose aggregates the
 * view's can be combined into, is answered by aggregating the view's rows
 * again:
 *
 *   SUM(e)          sum of the view's SUM(e)
 *   COUNT(e|*)      sum of the view's COUNT(e|*) (0 over no rows, as COUNT is)
 *   AVG(e)          the sum of its SUM(e) over the sum of its COUNT(e), from
 *                   the view's columns or the hidden ones an AVG or SUM keeps
 *   MIN(e), MAX(e)  MIN of its MINs, MAX of its MAXs
 *
 * Every expression of the query outside an aggregate must be made of the
 * view's grouping expressions (each group of the view lies in one group of
 * the query, so the query's groups are unions of the view's). The query reads
 * the table holding the view's rows, which has the hidden columns. Its own
 * ORDER BY, LIMIT and OFFSET apply; HAVING is rewritten like the select list.
 * The caller keeps the rewrite only when it gives the same columns, names and
 * types as the query (statements/select.ts).
 */
import type * as ast from '../sql/ast.js';
import { selectQuery } from '../sql/build.js';
import type { SqlType } from '../types.js';
import type { Catalog, ColumnMeta, MaterializedViewMeta } from '../catalog/catalog.js';
import { containsAggregate, containsSubquery, isAggregateCall, someNode } from '../plan/ast-walks.js';
import { orderByOrdinals, sameAst, sameExpr, viewShape } from './shape.js';

/** What a roll-up read: the query over the view's table, and how it matched (EXPLAIN says it). */
export interface RollupPlan {
  readonly query: (names: readonly string[]) => ast.Query;
  readonly reason: string;
}

/** The view's stored columns with the expression each holds (the view's items, then its hidden states). */
export interface Stored {
  readonly name: string;
  readonly type: SqlType;
  readonly expr: ast.Expr;
  readonly aggregate: boolean;
}

export function rollup(query: ast.Query, b: ast.SelectBody, view: MaterializedViewMeta, vq: ast.Query, catalog: Catalog): RollupPlan | null {
  const v = vq.body;
  if (v.kind !== 'select' || v.groupBy.length === 0 || v.distinct || v.having || v.groupingSets?.length || v.windows.length || v.qualify) return null;
  if (b.distinct || b.groupingSets?.length || b.windows.length || b.qualify) return null;
  if (!sameAst(b.from, v.from)) return null;
  // a query that does not aggregate wants a row per base row; the view has one per group
  if (b.groupBy.length === 0 && b.having === null && !b.items.some((i) => i.kind === 'expr' && containsAggregate(i.expr))) return null;
  const table = catalog.tables[view.table];
  if (!table) return null;
  const stored = storedColumns(vq, view, table.columns, catalog);
  if (!stored) return null;
  const keys = stored.filter((s) => !s.aggregate);
  const pos = query.pos;
  const col = (name: string): ast.Expr => ({ kind: 'column', table: null, name: { name, pos }, pos });
  let failed = false;
  const map = (e: ast.Expr, aggregates: boolean): ast.Expr => {
    const out = mapExpr(e, (x) => {
      // a constant is the same everywhere: only expressions of columns stand for a grouping column
      const key = someNode(x, (n) => n.kind === 'column') ? keys.find((k) => sameExpr(k.expr, x)) : undefined;
      if (key) return col(key.name);
      if (x.kind === 'function' && isAggregateCall(x)) {
        const r = aggregates ? combine(x, stored, col, pos) : null;
        if (!r) failed = true;
        return r ?? x;
      }
      if (x.kind === 'column' || x.kind === 'subquery' || x.kind === 'exists' || x.kind === 'inSubquery' || x.kind === 'quantified' || (x.kind === 'function' && x.over)) {
        failed = true;
        return x;
      }
      return null;
    });
    return out;
  };
  // the WHERE: the view's conjuncts, and others on its grouping expressions
  const viewWhere = v.where ? conjuncts(v.where) : [];
  const queryWhere = b.where ? conjuncts(b.where) : [];
  if (!viewWhere.every((c) => queryWhere.some((q) => sameExpr(q, c)))) return null;
  const residual = queryWhere.filter((q) => !viewWhere.some((c) => sameExpr(q, c)));
  if (residual.some(containsSubquery)) return null;
  const where = residual.map((c) => map(c, false));
  // GROUP BY by ordinal or output name means a select item
  const itemOf = (g: ast.Expr): ast.Expr | null => {
    if (g.kind === 'number') {
      const item = b.items[Number(g.text) - 1];
      return item?.kind === 'expr' ? item.expr : null;
    }
    return g;
  };
  const groupBy: ast.Expr[] = [];
  for (const g of b.groupBy) {
    const e = itemOf(g);
    if (!e) return null;
    groupBy.push(map(e, false));
  }
  const items: { expr: ast.Expr }[] = [];
  for (const item of b.items) {
    if (item.kind !== 'expr') return null;
    items.push({ expr: map(item.expr, true) });
  }
  const having = b.having ? map(b.having, true) : null;
  if (failed) return null;
  const order = orderByOrdinals(query, b);
  if (!order) return null;
  const filters = residual.length ? `, a filter on its grouping columns` : '';
  const grouping = b.groupBy.length ? `grouped by ${b.groupBy.length} of its ${v.groupBy.length} grouping expressions` : 'aggregated over all its groups';
  return {
    reason: `a roll-up: the view's FROM and WHERE${filters}, ${grouping}, aggregates combined from the view's`,
    query: (names) =>
      selectQuery(
        {
          items: items.map((it, i) => ({ kind: 'expr', expr: it.expr, alias: { name: names[i]!, pos }, pos })),
          from: [{ kind: 'table', name: { name: view.table, pos }, alias: null, columnAliases: null, pos }],
          where: where.length ? where.reduce((l, r): ast.Expr => ({ kind: 'binary', op: 'and', left: l, right: r, pos })) : null,
          groupBy,
          having,
        },
        pos,
        { orderBy: order, limit: query.limit, offset: query.offset },
      ),
  };
}

/** The stored table's columns with what each holds; null when the table is not the view's query's shape (stored by an older keel). */
export function storedColumns(vq: ast.Query, view: MaterializedViewMeta, columns: readonly ColumnMeta[], catalog: Catalog): Stored[] | null {
  const shape = viewShape(vq, catalog);
  const body = shape.kind === 'aggregate' ? shape.stateQuery.body : vq.body;
  if (body.kind !== 'select') return null;
  const items = shape.kind === 'aggregate' ? body.items : body.items.slice(0, view.columns.length);
  if (items.length > columns.length) return null;
  const out: Stored[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind !== 'expr') return null;
    out.push({ name: columns[i]!.name, type: columns[i]!.type, expr: item.expr, aggregate: someAggregate(item.expr) });
  }
  return out;
}

function someAggregate(e: ast.Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'function' && isAggregateCall(x)) found = true;
    return null;
  });
  return found;
}

/** A plain call (no DISTINCT, FILTER, WITHIN GROUP, APPROXIMATE) of `fn` over `arg` (null: COUNT(*)). */
function plainCall(e: ast.Expr, fn: string, arg: ast.Expr | null): boolean {
  if (e.kind !== 'function' || e.name !== fn || e.distinct || e.filter || e.withinGroup || e.approximate || e.over) return false;
  if (arg === null) return e.star;
  return !e.star && e.args.length === 1 && sameExpr(e.args[0]!, arg);
}

/** The query's aggregate call `x` from the view's stored columns, or null when they do not hold what it needs. */
export function combine(x: ast.FunctionCall, stored: readonly Stored[], col: (name: string) => ast.Expr, pos: number): ast.Expr | null {
  if (x.distinct || x.filter || x.withinGroup || x.approximate || x.over) return null;
  const arg = x.star ? null : x.args.length === 1 ? x.args[0]! : undefined;
  if (arg === undefined) return null;
  const find = (fn: string) => stored.find((s) => s.aggregate && plainCall(s.expr, fn, arg));
  const call = (name: string, a: ast.Expr): ast.Expr => ({ kind: 'function', name, args: [a], distinct: false, star: false, pos });
  switch (x.name) {
    case 'sum':
    case 'min':
    case 'max': {
      const s = arg && find(x.name);
      return s ? call(x.name, col(s.name)) : null;
    }
    case 'count': {
      const s = find('count');
      // COUNT over no rows is 0; SUM over no rows NULL
      return s ? { kind: 'function', name: 'coalesce', args: [call('sum', col(s.name)), { kind: 'number', text: '0', pos }], distinct: false, star: false, pos } : null;
    }
    case 'avg': {
      const s = arg && find('sum');
      const c = arg && find('count');
      if (!s || !c) return null;
      const total: ast.Expr = call('sum', col(s.name));
      const n: ast.Expr = { kind: 'function', name: 'nullif', args: [call('sum', col(c.name)), { kind: 'number', text: '0', pos }], distinct: false, star: false, pos };
      // AVG of an integer or floating argument is DOUBLE PRECISION, computed in doubles; of a DECIMAL, a DECIMAL division
      const asDouble: ast.Expr = { kind: 'cast', arg: total, type: { id: 'double' }, pos };
      return { kind: 'binary', op: '/', left: s.type.id === 'decimal' ? total : asDouble, right: n, pos };
    }
    default:
      return null;
  }
}

export function conjuncts(e: ast.Expr): ast.Expr[] {
  return e.kind === 'binary' && e.op === 'and' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

/**
 * `e` with each subexpression `f` replaces (f returns its replacement, or
 * null to look inside), top-down; other nodes are copied with their children
 * mapped. Generic over the AST's shapes, so a new expression kind needs no
 * case here.
 */
export function mapExpr(e: ast.Expr, f: (x: ast.Expr) => ast.Expr | null): ast.Expr {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const o = node as Record<string, unknown>;
    if (typeof o.kind === 'string' && 'pos' in o && isExprKind(o.kind)) {
      const r = f(o as unknown as ast.Expr);
      if (r) return r;
    }
    // a subquery's own FROM and columns are not this query's: not looked into
    if (o.kind === 'subquery' || o.kind === 'exists' || o.kind === 'inSubquery') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = visit(v);
    return out;
  };
  return visit(e) as ast.Expr;
}

const EXPR_KINDS = new Set([
  'column', 'number', 'string', 'boolean', 'null', 'typed', 'param', 'interval', 'unary', 'binary', 'isNull', 'isBool', 'between', 'inList',
  'inSubquery', 'exists', 'subquery', 'quantified', 'like', 'match', 'distinctFrom', 'case', 'cast', 'extract', 'function',
]);

function isExprKind(kind: string): boolean {
  return EXPR_KINDS.has(kind);
}
