/**
 * Bit packing of unsigned integers below 2^w (w = 0..32), LSB first: value i
 * occupies bits [i*w, (i+1)*w) of a little-endian bit stream, and the stream takes
 * ceil(n*w/8) bytes. Dictionary codes, frame-of-reference offsets and delta
 * offsets all go through here, so the loops are specialized for the widths that
 * are common (0, byte multiples, widths that divide 32) and keep one generic loop
 * for the rest. Values wider than 32 bits are packed by the caller as two streams
 * (low 32 bits, then the high bits).
 */
import { bytesOf, corrupt } from './bytes.js';

/** Bits needed for the unsigned value x (x < 2^32); 0 for 0. */
export function bitWidth(x: number): number {
  return 32 - Math.clz32(x);
}

export function packedBytes(count: number, width: number): number {
  return Math.ceil((count * width) / 8);
}

/** Packs src[0..count) at `width` bits into out at byte `at`; returns the next offset. */
export function pack(src: Uint32Array, count: number, width: number, out: Uint8Array, at: number): number {
  const size = packedBytes(count, width);
  if (width === 0) return at;
  if (width === 8) {
    for (let i = 0; i < count; i++) out[at + i] = src[i]!;
    return at + size;
  }
  if (width === 32) {
    out.set(bytesOf(src, count), at);
    return at + size;
  }
  const words = new Uint32Array(Math.ceil((count * width) / 32));
  let word = 0;
  let used = 0;
  let w = 0;
  for (let i = 0; i < count; i++) {
    const v = src[i]!;
    word |= v << used;
    used += width;
    if (used >= 32) {
      words[w++] = word;
      used -= 32;
      // The high `used` bits of v did not fit in the finished word.
      word = used > 0 ? v >>> (width - used) : 0;
    }
  }
  if (used > 0) words[w] = word;
  out.set(new Uint8Array(words.buffer, 0, size), at);
  return at + size;
}

/**
 * Unpacks `count` values of `width` bits from bytes at `at` into out[0..count).
 * Every decode of a dictionary, frame-of-reference or delta block comes through
 * here, so each width gets a loop generated for it (see unpacker) that takes 32
 * values per iteration from `width` words with constant shifts.
 */
export function unpack(bytes: Uint8Array, at: number, count: number, width: number, out: Uint32Array): void {
  if (width === 0) {
    out.fill(0, 0, count);
    return;
  }
  const size = packedBytes(count, width);
  if (width === 8) {
    if (at + size > bytes.length) throw corrupt('bit-packed data is truncated');
    out.set(bytes.subarray(at, at + size));
    return;
  }
  const words = scratchWords(bytes, at, size);
  if (width === 32) {
    out.set(words.subarray(0, count));
    return;
  }
  if (width === 16) {
    const halves = new Uint16Array(words.buffer, 0, count);
    out.set(halves);
    return;
  }
  unpacker(width, 'u32')(words, count, out, 0);
}

/** Unpacks `count` values of `width` bits at `at` and writes base + value to out (an int32 sum wraps like `| 0`). */
export function unpackAdd(bytes: Uint8Array, at: number, count: number, width: number, base: number, out: Int32Array | Float64Array): void {
  const i32 = out instanceof Int32Array;
  if (width === 0) {
    out.fill(i32 ? base | 0 : base, 0, count);
    return;
  }
  const words = scratchWords(bytes, at, packedBytes(count, width));
  if (i32) unpacker(width, 'i32')(words, count, out, base);
  else unpacker(width, 'f64')(words, count, out, base);
}

let scratch = new Uint32Array(4096);
let scratchBytes = new Uint8Array(scratch.buffer);

/**
 * The packed bytes copied into aligned words, in a buffer reused by every call
 * (the unpack loops read it once and keep nothing). Bytes past byteLength in the
 * last word are stale, but only ever land in bits the loops mask off.
 */
function scratchWords(bytes: Uint8Array, at: number, byteLength: number): Uint32Array {
  if (at + byteLength > bytes.length) throw corrupt('bit-packed data is truncated');
  const words = (byteLength + 3) >>> 2;
  if (scratch.length < words + 1) {
    scratch = new Uint32Array(Math.max(words + 1, scratch.length * 2));
    scratchBytes = new Uint8Array(scratch.buffer);
  }
  scratchBytes.set(bytes.subarray(at, at + byteLength));
  return scratch;
}

type Unpacker = (words: Uint32Array, count: number, out: Uint32Array | Int32Array | Float64Array, base: number) => void;

const unpackers = new Map<string, Unpacker>();

/**
 * The unpack loop for one width and output: 32 values per iteration, each a
 * constant shift (and at most one neighbour word) of `width` words loaded once;
 * the last count % 32 values through a generic loop.
 *   u32: out[i] = value;  i32: out[i] = (base + value) | 0;  f64: out[i] = base + value.
 */
function unpacker(width: number, mode: 'u32' | 'i32' | 'f64'): Unpacker {
  const key = `${mode}${width}`;
  let f = unpackers.get(key);
  if (f) return f;
  const mask = width === 32 ? '0xffffffff' : `${2 ** width - 1}`;
  const put = (j: string, v: string): string =>
    mode === 'u32' ? `out[${j}] = ${v};` : mode === 'i32' ? `out[${j}] = (base + (${v})) | 0;` : `out[${j}] = base + ((${v}) >>> 0);`;
  const body: string[] = [];
  for (let k = 0; k < width; k++) body.push(`const w${k} = words[p + ${k}];`);
  for (let j = 0; j < 32; j++) {
    const bit = j * width;
    const k = bit >>> 5;
    const s = bit & 31;
    let v: string;
    if (s + width <= 32) v = s + width === 32 ? `(w${k} >>> ${s})` : `((w${k} >>> ${s}) & ${mask})`;
    else v = `(((w${k} >>> ${s}) | (w${k + 1} << ${32 - s})) & ${mask})`;
    body.push(put(`i + ${j}`, v));
  }
  const src = `
    let i = 0;
    let p = 0;
    const full = count - (count & 31);
    for (; i < full; i += 32, p += ${width}) {
      ${body.join('\n      ')}
    }
    let bit = p * 32;
    for (; i < count; i++, bit += ${width}) {
      const k = bit >>> 5;
      const s = bit & 31;
      let v = words[k] >>> s;
      if (s + ${width} > 32) v |= words[k + 1] << (32 - s);
      ${put('i', `v & ${mask}`)}
    }`;
  // named per width so that CPU profiles tell the loops apart
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  f = new Function(`return function unpack_${key}(words, count, out, base) {${src}\n};`)() as Unpacker;
  unpackers.set(key, f);
  return f;
}

/**
 * Unpacks only the values at rows sel[0..count) (ascending) of a stream of
 * `total` values of `width` bits at `at`, writing out[j] for sel[j] (u32: the
 * value; i32: (base + value) | 0; f64: base + value). What a scan uses when its
 * filter kept a fraction of a block: the other rows are never decoded.
 */
export function unpackSelected(
  bytes: Uint8Array,
  at: number,
  total: number,
  width: number,
  sel: Uint32Array,
  count: number,
  base: number,
  out: Uint32Array | Int32Array | Float64Array,
): void {
  if (width === 0) {
    out.fill(out instanceof Int32Array ? base | 0 : base, 0, count);
    return;
  }
  const words = scratchWords(bytes, at, packedBytes(total, width));
  if (out instanceof Float64Array) selectF64(words, width, sel, count, base, out);
  else if (out instanceof Int32Array) selectI32(words, width, sel, count, base, out);
  else selectU32(words, width, sel, count, out);
}

// one loop per output kind: each stays monomorphic for V8

function selectF64(words: Uint32Array, width: number, sel: Uint32Array, count: number, base: number, out: Float64Array): void {
  const mask = width === 32 ? -1 : (1 << width) - 1;
  for (let j = 0; j < count; j++) {
    const bit = sel[j]! * width;
    const k = bit >>> 5;
    const s = bit & 31;
    let v = words[k]! >>> s;
    if (s + width > 32) v |= words[k + 1]! << (32 - s);
    out[j] = base + ((v & mask) >>> 0);
  }
}

function selectI32(words: Uint32Array, width: number, sel: Uint32Array, count: number, base: number, out: Int32Array): void {
  const mask = width === 32 ? -1 : (1 << width) - 1;
  for (let j = 0; j < count; j++) {
    const bit = sel[j]! * width;
    const k = bit >>> 5;
    const s = bit & 31;
    let v = words[k]! >>> s;
    if (s + width > 32) v |= words[k + 1]! << (32 - s);
    out[j] = (base + ((v & mask) >>> 0)) | 0;
  }
}

function selectU32(words: Uint32Array, width: number, sel: Uint32Array, count: number, out: Uint32Array): void {
  const mask = width === 32 ? -1 : (1 << width) - 1;
  for (let j = 0; j < count; j++) {
    const bit = sel[j]! * width;
    const k = bit >>> 5;
    const s = bit & 31;
    let v = words[k]! >>> s;
    if (s + width > 32) v |= words[k + 1]! << (32 - s);
    out[j] = v & mask;
  }
}
