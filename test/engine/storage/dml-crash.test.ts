/**
 * Crash safety of data changes: a child runs a DELETE, an UPDATE, a MERGE or
 * a TRUNCATE and is SIGKILLed at a random moment. Afterwards the table must be
 * exactly as before or exactly as after (row count and a checksum of its
 * contents), the directory must open, and the next writer must be able to
 * change it. The delete vectors and appended rows of a killed statement are
 * never seen: the catalog commit is the one step that makes them count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';
import { crashTrials, killAndReopen, rowsAndChecksum } from '../../helpers/crash.js';

const ROWS = 60_000;
const TRIALS = crashTrials(5, 20); // per statement kind

let work: string;
let template: string;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-dml-crash-'));
  template = path.join(work, 'template');
  // blocks of 1,024 rows: a DELETE writes many delete vectors (one per segment it touches), so kills land among them
  const db = await Database.open(template, { slices: 4, blockRows: 1024, workers: 0 });
  await db.query('create table t (id integer not null, g integer, d decimal(10,2)) diststyle even sortkey (id)');
  for (let part = 0; part < 6; part++) {
    const from = (part * ROWS) / 6;
    const rows = Array.from({ length: ROWS / 6 }, (_, i) => `(${from + i}, ${(from + i) % 97}, ${((from + i) % 1000) / 10})`);
    await db.query(`insert into t values ${rows.join(', ')}`);
  }
  // MERGE's source: half its keys match rows of t, half are new
  await db.query('create table src (id integer not null, g integer, d decimal(10,2)) diststyle even');
  await db.query(`insert into src values ${Array.from({ length: 8_000 }, (_, i) => `(${ROWS - 4_000 + i * 1}, ${i % 13}, ${(i % 500) / 4})`).join(', ')}`);
  db.close();
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The row count and a checksum of the contents: per g, count, sums of id, id², d and d × id. */
const state = (dir: string) => rowsAndChecksum(dir, 'select g, count(*), sum(id), sum(cast(id as bigint) * id), sum(d), sum(d * id) from t group by g order by g');

const STATEMENTS = [
  { kind: 'DELETE', sql: 'delete from t where g < 40 or id % 5 = 0' },
  { kind: 'UPDATE', sql: 'update t set d = d + 1, g = g + 100 where id % 3 = 0' },
  { kind: 'TRUNCATE', sql: 'truncate t' },
  { kind: 'MERGE', sql: 'merge into t using src on t.id = src.id when matched then update set d = src.d, g = src.g when not matched then insert values (src.id, src.g, src.d)' },
] as const;

describe('a SIGKILL during a data change leaves the table as before or fully after', () => {
  for (const { kind, sql } of STATEMENTS) {
    it(`${kind}: ${TRIALS} trials, kills spread over the statement's duration`, async () => {
      await killAndReopen({
        template,
        dir: path.join(work, kind),
        sql,
        trials: TRIALS,
        seed: 4242,
        state,
        checkFinished: (before, after) => expect(after).not.toEqual(before),
        // the directory stays writable: the dead child's lock is taken over, its orphans swept
        async reopen(dir, { now }) {
          const db = await Database.open(dir, { create: false, workers: 0 });
          await db.query('insert into t values (-1, 1, 1.5)');
          db.close();
          expect((await state(dir)).rows).toBe(now.rows + 1);
        },
      });
    }, 180_000);
  }
});
