/**
 * keel advisor views (run from dist/ via bin/keel.js; `npm run build` first):
 * the ledger of automatic materialized views as text and --json, and the
 * system table behind it, over a data directory where the daemon's views step
 * created two views, one of which was later dropped by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attachWorkloadLog, Database } from '../../index.js';
import { defaultConfig, type AutonomicsConfig } from '../../advisor/autonomics/index.js';
import { viewsStep } from '../../advisor/matviews/index.js';
import { runKeel } from './helpers.js';

let work: string;
let data: string;
const keel = (args: string[]) => runKeel([...args, '--data', data], { cwd: work });

const d = defaultConfig();
const policy: AutonomicsConfig = { ...d, maxLoadAverage: 1e9, mining: { ...d.mining, minQueries: 1 }, views: { ...d.views, minSecondsPerDay: 1e-6 } };

const REPORTS = [
  'select s.region, sum(f.amount) as total from sales f join stores s on f.store = s.id group by s.region',
  'select f.day, count(*) as n from sales f group by f.day',
];

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-views-'));
  data = path.join(work, 'data');
  const db = await Database.open(data, { slices: 2, workloadLog: false });
  const log = attachWorkloadLog(db);
  try {
    const sales = Array.from({ length: 3000 }, (_, i) => `(${i % 30}, ${i % 12}, ${(i * 7) % 101})`).join(', ');
    const stores = Array.from({ length: 12 }, (_, i) => `(${i}, 'r${i % 3}')`).join(', ');
    await db.execute(`create table sales (day int, store int, amount int); create table stores (id int, region varchar(8));
      insert into sales values ${sales}; insert into stores values ${stores};`);
    // a cheap lookup sets the log's floor of a query's cost (the view read's fixed cost)
    for (let k = 0; k < 3; k++) await db.query('select count(*) from stores');
    for (let k = 0; k < 10; k++) for (const q of REPORTS) await db.query(q);
    log.flush();
    expect((await viewsStep(db, policy)).created).toHaveLength(1);
    expect((await viewsStep(db, policy)).created).toHaveLength(1);
    for (const q of REPORTS) await db.query(q);
    await db.query('drop materialized view auto_mv_2');
    log.flush();
    expect((await viewsStep(db, policy)).reconciled.map((r) => r.status)).toEqual(['dropped']);
  } finally {
    db.close();
  }
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('keel advisor views', () => {
  it('--json: one object per automatic view with its queries, hits, time saved, costs, storage and staleness', () => {
    const r = keel(['advisor', 'views', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((x: { name: string; status: string }) => [x.name, x.status])).toEqual([['auto_mv_1', 'active'], ['auto_mv_2', 'dropped']]);
    const [active, dropped] = rows;
    expect(active.hits).toBe(1);
    expect(active.queries).toHaveLength(1);
    expect(active.queries[0].hits).toBe(1);
    expect(active.stale).toBe(false);
    expect(active.storageBytes).toBeGreaterThan(0);
    expect(active.buildMs).toBeGreaterThanOrEqual(0);
    expect(active.reason).toMatch(/^answers 1 query \(1 fingerprints, 10 executions\)/);
    expect(Object.keys(active).sort()).toEqual(
      ['buildMs', 'createdAt', 'droppedAt', 'expectedSecondsPerDay', 'hits', 'name', 'queries', 'reason', 'refreshMs', 'refreshSecondsPerDay', 'refreshes', 'rows', 'savedSecondsPerDay', 'secondsSinceRefresh', 'sql', 'stale', 'status', 'storageBytes'],
    );
    expect(dropped.reason).toMatch(/dropped outside the advisor/);
    expect(dropped.storageBytes).toBe(0);
    expect(dropped.stale).toBeNull();
    const only = JSON.parse(keel(['advisor', 'views', '--json', '--active']).stdout);
    expect(only.map((x: { name: string }) => x.name)).toEqual(['auto_mv_1']);
  });

  it('text: every figure with its unit, and why each view was created or dropped', () => {
    const r = keel(['advisor', 'views']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/auto_mv_1\s+\|\s+active/);
    expect(r.stdout).toMatch(/ s\/day/);
    expect(r.stdout).toMatch(/\d+ B/);
    expect(r.stdout).toMatch(/\d+ ms/);
    expect(r.stdout).toContain('why: answers 1 query');
    expect(r.stdout).toContain('why: dropped outside the advisor');
    expect(r.stdout).toMatch(/1 hits {2}select /);
  });

  it('the system table svv_auto_mv_ledger shows the same rows', () => {
    const r = keel(['sql', 'select name, status, hits, fingerprints, is_stale from svv_auto_mv_ledger order by name', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim()).rows).toEqual([
      ['auto_mv_1', 'active', 1, 1, 'f'],
      // a dropped view's hits while it lived stay in its ledger
      ['auto_mv_2', 'dropped', 1, 1, null],
    ]);
  });
});
