/**
 * The extended protocol's implicit transaction: the statements a client
 * executes up to its Sync commit together there, and an error rolls them all
 * back, as in PostgreSQL; an explicit BEGIN inside the batch takes them into
 * its block, and a statement that must run alone (VACUUM) may still come first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataRow, errorFields, ext, loggedIn, startServer, type Message, type TestServer, type WireClient } from './wire-client.js';

let env: TestServer;

beforeAll(async () => {
  env = await startServer();
  await env.db.execute('create table b (k integer, note varchar(10))');
});

afterAll(async () => {
  await env?.stop();
});

const types = (msgs: readonly Message[]) => msgs.map((m) => m.type).join('');
/** The transaction status of the last ReadyForQuery: I, T or E. */
const status = (msgs: readonly Message[]) => String.fromCharCode(msgs.at(-1)!.body[0]!);

/** Parse, Bind and Execute of one statement with text parameters (unnamed statement and portal). */
function run(c: WireClient, sql: string, values: readonly (string | null)[] = []): void {
  ext.parse(c, '', sql);
  ext.bind(c, '', '', values);
  ext.execute(c, '');
}

/** The keys of table b, read on a connection of its own (what other sessions see committed). */
async function committedKeys(): Promise<number[]> {
  const other = await loggedIn(env.server.port);
  other.query('select k from b order by k');
  const msgs = await other.until('Z');
  other.end();
  return msgs.filter((m) => m.type === 'D').map((m) => Number(dataRow(m)[0]));
}

async function clear(): Promise<void> {
  await env.db.execute('delete from b');
}

describe('one implicit transaction per extended-protocol batch', () => {
  it('commits the statements of a batch together at its Sync, not before', async () => {
    await clear();
    const c = await loggedIn(env.server.port);
    run(c, 'insert into b values ($1, $2)', ['1', 'a']);
    run(c, 'insert into b values ($1, $2)', ['2', 'b']);
    c.message('H', Buffer.alloc(0));
    const flushed: Message[] = [];
    while (flushed.filter((m) => m.type === 'C').length < 2) flushed.push((await c.next())!);
    expect(types(flushed)).toBe('12C12C');
    // executed, not yet committed: another session sees nothing
    expect(await committedKeys()).toEqual([]);
    ext.sync(c);
    expect(types(await c.until('Z'))).toBe('Z');
    expect(await committedKeys()).toEqual([1, 2]);
    const records = env.records.filter((r) => r.sql === 'insert into b values ($1, $2)').slice(-2);
    expect(records).toHaveLength(2);
    expect(records[0]!.transactionId).toBe(records[1]!.transactionId);
    c.end();
  });

  it('an error rolls back the whole batch, and the next batch starts afresh', async () => {
    await clear();
    const c = await loggedIn(env.server.port);
    run(c, 'insert into b values ($1, $2)', ['3', 'c']);
    run(c, 'insert into b values ($1, $2)', ['not a number', 'd']);
    run(c, 'insert into b values ($1, $2)', ['5', 'e']);
    ext.sync(c);
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('12C12EZ');
    expect(errorFields(msgs[5]!).C).toMatch(/^22/);
    expect(status(msgs)).toBe('I');
    expect(await committedKeys()).toEqual([]);
    run(c, 'insert into b values ($1, $2)', ['6', 'f']);
    ext.sync(c);
    expect(types(await c.until('Z'))).toBe('12CZ');
    expect(await committedKeys()).toEqual([6]);
    c.end();
  });

  it('BEGIN inside a batch takes what ran before it into its block; COMMIT inside one commits with a warning', async () => {
    await clear();
    const c = await loggedIn(env.server.port);
    run(c, 'insert into b values ($1, $2)', ['10', 'x']);
    run(c, 'begin');
    run(c, 'insert into b values ($1, $2)', ['11', 'y']);
    ext.sync(c);
    const begun = await c.until('Z');
    expect(types(begun)).toBe('12C12C12CZ');
    expect(status(begun)).toBe('T');
    c.query('rollback');
    expect(status(await c.until('Z'))).toBe('I');
    expect(await committedKeys()).toEqual([]);

    run(c, 'insert into b values ($1, $2)', ['12', 'z']);
    run(c, 'commit');
    ext.sync(c);
    const committed = await c.until('Z');
    expect(types(committed)).toBe('12C12NCZ');
    expect(errorFields(committed[5]!)).toMatchObject({ S: 'WARNING', M: 'there is no transaction in progress' });
    expect(await committedKeys()).toEqual([12]);
    c.end();
  });

  it('an explicit block spans batches: each Sync reports it open and commits nothing', async () => {
    await clear();
    const c = await loggedIn(env.server.port);
    c.query('begin');
    await c.until('Z');
    run(c, 'insert into b values ($1, $2)', ['20', 'p']);
    ext.sync(c);
    expect(status(await c.until('Z'))).toBe('T');
    run(c, 'insert into b values ($1, $2)', ['21', 'q']);
    ext.sync(c);
    expect(status(await c.until('Z'))).toBe('T');
    expect(await committedKeys()).toEqual([]);
    run(c, 'commit');
    ext.sync(c);
    expect(status(await c.until('Z'))).toBe('I');
    expect(await committedKeys()).toEqual([20, 21]);
    c.end();
  });

  it('a statement that must run alone (VACUUM) runs first in a batch, and is refused after another', async () => {
    const c = await loggedIn(env.server.port);
    run(c, 'vacuum b');
    ext.sync(c);
    expect(types(await c.until('Z'))).toMatch(/^12.*CZ$/);
    run(c, 'insert into b values ($1, $2)', ['30', 'v']);
    run(c, 'vacuum b');
    ext.sync(c);
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('12C12EZ');
    expect(errorFields(msgs[5]!)).toMatchObject({ C: '0A000' });
    expect(await committedKeys()).not.toContain(30);
    c.end();
  });
});
