/**
 * DICT (Redshift BYTEDICT, TEXT255, TEXT32K): the distinct values once, and per row
 * the index of its value, bit-packed at the narrowest width that holds d - 1.
 *
 *   varint d                       distinct values
 *   packed codes                   n codes of w = bitWidth(d - 1) bits (0 bits when d <= 1)
 *   entries                        d values, raw (int32 / float64 bits / u8), or text for strings
 *
 * Entries are in order of first appearance; doubles are distinguished by bit
 * pattern, so every value (NaN payloads, -0) comes back exactly. Unlike Redshift's
 * BYTEDICT there is no 256-entry cap: the size comparison in ENCODE AUTO already
 * rejects a dictionary that does not pay for itself.
 *
 * Decoding strings is nearly free: the packed codes and the entries are the
 * StrVector itself.
 */
import type { PhysicalKind, Vector } from '../../types.js';
import { bitWidth, pack, packedBytes, unpack, unpackSelected } from './bitpack.js';
import { ByteReader, bytesOf, corrupt, readF64s, readI32s, varintSize, writeVarint } from './bytes.js';
import type { Codec } from './codec.js';
import { distinctBool, distinctF64Bits, distinctI32, distinctStrings } from './distinct.js';
import { layoutText, readText, textSize, writeText } from './text.js';

/** Code width for a dictionary of `count` entries. */
export function dictCodeWidth(count: number): number {
  return count <= 1 ? 0 : bitWidth(count - 1);
}

/** Bytes of a dictionary block before its entries: the entry count and the packed codes. */
export function dictHeaderAndCodes(rows: number, count: number): number {
  return varintSize(count) + packedBytes(rows, dictCodeWidth(count));
}

const codeWidth = dictCodeWidth;
const headerAndCodes = dictHeaderAndCodes;

let scratchCodes = new Uint32Array(16_384);

// The per-row loops live in functions of their own: small functions are what V8 optimizes best.

function expandI32(codes: Uint32Array, entries: Int32Array, length: number): Int32Array {
  const values = new Int32Array(length);
  for (let i = 0; i < length; i++) values[i] = entries[codes[i]!]!;
  return values;
}

/**
 * Entries copied as doubles: typed-array loads and stores move the 64 bits as
 * they are (NaN payloads and -0 survive; the codec tests check it bit for bit).
 */
function expandF64(codes: Uint32Array, entries: Float64Array, length: number): Float64Array {
  const values = new Float64Array(length);
  for (let i = 0; i < length; i++) values[i] = entries[codes[i]!]!;
  return values;
}

export const dictCodec: Codec = {
  id: 'dict',

  supports(): boolean {
    return true;
  },

  encodedSize(v: Vector): number {
    const n = v.length;
    switch (v.kind) {
      case 'i32': {
        const { count } = distinctI32(v.values, n, null);
        return headerAndCodes(n, count) + 4 * count;
      }
      case 'f64': {
        const { count } = distinctF64Bits(v.values, n, null);
        return headerAndCodes(n, count) + 8 * count;
      }
      case 'bool': {
        const { count } = distinctBool(v.values, n, null);
        return headerAndCodes(n, count) + count;
      }
      case 'str': {
        const { entries, count } = distinctStrings(v, null);
        return headerAndCodes(n, count) + textSize(entries, layoutText(entries));
      }
    }
  },

  encode(v: Vector): Uint8Array {
    const n = v.length;
    const codes = new Uint32Array(n);
    let count: number;
    let entryBytes: Uint8Array | null = null;
    let strings: string[] | null = null;
    switch (v.kind) {
      case 'i32': {
        const d = distinctI32(v.values, n, codes);
        count = d.count;
        entryBytes = bytesOf(d.entries);
        break;
      }
      case 'f64': {
        const d = distinctF64Bits(v.values, n, codes);
        count = d.count;
        entryBytes = bytesOf(d.entries);
        break;
      }
      case 'bool': {
        const d = distinctBool(v.values, n, codes);
        count = d.count;
        entryBytes = d.entries;
        break;
      }
      case 'str': {
        const d = distinctStrings(v, codes);
        count = d.count;
        strings = d.entries;
        break;
      }
    }
    const layout = strings ? layoutText(strings) : null;
    const size = headerAndCodes(n, count) + (strings ? textSize(strings, layout!) : entryBytes!.length);
    const out = new Uint8Array(size);
    let at = writeVarint(out, 0, count);
    at = pack(codes, n, codeWidth(count), out, at);
    if (strings) writeText(strings, layout!, out, at);
    else out.set(entryBytes!, at);
    return out;
  },

  decode(bytes: Uint8Array, kind: PhysicalKind, length: number): Vector {
    const reader = new ByteReader(bytes);
    const count = reader.varint();
    if (count > length || (count === 0 && length > 0)) throw corrupt(`dictionary of ${count} entries for ${length} rows`);
    // string codes are the vector's own; numeric ones only index the entries, in a reused buffer
    if (kind !== 'str' && scratchCodes.length < length) scratchCodes = new Uint32Array(Math.max(length, 2 * scratchCodes.length));
    const codes = kind === 'str' ? new Uint32Array(length) : scratchCodes;
    const width = codeWidth(count);
    unpack(bytes, reader.pos, length, width, codes);
    const at = reader.pos + packedBytes(length, width);
    switch (kind) {
      case 'str':
        return { kind, codes, dict: readText(bytes, at, count), nulls: null, length };
      case 'i32':
        return { kind, values: expandI32(codes, readI32s(bytes, at, count), length), nulls: null, length };
      case 'f64':
        return { kind, values: expandF64(codes, readF64s(bytes, at, count), length), nulls: null, length };
      case 'bool': {
        if (at + count > bytes.length) throw corrupt('dictionary entries are truncated');
        const entries = bytes.subarray(at, at + count);
        const values = new Uint8Array(length);
        for (let i = 0; i < length; i++) values[i] = entries[codes[i]!]!;
        return { kind, values, nulls: null, length };
      }
    }
  },

  decodeSelected(bytes: Uint8Array, kind: PhysicalKind, length: number, sel: Uint32Array, count: number): Vector {
    const reader = new ByteReader(bytes);
    const entriesCount = reader.varint();
    if (entriesCount > length || (entriesCount === 0 && length > 0)) throw corrupt(`dictionary of ${entriesCount} entries for ${length} rows`);
    if (kind !== 'str' && scratchCodes.length < count) scratchCodes = new Uint32Array(Math.max(count, 2 * scratchCodes.length));
    const codes = kind === 'str' ? new Uint32Array(count) : scratchCodes;
    const width = codeWidth(entriesCount);
    if (reader.pos + packedBytes(length, width) > bytes.length) throw corrupt('bit-packed data is truncated');
    unpackSelected(bytes, reader.pos, length, width, sel, count, 0, codes);
    const at = reader.pos + packedBytes(length, width);
    switch (kind) {
      case 'str':
        return { kind, codes, dict: readText(bytes, at, entriesCount), nulls: null, length: count };
      case 'i32':
        return { kind, values: expandI32(codes, readI32s(bytes, at, entriesCount), count), nulls: null, length: count };
      case 'f64':
        return { kind, values: expandF64(codes, readF64s(bytes, at, entriesCount), count), nulls: null, length: count };
      case 'bool': {
        if (at + entriesCount > bytes.length) throw corrupt('dictionary entries are truncated');
        const entries = bytes.subarray(at, at + entriesCount);
        const values = new Uint8Array(count);
        for (let j = 0; j < count; j++) values[j] = entries[codes[j]!]!;
        return { kind, values, nulls: null, length: count };
      }
    }
  },
};
