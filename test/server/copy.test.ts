/**
 * COPY FROM STDIN and COPY TO STDOUT over the wire: message by message (CopyInResponse,
 * CopyData in pieces that cut lines, CopyDone, CopyFail, a bad line), and
 * psql's \copy both ways. A COPY that fails loads nothing, and the connection goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cstr, errorFields, loggedIn, startServer, type Message, type WireClient } from './wire-client.js';
import { MISSING, psql } from './psql-client.js';

function copyData(c: WireClient, text: string): void {
  c.message('d', Buffer.from(text, 'utf8'));
}

function types(ms: readonly Message[]): string {
  return ms.map((m) => m.type).join('');
}

describe('COPY FROM STDIN', () => {
  let env: Awaited<ReturnType<typeof startServer>>;
  let c: WireClient;

  beforeAll(async () => {
    env = await startServer();
    await env.db.execute('create table ci (id integer not null, name varchar(10), d date)');
    c = await loggedIn(env.server.port);
  });

  afterAll(async () => {
    c?.end();
    await env?.stop();
  });

  async function rows(): Promise<unknown[][]> {
    return (await env.db.query('select id, name, d from ci order by id')).rows();
  }

  it('loads CSV sent in pieces that cut records, and answers COPY n', async () => {
    c.query('copy ci from stdin csv');
    const start = await c.next();
    expect(start?.type).toBe('G');
    // overall text format, 3 columns, each text
    expect([...start!.body]).toEqual([0, 0, 3, 0, 0, 0, 0, 0, 0]);
    copyData(c, '1,a,2024-01-0');
    copyData(c, '2\n2,"b, c",\n3,');
    copyData(c, ',2024-03-01\n');
    c.message('c', Buffer.alloc(0));
    const done = await c.until('Z');
    expect(types(done)).toBe('CZ');
    expect(done[0]!.body.toString('utf8', 0, done[0]!.body.length - 1)).toBe('COPY 3');
    // an empty field is an empty string, as Redshift's COPY reads it (PostgreSQL's CSV reads NULL; EMPTYASNULL asks for that)
    expect(await rows()).toEqual([
      [1, 'a', '2024-01-02'],
      [2, 'b, c', null],
      [3, '', '2024-03-01'],
    ]);
  });

  it('reads the text format with its options (DELIMITER, NULL AS, IGNOREHEADER) and a column list', async () => {
    c.query("copy ci (name, id) from stdin delimiter '\\t' null as 'NULL' ignoreheader 1");
    expect((await c.next())?.type).toBe('G');
    copyData(c, 'name\tid\nx\t4\nNULL\t5\n');
    c.message('c', Buffer.alloc(0));
    expect(types(await c.until('Z'))).toBe('CZ');
    expect((await rows()).slice(3)).toEqual([
      [4, 'x', null],
      [5, null, null],
    ]);
  });

  it('a bad value fails the COPY naming its line; nothing is loaded and the connection goes on', async () => {
    c.query('copy ci from stdin csv');
    expect((await c.next())?.type).toBe('G');
    copyData(c, '6,f,2024-01-01\n7,g,notadate\n8,h,\n');
    c.message('c', Buffer.alloc(0));
    const reply = await c.until('Z');
    expect(types(reply)).toBe('EZ');
    const e = errorFields(reply[0]!);
    expect(e.C).toBe('22P02');
    expect(e.M).toContain('STDIN, line 2, column d');
    expect(e.M).toContain('nothing was loaded');
    expect((await rows()).length).toBe(5);
    c.query('select count(*) from ci');
    expect(types(await c.until('Z'))).toBe('TDCZ');
  });

  it('CopyFail fails the COPY with the client\'s message (57014); nothing is loaded', async () => {
    c.query('copy ci from stdin csv');
    expect((await c.next())?.type).toBe('G');
    copyData(c, '9,i,\n');
    c.message('f', cstr('the user gave up'));
    const reply = await c.until('Z');
    expect(types(reply)).toBe('EZ');
    expect(errorFields(reply[0]!)).toMatchObject({ C: '57014', M: 'COPY from stdin failed: the user gave up' });
    expect((await rows()).length).toBe(5);
  });

  it('an error before the data (an unknown table) needs no CopyDone; stray CopyData after it are dropped', async () => {
    c.query('copy nope from stdin csv');
    const reply = await c.until('Z');
    expect(types(reply)).toBe('EZ');
    expect(errorFields(reply[0]!).C).toBe('42P01');
    copyData(c, '1,2\n');
    c.message('c', Buffer.alloc(0));
    c.query('select 1');
    expect(types(await c.until('Z'))).toBe('TDCZ');
  });

  it('a Query during COPY FROM STDIN fails the COPY', async () => {
    c.query('copy ci from stdin csv');
    expect((await c.next())?.type).toBe('G');
    copyData(c, '10,j,\n');
    c.query('select 1');
    const reply = await c.until('Z');
    expect(types(reply)).toBe('EZ');
    expect(errorFields(reply[0]!).M).toContain('unexpected message type "Q" during COPY from stdin');
    expect((await rows()).length).toBe(5);
  });
});

describe('COPY TO STDOUT', () => {
  let env: Awaited<ReturnType<typeof startServer>>;
  let c: WireClient;

  beforeAll(async () => {
    env = await startServer();
    await env.db.execute(
      "create table co (id integer, s varchar(20), b boolean, x double precision); insert into co values (1, 'plain', true, 1.5), (2, 'a,b \"q\"', false, null), (3, '', null, 1e20), (4, null, true, 0.1), (5, E'tab\\there\\\\', false, -2)",
    );
    c = await loggedIn(env.server.port);
  });

  afterAll(async () => {
    c?.end();
    await env?.stop();
  });

  async function copyOut(sql: string): Promise<{ types: string; data: string; tag: string; columns: number }> {
    c.query(sql);
    const ms = await c.until('Z');
    const start = ms.find((m) => m.type === 'H');
    const tag = ms.find((m) => m.type === 'C');
    return {
      types: types(ms),
      data: ms
        .filter((m) => m.type === 'd')
        .map((m) => m.body.toString('utf8'))
        .join(''),
      tag: tag ? tag.body.toString('utf8', 0, tag.body.length - 1) : '',
      columns: start ? start.body.readInt16BE(1) : -1,
    };
  }

  it('writes CSV with a header: quotes where needed, an empty string as "", NULL as nothing', async () => {
    const r = await copyOut('copy (select id, s, b, x from co order by id) to stdout with csv header');
    expect(r.types).toBe('HddddddcCZ');
    expect(r.columns).toBe(4);
    expect(r.tag).toBe('COPY 5');
    expect(r.data).toBe(['id,s,b,x', '1,plain,t,1.5', '2,"a,b ""q""",f,', '3,"",,1e+20', '4,,t,0.1', '5,tab\there\\,f,-2', ''].join('\n'));
  });

  it('writes the text format: tabs between values, \\N for NULL, backslash escapes', async () => {
    const r = await copyOut('copy co (id, s) to stdout');
    expect(r.tag).toBe('COPY 5');
    expect(r.data.split('\n').sort()).toEqual(['', '1\tplain', '2\ta,b "q"', '3\t', '4\t\\N', '5\ttab\\there\\\\'].sort());
  });

  it('an error in the query is an ErrorResponse before any copy message', async () => {
    c.query('copy (select nope from co) to stdout');
    const ms = await c.until('Z');
    expect(types(ms)).toBe('EZ');
    expect(errorFields(ms[0]!).C).toBe('42703');
  });
});

describe.skipIf(MISSING)('psql \\copy (skipped: no psql binary on PATH)', () => {
  let env: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    env = await startServer({ logins: ['u'] });
    await env.db.execute('create table pc (id integer, name varchar(20))');
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('loads a CSV file with a header, and reports the bad line of another', async () => {
    const good = path.join(env.dir, 'good.csv');
    fs.writeFileSync(good, ['id,name', ...Array.from({ length: 5000 }, (_, i) => `${i},"n ${i}"`)].join('\n') + '\n');
    const r = await psql(env.server.port, ['-c', `\\copy pc from '${good}' csv header`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('COPY 5000\n');
    const bad = path.join(env.dir, 'bad.csv');
    fs.writeFileSync(bad, '1,a\n2,b\nx,c\n');
    const e = await psql(env.server.port, ['-c', `\\copy pc from '${bad}' csv`]);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain('STDIN, line 3, column id');
    const count = await psql(env.server.port, ['-A', '-t', '-c', 'select count(*), sum(id) from pc']);
    expect(count.stdout).toBe(`5000|${(4999 * 5000) / 2}\n`);
  });
  it('writes a query to a file with \\copy ... to, as CSV with a header', async () => {
    const out = path.join(env.dir, 'out.csv');
    const r = await psql(env.server.port, ['-c', `\\copy (select id, name from pc where id < 3 order by id) to '${out}' csv header`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('COPY 3\n');
    expect(fs.readFileSync(out, 'utf8')).toBe('id,name\n0,n 0\n1,n 1\n2,n 2\n');
  });
});
