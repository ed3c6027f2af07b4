/**
 * ENCODE AUTO for a block of strings, sized in one analysis. Sizing RAW, RLE
 * and DICT codec by codec made each one gather the row strings, join them and
 * count their UTF-8 bytes: three joins of every string of the block before the
 * one that writes it, the largest cost of a load (a TPC-H lineitem block has
 * four string columns). Here one pass maps the rows to their distinct strings
 * (which DICT needs anyway); the three sizes then follow from each distinct
 * string's length, counted once, and the codes: RAW is the sum over rows, RLE
 * the sum over runs of equal codes, DICT the sum over distinct strings.
 *
 * The choice and the bytes are exactly those of chooseEncoding over the AUTO
 * candidates followed by the winner's encode (the codec tests check it block
 * by block), with one exception: a block of at least NEAR_UNIQUE_MIN_ROWS rows
 * whose evenly spaced sample of SAMPLE_ROWS rows repeats at most one string is
 * not offered to DICT, and skips the distinct pass (a hash map insert per row,
 * the next largest cost; comments, names, addresses). DICT pays for its codes
 * (14 bits a row in a 16,384-row block) only when about 6% of the rows repeat
 * another row's text. A sample of s rows from a block of n in which a fraction
 * f of the rows repeat holds about s * s * f / n repeated pairs: 3.8 at that
 * break-even in a full block, so it is taken for near-unique about 10% of the
 * time there, where DICT would save next to nothing, and 0.4% of the time at
 * twice that. (TPC-H's l_comment repeats under 1% of its rows, and a sample
 * of it repeats a string about every other block.)
 *
 * Only pure-ASCII blocks take this path: there a string's UTF-8 byte count is
 * its length. Elsewhere a lone surrogate's bytes depend on its neighbour in the
 * joined text, so the codecs size it as they always did.
 */
import type { StrVector } from '../../types.js';
import { pack } from './bitpack.js';
import { varintSize, writeVarint } from './bytes.js';
import type { Codec } from './codec.js';
import { dictHeaderAndCodes, dictCodeWidth } from './dict.js';
import { distinctStrings } from './distinct.js';
import { writeText } from './text.js';

/** Rows sampled to tell a block of (nearly) all distinct strings. */
const SAMPLE_ROWS = 1024;
/** Blocks smaller than this are sized exactly: the sample would be a large part of them. */
export const NEAR_UNIQUE_MIN_ROWS = 4 * SAMPLE_ROWS;

/** The smallest of RAW, RLE, DICT for an ASCII block (ties to the earlier), and its bytes; null when the block is not ASCII. */
export function encodeAsciiStrings(v: StrVector, raw: Codec, rle: Codec, dict: Codec): { codec: Codec; bytes: Uint8Array } | null {
  const n = v.length;
  if (n >= NEAR_UNIQUE_MIN_ROWS && sampleNearUnique(v)) return encodeRawOrRle(v, raw, rle);
  const codes = new Uint32Array(n);
  const { entries, count } = distinctStrings(v, codes);
  const joined = entries.join('');
  const utf8Bytes = Buffer.byteLength(joined, 'utf8');
  // every UTF-16 unit takes at least one UTF-8 byte: equal counts mean every one takes exactly one
  if (utf8Bytes !== joined.length) return null;
  // what one copy of each distinct string costs in a text list: its length's varint and its bytes
  const cost = new Uint32Array(count);
  let dictText = 0;
  for (let e = 0; e < count; e++) {
    const len = entries[e]!.length;
    dictText += cost[e] = varintSize(len) + len;
  }
  const rawSize = rowsCost(codes, n, cost);
  const rleSize = runsSize(codes, n, cost);
  const dictSize = dictHeaderAndCodes(n, count) + dictText;
  let codec = raw;
  let best = rawSize;
  if (rleSize < best) {
    codec = rle;
    best = rleSize;
  }
  if (dictSize < best) {
    const out = new Uint8Array(dictSize);
    let at = writeVarint(out, 0, count);
    at = pack(codes, n, dictCodeWidth(count), out, at);
    writeText(entries, { joined, bytes: utf8Bytes }, out, at);
    return { codec: dict, bytes: out };
  }
  return { codec, bytes: codec.encode(v) };
}

function rowsCost(codes: Uint32Array, n: number, cost: Uint32Array): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[codes[i]!]!;
  return total;
}

/** RLE's size: runs of equal codes (distinct codes are distinct strings), each a length varint and one copy of its string. */
function runsSize(codes: Uint32Array, n: number, cost: Uint32Array): number {
  if (n === 0) return varintSize(0);
  let runs = 0;
  let total = 0;
  let start = 0;
  for (let i = 1; i < n; i++) {
    if (codes[i] !== codes[i - 1]) {
      runs++;
      total += varintSize(i - start) + cost[codes[start]!]!;
      start = i;
    }
  }
  runs++;
  total += varintSize(n - start) + cost[codes[start]!]!;
  return varintSize(runs) + total;
}

/** Whether SAMPLE_ROWS rows spread evenly over the block repeat at most one string (see the header). */
function sampleNearUnique(v: StrVector): boolean {
  const { codes, dict, length } = v;
  const seen = new Set<string>();
  const step = length / SAMPLE_ROWS;
  let repeats = 0;
  for (let k = 0; k < SAMPLE_ROWS; k++) {
    const s = dict[codes[Math.floor(k * step)]!]!;
    if (seen.has(s) && ++repeats > 1) return false;
    seen.add(s);
  }
  return true;
}

/** RAW or RLE, whichever is smaller (RAW on a tie), sized from one join of the rows; null when the block is not ASCII. */
function encodeRawOrRle(v: StrVector, raw: Codec, rle: Codec): { codec: Codec; bytes: Uint8Array } | null {
  const { codes, dict, length: n } = v;
  const strings = new Array<string>(n);
  for (let i = 0; i < n; i++) strings[i] = dict[codes[i]!]!;
  const joined = strings.join('');
  const utf8Bytes = Buffer.byteLength(joined, 'utf8');
  if (utf8Bytes !== joined.length) return null;
  let rawSize = utf8Bytes;
  for (let i = 0; i < n; i++) rawSize += varintSize(strings[i]!.length);
  // RLE: a run ends where the string changes; each run is a length varint and one copy of its string
  let runs = 0;
  let rleSize = 0;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || strings[i] !== strings[i - 1]) {
      const len = strings[start]!.length;
      runs++;
      rleSize += varintSize(i - start) + varintSize(len) + len;
      start = i;
    }
  }
  rleSize += varintSize(runs);
  if (rleSize < rawSize) return { codec: rle, bytes: rle.encode(v) };
  const out = new Uint8Array(rawSize);
  writeText(strings, { joined, bytes: utf8Bytes }, out, 0);
  return { codec: raw, bytes: out };
}
