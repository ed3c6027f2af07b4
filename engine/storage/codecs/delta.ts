/**
 * DELTA (Redshift DELTA, DELTA32K): the first value, then each value's difference
 * from the one before. Pays off on sorted or slowly changing integers (dates,
 * timestamps, ids). Integral values only.
 *
 *   u8 mode, first value (int32 / float64 / u8), then the n - 1 deltas as either
 *     mode 0, packed:  a FOR body (see for.ts): min delta, width, bit-packed offsets.
 *                      Best when steps are regular: a constant stride packs to 0 bits.
 *     mode 1, varint:  zig-zag LEB128 per delta. Best when a few big jumps would
 *                      widen every packed delta.
 *   An empty block is 0 bytes.
 *
 * The encoder computes both sizes in one pass and writes the smaller. f64 blocks
 * qualify when every value is an integer within +-(2^53 - 1), none is -0, and no
 * step exceeds 2^53 - 1 (so that every delta is exact); otherwise encodedSize is
 * Infinity.
 */
import type { PhysicalKind, Vector } from '../../types.js';
import { ByteReader, corrupt, writeF64, writeI32 } from './bytes.js';
import type { Codec } from './codec.js';
import { f64BodySize, readF64Body, spanWidth, writeF64Body } from './for.js';
import { packedBytes, unpackAdd } from './bitpack.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const PACKED = 0;
const VARINT = 1;

interface DeltaStats {
  readonly minDelta: number;
  readonly maxDelta: number;
  /** Bytes of all deltas as zig-zag varints. */
  readonly varintBytes: number;
}

/**
 * Bytes of the zig-zag varint of a delta whose magnitude part is m (m = d for
 * d >= 0, -d - 1 for d < 0; the zig-zag value is 2m + sign). Thresholds on m
 * rather than on 2m + sign, which may pass 2^53.
 */
function zigzagBytes(m: number): number {
  if (m < 0x40) return 1;
  if (m < 0x2000) return 2;
  if (m < 0x100000) return 3;
  if (m < 0x8000000) return 4;
  if (m < 0x400000000) return 5;
  if (m < 0x20000000000) return 6;
  if (m < 0x1000000000000) return 7;
  return 8;
}

/** Delta statistics of a block, or null when delta cannot hold it exactly. */
function deltaStats(v: Vector): DeltaStats | null {
  if (v.kind === 'str') return null;
  const x = v.values;
  const n = v.length;
  if (v.kind === 'f64') {
    for (let i = 0; i < n; i++) {
      const y = x[i]!;
      if (!(y >= -MAX_SAFE && y <= MAX_SAFE) || Math.floor(y) !== y) return null;
      if (y === 0 && 1 / y < 0) return null;
    }
  }
  let minDelta = 0;
  let maxDelta = 0;
  let varintBytes = 0;
  for (let i = 1; i < n; i++) {
    const d = x[i]! - x[i - 1]!;
    // Beyond 2^53 - 1 the subtraction may have rounded (this only happens for f64).
    if (d > MAX_SAFE || d < -MAX_SAFE) return null;
    if (i === 1 || d < minDelta) minDelta = d;
    if (i === 1 || d > maxDelta) maxDelta = d;
    varintBytes += zigzagBytes(d >= 0 ? d : -d - 1);
  }
  return { minDelta, maxDelta, varintBytes };
}

function firstValueBytes(kind: 'i32' | 'f64' | 'bool'): number {
  return kind === 'i32' ? 4 : kind === 'f64' ? 8 : 1;
}

/** The cheaper mode and the block size with it. */
function plan(v: Vector, stats: DeltaStats): { mode: number; size: number; width: number } {
  const n = v.length;
  const head = 1 + firstValueBytes(v.kind as 'i32' | 'f64' | 'bool');
  const width = spanWidth(stats.minDelta, stats.maxDelta);
  const packed = head + f64BodySize(n - 1, width);
  const varint = head + stats.varintBytes;
  return packed <= varint ? { mode: PACKED, size: packed, width } : { mode: VARINT, size: varint, width };
}

export const deltaCodec: Codec = {
  id: 'delta',

  supports(kind: PhysicalKind): boolean {
    return kind !== 'str';
  },

  encodedSize(v: Vector): number {
    if (v.length === 0) return v.kind === 'str' ? Infinity : 0;
    const stats = deltaStats(v);
    return stats ? plan(v, stats).size : Infinity;
  },

  encode(v: Vector): Uint8Array {
    if (v.kind === 'str') throw new Error('DELTA does not encode strings');
    const n = v.length;
    if (n === 0) return new Uint8Array(0);
    const stats = deltaStats(v);
    if (!stats) throw new Error('DELTA cannot encode non-integral doubles, -0, values beyond +-(2^53 - 1) or steps beyond 2^53 - 1');
    const { mode, size, width } = plan(v, stats);
    const out = new Uint8Array(size);
    const x = v.values;
    out[0] = mode;
    let at = 1;
    if (v.kind === 'i32') at = writeI32(out, at, x[0]!);
    else if (v.kind === 'f64') at = writeF64(out, at, x[0]!);
    else out[at++] = x[0]!;
    if (mode === PACKED) {
      const deltas = new Float64Array(n - 1);
      for (let i = 1; i < n; i++) deltas[i - 1] = x[i]! - x[i - 1]!;
      writeF64Body(deltas, n - 1, { min: stats.minDelta, width }, out, at);
      return out;
    }
    for (let i = 1; i < n; i++) {
      const d = x[i]! - x[i - 1]!;
      const sign = d < 0 ? 1 : 0;
      let m = sign ? -d - 1 : d;
      // First byte: continuation bit, 6 bits of m, the sign; then 7 bits of m per byte.
      out[at++] = ((m % 0x40) << 1) | sign | (m >= 0x40 ? 0x80 : 0);
      m = Math.floor(m / 0x40);
      while (m > 0) {
        out[at++] = (m % 0x80) | (m >= 0x80 ? 0x80 : 0);
        m = Math.floor(m / 0x80);
      }
    }
    if (at !== size) throw new Error(`DELTA size mismatch (${at} of ${size} bytes)`);
    return out;
  },

  decode(bytes: Uint8Array, kind: PhysicalKind, length: number): Vector {
    if (kind === 'str') throw new Error('DELTA does not decode strings');
    if (length === 0) return emptyOf(kind);
    const reader = new ByteReader(bytes);
    const mode = reader.u8();
    const first = kind === 'i32' ? reader.i32() : kind === 'f64' ? reader.f64() : reader.u8();
    let deltas: Float64Array;
    if (mode === PACKED && kind !== 'bool') {
      // the common case decodes in place: deltas (min + offset) unpacked into values[1..], then summed
      const body = new ByteReader(bytes, reader.pos);
      const min = body.f64();
      const width = body.u8();
      if (width <= 32) {
        const end = body.pos + packedBytes(length - 1, width);
        if (end !== bytes.length) throw corrupt(`DELTA block of ${bytes.length} bytes, expected ${end}`);
        if (kind === 'i32') {
          const values = new Int32Array(length);
          values[0] = first;
          // i32: each delta lands as its value mod 2^32, which is all a wrapping int32 sum needs
          unpackAdd(bytes, body.pos, length - 1, width, min, values.subarray(1));
          for (let i = 1; i < length; i++) values[i] = (values[i - 1]! + values[i]!) | 0;
          return { kind, values, nulls: null, length };
        }
        const values = new Float64Array(length);
        values[0] = first;
        unpackAdd(bytes, body.pos, length - 1, width, min, values.subarray(1));
        for (let i = 1; i < length; i++) values[i] = values[i - 1]! + values[i]!;
        return { kind, values, nulls: null, length };
      }
    }
    if (mode === VARINT && kind !== 'bool') return sumZigzag(bytes, reader.pos, kind, first, length);
    if (mode === PACKED) {
      const body = readF64Body(bytes, reader.pos, length - 1);
      if (body.end !== bytes.length) throw corrupt(`DELTA block of ${bytes.length} bytes, expected ${body.end}`);
      deltas = body.values;
    } else if (mode === VARINT) {
      deltas = readZigzag(bytes, reader.pos, length - 1);
    } else {
      throw corrupt(`DELTA mode ${mode}`);
    }
    return prefixSums(kind, first, deltas, length);
  },
};

/**
 * The values of a varint block in one pass: each delta read and added as it
 * comes, into the result's own array (no array of deltas between), the
 * one-byte delta (|d| < 64, the common case) without entering the byte loop.
 */
function sumZigzag(bytes: Uint8Array, at: number, kind: 'i32' | 'f64', first: number, length: number): Vector {
  const values = kind === 'i32' ? new Int32Array(length) : new Float64Array(length);
  values[0] = first;
  let acc = first;
  let p = at;
  const end = bytes.length;
  for (let i = 1; i < length; i++) {
    // Past the end, bytes[p] is undefined and reads as 0: the loop stops and the length check below reports it.
    let b = bytes[p++]! | 0;
    let m = (b & 0x7f) >>> 1;
    const sign = b & 1;
    if (b & 0x80) {
      let scale = 0x40;
      do {
        b = bytes[p++]! | 0;
        m += (b & 0x7f) * scale;
        scale *= 0x80;
      } while (b & 0x80);
    }
    acc += sign ? -m - 1 : m;
    // i32: the sum wraps as int32 arithmetic does, which is all the encoder's deltas need
    if (kind === 'i32') acc |= 0;
    values[i] = acc;
  }
  if (p !== end) throw corrupt(`DELTA varints end at byte ${p} of ${end}`);
  return { kind, values, nulls: null, length } as Vector;
}

/** n zig-zag varint deltas from `at` to the end of bytes. */
function readZigzag(bytes: Uint8Array, at: number, n: number): Float64Array {
  const deltas = new Float64Array(n);
  let p = at;
  for (let i = 0; i < n; i++) {
    // Past the end, bytes[p] is undefined and reads as 0: the loop stops and the length check below reports it.
    let b = bytes[p++]! | 0;
    let m = (b & 0x7f) >>> 1;
    const sign = b & 1;
    let scale = 0x40;
    while (b & 0x80) {
      b = bytes[p++]! | 0;
      m += (b & 0x7f) * scale;
      scale *= 0x80;
    }
    deltas[i] = sign ? -m - 1 : m;
  }
  if (p !== bytes.length) throw corrupt(`DELTA varints end at byte ${p} of ${bytes.length}`);
  return deltas;
}

function prefixSums(kind: 'i32' | 'f64' | 'bool', first: number, deltas: Float64Array, length: number): Vector {
  let acc = first;
  switch (kind) {
    case 'i32': {
      const values = new Int32Array(length);
      values[0] = acc;
      for (let i = 1; i < length; i++) values[i] = acc = (acc + deltas[i - 1]!) | 0;
      return { kind, values, nulls: null, length };
    }
    case 'f64': {
      const values = new Float64Array(length);
      values[0] = acc;
      for (let i = 1; i < length; i++) values[i] = acc += deltas[i - 1]!;
      return { kind, values, nulls: null, length };
    }
    case 'bool': {
      const values = new Uint8Array(length);
      values[0] = acc;
      for (let i = 1; i < length; i++) values[i] = acc += deltas[i - 1]!;
      return { kind, values, nulls: null, length };
    }
  }
}

function emptyOf(kind: 'i32' | 'f64' | 'bool'): Vector {
  if (kind === 'i32') return { kind, values: new Int32Array(0), nulls: null, length: 0 };
  if (kind === 'f64') return { kind, values: new Float64Array(0), nulls: null, length: 0 };
  return { kind, values: new Uint8Array(0), nulls: null, length: 0 };
}
