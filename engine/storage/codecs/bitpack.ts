/**
 * Bit packing of unsigned integers below 2^w (w = 0..32), LSB first: value i
 * occupies bits [i*w, (i+1)*w) of a little-endian bit stream, and the stream takes
 * ceil(n*w/8) bytes. Dictionary codes, frame-of-reference offsets and delta
 * offsets all go through here, so the loops are specialized for the widths that
 * are common (0, byte multiples, widths that divide 32) and keep one generic loop
 * for the rest. Values wider than 32 bits are packed by the caller as two streams
 * (low 32 bits, then the high bits).
 */
import { bytesOf, corrupt, readWords } from './bytes.js';

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

/** Unpacks `count` values of `width` bits from bytes at `at` into out[0..count). */
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
  const words = readWords(bytes, at, size);
  if (width === 32) {
    out.set(words.subarray(0, count));
    return;
  }
  if (width === 16) {
    const halves = new Uint16Array(words.buffer, 0, count);
    out.set(halves);
    return;
  }
  if ((32 % width) === 0) {
    unpackAligned(words, count, width, out);
    return;
  }
  const mask = (1 << width) - 1;
  let w = 0;
  let used = 0;
  for (let i = 0; i < count; i++) {
    let v = words[w]! >>> used;
    used += width;
    if (used >= 32) {
      w++;
      used -= 32;
      if (used > 0) v |= words[w]! << (width - used);
    }
    out[i] = v & mask;
  }
}

/** Widths 1, 2 and 4: values never straddle a word, so one word yields 32/width values. */
function unpackAligned(words: Uint32Array, count: number, width: number, out: Uint32Array): void {
  const mask = (1 << width) - 1;
  const perWord = 32 / width;
  const full = Math.floor(count / perWord);
  let i = 0;
  for (let w = 0; w < full; w++) {
    let word = words[w]!;
    for (let k = 0; k < perWord; k++) {
      out[i++] = word & mask;
      word >>>= width;
    }
  }
  let word = full < words.length ? words[full]! : 0;
  for (; i < count; i++) {
    out[i] = word & mask;
    word >>>= width;
  }
}
