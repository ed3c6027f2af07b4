/**
 * A workload log that cannot be written (docs/workload-log.md: "a warning is
 * printed once and statements go on") on every path a write takes: the
 * statement's own append, the 100 ms group timer, a reader in the same process
 * (a system table), the process's exit handler, and close. None may throw into
 * the host application, and in particular the timer's write has no caller: a
 * throw there is an uncaught exception that ends the process.
 *
 * Tests run as root here, where chmod does not stop a write: a file where the
 * log's directory should be gives a real ENOTDIR; the read-only directory
 * (EACCES) is a child process run as an unprivileged user (as root it drops to
 * nobody; otherwise the chmod alone does it). The child-process tests run the
 * built package (`npm run build` first), as an application would.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Database as EngineDatabase } from '../../engine/index.js';
import { Database } from '../../index.js';
import { tempDir, warnings } from './helpers.js';

const CHILD = path.resolve(__dirname, '../fixtures/log-child.mjs');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) {
    for (const sub of [d, path.join(d, 'tables')]) if (fs.statSync(sub, { throwIfNoEntry: false })?.isDirectory()) fs.chmodSync(sub, 0o755);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

/** A data directory with no workload log in it yet, and a file where the log's directory goes. */
async function blockedLog(): Promise<string> {
  const dir = tempDir('unwritable');
  dirs.push(dir);
  (await EngineDatabase.open(dir, { slices: 1 })).close();
  fs.writeFileSync(path.join(dir, 'workload'), 'in the way');
  return dir;
}

/** Runs `fn` and returns what reached process 'uncaughtException' meanwhile (vitest would report it too, failing the run). */
async function uncaughtDuring(fn: () => Promise<void>): Promise<unknown[]> {
  const caught: unknown[] = [];
  const listener = (e: unknown) => caught.push(e);
  process.on('uncaughtException', listener);
  try {
    await fn();
  } finally {
    process.off('uncaughtException', listener);
  }
  return caught;
}

describe('an unwritable workload log in this process', () => {
  it('the group timer that cannot write warns once and throws nothing', async () => {
    const dir = await blockedLog();
    const w = warnings();
    const db = await Database.open(dir, { workloadLog: { warn: w.warn, groupMs: 20 } });
    const uncaught = await uncaughtDuring(async () => {
      await expect(db.query('select 1')).resolves.toMatchObject({ rowCount: 1 });
      // nothing but the timer writes the held record now
      await sleep(200);
      expect(w.messages).toEqual([`cannot record queries in ${dir}: ${dir}/workload is not a directory; statements go on unrecorded`]);
      await db.query('select 2');
      await sleep(200);
    });
    db.close();
    expect(uncaught).toEqual([]);
    expect(w.messages).toHaveLength(1);
  });

  it('a reader in this process (a system table) reads what is on disk instead of failing on the held records', async () => {
    const dir = await blockedLog();
    const w = warnings();
    const db = await Database.open(dir, { workloadLog: { warn: w.warn, groupMs: 60_000 } });
    await db.query('select 1');
    // the reader flushes the held record first; that write fails
    await expect(db.query('select count(*) from sys_query_history')).resolves.toMatchObject({ rowCount: 1 });
    expect(w.messages).toHaveLength(1);
    expect(w.messages[0]).toMatch(/^cannot record queries in .*: .*workload is not a directory/);
    db.close();
    expect(w.messages).toHaveLength(1);
  });
});

interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runChild(dir: string, mode: 'timer' | 'exit', user: { uid?: number; gid?: number } = {}): ChildRun {
  const r = spawnSync(process.execPath, [CHILD, dir, mode], { encoding: 'utf8', timeout: 60_000, ...user });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** One warning line, naming the directory, and no stack. */
function expectOneWarning(run: ChildRun, dir: string, problem: RegExp): void {
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`keel: warning: workload log: cannot record queries in ${dir}: `);
  expect(lines[0]).toMatch(problem);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

describe('an application whose data directory cannot take the log', () => {
  it('outlives the timed flush failing with ENOTDIR: one warning, exit 0', async () => {
    const dir = await blockedLog();
    const run = runChild(dir, 'timer');
    expect({ code: run.code, signal: run.signal, stdout: run.stdout }).toEqual({ code: 0, signal: null, stdout: 'alive\nclosed\n' });
    expectOneWarning(run, dir, /workload is not a directory; statements go on unrecorded$/);
  });

  it('exits cleanly when the exit handler cannot write the held records: one warning, no stack', async () => {
    const dir = await blockedLog();
    const run = runChild(dir, 'exit');
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: 'exiting\n' });
    expectOneWarning(run, dir, /workload is not a directory/);
  });

  it('outlives the timed flush failing with EACCES on a read-only data directory', async () => {
    const dir = tempDir('readonly');
    dirs.push(dir);
    const db = await EngineDatabase.open(dir, { slices: 1 });
    await db.execute('create table t (a int)');
    db.close();
    // root ignores the mode bits: the child then runs as nobody, for whom they hold
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    for (const d of [dir, path.join(dir, 'tables')]) fs.chmodSync(d, 0o555);
    const before = fs.readdirSync(dir).sort();
    const run = runChild(dir, 'timer', user);
    expect({ code: run.code, signal: run.signal, stdout: run.stdout }).toEqual({ code: 0, signal: null, stdout: 'alive\nclosed\n' });
    expectOneWarning(run, dir, /: permission denied \(EACCES: mkdir .*workload\/raw\); statements go on unrecorded$/);
    expect(fs.readdirSync(dir).sort()).toEqual(before);
  });
});
