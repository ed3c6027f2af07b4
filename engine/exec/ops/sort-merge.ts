/**
 * The k-way merge of an external sort: sorted runs, each read back from its
 * spill file a chunk at a time, merged through a binary heap of run indexes
 * into output batches. Rows of different runs carry different dictionaries,
 * so strings compare by value and an output batch gets a dictionary of its
 * own. Ties go to the earlier run, and runs hold the input in order: the
 * merge gives the rows a stable sort of the whole input gives.
 */
import type { Batch, PhysicalKind, Vector } from '../../types.js';
import type { SortKey } from '../../plan/physical.js';

/** Rows per merged output batch. */
const OUT_ROWS = 8192;

type Num = Exclude<Vector, { kind: 'str' }>;
type Str = Extract<Vector, { kind: 'str' }>;

/** How row i of a compares with row j of b under the keys (batches of the same shape). */
function compareRows(a: Batch, i: number, b: Batch, j: number, keys: readonly SortKey[]): number {
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const va = a.columns[key.column]!;
    const vb = b.columns[key.column]!;
    const na = va.nulls !== null && va.nulls[i] === 1;
    const nb = vb.nulls !== null && vb.nulls[j] === 1;
    if (na || nb) {
      if (na && nb) continue;
      // NULLs go first or last whatever the direction, as keyComparator puts them
      return na === key.nullsFirst ? -1 : 1;
    }
    let r: number;
    if (va.kind === 'str') {
      const x = va.dict[va.codes[i]!]!;
      const y = (vb as Str).dict[(vb as Str).codes[j]!]!;
      r = x < y ? -1 : x > y ? 1 : 0;
    } else {
      const x = va.values[i]!;
      const y = (vb as Num).values[j]!;
      r = x < y ? -1 : x > y ? 1 : 0;
    }
    if (r !== 0) return key.desc ? -r : r;
  }
  return 0;
}

/**
 * The rows of `runs` (each a stream of sorted batches), merged in key order;
 * with `limit`, only the first `limit` rows.
 */
export function* mergeRuns(runs: readonly Iterable<Batch>[], keys: readonly SortKey[], kinds: readonly PhysicalKind[], limit: number | null): Generator<Batch> {
  const k = runs.length;
  const its = runs.map((r) => r[Symbol.iterator]());
  const cur: (Batch | null)[] = new Array<Batch | null>(k).fill(null);
  const pos = new Int32Array(k);
  // which entry of srcs the run's current batch is in the output batch being built (-1: not yet)
  const srcAt = new Int32Array(k).fill(-1);
  const advanceBatch = (r: number): boolean => {
    for (;;) {
      const next = its[r]!.next();
      if (next.done) {
        cur[r] = null;
        return false;
      }
      if (next.value.length === 0) continue;
      cur[r] = next.value;
      pos[r] = 0;
      srcAt[r] = -1;
      return true;
    }
  };
  const less = (r: number, s: number): boolean => {
    const c = compareRows(cur[r]!, pos[r]!, cur[s]!, pos[s]!, keys);
    return c < 0 || (c === 0 && r < s);
  };
  const heap = new Int32Array(k);
  let size = 0;
  const siftDown = (at: number): void => {
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) return;
      const r = l + 1;
      const m = r < size && less(heap[r]!, heap[l]!) ? r : l;
      if (!less(heap[m]!, heap[at]!)) return;
      const t = heap[m]!;
      heap[m] = heap[at]!;
      heap[at] = t;
      at = m;
    }
  };
  for (let r = 0; r < k; r++) if (advanceBatch(r)) heap[size++] = r;
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i);

  let left = limit ?? Infinity;
  const srcOf = new Int32Array(OUT_ROWS);
  const rowOf = new Int32Array(OUT_ROWS);
  let srcs: Batch[] = [];
  let count = 0;
  try {
    while (size > 0 && left > 0) {
      const r = heap[0]!;
      if (srcAt[r]! < 0) {
        srcAt[r] = srcs.length;
        srcs.push(cur[r]!);
      }
      srcOf[count] = srcAt[r]!;
      rowOf[count] = pos[r]!;
      count++;
      left--;
      if (++pos[r]! >= cur[r]!.length && !advanceBatch(r)) {
        heap[0] = heap[--size]!;
      }
      if (size > 0) siftDown(0);
      if (count === OUT_ROWS) {
        yield assemble(srcs, srcOf, rowOf, count, kinds);
        srcs = [];
        srcAt.fill(-1);
        count = 0;
      }
    }
    if (count > 0) yield assemble(srcs, srcOf, rowOf, count, kinds);
  } finally {
    // close the runs' readers (their files) when the consumer stops early (LIMIT)
    for (const it of its) it.return?.();
  }
}

/** The output batch: row o is row rowOf[o] of srcs[srcOf[o]]. */
function assemble(srcs: readonly Batch[], srcOf: Int32Array, rowOf: Int32Array, count: number, kinds: readonly PhysicalKind[]): Batch {
  return { length: count, columns: kinds.map((kind, c) => assembleColumn(srcs.map((b) => b.columns[c]!), srcOf, rowOf, count, kind)) };
}

function assembleColumn(parts: readonly Vector[], srcOf: Int32Array, rowOf: Int32Array, count: number, kind: PhysicalKind): Vector {
  let nulls: Uint8Array | null = null;
  if (parts.some((p) => p.nulls !== null)) {
    nulls = new Uint8Array(count);
    const pn = parts.map((p) => p.nulls);
    for (let o = 0; o < count; o++) {
      const n = pn[srcOf[o]!];
      if (n) nulls[o] = n[rowOf[o]!]!;
    }
  }
  if (kind === 'str') {
    const strs = parts as readonly Str[];
    const remap = strs.map((p) => new Int32Array(p.dict.length).fill(-1));
    const codesOf = strs.map((p) => p.codes);
    const dict: string[] = [];
    const codes = new Uint32Array(count);
    for (let o = 0; o < count; o++) {
      const s = srcOf[o]!;
      const old = codesOf[s]![rowOf[o]!]!;
      const m = remap[s]!;
      let code = m[old]!;
      if (code < 0) {
        code = dict.length;
        dict.push(strs[s]!.dict[old]!);
        m[old] = code;
      }
      codes[o] = code;
    }
    return { kind: 'str', codes, dict: dict.length ? dict : [''], nulls, length: count };
  }
  const vals = (parts as readonly Num[]).map((p) => p.values);
  const values = kind === 'i32' ? new Int32Array(count) : kind === 'f64' ? new Float64Array(count) : new Uint8Array(count);
  for (let o = 0; o < count; o++) values[o] = vals[srcOf[o]!]![rowOf[o]!]!;
  return { kind, values, nulls, length: count } as Vector;
}
