/**
 * The cost model on logs whose time law is known: durations made from the
 * records' own counters by a linear law (plus noise) give back its marginal
 * costs and predict held-out queries; a power law is caught by the log-linear
 * model and not by the linear one; weights never go negative; and a log of
 * real queries run through the engine yields features that match the records.
 */
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../engine/index.js';
import type { LogRecord } from '../../workload-log/index.js';
import { benefitOf, evaluateCostModel, fitCostModel, msSaved, predictMs, queryFeatures, secondsPerDay, withoutAdvisor, workloadDays, FEATURES } from '../../advisor/index.js';
import { fakeCatalog, fakeTable, joinRecord, join, workloadFrom } from './helpers.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const catalog: Catalog = fakeCatalog([fakeTable('f', 1_000_000, ['a', 'b', 'c', 'd']), fakeTable('d', 10_000, ['id', 'x'])]);

/** A query scanning f (some blocks) and joining d, with duration given by `law` of its counters. */
function record(n: number, r: () => number, law: (blocks: number, moved: number, joined: number) => number, startMs: number): LogRecord {
  const blocks = 1 + Math.floor(r() * 200);
  const moved = Math.floor(r() * 4e6);
  const leftRows = Math.floor(r() * 2e5);
  const rec = joinRecord(n, `q${n % 7}`, [join('f.a', 'd.id', { leftRows, rightRows: 1000, rowsMoved: moved / 8, bytesMoved: moved })]);
  return {
    ...rec,
    startTime: new Date(startMs).toISOString(),
    durationMs: law(blocks, moved, leftRows + 1000),
    blocksTotal: 248,
    blocksScanned: blocks,
    blocksSkipped: 248 - blocks,
    scans: [{ table: 'f', columns: ['a', 'b'], predicates: [], blocksTotal: 248, blocksScanned: blocks, blocksSkipped: 248 - blocks, rowsScanned: blocks * 4096, rowsOut: 10 }],
  };
}

describe('cost model', () => {
  it('recovers a linear law of blocks, bytes moved and rows joined, and predicts held-out queries', () => {
    const r = rng(3);
    const law = (b: number, m: number, j: number) => (2 + 0.5 * b + 3e-6 * m + 1e-4 * j) * (0.95 + 0.1 * r());
    const recs = Array.from({ length: 400 }, (_, i) => record(i, r, law, Date.UTC(2024, 0, 1) + i * 60_000));
    const data = queryFeatures(workloadFrom(recs), catalog);
    expect(data.y.length).toBe(400);
    const e = evaluateCostModel(data, 'linear');
    expect(e.test).toBe(100);
    expect(e.r2).toBeGreaterThan(0.95);
    expect(e.medianApe).toBeLessThan(0.06);
    for (const f of FEATURES) expect(e.model.weights[f]).toBeGreaterThanOrEqual(0);
    // 50 blocks and 1 MB moved fewer, in the law's units: 25 + 3 ms (collinear features share the credit)
    const ms = msSaved(e.model, { blocksScanned: 50, rowsScanned: 50 * 4096, bytesScanned: 50 * (data.x[0]![2]! / data.x[0]![0]!), bytesMoved: 1e6, rowsMoved: 1e6 / 8 });
    expect(ms).toBeGreaterThan(28 * 0.85);
    expect(ms).toBeLessThan(28 * 1.15);
  });

  it('fits a power law in log space better than a linear model does', () => {
    const r = rng(5);
    const law = (b: number, m: number) => 0.3 * Math.pow(b, 1.6) * Math.pow(1 + m / 1e6, 0.5) * (0.9 + 0.2 * r());
    const recs = Array.from({ length: 300 }, (_, i) => record(i, r, law, Date.UTC(2024, 0, 1) + i * 1000));
    const data = queryFeatures(workloadFrom(recs), catalog);
    const lin = evaluateCostModel(data, 'linear');
    const log = evaluateCostModel(data, 'loglinear');
    expect(log.medianApe).toBeLessThan(lin.medianApe);
    expect(log.medianApe).toBeLessThan(0.15);
    const q = data.x[0]!;
    expect(predictMs(log.model, q)).toBeGreaterThan(0);
  });

  it('drops a feature whose fitted weight would be negative instead of rewarding work', () => {
    const r = rng(8);
    // time falls as rows returned rise (an artefact of this log): the linear model must not learn "return more rows to run faster"
    const recs = Array.from({ length: 200 }, (_, i) => {
      const rec = record(i, r, (b) => 1 + b, Date.UTC(2024, 0, 1) + i);
      const ret = Math.floor(r() * 1000);
      return { ...rec, rowsReturned: ret, durationMs: rec.durationMs + 50 - ret / 20 };
    });
    const m = fitCostModel(queryFeatures(workloadFrom(recs), catalog), 'linear');
    expect(m.weights.rowsReturned).toBe(0);
    for (const f of FEATURES) expect(m.weights[f]).toBeGreaterThanOrEqual(0);
  });

  it('states savings per day of the workload the log spans (a log under a day counts as one day)', () => {
    const r = rng(1);
    const day = 86_400_000;
    const three = workloadFrom([0, 1, 2, 3].map((k) => record(k, r, () => 1, Date.UTC(2024, 0, 1) + k * day)));
    expect(workloadDays(three)).toBe(3);
    const short = workloadFrom([0, 1].map((k) => record(k, r, () => 1, Date.UTC(2024, 0, 1) + k * 1000)));
    expect(workloadDays(short)).toBe(1);
    expect(secondsPerDay(9000, 3)).toBe(3);
  });

  it("leaves the advisor's own statements (sampling, skew counts) out of what it learns from", () => {
    const r = rng(2);
    const recs = Array.from({ length: 10 }, (_, i) => ({ ...record(i, r, () => 5, Date.UTC(2024, 0, 1) + i), source: i % 2 ? 'advisor' : 'api' }));
    const w = withoutAdvisor(workloadFrom(recs));
    expect(w.queries).toBe(5);
    expect(queryFeatures(w, catalog).y.length).toBe(5);
    expect(queryFeatures(workloadFrom(recs), catalog).y.length).toBe(10);
  });
});

describe('a benefit in seconds per day', () => {
  const cost = (secondsPerDay: number, relativeError: number) => ({ model: fitCostModel({ x: [], y: [], names: [...FEATURES] } as never, 'linear'), days: 1, bytesPerRowMoved: 16, queries: 60, secondsPerDay, relativeError });

  it('never exceeds the time the logged workload takes, nor does its error', () => {
    // a model fitted on one query shape can price a moved byte far past what the whole workload costs
    const b = benefitOf(30e6, 499.7, cost(4.9, 0.62));
    expect(b).toEqual({ secondsPerDay: 4.9, secondsPerDayError: 3.038, percent: 100, bytes: 30e6 });
    expect(benefitOf(1e6, 10, cost(4.9, 1)).secondsPerDayError).toBe(4.9);
    expect(benefitOf(1e6, 1.2, cost(4.9, 0.5))).toEqual({ secondsPerDay: 1.2, secondsPerDayError: 0.6, percent: 24.49, bytes: 1e6 });
  });
});
