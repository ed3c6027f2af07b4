/**
 * The catalog as system views (engine/catalog/schema-views.ts):
 * information_schema.tables and .columns in PostgreSQL's shape, compared with
 * what DuckDB's information_schema says of the same tables where the two
 * systems agree (the columns keel has are DuckDB's too, in the same order;
 * names, positions, nullability, numeric precision); Redshift's pg_table_def
 * and svv_columns; DESCRIBE and SHOW TABLES; qualified names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Database, SqlError } from '../../../engine/index.js';

const DDL = [
  'create table t (id integer not null, name varchar(20), price decimal(12,2), d date, ts timestamp, f double precision, r real, b boolean, s smallint, big bigint)',
  'create view v as select id, name from t',
];

let dir: string;
let db: Database;
let duck: DuckDBConnection;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-schema-views-'));
  db = await Database.open(path.join(dir, 'wh'), { slices: 2 });
  for (const s of DDL) await db.execute(s);
  await db.execute(
    "create table k (a integer encode az64, b varchar(10) encode zstd, c integer encode raw, e date not null) diststyle key distkey (b) compound sortkey (c, a)",
  );
  await db.execute('create table z (x integer, y integer, w integer) interleaved sortkey (x, y, w)');
  duck = await (await DuckDBInstance.create(':memory:')).connect();
  for (const s of DDL) await duck.run(s);
}, 60_000);

afterAll(() => {
  db?.close();
  duck?.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function keel(sql: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  const r = await db.query(sql);
  return { columns: r.columns.map((c) => c.name), rows: r.rows() };
}

async function duckdb(sql: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  const r = await duck.runAndReadAll(sql);
  return { columns: r.columnNames(), rows: r.getRowsJS().map((row) => row.map((v) => (typeof v === 'bigint' ? Number(v) : v))) };
}

/** Whether `sub` appears in `all` in the same order. */
function isSubsequence(sub: readonly string[], all: readonly string[]): boolean {
  let i = 0;
  for (const x of all) if (x === sub[i]) i++;
  return i === sub.length;
}

/** DuckDB's data_type as PostgreSQL (and keel) name it. */
function pgDataType(duckType: string): string {
  if (/^DECIMAL/.test(duckType)) return 'numeric';
  const map: Record<string, string> = {
    INTEGER: 'integer',
    VARCHAR: 'character varying',
    DATE: 'date',
    TIMESTAMP: 'timestamp without time zone',
    DOUBLE: 'double precision',
    FLOAT: 'real',
    BOOLEAN: 'boolean',
    SMALLINT: 'smallint',
    BIGINT: 'bigint',
  };
  return map[duckType] ?? `unmapped ${duckType}`;
}

describe('information_schema', () => {
  it('information_schema.columns has DuckDB\'s columns in DuckDB\'s order, and the same rows where the two agree', async () => {
    const q = "select * from information_schema.columns where table_name in ('t', 'v') order by table_name, ordinal_position";
    const k = await keel(q);
    const d = await duckdb(q);
    expect(k.columns).toEqual([
      'table_catalog', 'table_schema', 'table_name', 'column_name', 'ordinal_position', 'column_default', 'is_nullable',
      'data_type', 'character_maximum_length', 'numeric_precision', 'numeric_precision_radix', 'numeric_scale', 'datetime_precision',
    ]);
    expect(isSubsequence(k.columns, d.columns)).toBe(true);
    const pick = (r: { columns: string[]; rows: unknown[][] }, names: string[]) => r.rows.map((row) => names.map((n) => row[r.columns.indexOf(n)]));
    const same = ['table_name', 'column_name', 'ordinal_position', 'column_default', 'is_nullable'];
    expect(pick(k, same)).toEqual(pick(d, same));
    expect(k.rows).toHaveLength(12);
    // data_type: PostgreSQL's names for what DuckDB calls INTEGER, DECIMAL(12,2), ...
    expect(pick(k, ['data_type']).flat()).toEqual(pick(d, ['data_type']).flat().map((t) => pgDataType(String(t))));
    // precision and radix of the numeric types, as both give them; scale of the exact ones
    const num = ['numeric_precision', 'numeric_precision_radix'];
    expect(pick(k, num)).toEqual(pick(d, num));
    const exact = (r: { columns: string[]; rows: unknown[][] }) =>
      r.rows.filter((row) => /^(integer|numeric|smallint|bigint|INTEGER|DECIMAL|SMALLINT|BIGINT)/.test(String(row[r.columns.indexOf('data_type')]))).map((row) => row[r.columns.indexOf('numeric_scale')]);
    expect(exact(k)).toEqual(exact(d));
  });

  it('information_schema.columns: lengths and datetime precision as PostgreSQL gives them; the database is the data directory', async () => {
    const r = await keel("select column_name, table_catalog, table_schema, character_maximum_length, numeric_scale, datetime_precision from information_schema.columns where table_name = 't' and column_name in ('name', 'd', 'ts', 'f')");
    expect(r.rows).toEqual([
      ['name', 'wh', 'public', 20, null, null],
      ['d', 'wh', 'public', null, null, 0],
      ['ts', 'wh', 'public', null, null, 6],
      ['f', 'wh', 'public', null, null, null],
    ]);
  });

  it('information_schema.tables: the columns DuckDB has too, a row per table and view', async () => {
    const k = await keel('select * from information_schema.tables order by table_name');
    const d = await duckdb("select * from information_schema.tables order by table_name");
    expect(k.columns).toEqual(['table_catalog', 'table_schema', 'table_name', 'table_type', 'is_insertable_into', 'is_typed']);
    expect(isSubsequence(k.columns, d.columns)).toBe(true);
    expect(k.rows).toEqual([
      ['wh', 'public', 'k', 'BASE TABLE', 'YES', 'NO'],
      ['wh', 'public', 't', 'BASE TABLE', 'YES', 'NO'],
      ['wh', 'public', 'v', 'VIEW', 'NO', 'NO'],
      ['wh', 'public', 'z', 'BASE TABLE', 'YES', 'NO'],
    ]);
    const cols = ['table_name', 'table_type', 'is_insertable_into', 'is_typed'];
    const only = (r: { columns: string[]; rows: unknown[][] }) => r.rows.filter((row) => ['t', 'v'].includes(String(row[2]))).map((row) => cols.map((c) => row[r.columns.indexOf(c)]));
    expect(only(k)).toEqual(only(d));
  });

  it('the view is called by its own name in the query, as in PostgreSQL', async () => {
    const r = await keel("select tables.table_name from information_schema.tables where tables.table_type = 'VIEW'");
    expect(r.rows).toEqual([['v']]);
    const j = await keel("select c.column_name from information_schema.tables t join information_schema.columns c on c.table_name = t.table_name where t.table_type = 'VIEW' order by c.ordinal_position");
    expect(j.rows).toEqual([['id'], ['name']]);
  });
});

describe("Redshift's views", () => {
  it('pg_table_def: type, encoding, distkey, sortkey position and not null per column', async () => {
    const r = await keel("select * from pg_catalog.pg_table_def where tablename = 'k'");
    expect(r.columns).toEqual(['schemaname', 'tablename', 'column', 'type', 'encoding', 'distkey', 'sortkey', 'notnull']);
    expect(r.rows).toEqual([
      ['public', 'k', 'a', 'integer', 'az64', false, 2, false],
      ['public', 'k', 'b', 'character varying(10)', 'zstd', true, 0, false],
      ['public', 'k', 'c', 'integer', 'none', false, 1, false],
      ['public', 'k', 'e', 'date', 'auto', false, 0, true],
    ]);
  });

  it('pg_table_def: an interleaved key alternates the sign of the positions, as Redshift shows it', async () => {
    expect((await keel("select \"column\", sortkey from pg_table_def where tablename = 'z'")).rows).toEqual([['x', 1], ['y', -2], ['w', 3]]);
  });

  it('pg_table_def: numeric types named as PostgreSQL formats them', async () => {
    const r = await keel("select \"column\", type from pg_table_def where tablename = 't' and \"column\" in ('price', 'ts', 'f')");
    expect(r.rows).toEqual([['price', 'numeric(12,2)'], ['ts', 'timestamp without time zone'], ['f', 'double precision']]);
  });

  it('svv_columns: information_schema.columns plus remarks, views included', async () => {
    const a = await keel('select * from svv_columns order by table_name, ordinal_position');
    const b = await keel('select * from information_schema.columns order by table_name, ordinal_position');
    expect(a.columns).toEqual([...b.columns, 'remarks']);
    expect(a.rows).toEqual(b.rows.map((r) => [...r, null]));
    expect(a.rows.filter((r) => r[2] === 'v').map((r) => r[3])).toEqual(['id', 'name']);
  });
});

describe('DESCRIBE and SHOW TABLES', () => {
  it('DESCRIBE t: each column with its type as created, encoding, distkey, sortkey position, not null', async () => {
    const r = await keel('describe k');
    expect(r.columns).toEqual(['column', 'type', 'encoding', 'distkey', 'sortkey', 'notnull']);
    expect(r.rows).toEqual([
      ['a', 'integer', 'az64', false, 2, false],
      ['b', 'varchar(10)', 'zstd', true, 0, false],
      ['c', 'integer', 'none', false, 1, false],
      ['e', 'date', 'auto', false, 0, true],
    ]);
    expect((await db.query('desc k')).command).toBe('DESCRIBE');
  });

  it('DESCRIBE of a view and of a system view', async () => {
    expect((await keel('describe v')).rows).toEqual([
      ['id', 'integer', null, false, 0, false],
      ['name', 'varchar(20)', null, false, 0, false],
    ]);
    expect((await keel('describe information_schema.tables')).rows.map((r) => r[0])).toEqual(['table_catalog', 'table_schema', 'table_name', 'table_type', 'is_insertable_into', 'is_typed']);
    expect((await keel('describe svv_table_info')).rows[0]).toEqual(['table_id', 'integer', null, false, 0, false]);
  });

  it('DESCRIBE of nothing is UNKNOWN_TABLE at the name', async () => {
    const e = await db.execute('select 1;\ndescribe nope').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SqlError);
    expect((e as SqlError).code).toBe('UNKNOWN_TABLE');
    expect((e as SqlError).position).toMatchObject({ line: 2, column: 10 });
  });

  it('SHOW TABLES: tables, then views', async () => {
    const r = await keel('show tables');
    expect(r.columns).toEqual(['schema_name', 'table_name', 'table_type']);
    expect(r.rows).toEqual([
      ['public', 'k', 'TABLE'],
      ['public', 't', 'TABLE'],
      ['public', 'z', 'TABLE'],
      ['public', 'v', 'VIEW'],
    ]);
    // a fixed setting clients ask for answers (pg_settings'); one keel does not have is refused
    expect((await db.query('show search_path')).rows()).toEqual([['$user, public']]);
    await expect(db.query('show work_mem')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('a view over the system views binds, and describing the views does not loop', async () => {
    await db.execute("create view cols as select table_name, column_name from information_schema.columns where table_schema = 'public'");
    try {
      // cols lists its own columns: binding it to work them out reads information_schema.columns once more, where cols is left out
      const r = await keel("select column_name from cols where table_name = 'cols'");
      expect(r.rows).toEqual([['table_name'], ['column_name']]);
      expect((await keel("select column_name from information_schema.columns where table_name = 'cols'")).rows).toEqual([['table_name'], ['column_name']]);
      expect((await keel('describe cols')).rows.map((x) => x[0])).toEqual(['table_name', 'column_name']);
    } finally {
      await db.execute('drop view cols');
    }
  });

  it('only information_schema and pg_catalog qualify a name besides public', async () => {
    await expect(db.query('select * from other.t')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(db.query('select count(*) from public.t')).resolves.toBeTruthy();
    await expect(db.query('select * from information_schema.nope')).rejects.toMatchObject({ code: 'UNKNOWN_TABLE' });
  });
});
