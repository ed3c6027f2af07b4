/**
 * postgres.js (npm `postgres`) against the server: a driver that runs every
 * query, with or without parameters, through the extended protocol as a
 * named prepared statement (Parse once, then Bind/Execute), declares its
 * parameters' types from their JavaScript values, pipelines several queries
 * before one Sync, and asks for the array types from pg_type at connect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startServer, TEST_PASSWORD, type TestServer } from './wire-client.js';

let env: TestServer;
let sql: postgres.Sql;

beforeAll(async () => {
  env = await startServer();
  await env.db.execute(`
    create table kinds (i integer, b bigint, n decimal(12,3), f double precision, t varchar(30), ok boolean, d date, ts timestamp, tz timestamptz);
    insert into kinds values
      (1, 10000000000, 12.345, 0.5, 'one', true, '2024-02-29', '2024-02-29 12:34:56.5', '2024-02-29 12:34:56+00'),
      (2, -2, -0.001, -1e300, 'two', false, '1999-12-31', '1999-12-31 23:59:59', '2000-01-01 00:00:00+00'),
      (3, null, null, null, null, null, null, null, null);
  `);
  sql = postgres({ host: '127.0.0.1', port: env.server.port, user: 'alice', password: TEST_PASSWORD, database: 'keel', max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await env?.stop();
});

describe('postgres.js', () => {
  it('logs in by SCRAM and runs a query without parameters', async () => {
    const r = await sql`select 1 as one, 'x' as s`;
    expect(r.count).toBe(1);
    expect([...r]).toEqual([{ one: 1, s: 'x' }]);
  });

  it('reads every common type', async () => {
    const r = await sql`select i, b, n, f, t, ok, d, ts, tz from kinds order by i`;
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['i', 23], ['b', 20], ['n', 1700], ['f', 701], ['t', 1043], ['ok', 16], ['d', 1082], ['ts', 1114], ['tz', 1184],
    ]);
    expect(r[0]).toEqual({
      i: 1, b: '10000000000', n: '12.345', f: 0.5, t: 'one', ok: true,
      d: new Date('2024-02-29T00:00:00Z'), ts: new Date('2024-02-29T12:34:56.5Z'), tz: new Date('2024-02-29T12:34:56Z'),
    });
    expect(r[1]).toMatchObject({ i: 2, b: '-2', n: '-0.001', f: -1e300, t: 'two', ok: false, tz: new Date('2000-01-01T00:00:00Z') });
    expect(r[2]).toEqual({ i: 3, b: null, n: null, f: null, t: null, ok: null, d: null, ts: null, tz: null });
  });

  it('sends parameters of every common type, typed by the driver or by their context', async () => {
    const r = await sql`select i from kinds where i = ${2} and b = ${-2n} and n = ${'-0.001'} and f < ${0} and t = ${'two'} and ok = ${false}
      and d = ${'1999-12-31'} and ts = ${'1999-12-31 23:59:59'} and tz = ${new Date('2000-01-01T00:00:00Z')}`;
    expect([...r]).toEqual([{ i: 2 }]);
    const typed = await sql`select ${sql.typed(5, 23)} + 1 as i, ${sql.typed('2.50', 1700)} as n, ${sql.typed(true, 16)} as ok, ${sql.typed('2024-01-02', 1082)} as d`;
    // a parameter declared numeric is read as an untyped literal (keel's DECIMAL needs a precision and scale), so its column is text
    expect(typed.columns.map((c) => c.type)).toEqual([23, 1043, 16, 1082]);
    expect([...typed]).toEqual([{ i: 6, n: '2.50', ok: true, d: new Date('2024-01-02T00:00:00Z') }]);
    const nulls = await sql`select count(*)::int as n from kinds where b is not distinct from ${null}`;
    expect([...nulls]).toEqual([{ n: 1 }]);
  });

  it('prepares a statement once (a named statement) and runs it again with other values', async () => {
    const before = env.records.length;
    for (const id of [1, 2, 3, 1]) {
      const r = await sql`select t from kinds where i = ${id}`;
      expect(r.count).toBe(1);
    }
    const ran = env.records.slice(before).filter((r) => r.sql === 'select t from kinds where i = $1');
    expect(ran).toHaveLength(4);
    expect(new Set(ran.map((r) => r.fingerprint)).size).toBe(1);
  });

  it('reports an error with its SQLSTATE and position, and the connection goes on', async () => {
    const e = (await sql`select nope from kinds where i = ${1}`.catch((x: unknown) => x)) as postgres.PostgresError;
    expect(e).toBeInstanceOf(postgres.PostgresError);
    expect(e.code).toBe('42703');
    expect(e.position).toBe('8');
    const syntax = (await sql`selec 1`.catch((x: unknown) => x)) as postgres.PostgresError;
    expect([syntax.code, syntax.position]).toEqual(['42601', '1']);
    const value = (await sql`select i from kinds where d = ${'not a date'}`.catch((x: unknown) => x)) as postgres.PostgresError;
    expect(value.code).toMatch(/^22/);
    expect([...(await sql`select count(*)::int as n from kinds`)]).toEqual([{ n: 3 }]);
  });

  it('runs a transaction with sql.begin: committed as a whole, or rolled back by an error', async () => {
    await sql`create table ledger (k integer, v integer)`;
    await sql.begin(async (tx) => {
      await tx`insert into ledger values (${1}, ${10})`;
      await tx`insert into ledger values (${2}, ${20})`;
    });
    const failed = await sql
      .begin(async (tx) => {
        await tx`insert into ledger values (${3}, ${30})`;
        await tx`insert into ledger values (${'x'}, ${40})`;
      })
      .catch((x: unknown) => x as postgres.PostgresError);
    expect(failed).toBeInstanceOf(postgres.PostgresError);
    expect([...(await sql`select k, v from ledger order by k`)]).toEqual([
      { k: 1, v: 10 },
      { k: 2, v: 20 },
    ]);
    await sql`drop table ledger`;
  });

  it('copies rows in (COPY FROM STDIN) and out (COPY TO STDOUT)', async () => {
    await sql`create table copied (id integer, name varchar(10))`;
    const into = await sql`copy copied from stdin csv`.writable();
    await new Promise<void>((resolve, reject) => {
      into.on('error', reject);
      into.write('1,a\n2,');
      into.write('b\n3,\n');
      into.end(resolve);
    });
    expect([...(await sql`select id, name from copied order by id`)]).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
      // an empty CSV field of a VARCHAR is an empty string (Redshift's rule, without EMPTYASNULL)
      { id: 3, name: '' },
    ]);
    await sql`insert into copied values (${4}, ${null})`;
    const out = await sql`copy (select id, name from copied order by id) to stdout csv header`.readable();
    const chunks: Buffer[] = [];
    for await (const chunk of out) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('id,name\n1,a\n2,b\n3,""\n4,\n');
    await sql`drop table copied`;
  });

  it('reads a large result whole, and through a cursor a few rows at a time', async () => {
    await sql`create table big (x integer, s varchar(20))`;
    await sql.unsafe(`insert into big select i, 'row ' || i from (select row_number() over () as i from kinds, kinds k2, kinds k3) q`);
    await sql`insert into big select x + 27, s from big`;
    await sql`insert into big select x + 54, s from big`;
    await sql`insert into big select x + 108, s from big`;
    const all = await sql`select x, s from big order by x`;
    expect(all.count).toBe(216);
    expect(all.map((r) => r.x)).toEqual(Array.from({ length: 216 }, (_, i) => i + 1));
    const seen: number[] = [];
    let batches = 0;
    for await (const rows of sql`select x from big where x > ${200} order by x`.cursor(5)) {
      batches++;
      seen.push(...rows.map((r) => r.x as number));
    }
    expect(seen).toEqual(Array.from({ length: 16 }, (_, i) => 201 + i));
    expect(batches).toBe(4);
    await sql`drop table big`;
  });

  it('pipelines queries sent at once on one connection, each answered in order', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, k) => sql`select ${k}::int * 2 as v, i from kinds where i = ${(k % 3) + 1}`));
    expect(answers.map((r) => [r[0]!.v, r[0]!.i])).toEqual(Array.from({ length: 20 }, (_, k) => [k * 2, (k % 3) + 1]));
  });
});
