/**
 * CSV fuzzing (bench/fuzz/targets-load.ts): delimited files, valid or damaged,
 * under random delimiters, quotes, headers, NULL markers and gzip, load or fail
 * with a typed error; a failed load changes nothing, and an undamaged file
 * loads exactly the values written into it.
 */
import { expect, it } from 'vitest';
import { csvTarget } from '../../bench/fuzz/targets-load.js';
import { fuzz, report, runs } from './harness.js';

it('CSV and other delimited text load, or fail with a typed error', async () => {
  const t = await fuzz(csvTarget, runs(150));
  console.log(report(t));
  expect(t.failures.size, report(t)).toBe(0);
  expect(t.checked).toBeGreaterThan(0);
});
