/**
 * DDL: CREATE/DROP TABLE, ALTER TABLE (a rewrite into the new layout),
 * CREATE/DROP VIEW. Each is one catalog change committed through the store.
 */
import type { ParsedStatement } from '../sql/index.js';
import type * as ast from '../sql/ast.js';
import type { Catalog, ColumnMeta, DistStyle, TableMeta } from '../catalog/catalog.js';
import { autoStyleFor, materializedViews, viewOfTable } from '../catalog/catalog.js';
import { appendRows, newTable, rewriteTable, type Layout } from '../storage/tables.js';
import { MAX_INTERLEAVED_COLUMNS } from '../storage/zorder.js';
import { bindQuery } from '../plan/binder.js';
import { Planner } from '../plan/planner.js';
import { ExecContext } from '../exec/context.js';
import { Executor } from '../exec/executor.js';
import type { CancelFlag } from '../exec/cancel.js';
import type { SessionHost } from './host.js';
import { evaluateDefault } from './alter-columns.js';
import { bindContext, encodingOf, statementError as ddlError, tableOr } from './common.js';
import { ownedBy } from './privileges.js';
import { done, type StatementOutcome } from './outcome.js';

function checkColumn(table: TableMeta | readonly ast.ColumnDefinition[], col: ast.Ident, p: ParsedStatement, role: string): void {
  const names = Array.isArray(table) ? (table as readonly ast.ColumnDefinition[]).map((c) => c.name.name) : (table as TableMeta).columns.map((c) => c.name);
  if (!names.includes(col.name)) throw ddlError('UNKNOWN_COLUMN', `${role} column "${col.name}" does not exist`, col.pos, p);
}

/** Resolves the layout clauses of CREATE TABLE into a storage layout (AUTO where nothing was said). */
export function createLayout(s: ast.CreateTableStatement, columns: ColumnMeta[], p: ParsedStatement, catalog: Catalog): Layout {
  const attrDistKeys = s.columns.filter((c) => c.distKey);
  if (attrDistKeys.length > 1) throw ddlError('INVALID_DDL', 'only one column can be DISTKEY', attrDistKeys[1]!.pos, p);
  let distKey: ast.Ident | null = s.distKey ?? attrDistKeys[0]?.name ?? null;
  if (s.distKey && attrDistKeys.length && attrDistKeys[0]!.name.name !== s.distKey.name) {
    throw ddlError('INVALID_DDL', 'DISTKEY given twice with different columns', s.distKey.pos, p);
  }
  let style = s.distStyle?.style ?? (distKey ? 'key' : 'auto');
  if (style === 'key' && !distKey) throw ddlError('INVALID_DDL', 'DISTSTYLE KEY needs a DISTKEY column', s.distStyle!.pos, p);
  if (distKey && style !== 'key') throw ddlError('INVALID_DDL', `DISTKEY cannot be used with DISTSTYLE ${style.toUpperCase()}`, distKey.pos, p);
  if (distKey) checkColumn(s.columns, distKey, p, 'DISTKEY');
  const attrSort = s.columns.filter((c) => c.sortKey).map((c) => c.name);
  if (attrSort.length && s.sortKey && !s.sortKey.auto) throw ddlError('INVALID_DDL', 'SORTKEY given both as a column attribute and a table attribute', s.sortKey.pos, p);
  const sortCols = s.sortKey && !s.sortKey.auto ? s.sortKey.columns : attrSort;
  const interleaved = s.sortKey !== null && !s.sortKey.auto && s.sortKey.style === 'interleaved';
  const seen = new Set<string>();
  for (const c of sortCols) {
    checkColumn(s.columns, c, p, 'SORTKEY');
    if (seen.has(c.name)) throw ddlError('INVALID_DDL', `column "${c.name}" appears twice in the SORTKEY`, c.pos, p);
    seen.add(c.name);
  }
  if (interleaved) checkInterleavedWidth(sortCols, p);
  const distAuto = style === 'auto';
  const distStyle: DistStyle = style === 'auto' ? autoStyleFor(0, catalog) : style;
  if (style !== 'key') distKey = null;
  return {
    distStyle,
    distKey: distKey?.name ?? null,
    distAuto,
    sortKey: sortCols.map((c) => c.name),
    sortStyle: interleaved ? 'interleaved' : undefined,
    sortAuto: sortCols.length === 0 && (!s.sortKey || s.sortKey.auto),
    columns,
  };
}

export async function createTable(db: SessionHost, s: ast.CreateTableStatement, p: ParsedStatement, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  if (s.like) return createLike(db, s, s.like, p, t0);
  const names = new Set<string>();
  const pk = new Set(s.primaryKey.map((k) => k.name));
  for (const k of s.primaryKey) checkColumn(s.columns, k, p, 'PRIMARY KEY');
  let columns: ColumnMeta[] = s.columns.map((c) => {
    if (names.has(c.name.name)) throw ddlError('DUPLICATE_OBJECT', `column "${c.name.name}" specified more than once`, c.name.pos, p);
    names.add(c.name.name);
    const encoding = c.encode ? encodingOf(c.encode, c.pos, p) : 'auto';
    const value = c.default ? evaluateDefault(db, db.catalog(), c.default, { name: c.name.name, type: c.type }, p, cancel) : undefined;
    if (c.identity && c.type.id !== 'integer' && c.type.id !== 'bigint') {
      throw ddlError('INVALID_DDL', `IDENTITY column "${c.name.name}" must be INTEGER or BIGINT`, c.pos, p);
    }
    if (c.identity && c.default) throw ddlError('INVALID_DDL', `column "${c.name.name}" cannot have both IDENTITY and DEFAULT`, c.pos, p);
    return {
      name: c.name.name,
      type: c.type,
      notNull: c.notNull || c.primaryKey || pk.has(c.name.name),
      encoding,
      encodingExplicit: c.encode !== null && encoding !== 'auto',
      ...(value !== undefined ? { default: value } : {}),
      ...(c.identity ? { identity: c.identity } : {}),
    };
  });
  let source: ReturnType<typeof bindQuery> | null = null;
  if (s.as) {
    if (s.columns.length) throw ddlError('INVALID_DDL', 'CREATE TABLE AS takes no column definitions', s.columns[0]!.pos, p);
    source = bindQuery(s.as, bindContext(db, db.catalog(), p.text, p.params));
    const named = s.asColumns ?? [];
    if (named.length > source.fields.length) throw ddlError('INVALID_DDL', `CREATE TABLE AS names ${named.length} columns but its query returns ${source.fields.length}`, named[source.fields.length]!.pos, p);
    columns = source.fields.map((f, i) => ({ name: named[i]?.name ?? f.name, type: f.type, notNull: false, encoding: 'auto', encodingExplicit: false }));
    const dup = columns.find((c, i) => columns.findIndex((d) => d.name === c.name) !== i);
    if (dup) throw ddlError('DUPLICATE_OBJECT', `column "${dup.name}" specified more than once in the query's output; give it an alias`, s.as.pos, p);
  }
  if (columns.length === 0) throw ddlError('INVALID_DDL', 'a table needs at least one column', s.name.pos, p);
  const layoutCols = s.as ? columns.map((c) => ({ pos: s.pos, name: { name: c.name, pos: s.pos } }) as unknown as ast.ColumnDefinition) : s.columns;
  const layout = createLayout({ ...s, columns: layoutCols }, columns, p, db.catalog());
  let rows = 0;
  await db.change(async (catalog) => {
    if (catalog.tables[s.name.name] || catalog.views[s.name.name] || materializedViews(catalog)[s.name.name]) {
      if (s.ifNotExists && catalog.tables[s.name.name]) return { catalog, result: undefined };
      throw ddlError('DUPLICATE_OBJECT', `relation "${s.name.name}" already exists`, s.name.pos, p);
    }
    let table: TableMeta = { ...newTable(catalog, s.name.name, layout), ...ownedBy(db.principal) };
    if (source) {
      const plan = new Planner(catalog.slices, db.store).planQuery(source);
      const batch = new Executor(new ExecContext(db.store, catalog.slices, undefined, cancel)).collect(plan);
      const change = await appendRows(db.dir, catalog, table, [batch], db.store.segments, batch.length);
      table = change.table;
      rows = batch.length;
    }
    return {
      catalog: { ...catalog, nextTableId: catalog.nextTableId + 1, tables: { ...catalog.tables, [table.name]: table } },
      result: undefined,
    };
  });
  return done(s.as ? 'SELECT' : 'CREATE TABLE', t0, rows);
}

/**
 * CREATE TABLE t (LIKE parent): the parent's columns (names, types, NOT NULL,
 * encodings, and with INCLUDING DEFAULTS their defaults) and its distribution
 * and sort keys, AUTO settings staying AUTO, as Redshift copies them.
 */
async function createLike(db: SessionHost, s: ast.CreateTableStatement, like: NonNullable<ast.CreateTableStatement['like']>, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  await db.change((catalog) => {
    const parent = tableOr(catalog, like.table, p);
    if (catalog.tables[s.name.name] || catalog.views[s.name.name] || materializedViews(catalog)[s.name.name]) {
      if (s.ifNotExists && catalog.tables[s.name.name]) return { catalog, result: undefined };
      throw ddlError('DUPLICATE_OBJECT', `relation "${s.name.name}" already exists`, s.name.pos, p);
    }
    const columns: ColumnMeta[] = parent.columns.map(({ id: _id, default: value, ...c }) => (like.includingDefaults && value !== undefined ? { ...c, default: value } : c));
    // an AUTO style the engine chose by size is chosen again for the new table's size; a key is the user's or the advisor's choice, and is kept
    const sized = parent.distAuto && parent.distStyle !== 'key' && !parent.distPinned;
    const table = newTable(catalog, s.name.name, {
      columns,
      distStyle: sized ? autoStyleFor(0, catalog) : parent.distStyle,
      distKey: parent.distKey,
      distAuto: parent.distAuto,
      distPinned: parent.distPinned,
      sortKey: parent.sortKey,
      sortStyle: parent.sortStyle,
      sortAuto: parent.sortAuto,
    });
    const pinned: TableMeta = { ...table, ...(parent.distAuto && parent.distPinned ? { distPinned: true } : {}), ...ownedBy(db.principal) };
    return { catalog: { ...catalog, nextTableId: catalog.nextTableId + 1, tables: { ...catalog.tables, [table.name]: pinned } }, result: undefined };
  });
  return done('CREATE TABLE', t0);
}

export async function dropTables(db: SessionHost, s: ast.DropTableStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  await db.change((catalog) => {
    const tables = { ...catalog.tables };
    const obsolete: string[] = [];
    for (const n of s.names) {
      const t = tables[n.name];
      if (!t) {
        if (s.ifExists) continue;
        const what = catalog.views[n.name] ? `"${n.name}" is a view; use DROP VIEW` : materializedViews(catalog)[n.name] ? `"${n.name}" is a materialized view; use DROP MATERIALIZED VIEW` : `table "${n.name}" does not exist`;
        throw ddlError('UNKNOWN_TABLE', what, n.pos, p);
      }
      const owner = viewOfTable(catalog, n.name);
      if (owner) throw ddlError('DEPENDENT_OBJECTS', `table "${n.name}" holds the rows of materialized view "${owner.name}"; use DROP MATERIALIZED VIEW ${owner.name}`, n.pos, p);
      const dependent = Object.values(materializedViews(catalog)).find((v) => v.base.some((b) => b.name === n.name));
      if (dependent) throw ddlError('DEPENDENT_OBJECTS', `cannot drop table "${n.name}" because materialized view "${dependent.name}" depends on it; drop the view first`, n.pos, p);
      obsolete.push(...t.segments.map((f) => db.store.segmentPath(t, f.file)));
      delete tables[n.name];
    }
    return { catalog: { ...catalog, tables }, obsolete, result: undefined };
  });
  return done('DROP TABLE', t0);
}

export async function alterTable(db: SessionHost, s: ast.AlterTableStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  await db.change((catalog) => {
    const table = tableOr(catalog, s.table, p);
    const layout = alteredLayout(table, s.actions, p, catalog);
    const change = rewriteTable(db.dir, catalog, table, layout, db.store.segments);
    return {
      catalog: { ...catalog, tables: { ...catalog.tables, [table.name]: change.table } },
      obsolete: change.obsolete.map((f) => db.store.segmentPath(table, f)),
      result: undefined,
    };
  });
  return done('ALTER TABLE', t0);
}

/**
 * The table's layout after an ALTER TABLE's actions, in order (one rewrite for
 * all of them); settings named explicitly stop being AUTO. Two actions on the
 * same setting are refused: which one the user meant is not clear.
 */
export function alteredLayout(table: TableMeta, actions: readonly ast.AlterAction[], p: ParsedStatement, catalog: Catalog): Layout {
  const changed = new Set<string>();
  let layout: Layout = table;
  for (const a of actions) {
    const setting = alteredSetting(a);
    const clash = changed.has(setting) || (a.kind === 'encodeAuto' ? [...changed].some((c) => c.startsWith('ENCODE')) : a.kind === 'encode' && changed.has('ENCODE'));
    if (clash) throw ddlError('INVALID_DDL', `ALTER TABLE changes ${setting === 'ENCODE' ? 'the encodings' : `the ${setting}`} twice`, a.pos, p);
    changed.add(setting);
    layout = alteredBy({ ...table, ...layout }, a, p, catalog);
  }
  return layout;
}

/** What an ALTER action changes, to refuse two actions on one setting. */
function alteredSetting(a: ast.AlterAction): string {
  switch (a.kind) {
    case 'distKey':
    case 'distStyle':
      return 'distribution';
    case 'sortKey':
      return 'sort key';
    case 'encode':
      return `ENCODE of column ${a.column.name}`;
    case 'encodeAuto':
      return 'ENCODE';
  }
}

/** Redshift's limit on an interleaved key: beyond 8 columns each gets too few bits of the z-value to cluster anything. */
function checkInterleavedWidth(columns: readonly ast.Ident[], p: ParsedStatement): void {
  if (columns.length > MAX_INTERLEAVED_COLUMNS) {
    throw ddlError('INVALID_DDL', `an INTERLEAVED SORTKEY takes at most ${MAX_INTERLEAVED_COLUMNS} columns, not ${columns.length}`, columns[MAX_INTERLEAVED_COLUMNS]!.pos, p);
  }
}

function alteredBy(table: TableMeta, action: ast.AlterAction, p: ParsedStatement, catalog: Catalog): Layout {
  const col = (id: ast.Ident, role: string): string => {
    checkColumn(table, id, p, role);
    return id.name;
  };
  switch (action.kind) {
    case 'distStyle': {
      if (action.style === 'key') {
        if (!action.distKey) throw ddlError('INVALID_DDL', 'ALTER DISTSTYLE KEY needs DISTKEY column', action.pos, p);
        return { ...table, distStyle: 'key', distKey: col(action.distKey, 'DISTKEY'), distAuto: false };
      }
      // back to AUTO: the engine's small-table rule decides again
      if (action.style === 'auto') return { ...table, distStyle: autoStyleFor(table.rows, catalog), distKey: null, distAuto: true, distPinned: false };
      return { ...table, distStyle: action.style, distKey: null, distAuto: false };
    }
    case 'distKey':
      return { ...table, distStyle: 'key', distKey: col(action.column, 'DISTKEY'), distAuto: false };
    case 'sortKey': {
      if (action.none) return { ...table, sortKey: [], sortStyle: undefined, sortAuto: false };
      // AUTO hands the key back to the engine as it is, style included
      if (action.auto) return { ...table, sortAuto: true };
      const cols = action.columns.map((c) => col(c, 'SORTKEY'));
      if (new Set(cols).size !== cols.length) throw ddlError('INVALID_DDL', 'a column appears twice in the SORTKEY', action.pos, p);
      if (action.style === 'interleaved') checkInterleavedWidth(action.columns, p);
      return { ...table, sortKey: cols, sortStyle: action.style === 'interleaved' ? 'interleaved' : undefined, sortAuto: false };
    }
    case 'encode': {
      const name = col(action.column, 'ENCODE');
      const encoding = encodingOf(action.encoding, action.pos, p);
      const columns = table.columns.map((c) => (c.name === name ? { ...c, encoding, encodingExplicit: encoding !== 'auto' } : c));
      return { ...table, columns };
    }
    case 'encodeAuto':
      return { ...table, columns: table.columns.map((c) => ({ ...c, encoding: 'auto' as const, encodingExplicit: false })) };
  }
}

export async function createView(db: SessionHost, s: ast.CreateViewStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  // binding now reports a bad view at CREATE time, not at its first use
  // a view reads no rows when it is made: one over a stats-only table is fine
  const logical = bindQuery(s.query, bindContext(db, db.catalog(), p.text, undefined, false));
  if (s.columns && s.columns.length !== logical.fields.length) {
    throw ddlError('INVALID_DDL', `view "${s.name.name}" names ${s.columns.length} columns but its query returns ${logical.fields.length}`, s.columns[0]?.pos ?? s.pos, p);
  }
  await db.change((catalog) => {
    if (catalog.tables[s.name.name] || materializedViews(catalog)[s.name.name]) throw ddlError('DUPLICATE_OBJECT', `relation "${s.name.name}" already exists as a table`, s.name.pos, p);
    if (catalog.views[s.name.name] && !s.orReplace) throw ddlError('DUPLICATE_OBJECT', `view "${s.name.name}" already exists`, s.name.pos, p);
    const view = { name: s.name.name, sql: s.queryText, columns: s.columns ? s.columns.map((c) => c.name) : null, ...(s.noSchemaBinding ? { lateBinding: true } : {}), ...ownedBy(db.principal) };
    return { catalog: { ...catalog, views: { ...catalog.views, [view.name]: view } }, result: undefined };
  });
  return done('CREATE VIEW', t0);
}

export async function dropViews(db: SessionHost, s: ast.DropViewStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  await db.change((catalog) => {
    const views = { ...catalog.views };
    for (const n of s.names) {
      if (!views[n.name]) {
        if (s.ifExists) continue;
        if (materializedViews(catalog)[n.name]) throw ddlError('UNKNOWN_TABLE', `"${n.name}" is a materialized view; use DROP MATERIALIZED VIEW`, n.pos, p);
        throw ddlError('UNKNOWN_TABLE', `view "${n.name}" does not exist`, n.pos, p);
      }
      delete views[n.name];
    }
    return { catalog: { ...catalog, views }, result: undefined };
  });
  return done('DROP VIEW', t0);
}

