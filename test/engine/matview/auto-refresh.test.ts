/**
 * AUTO REFRESH YES (engine/matview/auto-refresh.ts): after a statement that
 * changes a base table commits, such a view is refreshed in the background
 * (logged as refresh_type Auto), a view without it stays stale, nothing is
 * refreshed while a transaction block is open, and closing the handle stops
 * a refresh without harm.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../engine/database.js';

const AUTO = 'select g, count(*) as n, sum(v) as s, max(v) as m from t group by g';

describe('AUTO REFRESH YES', () => {
  let dir: string;
  let db: Database;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mvauto-'));
    db = await Database.open(dir, { slices: 2, workers: 0 });
    await db.query('create table t (g integer, v integer)');
    await db.query('insert into t values (1, 10), (1, 11), (2, 20), (3, 30)');
    await db.query(`create materialized view a_auto auto refresh yes as ${AUTO}`);
    await db.query(`create materialized view a_manual auto refresh no as ${AUTO}`);
  });
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rows = async (sql: string) => (await db.query(sql)).rows();
  const stale = async (name: string) => (await rows(`select is_stale from svv_mv_info where name = '${name}'`))[0]![0];
  const autoRefreshes = async () => (await rows("select kind from svl_mv_refresh_status where mv_name = 'a_auto' and refresh_type = 'Auto' order by endtime, starttime")).map((r) => r[0]);
  async function expectCurrent(name: string): Promise<void> {
    await db.query('set mv_enable_aqmv_for_session to off');
    const want = await rows(`${AUTO} order by g`);
    await db.query('reset mv_enable_aqmv_for_session');
    expect(await rows(`select * from ${name} order by g`)).toEqual(want);
  }

  it('refreshes the view after a committed change, in the background, and leaves the others stale', async () => {
    await db.query('insert into t values (2, 21), (4, 40)');
    await db.autoRefreshIdle();
    expect(await stale('a_auto')).toBe('f');
    expect(await stale('a_manual')).toBe('t');
    expect(await autoRefreshes()).toEqual(['incremental']);
    await expectCurrent('a_auto');
    // a delete and an update: SUM and COUNT subtract, the MAX of the groups that lost rows is computed again
    await db.execute('delete from t where v = 11; update t set v = 5 where g = 3');
    await db.autoRefreshIdle();
    expect(await stale('a_auto')).toBe('f');
    expect(await autoRefreshes()).toEqual(['incremental', 'incremental']);
    await expectCurrent('a_auto');
    // Database.append is a change like an INSERT
    await db.append('t', [{ length: 1, columns: [{ kind: 'i32', values: Int32Array.of(9), nulls: null, length: 1 }, { kind: 'i32', values: Int32Array.of(90), nulls: null, length: 1 }] }]);
    await db.autoRefreshIdle();
    expect(await stale('a_auto')).toBe('f');
    await expectCurrent('a_auto');
  });

  it('waits for a transaction block to end', async () => {
    const before = (await autoRefreshes()).length;
    await db.query('begin');
    await db.query('insert into t values (5, 50)');
    await db.autoRefreshIdle();
    await new Promise((r) => setTimeout(r, 20));
    expect((await autoRefreshes()).length).toBe(before);
    await db.query('commit');
    await db.autoRefreshIdle();
    expect((await autoRefreshes()).length).toBe(before + 1);
    expect(await stale('a_auto')).toBe('f');
    await expectCurrent('a_auto');
  });

  it('a handle closed while a refresh is due commits nothing behind its user', async () => {
    const other = await Database.open(dir, { create: false, workers: 0 });
    await other.query('insert into t values (6, 60)');
    other.close();
    await new Promise((r) => setTimeout(r, 50));
    // the closed handle refreshed nothing; this handle's next statement sees the stale view and refreshes it
    expect(await stale('a_auto')).toBe('t');
    await db.query('select 1');
    await db.autoRefreshIdle();
    expect(await stale('a_auto')).toBe('f');
    await expectCurrent('a_auto');
  });
});
