/**
 * Building, gathering and comparing column vectors: the storage write path's
 * per-kind loops, each one switch on the physical kind.
 */
import type { PhysicalKind, Vector } from '../types.js';

/** A growable column of one physical kind; strings are kept as values until encoded. */
export class ColumnBuilder {
  readonly kind: PhysicalKind;
  length = 0;
  private nums: Int32Array | Float64Array | Uint8Array;
  private strs: string[] = [];
  private nullMask: Uint8Array = new Uint8Array(0);
  private anyNull = false;

  constructor(kind: PhysicalKind, capacity = 1024) {
    this.kind = kind;
    this.nums = kind === 'i32' ? new Int32Array(capacity) : kind === 'f64' ? new Float64Array(capacity) : new Uint8Array(kind === 'bool' ? capacity : 0);
    this.nullMask = new Uint8Array(capacity);
  }

  private reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.nullMask.length) return;
    const cap = Math.max(need, this.nullMask.length * 2);
    const grownMask = new Uint8Array(cap);
    grownMask.set(this.nullMask.subarray(0, this.length));
    this.nullMask = grownMask;
    if (this.kind !== 'str') {
      const grown = new (this.nums.constructor as { new (n: number): Int32Array | Float64Array | Uint8Array })(cap);
      grown.set(this.nums.subarray(0, this.length));
      this.nums = grown;
    }
  }

  /** Appends rows [from, to) of v. */
  append(v: Vector, from = 0, to = v.length): void {
    const n = to - from;
    this.reserve(n);
    const at = this.length;
    if (v.nulls) {
      this.nullMask.set(v.nulls.subarray(from, to), at);
      if (!this.anyNull) for (let i = from; i < to; i++) if (v.nulls[i]) { this.anyNull = true; break; }
    }
    if (v.kind === 'str') {
      const { codes, dict } = v;
      const out = this.strs;
      const nulls = v.nulls;
      // a NULL slot's code may point nowhere (an empty dictionary); store '' for it
      for (let i = from; i < to; i++) out.push(nulls !== null && nulls[i] === 1 ? '' : dict[codes[i]!]!);
    } else {
      (this.nums as Int32Array).set(v.values.subarray(from, to) as Int32Array, at);
    }
    this.length += n;
  }

  /**
   * Appends the rows of v at positions sel[from, to), in that order: how a
   * writer hands each slice its rows of a batch at once (EVEN and KEY place
   * neighbouring rows on different slices, so runs of consecutive rows are
   * one row long).
   */
  appendSelected(v: Vector, sel: Uint32Array, from: number, to: number): void {
    const n = to - from;
    this.reserve(n);
    const at = this.length;
    const nulls = v.nulls;
    if (nulls) {
      const mask = this.nullMask;
      let any = 0;
      for (let i = 0; i < n; i++) any |= mask[at + i] = nulls[sel[from + i]!]!;
      if (any) this.anyNull = true;
    }
    switch (v.kind) {
      case 'str': {
        const { codes, dict } = v;
        const out = this.strs;
        // a NULL slot's code may point nowhere (an empty dictionary); store '' for it
        for (let i = from; i < to; i++) {
          const r = sel[i]!;
          out.push(nulls !== null && nulls[r] === 1 ? '' : dict[codes[r]!]!);
        }
        break;
      }
      case 'i32': {
        const src = v.values;
        const dst = this.nums as Int32Array;
        for (let i = 0; i < n; i++) dst[at + i] = src[sel[from + i]!]!;
        break;
      }
      case 'f64': {
        const src = v.values;
        const dst = this.nums as Float64Array;
        for (let i = 0; i < n; i++) dst[at + i] = src[sel[from + i]!]!;
        break;
      }
      case 'bool': {
        const src = v.values;
        const dst = this.nums as Uint8Array;
        for (let i = 0; i < n; i++) dst[at + i] = src[sel[from + i]!]!;
        break;
      }
    }
    this.length += n;
  }

  /** The rows gathered by `order` (or all, in order) as a vector. */
  build(order?: Uint32Array, from = 0, to = order ? order.length : this.length): Vector {
    const n = to - from;
    let nulls: Uint8Array | null = null;
    if (this.anyNull) {
      nulls = new Uint8Array(n);
      const mask = this.nullMask;
      if (order) for (let i = 0; i < n; i++) nulls[i] = mask[order[from + i]!]!;
      else nulls.set(mask.subarray(from, to));
    }
    if (this.kind === 'str') {
      const codes = new Uint32Array(n);
      for (let i = 0; i < n; i++) codes[i] = i;
      const src = this.strs;
      let dict: string[];
      if (order) {
        dict = new Array<string>(n);
        for (let i = 0; i < n; i++) dict[i] = src[order[from + i]!]!;
      } else dict = src.slice(from, to);
      return { kind: 'str', codes, dict, nulls, length: n };
    }
    const src = this.nums;
    const values = new (src.constructor as { new (n: number): Int32Array | Float64Array | Uint8Array })(n);
    if (order) for (let i = 0; i < n; i++) values[i] = src[order[from + i]!]!;
    else values.set(src.subarray(from, to));
    return { kind: this.kind, values, nulls, length: n } as Vector;
  }

  /** A comparator of rows i and j of this column (NULLs first), for sorting. */
  comparator(): (i: number, j: number) => number {
    const mask = this.anyNull ? this.nullMask : null;
    if (this.kind === 'str') {
      const s = this.strs;
      return mask
        ? (i, j) => (mask[i]! - mask[j]!) * -1 || (mask[i] ? 0 : s[i]! < s[j]! ? -1 : s[i]! > s[j]! ? 1 : 0)
        : (i, j) => (s[i]! < s[j]! ? -1 : s[i]! > s[j]! ? 1 : 0);
    }
    const v = this.nums;
    return mask ? (i, j) => (mask[j]! - mask[i]!) || (mask[i] ? 0 : v[i]! - v[j]!) : (i, j) => v[i]! - v[j]!;
  }

  /** Estimated bytes held, for bounding memory while loading. */
  bytes(): number {
    if (this.kind === 'str') {
      let total = 0;
      // Sampling keeps this cheap; 64 bytes of overhead per string is V8's order of magnitude.
      const step = Math.max(1, Math.floor(this.strs.length / 64));
      let sampled = 0;
      for (let i = 0; i < this.strs.length; i += step) { total += this.strs[i]!.length + 24; sampled++; }
      return sampled ? (total / sampled) * this.strs.length + this.length * 9 : 0;
    }
    return this.length * (this.nums.BYTES_PER_ELEMENT + 1);
  }

  /** The value of row i as a plain JS value (number or string), for hashing and tests. */
  valueAt(i: number): number | string | null {
    if (this.anyNull && this.nullMask[i]) return null;
    return this.kind === 'str' ? this.strs[i]! : this.nums[i]!;
  }
}

/** Zone map of one block: min and max of the non-NULL values, and the NULL count. */
export interface ZoneMap {
  min: number | string | null;
  max: number | string | null;
  nullCount: number;
}

export function zoneMap(v: Vector): ZoneMap {
  const nulls = v.nulls;
  let nullCount = 0;
  if (v.kind === 'str') {
    let min: string | null = null;
    let max: string | null = null;
    const { codes, dict } = v;
    for (let i = 0; i < v.length; i++) {
      if (nulls && nulls[i]) { nullCount++; continue; }
      const s = dict[codes[i]!]!;
      if (min === null || s < min) min = s;
      if (max === null || s > max) max = s;
    }
    return { min, max, nullCount };
  }
  const values = v.values;
  let min = Infinity;
  let max = -Infinity;
  let nan = false;
  for (let i = 0; i < v.length; i++) {
    if (nulls && nulls[i]) { nullCount++; continue; }
    const x = values[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
    if (x !== x) nan = true;
  }
  // NaN orders above every number in SQL; a block holding one gets no bounds, so no scan skips it
  return nullCount === v.length || nan ? { min: null, max: null, nullCount } : { min, max, nullCount };
}

/** Packs a one-byte-per-row NULL mask into a bitmap (bit i of byte i>>3). */
export function packBits(mask: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (mask[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

export function unpackBits(bits: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (bits[i >> 3]! >> (i & 7)) & 1;
  return out;
}

/** Rows [from, to) of a vector, sharing its buffers. */
export function sliceVector(v: Vector, from: number, to: number): Vector {
  const nulls = v.nulls ? v.nulls.subarray(from, to) : null;
  const length = to - from;
  if (v.kind === 'str') return { kind: 'str', codes: v.codes.subarray(from, to), dict: v.dict, nulls, length };
  return { kind: v.kind, values: v.values.subarray(from, to), nulls, length } as Vector;
}
