/**
 * The autonomics lifecycle on a small database: a good change applied and
 * verified from the workload log's measurements, a deliberately bad one
 * reverted automatically with the reason recorded, an apply interrupted by a
 * dead process resumed, and the policy file's validation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import { getRecommendation, listRecommendations, runAdvisor, updateStore, type Recommendation } from '../../advisor/index.js';
import {
  applyGroup,
  applyStep,
  combinedAlter,
  verifyStep,
  overlapping,
  candidates,
  compareWindows,
  ConfigError,
  defaultConfig,
  inverseDdl,
  loadConfig,
  parseConfig,
  resumeInterrupted,
  revertGroup,
  snapshotOf,
  verifyGroup,
  type AutonomicsConfig,
} from '../../advisor/autonomics/index.js';

let dir: string;
const JOIN = (k: number) => `select d.name, sum(f.v) from f join d on f.d = d.id where f.v > ${k % 3} group by d.name`;
// time is noisy on a shared machine; these tests judge the exact counters only
const config: AutonomicsConfig = { ...defaultConfig(), verification: { ...defaultConfig().verification, maxRegression: { timeMs: null, bytesMoved: 0.1, blocksScanned: 0.1 } } };

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof Database.open>>) => Promise<T>): Promise<T> {
  const db = await Database.open(dir);
  try {
    return await fn(db);
  } finally {
    db.close(); // flushes the workload log
  }
}

/**
 * Runs the join workload and returns the window it ran in. A record's start
 * time comes from the monotonic clock and may differ from Date.now() by a few
 * ms, so the windows have margins and the runs are 100 ms apart.
 */
async function workload(n: number): Promise<{ since: number; until: number }> {
  await new Promise((r) => setTimeout(r, 100));
  const since = Date.now() - 40;
  await withDb(async (db) => {
    for (let k = 0; k < n; k++) await db.query(JOIN(k));
  });
  const until = Date.now() + 40;
  await new Promise((r) => setTimeout(r, 100));
  return { since, until };
}

/** Stores a hand-made recommendation; kind is any of the kinds (sortkey and encoding too), as the lifecycle must handle every one. */
function inject(rec: Omit<Partial<Recommendation>, 'kind'> & Pick<Recommendation, 'table' | 'current' | 'proposed' | 'ddl'> & { kind: string }): string {
  return updateStore(dir, (s) => {
    const at = new Date().toISOString();
    const id = `r${s.nextId}`;
    const full = {
      id,
      group: `g-${id}`,
      benefit: { bytes: 0, percent: 0 },
      applyCost: { rows: 0, rewriteBytes: 0, storageBytesBefore: 0, storageBytesAfter: 0 },
      userSet: false,
      reason: 'test',
      evidence: { edges: [], fingerprints: [], rejectedKeys: [] },
      status: 'proposed',
      statusReason: null,
      history: [{ status: 'proposed', at, reason: null }],
      createdAt: at,
      updatedAt: at,
      run: 'test',
      ...rec,
    } as unknown as Recommendation;
    return { store: { ...s, nextId: s.nextId + 1, recommendations: [...s.recommendations, full] }, result: id };
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-autonomics-'));
  const db = await Database.open(dir, { slices: 4 });
  try {
    // no DISTSTYLE: AUTO, and above the small-table limit, so both start AUTO(EVEN)
    await db.execute('create table f (id integer, d integer, v integer); create table d (id integer, name varchar(20))');
    const frows = Array.from({ length: 30000 }, (_, i) => `(${i}, ${i % 12000}, ${i % 7})`).join(', ');
    const drows = Array.from({ length: 12000 }, (_, i) => `(${i}, 'n${i}')`).join(', ');
    await db.execute(`insert into f values ${frows}; insert into d values ${drows}`);
  } finally {
    db.close();
  }
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('autonomics lifecycle', () => {
  let good: Recommendation;

  it('a good change is applied, measured against the window before, and verified', async () => {
    const before = await workload(6);
    const recs = await withDb(async (db) => (await runAdvisor(db, { budgetMs: 500, skewCheck: false })).recommendations);
    good = recs.find((r) => r.table === 'f')!;
    expect(good.ddl).toBe('ALTER TABLE f ALTER DISTKEY d');
    expect(good.current).toBe('AUTO(EVEN)');
    const applied = await withDb(async (db) => {
      const out: Recommendation[] = [];
      for (const g of new Set(recs.map((r) => r.group))) out.push(...(await applyGroup(db, g)));
      return out;
    });
    expect(applied.map((r) => r.status)).toEqual(recs.map(() => 'applied'));
    expect(new Set(applied.map((r) => r.id))).toEqual(new Set(recs.map((r) => r.id)));
    const a = applied.find((r) => r.id === good.id)!;
    expect(a.lifecycle?.before?.distStyle).toBe('even');
    // the revert puts back the whole table as it was: its distribution and any other change of its group
    expect(a.lifecycle?.revertDdl).toMatch(/^ALTER TABLE f ALTER DISTSTYLE EVEN(, ALTER COLUMN [a-z]+ ENCODE AUTO)*$/);
    expect(a.history.map((h) => h.status)).toEqual(['proposed', 'applying', 'applied']);
    const after = await workload(6);
    const v = await withDb((db) => verifyGroup(db, good.id, config, { windows: { before, after } }));
    expect(v.verification?.verdict).toBe('better');
    expect(v.verification!.fingerprints).toBe(1);
    expect(v.verification!.executionsBefore).toBe(6);
    expect(v.verification!.executionsAfter).toBe(6);
    expect(v.verification!.bytesMoved.after).toBeLessThan(v.verification!.bytesMoved.before);
    expect(v.recommendations.map((r) => r.status)).toEqual(v.recommendations.map(() => 'verified'));
    expect(v.recommendations[0]!.statusReason).toMatch(/^better: .*bytes moved -/);
    expect(getRecommendation(dir, good.id).lifecycle?.verification?.verdict).toBe('better');
  });

  it('a deliberately bad change is reverted automatically, with the measurements as the reason', async () => {
    const fBefore = await withDb(async (db) => snapshotOf(db.catalog().tables.f!));
    expect(fBefore.distKey).toBe('d');
    // keying f on v (7 values, not the join column) makes every join move f again
    const id = inject({ table: 'f', kind: 'distkey', current: 'AUTO(KEY(d))', proposed: 'KEY(v)', ddl: 'ALTER TABLE f ALTER DISTKEY v' });
    const before = await workload(6);
    const [applied] = await withDb((db) => applyGroup(db, id));
    expect(applied!.status).toBe('applied');
    expect(applied!.lifecycle?.revertDdl).toBe('ALTER TABLE f ALTER DISTKEY d');
    const after = await workload(6);
    const v = await withDb((db) => verifyGroup(db, id, config, { windows: { before, after } }));
    expect(v.verification?.verdict).toBe('worse');
    expect(v.verification!.bytesMoved.worse).toBe(true);
    expect(v.recommendations[0]!.status).toBe('reverted');
    expect(v.recommendations[0]!.statusReason).toMatch(/^worse after the change: .*bytes moved \+[\d.]+% \(limit \+10%\)/);
    expect(v.recommendations[0]!.history.map((h) => h.status)).toEqual(['proposed', 'applying', 'applied', 'reverted']);
    const fAfter = await withDb(async (db) => snapshotOf(db.catalog().tables.f!));
    expect(fAfter.distStyle).toBe('key');
    expect(fAfter.distKey).toBe('d');
    expect(fAfter.version).toBeGreaterThan(fBefore.version);
    // the same change is never applied on its own again
    const again = inject({ table: 'f', kind: 'distkey', current: 'AUTO(KEY(d))', proposed: 'KEY(v)', ddl: 'ALTER TABLE f ALTER DISTKEY v' });
    const held = candidates(listRecommendations(dir), await withDb(async (db) => db.catalog()), config).held.find((h) => h.id === again)!;
    expect(held.reason).toMatch(new RegExp(`the same change \\(${id}\\) was reverted`));
  });

  it('verification waits while the after window fills, unless enough executions ran', async () => {
    const id = inject({ table: 'd', kind: 'diststyle', current: 'AUTO(KEY(id))', proposed: 'EVEN', ddl: 'ALTER TABLE d ALTER DISTSTYLE EVEN' });
    await withDb((db) => applyGroup(db, id));
    const waiting = await withDb((db) => verifyGroup(db, id, { ...config, verification: { ...config.verification, minExecutions: 1000 } }));
    expect(waiting.verification).toBeNull();
    expect(waiting.recommendations[0]!.status).toBe('applied');
    await withDb((db) => revertGroup(db, id, 'by hand'));
    const r = getRecommendation(dir, id);
    expect(r.status).toBe('reverted');
    expect(r.statusReason).toBe('by hand');
    expect(await withDb(async (db) => db.catalog().tables.d!.distKey)).toBe('id');
  });

  it('an apply left "applying" by a dead process is retried, or marked applied when its new version was swapped in', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const snap = await withDb(async (db) => snapshotOf(db.catalog().tables.d!));
    const retry = inject({ table: 'd', kind: 'diststyle', current: 'AUTO(KEY(id))', proposed: 'ALL', ddl: 'ALTER TABLE d ALTER DISTSTYLE ALL' });
    const mark = (id: string, before: typeof snap) =>
      updateStore(dir, (s) => ({
        store: { ...s, recommendations: s.recommendations.map((r) => (r.id === id ? { ...r, status: 'applying' as const, lifecycle: { attempts: 1, owner: { pid: dead, host: os.hostname() }, by: 'daemon' as const, before, applyStartedAt: new Date().toISOString(), appliedAt: null, applyMs: null, revertDdl: null, verification: null } } : r)) },
        result: null,
      }));
    mark(retry, snap);
    const out = await withDb((db) => resumeInterrupted(db, { maxAttempts: 3 }));
    expect(out.map((o) => [o.group, o.action, o.recommendations[0]!.status])).toEqual([[`g-${retry}`, 'retried', 'applied']]);
    expect(getRecommendation(dir, retry).lifecycle?.attempts).toBe(2);
    expect(await withDb(async (db) => db.catalog().tables.d!.distStyle)).toBe('all');
    // d is ALL now; a second stale apply whose snapshot is the KEY(id) layout finds its change in place
    const swapped = inject({ table: 'd', kind: 'diststyle', current: 'AUTO(KEY(id))', proposed: 'ALL', ddl: 'ALTER TABLE d ALTER DISTSTYLE ALL' });
    mark(swapped, snap);
    const out2 = await withDb((db) => resumeInterrupted(db, { maxAttempts: 3 }));
    expect(out2.map((o) => [o.group, o.action, o.recommendations[0]!.status])).toEqual([[`g-${swapped}`, 'marked-applied', 'applied']]);
  });

  it('the daemon\'s apply step follows the policy: user-set and excluded tables are held, one change in flight', async () => {
    updateStore(dir, (s) => ({ store: { ...s, recommendations: s.recommendations.map((r) => (r.status === 'applied' ? { ...r, status: 'verified' as const } : r)) }, result: null }));
    const user = inject({ table: 'f', kind: 'sortkey', current: 'AUTO(NONE)', proposed: '(v)', ddl: 'ALTER TABLE f ALTER COMPOUND SORTKEY (v)', userSet: true });
    const excluded = inject({ table: 'd', kind: 'sortkey', current: 'AUTO(NONE)', proposed: '(id)', ddl: 'ALTER TABLE d ALTER COMPOUND SORTKEY (id)' });
    const ok = inject({ table: 'f', kind: 'sortkey', current: 'AUTO(NONE)', proposed: '(d)', ddl: 'ALTER TABLE f ALTER COMPOUND SORTKEY (d)' });
    const policy = { ...config, excludeTables: ['d'], maxLoadAverage: 1000 };
    const step = await withDb((db) => applyStep(db, policy));
    expect(step.skipped).toBeNull();
    expect(step.applied?.map((r) => r.id)).toEqual([ok]);
    expect(step.applied?.[0]!.status).toBe('applied');
    expect(step.held.find((h) => h.id === user)?.reason).toMatch(/written in DDL/);
    expect(step.held.find((h) => h.id === excluded)?.reason).toMatch(/excludeTables/);
    expect(await withDb(async (db) => db.catalog().tables.f!.sortKey)).toEqual(['d']);
    const next = await withDb((db) => applyStep(db, { ...policy, applyUserSet: true }));
    expect(next.skipped).toMatch(new RegExp(`group g-${ok} \\(${ok}, f\\) is applied, not yet verified`));
  });

  it('the daemon\'s steps catch a change that hurts: the apply step applies it, the verify step measures it worse and reverts it', async () => {
    // the earlier tests' changes settled: applied ones verified, proposed ones out of the way
    const settled = { applied: 'verified', proposed: 'failed' } as const;
    updateStore(dir, (s) => ({ store: { ...s, recommendations: s.recommendations.map((r) => (r.status === 'applied' || r.status === 'proposed' ? { ...r, status: settled[r.status] } : r)) }, result: null }));
    const daemon = { ...config, maxLoadAverage: 1000, verification: { ...config.verification, windowMs: 2500, minExecutions: 3 } };
    const fBefore = await withDb(async (db) => snapshotOf(db.catalog().tables.f!));
    // the earlier tests' changes to f fall before this change's windows, or verification would leave f's queries out
    await new Promise((r) => setTimeout(r, 2600));
    await workload(6);
    // a change the estimates got wrong: keying f on id (unique, not the join column) makes every join move f again
    const bad = inject({ table: 'f', kind: 'distkey', current: 'AUTO(KEY(d))', proposed: 'KEY(id)', ddl: 'ALTER TABLE f ALTER DISTKEY id' });
    const step = await withDb((db) => applyStep(db, daemon));
    expect(step.applied?.map((r) => [r.id, r.status])).toEqual([[bad, 'applied']]);
    expect(await withDb(async (db) => db.catalog().tables.f!.distKey)).toBe('id');
    await workload(6);
    const verified = await withDb((db) => verifyStep(db, daemon, { now: new Date(Date.now() + 3000) }));
    expect(verified.judged.map((j) => [j.group, j.tables, j.status, j.verification.verdict])).toEqual([[`g-${bad}`, ['f'], 'reverted', 'worse']]);
    expect(verified.judged[0]!.verification.bytesMoved.worse).toBe(true);
    const fAfter = await withDb(async (db) => snapshotOf(db.catalog().tables.f!));
    expect([fAfter.distStyle, fAfter.distKey, fAfter.distAuto]).toEqual([fBefore.distStyle, fBefore.distKey, fBefore.distAuto]);
    expect(getRecommendation(dir, bad).statusReason).toMatch(/^worse after the change: .*bytes moved \+/);
  });
});

describe('one rewrite per table', () => {
  it('combines a table\'s changes into one ALTER in a fixed order: distribution, sort key, encodings', () => {
    const ddls = ['ALTER TABLE f ALTER COLUMN v ENCODE az64', 'ALTER TABLE f ALTER COMPOUND SORTKEY (day)', 'ALTER TABLE f ALTER DISTKEY d'];
    expect(combinedAlter('f', ddls)).toBe('ALTER TABLE f ALTER DISTKEY d, ALTER COMPOUND SORTKEY (day), ALTER COLUMN v ENCODE az64');
    expect(combinedAlter('f', [...ddls].reverse())).toBe(combinedAlter('f', ddls));
    expect(() => combinedAlter('f', ['DROP TABLE f'])).toThrow(/is not an ALTER TABLE \.\.\. ALTER statement/);
  });
});

describe('attribution', () => {
  const at = (ms: number) => new Date(ms).toISOString();
  const rec = (id: string, group: string, table: string, status: string, start: number, end: number | null) =>
    ({ id, group, table, status, lifecycle: { applyStartedAt: at(start), appliedAt: end === null ? null : at(end) } }) as unknown as Recommendation;
  it('a verification leaves out the tables other groups changed within its windows, and no others', () => {
    const w = { before: { since: 1000, until: 2000 }, after: { since: 2100, until: 3100 } };
    const all = [
      rec('r1', 'g1', 'f', 'applied', 1990, 2100), // the group being verified
      rec('r2', 'g2', 'd', 'applied', 2500, 2600), // applied by hand during the after window
      rec('r3', 'g3', 'e', 'verified', 500, 900), // done before the windows
      rec('r4', 'g4', 'h', 'applying', 3000, null), // still rebuilding when the after window ends
      rec('r5', 'g5', 'k', 'proposed', 1500, 1600), // never applied: its timestamps do not count
    ];
    expect([...overlapping(all, 'g1', w)].sort()).toEqual(['d', 'h']);
  });
});

describe('inverse DDL', () => {
  const snap = { distStyle: 'key', distKey: 'c', distAuto: true, sortKey: ['a', 'B'], sortAuto: false, encodings: { x: { encoding: 'zstd', explicit: true }, y: { encoding: 'auto', explicit: false } }, version: 3 };
  it('restores the part of the layout each kind changes', () => {
    expect(inverseDdl({ table: 't', kind: 'diststyle', current: '', ddl: 'ALTER TABLE t ALTER DISTSTYLE ALL' }, snap)).toEqual({ ddl: 'ALTER TABLE t ALTER DISTKEY c', keepAuto: true });
    expect(inverseDdl({ table: 't', kind: 'sortkey', current: '', ddl: 'ALTER TABLE t ALTER SORTKEY (c)' }, snap).ddl).toBe('ALTER TABLE t ALTER COMPOUND SORTKEY (a, "B")');
    expect(inverseDdl({ table: 't', kind: 'sortkey', current: '', ddl: 'x' }, { ...snap, sortKey: [] }).ddl).toBe('ALTER TABLE t ALTER SORTKEY NONE');
    expect(inverseDdl({ table: 't', kind: 'encoding', current: '', ddl: 'ALTER TABLE t ALTER COLUMN x ENCODE az64; ALTER TABLE t ALTER COLUMN y ENCODE zstd' }, snap)).toEqual({
      ddl: 'ALTER TABLE t ALTER COLUMN x ENCODE ZSTD;\nALTER TABLE t ALTER COLUMN y ENCODE AUTO',
      keepAuto: false,
    });
  });
  it('falls back on the recommendation\'s current text', () => {
    expect(inverseDdl({ table: 't', kind: 'distkey', current: 'AUTO(EVEN)', ddl: 'ALTER TABLE t ALTER DISTKEY c' }, null)).toEqual({ ddl: 'ALTER TABLE t ALTER DISTSTYLE EVEN', keepAuto: true });
    expect(inverseDdl({ table: 't', kind: 'distkey', current: 'KEY(o)', ddl: 'ALTER TABLE t ALTER DISTKEY c' }, null)).toEqual({ ddl: 'ALTER TABLE t ALTER DISTKEY o', keepAuto: false });
    expect(inverseDdl({ table: 't', kind: 'sortkey', current: 'AUTO(a, b)', ddl: '' }, null)).toEqual({ ddl: 'ALTER TABLE t ALTER COMPOUND SORTKEY (a, b)', keepAuto: true });
    expect(inverseDdl({ table: 't', kind: 'encoding', current: 'AZ64', ddl: 'ALTER TABLE t ALTER COLUMN q ENCODE zstd' }, null).ddl).toBe('ALTER TABLE t ALTER COLUMN q ENCODE AZ64');
    expect(() => inverseDdl({ table: 't', kind: 'distkey', current: 'SOMETHING', ddl: '' }, null)).toThrow(/cannot read its current setting "SOMETHING"/);
  });
});

describe('keel.config.json', () => {
  it('defaults when absent; every bad key is named', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-config-'));
    try {
      expect(loadConfig(d)).toEqual(defaultConfig());
      fs.writeFileSync(path.join(d, 'keel.config.json'), '{"maintenanceWindow": "* 1-5 * * *", "maxTableBytes": "2GB", "verification": {"window": "30m", "maxRegression": {"timeMs": null}}}');
      const c = loadConfig(d);
      expect(c.maintenanceWindow).toBe('* 1-5 * * *');
      expect(c.maxTableBytes).toBe(2 * 1024 ** 3);
      expect(c.verification.windowMs).toBe(1_800_000);
      expect(c.verification.maxRegression).toEqual({ timeMs: null, bytesMoved: 0.1, blocksScanned: 0.1 });
      fs.writeFileSync(path.join(d, 'keel.config.json'), '{"maxTableBytes": ');
      expect(() => loadConfig(d)).toThrow(/keel\.config\.json: "\(file\)" is not valid JSON/);
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
    const bad = (o: unknown) => {
      try {
        parseConfig(o, 'K');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).code).toBe('USAGE');
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ maintenanceWindow: 'sometimes' })).toMatch(/^K: "maintenanceWindow" must be a cron expression/);
    expect(bad({ schedule: { mine: '99 * * * *' } })).toMatch(/"schedule\.mine" must be a cron expression/);
    expect(bad({ verification: { window: 'soon' } })).toMatch(/"verification\.window" must be a duration/);
    expect(bad({ verification: { maxRegression: { bytesMoved: -1 } } })).toMatch(/"verification\.maxRegression\.bytesMoved" must be a fraction/);
    expect(bad({ maxTabelBytes: 1 })).toMatch(/"maxTabelBytes" is not a setting/);
    expect(bad({ applyKinds: ['distkey', 'zorder'] })).toMatch(/"applyKinds" holds "zorder"/);
    expect(bad({ maxAttempts: 1.5 })).toMatch(/"maxAttempts" must be a positive integer/);
    expect(bad([])).toMatch(/must be a JSON object/);
    expect(parseConfig({ twins: [['sales', 'sales_load']] }, 'K').twins).toEqual([['sales', 'sales_load']]);
    expect(bad({ twins: [['sales']] })).toMatch(/"twins" must be an array of \[table, copy\] pairs/);
    expect(bad({ twins: [['sales', 'sales']] })).toMatch(/"twins" must be an array of \[table, copy\] pairs/);
  });

  it("keel serve's workload management: wlm.slots and wlm.shortQueryTime, each named when bad", () => {
    expect(defaultConfig().wlm).toEqual({ slots: 0, shortQueryMs: 1000 });
    expect(parseConfig({ wlm: { slots: 4, shortQueryTime: '2s' } }, 'K').wlm).toEqual({ slots: 4, shortQueryMs: 2000 });
    expect(parseConfig({ wlm: { shortQueryTime: 250 } }, 'K').wlm).toEqual({ slots: 0, shortQueryMs: 250 });
    expect(parseConfig({ wlm: { shortQueryTime: 0 } }, 'K').wlm.shortQueryMs).toBe(0);
    const bad = (o: unknown) => {
      try {
        parseConfig(o, 'K');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ wlm: { slots: -1 } })).toBe('K: "wlm.slots" must be a whole number of at least 0 (0: no queue), got -1');
    expect(bad({ wlm: { slots: '4' } })).toMatch(/^K: "wlm\.slots" must be a whole number/);
    expect(bad({ wlm: { shortQueryTime: 'soon' } })).toMatch(/^K: "wlm\.shortQueryTime" must be a duration like "500ms"/);
    expect(bad({ wlm: { queues: 2 } })).toMatch(/^K: "wlm\.queues" is not a setting \(known: slots, shortQueryTime\)/);
    expect(bad({ wlm: 4 })).toMatch(/^K: "wlm" must be an object/);
  });
});

describe('the verdict', () => {
  const w = { before: { since: 0, until: 1 }, after: { since: 2, until: 3 } };
  /** Two executions of one fingerprint, their times `spread` apart around `timeMs`. */
  const m = (timeMs: number, bytesMoved: number, blocksScanned: number, spread = 0) => ({
    fingerprints: new Map([['q', { count: 2, timeMs: 2 * timeMs, timeSq: (timeMs - spread / 2) ** 2 + (timeMs + spread / 2) ** 2, bytesMoved: 2 * bytesMoved, blocksScanned: 2 * blocksScanned }]]),
  });
  const judge = (b: ReturnType<typeof m>, a: ReturnType<typeof m>, c = defaultConfig()) => compareWindows(b, a, c, w).verdict;
  it('keeps a change no metric got worse by, reverts one slower or only worse, and judges a trade by time', () => {
    expect(judge(m(100, 1e7, 100), m(90, 1e6, 100))).toBe('better');
    expect(judge(m(100, 1e7, 100), m(105, 1e7, 102))).toBe('neutral');
    expect(judge(m(100, 1e7, 100), m(100, 2e7, 100))).toBe('worse');
    // bytes moved -90%, blocks scanned +40%: kept unless time got worse beyond its limit (5%)
    expect(judge(m(100, 1e7, 100), m(103, 1e6, 140))).toBe('mixed');
    expect(judge(m(100, 1e7, 100), m(110, 1e6, 140))).toBe('worse');
    // time has the last word: counters only better but time worse beyond its limit and its noise is reverted, as is time worse alone
    expect(judge(m(100, 1e7, 100), m(150, 1e6, 80))).toBe('worse');
    expect(judge(m(100, 1e7, 100), m(104, 1e6, 80))).toBe('better');
    expect(judge(m(100, 1e7, 100), m(150, 1e7, 100))).toBe('worse');
    // a limit set by the user holds: time may get 60% worse here, and the counters' gain keeps the change
    const loose = { ...defaultConfig(), verification: { ...defaultConfig().verification, maxRegression: { timeMs: 0.6, bytesMoved: 0.1, blocksScanned: 0.1 } } };
    expect(judge(m(100, 1e7, 100), m(150, 1e6, 80), loose)).toBe('better');
    // time worse beyond its limit but within the noise of its executions (1.96 standard errors): no change
    expect(judge(m(100, 1e7, 100, 120), m(150, 1e7, 100, 120))).toBe('neutral');
    expect(compareWindows(m(100, 1e7, 100, 120), m(150, 1e7, 100, 120), defaultConfig(), w).timeMs).toMatchObject({ change: 0.5, significant: false, worse: false });
    // below the noise floors (1 ms, 64 KiB, 1 block) a difference is no change
    expect(judge(m(0.2, 1000, 0), m(0.4, 5000, 0.05))).toBe('neutral');
    expect(judge(m(100, 1e7, 100), m(100, 1e7, 100)) && compareWindows(m(1, 1, 1), { fingerprints: new Map() }, defaultConfig(), w).verdict).toBe('no-evidence');
  });
});
