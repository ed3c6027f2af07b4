/**
 * How much a table would gain from maintenance, read from the catalog and the
 * segments' footers only (no block is read): the unsorted rows a VACUUM SORT
 * would merge, the zone-map overlap it would remove (vacuum_sort_benefit), the
 * deleted rows a VACUUM DELETE would reclaim, and how stale ANALYZE's
 * statistics are (stats_off). svv_table_info shows these; VACUUM's thresholds
 * and the daemon's maintenance decide on them.
 *
 * The sorted region of a slice is its first segment: a table written in one
 * go (a load into an empty table, a rewrite, a VACUUM SORT) has one sorted
 * segment per slice, and every later append adds a segment of its own, sorted
 * within itself but not merged into that order (Redshift's unsorted region).
 */
import type { SegmentMeta, TableMeta } from '../catalog/catalog.js';
import { isInterleaved, visibleRows } from '../catalog/catalog.js';
import type { SegmentFooter } from './segment.js';
import type { Store } from './store.js';

/** A segment's footer (zone maps), as the store's segment cache gives it. */
export type FooterOf = (table: TableMeta, segment: SegmentMeta) => SegmentFooter;

/** Rows outside each slice's sorted region (its first segment); 0 for a table without a sort key. */
export function unsortedRows(table: Pick<TableMeta, 'sortKey' | 'segments'>): number {
  if (table.sortKey.length === 0) return 0;
  const seen = new Set<number>();
  let unsorted = 0;
  for (const s of table.segments) {
    if (seen.has(s.slice)) unsorted += s.rows;
    else seen.add(s.slice);
  }
  return unsorted;
}

/** Percent of rows outside the sorted region, or null without a sort key (Redshift's svv_table_info.unsorted). */
export function unsortedPercent(table: TableMeta): number | null {
  if (table.sortKey.length === 0) return null;
  if (table.rows === 0) return 0;
  return (100 * unsortedRows(table)) / table.rows;
}

/** Percent of the table's rows that are marked deleted (what VACUUM DELETE reclaims). */
export function deletedPercent(table: Pick<TableMeta, 'rows' | 'segments'>): number {
  return table.rows === 0 ? 0 : (100 * (table.rows - visibleRows(table))) / table.rows;
}

/** Encoded bytes of the table's segment files that hold deleted rows, the ones VACUUM DELETE rewrites. */
export function bytesWithDeletes(table: Pick<TableMeta, 'segments'>): number {
  let n = 0;
  for (const s of table.segments) if (s.deletes) n += s.bytes;
  return n;
}

/** Encoded bytes VACUUM DELETE frees: each segment's share of deleted rows (blocks are encoded, so a share is the estimate). */
export function reclaimableBytes(table: Pick<TableMeta, 'segments'>): number {
  let n = 0;
  for (const s of table.segments) if (s.deletes) n += (s.bytes * s.deletes.rows) / s.rows;
  return Math.round(n);
}

/**
 * How stale the statistics are, 0 (current) to 100 (Redshift's stats_off):
 * the rows inserted or deleted since the last ANALYZE, as a percent of the
 * rows it saw, capped at 100. A table never analyzed is 100 once it holds
 * rows (0 while empty: there is nothing to estimate).
 */
export function statsOff(table: TableMeta): number {
  const changed = table.changedRows ?? 0;
  if (!table.stats) return visibleRows(table) === 0 ? 0 : 100;
  const since = changed - table.stats.changedRows;
  if (since <= 0) return 0;
  return Math.min(100, (100 * since) / Math.max(table.stats.rows, 1));
}

/**
 * Estimated percent of blocks a scan restricted on the first sort-key column
 * would stop reading after a VACUUM SORT (Redshift's vacuum_sort_benefit);
 * null without a compound sort key.
 *
 * A lookup of a value inside a block's zone map reads every block whose zone
 * map overlaps it; averaged over blocks, that is the blocks a point or short
 * range predicate reads. Each slice's sorted region shows what that average
 * is in sort order (blocks overlap only at shared boundary values); the
 * benefit is the share of the current average above it. A table without
 * unsorted rows has none.
 */
export function vacuumSortBenefit(table: TableMeta, footerOf: FooterOf): number | null {
  if (table.sortKey.length === 0 || isInterleaved(table)) return null;
  if (unsortedRows(table) === 0) return 0;
  const bySlice = new Map<number, SegmentMeta[]>();
  for (const s of table.segments) bySlice.set(s.slice, [...(bySlice.get(s.slice) ?? []), s]);
  const key = table.sortKey[0]!;
  let now = 0;
  let sorted = 0;
  for (const segments of bySlice.values()) {
    const ranges = segments.map((s) => zoneRanges(footerOf(table, s), key));
    const all = ranges.flat();
    if (all.length === 0) continue;
    const current = meanOverlap(all);
    now += current * all.length;
    // one segment alone is sorted already: nothing to gain on this slice
    sorted += (segments.length === 1 ? current : Math.min(current, Math.max(1, meanOverlap(ranges[0]!)))) * all.length;
  }
  if (now === 0) return 0;
  return Math.max(0, 100 * (1 - sorted / now));
}

type Range = readonly [number | string, number | string];

function zoneRanges(footer: SegmentFooter, column: string): Range[] {
  const blocks = footer.columns.find((c) => c.name === column)?.blocks ?? [];
  const out: Range[] = [];
  // a block of NULLs only (or with NaN) has no bounds; scans read it whatever the predicate, sorted or not
  for (const b of blocks) if (b.min !== null && b.max !== null) out.push([b.min, b.max]);
  return out;
}

/** The mean, over blocks, of how many blocks' ranges overlap each one's (itself included); 0 for none. */
function meanOverlap(ranges: readonly Range[]): number {
  if (ranges.length === 0) return 0;
  const mins = ranges.map((r) => r[0]).sort(compare);
  const maxes = ranges.map((r) => r[1]).sort(compare);
  let total = 0;
  for (const [lo, hi] of ranges) {
    // blocks starting at or before hi, less those ending before lo
    total += upperBound(mins, hi) - lowerBound(maxes, lo);
  }
  return total / ranges.length;
}

function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Entries of ascending `xs` at or below `v`. */
function upperBound(xs: readonly (number | string)[], v: number | string): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Entries of ascending `xs` below `v`. */
function lowerBound(xs: readonly (number | string)[], v: number | string): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Footers through a store's segment cache (each checked against its catalog entry the first time it is opened); the store is asked for when needed. */
export function storeFooters(storeOf: () => Pick<Store, 'segments' | 'segmentPath' | 'catalog'>): FooterOf {
  return (table, segment) => {
    const store = storeOf();
    return store.segments.read(store.segmentPath(table, segment.file), { table, segment, slices: store.catalog().slices }).footer;
  };
}
