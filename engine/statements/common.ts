/** Helpers every statement family uses: binding context, and resolving a named table with a positioned error. */
import { SqlError, positionAt, type ErrorCode } from '../errors.js';
import type { ParsedStatement } from '../sql/index.js';
import type * as ast from '../sql/ast.js';
import type { Catalog, ColumnMeta, TableMeta } from '../catalog/catalog.js';
import { materializedViews, viewOfTable } from '../catalog/catalog.js';
import { encodingForRedshift } from '../storage/codecs/index.js';
import { constantVector } from '../storage/segment-columns.js';
import { physicalKind, type ParamValue } from '../types.js';
import { textAt } from '../result.js';
import { sessionZone } from './settings.js';
import type { BindContext } from '../plan/binder.js';
import { isStatsOnly, withImportedStats } from '../catalog/imported-stats.js';
import type { SessionHost } from './host.js';
import { readCheck } from './privileges.js';

/**
 * `params`: the values of a prepared statement's $1, $2 ...; without them a
 * parameter is an error. `reads`: the statement reads rows, so a stats-only
 * table is refused (the default); false for planning only (EXPLAIN, planned
 * records), which then plans with the imported statistics instead.
 */
export function bindContext(db: Pick<SessionHost, 'systemTable' | 'importedStats' | 'settings'> & Partial<Pick<SessionHost, 'principal' | 'restrictedSystemTable'>>, catalog: Catalog, sql: string, params?: readonly ParamValue[], reads = true): BindContext {
  const stats = db.importedStats();
  const zone = sessionZone(db.settings);
  // a session of a catalog user has its reads checked, planning included (EXPLAIN shows nothing it may not read)
  const canRead = db.principal ? readCheck(db.principal, catalog, (name) => db.restrictedSystemTable?.(name) ?? false) : undefined;
  const base = { systemTable: (name: string) => db.systemTable(name), sql, ...(params ? { params } : {}), ...(zone !== undefined ? { sessionZone: db.settings.timeZone } : {}), ...(canRead ? { canRead } : {}), ...(db.principal?.kind === 'user' ? { sessionUser: db.principal.name } : {}) };
  if (!reads) return { ...base, catalog: withImportedStats(catalog, stats) };
  return { ...base, catalog, ...(stats ? { statsOnly: (t: TableMeta) => isStatsOnly(t, stats) } : {}) };
}

/** An error about the statement `p` at offset `pos` of its text. */
export function statementError(code: ErrorCode, message: string, pos: number, p: ParsedStatement): SqlError {
  return new SqlError(code, message, positionAt(p.text, pos), p.text);
}

export function tableOr(catalog: Catalog, name: ast.Ident, p: ParsedStatement): TableMeta {
  const t = catalog.tables[name.name];
  if (!t) {
    const mv = materializedViews(catalog)[name.name];
    const kind = catalog.views[name.name]
      ? `"${name.name}" is a view, not a table`
      : mv
        ? `"${name.name}" is a materialized view, not a table (its rows are in table "${mv.table}")`
        : `table "${name.name}" does not exist`;
    throw statementError('UNKNOWN_TABLE', kind, name.pos, p);
  }
  return t;
}

/**
 * The table a statement changes rows or columns of. A materialized view and
 * the table holding its rows change only by REFRESH: UNSUPPORTED, naming it.
 */
export function writableTableOr(catalog: Catalog, name: ast.Ident, p: ParsedStatement): TableMeta {
  const mv = materializedViews(catalog)[name.name] ?? viewOfTable(catalog, name.name);
  if (mv) {
    const what = name.name === mv.name ? `"${mv.name}" is a materialized view` : `table "${name.name}" holds the rows of materialized view "${mv.name}"`;
    throw statementError('UNSUPPORTED', `${what}; its rows change only by REFRESH MATERIALIZED VIEW ${mv.name}`, name.pos, p);
  }
  return tableOr(catalog, name, p);
}

/** The codec an ENCODE name asks for, as Redshift names them. */
export function encodingOf(name: string, pos: number, p: ParsedStatement): ColumnMeta['encoding'] {
  const id = encodingForRedshift(name);
  if (id === undefined) {
    throw statementError('INVALID_DDL', `unknown encoding "${name}"; use RAW, AZ64, BYTEDICT, RUNLENGTH, DELTA, DELTA32K, MOSTLY8, MOSTLY16, MOSTLY32, ZSTD, LZO or AUTO`, pos, p);
  }
  return id;
}

/** A column's DEFAULT as an expression (a cast of its text; NULL when it has none), for UPDATE ... SET c = DEFAULT. */
export function defaultExpr(c: ColumnMeta, pos: number): ast.Expr {
  const text = c.default === undefined ? null : textAt(constantVector(physicalKind(c.type), c.default, 1), c.type, 0);
  return { kind: 'cast', arg: text === null ? { kind: 'null', pos } : { kind: 'string', value: text, pos }, type: c.type, pos };
}
