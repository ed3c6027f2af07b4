/**
 * Online rewrite: a table's next version (new distribution, sort key or
 * encodings) is built beside the current one while queries, in this process
 * and others, keep reading the current one; then it is swapped in with one
 * catalog commit.
 *
 * - The build runs without the writer lock, in a staging folder (staging.ts),
 *   one block group at a time, yielding to the event loop after each step and
 *   sleeping as needed to stay under a bytes-per-second cap.
 * - The commit takes the lock, re-reads the catalog and checks the table: rows
 *   appended meanwhile (INSERT, load) are caught up, written in the new layout
 *   as extra segments (as if they had been appended after the change); any
 *   other change (another rewrite, a DROP, a re-created table) fails the rewrite
 *   with StorageError CONFLICT and the table keeps that other change.
 * - Staged files are renamed into the table's folder under the lock, the
 *   folder is fsynced, then the catalog is replaced: a crash before the
 *   replacement leaves the old version and files nobody names (swept by the
 *   next writer), a crash after it the new version, whose files are all
 *   durable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StorageError, SqlError } from '../errors.js';
import { physicalKind } from '../types.js';
import { visibleRows, type Catalog, type SegmentMeta, type TableMeta } from '../catalog/catalog.js';
import { readDeleteVector } from './deletes.js';
import { tableDir } from './datadir.js';
import { newScanCounters, scanSegments, wholeSegment } from './scan.js';
import { SegmentReader } from './segment.js';
import { checkSegment } from './integrity.js';
import { tableView } from './segment-columns.js';
import { Staging } from './staging.js';
import { storageErrorOf } from './io-error.js';
import type { Store } from './store.js';
import { keyRangesOf, layoutWriter, storedSortStyle, type Layout } from './tables.js';
import type { ZRange } from './zorder.js';
import { Pacer } from './pacer.js';
import { chunkRowsFor, inLoadOrder } from './load-order.js';
import { drain, type TableWriter, type WrittenSegments } from './table-writer.js';

export interface RewriteProgress {
  /** Rows of the current version read and placed in the new layout so far. */
  readonly rowsWritten: number;
  /** Rows of the version being rewritten. */
  readonly rowsTotal: number;
  /** Encoded bytes written to disk so far (sorted runs and their merge alike). */
  readonly bytesWritten: number;
}

export interface OnlineRewriteOptions {
  /** Cap on bytes written per second, averaged from the start; none when absent. */
  readonly maxBytesPerSecond?: number;
  /** Aborts the build (StorageError ABORTED); too late once the commit has started. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: RewriteProgress) => void;
  /**
   * Asked between steps; while it returns true the build sleeps (e.g. while the
   * machine's load is above a threshold). Paused time does not count toward the
   * byte rate, so the build does not burst when it resumes.
   */
  readonly pauseWhile?: () => boolean;
  /** How long the commit waits for another process's writer lock (default 10 minutes: the build is worth waiting for). */
  readonly lockWaitMs?: number;
}

export interface OnlineRewriteResult {
  readonly elapsedMs: number;
  /** Rows in the new version (appended rows caught up at commit included). */
  readonly rowsWritten: number;
  readonly bytesWritten: number;
  readonly table: TableMeta;
}

/**
 * Rows per slice in one sorted run: 4 blocks. One run's sort is the longest
 * step that does not yield (tens of milliseconds), and the runs are merged
 * block by block, yielding after each.
 */
const RUN_BLOCKS = 4;
const COMMIT_LOCK_WAIT_MS = 10 * 60_000;
function sameSegments(a: readonly SegmentMeta[], b: readonly SegmentMeta[]): boolean {
  return a.length <= b.length && a.every((s, i) => s.file === b[i]!.file);
}

/**
 * Rewrites `tableName` into the layout `layoutOf` gives for its current
 * version, online. Errors: SqlError UNKNOWN_TABLE; StorageError CONFLICT (the
 * table was rewritten, dropped or replaced meanwhile), ABORTED (the signal),
 * LOCKED (another process held the lock past lockWaitMs), INVALID_VALUE (a bad
 * maxBytesPerSecond). On any error the table stays as it was and the staged
 * files are removed.
 */
export async function rewriteOnline(
  store: Store,
  tableName: string,
  layoutOf: (table: TableMeta, catalog: Catalog) => Layout,
  options: OnlineRewriteOptions = {},
): Promise<OnlineRewriteResult> {
  const t0 = performance.now();
  const rate = options.maxBytesPerSecond;
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) {
    throw new StorageError('INVALID_VALUE', `maxBytesPerSecond must be a positive number, got ${rate}`);
  }
  const snapshot = store.catalog();
  const table = snapshot.tables[tableName];
  if (!table) throw new SqlError('UNKNOWN_TABLE', `table "${tableName}" does not exist`);
  const layout = layoutOf(table, snapshot);
  if (layout.columns.length !== table.columns.length || layout.columns.some((c, i) => physicalKind(c.type) !== physicalKind(table.columns[i]!.type))) {
    throw new Error('an online rewrite cannot change column types');
  }
  const aborted = () => new StorageError('ABORTED', `the background rewrite of table "${tableName}" was aborted; the table keeps its previous version`);
  const pacer = new Pacer(rate, options.signal, aborted, options.pauseWhile);
  pacer.check();

  const failed = (e: unknown) => storageErrorOf(e, `cannot change the data directory ${store.dir}`, store.dir);
  let staging: Staging;
  try {
    staging = Staging.create(store.dir);
  } catch (e) {
    throw failed(e);
  }
  store.backgroundWork++;
  try {
    const report = (rowsWritten: number, bytesWritten: number) => options.onProgress?.({ rowsWritten, rowsTotal: table.rows, bytesWritten });
    const built = await build(store, snapshot, table, layout, staging, pacer, report);
    const committed = await store.change((fresh) => commitStaged(store, fresh, table, layout, staging, built), {
      waitMs: options.lockWaitMs ?? COMMIT_LOCK_WAIT_MS,
      signal: options.signal,
    });
    report(committed.table.rows, committed.bytesWritten);
    return { elapsedMs: performance.now() - t0, rowsWritten: committed.table.rows, bytesWritten: committed.bytesWritten, table: committed.table };
  } catch (e) {
    throw failed(e);
  } finally {
    store.backgroundWork--;
    staging.remove();
  }
}

interface Built {
  readonly written: WrittenSegments;
  readonly bytesWritten: number;
  /** The key ranges the build's interleaved mapping was seeded with, for the rows caught up at commit. */
  readonly keyRanges: (ZRange | null)[] | undefined;
}

/** Writes every row of `table`'s version into staged segments in the new layout. */
async function build(
  store: Store,
  catalog: Catalog,
  table: TableMeta,
  layout: Layout,
  staging: Staging,
  pacer: Pacer,
  report: (rows: number, bytes: number) => void,
): Promise<Built> {
  // Opened up front: an open file stays readable even if another process's
  // change retires it and a later writer deletes it while we read.
  const readers: SegmentReader[] = [];
  let writer: TableWriter | null = null;
  try {
    const opened = table.segments.map((s) => {
      const reader = SegmentReader.open(store.segmentPath(table, s.file));
      readers.push(reader);
      checkSegment(reader, { table, segment: s, slices: catalog.slices });
      // read now, like the reader's file: a later writer may delete a retired vector file
      const deleted = s.deletes ? readDeleteVector(path.join(tableDir(store.dir, table.id), s.deletes.file), s.deletes.rows, s.rows) : null;
      return { slice: s.slice, rows: s.rows - (s.deletes?.rows ?? 0), source: wholeSegment(tableView(reader, table, s), deleted) };
    });
    // runs of 4 blocks are sorted long before the last rows are read: an interleaved mapping must know the whole range up front
    const keyRanges = keyRangesOf(layout, opened.map((o) => o.source.reader.footer));
    writer = layoutWriter(staging.folder, catalog, layout, 0, 1, { runRows: catalog.blockRows * RUN_BLOCKS, ...(keyRanges ? { keyRanges } : {}) });
    const all = table.columns.map((_, i) => i);
    const counters = newScanCounters();
    const chunk = chunkRowsFor(catalog.blockRows, new Set(table.segments.map((s) => s.slice)).size);
    for (const batch of inLoadOrder(opened, (s) => scanSegments(table, [s.source], all, null, counters), chunk)) {
      writer.add(batch);
      report(writer.rows, writer.bytesWritten);
      await pacer.pace(writer.bytesWritten);
      for (const _ of writer.spillFull()) await pacer.pace(writer.bytesWritten);
    }
    const steps = writer.finishSteps();
    let step = steps.next();
    while (!step.done) {
      report(writer.rows, writer.bytesWritten);
      await pacer.pace(writer.bytesWritten);
      step = steps.next();
    }
    const written = step.value;
    // deleted rows are not carried over: the new version has no delete vectors
    if (written.rows !== visibleRows(table)) throw new StorageError('CORRUPT', `table "${table.name}" holds ${written.rows} visible rows but its catalog entry says ${visibleRows(table)}`);
    return { written, bytesWritten: writer.bytesWritten, keyRanges };
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    for (const r of readers) r.close();
  }
}

/** Under the writer lock: check the table, catch up appended rows, move the staged files in, produce the commit. */
function commitStaged(store: Store, fresh: Catalog, table: TableMeta, layout: Layout, staging: Staging, built: Built) {
  const cur = fresh.tables[table.name];
  if (!cur || cur.id !== table.id) {
    throw new StorageError('CONFLICT', `table "${table.name}" was dropped or replaced while it was rewritten in the background; the change was not applied`);
  }
  if (cur.version !== table.version || !sameSegments(table.segments, cur.segments)) {
    throw new StorageError(
      'CONFLICT',
      `table "${table.name}" was changed by another statement (a DELETE, UPDATE, MERGE, TRUNCATE or another rewrite: version ${table.version} became ${cur.version}) ` +
        'while it was rewritten in the background; it keeps that change and this one was not applied (run it again)',
    );
  }
  let segments = built.written.segments;
  let rows = built.written.rows;
  let evenCursor = built.written.evenCursor;
  let bytesWritten = built.bytesWritten;
  const appended = cur.segments.slice(table.segments.length);
  if (appended.length > 0) {
    // rows appended during the build: placed in the new layout as extra (unsorted) segments
    const writer = layoutWriter(staging.folder, fresh, layout, evenCursor, built.written.nextSegment, built.keyRanges ? { keyRanges: built.keyRanges } : {});
    try {
      const all = cur.columns.map((_, i) => i);
      for (const s of appended) {
        const reader = SegmentReader.open(store.segmentPath(cur, s.file));
        try {
          checkSegment(reader, { table: cur, segment: s, slices: fresh.slices });
          // appended segments carry no deletes: any DELETE changes the version, a CONFLICT above
          for (const batch of scanSegments(cur, [wholeSegment(tableView(reader, cur, s), null)], all, null, newScanCounters())) writer.add(batch);
        } finally {
          reader.close();
        }
      }
      const delta = drain(writer.finishSteps());
      segments = [...segments, ...delta.segments];
      rows += delta.rows;
      evenCursor = delta.evenCursor;
      bytesWritten += writer.bytesWritten;
    } catch (e) {
      writer.abort();
      throw e;
    }
  }
  if (rows !== visibleRows(cur)) throw new StorageError('CORRUPT', `the rewrite of table "${cur.name}" produced ${rows} rows, but it holds ${visibleRows(cur)}`);
  const folder = tableDir(store.dir, cur.id);
  fs.mkdirSync(folder, { recursive: true });
  const moved: SegmentMeta[] = segments.map((s, i) => {
    const file = `${String(cur.nextSegment + i).padStart(6, '0')}.seg`;
    fs.renameSync(path.join(staging.folder, s.file), path.join(folder, file));
    return { ...s, file };
  });
  // the commit (Store.change) fsyncs the folder before the catalog names the files
  const next: TableMeta = {
    ...cur,
    columns: layout.columns,
    distStyle: layout.distStyle,
    distKey: layout.distKey,
    distAuto: layout.distAuto,
    distPinned: layout.distAuto && layout.distPinned === true ? true : undefined,
    sortKey: layout.sortKey,
    sortStyle: storedSortStyle(layout),
    sortAuto: layout.sortAuto,
    version: cur.version + 1,
    segments: moved,
    rows,
    evenCursor,
    nextSegment: cur.nextSegment + moved.length,
    modifiedAt: Date.now(),
  };
  return {
    catalog: { ...fresh, tables: { ...fresh.tables, [cur.name]: next } },
    obsolete: cur.segments.flatMap((s) => [s.file, ...(s.deletes ? [s.deletes.file] : [])].map((f) => store.segmentPath(cur, f))),
    result: { table: next, bytesWritten },
  };
}
