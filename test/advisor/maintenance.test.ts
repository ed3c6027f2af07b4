/**
 * Automatic maintenance (advisor/autonomics/maintenance.ts, audit.ts): the
 * daemon's cycle, driven directly, keeps a table that takes daily batches out
 * of order and loses old rows as cheap to scan as a freshly sorted copy and
 * reclaims the space; it runs only what pays, only in the window and at low
 * load, within the byte budget, and announces every action in
 * svl_auto_worker_action, which survives reopening.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attachWorkloadLog, Database } from '../../index.js';
import { ConfigError, defaultConfig, maintainStep, parseConfig, readAudit, type AutonomicsConfig } from '../../advisor/autonomics/index.js';
import { rng } from '../helpers/random.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-maintain-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const idle = () => 0;
const config = (over: Partial<AutonomicsConfig> = {}): AutonomicsConfig => ({ ...defaultConfig(), ...over });

async function append(db: Database, table: string, days: readonly number[], firstId: number): Promise<void> {
  const n = days.length;
  const vec = (values: Int32Array) => ({ kind: 'i32' as const, values, nulls: null, length: n });
  await db.append(table, [{ length: n, columns: [vec(Int32Array.from(days)), vec(Int32Array.from(days, (_, i) => firstId + i)), vec(Int32Array.from(days, (d, i) => (d * 31 + i) % 1000))] }], n);
}

async function tableInfo(db: Database, table: string) {
  const r = (await db.query(`select tbl_rows, estimated_visible_rows, size_bytes, unsorted, stats_off from svv_table_info where "table" = '${table}'`)).rows()[0]!;
  return { tblRows: Number(r[0]), visible: Number(r[1]), size: Number(r[2]), unsorted: Number(r[3]), statsOff: Number(r[4]) };
}

describe('automatic maintenance', () => {
  it('daily batches out of order and old rows deleted: blocks read stay within 10% of a freshly sorted table, space is reclaimed', async () => {
    const dir = tmp();
    const db = await Database.open(dir, { slices: 2, blockRows: 256, workloadLog: false });
    const log = attachWorkloadLog(db);
    try {
      await db.execute('create table events (day int, id int, v int) sortkey (day)');
      const r = rng(16);
      // days 0..29 arrive out of order: shuffled within each week
      const order: number[] = [];
      for (let w = 0; w < 30; w += 6) order.push(...[0, 1, 2, 3, 4, 5].map((i) => w + i).sort(() => r() - 0.5));
      const ranges = (latest: number) => [0, 1, 2, 3, 4].map((k) => Math.max(0, latest - 3 * k - 2));
      let id = 0;
      let latest = 0;
      const now = new Date();
      for (const day of order) {
        // a day's batch: most rows of that day, a fifth late rows of the week before
        const days = Array.from({ length: 600 }, (_, i) => (i % 5 === 4 ? Math.max(0, day - Math.floor(r() * 7)) : day));
        await append(db, 'events', days, id);
        id += days.length;
        latest = Math.max(latest, day);
        // retention: three weeks
        await db.execute(`delete from events where day < ${latest - 21}`);
        for (const from of ranges(latest)) await db.query(`select count(*), sum(v) from events where day between ${from} and ${from + 2}`);
        log.flush();
        await maintainStep(db, config(), { now, loadAverage: idle });
      }
      // the workload on the maintained table and on a freshly sorted copy of its rows
      await db.execute('create table fresh (day int, id int, v int) sortkey (day); insert into fresh select * from events');
      let kept = 0;
      let sorted = 0;
      for (const from of [...ranges(latest), 9, 12, 15]) {
        const a = await db.query(`select count(*), sum(v) from events where day between ${from} and ${from + 2}`);
        const b = await db.query(`select count(*), sum(v) from fresh where day between ${from} and ${from + 2}`);
        expect(a.rows()).toEqual(b.rows());
        kept += a.stats.blocksScanned;
        sorted += b.stats.blocksScanned;
      }
      expect(kept).toBeLessThanOrEqual(sorted * 1.1);
      // deleted rows reclaimed (those of the last days may wait for the 5% threshold)
      const events = await tableInfo(db, 'events');
      const fresh = await tableInfo(db, 'fresh');
      expect(events.visible).toBe(fresh.visible);
      expect(events.tblRows).toBeLessThan(events.visible * 1.06);
      expect(events.size).toBeLessThanOrEqual(fresh.size * 1.1);
      expect(events.statsOff).toBeLessThan(10);
      const audit = readAudit(dir);
      const complete = (action: string) => audit.filter((a) => a.action === action && a.status === 'complete').length;
      expect(complete('vacuum sort')).toBeGreaterThan(0);
      expect(complete('analyze')).toBeGreaterThan(0);
      // every start is followed by its outcome
      expect(audit.filter((a) => a.status === 'start').length).toBe(audit.filter((a) => a.status === 'complete' || a.status === 'abort' || a.status === 'skipped').length);
    } finally {
      db.close();
    }
  }, 120_000);

  it('vacuum delete where rows were deleted, announced in svl_auto_worker_action, which survives reopening', async () => {
    const dir = tmp();
    let db = await Database.open(dir, { slices: 2, blockRows: 256, workloadLog: false });
    try {
      await db.execute('create table t (day int, id int, v int)');
      await append(db, 't', Array.from({ length: 4000 }, (_, i) => i % 50), 0);
      await db.execute('analyze t');
      // 3% deleted: below the threshold, nothing is due
      await db.execute('delete from t where id < 120');
      expect(await maintainStep(db, config(), { loadAverage: idle })).toEqual({ ran: true, actions: [] });
      await db.execute('delete from t where id < 1000');
      const before = await tableInfo(db, 't');
      const step = await maintainStep(db, config(), { loadAverage: idle });
      expect(step).toMatchObject({ ran: true, actions: [{ table: 't', action: 'vacuum delete', status: 'complete' }, { table: 't', action: 'analyze', status: 'complete' }] });
      const after = await tableInfo(db, 't');
      expect(after).toMatchObject({ tblRows: 3000, visible: 3000, statsOff: 0 });
      expect(after.size).toBeLessThan(before.size * 0.85);
      db.close();
      db = await Database.open(dir, { workloadLog: false });
      const rows = (await db.query(`select "table", type, status, progress, rows from svl_auto_worker_action order by sequence`)).rows();
      const events = rows.filter((x) => x[2] !== 'checkpoint');
      expect(events.map((x) => `${x[0]} ${x[1]} ${x[2]}`)).toEqual(['t vacuum delete start', 't vacuum delete complete', 't analyze start', 't analyze complete']);
      expect(events[1]!.slice(3)).toEqual([100, 3000]);
      // checkpoints in between, each a quarter further
      const progress = rows.filter((x) => x[1] === 'vacuum delete' && x[2] === 'checkpoint').map((x) => Number(x[3]));
      expect(progress.length).toBeGreaterThan(0);
      progress.forEach((p, i) => expect(p).toBeGreaterThanOrEqual(25 * (i + 1)));
    } finally {
      db.close();
    }
  });

  it('outside the window, under load or past the byte budget it skips, once per reason; under load it pauses; a stop aborts and keeps the table', async () => {
    const dir = tmp();
    const db = await Database.open(dir, { slices: 2, blockRows: 256, workloadLog: false });
    try {
      await db.execute('create table t (day int, id int, v int)');
      await append(db, 't', Array.from({ length: 4000 }, (_, i) => i % 50), 0);
      await db.execute('delete from t where id % 4 = 0');
      const version = db.catalog().tables.t!.version;
      // 03:00 UTC only; now is noon
      const noon = new Date('2026-01-05T12:00:00Z');
      const closed = await maintainStep(db, config({ maintenanceWindow: '* 3 * * *' }), { now: noon, loadAverage: idle });
      expect(closed).toMatchObject({ ran: false, reason: 'outside the maintenance window (* 3 * * *)' });
      await maintainStep(db, config({ maintenanceWindow: '* 3 * * *' }), { now: noon, loadAverage: idle });
      const busy = await maintainStep(db, config({ maxLoadAverage: 2 }), { loadAverage: () => 5 });
      expect(busy).toMatchObject({ ran: false, reason: 'load average 5.00 is at or above maxLoadAverage 2' });
      const budget = await maintainStep(db, config({ maintenance: { ...defaultConfig().maintenance, actions: ['vacuum delete'], maxBytesPerCycle: 1000 } }), { loadAverage: idle });
      expect(budget).toMatchObject({ ran: true, actions: [{ action: 'vacuum delete', status: 'skipped', reason: expect.stringMatching(/byte budget/) }] });
      const stop = new AbortController();
      stop.abort('stopping');
      await expect(maintainStep(db, config(), { loadAverage: idle, signal: stop.signal })).rejects.toThrow();
      // a stop while the vacuum waits out the load: aborted, the table as it was
      const stopping = new AbortController();
      let calls = 0;
      // idle when the cycle starts, busy from then on: the vacuum pauses until the stop
      const run = maintainStep(db, config({ maxLoadAverage: 2, maintenance: { ...defaultConfig().maintenance, actions: ['vacuum delete'] } }), {
        loadAverage: () => (calls++ === 0 ? 0 : 9),
        signal: stopping.signal,
      });
      setTimeout(() => stopping.abort('stop'), 300);
      const aborted = await run;
      expect(aborted).toMatchObject({ ran: true, actions: [{ action: 'vacuum delete', status: 'abort', reason: expect.stringMatching(/stopping/) }] });
      expect(db.catalog().tables.t!.version).toBe(version);
      // busy for a while after it started, then idle: it waits, then resumes and completes
      let polls = 0;
      const resumed = await maintainStep(db, config({ maxLoadAverage: 2, maintenance: { ...defaultConfig().maintenance, actions: ['vacuum delete'] } }), {
        loadAverage: () => (polls++ === 0 || polls > 4 ? 0 : 9),
      });
      expect(polls).toBeGreaterThan(4);
      expect(resumed).toMatchObject({ ran: true, actions: [{ action: 'vacuum delete', status: 'complete' }] });
      expect(db.catalog().tables.t!.version).toBe(version + 1);
      const audit = readAudit(dir).map((a) => `${a.action} ${a.status} ${a.reason}`);
      // the same skip is announced once, not at every cycle
      expect(audit.filter((a) => a.includes('outside the maintenance window')).length).toBe(2);
      expect(audit.filter((a) => a.startsWith('vacuum delete skipped outside')).length).toBe(1);
      expect(audit.some((a) => a.startsWith('vacuum delete skipped load average 5.00'))).toBe(true);
      expect(audit.some((a) => a.startsWith('vacuum delete abort'))).toBe(true);
    } finally {
      db.close();
    }
  });

  it('the maintenance settings are read from keel.config.json and checked', () => {
    const c = parseConfig({ schedule: { maintain: '0 * * * *' }, maintenance: { actions: ['analyze'], minDeletedPercent: 20, maxBytesPerCycle: '1GB' } }, 'keel.config.json');
    expect(c.schedule.maintain).toBe('0 * * * *');
    expect(c.maintenance).toEqual({ ...defaultConfig().maintenance, actions: ['analyze'], minDeletedPercent: 20, maxBytesPerCycle: 1024 ** 3 });
    expect(() => parseConfig({ maintenance: { actions: ['vacuum everything'] } }, 'keel.config.json')).toThrow(ConfigError);
    expect(() => parseConfig({ maintenance: { minDeletedPercent: 0 } }, 'keel.config.json')).toThrow(/"maintenance.minDeletedPercent" must be a percent/);
    expect(() => parseConfig({ maintenance: { often: true } }, 'keel.config.json')).toThrow(/"maintenance.often" is not a setting/);
  });
});
