/**
 * Crash tests' child runner: test/fixtures/crash-child.mjs runs one change on
 * a data directory (from dist/, so `npm run build` first) and is SIGKILLed
 * `delayMs` after it opened the directory. Also the trial counts, the kill
 * points and the kill-and-reopen loop that the crash tests share.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { Database } from '../../engine/index.js';
import { rng } from './random.js';

const CHILD = path.resolve(__dirname, '../fixtures/crash-child.mjs');

/** Runs the child and kills it `delayMs` after it opened the directory (or lets it finish when it is faster). */
export function runAndKill(args: string[], delayMs: number): Promise<{ outcome: 'killed' | 'finished'; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    let started = 0;
    child.stdout.on('data', (d) => {
      out += d;
      // the clock starts when the child has opened the directory, so kills land inside the change
      if (timer === undefined && out.includes('started')) {
        started = performance.now();
        timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      const ms = performance.now() - started;
      if (signal === 'SIGKILL') resolve({ outcome: 'killed', ms });
      else if (code === 0 && out.includes('done')) resolve({ outcome: 'finished', ms });
      else reject(new Error(`child failed (${code}): ${err}`));
    });
  });
}

const WARM_CHILD = path.resolve(__dirname, '../fixtures/warm-crash-child.mjs');

/** A child (test/fixtures/warm-crash-child.mjs) that has loaded the engine and waits for its script. */
export interface WarmChild {
  /** Runs `sql` on `dir` and kills the child `delayMs` after it opened the directory (or lets it finish). */
  run(dir: string, sql: string, delayMs: number): Promise<{ outcome: 'killed' | 'finished'; ms: number }>;
  /** Ends a child that will not be used. */
  kill(): void;
}

/** Spawns a warm child now, so that its start overlaps whatever runs before its trial. */
export function warmChild(): WarmChild {
  const child = spawn(process.execPath, [WARM_CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onOut = (): void => {};
  child.stdout.on('data', (d) => {
    out += d;
    onOut();
  });
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    async run(dir, sql, delayMs) {
      let timer: NodeJS.Timeout | undefined;
      let started = 0;
      onOut = () => {
        if (timer === undefined && out.includes('started')) {
          started = performance.now();
          timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      };
      child.stdin.write(`${dir}\t${JSON.stringify(sql)}\n`);
      onOut();
      const { code, signal } = await exited;
      if (timer) clearTimeout(timer);
      const ms = performance.now() - started;
      if (signal === 'SIGKILL') return { outcome: 'killed', ms };
      if (code === 0 && out.includes('done')) return { outcome: 'finished', ms };
      throw new Error(`child failed (${code}): ${err}`);
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

/**
 * How many trials a crash test runs: KEEL_CRASH_TRIALS when set (every crash
 * test then runs that many), `thorough` under KEEL_SLOW=1, else `ci`. The CI
 * count is small because the kill points are spread over the change's whole
 * duration (killPoints), not left to chance.
 */
export function crashTrials(ci: number, thorough: number): number {
  const n = Number(process.env.KEEL_CRASH_TRIALS);
  if (Number.isInteger(n) && n > 0) return n;
  return process.env.KEEL_SLOW === '1' ? thorough : ci;
}

/**
 * Kill points as fractions of a change's duration, one per trial, spread over
 * [0, span): trial i lands at a seeded random place in the i-th of `trials`
 * equal slices, so even a handful of trials reaches the opening, the middle
 * and the commit of the change, and the same seed gives the same points.
 */
export function killPoints(trials: number, seed: number, span = 1.1): number[] {
  const random = rng(seed);
  return Array.from({ length: trials }, (_, i) => ((i + random()) / trials) * span);
}

/** A table's row count and a checksum of its contents: what "as before" and "fully after" compare. */
export interface RowsAndChecksum {
  rows: number;
  checksum: string;
}

/**
 * The row count of table t in `dir`, and a hash of `groupsSql`'s rows: per
 * group a count and sums of the columns, so a row lost, doubled or changed
 * changes it.
 */
export async function rowsAndChecksum(dir: string, groupsSql: string): Promise<RowsAndChecksum> {
  const db = await Database.open(dir, { create: false, workers: 0 });
  try {
    const r = await db.query('select count(*) from t');
    const groups = await db.query(groupsSql);
    return { rows: Number(r.rows()[0]![0]), checksum: createHash('sha256').update(JSON.stringify(groups.textRows())).digest('hex') };
  } finally {
    db.close();
  }
}

/** What killAndReopen needs to know of one change. */
export interface KillAndReopen<S> {
  /** Each trial starts from a copy of this directory. */
  readonly template: string;
  /** Where the trials run (replaced by a fresh copy of `template` before each). */
  readonly dir: string;
  /** The change the child runs. */
  readonly sql: string;
  readonly trials: number;
  readonly seed: number;
  /** What "as before" and "fully after" compare. */
  state(dir: string): Promise<S>;
  /** Checks the undisturbed run: what it changed and what it left. */
  checkFinished(before: S, after: S, dir: string): Promise<void> | void;
  /** After a trial found `now` (`before` or `after`): the next writer opens the directory and proves it usable. */
  reopen(dir: string, states: { readonly now: S; readonly before: S; readonly after: S }): Promise<void>;
}

/**
 * The kill-and-reopen loop of the crash tests: one undisturbed run learns the
 * states before and after the change and its duration; then each trial runs
 * the change on a fresh copy, SIGKILLs it at its kill point, and requires the
 * directory to hold exactly the state before or exactly the state after, and
 * to be usable by the next writer. Most kills must land inside the change.
 */
export async function killAndReopen<S>(spec: KillAndReopen<S>): Promise<void> {
  const { template, dir, sql, trials } = spec;
  const fresh = (): void => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(template, dir, { recursive: true });
  };
  fresh();
  const before = await spec.state(dir);
  const run = await runAndKill([dir, 'sql', sql], 60_000);
  expect(run.outcome).toBe('finished');
  const after = await spec.state(dir);
  await spec.checkFinished(before, after, dir);
  let runMs = run.ms;
  let killed = 0;
  for (const point of killPoints(trials, spec.seed)) {
    fresh();
    const delay = Math.floor(point * runMs);
    const { outcome, ms } = await runAndKill([dir, 'sql', sql], delay);
    // a run that finished says how long one takes now (the machine's load changes): later kills aim by it
    if (outcome === 'finished') runMs = ms;
    if (outcome === 'killed') killed++;
    const now = await spec.state(dir);
    expect([before, after], `killed at ${delay} ms`).toContainEqual(now);
    await spec.reopen(dir, { now, before, after });
  }
  // kills before 110% of a run's duration: most land inside it
  expect(killed).toBeGreaterThanOrEqual(trials / 2);
}
