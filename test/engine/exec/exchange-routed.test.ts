/**
 * A redistribution cut where each slice's rows were computed (routeByKeys, on
 * a worker or the calling thread) and then assembled (routedExchange) must be
 * the serial exchange (runExchange): the same batches for every slice in the
 * same order, the same rows and bytes moved, with a runtime join filter on
 * the exchange or without one. The filter decides per slice, so its decisions
 * cannot depend on which thread ran a slice.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { routeByKeys, routedExchange, runExchange } from '../../../engine/exec/ops/exchange.js';
import { keyFilter } from '../../../engine/exec/join-table.js';
import { ExecContext } from '../../../engine/exec/context.js';
import { SegmentCache } from '../../../engine/storage/scan.js';
import type { ExchangeNode } from '../../../engine/plan/physical.js';
import type { Batch } from '../../../engine/types.js';

const node = (keys: readonly number[]): ExchangeNode =>
  ({ op: 'exchange', id: 7, mode: 'hash', keys, input: { op: 'rows', id: 8, batches: [], label: 'input', fields: [], dist: { kind: 'all' }, estRows: 0 }, fields: [], dist: { kind: 'even' }, estRows: 0 }) as unknown as ExchangeNode;

const context = (slices: number): ExecContext => new ExecContext({ dir: '/nonexistent', segments: new SegmentCache() }, slices);

/** Each slice's batches: an int key, a double, and a string column with NULLs. */
function batchesOf(rows: readonly [number, number, string | null][][]): Batch[][] {
  return rows.map((slice) =>
    slice.length === 0
      ? []
      : [slice.slice(0, Math.ceil(slice.length / 2)), slice.slice(Math.ceil(slice.length / 2))]
          .filter((part) => part.length > 0)
          .map((part) => {
            const dict = [...new Set(part.map((r) => r[2] ?? ''))];
            return {
              length: part.length,
              columns: [
                { kind: 'i32' as const, values: Int32Array.from(part, (r) => r[0]), nulls: null, length: part.length },
                { kind: 'f64' as const, values: Float64Array.from(part, (r) => r[1]), nulls: null, length: part.length },
                { kind: 'str' as const, codes: Uint32Array.from(part, (r) => dict.indexOf(r[2] ?? '')), dict, nulls: Uint8Array.from(part, (r) => (r[2] === null ? 1 : 0)), length: part.length },
              ],
            };
          }),
  );
}

/** A batch's rows as plain values, to compare. */
function plain(b: Batch): unknown[][] {
  return Array.from({ length: b.length }, (_, i) => b.columns.map((v) => (v.nulls?.[i] ? null : v.kind === 'str' ? v.dict[v.codes[i]!] : v.values[i])));
}

const row = fc.tuple(fc.integer({ min: -50, max: 50 }), fc.double({ noNaN: true }), fc.option(fc.constantFrom('a', 'b', 'c', 'dd'), { nil: null }));

describe('a redistribution cut per slice where it ran', () => {
  it('gives every slice the serial exchange batches, in order, and the same counters, with or without a runtime filter', () => {
    fc.assert(
      fc.property(fc.array(fc.array(row, { maxLength: 40 }), { minLength: 4, maxLength: 4 }), fc.constantFrom([0], [0, 2]), fc.boolean(), fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 30 }), (rows, keys, filtered, filterKeys) => {
        const inputs = batchesOf(rows);
        const filter = filtered ? keyFilter({ length: filterKeys.length, columns: [{ kind: 'i32', values: Int32Array.from(filterKeys), nulls: null, length: filterKeys.length }] }, [0]) : null;
        const serialCtx = context(4);
        const serial = runExchange(node(keys), (s) => inputs[s]!, serialCtx, filter);
        const routedCtx = context(4);
        const routed = routedExchange(node(keys), inputs.map((batches) => routeByKeys(keys, batches, 4, filter ? filter.forSlice() : null)), routedCtx);
        expect(routed.map((bs) => bs.map(plain))).toEqual(serial.map((bs) => bs.map(plain)));
        const [a, b] = [serialCtx.statsFor(7), routedCtx.statsFor(7)];
        expect([b.rowsOut, b.rowsMoved, b.bytesMoved]).toEqual([a.rowsOut, a.rowsMoved, a.bytesMoved]);
      }),
    );
  });

  it('puts the parts in shared memory, so a slice share crosses threads without a copy', () => {
    const inputs = batchesOf([[[1, 1, 'a'], [2, 2, 'b'], [3, 3, null], [4, 4, 'c'], [5, 5, 'a'], [6, 6, 'b']], [], [], []]);
    const { parts } = routeByKeys([0], inputs[0]!, 4);
    // a batch whose rows all go to one slice is passed on as it is; the others are cut
    const cut = parts.flat().filter((b) => !inputs[0]!.includes(b));
    expect(cut.length).toBeGreaterThan(0);
    for (const b of cut) for (const v of b.columns) expect((v.kind === 'str' ? v.codes : v.values).buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
