/**
 * Remembered refusals (advisor/shadow/memory.ts): a group the shadow proof
 * refused is stored; a second run on the same workload neither proposes nor
 * measures it; new query shapes reopen it and its new verdict replaces it; a
 * remembered distribution keeps the solver off that choice; a store written
 * before refusals existed still loads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import {
  listRecommendations,
  listRefusals,
  readStore,
  recommendationsPath,
  refusalOf,
  runAdvisor,
  updateStore,
  withoutAdvisor,
  workloadChange,
  type Recommendation,
  type Refusal,
  type ShadowEvidence,
} from '../../advisor/index.js';
import { loadWorkload } from '../../workload-log/index.js';
import { mix, REFUSED_SORT_KEY_RUN, refusedSortKeyWorkload } from './helpers.js';

async function logged(dir: string, statements: readonly string[]): Promise<void> {
  const db = await Database.open(dir);
  try {
    for (const sql of statements) await db.query(sql);
  } finally {
    db.close();
  }
}

async function advise(dir: string): Promise<Awaited<ReturnType<typeof runAdvisor>>> {
  const db = await Database.open(dir, { workloadLog: false });
  try {
    return await runAdvisor(db, REFUSED_SORT_KEY_RUN);
  } finally {
    db.close();
  }
}

const sortKeyOf = (recs: readonly Recommendation[]) => recs.find((r) => r.table === 'f' && r.kind === 'sortkey');

describe('a refused sort key is remembered', () => {
  let dir: string;
  let first: Refusal;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-refusals-'));
    await refusedSortKeyWorkload(dir);
  }, 60_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the first run measures and refuses it, and stores the refusal with its evidence and workload', async () => {
    const out = await advise(dir);
    expect(sortKeyOf(out.recommendations)).toBeUndefined();
    const rejected = out.run.rejected!.find((g) => g.tables.includes('f'))!;
    expect(rejected.changes).toEqual(['f: sortkey AUTO(NONE) -> x']);
    expect(rejected.reason).toMatch(/blocks read \+\d/);
    expect(rejected.refusedAt).toBeUndefined();
    expect(out.run.shadowProofs).toBeGreaterThanOrEqual(1);
    const refusals = listRefusals(dir);
    expect(refusals).toHaveLength(1);
    first = refusals[0]!;
    expect(first.changes).toEqual([{ table: 'f', kind: 'sortkey', current: 'AUTO(NONE)', proposed: 'x', ddl: 'ALTER TABLE f ALTER COMPOUND SORTKEY (x)' }]);
    expect(first.run).toBe(out.run.id);
    expect(first.reason).toBe(rejected.reason);
    expect(first.shadow.verdict).toBe('rejected');
    expect(first.shadow.blocksScanned.proposed).toBeGreaterThan(first.shadow.blocksScanned.current);
    expect(first.shadow.timeRatio.high).toBeGreaterThanOrEqual(first.shadow.timeRatio.low);
    // the workload it was measured on: the two query shapes with their executions, and the table's rows
    expect(first.workload.fingerprints.map((f) => f.count).sort((a, b) => a - b)).toEqual([10, 40]);
    expect(first.workload.executions).toBe(50);
    expect(first.workload.rows).toEqual([{ table: 'f', rows: 40_000 }]);
  }, 60_000);

  it('a second run on the same workload neither proposes nor measures it, and says why', async () => {
    const out = await advise(dir);
    expect(sortKeyOf(out.recommendations)).toBeUndefined();
    expect(out.run.shadowProofs).toBe(0);
    const rejected = out.run.rejected!.find((g) => g.tables.includes('f'))!;
    expect(rejected.changes).toEqual(['f: sortkey AUTO(NONE) -> x']);
    expect(rejected.refusedAt).toBe(first.at);
    expect(rejected.reason).toBe(`refused on ${first.at.slice(0, 16).replace('T', ' ')} UTC (${first.reason}); the workload has not changed since`);
    // the store still holds the first measurement, not a new one
    expect(listRefusals(dir)).toEqual([first]);
  }, 60_000);

  it('only a shift in the mix of the measured statements or in the data reopens it, not a uniform growth', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      const w = withoutAdvisor(loadWorkload(dir));
      const catalog = db.catalog();
      const [light, heavy] = [...first.workload.fingerprints].sort((a, b) => a.count - b.count);
      const as = (counts: [number, number], rows = 40_000): Refusal => ({
        ...first,
        workload: { ...first.workload, fingerprints: [{ ...light!, count: counts[0] }, { ...heavy!, count: counts[1] }], rows: [{ table: 'f', rows }] },
      });
      expect(workloadChange(first, w, catalog, 16)).toBeNull();
      // measured when the log held half as many of each: the same mix, the same ratio
      expect(workloadChange(as([5, 20]), w, catalog, 16)).toBeNull();
      // measured when the date ranges were 2 of 50 executions: their share is now 5 times that
      expect(workloadChange(as([2, 48]), w, catalog, 16)).toMatch(/share of the affected executions grew from 4\.0% to 20\.0%/);
      expect(workloadChange(as([10, 40], 15_000), w, catalog, 16)).toMatch(/f went from 15,000 to 40,000 rows/);
      expect(workloadChange(as([10, 40], 30_000), w, catalog, 16)).toBeNull();
      expect(workloadChange({ ...first, workload: { ...first.workload, fingerprints: [heavy!] } }, w, catalog, 16)).toMatch(/1 new query shape among the 2/);
    } finally {
      db.close();
    }
  }, 60_000);

  it('new query shapes on the table reopen it: the group is measured again and the new verdict replaces the refusal', async () => {
    // a new shape, selective on x in every execution, the latest too: now the key pays
    await logged(dir, Array.from({ length: 60 }, (_, k) => `select max(v) from f where x between ${(k * 1500) % 99_000} and ${(k * 1500) % 99_000 + 800}`));
    const out = await advise(dir);
    expect(out.run.shadowProofs).toBeGreaterThanOrEqual(1);
    expect(out.run.rejected!.filter((g) => g.refusedAt)).toEqual([]);
    expect(out.run.reopened).toEqual([{ changes: ['f: sortkey AUTO(NONE) -> x'], refusedAt: first.at, why: '1 new query shape among the 3 it affects most' }]);
    const key = sortKeyOf(out.recommendations)!;
    expect(key.proposed).toBe('x');
    expect(key.evidence.shadow!.verdict).toBe('proven');
    expect(key.evidence.shadow!.at > first.at).toBe(true);
    expect(listRefusals(dir)).toEqual([]);
    expect(listRecommendations(dir).map((r) => r.ddl)).toContain('ALTER TABLE f ALTER COMPOUND SORTKEY (x)');
  }, 60_000);
});

describe('a remembered distribution', () => {
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-refusals-dist-'));
    const db = await Database.open(dir, { slices: 4 });
    try {
      await db.execute('create table f (id integer, d integer, v integer) diststyle even; create table d (id integer, name varchar(20)) diststyle even');
      await db.execute(`insert into f values ${Array.from({ length: 3000 }, (_, i) => `(${i}, ${mix(i) % 2000}, ${i % 7})`).join(', ')}`);
      await db.execute(`insert into d values ${Array.from({ length: 2000 }, (_, i) => `(${i}, 'n${i}')`).join(', ')}`);
      for (let k = 0; k < 5; k++) await db.query(`select d.name, sum(f.v) from f join d on f.d = d.id where f.v > ${k % 3} group by d.name`);
    } finally {
      db.close();
    }
  }, 60_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps the solver off the refused keys, and the run lists the refusal', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      const estimated = await runAdvisor(db, { skewCheck: false, whatIf: false, storage: false, shadow: false });
      const pair = estimated.recommendations.filter((r) => r.kind === 'distkey');
      expect(pair.map((r) => `${r.table} ${r.proposed}`).sort()).toEqual(['d KEY(id)', 'f KEY(d)']);
      // the pair as a shadow proof that measured it slower would have left it
      const shadow: ShadowEvidence = {
        at: '2026-12-01T10:00:00.000Z', statements: 1, rounds: 5, tables: [{ table: 'd', rows: 2000, tableRows: 2000 }, { table: 'f', rows: 3000, tableRows: 3000 }], blockRows: 16384,
        predicted: { secondsPerDay: 1, secondsPerDayError: 1, bytesMovedSaved: 1, bytesReadSaved: 0 },
        blocksScanned: { current: 8, proposed: 8 }, bytesMoved: { current: 1e5, proposed: 0 }, storageBytes: { current: 1e5, proposed: 1e5 }, timeMs: { current: 10, proposed: 14.3 },
        timeRatio: { estimate: 1.43, low: 1.2, high: 1.7 }, verdict: 'rejected', reason: 'measured slower: time x1.430 (95% interval 1.200-1.700 over 5 rounds)',
      };
      const w = withoutAdvisor(loadWorkload(dir));
      const refusal = refusalOf({ tables: ['d', 'f'], members: pair }, shadow, w, db.catalog(), 'run1', 16);
      expect(refusal.workload.executions).toBe(5);
      updateStore(dir, (s) => ({ store: { ...s, refusals: [refusal] }, result: null }));

      const out = await runAdvisor(db, { skewCheck: false, whatIf: false, storage: false, shadow: { rounds: 3, budgetMs: 20_000 } });
      expect(out.recommendations.filter((r) => r.proposed === 'KEY(d)' || r.proposed === 'KEY(id)')).toEqual([]);
      const rejected = out.run.rejected!.find((g) => g.refusedAt)!;
      expect([...rejected.changes].sort()).toEqual(['d: distkey EVEN -> KEY(id)', 'f: distkey EVEN -> KEY(d)']);
      expect(rejected.reason).toBe('refused on 2026-12-01 10:00 UTC (measured slower: time x1.430 (95% interval 1.200-1.700 over 5 rounds)); the workload has not changed since');
      expect(listRefusals(dir)).toEqual([refusal]);

      // the user redistributes d by hand: f KEY(d) beside d ALL is not the change that was measured, and the refusal no longer applies
      await db.execute('alter table d alter diststyle all');
      await db.execute('alter table f alter diststyle key distkey id');
      const after = await runAdvisor(db, { skewCheck: false, whatIf: false, storage: false, shadow: { rounds: 3, budgetMs: 20_000 } });
      expect(after.run.rejected!.filter((g) => g.refusedAt)).toEqual([]);
      // (whatever this run measured and refused is remembered in its place)
      expect(listRefusals(dir).map((r) => r.run)).not.toContain('run1');
    } finally {
      db.close();
    }
  }, 120_000);
});

describe('the store format', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-refusals-store-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a format 1 store (before refusals) loads with none, and is written back as format 2', () => {
    const file = recommendationsPath(dir);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const rec = {
      id: 'r1', group: 'g1', table: 'f', kind: 'sortkey', current: 'AUTO(NONE)', proposed: 'day', ddl: 'ALTER TABLE f ALTER COMPOUND SORTKEY (day)',
      benefit: { secondsPerDay: 1, secondsPerDayError: 0.5, percent: 10, bytes: 1000 }, applyCost: { rows: 10, rewriteBytes: 40, storageBytesBefore: 40, storageBytesAfter: 40 },
      userSet: false, reason: 'date ranges', evidence: { fingerprints: [], sortKey: {} }, status: 'proposed', statusReason: null,
      history: [{ status: 'proposed', at: '2026-11-30T00:00:00.000Z', reason: null }], createdAt: '2026-11-30T00:00:00.000Z', updatedAt: '2026-11-30T00:00:00.000Z', run: 'run1',
    };
    const run = { id: 'run1', at: '2026-11-30T00:00:00.000Z', queries: 3, tables: 1, edges: 0, objectiveBefore: 0, objectiveAfter: 0, lowerBound: 0, gap: 0, optimal: true, method: 'exact', solveMs: 0, greedyObjective: 0, solverObjective: 0 };
    fs.writeFileSync(file, JSON.stringify({ format: 1, nextId: 2, nextGroup: 2, runs: [run], recommendations: [rec] }));
    const s = readStore(dir);
    expect(s.format).toBe(2);
    expect(s.refusals).toEqual([]);
    expect(listRecommendations(dir).map((r) => r.id)).toEqual(['r1']);
    expect(listRefusals(dir)).toEqual([]);
    updateStore(dir, (x) => ({ store: x, result: null }));
    const written = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(written.format).toBe(2);
    expect(written.refusals).toEqual([]);
    expect(written.recommendations[0].id).toBe('r1');
    fs.writeFileSync(file, JSON.stringify({ format: 3, nextId: 1, runs: [], recommendations: [] }));
    expect(() => readStore(dir)).toThrow(/recommendations format 3 is not one this keel reads \(1, 2\)/);
  });
});
