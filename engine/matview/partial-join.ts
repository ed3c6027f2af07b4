/**
 * Partial-join rewrites: a query joining the tables of a fresh aggregate
 * view (A ⋈ B, with the view's join conditions and WHERE) to other tables
 * (C ...), where everything it says about A and B outside its aggregates is
 * made of the view's grouping expressions, is answered by joining the view's
 * rows to C and aggregating again (the roll-up's rules, rollup.ts combine).
 *
 * Why no key on C is needed: every condition that reads A or B reads only
 * grouping expressions, so it has one value for all rows of a view group G.
 * The query's rows are then exactly, for each pair (G, c) that passes its
 * conditions, the rows of G each paired with c; and its grouping expressions
 * are functions of (G, c). A SUM over A ⋈ B columns is therefore the sum over
 * those pairs of G's SUM, a COUNT the sum of G's COUNTs, a MIN the MIN of G's
 * MINs, whatever the number of c each G meets: the view's row is repeated as
 * often as its rows would have been. What pairs cannot give back is an
 * aggregate that reads C under a multiplicity: SUM(c.y) counts c once per row
 * of G, not once per G. Those are answered only when the multiplicity does not
 * matter: MIN and MAX of C's columns (no DISTINCT, FILTER). SUM, COUNT and AVG
 * of C's columns, and aggregates mixing A or B with C, are not answered.
 *
 * Column references are compared after qualifying each with the query's name
 * for its table (the view's aliases translated), so the view and the query
 * may name and alias their tables differently. With no other table, this is
 * a roll-up that rollup.ts, which compares FROM clauses as written, missed:
 * the same tables and conditions under other aliases or qualifications. Only inner and comma joins of
 * base tables, each of the view's tables once in the query, no subqueries.
 */
import type * as ast from '../sql/ast.js';
import { selectQuery } from '../sql/build.js';
import type { Catalog, MaterializedViewMeta } from '../catalog/catalog.js';
import { containsAggregate, containsSubquery, isAggregateCall, someNode } from '../plan/ast-walks.js';
import { combine, conjuncts, mapExpr, storedColumns } from './rollup.js';
import { orderByOrdinals, sameExpr } from './shape.js';

/** The name the rewritten query gives the view's table in its FROM. */
const VIEW_ALIAS = '__keel_mv';

export interface PartialJoinPlan {
  readonly query: (names: readonly string[]) => ast.Query;
  readonly reason: string;
}

/** One table of a FROM: how the query refers to it, and its columns. */
interface Scoped {
  readonly qualifier: string;
  readonly table: string;
  readonly columns: ReadonlySet<string>;
}

/** A FROM of inner and cross joins of tables, flattened: its tables and the conditions of its ONs; null for anything else. */
function flatten(from: readonly ast.TableRef[], catalog: Catalog): { tables: Scoped[]; on: ast.Expr[] } | null {
  const tables: Scoped[] = [];
  const on: ast.Expr[] = [];
  const walk = (ref: ast.TableRef): boolean => {
    if (ref.kind === 'subquery') return false;
    if (ref.kind === 'join') {
      if ((ref.type !== 'inner' && ref.type !== 'cross') || ref.natural || ref.using) return false;
      if (ref.on) on.push(...conjuncts(ref.on));
      return walk(ref.left) && walk(ref.right);
    }
    const meta = catalog.tables[ref.name.name];
    if (!meta || ref.columnAliases) return false;
    tables.push({ qualifier: (ref.alias ?? ref.name).name, table: ref.name.name, columns: new Set(meta.columns.map((c) => c.name)) });
    return true;
  };
  if (!from.every(walk)) return null;
  if (new Set(tables.map((t) => t.qualifier)).size !== tables.length) return null;
  return { tables, on };
}

/**
 * `e` with every column qualified by `rename` of the qualifier of the table
 * it belongs to in `scope`; null when a column is unknown or ambiguous there.
 */
function qualify(e: ast.Expr, scope: readonly Scoped[], rename: (q: string) => string): ast.Expr | null {
  let failed = false;
  const out = mapExpr(e, (x) => {
    if (x.kind !== 'column') return null;
    const owners = x.table ? scope.filter((s) => s.qualifier === x.table!.name && s.columns.has(x.name.name)) : scope.filter((s) => s.columns.has(x.name.name));
    if (owners.length !== 1) {
      failed = true;
      return x;
    }
    return { kind: 'column', table: { name: rename(owners[0]!.qualifier), pos: x.pos }, name: x.name, pos: x.pos };
  });
  return failed ? null : out;
}

/** The same condition, an equality either way round (`a.k = b.k` is `b.k = a.k`). */
function samePredicate(a: ast.Expr, b: ast.Expr): boolean {
  if (sameExpr(a, b)) return true;
  return a.kind === 'binary' && b.kind === 'binary' && a.op === '=' && b.op === '=' && sameExpr(a.left, b.right) && sameExpr(a.right, b.left);
}

/** Whether the qualified expression reads a column of one of `qualifiers`. */
function reads(e: ast.Expr, qualifiers: ReadonlySet<string>): boolean {
  return someNode(e, (n) => n.kind === 'column' && n.table !== null && qualifiers.has(n.table.name));
}

export function partialJoin(query: ast.Query, b: ast.SelectBody, view: MaterializedViewMeta, vq: ast.Query, catalog: Catalog): PartialJoinPlan | null {
  const v = vq.body;
  if (v.kind !== 'select' || v.groupBy.length === 0 || v.distinct || v.having || v.groupingSets?.length || v.windows.length || v.qualify) return null;
  if (b.distinct || b.groupingSets?.length || b.windows.length || b.qualify) return null;
  const table = catalog.tables[view.table];
  if (!table) return null;
  const qf = flatten(b.from, catalog);
  const vf = flatten(v.from, catalog);
  if (!qf || !vf || qf.tables.length < vf.tables.length) return null;
  // each of the view's tables is one table of the query
  const toQuery = new Map<string, string>();
  for (const t of vf.tables) {
    const same = qf.tables.filter((q) => q.table === t.table);
    if (same.length !== 1 || toQuery.has(t.qualifier)) return null;
    toQuery.set(t.qualifier, same[0]!.qualifier);
  }
  const covered = new Set(toQuery.values());
  const others = qf.tables.filter((t) => !covered.has(t.qualifier));
  const same = (q: string) => q;
  const fromView = (q: string) => toQuery.get(q)!;
  // the query must aggregate: a plain SELECT wants every base row, the view has one per group
  const aggregating = b.groupBy.length > 0 || b.having !== null || b.items.some((i) => i.kind === 'expr' && containsAggregate(i.expr));
  if (!aggregating) return null;
  const clauses = [...b.items.flatMap((i) => (i.kind === 'expr' ? [i.expr] : [])), ...qf.on, ...(b.where ? [b.where] : []), ...b.groupBy, ...(b.having ? [b.having] : [])];
  if (clauses.some(containsSubquery) || b.items.some((i) => i.kind !== 'expr')) return null;

  const stored = storedColumns(vq, view, table.columns, catalog);
  if (!stored) return null;
  const normalized = stored.map((s) => ({ ...s, expr: qualify(s.expr, vf.tables, fromView) }));
  if (normalized.some((s) => s.expr === null)) return null;
  const storedQ = normalized as { name: string; type: (typeof stored)[number]['type']; expr: ast.Expr; aggregate: boolean }[];
  const keys = storedQ.filter((s) => !s.aggregate);

  // the view's conditions (its ONs and WHERE) must all be the query's; the rest are applied to the view's rows and C
  const viewPreds: ast.Expr[] = [];
  for (const c of [...vf.on, ...(v.where ? conjuncts(v.where) : [])]) {
    const n = qualify(c, vf.tables, fromView);
    if (!n) return null;
    viewPreds.push(n);
  }
  const queryPreds: ast.Expr[] = [];
  for (const c of [...qf.on, ...(b.where ? conjuncts(b.where) : [])]) {
    const n = qualify(c, qf.tables, same);
    if (!n) return null;
    queryPreds.push(n);
  }
  if (!viewPreds.every((c) => queryPreds.some((q) => samePredicate(q, c)))) return null;
  const residual = queryPreds.filter((q) => !viewPreds.some((c) => samePredicate(q, c)));

  const pos = query.pos;
  const col = (name: string): ast.Expr => ({ kind: 'column', table: { name: VIEW_ALIAS, pos }, name: { name, pos }, pos });
  let failed = false;
  const map = (raw: ast.Expr, aggregates: boolean): ast.Expr => {
    const e = qualify(raw, qf.tables, same);
    if (!e) {
      failed = true;
      return raw;
    }
    return mapExpr(e, (x) => {
      const key = someNode(x, (n) => n.kind === 'column') ? keys.find((k) => sameExpr(k.expr, x)) : undefined;
      if (key) return col(key.name);
      if (x.kind === 'function' && isAggregateCall(x)) {
        if (!aggregates) failed = true;
        else if (!reads(x, covered) && someNode(x, (n) => n.kind === 'column')) {
          // an aggregate of the other tables only: right under any multiplicity only as MIN or MAX
          if ((x.name !== 'min' && x.name !== 'max') || x.distinct || x.filter || x.withinGroup || x.over) failed = true;
          return x;
        } else {
          const r = combine(x, storedQ, col, pos);
          if (!r) failed = true;
          return r ?? x;
        }
        return x;
      }
      if (x.kind === 'column') {
        // a column of the view's tables that is no grouping expression: the view does not have it
        if (covered.has(x.table!.name)) failed = true;
        return x;
      }
      if (x.kind === 'subquery' || x.kind === 'exists' || x.kind === 'inSubquery' || x.kind === 'quantified' || (x.kind === 'function' && x.over)) {
        failed = true;
        return x;
      }
      return null;
    });
  };
  // a residual condition is made of the view's grouping columns and the other tables' columns
  const where = residual.map((c) => map(c, false));
  const groupBy: ast.Expr[] = [];
  for (const g of b.groupBy) {
    const e = g.kind === 'number' ? b.items[Number(g.text) - 1] : { kind: 'expr' as const, expr: g };
    if (!e || e.kind !== 'expr') return null;
    groupBy.push(map(e.expr, false));
  }
  const items = b.items.map((it) => map((it as Extract<ast.SelectItem, { kind: 'expr' }>).expr, true));
  const having = b.having ? map(b.having, true) : null;
  if (failed) return null;
  const order = orderByOrdinals(query, b);
  if (!order) return null;
  const joined = others.map((t) => t.qualifier).join(', ');
  const grouping = b.groupBy.length ? `grouped by ${b.groupBy.length} expression${b.groupBy.length === 1 ? '' : 's'}` : 'aggregated over all its groups';
  const filters = residual.length ? ', a filter on its grouping columns' : '';
  return {
    reason: others.length
      ? `a partial join: the view covers ${vf.tables.length} of the query's ${qf.tables.length} tables and its conditions, ${joined} joined to its grouping columns, ${grouping}, aggregates combined from the view's`
      : `a roll-up: the view's tables and conditions, named as the query names them${filters}, ${grouping}, aggregates combined from the view's`,
    query: (names) =>
      selectQuery(
        {
          items: items.map((expr, i) => ({ kind: 'expr', expr, alias: { name: names[i]!, pos }, pos })),
          from: [
            { kind: 'table', name: { name: view.table, pos }, alias: { name: VIEW_ALIAS, pos }, columnAliases: null, pos },
            ...others.map((t): ast.TableRef => ({ kind: 'table', name: { name: t.table, pos }, alias: { name: t.qualifier, pos }, columnAliases: null, pos })),
          ],
          where: where.length ? where.reduce((l, r): ast.Expr => ({ kind: 'binary', op: 'and', left: l, right: r, pos })) : null,
          groupBy,
          having,
        },
        pos,
        { orderBy: order, limit: query.limit, offset: query.offset },
      ),
  };
}
