/**
 * The per-input time limit. An input whose promise does not settle in time is
 * a hang (the event loop is free, so a timer sees it). An input that keeps the
 * thread busy (a loop that never ends) cannot be seen from this thread: a
 * watchdog thread watches a counter this thread bumps at every input and, when
 * one input has run past the limit plus a grace period, writes the input to
 * stderr (a line starting with HANG_MARK) and kills the process. Either way the
 * run fails with the input named.
 */
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';

export const HANG_MARK = 'KEEL_FUZZ_HANG ';
const INPUT_BYTES = 64 << 10;

const WATCHER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { state, input, limitMs, mark } = workerData;
const s = new Int32Array(state);
let seen = -1, since = Date.now();
setInterval(() => {
  const seq = Atomics.load(s, 0);
  if (Atomics.load(s, 1) === 0 || seq !== seen) { seen = seq; since = Date.now(); return; }
  if (Date.now() - since < limitMs) return;
  const n = Atomics.load(s, 2);
  const text = Buffer.from(input, 0, n).toString('utf8');
  fs.writeSync(2, mark + JSON.stringify({ seq, ms: Date.now() - since, input: text }) + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, 250);
`;

export class Watchdog {
  private readonly state = new Int32Array(new SharedArrayBuffer(12));
  private readonly input = new Uint8Array(new SharedArrayBuffer(INPUT_BYTES));
  private readonly worker: Worker;

  /** `limitMs`: how long one input may keep the thread busy before the process is killed. */
  constructor(readonly limitMs: number) {
    this.worker = new Worker(WATCHER, { eval: true, workerData: { state: this.state.buffer, input: this.input.buffer, limitMs, mark: HANG_MARK } });
    this.worker.unref();
  }

  /** Marks the start of an input (shown if it hangs). */
  begin(text: string): void {
    const bytes = Buffer.from(text.length > INPUT_BYTES ? text.slice(0, INPUT_BYTES) : text, 'utf8');
    const n = Math.min(bytes.length, INPUT_BYTES);
    this.input.set(bytes.subarray(0, n));
    Atomics.store(this.state, 2, n);
    Atomics.add(this.state, 0, 1);
    Atomics.store(this.state, 1, 1);
  }

  end(): void {
    Atomics.store(this.state, 1, 0);
    Atomics.add(this.state, 0, 1);
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** `p`, or 'timeout' when it has not settled after `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMEOUT), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
export const TIMEOUT = Symbol('timeout');

/** Writes a line to stderr at once (also from code about to be killed). */
export function say(line: string): void {
  fs.writeSync(2, line + '\n');
}
