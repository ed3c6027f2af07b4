/**
 * Candidate views: the mined queries merged into views that answer them.
 *
 * Queries are grouped by their shape: FROM (tables, aliases, join
 * conditions), WHERE, GROUP BY, DISTINCT and HAVING, as parsed, positions
 * aside. One candidate per shape selects the union of the shape's output
 * expressions, so it answers every query of the shape whatever subset of
 * them it shows, in any order and under any name. When GROUP BY names its
 * columns by position or by output name, or there is a HAVING, the select
 * list itself is part of the shape (the positions and names must mean the
 * same thing in the view).
 *
 * Whether a candidate answers a query is not decided here: the engine's own
 * rewrite is asked (viewRewrite over a catalog holding only the candidate,
 * fresh by construction): exact matches, roll-ups with residual filters, and
 * partial joins. So the candidates can only claim queries the rewrite will in
 * fact send to the view, the coarser roll-up family (rollup.ts) among them.
 */
import { viewRewrite, viewShape, type Catalog, type MaterializedViewMeta } from '../../engine/index.js';
import { parseStatement } from '../../engine/sql/index.js';
import type * as ast from '../../engine/sql/ast.js';
import { tokenize, type Token } from '../../engine/sql/lexer.js';
import type { MinedQuery } from './mine.js';
import { rollupViews } from './rollup.js';

export interface Candidate {
  /** The view's query. */
  readonly sql: string;
  /** Base tables it reads. */
  readonly tables: readonly string[];
  /** The mined queries it answers. */
  readonly serves: readonly MinedQuery[];
  /**
   * The rows it will hold, estimated from statistics, for a roll-up view;
   * null for a view of its queries' own shape, which holds about what the
   * largest of them returned (decide.ts).
   */
  readonly rows: number | null;
}

/** The pieces of a SELECT's text: its output items and the clauses from FROM through HAVING. */
interface SelectText {
  readonly items: readonly string[];
  /** FROM ... [WHERE ...] [GROUP BY ...] [HAVING ...], without ORDER BY, LIMIT or OFFSET. */
  readonly tail: string;
  readonly distinct: boolean;
}

/** Splits one plain SELECT's text at its top-level keywords; null for anything else (WITH, set operations, no FROM). */
export function selectText(sql: string): SelectText | null {
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch {
    return null;
  }
  if (tokens[0]?.kind !== 'word' || tokens[0].value !== 'select') return null;
  let depth = 0;
  let i = 1;
  let distinct = false;
  if (tokens[i]?.kind === 'word' && (tokens[i]!.value === 'distinct' || tokens[i]!.value === 'all')) {
    distinct = tokens[i]!.value === 'distinct';
    i++;
  }
  const itemStart = tokens[i]?.pos ?? sql.length;
  const cuts: number[] = [];
  let from = -1;
  let end = sql.length;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'op' && t.value === '(') depth++;
    else if (t.kind === 'op' && t.value === ')') depth--;
    if (depth !== 0) continue;
    if (from < 0 && t.kind === 'op' && t.value === ',') cuts.push(i);
    else if (from < 0 && t.kind === 'word' && t.value === 'from') from = i;
    else if (from >= 0 && t.kind === 'word' && (t.value === 'order' || t.value === 'limit' || t.value === 'offset' || t.value === 'union' || t.value === 'intersect' || t.value === 'except')) {
      if (t.value !== 'order' && t.value !== 'limit' && t.value !== 'offset') return null;
      end = t.pos;
      break;
    } else if (t.kind === 'op' && t.value === ';') {
      end = t.pos;
      break;
    }
  }
  if (from < 0) return null;
  const bounds = [itemStart, ...cuts.map((c) => tokens[c]!.pos), tokens[from]!.pos];
  const items = bounds.slice(0, -1).map((b, k) => sql.slice(k === 0 ? b : b + 1, bounds[k + 1]).trim());
  return { items, tail: sql.slice(tokens[from]!.pos, end).trim(), distinct };
}

function withoutPos(key: string, value: unknown): unknown {
  return key === 'pos' ? undefined : value;
}

const keyOf = (x: unknown) => JSON.stringify(x, withoutPos);

/** Whether the select list must stay as written: GROUP BY by position or output name, or a HAVING. */
function listIsShape(b: ast.SelectBody): boolean {
  if (b.having || b.groupingSets) return true;
  const aliases = new Set(b.items.flatMap((it) => (it.kind === 'expr' && it.alias ? [it.alias.name] : [])));
  return b.groupBy.some((g) => g.kind === 'number' || (g.kind === 'column' && g.table === null && aliases.has(g.name.name)));
}

interface Parsed {
  readonly query: ast.Query;
  readonly body: ast.SelectBody;
  readonly text: SelectText;
  readonly shape: string;
}

function parse(sql: string): Parsed | null {
  const text = selectText(sql);
  if (!text) return null;
  let s;
  try {
    s = parseStatement(sql);
  } catch {
    return null;
  }
  if (s.kind !== 'select' || s.query.with.length || s.query.body.kind !== 'select') return null;
  const b = s.query.body;
  if (b.items.some((it) => it.kind === 'star') || b.items.length !== text.items.length) return null;
  const clauses = [b.distinct, b.from, b.where, b.groupBy, b.groupingSets ?? null, b.having, b.windows, b.qualify];
  return { query: s.query, body: b, text, shape: keyOf(listIsShape(b) ? [clauses, b.items] : clauses) };
}

/** The view's query: the union of the shape's output expressions over its FROM ... HAVING. */
function viewSql(members: readonly Parsed[]): string {
  const first = members[0]!;
  if (listIsShape(first.body)) return `select ${first.text.distinct ? 'distinct ' : ''}${first.text.items.join(', ')} ${first.text.tail}`;
  const seen = new Set<string>();
  const items: string[] = [];
  for (const m of members) {
    m.body.items.forEach((it, k) => {
      if (it.kind !== 'expr') return;
      const key = keyOf(it.expr);
      if (seen.has(key)) return;
      seen.add(key);
      // the view's own column names: distinct whatever the queries called them (the rewrite matches expressions)
      const bare = m.text.items[k]!.replace(/\s+as\s+("[^"]*"|[A-Za-z_][A-Za-z0-9_$]*)\s*$/i, '');
      items.push(`${bare} as c${items.length + 1}`);
    });
  }
  return `select ${first.text.distinct ? 'distinct ' : ''}${items.join(', ')} ${first.text.tail}`;
}

/**
 * A catalog holding `candidate` as the only materialized view, fresh (no base
 * table to be stale against), with an empty table for its rows: the roll-up
 * and partial-join rewrites read the stored columns (the view's, then the
 * hidden states an aggregate view keeps) from it.
 */
function hypothetical(catalog: Catalog, sql: string): Catalog {
  // the rewrite reads columns by position: one name per output item (the names themselves are not compared)
  const columns = (selectText(sql)?.items ?? []).map((_, i) => `c${i + 1}`);
  let stored = columns;
  try {
    const s = parseStatement(sql);
    const shape = s.kind === 'select' ? viewShape(s.query, catalog) : null;
    if (shape?.kind === 'aggregate') stored = [...columns, ...shape.hidden];
  } catch {
    // not a query the rewrite can read: it answers nothing
  }
  const base = Object.values(catalog.tables)[0];
  const mv: MaterializedViewMeta = { name: 'keel_candidate', sql, table: 'keel_candidate', columns, autoRefresh: false, owner: 'advisor', base: [], createdAt: 0, refreshes: [] };
  const tables = base
    ? { ...catalog.tables, keel_candidate: { ...base, name: 'keel_candidate', rows: 0, segments: [], columns: stored.map((name) => ({ name, type: { id: 'double' as const }, notNull: false, encoding: 'auto' as const, encodingExplicit: false })) } }
    : catalog.tables;
  return { ...catalog, tables, materializedViews: { keel_candidate: mv } };
}

/** Whether the engine's rewrite would answer `sql` from a fresh view of `viewQuery`: exactly, by a roll-up or by a partial join. */
export function answers(catalog: Catalog, viewQuery: string, sql: string): boolean {
  let s;
  try {
    s = parseStatement(sql);
  } catch {
    return false;
  }
  return s.kind === 'select' && viewRewrite(s.query, hypothetical(catalog, viewQuery)) !== null;
}

/**
 * The rows a roll-up view grouped by `groupBy` over `tables` will hold: the
 * product of the columns' distinct values (ANALYZE's, a NULL counting as one
 * more), at most the largest table's rows; that largest table's rows when a
 * column has no statistics (the view is then taken to be as large as its
 * input, which keeps it from being made on a guess).
 */
function rollupRows(groupBy: readonly ast.ColumnRef[], tables: readonly string[], catalog: Catalog): number {
  const largest = Math.max(0, ...tables.map((t) => catalog.tables[t]?.rows ?? 0));
  let product = 1;
  for (const c of groupBy) {
    const stats = tables.flatMap((t) => catalog.tables[t]?.stats?.columns.filter((x) => x.name === c.name.name) ?? []);
    if (stats.length !== 1) return largest;
    product *= stats[0]!.distinct + (stats[0]!.nulls > 0 ? 1 : 0);
  }
  return Math.min(product, largest);
}

/**
 * The candidates for `queries`: one per shape (see the header), each with the
 * queries the rewrite would send to it. Queries over tables that are not in
 * the catalog (dropped, or views) and shapes the rewrite would not match are
 * left out.
 */
export function candidatesOf(queries: readonly MinedQuery[], catalog: Catalog): Candidate[] {
  const shapes = new Map<string, { parsed: Parsed[]; queries: MinedQuery[] }>();
  for (const q of queries) {
    if (q.tables.length === 0 || q.tables.some((t) => !catalog.tables[t])) continue;
    const p = parse(q.sql);
    if (!p) continue;
    let g = shapes.get(p.shape);
    if (!g) shapes.set(p.shape, (g = { parsed: [], queries: [] }));
    g.parsed.push(p);
    g.queries.push(q);
  }
  const out: Candidate[] = [];
  const offer = (sql: string, queries: readonly MinedQuery[], rows: ((tables: readonly string[]) => number) | null) => {
    const serves = queries.filter((q) => answers(catalog, sql, q.sql));
    if (serves.length === 0) return;
    const tables = [...new Set(serves.flatMap((q) => q.tables))].sort();
    out.push({ sql, tables, serves, rows: rows && rows(tables) });
  };
  for (const g of shapes.values()) offer(viewSql(g.parsed), g.queries, null);
  // the coarser family, answering by roll-ups and partial joins (rollup.ts)
  const all = [...shapes.values()].flatMap((g) => g.parsed.map((p, i) => ({ p, q: g.queries[i]! })));
  const rollups = rollupViews(all.map(({ p, q }) => ({ sql: q.sql, query: p.query, fromKey: keyOf(p.body.from) })));
  for (const r of rollups) offer(r.sql, all.map((x) => x.q), (tables) => rollupRows(r.groupBy, tables, catalog));
  return out;
}
