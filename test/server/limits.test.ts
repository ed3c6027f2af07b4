/**
 * The connection limit (FATAL 53300 over it), statement_timeout (57014
 * "canceling statement due to statement timeout") and idle_session_timeout
 * (FATAL 57P05). The session is a test double whose "wait" runs until its
 * signal aborts, as the engine's statements do once they see the abort (see
 * cancel.test.ts): the timeouts are what aborts it, and the tests wait for
 * their outcome, never for a time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { scramVerifier } from '../../engine/index.js';
import { waitingHost } from './waiting-host.js';
import { PgServer } from '../../server/index.js';
import { errorFields, TEST_PASSWORD, WireClient, startServer } from './wire-client.js';

function host(settings: { timeZone: string; statementTimeoutMs: number; idleSessionTimeoutMs: number }) {
  return waitingHost(settings);
}

const users = () => ({ u: { id: 100, name: 'u', superuser: false, password: scramVerifier(TEST_PASSWORD), createdAt: 0 } });
let server: PgServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

async function login(port: number): Promise<{ c: WireClient; last: string; fields: Record<string, string> }> {
  const c = await WireClient.connect(port);
  const msgs = await c.scramLogin({ user: 'u', database: 'keel' }, TEST_PASSWORD);
  const last = msgs.at(-1)!;
  return { c, last: last.type, fields: last.type === 'E' ? errorFields(last) : {} };
}

describe('connection limit', () => {
  it('refuses the startup beyond --max-connections with FATAL 53300; a closed connection frees its place', async () => {
    server = await PgServer.listen(async () => host({ timeZone: 'UTC', statementTimeoutMs: 0, idleSessionTimeoutMs: 0 }), { port: 0, log: () => {}, users, maxConnections: 2 });
    const a = await login(server.port);
    const b = await login(server.port);
    expect([a.last, b.last]).toEqual(['Z', 'Z']);
    const c = await WireClient.connect(server.port);
    c.startup({ user: 'u', database: 'keel' });
    const refused = await c.until('E');
    expect(errorFields(refused.at(-1)!)).toMatchObject({ S: 'FATAL', C: '53300', M: 'sorry, too many clients already' });
    await c.closedByServer();
    expect(server.sessions).toBe(2);
    a.c.end();
    // the server counts the connection out once it has seen it close
    let again = await login(server.port);
    while (again.last !== 'Z') {
      expect(again.fields.C).toBe('53300');
      again = await login(server.port);
    }
    again.c.query('select 1');
    expect((await again.c.until('Z')).map((m) => m.type)).toEqual(['T', 'D', 'C', 'Z']);
    b.c.end();
    again.c.end();
  });

  it('refuses a limit below 1', async () => {
    await expect(PgServer.listen(async () => host({ timeZone: 'UTC', statementTimeoutMs: 0, idleSessionTimeoutMs: 0 }), { port: 0, log: () => {}, users, maxConnections: 0 })).rejects.toThrow(/at least 1/);
  });
});

describe('statement_timeout', () => {
  it('cancels a statement running past it with 57014; the connection goes on', async () => {
    const settings = { timeZone: 'UTC', statementTimeoutMs: 30, idleSessionTimeoutMs: 0 };
    server = await PgServer.listen(async () => host(settings), { port: 0, log: () => {}, users });
    const { c } = await login(server.port);
    c.query('wait');
    const msgs = await c.until('Z');
    const e = msgs.find((m) => m.type === 'E')!;
    expect(errorFields(e)).toMatchObject({ S: 'ERROR', C: '57014', M: 'canceling statement due to statement timeout' });
    c.query('select 1');
    expect((await c.until('Z')).map((m) => m.type)).toEqual(['T', 'D', 'C', 'Z']);
    c.end();
  });

  it('SET statement_timeout in a real session: SHOW gives it back, and it is the session\'s own', async () => {
    const env = await startServer();
    try {
      const a = new pg.Client({ host: '127.0.0.1', port: env.server.port, user: 'alice', password: TEST_PASSWORD, database: 'keel' });
      const b = new pg.Client({ host: '127.0.0.1', port: env.server.port, user: 'alice', password: TEST_PASSWORD, database: 'keel' });
      await a.connect();
      await b.connect();
      await a.query("set statement_timeout = '5s'");
      expect((await a.query('show statement_timeout')).rows).toEqual([{ statement_timeout: '5s' }]);
      expect((await b.query('show statement_timeout')).rows).toEqual([{ statement_timeout: '0' }]);
      await expect(a.query("set statement_timeout = 'soon'")).rejects.toMatchObject({ message: expect.stringMatching(/invalid value for parameter "statement_timeout"/) });
      await a.end();
      await b.end();
    } finally {
      await env.stop();
    }
  });
  it("a real session's statement_timeout stops a serial statement that keeps the server's thread busy (57014); the session and the server go on", async () => {
    const env = await startServer();
    try {
      const a = new pg.Client({ host: '127.0.0.1', port: env.server.port, user: 'alice', password: TEST_PASSWORD, database: 'keel' });
      await a.connect();
      await a.query('create table seed (x integer)');
      await a.query(`insert into seed values ${Array.from({ length: 1000 }, (_, i) => `(${i})`).join(', ')}`);
      await a.query('set statement_timeout = 200');
      // about a billion triples on the server's thread (no worker under 200,000 rows): minutes, unless the timeout stops it
      const e = await a.query('select count(*) from seed a, seed b, seed c where a.x + b.x + c.x < 0').then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
      expect((await a.query('select count(*) as n from seed')).rows).toEqual([{ n: '1000' }]);
      const b = new pg.Client({ host: '127.0.0.1', port: env.server.port, user: 'alice', password: TEST_PASSWORD, database: 'keel' });
      await b.connect();
      expect((await b.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await a.end();
      await b.end();
    } finally {
      await env.stop();
    }
  });
});

describe('idle_session_timeout', () => {
  it('closes a connection idle past it with FATAL 57P05; a busy one is not idle', async () => {
    const settings = { timeZone: 'UTC', statementTimeoutMs: 0, idleSessionTimeoutMs: 0 };
    server = await PgServer.listen(async () => host(settings), { port: 0, log: () => {}, users });
    const { c } = await login(server.port);
    // a statement that runs longer than the idle timeout is not idle: it ends when cancelled, not by the idle timer
    settings.idleSessionTimeoutMs = 20;
    settings.statementTimeoutMs = 60;
    c.query('wait');
    const ran = await c.until('Z');
    expect(errorFields(ran.find((m) => m.type === 'E')!).C).toBe('57014');
    // now idle: closed
    const msgs = await c.until('E');
    expect(errorFields(msgs.at(-1)!)).toMatchObject({ S: 'FATAL', C: '57P05', M: 'terminating connection due to idle-session timeout' });
    await c.closedByServer();
  });
});
