/**
 * `--data` that cannot be a data directory, and a data directory the user
 * cannot write, are the user's environment, not keel's bugs: one line naming
 * the path and the problem, exit 1, no stack, and nothing changed. (Before,
 * they printed "internal error (please report)" with an ENOTDIR or EACCES
 * trace.)
 *
 * Tests run as root here, where chmod does not stop a write: the read-only
 * directory's commands run as nobody (as root) or as the user (otherwise, the
 * chmod alone does it). Runs the built CLI (`npm run build` first).
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { KEEL_BIN, runKeel, type KeelRun } from './helpers.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) {
    for (const sub of [d, path.join(d, 'wh'), path.join(d, 'wh', 'tables')]) {
      if (fs.statSync(sub, { throwIfNoEntry: false })?.isDirectory()) fs.chmodSync(sub, 0o755);
    }
    fs.rmSync(d, { recursive: true, force: true });
  }
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-paths-'));
  made.push(d);
  return d;
}

function listing(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

/** A user error: exit 1, the one line `expected` on stderr (no stack, no "internal error"), nothing on stdout. */
function expectCleanError(run: KeelRun, expected: string | RegExp): void {
  expect(run.stderr).not.toContain('internal error');
  expect(run.stderr).not.toMatch(/^\s+at /m);
  const lines = run.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('keel: warning: workload log:'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toEqual(typeof expected === 'string' ? expected : expect.stringMatching(expected));
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
}

describe('--data naming a file', () => {
  it('sql, load, log, init: "FILE is not a directory", the file untouched', () => {
    const cwd = tmp();
    fs.writeFileSync(path.join(cwd, 'notes.txt'), 'mine');
    fs.writeFileSync(path.join(cwd, 'rows.csv'), '1,2\n');
    expectCleanError(runKeel(['sql', '--data', 'notes.txt', 'select 1'], { cwd }), 'error: notes.txt is not a directory');
    expectCleanError(runKeel(['load', 't', 'rows.csv', '--data', 'notes.txt'], { cwd }), 'error: notes.txt is not a directory');
    expectCleanError(runKeel(['log', '--data', 'notes.txt'], { cwd }), 'error: notes.txt is not a directory');
    expectCleanError(runKeel(['init', '--data', 'notes.txt'], { cwd }), 'error: notes.txt exists and is not a directory');
    expect(fs.readFileSync(path.join(cwd, 'notes.txt'), 'utf8')).toBe('mine');
    expect(listing(cwd)).toEqual(['notes.txt', 'rows.csv']);
  });

  it('a data directory below a file: names the file, creates nothing', () => {
    const cwd = tmp();
    fs.writeFileSync(path.join(cwd, 'notes.txt'), 'mine');
    const expected = 'error: cannot create the data directory notes.txt/wh: notes.txt is not a directory';
    expectCleanError(runKeel(['sql', '--data', 'notes.txt/wh', 'create table t (a int)'], { cwd }), expected);
    expectCleanError(runKeel(['init', '--data', 'notes.txt/wh'], { cwd }), expected);
    expect(listing(cwd)).toEqual(['notes.txt']);
  });
});

describe('a read-only data directory', () => {
  // root ignores the mode bits: run as nobody, for whom they hold
  const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const keelAs = (args: readonly string[], cwd: string): KeelRun => {
    const r = spawnSync(process.execPath, [KEEL_BIN, ...args], { encoding: 'utf8', cwd, timeout: 60_000, ...user });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };

  /** cwd (readable by everyone) holding wh, a data directory with table t and one row, made read-only, and rows.csv. */
  function readOnly(): string {
    const cwd = tmp();
    fs.chmodSync(cwd, 0o755);
    const setup = runKeel(['sql', '--data', 'wh', 'create table t (a int, b int); insert into t values (1, 2)'], { cwd });
    expect(setup.code).toBe(0);
    fs.writeFileSync(path.join(cwd, 'rows.csv'), '3,4\n5,6\n');
    fs.chmodSync(path.join(cwd, 'rows.csv'), 0o644);
    // the workload directory too: the setup's own log is not what is tested
    fs.rmSync(path.join(cwd, 'wh', 'workload'), { recursive: true, force: true });
    for (const d of ['wh/tables', 'wh']) fs.chmodSync(path.join(cwd, d), 0o555);
    return cwd;
  }

  it('create table: "cannot change the data directory wh: permission denied", nothing changed', () => {
    const cwd = readOnly();
    const before = listing(path.join(cwd, 'wh'));
    const catalog = fs.readFileSync(path.join(cwd, 'wh', 'catalog.json'));
    const run = keelAs(['sql', '--data', 'wh', 'create table u (a int)'], cwd);
    expectCleanError(run, /^error: cannot change the data directory wh: permission denied \(EACCES: open wh\/write\.lock\.[^)]+\)$/);
    // the statement's record cannot be written either: one warning, naming the directory
    expect(run.stderr).toMatch(/^keel: warning: workload log: cannot record queries in wh: permission denied \(EACCES: mkdir wh\/workload\/raw\); statements go on unrecorded$/m);
    expect(listing(path.join(cwd, 'wh'))).toEqual(before);
    expect(fs.readFileSync(path.join(cwd, 'wh', 'catalog.json'))).toEqual(catalog);
  });

  it('load: the same, and the table keeps its rows', () => {
    const cwd = readOnly();
    const before = listing(path.join(cwd, 'wh'));
    const run = keelAs(['load', 't', 'rows.csv', '--data', 'wh'], cwd);
    expectCleanError(run, /^error: cannot change the data directory wh: permission denied \(EACCES: open wh\/write\.lock\.[^)]+\)$/);
    expect(listing(path.join(cwd, 'wh'))).toEqual(before);
    const count = keelAs(['sql', '--data', 'wh', '--json', 'select count(*) as n from t'], cwd);
    expect(count.code).toBe(0);
    expect(JSON.parse(count.stdout).rows).toEqual([[1]]);
  });

  it('init under a directory the user cannot write: names the path, creates nothing', () => {
    const cwd = readOnly();
    const run = keelAs(['init', '--data', 'wh/sub'], cwd);
    expectCleanError(run, 'error: cannot create the data directory wh/sub: permission denied (EACCES: mkdir wh/sub/tables)');
    expect(fs.existsSync(path.join(cwd, 'wh', 'sub'))).toBe(false);
  });
});
