/** Table scan: zone-map block skipping, then the compiled filter, per block. */
import type { Batch } from '../../types.js';
import { physicalKind } from '../../types.js';
import type { ScanNode, ZonePredicate } from '../../plan/physical.js';
import type { BlockMeta } from '../../storage/segment.js';
import { scanSegments, sliceSegments, type BlockFilter } from '../../storage/scan.js';
import { compileFilter } from '../compile.js';
import { gatherBatch } from '../batch.js';
import type { ExecContext } from '../context.js';

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

export function* runScan(node: ScanNode, slice: number, ctx: ExecContext): Generator<Batch> {
  if (node.singleCopy && slice !== 0) return;
  const stats = ctx.statsFor(node.id);
  const segments = sliceSegments(ctx.store.dir, node.table, node.table.distStyle === 'all' ? -1 : slice, ctx.store.segments);
  const kinds = node.columns.map((c) => physicalKind(node.table.columns[c]!.type));
  const filter = node.filter ? ctx.cached(`scan${node.id}`, () => compileFilter(node.filter!, kinds)) : null;
  let sel = new Uint32Array(0);
  for (const batch of scanSegments(node.table, segments, node.columns, blockFilterFor(node.zone), stats)) {
    if (!filter) {
      yield batch;
      continue;
    }
    if (sel.length < batch.length) sel = new Uint32Array(batch.length);
    const k = filter(batch.columns, batch.length, sel);
    if (k === batch.length) yield batch;
    else if (k > 0) yield gatherBatch(batch, sel, k);
  }
}
