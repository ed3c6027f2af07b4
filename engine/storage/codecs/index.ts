/**
 * The codec registry: lookup by id, the ENCODE AUTO choice, and the mapping between
 * Redshift's ENCODE names and our codecs.
 */
import type { Vector } from '../../types.js';
import type { Codec, EncodingId } from './codec.js';
import { deltaCodec } from './delta.js';
import { dictCodec } from './dict.js';
import { forCodec } from './for.js';
import { rawCodec } from './raw.js';
import { rleCodec } from './rle.js';
import { compressRawBytes, zstdCodec } from './zstd.js';
import { encodeAsciiStrings } from './auto-strings.js';

export type { Codec, EncodingId } from './codec.js';

export const ALL_CODECS: readonly Codec[] = [rawCodec, forCodec, deltaCodec, rleCodec, dictCodec, zstdCodec];

const BY_ID: Readonly<Record<EncodingId, Codec>> = {
  raw: rawCodec,
  for: forCodec,
  delta: deltaCodec,
  rle: rleCodec,
  dict: dictCodec,
  zstd: zstdCodec,
};

export function codecById(id: EncodingId): Codec {
  const codec = BY_ID[id];
  if (!codec) throw new Error(`unknown encoding ${String(id)}`);
  return codec;
}

/**
 * What ENCODE AUTO tries on every block of every column: the codecs whose size is
 * computed analytically, in one or two cheap passes over the block.
 *
 * ZSTD is left out on purpose. Its size is only known by compressing, so trying it
 * means a zstd compression of every block of every column on every load, and a
 * second one to write the block when it wins; and a zstd block costs a
 * decompression plus a RAW decode on every scan. The structural codecs already
 * catch what matters for scans (sorted, clustered and low-cardinality columns,
 * small integer ranges). ZSTD stays available explicitly (ENCODE ZSTD / LZO), and
 * the encoding advisor, which samples offline, can recommend it for columns where
 * it wins by enough to pay for its scan cost, e.g. long free text.
 *
 * The order breaks ties: a cheaper decode comes first.
 */
export const AUTO_CANDIDATES: readonly Codec[] = [rawCodec, forCodec, deltaCodec, rleCodec, dictCodec];

/**
 * The candidate with the smallest encoded size for v among those that support its
 * kind (the first one on a tie); RAW when none of them can hold v.
 */
export function chooseEncoding(v: Vector, candidates: readonly Codec[]): Codec {
  let best: Codec = rawCodec;
  let bestSize = Infinity;
  for (const codec of candidates) {
    if (!codec.supports(v.kind)) continue;
    const size = codec.encodedSize(v);
    if (size < bestSize) {
      best = codec;
      bestSize = size;
    }
  }
  return best;
}

/**
 * Strings are where the structural codecs leave the most on the table (comments,
 * addresses, names: mostly distinct, long text). For a string block whose best
 * structural encoding still takes ZSTD_TRY_BYTES or more, AUTO also compresses
 * it with zstd and keeps that when it saves at least a quarter: the margin pays
 * for the decompression every scan of the block then costs. At about 200 MB/s,
 * compressing a 64 KiB block costs well under a millisecond, small beside
 * parsing and sorting the rows it came with.
 */
const ZSTD_TRY_BYTES = 64 * 1024;
const ZSTD_MIN_SAVING = 0.25;

/** ENCODE AUTO for one block: the chosen codec and the encoded bytes. */
export function encodeAuto(v: Vector): { id: EncodingId; bytes: Uint8Array } {
  let best: Codec;
  let bytes: Uint8Array;
  // strings: sized in one analysis, the same choice as chooseEncoding's (auto-strings.ts)
  const ascii = v.kind === 'str' ? encodeAsciiStrings(v, rawCodec, rleCodec, dictCodec) : null;
  if (ascii) ({ codec: best, bytes } = ascii);
  else {
    best = chooseEncoding(v, AUTO_CANDIDATES);
    bytes = best.encode(v);
  }
  if (v.kind === 'str' && bytes.length >= ZSTD_TRY_BYTES) {
    // a RAW block is what zstd compresses: no second encode for it
    const packed = best === rawCodec ? compressRawBytes(bytes) : zstdCodec.encode(v);
    if (packed.length <= bytes.length * (1 - ZSTD_MIN_SAVING)) return { id: 'zstd', bytes: packed };
  }
  return { id: best.id, bytes };
}

/** Redshift ENCODE names (upper case) and the codec each one stands for here. */
const FROM_REDSHIFT: Readonly<Record<string, EncodingId | 'auto'>> = {
  RAW: 'raw',
  AZ64: 'for',
  BYTEDICT: 'dict',
  RUNLENGTH: 'rle',
  DELTA: 'delta',
  DELTA32K: 'delta',
  MOSTLY8: 'for',
  MOSTLY16: 'for',
  MOSTLY32: 'for',
  ZSTD: 'zstd',
  LZO: 'zstd',
  TEXT255: 'dict',
  TEXT32K: 'dict',
  AUTO: 'auto',
};

/** Our encoding for a Redshift ENCODE name (any case), 'auto', or undefined when unknown. */
export function encodingForRedshift(name: string): EncodingId | 'auto' | undefined {
  const key = name.trim().toUpperCase();
  return Object.hasOwn(FROM_REDSHIFT, key) ? FROM_REDSHIFT[key] : undefined;
}

const TO_REDSHIFT: Readonly<Record<EncodingId, string>> = {
  raw: 'RAW',
  for: 'AZ64',
  dict: 'BYTEDICT',
  rle: 'RUNLENGTH',
  delta: 'DELTA',
  zstd: 'ZSTD',
};

/** The Redshift ENCODE name to print for our encoding. */
export function redshiftNameFor(id: EncodingId): string {
  return TO_REDSHIFT[id];
}
