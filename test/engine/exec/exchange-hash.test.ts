/**
 * A hash exchange must place rows exactly where a KEY table's writer does, so
 * that a redistributed input meets a table distributed on the same key: the
 * exchange's own slice function agrees with storage's hashSlices on every kind
 * of value (negative, large, fractional, -0, NULL, strings).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hashSlices } from '../../../engine/storage/table-writer.js';
import { slicesOf } from '../../../engine/exec/ops/exchange.js';
import type { Vector } from '../../../engine/types.js';

function same(v: Vector, slices: number): void {
  const a = new Uint32Array(v.length);
  const b = new Uint32Array(v.length);
  hashSlices(v, slices, a);
  slicesOf(v, slices, b);
  expect([...b]).toEqual([...a]);
}

describe('exchange slice hash', () => {
  it('agrees with the table writer on integers', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -2147483648, max: 2147483647 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 16 }), (xs, slices) => {
        same({ kind: 'i32', values: Int32Array.from(xs), nulls: null, length: xs.length }, slices);
        same({ kind: 'f64', values: Float64Array.from(xs), nulls: null, length: xs.length }, slices);
      }),
    );
  });

  it('agrees on doubles, wide integers, -0 and NULLs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }).map((x) => x), fc.constant(-0)), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 16 }),
        (xs, slices) => {
          const nulls = Uint8Array.from(xs, (_, i) => (i % 7 === 3 ? 1 : 0));
          same({ kind: 'f64', values: Float64Array.from(xs), nulls: null, length: xs.length }, slices);
          same({ kind: 'f64', values: Float64Array.from(xs), nulls, length: xs.length }, slices);
          same({ kind: 'f64', values: Float64Array.from(xs), nulls: null, length: xs.length }, 0xffffffff);
        },
      ),
    );
  });

  it('agrees on strings, whatever the dictionary size', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 16 }), (dict, slices) => {
        const n = 30;
        const codes = Uint32Array.from({ length: n }, (_, i) => (i * 7) % dict.length);
        const nulls = Uint8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0));
        same({ kind: 'str', codes, dict, nulls: null, length: n }, slices);
        same({ kind: 'str', codes, dict, nulls, length: n }, slices);
      }),
    );
  });
});
