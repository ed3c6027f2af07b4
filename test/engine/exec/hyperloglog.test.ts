/**
 * APPROXIMATE COUNT(DISTINCT)'s HyperLogLog (exec/ops/hyperloglog.ts): estimates
 * within 3 standard errors (3 x 1.04 / sqrt(16384) = 2.44%) of the exact count
 * on data of several sizes and kinds, exact below the sparse limit, with an
 * error that averages out to about one standard error; and sketches that merge
 * to the same estimate however the values were split.
 */
import { describe, expect, it } from 'vitest';
import type { Vector } from '../../../engine/types.js';
import { HLL_P, HLL_STANDARD_ERROR, HllAcc, SPARSE_LIMIT, hashValues } from '../../../engine/exec/ops/hyperloglog.js';
import { rng } from '../../helpers/random.js';

const BOUND = 3 * HLL_STANDARD_ERROR;

function ints(values: ArrayLike<number>): Vector {
  return { kind: 'i32', values: Int32Array.from(values), nulls: null, length: values.length };
}
function doubles(values: ArrayLike<number>): Vector {
  return { kind: 'f64', values: Float64Array.from(values), nulls: null, length: values.length };
}
function strings(values: readonly string[]): Vector {
  return { kind: 'str', codes: Uint32Array.from(values.map((_, i) => i)), dict: [...values], nulls: null, length: values.length };
}

/** One group's estimate over the vectors, fed batch by batch. */
function estimate(batches: readonly Vector[]): number {
  const acc = new HllAcc('complete');
  acc.grow(1);
  for (const v of batches) acc.update(v, new Int32Array(v.length), v.length);
  return (acc.result(1) as { values: Float64Array }).values[0]!;
}

/** n values made by f, in batches of 4096. */
function batchesOf(n: number, make: (from: number, to: number) => Vector): Vector[] {
  const out: Vector[] = [];
  for (let i = 0; i < n; i += 4096) out.push(make(i, Math.min(n, i + 4096)));
  return out;
}

const range = (from: number, to: number, f: (i: number) => number): number[] => Array.from({ length: to - from }, (_, k) => f(from + k));


const KINDS: [string, (from: number, to: number) => Vector][] = [
  ['consecutive integers', (a, b) => ints(range(a, b, (i) => i))],
  ['integers spaced by 1,000,003', (a, b) => doubles(range(a, b, (i) => i * 1_000_003 - 5e11))],
  ['decimals (scaled) and doubles', (a, b) => doubles(range(a, b, (i) => i / 8 + 0.1))],
  ['strings', (a, b) => strings(range(a, b, (i) => i).map((i) => `customer#${i}`))],
];

describe('HyperLogLog estimates', () => {
  it('has the documented standard error: 1.04 / sqrt(2^14) = 0.81%', () => {
    expect(HLL_P).toBe(14);
    expect(HLL_STANDARD_ERROR).toBeCloseTo(0.008125, 6);
  });

  for (const [kind, make] of KINDS) {
    for (const n of [2_000, 20_000, 200_000, 1_000_000]) {
      it(`${kind}, ${n.toLocaleString('en-US')} distinct: within 3 standard errors`, () => {
        const e = estimate(batchesOf(n, make));
        expect(Math.abs(e - n)).toBeLessThanOrEqual(BOUND * n + 1);
      });
    }
  }

  it(`is exact up to ${SPARSE_LIMIT} distinct values (they are kept as hashes)`, () => {
    for (const n of [0, 1, 2, 17, 500, SPARSE_LIMIT]) {
      for (const [, make] of KINDS) expect(estimate(batchesOf(n, make))).toBe(n);
    }
  });

  it('counts each value once however often it comes, and skips NULLs', () => {
    // 10,000 values three times each; rows 0, 5, 10, ... are NULL, which hides the values that are multiples of 5
    const values = range(0, 30_000, (i) => i % 10_000);
    const nulls = Uint8Array.from(values, (_, i) => (i % 5 === 0 ? 1 : 0));
    const e = estimate([{ kind: 'i32', values: Int32Array.from(values), nulls, length: values.length }]);
    expect(Math.abs(e - 8_000)).toBeLessThanOrEqual(BOUND * 8_000 + 1);
    expect(estimate([ints(range(0, 30_000, (i) => i % 700))])).toBe(700);
    const only = estimate([{ kind: 'i32', values: new Int32Array(100), nulls: new Uint8Array(100).fill(1), length: 100 }]);
    expect(only).toBe(0);
  });

  it('errs by about one standard error on average (200 independent sets of 20,000 random values)', () => {
    const next = rng(42);
    let squares = 0;
    const trials = 200;
    const n = 20_000;
    for (let t = 0; t < trials; t++) {
      const e = estimate(batchesOf(n, (a, b) => doubles(range(a, b, () => Math.floor(next() * 2 ** 52)))));
      squares += ((e - n) / n) ** 2;
    }
    const rms = Math.sqrt(squares / trials);
    // the estimator's error is 1.04 / sqrt(m) in theory; 200 trials pin the mean square to within about 10%
    expect(rms).toBeGreaterThan(0.6 * HLL_STANDARD_ERROR);
    expect(rms).toBeLessThan(1.3 * HLL_STANDARD_ERROR);
  });

  it('hashes equal values equally whatever their physical kind (an INTEGER 7, a BIGINT 7, -0 and 0)', () => {
    const hi = [new Uint32Array(3), new Uint32Array(3)];
    const lo = [new Uint32Array(3), new Uint32Array(3)];
    hashValues(ints([7, 0, -3]), 3, hi[0]!, lo[0]!);
    hashValues(doubles([7, -0, -3]), 3, hi[1]!, lo[1]!);
    expect([...hi[0]!]).toEqual([...hi[1]!]);
    expect([...lo[0]!]).toEqual([...lo[1]!]);
    // and different values differently, in both words
    expect(new Set(hi[0]).size).toBe(3);
    expect(new Set(lo[0]).size).toBe(3);
  });
});

describe('HyperLogLog sketches merge', () => {
  /** Per group: partial sketches of `parts` (each a list of value batches), merged in a final aggregate. */
  function merged(parts: readonly Vector[][], groups: number, groupOf: (part: number, batch: number) => Int32Array): number[] {
    const sketches: Vector[] = [];
    const sketchGroups: number[] = [];
    parts.forEach((batches, p) => {
      const partial = new HllAcc('partial');
      partial.grow(groups);
      batches.forEach((v, b) => partial.update(v, groupOf(p, b), v.length));
      const out = partial.result(groups);
      sketches.push(out);
      for (let g = 0; g < groups; g++) sketchGroups.push(g);
    });
    const final = new HllAcc('final');
    final.grow(groups);
    let at = 0;
    for (const s of sketches) {
      final.update(s, Int32Array.from(sketchGroups.slice(at, at + s.length)), s.length);
      at += s.length;
    }
    return [...(final.result(groups) as { values: Float64Array }).values];
  }

  it('to the estimate of one sketch over all the values, for sparse and dense groups alike', () => {
    // group 0: 300,000 values (dense), group 1: 700 (sparse), group 2: 3,000 split so that no part alone is dense
    const values = (from: number, to: number) => doubles(range(from, to, (i) => i * 7919));
    const whole = [estimate(batchesOf(300_000, values)), estimate(batchesOf(700, values)), estimate(batchesOf(3_000, values))];
    const parts: Vector[][] = [[], [], [], []];
    const groupsOf: number[][] = [[], [], [], []];
    const add = (group: number, from: number, to: number, part: number) => {
      parts[part]!.push(values(from, to));
      groupsOf[part]!.push(group);
    };
    for (let i = 0; i < 300_000; i += 5000) add(0, i, i + 5000, (i / 5000) % 4);
    add(1, 0, 400, 0);
    add(1, 300, 700, 3);
    for (let p = 0; p < 4; p++) add(2, p * 750, p * 750 + 750, p);
    const result = merged(parts, 3, (p, b) => new Int32Array(parts[p]![b]!.length).fill(groupsOf[p]![b]!));
    expect(result).toEqual(whole);
    expect(result[1]).toBe(700);
    expect(Math.abs(result[0]! - 300_000)).toBeLessThanOrEqual(BOUND * 300_000);
    expect(Math.abs(result[2]! - 3_000)).toBeLessThanOrEqual(BOUND * 3_000 + 1);
  });
});
