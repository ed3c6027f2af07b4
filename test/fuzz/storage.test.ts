/**
 * Storage fuzzing (bench/fuzz/targets-storage.ts): damaged segment files,
 * catalogs and markers read as CORRUPT or as the undamaged answer; forged ones
 * (checksums recomputed) never crash.
 */
import { describe, expect, it } from 'vitest';
import { catalogTarget, forgedSegmentTarget, segmentTarget } from '../../bench/fuzz/targets-storage.js';
import { fuzz, report, runs } from './harness.js';

describe('storage fuzzing', () => {
  it('segment files with damaged bytes', async () => {
    const t = await fuzz(segmentTarget, runs(80));
    console.log(report(t));
    expect(t.failures.size, report(t)).toBe(0);
    expect(t.checked).toBeGreaterThan(0);
  });

  it('segment files with forged footers and blocks', async () => {
    const t = await fuzz(forgedSegmentTarget, runs(80));
    console.log(report(t));
    expect(t.failures.size, report(t)).toBe(0);
  });

  it('catalog.json and the marker, damaged or edited and resealed', async () => {
    const t = await fuzz(catalogTarget, runs(150));
    console.log(report(t));
    expect(t.failures.size, report(t)).toBe(0);
  });
});
