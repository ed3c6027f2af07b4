/**
 * The paired replay (workload-log/replay-paired.ts): each statement runs on
 * both sides back to back, the first side alternating; each side's counters
 * and time are its own; the ratio's interval covers what was measured and
 * excludes 1 when one side is plainly slower.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pairedRatioInterval, replayPaired } from '../../workload-log/index.js';
import type { Database, QueryResult } from '../../engine/index.js';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A stand-in database: each statement takes `ms`, reports `blocks` blocks read, and is logged in `calls`. */
function side(name: string, ms: number, blocks: number, calls: string[], failOn?: string): Pick<Database, 'execute'> {
  return {
    execute: (async (sql: string, onResult?: (r: QueryResult) => void) => {
      calls.push(`${name}:${sql}`);
      busy(ms);
      if (sql === failOn) throw new Error('no such table');
      onResult?.({ stats: { bytesMoved: 10, rowsMoved: 1, blocksScanned: blocks, blocksSkipped: 0 } } as unknown as QueryResult);
      return [];
    }) as unknown as Database['execute'],
  };
}

function trace(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-paired-'));
  const file = path.join(dir, 'trace.jsonl');
  fs.writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify({ ts: i, sql: `select ${i}` })).join('\n') + '\n{not json}\n');
  return file;
}

describe('replayPaired', () => {
  it('runs every statement on both sides back to back, alternating which goes first', async () => {
    const calls: string[] = [];
    const r = await replayPaired(side('a', 0, 1, calls), side('b', 0, 1, calls), trace(4), { rounds: 2, warmup: 1 });
    expect(r.statements).toBe(4);
    expect(r.rounds).toBe(2);
    // 3 rounds of 4 statements, 2 sides each; the bad line is skipped
    expect(calls).toHaveLength(24);
    expect(calls.slice(0, 8)).toEqual(['a:select 0', 'b:select 0', 'b:select 1', 'a:select 1', 'a:select 2', 'b:select 2', 'b:select 3', 'a:select 3']);
    // the next round starts with the other side
    expect(calls.slice(8, 10)).toEqual(['b:select 0', 'a:select 0']);
  });

  // wall-clock bounds only from below (a busy statement takes at least its time): the interval's width is pairedRatioInterval's, tested without a clock
  it('gives each side its own counters and time, and the ratio of the two with its interval', async () => {
    const calls: string[] = [];
    const r = await replayPaired(side('a', 4, 10, calls), side('b', 2, 3, calls, 'select 5'), trace(12), { rounds: 3, warmup: 1 });
    expect(r.a).toMatchObject({ queries: 12, errors: 0, blocksScanned: 120, bytesMoved: 120 });
    // the failing statement counts as an error and adds nothing to the counters
    expect(r.b).toMatchObject({ queries: 12, errors: 1, blocksScanned: 33, bytesMoved: 110 });
    expect(r.a.workloadMs).toBeGreaterThanOrEqual(48);
    expect(r.b.workloadMs).toBeGreaterThanOrEqual(24);
    expect(r.timeRatio.low).toBeLessThanOrEqual(r.timeRatio.estimate);
    expect(r.timeRatio.estimate).toBeLessThanOrEqual(r.timeRatio.high);
  });
});

describe('pairedRatioInterval', () => {
  it('is exact when every pair has the same ratio, covers 1 for equal sides with noise, and excludes it for a slower side', () => {
    const a = Float64Array.from({ length: 50 }, (_, i) => 1 + (i % 7));
    const double = pairedRatioInterval(a, a.map((x) => 2 * x));
    expect(double.estimate).toBeCloseTo(2, 9);
    expect(double.low).toBeCloseTo(2, 9);
    expect(double.high).toBeCloseTo(2, 9);
    // b is a with its pairs' noise in both directions: the interval holds 1
    const b = a.map((x, i) => x * (i % 2 === 0 ? 1.1 : 1 / 1.1));
    const noisy = pairedRatioInterval(a, b);
    expect(noisy.low).toBeLessThan(1);
    expect(noisy.high).toBeGreaterThan(1);
    // b slower on every pair, by 5-25%: the whole interval is above 1
    const slower = pairedRatioInterval(a, a.map((x, i) => x * (1.05 + (i % 5) * 0.05)));
    expect(slower.low).toBeGreaterThan(1);
    expect(slower.high).toBeLessThan(1.25);
    // the same samples give the same interval (seeded)
    expect(pairedRatioInterval(a, b)).toEqual(noisy);
  });

  it('says nothing from fewer than two pairs', () => {
    expect(pairedRatioInterval(Float64Array.of(2), Float64Array.of(1))).toEqual({ estimate: 0.5, low: 0, high: Infinity });
  });
});
