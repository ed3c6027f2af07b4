/**
 * A fragment that fails on a worker thread (engine/exec/parallel.ts) fails the
 * query once, with the error the worker raised: a damaged segment file gives a
 * StorageError CORRUPT naming the file, whichever slices fail (on a worker, on
 * the calling thread, several at once), with no unhandled rejection or
 * uncaught exception left behind, and the Database (and its worker pool) goes
 * on serving queries. The workers run the built code (dist/), so this runs
 * after a build and is skipped without one.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { Database, StorageError } from '../../../engine/index.js';
import type { TableMeta } from '../../../engine/catalog/catalog.js';
import { SegmentReader } from '../../../engine/storage/segment.js';

const built = fs.existsSync(path.resolve(__dirname, '../../../dist/engine/exec/worker.js'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-worker-failures-'));
/** Above PARALLEL_MIN_ROWS, so the scans' fragments go to the workers. */
const ROWS = 240_000;
const SLICES = 4;
let db: Database;
/** What the intact table answers (computed on the workers before anything is damaged). */
let expected: unknown[][];

const QUERIES = [
  'select count(distinct note), max(d) from t',
  'select id % 7, count(*), max(note) from t group by id % 7',
  'select max(d), min(note) from t where id > 10',
];

const seen: { event: string; error: unknown }[] = [];
const onRejection = (error: unknown): void => void seen.push({ event: 'unhandledRejection', error });
const onException = (error: unknown): void => void seen.push({ event: 'uncaughtException', error });

beforeAll(async () => {
  if (!built) return;
  const csv = path.join(dir, 'rows.csv');
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},note ${i % 9973} of ${i % 13},${1990 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`);
  fs.writeFileSync(csv, lines.join('\n') + '\n');
  db = await Database.open(path.join(dir, 'data'), { slices: SLICES, workers: 2 });
  await db.execute('create table t (id integer, note varchar(40), d date) diststyle even; create table intact (id integer, note varchar(40), d date) diststyle even');
  await db.load('t', csv);
  await db.load('intact', csv);
  expected = await intactAnswer();
}, 120_000);

afterAll(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
});

afterEach(() => {
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
});

function table(name: string): TableMeta {
  return db.catalog().tables[name]!;
}

/** Flips one byte inside the first block of column `column` of each segment file of slices `slices`; returns the files. */
function damage(name: string, column: string, slices: readonly number[]): string[] {
  const meta = table(name);
  const files: string[] = [];
  for (const s of meta.segments.filter((seg) => slices.includes(seg.slice))) {
    const file = db.store.segmentPath(meta, s.file);
    const reader = SegmentReader.open(file);
    const col = reader.footer.columns.find((c) => c.name === column)!;
    const block = col.blocks[0]!;
    reader.close();
    flip(file, block.offset + Math.floor(block.length / 2));
    files.push(file);
  }
  expect(files.length).toBeGreaterThan(0);
  return files;
}

function flip(file: string, at: number): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, at);
    b[0] = b[0]! ^ 0x5a;
    fs.writeSync(fd, b, 0, 1, at);
  } finally {
    fs.closeSync(fd);
  }
  flipped.push({ file, at });
}

const flipped: { file: string; at: number }[] = [];

/** Undoes every flip (flipping the same byte again). */
function repair(): void {
  const all = flipped.splice(0);
  for (const f of all) flip(f.file, f.at);
  flipped.length = 0;
}

/** The error a statement fails with (failing the test when it does not fail). */
async function failure(sql: string): Promise<unknown> {
  try {
    await db.execute(sql);
  } catch (e) {
    return e;
  }
  throw new Error(`no error from: ${sql}`);
}

/** Lets any late rejection or stray worker message arrive before the listeners are read. */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setImmediate(r));
}

async function intactAnswer(): Promise<unknown[][]> {
  return (await db.execute('select count(distinct note), max(d), count(*) from intact')).at(-1)!.rows();
}

describe.skipIf(!built)('worker failures', () => {
  it('the table is read on the workers', async () => {
    const before = db.workerPool()!.tasks;
    expect(await intactAnswer()).toEqual(expected);
    expect(expected[0]![2]).toBe(ROWS);
    expect(db.workerPool()!.tasks).toBeGreaterThan(before);
    expect(table('t').segments.map((s) => s.slice).sort()).toEqual(Array.from({ length: SLICES }, (_, s) => s));
  });

  it.each([
    ['one slice', [0]],
    ['another slice', [SLICES - 1]],
    ['two slices at once', [1, 2]],
    ['every slice at once', Array.from({ length: SLICES }, (_, s) => s)],
  ])('a damaged segment file on %s: a StorageError CORRUPT naming the file, nothing unhandled, the database goes on', async (_, slices) => {
    const files = [...damage('t', 'note', slices), ...damage('t', 'd', slices)];
    try {
      for (let round = 0; round < 4; round++) {
        for (const sql of QUERIES) {
          const e = await failure(sql);
          expect(e).toBeInstanceOf(StorageError);
          expect((e as StorageError).code).toBe('CORRUPT');
          expect(files.some((f) => (e as StorageError).message.includes(f)), (e as StorageError).message).toBe(true);
        }
        // a query on an intact table right after, and one beside a failing one
        expect(await intactAnswer()).toEqual(expected);
        const [bad, good] = await Promise.allSettled([db.execute(QUERIES[0]!), intactAnswer()]);
        expect(bad.status).toBe('rejected');
        expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(StorageError);
        expect(good).toEqual({ status: 'fulfilled', value: expected });
      }
    } finally {
      repair();
    }
    await settle();
    expect(seen).toEqual([]);
    // repaired, the same table answers again
    expect((await db.execute('select count(*) from t where note is not null')).at(-1)!.rows()).toEqual([[ROWS]]);
  }, 60_000);

  it('a worker that dies is replaced: the next queries run on the workers (and do not wait for the dead one)', async () => {
    const pool = db.workerPool()!;
    const workers = (pool as unknown as { live: Set<Worker> }).live;
    const dead = [...workers][0]!;
    await dead.terminate();
    await settle();
    const before = pool.tasks;
    expect(await intactAnswer()).toEqual(expected);
    expect(await intactAnswer()).toEqual(expected);
    expect(pool.tasks).toBeGreaterThan(before);
    expect(pool.size).toBe(2);
    expect(workers.has(dead)).toBe(false);
    await settle();
    expect(seen).toEqual([]);
  }, 30_000);
});
