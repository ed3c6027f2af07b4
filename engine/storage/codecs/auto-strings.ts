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
 * by block). Only pure-ASCII blocks take this path: there a string's UTF-8 byte
 * count is its length. Elsewhere a lone surrogate's bytes depend on its
 * neighbour in the joined text, so the codecs size it as they always did.
 */
import type { StrVector } from '../../types.js';
import { pack } from './bitpack.js';
import { varintSize, writeVarint } from './bytes.js';
import type { Codec } from './codec.js';
import { dictHeaderAndCodes, dictCodeWidth } from './dict.js';
import { distinctStrings } from './distinct.js';
import { writeText } from './text.js';

/** The smallest of RAW, RLE, DICT for an ASCII block (ties to the earlier), and its bytes; null when the block is not ASCII. */
export function encodeAsciiStrings(v: StrVector, raw: Codec, rle: Codec, dict: Codec): { codec: Codec; bytes: Uint8Array } | null {
  const n = v.length;
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
