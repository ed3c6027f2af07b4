/**
 * ARRAY(subquery), as catalog queries of clients write it (psql's \du lists
 * each role's memberships so). keel has no array type: the subquery's values
 * are returned as the text PostgreSQL prints for an array, '{a,b}' ('{}'
 * for none), by rewriting the subquery's one output into
 * '{' || COALESCE(LISTAGG(x, ','), '') || '}'. Only a plain SELECT of one
 * expression is taken (no DISTINCT, GROUP BY, ORDER BY, LIMIT or set
 * operation); anything else is refused, naming it. Elements are not quoted
 * as PostgreSQL quotes those holding commas, braces or spaces.
 */
import type * as ast from './ast.js';
import type { ParserCursor } from './parse-cursor.js';

// ARRAY ( query ); the cursor is on ARRAY
export function arrayExpr(p: ParserCursor): ast.Expr {
  const pos = p.advance().pos;
  p.expectOp('(');
  const query = p.query();
  p.expectOp(')');
  const body = query.body;
  const item = body.kind === 'select' && body.items.length === 1 ? body.items[0]! : null;
  const plain = body.kind === 'select' && !body.distinct && body.groupBy.length === 0 && !body.groupingSets && body.having === null && query.orderBy.length === 0 && query.limit === null && query.offset === null && query.with.length === 0;
  if (!plain || item === null || item.kind !== 'expr') throw p.unsupported('ARRAY(subquery) other than a plain SELECT of one expression', { kind: 'word', value: 'array', pos } as Parameters<ParserCursor['unsupported']>[1]);
  const text = (value: string): ast.Expr => ({ kind: 'string', value, pos });
  const concat = (left: ast.Expr, right: ast.Expr): ast.Expr => ({ kind: 'binary', op: '||', left, right, pos });
  const call = (name: string, args: ast.Expr[]): ast.Expr => ({ kind: 'function', name, args, distinct: false, star: false, pos });
  const listed = call('coalesce', [call('listagg', [item.expr, text(',')]), text('')]);
  const select = body as ast.SelectBody;
  return { kind: 'subquery', query: { ...query, body: { ...select, items: [{ ...item, expr: concat(concat(text('{'), listed), text('}')) }] } }, pos };
}
