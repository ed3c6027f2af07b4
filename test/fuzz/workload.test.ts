/**
 * Workload fuzzing (bench/fuzz/targets-log.ts): trace files replayed and
 * Redshift query histories imported end in a summary or a typed error, with
 * every failing query a typed error and the counts adding up.
 */
import { describe, expect, it } from 'vitest';
import { importTarget, traceTarget } from '../../bench/fuzz/targets-log.js';
import { fuzz, report, runs } from './harness.js';

describe('workload fuzzing', () => {
  it('trace lines, parsed and replayed', async () => {
    const t = await fuzz(traceTarget, runs(150));
    console.log(report(t));
    expect(t.failures.size, report(t)).toBe(0);
    expect(t.checked).toBeGreaterThan(0);
  });

  it('Redshift query history imports (keel log import)', async () => {
    const t = await fuzz(importTarget, runs(150));
    console.log(report(t));
    expect(t.failures.size, report(t)).toBe(0);
    expect(t.checked).toBeGreaterThan(0);
  });
});
