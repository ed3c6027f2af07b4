/**
 * Short query acceleration's prediction (advisor/cost-model/short-query.ts):
 * the cost model fitted on the log judges the fingerprints it has features
 * for; the mean logged time judges the rest; an unseen fingerprint is long.
 */
import { describe, expect, it } from 'vitest';
import { learnShortQueries, SHORT_QUERY_MIN_QUERIES } from '../../advisor/index.js';
import type { LogRecord } from '../../workload-log/index.js';
import { record } from '../workload-log/helpers.js';
import { fakeCatalog, workloadFrom } from './helpers.js';

/** A run of `fingerprint` that scanned `blocks` blocks and `rows` rows, taking what a per-block and per-row cost say. */
function run(n: number, fingerprint: string, blocks: number, rows: number): LogRecord {
  const base = record({ n });
  return {
    ...base,
    fingerprint,
    sql: fingerprint,
    durationMs: 1 + 2 * blocks + rows / 1000,
    blocksTotal: blocks,
    blocksScanned: blocks,
    blocksSkipped: 0,
    scans: [{ ...base.scans[0]!, blocksTotal: blocks, blocksScanned: blocks, blocksSkipped: 0, rowsScanned: rows, rowsOut: rows }],
  };
}

describe('short query prediction', () => {
  it('with enough logged queries, the cost model predicts each fingerprint from its mean features', () => {
    const records: LogRecord[] = [];
    for (let n = 0; n < 30; n++) {
      // the blocks and rows of each run vary on their own, so the fit can tell their costs apart
      records.push(run(n, 'select small', 1 + (n % 3), 1000 * (1 + (n % 2))));
      records.push(run(100 + n, 'select big', 500 + 10 * (n % 4), 200_000 + 5000 * (n % 3)));
    }
    const sq = learnShortQueries(workloadFrom(records), fakeCatalog([]), 100);
    expect(sq.model).not.toBeNull();
    expect(sq.predictedMs.get('select small')!).toBeLessThan(100);
    expect(sq.predictedMs.get('select big')!).toBeGreaterThan(100);
    expect(sq.isShort({ fingerprint: 'select small' })).toBe(true);
    expect(sq.isShort({ fingerprint: 'select big' })).toBe(false);
    expect(sq.isShort({ fingerprint: 'select never seen' })).toBe(false);
  });

  it('below the model\'s minimum, the mean logged time of successful runs decides; an unseen fingerprint is long', () => {
    const records = [
      { ...record({ n: 1 }), fingerprint: 'insert into t values (?)', durationMs: 4, scans: [] },
      { ...record({ n: 2 }), fingerprint: 'insert into t values (?)', durationMs: 6, scans: [] },
      { ...record({ n: 3 }), fingerprint: 'select slow', durationMs: 900 },
      // a failed run says nothing of how long the statement takes
      { ...record({ n: 4 }), fingerprint: 'select slow', durationMs: 1, status: 'error' as const, error: { code: 'CANCELLED', message: 'x' } },
    ];
    expect(records.length).toBeLessThan(SHORT_QUERY_MIN_QUERIES);
    const sq = learnShortQueries(workloadFrom(records), fakeCatalog([]), 100);
    expect(sq.model).toBeNull();
    expect(sq.meanMs.get('insert into t values (?)')).toBe(5);
    expect(sq.isShort({ fingerprint: 'insert into t values (?)' })).toBe(true);
    expect(sq.isShort({ fingerprint: 'select slow' })).toBe(false);
    expect(sq.isShort({ fingerprint: 'select other' })).toBe(false);
  });
});
