/**
 * Per-thread CPU accounting of a statement's execution (KEEL_THREAD_CPU=1;
 * docs/execution.md, "Where parallel execution's time goes"). On a machine
 * shared with other work wall time says little about how well slices run in
 * parallel; CPU time per thread does: what the calling thread did alone, what
 * it did while workers ran tasks, and what each worker did.
 *
 * Node 20 has no per-thread CPU clock (process.cpuUsage counts every thread of
 * the process), so this reads Linux's /proc/thread-self/schedstat, whose first
 * field is the thread's time on CPU in nanoseconds. Elsewhere the clock reads
 * NaN and statements carry no accounting.
 */
import * as fs from 'node:fs';
import type { ThreadCpu } from '../result.js';

/** Whether statements account their threads' CPU time (read once: it is a measurement switch, not a setting). */
export const threadCpuOn = process.env.KEEL_THREAD_CPU === '1';

/** This thread's CPU time so far, in ms; NaN where the system does not tell. */
export function threadCpuMs(): number {
  try {
    const s = fs.readFileSync('/proc/thread-self/schedstat', 'latin1');
    return Number(s.slice(0, s.indexOf(' '))) / 1e6;
  } catch {
    return NaN;
  }
}

/**
 * One statement's accounting, kept on the calling thread. Execution is a
 * sequence of phases: the calling thread alone (fragments run inline,
 * exchange routing, the top fragment), and parallel phases in which it and
 * the workers run one exchange's slices. A parallel phase lasts, on cores
 * with nothing else to do, about as long as its busiest thread's CPU time;
 * the critical path is the sum of those and of the calling thread's time
 * alone. (An estimate from below: a thread idle while waiting for work, as a
 * worker whose result waits for the calling thread to finish a task of its
 * own, adds to the real length.)
 */
export class ThreadCpuAccount {
  private readonly start = threadCpuMs();
  private inPhases = 0;
  private phasesCritical = 0;
  private workers = 0;
  private tasks = 0;

  /**
   * A parallel phase: the calling thread's CPU time in it, and each worker
   * thread's (by thread id) on the phase's tasks.
   */
  phase(callingMs: number, workerMs: ReadonlyMap<number, number>, tasks: number): void {
    let busiest = callingMs;
    for (const ms of workerMs.values()) {
      this.workers += ms;
      busiest = Math.max(busiest, ms);
    }
    this.inPhases += callingMs;
    this.phasesCritical += busiest;
    this.tasks += tasks;
  }

  finish(): ThreadCpu | null {
    const callingMs = threadCpuMs() - this.start;
    if (Number.isNaN(callingMs)) return null;
    const serialMs = callingMs - this.inPhases;
    return { callingMs, serialMs, workersMs: this.workers, workerTasks: this.tasks, criticalMs: serialMs + this.phasesCritical };
  }
}
