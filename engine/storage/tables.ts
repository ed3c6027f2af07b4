/**
 * Table-level storage operations, each producing the next catalog: creating and
 * dropping tables, appending rows, and rewriting a table into a new layout.
 * They write segment files but never the catalog; the caller commits (Store).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Batch } from '../types.js';
import { physicalKind } from '../types.js';
import { autoStyleFor, visibleRows, type Catalog, type ColumnMeta, type DistStyle, type SegmentMeta, type TableMeta } from '../catalog/catalog.js';
import { tableDir } from './datadir.js';
import { newScanCounters, scanSegments, segmentSource, type SegmentCache } from './scan.js';
import { deleteFileName, segmentNumber, unionRows, writeDeleteVector } from './deletes.js';
import { TableWriter, type WriterOptions } from './table-writer.js';
import { chunkRowsFor, inLoadOrder } from './load-order.js';
import type { SegmentFooter } from './segment.js';
import type { ZRange } from './zorder.js';

export interface Layout {
  readonly distStyle: DistStyle;
  readonly distKey: string | null;
  readonly distAuto: boolean;
  /** See TableMeta.distPinned. */
  readonly distPinned?: boolean;
  readonly sortKey: readonly string[];
  /** See TableMeta.sortStyle. */
  readonly sortStyle?: 'compound' | 'interleaved';
  readonly sortAuto: boolean;
  readonly columns: readonly ColumnMeta[];
}

/** A layout's sort style as the catalog keeps it: 'interleaved', or absent (compound, and every table without a key). */
export function storedSortStyle(layout: Pick<Layout, 'sortKey' | 'sortStyle'>): 'interleaved' | undefined {
  return layout.sortStyle === 'interleaved' && layout.sortKey.length > 0 ? 'interleaved' : undefined;
}

/** What a storage operation produced: the table's next metadata and the files (names in its folder) it made obsolete. */
export interface TableChange {
  readonly table: TableMeta;
  readonly obsolete: readonly string[];
}

export function newTable(catalog: Catalog, name: string, layout: Layout): TableMeta {
  return {
    id: catalog.nextTableId,
    name,
    columns: layout.columns,
    distStyle: layout.distStyle,
    distKey: layout.distKey,
    distAuto: layout.distAuto,
    sortKey: layout.sortKey,
    sortStyle: storedSortStyle(layout),
    sortAuto: layout.sortAuto,
    version: 1,
    segments: [],
    rows: 0,
    evenCursor: 0,
    nextSegment: 1,
    modifiedAt: Date.now(),
  };
}

/** A writer of `layout`'s segments into `folder` (a table's directory, or a staging folder of an online rewrite). */
export function layoutWriter(folder: string, catalog: Catalog, layout: Layout, evenCursor: number, firstSegment: number, options: WriterOptions = {}): TableWriter {
  return new TableWriter(
    folder,
    {
      columns: layout.columns,
      distStyle: layout.distStyle,
      distKey: layout.distKey,
      sortKey: layout.sortKey,
      sortStyle: storedSortStyle(layout),
      slices: catalog.slices,
      blockRows: catalog.blockRows,
      evenCursor,
    },
    firstSegment,
    options,
  );
}

/**
 * The value range of each of `layout`'s sort-key columns over a table
 * version, from its segments' zone maps (null for a column no block bounds),
 * for an interleaved key's mapping; undefined when the layout has no
 * interleaved key. Reading footers only, it costs no block reads.
 */
export function keyRangesOf(layout: Pick<Layout, 'sortKey' | 'sortStyle'>, footers: readonly SegmentFooter[]): (ZRange | null)[] | undefined {
  if (storedSortStyle(layout) !== 'interleaved') return undefined;
  return layout.sortKey.map((name) => {
    let min: number | string | null = null;
    let max: number | string | null = null;
    for (const f of footers) {
      for (const b of f.columns.find((c) => c.name === name)?.blocks ?? []) {
        if (b.min !== null && (min === null || b.min < min)) min = b.min;
        if (b.max !== null && (max === null || b.max > max)) max = b.max;
      }
    }
    return min === null || max === null ? null : { min, max };
  });
}

/**
 * Every row of the table's current version, slices interleaved in load order
 * (load-order.ts); each segment is checked against its catalog entry
 * (integrity.ts) in `catalog`, the table's catalog.
 */
export function* readAll(dir: string, table: TableMeta, cache: SegmentCache, catalog: Pick<Catalog, 'blockRows' | 'slices'>): Generator<Batch> {
  const folder = tableDir(dir, table.id);
  const all = table.columns.map((_, i) => i);
  const chunk = chunkRowsFor(catalog.blockRows, new Set(table.segments.map((s) => s.slice)).size);
  const visible = table.segments.map((segment) => ({ segment, slice: segment.slice, rows: segment.rows - (segment.deletes?.rows ?? 0) }));
  yield* inLoadOrder(visible, (s) => scanSegments(table, [segmentSource(folder, table, s.segment, cache, catalog.slices)], all, null, newScanCounters()), chunk);
}

/**
 * Appends rows. An AUTO table that outgrows the small-table limit while ALL is
 * rewritten as EVEN in the same change, so it commits once in its final layout.
 */
export async function appendRows(
  dir: string,
  catalog: Catalog,
  table: TableMeta,
  rows: AsyncIterable<Batch> | Iterable<Batch>,
  cache: SegmentCache,
  expectedRows?: number,
): Promise<TableChange> {
  let layout: Layout = table;
  // An empty AUTO table takes the style its final size calls for, so it is written
  // once: from the expected size when the caller knows it (a generator does), else
  // by reading ahead just past the small-table limit before placing any row.
  if (table.distAuto && !table.distPinned && table.distStyle !== 'key' && table.rows === 0) {
    let incoming = expectedRows;
    if (incoming === undefined) {
      const ahead = await readAhead(rows, catalog.autoAllMaxRows + 1);
      incoming = ahead.rows;
      rows = ahead.all;
    }
    const style = autoStyleFor(incoming, catalog);
    if (style !== table.distStyle) layout = { ...table, distStyle: style, distKey: null };
  }
  const writer = layoutWriter(tableDir(dir, table.id), catalog, layout, table.evenCursor, table.nextSegment);
  let written: ReturnType<TableWriter['finish']>;
  try {
    for await (const batch of rows) writer.add(batch);
    written = writer.finish();
  } catch (e) {
    writer.abort();
    throw e;
  }
  let next: TableMeta = {
    ...table,
    distStyle: layout.distStyle,
    distKey: layout.distKey,
    segments: [...table.segments, ...written.segments],
    rows: table.rows + written.rows,
    evenCursor: written.evenCursor,
    nextSegment: written.nextSegment,
    modifiedAt: Date.now(),
    changedRows: changedRowsOf(table) + written.rows,
  };
  if (next.distAuto && !next.distPinned && next.distStyle !== 'key') {
    const style = autoStyleFor(next.rows, catalog);
    if (style !== next.distStyle) {
      try {
        const rewritten = rewriteTable(dir, catalog, next, { ...next, distStyle: style, distKey: null }, cache);
        return { table: rewritten.table, obsolete: tableFiles(next) };
      } catch (e) {
        writer.abort();
        throw e;
      }
    }
  }
  return { table: next, obsolete: [] };
}

/** Buffers batches until `limit` rows (or the end); returns how many and a stream of everything. */
async function readAhead(
  source: AsyncIterable<Batch> | Iterable<Batch>,
  limit: number,
): Promise<{ rows: number; all: AsyncIterable<Batch> }> {
  const it = (Symbol.asyncIterator in source ? (source as AsyncIterable<Batch>)[Symbol.asyncIterator]() : (source as Iterable<Batch>)[Symbol.iterator]()) as
    | AsyncIterator<Batch>
    | Iterator<Batch>;
  const head: Batch[] = [];
  let rows = 0;
  let ended = false;
  while (rows < limit) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    head.push(r.value);
    rows += r.value.length;
  }
  async function* all(): AsyncGenerator<Batch> {
    yield* head;
    if (ended) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { rows, all: all() };
}

/** Writes the table's rows in a new layout as a new version; the old files become obsolete. */
export function rewriteTable(dir: string, catalog: Catalog, table: TableMeta, layout: Layout, cache: SegmentCache): TableChange {
  const folder = tableDir(dir, table.id);
  const keyRanges = keyRangesOf(layout, table.segments.map((segment) => cache.read(path.join(folder, segment.file), { table, segment, slices: catalog.slices }).footer));
  const writer = layoutWriter(folder, catalog, layout, 0, table.nextSegment, keyRanges ? { keyRanges } : {});
  let written: ReturnType<TableWriter['finish']>;
  try {
    const oldKinds = table.columns.map((c) => physicalKind(c.type));
    const newKinds = layout.columns.map((c) => physicalKind(c.type));
    if (oldKinds.join() !== newKinds.join()) throw new Error('rewriteTable cannot change column types');
    for (const batch of readAll(dir, table, cache, catalog)) writer.add(batch);
    written = writer.finish();
  } catch (e) {
    writer.abort();
    throw e;
  }
  const segments: SegmentMeta[] = written.segments;
  return {
    table: {
      ...table,
      columns: layout.columns,
      distStyle: layout.distStyle,
      distKey: layout.distKey,
      distAuto: layout.distAuto,
      distPinned: layout.distAuto && layout.distPinned === true ? true : undefined,
      sortKey: layout.sortKey,
      sortStyle: storedSortStyle(layout),
      sortAuto: layout.sortAuto,
      version: table.version + 1,
      segments,
      rows: written.rows,
      evenCursor: written.evenCursor,
      nextSegment: written.nextSegment,
      modifiedAt: Date.now(),
    },
    obsolete: tableFiles(table),
  };
}

/**
 * A new version of `table` holding exactly `rows`, with `columns` (which may
 * differ from the table's: a materialized view recomputed after its base
 * tables' columns changed). The layout is kept where its keys are still
 * columns; an AUTO style is chosen again for the new size. The old files
 * become obsolete.
 */
export function replaceRows(dir: string, catalog: Catalog, table: TableMeta, columns: readonly ColumnMeta[], rows: readonly Batch[]): TableChange {
  const names = new Set(columns.map((c) => c.name));
  const count = rows.reduce((n, b) => n + b.length, 0);
  const keepKey = table.distStyle === 'key' && names.has(table.distKey!);
  const sortKey = table.sortKey.every((c) => names.has(c)) ? table.sortKey : [];
  let distStyle: DistStyle = table.distStyle === 'key' && !keepKey ? 'even' : table.distStyle;
  if (table.distAuto && !table.distPinned && distStyle !== 'key') distStyle = autoStyleFor(count, catalog);
  const layout: Layout = {
    columns,
    distStyle,
    distKey: distStyle === 'key' ? table.distKey : null,
    distAuto: table.distAuto || (table.distStyle === 'key' && !keepKey),
    distPinned: table.distPinned,
    sortKey,
    sortStyle: sortKey.length ? table.sortStyle : undefined,
    sortAuto: table.sortAuto,
  };
  const writer = layoutWriter(tableDir(dir, table.id), catalog, layout, 0, table.nextSegment);
  let written: ReturnType<TableWriter['finish']>;
  try {
    for (const batch of rows) writer.add(batch);
    written = writer.finish();
  } catch (e) {
    writer.abort();
    throw e;
  }
  return {
    table: {
      ...table,
      columns,
      distStyle: layout.distStyle,
      distKey: layout.distKey,
      distAuto: layout.distAuto,
      sortKey: layout.sortKey,
      sortStyle: storedSortStyle(layout),
      version: table.version + 1,
      segments: written.segments,
      rows: written.rows,
      evenCursor: written.evenCursor,
      nextSegment: written.nextSegment,
      modifiedAt: Date.now(),
      changedRows: changedRowsOf(table) + visibleRows(table) + written.rows,
    },
    obsolete: tableFiles(table),
  };
}

/** The files (names in its folder) of a table version: its segments and their delete vectors. */
export function tableFiles(table: TableMeta): string[] {
  return table.segments.flatMap((s) => (s.deletes ? [s.file, s.deletes.file] : [s.file]));
}

/**
 * Marks rows deleted: `rows` maps a segment file to ascending positions in it
 * (already deleted ones may repeat). Each segment touched gets a new delete
 * vector holding its old and new positions; a segment left with no row leaves
 * the table. Segments are never rewritten. The version changes, so a
 * background rewrite that started before notices (CONFLICT) instead of
 * bringing the rows back.
 */
export function deleteRows(dir: string, table: TableMeta, rows: ReadonlyMap<string, Uint32Array>, cache: SegmentCache): TableChange & { deleted: number } {
  const folder = tableDir(dir, table.id);
  const obsolete: string[] = [];
  const written: string[] = [];
  let sequence = table.nextSegment;
  let deleted = 0;
  const segments: SegmentMeta[] = [];
  try {
    for (const s of table.segments) {
      const add = rows.get(s.file);
      if (!add || add.length === 0) {
        segments.push(s);
        continue;
      }
      const before = cache.deletes(folder, s) ?? new Uint32Array(0);
      const after = unionRows(before, add);
      deleted += after.length - before.length;
      if (after.length === before.length) {
        segments.push(s);
        continue;
      }
      if (s.deletes) obsolete.push(s.deletes.file);
      if (after.length >= s.rows) {
        obsolete.push(s.file);
        continue;
      }
      const file = deleteFileName(s.file, sequence++);
      writeDeleteVector(path.join(folder, file), after);
      written.push(file);
      segments.push({ ...s, deletes: { file, rows: after.length } });
    }
  } catch (e) {
    // files not yet committed: gone now rather than at the next orphan sweep
    for (const f of written) fs.rmSync(path.join(folder, f), { force: true });
    throw e;
  }
  if (deleted === 0) return { table, obsolete: [], deleted };
  const next: TableMeta = {
    ...table,
    version: table.version + 1,
    segments,
    rows: segments.reduce((n, s) => n + s.rows, 0),
    nextSegment: sequence,
    modifiedAt: Date.now(),
    changedRows: changedRowsOf(table) + deleted,
  };
  return { table: next, obsolete, deleted };
}

/** The table's rows-changed counter (TableMeta.changedRows); 0 in catalogs written before it. */
export function changedRowsOf(table: Pick<TableMeta, 'changedRows'>): number {
  return table.changedRows ?? 0;
}

/** TRUNCATE: the table keeps its definition and loses every row; all its files become obsolete. */
export function truncateTable(table: TableMeta): TableChange {
  return {
    table: { ...table, version: table.version + 1, segments: [], rows: 0, evenCursor: 0, modifiedAt: Date.now(), changedRows: changedRowsOf(table) + visibleRows(table) },
    obsolete: tableFiles(table),
  };
}

/** The segment file a row id (exec's ROW_ID column: segment number × 2^32 + position) points into, by segment number. */
export function segmentsByNumber(table: TableMeta): Map<number, SegmentMeta> {
  return new Map(table.segments.map((s) => [segmentNumber(s.file), s]));
}

/** Per-slice row counts (ALL tables hold every row on every slice). */
export function rowsPerSlice(catalog: Catalog, table: TableMeta): number[] {
  const out = new Array<number>(catalog.slices).fill(0);
  for (const s of table.segments) {
    if (s.slice === -1) for (let i = 0; i < out.length; i++) out[i]! += s.rows;
    else out[s.slice]! += s.rows;
  }
  return out;
}

/** Encoded bytes as the modelled cluster holds them: an ALL table once per slice. */
export function storedBytes(catalog: Catalog, table: TableMeta): number {
  let total = 0;
  for (const s of table.segments) total += s.slice === -1 ? s.bytes * catalog.slices : s.bytes;
  return total;
}
