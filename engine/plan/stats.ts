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
import { columnIds, type SegmentMeta, type TableMeta } from '../catalog/catalog.js';
import { fileColumnIds, tableView } from '../storage/segment-columns.js';
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

/**
 * Distinct values of a string column, when few: the union of the distinct
 * strings of a sample of its blocks (up to 8, spread over the segments), read
 * from dictionary or run-length blocks (a block's dictionary is its distinct
 * values). Null when the sample says the column has many values (a block
 * holds more than one distinct string in 8, or is stored raw or compressed),
 * or for other types. Segment files never change, so each block's answer is
 * kept for the life of the process.
 */
export function columnDistinct(source: StatsSource, table: TableMeta, column: number): number | null {
  const type = table.columns[column]?.type;
  if (!type || (type.id !== 'char' && type.id !== 'varchar')) return null;
  const folder = tableDir(source.dir, table.id);
  const blocks: { file: string; segment: SegmentMeta; block: number }[] = [];
  try {
    for (const s of table.segments) {
      const file = path.join(folder, s.file);
      const n = tableView(source.segments.get(file), table, s).footer.columns[column]?.blocks.length ?? 0;
      for (let b = 0; b < n; b++) blocks.push({ file, segment: s, block: b });
    }
    if (blocks.length === 0) return null;
    const step = Math.max(1, Math.floor(blocks.length / 8));
    const all = new Set<string>();
    for (let k = 0; k < blocks.length && k / step < 8; k += step) {
      const { file, segment, block } = blocks[k]!;
      const reader = tableView(source.segments.get(file), table, segment);
      // keyed by the file's own column (-1: one added after the file was written, read as its DEFAULT)
      const key = `${file}\u0000${fileColumnIds(table, segment).indexOf(columnIds(table)[column]!)}\u0000${block}`;
      let values = blockDistinct.get(key);
      if (values === undefined) {
        const meta = reader.footer.columns[column]!.blocks[block]!;
        values = null;
        if (meta.encoding === 'dict' || meta.encoding === 'rle') {
          const v = reader.readBlock(column, block, 'str');
          const distinct = v.kind === 'str' ? [...new Set(v.dict)] : [];
          if (distinct.length * 8 <= Math.max(8, meta.rows)) values = distinct;
        }
        blockDistinct.set(key, values);
      }
      if (values === null) return null;
      for (const x of values) all.add(x);
    }
    return all.size;
  } catch {
    return null;
  }
}

const blockDistinct = new Map<string, string[] | null>();

const INTEGRAL = new Set(['smallint', 'integer', 'bigint', 'date', 'decimal', 'timestamp', 'timestamptz']);

/** The [min, max] of a numeric column over all its blocks; null for strings, empty tables or unreadable files. */
export function columnRange(source: StatsSource, table: TableMeta, column: number): ColumnRange | null {
  const type = table.columns[column]?.type;
  if (!type || type.id === 'char' || type.id === 'varchar' || type.id === 'boolean') return null;
  let min = Infinity;
  let max = -Infinity;
  const folder = tableDir(source.dir, table.id);
  try {
    for (const s of table.segments) {
      const footer = tableView(source.segments.get(path.join(folder, s.file)), table, s).footer;
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
