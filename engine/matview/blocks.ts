/**
 * The query blocks a view may answer: the statement's own, and every query
 * nested in it (a WITH query, a derived table in FROM, an IN, EXISTS, ANY or
 * scalar subquery, a branch of a set operation). rewriteBlocks walks them
 * from the outside in: a block that `answer` replaces is not looked into (the
 * view answers all of it), one it does not is searched for nested blocks.
 *
 * A block that names a WITH query of an enclosing block in its FROM is not
 * offered: the name means the WITH query there, not the base table a view of
 * the same name would read. Whether a block is correlated (reads columns of
 * an enclosing block) is the caller's to find out: it binds the block alone
 * (select.ts), which fails for such a block.
 */
import type * as ast from '../sql/ast.js';
import { walkAst } from '../plan/ast-walks.js';
import { isStackOverflow } from '../errors.js';

/** Where a block sits in the statement, for EXPLAIN: "this query", "the WITH query q", "an IN subquery", ... */
export type BlockLabel = string;

/** The replacement of a block (a query over a view), or null to leave it and look inside. */
export type BlockAnswer = (block: ast.Query, label: BlockLabel) => ast.Query | null;

/** `query` with each block `answer` replaces replaced; the same object when none is. */
export function rewriteBlocks(query: ast.Query, answer: BlockAnswer): ast.Query {
  if (!hasNestedBlocks(query)) return answer(query, 'this query') ?? query;
  try {
    return visitQuery(query, 'this query', new Set(), answer);
  } catch (e) {
    // a statement too deep to walk recursively (thousands of chained UNIONs) runs as written: the rewrite
    // is an optimization, and the statement itself is walked iteratively by everything that must
    if (!isStackOverflow(e)) throw e;
    return query;
  }
}

/** Kinds of node that hold a query block of their own. */
const NESTING = new Set(['subquery', 'exists', 'inSubquery', 'quantified', 'setOp', 'nested']);

/**
 * Whether `q` holds a block besides itself; walked iteratively, so that a
 * statement of one block (most, however long its expressions) is offered
 * whole without the recursive walk.
 */
function hasNestedBlocks(q: ast.Query): boolean {
  if (q.with.length > 0) return true;
  let found = false;
  walkAst(q, (node) => {
    if (NESTING.has(node.kind as string)) found = true;
  });
  return found;
}

function visitQuery(q: ast.Query, label: BlockLabel, ctes: ReadonlySet<string>, answer: BlockAnswer): ast.Query {
  if (!namesAny(q, ctes)) {
    const r = answer(q, label);
    if (r) return r;
  }
  const inner = q.with.length ? new Set([...ctes, ...q.with.map((c) => c.name.name)]) : ctes;
  let changed = false;
  const withs = q.with.map((c) => {
    const r = visitQuery(c.query, `the WITH query ${c.name.name}`, inner, answer);
    if (r !== c.query) changed = true;
    return r === c.query ? c : { ...c, query: r };
  });
  const body = visitBody(q.body, inner, answer);
  const tail = visitNode([q.orderBy, q.limit, q.offset], inner, answer) as [ast.OrderItem[], ast.Expr | null, ast.Expr | null];
  if (!changed && body === q.body && tail[0] === q.orderBy && tail[1] === q.limit && tail[2] === q.offset) return q;
  return { ...q, with: withs, body, orderBy: tail[0], limit: tail[1], offset: tail[2] };
}

function visitBody(b: ast.QueryBody, ctes: ReadonlySet<string>, answer: BlockAnswer): ast.QueryBody {
  switch (b.kind) {
    case 'setOp': {
      const left = branch(b.left, ctes, answer);
      const right = branch(b.right, ctes, answer);
      return left === b.left && right === b.right ? b : { ...b, left, right };
    }
    case 'nested': {
      const r = visitQuery(b.query, 'a parenthesized query', ctes, answer);
      return r === b.query ? b : { ...b, query: r };
    }
    default:
      return visitNode(b, ctes, answer) as ast.QueryBody;
  }
}

/** A set operation's operand: a SELECT is a block of its own (replaced by a parenthesized query over the view). */
function branch(b: ast.QueryBody, ctes: ReadonlySet<string>, answer: BlockAnswer): ast.QueryBody {
  if (b.kind !== 'select') return visitBody(b, ctes, answer);
  const q: ast.Query = { with: [], body: b, orderBy: [], limit: null, offset: null, pos: b.pos };
  const r = visitQuery(q, 'a branch of a set operation', ctes, answer);
  if (r === q) return b;
  return r.with.length === 0 && r.orderBy.length === 0 && r.limit === null && r.offset === null && r.body.kind === 'select' ? r.body : { kind: 'nested', query: r, pos: b.pos };
}

const SUBQUERY_LABELS: Record<string, string> = {
  inSubquery: 'an IN subquery',
  exists: 'an EXISTS subquery',
  quantified: 'an ANY or ALL subquery',
};

/** Any other node: copied only where a block under it was replaced. */
function visitNode(node: unknown, ctes: ReadonlySet<string>, answer: BlockAnswer): unknown {
  if (Array.isArray(node)) {
    let changed = false;
    const out = node.map((x) => {
      const r = visitNode(x, ctes, answer);
      if (r !== x) changed = true;
      return r;
    });
    return changed ? out : node;
  }
  if (node === null || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    let r: unknown;
    if (k === 'query' && isQuery(v)) {
      // a derived table has an alias field, a scalar subquery (the same kind) does not
      const label = o.kind === 'subquery' && 'alias' in o ? `the derived table ${(o.alias as ast.Ident | null)?.name ?? '(unnamed)'}` : (SUBQUERY_LABELS[o.kind as string] ?? 'a scalar subquery');
      r = visitQuery(v, label, ctes, answer);
    } else r = visitNode(v, ctes, answer);
    if (r !== v) changed = true;
    out[k] = r;
  }
  return changed ? out : node;
}

function isQuery(v: unknown): v is ast.Query {
  return typeof v === 'object' && v !== null && 'body' in v && 'with' in v && 'orderBy' in v;
}

/** Whether a FROM anywhere in `q` names one of `ctes` (the block then reads a WITH query of an enclosing block). */
function namesAny(q: ast.Query, ctes: ReadonlySet<string>): boolean {
  if (ctes.size === 0) return false;
  let found = false;
  walkAst(q, (o) => {
    if (o.kind === 'table' && 'columnAliases' in o && ctes.has((o.name as ast.Ident).name)) found = true;
  });
  return found;
}
