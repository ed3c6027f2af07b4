/**
 * How deeply a statement nests, and the limits past which it is TOO_COMPLEX
 * (docs/sql.md, "Limits").
 *
 * The binder, planner, compiler and executor walk trees recursively, so a tree
 * that is too deep would overflow the JavaScript stack somewhere after parsing.
 * The parser therefore measures each statement's tree once, without recursion,
 * and rejects one deeper than MAX_NESTING with a SqlError pointing at the part
 * that is too deep. (The parser's own recursion has its limit, MAX_PARSE_DEPTH.)
 *
 * Nesting is counted the way the later stages recurse: each operator, function
 * call, CASE, cast or predicate is one level over its deepest operand, so
 * `a + b + c` is three levels deep (the parser makes it ((a + b) + c)). Long
 * flat lists do not nest: a chain of ANDs (or of ORs) is one level however long
 * it is, as the binder makes it a balanced tree, and so is a chain of UNION ALLs
 * (or of UNIONs), which the binder makes one list; IN lists, VALUES rows, CASE's
 * WHENs, call arguments and select items are lists too. A query level (a
 * subquery, a derived table, a join, each FROM item after the first, an INTERSECT
 * or EXCEPT) counts QUERY_LEVEL: binding, planning and running a query takes
 * several times the stack an operator does.
 *
 * The limits hold with room to spare: measured in a fresh process (code not yet
 * optimized, so stack frames at their largest) on the default 984 KB stack, binding
 * and running fail near 1,180 nested operators, 223 chained EXCEPTs and 374 nested
 * scalar subqueries, and the parser near 610 nested function calls (740 parentheses).
 * Anything that still overflows (views nested in views, very long lists) is
 * TOO_COMPLEX as well, caught where it happens (errors.ts, tooComplexIfOverflow).
 */
import { SqlError, positionAt } from '../errors.js';
import type * as ast from './ast.js';
import { children, groupingElementExprs, windowSpecChildren } from './expr-children.js';

/** The deepest a statement's tree may nest: a chain of 700 terms `a + b + ...` (see above). */
export const MAX_NESTING = 700;

/** What one query level (subquery, derived table, join, INTERSECT, EXCEPT) counts for. */
export const QUERY_LEVEL = 5;

/**
 * How deeply the parser may recurse: each parenthesis, function call, CASE,
 * CAST, unary operator, NOT, subquery and parenthesized join takes a level.
 */
export const MAX_PARSE_DEPTH = 400;

type Item =
  | { readonly t: 'stmt'; readonly n: ast.Statement }
  | { readonly t: 'query'; readonly n: ast.Query }
  | { readonly t: 'body'; readonly n: ast.QueryBody }
  | { readonly t: 'ref'; readonly n: ast.TableRef }
  | { readonly t: 'expr'; readonly n: ast.Expr };

/** Throws TOO_COMPLEX when `statement` nests deeper than `limit` (see above). */
export function checkNesting(statement: ast.Statement, sql: string, limit = MAX_NESTING): void {
  check({ t: 'stmt', n: statement }, sql, limit);
}

/** checkNesting for a lone expression. */
export function checkExpressionNesting(e: ast.Expr, sql: string, limit = MAX_NESTING): void {
  check({ t: 'expr', n: e }, sql, limit);
}

function check(root: Item, sql: string, limit: number): void {
  const items: Item[] = [root];
  const parent: number[] = [-1];
  const weight: number[] = [root.t === 'expr' ? 1 : 0];
  // pre-order: every node's children come after it
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    for (const c of childrenOf(it)) {
      items.push(c);
      parent.push(i);
      weight.push(weightOf(c, it));
    }
  }
  // heights, children first (reverse pre-order)
  const height = new Array<number>(items.length).fill(0);
  for (let i = items.length - 1; i >= 0; i--) {
    height[i]! += weight[i]!;
    const p = parent[i]!;
    if (p >= 0 && height[i]! > height[p]!) height[p] = height[i]!;
  }
  if (height[0]! <= limit) return;
  // the leftmost smallest part that is too deep: descend while a child is too deep
  const kids = new Map<number, number[]>();
  for (let i = 1; i < items.length; i++) {
    const p = parent[i]!;
    let list = kids.get(p);
    if (!list) kids.set(p, (list = []));
    list.push(i);
  }
  let at = 0;
  for (;;) {
    const next = (kids.get(at) ?? []).find((c) => height[c]! > limit);
    if (next === undefined) break;
    at = next;
  }
  // Along the deepest path below it: mostly operators (point at the outermost of them) or mostly queries?
  let exprLevels = 0;
  let queryLevels = 0;
  let firstExpr = -1;
  for (let i: number | undefined = at; i !== undefined; ) {
    if (items[i]!.t === 'expr') {
      exprLevels += weight[i]!;
      if (firstExpr < 0) firstExpr = i;
    } else {
      queryLevels += weight[i]!;
    }
    const cs: number[] = kids.get(i) ?? [];
    i = cs.length ? cs.reduce((best, c) => (height[c]! > height[best]! ? c : best)) : undefined;
  }
  const operators = exprLevels >= queryLevels;
  const node = items[operators && firstExpr >= 0 ? firstExpr : at]!;
  const what = operators ? 'expressions nested' : 'subqueries, joins and set operations nested';
  throw new SqlError('TOO_COMPLEX', `statement too complex: ${what} deeper than ${limit} levels`, positionAt(sql, node.n.pos), sql);
}

/** The levels a node adds over its deepest child. */
function weightOf(c: Item, parentItem: Item): number {
  switch (c.t) {
    case 'stmt':
      return 0;
    case 'query':
      // the statement's own query is level 0
      return parentItem.t === 'stmt' ? 0 : QUERY_LEVEL;
    case 'body': {
      // FROM a, b, c is a chain of joins
      if (c.n.kind === 'select') return QUERY_LEVEL * Math.max(0, c.n.from.length - 1);
      if (c.n.kind !== 'setOp') return 0;
      // a UNION [ALL] on the left of the same kind of UNION is one list with it (the binder flattens it)
      const p = parentItem.n as ast.QueryBody;
      const chained = parentItem.t === 'body' && p.kind === 'setOp' && p.op === 'union' && c.n.op === 'union' && p.all === c.n.all && p.left === c.n;
      return chained ? 0 : QUERY_LEVEL;
    }
    case 'ref':
      return c.n.kind === 'join' ? QUERY_LEVEL : 0;
    case 'expr': {
      const e = c.n;
      // AND under AND, OR under OR: one list (the binder flattens it)
      if (e.kind === 'binary' && (e.op === 'and' || e.op === 'or') && parentItem.t === 'expr') {
        const p = parentItem.n;
        if (p.kind === 'binary' && p.op === e.op) return 0;
      }
      return 1;
    }
  }
}

function childrenOf(it: Item): Item[] {
  const out: Item[] = [];
  const expr = (e: ast.Expr | null | undefined): void => {
    if (e) out.push({ t: 'expr', n: e });
  };
  const query = (q: ast.Query | null): void => {
    if (q) out.push({ t: 'query', n: q });
  };
  switch (it.t) {
    case 'stmt': {
      const s = it.n;
      switch (s.kind) {
        case 'select':
          query(s.query);
          break;
        case 'explain':
          out.push({ t: 'stmt', n: s.statement });
          break;
        case 'createTable':
          query(s.as);
          for (const c of s.columns) expr(c.default);
          break;
        case 'alterSchema':
          if (s.change.kind === 'addColumn') expr(s.change.default);
          break;
        case 'insert':
          query(s.source);
          break;
        case 'delete':
          for (const r of s.using) out.push({ t: 'ref', n: r });
          expr(s.where);
          break;
        case 'update':
          for (const a of s.set) expr(a.value);
          for (const r of s.from) out.push({ t: 'ref', n: r });
          expr(s.where);
          break;
        case 'createView':
        case 'copyTo':
          query(s.query);
          break;
        case 'merge':
          out.push({ t: 'ref', n: s.source });
          expr(s.on);
          if (s.matched.kind === 'update') for (const a of s.matched.set) expr(a.value);
          for (const v of s.notMatched.values) expr(v);
          break;
        case 'truncate':
        case 'copy':
        case 'unload':
        case 'vacuum':
        case 'analyze':
        case 'dropTable':
        case 'dropView':
        case 'createUser':
        case 'alterUser':
        case 'dropUser':
        case 'grant':
        case 'alterTable':
        case 'ignored':
          break;
      }
      break;
    }
    case 'query': {
      const q = it.n;
      for (const c of q.with) query(c.query);
      out.push({ t: 'body', n: q.body });
      for (const o of q.orderBy) expr(o.expr);
      expr(q.limit);
      expr(q.offset);
      break;
    }
    case 'body': {
      const b = it.n;
      switch (b.kind) {
        case 'select':
          for (const i of b.items) if (i.kind === 'expr') expr(i.expr);
          for (const r of b.from) out.push({ t: 'ref', n: r });
          expr(b.where);
          for (const g of b.groupBy) expr(g);
          if (b.groupingSets) for (const g of groupingElementExprs(b.groupingSets)) expr(g);
          expr(b.having);
          for (const w of b.windows) for (const x of windowSpecChildren(w.spec)) expr(x);
          expr(b.qualify);
          break;
        case 'setOp':
          out.push({ t: 'body', n: b.left }, { t: 'body', n: b.right });
          break;
        case 'values':
          for (const row of b.rows) for (const x of row) expr(x);
          break;
        case 'nested':
          query(b.query);
          break;
      }
      break;
    }
    case 'ref': {
      const r = it.n;
      switch (r.kind) {
        case 'table':
          break;
        case 'subquery':
          query(r.query);
          break;
        case 'join':
          out.push({ t: 'ref', n: r.left }, { t: 'ref', n: r.right });
          expr(r.on);
          break;
      }
      break;
    }
    case 'expr': {
      const e = it.n;
      for (const c of children(e)) expr(c);
      if (e.kind === 'inSubquery' || e.kind === 'quantified' || e.kind === 'exists' || e.kind === 'subquery') query(e.query);
      break;
    }
  }
  return out;
}
