/**
 * CREATE, REFRESH and DROP MATERIALIZED VIEW. A view's rows live in a keel
 * table of its own (Redshift's name for it: mv_tbl__<view>__0), laid out by
 * the statement's DISTSTYLE, DISTKEY and SORTKEY (AUTO where none is given),
 * which the advisor tunes like any table; its definition and the base-table
 * versions its rows reflect are in the catalog (MaterializedViewMeta). Each
 * statement is one catalog change, so a view and its rows appear, change and
 * go atomically. How a refresh computes the rows: engine/matview/refresh.ts.
 */
import { SqlError } from '../errors.js';
import type { ParsedStatement } from '../sql/index.js';
import type * as ast from '../sql/ast.js';
import type { Catalog, MaterializedViewMeta, RefreshEntry } from '../catalog/catalog.js';
import { materializedViews } from '../catalog/catalog.js';
import { appendRows, newTable, tableFiles } from '../storage/tables.js';
import { bindQuery } from '../plan/binder.js';
import type { CancelFlag } from '../exec/cancel.js';
import { baseState, computeFull, refresh, storedColumns } from '../matview/refresh.js';
import { readsSystemTable } from '../plan/logical-walks.js';
import { HIDDEN_PREFIX } from '../matview/shape.js';
import { volatileFunctionIn } from '../sql/volatile.js';
import type { SessionHost } from './host.js';
import { bindContext, statementError } from './common.js';
import { ownedBy } from './privileges.js';
import { createLayout } from './ddl.js';
import { done, type StatementOutcome } from './outcome.js';

/** The table that stores a view's rows, as Redshift names it. */
export function storageTableName(view: string): string {
  return `mv_tbl__${view}__0`;
}

export async function createMaterializedView(db: SessionHost, s: ast.CreateMaterializedViewStatement, p: ParsedStatement, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const volatile = volatileFunctionIn(s.queryText);
  if (volatile) throw statementError('UNSUPPORTED', `a materialized view cannot use ${volatile.name}: its value changes without any table changing`, s.query.pos + volatile.offset, p);
  // binding first reports a bad query at its own position
  const checked = bindQuery(s.query, bindContext(db, db.catalog(), p.text));
  if (readsSystemTable(checked)) throw statementError('UNSUPPORTED', 'a materialized view cannot read a system table', s.query.pos, p);
  const names = checked.fields.map((f) => f.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw statementError('DUPLICATE_OBJECT', `column "${dup}" specified more than once in the query's output; give it an alias`, s.query.pos, p);
  const reserved = names.find((n) => n.startsWith(HIDDEN_PREFIX));
  if (reserved !== undefined) throw statementError('INVALID_DDL', `column "${reserved}": names starting with ${HIDDEN_PREFIX} are keel's own in a materialized view`, s.query.pos, p);
  const layoutCols = names.map((name) => ({ pos: s.pos, name: { name, pos: s.pos } }) as unknown as ast.ColumnDefinition);
  const table = storageTableName(s.name.name);
  let rows = 0;
  await db.change(async (catalog) => {
    checkNameFree(catalog, s.name, table, p);
    const full = computeFull(db, catalog, s.queryText, cancel);
    const columns = storedColumns(full.fields);
    const layout = createLayout({ kind: 'createTable', name: s.name, ifNotExists: false, columns: layoutCols, primaryKey: [], distStyle: s.distStyle, distKey: s.distKey, sortKey: s.sortKey, as: null, asColumns: null, like: null, pos: s.pos }, columns, p, catalog);
    const created = newTable(catalog, table, layout);
    const change = await appendRows(db.dir, catalog, created, [full.batch], db.store.segments, full.batch.length);
    rows = full.batch.length;
    const now = Date.now();
    const entry: RefreshEntry = { startedAt: now, endedAt: now, kind: 'full', trigger: 'create', rowsRead: full.base.reduce((n, t) => n + t.rows, 0), rows };
    const mv: MaterializedViewMeta = {
      name: s.name.name,
      sql: s.queryText,
      table,
      columns: names,
      autoRefresh: s.autoRefresh,
      owner: db.principal.kind === 'user' ? db.principal.name : (db.options.user ?? process.env.USER ?? 'keel'),
      base: full.base.map(baseState),
      createdAt: now,
      refreshes: [entry],
    };
    return {
      catalog: {
        ...catalog,
        nextTableId: catalog.nextTableId + 1,
        tables: { ...catalog.tables, [table]: { ...change.table, ...ownedBy(db.principal) } },
        materializedViews: { ...materializedViews(catalog), [mv.name]: mv },
      },
      result: undefined,
    };
  });
  return done('CREATE MATERIALIZED VIEW', t0, rows);
}

function checkNameFree(catalog: Catalog, name: ast.Ident, table: string, p: ParsedStatement): void {
  const n = name.name;
  if (catalog.tables[n] || catalog.views[n] || materializedViews(catalog)[n]) throw statementError('DUPLICATE_OBJECT', `relation "${n}" already exists`, name.pos, p);
  if (catalog.tables[table]) throw statementError('DUPLICATE_OBJECT', `relation "${table}", where the view's rows would go, already exists`, name.pos, p);
}

/** The view named, or an error at its name. */
export function viewOr(catalog: Catalog, name: ast.Ident, p: ParsedStatement): MaterializedViewMeta {
  const mv = materializedViews(catalog)[name.name];
  if (!mv) {
    const what = catalog.tables[name.name] ? `"${name.name}" is a table, not a materialized view` : catalog.views[name.name] ? `"${name.name}" is a view, not a materialized view` : `materialized view "${name.name}" does not exist`;
    throw statementError('UNKNOWN_TABLE', what, name.pos, p);
  }
  return mv;
}

export async function refreshMaterializedView(db: SessionHost, s: ast.RefreshMaterializedViewStatement, p: ParsedStatement, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const entry = await refreshNamed(db, s.name.name, 'manual', cancel, (catalog) => viewOr(catalog, s.name, p));
  return { ...done('REFRESH MATERIALIZED VIEW', t0), notice: entry.kind === 'unchanged' ? `materialized view "${s.name.name}" was already up to date` : undefined };
}

/** Refreshes one view in one catalog change; what the refresh did. */
export async function refreshNamed(
  db: Pick<SessionHost, 'store' | 'dir' | 'systemTable' | 'change'>,
  name: string,
  trigger: RefreshEntry['trigger'],
  cancel: CancelFlag | null,
  find: (catalog: Catalog) => MaterializedViewMeta | undefined = (catalog) => materializedViews(catalog)[name],
): Promise<RefreshEntry> {
  return db.change(async (catalog) => {
    const mv = find(catalog);
    if (!mv) throw new SqlError('UNKNOWN_TABLE', `materialized view "${name}" does not exist`);
    const r = await refresh(db, catalog, mv, trigger, cancel);
    const stored = catalog.tables[mv.table]!;
    return {
      catalog: {
        ...catalog,
        tables: { ...catalog.tables, [mv.table]: r.table.table },
        materializedViews: { ...materializedViews(catalog), [mv.name]: r.mv },
      },
      obsolete: r.table.obsolete.map((f) => db.store.segmentPath(stored, f)),
      result: r.entry,
    };
  });
}

export async function dropMaterializedView(db: SessionHost, s: ast.DropMaterializedViewStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  await db.change((catalog) => {
    const all = materializedViews(catalog);
    const mv = all[s.name.name];
    if (!mv) {
      if (s.ifExists) return { catalog, result: undefined };
      viewOr(catalog, s.name, p);
    }
    const table = catalog.tables[mv!.table]!;
    const tables = { ...catalog.tables };
    delete tables[table.name];
    const views = { ...all };
    delete views[mv!.name];
    return { catalog: { ...catalog, tables, materializedViews: views }, obsolete: tableFiles(table).map((f) => db.store.segmentPath(table, f)), result: undefined };
  });
  return done('DROP MATERIALIZED VIEW', t0);
}
