/**
 * Reading a table version: the segments of one slice, block by block, only the
 * columns asked for, skipping blocks whose zone maps rule out the predicate.
 */
import * as path from 'node:path';
import type { Batch, Vector } from '../types.js';
import { physicalKind } from '../types.js';
import type { TableMeta } from '../catalog/catalog.js';
import { SegmentReader, type BlockMeta } from './segment.js';
import { tableDir } from './datadir.js';
import { checkSegment, type SegmentClaim } from './integrity.js';

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
  /** Catalog entries already checked against their file's footer, with the table they were checked under. */
  private readonly checked = new WeakMap<object, TableMeta>();

  /**
   * The reader of `file`. With `claim` (what a catalog says of the file), its
   * footer is checked against the claim (integrity.ts) the first time this
   * catalog entry is read: a catalog that contradicts its segments is CORRUPT.
   */
  get(file: string, claim?: SegmentClaim): SegmentReader {
    let r = this.open.get(file);
    if (!r) {
      r = SegmentReader.open(file);
      this.open.set(file, r);
    }
    if (claim && this.checked.get(claim.segment) !== claim.table) {
      checkSegment(r, claim);
      this.checked.set(claim.segment, claim.table);
    }
    return r;
  }

  /** Open readers. */
  get size(): number {
    return this.open.size;
  }

  /** Closes readers of files no longer in use (after a table rewrite or drop). */
  forget(files: Iterable<string>): void {
    for (const f of files) {
      const r = this.open.get(f);
      if (r) {
        r.close();
        this.open.delete(f);
      }
    }
  }

  closeAll(): void {
    for (const r of this.open.values()) r.close();
    this.open.clear();
  }
}

/**
 * The segment readers holding a slice's rows (for ALL tables: the one copy),
 * each checked against its catalog entry; `slices` is the catalog's slice count.
 */
export function sliceSegments(dir: string, table: TableMeta, slice: number, cache: SegmentCache, slices: number): SegmentReader[] {
  const folder = tableDir(dir, table.id);
  return table.segments
    .filter((s) => s.slice === slice || s.slice === -1)
    .map((segment) => cache.get(path.join(folder, segment.file), { table, segment, slices }));
}

/**
 * Yields one batch per block group of the given segments, with the columns
 * `columns` (indexes into the table's columns), counting what it reads and skips.
 * Blocks are counted per column, the unit that is read from disk: a group of
 * 16,384 rows read for 3 columns is 3 blocks.
 */
export function* scanSegments(
  table: TableMeta,
  segments: readonly SegmentReader[],
  columns: readonly number[],
  filter: BlockFilter | null,
  counters: ScanCounters,
): Generator<Batch> {
  const kinds = columns.map((c) => physicalKind(table.columns[c]!.type));
  for (const seg of segments) {
    const footerCols = seg.footer.columns;
    const nBlocks = footerCols[0]?.blocks.length ?? 0;
    for (let b = 0; b < nBlocks; b++) {
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
      const vectors: Vector[] = new Array(columns.length);
      for (let i = 0; i < columns.length; i++) {
        const meta = footerCols[columns[i]!]!.blocks[b]!;
        counters.bytesScanned += meta.length;
        vectors[i] = seg.readBlock(columns[i]!, b, kinds[i]!);
      }
      counters.rowsScanned += rows;
      yield { length: rows, columns: vectors };
    }
  }
}
