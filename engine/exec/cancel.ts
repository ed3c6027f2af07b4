/**
 * Cancelling a running statement (docs/execution.md, "Cancelling"). A query's
 * threads all read one flag in shared memory, per batch: the calling thread's
 * executor, and the worker threads its fragments run on (the flag travels with
 * each task). Setting it (from any thread, or from an AbortSignal's listener)
 * stops the query at the next batch any of them produces, with an ExecError
 * CANCELLED. No check is per row.
 *
 * A flag made by newCancelFlag also carries the running statement's
 * statement_timeout as a deadline (wall-clock ms, which every thread reads
 * alike): the per-batch check compares it with the clock, so a statement that
 * keeps its thread busy, and so keeps that thread's timers from firing, still
 * stops at its next batch once its time is up. A timer set with the deadline
 * (armDeadline) covers the time the statement spends awaiting (a queue, worker
 * threads, a client's COPY data).
 */
import { ExecError } from '../errors.js';

/**
 * An Int32Array over a SharedArrayBuffer: [0] is 0 while the statement may run,
 * nonzero once it is cancelled. Flags of newCancelFlag have three more
 * elements: [1] why ([CANCEL_TIMEOUT] once the deadline passed), [2] and [3]
 * the deadline in ms since the epoch as millions and the rest (0 and 0: none).
 * A caller's own one-element flag cancels as well, but carries no deadline.
 */
export type CancelFlag = Int32Array;

const TIMED_OUT = 1;
const MILLION = 1_000_000;

export function newCancelFlag(): CancelFlag {
  return new Int32Array(new SharedArrayBuffer(16));
}

/** Sets the flag; safe from any thread. */
export function setCancelled(flag: CancelFlag): void {
  Atomics.store(flag, 0, 1);
}

export function isCancelled(flag: CancelFlag | null | undefined): boolean {
  return flag != null && Atomics.load(flag, 0) !== 0;
}

export function cancelledError(): ExecError {
  return new ExecError('CANCELLED', 'statement cancelled');
}

/** PostgreSQL's message for a statement its statement_timeout stopped (SQLSTATE 57014, as any cancel). */
export function timeoutError(): ExecError {
  return new ExecError('CANCELLED', 'canceling statement due to statement timeout');
}

/** The error a cancelled flag stands for: the timeout's when its deadline is what set it. */
export function cancelledErrorOf(flag: CancelFlag): ExecError {
  return flag.length >= 4 && Atomics.load(flag, 1) === TIMED_OUT ? timeoutError() : cancelledError();
}

/** Throws once the flag is set, or once its deadline has passed (setting it, so the statement's other threads stop too). Per batch, never per row. */
export function throwIfCancelled(flag: CancelFlag | null | undefined): void {
  if (flag == null) return;
  if (Atomics.load(flag, 0) !== 0) throw cancelledErrorOf(flag);
  if (flag.length >= 4) {
    const millions = Atomics.load(flag, 2);
    if (millions !== 0 && Date.now() >= millions * MILLION + Atomics.load(flag, 3)) {
      timeOut(flag);
      throw timeoutError();
    }
  }
}

function timeOut(flag: CancelFlag): void {
  if (flag.length >= 4) Atomics.store(flag, 1, TIMED_OUT);
  Atomics.store(flag, 0, 1);
}

/** Whether the flag was set because its deadline passed. */
export function timedOut(flag: CancelFlag | null | undefined): boolean {
  return flag != null && flag.length >= 4 && Atomics.load(flag, 0) !== 0 && Atomics.load(flag, 1) === TIMED_OUT;
}

/**
 * Gives the statement `ms` from now (ms > 0): the per-batch checks stop it
 * after that, and so does a timer while its thread awaits. The returned
 * function disarms both (call it when the statement ends, whatever the outcome).
 */
export function armDeadline(flag: CancelFlag, ms: number): () => void {
  if (flag.length >= 4) {
    const at = Date.now() + ms;
    const millions = Math.floor(at / MILLION);
    Atomics.store(flag, 3, at - millions * MILLION);
    Atomics.store(flag, 2, millions);
  }
  const timer = setTimeout(() => timeOut(flag), ms);
  timer.unref();
  return () => {
    clearTimeout(timer);
    if (flag.length >= 4) Atomics.store(flag, 2, 0);
  };
}

/** Whether `flag` is a usable cancel flag: an Int32Array over shared memory, so other threads see it set. */
export function isCancelFlag(flag: unknown): flag is CancelFlag {
  return flag instanceof Int32Array && flag.length >= 1 && flag.buffer instanceof SharedArrayBuffer;
}
