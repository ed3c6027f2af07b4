/**
 * Paces a background build (online rewrite, VACUUM): it yields to the event
 * loop after every step so queries in this process go on, sleeps to hold a
 * byte rate, sleeps while told to pause (high load), and stops on abort.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { StorageError } from '../errors.js';

/** How often a paused build asks again. */
const PAUSE_POLL_MS = 200;

/** Paces a build: yields after every step, sleeps to hold the byte rate, stops on abort. */
export class Pacer {
  /** When the build started, moved later by the time it spent paused. */
  private start = performance.now();

  constructor(
    private readonly rate: number | undefined,
    private readonly signal: AbortSignal | undefined,
    private readonly aborted: () => StorageError,
    private readonly pauseWhile: (() => boolean) | undefined,
  ) {}

  check(): void {
    if (this.signal?.aborted) throw this.aborted();
  }

  private async sleep(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, this.signal ? { signal: this.signal } : undefined);
    } catch {
      throw this.aborted();
    }
  }

  async pace(bytesWritten: number): Promise<void> {
    this.check();
    while (this.pauseWhile?.()) {
      const t = performance.now();
      await this.sleep(PAUSE_POLL_MS);
      this.start += performance.now() - t;
    }
    const wait = this.rate ? this.start + (bytesWritten / this.rate) * 1000 - performance.now() : 0;
    if (wait >= 1) await this.sleep(wait);
    else await yieldToLoop();
    this.check();
  }
}
