/**
 * The window operator: one slice's rows (every partition whole, the planner
 * saw to that) are gathered into one batch, sorted once by PARTITION BY and
 * ORDER BY for all the node's functions (window-layout.ts), and each function
 * adds one column, computed over sorted positions and written back in input
 * order by the evaluator of its kind (functions/window.ts). Frames are
 * computed once per distinct frame (window-frame.ts).
 */
import type { Batch, Vector } from '../../types.js';
import type { WindowNode } from '../../plan/physical.js';
import type { WindowFrame } from '../../plan/window-spec.js';
import { windowEvaluator } from '../../functions/registry.js';
import type { WindowInput } from '../../functions/types.js';
import { concatBatches } from '../batch.js';
import { kindsOf } from '../context.js';
import { windowLayout, type WindowLayout } from './window-layout.js';
import { frameBounds, rangeKey, type FrameBounds, type RangeKey } from './window-frame.js';

/** The node's input rows with one column per window function after them; null for no rows. */
export function runWindow(node: WindowNode, input: Iterable<Batch>): Batch | null {
  const batches: Batch[] = [];
  for (const b of input) if (b.length > 0) batches.push(b);
  if (batches.length === 0) return null;
  const batch = concatBatches(batches, kindsOf(node.input));
  const layout = windowLayout(batch, node.partition, node.order);
  const frames = new FrameCache(node, batch, layout);
  const over: WindowInput = { batch, fields: node.input.fields, layout, bounds: (frame) => frames.bounds(frame) };
  const columns: Vector[] = [...batch.columns];
  // each function's evaluator is its kind's, from the function registry
  for (const f of node.funcs) columns.push(windowEvaluator(f.kind)(f, over));
  return { length: batch.length, columns };
}

/** Frame bounds by frame, computed once for all the functions that share a frame. */
class FrameCache {
  private readonly cache = new Map<string, FrameBounds>();
  private key: RangeKey | null = null;

  constructor(
    private readonly node: WindowNode,
    private readonly batch: Batch,
    private readonly layout: WindowLayout,
  ) {}

  bounds(frame: WindowFrame): FrameBounds {
    const k = JSON.stringify(frame);
    let b = this.cache.get(k);
    if (!b) {
      b = frameBounds(frame, this.layout, this.offsetsIn(frame) ? this.rangeKey() : null);
      this.cache.set(k, b);
    }
    return b;
  }

  private offsetsIn(frame: WindowFrame): boolean {
    const offset = (kind: string) => kind === 'preceding' || kind === 'following';
    return frame.unit === 'range' && (offset(frame.start.kind) || offset(frame.end.kind));
  }

  /** The single ORDER BY key, in sorted order (the binder allows RANGE offsets with exactly one). */
  private rangeKey(): RangeKey {
    if (!this.key) {
      const k = this.node.order[0]!;
      this.key = rangeKey(this.batch, this.layout, k, this.node.input.fields[k.column]!.type);
    }
    return this.key;
  }
}
