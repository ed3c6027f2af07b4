/**
 * The hash that places rows of a KEY-distributed table on slices. Execution
 * redistributes join inputs with the same function, so rows that are equal on a
 * key always meet on one slice. Equal numbers hash equal whatever their physical
 * kind (an INTEGER 7 and a BIGINT 7 land together).
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** MurmurHash3's 32-bit finalizer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashInt32(x: number): number {
  return fmix32((x | 0) ^ fmix32(x < 0 ? 0xffffffff : 0));
}

export function hashNumber(x: number): number {
  if (Number.isInteger(x) && x >= -9007199254740991 && x <= 9007199254740991) {
    const hi = Math.floor(x / 4294967296);
    return fmix32((x - hi * 4294967296) ^ fmix32(hi >>> 0));
  }
  f64[0] = x;
  return fmix32(u32[0]! ^ fmix32(u32[1]!));
}

export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** NULL keys all hash to 0, so they collect on slice 0 (as Redshift places them on one slice). */
export const NULL_HASH = 0;
