/**
 * A window node's rows in window order, computed once and shared by all its
 * functions: the permutation that sorts the slice's rows by the PARTITION BY
 * keys, then the ORDER BY keys (ties in input order, so the result does not
 * depend on the sort's internals), the partitions as runs of sorted positions,
 * and each row's peer group (the rows its ORDER BY keys tie with).
 *
 * Everything here and in the window-*.ts functions is indexed by sorted
 * position i; perm[i] is the input row there. Results are written back at
 * perm[i], so the node emits its input rows in input order with the result
 * columns beside them and never moves the input's columns.
 */
import type { Batch } from '../../types.js';
import type { SortKey } from '../../plan/physical.js';
import { keyComparator, type Cmp } from './sort.js';

export interface WindowLayout {
  readonly n: number;
  /** The input row at each sorted position. */
  readonly perm: Uint32Array;
  /** Partition p holds sorted positions [parts[p], parts[p + 1]); parts has one entry more than there are partitions. */
  readonly parts: Int32Array;
  /** Per sorted position: the first position of its peer group, and the position just past its last. */
  readonly peerStart: Int32Array;
  readonly peerEnd: Int32Array;
}

function combined(cmps: readonly Cmp[]): Cmp | null {
  if (cmps.length === 0) return null;
  if (cmps.length === 1) return cmps[0]!;
  return (a, b) => {
    for (let k = 0; k < cmps.length; k++) {
      const r = cmps[k]!(a, b);
      if (r !== 0) return r;
    }
    return 0;
  };
}

/** Sorts the batch's rows for the window and finds its partitions and peer groups. */
export function windowLayout(batch: Batch, partition: readonly number[], order: readonly SortKey[]): WindowLayout {
  const n = batch.length;
  // partitions need only meet: any fixed order of their keys does
  const partCmp = combined(partition.map((c) => keyComparator(batch.columns[c]!, { column: c, desc: false, nullsFirst: false })));
  const orderCmp = combined(order.map((k) => keyComparator(batch.columns[k.column]!, k)));
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  if (partCmp !== null || orderCmp !== null) {
    const p = partCmp;
    const o = orderCmp;
    const cmp: Cmp = p !== null && o !== null ? (a, b) => p(a, b) || o(a, b) || a - b : p !== null ? (a, b) => p(a, b) || a - b : (a, b) => o!(a, b) || a - b;
    perm.sort(cmp);
  }
  const starts: number[] = [0];
  if (partCmp !== null) for (let i = 1; i < n; i++) if (partCmp(perm[i - 1]!, perm[i]!) !== 0) starts.push(i);
  starts.push(n);
  const parts = Int32Array.from(starts);
  // peer groups: runs of equal ORDER BY keys within a partition (a whole partition without ORDER BY)
  const peerStart = new Int32Array(n);
  const peerEnd = new Int32Array(n);
  for (let p = 0; p + 1 < parts.length; p++) {
    const s = parts[p]!;
    const e = parts[p + 1]!;
    let g = s;
    for (let i = s; i < e; i++) {
      if (i > s && (orderCmp === null ? false : orderCmp(perm[i - 1]!, perm[i]!) !== 0)) {
        for (let j = g; j < i; j++) peerEnd[j] = i;
        g = i;
      }
      peerStart[i] = g;
    }
    for (let j = g; j < e; j++) peerEnd[j] = e;
  }
  return { n, perm, parts, peerStart, peerEnd };
}
