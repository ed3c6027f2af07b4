/**
 * RLE (Redshift RUNLENGTH): each run of equal consecutive values once, with its
 * length. Pays off on sorted or clustered columns with few distinct values.
 *
 *   varint r                       runs
 *   r varints                      run lengths (each >= 1, summing to n)
 *   run values                     r values, raw (int32 / float64 bits / u8), or text for strings
 *
 * Doubles are compared and copied by bit pattern, so runs of NaN or -0 come back
 * exactly. Strings are compared by value: a vector's dictionary may hold the same
 * string under several codes.
 */
import type { F64Vector, I32Vector, PhysicalKind, StrVector, BoolVector, Vector } from '../../types.js';
import { ByteReader, bytesOf, corrupt, readF64s, readI32s, varintSize, writeVarint } from './bytes.js';
import type { Codec } from './codec.js';
import { layoutText, readText, textSize, writeText } from './text.js';

/** Runs as parallel arrays: the first row of each run and its length. */
interface Runs {
  readonly count: number;
  readonly starts: Uint32Array;
  readonly lengths: Uint32Array;
}

/** Where each run starts: a run starts at row 0 and wherever a value differs from the one before. */
function findRuns(v: Vector): Runs {
  const n = v.length;
  const starts = new Uint32Array(n);
  let count = 0;
  if (n > 0) starts[count++] = 0;
  switch (v.kind) {
    case 'i32':
    case 'bool': {
      const x = v.values;
      for (let i = 1; i < n; i++) if (x[i] !== x[i - 1]) starts[count++] = i;
      break;
    }
    case 'f64': {
      const w = new Uint32Array(v.values.buffer, v.values.byteOffset, 2 * n);
      for (let i = 1; i < n; i++) if (w[2 * i] !== w[2 * i - 2] || w[2 * i + 1] !== w[2 * i - 1]) starts[count++] = i;
      break;
    }
    case 'str': {
      const { codes, dict } = v;
      for (let i = 1; i < n; i++) {
        const a = codes[i]!;
        const b = codes[i - 1]!;
        if (a !== b && dict[a] !== dict[b]) starts[count++] = i;
      }
      break;
    }
  }
  const lengths = new Uint32Array(count);
  for (let k = 0; k < count; k++) lengths[k] = (k + 1 < count ? starts[k + 1]! : n) - starts[k]!;
  return { count, starts, lengths };
}

/** encodedSize of a numeric block in one counting pass: ENCODE AUTO asks this of every block. */
function numericRunsSize(v: I32Vector | F64Vector | BoolVector): number {
  const n = v.length;
  if (n === 0) return varintSize(0);
  let runs = 0;
  let lengthBytes = 0;
  let start = 0;
  if (v.kind === 'f64') {
    const w = new Uint32Array(v.values.buffer, v.values.byteOffset, 2 * n);
    for (let i = 1; i < n; i++) {
      if (w[2 * i] !== w[2 * i - 2] || w[2 * i + 1] !== w[2 * i - 1]) {
        runs++;
        lengthBytes += varintSize(i - start);
        start = i;
      }
    }
  } else {
    const x = v.values;
    for (let i = 1; i < n; i++) {
      if (x[i] !== x[i - 1]) {
        runs++;
        lengthBytes += varintSize(i - start);
        start = i;
      }
    }
  }
  runs++;
  lengthBytes += varintSize(n - start);
  return varintSize(runs) + lengthBytes + runs * (v.kind === 'i32' ? 4 : v.kind === 'f64' ? 8 : 1);
}

function runHeaderSize(runs: Runs): number {
  let size = varintSize(runs.count);
  for (let k = 0; k < runs.count; k++) size += varintSize(runs.lengths[k]!);
  return size;
}

function runStrings(v: StrVector, runs: Runs): string[] {
  const out = new Array<string>(runs.count);
  for (let k = 0; k < runs.count; k++) out[k] = v.dict[v.codes[runs.starts[k]!]!]!;
  return out;
}

/** The value of each run, as raw bytes. */
function runValueBytes(v: I32Vector | F64Vector | BoolVector, runs: Runs): Uint8Array {
  const { count, starts } = runs;
  if (v.kind === 'f64') {
    const src = new Uint32Array(v.values.buffer, v.values.byteOffset, 2 * v.length);
    const out = new Uint32Array(2 * count);
    for (let k = 0; k < count; k++) {
      const s = 2 * starts[k]!;
      out[2 * k] = src[s]!;
      out[2 * k + 1] = src[s + 1]!;
    }
    return bytesOf(out);
  }
  const out = v.kind === 'i32' ? new Int32Array(count) : new Uint8Array(count);
  const src = v.values;
  for (let k = 0; k < count; k++) out[k] = src[starts[k]!]!;
  return bytesOf(out);
}

export const rleCodec: Codec = {
  id: 'rle',

  supports(): boolean {
    return true;
  },

  encodedSize(v: Vector): number {
    if (v.kind !== 'str') return numericRunsSize(v);
    const runs = findRuns(v);
    const strings = runStrings(v, runs);
    return runHeaderSize(runs) + textSize(strings, layoutText(strings));
  },

  encode(v: Vector): Uint8Array {
    const runs = findRuns(v);
    const header = runHeaderSize(runs);
    let values: Uint8Array | null = null;
    let strings: string[] | null = null;
    if (v.kind === 'str') strings = runStrings(v, runs);
    else values = runValueBytes(v, runs);
    const layout = strings ? layoutText(strings) : null;
    const out = new Uint8Array(header + (strings ? textSize(strings, layout!) : values!.length));
    let at = writeVarint(out, 0, runs.count);
    for (let k = 0; k < runs.count; k++) at = writeVarint(out, at, runs.lengths[k]!);
    if (strings) writeText(strings, layout!, out, at);
    else out.set(values!, at);
    return out;
  },

  decode(bytes: Uint8Array, kind: PhysicalKind, length: number): Vector {
    const reader = new ByteReader(bytes);
    const count = reader.varint();
    if (count > length || (count === 0 && length > 0)) throw corrupt(`${count} runs for ${length} rows`);
    const lengths = new Uint32Array(count);
    let total = 0;
    for (let k = 0; k < count; k++) {
      const len = reader.varint();
      lengths[k] = len;
      total += len;
    }
    if (total !== length) throw corrupt(`runs cover ${total} rows, block has ${length}`);
    const at = reader.pos;
    switch (kind) {
      case 'str': {
        const dict = readText(bytes, at, count);
        const codes = new Uint32Array(length);
        let row = 0;
        for (let k = 0; k < count; k++) {
          const end = row + lengths[k]!;
          codes.fill(k, row, end);
          row = end;
        }
        return { kind, codes, dict, nulls: null, length };
      }
      case 'i32': {
        const runValues = readI32s(bytes, at, count);
        const values = new Int32Array(length);
        fillRuns(values, runValues, lengths);
        return { kind, values, nulls: null, length };
      }
      case 'bool': {
        if (at + count > bytes.length) throw corrupt('run values are truncated');
        const values = new Uint8Array(length);
        fillRuns(values, bytes.subarray(at, at + count), lengths);
        return { kind, values, nulls: null, length };
      }
      case 'f64': {
        // Filled as word pairs, not as numbers, so that NaN payloads survive bit for bit.
        const runWords = new Uint32Array(readF64s(bytes, at, count).buffer);
        const values = new Float64Array(length);
        const words = new Uint32Array(values.buffer);
        let row = 0;
        for (let k = 0; k < count; k++) {
          const lo = runWords[2 * k]!;
          const hi = runWords[2 * k + 1]!;
          const end = row + lengths[k]!;
          for (let i = row; i < end; i++) {
            words[2 * i] = lo;
            words[2 * i + 1] = hi;
          }
          row = end;
        }
        return { kind, values, nulls: null, length };
      }
    }
  },
};

/** Expands runs; long runs go through the native fill, short ones through a plain loop. */
function fillRuns(out: Int32Array | Uint8Array, runValues: Int32Array | Uint8Array, lengths: Uint32Array): void {
  let row = 0;
  for (let k = 0; k < lengths.length; k++) {
    const x = runValues[k]!;
    const end = row + lengths[k]!;
    if (end - row > 16) out.fill(x, row, end);
    else for (let i = row; i < end; i++) out[i] = x;
    row = end;
  }
}
