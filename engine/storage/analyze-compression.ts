/**
 * ANALYZE COMPRESSION, as Redshift reports it: per column, the encoding that
 * would store a sample of the table's blocks in the fewest bytes, and the
 * estimated reduction against how those blocks are stored now. Every codec
 * answers "how big would this block be?" (codecs/codec.ts encodedSize), so no
 * block is encoded; the sample is the first block groups of each segment, in
 * catalog order, up to `compRows` rows (Redshift's COMPROWS, default 100,000).
 * Read-only: nothing is committed and no lock is taken.
 */
import type { TableMeta } from '../catalog/catalog.js';
import { physicalKind } from '../types.js';
import { ALL_CODECS, redshiftNameFor, type EncodingId } from './codecs/index.js';
import { checkSegment } from './integrity.js';
import { SegmentReader } from './segment.js';
import { tableView } from './segment-columns.js';
import type { Store } from './store.js';

export const DEFAULT_COMPROWS = 100_000;

export interface CompressionRow {
  readonly table: string;
  readonly column: string;
  /** Redshift's name of the best encoding. */
  readonly encoding: string;
  /** Percent fewer bytes than the sampled blocks take now (negative when they are stored smaller already). */
  readonly reduction: number;
}

export function analyzeCompression(store: Store, table: TableMeta, columns: readonly string[] | null, compRows = DEFAULT_COMPROWS): CompressionRow[] {
  const slices = store.catalog().slices;
  const idx = (columns ?? table.columns.map((c) => c.name)).map((name) => table.columns.findIndex((c) => c.name === name));
  const kinds = idx.map((i) => physicalKind(table.columns[i]!.type));
  const stored = new Array<number>(idx.length).fill(0);
  const sizes = kinds.map((kind) => new Map<EncodingId, number>(ALL_CODECS.filter((c) => c.supports(kind)).map((c) => [c.id, 0])));
  let rows = 0;
  for (const s of table.segments) {
    if (rows >= compRows) break;
    const reader = SegmentReader.open(store.segmentPath(table, s.file));
    try {
      checkSegment(reader, { table, segment: s, slices });
      // through the table's columns: a segment written before an ADD or DROP COLUMN holds others
      const view = tableView(reader, table, s);
      const blocks = view.footer.columns[0]?.blocks.length ?? 0;
      for (let b = 0; b < blocks && rows < compRows; b++) {
        idx.forEach((col, k) => {
          const meta = view.footer.columns[col]!.blocks[b]!;
          const v = view.readBlock(col, b, kinds[k]!);
          stored[k]! += meta.length;
          for (const codec of ALL_CODECS) {
            const acc = sizes[k]!;
            if (!acc.has(codec.id)) continue;
            const size = codec.encodedSize(v);
            // a codec that cannot take one block of the column cannot be the column's encoding
            if (!Number.isFinite(size)) acc.delete(codec.id);
            else acc.set(codec.id, acc.get(codec.id)! + size + meta.nullBytes);
          }
        });
        rows += view.footer.columns[0]!.blocks[b]!.rows;
      }
    } finally {
      reader.close();
    }
  }
  return idx.map((col, k) => {
    // raw can always take a block: there is a best one
    const [best, size] = [...sizes[k]!].reduce((a, b) => (b[1] < a[1] ? b : a));
    const reduction = stored[k] === 0 ? 0 : Math.round((10_000 * (stored[k]! - size)) / stored[k]!) / 100;
    return { table: table.name, column: table.columns[col]!.name, encoding: redshiftNameFor(best), reduction };
  });
}
