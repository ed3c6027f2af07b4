/**
 * Automatic query rewrite. Exact matches: a SELECT whose FROM, WHERE,
 * GROUP BY (and DISTINCT, HAVING) are written exactly as a materialized
 * view's, and whose every output column is one of the view's columns (the
 * same expression, in any order and under any name), is answered from the
 * view's rows, when the view is fresh in the query's snapshot: every base
 * table as the view's last refresh recorded it (refresh.ts isFresh). A stale
 * view is never used. ORDER BY, LIMIT and OFFSET of the query are kept, an
 * ORDER BY expression by the output column it equals.
 *
 * Failing an exact match, a roll-up (rollup.ts): the query aggregates a
 * fresh view's groups again, by fewer of its grouping expressions and with
 * filters on them; or a partial join (partial-join.ts): the query joins a
 * fresh view's tables to others, and the view's groups are joined to those
 * and aggregated again. The view with the fewest rows that answers it is
 * used.
 */
import type * as ast from '../sql/ast.js';
import { selectQuery } from '../sql/build.js';
import type { Catalog, MaterializedViewMeta } from '../catalog/catalog.js';
import { materializedViews } from '../catalog/catalog.js';
import { isFresh, viewQuery } from './refresh.js';
import { partialJoin } from './partial-join.js';
import { rollup } from './rollup.js';
import { orderByOrdinals, sameAst, sameExpr } from './shape.js';

export interface ViewRewrite {
  readonly view: MaterializedViewMeta;
  /** How the view answers the query, for EXPLAIN. */
  readonly reason: string;
  /** The query over the view; its output names are given by the caller (aliases from the original's fields). */
  rewrite(names: readonly string[]): ast.Query;
}

function freshViews(catalog: Catalog): MaterializedViewMeta[] {
  return Object.values(materializedViews(catalog))
    .filter((v) => isFresh(v, catalog))
    .sort((x, y) => x.name.localeCompare(y.name));
}

/** The first fresh view (by name) that answers `query` exactly, or null. */
export function exactViewMatch(query: ast.Query, catalog: Catalog): ViewRewrite | null {
  const b = query.body;
  if (query.with.length || b.kind !== 'select' || b.from.length === 0) return null;
  for (const view of freshViews(catalog)) {
    const found = matchView(query, b, view);
    if (found) return found;
  }
  return null;
}

/** What answers `query` when rewriting is on: an exact match (exactViewMatch), else the smallest fresh view it rolls up from or joins, or null. */
export function viewRewrite(query: ast.Query, catalog: Catalog): ViewRewrite | null {
  const exact = exactViewMatch(query, catalog);
  if (exact) return exact;
  const b = query.body;
  if (query.with.length || b.kind !== 'select' || b.from.length === 0) return null;
  const fresh = freshViews(catalog);
  let best: ViewRewrite | null = null;
  let bestRows = Infinity;
  for (const view of fresh) {
    const rows = catalog.tables[view.table]?.rows ?? Infinity;
    if (rows >= bestRows) continue;
    let vq: ast.Query;
    try {
      vq = viewQuery(view.sql);
    } catch {
      continue;
    }
    // a roll-up over the same tables, else the view joined to the query's other tables
    const r = rollup(query, b, view, vq, catalog) ?? partialJoin(query, b, view, vq, catalog);
    if (!r) continue;
    best = { view, reason: r.reason, rewrite: r.query };
    bestRows = rows;
  }
  return best;
}

function matchView(query: ast.Query, b: ast.SelectBody, view: MaterializedViewMeta): ViewRewrite | null {
  let vq: ast.Query;
  try {
    vq = viewQuery(view.sql);
  } catch {
    return null;
  }
  const v = vq.body;
  if (vq.with.length || vq.orderBy.length || vq.limit || vq.offset || v.kind !== 'select') return null;
  const clauses = (x: ast.SelectBody) => [x.distinct, x.from, x.where, x.groupBy, x.groupingSets ?? null, x.having, x.windows, x.qualify];
  if (!sameAst(clauses(b), clauses(v))) return null;
  // GROUP BY 1 or GROUP BY an output name, or a HAVING, read the select list: it must then be the view's, names and all
  const readsItems = b.having !== null || b.groupBy.some((g) => g.kind === 'number' || (g.kind === 'column' && g.table === null && [...b.items, ...v.items].some((i) => i.kind === 'expr' && i.alias?.name === g.name.name)));
  if (readsItems && !sameAst(b.items, v.items)) return null;
  // each output column of the query: the view column with the same expression
  const columns: number[] = [];
  for (const item of b.items) {
    if (item.kind !== 'expr') return null;
    const j = v.items.findIndex((vi) => vi.kind === 'expr' && sameExpr(vi.expr, item.expr));
    if (j < 0 || j >= view.columns.length) return null;
    columns.push(j);
  }
  const order = orderByOrdinals(query, b);
  if (!order) return null;
  const pos = query.pos;
  return {
    view,
    reason: "its FROM, WHERE, GROUP BY and aggregates are the view's",
    rewrite: (names) =>
      selectQuery(
        {
          items: columns.map((j, i) => ({
            kind: 'expr',
            expr: { kind: 'column', table: null, name: { name: view.columns[j]!, pos }, pos },
            alias: { name: names[i]!, pos },
            pos,
          })),
          from: [{ kind: 'table', name: { name: view.name, pos }, alias: null, columnAliases: null, pos }],
        },
        pos,
        { orderBy: order, limit: query.limit, offset: query.offset },
      ),
  };
}
