/**
 * Several processes on one data directory: a background ALTER in one process
 * while another inserts and a third queries; two background ALTERs racing on
 * one table; locks and staging folders left by dead processes. Nothing
 * committed may be lost, a reader never sees a mix of versions, and a loser of
 * a race fails with CONFLICT without changing anything.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';

const ONLINE = path.resolve(__dirname, '../../fixtures/online-child.mjs');
const INSERT = path.resolve(__dirname, '../../fixtures/insert-child.mjs');
const ROWS = 20_000;

let work: string;
let csv: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-sharing-'));
  csv = path.join(work, 'rows.csv');
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},name${(i * 7919) % 1000},${(i % 10000) / 100},1995-0${1 + (i % 9)}-1${i % 10}`);
  fs.writeFileSync(csv, lines.join('\n') + '\n');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function freshDir(name: string): Promise<string> {
  const dir = path.join(work, name);
  const db = await Database.open(dir, { slices: 4, blockRows: 1024 });
  await db.execute('create table t (id integer not null, s varchar(20), d decimal(10,2), day date) diststyle even');
  await db.load('t', csv, { delimiter: ',' });
  db.close();
  return dir;
}

interface ChildResult {
  code: number | null;
  out: string;
}

function run(script: string, args: string[]): { done: Promise<ChildResult>; pid: number } {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 || code === 3 ? resolve({ code, out }) : reject(new Error(`child failed (${code}): ${out} ${err}`))));
  });
  return { done, pid: child.pid! };
}

/** Size of t in bytes, for a throttle that makes a rebuild take about `seconds`. */
async function rateFor(dir: string, seconds: number): Promise<number> {
  const db = await Database.open(dir, { create: false });
  try {
    const size = Number((await db.query(`select size_bytes from svv_table_info where "table" = 't'`)).rows()[0]![0]);
    return Math.max(50_000, Math.round((size * 2) / seconds));
  } finally {
    db.close();
  }
}

const CHECK = 'select count(*), sum(id), sum(length(s)), sum(d), min(day), max(day) from t';

describe('processes sharing a data directory', () => {
  it('a background ALTER in one process, inserts in another, queries in a third: nothing lost, nothing mixed', { timeout: 300_000 }, async () => {
    const dir = await freshDir('shared');
    const rate = await rateFor(dir, 0.7);
    const reader = await Database.open(dir, { create: false });
    const base = (await reader.query(`${CHECK} where id < ${ROWS}`)).rows();
    const INSERTS = 150;
    const inserter = run(INSERT, [dir, String(ROWS), String(INSERTS)]);
    let insertsDone = false;
    void inserter.done.then(() => (insertsDone = true));
    const alters = ['alter table t alter distkey s', 'alter table t alter sortkey (day, id)', 'alter table t alter column s encode zstd'];
    const applied: string[] = [];
    const applying = (async () => {
      for (const sql of alters) {
        const r = await run(ONLINE, [dir, sql, String(rate)]).done;
        expect(r.out, sql).toContain('done');
        applied.push(sql);
      }
    })();
    let finished = false;
    void applying.finally(() => (finished = true));
    let polls = 0;
    let lastCount = 0;
    while (!finished || !insertsDone) {
      // the original rows are always there exactly once, whichever version the reader sees
      expect((await reader.query(`${CHECK} where id < ${ROWS}`)).rows()).toEqual(base);
      const count = Number((await reader.query('select count(*) from t')).rows()[0]![0]);
      expect(count).toBeGreaterThanOrEqual(lastCount); // committed inserts never disappear
      lastCount = count;
      polls++;
      await new Promise((r) => setTimeout(r, 20));
    }
    await applying;
    await inserter.done;
    expect(applied).toEqual(alters);
    expect(polls).toBeGreaterThan(5);
    const t = reader.catalog().tables['t']!;
    expect([t.distStyle, t.distKey, t.sortKey, t.columns[1]!.encoding, t.rows]).toEqual(['key', 's', ['day', 'id'], 'zstd', ROWS + INSERTS]);
    const inserted = (await reader.query(`select count(*), sum(id), count(distinct s) from t where id >= ${ROWS}`)).rows();
    expect(inserted).toEqual([[INSERTS, (INSERTS * (2 * ROWS + INSERTS - 1)) / 2, 7]]);
    expect((await reader.query(`${CHECK} where id < ${ROWS}`)).rows()).toEqual(base);
    reader.close();
  });

  it('two background ALTERs racing on one table: each commits or fails with CONFLICT, and the table is what the commits made', { timeout: 300_000 }, async () => {
    const dir = await freshDir('race');
    const rate = await rateFor(dir, 0.8);
    const before = await Database.open(dir, { create: false }).then(async (db) => {
      const r = (await db.query(CHECK)).rows();
      db.close();
      return r;
    });
    const a = run(ONLINE, [dir, 'alter table t alter distkey s', String(rate)]);
    const b = run(ONLINE, [dir, 'alter table t alter sortkey (day)', String(rate)]);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const ok = (r: ChildResult) => r.out.includes('done');
    for (const r of [ra, rb]) expect(ok(r) || r.out.includes('error CONFLICT'), r.out).toBe(true);
    expect(ok(ra) || ok(rb)).toBe(true);
    const db = await Database.open(dir, { create: false });
    const t = db.catalog().tables['t']!;
    expect(t.distStyle === 'key' && t.distKey === 's').toBe(ok(ra));
    expect(t.sortKey).toEqual(ok(rb) ? ['day'] : []);
    expect(t.version).toBe(1 + Number(ok(ra)) + Number(ok(rb)));
    expect((await db.query(CHECK)).rows()).toEqual(before);
    db.close();
  });

  it('takes over a lock and sweeps staging folders left by dead processes, and waits for live ones', { timeout: 120_000 }, async () => {
    const dir = await freshDir('locks');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const lock = path.join(dir, 'write.lock');
    const staging = path.join(dir, 'staging');
    fs.mkdirSync(path.join(staging, `${dead}.0.abc`), { recursive: true });
    fs.writeFileSync(path.join(staging, `${dead}.0.abc`, '000001.seg'), 'partial');
    fs.writeFileSync(lock, `${dead}\n`);
    const db = await Database.open(dir, { create: false });
    await db.execute(`insert into t values (-1, 'a', 1, '2000-01-01')`);
    expect(fs.existsSync(lock)).toBe(false);
    expect(fs.readdirSync(staging)).toEqual([]);
    if (fs.existsSync('/proc/self/stat')) {
      // our own pid with another start time: a dead process whose pid was reused
      fs.writeFileSync(lock, `${process.pid}\n1\n`);
      await db.execute(`insert into t values (-2, 'b', 1, '2000-01-01')`);
      expect(fs.existsSync(lock)).toBe(false);
    }
    // a live holder: the change waits until it is gone, without blocking this process
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    fs.writeFileSync(lock, `${holder.pid}\n`);
    fs.mkdirSync(path.join(staging, `${holder.pid}.0.live`), { recursive: true });
    let committed = false;
    const waiting = db.execute(`insert into t values (-3, 'c', 1, '2000-01-01')`).then(() => (committed = true));
    let ticks = 0;
    const t0 = Date.now();
    while (Date.now() - t0 < 500) {
      await new Promise((r) => setTimeout(r, 10));
      ticks++;
    }
    expect(committed).toBe(false);
    expect(ticks).toBeGreaterThan(10); // the event loop ran while the change waited
    holder.kill('SIGKILL');
    await waiting;
    expect(committed).toBe(true);
    // the live holder's staging folder was kept while it lived; it is dead now, so the next writer sweeps it
    await db.execute(`insert into t values (-4, 'd', 1, '2000-01-01')`);
    expect(fs.readdirSync(staging)).toEqual([]);
    expect(Number((await db.query('select count(*) from t where id < 0')).rows()[0]![0])).toBe(fs.existsSync('/proc/self/stat') ? 4 : 3);
    db.close();
  });
});
