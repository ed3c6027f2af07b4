/**
 * Random bytes on the wire never take the server down: before the startup
 * message, and after a login (as messages of random types and lengths), cut
 * into random chunks. Whatever each connection makes of its bytes (a FATAL
 * error, a query error, waiting for more), the server afterwards logs in a
 * fresh client and answers its query, and no session is left behind.
 * KEEL_FUZZ_RUNS and KEEL_FUZZ_SEED run more inputs, or others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cstr, dataRow, int32, loggedIn, startServer, WireClient } from './wire-client.js';

const SEED = Number(process.env.KEEL_FUZZ_SEED ?? 1);
const RUNS = Number(process.env.KEEL_FUZZ_RUNS) > 0 ? Number(process.env.KEEL_FUZZ_RUNS) : 60;

let env: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  env = await startServer({ maxMessageBytes: 64 * 1024 });
  await env.db.execute("create table f (x integer); insert into f values (1), (2)");
});

afterAll(async () => {
  await env?.stop();
});

/** Sends `chunks` one by one, waits until the server closes the connection or `ms` pass, then drops it. */
async function feed(c: WireClient, chunks: readonly Uint8Array[], ms: number): Promise<void> {
  for (const ch of chunks) {
    if (c.closed) break;
    c.send(Buffer.from(ch));
    await new Promise((r) => setImmediate(r));
  }
  await Promise.race([c.closedByServer(), new Promise((r) => setTimeout(r, ms))]);
  c.end();
}

async function stillServes(): Promise<void> {
  const c = await loggedIn(env.server.port);
  c.query('select count(*) from f');
  const msgs = await c.until('Z');
  expect(dataRow(msgs.find((m) => m.type === 'D')!)).toEqual(['2']);
  c.end();
}

/** A message with a random type among the frontend's and others, a body of random bytes, and a length that may lie. */
const message = fc
  .record({
    type: fc.oneof(fc.constantFrom(...'QXSPBDECHFdcfp'.split('')), fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b))),
    body: fc.uint8Array({ maxLength: 64 }),
    lie: fc.oneof(fc.constant(0), fc.integer({ min: -8, max: 8 }), fc.integer({ min: -0x80000000, max: 0x7fffffff })),
  })
  .map(({ type, body, lie }) => {
    const len = lie === 0 || Math.abs(lie) <= 8 ? body.length + 4 + lie : lie;
    return Buffer.concat([Buffer.from([type.charCodeAt(0) & 0xff]), int32(len | 0), Buffer.from(body)]);
  });

/** Cuts bytes into chunks at random points. */
function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    if (c > prev) out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

describe('fuzz: random bytes on the wire', () => {
  it('before the startup message', async () => {
    const startupish = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 200 }),
      // a plausible length and code, then junk: the special codes and protocol versions are reached
      fc
        .tuple(fc.constantFrom(80877102, 80877103, 80877104, 196608, 196610, 131072, 0), fc.uint8Array({ maxLength: 40 }), fc.integer({ min: -4, max: 4 }))
        .map(([code, rest, lie]) => Buffer.concat([int32(8 + rest.length + lie), int32(code), Buffer.from(rest)])),
    );
    await fc.assert(
      fc.asyncProperty(startupish, fc.array(fc.nat(), { maxLength: 4 }), async (bytes, cuts) => {
        const c = await WireClient.connect(env.server.port);
        await feed(c, chunked(bytes, cuts), 15);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    await stillServes();
  });

  it('after a login: messages of random types, bodies and lengths', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 4 }), async (msgs, cuts) => {
        const c = await loggedIn(env.server.port);
        await feed(c, chunked(Buffer.concat(msgs), cuts), 15);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    await stillServes();
    for (let i = 0; i < 100 && (env.server.sessions > 0 || env.open() > 0); i++) await new Promise((r) => setTimeout(r, 10));
    expect(env.server.sessions).toBe(0);
    // every connection's Database handle was closed
    expect(env.open()).toBe(0);
  });

  it('a valid startup split at every byte still logs in', async () => {
    const c = await WireClient.connect(env.server.port);
    const body = Buffer.concat([int32(196608), cstr('user'), cstr('z'), Buffer.from([0])]);
    for (const b of Buffer.concat([int32(body.length + 4), body])) {
      c.send(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    expect((await c.until('Z')).at(-1)!.type).toBe('Z');
    c.end();
  });
});
