/**
 * Byte-level helpers shared by the codecs: typed-array copies, LEB128 varints and a
 * small cursor for reading block headers.
 *
 * Encoded blocks are little-endian. Copying typed arrays byte for byte (memcpy) is
 * far faster than per-value DataView calls, and it preserves every bit of a double
 * (NaN payloads, -0), so the codecs rely on the host being little-endian, which every
 * platform Node ships prebuilt binaries for is. We check once instead of silently
 * writing files another host could not read.
 */
import { StorageError } from '../../errors.js';

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('keel storage codecs require a little-endian host');
}

/** Thrown by decoders on bytes no encoder could have produced (a CRC hides most damage first). */
export function corrupt(what: string): StorageError {
  return new StorageError('CORRUPT', `damaged encoded block: ${what}`);
}

/** The bytes of a typed array, as a view (no copy). */
export function bytesOf(a: Int32Array | Float64Array | Uint32Array | Uint8Array, length = a.length): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, length * a.BYTES_PER_ELEMENT);
}

/**
 * Copies `count` little-endian elements starting at byte `at` into a fresh typed
 * array. A copy rather than a view: block buffers come from a shared pool at any
 * alignment, and a vector must not pin or alias the read buffer.
 */
export function readI32s(bytes: Uint8Array, at: number, count: number): Int32Array {
  const out = new Int32Array(count);
  copyOut(bytes, at, out);
  return out;
}

export function readF64s(bytes: Uint8Array, at: number, count: number): Float64Array {
  const out = new Float64Array(count);
  copyOut(bytes, at, out);
  return out;
}

/** Copies `byteLength` bytes at `at` into fresh u32 words, zero-padding the last one. */
export function readWords(bytes: Uint8Array, at: number, byteLength: number): Uint32Array {
  const out = new Uint32Array((byteLength + 3) >>> 2);
  if (at + byteLength > bytes.length) throw corrupt('bit-packed data is truncated');
  new Uint8Array(out.buffer).set(bytes.subarray(at, at + byteLength));
  return out;
}

function copyOut(bytes: Uint8Array, at: number, out: Int32Array | Float64Array): void {
  const end = at + out.byteLength;
  if (end > bytes.length) throw corrupt('values are truncated');
  new Uint8Array(out.buffer).set(bytes.subarray(at, end));
}

/** Bytes of the LEB128 varint of a non-negative integer up to 2^53. */
export function varintSize(x: number): number {
  if (x < 0x80) return 1;
  if (x < 0x4000) return 2;
  if (x < 0x200000) return 3;
  if (x < 0x10000000) return 4;
  let size = 5;
  for (let rest = Math.floor(x / 0x800000000); rest > 0; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

/** Writes the LEB128 varint of a non-negative integer up to 2^53; returns the next offset. */
export function writeVarint(out: Uint8Array, at: number, x: number): number {
  // Bitwise operators stop at 32 bits, so the high part is peeled off arithmetically.
  while (x >= 0x80) {
    out[at++] = (x % 0x80) | 0x80;
    x = Math.floor(x / 0x80);
  }
  out[at++] = x;
  return at;
}

/** A forward cursor over a block's bytes, for headers (not for per-value loops). */
export class ByteReader {
  pos: number;
  constructor(readonly bytes: Uint8Array, pos = 0) {
    this.pos = pos;
  }

  u8(): number {
    if (this.pos >= this.bytes.length) throw corrupt('header is truncated');
    return this.bytes[this.pos++]!;
  }

  varint(): number {
    const bytes = this.bytes;
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= bytes.length || scale > 2 ** 56) throw corrupt('varint is truncated or too long');
      const b = bytes[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
  }

  i32(): number {
    const v = this.view(4).getInt32(0, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    const v = this.view(8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  private view(n: number): DataView {
    if (this.pos + n > this.bytes.length) throw corrupt('header is truncated');
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, n);
  }
}

/** Appends fixed-width little-endian header fields. */
export function writeI32(out: Uint8Array, at: number, x: number): number {
  new DataView(out.buffer, out.byteOffset + at, 4).setInt32(0, x, true);
  return at + 4;
}

export function writeF64(out: Uint8Array, at: number, x: number): number {
  new DataView(out.buffer, out.byteOffset + at, 8).setFloat64(0, x, true);
  return at + 8;
}
