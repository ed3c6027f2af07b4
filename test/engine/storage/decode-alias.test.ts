/**
 * Decoded vectors own their memory: a segment reader decodes every block out
 * of one reused read buffer, so a vector that aliased the bytes it came from
 * would change under the next block's read. Each codec, each kind: decode from
 * a Buffer, scribble over the Buffer, and the vector must be unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_CODECS } from '../../../engine/storage/codecs/index.js';
import type { PhysicalKind, Vector } from '../../../engine/types.js';

function values(kind: PhysicalKind, xs: number[]): Vector {
  const n = xs.length;
  switch (kind) {
    case 'i32':
      return { kind, values: Int32Array.from(xs), nulls: null, length: n };
    case 'f64':
      return { kind, values: Float64Array.from(xs), nulls: null, length: n };
    case 'bool':
      return { kind, values: Uint8Array.from(xs, (x) => x & 1), nulls: null, length: n };
    case 'str':
      return { kind, codes: Uint32Array.from(xs, (_, i) => i), dict: xs.map((x) => `s${x % 7}`), nulls: null, length: n };
  }
}

function snapshot(v: Vector): unknown[] {
  return v.kind === 'str' ? Array.from(v.codes, (c) => v.dict[c]) : Array.from(v.values);
}

describe('decoded vectors do not alias their input', () => {
  for (const codec of ALL_CODECS) {
    for (const kind of ['i32', 'f64', 'bool', 'str'] as const) {
      if (!codec.supports(kind)) continue;
      it(`${codec.id} ${kind}`, () => {
        fc.assert(
          fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 200 }), (xs) => {
            const v = values(kind, xs);
            if (!Number.isFinite(codec.encodedSize(v))) return;
            const buffer = Buffer.from(codec.encode(v));
            const decoded = codec.decode(buffer, kind, v.length);
            const before = snapshot(decoded);
            buffer.fill(0xa5);
            expect(snapshot(decoded)).toEqual(before);
          }),
          { numRuns: 40 },
        );
      });
    }
  }
});
