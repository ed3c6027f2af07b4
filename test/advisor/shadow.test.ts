/**
 * The shadow proof: the decision rule and its interval, shadow copies that
 * keep a table's layout and clustering, and a group refused because its
 * measured counters got worse, before anything was applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import { createTableSql, decide, fasterBound, proveGroup, ratioInterval, runAdvisor, slowerBound, withoutAdvisor, type Recommendation } from '../../advisor/index.js';
import { loadWorkload } from '../../workload-log/index.js';
import { affectedShapes } from '../../advisor/shadow/index.js';

describe('the decision rule', () => {
  const m = (current: number, proposed: number) => ({ current, proposed });
  const base = { blocksScanned: m(100, 100), bytesMoved: m(1e6, 1e6), storageBytes: m(1e6, 1e6), rounds: 5 };
  const within = { estimate: 1, low: 0.9, high: 1.1 };

  it('the interval of paired ratios is Student-t over their logs', () => {
    const r = ratioInterval([0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(r.estimate).toBeCloseTo(0.5, 10);
    expect(r.low).toBeCloseTo(0.5, 10);
    expect(r.high).toBeCloseTo(0.5, 10);
    const s = ratioInterval([1, 2]);
    // mean of logs ln(2)/2, sd ln(2)/sqrt(2), t(1) = 12.706: half width 12.706 * ln(2) / 2
    expect(s.estimate).toBeCloseTo(Math.SQRT2, 10);
    expect(s.high).toBeCloseTo(Math.exp(Math.log(2) / 2 + (12.706 * Math.log(2)) / 2), 6);
    expect(ratioInterval([1.3]).high).toBe(Infinity);
  });

  it('time beyond its interval decides; within it blocks read and bytes moved do, and storage only when they are still', () => {
    expect(decide({ ...base, timeRatio: { estimate: 1.4, low: 1.2, high: 1.6 }, blocksScanned: m(100, 50) }, 0.02, false)).toMatchObject({ verdict: 'rejected', reason: expect.stringMatching(/^measured slower/) });
    expect(decide({ ...base, timeRatio: { estimate: 0.7, low: 0.6, high: 0.8 } }, 0.02, false)).toMatchObject({ verdict: 'proven', reason: expect.stringMatching(/^measured faster/) });
    expect(decide({ ...base, timeRatio: within, blocksScanned: m(100, 60) }, 0.02, false)).toMatchObject({ verdict: 'proven', reason: expect.stringMatching(/^blocks read -40\.0%/) });
    expect(decide({ ...base, timeRatio: within, blocksScanned: m(100, 60), bytesMoved: m(1e6, 2e6) }, 0.02, false)).toMatchObject({ verdict: 'rejected', reason: expect.stringMatching(/trade the clock does not settle/) });
    expect(decide({ ...base, timeRatio: within }, 0.02, false)).toMatchObject({ verdict: 'rejected', reason: expect.stringMatching(/^no measured saving/) });
    // fewer blocks but more rows read (a rewrite into fewer, fuller blocks; the snowflake's sort key: blocks -31%, rows +17%, the
    // stream 21% slower) is a trade the clock alone settles: proven when faster with one-sided 95% confidence, refused otherwise
    expect(decide({ ...base, rowsScanned: m(1000, 1200), timeRatio: within, blocksScanned: m(100, 70) }, 0.02, false)).toMatchObject({ verdict: 'rejected', reason: expect.stringMatching(/^a trade the clock does not settle: blocks read -30\.0% but rows read \+20\.0%/) });
    expect(decide({ ...base, rowsScanned: m(1000, 1200), timeRatio: { estimate: 0.8, low: 0.7, high: 0.9 }, blocksScanned: m(100, 70) }, 0.02, false)).toMatchObject({ verdict: 'proven', reason: expect.stringMatching(/^measured faster/) });
    expect(decide({ ...base, rowsScanned: m(1000, 1200), timeRatio: { estimate: 1.2, low: 1.05, high: 1.35 }, blocksScanned: m(100, 70) }, 0.02, false).verdict).toBe('rejected');
    // the two-facts fact's key and sort key: x0.845 (0.710-1.006 over 15 rounds) is faster with one-sided 95% confidence
    const twoFacts = { estimate: 0.845, low: 0.71, high: 1.006 };
    expect(fasterBound(twoFacts, 15)).toBeCloseTo(Math.exp(Math.log(0.845) + (1.761 * Math.log(1.006 / 0.845)) / 2.145), 10);
    expect(decide({ ...base, rounds: 15, rowsScanned: m(1000, 1288), timeRatio: twoFacts, blocksScanned: m(100, 47) }, 0.02, false)).toMatchObject({ verdict: 'proven', reason: expect.stringMatching(/settled by the clock: .*one-sided 95% confidence \(bound x0\.97/) });
    // the snowflake's sort key: x1.003 (0.887-1.134) is not
    expect(decide({ ...base, rounds: 15, rowsScanned: m(1000, 1196), timeRatio: { estimate: 1.003, low: 0.887, high: 1.134 }, blocksScanned: m(100, 69) }, 0.02, false).verdict).toBe('rejected');
    // rows read that fall with blocks, or stay, change nothing
    expect(decide({ ...base, rowsScanned: m(1000, 600), timeRatio: within, blocksScanned: m(100, 70) }, 0.02, false).verdict).toBe('proven');
    // slower with one-sided 95% confidence refuses, though the two-sided interval still holds 1 (the snowflake's dimension key: x1.069, 0.999-1.144 over 15 rounds)
    const snowflake = { estimate: 1.069, low: 0.999, high: 1.144 };
    expect(slowerBound(snowflake, 15)).toBeCloseTo(Math.exp(Math.log(1.069) - (1.761 * Math.log(1.144 / 1.069)) / 2.145), 10);
    expect(slowerBound(snowflake, 15)).toBeGreaterThan(1);
    expect(decide({ ...base, rounds: 15, timeRatio: snowflake, bytesMoved: m(1e6, 4.7e5) }, 0.02, false)).toMatchObject({ verdict: 'rejected', reason: expect.stringMatching(/^measured slower: .*one-sided 95% confidence \(bound x1\.01/) });
    // within noise the counters decide, whichever way the estimate leans; only a clock slower beyond noise refuses a saving
    const slowerWithin = { estimate: 1.03, low: 0.9, high: 1.18 };
    expect(decide({ ...base, timeRatio: slowerWithin, bytesMoved: m(1e6, 4e5) }, 0.02, false).verdict).toBe('proven');
    expect(decide({ ...base, timeRatio: slowerWithin, storageBytes: m(1e6, 5e5) }, 0.02, true).verdict).toBe('proven');
    expect(decide({ ...base, timeRatio: { estimate: 1.2, low: 1.05, high: 1.4 }, storageBytes: m(1e6, 5e5) }, 0.02, true).verdict).toBe('rejected');
  });
});

/** A well-mixed hash of i: join keys with no arithmetic pattern that slices could pick up. */
function mix(i: number): number {
  let h = Math.imul(i ^ (i >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

describe('shadow copies and proofs', () => {
  let dir: string;
  let db: Database;
  const JOIN = (k: number) => `select d.name, sum(f.v) from f join d on f.d = d.id where f.day between ${k * 40} and ${k * 40 + 30} group by d.name`;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-shadow-'));
    db = await Database.open(dir, { slices: 4, blockRows: 1024 });
    await db.execute('create table f (day integer, d integer, v integer) diststyle even; create table d (id integer, name varchar(20)) diststyle even');
    // f is loaded in day order, so its zone maps on day prune date ranges without a sort key
    await db.execute(`insert into f values ${Array.from({ length: 40_000 }, (_, i) => `(${Math.floor(i / 100)}, ${mix(i) % 3000}, ${i % 7})`).join(', ')}`);
    await db.execute(`insert into d values ${Array.from({ length: 3000 }, (_, i) => `(${i}, 'n${i}')`).join(', ')}`);
    for (let k = 0; k < 8; k++) await db.query(JOIN(k));
  }, 60_000);

  afterAll(() => {
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a copy made from the catalog has the table\'s layout', async () => {
    await db.execute('create table t (a integer not null, b varchar(10) encode zstd, c decimal(12,2)) diststyle key distkey(a) compound sortkey(c, a)');
    expect(createTableSql(db.catalog().tables.t!)).toBe('create table t (a integer not null, b varchar(10) encode zstd, c decimal(12,2)) diststyle key distkey(a) compound sortkey(c, a)');
    await db.execute('drop table t');
  });


  it('a redistribution keeps the blocks a date range reads on the shadow, and the run proposes it as one group', async () => {
    const out = await runAdvisor(db, { budgetMs: 300, skewCheck: false, storage: false });
    const f = out.recommendations.find((r) => r.table === 'f')!;
    expect(f.proposed).toBe('KEY(d)');
    expect(out.recommendations.find((r) => r.table === 'd')!.group).toBe(f.group);
    const s = f.evidence.shadow!;
    expect(s.verdict).toBe('proven');
    expect(s.bytesMoved.proposed).toBeLessThan(s.bytesMoved.current);
    // the load order's clustering survives the redistribution: no more blocks read than before (give or take a block a slice per run)
    expect(s.blocksScanned.proposed).toBeLessThanOrEqual(s.blocksScanned.current + 8 * 4 * 2);
    // the time ratio as seconds per day of the logged workload: the 8 joins' logged time, all within one day
    const w = withoutAdvisor(loadWorkload(dir));
    const logged = affectedShapes(w, new Set(['f']), 16).reduce((n, x) => n + x.ms, 0) / 1000;
    expect(logged).toBeGreaterThan(0);
    expect(s.measured!.affectedSecondsPerDay).toBeCloseTo(logged, 2);
    expect(s.measured!.secondsPerDay).toBeCloseTo((1 - s.timeRatio.estimate) * logged, 2);
    expect(s.measured!.low).toBeLessThanOrEqual(s.measured!.secondsPerDay);
    expect(s.measured!.high).toBeGreaterThanOrEqual(s.measured!.secondsPerDay);
  }, 60_000);

  it('refuses a change whose measured counters get worse, before anything is applied', async () => {
    // the layout the previous test proved: the join is co-located and moves nothing
    await db.execute('alter table f alter distkey d');
    await db.execute('alter table d alter distkey id');
    const w = withoutAdvisor(loadWorkload(dir));
    const version = db.catalog().tables.f!.version;
    // keying f on v (7 values, not the join column) makes the join move f again
    const bad = { id: 'r-bad', group: 'g-bad', table: 'f', kind: 'distkey', current: 'KEY(d)', proposed: 'KEY(v)', ddl: 'ALTER TABLE f ALTER DISTKEY v', benefit: { secondsPerDay: 1, secondsPerDayError: 1, percent: 1, bytes: 1 }, evidence: { fingerprints: [], edges: [], rejectedKeys: [] } } as unknown as Recommendation;
    const s = await proveGroup(db, w, [bad], { rounds: 3 });
    expect(s.statements).toBe(1);
    expect(s.tables.map((t) => t.table).sort()).toEqual(['d', 'f']);
    expect(s.bytesMoved.proposed).toBeGreaterThan(s.bytesMoved.current * 1.2);
    expect(s.verdict).toBe('rejected');
    expect(db.catalog().tables.f!.version).toBe(version);
  }, 60_000);
});
