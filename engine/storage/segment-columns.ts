/**
 * A segment seen through its table's current columns.
 *
 * ADD COLUMN and DROP COLUMN change a table's columns without rewriting its
 * segments: the catalog entry of each segment written before the change lists
 * the ids of the columns its file holds (SegmentMeta.columns), and readers map
 * the table's columns onto the file's here, once per segment and catalog
 * version. A column the file lacks (added after it was written) reads as its
 * DEFAULT: a constant block, with the zone map of that value, so a scan prunes
 * on it as on any column and reads no bytes for it. A file column the table
 * no longer has (dropped) is never read. A rewrite (a layout change, VACUUM)
 * writes the table's current columns, and its segments need no map.
 *
 * The mapped footer names each column as the table does now, so code that
 * finds a column's blocks by name keeps working after RENAME COLUMN.
 */
import type { PhysicalKind, Vector } from '../types.js';
import { columnIds, type ColumnMeta, type SegmentMeta, type TableMeta } from '../catalog/catalog.js';
import type { BlockMeta, SegmentFooter, SegmentReader } from './segment.js';

/** What scans need of a segment: its footer and its blocks, by the table's column index. */
export interface BlockReader {
  readonly file: string;
  readonly footer: SegmentFooter;
  readBlock(column: number, block: number, kind: PhysicalKind): Vector;
  readBlockSelected(column: number, block: number, kind: PhysicalKind, sel: Uint32Array, count: number): Vector;
}

/** The column ids a segment's file holds, in file order. */
export function fileColumnIds(table: Pick<TableMeta, 'columns'>, segment: Pick<SegmentMeta, 'columns'>): readonly number[] {
  return segment.columns ?? columnIds(table);
}

/** `count` rows of one value (null: every row NULL), in a vector of `kind`. */
export function constantVector(kind: PhysicalKind, value: number | string | null, count: number): Vector {
  const nulls = value === null ? new Uint8Array(count).fill(1) : null;
  switch (kind) {
    case 'i32':
      return { kind, values: new Int32Array(count).fill(typeof value === 'number' ? value : 0), nulls, length: count };
    case 'f64':
      return { kind, values: new Float64Array(count).fill(typeof value === 'number' ? value : 0), nulls, length: count };
    case 'bool':
      return { kind, values: new Uint8Array(count).fill(value ? 1 : 0), nulls, length: count };
    case 'str':
      return { kind, codes: new Uint32Array(count), dict: [typeof value === 'string' ? value : ''], nulls, length: count };
  }
}

/** A block of a column the file lacks: no bytes, its zone map the column's DEFAULT. */
function constantBlock(column: ColumnMeta, rows: number): BlockMeta {
  const value = column.default ?? null;
  const bounded = value !== null && !(typeof value === 'number' && Number.isNaN(value));
  return {
    offset: 0,
    length: 0,
    encoding: 'raw',
    rows,
    nullCount: value === null ? rows : 0,
    min: bounded ? value : null,
    max: bounded ? value : null,
    nullBytes: 0,
    crc: 0,
  };
}

class MappedSegment implements BlockReader {
  readonly file: string;
  readonly footer: SegmentFooter;

  constructor(
    private readonly reader: SegmentReader,
    /** File column of each table column; -1 where the file lacks it. */
    private readonly map: readonly number[],
    private readonly columns: readonly ColumnMeta[],
  ) {
    this.file = reader.file;
    const groups = reader.footer.columns[0]?.blocks.map((b) => b.rows) ?? [];
    this.footer = {
      ...reader.footer,
      columns: columns.map((c, i) => {
        const at = map[i]!;
        if (at >= 0) return { ...reader.footer.columns[at]!, name: c.name, type: c.type };
        return { name: c.name, type: c.type, blocks: groups.map((rows) => constantBlock(c, rows)) };
      }),
    };
  }

  readBlock(column: number, block: number, kind: PhysicalKind): Vector {
    const at = this.map[column]!;
    if (at >= 0) return this.reader.readBlock(at, block, kind);
    return constantVector(kind, this.columns[column]!.default ?? null, this.footer.columns[column]!.blocks[block]!.rows);
  }

  readBlockSelected(column: number, block: number, kind: PhysicalKind, sel: Uint32Array, count: number): Vector {
    const at = this.map[column]!;
    if (at >= 0) return this.reader.readBlockSelected(at, block, kind, sel, count);
    return constantVector(kind, this.columns[column]!.default ?? null, count);
  }
}

/** Mapped views, per catalog entry of a segment (entries are immutable, one per catalog version). */
const views = new WeakMap<SegmentMeta, { table: TableMeta; reader: SegmentReader; view: BlockReader }>();

/**
 * The segment `reader` (the file of catalog entry `segment`) as a reader of
 * `table`'s columns: the reader itself when the file holds exactly them, under
 * their current names.
 */
export function tableView(reader: SegmentReader, table: TableMeta, segment: SegmentMeta): BlockReader {
  const hit = views.get(segment);
  if (hit && hit.table === table && hit.reader === reader) return hit.view;
  const ids = fileColumnIds(table, segment);
  const map = columnIds(table).map((id) => ids.indexOf(id));
  const file = reader.footer.columns;
  // the file's own columns, unrenamed: read directly (every table no ALTER ... COLUMN touched)
  const same = file.length === map.length && map.every((at, i) => at === i && file[i]!.name === table.columns[i]!.name);
  const view = same ? reader : new MappedSegment(reader, map, table.columns);
  views.set(segment, { table, reader, view });
  return view;
}
