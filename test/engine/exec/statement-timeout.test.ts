/**
 * statement_timeout in process (engine/exec/cancel.ts armDeadline): a
 * statement that keeps the calling thread busy, so that no timer of this
 * thread can fire, is stopped at its next batch once its time is up, with
 * ExecError CANCELLED "canceling statement due to statement timeout"; the
 * statements after it in the script do not run; the Database goes on. The
 * slow query is a cross join of small tables (no worker runs under 200,000
 * rows): about a billion triples, minutes of work, so the test ends in time
 * only if the timeout stopped it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, ExecError, type QueryRecord } from '../../../engine/index.js';

const SLOW = 'select count(*) from seed a, seed b, seed c where a.x + b.x + c.x < 0';
let dir: string;
let db: Database;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-timeout-'));
  db = await Database.open(dir, { slices: 2, workers: 0 });
  await db.execute('create table seed (x integer)');
  await db.execute(`insert into seed values ${Array.from({ length: 1000 }, (_, i) => `(${i})`).join(', ')}`);
});

afterAll(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

describe('statement_timeout in process', () => {
  it('stops a serial statement that keeps the thread busy, with the timeout message; later statements do not run', async () => {
    const records: QueryRecord[] = [];
    const off = db.onQuery((r) => records.push(r));
    try {
      await db.execute('set statement_timeout = 150');
      const seen: string[] = [];
      const e = await failure(db.execute(`select 1; ${SLOW}; create table after_timeout (x integer)`, (r) => seen.push(r.command)));
      expect(e).toBeInstanceOf(ExecError);
      expect(e).toMatchObject({ code: 'CANCELLED', message: 'canceling statement due to statement timeout' });
      expect(seen).toEqual(['SELECT']);
      expect(records.map((r) => r.status)).toEqual(['ok', 'ok', 'error']);
      expect(records.at(-1)!.error).toMatchObject({ code: 'CANCELLED' });
      expect(db.catalog().tables.after_timeout).toBeUndefined();
    } finally {
      off();
      await db.execute('set statement_timeout = 0');
    }
  });

  it('is per statement: each of a script has its own clock, and the session goes on after a timeout', async () => {
    await db.execute("set statement_timeout = '1s'");
    try {
      // each quick statement restarts the clock: together they are not timed
      const r = await db.execute('select count(*) from seed; select count(*) from seed a, seed b where a.x = b.x');
      expect(r.map((x) => x.rows())).toEqual([[[1000]], [[1000]]]);
      await db.execute('set statement_timeout = 100');
      expect(await failure(db.query(SLOW))).toMatchObject({ code: 'CANCELLED', message: 'canceling statement due to statement timeout' });
      expect((await db.query('select count(*) from seed')).rows()).toEqual([[1000]]);
    } finally {
      await db.execute('set statement_timeout = 0');
    }
  });

  it("a caller's cancel flag still cancels as before, with its own message, when a timeout is set too", async () => {
    await db.execute("set statement_timeout = '10min'");
    try {
      const flag = new Int32Array(new SharedArrayBuffer(4));
      Atomics.store(flag, 0, 1);
      expect(await failure(db.query('select 1', { cancel: flag }))).toMatchObject({ code: 'CANCELLED', message: 'statement cancelled' });
    } finally {
      await db.execute('set statement_timeout = 0');
    }
  });
});
