/**
 * A build side shared across threads (engine/exec/shared-build.ts): once
 * copied into shared memory and structured-cloned, as a task carries it to a
 * worker, it holds the same rows and answers every probe as the table built
 * in place, over every layout (direct, identity, open addressing with and
 * without the bit set, chaining, string keys), and the clone shares the
 * memory rather than copying it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JoinTable } from '../../../engine/exec/join-table.js';
import { builtFrom, shareBuilt, type SharedBuild } from '../../../engine/exec/shared-build.js';
import type { Batch, Vector } from '../../../engine/types.js';

function vec(xs: readonly (number | null)[], strings: boolean): Vector {
  const nulls = Uint8Array.from(xs, (x) => (x === null ? 1 : 0));
  const anyNull = xs.some((x) => x === null);
  if (strings) {
    const dict = [...new Set(xs.filter((x): x is number => x !== null).map((x) => `k${x}`))];
    return { kind: 'str', codes: Uint32Array.from(xs, (x) => (x === null ? 0 : dict.indexOf(`k${x}`))), dict: dict.length ? dict : [''], nulls: anyNull ? nulls : null, length: xs.length };
  }
  if (xs.every((x) => x === null || (Number.isInteger(x) && Math.abs(x) < 2 ** 31))) return { kind: 'i32', values: Int32Array.from(xs, (x) => x ?? 0), nulls: anyNull ? nulls : null, length: xs.length };
  return { kind: 'f64', values: Float64Array.from(xs, (x) => x ?? 0), nulls: anyNull ? nulls : null, length: xs.length };
}

/** Every (probe row, build row) pair, drained across output buffers of `cap` pairs. */
function allMatches(t: JoinTable, probe: Batch, keys: readonly number[], cap: number, firstOnly: boolean): string[] {
  const pk = t.probeKeys(probe, keys);
  const got: string[] = [];
  const li = new Int32Array(cap);
  const ri = new Int32Array(cap);
  const at = { count: 0, row: 0, chain: -1 };
  let from = 0;
  let resume = -1;
  while (from < probe.length) {
    t.match(pk, probe.length, from, resume, li, ri, firstOnly, at);
    for (let k = 0; k < at.count; k++) got.push(`${li[k]}:${ri[k]}`);
    from = at.row;
    resume = at.chain;
  }
  return got;
}

/** The typed arrays reachable from a value (a SharedBuild's batch and table state). */
function typedArrays(x: unknown, out: ArrayBufferView[] = []): ArrayBufferView[] {
  if (ArrayBuffer.isView(x)) out.push(x);
  else if (Array.isArray(x)) for (const v of x) typedArrays(v, out);
  else if (x !== null && typeof x === 'object' && !(x instanceof Map)) for (const v of Object.values(x)) typedArrays(v, out);
  return out;
}

/** The probe rows the table's key test keeps (numeric single keys), or null where it has none. */
function keyTested(t: JoinTable, probe: Batch): number[] | null {
  const test = t.keyTest();
  if (test === null) return null;
  const sel = Uint32Array.from({ length: probe.length }, (_, i) => i);
  return Array.from(sel.subarray(0, test(probe.columns[0]!, sel, probe.length)));
}

const cell = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 35), max: 2 ** 35 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);

describe('shared build', () => {
  for (const [name, width, strings] of [
    ['one numeric key', 1, false],
    ['one string key', 1, true],
    ['two keys', 2, false],
  ] as const) {
    it(`answers every probe as the table built in place (${name})`, () => {
      const row = fc.array(cell, { minLength: width, maxLength: width });
      // every value of a range once: the direct layout, and the identity when in key order
      const dense = fc
        .tuple(fc.integer({ min: 1, max: 80 }).chain((n) => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => [i - 7]), { minLength: n, maxLength: n })), fc.boolean())
        .map(([rs, sorted]) => (sorted ? [...rs].sort((a, b) => a[0]! - b[0]!) : rs));
      const build = width === 1 ? fc.oneof(fc.array(row, { maxLength: 120 }), dense) : fc.array(row, { maxLength: 120 });
      fc.assert(
        fc.property(build, fc.array(row, { maxLength: 120 }), fc.integer({ min: 1, max: 50 }), fc.boolean(), fc.boolean(), (rows, probe, cap, firstOnly, inShared) => {
          const keys = Array.from({ length: width }, (_, c) => c);
          const batch = (rs: (number | null)[][]): Batch => ({
            length: rs.length,
            columns: [...keys.map((c) => vec(rs.map((r) => r[c]!), strings)), vec(rs.map((_, i) => i * 3), false)],
          });
          const b = batch(rows);
          const here = new JoinTable(b, keys, { shared: inShared });
          const shared: SharedBuild = structuredClone(shareBuilt({ batch: b, table: here }, keys));
          for (const a of typedArrays(shared)) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
          const there = builtFrom(shared);
          expect(there.batch.length).toBe(b.length);
          there.batch.columns.forEach((v, c) => expect(Array.from(v.kind === 'str' ? v.codes : v.values)).toEqual(Array.from(b.columns[c]!.kind === 'str' ? (b.columns[c] as { codes: Uint32Array }).codes : (b.columns[c] as { values: Int32Array }).values)));
          expect(there.table.hasNullKey).toBe(here.hasNullKey);
          const p = batch(probe);
          expect(allMatches(there.table, p, keys, cap, firstOnly)).toEqual(allMatches(here, p, keys, cap, firstOnly));
          expect(keyTested(there.table, p)).toEqual(keyTested(here, p));
        }),
      );
    });
  }

  it('copies an array the rows and the table share once (a numeric key column is the rows own)', () => {
    const b: Batch = { length: 3, columns: [vec([5, 9, 7], false)] };
    const shared = shareBuilt({ batch: b, table: new JoinTable(b, [0]) }, [0]);
    const col = shared.batch.columns[0]!;
    expect(col.kind).toBe('i32');
    expect(shared.table.keys.cols[0]).toBe((col as { values: Int32Array }).values);
  });

  it('takes a table built in shared memory as it is, without copying its arrays', () => {
    const b: Batch = { length: 4, columns: [vec([5, 9, 7, 1000], false)] };
    const t = new JoinTable(b, [0], { shared: true });
    const shared = shareBuilt({ batch: b, table: t }, [0]);
    const state = t.state();
    expect(state.first!.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.table.first).toBe(state.first);
    expect(shared.table.next).toBe(state.next);
  });
});
