/**
 * SQL fuzzing (bench/fuzz/targets-sql.ts): generated and mutated statements
 * end in a result or a KeelError; the ternary partition of generated
 * predicates holds; generated queries of the shared subset agree with DuckDB.
 */
import { describe, expect, it } from 'vitest';
import { oracleTarget, sqlTarget, tlpTarget } from '../../bench/fuzz/targets-sql.js';
import { fuzz, report, runs } from './harness.js';

describe('SQL fuzzing', () => {
  it('generated and mutated statements end in a result or a typed error', async () => {
    const t = await fuzz(sqlTarget, runs(300));
    console.log(report(t));
    expect(t.failures.size, report(t)).toBe(0);
    expect(t.ok).toBeGreaterThan(0);
  });

  it('P, NOT P and P IS NULL partition the rows (TLP)', async () => {
    const t = await fuzz(tlpTarget, runs(100));
    console.log(report(t));
    expect(t.failures.size, report(t)).toBe(0);
    expect(t.checked).toBeGreaterThan(0);
  });

  it('queries of the shared subset give the rows DuckDB gives', async () => {
    const t = await fuzz(oracleTarget, runs(200));
    console.log(report(t));
    expect(t.failures.size, report(t)).toBe(0);
    expect(t.checked).toBeGreaterThan(0);
  });
});
