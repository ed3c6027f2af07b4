/** Mining: fingerprints ranked by time, count and bytes; predicates per column; the join graph's edges. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { WorkloadLog, WorkloadStore, fingerprintStats, joinEdges, loadWorkload, scanPredicateStats, topFingerprints, workloadRecords, type LogRecord } from '../../index.js';
import { record, tempDir } from './helpers.js';

let dir: string;
const join = (left: string, right: string, bytesMoved: number, action = 'DS_BCAST_INNER'): LogRecord['joins'][number] => ({
  left,
  right,
  keys: [{ left, right }],
  type: 'inner',
  action,
  leftRows: 100,
  rightRows: 10,
  rowsMoved: bytesMoved / 10,
  bytesMoved,
});
const scan = (table: string, preds: [string, string, number | null][]): LogRecord['scans'][number] => ({
  table,
  columns: preds.map((p) => p[0]),
  predicates: preds.map(([column, op, actual]) => ({ column, op, literal: '1', estSelectivity: 0.5, actualSelectivity: actual })),
  blocksTotal: 4,
  blocksScanned: 3,
  blocksSkipped: 1,
  rowsScanned: 10,
  rowsOut: 5,
});

beforeAll(() => {
  dir = tempDir('mining');
  const log = new WorkloadLog(dir, { autoCompact: false });
  // A: 10 quick point queries; B: 2 slow joins moving many bytes; C: 4 medium joins (the same edge written the other way round)
  for (let n = 0; n < 10; n++) log.append(record({ n, fingerprint: 'A', durationMs: 1, scans: [scan('t', [['a', '=', 0.1]])] }));
  for (let n = 10; n < 12; n++) {
    log.append(record({ n, fingerprint: 'B', durationMs: 100, bytesMoved: 5000, scans: [scan('t', [['d', '>=', null], ['d', '<', null]]), scan('u', [])], joins: [join('t.a', 'u.b', 5000)] }));
  }
  for (let n = 12; n < 16; n++) {
    log.append(record({ n, fingerprint: 'C', durationMs: 20, bytesMoved: 100, status: n === 15 ? 'error' : 'ok', scans: [scan('t', [['a', '=', 0.3]])], joins: [join('u.b', 't.a', 100, 'DS_DIST_NONE')] }));
  }
  log.close();
  // half compacted, half raw: mining must see both
  new WorkloadStore(dir).compact();
  const more = new WorkloadLog(dir, { autoCompact: false });
  more.append(record({ n: 16, fingerprint: 'A', durationMs: 1, scans: [scan('t', [['a', '=', 0.2]])] }));
  more.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('mining', () => {
  it('ranks fingerprints by total time, count and bytes moved', () => {
    const w = loadWorkload(dir);
    expect(w.queries).toBe(17);
    expect(topFingerprints(w, { by: 'totalTime' }).map((f) => [f.fingerprint, f.count, f.totalMs])).toEqual([
      ['B', 2, 200],
      ['C', 4, 80],
      ['A', 11, 11],
    ]);
    expect(topFingerprints(w, { by: 'count', limit: 1 }).map((f) => f.fingerprint)).toEqual(['A']);
    expect(topFingerprints(w, { by: 'bytesMoved' }).map((f) => [f.fingerprint, f.bytesMoved])).toEqual([
      ['B', 10000],
      ['C', 400],
      ['A', 0],
    ]);
    const c = fingerprintStats(w).find((f) => f.fingerprint === 'C')!;
    expect(c).toMatchObject({ errors: 1, meanMs: 20, maxMs: 20, sampleSql: 'select * from t where a = 15' });
    expect(fingerprintStats(w).find((f) => f.fingerprint === 'A')!.sampleSql).toBe('select * from t where a = 16');
  });

  it('aggregates scan predicates per table, column and operator', () => {
    const stats = scanPredicateStats(loadWorkload(dir));
    const eq = stats.find((s) => s.table === 't' && s.column === 'a' && s.op === '=')!;
    expect(eq).toMatchObject({ count: 15, queries: 15, fingerprints: 2, totalMs: 91, blocksScanned: 45, blocksSkipped: 15 });
    expect(eq.meanActualSelectivity).toBeCloseTo((10 * 0.1 + 4 * 0.3 + 0.2) / 15);
    const ge = stats.find((s) => s.column === 'd' && s.op === '>=')!;
    expect(ge).toMatchObject({ count: 2, queries: 2, fingerprints: 1, meanEstSelectivity: 0.5, meanActualSelectivity: null });
    expect(stats[0]).toBe(eq);
  });

  it('builds undirected join edges with their actions and movement', () => {
    const edges = joinEdges(loadWorkload(dir));
    expect(edges).toHaveLength(1);
    expect(edges[0]).toMatchObject({
      left: 't.a',
      right: 'u.b',
      count: 6,
      queries: 6,
      fingerprints: 2,
      bytesMoved: 10400,
      actions: { DS_BCAST_INNER: 2, DS_DIST_NONE: 4 },
      types: { inner: 6 },
      leftRows: 2 * 100 + 4 * 10,
      rightRows: 2 * 10 + 4 * 100,
    });
  });

  it('selects a time window', () => {
    const all = [...workloadRecords(loadWorkload(dir))];
    expect(all.map((r) => r.id)).toEqual(Array.from({ length: 17 }, (_, n) => `r${n}`));
    const since = all[12]!.startTime;
    const w = loadWorkload(dir, { since });
    expect(w.queries).toBe(5);
    expect(fingerprintStats(w).map((f) => f.fingerprint).sort()).toEqual(['A', 'C']);
    expect(loadWorkload(dir, { since, until: all[16]!.startTime }).queries).toBe(4);
  });
});
