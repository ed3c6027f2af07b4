/**
 * The one interface every column encoding implements. Encodings work on the
 * values of one block of one column; NULLs are kept apart by the block writer
 * (a NULL slot holds 0 or the empty string and is encoded like any value).
 *
 * analyze/score lets the writer (ENCODE AUTO) and the encoding advisor ask each
 * codec "how big would this block be?" without special-casing a type.
 */
import type { PhysicalKind, Vector } from '../../types.js';

/** Our codecs. Redshift's ENCODE names map onto these (see encodingFor). */
export type EncodingId = 'raw' | 'dict' | 'rle' | 'delta' | 'for' | 'zstd';

export interface Codec {
  readonly id: EncodingId;
  /** Whether this codec can encode vectors of this physical kind at all. */
  supports(kind: PhysicalKind): boolean;
  /**
   * Exact encoded size in bytes, or Infinity when this codec cannot encode these
   * particular values (e.g. frame-of-reference on non-integral doubles).
   */
  encodedSize(v: Vector): number;
  /** Encodes all v.length values. Throws if encodedSize(v) is Infinity. */
  encode(v: Vector): Uint8Array;
  /** Decodes `length` values of kind `kind`; the returned vector has nulls = null. */
  decode(bytes: Uint8Array, kind: PhysicalKind, length: number): Vector;
}
