/** DDL in Redshift syntax: layouts as svv_table_info reports them, ALTER rewrites that keep every row, and clear errors. */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, SqlError } from '../../engine/index.js';

async function fresh(slices = 4): Promise<Database> {
  return Database.open(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-ddl-')), { slices });
}

async function info(db: Database, table: string): Promise<Record<string, unknown>> {
  const r = await db.query(`select * from svv_table_info where "table" = '${table}'`);
  const row = r.rows()[0]!;
  return Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]]));
}

async function sqlError(p: Promise<unknown>): Promise<SqlError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    return e as SqlError;
  }
  throw new Error('statement succeeded');
}

const ALL_TYPES = `create table every_type (
  a smallint, b integer not null, c bigint, d decimal(12,3), e numeric, f real, g double precision,
  h boolean, i char(5), j varchar(20), k date, l timestamp)`;

describe('CREATE TABLE', () => {
  it('accepts every type and stores a row of each exactly', async () => {
    const db = await fresh();
    await db.execute(ALL_TYPES);
    await db.execute(`insert into every_type values
      (-32768, 2147483647, 9007199254740991, -123456789.125, 42, 1.5, 2.25e10, true, 'ab', 'hello world', '1998-12-01', '2001-02-03 04:05:06.5'),
      (null, 0, null, null, null, null, null, null, null, null, null, null)`);
    const r = await db.query('select * from every_type order by b desc');
    expect(r.columns.map((c) => c.type)).toEqual([
      'smallint', 'integer', 'bigint', 'decimal(12,3)', 'decimal(18,0)', 'real', 'double precision',
      'boolean', 'char(5)', 'varchar(20)', 'date', 'timestamp',
    ]);
    expect(r.rows()).toEqual([
      [-32768, 2147483647, 9007199254740991, -123456789.125, 42, 1.5, 2.25e10, true, 'ab', 'hello world', '1998-12-01', '2001-02-03 04:05:06.5'],
      [null, 0, null, null, null, null, null, null, null, null, null, null],
    ]);
    db.close();
  });

  it('reports layouts as Redshift does', async () => {
    const db = await fresh();
    await db.execute(`
      create table k (a int distkey, b int, c varchar(10)) compound sortkey (b, a);
      create table k2 (a int, b int) diststyle key distkey (b) sortkey (a);
      create table e (a int) diststyle even;
      create table al (a int) diststyle all;
      create table au (a int, b int sortkey);
      create table plain (a int encode az64, b varchar(5) encode bytedict)`);
    expect(await info(db, 'k')).toMatchObject({ diststyle: 'KEY(a)', sortkey1: 'b', tbl_rows: 0 });
    expect(await info(db, 'k2')).toMatchObject({ diststyle: 'KEY(b)', sortkey1: 'a' });
    expect(await info(db, 'e')).toMatchObject({ diststyle: 'EVEN', sortkey1: null });
    expect(await info(db, 'al')).toMatchObject({ diststyle: 'ALL' });
    expect(await info(db, 'au')).toMatchObject({ diststyle: 'AUTO(ALL)', sortkey1: 'b' });
    expect(await info(db, 'plain')).toMatchObject({ diststyle: 'AUTO(ALL)', sortkey1: null });
    db.close();
  });

  it('an AUTO table turns EVEN when it outgrows the small-table limit, keeping its rows', async () => {
    const db = await fresh();
    await db.execute('create table t (a int, b int)');
    const values = Array.from({ length: 12_000 }, (_, i) => `(${i}, ${i % 7})`).join(',');
    await db.execute(`insert into t values ${values}`);
    expect(await info(db, 't')).toMatchObject({ diststyle: 'AUTO(EVEN)', tbl_rows: 12_000 });
    let sumB = 0;
    for (let i = 0; i < 12_000; i++) sumB += i % 7;
    expect((await db.query('select count(*), sum(a), sum(b) from t')).rows()).toEqual([[12_000, (11_999 * 12_000) / 2, sumB]]);
    db.close();
  });

  it('names the mistake and where it is', async () => {
    const db = await fresh();
    let e = await sqlError(db.execute('create table t (a int encode fancy)'));
    expect(e.code).toBe('INVALID_DDL');
    expect(e.message).toContain('FANCY');
    expect(e.position?.column).toBe(17);
    e = await sqlError(db.execute('create table t (a int) distkey (b)'));
    expect(e.code).toBe('UNKNOWN_COLUMN');
    expect(e.position?.column).toBe(33);
    e = await sqlError(db.execute('create table t (a int, a int)'));
    expect(e.code).toBe('DUPLICATE_OBJECT');
    await db.execute('create table t (a int)');
    e = await sqlError(db.execute('create table t (b int)'));
    expect(e.code).toBe('DUPLICATE_OBJECT');
    e = await sqlError(db.execute('create table u (a int) diststyle all distkey(a)'));
    expect(e.code).toBe('INVALID_DDL');
    await db.execute('create table if not exists t (b int)');
    expect(Object.keys(db.catalog().tables)).toEqual(['t']);
    db.close();
  });
});

describe('ALTER TABLE rewrites the layout and keeps every row', () => {
  it('distribution, sort key and encodings', async () => {
    const db = await fresh();
    await db.execute('create table t (a int, b varchar(12), c decimal(10,2)) diststyle even');
    const values = Array.from({ length: 40_000 }, (_, i) => `(${(i * 7919) % 40_000}, 'v${i % 97}', ${(i % 1000) / 4})`).join(',');
    await db.execute(`insert into t values ${values}`);
    const checksum = async () => (await db.query('select count(*), sum(a), count(distinct b), sum(c), min(b), max(b) from t')).rows();
    const expected = await checksum();
    const steps: [string, Record<string, unknown>][] = [
      ['alter table t alter distkey b', { diststyle: 'KEY(b)' }],
      ['alter table t alter compound sortkey (a, b)', { sortkey1: 'a', unsorted: 0 }],
      ['alter table t alter diststyle all', { diststyle: 'ALL' }],
      ['alter table t alter diststyle key distkey a', { diststyle: 'KEY(a)' }],
      ['alter table t alter column b encode zstd', { diststyle: 'KEY(a)' }],
      ['alter table t alter column a encode runlength', {}],
      ['alter table t alter sortkey none', { sortkey1: null }],
      ['alter table t alter diststyle even', { diststyle: 'EVEN' }],
      ['alter table t alter diststyle auto', { diststyle: 'AUTO(EVEN)' }],
    ];
    for (const [ddl, expectInfo] of steps) {
      await db.execute(ddl);
      expect(await info(db, 't'), ddl).toMatchObject(expectInfo);
      expect(await checksum(), ddl).toEqual(expected);
    }
    db.close();
  });

  it('several actions in one statement are one rewrite, synchronous or in the background', async () => {
    const db = await fresh();
    await db.execute('create table t (a int, b varchar(12), c int) diststyle even');
    await db.execute(`insert into t values ${Array.from({ length: 5000 }, (_, i) => `(${(i * 7919) % 5000}, 'v${i % 97}', ${i % 13})`).join(',')}`);
    const checksum = async () => (await db.query('select count(*), sum(a), count(distinct b), sum(c) from t')).rows();
    const expected = await checksum();
    const version = db.catalog().tables['t']!.version;
    await db.execute('alter table t alter distkey b, alter compound sortkey (a), alter column c encode runlength');
    const t = db.catalog().tables['t']!;
    expect(t.version).toBe(version + 1);
    expect([t.distKey, t.sortKey, t.columns[2]!.encoding]).toEqual(['b', ['a'], 'rle']);
    expect(await checksum()).toEqual(expected);
    await db.alterInBackground('alter table t alter diststyle even, alter sortkey none, alter column c encode az64', { keepAuto: true });
    const u = db.catalog().tables['t']!;
    expect(u.version).toBe(version + 2);
    expect(await info(db, 't')).toMatchObject({ diststyle: 'AUTO(EVEN)', sortkey1: null });
    expect(u.columns[2]!.encoding).toBe('for');
    expect(await checksum()).toEqual(expected);
    db.close();
  });

  it('KEY distribution places equal keys on one slice, and ALL counts a copy per slice', async () => {
    const db = await fresh(4);
    await db.execute('create table t (a int, b int) diststyle key distkey(a)');
    await db.execute(`insert into t values ${Array.from({ length: 4000 }, (_, i) => `(${i % 10}, ${i})`).join(',')}`);
    const keyed = await info(db, 't');
    const table = db.catalog().tables['t']!;
    // every segment of a KEY table holds whole key groups: 10 keys over 4 slices
    expect(table.segments.filter((s) => s.rows > 0).every((s) => s.rows % 400 === 0)).toBe(true);
    await db.execute('alter table t alter diststyle all');
    const all = await info(db, 't');
    expect(all.tbl_rows).toBe(4000);
    expect(Number(all.size_bytes)).toBeGreaterThan(Number(keyed.size_bytes) * 2);
    db.close();
  });

  it('rejects bad ALTERs without changing anything', async () => {
    const db = await fresh();
    await db.execute("create table t (a int) diststyle even; insert into t values (1), (2)");
    const before = JSON.stringify(db.catalog().tables['t']);
    for (const bad of [
      'alter table t alter distkey nope',
      'alter table t alter sortkey (a, a)',
      'alter table t alter column a encode bogus',
      'alter table nope alter diststyle all',
      'alter table t alter distkey a, alter diststyle all',
      'alter table t alter column a encode zstd, alter encode auto',
      'alter table t alter sortkey (a), alter distkey nope',
    ]) {
      await sqlError(db.execute(bad));
      expect(JSON.stringify(db.catalog().tables['t'])).toBe(before);
    }
    db.close();
  });
});

describe('INTERLEAVED sort keys', () => {
  const WIDE = `create table w (${Array.from({ length: 10 }, (_, i) => `c${i} int`).join(', ')})`;
  const nine = Array.from({ length: 9 }, (_, i) => `c${i}`).join(', ');

  it('CREATE, ALTER to compound and back keep every row; svv_table_info shows INTERLEAVED as Redshift does', async () => {
    const db = await fresh();
    await db.execute("create table t (a int, b varchar(12), c date, d int) diststyle even interleaved sortkey (b, c)");
    expect(db.catalog().tables['t']).toMatchObject({ sortKey: ['b', 'c'], sortStyle: 'interleaved', sortAuto: false });
    expect(await info(db, 't')).toMatchObject({ sortkey1: 'INTERLEAVED', sortkey_num: 2 });
    const values = Array.from({ length: 30_000 }, (_, i) => `(${(i * 7919) % 30_000}, ${i % 11 === 0 ? 'null' : `'v${(i * 31) % 503}'`}, date '2020-01-01' + ${(i * 13) % 900}, ${i % 17})`);
    await db.execute(`insert into t values ${values.join(',')}`);
    const checksum = async () => (await db.query('select count(*), sum(a), count(b), count(distinct b), min(b), max(b), min(c), max(c), sum(d) from t')).rows();
    const expected = await checksum();
    expect(expected[0]![0]).toBe(30_000);
    const steps: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['alter table t alter compound sortkey (b, c)', { sortkey1: 'b', sortkey_num: 2, unsorted: 0 }, { sortKey: ['b', 'c'], sortStyle: undefined }],
      ['alter table t alter interleaved sortkey (c, d, a)', { sortkey1: 'INTERLEAVED', sortkey_num: 3, unsorted: 0 }, { sortKey: ['c', 'd', 'a'], sortStyle: 'interleaved' }],
      // AUTO hands the key back to the engine as it is; NONE drops it and its style
      ['alter table t alter sortkey auto', { sortkey1: 'INTERLEAVED' }, { sortKey: ['c', 'd', 'a'], sortStyle: 'interleaved', sortAuto: true }],
      ['alter table t alter sortkey (a)', { sortkey1: 'a', sortkey_num: 1 }, { sortKey: ['a'], sortStyle: undefined, sortAuto: false }],
      ['alter table t alter distkey d, alter interleaved sortkey (b, a)', { diststyle: 'KEY(d)', sortkey1: 'INTERLEAVED' }, { sortKey: ['b', 'a'], sortStyle: 'interleaved' }],
      ['alter table t alter sortkey none', { sortkey1: null, sortkey_num: 0 }, { sortKey: [], sortStyle: undefined }],
    ];
    for (const [ddl, expectInfo, expectMeta] of steps) {
      await db.execute(ddl);
      expect(await info(db, 't'), ddl).toMatchObject(expectInfo);
      expect(db.catalog().tables['t'], ddl).toMatchObject(expectMeta);
      expect(await checksum(), ddl).toEqual(expected);
    }
    // a compound or no key is written as before interleaved keys existed: no sortStyle in the catalog file
    expect(fs.readFileSync(path.join(db.dir, 'catalog.json'), 'utf8')).not.toContain('sortStyle');
    db.close();
  });

  it('in the background too, and an advisor-kept key stays AUTO', async () => {
    const db = await fresh();
    await db.execute('create table t (a int, b int) diststyle even');
    await db.execute(`insert into t values ${Array.from({ length: 6000 }, (_, i) => `(${(i * 7919) % 6000}, ${i % 97})`).join(',')}`);
    await db.alterInBackground('alter table t alter interleaved sortkey (b, a)', { keepAuto: true });
    expect(db.catalog().tables['t']).toMatchObject({ sortKey: ['b', 'a'], sortStyle: 'interleaved', sortAuto: true });
    expect(await info(db, 't')).toMatchObject({ sortkey1: 'INTERLEAVED', sortkey_num: 2, tbl_rows: 6000 });
    expect((await db.query('select count(*), sum(a), sum(b) from t')).rows()).toEqual([[6000, (5999 * 6000) / 2, Array.from({ length: 6000 }, (_, i) => i % 97).reduce((x, y) => x + y)]]);
    db.close();
  });

  it('names the mistake and where it is: 9 columns, an unknown column, a key of no columns', async () => {
    const db = await fresh();
    let e = await sqlError(db.execute(`${WIDE} interleaved sortkey (${nine})`));
    expect(e.code).toBe('INVALID_DDL');
    expect(e.message).toBe('an INTERLEAVED SORTKEY takes at most 8 columns, not 9');
    // the ninth column
    expect(e.position?.column).toBe(`${WIDE} interleaved sortkey (c0, c1, c2, c3, c4, c5, c6, c7, `.length + 1);
    // eight are allowed, and so are nine in a compound key
    await db.execute(`${WIDE} interleaved sortkey (${nine.replace(', c8', '')})`);
    await db.execute(`create table w2 (${Array.from({ length: 10 }, (_, i) => `c${i} int`).join(', ')}) compound sortkey (${nine})`);
    const before = JSON.stringify(db.catalog().tables['w']);
    e = await sqlError(db.execute(`alter table w alter interleaved sortkey (${nine})`));
    expect([e.code, e.position?.column]).toEqual(['INVALID_DDL', `alter table w alter interleaved sortkey (c0, c1, c2, c3, c4, c5, c6, c7, `.length + 1]);
    e = await sqlError(db.execute('alter table w alter interleaved sortkey (c1, nope)'));
    expect([e.code, e.message, e.position?.column]).toEqual(['UNKNOWN_COLUMN', 'SORTKEY column "nope" does not exist', 'alter table w alter interleaved sortkey (c1, '.length + 1]);
    e = await sqlError(db.execute('create table x (a int) interleaved sortkey (a, nope)'));
    expect([e.code, e.position?.column]).toEqual(['UNKNOWN_COLUMN', 'create table x (a int) interleaved sortkey (a, '.length + 1]);
    e = await sqlError(db.execute('alter table w alter interleaved sortkey (c1, c1)'));
    expect(e.code).toBe('INVALID_DDL');
    e = await sqlError(db.execute('alter table w alter interleaved sortkey (c1), alter sortkey none'));
    expect([e.code, e.message]).toEqual(['INVALID_DDL', 'ALTER TABLE changes the sort key twice']);
    e = await sqlError(db.execute('create table x (a int) interleaved sortkey auto'));
    expect(e.code).toBe('SYNTAX');
    expect(JSON.stringify(db.catalog().tables['w'])).toBe(before);
    db.close();
  });
});

describe('DROP, INSERT, views', () => {
  it('drops tables and views, with IF EXISTS', async () => {
    const db = await fresh();
    await db.execute('create table t (a int); create table u (a int); create view v as select a from t');
    await db.execute('drop view v; drop table t, u; drop table if exists t; drop view if exists v');
    expect(db.catalog().tables).toEqual({});
    expect((await sqlError(db.execute('drop table t'))).code).toBe('UNKNOWN_TABLE');
    db.close();
  });

  it('INSERT with a column list fills the others with NULL, and NOT NULL is enforced atomically', async () => {
    const db = await fresh();
    await db.execute('create table t (a int not null, b varchar(5), c int)');
    await db.execute("insert into t (b, a) values ('x', 1), ('y', 2)");
    expect((await db.query('select a, b, c from t order by a')).rows()).toEqual([[1, 'x', null], [2, 'y', null]]);
    await sqlError(db.execute("insert into t (b) values ('z')"));
    await sqlError(db.execute("insert into t values (3, 'abcdefgh', 1)"));
    expect((await db.query('select count(*) from t')).rows()).toEqual([[2]]);
    db.close();
  });
});
