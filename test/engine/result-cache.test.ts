/**
 * The result cache (engine/result-cache.ts): a repeated SELECT over tables
 * that did not change is answered from the cache, counted in its query record
 * and in sys_query_history; any change to a table it read, a redefined view,
 * a volatile function, a system table, a block that wrote, or the setting
 * turned off means the query runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../index.js';
import type { QueryRecord } from '../../engine/query-record.js';

let dir: string;
let db: Database;
let records: QueryRecord[];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-rc-'));
  db = await Database.open(dir, { slices: 2, workers: 0, resultCache: true });
  await db.execute(`
    create table t (k int, g varchar(4));
    insert into t values (1, 'a'), (2, 'a'), (3, 'b');
    create table other (x int);
    insert into other values (7);
    create view tv as select g, count(*) as n from t group by g;
  `);
  records = [];
  db.onQuery((r) => records.push(r));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs a query; whether the cache answered it (from its record), and its rows. */
async function run(sql: string): Promise<{ hit: boolean; rows: unknown[][]; blocks: number }> {
  const r = await db.query(sql);
  const rec = records[records.length - 1]!;
  return { hit: rec.resultCacheHit === true, rows: r.rows(), blocks: r.stats.blocksScanned };
}

const Q = 'select g, sum(k) from t group by g order by g';

describe('result cache', () => {
  it('answers a repeated query from the cache until a table it read changes', async () => {
    const first = await run(Q);
    expect(first).toMatchObject({ hit: false, rows: [['a', 3], ['b', 3]] });
    expect(first.blocks).toBeGreaterThan(0);
    expect(await run(Q)).toEqual({ hit: true, rows: [['a', 3], ['b', 3]], blocks: 0 });
    // the text must be the same: another spelling runs
    expect((await run(Q.toUpperCase())).hit).toBe(false);
    // a table the query did not read changes: still a hit
    await db.query('insert into other values (8)');
    expect((await run(Q)).hit).toBe(true);
    for (const change of ["insert into t values (4, 'b')", 'delete from t where k = 1', "update t set g = 'c' where k = 2", 'alter table t alter sortkey (k)']) {
      await db.query(change);
      const r = await run(Q);
      expect(r.hit, change).toBe(false);
      expect((await run(Q)).hit, change).toBe(true);
    }
    expect((await run(Q)).rows).toEqual([['b', 7], ['c', 2]]);
  });

  it('sees a table dropped and made again, a new column and a redefined view', async () => {
    expect((await run('select * from tv order by g')).rows).toEqual([['a', 2], ['b', 1]]);
    await db.query("create or replace view tv as select g, max(k) as n from t group by g");
    expect(await run('select * from tv order by g')).toMatchObject({ hit: false, rows: [['a', 2], ['b', 3]] });
    await run('select * from other');
    await db.execute('drop table other; create table other (x int); insert into other values (7)');
    expect((await run('select * from other')).hit).toBe(false);
    await db.query('alter table other add column y int default 5');
    expect(await run('select * from other')).toMatchObject({ hit: false, rows: [[7, 5]] });
  });

  it('never keeps volatile queries, system tables, or what a writing block reads', async () => {
    for (const sql of ['select k, sysdate > \'2000-01-01\' from t order by k', 'select count(*) from t where getdate() > \'2000-01-01\'', 'select count(*) from svv_table_info']) {
      await run(sql);
      expect((await run(sql)).hit, sql).toBe(false);
    }
    await run('select count(*) from t');
    await db.execute("begin; insert into t values (9, 'z')");
    expect(await run('select count(*) from t')).toMatchObject({ hit: false, rows: [[4]] });
    expect((await run('select count(*) from t')).hit).toBe(false);
    await db.query('rollback');
    expect(await run('select count(*) from t')).toMatchObject({ hit: true, rows: [[3]] });
  });

  it('is invalidated when a materialized view it read is refreshed', async () => {
    await db.query('create materialized view mv as select g, count(*) as n from t group by g');
    await run('select * from mv order by g');
    expect((await run('select * from mv order by g')).hit).toBe(true);
    await db.query("insert into t values (4, 'b')");
    // the view is stale and unchanged: its rows are what they were
    expect(await run('select * from mv order by g')).toMatchObject({ hit: true, rows: [['a', 2], ['b', 1]] });
    await db.query('refresh materialized view mv');
    expect(await run('select * from mv order by g')).toMatchObject({ hit: false, rows: [['a', 2], ['b', 2]] });
  });

  it('depends on the base tables of a view a query was rewritten to read', async () => {
    await db.query('create materialized view mv as select g, count(*) as n from t group by g');
    const sql = 'select g, count(*) as n from t group by g order by g';
    expect((await db.query(`explain ${sql}`)).rows()[0]![0]).toMatch(/^Materialized view mv answers/);
    expect(await run(sql)).toMatchObject({ hit: false, rows: [['a', 2], ['b', 1]] });
    expect((await run(sql)).hit).toBe(true);
    // the view goes stale, its table does not change: the cached answer must not be used, nor the view
    await db.query("insert into t values (4, 'b')");
    expect(await run(sql)).toMatchObject({ hit: false, rows: [['a', 2], ['b', 2]] });
  });

  it('is off while enable_result_cache_for_session is off, and for a database opened without it', async () => {
    await run(Q);
    await db.query('set enable_result_cache_for_session to off');
    expect((await run(Q)).hit).toBe(false);
    expect((await run(Q)).hit).toBe(false);
    await db.query('set enable_result_cache_for_session to on');
    expect((await run(Q)).hit).toBe(true);
    // RESET: back to how the session opened (on)
    await db.query('set enable_result_cache_for_session to off');
    await db.query('reset enable_result_cache_for_session');
    expect((await run(Q)).hit).toBe(true);
    // the embedding API's default: off
    const other = await Database.open(dir, { workers: 0, workloadLog: false });
    try {
      await other.query(Q);
      await other.query(Q);
      expect(other.resultCache.hits).toBe(0);
      expect(other.resultCache.size).toBe(0);
      await other.query('set enable_result_cache_for_session to on');
      await other.query(Q);
      await other.query(Q);
      expect(other.resultCache.hits).toBe(1);
    } finally {
      other.close();
    }
  });

  it('counts hits in sys_query_history', async () => {
    await run(Q);
    await run(Q);
    await run(Q);
    const r = await db.query(`select result_cache_hit, count(*) from sys_query_history where query_text = '${Q}' group by 1 order by 1`);
    expect(r.rows()).toEqual([
      [false, 1],
      [true, 2],
    ]);
  });
});
