/**
 * The plan cache (engine/plan-cache.ts): a SELECT run again reuses its plan
 * and compiled code while the catalog it was planned on is current; every
 * change to what planning read (DDL, ALTER, DML, ANALYZE, VACUUM, another
 * handle's commit, the session's zone) plans it again; literals and
 * parameters never carry over from one statement to another.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../engine/index.js';

const dirs: string[] = [];
const handles: Database[] = [];

async function fresh(options: { planCache?: boolean } = {}): Promise<Database> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-plan-cache-'));
  dirs.push(dir);
  const db = await Database.open(dir, { slices: 2, workers: 0, ...options });
  handles.push(db);
  await db.execute('create table t (k integer, s varchar(10)) diststyle key distkey (k)');
  await db.execute(`insert into t values ${Array.from({ length: 100 }, (_, i) => `(${i}, 'v${i % 5}')`).join(', ')}`);
  return db;
}

afterAll(() => {
  for (const db of handles) db.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs a query: its rows, and whether its plan came from the cache. */
async function run(db: Database, sql: string, params?: (string | null)[]): Promise<{ rows: unknown[][]; reused: number }> {
  // parameters as the wire protocol sends them: text, of no declared type
  const r = await db.query(sql, params ? { params: params.map((text) => ({ type: null, text })) } : {});
  return { rows: r.rows(), reused: r.stats.phases!.plansReused };
}

let db: Database;
beforeEach(async () => {
  db = await fresh();
});

const COUNT = 'select count(*), sum(k) from t where k < 50';

describe('plan cache', () => {
  it('reuses the plan and the compiled code of a statement run again over an unchanged catalog', async () => {
    const first = await db.query(COUNT);
    const second = await db.query(COUNT);
    expect(first.stats.phases).toMatchObject({ plansReused: 0 });
    expect(second.stats.phases).toMatchObject({ plansReused: 1, planMs: 0, compiled: 0 });
    expect(second.stats.phases!.reused).toBeGreaterThan(0);
    expect(second.rows()).toEqual(first.rows());
    expect(second.rows()).toEqual([[50, 1225]]);
    expect(db.planCache!.hits).toBe(1);
  });

  it('never carries a literal over to a statement that differs only in its literals', async () => {
    // the same fingerprint, other constants: each answer is its own, in any order
    const sqls = [50, 10, 50, 99, 10].map((n) => `select count(*) from t where k < ${n} and s like 'v${n % 5}%'`);
    const expected = (n: number) => [[Array.from({ length: n }, (_, k) => k).filter((k) => k % 5 === n % 5).length]];
    for (const [i, n] of [50, 10, 50, 99, 10].entries()) expect((await run(db, sqls[i]!)).rows).toEqual(expected(n));
    // the repeats (50 and 10 again) were served from the cache; the others were not
    expect(db.planCache!.hits).toBe(2);
    expect((await run(db, `select 'a' as x, k from t where k = 3`)).rows).toEqual([['a', 3]]);
    expect((await run(db, `select 'b' as x, k from t where k = 4`)).rows).toEqual([['b', 4]]);
  });

  it('keys a prepared statement by its parameters: other values, other answers', async () => {
    const sql = 'select count(*) from t where k < $1 and s = $2';
    expect(await run(db, sql, ['50', 'v1'])).toEqual({ rows: [[10]], reused: 0 });
    expect(await run(db, sql, ['20', 'v1'])).toEqual({ rows: [[4]], reused: 0 });
    expect(await run(db, sql, ['50', 'v2'])).toEqual({ rows: [[10]], reused: 0 });
    expect(await run(db, sql, ['12', 'v2'])).toEqual({ rows: [[2]], reused: 0 });
    expect(await run(db, sql, ['50', 'v1'])).toEqual({ rows: [[10]], reused: 1 });
    expect(await run(db, sql, ['20', 'v1'])).toEqual({ rows: [[4]], reused: 1 });
    expect(await run(db, sql, ['100', null])).toEqual({ rows: [[0]], reused: 0 });
  });

  it('plans again after rows are inserted, deleted, updated or truncated', async () => {
    await run(db, COUNT);
    await db.execute('insert into t values (1000, null), (-1, null)');
    expect(await run(db, COUNT)).toEqual({ rows: [[51, 1224]], reused: 0 });
    expect(await run(db, COUNT)).toEqual({ rows: [[51, 1224]], reused: 1 });
    await db.execute('delete from t where k < 10');
    expect(await run(db, COUNT)).toEqual({ rows: [[40, 1180]], reused: 0 });
    await db.execute('update t set k = k + 100 where k < 20');
    expect(await run(db, COUNT)).toEqual({ rows: [[30, 1035]], reused: 0 });
    await db.execute('truncate t');
    expect(await run(db, COUNT)).toEqual({ rows: [[0, null]], reused: 0 });
  });

  it('plans again after DDL: a column renamed, added or dropped, a table re-made, a view redefined', async () => {
    await run(db, 'select k from t where k = 7');
    await db.execute('alter table t rename column k to j');
    await expect(db.query('select k from t where k = 7')).rejects.toMatchObject({ code: 'UNKNOWN_COLUMN' });
    expect(await run(db, 'select j from t where j = 7')).toEqual({ rows: [[7]], reused: 0 });

    await run(db, 'select * from t where j = 7');
    await db.execute('alter table t add column z integer default 5');
    expect(await run(db, 'select * from t where j = 7')).toEqual({ rows: [[7, 'v2', 5]], reused: 0 });
    await db.execute('alter table t drop column s');
    expect(await run(db, 'select * from t where j = 7')).toEqual({ rows: [[7, 5]], reused: 0 });

    await db.execute('drop table t');
    await db.execute(`create table t (j varchar(5), x integer)`);
    await db.execute(`insert into t values ('7', 1)`);
    expect(await run(db, 'select * from t')).toEqual({ rows: [['7', 1]], reused: 0 });

    await db.execute('create view v as select x from t');
    expect(await run(db, 'select * from v')).toEqual({ rows: [[1]], reused: 0 });
    expect(await run(db, 'select * from v')).toEqual({ rows: [[1]], reused: 1 });
    await db.execute('drop view v');
    await db.execute('create view v as select j from t');
    expect(await run(db, 'select * from v')).toEqual({ rows: [['7']], reused: 0 });
  });

  it('plans again after a layout change, ANALYZE and VACUUM', async () => {
    const explain = async () => (await db.query(`explain select count(*) from t a join t b on a.s = b.s`)).rows().join('\n');
    const join = `select count(*) from t a join t b on a.k = b.k where a.k < 30`;
    expect(await run(db, join)).toEqual({ rows: [[30]], reused: 0 });
    expect((await run(db, join)).reused).toBe(1);
    const before = await explain();
    await db.execute('alter table t alter distkey s');
    expect(await explain()).not.toEqual(before);
    expect(await run(db, join)).toEqual({ rows: [[30]], reused: 0 });
    await db.execute('alter table t alter sortkey (k)');
    expect(await run(db, join)).toEqual({ rows: [[30]], reused: 0 });
    expect((await run(db, join)).reused).toBe(1);
    await db.execute('analyze t');
    expect(await run(db, join)).toEqual({ rows: [[30]], reused: 0 });
    expect((await run(db, join)).reused).toBe(1);
    await db.execute('delete from t where k between 10 and 19');
    await db.execute('vacuum delete only t');
    expect(await run(db, join)).toEqual({ rows: [[20]], reused: 0 });
  });

  it('plans again after a SET TIME ZONE, which binding reads', async () => {
    const sql = `select cast('2024-06-01 12:00:00+00'::timestamptz as timestamp) as t`;
    expect(await run(db, sql)).toEqual({ rows: [['2024-06-01 12:00:00']], reused: 0 });
    expect((await run(db, sql)).reused).toBe(1);
    await db.execute(`set timezone to 'America/New_York'`);
    expect(await run(db, sql)).toEqual({ rows: [['2024-06-01 08:00:00']], reused: 0 });
  });

  it("sees another handle's commit to the same data directory", async () => {
    await run(db, COUNT);
    const other = await Database.open(db.dir, { workers: 0 });
    handles.push(other);
    await other.execute('insert into t values (1, null)');
    expect(await run(db, COUNT)).toEqual({ rows: [[51, 1226]], reused: 0 });
  });

  it('follows a transaction block: its own changes, and the catalog again after ROLLBACK', async () => {
    expect((await run(db, COUNT)).rows).toEqual([[50, 1225]]);
    await db.execute('begin');
    await db.execute('insert into t values (1, null)');
    expect(await run(db, COUNT)).toEqual({ rows: [[51, 1226]], reused: 0 });
    expect(await run(db, COUNT)).toEqual({ rows: [[51, 1226]], reused: 1 });
    await db.execute('rollback');
    expect(await run(db, COUNT)).toEqual({ rows: [[50, 1225]], reused: 0 });
  });

  it('keeps no plan of a statement that reads a system table or a volatile function', async () => {
    const info = `select tbl_rows from svv_table_info where "table" = 't'`;
    expect(await run(db, info)).toEqual({ rows: [[100]], reused: 0 });
    expect(await run(db, info)).toEqual({ rows: [[100]], reused: 0 });
    const clock = `select count(*) from t where getdate() > '2000-01-01'`;
    expect(await run(db, clock)).toEqual({ rows: [[100]], reused: 0 });
    expect(await run(db, clock)).toEqual({ rows: [[100]], reused: 0 });
  });

  it('plans every statement afresh when opened with planCache: false', async () => {
    const off = await fresh({ planCache: false });
    expect(off.planCache).toBeNull();
    expect(await run(off, COUNT)).toEqual({ rows: [[50, 1225]], reused: 0 });
    expect(await run(off, COUNT)).toEqual({ rows: [[50, 1225]], reused: 0 });
  });
});
