/**
 * Schema changes: ALTER TABLE ... ADD COLUMN, DROP COLUMN, RENAME COLUMN,
 * RENAME TO, ALTER COLUMN ... TYPE. Each is one catalog change under the
 * writer lock; none rewrites the table's segments, except dropping the
 * distribution key the advisor chose (the table is redistributed, EVEN or ALL
 * by the small-table rule, in the same commit):
 *
 * - ADD COLUMN gives the column a new id and lists, in every existing
 *   segment's entry, the ids its file holds: those files read the new column
 *   as its DEFAULT (storage/segment-columns.ts).
 * - DROP COLUMN lists the ids the same way and stops naming the column.
 * - RENAME and a wider (or, as Redshift allows, narrower but still fitting)
 *   VARCHAR change only the catalog: segments find their columns by id, and a
 *   VARCHAR's length is a check on writes, not a storage format.
 *
 * Each change bumps the table's version, so a background rewrite that read
 * the old columns fails with CONFLICT instead of committing them back.
 *
 * Views follow Redshift's: a view created WITH NO SCHEMA BINDING binds when it
 * is queried (a column gone is an error then); a regular view depends on what
 * it reads, so DROP COLUMN refuses to break it unless CASCADE drops it too.
 * Redshift's regular views follow a rename; keel keeps a view as its SQL text,
 * so a rename that would break a regular view is refused instead.
 */
import type { ParsedStatement } from '../sql/index.js';
import { parseStatement } from '../sql/parser.js';
import type * as ast from '../sql/ast.js';
import { typeName, type SqlType } from '../types.js';
import { autoStyleFor, columnIds, type Catalog, type ColumnMeta, type TableMeta } from '../catalog/catalog.js';
import { rewriteTable } from '../storage/tables.js';
import { newScanCounters, scanSegments, segmentSource } from '../storage/scan.js';
import { tableDir } from '../storage/datadir.js';
import { bindInsertSource, bindQuery } from '../plan/binder.js';
import { Planner } from '../plan/planner.js';
import { ExecContext } from '../exec/context.js';
import { Executor } from '../exec/executor.js';
import type { CancelFlag } from '../exec/cancel.js';
import type { SessionHost } from './host.js';
import { bindContext, encodingOf, statementError as ddlError, writableTableOr } from './common.js';
import { done, type StatementOutcome } from './outcome.js';

export async function alterSchema(db: SessionHost, s: ast.AlterSchemaStatement, p: ParsedStatement, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const c = s.change;
  // the DEFAULT is evaluated once, before the lock: a constant expression reads no table
  const added = c.kind === 'addColumn' ? newColumn(db, c, p, cancel) : null;
  await db.change((catalog) => {
    const table = writableTableOr(catalog, s.table, p);
    let next: TableMeta;
    let name = table.name;
    let obsolete: string[] = [];
    let dropViews: string[] = [];
    switch (c.kind) {
      case 'addColumn':
        next = addColumn(table, added!, c, p);
        break;
      case 'dropColumn': {
        next = dropColumn(table, c, p);
        dropViews = dependentViews(db, catalog, { ...catalog, tables: { ...catalog.tables, [name]: next } });
        if (dropViews.length && !c.cascade) {
          throw ddlError(
            'DEPENDENT_OBJECTS',
            `cannot drop column "${c.column.name}" of table "${table.name}" because view ${dropViews.map((v) => `"${v}"`).join(', ')} depends on it; use DROP COLUMN ... CASCADE to drop the view too`,
            c.column.pos,
            p,
          );
        }
        if (table.distStyle === 'key' && table.distKey === c.column.name) {
          // the advisor's key is gone: the small-table rule places the rows again (EVEN or ALL), in this commit
          const layout = { ...next, distStyle: autoStyleFor(table.rows, catalog), distKey: null, distAuto: true, distPinned: false };
          const change = rewriteTable(db.dir, catalog, next, layout, db.store.segments);
          next = change.table;
          obsolete = [...change.obsolete];
        }
        break;
      }
      case 'renameColumn':
        next = renameColumn(table, c, p);
        break;
      case 'renameTable':
        if (catalog.tables[c.to.name] || catalog.views[c.to.name]) throw ddlError('DUPLICATE_OBJECT', `relation "${c.to.name}" already exists`, c.to.pos, p);
        name = c.to.name;
        next = { ...table, name };
        break;
      case 'columnType':
        next = columnType(db, catalog, table, c, p);
        break;
    }
    next = { ...next, version: table.version + 1, modifiedAt: Date.now() };
    const tables = { ...catalog.tables };
    delete tables[table.name];
    tables[name] = next;
    const views = { ...catalog.views };
    for (const v of dropViews) delete views[v];
    const after: Catalog = { ...catalog, tables, views };
    if (c.kind === 'renameColumn' || c.kind === 'renameTable') refuseBrokenViews(db, catalog, after, c, table, p);
    return { catalog: after, obsolete: obsolete.map((f) => db.store.segmentPath(table, f)), result: undefined };
  });
  return done('ALTER TABLE', t0);
}

/** The column ADD COLUMN adds, its DEFAULT evaluated (without an id yet: that is the table's to give). */
function newColumn(db: SessionHost, c: Extract<ast.SchemaChange, { kind: 'addColumn' }>, p: ParsedStatement, cancel: CancelFlag | null): ColumnMeta {
  const encoding = c.encode ? encodingOf(c.encode, c.pos, p) : 'auto';
  const value = c.default ? evaluateDefault(db, db.catalog(), c.default, { name: c.name.name, type: c.type }, p, cancel) : undefined;
  if (c.notNull && value === undefined) {
    // Redshift: existing rows would hold NULL in a NOT NULL column
    throw ddlError('INVALID_DDL', `ALTER TABLE ADD COLUMN defined as NOT NULL must have a non-null DEFAULT ("${c.name.name}")`, c.pos, p);
  }
  return {
    name: c.name.name,
    type: c.type,
    notNull: c.notNull,
    encoding,
    encodingExplicit: c.encode !== null && encoding !== 'auto',
    ...(value !== undefined ? { default: value } : {}),
  };
}

/**
 * A DEFAULT expression's value for `column`, assigned to its type as INSERT
 * assigns a value (a string too long for its VARCHAR is INVALID_VALUE, at the
 * expression); undefined for NULL. The expression is evaluated once, when the
 * column is defined: its value is what later INSERTs that omit the column get.
 */
export function evaluateDefault(
  db: SessionHost,
  catalog: Catalog,
  expr: ast.Expr,
  column: { readonly name: string; readonly type: SqlType },
  p: ParsedStatement,
  cancel: CancelFlag | null,
): number | string | undefined {
  const pos = expr.pos;
  const insert: ast.InsertStatement = {
    kind: 'insert',
    table: { name: column.name, pos },
    columns: null,
    source: { with: [], body: { kind: 'values', rows: [[expr]], pos }, orderBy: [], limit: null, offset: null, pos },
    pos,
  };
  // a one-column table as INSERT sees it: the DEFAULT is assigned as a VALUES row would be
  const target: Pick<TableMeta, 'name' | 'columns'> = { name: column.name, columns: [{ ...column, notNull: false, encoding: 'auto', encodingExplicit: false }] };
  const logical = bindInsertSource(insert, target, bindContext(db, catalog, p.text));
  const plan = new Planner(catalog.slices, db.store).planQuery(logical);
  const batch = new Executor(new ExecContext(db.store, catalog.slices, undefined, cancel)).collect(plan);
  const v = batch.columns[0]!;
  if (v.nulls?.[0] === 1) return undefined;
  switch (v.kind) {
    case 'str':
      return v.dict[v.codes[0]!]!;
    default:
      return v.values[0]!;
  }
}

/** An id no column of the table, and no column a segment file still holds, has had. */
function nextColumnId(table: TableMeta): number {
  let max = -1;
  for (const id of columnIds(table)) max = Math.max(max, id);
  for (const s of table.segments) for (const id of s.columns ?? []) max = Math.max(max, id);
  return max + 1;
}

/** The table with an id on every column and, on every segment entry, the ids its file holds: what a change of the column set starts from. */
function withColumnIds(table: TableMeta): TableMeta {
  const ids = columnIds(table);
  return {
    ...table,
    columns: table.columns.map((c, i) => (c.id === undefined ? { ...c, id: ids[i]! } : c)),
    segments: table.segments.map((s) => (s.columns ? s : { ...s, columns: ids })),
  };
}

function columnAt(table: TableMeta, id: ast.Ident, p: ParsedStatement): number {
  const i = table.columns.findIndex((c) => c.name === id.name);
  if (i < 0) throw ddlError('UNKNOWN_COLUMN', `column "${id.name}" of table "${table.name}" does not exist`, id.pos, p);
  return i;
}

function refuseTaken(table: TableMeta, id: ast.Ident, p: ParsedStatement): void {
  if (table.columns.some((c) => c.name === id.name)) throw ddlError('DUPLICATE_OBJECT', `column "${id.name}" of relation "${table.name}" already exists`, id.pos, p);
}

function addColumn(table: TableMeta, column: ColumnMeta, c: Extract<ast.SchemaChange, { kind: 'addColumn' }>, p: ParsedStatement): TableMeta {
  refuseTaken(table, c.name, p);
  const base = withColumnIds(table);
  return { ...base, columns: [...base.columns, { ...column, id: nextColumnId(table) }] };
}

/**
 * The table without the column. A user's DISTKEY or SORTKEY column cannot be
 * dropped (Redshift's rule); the advisor's (AUTO) choice never blocks the
 * user: an AUTO distribution key is left for the caller to replace (the
 * small-table rule, a rewrite), an AUTO sort key shrinks to the columns
 * before the dropped one, by which the rows stay sorted (none for an
 * interleaved key, whose z-order needs every column).
 */
function dropColumn(table: TableMeta, c: Extract<ast.SchemaChange, { kind: 'dropColumn' }>, p: ParsedStatement): TableMeta {
  const i = columnAt(table, c.column, p);
  const name = c.column.name;
  if (table.columns.length === 1) throw ddlError('INVALID_DDL', `cannot drop column "${name}": it is the only column of table "${table.name}"`, c.column.pos, p);
  if (table.distStyle === 'key' && table.distKey === name && !table.distAuto) throw ddlError('INVALID_DDL', `cannot drop distkey column "${name}"`, c.column.pos, p);
  const sortAt = table.sortKey.indexOf(name);
  if (sortAt >= 0 && !table.sortAuto) throw ddlError('INVALID_DDL', `cannot drop sortkey column "${name}"`, c.column.pos, p);
  const base = withColumnIds(table);
  const next: TableMeta = { ...base, columns: base.columns.filter((_, k) => k !== i) };
  if (sortAt < 0) return next;
  const sortKey = table.sortStyle === 'interleaved' ? [] : table.sortKey.slice(0, sortAt);
  return { ...next, sortKey, sortStyle: sortKey.length ? next.sortStyle : undefined };
}

function renameColumn(table: TableMeta, c: Extract<ast.SchemaChange, { kind: 'renameColumn' }>, p: ParsedStatement): TableMeta {
  const i = columnAt(table, c.column, p);
  if (c.to.name !== c.column.name) refuseTaken(table, c.to, p);
  const from = c.column.name;
  const to = c.to.name;
  // ids let segment footers, which keep the old name, be matched by id
  const ids = columnIds(table);
  return {
    ...table,
    columns: table.columns.map((col, k) => ({ ...col, id: ids[k]!, ...(k === i ? { name: to } : {}) })),
    distKey: table.distKey === from ? to : table.distKey,
    sortKey: table.sortKey.map((k) => (k === from ? to : k)),
  };
}

/**
 * A VARCHAR's new length. Redshift changes only a VARCHAR's size, not to less
 * than its longest value (in bytes), and not of a column with a DEFAULT.
 */
function columnType(db: SessionHost, catalog: Catalog, table: TableMeta, c: Extract<ast.SchemaChange, { kind: 'columnType' }>, p: ParsedStatement): TableMeta {
  // Redshift: "You can't alter columns inside a multi-statement block (BEGIN ... END)"
  if (!db.transaction.standalone()) throw ddlError('UNSUPPORTED', 'ALTER COLUMN ... TYPE cannot run inside a transaction block (as in Redshift); COMMIT or ROLLBACK first', c.column.pos, p);
  const i = columnAt(table, c.column, p);
  const col = table.columns[i]!;
  if (col.type.id !== 'varchar' || c.type.id !== 'varchar') {
    throw ddlError(
      'UNSUPPORTED',
      `ALTER COLUMN ... TYPE changes only the length of a VARCHAR column (as in Redshift): column "${col.name}" is ${typeName(col.type)}, and ${typeName(c.type)} was asked`,
      col.type.id !== 'varchar' ? c.column.pos : c.typePos,
      p,
    );
  }
  if (col.default !== undefined) throw ddlError('INVALID_DDL', `cannot change the type of column "${col.name}": it has a DEFAULT (as in Redshift)`, c.column.pos, p);
  const length = c.type.length ?? 256;
  if (length < (col.type.length ?? 256)) {
    const longest = longestValue(db, catalog, table, i);
    if (longest > length) {
      throw ddlError('INVALID_DDL', `cannot change column "${col.name}" to ${typeName(c.type)}: its longest value is ${longest} bytes`, c.typePos, p);
    }
  }
  return { ...table, columns: table.columns.map((x, k) => (k === i ? { ...x, type: c.type } : x)) };
}

/** The byte length of a string column's longest visible value. */
function longestValue(db: SessionHost, catalog: Catalog, table: TableMeta, column: number): number {
  const folder = tableDir(db.dir, table.id);
  const sources = table.segments.map((s) => segmentSource(folder, table, s, db.store.segments, catalog.slices));
  let longest = 0;
  for (const batch of scanSegments(table, sources, [column], null, newScanCounters())) {
    const v = batch.columns[0]!;
    if (v.kind !== 'str') continue;
    const used = new Uint8Array(v.dict.length);
    for (let r = 0; r < v.length; r++) if (!v.nulls?.[r]) used[v.codes[r]!] = 1;
    for (let d = 0; d < used.length; d++) if (used[d]) longest = Math.max(longest, Buffer.byteLength(v.dict[d]!));
  }
  return longest;
}

/** Bound against a catalog: the view's width, or null when it does not bind. */
function viewWidth(db: SessionHost, catalog: Catalog, sql: string): number | null {
  try {
    const stmt = parseStatement(sql);
    if (stmt.kind !== 'select') return null;
    return bindQuery(stmt.query, bindContext(db, catalog, sql, undefined, false)).fields.length;
  } catch {
    return null;
  }
}

/**
 * The regular (schema-bound) views that bind under `before` and would not
 * bind, or would change their columns, under `after`: the views that depend
 * on what changed. Views WITH NO SCHEMA BINDING depend on nothing until queried.
 */
function dependentViews(db: SessionHost, before: Catalog, after: Catalog): string[] {
  const out: string[] = [];
  for (const v of Object.values(before.views)) {
    if (v.lateBinding) continue;
    const was = viewWidth(db, before, v.sql);
    if (was !== null && viewWidth(db, after, v.sql) !== was) out.push(v.name);
  }
  return out;
}

function refuseBrokenViews(
  db: SessionHost,
  before: Catalog,
  after: Catalog,
  c: Extract<ast.SchemaChange, { kind: 'renameColumn' | 'renameTable' }>,
  table: TableMeta,
  p: ParsedStatement,
): void {
  const broken = dependentViews(db, before, after);
  if (broken.length === 0) return;
  const what = c.kind === 'renameColumn' ? `rename column "${c.column.name}" of table "${table.name}"` : `rename table "${table.name}"`;
  throw ddlError(
    'DEPENDENT_OBJECTS',
    `cannot ${what}: view ${broken.map((v) => `"${v}"`).join(', ')} depends on it, and keel keeps a view as its SQL text (drop the view, rename, and create it again, or create it WITH NO SCHEMA BINDING)`,
    c.kind === 'renameColumn' ? c.column.pos : c.pos,
    p,
  );
}
