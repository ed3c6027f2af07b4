/**
 * CancelRequest: a second connection carrying the first one's process id and
 * secret key aborts the first one's running query, which ends with 57014
 * query_canceled; a wrong key aborts nothing; the connection goes on.
 *
 * The host here is a test double of the server's QueryHost whose query runs
 * until its signal aborts, as the engine's statements do once the abort is
 * seen (ExecError CANCELLED): the engine only sees an abort when this thread is
 * free to read the cancel request (docs/server.md, "Cancelling"), which a real
 * query would make this test's timing depend on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scramVerifier } from '../../engine/index.js';
import { waitingHost } from './waiting-host.js';
import { PgServer } from '../../server/index.js';
import { dataRow, errorFields, int32, TEST_PASSWORD, WireClient } from './wire-client.js';

const host = waitingHost();

let server: PgServer;

beforeAll(async () => {
  const u = { id: 100, name: 'u', superuser: false, password: scramVerifier(TEST_PASSWORD), createdAt: 0 };
  server = await PgServer.listen(async () => host, { port: 0, log: () => {}, users: () => ({ u }) });
});

afterAll(async () => {
  await server?.close();
});

async function login(): Promise<{ c: WireClient; pid: number; secret: number }> {
  const c = await WireClient.connect(server.port);
  const msgs = await c.scramLogin({ user: 'u', database: 'keel' }, TEST_PASSWORD);
  const key = msgs.find((m) => m.type === 'K')!;
  return { c, pid: key.body.readInt32BE(0), secret: key.body.readInt32BE(4) };
}

async function cancel(pid: number, secret: number): Promise<void> {
  const k = await WireClient.connect(server.port);
  k.send(Buffer.concat([int32(16), int32(80877102), int32(pid), int32(secret)]));
  // the server answers a cancel request by closing the connection, having acted on it
  await k.closedByServer();
}

describe('cancel requests', () => {
  it('a wrong key cancels nothing; the right one stops the query, and the connection goes on', async () => {
    const { c, pid, secret } = await login();
    c.query('wait');
    await cancel(pid, secret ^ 1);
    await cancel(pid + 1000, secret);
    expect(host.aborted).toBe(0);
    await cancel(pid, secret);
    const msgs = await c.until('Z');
    expect(host.aborted).toBe(1);
    expect(msgs.map((m) => m.type).join('')).toBe('EZ');
    expect(errorFields(msgs[0]!)).toMatchObject({ S: 'ERROR', C: '57014', M: 'the statement was cancelled' });
    c.query('abc');
    expect(dataRow((await c.until('Z')).find((m) => m.type === 'D')!)).toEqual(['3']);
    c.end();
  });

  it("one connection's key does not cancel another connection's query", async () => {
    const a = await login();
    const b = await login();
    b.c.query('wait');
    const before = host.aborted;
    await cancel(a.pid, a.secret);
    expect(host.aborted).toBe(before);
    await cancel(b.pid, b.secret);
    expect((await b.c.until('Z')).map((m) => m.type).join('')).toBe('EZ');
    expect(host.aborted).toBe(before + 1);
    a.c.end();
    b.c.end();
  });

  it('a client that disconnects while its query runs has the query cancelled', async () => {
    const { c } = await login();
    c.query('wait');
    await new Promise((r) => setTimeout(r, 20));
    const before = host.aborted;
    c.end();
    for (let i = 0; i < 100 && host.aborted === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(host.aborted).toBe(before + 1);
  });
});
