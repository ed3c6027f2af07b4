/**
 * Describing a prepared statement without running it (the wire protocol's
 * Describe): the type of each parameter ($1, $2 ...) and the columns of the
 * rows it returns.
 *
 * The statement is bound with every parameter NULL, typed as the client
 * declared it or untyped (read as its context asks, as PostgreSQL's "unknown"
 * is): the binder notes the type each untyped one is first cast to. A
 * parameter nothing types stays null (the caller reports it as text, as
 * PostgreSQL does for `SELECT $1`). Binding errors (an unknown table) come out
 * here, as PostgreSQL reports them at Parse.
 */
import { SqlError, positionAt } from '../errors.js';
import { parseStatements, type ParsedStatement } from '../sql/index.js';
import { tokenize } from '../sql/lexer.js';
import type { ParamValue, SqlType } from '../types.js';
import type { Field } from '../plan/physical.js';
import { bindInsertSource, bindQuery, type BindContext } from '../plan/binder.js';
import { DESCRIBE_FIELDS, SHOW_TABLES_FIELDS } from '../describe.js';
import { bindContext, tableOr } from './common.js';
import { dmlContext, dmlSource } from './dml.js';
import { PLAN_FIELDS } from './outcome.js';
import type { SessionHost } from './host.js';

export interface PreparedDescription {
  /** Each parameter's type: as declared, else as its context reads it, else null (nothing types it). */
  readonly params: readonly (SqlType | null)[];
  /** The columns of the rows it returns; null for a statement that returns none. */
  readonly fields: readonly Field[] | null;
}

/**
 * Describes `sql` (at most one statement; none describes as no rows and no
 * parameters) with the parameter types the client declared (null: not
 * declared); there are as many parameters as the larger of the declared ones
 * and the highest $n.
 */
export function describePrepared(db: SessionHost, sql: string, declared: readonly (SqlType | null)[]): PreparedDescription {
  const parsed = parseStatements(sql);
  if (parsed.length > 1) throw new SqlError('SYNTAX', 'cannot insert multiple commands into a prepared statement', positionAt(sql, parsed[1]!.pos), sql);
  const count = Math.max(declared.length, highestParam(sql));
  const types: (SqlType | null)[] = Array.from({ length: count }, (_, i) => declared[i] ?? null);
  if (parsed.length === 0) return { params: types, fields: null };
  const params: ParamValue[] = types.map((type) => ({ type, text: null }));
  const p: ParsedStatement = { ...parsed[0]!, params };
  const ctx: BindContext = { ...bindContext(db, db.catalog(), p.text, params), paramTypes: types };
  return { params: types, fields: fieldsOf(db, p, ctx) };
}

function fieldsOf(db: SessionHost, p: ParsedStatement, ctx: BindContext): readonly Field[] | null {
  const s = p.statement;
  switch (s.kind) {
    case 'select':
      return bindQuery(s.query, ctx).fields;
    case 'explain':
      if (s.statement.kind === 'select') bindQuery(s.statement.query, ctx);
      return PLAN_FIELDS;
    case 'insert':
      bindInsertSource(s, tableOr(ctx.catalog, s.table, p), ctx);
      return null;
    case 'delete':
    case 'update': {
      const table = tableOr(ctx.catalog, s.table, p);
      dmlSource(s, table, { ...dmlContext(db, ctx.catalog, table, p), paramTypes: ctx.paramTypes! }, p);
      return null;
    }
    case 'describe':
      return DESCRIBE_FIELDS;
    case 'showTables':
      return SHOW_TABLES_FIELDS;
    default:
      return null;
  }
}

/** The highest $n in the text (0 when there is none). */
function highestParam(sql: string): number {
  let n = 0;
  for (const t of tokenize(sql)) if (t.kind === 'param') n = Math.max(n, Number(t.value));
  return n;
}
