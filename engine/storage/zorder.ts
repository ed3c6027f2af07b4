/**
 * Z-order (Morton) values for INTERLEAVED sort keys.
 *
 * A row's z-value interleaves the bits of its key columns' *keys*, one bit of
 * each column in turn from the most significant, so no column leads: rows
 * close in every key column at once are close in z, and a block of rows
 * consecutive in z covers a narrow range of each column.
 *
 * A column's key is built in two steps:
 *
 * 1. the value becomes an order-preserving integer `u` (never decreasing as
 *    the value grows): integers, dates, decimals (scaled) and timestamps are
 *    their physical value; REAL and DOUBLE their IEEE-754 bits with the sign
 *    flipped, top 52 bits (so equal-width buckets of a float column are
 *    roughly logarithmic); strings the 6 bytes after the common prefix of the
 *    column's initial range, in CESU-8 (UTF-8 with surrogates encoded one by
 *    one, whose byte order is JavaScript's string order, the order zone maps
 *    use); a string outside the strings sharing that prefix maps to -1 or
 *    2^48, below or above all of them;
 * 2. `u` is cut into 2^bits equal-width buckets of a *frame* [origin, origin +
 *    2^(exp + bits)) that covers the column's range: key = floor((u - origin)
 *    / 2^exp). The initial frame is the smallest power of two covering the
 *    range, so each column's range spans between half and all of its keys and
 *    every column gets the same weight however wide its values are. NULL is a
 *    fixed `u` one below the initial minimum: NULLs take key 0, first, as
 *    they come first under a compound key (values below that minimum that
 *    widen the frame later sort before them: the mapping cannot move NULL
 *    without unsorting earlier runs).
 *
 * The mapping must stay the same for all runs of one write, or runs sorted
 * under different mappings would not merge into one sorted segment. It is set
 * once, before the first sort, from what the writer knows then (the old
 * version's zone maps for a rewrite, else the rows buffered so far); values
 * seen later outside the frame *widen* it: every column's frame doubles (the
 * old frame becomes its lower or upper half) as many times as the widest
 * overflow needs. Doubling every column alike turns each key into (a constant
 * top bit, the old key without its lowest bit), so every z-value becomes (a
 * constant, the old z-value shifted right by the column count): runs sorted
 * before the widening are still sorted after it. The price: each doubling
 * costs every column one bit of resolution.
 *
 * All arithmetic is on integers below 2^53 times powers of two, exact in
 * doubles, for values within ±2^52 (BIGINT and DECIMAL beyond that round).
 */
import type { SqlType, Vector } from '../types.js';

/** How a key column's values become order-preserving integers. */
export type ZKind = 'int' | 'float' | 'str';

/** Redshift's limit on the columns of an interleaved sort key. */
export const MAX_INTERLEAVED_COLUMNS = 8;

/** A column's known value range (zone maps' min and max of the non-NULL values); null bounds are unknown. */
export interface ZRange {
  readonly min: number | string | null;
  readonly max: number | string | null;
}

export function zKindOf(t: SqlType): ZKind {
  switch (t.id) {
    case 'real':
    case 'double':
      return 'float';
    case 'char':
    case 'varchar':
      return 'str';
    default:
      return 'int';
  }
}

/** Bits of key per column: as many as fit 52 bits of z, at most 24 (16 million buckets are more than any slice has blocks). */
function bitsFor(columns: number): number {
  return Math.min(24, Math.floor(52 / columns));
}

const TWO_48 = 2 ** 48;
const INT_LIMIT = 2 ** 53;

// REAL/DOUBLE to their bits: one shared scratch double, read as two words in the machine's order.
const f64 = new Float64Array(1);
const words = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

function floatU(x: number): number {
  // -0 is 0 to SQL (and to zone maps): the same bits, so the same key
  f64[0] = x === 0 ? 0 : x;
  let hi = words[HI]!;
  let lo = words[LO]!;
  // negative numbers: all bits flipped (a larger magnitude sorts lower); positive: the sign bit set
  if (hi & 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else hi = (hi | 0x80000000) >>> 0;
  return hi * 2 ** 20 + (lo >>> 12);
}

function intU(x: number): number {
  if (x !== x) return INT_LIMIT;
  const u = Math.floor(x);
  return u > INT_LIMIT ? INT_LIMIT : u < -INT_LIMIT ? -INT_LIMIT : u;
}

/** The 6 bytes of `s` from code unit `from` on, CESU-8, as an integer below 2^48 (short strings padded with zero bytes). */
function prefixBytes(s: string, from: number): number {
  let u = 0;
  let n = 0;
  for (let i = from; i < s.length && n < 6; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      u = u * 256 + c;
      n++;
    } else if (c < 0x800) {
      u = u * 256 + (0xc0 | (c >> 6));
      if (++n < 6) {
        u = u * 256 + (0x80 | (c & 63));
        n++;
      }
    } else {
      u = u * 256 + (0xe0 | (c >> 12));
      if (++n < 6) {
        u = u * 256 + (0x80 | ((c >> 6) & 63));
        if (++n < 6) {
          u = u * 256 + (0x80 | (c & 63));
          n++;
        }
      }
    }
  }
  for (; n < 6; n++) u *= 256;
  return u;
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return a.slice(0, i);
}

/** Bit i of a byte moved to bit i * stride, for every byte value. */
function spreadTable(stride: number, shift: number): Float64Array {
  const t = new Float64Array(256);
  for (let v = 0; v < 256; v++) {
    let x = 0;
    for (let i = 0; i < 8; i++) if (v & (1 << i)) x += 2 ** (i * stride + shift);
    t[v] = x;
  }
  return t;
}

/**
 * The z-value mapping of one interleaved key: one per write, set before its
 * first sort (cover), widened by later covers, and applied by zValues.
 */
export class ZOrder {
  /** Bits of key per column. */
  readonly bits: number;
  private fixed = false;
  private readonly origin: Float64Array;
  private readonly exp: Int32Array;
  private readonly nullU: Float64Array;
  private readonly prefix: string[];
  /** Per column, per byte of its key: the byte's bits placed at their z positions. */
  private readonly spread: Float64Array[][];
  private scratch = new Float64Array(0);

  /**
   * `kinds` per key column, in key order; `seed` optional known ranges per
   * column (a rewrite's zone maps), merged with the data of the first cover.
   */
  constructor(
    readonly kinds: readonly ZKind[],
    private readonly seed: readonly (ZRange | null)[] = [],
  ) {
    const k = kinds.length;
    if (k === 0 || k > MAX_INTERLEAVED_COLUMNS) throw new Error(`an interleaved key has 1 to ${MAX_INTERLEAVED_COLUMNS} columns, not ${k}`);
    this.bits = bitsFor(k);
    this.origin = new Float64Array(k);
    this.exp = new Int32Array(k);
    this.nullU = new Float64Array(k);
    this.prefix = kinds.map(() => '');
    const bytes = Math.ceil(this.bits / 8);
    // column 0 takes the top bit of each group of k: among rows equal in every higher bit, the first column decides
    this.spread = kinds.map((_, c) => Array.from({ length: bytes }, (_, m) => spreadTable(k, 8 * m * k + (k - 1 - c))));
  }

  /** Whether the mapping is set (by a first cover). */
  get ready(): boolean {
    return this.fixed;
  }

  /**
   * Makes the mapping cover every value of `batches` (each: the key columns'
   * vectors, in key order): the first call sets it from them and the seed,
   * later calls widen it as needed (see the module comment). Call it before
   * sorting rows by zValues.
   */
  cover(batches: readonly (readonly Vector[])[]): void {
    if (!this.fixed) {
      this.init(batches);
      return;
    }
    const k = this.kinds.length;
    const lo = new Float64Array(k).fill(Infinity);
    const hi = new Float64Array(k).fill(-Infinity);
    for (const cols of batches) {
      for (let c = 0; c < k; c++) {
        const v = cols[c]!;
        const u = this.units(c, v);
        const nulls = v.nulls;
        let a = lo[c]!;
        let b = hi[c]!;
        for (let i = 0; i < v.length; i++) {
          if (nulls && nulls[i]) continue;
          const x = u[i]!;
          if (x < a) a = x;
          if (x > b) b = x;
        }
        lo[c] = a;
        hi[c] = b;
      }
    }
    for (;;) {
      let fits = true;
      for (let c = 0; c < k; c++) {
        if (lo[c]! < this.origin[c]! || hi[c]! >= this.origin[c]! + 2 ** (this.exp[c]! + this.bits)) fits = false;
      }
      if (fits) return;
      // one doubling of every column's frame: downwards for a column with values below it, upwards otherwise
      for (let c = 0; c < k; c++) {
        if (lo[c]! < this.origin[c]!) this.origin[c] = this.origin[c]! - 2 ** (this.exp[c]! + this.bits);
        this.exp[c]!++;
      }
    }
  }

  private init(batches: readonly (readonly Vector[])[]): void {
    for (let c = 0; c < this.kinds.length; c++) {
      const s = this.seed[c] ?? null;
      let lo: number;
      let hi: number;
      if (this.kinds[c] === 'str') {
        let min: string | null = typeof s?.min === 'string' ? s.min : null;
        let max: string | null = typeof s?.max === 'string' ? s.max : null;
        for (const cols of batches) {
          const v = cols[c]!;
          if (v.kind !== 'str') throw new Error('a string key column needs string vectors');
          const used = new Uint8Array(v.dict.length);
          for (let i = 0; i < v.length; i++) if (!(v.nulls && v.nulls[i])) used[v.codes[i]!] = 1;
          for (let d = 0; d < v.dict.length; d++) {
            if (!used[d]) continue;
            const x = v.dict[d]!;
            if (min === null || x < min) min = x;
            if (max === null || x > max) max = x;
          }
        }
        this.prefix[c] = min !== null && max !== null ? commonPrefix(min, max) : '';
        lo = min === null ? 0 : this.stringU(c, min);
        hi = max === null ? 0 : this.stringU(c, max);
      } else {
        lo = Infinity;
        hi = -Infinity;
        const fromSeed = (x: number | string | null | undefined) => {
          if (typeof x !== 'number') return;
          const u = this.kinds[c] === 'float' ? floatU(x) : intU(x);
          if (u < lo) lo = u;
          if (u > hi) hi = u;
        };
        fromSeed(s?.min);
        fromSeed(s?.max);
        for (const cols of batches) {
          const v = cols[c]!;
          const u = this.units(c, v);
          const nulls = v.nulls;
          for (let i = 0; i < v.length; i++) {
            if (nulls && nulls[i]) continue;
            if (u[i]! < lo) lo = u[i]!;
            if (u[i]! > hi) hi = u[i]!;
          }
        }
        if (lo > hi) lo = hi = 0;
      }
      this.nullU[c] = lo - 1;
      this.origin[c] = lo - 1;
      const span = hi - lo + 2;
      let p = 0;
      while (2 ** p < span) p++;
      this.exp[c] = p - this.bits;
    }
    this.fixed = true;
  }

  private stringU(c: number, s: string): number {
    const p = this.prefix[c]!;
    if (s.startsWith(p)) return prefixBytes(s, p.length);
    return s < p ? -1 : TWO_48;
  }

  /** Column c's values as order-preserving integers (NULL slots hold anything), in a scratch buffer valid until the next call. */
  private units(c: number, v: Vector): Float64Array {
    const n = v.length;
    if (this.scratch.length < n) this.scratch = new Float64Array(Math.max(n, this.scratch.length * 2));
    const out = this.scratch;
    switch (v.kind) {
      case 'str': {
        if (this.kinds[c] !== 'str') throw new Error('a numeric key column got a string vector');
        const dictU = new Float64Array(v.dict.length);
        for (let d = 0; d < v.dict.length; d++) dictU[d] = this.stringU(c, v.dict[d]!);
        const codes = v.codes;
        const nulls = v.nulls;
        // a NULL slot's code may point past the dictionary
        for (let i = 0; i < n; i++) out[i] = nulls && nulls[i] ? 0 : dictU[codes[i]!]!;
        return out;
      }
      case 'f64':
        if (this.kinds[c] === 'float') for (let i = 0; i < n; i++) out[i] = floatU(v.values[i]!);
        else for (let i = 0; i < n; i++) out[i] = intU(v.values[i]!);
        return out;
      case 'i32':
      case 'bool': {
        const x = v.values;
        for (let i = 0; i < n; i++) out[i] = x[i]!;
        return out;
      }
    }
  }

  /**
   * The z-values of the rows of `columns` (the key columns' vectors, in key
   * order, of equal length) under the mapping as it is now. Values outside
   * the frame (not covered) are clamped to its ends.
   */
  zValues(columns: readonly Vector[], out?: Float64Array): Float64Array {
    if (!this.fixed) throw new Error('ZOrder.zValues before the mapping was set (cover)');
    const n = columns[0]?.length ?? 0;
    const z = out && out.length >= n ? out : new Float64Array(n);
    z.fill(0, 0, n);
    const maxKey = 2 ** this.bits - 1;
    for (let c = 0; c < this.kinds.length; c++) {
      const v = columns[c]!;
      const u = this.units(c, v);
      const o = this.origin[c]!;
      const scale = 2 ** -this.exp[c]!;
      const nullKey = Math.floor((this.nullU[c]! - o) * scale);
      const nulls = v.nulls;
      const t = this.spread[c]!;
      const t0 = t[0]!;
      const t1 = t[1] ?? t0;
      const t2 = t[2] ?? t0;
      const bytes = t.length;
      for (let i = 0; i < n; i++) {
        let q = nulls && nulls[i] ? nullKey : Math.floor((u[i]! - o) * scale);
        q = q < 0 ? 0 : q > maxKey ? maxKey : q;
        let add = t0[q & 255]!;
        if (bytes > 1) add += t1[(q >>> 8) & 255]!;
        if (bytes > 2) add += t2[(q >>> 16) & 255]!;
        z[i] = z[i]! + add;
      }
    }
    return z;
  }
}

/** Sorts row numbers by z-value, ties in row order (a stable sort, so equal rows keep their load order). */
export function sortByZ(order: Uint32Array, z: Float64Array): void {
  order.sort((a, b) => z[a]! - z[b]! || a - b);
}
