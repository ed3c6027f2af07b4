/**
 * The wire protocol spoken by a raw socket client (wire-client.ts): startup,
 * the SSL request, authentication (SCRAM-SHA-256, md5, cleartext), the simple query protocol with its row
 * descriptions, text values, command tags and errors, and the connection's end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5Response, SERVER_VERSION } from '../../server/index.js';
import { createHash } from 'node:crypto';
import { cstr, cstringOf, dataRow, errorFields, int32, loggedIn, rowDescription, startServer, TEST_PASSWORD, WireClient, type Message } from './wire-client.js';

let env: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  env = await startServer();
  await env.db.execute(`
    create table t (i smallint, n integer, b bigint, d decimal(12,2), r real, f double precision, ok boolean, s varchar(20), c char(3), dt date, ts timestamp, tz timestamptz);
    insert into t values (1, 10, 10000000000, 12.5, 0.1, 1e15, true, 'héllo', 'ab', '2024-02-29', '2024-02-29 12:34:56.5', '2024-02-29 12:34:56+00'),
                         (null, null, null, null, null, null, false, null, null, null, null, null);
  `);
});

afterAll(async () => {
  await env?.stop();
});

const types = (msgs: readonly Message[]) => msgs.map((m) => m.type).join('');

describe('startup', () => {
  it('logs in by SCRAM-SHA-256: SASL, SASLContinue, SASLFinal, AuthenticationOk, parameters, BackendKeyData, ReadyForQuery idle', async () => {
    const c = await WireClient.connect(env.server.port);
    const msgs = await c.scramLogin({ user: 'alice', database: 'keel', application_name: 'test' }, TEST_PASSWORD);
    expect(msgs[0]!.type).toBe('R');
    expect(msgs[0]!.body.readInt32BE(0)).toBe(12);
    expect(msgs[1]!.body.readInt32BE(0)).toBe(0);
    const params = Object.fromEntries(
      msgs.filter((m) => m.type === 'S').map((m) => {
        const [k, v] = m.body.toString('utf8').split('\0');
        return [k, v];
      }),
    );
    expect(params).toMatchObject({ server_version: SERVER_VERSION, client_encoding: 'UTF8', DateStyle: 'ISO, MDY', integer_datetimes: 'on', standard_conforming_strings: 'on', application_name: 'test', session_authorization: 'alice', is_superuser: 'on' });
    const key = msgs.find((m) => m.type === 'K')!;
    expect(key.body.length).toBe(8);
    expect(msgs.at(-1)!.body.toString()).toBe('I');
    c.end();
  });

  it("answers an SSLRequest with 'N' when no certificate is configured, then accepts the startup in the clear", async () => {
    const c = await WireClient.connect(env.server.port);
    expect(await c.sslRequest()).toBe('N'.charCodeAt(0));
    expect(types(await c.scramLogin({ user: 'alice' }, TEST_PASSWORD))).toMatch(/^RRS+KZ$/);
    c.end();
  });

  it('refuses protocol 2.0 with a FATAL feature_not_supported and closes', async () => {
    const c = await WireClient.connect(env.server.port);
    c.startup({ user: 'alice' }, 2 << 16);
    const m = (await c.next())!;
    expect(m.type).toBe('E');
    expect(errorFields(m)).toMatchObject({ S: 'FATAL', C: '0A000' });
    expect(errorFields(m).M).toContain('unsupported frontend protocol 2.0');
    await c.closedByServer();
  });

  it('answers protocol 3.2 with NegotiateProtocolVersion 3.0 and goes on to authentication', async () => {
    const c = await WireClient.connect(env.server.port);
    c.startup({ user: 'alice', '_pq_.compression': 'on' }, (3 << 16) | 2);
    const v = (await c.next())!;
    expect(v.type).toBe('v');
    expect(v.body.readInt32BE(0)).toBe(3 << 16);
    const ask = (await c.next())!;
    expect(ask.type).toBe('R');
    expect(ask.body.readInt32BE(0)).toBe(10);
    c.end();
  });

  it('refuses a startup without a user', async () => {
    const c = await WireClient.connect(env.server.port);
    c.startup({ database: 'keel' });
    const m = (await c.next())!;
    expect(errorFields(m)).toMatchObject({ S: 'FATAL', C: '28000' });
    await c.closedByServer();
  });
});

describe('password authentication', () => {
  beforeAll(async () => {
    await env.db.execute(`
      create user scram_user password 'Scram-pass-1';
      create user md5_user password 'md5${createHash('md5').update('Md5-pass-1md5_user').digest('hex')}';
      create user disabled_user password disable;
    `);
  });

  it('SCRAM-SHA-256 offers only SCRAM-SHA-256, and refuses a wrong password with 28P01', async () => {
    const c = await WireClient.connect(env.server.port);
    c.startup({ user: 'scram_user' });
    const ask = (await c.next())!;
    expect(ask.body.readInt32BE(0)).toBe(10);
    expect(ask.body.subarray(4).toString('utf8')).toBe('SCRAM-SHA-256\0\0');
    c.end();
    const ok = await WireClient.connect(env.server.port);
    expect((await ok.scramLogin({ user: 'scram_user' }, 'Scram-pass-1')).at(-1)!.type).toBe('Z');
    ok.end();
    const bad = await WireClient.connect(env.server.port);
    const msgs = await bad.scramLogin({ user: 'scram_user' }, 'Scram-pass-2');
    expect(types(msgs)).toBe('E');
    expect(errorFields(msgs[0]!)).toMatchObject({ S: 'FATAL', C: '28P01', M: 'password authentication failed for user "scram_user"' });
    await bad.closedByServer();
  });

  it('an unknown user, a user with PASSWORD DISABLE and one stored in md5 form go through the same SCRAM exchange and fail at its end', async () => {
    for (const [user, password] of [['nobody', 'Any-pass-1'], ['disabled_user', 'Any-pass-1'], ['md5_user', 'Md5-pass-1']] as const) {
      const c = await WireClient.connect(env.server.port);
      const msgs = await c.scramLogin({ user }, password);
      expect(types(msgs)).toBe('E');
      expect(errorFields(msgs[0]!)).toMatchObject({ S: 'FATAL', C: '28P01', M: `password authentication failed for user "${user}"` });
      await c.closedByServer();
    }
  });

  it('--auth md5: MD5 for a user stored in md5 form (a wrong password refused), SCRAM for one stored as a verifier', async () => {
    const s = await startServer({ auth: 'md5', logins: ['alice'] });
    try {
      await s.db.execute(`create user carol password 'md5${createHash('md5').update('Carol-pass-1carol').digest('hex')}'`);
      for (const [password, ok] of [['Carol-pass-1', true], ['Carol-pass-2', false]] as const) {
        const c = await WireClient.connect(s.server.port);
        c.startup({ user: 'carol' });
        const ask = (await c.next())!;
        expect(ask.type).toBe('R');
        expect(ask.body.readInt32BE(0)).toBe(5);
        const salt = ask.body.subarray(4, 8);
        c.message('p', cstr(md5Response('carol', password, salt)));
        const msgs = await c.until('Z');
        if (ok) {
          expect(msgs[0]!.body.readInt32BE(0)).toBe(0);
          expect(msgs.at(-1)!.type).toBe('Z');
        } else {
          expect(types(msgs)).toBe('E');
          expect(errorFields(msgs[0]!)).toMatchObject({ S: 'FATAL', C: '28P01', M: 'password authentication failed for user "carol"' });
          await c.closedByServer();
        }
        c.end();
      }
      const scram = await WireClient.connect(s.server.port);
      expect(types(await scram.scramLogin({ user: 'alice' }, TEST_PASSWORD))).toMatch(/^RRS+KZ$/);
      scram.end();
    } finally {
      await s.stop();
    }
  });

  it('--auth cleartext: asks with code 3 and checks the password against the SCRAM verifier', async () => {
    const s = await startServer({ auth: 'cleartext', logins: ['dave'] });
    try {
      const c = await WireClient.connect(s.server.port);
      c.startup({ user: 'dave' });
      const ask = (await c.next())!;
      expect(ask.body.readInt32BE(0)).toBe(3);
      c.message('p', cstr(TEST_PASSWORD));
      expect((await c.until('Z')).at(-1)!.type).toBe('Z');
      c.end();
      const bad = await WireClient.connect(s.server.port);
      bad.startup({ user: 'dave' });
      await bad.next();
      bad.message('p', cstr('nope'));
      expect(errorFields((await bad.next())!).C).toBe('28P01');
      await bad.closedByServer();
    } finally {
      await s.stop();
    }
  });

  it('a directory with no user accepts no login: FATAL 28000 naming CREATE USER', async () => {
    const s = await startServer({ logins: [] });
    try {
      const c = await WireClient.connect(s.server.port);
      c.startup({ user: 'alice' });
      const m = (await c.next())!;
      expect(errorFields(m)).toMatchObject({ S: 'FATAL', C: '28000' });
      expect(errorFields(m).M).toContain('CREATE USER');
      await c.closedByServer();
    } finally {
      await s.stop();
    }
  });

  it('a malformed SCRAM message ends the connection with 08P01', async () => {
    const c = await WireClient.connect(env.server.port);
    c.startup({ user: 'alice' });
    await c.next();
    const first = Buffer.from('p=tls-server-end-point,,n=,r=abc');
    c.message('p', Buffer.concat([cstr('SCRAM-SHA-256'), int32(first.length), first]));
    expect(errorFields((await c.next())!)).toMatchObject({ S: 'FATAL', C: '08P01' });
    await c.closedByServer();
  });

  it('a message other than the password during authentication is a protocol violation', async () => {
    const s = await startServer({ logins: ['eve'] });
    try {
      const c = await WireClient.connect(s.server.port);
      c.startup({ user: 'eve' });
      await c.next();
      c.query('select 1');
      expect(errorFields((await c.next())!)).toMatchObject({ S: 'FATAL', C: '08P01' });
      await c.closedByServer();
    } finally {
      await s.stop();
    }
  });
});

describe('simple query', () => {
  it('describes every type with its OID, size and modifier, and sends PostgreSQL text values', async () => {
    const c = await loggedIn(env.server.port);
    c.query('select * from t order by n');
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('TDDCZ');
    expect(rowDescription(msgs[0]!).map((col) => [col.name, col.typeOid, col.typeSize, col.typeModifier])).toEqual([
      ['i', 21, 2, -1],
      ['n', 23, 4, -1],
      ['b', 20, 8, -1],
      ['d', 1700, -1, (12 << 16) + 2 + 4],
      ['r', 700, 4, -1],
      ['f', 701, 8, -1],
      ['ok', 16, 1, -1],
      ['s', 1043, -1, 24],
      ['c', 1042, -1, 7],
      ['dt', 1082, 4, -1],
      ['ts', 1114, 8, -1],
      ['tz', 1184, 8, -1],
    ]);
    expect(dataRow(msgs[1]!)).toEqual(['1', '10', '10000000000', '12.50', '0.1', '1e+15', 't', 'héllo', 'ab', '2024-02-29', '2024-02-29 12:34:56.5', '2024-02-29 12:34:56+00']);
    expect(dataRow(msgs[2]!)).toEqual([null, null, null, null, null, null, 'f', null, null, null, null, null]);
    expect(cstringOf(msgs[3]!)).toBe('SELECT 2');
    expect(msgs[4]!.body.toString()).toBe('I');
    c.end();
  });

  it('runs every statement of a query string, each with its command tag, then one ReadyForQuery', async () => {
    const c = await loggedIn(env.server.port);
    c.query('create table m (x integer); insert into m values (1), (2), (3); update m set x = x + 1 where x > 1; delete from m where x = 4; select count(*) as k from m; drop table m');
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('CCCCTDCCZ');
    expect(msgs.filter((m) => m.type === 'C').map(cstringOf)).toEqual(['CREATE TABLE', 'INSERT 0 3', 'UPDATE 2', 'DELETE 1', 'SELECT 1', 'DROP TABLE']);
    expect(dataRow(msgs[5]!)).toEqual(['2']);
    c.end();
  });

  it('an empty query string gets EmptyQueryResponse', async () => {
    const c = await loggedIn(env.server.port);
    c.query('   ');
    expect(types(await c.until('Z'))).toBe('IZ');
    c.end();
  });

  it('maps errors to SQLSTATEs with the position, and the connection goes on', async () => {
    const c = await loggedIn(env.server.port);
    const cases: [string, string, number | undefined][] = [
      ['select * form t', '42601', 10],
      ['select * from nope', '42P01', 15],
      ['select nothere from t', '42703', 8],
      ['select 1 / 0', '22012', undefined],
    ];
    for (const [sql, code, position] of cases) {
      c.query(sql);
      const msgs = await c.until('Z');
      expect(types(msgs)).toBe('EZ');
      const f = errorFields(msgs[0]!);
      expect(f.S).toBe('ERROR');
      expect(f.C).toBe(code);
      // a runtime error has no position
      expect(f.P).toBe(position === undefined ? undefined : String(position));
    }
    c.query('select 42 as x');
    expect(dataRow((await c.until('Z'))[1]!)).toEqual(['42']);
    c.end();
  });

  it('an error in a later statement comes after the earlier statements\' results, with its position in the whole string', async () => {
    const c = await loggedIn(env.server.port);
    const sql = 'select 1 as a; select zz from t';
    c.query(sql);
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('TDCEZ');
    const f = errorFields(msgs[3]!);
    expect(f.C).toBe('42703');
    expect(Number(f.P)).toBe(sql.indexOf('zz') + 1);
    c.end();
  });

  it("records each statement with the connection's user and a session naming its database", async () => {
    await env.db.execute("create user frank password 'Frank-pass-1'; grant select on t to frank");
    const c = await loggedIn(env.server.port, 'frank', 'warehouse', 'Frank-pass-1');
    c.query('select count(*) from t');
    await c.until('Z');
    c.end();
    const mine = env.records.filter((r) => r.user === 'frank');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.session).toMatch(/^warehouse:\d+$/);
  });

  it('each connection is a session of its own: its transaction block, and ReadyForQuery saying where it is', async () => {
    const a = await loggedIn(env.server.port);
    const b = await loggedIn(env.server.port);
    a.query('create table tx (x integer)');
    await a.until('Z');
    a.query('begin; insert into tx values (1)');
    const begun = await a.until('Z');
    expect(begun.at(-1)!.body.toString()).toBe('T');
    // b does not see a's uncommitted row, and is not in a's block
    b.query('select count(*) from tx');
    const seen = await b.until('Z');
    expect(dataRow(seen.find((m) => m.type === 'D')!)).toEqual(['0']);
    expect(seen.at(-1)!.body.toString()).toBe('I');
    a.query('select nope from tx');
    expect((await a.until('Z')).at(-1)!.body.toString()).toBe('E');
    a.query('rollback');
    expect((await a.until('Z')).at(-1)!.body.toString()).toBe('I');
    a.query('commit');
    const warned = await a.until('Z');
    expect(types(warned)).toBe('NCZ');
    expect(errorFields(warned[0]!)).toMatchObject({ S: 'WARNING', M: 'there is no transaction in progress' });
    a.query('drop table tx');
    await a.until('Z');
    a.end();
    b.end();
  });

  it("SET timezone is the connection's own: reported as the TimeZone parameter, and TIMESTAMPTZ text in the zone", async () => {
    const a = await loggedIn(env.server.port);
    const b = await loggedIn(env.server.port);
    a.query("set timezone to 'America/New_York'; select tz from t where tz is not null; show timezone");
    const msgs = await a.until('Z');
    expect(types(msgs)).toBe('CTDCTDCSZ');
    expect(msgs.filter((m) => m.type === 'C').map(cstringOf)).toEqual(['SET', 'SELECT 1', 'SHOW']);
    expect(dataRow(msgs[2]!)).toEqual(['2024-02-29 07:34:56-05']);
    expect(dataRow(msgs[5]!)).toEqual(['America/New_York']);
    expect(msgs[7]!.body.toString('utf8').split('\0').slice(0, 2)).toEqual(['TimeZone', 'America/New_York']);
    // the other connection's session is still in UTC
    b.query('select tz from t where tz is not null');
    const other = await b.until('Z');
    expect(dataRow(other.find((m) => m.type === 'D')!)).toEqual(['2024-02-29 12:34:56+00']);
    a.query('reset timezone');
    const reset = await a.until('Z');
    expect(types(reset)).toBe('CSZ');
    expect(reset[1]!.body.toString('utf8').split('\0').slice(0, 2)).toEqual(['TimeZone', 'UTC']);
    a.end();
    b.end();
  });

  it("a write waiting for another session's transaction does not stall the other connections", async () => {
    const a = await loggedIn(env.server.port);
    const b = await loggedIn(env.server.port);
    const c = await loggedIn(env.server.port);
    a.query('create table w (x integer); begin; insert into w values (1)');
    await a.until('Z');
    b.query('insert into w values (2)');
    // b waits for a's writer lock; c is answered meanwhile
    c.query('select 1');
    expect(types(await c.until('Z'))).toBe('TDCZ');
    a.query('commit');
    expect((await a.until('Z')).at(-1)!.body.toString()).toBe('I');
    expect((await b.until('Z')).map(cstringOf)[0]).toBe('INSERT 0 1');
    c.query('select count(*) from w');
    expect(dataRow((await c.until('Z')).find((m) => m.type === 'D')!)).toEqual(['2']);
    c.query('drop table w');
    await c.until('Z');
    for (const x of [a, b, c]) x.end();
  });
});

describe('large results', () => {
  it('sends a result of many chunks in order to a client that reads slowly', async () => {
    await env.db.execute(`create table seq (x integer); insert into seq values ${Array.from({ length: 300 }, (_, i) => `(${i})`).join(', ')}`);
    const c = await loggedIn(env.server.port);
    // the client stops reading: the server has to wait for its socket to drain
    c.socket.pause();
    c.query("select a.x * 300 + b.x as v, 'padding-padding-padding' as p from seq a, seq b order by v");
    await new Promise((r) => setTimeout(r, 200));
    c.socket.resume();
    const msgs = await c.until('Z');
    const rows = msgs.filter((m) => m.type === 'D').map((m) => dataRow(m)[0]);
    expect(rows).toHaveLength(90_000);
    expect(rows.every((v, i) => v === String(i))).toBe(true);
    expect(cstringOf(msgs.at(-2)!)).toBe('SELECT 90000');
    c.end();
  });
});

describe("the connection's end", () => {
  it('Terminate closes the connection and ends (closes) its session', async () => {
    await until(() => env.open() === 0);
    const c = await loggedIn(env.server.port);
    const before = env.server.sessions;
    expect(env.open()).toBe(1);
    c.message('X', Buffer.alloc(0));
    await c.closedByServer();
    await until(() => env.server.sessions === before - 1);
    await until(() => env.open() === 0);
  });

  it('an unknown message type is a FATAL protocol violation; the server keeps serving', async () => {
    const c = await loggedIn(env.server.port);
    c.message('!', Buffer.from('junk'));
    const m = (await c.next())!;
    expect(errorFields(m)).toMatchObject({ S: 'FATAL', C: '08P01', M: 'invalid frontend message type "!"' });
    await c.closedByServer();
    const d = await loggedIn(env.server.port);
    d.query('select 1');
    expect(types(await d.until('Z'))).toBe('TDCZ');
    d.end();
  });

  it('a length below 4 and a length above the limit are FATAL', async () => {
    const s = await startServer({ maxMessageBytes: 1000 });
    try {
      const a = await loggedIn(s.server.port);
      a.send(Buffer.concat([Buffer.from('Q'), int32(2)]));
      expect(errorFields((await a.next())!)).toMatchObject({ S: 'FATAL', C: '08P01', M: 'invalid message length 2' });
      await a.closedByServer();
      const b = await loggedIn(s.server.port);
      // the body is never sent: the length alone is refused
      b.send(Buffer.concat([Buffer.from('Q'), int32(1_000_000)]));
      expect(errorFields((await b.next())!).M).toBe('message of 999996 bytes exceeds the limit of 1000');
      await b.closedByServer();
    } finally {
      await s.stop();
    }
  });

  it('a message whose fields run past its length is FATAL', async () => {
    const c = await loggedIn(env.server.port);
    // a Query whose string has no terminator within the message
    c.message('Q', Buffer.from('select 1'));
    expect(errorFields((await c.next())!)).toMatchObject({ S: 'FATAL', C: '08P01' });
    await c.closedByServer();
  });

  it('a client that disconnects while its query runs leaves the server serving', async () => {
    const c = await loggedIn(env.server.port);
    c.query('select count(*) from t a, t b, t c');
    c.end();
    const d = await loggedIn(env.server.port);
    d.query('select count(*) from t');
    expect(dataRow((await d.until('Z'))[1]!)).toEqual(['2']);
    d.end();
  });
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}
