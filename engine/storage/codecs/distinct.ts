/**
 * Distinct values of a block in order of first appearance, with each row's index
 * into them: what the dictionary codec stores. Numbers go through an
 * open-addressing hash table over typed arrays (no per-value objects); doubles are
 * compared by bit pattern, so -0 and 0, and NaNs with different payloads, stay
 * distinct and come back exactly. Strings use a Map: they are objects already.
 */
import type { StrVector } from '../../types.js';

export interface Distinct<E> {
  /** Distinct values (for f64: the values' bits as lo, hi u32 pairs). */
  readonly entries: E;
  readonly count: number;
}

/** Hash table size: a power of two at least twice the row count, as a shift for the hash. */
function tableBits(rows: number): number {
  return Math.max(4, 33 - Math.clz32(rows));
}

/** Distinct int32 values; writes each row's entry index to codes when given. */
export function distinctI32(values: Int32Array, length: number, codes: Uint32Array | null): Distinct<Int32Array> {
  const bits = tableBits(length);
  const shift = 32 - bits;
  const mask = (1 << bits) - 1;
  const slots = new Int32Array(1 << bits); // entry index + 1; 0 is empty
  const entries = new Int32Array(length);
  let count = 0;
  for (let i = 0; i < length; i++) {
    const x = values[i]!;
    let h = Math.imul(x, 0x9e3779b1) >>> shift;
    let code = -1;
    for (;;) {
      const s = slots[h]!;
      if (s === 0) {
        entries[count] = x;
        code = count++;
        slots[h] = count;
        break;
      }
      if (entries[s - 1] === x) {
        code = s - 1;
        break;
      }
      h = (h + 1) & mask;
    }
    if (codes) codes[i] = code;
  }
  return { entries: entries.subarray(0, count), count };
}

/** Distinct doubles by bit pattern; entries are (lo, hi) word pairs. */
export function distinctF64Bits(values: Float64Array, length: number, codes: Uint32Array | null): Distinct<Uint32Array> {
  const words = new Uint32Array(values.buffer, values.byteOffset, length * 2);
  const bits = tableBits(length);
  const shift = 32 - bits;
  const mask = (1 << bits) - 1;
  const slots = new Int32Array(1 << bits);
  const entries = new Uint32Array(length * 2);
  let count = 0;
  for (let i = 0; i < length; i++) {
    const lo = words[2 * i]!;
    const hi = words[2 * i + 1]!;
    let h = Math.imul(Math.imul(hi, 0x85ebca6b) ^ lo, 0x9e3779b1) >>> shift;
    let code = -1;
    for (;;) {
      const s = slots[h]!;
      if (s === 0) {
        entries[2 * count] = lo;
        entries[2 * count + 1] = hi;
        code = count++;
        slots[h] = count;
        break;
      }
      const e = 2 * (s - 1);
      if (entries[e] === lo && entries[e + 1] === hi) {
        code = s - 1;
        break;
      }
      h = (h + 1) & mask;
    }
    if (codes) codes[i] = code;
  }
  return { entries: entries.subarray(0, 2 * count), count };
}

/** Distinct booleans (any byte value, though only 0 and 1 occur). */
export function distinctBool(values: Uint8Array, length: number, codes: Uint32Array | null): Distinct<Uint8Array> {
  const entries = new Uint8Array(256);
  const index = new Int16Array(256).fill(-1);
  let count = 0;
  for (let i = 0; i < length; i++) {
    const x = values[i]!;
    let code = index[x]!;
    if (code < 0) {
      entries[count] = x;
      code = count++;
      index[x] = code;
    }
    if (codes) codes[i] = code;
  }
  return { entries: entries.subarray(0, count), count };
}

/**
 * Distinct strings of the rows (not of the vector's dictionary, which may hold
 * unused entries and the same string under several codes).
 */
export function distinctStrings(v: StrVector, codesOut: Uint32Array | null): Distinct<string[]> {
  const { codes, dict } = v;
  const seen = new Map<string, number>();
  const entries: string[] = [];
  for (let i = 0; i < v.length; i++) {
    const s = dict[codes[i]!]!;
    let code = seen.get(s);
    if (code === undefined) {
      code = entries.length;
      entries.push(s);
      seen.set(s, code);
    }
    if (codesOut) codesOut[i] = code;
  }
  return { entries, count: entries.length };
}
