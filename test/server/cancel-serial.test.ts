/**
 * A CancelRequest stops a real statement that keeps the server's thread busy
 * (a serial cross join, no worker thread under 200,000 rows): the network
 * thread reads the request while the statement runs and sets the
 * connection's cancel flag, which the engine checks at every batch
 * (docs/server.md, "Cancelling, disconnecting, bad input").
 *
 * The server runs in this process, on this thread, so while the statement
 * runs nothing here can send anything: the cancel requests come from a
 * thread of their own, sent again every 100 ms until the test says stop (a
 * request that arrives before the statement started, or after it ended,
 * cancels nothing, as in PostgreSQL). Uncancelled, the statement runs for far
 * more than the bound asserted (eight billion triples); the bound is loose so
 * that a loaded machine does not fail it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { TEST_PASSWORD, startServer, type TestServer } from './wire-client.js';
import { MISSING, PSQL } from './psql-client.js';

const LONG = 'select count(*) as n from seed a, seed b, seed c where a.x + b.x + c.x < 0';
/** Far below the minutes the statement takes uncancelled; far above a cancel's few batches. */
const BOUND_MS = 30_000;

let env: TestServer;

beforeAll(async () => {
  env = await startServer({ logins: ['alice', 'u'] });
  await env.db.execute('create table seed (x integer)');
  await env.db.execute(`insert into seed values ${Array.from({ length: 2000 }, (_, i) => `(${i})`).join(', ')}`);
}, 60_000);

afterAll(async () => {
  await env?.stop();
});

function client(user = 'alice'): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port: env.server.port, user, password: TEST_PASSWORD, database: 'keel' });
}

/** Sends a raw CancelRequest for (pid, secret) every 100 ms from a thread of its own, each once the server closed the last; stop() ends it. */
function canceller(pid: number, secret: number): { stop: () => Promise<number> } {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    const net = require('node:net');
    const { port, pid, secret, stop } = workerData;
    const once = () => new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        const b = Buffer.alloc(16);
        b.writeInt32BE(16, 0); b.writeInt32BE(80877102, 4); b.writeInt32BE(pid, 8); b.writeInt32BE(secret, 12);
        s.write(b);
      });
      s.on('error', () => {});
      s.on('close', resolve);
    });
    (async () => {
      let sent = 0;
      while (Atomics.load(stop, 0) === 0) {
        await once();
        sent++;
        await new Promise((r) => setTimeout(r, 100));
      }
      parentPort.postMessage(sent);
    })();`;
  const w = new Worker(source, { eval: true, workerData: { port: env.server.port, pid, secret, stop } });
  const sent = new Promise<number>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  return {
    stop: async () => {
      Atomics.store(stop, 0, 1);
      const n = await sent;
      await w.terminate();
      return n;
    },
  };
}

describe('a CancelRequest stops a statement that keeps the server thread busy', () => {
  it('node-postgres: 57014 within the bound; the connection, another connection and the server go on', async () => {
    const a = client();
    const b = client();
    await a.connect();
    await b.connect();
    // a safety net: were cancel requests not seen, the statement would end here, with the timeout's message, not hang the suite for minutes
    await a.query("set statement_timeout = '90s'");
    const key = a as unknown as { processID: number; secretKey: number };
    const cancel = canceller(key.processID, key.secretKey);
    const t0 = Date.now();
    const long = a.query(LONG).then(
      () => null,
      (e: unknown) => e,
    );
    // sent while the long statement runs: answered once it has stopped, and rightly
    const other = b.query('select count(*) as n from seed');
    const e = await long;
    const elapsed = Date.now() - t0;
    expect(e).toMatchObject({ code: '57014', message: 'statement cancelled' });
    expect(elapsed).toBeLessThan(BOUND_MS);
    expect((await other).rows).toEqual([{ n: '2000' }]);
    expect(await cancel.stop()).toBeGreaterThan(0);
    // a round trip through the network thread after the canceller's last request: any cancel it carried has been handled
    expect((await b.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    expect((await a.query('select count(*) as n from seed where x < 10')).rows).toEqual([{ n: '10' }]);
    expect((await b.query('select sum(x) as s from seed')).rows).toEqual([{ s: String((1999 * 2000) / 2) }]);
    // the cancelled statement's record says so
    expect(env.records.some((r) => r.sql === LONG && r.error?.code === 'CANCELLED')).toBe(true);
    await a.end();
    await b.end();
  }, 120_000);

  it('a client that goes away while its statement runs has it stopped; the server goes on', async () => {
    const before = env.records.filter((r) => r.sql === LONG).length;
    // another process: it sends the statement and dies 3 s later, while this thread runs it
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const pg = require('pg');
         const c = new pg.Client({ host: '127.0.0.1', port: ${env.server.port}, user: 'alice', password: ${JSON.stringify(TEST_PASSWORD)}, database: 'keel' });
         c.connect().then(() => c.query("set statement_timeout = '90s'")).then(() => { c.query(${JSON.stringify(LONG)}).catch(() => {}); setTimeout(() => process.exit(0), 3000); });`,
      ],
      { cwd: process.cwd(), stdio: 'ignore' },
    );
    const t0 = Date.now();
    await new Promise((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 3000 && env.records.filter((r) => r.sql === LONG).length === before; i++) await new Promise((r) => setTimeout(r, 10));
    const records = env.records.filter((r) => r.sql === LONG);
    expect(records.length).toBe(before + 1);
    expect(records.at(-1)!.error).toMatchObject({ code: 'CANCELLED', message: 'statement cancelled' });
    expect(Date.now() - t0).toBeLessThan(BOUND_MS + 30_000);
    const c = client();
    await c.connect();
    expect((await c.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await c.end();
  }, 120_000);
});

describe.skipIf(MISSING)('psql: Ctrl-C (SIGINT) cancels the running statement (skipped: no psql binary on PATH; install postgresql-client)', () => {
  it('prints the cancel error and exits 1; the server goes on', async () => {
    const child = spawn(PSQL!, ['-X', '-h', '127.0.0.1', '-p', String(env.server.port), '-U', 'u', '-d', 'keel', '-c', LONG], {
      env: { PATH: process.env.PATH ?? '', PGCONNECT_TIMEOUT: '10', PGPASSWORD: TEST_PASSWORD },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // psql sends a CancelRequest on SIGINT while its statement runs; this thread is busy running it then, so the signals come from another
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const sender = new Worker(
      `const { workerData } = require('node:worker_threads');
       const tick = () => { if (Atomics.load(workerData.stop, 0) !== 0) return; try { process.kill(workerData.pid, 'SIGINT'); } catch {} setTimeout(tick, 300); };
       setTimeout(tick, 500);`,
      { eval: true, workerData: { pid: child.pid, stop } },
    );
    const t0 = Date.now();
    const code = await exited;
    Atomics.store(stop, 0, 1);
    await sender.terminate();
    expect(stderr).toMatch(/statement cancelled/);
    expect(code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(BOUND_MS + 10_000);
    const c = client();
    await c.connect();
    expect((await c.query('select count(*) as n from seed')).rows).toEqual([{ n: '2000' }]);
    await c.end();
  }, 120_000);
});
