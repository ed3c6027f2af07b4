/**
 * ZSTD (Redshift ZSTD, LZO): the RAW encoding of the block, compressed as one
 * Zstandard frame. The general-purpose fallback for what the structural codecs
 * miss, above all long, varied strings (comments, names, URLs).
 *
 *   zstd frame (with its content size) of the RAW bytes
 *
 * Its size cannot be computed without compressing, so encodedSize compresses;
 * that is why ENCODE AUTO leaves it out (see index.ts).
 */
import { Compressor, Decompressor } from 'zstd-napi';
import type { PhysicalKind, Vector } from '../../types.js';
import { corrupt } from './bytes.js';
import type { Codec } from './codec.js';
import { rawCodec } from './raw.js';

/** zstd's own default; higher levels cost several times the load time for a few percent. */
const LEVEL = 3;

// Contexts of our own, created once: the package's shared ones would take whatever
// parameters the last caller anywhere in the process set. Calls are synchronous, so
// one context per direction is enough.
let compressor: Compressor | undefined;
let decompressor: Decompressor | undefined;

function compressRaw(v: Vector): Uint8Array {
  return compressRawBytes(rawCodec.encode(v));
}

/** A ZSTD block from a block already encoded RAW (ENCODE AUTO has it when it tries zstd on a RAW winner). */
export function compressRawBytes(raw: Uint8Array): Uint8Array {
  if (!compressor) {
    compressor = new Compressor();
    compressor.setParameters({ compressionLevel: LEVEL });
  }
  return compressor.compress(raw);
}

export const zstdCodec: Codec = {
  id: 'zstd',

  supports(): boolean {
    return true;
  },

  encodedSize(v: Vector): number {
    return compressRaw(v).length;
  },

  encode(v: Vector): Uint8Array {
    return compressRaw(v);
  },

  decode(bytes: Uint8Array, kind: PhysicalKind, length: number): Vector {
    let raw: Uint8Array;
    try {
      raw = (decompressor ??= new Decompressor()).decompress(bytes);
    } catch (e) {
      throw corrupt(`zstd frame does not decompress (${(e as Error).message})`);
    }
    return rawCodec.decode(raw, kind, length);
  },
};
