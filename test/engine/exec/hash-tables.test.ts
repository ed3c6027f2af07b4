/**
 * The hash structures behind GROUP BY and joins against plain reference
 * implementations, over keys that exercise every layout: dense integer ranges
 * (directly indexed), sparse or fractional keys (open addressing), several key
 * columns (chaining), duplicates, NULLs and strings.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeyTable } from '../../../engine/exec/key-table.js';
import { JoinTable, keyFilter } from '../../../engine/exec/join-table.js';
import type { Batch, Vector } from '../../../engine/types.js';

const key = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: -50, max: 50 }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, min: -100, max: 100 }) },
  { weight: 1, arbitrary: fc.constant(NaN) },
);

function sameIds(batches: readonly Float64Array[]): void {
  const t = new KeyTable(1);
  const ref = new Map<number, number>();
  for (const col of batches) {
    const ids = new Int32Array(col.length);
    t.insert([col], col.length, ids);
    const want = Array.from(col, (x) => {
      if (!ref.has(x)) ref.set(x, ref.size);
      return ref.get(x)!;
    });
    expect(Array.from(ids)).toEqual(want);
  }
  expect(t.size).toBe(ref.size);
}

describe('KeyTable', () => {
  it('gives each distinct tuple of several key columns one id, and gives the tuples back', () => {
    const part = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.constant(NaN));
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.array(fc.array(fc.array(part, { minLength: 4, maxLength: 4 }), { maxLength: 200 }), { minLength: 1, maxLength: 4 }), (arity, batches) => {
        const t = new KeyTable(arity);
        const ref = new Map<string, number>();
        const tuples: number[][] = [];
        for (const b of batches) {
          const cols = Array.from({ length: arity }, (_, c) => Float64Array.from(b, (r) => r[c]!));
          const ids = new Int32Array(b.length);
          t.insert(cols, b.length, ids);
          b.forEach((r, i) => {
            const k = r.slice(0, arity).map((x) => (Number.isNaN(x) ? 'null' : String(x))).join(',');
            if (!ref.has(k)) {
              ref.set(k, ref.size);
              tuples.push(r.slice(0, arity));
            }
            expect(ids[i]).toBe(ref.get(k));
          });
        }
        expect(t.size).toBe(ref.size);
        const keys = t.keys;
        tuples.forEach((tuple, id) => tuple.forEach((x, c) => expect(Object.is(keys[c]![id], x) || (Number.isNaN(x) && Number.isNaN(keys[c]![id]!))).toBe(true)));
      }),
    );
  });

  it('keeps tuple ids while the grid of two key columns grows, and after it gives way to hashing', () => {
    const t = new KeyTable(2);
    const ref = new Map<string, number>();
    const tuples: [number, number][] = [];
    // few ids on both sides (the grid), both sides growing (the grid rebuilt), then thousands on both (too sparse: hashed)
    const shapes = [
      (i: number) => [i % 5, i % 3],
      (i: number) => [i % 40, (i * 7) % 9],
      (i: number) => [i % 300, i % 2],
      (i: number) => [i % 5, i % 100],
      (i: number) => [i, 4000 - i],
      (i: number) => [i % 40, (i * 7) % 9],
      (i: number) => [(i * 13) % 2500, (i * 17) % 2700],
    ];
    for (const shape of shapes) {
      const rows = Array.from({ length: 3000 }, (_, i) => shape(i));
      const ids = new Int32Array(rows.length);
      t.insert([Float64Array.from(rows, (r) => r[0]!), Float64Array.from(rows, (r) => r[1]!)], rows.length, ids);
      const want = rows.map(([a, b]) => {
        const k = `${a},${b}`;
        if (!ref.has(k)) {
          ref.set(k, ref.size);
          tuples.push([a!, b!]);
        }
        return ref.get(k)!;
      });
      expect(Array.from(ids)).toEqual(want);
    }
    expect(t.size).toBe(ref.size);
    const keys = t.keys;
    expect(tuples.map((_, id) => [keys[0]![id], keys[1]![id]])).toEqual(tuples);
  });

  it('keeps ids while a directly indexed key range widens up, down and out of reach', () => {
    const batch = (f: (i: number) => number) => Float64Array.from({ length: 2000 }, (_, i) => f(i));
    sameIds(Array.from({ length: 40 }, (_, b) => batch((i) => b * 9000 + i * 4)));
    sameIds(Array.from({ length: 40 }, (_, b) => batch((i) => -b * 9000 - i * 4)));
    sameIds(Array.from({ length: 30 }, (_, b) => batch((i) => (b % 2 ? 1 : -1) * b * 50_000 + i)));
    sameIds([batch((i) => i), batch((i) => i * 1e6), batch((i) => i + 7)]);
  });

  it('gives each distinct key (NULL = NaN included) one id, in order of first appearance', () => {
    fc.assert(
      fc.property(fc.array(fc.array(key, { maxLength: 300 }), { minLength: 1, maxLength: 6 }), (batches) => {
        const t = new KeyTable(1);
        const ref = new Map<string, number>();
        for (const b of batches) {
          const col = Float64Array.from(b);
          const ids = new Int32Array(b.length);
          t.insert([col], b.length, ids);
          b.forEach((x, i) => {
            const k = Number.isNaN(x) ? 'null' : String(x === 0 ? 0 : x);
            if (!ref.has(k)) ref.set(k, ref.size);
            expect(ids[i]).toBe(ref.get(k));
          });
        }
        expect(t.size).toBe(ref.size);
      }),
    );
  });
});

function vec(xs: readonly (number | string | null)[], strings = false): Vector {
  const nulls = Uint8Array.from(xs, (x) => (x === null ? 1 : 0));
  const anyNull = xs.some((x) => x === null);
  if (strings || xs.some((x) => typeof x === 'string')) {
    const dict = [...new Set(xs.filter((x): x is string => typeof x === 'string'))];
    return { kind: 'str', codes: Uint32Array.from(xs, (x) => (typeof x === 'string' ? dict.indexOf(x) : 0)), dict: dict.length ? dict : [''], nulls: anyNull ? nulls : null, length: xs.length };
  }
  const allInt = xs.every((x) => x === null || (Number.isInteger(x) && Math.abs(x as number) < 2 ** 31));
  if (allInt) return { kind: 'i32', values: Int32Array.from(xs, (x) => (x as number) ?? 0), nulls: anyNull ? nulls : null, length: xs.length };
  return { kind: 'f64', values: Float64Array.from(xs, (x) => (x as number) ?? 0), nulls: anyNull ? nulls : null, length: xs.length };
}

const cell = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 35), max: 2 ** 35 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Every (probe row, build row) pair `match` yields for probe rows [0, n), resuming across output buffers of `cap` pairs. */
function allMatches(t: JoinTable, pk: ReturnType<JoinTable['probeKeys']>, n: number, cap: number): string[] {
  const got: string[] = [];
  const li = new Int32Array(cap);
  const ri = new Int32Array(cap);
  const at = { count: 0, row: 0, chain: -1 };
  let from = 0;
  let resume = -1;
  while (from < n) {
    t.match(pk, n, from, resume, li, ri, false, at);
    for (let k = 0; k < at.count; k++) got.push(`${li[k]}:${ri[k]}`);
    from = at.row;
    resume = at.chain;
  }
  return got;
}

describe('JoinTable', () => {
  for (const [name, width, strings] of [
    ['one numeric key', 1, false],
    ['one string key', 1, true],
    ['two keys', 2, false],
  ] as const) {
    it(`finds exactly the equal-key pairs (${name})`, () => {
      const row = fc.array(cell, { minLength: width, maxLength: width });
      fc.assert(
        fc.property(fc.array(row, { maxLength: 120 }), fc.array(row, { maxLength: 120 }), fc.integer({ min: 1, max: 50 }), (build, probe, cap) => {
          const s = (x: number | null) => (strings && x !== null ? `k${x}` : x);
          const batch = (rows: (number | null)[][]): Batch => ({ length: rows.length, columns: Array.from({ length: width }, (_, c) => vec(rows.map((r) => s(r[c]!)), strings)) });
          const keys = Array.from({ length: width }, (_, c) => c);
          const t = new JoinTable(batch(build), keys);
          const p = batch(probe);
          const got = allMatches(t, t.probeKeys(p, keys), probe.length, cap);
          const want: string[] = [];
          probe.forEach((pr, i) => build.forEach((br, r) => { if (pr.every((x, c) => x !== null && x === br[c])) want.push(`${i}:${r}`); }));
          expect(got).toEqual(want);
          expect(t.hasNullKey).toBe(build.some((r) => r.some((x) => x === null)));
        }),
      );
    });
  }

  it('puts keys that are each value of their range once in key order, and then matches by the key alone', () => {
    const probeKey = fc.oneof(fc.integer({ min: -5, max: 70 }), fc.constant(null), fc.constant(3.5));
    fc.assert(
      fc.property(fc.integer({ min: -20, max: 20 }), fc.shuffledSubarray(Array.from({ length: 60 }, (_, i) => i)), fc.array(probeKey, { maxLength: 150 }), fc.integer({ min: 1, max: 40 }), (lo, shuffled, probe, cap) => {
        const m = shuffled.length;
        // every value of [lo, lo + m) once, in shuffled order (a permutation of 0..m-1 from the subarray's ranks)
        const ranks = [...shuffled].sort((a, b) => a - b);
        const build = shuffled.map((x) => lo + ranks.indexOf(x));
        const payload = build.map((k) => k * 10);
        const t = new JoinTable({ length: m, columns: [vec(build), vec(payload)] }, [0]);
        const order = t.keyOrder();
        const inOrder = build.every((k, r) => k === lo + r);
        if (m === 0 || inOrder) {
          expect(order).toBeNull();
          return;
        }
        expect(order).not.toBeNull();
        expect(Array.from(order!, (r) => build[r])).toEqual(Array.from({ length: m }, (_, j) => lo + j));
        const sortedKeys = Array.from(order!, (r) => build[r]!);
        const sorted = new JoinTable({ length: m, columns: [vec(sortedKeys), vec(Array.from(order!, (r) => payload[r]!))] }, [0]);
        expect(sorted.keyOrder()).toBeNull();
        const p: Batch = { length: probe.length, columns: [vec(probe)] };
        const got = allMatches(sorted, sorted.probeKeys(p, [0]), probe.length, cap);
        const want: string[] = [];
        probe.forEach((x, i) => sortedKeys.forEach((k, r) => { if (x === k) want.push(`${i}:${r}`); }));
        expect(got).toEqual(want);
      }),
    );
  });

  it('runtime key filter keeps every row whose key the other side has', () => {
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 200 }), fc.array(cell, { maxLength: 300 }), (build, probe) => {
        const f = keyFilter({ length: build.length, columns: [vec(build)] }, [0]).forSlice();
        const out = f({ length: probe.length, columns: [vec(probe)] });
        const v = out.columns[0]!;
        const kept = new Set(Array.from({ length: out.length }, (_, i) => (v.kind === 'str' ? v.dict[v.codes[i]!] : (v as { values: ArrayLike<number> }).values[i])));
        const matched = probe.filter((x): x is NonNullable<typeof x> => x !== null && build.includes(x));
        expect(matched.filter((x) => !kept.has(x))).toEqual([]);
      }),
    );
  });
});
