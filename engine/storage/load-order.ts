/**
 * Reading a table's rows for a rewrite in (about) the order they were loaded.
 *
 * A slice's segments are in append order, and so are the rows inside them, but
 * reading the slices one after another hands a rewrite every slice's oldest
 * rows, then its newest, then the next slice's oldest again. An unsorted table
 * rewritten from that stream (a new distribution) gets blocks that each span a
 * whole slice's range of a load-ordered column: a table loaded day by day loses
 * the date clustering its zone maps had, and date-range scans read several
 * times the blocks. Interleaving the slices by how far through each one the
 * read is (the fraction of its rows already read) hands the rewrite rows loaded
 * at about the same time together, whatever the old distribution was, so
 * every new slice keeps the load order and its blocks stay as narrow as before.
 *
 * The interleave is finer than a block: a block read whole from one slice
 * spans a block's worth of load time, and the new blocks (cut where each new
 * slice's row count says, not where the old ones were) would straddle two such
 * spans. Chunks of a fraction of a block keep the stream close to load order.
 */
import type { Batch } from '../types.js';
import { sliceVector } from './vectors.js';

/** Rows per interleaved chunk for a table of `blockRows`-row blocks over `slices` slices: a block's worth of rows across all slices per step. */
export function chunkRowsFor(blockRows: number, slices: number): number {
  return Math.max(16, Math.floor(blockRows / Math.max(1, 4 * slices)));
}

export interface OrderedSegment {
  /** Slice that owns the rows; -1 for an ALL table's single copy. */
  readonly slice: number;
  readonly rows: number;
}

/**
 * The batches of `segments` (in the catalog's order: append order within a
 * slice) with the slices interleaved by their read fraction: the next batch
 * always comes from the slice that is least far through its rows.
 */
export function* inLoadOrder<S extends OrderedSegment>(segments: readonly S[], read: (segment: S) => Iterable<Batch>, chunkRows = Infinity): Generator<Batch> {
  const bySlice = new Map<number, S[]>();
  for (const s of segments) {
    let list = bySlice.get(s.slice);
    if (!list) bySlice.set(s.slice, (list = []));
    list.push(s);
  }
  const streams = [...bySlice.keys()]
    .sort((a, b) => a - b)
    .map((slice) => {
      const list = bySlice.get(slice)!;
      return { total: Math.max(1, list.reduce((n, s) => n + s.rows, 0)), done: 0, batches: chunksOf(list, read, chunkRows) };
    });
  let live = streams;
  while (live.length > 0) {
    let next = live[0]!;
    for (const s of live) if (s.done / s.total < next.done / next.total) next = s;
    const r = next.batches.next();
    if (r.done) {
      live = live.filter((s) => s !== next);
      continue;
    }
    next.done += r.value.length;
    yield r.value;
  }
}

function* chunksOf<S>(segments: readonly S[], read: (segment: S) => Iterable<Batch>, chunkRows: number): Generator<Batch> {
  for (const s of segments) {
    for (const b of read(s)) {
      if (b.length <= chunkRows) {
        yield b;
        continue;
      }
      for (let from = 0; from < b.length; from += chunkRows) {
        const to = Math.min(b.length, from + chunkRows);
        yield { ...b, length: to - from, columns: b.columns.map((v) => sliceVector(v, from, to)) };
      }
    }
  }
}
