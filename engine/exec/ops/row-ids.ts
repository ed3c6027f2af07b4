/**
 * Row identity for DELETE and UPDATE. A data change binds its query against
 * a copy of the target table's metadata with one extra column, ROW_ID_COLUMN
 * (withRowIds); a scan of that copy yields, in that column, each row's
 * segment number × 2^32 + position in the segment. The statement then marks
 * exactly those rows deleted (storage/tables.ts deleteRows). Positions fit in
 * 32 bits and segment numbers in 21, so the id is an exact double.
 *
 * Only data changes scan this way, on the calling thread: the path reads
 * every block the zone maps keep whole, evaluates the scan's filter, drops
 * deleted rows and gathers; join key filters are not applied (they only prune).
 */
import * as path from 'node:path';
import type { Batch, PhysicalKind, Vector } from '../../types.js';
import { physicalKind } from '../../types.js';
import type { ColumnMeta, TableMeta } from '../../catalog/catalog.js';
import type { ScanNode } from '../../plan/physical.js';
import type { SegmentSource } from '../../storage/scan.js';
import { segmentNumber, dropDeleted, lowerBound } from '../../storage/deletes.js';
import type { BlockFilter } from '../../storage/scan.js';
import type { CompiledFilter } from '../compile.js';
import { gatherVector } from '../batch.js';
import type { NodeStats } from '../context.js';

/**
 * Unquoted SQL names never start with '$'; a quoted "$row_id" in a DELETE or
 * UPDATE would read it (only their queries bind against the copy with it).
 */
export const ROW_ID_COLUMN = '$row_id';
const SEGMENT_FACTOR = 2 ** 32;

/** The table's metadata with the row id as its last column, for binding a data change's query. */
export function withRowIds(table: TableMeta): TableMeta {
  const id: ColumnMeta = { name: ROW_ID_COLUMN, type: { id: 'double' }, notNull: true, encoding: 'raw', encodingExplicit: false };
  return { ...table, columns: [...table.columns, id] };
}

/** The table as stored: `table` itself, or the table a copy with the row id column was made from (its other scans need not read the id). */
export function withoutRowIds(table: TableMeta): TableMeta {
  if (table.columns[table.columns.length - 1]?.name !== ROW_ID_COLUMN) return table;
  return { ...table, columns: table.columns.slice(0, -1) };
}

/** Index into the scan's output columns of the row id, or -1 for a plain scan. */
export function rowIdOutput(node: ScanNode): number {
  const last = node.table.columns.length - 1;
  if (node.table.columns[last]?.name !== ROW_ID_COLUMN) return -1;
  return node.columns.indexOf(last);
}

/** The segment number of a row id (rows of one segment have consecutive ids, segments ascending by number). */
export function rowIdSegment(id: number): number {
  return Math.floor(id / SEGMENT_FACTOR);
}

/** The position within segment `segment` of a row id of it. */
export function rowIdRow(id: number, segment: number): number {
  return id - segment * SEGMENT_FACTOR;
}

export function* scanWithRowIds(
  node: ScanNode,
  segments: readonly SegmentSource[],
  at: number,
  zone: BlockFilter | null,
  filter: CompiledFilter | null,
  counters: NodeStats,
): Generator<Batch> {
  const columns = node.columns;
  const kinds: PhysicalKind[] = columns.map((c) => physicalKind(node.table.columns[c]!.type));
  let sel = new Uint32Array(0);
  for (const { reader: seg, deleted, from, to, start: first } of segments) {
    const base = segmentNumber(path.basename(seg.file)) * SEGMENT_FACTOR;
    const footerCols = seg.footer.columns;
    for (let b = from, start = first; b < to; start += footerCols[0]!.blocks[b]!.rows, b++) {
      const rows = footerCols[0]!.blocks[b]!.rows;
      counters.blocksTotal += columns.length;
      // the row id has no zone map: hand the filter the first column's in its place
      if (zone && !zone(columns.map((c, j) => footerCols[j === at ? 0 : c]!.blocks[b]!))) {
        counters.blocksSkipped += columns.length;
        continue;
      }
      counters.blocksScanned += columns.length;
      counters.rowsScanned += rows;
      const cols: Vector[] = columns.map((c, j) => {
        if (j !== at) return seg.readBlock(c, b, kinds[j]!);
        const ids = new Float64Array(rows);
        for (let i = 0; i < rows; i++) ids[i] = base + start + i;
        return { kind: 'f64', values: ids, nulls: null, length: rows };
      });
      if (sel.length < rows) sel = new Uint32Array(rows);
      let k: number;
      if (filter) k = filter(cols, rows, sel);
      else {
        for (let i = 0; i < rows; i++) sel[i] = i;
        k = rows;
      }
      if (deleted !== null && k > 0) k = dropDeleted(sel, k, deleted, lowerBound(deleted, start), lowerBound(deleted, start + rows), start);
      if (k === 0) continue;
      yield { length: k, columns: k === rows ? cols : cols.map((v) => gatherVector(v, sel, k)) };
    }
  }
}
