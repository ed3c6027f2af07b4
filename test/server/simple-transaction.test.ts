/**
 * The simple query protocol's implicit transaction, with node-postgres (its
 * query without values is one Query message): the statements of a message
 * commit together at its end; an error rolls back the ones before it, unless
 * an explicit BEGIN ... COMMIT in the message committed them; statements
 * before a BEGIN belong to its block; after a COMMIT the rest of the message
 * is a new implicit transaction; a block opened and not ended by the message
 * stays open (aborted after an error); VACUUM is refused in a message of
 * several statements and runs alone. PostgreSQL's rules (its docs, "Multiple
 * Statements in a Simple Query").
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startServer, TEST_PASSWORD, type TestServer } from './wire-client.js';

let env: TestServer;
let client: pg.Client;

beforeAll(async () => {
  env = await startServer();
  client = new pg.Client({ host: '127.0.0.1', port: env.server.port, user: 'alice', password: TEST_PASSWORD, database: 'keel' });
  await client.connect();
  await client.query('create table t (x integer)');
});

afterAll(async () => {
  await client?.end();
  await env?.stop();
});

beforeEach(async () => {
  await client.query('delete from t');
});

async function xs(): Promise<number[]> {
  return (await client.query('select x from t order by x')).rows.map((r: { x: number }) => r.x);
}

async function failure(sql: string): Promise<{ code?: string; message: string }> {
  return client.query(sql).then(
    () => {
      throw new Error(`expected ${sql} to fail`);
    },
    (e: { code?: string; message: string }) => e,
  );
}

describe('a Query message of several statements', () => {
  it('commits them together', async () => {
    await client.query('insert into t values (1); insert into t values (2); select 1');
    expect(await xs()).toEqual([1, 2]);
  });

  it('rolls back the statements before an error', async () => {
    await client.query('insert into t values (1)');
    const e = await failure('insert into t values (2); delete from t where x = 1; select * from no_such_table; insert into t values (3)');
    expect(e.code).toBe('42P01');
    expect(await xs()).toEqual([1]);
  });

  it('keeps what an explicit BEGIN ... COMMIT in it committed, the statements before BEGIN included; after COMMIT a new implicit transaction', async () => {
    const e = await failure('insert into t values (1); begin; insert into t values (2); commit; insert into t values (3); select * from no_such_table');
    expect(e.code).toBe('42P01');
    expect(await xs()).toEqual([1, 2]);
  });

  it('leaves a block it opened open, and aborted after an error (25P02 until ROLLBACK)', async () => {
    await client.query('insert into t values (1); begin; insert into t values (2)');
    expect(await xs()).toEqual([1, 2]);
    expect((await failure('insert into t values (3); select * from no_such_table')).code).toBe('42P01');
    expect((await failure('select 1')).code).toBe('25P02');
    await client.query('rollback');
    // the insert before BEGIN belonged to the block, so the rollback undid it too
    expect(await xs()).toEqual([]);
  });

  it('refuses VACUUM among several statements, the first included; alone it runs', async () => {
    const e = await failure('vacuum t; insert into t values (1)');
    expect(e.message).toMatch(/VACUUM cannot run inside a transaction block/);
    expect(await xs()).toEqual([]);
    expect((await failure('insert into t values (1); vacuum t')).message).toMatch(/VACUUM cannot run inside a transaction block/);
    expect(await xs()).toEqual([]);
    await client.query('vacuum t');
  });

  it('one statement commits on its own, as before', async () => {
    await client.query('insert into t values (7)');
    expect((await failure('select * from no_such_table')).code).toBe('42P01');
    expect(await xs()).toEqual([7]);
  });

  it('an in-process script keeps committing each statement on its own', async () => {
    await expect(env.db.execute('insert into t values (8); select * from no_such_table')).rejects.toMatchObject({ code: 'UNKNOWN_TABLE' });
    expect(await xs()).toEqual([8]);
  });
});
