/**
 * Random bytes on the wire never take the server down: before the startup
 * message, and after a login (as messages of random types and lengths), cut
 * into random chunks. Whatever each connection makes of its bytes (a FATAL
 * error, a query error, waiting for more), the server afterwards logs in a
 * fresh client and answers its query, and no session is left behind.
 * Extended-protocol messages are also built well formed, with random names,
 * statements, parameter types, formats and values (binary ones of random
 * bytes): a batch of them ending in Sync is always answered, ending with
 * ReadyForQuery, and the connection goes on; cut or corrupted, they end it at
 * worst.
 * KEEL_FUZZ_RUNS and KEEL_FUZZ_SEED run more inputs, or others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cstr, dataRow, int32, loggedIn, startServer, WireClient, TEST_PASSWORD } from './wire-client.js';

function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

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

const name = fc.constantFrom('', 'a', 'b');
/** Statements over `f` with 0 to 2 parameters, a script, an empty one, and one that does not parse. */
const sql = fc.constantFrom(
  'select x from f where x = $1',
  'select x, $2 as y from f where x > $1 order by x',
  'select $1',
  'insert into f values ($1)',
  'delete from f where x = $1 and x > 100',
  'select count(*) from f',
  'begin',
  'rollback',
  'select 1; select 2',
  '',
  'selec nope',
  'select $3',
);
/** Frontend type OIDs: the ones keel reads, unknown ones, and nonsense. */
const oid = fc.oneof(fc.constantFrom(0, 16, 20, 21, 23, 25, 700, 701, 705, 1043, 1082, 1114, 1184, 1700, 17, 114), fc.integer({ min: -5, max: 100_000 }));
const format = fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: -2, max: 3 }));
const value = fc.oneof(fc.constant(null), fc.constantFrom('1', '-7', 'x', '2024-01-02', 'true', '1.5'), fc.uint8Array({ maxLength: 12 }));

function msg(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}

/** One well-formed extended-protocol message (its fields may still name nothing, or disagree with each other). */
const extendedMessage = fc.oneof(
  fc.record({ name, sql, oids: fc.array(oid, { maxLength: 3 }) }).map((m) => msg('P', Buffer.concat([cstr(m.name), cstr(m.sql), int16(m.oids.length), ...m.oids.map(int32)]))),
  fc
    .record({ portal: name, statement: name, formats: fc.array(format, { maxLength: 3 }), values: fc.array(value, { maxLength: 3 }), results: fc.array(format, { maxLength: 3 }) })
    .map((m) =>
      msg(
        'B',
        Buffer.concat([
          cstr(m.portal),
          cstr(m.statement),
          int16(m.formats.length),
          ...m.formats.map(int16),
          int16(m.values.length),
          ...m.values.map((v) => (v === null ? int32(-1) : Buffer.concat([int32(Buffer.byteLength(v)), Buffer.from(v)]))),
          int16(m.results.length),
          ...m.results.map(int16),
        ]),
      ),
    ),
  fc.record({ t: fc.constantFrom('S', 'P'), name }).map((m) => msg('D', Buffer.concat([Buffer.from(m.t), cstr(m.name)]))),
  fc.record({ t: fc.constantFrom('S', 'P'), name }).map((m) => msg('C', Buffer.concat([Buffer.from(m.t), cstr(m.name)]))),
  fc.record({ portal: name, max: fc.integer({ min: -1, max: 3 }) }).map((m) => msg('E', Buffer.concat([cstr(m.portal), int32(m.max)]))),
  fc.constant(msg('H', Buffer.alloc(0))),
  fc.constant(msg('S', Buffer.alloc(0))),
);

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

  it('after a login: well-formed extended-protocol batches are answered up to their Sync, and the connection goes on', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(extendedMessage, { minLength: 1, maxLength: 8 }), async (msgs) => {
        const c = await loggedIn(env.server.port);
        c.send(Buffer.concat([...msgs, msg('S', Buffer.alloc(0))]));
        const syncs = msgs.filter((m) => m[0] === 0x53).length + 1;
        for (let i = 0; i < syncs; i++) {
          const got = await c.until('Z');
          expect(got.at(-1)!.type).toBe('Z');
          // an error that ends the connection would be FATAL: none of these may
          expect(got.filter((m) => m.type === 'E' && !m.body.toString('latin1').includes('SERROR')).map((m) => m.body.toString('latin1'))).toEqual([]);
        }
        c.query('rollback; select count(*) from f');
        const after = await c.until('Z');
        expect(after.filter((m) => m.type === 'D').length).toBe(1);
        c.end();
      }),
      { seed: SEED, numRuns: RUNS },
    );
    await stillServes();
  });

  it('after a login: extended-protocol messages cut or corrupted at random', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(extendedMessage, { minLength: 1, maxLength: 6 }), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.array(fc.nat(), { maxLength: 4 }), async (msgs, at, byte, cuts) => {
        const bytes = Buffer.concat(msgs);
        bytes[at % bytes.length] = byte;
        const c = await loggedIn(env.server.port);
        await feed(c, chunked(bytes.subarray(0, bytes.length - (at % 3)), cuts), 15);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    await stillServes();
    for (let i = 0; i < 100 && (env.server.sessions > 0 || env.open() > 0); i++) await new Promise((r) => setTimeout(r, 10));
    expect(env.server.sessions).toBe(0);
    expect(env.open()).toBe(0);
  });

  it('a valid startup split at every byte still logs in', async () => {
    const c = await WireClient.connect(env.server.port);
    const body = Buffer.concat([int32(196608), cstr('user'), cstr('alice'), Buffer.from([0])]);
    for (const b of Buffer.concat([int32(body.length + 4), body])) {
      c.send(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    expect((await c.scram(TEST_PASSWORD)).at(-1)!.type).toBe('Z');
    c.end();
  });
});
