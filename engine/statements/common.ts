/** Helpers every statement family uses: binding context, and resolving a named table with a positioned error. */
import { SqlError, positionAt, type ErrorCode } from '../errors.js';
import type { ParsedStatement } from '../sql/index.js';
import type * as ast from '../sql/ast.js';
import type { Catalog, TableMeta } from '../catalog/catalog.js';
import type { BindContext } from '../plan/binder.js';
import type { SessionHost } from './host.js';

export function bindContext(db: Pick<SessionHost, 'systemTable'>, catalog: Catalog, sql: string): BindContext {
  return { catalog, systemTable: (name) => db.systemTable(name), sql };
}

/** An error about the statement `p` at offset `pos` of its text. */
export function statementError(code: ErrorCode, message: string, pos: number, p: ParsedStatement): SqlError {
  return new SqlError(code, message, positionAt(p.text, pos), p.text);
}

export function tableOr(catalog: Catalog, name: ast.Ident, p: ParsedStatement): TableMeta {
  const t = catalog.tables[name.name];
  if (!t) {
    const kind = catalog.views[name.name] ? `"${name.name}" is a view, not a table` : `table "${name.name}" does not exist`;
    throw statementError('UNKNOWN_TABLE', kind, name.pos, p);
  }
  return t;
}
