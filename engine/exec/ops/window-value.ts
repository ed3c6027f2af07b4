/**
 * Window functions that return another row's value: LAG, LEAD, FIRST_VALUE,
 * LAST_VALUE and NTH_VALUE. Each first finds, for every row, the input row
 * whose value it returns (an index array), and then gathers the argument's
 * column once. With IGNORE NULLS the rows whose argument is NULL are skipped,
 * through the positions of the non-NULL values in sorted order and their
 * running count: O(1) per row whatever the offset or frame.
 */
import type { Vector } from '../../types.js';
import type { WindowFunc } from '../../plan/window-spec.js';
import type { WindowLayout } from './window-layout.js';
import type { FrameBounds } from './window-frame.js';

/** In a source index array: the row's value is NULL, or the fallback's value on the row itself. */
const NONE = -1;
const FALLBACK = -2;

/** The non-NULL argument values in sorted order: their positions, and how many come before each position. */
interface NonNulls {
  /** Sorted positions holding a non-NULL value, ascending. */
  readonly at: Int32Array;
  /** before[i]: how many of them are at positions < i (n + 1 entries). */
  readonly before: Int32Array;
}

function nonNulls(arg: Vector, layout: WindowLayout): NonNulls {
  const n = layout.n;
  const perm = layout.perm;
  const nulls = arg.nulls;
  const before = new Int32Array(n + 1);
  const at = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    before[i] = k;
    if (nulls === null || nulls[perm[i]!] !== 1) at[k++] = i;
  }
  before[n] = k;
  return { at: at.subarray(0, k), before };
}

/** Gathers `arg` (or, where src is FALLBACK, `fallback` on the row itself) into a new vector. */
export function pickValues(arg: Vector, src: Int32Array, fallback: Vector | null): Vector {
  const n = src.length;
  const nulls = new Uint8Array(n);
  let anyNull = false;
  const an = arg.nulls;
  const fn = fallback?.nulls ?? null;
  for (let r = 0; r < n; r++) {
    const j = src[r]!;
    const isNull = j === NONE || (j === FALLBACK ? fn !== null && fn[r] === 1 : an !== null && an[j] === 1);
    if (isNull) {
      nulls[r] = 1;
      anyNull = true;
    }
  }
  const outNulls = anyNull ? nulls : null;
  if (arg.kind === 'str') {
    const fb = fallback as Extract<Vector, { kind: 'str' }> | null;
    const codes = new Uint32Array(n);
    const base = arg.dict.length;
    let usesFallback = false;
    for (let r = 0; r < n; r++) {
      const j = src[r]!;
      if (j >= 0) codes[r] = arg.codes[j]!;
      else if (j === FALLBACK && nulls[r] === 0) {
        codes[r] = base + fb!.codes[r]!;
        usesFallback = true;
      }
    }
    const dict = usesFallback ? [...arg.dict, ...fb!.dict] : arg.dict;
    return { kind: 'str', codes, dict: dict.length ? dict : [''], nulls: outNulls, length: n };
  }
  const x = arg.values;
  const f = (fallback as Exclude<Vector, { kind: 'str' }> | null)?.values ?? null;
  const values = arg.kind === 'i32' ? new Int32Array(n) : arg.kind === 'f64' ? new Float64Array(n) : new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const j = src[r]!;
    if (j >= 0) values[r] = x[j]!;
    else if (j === FALLBACK && nulls[r] === 0) values[r] = f![r]!;
  }
  return { kind: arg.kind, values, nulls: outNulls, length: n } as Vector;
}

/** LAG / LEAD: the row offset rows before / after in the partition, by input row. */
export function lagLead(
  f: Extract<WindowFunc<number>, { kind: 'lag' | 'lead' }>,
  arg: Vector,
  offsets: Vector | null,
  hasFallback: boolean,
  layout: WindowLayout,
): Int32Array {
  const { n, perm, parts } = layout;
  const src = new Int32Array(n).fill(NONE);
  const miss = hasFallback ? FALLBACK : NONE;
  const dir = f.kind === 'lag' ? -1 : 1;
  const nn = f.ignoreNulls ? nonNulls(arg, layout) : null;
  const offNulls = offsets?.nulls ?? null;
  const offValues = offsets ? (offsets as Exclude<Vector, { kind: 'str' }>).values : null;
  for (let p = 0; p + 1 < parts.length; p++) {
    const s = parts[p]!;
    const e = parts[p + 1]!;
    for (let i = s; i < e; i++) {
      const row = perm[i]!;
      let k: number;
      if (offValues !== null) {
        if (offNulls !== null && offNulls[row] === 1) continue;
        k = offValues[row]!;
      } else if (f.offset === null) {
        continue;
      } else {
        k = f.offset;
      }
      const d = dir * k;
      if (d === 0) {
        src[row] = row;
        continue;
      }
      let j: number;
      if (nn === null) {
        j = i + d;
      } else if (d < 0) {
        // the |d|-th non-NULL value before i
        const idx = nn.before[i]! + d;
        j = idx >= 0 ? nn.at[idx]! : -1;
      } else {
        // the d-th non-NULL value after i
        const idx = nn.before[i + 1]! + d - 1;
        j = idx < nn.at.length ? nn.at[idx]! : e;
      }
      src[row] = j >= s && j < e ? perm[j]! : miss;
    }
  }
  return src;
}

/** FIRST_VALUE, LAST_VALUE, NTH_VALUE over each row's frame, by input row. */
export function frameValue(
  f: Extract<WindowFunc<number>, { kind: 'firstValue' | 'lastValue' | 'nthValue' }>,
  arg: Vector,
  bounds: FrameBounds,
  layout: WindowLayout,
): Int32Array {
  const { n, perm } = layout;
  const { start, end } = bounds;
  const src = new Int32Array(n).fill(NONE);
  if (f.kind === 'nthValue' && f.n === null) return src;
  const nn = f.ignoreNulls ? nonNulls(arg, layout) : null;
  const nth = f.kind === 'nthValue' ? f.n! : 1;
  for (let i = 0; i < n; i++) {
    const fs = start[i]!;
    const fe = end[i]!;
    if (fe <= fs) continue;
    let j: number;
    if (nn === null) {
      j = f.kind === 'lastValue' ? fe - 1 : fs + nth - 1;
    } else if (f.kind === 'lastValue') {
      const idx = nn.before[fe]! - 1;
      j = idx >= 0 ? nn.at[idx]! : -1;
    } else {
      const idx = nn.before[fs]! + nth - 1;
      j = idx < nn.at.length ? nn.at[idx]! : fe;
    }
    if (j >= fs && j < fe) src[perm[i]!] = perm[j]!;
  }
  return src;
}
