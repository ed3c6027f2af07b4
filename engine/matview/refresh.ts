/**
 * Computing a materialized view's rows: in full (its query over the base
 * tables), or incrementally from what changed since the last refresh
 * (changes.ts: per base table the rows added, the rows removed, and the table
 * as the view reflects it; shape.ts says which views can).
 *
 * For a view over tables T1..Tn a change's effect is computed table by table:
 * the query over Ti's added (or removed) rows joined with T1..Ti-1 as they
 * are now and Ti+1..Tn as they were, the standard decomposition of a join's
 * change, with no row counted twice.
 *
 *  - rows views: after appends only, the added rows' rows are appended to the
 *    stored table. A removed row has no identity in it: a full recompute.
 *  - aggregate views: the added rows' groups and the removed rows' groups
 *    (sums and counts negated) are merged with the stored groups by a GROUP
 *    BY over all three; a group whose hidden COUNT(*) falls to 0 is gone, a
 *    SUM whose argument's count falls to 0 is NULL, each AVG is recomputed
 *    from its merged sum and count the way the AVG aggregate computes it
 *    (exec/ops/accumulators.ts averages()). MIN and MAX cannot give a removed
 *    row back: the groups that lost rows are computed again from the base
 *    tables, restricted to their grouping values. The stored table is then
 *    rewritten: the work is the view's size plus the changed rows', not the
 *    base tables'.
 *
 * A change as large as the tables (a rewrite, which removes every segment and
 * adds its rows again; a TRUNCATE) recomputes in full, which reads less. Every
 * refresh runs inside one catalog change, so it commits atomically with the
 * view's new record of base versions and segments.
 */
import type { Batch, ParamValue, SqlType } from '../types.js';
import { physicalKind } from '../types.js';
import type * as ast from '../sql/ast.js';
import { parseStatement, quoteIdentifier } from '../sql/index.js';
import type { BaseTableState, Catalog, ColumnMeta, MaterializedViewMeta, RefreshEntry, TableMeta } from '../catalog/catalog.js';
import { MAX_REFRESH_ENTRIES, visibleRows } from '../catalog/catalog.js';
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
import { textAt } from '../result.js';
import { concatBatches, gatherBatch } from '../exec/batch.js';
import { appendRows, replaceRows, type TableChange } from '../storage/tables.js';
import type { Store } from '../storage/store.js';
import { ROWS_COLUMN, viewShape, type StateRole, type ViewShape } from './shape.js';
import { baseChanges, type TableDelta } from './changes.js';

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
  return { name: t.name, id: t.id, version: t.version, nextSegment: t.nextSegment, segments: t.segments };
}

/** Whether the view's rows reflect every base table as `catalog` holds it. */
export function isFresh(mv: MaterializedViewMeta, catalog: Catalog): boolean {
  return mv.base.every((b) => {
    const t = catalog.tables[b.name];
    return t !== undefined && t.id === b.id && t.version === b.version && t.nextSegment === b.nextSegment;
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

function context(host: RefreshHost, catalog: Catalog, sql: string, extra: readonly SystemTable[] = [], params?: readonly ParamValue[]): BindContext {
  return { catalog, systemTable: (name) => extra.find((t) => t.name === name) ?? host.systemTable(name), sql, ...(params ? { params } : {}) };
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
  if (shape.kind !== 'full' && sameTables(shape.tables, mv.base)) {
    const changes = baseChanges(mv, catalog, host.dir, host.store.segments);
    if (changes) {
      try {
        const done = await incremental(host, catalog, mv, stored, query, shape, changes.tables, cancel);
        if (done) return finish(done.table, 'incremental', done.rowsRead, mv.base.map((b) => baseState(catalog.tables[b.name]!)));
      } finally {
        changes.release();
      }
    }
  }
  const full = computeFull(host, catalog, mv.sql, cancel);
  const rowsRead = full.base.reduce((n, t) => n + t.rows, 0);
  const table = replaceRows(host.dir, catalog, stored, storedColumns(full.fields), [full.batch]);
  return finish(table, 'full', rowsRead, full.base.map(baseState));
}

/**
 * The view's new rows from the changes alone, or null when they cannot be
 * had that way (the caller recomputes in full): a rows view whose base tables
 * lost rows (a stored row has no identity to remove it by), changes as large
 * as the tables (a rewrite, a TRUNCATE: a full recompute reads less), a MIN
 * or MAX over no GROUP BY that lost rows, or stored columns that no longer
 * match the query's.
 */
async function incremental(
  host: RefreshHost,
  catalog: Catalog,
  mv: MaterializedViewMeta,
  stored: TableMeta,
  query: ast.Query,
  shape: Exclude<ViewShape, { kind: 'full' }>,
  deltas: readonly TableDelta[],
  cancel: CancelFlag | null,
): Promise<{ table: TableChange; rowsRead: number } | null> {
  const removed = deltas.reduce((n, d) => n + d.removedRows, 0);
  const added = deltas.reduce((n, d) => n + d.addedRows, 0);
  if (removed > 0) {
    if (shape.kind === 'rows') return null;
    // each changed row is read once (twice for a rewrite's): past the tables' own rows, reading them all costs less
    const now = deltas.reduce((n, d) => n + visibleRows(catalog.tables[d.name]!), 0);
    if (removed + added >= now) return null;
  }
  const q = stateQuery(query, shape);
  const plus = deltaBatches(host, catalog, mv.sql, q, deltas, 'added', cancel);
  if (shape.kind === 'rows') return { table: await appendRows(host.dir, catalog, stored, plus, host.store.segments), rowsRead: added };
  const minus = removed > 0 ? deltaBatches(host, catalog, mv.sql, q, deltas, 'removed', cancel) : [];
  // a MIN or MAX cannot give a deleted row back: the groups that lost rows are computed again
  const regroup = shape.extremes && minus.some((b) => b.length > 0);
  if (regroup && shape.scalar) return null;
  const merged = merge(host, catalog, stored, mv.sql, shape, plus, minus, cancel);
  if (!merged) return null;
  let rows = merged;
  let regroupRows = 0;
  if (regroup) {
    const again = recomputeGroups(host, catalog, mv.sql, shape, merged, minus, stored, cancel);
    if (!again) return null;
    rows = again.batch;
    regroupRows = again.rowsRead;
  }
  return { table: replaceRows(host.dir, catalog, stored, stored.columns, [rows]), rowsRead: added + removed + regroupRows };
}

function sameTables(tables: readonly string[], base: readonly BaseTableState[]): boolean {
  return tables.length === base.length && tables.every((t) => base.some((b) => b.name === t));
}

/**
 * The query's rows over what was added to (or removed from) each base table
 * in turn (see the header), as the stored table's columns.
 */
function deltaBatches(host: RefreshHost, catalog: Catalog, viewSql: string, q: ast.Query, deltas: readonly TableDelta[], part: 'added' | 'removed', cancel: CancelFlag | null): Batch[] {
  const batches: Batch[] = [];
  for (let i = 0; i < deltas.length; i++) {
    const d = deltas[i]!;
    const changed = d[part];
    if (!changed || changed.segments.length === 0) continue;
    const tables = { ...catalog.tables, [d.name]: changed };
    for (const later of deltas.slice(i + 1)) tables[later.name] = later.old;
    const logical = bindQuery(q, context(host, { ...catalog, tables }, viewSql));
    const batch = run(host, catalog, logical, cancel);
    if (batch.length) batches.push(batch);
  }
  return batches;
}

/** The names the added and removed rows' groups are read under while they merge (system tables of the merge query only). */
const DELTA_TABLE = 'keel_mv_delta';
const REMOVED_TABLE = 'keel_mv_removed';

function batchTable(name: string, fields: readonly Field[], batches: readonly Batch[]): SystemTable {
  return { name, fields, read: (_catalog, columns) => batches.map((b) => ({ length: b.length, columns: columns.map((c) => b.columns[c]!) })) };
}

/**
 * The stored groups merged with the added rows' and less the removed rows'
 * (their sums and counts negated), in the stored table's columns; a group
 * whose row count falls to 0 is gone. Null when the stored columns are not
 * the shape's (a view stored before its hidden columns were) or do not match
 * the delta's types (a base column changed type): the caller recomputes in
 * full. MIN and MAX of a group that lost rows are wrong here; the caller
 * recomputes those groups.
 */
function merge(host: RefreshHost, catalog: Catalog, stored: TableMeta, viewSql: string, shape: Extract<ViewShape, { kind: 'aggregate' }>, plus: readonly Batch[], minus: readonly Batch[], cancel: CancelFlag | null): Batch | null {
  const roles = shape.roles;
  // a relation of either name would hide the delta: recompute in full rather than read it
  const taken = (n: string) => catalog.tables[n] !== undefined || catalog.views[n] !== undefined;
  if (roles.length !== stored.columns.length || stored.columns[shape.rows]?.name !== ROWS_COLUMN || taken(DELTA_TABLE) || taken(REMOVED_TABLE)) return null;
  const fields: Field[] = stored.columns.map((c) => ({ name: c.name, type: c.type }));
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
  const negated = roles.map((r, i) => (r.kind === 'sum' || r.kind === 'count' ? `-${col(i)}` : col(i)));
  const sql =
    `select ${items.join(', ')} from (select * from ${quoteIdentifier(stored.name)} union all select * from ${quoteIdentifier(DELTA_TABLE)}` +
    (minus.length ? ` union all select ${negated.join(', ')} from ${quoteIdentifier(REMOVED_TABLE)}` : '') +
    ') as merged' +
    (keys.length ? ` group by ${keys.join(', ')}` : '') +
    (shape.scalar ? '' : ` having sum(${col(shape.rows)}) > 0`);
  const logical = bindQuery(viewQuery(sql), context(host, catalog, viewSql, [batchTable(DELTA_TABLE, fields, plus), batchTable(REMOVED_TABLE, fields, minus)]));
  if (logical.fields.some((f, i) => !sameType(f.type, fields[i]!.type))) return null;
  const batch = run(host, catalog, logical, cancel);
  return withAverages(withSumNulls(batch, roles), roles, fields);
}

/** Distinct values of a grouping column past which recomputing the groups that lost rows is left to a full recompute. */
const MAX_REGROUP_KEYS = 1000;

/**
 * `merged` with each group that lost rows (a group of the removed rows,
 * `minus`) replaced by the view's query over the base tables now, restricted
 * to those groups: WHERE each grouping expression IN the values it takes in
 * them (a superset of the groups, each group whole). A group the query no
 * longer gives is gone. Null when a grouping column takes more than
 * MAX_REGROUP_KEYS values in them.
 */
function recomputeGroups(
  host: RefreshHost,
  catalog: Catalog,
  viewSql: string,
  shape: Extract<ViewShape, { kind: 'aggregate' }>,
  merged: Batch,
  minus: readonly Batch[],
  stored: TableMeta,
  cancel: CancelFlag | null,
): { batch: Batch; rowsRead: number } | null {
  const body = shape.stateQuery.body;
  if (body.kind !== 'select') return null;
  const types = stored.columns.map((c) => c.type);
  const keyCols = shape.roles.flatMap((r, i) => (r.kind === 'key' ? [i] : []));
  const tupleOf = (b: Batch, row: number) => JSON.stringify(keyCols.map((c) => textAt(b.columns[c]!, types[c]!, row)));
  const affected = new Set<string>();
  const values = keyCols.map(() => new Set<string | null>());
  for (const b of minus) {
    for (let row = 0; row < b.length; row++) {
      affected.add(tupleOf(b, row));
      keyCols.forEach((c, k) => values[k]!.add(textAt(b.columns[c]!, types[c]!, row)));
    }
  }
  if (values.some((v) => v.size > MAX_REGROUP_KEYS)) return null;
  const params: ParamValue[] = [];
  const pos = body.pos;
  const conditions = keyCols.map((c, k): ast.Expr => {
    const item = body.items[c]!;
    if (item.kind !== 'expr') throw new Error('an aggregate view has no * among its columns');
    const list: ast.Expr[] = [];
    for (const v of values[k]!) {
      if (v === null) continue;
      params.push({ type: types[c]!, text: v });
      list.push({ kind: 'param', index: params.length, pos });
    }
    const isNull: ast.Expr = { kind: 'isNull', arg: item.expr, negated: false, pos };
    if (list.length === 0) return isNull;
    const within: ast.Expr = { kind: 'inList', arg: item.expr, list, negated: false, pos };
    return values[k]!.has(null) ? { kind: 'binary', op: 'or', left: within, right: isNull, pos } : within;
  });
  const where = [...(body.where ? [body.where] : []), ...conditions].reduce((l, r): ast.Expr => ({ kind: 'binary', op: 'and', left: l, right: r, pos }));
  const q: ast.Query = { ...shape.stateQuery, body: { ...body, where } };
  const logical = bindQuery(q, context(host, catalog, viewSql, [], params));
  if (logical.fields.some((f, i) => !sameType(f.type, types[i]!))) return null;
  const again = run(host, catalog, logical, cancel);
  const keep = (b: Batch, inAffected: boolean): Batch => {
    const sel = new Uint32Array(b.length);
    let n = 0;
    for (let row = 0; row < b.length; row++) if (affected.has(tupleOf(b, row)) === inAffected) sel[n++] = row;
    return gatherBatch(b, sel, n);
  };
  const regrouped = keep(again, true);
  const counts = regrouped.columns[shape.rows]!;
  let rowsRead = 0;
  if (counts.kind === 'f64' || counts.kind === 'i32') for (let row = 0; row < regrouped.length; row++) rowsRead += counts.values[row]!;
  return { batch: concatBatches([keep(merged, false), regrouped], types.map(physicalKind)), rowsRead };
}

/** Each SUM NULL where its argument's merged count is 0 (every value it summed was NULL or is gone). */
function withSumNulls(batch: Batch, roles: readonly StateRole[]): Batch {
  const columns = batch.columns.slice();
  const n = batch.length;
  roles.forEach((r, i) => {
    if (r.kind !== 'sum') return;
    const counts = columns[r.count]!;
    const sums = columns[i]!;
    if (counts.kind === 'str' || counts.kind === 'bool' || sums.kind === 'str' || sums.kind === 'bool') throw new Error('a SUM state is not numeric');
    let nulls: Uint8Array | null = null;
    for (let k = 0; k < n; k++) {
      if (counts.values[k] !== 0) continue;
      nulls ??= sums.nulls ? sums.nulls.slice() : new Uint8Array(n);
      nulls[k] = 1;
    }
    if (nulls) columns[i] = { ...sums, nulls };
  });
  return { length: n, columns };
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
