/**
 * Transaction blocks on one Database handle and across two handles on one
 * data directory: commit, rollback, abort on error, the warnings of BEGIN,
 * COMMIT and ROLLBACK with nothing to do, snapshots, the writer wait, DDL in
 * a block, TRUNCATE's implicit commit, and what a rollback leaves on disk.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, type QueryRecord } from '../../../engine/index.js';

let work: string;
let dir: string;
const open: Database[] = [];

async function handle(options: { lockWaitMs?: number } = {}): Promise<Database> {
  const db = await Database.open(dir, { slices: 2, workers: 0, ...options });
  open.push(db);
  return db;
}

beforeEach(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-txn-'));
  dir = path.join(work, 'data');
  const db = await handle();
  await db.execute('create table t (x int not null, s varchar(10)); insert into t values (1, \'a\'), (2, \'b\')');
});
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const rows = async (db: Database, sql = 'select x from t order by x') => (await db.query(sql)).rows();

/** Every file under the data directory's tables/ folder. */
function tableFiles(): string[] {
  const root = path.join(dir, 'tables');
  return fs.readdirSync(root).flatMap((id) => fs.readdirSync(path.join(root, id)).map((f) => `${id}/${f}`)).sort();
}

describe('transaction blocks', () => {
  it('column changes are part of the block; VACUUM and ANALYZE are refused in it and change nothing', async () => {
    const a = await handle();
    const b = await handle();
    await a.execute("begin; alter table t add column n int default 7; alter table t rename column s to label");
    expect(await rows(a, 'select x, n, label from t order by x')).toEqual([[1, 7, 'a'], [2, 7, 'b']]);
    // another session still sees the table as committed
    expect(await rows(b, 'select x, s from t order by x')).toEqual([[1, 'a'], [2, 'b']]);
    for (const sql of ['vacuum t', 'analyze t']) {
      await expect(a.execute(sql)).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/cannot run inside a transaction block; COMMIT or ROLLBACK first/) });
      await a.execute('rollback');
      await a.execute("begin; alter table t add column n int default 7");
    }
    await a.execute('rollback');
    expect((await b.query('select * from t order by x')).rows()).toEqual([[1, 'a'], [2, 'b']]);
    await a.execute("begin; alter table t drop column s; commit");
    expect((await b.query('select * from t order by x')).rows()).toEqual([[1], [2]]);
  });

  it('COMMIT makes every change of the block visible at once; the block sees its own changes before', async () => {
    const a = await handle();
    const b = await handle();
    await a.execute('begin; insert into t values (3, \'c\'); delete from t where x = 1; update t set s = \'z\' where x = 2');
    expect(await rows(a, 'select x, s from t order by x')).toEqual([[2, 'z'], [3, 'c']]);
    expect(await rows(b, 'select x, s from t order by x')).toEqual([[1, 'a'], [2, 'b']]);
    const [r] = await a.execute('commit');
    expect(r!.command).toBe('COMMIT');
    expect(r!.notice).toBeNull();
    expect(await rows(b, 'select x, s from t order by x')).toEqual([[2, 'z'], [3, 'c']]);
  });

  it('ROLLBACK undoes DML and DDL and removes every file the block wrote', async () => {
    const a = await handle();
    const before = tableFiles();
    await a.execute('begin; insert into t values (3, null); delete from t where x = 1; create table u (y int); insert into u values (5); drop table t');
    expect(tableFiles().length).toBeGreaterThan(before.length);
    expect((await a.query('select y from u')).rows()).toEqual([[5]]);
    await expect(a.query('select * from t')).rejects.toMatchObject({ code: 'UNKNOWN_TABLE' });
    const [r] = await a.execute('rollback');
    expect(r!.command).toBe('ROLLBACK');
    expect(tableFiles()).toEqual(before);
    expect(await rows(a)).toEqual([[1], [2]]);
    await expect(a.query('select * from u')).rejects.toMatchObject({ code: 'UNKNOWN_TABLE' });
  });

  it('CREATE TABLE ... LIKE in a block is part of it: another handle sees it only after COMMIT, and ROLLBACK removes it', async () => {
    const a = await handle();
    const b = await handle();
    await a.execute('begin; create table u (like t)');
    expect((await a.query('select count(*) from u')).rows()).toEqual([[0]]);
    await expect(b.query('select * from u')).rejects.toMatchObject({ code: 'UNKNOWN_TABLE' });
    await a.execute('rollback');
    await expect(a.query('select * from u')).rejects.toMatchObject({ code: 'UNKNOWN_TABLE' });
    await a.execute('begin; create table u (like t); commit');
    expect((await b.query('select count(*) from u')).rows()).toEqual([[0]]);
  });

  it('every spelling of the statements parses and works', async () => {
    const a = await handle();
    for (const [begin, end, kept] of [
      ['begin', 'commit', true],
      ['begin work', 'commit work', true],
      ['begin transaction', 'end transaction', true],
      ['start transaction isolation level serializable', 'end', true],
      ['begin transaction read write', 'commit transaction', true],
      ['begin', 'rollback work', false],
      ['start transaction', 'abort', false],
      ['begin isolation level read committed', 'abort transaction', false],
    ] as const) {
      const n = (await rows(a)).length;
      await a.execute(`${begin}; insert into t values (${n + 10}, 'k'); ${end}`);
      expect((await rows(a)).length, `${begin} ... ${end}`).toBe(kept ? n + 1 : n);
    }
    await expect(a.execute('rollback to savepoint s1')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(a.execute('start')).rejects.toMatchObject({ code: 'SYNTAX' });
  });

  it('a failed statement aborts the block: later statements fail until ROLLBACK; COMMIT then rolls back', async () => {
    const a = await handle();
    await a.execute('begin; insert into t values (3, \'c\')');
    await expect(a.execute('insert into t values (null, \'n\')')).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    const aborted = { code: 'TRANSACTION_ABORTED', message: 'current transaction is aborted, commands ignored until end of transaction block' };
    await expect(a.query('select 1')).rejects.toMatchObject(aborted);
    await expect(a.query('insert into t values (4, \'d\')')).rejects.toMatchObject(aborted);
    await expect(a.query('begin')).rejects.toMatchObject(aborted);
    const [r] = await a.execute('commit');
    expect(r!.command).toBe('ROLLBACK');
    expect(await rows(a)).toEqual([[1], [2]]);
    // the block is over: statements run again, each its own transaction
    await a.query('insert into t values (5, \'e\')');
    expect(await rows(a)).toEqual([[1], [2], [5]]);
  });

  it('a script that stops at an error leaves the block aborted; a statement that does not parse aborts it too', async () => {
    const a = await handle();
    await expect(a.execute('begin; insert into t values (3, \'c\'); select * from nowhere; insert into t values (4, \'d\'); commit')).rejects.toMatchObject({
      code: 'UNKNOWN_TABLE',
    });
    await expect(a.query('select 1')).rejects.toMatchObject({ code: 'TRANSACTION_ABORTED' });
    await a.execute('end');
    expect(await rows(a)).toEqual([[1], [2]]);
    await a.execute('begin; insert into t values (3, \'c\')');
    await expect(a.execute('selec 1')).rejects.toMatchObject({ code: 'SYNTAX' });
    await expect(a.query('select 1')).rejects.toMatchObject({ code: 'TRANSACTION_ABORTED' });
    await a.execute('rollback');
    expect(await rows(a)).toEqual([[1], [2]]);
  });

  it('BEGIN in a block, and COMMIT or ROLLBACK outside one, warn as Redshift does and change nothing', async () => {
    const a = await handle();
    const [c] = await a.execute('commit');
    expect(c!.notice).toBe('there is no transaction in progress');
    const [r] = await a.execute('rollback');
    expect(r!.notice).toBe('there is no transaction in progress');
    const [, , again] = await a.execute('begin; insert into t values (3, \'c\'); begin');
    expect(again!.notice).toBe('there is already a transaction in progress');
    // still the same block: one ROLLBACK undoes the insert
    await a.execute('rollback');
    expect(await rows(a)).toEqual([[1], [2]]);
  });

  it('TRUNCATE commits the block it runs in, itself included (Redshift)', async () => {
    const a = await handle();
    await a.execute('create table u (y int); insert into u values (1), (2)');
    await a.execute('begin; insert into t values (3, \'c\'); truncate u');
    const [r] = await a.execute('rollback');
    expect(r!.notice).toBe('there is no transaction in progress');
    expect(await rows(a)).toEqual([[1], [2], [3]]);
    expect((await a.query('select count(*) from u')).rows()).toEqual([[0]]);
  });

  it('ALTER TABLE in a block is part of it; the background ALTER is refused in a block', async () => {
    const a = await handle();
    await a.execute('begin; alter table t alter distkey x; insert into t values (3, \'c\')');
    expect(a.catalog().tables.t!.distStyle).toBe('key');
    await expect(a.alterInBackground('alter table t alter diststyle even')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await a.execute('rollback');
    expect(a.catalog().tables.t!.distStyle).not.toBe('key');
    expect(await rows(a)).toEqual([[1], [2]]);
  });

  it('COPY in a block is part of it', async () => {
    const a = await handle();
    const file = path.join(work, 'rows.txt');
    fs.writeFileSync(file, '7|g\n8|h\n');
    await a.execute(`begin; copy t from '${file}'`);
    expect(await rows(a)).toEqual([[1], [2], [7], [8]]);
    await a.execute('rollback');
    expect(await rows(a)).toEqual([[1], [2]]);
    await a.execute(`begin; copy t from '${file}'; commit`);
    expect(await rows(a)).toEqual([[1], [2], [7], [8]]);
  });

  it('a READ ONLY block refuses changes', async () => {
    const a = await handle();
    await a.execute('begin read only');
    await expect(a.query('insert into t values (3, \'c\')')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await a.execute('rollback');
    expect(await rows(a)).toEqual([[1], [2]]);
  });

  it('closing a handle with an open block rolls it back and frees the writer lock', async () => {
    const a = await handle();
    const b = await handle({ lockWaitMs: 2_000 });
    await a.execute('begin; insert into t values (3, \'c\')');
    a.close();
    await b.query('insert into t values (4, \'d\')');
    expect(await rows(b)).toEqual([[1], [2], [4]]);
  });
});

describe('snapshots and the writer lock across two handles', () => {
  it('a block reads one snapshot, taken at its first statement, whatever commits meanwhile', async () => {
    const a = await handle();
    const b = await handle();
    await a.execute('begin');
    await b.query('insert into t values (3, \'c\')');
    // the snapshot is taken by the block's first statement, after b's commit
    expect(await rows(a)).toEqual([[1], [2], [3]]);
    await b.query('insert into t values (4, \'d\')');
    expect(await rows(a)).toEqual([[1], [2], [3]]);
    await a.execute('commit');
    expect(await rows(a)).toEqual([[1], [2], [3], [4]]);
  });

  it('a block that read before another commit cannot write on its stale snapshot (serializable isolation violation)', async () => {
    const a = await handle();
    const b = await handle();
    await a.execute('begin; select count(*) from t');
    await b.query('insert into t values (3, \'c\')');
    await expect(a.query('insert into t values (4, \'d\')')).rejects.toMatchObject({ code: 'SERIALIZATION' });
    await expect(a.query('select 1')).rejects.toMatchObject({ code: 'TRANSACTION_ABORTED' });
    await a.execute('rollback');
    expect(await rows(b)).toEqual([[1], [2], [3]]);
  });

  it('one writing transaction at a time: another handle waits for the lock and fails LOCKED after its timeout', async () => {
    const a = await handle();
    const b = await handle({ lockWaitMs: 300 });
    await a.execute('begin; insert into t values (3, \'c\')');
    const t0 = performance.now();
    const err = await b.query('insert into t values (4, \'d\')').then(
      () => null,
      (e: unknown) => e,
    );
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
    expect(err).toMatchObject({ code: 'LOCKED' });
    expect(String((err as Error).message)).toMatch(/writer lock.*0\.3 s/);
    // readers never wait
    expect(await rows(b)).toEqual([[1], [2]]);
    // a waiting writer goes on once the block commits
    const waiting = (await handle({ lockWaitMs: 5_000 })).query('insert into t values (5, \'e\')');
    await new Promise((r) => setTimeout(r, 100));
    await a.execute('commit');
    await waiting;
    expect(await rows(b)).toEqual([[1], [2], [3], [5]]);
  });
});

describe('query records', () => {
  it('statements of one block share a transaction id; a statement outside a block has its own', async () => {
    const a = await handle();
    const records: QueryRecord[] = [];
    a.onQuery((r) => records.push(r));
    await a.execute('insert into t values (3, \'c\'); begin; insert into t values (4, \'d\'); select count(*) from t; commit; select 1');
    await a.execute('begin; insert into t values (5, \'e\')');
    await expect(a.query('select * from nowhere')).rejects.toMatchObject({ code: 'UNKNOWN_TABLE' });
    await a.execute('rollback');
    const ids = records.map((r) => r.transactionId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    const [own1, b1, i1, s1, c1, own2, b2, i2, failed, r2] = ids;
    expect(new Set([b1, i1, s1, c1]).size).toBe(1);
    expect(new Set([b2, i2, failed, r2]).size).toBe(1);
    expect(new Set([own1, b1, own2, b2]).size).toBe(4);
    expect(records.map((r) => r.command)).toEqual(['INSERT', 'BEGIN', 'INSERT', 'SELECT', 'COMMIT', 'SELECT', 'BEGIN', 'INSERT', 'ERROR', 'ROLLBACK']);
  });
});

describe('worker threads', () => {
  it('a rolled-back block\'s files never serve a later query, though their names are given out again', async () => {
    const a = await Database.open(dir, { slices: 2, workers: 2 });
    open.push(a);
    // 250,000 rows: above PARALLEL_MIN_ROWS (engine/exec/parallel.ts), so scans of w go to the workers
    await a.execute(`create table d (x int); insert into d values ${Array.from({ length: 500 }, (_, i) => `(${i})`).join(', ')}; create table w (x int) diststyle even`);
    await a.execute('begin; insert into w select d1.x * 1000 + d2.x from d d1, d d2');
    expect((await a.query('select count(*), min(x) from w')).rows()).toEqual([[250_000, 0]]);
    await a.execute('rollback');
    // the same segment names, other rows
    await a.execute('insert into w select d1.x * 1000 + d2.x + 7 from d d1, d d2');
    expect((await a.query('select count(*), min(x) from w')).rows()).toEqual([[250_000, 7]]);
  }, 60_000);
});
