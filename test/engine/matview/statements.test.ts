/**
 * CREATE, REFRESH and DROP MATERIALIZED VIEW as statements: what svv_mv_info
 * and svl_mv_refresh_status say, durability across a reopen, transaction
 * blocks, and the errors (writes to a view, dropping what it depends on).
 * Correctness of the rows against DuckDB is differential.test.ts's.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../../engine/database.js';
import { KeelError } from '../../../engine/errors.js';

let dir: string;
let db: Database;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mvs-'));
  db = await Database.open(dir, { slices: 2, workers: 0, user: 'ann' });
  await db.execute(`
    create table t (k int, g varchar(4), v decimal(8,2));
    insert into t values (1, 'a', 1.50), (2, 'a', 2.25), (3, 'b', null), (4, null, 4.00);
    create table u (k int, w int);
    insert into u values (1, 10), (2, 20), (3, 30);
  `);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const rows = async (sql: string) => (await db.query(sql)).rows();

async function codeOf(sql: string): Promise<string> {
  try {
    await db.execute(sql);
  } catch (e) {
    expect(e).toBeInstanceOf(KeelError);
    return (e as KeelError).code;
  }
  throw new Error(`no error from: ${sql}`);
}

async function messageOf(sql: string): Promise<string> {
  try {
    await db.execute(sql);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`no error from: ${sql}`);
}

describe('materialized views', () => {
  it('lists each view in svv_mv_info with staleness, state and its last refresh', async () => {
    await db.execute(`
      create materialized view by_g auto refresh yes as select g, sum(v) as s, avg(v) as a from t group by g;
      create materialized view keys as select g, count(distinct k) as n from t group by g;
    `);
    const info = async () =>
      rows('select database_name, schema_name, user_name, name, is_stale, state, autorewrite, autorefresh, table_name, rows, refresh_kind, full_refresh_reason from svv_mv_info order by name');
    const db0 = path.basename(dir);
    expect(await info()).toEqual([
      [db0, 'public', 'ann', 'by_g', 'f', 1, 't', 't', 'mv_tbl__by_g__0', 3, 'full', null],
      [db0, 'public', 'ann', 'keys', 'f', 0, 't', 'f', 'mv_tbl__keys__0', 3, 'full', 'COUNT DISTINCT: only plain SUM, COUNT, AVG, MIN and MAX merge'],
    ]);
    await db.query("insert into t values (5, 'c', 1.00)");
    expect((await info()).map((r) => r[4])).toEqual(['t', 't']);
    await db.query('refresh materialized view by_g');
    expect((await info()).map((r) => [r[3], r[4], r[9], r[10]])).toEqual([
      ['by_g', 'f', 4, 'incremental'],
      ['keys', 't', 3, 'full'],
    ]);
    const log = await rows("select mv_name, status, refresh_type, kind, rows_read, rows from svl_mv_refresh_status where mv_name = 'by_g' order by starttime, endtime");
    expect(log).toEqual([
      ['by_g', 'MV was created and computed', 'Create', 'full', 4, 3],
      ['by_g', 'Refresh successfully updated MV incrementally', 'Manual', 'incremental', 1, 4],
    ]);
    const again = await db.query('refresh materialized view by_g');
    expect(again.notice).toBe('materialized view "by_g" was already up to date');
    const last = await rows("select status, kind from svl_mv_refresh_status where mv_name = 'by_g' order by endtime desc, starttime desc limit 1");
    expect(last).toEqual([['MV was already updated', 'unchanged']]);
  });

  it('reads the view columns only; the table behind it also holds the state of each AVG', async () => {
    await db.query('create materialized view av as select g, avg(v) as a from t group by g');
    expect((await db.query('select * from av')).columns.map((c) => c.name)).toEqual(['g', 'a']);
    expect((await db.query('select * from mv_tbl__av__0')).columns.map((c) => c.name)).toEqual(['g', 'a', '__keel_avg_sum_2', '__keel_avg_count_2', '__keel_rows']);
    expect(await rows("select g, a from av where g = 'a'")).toEqual([['a', 1.875]]);
  });

  it('survives a reopen: definition, rows, base versions and refresh log are in the catalog', async () => {
    await db.query('create materialized view j as select t.g, sum(u.w) as w from t join u on t.k = u.k group by t.g');
    await db.query('insert into u values (4, 40)');
    db.close();
    db = await Database.open(dir, { workers: 0 });
    expect(await rows('select is_stale from svv_mv_info')).toEqual([['t']]);
    expect(await rows('select * from j order by g')).toEqual([
      ['a', 30],
      ['b', 30],
    ]);
    await db.query('refresh materialized view j');
    expect(await rows('select * from j order by g')).toEqual([
      ['a', 30],
      ['b', 30],
      [null, 40],
    ]);
    expect(await rows("select kind from svl_mv_refresh_status where mv_name = 'j' order by starttime")).toEqual([['full'], ['incremental']]);
  });

  it('refreshes inside a transaction block: ROLLBACK undoes the refresh with the rest', async () => {
    await db.query('create materialized view c as select count(*) as n from t');
    await db.execute('begin; insert into t values (9, \'z\', 9.00); refresh materialized view c');
    expect(await rows('select n from c')).toEqual([[5]]);
    await db.query('rollback');
    expect(await rows('select n from c')).toEqual([[4]]);
    expect(await rows('select is_stale from svv_mv_info')).toEqual([['f']]);
    await db.execute('begin; insert into t values (9, \'z\', 9.00); refresh materialized view c; commit');
    expect(await rows('select n from c')).toEqual([[5]]);
    expect(await rows('select is_stale from svv_mv_info')).toEqual([['f']]);
  });

  it('keeps its rows through a layout change of its table, and recomputes in full after a base table is rewritten', async () => {
    await db.query('create materialized view s diststyle even sortkey(k) as select k, v from t where v is not null');
    expect(await rows("select diststyle, sortkey1 from svv_table_info where \"table\" = 'mv_tbl__s__0'")).toEqual([['EVEN', 'k']]);
    await db.query('alter table mv_tbl__s__0 alter distkey k');
    expect(await rows('select * from s order by k')).toEqual([
      [1, 1.5],
      [2, 2.25],
      [4, 4],
    ]);
    await db.query('alter table t alter sortkey (g)');
    expect(await rows('select is_stale from svv_mv_info')).toEqual([['t']]);
    await db.query('refresh materialized view s');
    expect(await rows("select kind from svl_mv_refresh_status order by endtime desc, starttime desc limit 1")).toEqual([['full']]);
    expect(await rows('select count(*) from s')).toEqual([[3]]);
  });

  it('refuses writes to a view and to the table behind it, and drops only by DROP MATERIALIZED VIEW', async () => {
    await db.query('create materialized view m as select k, g from t');
    for (const sql of ["insert into m values (1, 'x')", 'delete from m', "update m set g = 'q'", 'truncate m', 'alter table m add column z int']) {
      expect(await codeOf(sql), sql).toBe('UNSUPPORTED');
    }
    expect(await messageOf("insert into mv_tbl__m__0 values (1, 'x')")).toBe(
      'table "mv_tbl__m__0" holds the rows of materialized view "m"; its rows change only by REFRESH MATERIALIZED VIEW m',
    );
    expect(await codeOf('drop table mv_tbl__m__0')).toBe('DEPENDENT_OBJECTS');
    expect(await messageOf('drop table t')).toBe('cannot drop table "t" because materialized view "m" depends on it; drop the view first');
    expect(await messageOf('drop table m')).toBe('"m" is a materialized view; use DROP MATERIALIZED VIEW');
    expect(await messageOf('drop view m')).toBe('"m" is a materialized view; use DROP MATERIALIZED VIEW');
    expect(await codeOf('create materialized view m as select k from t')).toBe('DUPLICATE_OBJECT');
    expect(await codeOf('create table m (a int)')).toBe('DUPLICATE_OBJECT');
    expect(await codeOf('refresh materialized view nope')).toBe('UNKNOWN_TABLE');
    expect(await messageOf('refresh materialized view t')).toBe('"t" is a table, not a materialized view');
    await expect(db.append('mv_tbl__m__0', [])).rejects.toThrow(/REFRESH MATERIALIZED VIEW m/);
    await db.query('drop materialized view m');
    expect(await rows("select count(*) from svv_table_info where \"table\" like 'mv_tbl%'")).toEqual([[0]]);
    await db.query('drop table t');
    expect(await codeOf('drop materialized view m')).toBe('UNKNOWN_TABLE');
    await db.query('drop materialized view if exists m');
  });

  it('refuses what a view cannot hold: volatile functions, system tables, clashing names', async () => {
    expect(await messageOf('create materialized view r as select k, getdate() as at from t')).toMatch(/^a materialized view cannot use GETDATE/);
    expect(await messageOf('create materialized view r as select * from svv_table_info')).toBe('a materialized view cannot read a system table');
    expect(await codeOf('create materialized view r as select k, k from t')).toBe('DUPLICATE_OBJECT');
    expect(await codeOf('create materialized view r as select k as __keel_x from t')).toBe('INVALID_DDL');
    expect(await codeOf('create materialized view r (a) as select k from t')).toBe('UNSUPPORTED');
    expect(await codeOf('create materialized view r sortkey(nope) as select k from t')).toBe('UNKNOWN_COLUMN');
    expect(await codeOf('create materialized view r auto refresh maybe as select k from t')).toBe('SYNTAX');
  });
});

describe('SET', () => {
  it('takes the settings keel has and refuses others by name', async () => {
    // the embedding API opens sessions with the cache off (engine/database.ts)
    expect(db.settings.resultCache).toBe(false);
    await db.query('set enable_result_cache_for_session to on');
    expect(db.settings.resultCache).toBe(true);
    await db.query('reset enable_result_cache_for_session');
    expect(db.settings.resultCache).toBe(false);
    await db.query('set enable_result_cache_for_session = true');
    expect(db.settings.resultCache).toBe(true);
    await db.query('set enable_result_cache_for_session to default');
    expect(db.settings.resultCache).toBe(false);
    expect(await messageOf('set work_mem to 64')).toBe('SET work_mem is not supported');
    expect(await codeOf('set enable_result_cache_for_session to maybe')).toBe('INVALID_VALUE');
  });
});
