/**
 * A window node's rows in window order, computed once and shared by all its
 * functions: the permutation that groups the slice's rows by partition and
 * sorts each partition by the ORDER BY keys (ties in input order, so the
 * result does not depend on the sort's internals), the partitions as runs of
 * sorted positions, and each row's peer group (the rows its ORDER BY keys tie
 * with).
 *
 * Partitions need only meet, not be ordered: their keys become dense ids
 * through a KeyTable (as GROUP BY's do) and one counting sort groups the rows,
 * so only each partition's own rows are compared. ORDER BY keys are first
 * turned into one number per row and key that sorts ascending as the key asks
 * (a string's dictionary rank; negated for DESC; NULL as -Infinity or
 * +Infinity), so a comparison is a subtraction.
 *
 * Everything here and in the window-*.ts functions is indexed by sorted
 * position i; perm[i] is the input row there. Results are written back at
 * perm[i], so the node emits its input rows in input order with the result
 * columns beside them and never moves the input's columns.
 */
import type { Batch, Vector } from '../../types.js';
import type { SortKey } from '../../plan/physical.js';
import { KeyTable, StringInterner, keyNumbers } from '../key-table.js';

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

/** Ranks of a string vector's dictionary entries in string order (equal strings share one). */
export function dictRanks(v: Extract<Vector, { kind: 'str' }>): Uint32Array {
  const dict = v.dict;
  const order = Array.from(dict.keys()).sort((a, b) => (dict[a]! < dict[b]! ? -1 : dict[a]! > dict[b]! ? 1 : 0));
  const rank = new Uint32Array(dict.length);
  for (let r = 0; r < order.length; r++) {
    const code = order[r]!;
    rank[code] = r > 0 && dict[order[r - 1]!] === dict[code] ? rank[order[r - 1]!]! : r;
  }
  return rank;
}

/** One number per row that sorts ascending exactly as `key` orders the column. */
export function sortNumbers(v: Vector, key: SortKey): Float64Array {
  const n = v.length;
  const out = new Float64Array(n);
  const dir = key.desc ? -1 : 1;
  if (v.kind === 'str') {
    const rank = dictRanks(v);
    const codes = v.codes;
    for (let i = 0; i < n; i++) out[i] = dir * rank[codes[i]!]!;
  } else {
    const x = v.values;
    for (let i = 0; i < n; i++) out[i] = dir * x[i]!;
  }
  const nulls = v.nulls;
  if (nulls !== null) {
    const mark = key.nullsFirst ? -Infinity : Infinity;
    for (let i = 0; i < n; i++) if (nulls[i] === 1) out[i] = mark;
  }
  return out;
}

type Cmp = (a: number, b: number) => number;

/**
 * Compares rows by the sort numbers, then by input row. Infinity - Infinity
 * (two NULLs) is NaN, which || passes over as it does 0.
 */
function comparator(keys: readonly Float64Array[]): Cmp {
  const [k0, k1, k2] = keys;
  switch (keys.length) {
    case 1:
      return (a, b) => k0![a]! - k0![b]! || a - b;
    case 2:
      return (a, b) => k0![a]! - k0![b]! || k1![a]! - k1![b]! || a - b;
    case 3:
      return (a, b) => k0![a]! - k0![b]! || k1![a]! - k1![b]! || k2![a]! - k2![b]! || a - b;
    default:
      return (a, b) => {
        for (let k = 0; k < keys.length; k++) {
          const d = keys[k]![a]! - keys[k]![b]!;
          if (d) return d;
        }
        return a - b;
      };
  }
}

/** Each row's partition as a dense id 0..groups-1 (partition.length > 0). */
export function partitionIds(batch: Batch, partition: readonly number[]): { ids: Int32Array; groups: number } {
  const n = batch.length;
  const cols = partition.map((c) => {
    const v = batch.columns[c]!;
    const out = new Float64Array(n);
    keyNumbers(v, v.kind === 'str' ? new StringInterner() : null, out);
    return out;
  });
  const table = new KeyTable(partition.length);
  const ids = new Int32Array(n);
  table.insert(cols, n, ids);
  return { ids, groups: table.size };
}

/** The rows grouped by partition (in input order within each): the permutation and the partitions' starts. */
function partitioned(batch: Batch, partition: readonly number[]): { perm: Uint32Array; parts: Int32Array } {
  const n = batch.length;
  const perm = new Uint32Array(n);
  if (partition.length === 0) {
    for (let i = 0; i < n; i++) perm[i] = i;
    return { perm, parts: Int32Array.of(0, n) };
  }
  const { ids, groups } = partitionIds(batch, partition);
  // counting sort by partition id
  const parts = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) parts[ids[i]! + 1]!++;
  for (let p = 0; p < groups; p++) parts[p + 1]! += parts[p]!;
  const next = parts.slice(0, groups);
  for (let i = 0; i < n; i++) perm[next[ids[i]!]!++] = i;
  return { perm, parts };
}

/** Groups the batch's rows by partition, sorts each partition for the window, and finds the peer groups. */
export function windowLayout(batch: Batch, partition: readonly number[], order: readonly SortKey[]): WindowLayout {
  const n = batch.length;
  const { perm, parts } = partitioned(batch, partition);
  const peerStart = new Int32Array(n);
  const peerEnd = new Int32Array(n);
  if (order.length === 0) {
    // every row of a partition is a peer of every other
    for (let p = 0; p + 1 < parts.length; p++) {
      peerStart.fill(parts[p]!, parts[p]!, parts[p + 1]!);
      peerEnd.fill(parts[p + 1]!, parts[p]!, parts[p + 1]!);
    }
    return { n, perm, parts, peerStart, peerEnd };
  }
  const keys = packed(order.map((k) => sortNumbers(batch.columns[k.column]!, k)));
  if (keys.length === 1) return layoutByOneKey(n, perm, parts, keys[0]!, peerStart, peerEnd);
  let cmp: Cmp | null = null;
  for (let p = 0; p + 1 < parts.length; p++) {
    const s = parts[p]!;
    const e = parts[p + 1]!;
    if (e - s <= 1 || inOrder(perm, s, e, keys)) continue;
    // most partitions are small (a customer's orders): sorted in place, no comparator call or subarray per partition
    if (e - s <= SMALL_PARTITION) insertionSort(perm, s, e, keys);
    else perm.subarray(s, e).sort((cmp ??= comparator(keys)));
  }
  // peer groups: runs of equal sort numbers within a partition
  for (let p = 0; p + 1 < parts.length; p++) {
    const s = parts[p]!;
    const e = parts[p + 1]!;
    let g = s;
    for (let i = s; i < e; i++) {
      if (i > s && !samePeers(keys, perm[i - 1]!, perm[i]!)) g = i;
      peerStart[i] = g;
    }
    // ends backwards from the starts: no fill call per group (with a unique ORDER BY, every row is a group)
    let end = e;
    for (let i = e - 1; i >= s; i--) {
      peerEnd[i] = end;
      if (peerStart[i] === i) end = i;
    }
  }
  return { n, perm, parts, peerStart, peerEnd };
}

/**
 * The sort numbers of several keys as one number per row, when every key is
 * integral (dates, integers, DECIMALs as scaled integers, string ranks) and
 * the product of their ranges stays exact in a double: each key becomes its
 * offset from its minimum, with NULL's -Infinity below and +Infinity above,
 * and the keys are combined as the digits of a mixed-radix number, so rows
 * compare in one subtraction and sort as the keys would. Otherwise the keys
 * as they are.
 */
function packed(keys: Float64Array[]): Float64Array[] {
  if (keys.length < 2) return keys;
  const lo: number[] = [];
  const width: number[] = [];
  let product = 1;
  for (const k of keys) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < k.length; i++) {
      const x = k[i]!;
      if (x === Infinity || x === -Infinity) continue;
      if (!Number.isInteger(x)) return keys;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    if (min > max) min = max = 0; // every value NULL
    // 0 for -Infinity, 1 + (x - min) for values, one past those for +Infinity
    const w = max - min + 3;
    product *= w;
    if (product > Number.MAX_SAFE_INTEGER) return keys;
    lo.push(min);
    width.push(w);
  }
  const n = keys[0]!.length;
  const out = new Float64Array(n);
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j]!;
    const w = width[j]!;
    const base = lo[j]! - 1;
    for (let i = 0; i < n; i++) {
      const x = k[i]!;
      out[i] = out[i]! * w + (x === -Infinity ? 0 : x === Infinity ? w - 1 : x - base);
    }
  }
  return [out];
}

/** Partitions of at most this many rows are sorted by insertion: fewer moves than comparator calls a general sort makes. */
const SMALL_PARTITION = 24;

/**
 * Whether row a sorts after row b by the sort numbers. Equal numbers (two
 * NULLs: Infinity and Infinity) are not after, so a stable sort keeps input
 * order among peers.
 */
function after(keys: readonly Float64Array[], a: number, b: number): boolean {
  for (let k = 0; k < keys.length; k++) {
    const x = keys[k]![a]!;
    const y = keys[k]![b]!;
    if (x > y) return true;
    if (x < y) return false;
  }
  return false;
}

/** Whether perm[s..e) is sorted already (rows stored in ORDER BY order, a common case): then the sort is skipped. */
function inOrder(perm: Uint32Array, s: number, e: number, keys: readonly Float64Array[]): boolean {
  for (let i = s + 1; i < e; i++) if (after(keys, perm[i - 1]!, perm[i]!)) return false;
  return true;
}

/** Stable insertion sort of perm[s..e): rows enter in input order, so ties stay in it. */
function insertionSort(perm: Uint32Array, s: number, e: number, keys: readonly Float64Array[]): void {
  for (let i = s + 1; i < e; i++) {
    const row = perm[i]!;
    let j = i - 1;
    while (j >= s && after(keys, perm[j]!, row)) {
      perm[j + 1] = perm[j]!;
      j--;
    }
    perm[j + 1] = row;
  }
}

/**
 * windowLayout when the ORDER BY is one sort number per row (one key, or keys
 * packed into one). The numbers are first copied into partition order (kp),
 * so that sorting and finding peers read memory in sequence: through the
 * permutation every comparison was a read from anywhere in the batch, which
 * for a batch of millions of rows is a cache miss. kp is sorted along with
 * perm, stably (equal numbers keep input order, as the comparator's row
 * tie-break does).
 */
function layoutByOneKey(n: number, perm: Uint32Array, parts: Int32Array, one: Float64Array, peerStart: Int32Array, peerEnd: Int32Array): WindowLayout {
  const kp = new Float64Array(n);
  for (let i = 0; i < n; i++) kp[i] = one[perm[i]!]!;
  let cmp: Cmp | null = null;
  let scratch = new Float64Array(0);
  for (let p = 0; p + 1 < parts.length; p++) {
    const s = parts[p]!;
    const e = parts[p + 1]!;
    if (e - s <= 1 || runInOrder(kp, s, e)) continue;
    if (e - s <= SMALL_PARTITION) {
      insertionSortPairs(kp, perm, s, e);
      continue;
    }
    if (scratch.length < e - s) scratch = new Float64Array(Math.max(e - s, 2 * scratch.length));
    if (!sortByComposite(kp, perm, s, e, scratch)) {
      perm.subarray(s, e).sort((cmp ??= comparator([one])));
      for (let i = s; i < e; i++) kp[i] = one[perm[i]!]!;
    }
  }
  for (let p = 0; p + 1 < parts.length; p++) {
    const s = parts[p]!;
    const e = parts[p + 1]!;
    let g = s;
    for (let i = s; i < e; i++) {
      if (i > s && kp[i - 1] !== kp[i]) g = i;
      peerStart[i] = g;
    }
    let end = e;
    for (let i = e - 1; i >= s; i--) {
      peerEnd[i] = end;
      if (peerStart[i] === i) end = i;
    }
  }
  return { n, perm, parts, peerStart, peerEnd };
}

/** Whether kp[s..e) is ascending already (rows stored in ORDER BY order). */
function runInOrder(kp: Float64Array, s: number, e: number): boolean {
  for (let i = s + 1; i < e; i++) if (kp[i - 1]! > kp[i]!) return false;
  return true;
}

/** Stable insertion sort of kp[s..e), moving perm along. */
function insertionSortPairs(kp: Float64Array, perm: Uint32Array, s: number, e: number): void {
  for (let i = s + 1; i < e; i++) {
    const x = kp[i]!;
    const row = perm[i]!;
    let j = i - 1;
    while (j >= s && kp[j]! > x) {
      kp[j + 1] = kp[j]!;
      perm[j + 1] = perm[j]!;
      j--;
    }
    kp[j + 1] = x;
    perm[j + 1] = row;
  }
}

/**
 * Sorts kp[s..e) (perm along) with the engine's native numeric sort, no
 * comparator call: each number becomes (its offset from the run's minimum) *
 * length + its position, which sorts by number, then position (stably), when
 * the numbers are integral and that product stays exact in a double. False,
 * touching nothing, when they are not (fractions, NULL's infinities).
 */
function sortByComposite(kp: Float64Array, perm: Uint32Array, s: number, e: number, scratch: Float64Array): boolean {
  const len = e - s;
  let min = Infinity;
  let max = -Infinity;
  for (let i = s; i < e; i++) {
    const x = kp[i]!;
    if (Math.floor(x) !== x) return false; // a fraction, NaN or an infinity
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if ((max - min + 1) * len > Number.MAX_SAFE_INTEGER) return false;
  const c = scratch.subarray(0, len);
  for (let i = 0; i < len; i++) c[i] = (kp[s + i]! - min) * len + i;
  c.sort();
  const rows = perm.slice(s, e);
  for (let i = 0; i < len; i++) {
    const at = c[i]! % len;
    perm[s + i] = rows[at]!;
    kp[s + i] = (c[i]! - at) / len + min;
  }
  return true;
}

function samePeers(keys: readonly Float64Array[], a: number, b: number): boolean {
  for (let k = 0; k < keys.length; k++) if (keys[k]![a] !== keys[k]![b]) return false;
  return true;
}
