/**
 * DELETE, UPDATE and TRUNCATE as statements: rows affected, all or nothing,
 * errors with positions that change nothing, query records, and the
 * interplay with views, NOT NULL and a background ALTER.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, SqlError, type QueryRecord } from '../../../engine/index.js';

let db: Database | null = null;
afterEach(() => {
  db?.close();
  db = null;
});

async function fresh(): Promise<Database> {
  db = await Database.open(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-dml-')), { slices: 2, blockRows: 4, workers: 0 });
  await db.execute(`
    create table t (id int not null, g varchar(4), v int) diststyle key distkey (g) sortkey (id);
    insert into t values (1, 'a', 10), (2, 'a', 20), (3, 'b', 30), (4, 'b', null), (5, 'c', 50), (6, null, 60);
    create view tv as select id from t`);
  return db;
}

const rows = async (d: Database, sql = 'select id, g, v from t order by id') => (await d.query(sql)).rows();

async function failure(p: Promise<unknown>): Promise<SqlError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    return e as SqlError;
  }
  throw new Error('statement succeeded');
}

describe('rows affected', () => {
  it('DELETE, UPDATE and TRUNCATE report what they changed', async () => {
    const d = await fresh();
    expect((await d.query('delete from t where v > 100')).rowCount).toBe(0);
    expect((await d.query('delete t where g = \'a\'')).rowCount).toBe(2);
    expect((await d.query('update t set v = coalesce(v, 0) + 1 where id >= 4')).rowCount).toBe(3);
    expect(await rows(d)).toEqual([
      [3, 'b', 30],
      [4, 'b', 1],
      [5, 'c', 51],
      [6, null, 61],
    ]);
    const r = await d.query('truncate table t');
    expect(r.command).toBe('TRUNCATE');
    expect(await rows(d)).toEqual([]);
    // the table is still there, with its layout
    await d.query("insert into t values (9, 'z', 9)");
    expect(await rows(d)).toEqual([[9, 'z', 9]]);
    expect(d.catalog().tables.t!.distKey).toBe('g');
  });

  it('UPDATE ... FROM changes each row once, even when it joins several rows', async () => {
    const d = await fresh();
    await d.execute("create table s (g varchar(4), w int); insert into s values ('a', 1), ('a', 2), ('c', 5)");
    expect((await d.query('update t set v = s.w from s where t.g = s.g')).rowCount).toBe(3);
    const got = await rows(d);
    expect(got.filter((r) => r[1] === 'a').every((r) => r[2] === 1 || r[2] === 2)).toBe(true);
    expect(got.find((r) => r[0] === 5)).toEqual([5, 'c', 5]);
    expect(got).toHaveLength(6);
  });

  it('an UPDATE of the distribution key moves the rows to their new slices', async () => {
    const d = await fresh();
    await d.query("update t set g = 'q' where g = 'a'");
    const moved = (await d.query("select count(*) from t where g = 'q'")).rows()[0]![0];
    expect(moved).toBe(2);
    // a join on the key stays co-located and finds them
    await d.execute("create table k (g varchar(4)) diststyle key distkey (g); insert into k values ('q')");
    expect((await d.query('select count(*) from t join k on t.g = k.g')).rows()).toEqual([[2]]);
  });
});

describe('all or nothing', () => {
  it('an UPDATE that breaks NOT NULL on any row changes no row', async () => {
    const d = await fresh();
    const before = await rows(d);
    const e = await failure(d.query('update t set id = case when id = 5 then null else id + 100 end'));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toMatch(/NOT NULL/);
    expect(await rows(d)).toEqual(before);
    expect(d.catalog().tables.t!.segments.every((s) => s.deletes === undefined)).toBe(true);
  });

  it('errors name the construct and its position, and change nothing', async () => {
    const d = await fresh();
    const before = await rows(d);
    const version = d.catalog().tables.t!.version;
    const cases: [string, string, string][] = [
      ['delete from nope where id = 1', 'UNKNOWN_TABLE', '1:13'],
      ['delete from tv', 'UNKNOWN_TABLE', '1:13'],
      ['update t set zz = 1', 'UNKNOWN_COLUMN', '1:14'],
      ['update t set v = 1, v = 2', 'SYNTAX', '1:21'],
      ['delete from t where nope = 1', 'UNKNOWN_COLUMN', '1:21'],
      ['truncate svv_table_info', 'UNKNOWN_TABLE', '1:10'],
    ];
    for (const [sql, code, at] of cases) {
      const e = await failure(d.query(sql));
      expect({ sql, code: e.code, at: e.position && `${e.position.line}:${e.position.column}` }).toEqual({ sql, code, at });
    }
    // a value that does not convert fails as the rows are computed (an ExecError, as in INSERT ... SELECT)
    await expect(d.query("update t set v = 'x'")).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    expect(await rows(d)).toEqual(before);
    expect(d.catalog().tables.t!.version).toBe(version);
  });
});

describe('records and the rest of the engine', () => {
  it('each statement leaves a query record with its command and rows', async () => {
    const d = await fresh();
    const seen: QueryRecord[] = [];
    d.onQuery((r) => seen.push(r));
    await d.execute("delete from t where g = 'b'; update t set v = 0 where id = 1; truncate t");
    expect(seen.map((r) => [r.command, r.status])).toEqual([
      ['DELETE', 'ok'],
      ['UPDATE', 'ok'],
      ['TRUNCATE', 'ok'],
    ]);
    expect(seen[0]!.rowsReturned).toBe(2);
  });

  it('planRecord plans a DELETE and an UPDATE without running them', async () => {
    const d = await fresh();
    const input = { id: 'x', startTime: new Date().toISOString(), durationMs: 1, user: 'u', session: 's', status: 'ok' as const, error: null, rowsReturned: 0 };
    expect(d.planRecord('delete from t where v > 10', input).command).toBe('DELETE');
    expect(d.planRecord('update t set v = 1 where id = 2', input).command).toBe('UPDATE');
    expect((await rows(d)).length).toBe(6);
  });

  it('a background ALTER reads through the deletes, and one overtaken by a DELETE fails with CONFLICT', async () => {
    const d = await fresh();
    await d.query('delete from t where id in (2, 5)');
    await d.alterInBackground('alter table t alter distkey id');
    expect(await rows(d)).toEqual([
      [1, 'a', 10],
      [3, 'b', 30],
      [4, 'b', null],
      [6, null, 60],
    ]);
    // the rewrite dropped the deleted rows: no delete vector left, tbl_rows is the visible count
    expect(d.catalog().tables.t!.rows).toBe(4);
    const racing = d.alterInBackground('alter table t alter sortkey (v)', { pauseWhile: () => false });
    await d.query('delete from t where id = 1');
    await expect(racing).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await rows(d)).map((r) => r[0])).toEqual([3, 4, 6]);
  });
});
