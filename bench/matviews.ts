/**
 * `npm run bench:matviews`: automatic materialized views on a generated
 * dashboard workload (issue 18, point 7). A star schema (sales by day, store
 * and product; stores and products as dimensions) holds --days days of sales;
 * a dashboard of a few dozen report queries (sums, counts, averages, maxima
 * by region, category and day, over the last 7 and 30 days, some filtered to
 * one region or category) is run --rounds times with rewriting off (before),
 * the daemon's views step then runs until it creates no more views, and the
 * dashboard is run --rounds times again with rewriting on (after). Both
 * replays are warm: one untimed round first, then the median round. Every
 * report's rows after must equal its rows before. Then each of --appends
 * days of new sales is appended, the views step refreshes the views, and the
 * refresh time per append is reported, with the dashboard checked again.
 *
 * With --workload tpch, the TPC-H stream instead: TPC-H data at --sf, ANALYZE
 * (the daemon's maintenance does it; the view advisor estimates a roll-up
 * view's rows from its distinct counts), then --queries queries of `keel gen
 * workload tpch` (seed --seed) run once as the log the views step mines, and
 * the views step until it creates no more views. The measured workload is
 * the next stream (seed --seed + 1: the same mix with new parameters, so a
 * view made for one text of the mined stream answers it only if it answers
 * its new parameters, by a roll-up, a residual filter or a partial join),
 * run --rounds times with rewriting off (before) and on (after), both warm
 * as above, every query's rows after checked against its rows before. No
 * appends: the stream does not change its tables.
 *
 * The machine's load average is printed beside the figures: on a shared
 * machine they are figures under that load, not quiet ones.
 *
 *   node dist/bench/matviews.js [--days 60] [--rows-per-day 20000] [--rounds 5] [--appends 3]
 *   node dist/bench/matviews.js --workload tpch [--sf 1] [--queries 200] [--seed 1] [--rounds 3]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attachWorkloadLog, Database } from '../index.js';
import { defaultConfig, type AutonomicsConfig } from '../advisor/autonomics/index.js';
import { viewsStep } from '../advisor/matviews/index.js';
import { materializedViews, tpchTables } from '../engine/index.js';
import { tpchWorkload } from '../workload-log/index.js';
import { flag } from './args.js';

const days = Number(flag('--days', '60'));
const rowsPerDay = Number(flag('--rows-per-day', '20000'));
const rounds = Number(flag('--rounds', '5'));
const appends = Number(flag('--appends', '3'));
const workload = flag('--workload', 'dashboard');
const STORES = 200;
const PRODUCTS = 1000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One day's sales as a batch: store, product, quantity and amount spread by a fixed hash of the row. */
async function appendDay(db: Database, day: number): Promise<void> {
  const n = rowsPerDay;
  const i32 = (f: (i: number) => number) => ({ kind: 'i32' as const, values: Int32Array.from({ length: n }, (_, i) => f(i)), nulls: null, length: n });
  const h = (i: number, k: number) => ((day * 7919 + i * 104729 + k * 15485863) >>> 0) % 2147483647;
  await db.append('sales', [{ length: n, columns: [i32(() => day), i32((i) => h(i, 1) % STORES), i32((i) => h(i, 2) % PRODUCTS), i32((i) => 1 + (h(i, 3) % 9)), i32((i) => 100 + (h(i, 4) % 9900))] }], n);
}

async function load(db: Database): Promise<void> {
  await db.execute(`create table sales (day int, store int, product int, qty int, amount int);
    create table stores (id int, region varchar(8), city varchar(12));
    create table products (id int, category varchar(8), brand varchar(12));`);
  const stores = Array.from({ length: STORES }, (_, i) => `(${i}, 'r${i % 5}', 'c${i % 40}')`).join(', ');
  const products = Array.from({ length: PRODUCTS }, (_, i) => `(${i}, 'k${i % 12}', 'b${i % 90}')`).join(', ');
  await db.execute(`insert into stores values ${stores}; insert into products values ${products};`);
  for (let d = 0; d < days; d++) await appendDay(db, d);
}

/** The dashboard as of `today`: 28 reports, 14 per date range. */
function dashboard(today: number): string[] {
  const out: string[] = [];
  const metrics = ['sum(f.amount) as revenue', 'count(*) as orders', 'avg(f.qty) as avg_qty', 'max(f.amount) as top_sale'];
  for (const span of [7, 30]) {
    const range = `f.day between ${today - span + 1} and ${today}`;
    for (const m of metrics) {
      out.push(`select s.region, ${m} from sales f join stores s on f.store = s.id where ${range} group by s.region order by s.region`);
      out.push(`select p.category, ${m} from sales f join products p on f.product = p.id where ${range} group by p.category order by p.category`);
    }
    out.push(`select f.day, sum(f.amount) as revenue from sales f join stores s on f.store = s.id where ${range} and s.region = 'r1' group by f.day order by f.day`);
    out.push(`select f.day, count(*) as orders from sales f join products p on f.product = p.id where ${range} and p.category = 'k3' group by f.day order by f.day`);
    out.push(`select s.region, p.category, sum(f.amount) as revenue from sales f join stores s on f.store = s.id join products p on f.product = p.id where ${range} group by s.region, p.category order by 1, 2`);
    out.push(`select p.brand, sum(f.qty) as units from sales f join products p on f.product = p.id where ${range} and p.category = 'k7' group by p.brand order by units desc limit 10`);
    out.push(`select s.city, sum(f.amount) as revenue from sales f join stores s on f.store = s.id where ${range} and s.region = 'r2' group by s.city order by revenue desc limit 5`);
    out.push(`select count(*) as orders, sum(f.amount) as revenue from sales f where ${range}`);
  }
  return out;
}

/** Runs the dashboard once; its time (ms) and every report's rows as text. */
async function replay(db: Database, reports: readonly string[]): Promise<{ ms: number; rows: string[] }> {
  const rows: string[] = [];
  const t0 = performance.now();
  for (const q of reports) rows.push(JSON.stringify((await db.query(q)).rows()));
  return { ms: performance.now() - t0, rows };
}

/** One untimed round, then `rounds` timed ones: the median, and the rows of the last. */
async function warm(db: Database, reports: readonly string[]): Promise<{ ms: number; rows: string[] }> {
  await replay(db, reports);
  const times: number[] = [];
  let last: string[] = [];
  for (let r = 0; r < rounds; r++) {
    const x = await replay(db, reports);
    times.push(x.ms);
    last = x.rows;
  }
  return { ms: median(times), rows: last };
}

function differences(a: readonly string[], b: readonly string[]): number {
  return a.reduce((n, x, i) => n + (x === b[i] ? 0 : 1), 0);
}

/** Every view that pays at all, as many as the workload has shapes; no load gate (the figures state the load instead). */
function benchPolicy(): AutonomicsConfig {
  const d = defaultConfig();
  return { ...d, maxLoadAverage: 1e9, mining: { ...d.mining, minQueries: 1 }, views: { ...d.views, maxViews: 100, minSecondsPerDay: 1e-3 } };
}

async function dashboardCase(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-mv-'));
  const db = await Database.open(dir, { workloadLog: false });
  const log = attachWorkloadLog(db);
  const policy = benchPolicy();
  try {
    const loadStart = performance.now();
    await load(db);
    const loadMs = performance.now() - loadStart;
    let today = days - 1;
    const reports = dashboard(today);
    await db.query('set mv_enable_aqmv_for_session to off');
    const before = await warm(db, reports);
    await db.query('set mv_enable_aqmv_for_session to on');
    log.flush();
    const buildStart = performance.now();
    const created: string[] = [];
    for (;;) {
      const r = await viewsStep(db, policy);
      if (r.created.length === 0) break;
      created.push(...r.created.map((c) => c.name));
    }
    const buildMs = performance.now() - buildStart;
    const after = await warm(db, reports);
    const refreshMs: number[] = [];
    let mismatches = differences(before.rows, after.rows);
    for (let k = 0; k < appends; k++) {
      today++;
      await appendDay(db, today);
      const r = await viewsStep(db, policy);
      refreshMs.push(r.refreshed.reduce((n, x) => n + x.ms, 0));
      // yesterday's dashboard again (today's ranges are new shapes): views refreshed, answers as the base tables give them
      const viaViews = await replay(db, reports);
      await db.query('set mv_enable_aqmv_for_session to off');
      const direct = await replay(db, reports);
      await db.query('set mv_enable_aqmv_for_session to on');
      mismatches += differences(direct.rows, viaViews.rows);
    }
    const views = Object.values(materializedViews(db.catalog())).filter((v) => v.auto);
    const out = {
      machine: { cores: os.cpus().length, loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100) },
      data: { days, rowsPerDay, salesRows: days * rowsPerDay, loadMs: Math.round(loadMs) },
      reports: reports.length,
      rounds,
      beforeMs: Math.round(before.ms),
      afterMs: Math.round(after.ms),
      speedup: Math.round((before.ms / after.ms) * 100) / 100,
      viewsCreated: created.length,
      viewRows: views.reduce((n, v) => n + (db.catalog().tables[v.table]?.rows ?? 0), 0),
      buildMs: Math.round(buildMs),
      refreshMsPerAppend: refreshMs.length ? Math.round(median(refreshMs)) : null,
      identicalResults: mismatches === 0,
      mismatches,
    };
    console.log(JSON.stringify(out, null, 1));
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The TPC-H stream before and after the views step, both replays warm (see the header). */
async function tpchCase(): Promise<void> {
  const sf = Number(flag('--sf', '1'));
  const queries = Number(flag('--queries', '200'));
  const seed = Number(flag('--seed', '1'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-mv-tpch-'));
  const db = await Database.open(dir, { workloadLog: false });
  const log = attachWorkloadLog(db);
  const policy = benchPolicy();
  try {
    const loadStart = performance.now();
    for (const t of tpchTables(sf)) {
      await db.execute(t.ddl);
      await db.append(t.name, t.batches(), t.rows);
    }
    await db.query('analyze');
    const loadMs = performance.now() - loadStart;
    const mined = [...tpchWorkload({ queries, seed, sf })].map((l) => l.sql);
    const stream = [...tpchWorkload({ queries, seed: seed + 1, sf })];
    const texts = stream.map((l) => l.sql);
    await replay(db, mined);
    log.flush();
    const buildStart = performance.now();
    const created: { name: string; sql: string }[] = [];
    for (;;) {
      const r = await viewsStep(db, policy);
      if (r.created.length === 0) break;
      created.push(...r.created.map((c) => ({ name: c.name, sql: c.sql })));
    }
    const buildMs = performance.now() - buildStart;
    await db.query('set mv_enable_aqmv_for_session to off');
    const before = await warm(db, texts);
    await db.query('set mv_enable_aqmv_for_session to on');
    const after = await warm(db, texts);
    // which TPC-H queries a view answered, by the query's number
    const answered = new Map<number, number>();
    for (const l of stream) {
      const head = String((await db.query(`explain ${l.sql}`)).rows()[0]![0]);
      if (head.startsWith('Materialized view ')) answered.set(l.query, (answered.get(l.query) ?? 0) + 1);
    }
    const mismatched = stream.filter((_, i) => before.rows[i] !== after.rows[i]).map((l) => l.query);
    const views = Object.values(materializedViews(db.catalog())).filter((v) => v.auto);
    console.log(
      JSON.stringify(
        {
          machine: { cores: os.cpus().length, loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100) },
          data: { sf, loadMs: Math.round(loadMs) },
          queries,
          rounds,
          beforeMs: Math.round(before.ms),
          afterMs: Math.round(after.ms),
          speedup: Math.round((before.ms / after.ms) * 100) / 100,
          viewsCreated: created,
          viewRows: views.reduce((n, v) => n + (db.catalog().tables[v.table]?.rows ?? 0), 0),
          answeredByQuery: Object.fromEntries([...answered].sort((a, b) => a[0] - b[0])),
          buildMs: Math.round(buildMs),
          identicalResults: mismatched.length === 0,
          mismatchedQueries: mismatched,
        },
        null,
        1,
      ),
    );
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (workload === 'tpch') await tpchCase();
else if (workload === 'dashboard') await dashboardCase();
else throw new Error(`--workload is dashboard or tpch, not ${workload}`);
