/**
 * Sorting (and top-N) of one slice's rows: the rows are concatenated, a
 * permutation is sorted with a comparator specialized per key column, and the
 * batch is gathered once. A key compares NULLs as the ORDER BY asks.
 */
import type { Batch, Vector } from '../../types.js';
import type { SortKey } from '../../plan/physical.js';
import { gatherBatch } from '../batch.js';

export type Cmp = (a: number, b: number) => number;

/** Compares two rows of `v` (by index) as the sort key orders them. */
export function keyComparator(v: Vector, key: SortKey): Cmp {
  const dir = key.desc ? -1 : 1;
  const nullOrder = key.nullsFirst ? -1 : 1;
  const nulls = v.nulls;
  let base: Cmp;
  if (v.kind === 'str') {
    // compare dictionary entries once: rank each code, then compare ranks
    const order = Array.from(v.dict.keys()).sort((a, b) => (v.dict[a]! < v.dict[b]! ? -1 : v.dict[a]! > v.dict[b]! ? 1 : 0));
    const rank = new Uint32Array(v.dict.length);
    for (let r = 0, prev = -1; r < order.length; r++) {
      const code = order[r]!;
      rank[code] = prev >= 0 && v.dict[order[prev]!] === v.dict[code] ? rank[order[prev]!]! : r;
      prev = r;
    }
    const codes = v.codes;
    base = (a, b) => rank[codes[a]!]! - rank[codes[b]!]!;
  } else {
    const x = v.values;
    base = (a, b) => (x[a]! < x[b]! ? -1 : x[a]! > x[b]! ? 1 : 0);
  }
  if (nulls === null) return dir === 1 ? base : (a, b) => -base(a, b);
  return (a, b) => {
    const na = nulls[a]!;
    const nb = nulls[b]!;
    if (na || nb) return na && nb ? 0 : na ? nullOrder : -nullOrder;
    return dir * base(a, b);
  };
}

/** Rows of `batch` in ORDER BY order; with `limit`, only the first `limit` rows. */
export function sortBatch(batch: Batch, keys: readonly SortKey[], limit: number | null): Batch {
  const n = batch.length;
  const cmps = keys.map((k) => keyComparator(batch.columns[k.column]!, k));
  const cmp: Cmp =
    cmps.length === 1
      ? cmps[0]!
      : (a, b) => {
          for (let i = 0; i < cmps.length; i++) {
            const r = cmps[i]!(a, b);
            if (r !== 0) return r;
          }
          return 0;
        };
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  // stable: ties keep input order, so results are deterministic
  perm.sort((a, b) => cmp(a, b) || a - b);
  const count = limit === null ? n : Math.min(n, limit);
  return gatherBatch(batch, perm, count);
}
