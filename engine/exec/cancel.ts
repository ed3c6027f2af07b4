/**
 * Cancelling a running statement (docs/execution.md, "Cancelling"). A query's
 * threads all read one flag in shared memory, per batch: the calling thread's
 * executor, and the worker threads its fragments run on (the flag travels with
 * each task). Setting it (from any thread, or from an AbortSignal's listener)
 * stops the query at the next batch any of them produces, with an ExecError
 * CANCELLED. No check is per row.
 */
import { ExecError } from '../errors.js';

/** An Int32Array over a SharedArrayBuffer: 0 while the statement may run, nonzero once it is cancelled. */
export type CancelFlag = Int32Array;

export function newCancelFlag(): CancelFlag {
  return new Int32Array(new SharedArrayBuffer(4));
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

export function throwIfCancelled(flag: CancelFlag | null | undefined): void {
  if (flag != null && Atomics.load(flag, 0) !== 0) throw cancelledError();
}

/** Whether `flag` is a usable cancel flag: an Int32Array over shared memory, so other threads see it set. */
export function isCancelFlag(flag: unknown): flag is CancelFlag {
  return flag instanceof Int32Array && flag.length >= 1 && flag.buffer instanceof SharedArrayBuffer;
}
