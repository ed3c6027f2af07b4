/**
 * LIMIT runs per slice below the gather: a quick look at a big table reads a
 * block or so per slice and moves at most limit+offset rows a slice, and the
 * answer is the same rows and count a LIMIT must give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';

const ROWS = 40_000;
const SLICES = 4;
let dir: string;
let db: Database;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-limit-'));
  db = await Database.open(dir, { slices: SLICES, blockRows: 1024 });
  await db.execute('create table t (id integer, v integer, s varchar(12)) diststyle even');
  await db.execute(`insert into t values ${Array.from({ length: ROWS }, (_, i) => `(${i}, ${i % 97}, 'row${i}')`).join(', ')}`);
}, 60_000);

afterAll(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('LIMIT', () => {
  it('a plain LIMIT stops each slice after limit+offset rows: few blocks read, few rows moved', async () => {
    const r = await db.query('select * from t limit 2');
    expect(r.rowCount).toBe(2);
    // a block of each of the 3 columns on each slice, not the table's 40 blocks a slice
    expect(r.stats.blocksScanned).toBeLessThanOrEqual(3 * SLICES);
    // the rows coming back to the leader are the result's return, with or without LIMIT or ORDER BY: not moved between slices
    const plan = (await db.query('explain analyze select * from t limit 2')).rows().map((x) => String(x[0])).join('\n');
    expect(plan).toMatch(/Limit 2[\s\S]*Return to leader[\s\S]*Limit 2[\s\S]*Seq Scan on t/);
    for (const sql of ['select * from t', 'select * from t limit 2', 'select * from t order by id limit 5', 'select * from t order by v']) {
      expect((await db.query(sql)).stats.bytesMoved, sql).toBe(0);
    }
  });

  it('returns exactly limit rows, after offset, and every row when the limit exceeds the table', async () => {
    const rows = (sql: string) => db.query(sql).then((r) => r.rows());
    expect((await rows('select id from t limit 10 offset 5')).length).toBe(10);
    expect((await rows(`select id from t limit ${ROWS + 10}`)).length).toBe(ROWS);
    expect((await rows(`select id from t limit 10 offset ${ROWS - 3}`)).length).toBe(3);
    expect((await rows('select id from t limit 0')).length).toBe(0);
    // rows come from the table, each once
    const ids = (await rows('select id from t where v = 5 limit 50')).map((r) => Number(r[0]));
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(id % 97).toBe(5);
    // in a subquery the count is the limit's
    expect((await rows('select count(*) from (select id from t limit 1234) x'))[0]![0]).toBe(1234);
    // ORDER BY ... LIMIT keeps the true top rows
    expect((await rows('select id from t order by id desc limit 3')).map((r) => r[0])).toEqual([ROWS - 1, ROWS - 2, ROWS - 3]);
  });
});
