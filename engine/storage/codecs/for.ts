/**
 * FOR, frame of reference (Redshift AZ64, MOSTLY8/16/32): the block minimum once,
 * then every value's offset from it, bit-packed at the width of (max - min).
 * Integral values only.
 *
 *   i32   int32 min,  u8 w (0..32), n offsets of w bits
 *   bool  u8 min,     u8 w (0..8),  n offsets of w bits
 *   f64   float64 min, u8 w (0..55), n low words of min(w, 32) bits,
 *                                    then, when w > 32, n high words of w - 32 bits
 *
 * f64 blocks qualify when every value is an integer within +-2^53 and none is -0
 * (an offset cannot say "negative zero"); otherwise encodedSize is Infinity. Such a
 * block may span up to 2^54, more than a double holds exactly, so wide offsets are
 * computed from 32-bit halves of the values instead of by subtraction.
 */
import type { PhysicalKind, Vector } from '../../types.js';
import { bitWidth, pack, packedBytes, unpack, unpackAdd, unpackSelected } from './bitpack.js';
import { ByteReader, corrupt, writeF64, writeI32 } from './bytes.js';
import type { Codec } from './codec.js';

const TWO32 = 4294967296;
const TWO53 = 9007199254740992;

/** The frame of a block of doubles: its minimum and the offset width. */
export interface F64Frame {
  readonly min: number;
  readonly width: number;
}

/** The frame of values[0..n), or null when some value is not an integer within +-2^53 or is -0. */
export function f64Frame(values: Float64Array, n: number): F64Frame | null {
  let min = 0;
  let max = 0;
  if (n > 0) min = max = values[0]!;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    // NaN fails the range test; fractions fail the floor test.
    if (!(x >= -TWO53 && x <= TWO53) || Math.floor(x) !== x) return null;
    if (x === 0 && 1 / x < 0) return null;
    if (x < min) min = x;
    else if (x > max) max = x;
  }
  return { min, width: spanWidth(min, max) };
}

/**
 * Bits of max - min for integers within +-2^53. The span may exceed 2^53, where a
 * double subtraction would round, so it is taken from the 32-bit halves.
 */
export function spanWidth(min: number, max: number): number {
  const minHi = Math.floor(min / TWO32);
  const maxHi = Math.floor(max / TWO32);
  let spanHi = maxHi - minHi;
  let spanLo = max - maxHi * TWO32 - (min - minHi * TWO32);
  if (spanLo < 0) {
    spanLo += TWO32;
    spanHi -= 1;
  }
  return spanHi > 0 ? 32 + bitWidth(spanHi) : bitWidth(spanLo);
}

export function f64BodySize(n: number, width: number): number {
  return 9 + packedBytes(n, Math.min(width, 32)) + (width > 32 ? packedBytes(n, width - 32) : 0);
}

/** Writes the FOR body of values[0..n) with its frame at `at`; returns the next offset. */
export function writeF64Body(values: Float64Array, n: number, frame: F64Frame, out: Uint8Array, at: number): number {
  const { min, width } = frame;
  at = writeF64(out, at, min);
  out[at++] = width;
  const lo = new Uint32Array(n);
  if (width <= 32) {
    // The span is below 2^32, so each subtraction is exact.
    for (let i = 0; i < n; i++) lo[i] = values[i]! - min;
    return pack(lo, n, width, out, at);
  }
  const hi = new Uint32Array(n);
  const minHi = Math.floor(min / TWO32);
  const minLo = min - minHi * TWO32;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    const xHi = Math.floor(x / TWO32);
    let offLo = x - xHi * TWO32 - minLo;
    let offHi = xHi - minHi;
    if (offLo < 0) {
      offLo += TWO32;
      offHi -= 1;
    }
    lo[i] = offLo;
    hi[i] = offHi;
  }
  at = pack(lo, n, 32, out, at);
  return pack(hi, n, width - 32, out, at);
}

/** Reads a FOR body of n doubles at `at`; returns the values and the offset after it. */
export function readF64Body(bytes: Uint8Array, at: number, n: number): { values: Float64Array; end: number } {
  const reader = new ByteReader(bytes, at);
  const min = reader.f64();
  const width = reader.u8();
  if (width > 55) throw corrupt(`offset width ${width}`);
  at = reader.pos;
  const values = new Float64Array(n);
  if (width <= 32) {
    // min + offset is an integer within +-2^53, so the addition is exact.
    if (at + packedBytes(n, width) > bytes.length) throw corrupt('bit-packed data is truncated');
    unpackAdd(bytes, at, n, width, min, values);
    return { values, end: at + packedBytes(n, width) };
  }
  const lo = new Uint32Array(n);
  unpack(bytes, at, n, 32, lo);
  at += packedBytes(n, 32);
  const hi = new Uint32Array(n);
  unpack(bytes, at, n, width - 32, hi);
  at += packedBytes(n, width - 32);
  const minHi = Math.floor(min / TWO32);
  const minLo = min - minHi * TWO32;
  for (let i = 0; i < n; i++) {
    let vLo = minLo + lo[i]!;
    let vHi = minHi + hi[i]!;
    if (vLo >= TWO32) {
      vLo -= TWO32;
      vHi += 1;
    }
    // vHi * 2^32 is exact and the sum is the original value, which a double holds.
    values[i] = vHi * TWO32 + vLo;
  }
  return { values, end: at };
}

function i32Frame(values: Int32Array | Uint8Array, n: number): { min: number; width: number } {
  let min = n > 0 ? values[0]! : 0;
  let max = min;
  for (let i = 1; i < n; i++) {
    const x = values[i]!;
    if (x < min) min = x;
    else if (x > max) max = x;
  }
  return { min, width: bitWidth(max - min) };
}

export const forCodec: Codec = {
  id: 'for',

  supports(kind: PhysicalKind): boolean {
    return kind !== 'str';
  },

  encodedSize(v: Vector): number {
    switch (v.kind) {
      case 'i32':
        return 5 + packedBytes(v.length, i32Frame(v.values, v.length).width);
      case 'bool':
        return 2 + packedBytes(v.length, i32Frame(v.values, v.length).width);
      case 'f64': {
        const frame = f64Frame(v.values, v.length);
        return frame ? f64BodySize(v.length, frame.width) : Infinity;
      }
      case 'str':
        return Infinity;
    }
  },

  encode(v: Vector): Uint8Array {
    const n = v.length;
    switch (v.kind) {
      case 'f64': {
        const frame = f64Frame(v.values, n);
        if (!frame) throw new Error('FOR cannot encode non-integral doubles, -0 or values beyond +-2^53');
        const out = new Uint8Array(f64BodySize(n, frame.width));
        writeF64Body(v.values, n, frame, out, 0);
        return out;
      }
      case 'i32':
      case 'bool': {
        const { min, width } = i32Frame(v.values, n);
        const header = v.kind === 'i32' ? 5 : 2;
        const out = new Uint8Array(header + packedBytes(n, width));
        if (v.kind === 'i32') writeI32(out, 0, min);
        else out[0] = min;
        out[header - 1] = width;
        const offsets = new Uint32Array(n);
        const x = v.values;
        for (let i = 0; i < n; i++) offsets[i] = x[i]! - min;
        pack(offsets, n, width, out, header);
        return out;
      }
      case 'str':
        throw new Error('FOR does not encode strings');
    }
  },

  decode(bytes: Uint8Array, kind: PhysicalKind, length: number): Vector {
    switch (kind) {
      case 'f64': {
        const { values, end } = readF64Body(bytes, 0, length);
        if (end !== bytes.length) throw corrupt(`FOR block of ${bytes.length} bytes, expected ${end}`);
        return { kind, values, nulls: null, length };
      }
      case 'i32': {
        const reader = new ByteReader(bytes);
        const min = reader.i32();
        const width = reader.u8();
        checkSize(bytes, reader.pos, length, width, 32);
        const values = new Int32Array(length);
        // The true sum fits in int32; |0 maps the float sum back from the u32 offset.
        unpackAdd(bytes, reader.pos, length, width, min, values);
        return { kind, values, nulls: null, length };
      }
      case 'bool': {
        const reader = new ByteReader(bytes);
        const min = reader.u8();
        const width = reader.u8();
        checkSize(bytes, reader.pos, length, width, 8);
        const offsets = new Uint32Array(length);
        unpack(bytes, reader.pos, length, width, offsets);
        const values = new Uint8Array(length);
        for (let i = 0; i < length; i++) values[i] = min + offsets[i]!;
        return { kind, values, nulls: null, length };
      }
      case 'str':
        throw new Error('FOR does not decode strings');
    }
  },

  decodeSelected(bytes: Uint8Array, kind: PhysicalKind, length: number, sel: Uint32Array, count: number): Vector {
    if (kind === 'i32') {
      const reader = new ByteReader(bytes);
      const min = reader.i32();
      const width = reader.u8();
      checkSize(bytes, reader.pos, length, width, 32);
      const values = new Int32Array(count);
      unpackSelected(bytes, reader.pos, length, width, sel, count, min, values);
      return { kind, values, nulls: null, length: count };
    }
    if (kind === 'f64' && bytes.length > 8 && bytes[8]! <= 32) {
      const reader = new ByteReader(bytes);
      const min = reader.f64();
      const width = reader.u8();
      if (bytes.length !== reader.pos + packedBytes(length, width)) throw corrupt(`FOR block of ${bytes.length} bytes for ${length} rows at width ${width}`);
      const values = new Float64Array(count);
      unpackSelected(bytes, reader.pos, length, width, sel, count, min, values);
      return { kind, values, nulls: null, length: count };
    }
    // wide doubles (two streams) and booleans: decode, then pick
    return pick(this.decode(bytes, kind, length), sel, count);
  },
};

/** Rows sel[0..count) of a numeric vector just decoded. */
function pick(v: Vector, sel: Uint32Array, count: number): Vector {
  if (v.kind === 'str') throw new Error('FOR does not decode strings');
  const values = new (v.values.constructor as Int32ArrayConstructor | Float64ArrayConstructor | Uint8ArrayConstructor)(count);
  const x = v.values;
  for (let j = 0; j < count; j++) values[j] = x[sel[j]!]!;
  return { kind: v.kind, values, nulls: null, length: count } as Vector;
}

function checkSize(bytes: Uint8Array, header: number, length: number, width: number, maxWidth: number): void {
  if (width > maxWidth || bytes.length !== header + packedBytes(length, width)) {
    throw corrupt(`FOR block of ${bytes.length} bytes for ${length} rows at width ${width}`);
  }
}
