/**
 * Crash safety of COPY: a child COPYs a folder of files into a table that
 * already has rows and is SIGKILLed at a random moment. Afterwards the table
 * is exactly as before or exactly as after (row count and a checksum), and
 * the next writer can change it. A COPY is one append committed by one
 * catalog write: the segments of a killed one are orphans, never rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';
import { crashTrials, killAndReopen, rowsAndChecksum } from '../../helpers/crash.js';

const FILES = 3;
const ROWS_PER_FILE = 5_000;
const TRIALS = crashTrials(6, 20);

let work: string;
let template: string;
let input: string;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-copy-crash-'));
  template = path.join(work, 'template');
  input = path.join(work, 'in');
  fs.mkdirSync(input);
  for (let f = 0; f < FILES; f++) {
    const lines: string[] = [];
    for (let i = 0; i < ROWS_PER_FILE; i++) {
      const id = f * ROWS_PER_FILE + i;
      lines.push(`${id},${id % 97},${(id % 1000) / 10},"row ${id}, file ${f}"`);
    }
    fs.writeFileSync(path.join(input, `part_${f}.csv`), lines.join('\n') + '\n');
  }
  const db = await Database.open(template, { slices: 4, blockRows: 4096, workers: 0 });
  await db.query('create table t (id integer not null, g integer, d decimal(10,2), s varchar(40)) diststyle even sortkey (id)');
  await db.query(`insert into t values ${Array.from({ length: 500 }, (_, i) => `(${-1 - i}, ${i % 7}, ${i / 4}, 'old')`).join(', ')}`);
  db.close();
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const state = (dir: string) => rowsAndChecksum(dir, 'select g, count(*), sum(id), sum(d), count(distinct s) from t group by g order by g');

describe('a SIGKILL during COPY leaves the table as before or fully after', () => {
  it(`${TRIALS} trials, kills spread over the COPY's duration`, async () => {
    await killAndReopen({
      template,
      dir: path.join(work, 'db'),
      sql: `copy t from '${input}' csv`,
      trials: TRIALS,
      seed: 777,
      state,
      checkFinished: (before, after) => expect(after.rows).toBe(before.rows + FILES * ROWS_PER_FILE),
      // the directory stays writable: the dead child's lock is taken over, its orphans swept
      async reopen(dir, { now }) {
        const db = await Database.open(dir, { create: false, workers: 0 });
        await db.query("insert into t values (-10000, 1, 1.5, 'new')");
        expect((await db.query('select count(*) from t')).rows()).toEqual([[now.rows + 1]]);
        db.close();
      },
    });
  }, 120_000);
});
