/**
 * Automatic materialized views (advisor/matviews), driven through the
 * daemon's views step: a repeated dashboard workload over a small star schema
 * gets views that the rewrite then reads, with the same answers; a view that
 * stops paying is dropped; a user's view is never refreshed or dropped; the
 * ledger shows what each view serves, saves and costs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attachWorkloadLog, Database } from '../../index.js';
import { defaultConfig, type AutonomicsConfig } from '../../advisor/autonomics/index.js';
import { ledgerRows, readLedger, updateLedger, viewsStep, type AutoViewEntry } from '../../advisor/matviews/index.js';
import { materializedViews } from '../../engine/index.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-autoviews-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The policy of these tests: no load gate (the test machine is shared), every query counts, any saving pays. */
function config(views: Partial<AutonomicsConfig['views']> = {}): AutonomicsConfig {
  const d = defaultConfig();
  return { ...d, maxLoadAverage: 1e9, mining: { ...d.mining, minQueries: 1 }, views: { ...d.views, minSecondsPerDay: 1e-6, ...views } };
}

async function star(db: Database): Promise<void> {
  const sales = Array.from({ length: 3000 }, (_, i) => `(${i % 30}, ${i % 12}, ${(i * 7) % 101})`).join(', ');
  const stores = Array.from({ length: 12 }, (_, i) => `(${i}, 'r${i % 3}')`).join(', ');
  await db.execute(`create table sales (day int, store int, amount int); create table stores (id int, region varchar(8));
    insert into sales values ${sales}; insert into stores values ${stores};`);
}

/** Two report shapes: by region (two select lists over one shape) and by day for one region. */
const REPORTS = [
  'select s.region, sum(f.amount) from sales f join stores s on f.store = s.id group by s.region order by 1',
  'select s.region, count(*) as n, sum(f.amount) as total from sales f join stores s on f.store = s.id group by s.region order by s.region',
  "select f.day, avg(f.amount) as a from sales f join stores s on f.store = s.id where s.region = 'r1' group by f.day order by f.day",
];

/** The reports `times` over; with a cheap lookup first, the log's floor of what any query costs (the view read's fixed cost, mine.ts). */
async function runReports(db: Database, times: number): Promise<void> {
  // the least of three, so one slow run on a busy machine does not raise the floor
  for (let k = 0; k < 3; k++) await db.query('select count(*) from stores');
  for (let k = 0; k < times; k++) for (const q of REPORTS) await db.query(q);
}

describe('automatic materialized views', () => {
  it('creates views for a repeated dashboard until a view answers every report, which the rewrite reads with the same answers', async () => {
    const dir = tmp();
    const db = await Database.open(dir, { slices: 2, workloadLog: false });
    const log = attachWorkloadLog(db);
    try {
      await star(db);
      await runReports(db, 10);
      log.flush();
      const first = await viewsStep(db, config());
      expect(first.skipped).toBeNull();
      expect(first.created).toHaveLength(1);
      // one view a cycle until every report is answered: one per shape, or one roll-up (by day and region) answering all three,
      // whichever paid more on this machine's timings
      const made = [...first.created, ...(await viewsStep(db, config())).created];
      expect((await viewsStep(db, config())).created).toEqual([]);
      const views = materializedViews(db.catalog());
      const names = Object.keys(views).sort();
      expect(names).toEqual(made.map((m) => m.name).sort());
      expect(names.length === 1 ? views[names[0]!]!.sql : names.map((n) => views[n]!.sql).join('\n')).toMatch(names.length === 1 ? /group by f\.day, s\.region$/ : /count\(\*\) as c\d/);
      expect(Object.values(views).every((v) => v.auto === true)).toBe(true);
      for (const q of REPORTS) {
        const plan = (await db.query(`explain ${q}`)).rows().map((r) => String(r[0])).join('\n');
        expect(plan).toMatch(/Materialized view auto_mv_\d answers this query/);
        const viaView = (await db.query(q)).rows();
        await db.query('set mv_enable_aqmv_for_session to off');
        const direct = (await db.query(q)).rows();
        await db.query('set mv_enable_aqmv_for_session to on');
        expect(viaView).toEqual(direct);
      }
      await runReports(db, 2);
      log.flush();
      const rows = ledgerRows(dir, db.catalog(), config().mining.sinceMs);
      expect(rows.map((r) => [r.name, r.status])).toEqual(names.map((n) => [n, 'active']));
      const hits = rows.reduce((n, r) => n + r.hits, 0);
      // 3 reports x 2 rounds after the views, plus the 3 comparison runs with rewrite on
      expect(hits).toBe(9);
      expect(rows.every((r) => r.storageBytes > 0 && r.rows > 0 && r.stale === false && r.buildMs !== null)).toBe(true);
      const table = (await db.query('select name, status, hits, fingerprints from svv_auto_mv_ledger order by name')).rows();
      expect(table.map((r) => [r[0], r[1]])).toEqual(names.map((n) => [n, 'active']));
      expect(table.reduce((n, r) => n + Number(r[2]), 0)).toBe(9);
    } finally {
      db.close();
    }
  });

  it('its views are refreshed after appends (AUTO REFRESH), no view is made for shapes they answer, views that stop paying go, and a user view is left alone', async () => {
    const dir = tmp();
    const db = await Database.open(dir, { slices: 2, workloadLog: false });
    const log = attachWorkloadLog(db);
    try {
      await star(db);
      await db.query("create materialized view user_v as select f.day, sum(f.amount) as s from sales f where f.day < 10 group by f.day");
      await runReports(db, 10);
      log.flush();
      // one view per shape, or one roll-up answering all three reports (see the test above)
      const made = [...(await viewsStep(db, config())).created, ...(await viewsStep(db, config())).created].map((m) => m.name).sort();
      expect(made.length).toBeGreaterThan(0);
      expect(Object.keys(materializedViews(db.catalog())).sort()).toEqual([...made, 'user_v']);
      const autoRefreshes = () => made.map((v) => materializedViews(db.catalog())[v]!.refreshes.length);
      const refreshesBefore = autoRefreshes();
      const userRefreshes = materializedViews(db.catalog()).user_v!.refreshes.length;
      await db.query('insert into sales values (1, 1, 5), (2, 3, 7)');
      // the advisor creates its views AUTO REFRESH YES, so the engine refreshes them in the background after the insert; waiting for it
      // keeps the reports below off a half-refreshed state (a report that ran on the base tables meanwhile was mined as a new shape)
      await db.autoRefreshIdle();
      expect(autoRefreshes().map((n, i) => n - refreshesBefore[i]!)).toEqual(made.map(() => 1));
      await runReports(db, 1);
      log.flush();
      const step = await viewsStep(db, config());
      // nothing is left stale for the advisor's own refresh, and no view is created for shapes the views already answer
      expect(step.refreshed).toEqual([]);
      expect(step.created).toEqual([]);
      expect(step.dropped).toEqual([]);
      // the user's view stays stale: the advisor does not refresh it
      expect(materializedViews(db.catalog()).user_v!.refreshes.length).toBe(userRefreshes);
      // a week and a day later nothing has read the views: they stop paying and go; the user's stays
      const later = new Date(Date.now() + 8 * 86_400_000);
      const judged = await viewsStep(db, config(), { now: later });
      expect(judged.dropped.map((d) => d.name).sort()).toEqual(made);
      expect(judged.dropped[0]!.reason).toMatch(/no query read it/);
      expect(Object.keys(materializedViews(db.catalog()))).toEqual(['user_v']);
      const ledger = readLedger(dir).views;
      expect(ledger.map((e) => e.status)).toEqual(made.map(() => 'dropped'));
      expect(ledger[0]!.dropReason).toMatch(/^stopped paying: no query read it/);
    } finally {
      db.close();
    }
  });
  it('after a process died mid-CREATE, the ledger follows the catalog: active when the view committed, failed when not', async () => {
    const dir = tmp();
    const db = await Database.open(dir, { slices: 2, workloadLog: false });
    try {
      await star(db);
      await db.query('create materialized view auto_mv_1 as select store, sum(amount) as s from sales group by store');
      // auto_mv_1 exists but is not marked automatic (a user's view of that name); auto_mv_2 never committed
      const entry = (name: string): AutoViewEntry => ({
        name, table: `mv_tbl__${name}__0`, sql: 'select 1', status: 'creating', createdAt: new Date().toISOString(), droppedAt: null, createReason: 'test', dropReason: null,
        estimate: { baseSecondsPerDay: 0, readSecondsPerDay: 0, refreshSecondsPerDay: 0, buildSecondsPerDay: 0, netSecondsPerDay: 0, buildMs: 0, refreshesPerDay: 0, rows: 0, storageBytes: 0 },
        baseline: [], buildMs: null, refreshes: 0, refreshMs: 0, lastVerdict: null,
      });
      updateLedger(dir, (f) => ({ file: { ...f, next: 3, views: [entry('auto_mv_1'), entry('auto_mv_2')] }, result: undefined }));
      const r = await viewsStep(db, config());
      expect(r.reconciled.map((x) => [x.name, x.status])).toEqual([['auto_mv_1', 'failed'], ['auto_mv_2', 'failed']]);
      // the user's view of that name stays as it was
      expect(materializedViews(db.catalog()).auto_mv_1!.auto).toBeUndefined();
      await db.query('begin');
      await db.query('create materialized view auto_mv_3 as select day, count(*) as n from sales group by day');
      await db.change((c) => ({ catalog: { ...c, materializedViews: { ...c.materializedViews, auto_mv_3: { ...c.materializedViews!.auto_mv_3!, auto: true } } }, result: undefined }));
      await db.query('commit');
      updateLedger(dir, (f) => ({ file: { ...f, next: 4, views: [...f.views, entry('auto_mv_3')] }, result: undefined }));
      const again = await viewsStep(db, config());
      expect(again.reconciled.map((x) => [x.name, x.status])).toEqual([['auto_mv_3', 'active']]);
    } finally {
      db.close();
    }
  });
});
