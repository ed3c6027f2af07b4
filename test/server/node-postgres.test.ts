/**
 * node-postgres (`pg`) against the server: it speaks the extended query
 * protocol whenever a query has parameters or a name (Parse, Bind, Describe
 * portal, Execute, Sync), sends parameters as text with no declared type,
 * and fetches a portal in parts (Execute's row limit, PortalSuspended).
 * Binary results are tested in extended.test.ts: pg 8 decodes every DataRow
 * field as UTF-8 text before its binary parsers see it, which garbles them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startServer, TEST_PASSWORD, type TestServer } from './wire-client.js';
import { selfSignedCertificate } from './tls-cert.js';

let env: TestServer;

beforeAll(async () => {
  env = await startServer();
  await env.db.execute(`
    create table fruit (id integer, name varchar(20), price decimal(10,2), picked date, ripe boolean, weight double precision, big bigint, at timestamp);
    insert into fruit values
      (1, 'apple', 1.50, '2024-01-05', true, 0.25, 10000000000, '2024-01-05 10:30:00'),
      (2, 'pear', 2.25, '2024-02-10', false, 1.5, -3, '2024-02-10 00:00:00.5'),
      (3, 'plum', null, null, null, null, null, null);
  `);
});

afterAll(async () => {
  await env?.stop();
});

async function client(options: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: env.server.port, user: 'alice', password: TEST_PASSWORD, database: 'keel', ...options });
  await c.connect();
  return c;
}

describe('node-postgres', () => {
  it('runs parameterized queries: untyped text parameters take their context\'s type', async () => {
    const c = await client();
    try {
      const r = await c.query('select id, name, price, picked, ripe from fruit where id = $1', [2]);
      expect(r.command).toBe('SELECT');
      expect(r.rowCount).toBe(1);
      expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
        ['id', 23],
        ['name', 1043],
        ['price', 1700],
        ['picked', 1082],
        ['ripe', 16],
      ]);
      // pg parses int4 and bool itself; numeric and date stay text (types set to return text)
      expect(r.rows).toEqual([{ id: 2, name: 'pear', price: '2.25', picked: expect.anything(), ripe: false }]);
      const byName = await c.query('select id from fruit where name like $1 and price > $2 order by id', ['p%', '1.00']);
      expect(byName.rows).toEqual([{ id: 2 }]);
      const dates = await c.query('select count(*) as n from fruit where picked >= $1', ['2024-01-06']);
      expect(dates.rows).toEqual([{ n: '1' }]);
      const nulls = await c.query('select count(*) as n from fruit where price is not distinct from $1', [null]);
      expect(nulls.rows).toEqual([{ n: '1' }]);
    } finally {
      await c.end();
    }
  });

  it('runs DML with parameters and reports its row counts', async () => {
    const c = await client();
    try {
      const ins = await c.query('insert into fruit (id, name, price) values ($1, $2, $3)', [9, 'kiwi', '3.75']);
      expect(ins.command).toBe('INSERT');
      expect(ins.rowCount).toBe(1);
      const upd = await c.query('update fruit set price = price + $1 where id = $2', ['0.25', 9]);
      expect([upd.command, upd.rowCount]).toEqual(['UPDATE', 1]);
      expect((await c.query('select price from fruit where id = $1', [9])).rows).toEqual([{ price: '4.00' }]);
      const del = await c.query('delete from fruit where id = $1', [9]);
      expect([del.command, del.rowCount]).toEqual(['DELETE', 1]);
    } finally {
      await c.end();
    }
  });

  it('prepares a named statement once and runs it again with other values', async () => {
    const c = await client();
    try {
      const q = (id: number) => c.query({ name: 'by-id', text: 'select name from fruit where id = $1', values: [id] });
      expect((await q(1)).rows).toEqual([{ name: 'apple' }]);
      expect((await q(3)).rows).toEqual([{ name: 'plum' }]);
      expect((await q(7)).rows).toEqual([]);
      const rec = env.records.filter((r) => r.sql === 'select name from fruit where id = $1');
      expect(rec.length).toBe(3);
      expect(rec.every((r) => r.fingerprint === rec[0]!.fingerprint && r.status === 'ok')).toBe(true);
    } finally {
      await c.end();
    }
  });

  it('fetches a portal a few rows at a time (Execute with a row limit, PortalSuspended)', async () => {
    const c = await client();
    try {
      await c.query('create table seq (x integer)');
      await c.query(`insert into seq values ${Array.from({ length: 25 }, (_, i) => `(${i})`).join(', ')}`);
      const r = await c.query({ text: 'select x from seq where x >= $1 order by x', values: [3], rows: 4 } as pg.QueryConfig);
      expect(r.rows.map((row) => row.x)).toEqual(Array.from({ length: 22 }, (_, i) => i + 3));
      await c.query('drop table seq');
    } finally {
      await c.end();
    }
  });

  it('reports an error of an extended batch with its SQLSTATE and position, and goes on', async () => {
    const c = await client();
    try {
      const err = await c.query('select nope from fruit where id = $1', [1]).catch((e: pg.DatabaseError) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as pg.DatabaseError).code).toBe('42703');
      expect((err as pg.DatabaseError).position).toBe('8');
      const bad = await c.query('select id from fruit where id = $1', ['one']).catch((e: pg.DatabaseError) => e);
      expect((bad as pg.DatabaseError).code).toBe('22000');
      expect((await c.query('select count(*) as n from fruit where id < $1', [3])).rows).toEqual([{ n: '2' }]);
    } finally {
      await c.end();
    }
  });

  it('a transaction block spans extended queries', async () => {
    const c = await client();
    try {
      await c.query('create table ledger (k integer, v integer)');
      await c.query('begin');
      await c.query('insert into ledger values ($1, $2)', [1, 10]);
      await c.query('insert into ledger values ($1, $2)', [2, 20]);
      await c.query('rollback');
      expect((await c.query('select count(*) as n from ledger where k > $1', [0])).rows).toEqual([{ n: '0' }]);
      await c.query('drop table ledger');
    } finally {
      await c.end();
    }
  });

  it('answers the introspection queries drivers and BI connectors send at connect', async () => {
    const c = await client();
    try {
      // JDBC's connect-time settings: accepted (keel's floats already print the shortest exact digits)
      await c.query('SET extra_float_digits = 3');
      await c.query("SET application_name = 'PostgreSQL JDBC Driver'");
      const r = await c.query('select current_schema() as s, version() as v, pg_catalog.current_schema() as q');
      expect(r.rows).toEqual([{ s: 'public', v: expect.stringMatching(/^PostgreSQL 8\.0\.2 on keel/), q: 'public' }]);
      expect((await c.query('show server_version')).rows).toEqual([{ server_version: '8.0.2' }]);
      expect((await c.query('SHOW TRANSACTION ISOLATION LEVEL')).rows).toEqual([{ transaction_isolation: 'serializable' }]);
      expect((await c.query('show standard_conforming_strings')).rows).toEqual([{ standard_conforming_strings: 'on' }]);
      expect((await c.query("select setting from pg_settings where name = 'max_identifier_length'")).rows).toEqual([{ setting: '127' }]);
      await expect(c.query('show work_mem')).rejects.toMatchObject({ code: '0A000' });
      // a BI tool's column listing: schemas, tables and columns with their type names
      const cols = await c.query(
        `select n.nspname, c.relname, a.attname, t.typname, a.attnum
           from pg_catalog.pg_attribute a
           join pg_catalog.pg_class c on c.oid = a.attrelid
           join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           join pg_catalog.pg_type t on t.oid = a.atttypid
          where c.relname = 'fruit' and c.relkind = 'r' and a.attnum > 0
          order by a.attnum`,
      );
      expect(cols.rows.map((r) => [r.nspname, r.relname, r.attname, r.typname])).toEqual([
        ['public', 'fruit', 'id', 'int4'],
        ['public', 'fruit', 'name', 'varchar'],
        ['public', 'fruit', 'price', 'numeric'],
        ['public', 'fruit', 'picked', 'date'],
        ['public', 'fruit', 'ripe', 'bool'],
        ['public', 'fruit', 'weight', 'float8'],
        ['public', 'fruit', 'big', 'int8'],
        ['public', 'fruit', 'at', 'timestamp'],
      ]);
      // the OIDs a RowDescription carries are pg_type's
      const described = await c.query('select id, name from fruit limit 1');
      const names = await c.query('select oid, typname from pg_type where oid in ($1, $2) order by oid', described.fields.map((f) => f.dataTypeID));
      expect(names.rows.map((r) => r.typname)).toEqual(['int4', 'varchar']);
    } finally {
      await c.end();
    }
  });
});

describe('node-postgres: users and privileges', () => {
  beforeAll(async () => {
    await env.db.execute(`
      create table secret (x integer);
      insert into secret values (42);
      create table shared (x integer);
      insert into shared values (7);
      create user reader password 'Reader-pass-1';
      grant select on shared to reader;
    `);
  });

  it('a user without SELECT on a table is refused with 42501 insufficient_privilege; with it, reads', async () => {
    const c = await client({ user: 'reader', password: 'Reader-pass-1' });
    try {
      expect((await c.query('select x from shared')).rows).toEqual([{ x: 7 }]);
      const e = await c.query('select x from secret').catch((x: unknown) => x as pg.DatabaseError);
      expect(e).toBeInstanceOf(Error);
      expect((e as pg.DatabaseError).code).toBe('42501');
      expect((e as pg.DatabaseError).message).toBe('permission denied for relation secret: user "reader" has no SELECT privilege on it (its owner or a superuser can GRANT it)');
      const w = await c.query('insert into shared values (1)').catch((x: unknown) => x as pg.DatabaseError);
      expect((w as pg.DatabaseError).code).toBe('42501');
      // the session goes on after a refusal
      expect((await c.query('select count(*)::int as n from shared')).rows).toEqual([{ n: 1 }]);
    } finally {
      await c.end();
    }
  });

  it('REVOKE takes effect at the next statement of an open session', async () => {
    const c = await client({ user: 'reader', password: 'Reader-pass-1' });
    try {
      expect((await c.query('select x from shared')).rows).toEqual([{ x: 7 }]);
      await env.db.execute('revoke select on shared from reader');
      const e = await c.query('select x from shared').catch((x: unknown) => x as pg.DatabaseError);
      expect((e as pg.DatabaseError).code).toBe('42501');
      await env.db.execute('grant select on shared to reader');
    } finally {
      await c.end();
    }
  });

  it('a wrong password is refused with 28P01', async () => {
    const e = await client({ user: 'reader', password: 'Reader-pass-2' }).catch((x: unknown) => x as pg.DatabaseError);
    expect((e as pg.DatabaseError).code).toBe('28P01');
    expect((e as pg.DatabaseError).message).toBe('password authentication failed for user "reader"');
  });
});

const CERT = selfSignedCertificate();

describe.skipIf(CERT === null)('node-postgres over TLS (skipped: no openssl binary to make a certificate)', () => {
  it('ssl: { rejectUnauthorized: false } logs in over TLS and runs queries', async () => {
    const s = await startServer({ tls: CERT! });
    try {
      const c = new pg.Client({ host: '127.0.0.1', port: s.server.port, user: 'alice', password: TEST_PASSWORD, database: 'keel', ssl: { rejectUnauthorized: false } });
      await c.connect();
      try {
        // the client's socket is a TLS socket once connected
        const socket = (c as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream;
        expect(socket.encrypted).toBe(true);
        expect((await c.query('select 1 + 1 as two')).rows).toEqual([{ two: 2 }]);
      } finally {
        await c.end();
      }
    } finally {
      await s.stop();
    }
  });
});
