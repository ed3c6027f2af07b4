/**
 * The cut below a window whose rows a filter keeps only up to a rank
 * (ROW_NUMBER() or RANK() <= k, plan/rules/window-limit.ts): of each
 * partition's rows on this slice, only those whose first ORDER BY key is
 * among the k smallest, ties with the k-th included. A row it drops has k
 * rows of its partition strictly before it on this slice alone, so its rank
 * is past k whatever the other slices hold; and a row whose rank over the
 * kept rows is k or less had every row before it (and every peer) kept on
 * every slice, so the window above computes for it what it would over all
 * rows. The first key alone decides: the keys after it only order its ties,
 * which are kept, so testing them would cost more than the few rows it saves.
 *
 * Per partition a max-heap of its k smallest sort numbers so far: a row
 * enters only when it sorts before the heap's largest, which for rows in no
 * particular order is rare once the heap is full. Partitions with k rows or
 * fewer keep all their rows and get no heap.
 */
import type { Batch } from '../../types.js';
import type { WindowLimitNode } from '../../plan/physical.js';
import { concatBatches, gatherBatch } from '../batch.js';
import { kindsOf } from '../context.js';
import { partitionIds, sortNumbers } from './window-layout.js';

/** The node's input rows that can rank within its limit, in input order; null for no rows. */
export function runWindowLimit(node: WindowLimitNode, input: Iterable<Batch>): Batch | null {
  const batches: Batch[] = [];
  for (const b of input) if (b.length > 0) batches.push(b);
  if (batches.length === 0) return null;
  const k = node.limit;
  if (k <= 0) return null;
  const batch = concatBatches(batches, kindsOf(node.input));
  const n = batch.length;
  if (n <= k) return batch;
  const { ids, groups } = node.partition.length ? partitionIds(batch, node.partition) : { ids: new Int32Array(n), groups: 1 };
  const key = sortNumbers(batch.columns[node.key.column]!, node.key);
  // a NaN sort number (a DOUBLE NaN) compares false both ways: the rows are kept as they are, not guessed at
  for (let i = 0; i < n; i++) if (key[i] !== key[i]) return batch;
  const count = new Int32Array(groups);
  for (let i = 0; i < n; i++) count[ids[i]!]!++;
  // the heap of partition g is top[at[g] .. at[g] + k), for partitions of more than k rows (at = -1: none)
  const at = new Int32Array(groups);
  let heaps = 0;
  for (let g = 0; g < groups; g++) {
    if (count[g]! > k) {
      at[g] = heaps;
      heaps += k;
    } else at[g] = -1;
  }
  // no partition has more than k rows here: nothing to cut
  if (heaps === 0) return batch;
  const top = smallest(key, ids, at, new Float64Array(heaps), count.fill(0), k, n);
  const sel = new Uint32Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const base = at[ids[i]!]!;
    if (base < 0 || key[i]! <= top[base]!) sel[kept++] = i;
  }
  return kept === n ? batch : gatherBatch(batch, sel, kept);
}

/**
 * Per partition with a heap (at[g] >= 0), its k smallest sort numbers as a
 * max-heap: top[at[g]] is the k-th smallest, the largest a kept row may have.
 * `size` comes zeroed.
 */
function smallest(key: Float64Array, ids: Int32Array, at: Int32Array, top: Float64Array, size: Int32Array, k: number, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    const g = ids[i]!;
    const base = at[g]!;
    if (base < 0) continue;
    const x = key[i]!;
    const s = size[g]!;
    if (s < k) {
      // sift up
      let c = s;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (top[base + p]! >= x) break;
        top[base + c] = top[base + p]!;
        c = p;
      }
      top[base + c] = x;
      size[g] = s + 1;
      continue;
    }
    if (!(x < top[base]!)) continue;
    // replace the largest, sift down
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= k) break;
      const r = l + 1;
      const m = r < k && top[base + r]! > top[base + l]! ? r : l;
      if (top[base + m]! <= x) break;
      top[base + c] = top[base + m]!;
      c = m;
    }
    top[base + c] = x;
  }
  return top;
}
