/**
 * RAW: the values as they are.
 *
 *   i32   n x int32 LE
 *   f64   n x float64 LE (bit-exact: NaN payloads and -0 survive)
 *   bool  n x u8 (0 or 1)
 *   str   the row strings as text (see text.ts): n varint lengths, then UTF-8
 *
 * Always applicable, and the fallback when no other codec can hold a block.
 */
import type { PhysicalKind, StrVector, Vector } from '../../types.js';
import { bytesOf, corrupt, readF64s, readI32s } from './bytes.js';
import type { Codec } from './codec.js';
import { layoutText, readText, textSize, writeText } from './text.js';

/** The string of every row, in row order. */
function rowStrings(v: StrVector): string[] {
  const { codes, dict } = v;
  const out = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = dict[codes[i]!]!;
  return out;
}

/** The vector of `strings`, one dictionary entry per row. */
function strVectorOf(strings: readonly string[]): StrVector {
  const codes = new Uint32Array(strings.length);
  for (let i = 0; i < codes.length; i++) codes[i] = i;
  return { kind: 'str', codes, dict: strings, nulls: null, length: strings.length };
}

/** Fixed bytes per value of a numeric kind. */
function valueBytes(kind: 'i32' | 'f64' | 'bool'): number {
  return kind === 'i32' ? 4 : kind === 'f64' ? 8 : 1;
}

/** Decodes `count` raw numeric values of `kind` at byte `at`. */
function readRawNumbers(bytes: Uint8Array, at: number, kind: 'i32' | 'f64' | 'bool', count: number): Int32Array | Float64Array | Uint8Array {
  if (kind === 'i32') return readI32s(bytes, at, count);
  if (kind === 'f64') return readF64s(bytes, at, count);
  if (at + count > bytes.length) throw corrupt('values are truncated');
  // a copy even when bytes is a Buffer (whose slice is a view): the vector must not alias the read buffer
  return new Uint8Array(bytes.subarray(at, at + count));
}

let scratch = new ArrayBuffer(1 << 16);
let scratchBytes = new Uint8Array(scratch);

function ensureScratch(byteLength: number): void {
  if (scratch.byteLength >= byteLength) return;
  scratch = new ArrayBuffer(Math.max(byteLength, 2 * scratch.byteLength));
  scratchBytes = new Uint8Array(scratch);
}

export const rawCodec: Codec = {
  id: 'raw',

  supports(): boolean {
    return true;
  },

  encodedSize(v: Vector): number {
    if (v.kind !== 'str') return v.length * valueBytes(v.kind);
    const strings = rowStrings(v);
    return textSize(strings, layoutText(strings));
  },

  encode(v: Vector): Uint8Array {
    if (v.kind !== 'str') return bytesOf(v.values, v.length).slice();
    const strings = rowStrings(v);
    const layout = layoutText(strings);
    const out = new Uint8Array(textSize(strings, layout));
    writeText(strings, layout, out, 0);
    return out;
  },

  decode(bytes: Uint8Array, kind: PhysicalKind, length: number): Vector {
    if (kind === 'str') return strVectorOf(readText(bytes, 0, length));
    if (bytes.length !== length * valueBytes(kind)) throw corrupt(`raw ${kind} block of ${bytes.length} bytes for ${length} rows`);
    return { kind, values: readRawNumbers(bytes, 0, kind, length), nulls: null, length } as Vector;
  },

  decodeSelected(bytes: Uint8Array, kind: PhysicalKind, length: number, sel: Uint32Array, count: number): Vector {
    if (kind === 'str') {
      // the rows' strings must all be parsed to find the selected ones: keep them as the dictionary
      const codes = new Uint32Array(count);
      codes.set(sel.subarray(0, count));
      return { kind, codes, dict: readText(bytes, 0, length), nulls: null, length: count };
    }
    if (bytes.length !== length * valueBytes(kind)) throw corrupt(`raw ${kind} block of ${bytes.length} bytes for ${length} rows`);
    // the block copied once into aligned scratch (memcpy), then picked by typed-array loads and
    // stores, which move a double's 64 bits as they are (NaN payloads, -0)
    if (kind !== 'bool') ensureScratch(bytes.length);
    switch (kind) {
      case 'i32': {
        scratchBytes.set(bytes);
        const all = new Int32Array(scratch, 0, length);
        const values = new Int32Array(count);
        for (let j = 0; j < count; j++) values[j] = all[sel[j]!]!;
        return { kind, values, nulls: null, length: count };
      }
      case 'f64': {
        scratchBytes.set(bytes);
        const all = new Float64Array(scratch, 0, length);
        const values = new Float64Array(count);
        for (let j = 0; j < count; j++) values[j] = all[sel[j]!]!;
        return { kind, values, nulls: null, length: count };
      }
      case 'bool': {
        const values = new Uint8Array(count);
        for (let j = 0; j < count; j++) values[j] = bytes[sel[j]!]!;
        return { kind, values, nulls: null, length: count };
      }
    }
  },
};
