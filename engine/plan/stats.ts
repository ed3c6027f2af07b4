/**
 * Column statistics for planning, read from what storage already keeps: every
 * block's zone map (min, max, NULL count) in the segment footers. There are no
 * histograms or distinct counts; a numeric column's [min, max] gives
 *  - range selectivities (`d < '1995-01-01'` keeps the part of [min, max] below it),
 *  - an upper bound on its distinct values for integral types (max - min + 1),
 *    which is what tells a key/foreign-key join (o_custkey = c_custkey) from a
 *    many-to-many one (c_nationkey = s_nationkey, 25 values).
 * Footers are in memory once a segment is open, so this costs a pass over the
 * block entries of the columns a query compares, per planning.
 */
import * as path from 'node:path';
import type { TableMeta } from '../catalog/catalog.js';
import type { SegmentCache } from '../storage/scan.js';
import { tableDir } from '../storage/datadir.js';

export interface ColumnRange {
  readonly min: number;
  readonly max: number;
  /** Whether every value is an integer (in the column's physical units), so max - min + 1 bounds the distinct values. */
  readonly integral: boolean;
}

/** Where the planner finds column ranges: a data directory's open segments. */
export interface StatsSource {
  readonly dir: string;
  readonly segments: SegmentCache;
}

const INTEGRAL = new Set(['smallint', 'integer', 'bigint', 'date', 'decimal', 'timestamp']);

/** The [min, max] of a numeric column over all its blocks; null for strings, empty tables or unreadable files. */
export function columnRange(source: StatsSource, table: TableMeta, column: number): ColumnRange | null {
  const type = table.columns[column]?.type;
  if (!type || type.id === 'char' || type.id === 'varchar' || type.id === 'boolean') return null;
  let min = Infinity;
  let max = -Infinity;
  const folder = tableDir(source.dir, table.id);
  try {
    for (const s of table.segments) {
      const footer = source.segments.get(path.join(folder, s.file)).footer;
      const blocks = footer.columns[column]?.blocks;
      if (!blocks) return null;
      for (const b of blocks) {
        if (b.nullCount === b.rows) continue;
        // a block holding NaN has no bounds: the column's range is unknown
        if (typeof b.min !== 'number' || typeof b.max !== 'number') return null;
        if (b.min < min) min = b.min;
        if (b.max > max) max = b.max;
      }
    }
  } catch {
    return null;
  }
  if (!(min <= max)) return null;
  return { min, max, integral: INTEGRAL.has(type.id) };
}
