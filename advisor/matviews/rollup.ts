/**
 * Roll-up candidates: views without WHERE over one FROM (same tables,
 * aliases and join conditions), grouped by every column their queries group
 * or filter on, with the aggregates those queries need (an AVG as its SUM and
 * COUNT). Such a view answers each query of its family by a roll-up (SUM of
 * SUMs, COUNT from COUNT, AVG from SUM and COUNT, MIN of MINs) with the
 * query's filters applied to its grouping columns (issue 18, point 3;
 * engine/matview/rollup.ts): TPC-H's Q1 with its moving date bound is one
 * such family, grouped by (l_returnflag, l_linestatus, l_shipdate).
 *
 * Two kinds of family are offered for each FROM: one per set of grouping
 * and filter columns that two or more query texts share (Q1's texts differ
 * only in their date), and one for all the FROM's queries together. A view
 * grouped by every column of unrelated queries can hold nearly as many rows
 * as its base table; the cost rule (decide.ts, with the rows estimated from
 * ANALYZE's distinct counts, `rows` below) keeps such a view from being made.
 *
 * The family: GROUP BY plain columns (and a HAVING over their aggregates); output items that are grouping columns
 * or SUM, COUNT, COUNT(*), MIN, MAX, AVG of an expression of columns (no
 * DISTINCT, FILTER or window); a WHERE that is an AND of comparisons of a
 * column with a constant expression (=, <>, <, <=, >, >=, BETWEEN, IN), such
 * as Q1's `l_shipdate <= date '1998-12-01' - interval '90' day`. Other
 * queries stay with their exact candidates. candidates.ts asks the engine's
 * rewrite which queries a roll-up view in fact answers.
 */
import type * as ast from '../../engine/sql/ast.js';
import { containsAggregate, containsSubquery, someNode } from '../../engine/index.js';
import { collectAggregates } from '../../engine/plan/ast-walks.js';
import { quoteIdentifier } from '../../engine/sql/index.js';
import { selectText } from './candidates.js';

/** Syntax without the positions it was written at: the same call written twice has one key. */
const keyOf = (x: unknown) => JSON.stringify(x, (k, v: unknown) => (k === 'pos' ? undefined : v));

const AGGREGATES = new Set(['sum', 'count', 'min', 'max', 'avg']);
const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>=']);

/** An expression of no column: one value for every row (a literal, or date arithmetic of literals). */
const isConstant = (e: ast.Expr) => !someNode(e, (n) => n.kind === 'column' || n.kind === 'subquery' || n.kind === 'exists' || n.kind === 'inSubquery' || n.kind === 'quantified');

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
    if (e.left.kind === 'column' && isConstant(e.right)) return [e.left];
    if (e.right.kind === 'column' && isConstant(e.left)) return [e.right];
    return null;
  }
  if (e.kind === 'between' && !e.negated && e.arg.kind === 'column' && isConstant(e.low) && isConstant(e.high)) return [e.arg];
  if (e.kind === 'inList' && !e.negated && e.arg.kind === 'column' && e.list.every(isConstant)) return [e.arg];
  return null;
}

/**
 * The aggregate states item `e` needs, as (key, text) pairs: `bare` is the
 * item's text without its alias; null when `e` is not a plain aggregate of an
 * expression of columns.
 */
function aggregateStates(e: ast.Expr, bare: string): [string, string][] | null {
  if (e.kind !== 'function' || !AGGREGATES.has(e.name) || e.distinct || e.filter || e.over || e.withinGroup || e.approximate) return null;
  if (e.star) return e.name === 'count' ? [[keyOf(e), 'count(*)']] : null;
  const arg = e.args[0];
  if (e.args.length !== 1 || !arg || !someNode(arg, (n) => n.kind === 'column') || containsAggregate(arg) || containsSubquery(arg)) return null;
  if (e.name !== 'avg') return [[keyOf(e), bare]];
  // the text of the call after its name: AVG(x) keeps SUM(x) and COUNT(x)
  const m = /^avg\s*(\(.*\))$/is.exec(bare);
  if (!m) return null;
  return [
    [keyOf({ ...e, name: 'sum' }), `sum${m[1]}`],
    [keyOf({ ...e, name: 'count' }), `count${m[1]}`],
  ];
}

interface Member {
  readonly from: string;
  readonly columns: readonly string[];
  /** Aggregate states by their syntax (positions aside), with their text. */
  readonly states: readonly [string, string][];
}

function member(sql: string, q: ast.Query): (Member & { readonly refs: readonly ast.ColumnRef[] }) | null {
  const b = q.body;
  if (q.with.length || b.kind !== 'select' || b.distinct || b.groupingSets || b.windows.length || b.qualify) return null;
  if (!b.groupBy.every((g) => g.kind === 'column')) return null;
  const filters = filterColumns(b.where);
  if (!filters) return null;
  const columns = new Set([...(b.groupBy as ast.ColumnRef[]), ...filters].map(columnText));
  const text = selectText(sql);
  if (!text || text.items.length !== b.items.length) return null;
  const states: [string, string][] = [];
  for (let k = 0; k < b.items.length; k++) {
    const it = b.items[k]!;
    if (it.kind !== 'expr') return null;
    if (it.expr.kind === 'column') {
      if (!columns.has(columnText(it.expr))) return null;
      continue;
    }
    const bare = text.items[k]!.replace(/\s+as\s+("[^"]*"|[A-Za-z_][A-Za-z0-9_$]*)\s*$/i, '');
    const st = aggregateStates(it.expr, bare);
    if (!st) return null;
    states.push(...st);
  }
  // a HAVING's aggregates are kept too: the roll-up applies it to the aggregates it combines (TPC-H Q18's sum(l_quantity) > 300)
  if (b.having) {
    const calls: ast.FunctionCall[] = [];
    collectAggregates(b.having, calls);
    for (const call of calls) {
      const st = aggregateStates(call, callText(sql, call.pos));
      if (!st) return null;
      states.push(...st);
    }
  }
  if (states.length === 0) return null;
  // FROM ... up to the WHERE or GROUP BY at the top level of the tail
  const cut = /\s(where|group\s+by|having)\s/i.exec(text.tail.replace(/\([^()]*\)/g, (m) => ' '.repeat(m.length)));
  const refs = [...new Map([...(b.groupBy as ast.ColumnRef[]), ...filters].map((c) => [columnText(c), c])).values()];
  return { from: cut ? text.tail.slice(0, cut.index) : text.tail, columns: refs.map(columnText), refs, states };
}

/** The text of the call written at `pos`: its name through the parenthesis that closes its arguments. */
function callText(sql: string, pos: number): string {
  let depth = 0;
  for (let i = pos; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "'") {
      i = sql.indexOf("'", i + 1);
      if (i < 0) break;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return sql.slice(pos, i + 1);
  }
  return sql.slice(pos);
}

/** A roll-up view to offer: its query, and the columns (as written) it groups by. */
export interface RollupView {
  readonly sql: string;
  readonly groupBy: readonly ast.ColumnRef[];
}

/**
 * The roll-up views for `queries`, (text, parsed) pairs with their FROM as
 * parsed (fromKey): per FROM, one for each set of grouping and filter columns
 * that two or more texts share, and one for all the FROM's texts when that
 * differs (see the header).
 */
export function rollupViews(queries: readonly { readonly sql: string; readonly query: ast.Query; readonly fromKey: string }[]): RollupView[] {
  interface Family {
    from: string;
    members: number;
    columns: Map<string, ast.ColumnRef>;
    states: Map<string, string>;
  }
  const families = new Map<string, Family>();
  const join = (key: string, m: Member & { refs: readonly ast.ColumnRef[] }) => {
    let f = families.get(key);
    if (!f) families.set(key, (f = { from: m.from, members: 0, columns: new Map(), states: new Map() }));
    f.members++;
    m.refs.forEach((r, i) => f!.columns.set(m.columns[i]!, r));
    for (const [k, t] of m.states) if (!f.states.has(k)) f.states.set(k, t);
  };
  for (const q of queries) {
    const m = member(q.sql, q.query);
    if (!m) continue;
    join(`${q.fromKey}\u0000${[...m.columns].sort().join('\u0000')}`, m);
    join(q.fromKey, m);
  }
  const out = new Map<string, RollupView>();
  for (const f of families.values()) {
    if (f.members < 2) continue;
    const columns = [...f.columns.keys()].sort();
    const states = [...f.states.values()].sort();
    const items = [...columns.map((c, i) => `${c} as g${i + 1}`), ...states.map((s, i) => `${s} as a${i + 1}`)];
    const sql = `select ${items.join(', ')} ${f.from}${columns.length ? ` group by ${columns.join(', ')}` : ''}`;
    // a FROM whose texts all share one set of columns gives the same view twice
    out.set(sql, { sql, groupBy: columns.map((c) => f.columns.get(c)!) });
  }
  return [...out.values()];
}
