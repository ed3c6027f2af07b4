/**
 * Cancelling a statement (engine/exec/cancel.ts): an AbortSignal or a cancel
 * flag in shared memory stops the running statement at its next batch with
 * ExecError CANCELLED, on the calling thread and on the worker threads its
 * slices run on; nothing it was changing changes; later statements of the
 * script do not start; the Database goes on serving queries. The flag is set
 * from another thread here, as the CLI's prompt does, because a query running
 * on this thread keeps this thread's timers from firing until it ends.
 * The pool's workers run the built code: `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Database, ExecError, type QueryRecord } from '../../../engine/index.js';

const built = fs.existsSync(path.resolve(__dirname, '../../../dist/engine/exec/worker.js'));
let dir: string;
let serial: Database;
let parallel: Database;

/** 240,000 rows (above PARALLEL_MIN_ROWS, so a scan of it goes to the workers) times 20,000: billions of pairs, minutes of work. */
const SLOW = 'select count(*) from big, small where big.x + small.x < 0';

async function setUp(db: Database): Promise<void> {
  await db.execute('create table seed (x integer); create table big (x integer) diststyle even; create table small (x integer) diststyle all');
  await db.execute(`insert into seed values ${Array.from({ length: 1000 }, (_, i) => `(${i})`).join(', ')}`);
  await db.execute('insert into big select a.x * 1000 + b.x from seed a, seed b where b.x < 240');
  await db.execute('insert into small select a.x * 1000 + b.x from seed a, seed b where b.x < 20');
}

/** A flag another thread sets after `ms`: what the prompt's main thread does on Ctrl-C while its session thread runs the query. */
function cancelLater(ms: number): { flag: Int32Array; done: Promise<void> } {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const w = new Worker(`const { workerData } = require('node:worker_threads'); setTimeout(() => Atomics.store(workerData, 0, 1), ${ms});`, { eval: true, workerData: flag });
  return { flag, done: new Promise((resolve) => w.once('exit', () => resolve())) };
}

async function cancelledIn(db: Database, sql: string, flag: Int32Array): Promise<{ error: unknown; ms: number }> {
  const t0 = performance.now();
  const error = await db.query(sql, { cancel: flag }).then(
    () => null,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - t0 };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cancel-'));
  serial = await Database.open(path.join(dir, 'serial'), { slices: 4, workers: 0 });
  await setUp(serial);
  parallel = await Database.open(path.join(dir, 'parallel'), { slices: 4, workers: 2 });
  await setUp(parallel);
}, 120_000);

afterAll(() => {
  serial?.close();
  parallel?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('cancelling a statement', () => {
  it('the tables are what the tests think', async () => {
    expect((await serial.query('select count(*) from big')).rows()).toEqual([[240_000]]);
    expect((await serial.query('select count(*) from small')).rows()).toEqual([[20_000]]);
  });

  it('an already aborted signal runs nothing: CANCELLED, and no record', async () => {
    const records: QueryRecord[] = [];
    const off = serial.onQuery((r) => records.push(r));
    try {
      const e = await serial.query('select count(*) from big', { signal: AbortSignal.abort() }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ExecError);
      expect((e as ExecError).code).toBe('CANCELLED');
      expect(records).toEqual([]);
    } finally {
      off();
    }
  });

  it('a cancel flag that is not shared memory is refused', async () => {
    await expect(serial.query('select 1', { cancel: new Int32Array(1) })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('a query busy on the calling thread stops at its next batch once another thread sets the flag; its record says CANCELLED', async () => {
    const records: QueryRecord[] = [];
    const off = serial.onQuery((r) => records.push(r));
    const { flag, done } = cancelLater(300);
    const { error, ms } = await cancelledIn(serial, SLOW, flag);
    await done;
    off();
    expect(error).toBeInstanceOf(ExecError);
    expect((error as ExecError).code).toBe('CANCELLED');
    expect((error as ExecError).message).toBe('statement cancelled');
    // minutes of work stopped within seconds of the flag (300 ms), however loaded the machine
    expect(ms).toBeLessThan(15_000);
    expect(records.map((r) => [r.status, r.error?.code])).toEqual([['error', 'CANCELLED']]);
    // and the database goes on
    expect((await serial.query('select count(*) from big where x < 10')).rows()).toEqual([[10]]);
  });

  it('an aborted signal between statements: the finished ones stay done, the next never starts', async () => {
    const ac = new AbortController();
    const seen: string[] = [];
    const e = await serial
      .execute('create table later1 (x integer); create table later2 (x integer)', (r) => {
        seen.push(r.command);
        ac.abort();
      }, { signal: ac.signal })
      .catch((x: unknown) => x);
    expect((e as ExecError).code).toBe('CANCELLED');
    expect(seen).toEqual(['CREATE TABLE']);
    expect(Object.keys(serial.catalog().tables)).toContain('later1');
    expect(Object.keys(serial.catalog().tables)).not.toContain('later2');
  });

  it('a cancelled INSERT ... SELECT changes nothing', async () => {
    await serial.execute('create table copy (x integer)');
    const { flag, done } = cancelLater(300);
    const { error } = await cancelledIn(serial, 'insert into copy select big.x from big, small where big.x + small.x >= 0', flag);
    await done;
    expect((error as ExecError).code).toBe('CANCELLED');
    expect((await serial.query('select count(*) from copy')).rows()).toEqual([[0]]);
  });

  it('the slices on worker threads stop too: the pool is free at once and the process stops working', async () => {
    expect(built, 'dist/ holds no build: run `npm run build` first').toBe(true);
    const pool = parallel.workerPool();
    expect(pool?.size).toBe(2);
    const tasksBefore = pool!.tasks;
    const { flag, done } = cancelLater(500);
    const { error, ms } = await cancelledIn(parallel, SLOW, flag);
    await done;
    expect((error as ExecError).code).toBe('CANCELLED');
    expect(ms).toBeLessThan(15_000);
    // the slow fragment did go to the workers
    expect(pool!.tasks).toBeGreaterThan(tasksBefore);
    // nothing keeps computing: this process uses next to no CPU for the next second (a worker still at the
    // cancelled fragment would use a whole core)
    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 1000));
    const cpu = process.cpuUsage(cpu0);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(400);
    // and the workers answer the next query (one still busy would hold it up for minutes)
    const t0 = performance.now();
    const before = pool!.tasks;
    expect((await parallel.query('select count(*) from big where x % 2 = 0')).rows()).toEqual([[120_000]]);
    expect(pool!.tasks).toBeGreaterThan(before);
    expect(performance.now() - t0).toBeLessThan(15_000);
  });
});
