/**
 * Arrow IPC and Parquet fuzzing (bench/fuzz/targets-load.ts): files written by
 * apache-arrow and DuckDB, with bytes flipped, cut, inserted or zeroed, load or
 * fail with a typed error (never a hang), and a failed load changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { arrowTarget, parquetTarget } from '../../bench/fuzz/targets-load.js';
import { fuzz, report, runs } from './harness.js';

describe('binary load fuzzing', () => {
  it('Arrow IPC files and streams', async () => {
    const t = await fuzz(arrowTarget, runs(100));
    console.log(report(t));
    expect(t.failures.size, report(t)).toBe(0);
  });

  it('Parquet files', async () => {
    const t = await fuzz(parquetTarget, runs(100));
    console.log(report(t));
    expect(t.failures.size, report(t)).toBe(0);
  });
});
