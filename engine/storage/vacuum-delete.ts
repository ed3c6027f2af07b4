/**
 * VACUUM's delete phase, online: the segments holding deleted rows are
 * rewritten without them, one at a time, and swapped in with one catalog
 * commit; every other segment stays as it is. A rewritten segment keeps its
 * slice, its place in the table's segment list (a slice's sorted region stays
 * its first segment) and its row order, so nothing needs sorting.
 *
 * Like the online rewrite (online-rewrite.ts) the build runs without the
 * writer lock, in a staging folder, paced; readers keep reading the current
 * version and appends go on. At commit, under the lock:
 * - rows appended meanwhile are new segments: kept as they are;
 * - rows a DELETE or UPDATE marked meanwhile in a segment being compacted are
 *   carried over: their positions are mapped into the compacted segment and
 *   written as its delete vector, so no deleted row comes back;
 * - a compacted segment that another rewrite (ALTER, VACUUM SORT), a TRUNCATE
 *   or a DROP removed meanwhile fails the vacuum with StorageError CONFLICT;
 *   the table keeps that other change.
 * A crash before the commit leaves the old version (staged and renamed files
 * are orphans the next writer sweeps); after it, the new one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SqlError, StorageError } from '../errors.js';
import type { Vector } from '../types.js';
import { physicalKind } from '../types.js';
import { columnIds, type Catalog, type SegmentMeta, type TableMeta } from '../catalog/catalog.js';
import { deleteFileName, lowerBound, readDeleteVector, writeDeleteVector } from './deletes.js';
import { tableDir } from './datadir.js';
import { checkSegment } from './integrity.js';
import { storageErrorOf } from './io-error.js';
import { Pacer } from './pacer.js';
import { newScanCounters, scanSegments, wholeSegment } from './scan.js';
import { SegmentReader, SegmentWriter } from './segment.js';
import { tableView } from './segment-columns.js';
import { Staging } from './staging.js';
import type { Store } from './store.js';
import { ColumnBuilder } from './vectors.js';

export interface BackgroundOptions {
  /** Cap on bytes written per second, averaged over the build; none when absent. */
  readonly maxBytesPerSecond?: number;
  /** Stops the build (StorageError ABORTED); the table keeps its version. */
  readonly signal?: AbortSignal;
  /** Asked between steps; while true the build sleeps (high load). */
  readonly pauseWhile?: () => boolean;
  readonly onProgress?: (p: { readonly rowsDone: number; readonly rowsTotal: number; readonly bytesWritten: number }) => void;
  /** How long the commit waits for another process's writer lock. */
  readonly lockWaitMs?: number;
}

export interface VacuumDeleteResult {
  /** Segments rewritten. */
  readonly segments: number;
  /** Deleted rows removed from storage. */
  readonly rowsReclaimed: number;
  /** Encoded bytes freed: the old files' sizes less the new ones'. */
  readonly bytesReclaimed: number;
  readonly bytesWritten: number;
  readonly table: TableMeta;
}

const COMMIT_LOCK_WAIT_MS = 10 * 60_000;

/**
 * The segments a delete phase rewrites so that at least `threshold` percent
 * of the rows left are visible (Redshift's TO n PERCENT for the delete
 * phase): those with the most deleted rows first, none when the table is
 * already there.
 */
export function segmentsToCompact(table: Pick<TableMeta, 'segments' | 'rows'>, threshold: number): SegmentMeta[] {
  const withDeletes = table.segments.filter((s) => s.deletes).sort((a, b) => b.deletes!.rows - a.deletes!.rows);
  const visible = table.rows - withDeletes.reduce((n, s) => n + s.deletes!.rows, 0);
  let stored = table.rows;
  const out: SegmentMeta[] = [];
  for (const s of withDeletes) {
    if (stored === 0 || (100 * visible) / stored >= threshold) break;
    out.push(s);
    stored -= s.deletes!.rows;
  }
  return out;
}

/** A staged segment: its old entry, the new file in staging, and the old deleted positions (to map later deletes). */
interface Compacted {
  readonly old: SegmentMeta;
  readonly staged: string;
  readonly rows: number;
  readonly bytes: number;
  readonly deletedBefore: Uint32Array;
}

/** Rewrites `segments` of `tableName` without their deleted rows, online. */
export async function vacuumDelete(store: Store, tableName: string, segments: readonly SegmentMeta[], options: BackgroundOptions = {}): Promise<VacuumDeleteResult> {
  const snapshot = store.catalog();
  const table = snapshot.tables[tableName];
  if (!table) throw new SqlError('UNKNOWN_TABLE', `table "${tableName}" does not exist`);
  const aborted = () => new StorageError('ABORTED', `VACUUM DELETE of table "${tableName}" was aborted; the table keeps its previous version`);
  const pacer = new Pacer(options.maxBytesPerSecond, options.signal, aborted, options.pauseWhile);
  pacer.check();
  let staging: Staging;
  try {
    staging = Staging.create(store.dir);
  } catch (e) {
    throw storageErrorOf(e, `cannot change the data directory ${store.dir}`, store.dir);
  }
  store.backgroundWork++;
  try {
    const rowsTotal = segments.reduce((n, s) => n + s.rows, 0);
    let rowsDone = 0;
    let bytesWritten = 0;
    const built: Compacted[] = [];
    for (const [i, s] of segments.entries()) {
      const c = await compact(store, snapshot, table, s, path.join(staging.folder, `${i}.seg`), pacer, (rows, bytes) =>
        options.onProgress?.({ rowsDone: rowsDone + rows, rowsTotal, bytesWritten: bytesWritten + bytes }),
      );
      built.push(c);
      rowsDone += s.rows;
      bytesWritten += c.bytes;
    }
    const committed = await store.change((fresh) => commit(store, fresh, table, built), { waitMs: options.lockWaitMs ?? COMMIT_LOCK_WAIT_MS, signal: options.signal });
    const oldBytes = segments.reduce((n, s) => n + s.bytes, 0);
    return {
      segments: built.length,
      rowsReclaimed: segments.reduce((n, s) => n + s.deletes!.rows, 0),
      bytesReclaimed: oldBytes - bytesWritten,
      bytesWritten,
      table: committed,
    };
  } catch (e) {
    throw storageErrorOf(e, `cannot change the data directory ${store.dir}`, store.dir);
  } finally {
    store.backgroundWork--;
    staging.remove();
  }
}

/** Writes the visible rows of one segment, in order, re-cut into full blocks, to `file`. */
async function compact(
  store: Store,
  catalog: Catalog,
  table: TableMeta,
  s: SegmentMeta,
  file: string,
  pacer: Pacer,
  report: (rows: number, bytes: number) => void,
): Promise<Compacted> {
  // opened up front: an open file stays readable if another process's change retires and deletes it meanwhile
  const reader = SegmentReader.open(store.segmentPath(table, s.file));
  let writer: SegmentWriter | null = null;
  try {
    checkSegment(reader, { table, segment: s, slices: catalog.slices });
    const deleted = readDeleteVector(path.join(tableDir(store.dir, table.id), s.deletes!.file), s.deletes!.rows, s.rows);
    const columns = table.columns.map((c) => ({ name: c.name, encoding: c.encoding, type: c.type }));
    const placement = { slice: s.slice, slices: catalog.slices, dist: table.distStyle, distKey: table.distStyle === 'key' ? table.distKey : null };
    const w = (writer = new SegmentWriter(file, columns, placement));
    const blockRows = catalog.blockRows;
    let builders = table.columns.map((c) => new ColumnBuilder(physicalKind(c.type), blockRows * 2));
    let rows = 0;
    const flush = (all: boolean) => {
      const n = builders[0]!.length;
      const whole = all ? n : n - (n % blockRows);
      for (let from = 0; from < whole; from += blockRows) {
        const to = Math.min(whole, from + blockRows);
        w.writeBlock(builders.map((b) => b.build(undefined, from, to)));
      }
      if (whole === 0) return;
      const left: Vector[] = builders.map((b) => b.build(undefined, whole, n));
      builders = table.columns.map((c) => new ColumnBuilder(physicalKind(c.type), blockRows * 2));
      if (whole < n) left.forEach((v, i) => builders[i]!.append(v));
    };
    const all = table.columns.map((_, i) => i);
    // a segment written before an ADD or DROP COLUMN holds other columns than the table: read it through the table's
    for (const batch of scanSegments(table, [wholeSegment(tableView(reader, table, s), deleted)], all, null, newScanCounters())) {
      for (let c = 0; c < batch.columns.length; c++) builders[c]!.append(batch.columns[c]!);
      rows += batch.length;
      if (builders[0]!.length >= blockRows) flush(false);
      report(rows, w.bytes);
      await pacer.pace(w.bytes);
    }
    flush(true);
    const { bytes } = w.finish();
    writer = null;
    if (rows !== s.rows - deleted.length) throw new StorageError('CORRUPT', `segment ${s.file} of table "${table.name}" gave ${rows} visible rows, its catalog entry says ${s.rows - deleted.length}`);
    return { old: s, staged: file, rows, bytes, deletedBefore: deleted };
  } finally {
    writer?.abort();
    reader.close();
  }
}

/** Under the writer lock: check the compacted segments are still the table's, carry later deletes over, move the files in. */
function commit(store: Store, fresh: Catalog, table: TableMeta, built: readonly Compacted[]) {
  const cur = fresh.tables[table.name];
  if (!cur || cur.id !== table.id) {
    throw new StorageError('CONFLICT', `table "${table.name}" was dropped or replaced while VACUUM rewrote it; nothing was vacuumed`);
  }
  const now = new Map(cur.segments.map((s) => [s.file, s]));
  // the compacted files hold the columns the table had when the build read it; an ADD or DROP COLUMN since then did not
  // rewrite segments (nor conflict), so the new entries say which columns their files hold, as older segments' do
  const builtIds = columnIds(table);
  const fileColumns = builtIds.join() === columnIds(cur).join() ? {} : { columns: builtIds };
  for (const c of built) {
    if (!now.has(c.old.file)) {
      throw new StorageError(
        'CONFLICT',
        `table "${table.name}" was rewritten, truncated or emptied of a segment's rows while VACUUM DELETE compacted it; it keeps that change and was not vacuumed (run VACUUM again)`,
      );
    }
  }
  const folder = tableDir(store.dir, cur.id);
  fs.mkdirSync(folder, { recursive: true });
  let sequence = cur.nextSegment;
  const replaced = new Map<string, SegmentMeta | null>();
  const obsolete: string[] = [];
  const written: string[] = [];
  try {
    for (const c of built) {
      const live = now.get(c.old.file)!;
      const file = `${String(sequence++).padStart(6, '0')}.seg`;
      fs.renameSync(c.staged, path.join(folder, file));
      written.push(file);
      obsolete.push(c.old.file, ...(live.deletes ? [live.deletes.file] : []));
      let entry: SegmentMeta = { file, slice: c.old.slice, rows: c.rows, bytes: c.bytes, ...fileColumns };
      const later = laterDeletes(store, cur, live, c);
      if (later.length === c.rows) {
        // every row left was deleted meanwhile: the segment leaves the table, as a DELETE would remove it
        replaced.set(c.old.file, null);
        continue;
      }
      if (later.length > 0) {
        const del = deleteFileName(file, sequence++);
        writeDeleteVector(path.join(folder, del), later);
        written.push(del);
        entry = { ...entry, deletes: { file: del, rows: later.length } };
      }
      replaced.set(c.old.file, entry);
    }
  } catch (e) {
    for (const f of written) fs.rmSync(path.join(folder, f), { force: true });
    throw e;
  }
  const segments = cur.segments.flatMap((s) => {
    const r = replaced.get(s.file);
    return r === undefined ? [s] : r === null ? [] : [r];
  });
  const next: TableMeta = {
    ...cur,
    version: cur.version + 1,
    segments,
    rows: segments.reduce((n, s) => n + s.rows, 0),
    nextSegment: sequence,
    modifiedAt: Date.now(),
  };
  return {
    catalog: { ...fresh, tables: { ...fresh.tables, [cur.name]: next } },
    obsolete: obsolete.map((f) => store.segmentPath(cur, f)),
    result: next,
  };
}

/**
 * Rows of the compacted segment that a DELETE marked after the build read
 * it: positions in `live`'s vector not in the one compacted away, shifted
 * down by the deleted rows before each (the compacted segment holds the
 * visible rows in order).
 */
function laterDeletes(store: Store, cur: TableMeta, live: SegmentMeta, c: Compacted): Uint32Array {
  if (!live.deletes || live.deletes.rows === c.deletedBefore.length) return new Uint32Array(0);
  const all = readDeleteVector(path.join(tableDir(store.dir, cur.id), live.deletes.file), live.deletes.rows, live.rows);
  const before = c.deletedBefore;
  const out = new Uint32Array(all.length - before.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < all.length; i++) {
    const row = all[i]!;
    while (j < before.length && before[j]! < row) j++;
    if (j < before.length && before[j] === row) continue;
    // j rows deleted before this one were dropped by the compaction
    out[n++] = row - lowerBound(before, row);
  }
  return out.subarray(0, n);
}
