/**
 * What changed in a materialized view's base tables since its last refresh,
 * as tables a refresh can run the view's query over.
 *
 * Segment files never change, a segment's delete vector only grows (DELETE
 * unions rows into a new vector file), and new rows go to segments numbered
 * from the table's nextSegment on. So against the segments a view's refresh
 * recorded (BaseTableState.segments, whose files stay on disk while the view
 * names them), a table now is:
 *
 *  - added: its segments the record does not name, with their deletes now
 *    (INSERT, COPY, the new rows of an UPDATE);
 *  - removed: per recorded segment, the rows deleted since: deleted now (or
 *    the whole segment, gone from the table) and not deleted then (DELETE,
 *    the old rows of an UPDATE, TRUNCATE, and a rewrite, which removes every
 *    segment and adds its rows again);
 *  - old: the recorded segments with their recorded vectors.
 *
 * The table now is old - removed + added, whatever happened in between. The
 * removed rows are read from their segment with a vector that hides every
 * other row, lent to the segment cache for the refresh (scan.ts lendVector).
 *
 * A view refreshed before segments were recorded knows only appends: same
 * version, a higher nextSegment.
 */
import * as path from 'node:path';
import type { BaseTableState, Catalog, MaterializedViewMeta, SegmentMeta, TableMeta } from '../catalog/catalog.js';
import { tableDir } from '../storage/datadir.js';
import { segmentNumber } from '../storage/deletes.js';
import type { SegmentCache } from '../storage/scan.js';

export interface TableDelta {
  readonly name: string;
  /** The rows appended since the refresh (their segments, with their deletes now). */
  readonly added: TableMeta;
  /** The rows deleted since, or null when none was. */
  readonly removed: TableMeta | null;
  /** The table as the view's rows reflect it. */
  readonly old: TableMeta;
  readonly addedRows: number;
  readonly removedRows: number;
}

export interface BaseChanges {
  /** One per base table, in the view's order of base tables. */
  readonly tables: readonly TableDelta[];
  /** Gives back the vectors lent to the cache; call once the refresh has read the rows. */
  release(): void;
}

let lent = 0;

/** The changes to each of the view's base tables since its last refresh, or null when a table was dropped and made again, had columns added or dropped, or (for a view refreshed before segments were recorded) changed other than by appends. */
export function baseChanges(mv: MaterializedViewMeta, catalog: Catalog, dir: string, cache: SegmentCache): BaseChanges | null {
  const borrowed: string[] = [];
  const release = () => cache.forget(borrowed);
  const tables: TableDelta[] = [];
  try {
    for (const b of mv.base) {
      const t = catalog.tables[b.name];
      if (!t || t.id !== b.id) return fail(release);
      const d = b.segments ? sinceSegments(t, b, b.segments, dir, cache, borrowed) : sinceAppends(t, b);
      if (!d) return fail(release);
      tables.push(d);
    }
  } catch (e) {
    release();
    throw e;
  }
  return { tables, release };
}

function fail(release: () => void): null {
  release();
  return null;
}

function withSegments(t: TableMeta, segments: readonly SegmentMeta[]): TableMeta {
  return { ...t, segments, rows: segments.reduce((n, s) => n + s.rows, 0) };
}

function visible(segments: readonly SegmentMeta[]): number {
  return segments.reduce((n, s) => n + s.rows - (s.deletes?.rows ?? 0), 0);
}

function sinceAppends(t: TableMeta, b: BaseTableState): TableDelta | null {
  if (t.version !== b.version || t.nextSegment < b.nextSegment) return null;
  const added = t.segments.filter((s) => segmentNumber(s.file) >= b.nextSegment);
  const old = t.segments.filter((s) => segmentNumber(s.file) < b.nextSegment);
  return { name: b.name, added: withSegments(t, added), removed: null, old: withSegments(t, old), addedRows: visible(added), removedRows: 0 };
}

function sinceSegments(t: TableMeta, b: BaseTableState, recorded: readonly SegmentMeta[], dir: string, cache: SegmentCache, borrowed: string[]): TableDelta | null {
  const folder = tableDir(dir, t.id);
  const now = new Map(t.segments.map((s) => [s.file, s]));
  const removed: SegmentMeta[] = [];
  let removedRows = 0;
  for (const then of recorded) {
    const cur = now.get(then.file);
    // ADD or DROP COLUMN re-maps every segment's columns: the recorded entries would read them wrong
    if (cur && JSON.stringify(cur.columns) !== JSON.stringify(then.columns)) return null;
    const before = cache.deletes(folder, then) ?? EMPTY;
    const gone = cur ? newlyDeleted(before, cache.deletes(folder, cur) ?? EMPTY) : complement(before, then.rows);
    if (gone.length === 0) continue;
    removedRows += gone.length;
    const hide = complement(gone, then.rows);
    if (hide.length === 0) {
      removed.push({ ...then, deletes: undefined });
      continue;
    }
    const file = `mv-refresh-${process.pid}-${++lent}.del`;
    cache.lendVector(path.join(folder, file), hide);
    borrowed.push(path.join(folder, file));
    removed.push({ ...then, deletes: { file, rows: hide.length } });
  }
  const recordedFiles = new Set(recorded.map((s) => s.file));
  const added = t.segments.filter((s) => !recordedFiles.has(s.file));
  // a segment the record does not name is newer than it; anything else is a catalog this code does not understand
  if (added.some((s) => segmentNumber(s.file) < b.nextSegment)) return null;
  return {
    name: b.name,
    added: withSegments(t, added),
    removed: removed.length ? withSegments(t, removed) : null,
    old: withSegments(t, recorded),
    addedRows: visible(added),
    removedRows,
  };
}

const EMPTY = new Uint32Array(0);

/** Rows in ascending `after` and not in ascending `before` (a vector only grows, so `before` is within `after`). */
function newlyDeleted(before: Uint32Array, after: Uint32Array): Uint32Array {
  const out = new Uint32Array(after.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < after.length; i++) {
    const r = after[i]!;
    while (j < before.length && before[j]! < r) j++;
    if (j < before.length && before[j] === r) continue;
    out[n++] = r;
  }
  return out.subarray(0, n);
}

/** The rows of [0, rows) not in ascending `set`. */
function complement(set: Uint32Array, rows: number): Uint32Array {
  const out = new Uint32Array(rows - set.length);
  let n = 0;
  let j = 0;
  for (let r = 0; r < rows; r++) {
    if (j < set.length && set[j] === r) {
      j++;
      continue;
    }
    out[n++] = r;
  }
  return out;
}
