/** Table scan: zone-map block skipping, then the compiled filter, per block; columns the filter does not read are decoded only for the rows it keeps. */
import type { Batch, PhysicalKind, Vector } from '../../types.js';
import { physicalKind } from '../../types.js';
import type { ScanNode, ZonePredicate } from '../../plan/physical.js';
import { columnsOf } from '../../plan/expr.js';
import type { BlockMeta } from '../../storage/segment.js';
import { scanSegments, shareOf, sliceSegments, type BlockFilter, type SegmentSource } from '../../storage/scan.js';
import { dropDeleted, lowerBound } from '../../storage/deletes.js';
import { rowIdOutput, scanWithRowIds, withoutRowIds } from './row-ids.js';
import { compileFilter, type CompiledFilter } from '../compile.js';
import { compactStrings, gatherVector, rowsView } from '../batch.js';
import type { ExecContext, NodeStats, ScanKeyFilter } from '../context.js';
import { searchable, sortedRangeOf, sortedRun } from './sorted-run.js';

/** A block may match `p` unless its min/max prove no value can. */
function mayMatch(b: BlockMeta, p: ZonePredicate): boolean {
  if (b.nullCount === b.rows) return false; // only NULLs: no comparison is true
  // a block whose zone map has no bounds (NaN among its values) proves nothing
  if (b.min === null || b.max === null) return true;
  const min = b.min;
  const max = b.max;
  switch (p.op) {
    case 'eq':
      return p.value >= min && p.value <= max;
    case 'lt':
      return min < p.value;
    case 'le':
      return min <= p.value;
    case 'gt':
      return max > p.value;
    case 'ge':
      return max >= p.value;
    case 'in':
      return p.values!.some((v) => v >= min && v <= max);
    case 'prefix': {
      const prefix = p.value as string;
      // strings starting with prefix lie in [prefix, prefix + U+FFFF)
      return (max as string) >= prefix && (min as string) < prefix + '\uffff';
    }
  }
}

export function blockFilterFor(zone: readonly ZonePredicate[]): BlockFilter | null {
  if (zone.length === 0) return null;
  return (blocks) => {
    for (const p of zone) if (!mayMatch(blocks[p.column]!, p)) return false;
    return true;
  };
}

/** `needed`, when given, marks the columns the node above reads; the others may come out as empty placeholders. */
export function* runScan(node: ScanNode, slice: number, ctx: ExecContext, needed: Uint8Array | null = null): Generator<Batch> {
  const stats = ctx.statsFor(node.id);
  const rowIds = rowIdOutput(node);
  // the segments are checked against the table as stored, without the row id column
  const stored = withoutRowIds(node.table);
  const all = sliceSegments(ctx.store.dir, stored, stored.distStyle === 'all' ? -1 : slice, ctx.store.segments, ctx.slices);
  const segments = node.share ? shareOf(all, node.share.index, node.share.of) : all;
  if (rowIds >= 0) {
    const kinds = node.columns.map((c) => physicalKind(node.table.columns[c]!.type));
    const filter = node.filter ? ctx.compiledFor(`scan${node.id}`, () => compileFilter(node.filter!, kinds)) : null;
    yield* scanWithRowIds(node, segments, rowIds, blockFilterFor(node.zone), filter, stats);
    return;
  }
  const keyFilters = ctx.scanFiltersFor(node.id, slice);
  if (!node.filter && keyFilters.length === 0) {
    yield* scanSegments(node.table, segments, node.columns, blockFilterFor(node.zone), stats);
    return;
  }
  const kinds = node.columns.map((c) => physicalKind(node.table.columns[c]!.type));
  const filter = node.filter ? ctx.compiledFor(`scan${node.id}`, () => compileFilter(node.filter!, kinds)) : null;
  yield* scanFiltered(node, segments, kinds, filter, keyFilters, needed, stats, ctx);
}

const NO_COLUMN: Vector = { kind: 'i32', values: new Int32Array(0), nulls: null, length: 0 };

/**
 * A filtered scan decodes the columns its filter (and the key filters joins
 * above it installed) read first, block group by block group, and the others
 * only for the rows kept: not at all when none was, and, when some were, only
 * those rows where the encoding reaches a row directly (bit-packed and
 * fixed-width values), so a selective filter does not pay for decoding,
 * allocating and gathering whole blocks of columns it then throws away.
 * On a table sorted by a column the filter bounds, the filter, the join
 * filters and the other columns see only the block's run of rows in range
 * (sorted-run.ts), and rowsScanned counts that run: the rows the scan
 * examined. Otherwise counters are those of scanSegments; bytesScanned
 * counts the blocks read.
 */
function* scanFiltered(
  node: ScanNode,
  segments: readonly SegmentSource[],
  kinds: readonly PhysicalKind[],
  filter: CompiledFilter | null,
  keyFilters: readonly ScanKeyFilter[],
  needed: Uint8Array | null,
  counters: NodeStats,
  ctx: ExecContext,
): Generator<Batch> {
  const columns = node.columns;
  const width = columns.length;
  const used = [...new Set([...(node.filter ? columnsOf(node.filter) : []), ...keyFilters.map((f) => f.column)])].sort((a, b) => a - b);
  const isUsed = new Uint8Array(width);
  for (const j of used) isUsed[j] = 1;
  const zone = blockFilterFor(node.zone);
  // the filter reads only its own columns; the others are placeholders while it runs
  const cols: Vector[] = new Array<Vector>(width).fill(NO_COLUMN);
  // the range the filter puts on the table's leading sort column, searched in each block (only with a filter, which implies it)
  const range = filter ? sortedRangeOf(node) : null;
  const views: Vector[] = new Array<Vector>(width).fill(NO_COLUMN);
  let sel = new Uint32Array(0);
  for (const { reader: seg, deleted, from, to, start: first } of segments) {
    const footerCols = seg.footer.columns;
    const search = range !== null && searchable(footerCols[columns[range.column]!]!.blocks);
    for (let b = from, start = first; b < to; start += footerCols[0]!.blocks[b]!.rows, b++) {
      counters.blocksTotal += width;
      if (zone && !zone(columns.map((c) => footerCols[c]!.blocks[b]!))) {
        counters.blocksSkipped += width;
        continue;
      }
      counters.blocksScanned += width;
      const rows = footerCols[0]!.blocks[b]!.rows;
      // [lo, hi): the rows the filter examines
      let lo = 0;
      let hi = rows;
      if (search && range !== null) {
        const j = range.column;
        const meta = footerCols[columns[j]!]!.blocks[b]!;
        counters.bytesScanned += meta.length;
        cols[j] = seg.readBlock(columns[j]!, b, kinds[j]!);
        const run = sortedRun(cols[j]!, meta, range);
        if (run !== null) [lo, hi] = [run.from, run.to];
      }
      counters.rowsScanned += hi - lo;
      if (lo === hi) {
        if (search && range !== null) cols[range.column] = NO_COLUMN;
        ctx.checkCancel();
        continue;
      }
      for (const j of used) {
        if (search && range !== null && j === range.column) continue;
        counters.bytesScanned += footerCols[columns[j]!]!.blocks[b]!.length;
        cols[j] = seg.readBlock(columns[j]!, b, kinds[j]!);
      }
      if (sel.length < rows) sel = new Uint32Array(rows);
      let k: number;
      if (filter && lo === 0 && hi === rows) k = filter(cols, rows, sel);
      else if (filter) {
        // the filter runs on views of the run; its positions are then the block's
        for (const j of used) views[j] = rowsView(cols[j]!, lo, hi);
        k = filter(views, hi - lo, sel);
        for (const j of used) views[j] = NO_COLUMN;
        if (lo > 0) for (let i = 0; i < k; i++) sel[i] += lo;
      } else {
        for (let i = 0; i < rows; i++) sel[i] = i;
        k = rows;
      }
      if (deleted !== null && k > 0) {
        // positions are ascending: one merge with the block's slice of the delete vector
        const lo = lowerBound(deleted, start);
        if (lo < deleted.length && deleted[lo]! < start + rows) k = dropDeleted(sel, k, deleted, lo, lowerBound(deleted, start + rows), start);
      }
      const passed = k;
      for (let f = 0; f < keyFilters.length && k > 0; f++) k = keyFilters[f]!.keep(cols[keyFilters[f]!.column]!, sel, k);
      counters.rowsJoinFiltered += passed - k;
      if (k === 0) {
        // a block that yields nothing passes no batch to the executor's check: a scan that matches nothing is cancelled here
        ctx.checkCancel();
        continue;
      }
      const out: Vector[] = new Array<Vector>(width);
      for (let j = 0; j < width; j++) {
        if (needed !== null && needed[j] === 0) {
          out[j] = NO_COLUMN;
          continue;
        }
        if (isUsed[j] === 1) {
          out[j] = k === rows ? cols[j]! : gatherVector(cols[j]!, sel, k);
          continue;
        }
        counters.bytesScanned += footerCols[columns[j]!]!.blocks[b]!.length;
        if (k === rows) out[j] = seg.readBlock(columns[j]!, b, kinds[j]!);
        else {
          const v = seg.readBlockSelected(columns[j]!, b, kinds[j]!, sel, k);
          out[j] = v.kind === 'str' ? compactStrings(v) : v;
        }
      }
      for (const j of used) cols[j] = NO_COLUMN;
      yield { length: k, columns: out };
    }
  }
}
