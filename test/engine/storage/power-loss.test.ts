/**
 * Durability beyond SIGKILL: a power loss at any moment of a change keeps every
 * committed change and keeps or loses the change in flight whole.
 *
 * A SIGKILL (durability.test.ts) leaves the page cache to the kernel, which
 * writes it out anyway, so it cannot tell whether keel fsyncs at all. Here
 * node:fs is wrapped by a recording layer (test/helpers/power-loss.ts) that
 * notes every fsync (with the file's content, or the directory's listing, at
 * that moment) and every change of a directory's listing. From the record,
 * the durable state at every crash point is rebuilt in a fresh directory, in
 * two models: 'synced' (only fsynced contents and fsynced directory listings
 * survive) and 'ordered' (listing changes survive in program order, as a
 * journaling file system commits metadata; contents only as fsynced). Then:
 *
 * - storage: every state opens; its tables (rows hashed, layout) are exactly
 *   the state after the last step that returned, or after the step in flight;
 *   and the next writer can commit (a dead writer's lock, partial files and
 *   staging folders do not stand in its way);
 * - workload log: reading never fails; the records are a prefix of the ones
 *   run (no gap, no duplicate, no record lost once it was synced), all of
 *   them once the log was closed, and after a compaction too.
 *
 * Removing any fsync of a commit (a segment file, the catalog, the table
 * folder, the data directory) makes the storage test fail; see docs/storage.md.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Database } from '../../../engine/index.js';
import { attachWorkloadLog, WorkloadStore } from '../../../workload-log/index.js';
import type { CrashState, FsRecorder, Model, Recording } from '../../helpers/power-loss.js';

const hold = vi.hoisted(() => ({ recorder: null as FsRecorder | null }));

vi.mock('node:fs', async (importOriginal) => {
  const { recordingFs } = await import('../../helpers/power-loss.js');
  hold.recorder = recordingFs(await importOriginal<typeof import('node:fs')>());
  return hold.recorder.module;
});

const MODELS: Model[] = ['synced', 'ordered'];

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-power-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function recorder(): FsRecorder {
  if (!hold.recorder) throw new Error('node:fs was not mocked');
  return hold.recorder;
}

interface Step {
  readonly name: string;
  readonly run: () => Promise<void>;
}

/** Runs the steps under the recorder, each one marked; `observe` (a read) runs before the first and after each. */
async function record(root: string, steps: readonly Step[], observe: () => Promise<string>): Promise<{ recording: Recording; expected: string[] }> {
  const rec = recorder();
  const expected = [await observe()];
  rec.begin(root);
  try {
    for (const step of steps) {
      rec.mark(step.name, true);
      await step.run();
      rec.mark(step.name, false);
      expected.push(await observe());
    }
  } catch (e) {
    rec.end();
    throw e;
  }
  const recording = rec.end();
  // a change the layer could not attribute would make the model wrong
  expect(rec.untracked).toEqual([]);
  return { recording, expected };
}

/**
 * Checks every distinct crash state of both models with `judge` (a problem, or
 * null), each materialized in its own directory; returns the problems found
 * and how many states were checked.
 */
async function crashCheck(
  recording: Recording,
  steps: readonly Step[],
  judge: (replica: string, state: CrashState) => Promise<string | null>,
): Promise<{ problems: string[]; states: number }> {
  const problems: string[] = [];
  let states = 0;
  for (const model of MODELS) {
    const seen = new Set<string>();
    // states that differ only in lock files are checked once (the lock's presence is checked all the same)
    for (const state of recording.crashStates(model, (rel) => /(^|\/)write\.lock[^/]*$/.test(rel))) {
      const key = `${state.key}:${state.done}:${state.inFlight}`;
      if (seen.has(key)) continue;
      seen.add(key);
      states++;
      const replica = path.join(fs.mkdtempSync(path.join(work, 'crash-')), 'root');
      state.materialize(replica);
      try {
        const problem = await judge(replica, state);
        if (problem !== null) {
          const when = state.inFlight ? `during "${steps[state.done]!.name}"` : `after "${steps[state.done - 1]?.name ?? 'nothing'}"`;
          problems.push(`[${model}] crash ${when}, after ${state.after}: ${problem}`);
        }
      } finally {
        fs.rmSync(path.dirname(replica), { recursive: true, force: true });
      }
    }
  }
  return { problems, states };
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * What a data directory holds, as text: per table its layout, row count and a
 * hash of its rows (as text, in sorted order); 'absent' when there is no data
 * directory. Throws what opening or reading throws (CORRUPT).
 */
async function tables(dir: string, skip: readonly string[] = []): Promise<string> {
  let db: Database;
  try {
    db = await Database.open(dir, { create: false, workers: 0 });
  } catch (e) {
    if ((e as { code?: string }).code === 'NOT_A_DATA_DIR') return 'absent';
    throw e;
  }
  try {
    const out: string[] = [];
    const catalog = db.catalog();
    for (const name of Object.keys(catalog.tables).sort()) {
      if (skip.includes(name)) continue;
      const t = catalog.tables[name]!;
      const rows = (await db.query(`select * from ${name}`)).textRows().map((r) => JSON.stringify(r));
      rows.sort();
      const dist = t.distStyle === 'key' ? `key(${t.distKey})` : t.distStyle;
      out.push(`${name}: ${dist} sort(${t.sortKey.join(',')}) ${t.columns.map((c) => c.encoding).join(',')} ${rows.length} rows ${sha(rows.join('\n'))}`);
    }
    return out.join('; ') || 'no tables';
  } finally {
    db.close();
  }
}

async function attempt<T>(f: () => Promise<T>): Promise<T | string> {
  try {
    return await f();
  } catch (e) {
    return `${(e as { code?: string }).code ?? 'error'}: ${(e as Error).message}`;
  }
}

function csv(file: string, from: number, rows: number): string {
  const lines: string[] = [];
  for (let i = from; i < from + rows; i++) lines.push(`${i},name${(i * 7919) % 300},${(i % 10000) / 100},1995-0${1 + (i % 9)}-1${i % 10}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('a power loss at any moment', () => {
  it('of creating, loading, INSERT, ALTER (synchronous and background) and DROP keeps every committed change and the one in flight whole', async () => {
    const root = path.join(work, 'storage');
    fs.mkdirSync(root);
    const dir = path.join(root, 'db');
    const first = csv(path.join(work, 'first.csv'), 0, 1000);
    const second = csv(path.join(work, 'second.csv'), 1000, 400);
    let db!: Database;
    const steps: Step[] = [
      { name: 'create the data directory', run: async () => void (db = await Database.open(dir, { slices: 4, blockRows: 128, workers: 0 })) },
      { name: 'create table a', run: async () => void (await db.execute('create table a (id integer not null, s varchar(20), d decimal(10,2), day date) diststyle even sortkey(id)')) },
      { name: 'load a', run: async () => void (await db.load('a', first, { delimiter: ',' })) },
      { name: 'insert into a', run: async () => void (await db.execute("insert into a values (-1, 'x', 1.5, '2000-01-01'), (-2, null, null, null)")) },
      { name: 'create table b', run: async () => void (await db.execute('create table b (k integer, v varchar(10)) diststyle key distkey(k)')) },
      { name: 'insert into b', run: async () => void (await db.execute("insert into b values (1, 'one'), (2, 'two'), (3, 'three')")) },
      { name: 'alter a distkey (synchronous)', run: async () => void (await db.execute('alter table a alter distkey s')) },
      { name: 'alter a sortkey (background)', run: async () => void (await db.alterInBackground('alter table a alter sortkey (day, id)')) },
      { name: 'drop table b', run: async () => void (await db.execute('drop table b')) },
      { name: 'load a again', run: async () => void (await db.load('a', second, { delimiter: ',' })) },
    ];
    const { recording, expected } = await record(root, steps, () => tables(dir));
    db.close();
    // each step changed what the directory holds: a crash state is "before" or "after" unambiguously
    expect(new Set(expected).size).toBe(expected.length);

    const { problems, states } = await crashCheck(recording, steps, async (replica, state) => {
      const allowed = state.inFlight ? [expected[state.done]!, expected[state.done + 1]!] : [expected[state.done]!];
      const got = await attempt(() => tables(path.join(replica, 'db')));
      if (!allowed.includes(got)) return `holds ${got}\n  expected ${allowed.join('\n  or ')}`;
      if (got === 'absent') return null;
      // the next writer commits (a dead writer's lock, partial files and staging folders are no obstacle), and its sweep of them spares every live file
      const write = await attempt(async () => {
        const again = await Database.open(path.join(replica, 'db'), { create: false, workers: 0 });
        try {
          await again.execute('create table zz_probe (n integer)');
          return Object.keys(again.catalog().tables).includes('zz_probe');
        } finally {
          again.close();
        }
      });
      if (write !== true) return `the next writer failed: ${write}`;
      const after = await attempt(() => tables(path.join(replica, 'db'), ['zz_probe']));
      return after === got ? null : `after the next writer's commit it holds ${after}`;
    });
    expect(problems.slice(0, 8)).toEqual([]);
    // every step is crashed into at many points (both models), each distinct state checked once
    expect(states).toBeGreaterThan(steps.length * 4);
    expect(recording.syncs).toBeGreaterThan(steps.length * 2);
  });

  it('commits in order: segment data, table folder, catalog data, rename, data directory', async () => {
    const root = path.join(work, 'order');
    fs.mkdirSync(root);
    const dir = path.join(root, 'db');
    const db = await Database.open(dir, { slices: 2, workers: 0 });
    await db.execute('create table t (a integer)');
    const steps: Step[] = [{ name: 'insert', run: async () => void (await db.execute('insert into t values (1), (2), (3)')) }];
    const { recording } = await record(root, steps, async () => '');
    db.close();
    const calls = recording.calls;
    const at = (re: RegExp) => {
      const i = calls.findIndex((c) => re.test(c));
      expect(i, `${re} in\n${calls.join('\n')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const segmentData = at(/^fsync db\/tables\/1\/\d+\.seg$/);
    const folder = at(/^fsync dir db\/tables\/1$/);
    const folderInTables = at(/^fsync dir db\/tables$/);
    const catalogData = at(/^fsync db\/catalog\.json\.tmp-\d+$/);
    const rename = at(/^rename db\/catalog\.json\.tmp-\d+ -> db\/catalog\.json$/);
    const dirSync = calls.findIndex((c, i) => i > rename && c === 'fsync dir db');
    expect([segmentData < folder, folder < catalogData, folderInTables < catalogData, catalogData < rename, rename < dirSync]).toEqual([true, true, true, true, true]);
  });

  it('leaves write.lock empty (named by a directory fsync, its content never synced): the next writer takes it over at once', async () => {
    const dir = path.join(work, 'lost-lock');
    const db = await Database.open(dir, { slices: 2, workers: 0 });
    await db.execute('create table t (a integer)');
    fs.writeFileSync(path.join(dir, 'write.lock'), '');
    const started = performance.now();
    await db.execute('insert into t values (1)');
    // not 60 s of waiting for an owner that does not exist, then LOCKED
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(fs.existsSync(path.join(dir, 'write.lock'))).toBe(false);
    expect((await db.query('select count(*) from t')).rows()).toEqual([[1]]);
    db.close();
  });

  it('of the workload log keeps every record synced or sealed, and a compaction loses or repeats none', async () => {
    const root = path.join(work, 'log');
    fs.mkdirSync(root);
    const dir = path.join(root, 'db');
    (await Database.open(dir, { slices: 2, workers: 0 })).close();
    const N = 30;
    let db!: Database;
    let log!: ReturnType<typeof attachWorkloadLog>;
    const run = async (from: number, to: number) => {
      for (let i = from; i < to; i++) await db.query(`select ${i} as n`);
    };
    // small segments: rotations (seal, new segment) happen during the statements
    const options = { groupRecords: 1, syncIntervalMs: 0, segmentBytes: 3000, autoCompact: false as const, systemTables: false, warn: () => {} };
    // records each step leaves durable for certain once it returned
    const required = [0, 0, 10, 10, N, N, N];
    const steps: Step[] = [
      { name: 'open and run 10 statements', run: async () => ((db = await Database.open(dir, { create: false, workers: 0 })), (log = attachWorkloadLog(db, options)), run(0, 10)) },
      { name: 'sync', run: async () => log.sync() },
      { name: 'run 20 more', run: async () => run(10, N) },
      { name: 'close (seal)', run: async () => db.close() },
      { name: 'compact', run: async () => void new WorkloadStore(dir, { warn: () => {} }).compact() },
      { name: 'compact again', run: async () => void new WorkloadStore(dir, { warn: () => {} }).compact() },
    ];
    const { recording } = await record(root, steps, async () => '');
    const last = new Map<Model, number>();
    const { problems, states } = await crashCheck(recording, steps, async (replica, state) => {
      const got = await attempt(async () => {
        const ns = [...new WorkloadStore(path.join(replica, 'db'), { warn: () => {} }).records()].map((r) => Number(/^select (\d+) as n$/.exec(r.sql)?.[1] ?? NaN));
        return ns;
      });
      if (typeof got === 'string') return `reading the log failed: ${got}`;
      const n = got.length;
      const prefix = got.every((v, i) => v === i);
      const before = last.get(state.model) ?? 0;
      last.set(state.model, n);
      if (!prefix) return `the records are not a prefix of those run: ${got.join(',')}`;
      if (n < required[state.done]!) return `${n} records, but ${required[state.done]} were durable`;
      if (n < before) return `${n} records, fewer than the ${before} of an earlier crash point`;
      // a sealed log keeps no segment open (and the records in it are read as sealed)
      const raw = path.join(replica, 'db', 'workload', 'raw');
      const open = state.done >= 4 && fs.existsSync(raw) ? fs.readdirSync(raw).filter((f) => f.endsWith('.open')) : [];
      return open.length > 0 ? `segments still open after close: ${open.join(', ')}` : null;
    });
    expect(problems.slice(0, 8)).toEqual([]);
    expect(states).toBeGreaterThan(steps.length * 3);
  });
});
