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
