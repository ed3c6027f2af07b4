/**
 * Data changes: INSERT, DELETE, UPDATE, MERGE, TRUNCATE. Each statement is one
 * catalog change under the writer lock, all or nothing: a statement that
 * fails leaves every table as it was (files it wrote are orphans the next
 * writer sweeps).
 *
 * DELETE and UPDATE find their rows with a query over the target table bound
 * with a row id column (exec/ops/row-ids.ts): DELETE selects the ids of the
 * rows that match, UPDATE the ids and the rows' new values. The rows are then
 * marked in the segments' delete vectors (storage/deletes.ts); UPDATE appends
 * the new versions of the rows, as Redshift does.
 */
import { SqlError, positionAt } from '../errors.js';
import type { Batch } from '../types.js';
import type { ParsedStatement } from '../sql/index.js';
import type * as ast from '../sql/ast.js';
import { selectQuery } from '../sql/build.js';
import type { Catalog, TableMeta } from '../catalog/catalog.js';
import { appendRows, deleteRows, segmentsByNumber, truncateTable } from '../storage/tables.js';
import { bindAssignedQuery, bindInsertSource, bindQuery, type BindContext } from '../plan/binder.js';
import type { LogicalNode } from '../plan/logical.js';
import { Planner } from '../plan/planner.js';
import { ExecContext } from '../exec/context.js';
import { Executor } from '../exec/executor.js';
import { gatherBatch } from '../exec/batch.js';
import type { CancelFlag } from '../exec/cancel.js';
import { ROW_ID_COLUMN, rowIdRow, rowIdSegment, withRowIds } from '../exec/ops/row-ids.js';
import type { RecordParts } from '../record-builder.js';
import type { SessionHost } from './host.js';
import { bindContext, defaultExpr, statementError, writableTableOr } from './common.js';
import { done, type StatementOutcome } from './outcome.js';

export async function insert(db: SessionHost, s: ast.InsertStatement, p: ParsedStatement, parts: RecordParts, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const inserted = await db.change(async (catalog) => {
    const table = writableTableOr(catalog, s.table, p);
    const logical = bindInsertSource(s, table, bindContext(db, catalog, p.text, p.params));
    const batch = run(db, catalog, logical, parts, cancel);
    checkNotNull(table, batch, s.pos, p);
    const change = await appendRows(db.dir, catalog, table, [batch], db.store.segments, batch.length);
    return {
      catalog: { ...catalog, tables: { ...catalog.tables, [table.name]: change.table } },
      obsolete: change.obsolete.map((f) => db.store.segmentPath(table, f)),
      result: batch.length,
    };
  });
  return done('INSERT', t0, inserted);
}

export async function deleteFrom(db: SessionHost, s: ast.DeleteStatement, p: ParsedStatement, parts: RecordParts, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const deleted = await db.change((catalog) => {
    const table = writableTableOr(catalog, s.table, p);
    const batch = run(db, catalog, dmlSource(s, table, dmlContext(db, catalog, table, p), p), parts, cancel);
    const idValues = rowIdsOf(batch, 0);
    const change = deleteRows(db.dir, table, rowsBySegment(table, idValues, firstOfEachId(idValues, batch.length).keep), db.store.segments);
    return {
      catalog: { ...catalog, tables: { ...catalog.tables, [table.name]: change.table } },
      obsolete: change.obsolete.map((f) => db.store.segmentPath(table, f)),
      result: change.deleted,
    };
  });
  return done('DELETE', t0, deleted);
}

export async function update(db: SessionHost, s: ast.UpdateStatement, p: ParsedStatement, parts: RecordParts, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const updated = await db.change(async (catalog) => {
    const table = writableTableOr(catalog, s.table, p);
    const batch = run(db, catalog, dmlSource(s, table, dmlContext(db, catalog, table, p), p), parts, cancel);
    const n = table.columns.length;
    const idValues = rowIdsOf(batch, n);
    // a row FROM joins to several rows is updated once, from the first (PostgreSQL and Redshift pick one too)
    const { keep, all } = firstOfEachId(idValues, batch.length);
    const columns = batch.columns.slice(0, n);
    const rows = all ? { length: batch.length, columns } : gatherBatch({ length: batch.length, columns }, keep, keep.length);
    checkNotNull(table, rows, s.pos, p);
    const removed = deleteRows(db.dir, table, rowsBySegment(table, idValues, keep), db.store.segments);
    const appended = await appendRows(db.dir, catalog, removed.table, [rows], db.store.segments, rows.length);
    return {
      catalog: { ...catalog, tables: { ...catalog.tables, [table.name]: appended.table } },
      obsolete: [...removed.obsolete, ...appended.obsolete].map((f) => db.store.segmentPath(table, f)),
      result: keep.length,
    };
  });
  return done('UPDATE', t0, updated);
}

/**
 * MERGE, as Redshift runs it: target rows that the ON condition joins to a
 * source row are updated (or deleted); source rows that join no target row
 * are inserted. Both queries read the table as it was before the statement.
 * A target row that joins several source rows is an error (CARDINALITY), as
 * in Redshift: which source row should win is not defined.
 */
export async function merge(db: SessionHost, s: ast.MergeStatement, p: ParsedStatement, parts: RecordParts, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const changed = await db.change(async (catalog) => {
    const table = writableTableOr(catalog, s.table, p);
    const ctx = dmlContext(db, catalog, table, p);
    const m = s.matched;
    const matchedSource: ast.DeleteStatement | ast.UpdateStatement =
      m.kind === 'delete'
        ? { kind: 'delete', table: s.table, using: [s.source], where: s.on, pos: m.pos }
        : { kind: 'update', table: s.table, alias: null, set: m.set, from: [s.source], where: s.on, pos: m.pos };
    const matched = run(db, catalog, dmlSource(matchedSource, table, ctx, p), parts, cancel);
    const n = table.columns.length;
    const ids = rowIdsOf(matched, m.kind === 'update' ? n : 0);
    const { keep, all } = firstOfEachId(ids, matched.length);
    if (keep.length !== matched.length) {
      throw statementError('CARDINALITY', `a row of "${table.name}" matches more than one source row; MERGE changes each target row at most once`, s.on.pos, p);
    }
    const inserted = run(db, catalog, bindInsertSource(notMatchedInsert(s), table, ctx), parts, cancel);
    checkNotNull(table, inserted, s.notMatched.pos, p);
    const batches = [inserted];
    if (m.kind === 'update') {
      const columns = matched.columns.slice(0, n);
      const updated = all ? { length: matched.length, columns } : gatherBatch({ length: matched.length, columns }, keep, keep.length);
      checkNotNull(table, updated, m.pos, p);
      batches.unshift(updated);
    }
    const removed = deleteRows(db.dir, table, rowsBySegment(table, ids, keep), db.store.segments);
    const rows = batches.reduce((k, b) => k + b.length, 0);
    const appended = await appendRows(db.dir, catalog, removed.table, batches, db.store.segments, rows);
    return {
      catalog: { ...catalog, tables: { ...catalog.tables, [table.name]: appended.table } },
      obsolete: [...removed.obsolete, ...appended.obsolete].map((f) => db.store.segmentPath(table, f)),
      result: keep.length + inserted.length,
    };
  });
  return done('MERGE', t0, changed);
}

/**
 * MERGE's WHEN NOT MATCHED as an INSERT ... SELECT: the VALUES over the
 * source rows that the ON condition joins to no target row (a left join
 * whose target row id, never NULL in a row, is NULL).
 */
function notMatchedInsert(s: ast.MergeStatement): ast.InsertStatement {
  const pos = s.notMatched.pos;
  const target: ast.TableRef = { kind: 'table', name: s.table, alias: null, columnAliases: null, pos: s.table.pos };
  const rowId: ast.Expr = { kind: 'column', table: { name: s.table.name, pos }, name: { name: ROW_ID_COLUMN, pos }, pos };
  const from: ast.TableRef = { kind: 'join', type: 'left', natural: false, left: s.source, right: target, on: s.on, using: null, pos };
  const query = selectQuery({ items: s.notMatched.values.map((expr) => ({ kind: 'expr', expr, alias: null, pos: expr.pos })), from: [from], where: { kind: 'isNull', arg: rowId, negated: false, pos } }, pos);
  return { kind: 'insert', table: s.table, columns: s.notMatched.columns, source: query, pos };
}

export async function truncate(db: SessionHost, s: ast.TruncateStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  await db.change((catalog) => {
    const table = writableTableOr(catalog, s.table, p);
    const change = truncateTable(table);
    return {
      catalog: { ...catalog, tables: { ...catalog.tables, [table.name]: change.table } },
      obsolete: change.obsolete.map((f) => db.store.segmentPath(table, f)),
      result: undefined,
    };
  });
  return done('TRUNCATE', t0);
}

/** A binding context whose catalog shows the target table with its row id column. */
export function dmlContext(db: Pick<SessionHost, 'systemTable' | 'importedStats' | 'settings'> & Partial<Pick<SessionHost, 'principal' | 'restrictedSystemTable'>>, catalog: Catalog, table: TableMeta, p: ParsedStatement, reads = true): BindContext {
  return bindContext(db, { ...catalog, tables: { ...catalog.tables, [table.name]: withRowIds(table) } }, p.text, p.params, reads);
}

/**
 * The query a DELETE or UPDATE runs, bound: DELETE's returns the row ids of
 * the rows to delete; UPDATE's the new values of every column (in table
 * order, cast to the column types) and then the row id.
 */
export function dmlSource(s: ast.DeleteStatement | ast.UpdateStatement, table: TableMeta, ctx: BindContext, p: ParsedStatement): LogicalNode {
  const pos = s.pos;
  const name = s.kind === 'update' && s.alias ? s.alias : s.table;
  const target: ast.TableRef = { kind: 'table', name: s.table, alias: s.kind === 'update' ? s.alias : null, columnAliases: null, pos: s.table.pos };
  const column = (c: string): ast.Expr => ({ kind: 'column', table: { name: name.name, pos }, name: { name: c, pos }, pos });
  const rowId: ast.SelectItem = { kind: 'expr', expr: column(ROW_ID_COLUMN), alias: null, pos };
  const query = (items: ast.SelectItem[], from: readonly ast.TableRef[]): ast.Query => selectQuery({ items, from: [target, ...from], where: s.where }, pos);
  if (s.kind === 'delete') return bindQuery(query([rowId], s.using), ctx);
  const values = new Map<string, ast.Assignment>();
  for (const a of s.set) {
    if (!table.columns.some((c) => c.name === a.column.name)) {
      throw statementError('UNKNOWN_COLUMN', `column "${a.column.name}" of table "${table.name}" does not exist`, a.column.pos, p);
    }
    if (values.has(a.column.name)) throw statementError('SYNTAX', `column "${a.column.name}" is assigned more than once`, a.column.pos, p);
    values.set(a.column.name, a);
  }
  const items: ast.SelectItem[] = table.columns.map((c) => {
    const a = values.get(c.name);
    // DEFAULT is the column's (NULL when it has none); a bare NULL takes the column's type, as INSERT's NULLs do
    const expr: ast.Expr = !a
      ? column(c.name)
      : a.value === null
        ? defaultExpr(c, a.pos)
        : a.value.kind === 'null'
          ? { kind: 'cast', arg: { kind: 'null', pos: a.pos }, type: c.type, pos: a.pos }
          : a.value;
    return { kind: 'expr', expr, alias: null, pos: a?.pos ?? pos };
  });
  const positions = table.columns.map((c) => values.get(c.name)?.value?.pos ?? values.get(c.name)?.pos ?? pos);
  return bindAssignedQuery(query([...items, rowId], s.from), table, positions, ctx);
}

/** Plans and runs a data change's query on the calling thread, under the writer lock, on the catalog being changed. */
function run(db: SessionHost, catalog: Catalog, logical: LogicalNode, parts: RecordParts, cancel: CancelFlag | null): Batch {
  const plan = new Planner(catalog.slices, db.store).planQuery(logical);
  const ctx = new ExecContext(db.store, catalog.slices, undefined, cancel);
  const batch = new Executor(ctx).collect(plan);
  parts.plan = plan;
  parts.exec = ctx;
  return batch;
}

function rowIdsOf(batch: Batch, column: number): Float64Array {
  const v = batch.columns[column]!;
  if (v.kind !== 'f64') throw new Error(`row ids came out as ${v.kind}, not f64`);
  return v.values;
}

/**
 * Positions in `ids` of the first occurrence of each row id, in id order;
 * `all` when that is every position in order (no id repeats and they came
 * ascending: the batch's rows are already the changed rows, in order). A row
 * id repeats when the query joins a row to several rows (USING, FROM) (the
 * target row is deleted or updated once).
 */
function firstOfEachId(ids: Float64Array, n: number): { keep: Uint32Array; all: boolean } {
  const order = orderById(ids, n);
  let k = 0;
  for (let i = 0; i < n; i++) if (i === 0 || ids[order[i]!] !== ids[order[i - 1]!]) order[k++] = order[i]!;
  let all = k === n;
  for (let i = 0; all && i < n; i++) all = order[i] === i;
  return { keep: order.subarray(0, k), all };
}

/**
 * Positions 0..n-1 ordered by their id, equal ids by position: a natural
 * merge sort. A scan yields ids ascending per slice (or per segment), so the
 * input is a few ascending runs and merging them is near linear; a sort with
 * a comparator function called per pair cost more than the rest of a DELETE.
 */
function orderById(ids: Float64Array, n: number): Uint32Array {
  let a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  // where each ascending run starts, then n
  let runs: number[] = [0];
  for (let i = 1; i < n; i++) if (ids[i]! < ids[i - 1]!) runs.push(i);
  runs.push(n);
  if (runs.length <= 2) return a;
  let b = new Uint32Array(n);
  while (runs.length > 2) {
    const merged: number[] = [0];
    for (let r = 0; r + 1 < runs.length; r += 2) {
      const lo = runs[r]!;
      const mid = runs[r + 1]!;
      const hi = r + 2 < runs.length ? runs[r + 2]! : mid;
      let i = lo;
      let j = mid;
      let k = lo;
      // ties take the left run: its positions are the lower ones
      while (i < mid && j < hi) b[k++] = ids[a[j]!]! < ids[a[i]!]! ? a[j++]! : a[i++]!;
      while (i < mid) b[k++] = a[i++]!;
      while (j < hi) b[k++] = a[j++]!;
      merged.push(hi);
    }
    [a, b] = [b, a];
    runs = merged;
  }
  return a;
}

/** The rows to delete, per segment file, ascending (`keep`: positions of distinct ids in id order, so each segment's are one stretch). */
function rowsBySegment(table: TableMeta, ids: Float64Array, keep: Uint32Array): Map<string, Uint32Array> {
  const segments = segmentsByNumber(table);
  const out = new Map<string, Uint32Array>();
  let start = 0;
  while (start < keep.length) {
    const segment = rowIdSegment(ids[keep[start]!]!);
    let end = start + 1;
    while (end < keep.length && rowIdSegment(ids[keep[end]!]!) === segment) end++;
    const rows = new Uint32Array(end - start);
    for (let i = start; i < end; i++) rows[i - start] = rowIdRow(ids[keep[i]!]!, segment);
    out.set(segments.get(segment)!.file, rows);
    start = end;
  }
  return out;
}

function checkNotNull(table: TableMeta, batch: Batch, pos: number, p: ParsedStatement): void {
  table.columns.forEach((c, i) => {
    const nulls = batch.columns[i]?.nulls;
    if (!c.notNull || !nulls) return;
    const row = nulls.indexOf(1);
    if (row >= 0 && row < batch.length) {
      throw new SqlError('INVALID_VALUE', `NULL in column "${c.name}" of row ${row + 1} violates its NOT NULL constraint`, positionAt(p.text, pos), p.text);
    }
  });
}
