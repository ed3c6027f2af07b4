/**
 * COPY through the extended query protocol, as drivers that prepare every
 * statement send it: Parse/Bind/Execute of COPY ... FROM STDIN answers
 * CopyInResponse from the Execute, and of COPY ... TO STDOUT
 * CopyOutResponse, CopyData and CopyDone; CommandComplete, then Sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cstringOf, errorFields, ext, loggedIn, startServer, type Message, type TestServer } from './wire-client.js';

let env: TestServer;

beforeAll(async () => {
  env = await startServer();
  await env.db.execute("create table cx (id integer, name varchar(10)); insert into cx values (1, 'a'), (2, null)");
});

afterAll(async () => {
  await env?.stop();
});

const types = (msgs: readonly Message[]) => msgs.map((m) => m.type).join('');

describe('COPY through the extended protocol', () => {
  it('COPY FROM STDIN: CopyInResponse from Execute, the data, COPY n, then ReadyForQuery at Sync', async () => {
    const c = await loggedIn(env.server.port);
    ext.parse(c, '', 'copy cx from stdin csv');
    ext.bind(c, '', '', []);
    ext.describe(c, 'P', '');
    ext.execute(c, '');
    c.message('H', Buffer.alloc(0));
    const start: Message[] = [];
    while (start.at(-1)?.type !== 'G') start.push((await c.next())!);
    expect(types(start)).toBe('12nG');
    c.message('d', Buffer.from('3,c\n4,'));
    c.message('d', Buffer.from('d\n'));
    c.message('c', Buffer.alloc(0));
    ext.sync(c);
    const done = await c.until('Z');
    expect(types(done)).toBe('CZ');
    expect(cstringOf(done[0]!)).toBe('COPY 2');
    expect((await env.db.query('select id, name from cx where id > 2 order by id')).rows()).toEqual([
      [3, 'c'],
      [4, 'd'],
    ]);
    c.end();
  });

  it('COPY FROM STDIN with a bad record: ErrorResponse, nothing loaded, the rest skipped to Sync', async () => {
    const c = await loggedIn(env.server.port);
    ext.parse(c, '', 'copy cx from stdin csv');
    ext.bind(c, '', '', []);
    ext.execute(c, '');
    c.message('H', Buffer.alloc(0));
    const start: Message[] = [];
    while (start.at(-1)?.type !== 'G') start.push((await c.next())!);
    c.message('d', Buffer.from('5,e\nsix,f\n'));
    c.message('c', Buffer.alloc(0));
    // skipped: the batch failed
    ext.parse(c, '', 'select 1');
    ext.bind(c, '', '', []);
    ext.execute(c, '');
    ext.sync(c);
    const done = await c.until('Z');
    expect(types(done)).toBe('EZ');
    expect(errorFields(done[0]!)).toMatchObject({ C: '22P02' });
    expect((await env.db.query('select count(*) from cx where id = 5')).rows()).toEqual([[0]]);
    ext.parse(c, '', 'select 7');
    ext.bind(c, '', '', []);
    ext.execute(c, '');
    ext.sync(c);
    expect(types(await c.until('Z'))).toBe('12DCZ');
    c.end();
  });

  it('COPY TO STDOUT: CopyOutResponse, a CopyData per line, CopyDone, COPY n from Execute', async () => {
    const c = await loggedIn(env.server.port);
    ext.parse(c, 'out', 'copy (select id, name from cx where id <= $1 order by id) to stdout csv header');
    ext.bind(c, '', 'out', ['2']);
    ext.describe(c, 'P', '');
    ext.execute(c, '');
    ext.sync(c);
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('12nHdddcCZ');
    expect([...msgs[3]!.body]).toEqual([0, 0, 2, 0, 0, 0, 0]);
    expect(msgs.filter((m) => m.type === 'd').map((m) => m.body.toString())).toEqual(['id,name\n', '1,a\n', '2,\n']);
    expect(cstringOf(msgs[8]!)).toBe('COPY 2');
    c.end();
  });
});
