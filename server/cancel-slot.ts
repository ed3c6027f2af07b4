/**
 * A connection's cancel flag, shared with the server's network thread
 * (net-thread.ts). Statements run on the server's thread, which a serial
 * query keeps busy until it ends; the network thread reads a CancelRequest
 * meanwhile and sets this flag, which the engine checks at every batch
 * (engine/exec/cancel.ts). One flag serves all of a connection's statements,
 * so the network thread learns of it once, at login, and never per statement.
 *
 * Layout: elements 0 to 3 are the engine's cancel flag (newCancelFlag: set,
 * why, deadline); element RUNNING is 1 while a statement call runs. The
 * network thread sets element 0 only while RUNNING is 1, so a cancel request
 * that arrives between statements cancels nothing, as PostgreSQL's does.
 */

/** The element that says a statement call is running; the network thread is told this index (it cannot import). */
export const RUNNING = 4;

export function newCancelSlot(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (RUNNING + 1)));
}

/** A statement call starts: the flag is cleared (a cancel or timeout of the call before is forgotten), then marked running. */
export function beginRun(slot: Int32Array): void {
  for (let i = 0; i < RUNNING; i++) Atomics.store(slot, i, 0);
  Atomics.store(slot, RUNNING, 1);
}

/** The call has ended: a cancel request from now on finds nothing to cancel. */
export function endRun(slot: Int32Array): void {
  Atomics.store(slot, RUNNING, 0);
}
