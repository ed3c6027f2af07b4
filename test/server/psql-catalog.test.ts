/**
 * psql's describe commands against the server, with the machine's psql
 * binary: \d, \dt, \dt+, \dv, \dn, \di, \df, \l, \d table and \d view. Each sends
 * pg_catalog queries (psql -E prints them) that keel answers from its
 * pg_catalog views (engine/catalog/pg-catalog.ts); the output must be what
 * psql prints for the same objects on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from './wire-client.js';
import { MISSING, psql } from './psql-client.js';

describe.skipIf(MISSING)('psql describe commands (skipped: no psql binary on PATH; install postgresql-client)', () => {
  let env: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    env = await startServer({ logins: ['u'] });
    await env.db.execute(
      "create table t (id integer not null, name varchar(20) default 'x', price decimal(12,2), d date, ts timestamp) sortkey(id); create table u (k bigint); create view v as select id, name from t",
    );
  });

  afterAll(async () => {
    await env?.stop();
  });

  async function describeCommand(command: string): Promise<string> {
    const r = await psql(env.server.port, ['-c', command]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  }

  it('\\d lists tables and views, \\dt tables, \\dv views', async () => {
    expect(await describeCommand('\\d')).toBe(
      [
        '       List of relations',
        ' Schema | Name | Type  | Owner ',
        '--------+------+-------+-------',
        ' public | t    | table | keel',
        ' public | u    | table | keel',
        ' public | v    | view  | keel',
        '(3 rows)',
        '',
        '',
      ].join('\n'),
    );
    expect(await describeCommand('\\dt')).toBe(
      ['       List of relations', ' Schema | Name | Type  | Owner ', '--------+------+-------+-------', ' public | t    | table | keel', ' public | u    | table | keel', '(2 rows)', '', ''].join('\n'),
    );
    expect(await describeCommand('\\dv')).toBe(['      List of relations', ' Schema | Name | Type | Owner ', '--------+------+------+-------', ' public | v    | view | keel', '(1 row)', '', ''].join('\n'));
  });

  it('\\dt with a pattern matches names as psql does (OPERATOR(pg_catalog.~))', async () => {
    expect(await describeCommand('\\dt u*')).toBe(['       List of relations', ' Schema | Name | Type  | Owner ', '--------+------+-------+-------', ' public | u    | table | keel', '(1 row)', '', ''].join('\n'));
  });

  it('\\dn lists the schema, \\l the database', async () => {
    expect(await describeCommand('\\dn')).toBe(['List of schemas', '  Name  | Owner ', '--------+-------', ' public | keel', '(1 row)', '', ''].join('\n'));
    expect(await describeCommand('\\l')).toBe(
      [
        '                                      List of databases',
        ' Name | Owner | Encoding | Collate | Ctype | ICU Locale | Locale Provider | Access privileges ',
        '------+-------+----------+---------+-------+------------+-----------------+-------------------',
        ' data | keel  | UTF8     | C       | C     |            | libc            | ',
        '(1 row)',
        '',
        '',
      ].join('\n'),
    );
  });

  it('\\d table shows its columns, types, NOT NULL and defaults', async () => {
    expect(await describeCommand('\\d t')).toBe(
      [
        '                                   Table "public.t"',
        ' Column |            Type             | Collation | Nullable |        Default         ',
        '--------+-----------------------------+-----------+----------+------------------------',
        ' id     | integer                     |           | not null | ',
        " name   | character varying(20)       |           |          | 'x'::character varying",
        ' price  | numeric(12,2)               |           |          | ',
        ' d      | date                        |           |          | ',
        ' ts     | timestamp without time zone |           |          | ',
        '',
        '',
      ].join('\n'),
    );
  });

  it('\\d view shows its columns', async () => {
    expect(await describeCommand('\\d v')).toBe(
      [
        '                         View "public.v"',
        ' Column |         Type          | Collation | Nullable | Default ',
        '--------+-----------------------+-----------+----------+---------',
        ' id     | integer               |           |          | ',
        ' name   | character varying(20) |           |          | ',
        '',
        '',
      ].join('\n'),
    );
  });

  it('\\d of a name that is no relation says so, as psql does', async () => {
    const r = await psql(env.server.port, ['-c', '\\d nosuch']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Did not find any relation named "nosuch".\n');
  });

  it('\\dt+ shows each table\'s size (pg_table_size, pg_size_pretty) and persistence', async () => {
    await env.db.execute('create table sized (x integer); insert into sized values (1), (2), (3)');
    const bytes = Number((await env.db.query("select size_bytes from svv_table_info where \"table\" = 'sized'")).rows()[0]![0]);
    expect(bytes).toBeGreaterThan(0);
    const size = bytes < 10240 ? `${bytes} bytes` : `${Math.round(bytes / 1024)} kB`;
    const out = await describeCommand('\\dt+ sized');
    expect(out.split('\n').slice(3, 4)).toEqual([expect.stringMatching(new RegExp(`^ public \\| sized \\| table \\| keel  \\| permanent   \\| +${size} \\| +$`))]);
    await env.db.execute('drop table sized');
  });

  it('\\df lists no functions, as keel has no user-defined ones (its pg_proc is empty)', async () => {
    expect(await describeCommand('\\df')).toBe(
      [
        '                       List of functions',
        ' Schema | Name | Result data type | Argument data types | Type ',
        '--------+------+------------------+---------------------+------',
        '(0 rows)',
        '',
        '',
      ].join('\n'),
    );
  });

  it('\\di finds no indexes, as keel has none', async () => {
    const r = await psql(env.server.port, ['-c', '\\di']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', 'Did not find any relations.\n']);
  });

  it('answers current_database(), current_user, session_user and the relation size functions', async () => {
    await env.db.execute('create table sized2 (x integer); insert into sized2 values (1)');
    const bytes = Number((await env.db.query("select size_bytes from svv_table_info where \"table\" = 'sized2'")).rows()[0]![0]);
    const r = await psql(env.server.port, ['-A', '-t', '-c', "select current_database(), current_user, session_user, pg_table_size('sized2'), pg_total_relation_size('sized2'::regclass), pg_relation_size('v'), pg_table_size('nosuch')"]);
    expect(r.stderr).toBe('');
    // the database is the data directory's folder name, the user the one who logged in
    expect(r.stdout).toBe(`data|u|u|${bytes}|${bytes}|0|\n`);
    await env.db.execute('drop table sized2');
  });
});
