/**
 * The one interface every column encoding implements. Encodings work on the
 * values of one block of one column; NULLs are kept apart by the block writer
 * (a NULL slot holds 0 or string code 0 and is encoded like any value).
 *
 * encodedSize lets the writer (ENCODE AUTO) and the encoding advisor ask each
 * codec "how big would this block be?" without special-casing a type.
 * Byte formats are described in each codec's module and in docs/encodings.md.
 */
import type { PhysicalKind, Vector } from '../../types.js';

/** Our codecs. Redshift's ENCODE names map onto these (see encodingForRedshift in index.ts). */
export type EncodingId = 'raw' | 'dict' | 'rle' | 'delta' | 'for' | 'zstd';

export interface Codec {
  readonly id: EncodingId;
  /** Whether this codec can encode vectors of this physical kind at all. */
  supports(kind: PhysicalKind): boolean;
  /**
   * Exact encoded size in bytes, or Infinity when this codec cannot encode these
   * particular values exactly (e.g. frame-of-reference on non-integral doubles).
   */
  encodedSize(v: Vector): number;
  /**
   * Encodes all v.length values (NULL slots included, as whatever they hold).
   * Throws if encodedSize(v) is Infinity or the kind is not supported.
   */
  encode(v: Vector): Uint8Array;
  /**
   * Decodes `length` values of kind `kind`; the returned vector has nulls = null and
   * owns its buffers (it does not alias `bytes`). Bytes that no encoder could have
   * produced raise StorageError CORRUPT where a cheap check catches them; the block
   * CRC is the real guard.
   */
  decode(bytes: Uint8Array, kind: PhysicalKind, length: number): Vector;
  /**
   * Decodes only rows sel[0..count) (ascending, below `length`) of a block of
   * `length` values: the vector's row j is the block's row sel[j]. For codecs
   * that can reach a row without decoding the ones before it (bit-packed,
   * fixed-width); a string vector may keep the block's whole dictionary.
   * Without it, callers decode the block and gather.
   */
  decodeSelected?(bytes: Uint8Array, kind: PhysicalKind, length: number, sel: Uint32Array, count: number): Vector;
}
