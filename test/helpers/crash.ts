/**
 * Crash tests' child runner: test/fixtures/crash-child.mjs runs one change on
 * a data directory (from dist/, so `npm run build` first) and is SIGKILLed
 * `delayMs` after it opened the directory.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

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
