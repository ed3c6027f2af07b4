/**
 * Roll-up candidates: one view per FROM (same tables, aliases and join
 * conditions) grouped by every column the family's queries group or filter
 * on, with the plain aggregates they need (an AVG as its SUM and COUNT), and
 * no WHERE. Such a view answers each of those queries by a roll-up (SUM of
 * SUMs, COUNT from COUNT, AVG from SUM and COUNT, MIN of MINs) with the
 * query's filters applied to its grouping columns (issue 18, point 3).
 *
 * The engine's rewrite matches exactly today, so candidates.ts asks it and
 * these claim no query yet; they are offered all the same so that the day the
 * rewrite rolls up they are weighed by the same rule with no change here.
 *
 * Only the simple family is covered: GROUP BY plain columns; output items
 * that are grouping columns or SUM, COUNT, COUNT(*), MIN, MAX, AVG of a plain
 * column; a WHERE that is an AND of comparisons of a column with literals
 * (=, <>, <, <=, >, >=, BETWEEN, IN). Other queries stay with their exact
 * candidates.
 */
import type * as ast from '../../engine/sql/ast.js';
import { quoteIdentifier } from '../../engine/sql/index.js';
import { selectText } from './candidates.js';

const AGGREGATES = new Set(['sum', 'count', 'min', 'max', 'avg']);
const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>=']);

const isLiteral = (e: ast.Expr) => e.kind === 'number' || e.kind === 'string' || e.kind === 'typed' || (e.kind === 'unary' && e.op === '-' && e.arg.kind === 'number');

function columnText(c: ast.ColumnRef): string {
  return `${c.table ? `${quoteIdentifier(c.table.name)}.` : ''}${quoteIdentifier(c.name.name)}`;
}

/** The columns a simple filter constrains; null when `e` is not an AND of simple filters. */
function filterColumns(e: ast.Expr | null): ast.ColumnRef[] | null {
  if (e === null) return [];
  if (e.kind === 'binary' && e.op === 'and') {
    const l = filterColumns(e.left);
    const r = filterColumns(e.right);
    return l && r ? [...l, ...r] : null;
  }
  if (e.kind === 'binary' && COMPARISONS.has(e.op)) {
    if (e.left.kind === 'column' && isLiteral(e.right)) return [e.left];
    if (e.right.kind === 'column' && isLiteral(e.left)) return [e.right];
    return null;
  }
  if (e.kind === 'between' && !e.negated && e.arg.kind === 'column' && isLiteral(e.low) && isLiteral(e.high)) return [e.arg];
  if (e.kind === 'inList' && !e.negated && e.arg.kind === 'column' && e.list.every(isLiteral)) return [e.arg];
  return null;
}

/** The aggregate states an item needs (texts), or null when it is not a plain aggregate of a column. */
function aggregateStates(e: ast.Expr): string[] | null {
  if (e.kind !== 'function' || !AGGREGATES.has(e.name) || e.distinct || e.filter || e.over || e.withinGroup || e.approximate) return null;
  if (e.star) return e.name === 'count' ? ['count(*)'] : null;
  const arg = e.args[0];
  if (e.args.length !== 1 || arg?.kind !== 'column') return null;
  const c = columnText(arg);
  return e.name === 'avg' ? [`sum(${c})`, `count(${c})`] : [`${e.name}(${c})`];
}

interface Member {
  readonly from: string;
  readonly columns: readonly string[];
  readonly states: readonly string[];
}

function member(sql: string, q: ast.Query): Member | null {
  const b = q.body;
  if (q.with.length || b.kind !== 'select' || b.distinct || b.having || b.groupingSets || b.windows.length || b.qualify) return null;
  if (!b.groupBy.every((g) => g.kind === 'column')) return null;
  const filters = filterColumns(b.where);
  if (!filters) return null;
  const columns = new Set([...(b.groupBy as ast.ColumnRef[]), ...filters].map(columnText));
  const states: string[] = [];
  for (const it of b.items) {
    if (it.kind !== 'expr') return null;
    if (it.expr.kind === 'column') {
      if (!columns.has(columnText(it.expr))) return null;
      continue;
    }
    const s = aggregateStates(it.expr);
    if (!s) return null;
    states.push(...s);
  }
  if (states.length === 0) return null;
  const text = selectText(sql);
  if (!text) return null;
  // FROM ... up to the WHERE or GROUP BY at the top level of the tail
  const cut = /\s(where|group\s+by)\s/i.exec(text.tail.replace(/\([^()]*\)/g, (m) => ' '.repeat(m.length)));
  return { from: cut ? text.tail.slice(0, cut.index) : text.tail, columns: [...columns], states };
}

/**
 * The roll-up view for each FROM that two or more query texts of this simple
 * family share, or nothing. `queries` are (text, parsed) pairs; the FROM is
 * compared as parsed (fromKey).
 */
export function rollupViews(queries: readonly { readonly sql: string; readonly query: ast.Query; readonly fromKey: string }[]): string[] {
  const families = new Map<string, { from: string; members: number; columns: Set<string>; states: Set<string> }>();
  for (const q of queries) {
    const m = member(q.sql, q.query);
    if (!m) continue;
    let f = families.get(q.fromKey);
    if (!f) families.set(q.fromKey, (f = { from: m.from, members: 0, columns: new Set(), states: new Set() }));
    f.members++;
    for (const c of m.columns) f.columns.add(c);
    for (const s of m.states) f.states.add(s);
  }
  const out: string[] = [];
  for (const f of families.values()) {
    if (f.members < 2) continue;
    const columns = [...f.columns].sort();
    const states = [...f.states].sort();
    const items = [...columns.map((c, i) => `${c} as g${i + 1}`), ...states.map((s, i) => `${s} as a${i + 1}`)];
    out.push(`select ${items.join(', ')} ${f.from}${columns.length ? ` group by ${columns.join(', ')}` : ''}`);
  }
  return out;
}
