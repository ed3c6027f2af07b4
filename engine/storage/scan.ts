/**
 * Reading a table version: the segments of one slice, block by block, only the
 * columns asked for, skipping blocks whose zone maps rule out the predicate.
 */
import * as path from 'node:path';
import type { Batch, Vector } from '../types.js';
import { physicalKind } from '../types.js';
import type { SegmentMeta, TableMeta } from '../catalog/catalog.js';
import { SegmentReader, type BlockMeta } from './segment.js';
import { tableView, type BlockReader } from './segment-columns.js';
import { tableDir } from './datadir.js';
import { checkSegment, type SegmentClaim } from './integrity.js';
import { dropDeleted, lowerBound, readDeleteVector } from './deletes.js';

/**
 * A segment to scan: its reader (by the table's columns), the rows deleted from
 * it (ascending positions), or null when none is, and the run of its block
 * groups to read: [from, to), the first starting at row position `start`. A
 * whole segment unless the scan reads a share of a replicated copy (shareOf).
 */
export interface SegmentSource {
  readonly reader: BlockReader;
  readonly deleted: Uint32Array | null;
  readonly from: number;
  readonly to: number;
  readonly start: number;
}

/**
 * Share `index` of `of` of the block groups of `sources` (a replicated table's
 * copy), in order: the groups of all the segments cut into `of` runs of as
 * equal counts as whole groups allow, so that the shares together read every
 * group once, and in the order one scan of the copy would.
 */
export function shareOf(sources: readonly SegmentSource[], index: number, of: number): SegmentSource[] {
  let total = 0;
  for (const s of sources) total += s.to - s.from;
  const lo = Math.floor((total * index) / of);
  const hi = Math.floor((total * (index + 1)) / of);
  const out: SegmentSource[] = [];
  let seen = 0;
  for (const s of sources) {
    const n = s.to - s.from;
    const from = Math.max(lo - seen, 0);
    const to = Math.min(hi - seen, n);
    seen += n;
    if (from >= to) continue;
    const blocks = s.reader.footer.columns[0]!.blocks;
    let start = s.start;
    for (let b = s.from; b < s.from + from; b++) start += blocks[b]!.rows;
    out.push({ reader: s.reader, deleted: s.deleted, from: s.from + from, to: s.from + to, start });
  }
  return out;
}

/**
 * Decides from zone maps whether a block group may hold matching rows. It gets
 * the block metadata of each scanned column (same order as the scan's columns).
 */
export type BlockFilter = (blocks: readonly BlockMeta[]) => boolean;

export interface ScanCounters {
  blocksTotal: number;
  blocksScanned: number;
  blocksSkipped: number;
  rowsScanned: number;
  bytesScanned: number;
}

export function newScanCounters(): ScanCounters {
  return { blocksTotal: 0, blocksScanned: 0, blocksSkipped: 0, rowsScanned: 0, bytesScanned: 0 };
}

/** Open segment readers, shared by the queries of one process (segment files never change). */
export class SegmentCache {
  private readonly open = new Map<string, SegmentReader>();
  private readonly vectors = new Map<string, Uint32Array>();
  /** Catalog entries already checked against their file's footer, with the table they were checked under. */
  private readonly checked = new WeakMap<object, TableMeta>();

  /** The reader of `file`, as the file is (its own columns, see segment-columns.ts). */
  get(file: string): SegmentReader {
    let r = this.open.get(file);
    if (!r) {
      r = SegmentReader.open(file);
      this.open.set(file, r);
    }
    return r;
  }

  /**
   * The reader of a table's segment `file`, by the table's columns. Its
   * footer is checked against `claim` (what the catalog says of the file,
   * integrity.ts) the first time this catalog entry is read: a catalog that
   * contradicts its segments is CORRUPT.
   */
  read(file: string, claim: SegmentClaim): BlockReader {
    const r = this.get(file);
    if (this.checked.get(claim.segment) !== claim.table) {
      checkSegment(r, claim);
      this.checked.set(claim.segment, claim.table);
    }
    return tableView(r, claim.table, claim.segment);
  }

  /** A segment's delete vector (storage/deletes.ts), checked against the catalog's entry when first read; vector files never change. */
  deletes(folder: string, segment: SegmentMeta): Uint32Array | null {
    if (!segment.deletes) return null;
    const file = path.join(folder, segment.deletes.file);
    let rows = this.vectors.get(file);
    if (!rows) {
      rows = readDeleteVector(file, segment.deletes.rows, segment.rows);
      this.vectors.set(file, rows);
    }
    return rows;
  }

  /**
   * Serves `rows` as the delete vector at path `file`, which no file on disk
   * has, until forget(file): a materialized view's refresh reads just the
   * rows deleted since it last ran by giving their segment the complement
   * as its vector (matview/changes.ts).
   */
  lendVector(file: string, rows: Uint32Array): void {
    this.vectors.set(file, rows);
  }

  /** Open readers. */
  get size(): number {
    return this.open.size;
  }

  /** Closes readers of files no longer in use (after a table rewrite or drop). */
  forget(files: Iterable<string>): void {
    for (const f of files) {
      this.vectors.delete(f);
      const r = this.open.get(f);
      if (r) {
        r.close();
        this.open.delete(f);
      }
    }
  }

  /** Closes readers and drops vectors of the files `drop` picks (files a change wrote and did not commit). */
  forgetWhere(drop: (file: string) => boolean): void {
    this.forget([...this.open.keys(), ...this.vectors.keys()].filter(drop));
  }

  closeAll(): void {
    for (const r of this.open.values()) r.close();
    this.open.clear();
    this.vectors.clear();
  }
}

/**
 * The segment readers holding a slice's rows (for ALL tables: the one copy),
 * each checked against its catalog entry; `slices` is the catalog's slice count.
 */
export function sliceSegments(dir: string, table: TableMeta, slice: number, cache: SegmentCache, slices: number): SegmentSource[] {
  const folder = tableDir(dir, table.id);
  return table.segments.filter((s) => s.slice === slice || s.slice === -1).map((segment) => segmentSource(folder, table, segment, cache, slices));
}

/** One segment of a table, opened and checked against its catalog entry, with its deleted rows. */
export function segmentSource(folder: string, table: TableMeta, segment: SegmentMeta, cache: SegmentCache, slices: number): SegmentSource {
  return wholeSegment(cache.read(path.join(folder, segment.file), { table, segment, slices }), cache.deletes(folder, segment));
}

/** All the block groups of a segment, to scan. */
export function wholeSegment(reader: BlockReader, deleted: Uint32Array | null): SegmentSource {
  return { reader, deleted, from: 0, to: reader.footer.columns[0]?.blocks.length ?? 0, start: 0 };
}

/**
 * How many of a block's positions survive its segment's deletes, written to
 * `sel` in order; -1 when none of the block's rows is deleted (the caller keeps
 * the block whole, at no cost per row).
 */
export function survivors(deleted: Uint32Array | null, start: number, rows: number, sel: Uint32Array): number {
  if (deleted === null) return -1;
  const lo = lowerBound(deleted, start);
  if (lo === deleted.length || deleted[lo]! >= start + rows) return -1;
  for (let i = 0; i < rows; i++) sel[i] = i;
  return dropDeleted(sel, rows, deleted, lo, lowerBound(deleted, start + rows), start);
}

/**
 * Yields one batch per block group of the given segments, with the columns
 * `columns` (indexes into the table's columns), counting what it reads and skips.
 * Blocks are counted per column, the unit that is read from disk: a group of
 * 16,384 rows read for 3 columns is 3 blocks.
 */
export function* scanSegments(
  table: TableMeta,
  segments: readonly SegmentSource[],
  columns: readonly number[],
  filter: BlockFilter | null,
  counters: ScanCounters,
): Generator<Batch> {
  const kinds = columns.map((c) => physicalKind(table.columns[c]!.type));
  let sel = new Uint32Array(0);
  for (const { reader: seg, deleted, from, to, start: first } of segments) {
    const footerCols = seg.footer.columns;
    for (let b = from, start = first; b < to; start += footerCols[0]!.blocks[b]!.rows, b++) {
      counters.blocksTotal += columns.length;
      if (filter) {
        const metas = columns.map((c) => footerCols[c]!.blocks[b]!);
        if (!filter(metas)) {
          counters.blocksSkipped += columns.length;
          continue;
        }
      }
      counters.blocksScanned += columns.length;
      const rows = footerCols[0]!.blocks[b]!.rows;
      counters.rowsScanned += rows;
      if (sel.length < rows) sel = new Uint32Array(rows);
      // a block none of whose rows is deleted is read whole; one with deletes, only its surviving rows
      const k = survivors(deleted, start, rows, sel);
      if (k === 0) continue;
      const vectors: Vector[] = new Array(columns.length);
      for (let i = 0; i < columns.length; i++) {
        const meta = footerCols[columns[i]!]!.blocks[b]!;
        counters.bytesScanned += meta.length;
        vectors[i] = k === -1 ? seg.readBlock(columns[i]!, b, kinds[i]!) : seg.readBlockSelected(columns[i]!, b, kinds[i]!, sel, k);
      }
      yield { length: k === -1 ? rows : k, columns: vectors };
    }
  }
}
