/**
 * Workload management (server/wlm.ts): the queue's order, short statements
 * first, and leaving it when cancelled; then over the wire with the engine:
 * a COPY FROM STDIN that waits for its data holds the only slot (a statement
 * holds its slot across its awaits), so the statements sent meanwhile queue
 * for as long as the test decides, never for a time it guesses. The queue
 * time each waited is in its query record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ExecError, type Admission, type AdmitRequest, type QueryRecord } from '../../engine/index.js';
import { WorkloadQueue } from '../../server/index.js';
import { errorFields, int32, loggedIn, startServer, TEST_PASSWORD, WireClient, type TestServer } from './wire-client.js';

const statement = (sql: string, kind = 'select', holdsWriteLock = false): AdmitRequest => ({ sql, fingerprint: sql, kind, holdsWriteLock });
/** Lets granted admissions' continuations run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the queue', () => {
  it('serves short statements first, each lane in arrival order, one per freed slot', async () => {
    const q = new WorkloadQueue({ slots: 1, isShort: (s) => s.sql.startsWith('short') });
    const first = await q.admit(statement('long 0'), new AbortController().signal);
    const order: string[] = [];
    const held = new Map<string, Admission>();
    for (const sql of ['long 1', 'short 1', 'long 2', 'short 2']) {
      void q.admit(statement(sql), new AbortController().signal).then((a) => {
        order.push(sql);
        held.set(sql, a);
      });
    }
    await settle();
    expect(order).toEqual([]);
    expect(q.waiting).toEqual({ short: 2, long: 2 });
    first.release();
    // releasing twice frees one slot only
    first.release();
    await settle();
    expect(order).toEqual(['short 1']);
    expect(q.runningCount).toBe(1);
    for (const next of ['short 2', 'long 1', 'long 2']) {
      held.get(order.at(-1)!)!.release();
      await settle();
      expect(order.at(-1)).toBe(next);
    }
    held.get('long 2')!.release();
    expect(q.runningCount).toBe(0);
  });

  it('admits at once while slots are free, and as many as there are slots', async () => {
    const q = new WorkloadQueue({ slots: 2, isShort: () => false });
    const a = await q.admit(statement('a'), new AbortController().signal);
    await q.admit(statement('b'), new AbortController().signal);
    let third = false;
    void q.admit(statement('c'), new AbortController().signal).then(() => (third = true));
    await settle();
    expect(third).toBe(false);
    a.release();
    await settle();
    expect(third).toBe(true);
    expect(q.runningCount).toBe(2);
  });

  it('a statement whose signal aborts leaves the queue with CANCELLED and never takes a slot', async () => {
    const q = new WorkloadQueue({ slots: 1, isShort: () => false });
    const first = await q.admit(statement('a'), new AbortController().signal);
    const abort = new AbortController();
    const waiting = q.admit(statement('b'), abort.signal);
    let later = false;
    void q.admit(statement('c'), new AbortController().signal).then(() => (later = true));
    abort.abort();
    await expect(waiting).rejects.toBeInstanceOf(ExecError);
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(q.waiting).toEqual({ short: 0, long: 1 });
    first.release();
    await settle();
    expect(later).toBe(true);
    // aborted before asking: refused at once
    const gone = new AbortController();
    gone.abort();
    await expect(q.admit(statement('d'), gone.signal)).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('statements that read no table, and those of a transaction block that holds the writer lock, go past the queue and take no slot', async () => {
    const q = new WorkloadQueue({ slots: 1, isShort: () => false });
    const first = await q.admit(statement('a'), new AbortController().signal);
    for (const s of [statement('set x', 'set'), statement('commit', 'transaction'), statement('show y', 'show'), statement('insert', 'insert', true)]) {
      const a = await q.admit(s, new AbortController().signal);
      a.release();
      expect(q.runningCount).toBe(1);
    }
    expect(q.waiting).toEqual({ short: 0, long: 0 });
    first.release();
    expect(q.runningCount).toBe(0);
  });

  it('refuses a queue without slots', () => {
    expect(() => new WorkloadQueue({ slots: 0, isShort: () => false })).toThrow(/at least one slot/);
  });
});

describe('over the wire', () => {
  let env: TestServer;
  const queue = () => env.server.queue!;

  beforeAll(async () => {
    // the prediction is advisor/cost-model/short-query.ts's (tested in test/advisor/short-query.test.ts); here, by name
    env = await startServer({ wlm: { slots: 1, isShort: (s) => s.sql.includes('short_query') } });
    await env.db.execute('create table t (x integer); insert into t values (1), (2), (3)');
  });

  afterAll(async () => {
    await env?.stop();
  });

  /** A client whose COPY FROM STDIN holds the only slot until finish() sends its data. */
  async function holdSlot(): Promise<{ c: WireClient; finish(): Promise<void> }> {
    const c = await loggedIn(env.server.port);
    c.query('copy t from stdin');
    await c.until('G');
    expect(queue().runningCount).toBe(1);
    return {
      c,
      async finish() {
        c.message('d', Buffer.from('4\n'));
        c.message('c', Buffer.alloc(0));
        const msgs = await c.until('Z');
        expect(msgs.map((m) => m.type)).toContain('C');
        c.end();
      },
    };
  }

  async function until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  async function client(): Promise<pg.Client> {
    const c = new pg.Client({ host: '127.0.0.1', port: env.server.port, user: 'alice', password: TEST_PASSWORD, database: 'keel' });
    await c.connect();
    return c;
  }

  const recordOf = (sql: string): QueryRecord => {
    const r = env.records.filter((x) => x.sql === sql);
    expect(r).toHaveLength(1);
    return r[0]!;
  };

  it('queued statements wait for the slot; the short one goes first; each record has its queue time and the user id', async () => {
    const holder = await holdSlot();
    const long = await client();
    const short = await client();
    try {
      const done: string[] = [];
      const longSql = 'select count(*) as n from t';
      const shortSql = 'select max(x) as short_query from t';
      const longRun = long.query(longSql).then((r) => (done.push('long'), r));
      await until(() => queue().waiting.long === 1);
      const shortRun = short.query(shortSql).then((r) => (done.push('short'), r));
      await until(() => queue().waiting.short === 1);
      expect(done).toEqual([]);
      await holder.finish();
      const [l, s] = await Promise.all([longRun, shortRun]);
      expect(done).toEqual(['short', 'long']);
      expect(l.rows).toEqual([{ n: '4' }]);
      expect(s.rows).toEqual([{ short_query: 4 }]);
      const lr = recordOf(longSql);
      const sr = recordOf(shortSql);
      // the long one waited from before the short one came until after it ended
      expect(sr.queueMs).toBeGreaterThan(0);
      expect(lr.queueMs).toBeGreaterThan(sr.queueMs!);
      const alice = env.db.store.catalog().users!.alice!.id;
      expect([lr.user, lr.userId, sr.userId]).toEqual(['alice', alice, alice]);
      // the statement that held the slot found it free
      expect(recordOf('copy t from stdin').queueMs).toBeDefined();
      expect(queue().runningCount).toBe(0);
    } finally {
      await long.end();
      await short.end();
    }
  });

  it("a queued statement's statement_timeout cancels it in the queue with 57014; the rest of the queue goes on", async () => {
    const holder = await holdSlot();
    const c = await client();
    try {
      // a SET goes past the queue: it runs while the slot is held
      await c.query('set statement_timeout = 50');
      const err = await c.query('select x from t where x = 2').then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(err).toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
      expect(queue().waiting).toEqual({ short: 0, long: 0 });
      const failed = recordOf('select x from t where x = 2');
      expect(failed.status).toBe('error');
      expect(failed.queueMs).toBeGreaterThan(0);
      await holder.finish();
      await c.query('set statement_timeout = 0');
      expect((await c.query('select count(*) as n from t')).rows).toEqual([{ n: '5' }]);
    } finally {
      await c.end();
    }
  });

  it('a cancel request takes a statement out of the queue (57014); the connection goes on', async () => {
    const holder = await holdSlot();
    const k = await keyedLogin();
    k.c.query('select count(*) from t where x > 1');
    await until(() => queue().waiting.long === 1);
    const canceller = await WireClient.connect(env.server.port);
    canceller.send(Buffer.concat([int32(16), int32(80877102), int32(k.pid), int32(k.secret)]));
    await canceller.closedByServer();
    const msgs = await k.c.until('Z');
    expect(errorFields(msgs.find((m) => m.type === 'E')!).C).toBe('57014');
    expect(queue().waiting).toEqual({ short: 0, long: 0 });
    await holder.finish();
    k.c.query('select 1');
    expect((await k.c.until('Z')).map((m) => m.type)).toEqual(['T', 'D', 'C', 'Z']);
    k.c.end();
  });

  async function keyedLogin(): Promise<{ c: WireClient; pid: number; secret: number }> {
    const c = await WireClient.connect(env.server.port);
    const msgs = await c.scramLogin({ user: 'alice', database: 'keel' }, TEST_PASSWORD);
    const key = msgs.find((m) => m.type === 'K')!;
    return { c, pid: key.body.readInt32BE(0), secret: key.body.readInt32BE(4) };
  }
});
