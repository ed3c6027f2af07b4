/**
 * How `keel` fails, as a script sees it (issue "Never crash, never lie",
 * points 13 and 14): with --json, a JSON error object on standard output and
 * exit 1, for every command; Ctrl-C during a load says nothing was loaded,
 * leaves the data directory as it was and exits 130. Runs the built CLI
 * (`npm run build` first); terminal-only behaviour is in errors.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KEEL_BIN, runKeel } from './helpers.js';

let work: string;
const keel = (args: string[], input?: string) => runKeel(args, { cwd: work, ...(input === undefined ? {} : { input }) });

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-err-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('--json failures', () => {
  const expectJsonError = (r: { code: number; stdout: string }, code: string, exit = 1) => {
    expect(r.code).toBe(exit);
    const lines = r.stdout.trim().split('\n');
    const j = JSON.parse(lines[lines.length - 1]!);
    expect(j.error.code).toBe(code);
    expect(typeof j.error.message).toBe('string');
    return j.error;
  };

  it('print {"error": {code, message, line, column}} on standard output and exit 1, for every command', () => {
    const data = path.join(work, 'errors');
    expect(keel(['sql', '--data', data, 'create table t (a int not null, d date)']).code).toBe(0);
    // a position: line and column
    expect(expectJsonError(keel(['sql', '--data', data, '--json', 'select 1;\nselect nope from t']), 'UNKNOWN_COLUMN')).toMatchObject({ line: 2, column: 8 });
    // no position: no line or column
    const div = expectJsonError(keel(['sql', '--data', data, '--json', 'select 1/0']), 'DIVISION_BY_ZERO');
    expect(Object.keys(div).sort()).toEqual(['code', 'message']);
    const bad = path.join(work, 'bad.csv');
    fs.writeFileSync(bad, '1,2020-01-01\n2,2020-13-01\n');
    expect(expectJsonError(keel(['load', '--data', data, '--json', 't', bad]), 'LOAD_VALUE')).toMatchObject({ file: bad, line: 2, field: 'd' });
    const missing = path.join(work, 'no-such-dir');
    expectJsonError(keel(['log', '--data', missing, '--json']), 'NOT_A_DATA_DIR');
    expectJsonError(keel(['log', 'history', '--data', missing, '--json']), 'NOT_A_DATA_DIR');
    expectJsonError(keel(['advisor', 'list', '--data', missing, '--json']), 'NOT_A_DATA_DIR');
    expectJsonError(keel(['replay', path.join(work, 'none.jsonl'), '--data', data, '--json']), 'USAGE');
    expectJsonError(keel(['init', '--data', data, '--json']), 'DUPLICATE_OBJECT');
    expectJsonError(keel(['gen', 'tpch', '--data', data, '--sf', 'lots', '--json']), 'USAGE');
    // commander's own errors too (its text stays on standard error)
    const flag = keel(['sql', '--data', data, '--json', '--nope']);
    expect(expectJsonError(flag, 'USAGE').message).toContain('--nope');
    expect(flag.stderr).toContain('--nope');
  });

  it('a replay stopped at its first error carries the error object in its summary', () => {
    const data = path.join(work, 'errors');
    const trace = path.join(work, 'stop.jsonl');
    fs.writeFileSync(trace, [JSON.stringify({ ts: 0, sql: 'select 1' }), JSON.stringify({ ts: 1, sql: 'select nope from t' })].join('\n') + '\n');
    const r = keel(['replay', trace, '--data', data, '--json', '--stop-on-error']);
    const e = expectJsonError(r, 'UNKNOWN_COLUMN');
    expect(e.message).toContain(`${trace}:2`);
    expect(JSON.parse(r.stdout).stopped).toBe(true);
  });
});

/** Every file under `dir` with its size and content hash. */
function snapshot(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((f) => {
      const p = path.join(dir, f);
      const st = fs.statSync(p);
      return st.isDirectory() ? `${f}/` : `${f} ${st.size} ${createHash('sha1').update(fs.readFileSync(p)).digest('hex')}`;
    });
}

describe('Ctrl-C during keel load', () => {
  it('says nothing was loaded, leaves the data directory as it was, and exits 130', async () => {
    const data = path.join(work, 'interrupt');
    expect(keel(['sql', '--data', data, 'create table big (a int, b int, s varchar(20)) diststyle even']).code).toBe(0);
    const file = path.join(work, 'big.csv');
    const fd = fs.openSync(file, 'w');
    let buf = '';
    for (let i = 0; i < 1_500_000; i++) {
      buf += `${i},${i % 97},name${i}\n`;
      if (buf.length > 1 << 20) {
        fs.writeSync(fd, buf);
        buf = '';
      }
    }
    fs.writeSync(fd, buf);
    fs.closeSync(fd);
    const before = snapshot(data);
    const child = spawn(process.execPath, [KEEL_BIN, 'load', '--data', data, 'big', file], { cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // the load is under way once it holds the writer lock; let it read some batches
    const lock = path.join(data, 'write.lock');
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(lock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(lock)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('interrupted: nothing was loaded into big');
    expect(stdout).toBe('');
    expect(snapshot(data)).toEqual(before);
    expect(JSON.parse(keel(['sql', '--data', data, '--json', 'select count(*) from big']).stdout).rows).toEqual([[0]]);
  });
});
