/**
 * `keel sql` survives a query that fails on a worker thread (a damaged
 * segment file read by a fragment on the worker pool): the error is printed
 * once, as a user error without a stack, and the interactive prompt goes on to
 * the next statement. Runs the built keel (bin/keel.js; `npm run build` first)
 * with two workers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../engine/index.js';
import { SegmentReader } from '../../engine/storage/segment.js';
import { KEEL_BIN, type KeelRun } from './helpers.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-worker-failures-'));
const data = path.join(work, 'data');
/** Above PARALLEL_MIN_ROWS (engine/exec/parallel.ts), so the scans go to the workers. */
const ROWS = 240_000;
/** Makes standard input look like a terminal, so `keel sql` with no statement opens its interactive prompt on piped input. */
const asTerminal = path.join(work, 'as-terminal.cjs');
let damaged: string[] = [];

/** Runs keel with two worker threads, `input` on standard input; with `terminal`, the prompt reads it. */
function keel(args: readonly string[], input: string, terminal = false): KeelRun {
  const node = terminal ? ['--require', asTerminal] : [];
  const r = spawnSync(process.execPath, [...node, KEEL_BIN, ...args], { encoding: 'utf8', cwd: work, input, timeout: 120_000, env: { ...process.env, KEEL_WORKERS: '2' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('internal error');
  expect(stderr).not.toContain('Unhandled');
}

beforeAll(async () => {
  fs.writeFileSync(asTerminal, 'process.stdin.isTTY = true;\n');
  const csv = path.join(work, 'rows.csv');
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},note ${i % 9973},${1990 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`);
  fs.writeFileSync(csv, lines.join('\n') + '\n');
  expect(keel(['init', '--data', data, '--slices', '4'], '').code).toBe(0);
  const created = keel(['sql', '--data', data, 'create table t (id integer, note varchar(40), d date) diststyle even; create table intact (id integer, note varchar(40), d date) diststyle even'], '');
  expect(created.stderr).toBe('');
  for (const t of ['t', 'intact']) expect(keel(['load', t, csv, '--data', data], '').code).toBe(0);
  // one byte flipped in the first block of column `note` in two of the four segment files of t
  const db = await Database.open(data);
  try {
    const meta = db.catalog().tables.t!;
    for (const s of meta.segments.filter((seg) => seg.slice === 0 || seg.slice === 3)) {
      const file = db.store.segmentPath(meta, s.file);
      const reader = SegmentReader.open(file);
      const block = reader.footer.columns.find((c) => c.name === 'note')!.blocks[0]!;
      reader.close();
      const fd = fs.openSync(file, 'r+');
      const b = Buffer.alloc(1);
      fs.readSync(fd, b, 0, 1, block.offset + Math.floor(block.length / 2));
      b[0] = b[0]! ^ 0x5a;
      fs.writeSync(fd, b, 0, 1, block.offset + Math.floor(block.length / 2));
      fs.closeSync(fd);
      damaged.push(file);
    }
  } finally {
    db.close();
  }
  expect(damaged).toHaveLength(2);
}, 180_000);

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
  damaged = [];
});

const FAILING = 'select count(distinct note), max(d) from t;';
const GOOD = 'select count(*) as n, max(d) as last from intact;';

function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('error:'));
}

describe('keel sql and a failure on a worker thread', () => {
  it('the interactive prompt prints the error once, without a stack, and runs the next statements', () => {
    const r = keel(['sql', '--data', data], [FAILING, GOOD, 'select id % 3 as k, max(note) from t group by id % 3;', GOOD, '\\q'].join('\n') + '\n', true);
    noStack(r.stderr);
    expect(r.code).toBe(0);
    // the prompt opened
    expect(r.stdout).toContain('keel>');
    const errors = errorLines(r.stderr);
    expect(errors).toHaveLength(2);
    for (const e of errors) {
      expect(e).toMatch(/damaged/);
      expect(damaged.some((f) => e.includes(f)), e).toBe(true);
    }
    // both queries on the intact table answered
    expect(r.stdout.match(/\b240000\b/g)).toHaveLength(2);
  });

  it('statements piped in as a script: the error, once and without a stack, exit 1; the next run answers', () => {
    const r = keel(['sql', '--data', data], `${FAILING}\n${GOOD}\n`);
    noStack(r.stderr);
    expect(r.code).toBe(1);
    const errors = errorLines(r.stderr);
    expect(errors).toHaveLength(1);
    expect(damaged.some((f) => errors[0]!.includes(f)), errors[0]).toBe(true);
    const next = keel(['sql', '--data', data, '--json'], `${GOOD}\n`);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout).rows).toEqual([[ROWS, '2019-09-19']]);
  });
});
