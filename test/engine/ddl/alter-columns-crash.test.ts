/**
 * Crash safety of schema changes: a child runs ALTER TABLE ADD COLUMN or DROP
 * COLUMN (and DROP of the advisor's distribution key, which redistributes the
 * table in the same commit) and is SIGKILLed at a random moment. Afterwards
 * the table must be exactly as before or exactly as after: its columns, its
 * layout and a checksum of its rows. Kills land while the child writes its
 * catalog (ADD and DROP write no segment) or while it rewrites (the AUTO key).
 * The child runs the built engine (dist/, `npm run build` first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Database } from '../../../engine/index.js';
import { crashTrials, killPoints, runAndKill } from '../../helpers/crash.js';

const ROWS = 4_000;
/** Trials run this many at a time, each in its own directory: a child's time is mostly its start. */
const PARALLEL = 3;

let work: string;
let template: string;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-ddl-crash-'));
  template = path.join(work, 'template');
  const db = await Database.open(template, { slices: 4, blockRows: 1024, workers: 0 });
  await db.query('create table t (id integer not null, g integer, s varchar(12)) diststyle even sortkey (id)');
  for (let part = 0; part < 4; part++) {
    const from = (part * ROWS) / 4;
    await db.query(`insert into t values ${Array.from({ length: ROWS / 4 }, (_, i) => `(${from + i}, ${(from + i) % 97}, 's${(from + i) % 31}')`).join(', ')}`);
  }
  // a table whose distribution key the advisor chose (AUTO(KEY(k)))
  await db.query('create table u (id integer not null, k integer, s varchar(12))');
  await db.query(`insert into u values ${Array.from({ length: ROWS }, (_, i) => `(${i}, ${i % 1013}, 'u${i % 7}')`).join(', ')}`);
  await db.alterInBackground('alter table u alter distkey k', { keepAuto: true });
  db.close();
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The table's columns and layout, and a checksum of its rows (sorted): what "as before" and "as after" compare. */
async function state(dir: string, table: string): Promise<string> {
  const db = await Database.open(dir, { create: false, workers: 0 });
  try {
    const cols = (await db.query(`describe ${table}`)).textRows();
    const layout = (await db.query(`select diststyle, sortkey1, tbl_rows from svv_table_info where "table" = '${table}'`)).textRows();
    const rows = (await db.query(`select * from ${table} order by id`)).textRows();
    return JSON.stringify({ cols, layout, rows: createHash('sha256').update(JSON.stringify(rows)).digest('hex') });
  } finally {
    db.close();
  }
}

const STATEMENTS = [
  { kind: 'ADD COLUMN', table: 't', sql: "alter table t add column x varchar(5) default 'new' encode zstd", trials: crashTrials(9, 21) },
  { kind: 'DROP COLUMN', table: 't', sql: 'alter table t drop column g', trials: crashTrials(9, 21) },
  { kind: 'DROP COLUMN of an AUTO key', table: 'u', sql: 'alter table u drop column k', trials: crashTrials(6, 9) },
] as const;

describe('a SIGKILL during ALTER TABLE ADD/DROP COLUMN leaves the table as before or fully after', () => {
  for (const { kind, table, sql, trials } of STATEMENTS) {
    it(`${kind}: ${trials} trials`, async () => {
      const dirOf = (k: number) => path.join(work, `${kind.replace(/\W+/g, '-')}-${k}`);
      const fresh = (dir: string) => {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.cpSync(template, dir, { recursive: true });
      };
      fresh(dirOf(0));
      const before = await state(dirOf(0), table);
      const run = await runAndKill([dirOf(0), 'sql', sql], 60_000);
      expect(run.outcome).toBe('finished');
      const after = await state(dirOf(0), table);
      expect(after).not.toEqual(before);
      // kills spread over up to 120% of a run's duration
      const delays = killPoints(trials, 977, 1.2).map((p) => Math.floor(p * run.ms));
      const seen = new Set<string>();
      const trial = async (dir: string, delay: number) => {
        fresh(dir);
        await runAndKill([dir, 'sql', sql], delay);
        const now = await state(dir, table);
        expect([before, after], `${kind} killed at ${delay} ms`).toContain(now);
        seen.add(now === before ? 'before' : 'after');
        // the directory stays writable, and the statement can run (again)
        const db = await Database.open(dir, { create: false, workers: 0 });
        if (now === before) await db.query(sql);
        await db.query(`insert into ${table} (id) values (-1)`);
        db.close();
      };
      for (let k = 0; k < trials; k += PARALLEL) {
        await Promise.all(delays.slice(k, k + PARALLEL).map((d, j) => trial(dirOf(j), d)));
      }
      // kills before 120% of a run's duration: some land before the commit
      expect(seen.has('before')).toBe(true);
    }, 120_000);
  }
});
