/**
 * Computing a materialized view's rows: in full (its query over the base
 * tables), or incrementally after appends (shape.ts says which views can).
 *
 * An append keeps a table's id and version and adds segments numbered from
 * its nextSegment on, so the rows a refresh has not seen are exactly the
 * segments numbered from the recorded nextSegment. For a view over tables
 * T1..Tn the delta is, table by table, the query over Ti's new rows joined
 * with T1..Ti-1 as they are now and Ti+1..Tn as they were: the standard
 * decomposition of a join's change, with no new row counted twice.
 *
 *  - rows views: the delta rows are appended to the stored table.
 *  - aggregate views: the delta is aggregated (with each AVG's sum and count)
 *    and merged with the stored groups by a GROUP BY over both (sums and counts
 *    add, MIN and MAX of MIN and MAX), AVG recomputed from the merged state the
 *    way the AVG aggregate computes it (exec/ops/accumulators.ts averages()).
 *    The stored table is then rewritten: the work is the view's size plus the
 *    new rows', not the base tables'.
 *
 * Any other change to a base table (a delete, update, truncate, rewrite, or a
 * table dropped and made again) means a full recompute. Every refresh runs
 * inside one catalog change, so it commits atomically with the view's new
 * record of base versions.
 */
import type { Batch, SqlType } from '../types.js';
import type * as ast from '../sql/ast.js';
import { parseStatement, quoteIdentifier } from '../sql/index.js';
import type { BaseTableState, Catalog, ColumnMeta, MaterializedViewMeta, RefreshEntry, TableMeta } from '../catalog/catalog.js';
import { MAX_REFRESH_ENTRIES } from '../catalog/catalog.js';
import type { SystemTable } from '../catalog/system-tables.js';
import { bindQuery, type BindContext } from '../plan/binder.js';
import type { LogicalNode } from '../plan/logical.js';
import { tablesRead } from '../plan/logical-walks.js';
import type { Field } from '../plan/physical.js';
import { Planner } from '../plan/planner.js';
import { ExecContext } from '../exec/context.js';
import { Executor } from '../exec/executor.js';
import type { CancelFlag } from '../exec/cancel.js';
import { averages } from '../exec/ops/accumulators.js';
import { segmentNumber } from '../storage/deletes.js';
import { appendRows, replaceRows, type TableChange } from '../storage/tables.js';
import type { Store } from '../storage/store.js';
import { viewShape, type StateRole, type ViewShape } from './shape.js';

/** What a refresh needs of the session: the store it reads and writes, and the system tables a view's query may name. */
export interface RefreshHost {
  readonly store: Store;
  readonly dir: string;
  systemTable(name: string): SystemTable | undefined;
}

/** A view's query, parsed. */
export function viewQuery(sql: string): ast.Query {
  const s = parseStatement(sql);
  if (s.kind !== 'select') throw new Error(`a materialized view holds a query, not ${s.kind}`);
  return s.query;
}

export function baseState(t: TableMeta): BaseTableState {
  return { name: t.name, id: t.id, version: t.version, nextSegment: t.nextSegment };
}

/** Whether the view's rows reflect every base table as `catalog` holds it. */
export function isFresh(mv: MaterializedViewMeta, catalog: Catalog): boolean {
  return mv.base.every((b) => {
    const t = catalog.tables[b.name];
    return t !== undefined && t.id === b.id && t.version === b.version && t.nextSegment === b.nextSegment;
  });
}

/** Whether every change to the view's base tables since its refresh was an append. */
function appendsOnly(mv: MaterializedViewMeta, catalog: Catalog): boolean {
  return mv.base.every((b) => {
    const t = catalog.tables[b.name];
    return t !== undefined && t.id === b.id && t.version === b.version && t.nextSegment >= b.nextSegment;
  });
}

/** The stored table's columns for a query's output fields. */
export function storedColumns(fields: readonly Field[]): ColumnMeta[] {
  return fields.map((f) => ({ name: f.name, type: f.type, notNull: false, encoding: 'auto', encodingExplicit: false }));
}

/** Runs a bound query to completion on this thread (the rows of one refresh step). */
function run(host: RefreshHost, catalog: Catalog, logical: LogicalNode, cancel: CancelFlag | null): Batch {
  const plan = new Planner(catalog.slices, host.store).planQuery(logical);
  return new Executor(new ExecContext(host.store, catalog.slices, undefined, cancel)).collect(plan);
}

function context(host: RefreshHost, catalog: Catalog, sql: string, extra?: SystemTable): BindContext {
  return { catalog, systemTable: (name) => (extra && name === extra.name ? extra : host.systemTable(name)), sql };
}

/** The query a full computation runs: the view's, with an aggregate view's hidden state columns. */
function stateQuery(query: ast.Query, shape: ViewShape): ast.Query {
  return shape.kind === 'aggregate' ? shape.stateQuery : query;
}

/** The view's rows in full, over `catalog`: the stored table's columns, its rows, and the base tables read. */
export function computeFull(host: RefreshHost, catalog: Catalog, sql: string, cancel: CancelFlag | null): { fields: readonly Field[]; batch: Batch; base: TableMeta[] } {
  const query = viewQuery(sql);
  const logical = bindQuery(stateQuery(query, viewShape(query, catalog)), context(host, catalog, sql));
  return { fields: logical.fields, batch: run(host, catalog, logical, cancel), base: tablesRead(logical) };
}

export interface RefreshResult {
  readonly table: TableChange;
  readonly mv: MaterializedViewMeta;
  readonly entry: RefreshEntry;
}

/**
 * Brings `mv` up to date with `catalog` (the catalog its change commits on):
 * nothing when it is fresh, incrementally when its shape and the changes
 * allow, else in full. Returns the stored table's new version and the view's
 * new record; the caller commits both.
 */
export async function refresh(host: RefreshHost, catalog: Catalog, mv: MaterializedViewMeta, trigger: RefreshEntry['trigger'], cancel: CancelFlag | null): Promise<RefreshResult> {
  const startedAt = Date.now();
  const stored = catalog.tables[mv.table];
  if (!stored) throw new Error(`materialized view ${mv.name} has lost its table ${mv.table}`);
  const finish = (table: TableChange, kind: RefreshEntry['kind'], rowsRead: number, base: readonly BaseTableState[]): RefreshResult => {
    const entry: RefreshEntry = { startedAt, endedAt: Date.now(), kind, trigger, rowsRead, rows: table.table.rows };
    const refreshes = [...mv.refreshes, entry].slice(-MAX_REFRESH_ENTRIES);
    return { table, mv: { ...mv, base, refreshes }, entry };
  };
  if (isFresh(mv, catalog)) return finish({ table: stored, obsolete: [] }, 'unchanged', 0, mv.base);
  const query = viewQuery(mv.sql);
  const shape = viewShape(query, catalog);
  if (shape.kind !== 'full' && appendsOnly(mv, catalog) && sameTables(shape.tables, mv.base)) {
    const delta = deltaBatches(host, catalog, mv, query, shape, cancel);
    const base = mv.base.map((b) => baseState(catalog.tables[b.name]!));
    if (shape.kind === 'rows') {
      const change = await appendRows(host.dir, catalog, stored, delta.batches, host.store.segments);
      return finish(change, 'incremental', delta.rowsRead, base);
    }
    const merged = merge(host, catalog, stored, mv.sql, shape.roles, delta.batches, cancel);
    if (merged) return finish(replaceRows(host.dir, catalog, stored, stored.columns, [merged]), 'incremental', delta.rowsRead, base);
  }
  const full = computeFull(host, catalog, mv.sql, cancel);
  const rowsRead = full.base.reduce((n, t) => n + t.rows, 0);
  const table = replaceRows(host.dir, catalog, stored, storedColumns(full.fields), [full.batch]);
  return finish(table, 'full', rowsRead, full.base.map(baseState));
}

function sameTables(tables: readonly string[], base: readonly BaseTableState[]): boolean {
  return tables.length === base.length && tables.every((t) => base.some((b) => b.name === t));
}

/** The table as it was at `b` (its segments before the recorded nextSegment) or only what was appended since. */
function segmentsFrom(t: TableMeta, b: BaseTableState, part: 'old' | 'new'): TableMeta {
  const segments = t.segments.filter((s) => (segmentNumber(s.file) >= b.nextSegment) === (part === 'new'));
  return { ...t, segments, rows: segments.reduce((n, s) => n + s.rows, 0) };
}

/** The delta query's rows for the appends to each base table in turn (see the header), as the stored table's columns. */
function deltaBatches(host: RefreshHost, catalog: Catalog, mv: MaterializedViewMeta, query: ast.Query, shape: Exclude<ViewShape, { kind: 'full' }>, cancel: CancelFlag | null): { batches: Batch[]; rowsRead: number } {
  const q = stateQuery(query, shape);
  const batches: Batch[] = [];
  let rowsRead = 0;
  for (let i = 0; i < mv.base.length; i++) {
    const b = mv.base[i]!;
    const added = segmentsFrom(catalog.tables[b.name]!, b, 'new');
    if (added.segments.length === 0) continue;
    rowsRead += added.rows;
    const tables = { ...catalog.tables, [b.name]: added };
    for (const later of mv.base.slice(i + 1)) tables[later.name] = segmentsFrom(catalog.tables[later.name]!, later, 'old');
    const logical = bindQuery(q, context(host, { ...catalog, tables }, mv.sql));
    const batch = run(host, catalog, logical, cancel);
    if (batch.length) batches.push(batch);
  }
  return { batches, rowsRead };
}

/** The name the delta is read under while it merges (a system table of the merge query only). */
const DELTA_TABLE = 'keel_mv_delta';

/**
 * The stored groups merged with the delta's, in the stored table's columns;
 * null when the delta's columns do not match the stored ones (a base column
 * changed type: the caller recomputes in full).
 */
function merge(host: RefreshHost, catalog: Catalog, stored: TableMeta, viewSql: string, roles: readonly StateRole[], delta: readonly Batch[], cancel: CancelFlag | null): Batch | null {
  // a relation of that name would hide the delta: recompute in full rather than read it
  if (roles.length !== stored.columns.length || catalog.tables[DELTA_TABLE] || catalog.views[DELTA_TABLE]) return null;
  const fields: Field[] = stored.columns.map((c) => ({ name: c.name, type: c.type }));
  const deltaTable: SystemTable = {
    name: DELTA_TABLE,
    fields,
    read: (_catalog, columns) => delta.map((b) => ({ length: b.length, columns: columns.map((c) => b.columns[c]!) })),
  };
  const col = (i: number) => quoteIdentifier(stored.columns[i]!.name);
  const items = roles.map((r, i) => {
    switch (r.kind) {
      case 'key':
        return col(i);
      case 'sum':
      case 'count':
        return `sum(${col(i)})`;
      case 'min':
      case 'avg':
        // an AVG is recomputed from its merged sum and count below; MIN keeps its type meanwhile
        return `min(${col(i)})`;
      case 'max':
        return `max(${col(i)})`;
    }
  });
  const keys = roles.flatMap((r, i) => (r.kind === 'key' ? [col(i)] : []));
  const sql =
    `select ${items.join(', ')} from (select * from ${quoteIdentifier(stored.name)} union all select * from ${quoteIdentifier(DELTA_TABLE)}) as merged` +
    (keys.length ? ` group by ${keys.join(', ')}` : '');
  const logical = bindQuery(viewQuery(sql), context(host, catalog, viewSql, deltaTable));
  if (logical.fields.some((f, i) => !sameType(f.type, fields[i]!.type))) return null;
  const batch = run(host, catalog, logical, cancel);
  return withAverages(batch, roles, fields);
}

function sameType(a: SqlType, b: SqlType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Each AVG column recomputed from its merged sum and count columns; NULL where the count is 0. */
function withAverages(batch: Batch, roles: readonly StateRole[], fields: readonly Field[]): Batch {
  const columns = batch.columns.slice();
  const n = batch.length;
  roles.forEach((r, i) => {
    if (r.kind !== 'avg') return;
    const sums = columns[r.sum]!;
    const counts = columns[r.count]!;
    if (sums.kind !== 'f64' || counts.kind === 'str' || counts.kind === 'bool') throw new Error('an AVG state is not numeric');
    const sumType = fields[r.sum]!.type;
    const argScale = sumType.id === 'decimal' ? (sumType.scale ?? 0) : 0;
    const values = averages(sums.values, counts.values, n, argScale, fields[i]!.type);
    const nulls = new Uint8Array(n);
    let any = false;
    for (let k = 0; k < n; k++) {
      if (counts.values[k] === 0) {
        nulls[k] = 1;
        any = true;
      }
    }
    columns[i] = { kind: 'f64', values, nulls: any ? nulls : null, length: n };
  });
  return { length: n, columns };
}
