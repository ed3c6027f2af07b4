/**
 * The blocks nested in the mined queries (a WITH query, a derived table, an
 * IN, EXISTS, ANY or scalar subquery, a branch of a UNION), mined as queries
 * of their own: the engine rewrites each block a view answers
 * (engine/matview/blocks.ts), so a view may be made for one. TPC-H Q18
 * groups lineitem by l_orderkey in an IN subquery; this is how its view is
 * found.
 *
 * A block is mined when a view could answer it: a plain SELECT over base
 * tables with no subquery of its own, reading only its own tables' columns
 * (a correlated subquery is answered per outer row, not by a view). It counts
 * its query's executions. Its time is not logged apart from the query's: it
 * is given the query's time in proportion to the rows of the tables it reads
 * against the rows of every table the query reads (each time it is read), an
 * estimate that charges a block with its share of the scanning, which is
 * what a view saves.
 */
import { rewriteBlocks, type Catalog } from '../../engine/index.js';
import { parseStatement } from '../../engine/sql/index.js';
import type * as ast from '../../engine/sql/ast.js';
import { tokenize, type Token } from '../../engine/sql/lexer.js';
import { containsSubquery, walkAst } from '../../engine/plan/ast-walks.js';
import type { MinedQuery } from './mine.js';

/** `queries` and, after them, the blocks nested in them that a view could answer. */
export function withBlocks(queries: readonly MinedQuery[], catalog: Catalog): MinedQuery[] {
  const out = [...queries];
  for (const q of queries) out.push(...blocksOf(q, catalog));
  return out;
}

function blocksOf(q: MinedQuery, catalog: Catalog): MinedQuery[] {
  let s: ast.Statement;
  let tokens: Token[];
  try {
    s = parseStatement(q.sql);
    tokens = tokenize(q.sql);
  } catch {
    return [];
  }
  if (s.kind !== 'select') return [];
  const found: { block: ast.Query; text: string; tables: string[] }[] = [];
  rewriteBlocks(s.query, (block, where) => {
    if (where === 'this query') return null;
    const tables = leafTables(block, catalog);
    if (!tables) return null;
    const text = blockText(q.sql, tokens, block.pos);
    if (text) found.push({ block, text, tables });
    return null;
  });
  if (found.length === 0) return [];
  const all = tableRows(allTableNames(s.query), catalog);
  return found.map(({ text, tables }) => {
    const share = all > 0 ? Math.min(1, tableRows(tables, catalog) / all) : 0;
    return { sql: text, fingerprint: q.fingerprint, count: q.count, totalMs: q.totalMs * share, maxRows: Math.max(0, ...tables.map((t) => catalog.tables[t]?.rows ?? 0)), tables: [...new Set(tables)].sort() };
  });
}

function tableRows(names: readonly string[], catalog: Catalog): number {
  return names.reduce((n, t) => n + (catalog.tables[t]?.rows ?? 0), 0);
}

/**
 * The base tables a block reads, when it is a plain SELECT over base tables
 * without subqueries whose every column is its own tables' (or one of its
 * output names); null otherwise.
 */
function leafTables(block: ast.Query, catalog: Catalog): string[] | null {
  const b = block.body;
  if (block.with.length || b.kind !== 'select' || b.from.length === 0) return null;
  const tables: string[] = [];
  const names = new Set<string>();
  const stack: ast.TableRef[] = [...b.from];
  while (stack.length) {
    const r = stack.pop()!;
    if (r.kind === 'subquery') return null;
    if (r.kind === 'join') {
      if (r.on && containsSubquery(r.on)) return null;
      stack.push(r.left, r.right);
      continue;
    }
    if (!catalog.tables[r.name.name]) return null;
    tables.push(r.name.name);
    names.add((r.alias ?? r.name).name);
  }
  const own = new Set(tables.flatMap((t) => catalog.tables[t]!.columns.map((c) => c.name)));
  for (const it of b.items) if (it.kind === 'expr' && it.alias) own.add(it.alias.name);
  let ok = true;
  walkAst(block, (node) => {
    if (node.kind === 'subquery' || node.kind === 'exists' || node.kind === 'inSubquery' || node.kind === 'quantified') ok = false;
    if (node.kind === 'column') {
      const c = node as unknown as ast.ColumnRef;
      if (c.table ? !names.has(c.table.name) : !own.has(c.name.name)) ok = false;
    }
  });
  return ok ? tables : null;
}

/** Every base-table name a FROM of `q` reads, each time it is read. */
function allTableNames(q: ast.Query): string[] {
  const out: string[] = [];
  walkAst(q, (node) => {
    if (node.kind === 'table' && 'columnAliases' in node) out.push((node.name as ast.Ident).name);
  });
  return out;
}

/** The text of the block starting at `pos`: up to the parenthesis that closes it, or a set operation's keyword after it. */
function blockText(sql: string, tokens: readonly Token[], pos: number): string | null {
  let i = tokens.findIndex((t) => t.pos >= pos);
  if (i < 0 || tokens[i]!.kind !== 'word' || tokens[i]!.value !== 'select') return null;
  let depth = 0;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'op' && t.value === '(') depth++;
    else if (t.kind === 'op' && t.value === ')') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && ((t.kind === 'word' && (t.value === 'union' || t.value === 'intersect' || t.value === 'except' || t.value === 'minus')) || (t.kind === 'op' && t.value === ';'))) break;
  }
  const end = i < tokens.length ? tokens[i]!.pos : sql.length;
  return sql.slice(pos, end).trim();
}
