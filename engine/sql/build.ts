/**
 * Queries the engine writes itself (a MERGE's insert, an UPDATE's row-id
 * scan, a view rewrite, COPY ... TO of a table, a regclass lookup): one
 * SELECT with the clauses given and the rest empty, every node at `pos`.
 */
import type * as ast from './ast.js';

type Clauses = Pick<ast.SelectBody, 'items' | 'from'> & Partial<Pick<ast.SelectBody, 'where' | 'groupBy' | 'having'>>;
type Tail = Partial<Pick<ast.Query, 'orderBy' | 'limit' | 'offset'>>;

export function selectQuery(clauses: Clauses, pos: number, tail: Tail = {}): ast.Query {
  return {
    with: [],
    body: { kind: 'select', distinct: false, where: null, groupBy: [], having: null, windows: [], qualify: null, ...clauses, pos },
    orderBy: tail.orderBy ?? [],
    limit: tail.limit ?? null,
    offset: tail.offset ?? null,
    pos,
  };
}
