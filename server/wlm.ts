/**
 * Workload management: one queue in front of the statements of every
 * connection, with a fixed number of slots (Redshift's WLM query slots).
 * A statement holds a slot from its start to its end, across every await in
 * between: queries run on the server's thread and interleave at their awaits
 * (docs/server.md, "Concurrent clients"), so "running" means started and not
 * yet ended, not "on the CPU". A statement that finds no free slot waits.
 *
 * Short query acceleration: a statement `isShort` says is short (the cost
 * model learned from the log predicts it short, or the rule used before
 * there is a model: advisor/cost-model/short-query.ts) waits in a lane of its
 * own that is served first; each lane is first in, first out. A long statement
 * can therefore wait while short ones keep arriving; short ones are, by their
 * prediction, soon done.
 *
 * Some statements never wait (and take no slot): those that read no table's
 * rows (SET, SHOW, BEGIN, COMMIT, ROLLBACK, DESCRIBE, EXPLAIN, views' and
 * users' DDL), which drivers send at connect and which end transactions; and
 * every statement of a transaction block that has written: it holds the
 * writer lock (docs/sql.md, "Transactions") until it ends, which a queued
 * statement holding a slot may wait for: making the block wait for a slot
 * would stall both until the lock wait gives up.
 *
 * A waiting statement whose signal aborts (a cancel request, its statement
 * timeout, its client gone) leaves the queue at once and fails with
 * CANCELLED; it never takes a slot.
 */
import { ExecError, type Admission, type AdmitRequest } from '../engine/index.js';

export interface WlmOptions {
  /** Statements running at once, at most (at least 1). */
  readonly slots: number;
  /** Whether a statement is predicted short: it jumps ahead of the long ones waiting. */
  readonly isShort: (statement: AdmitRequest) => boolean;
}

/** Statement kinds (sql/ast.ts) that read no table's rows: they never wait. */
const READ_NOTHING: ReadonlySet<string> = new Set(['set', 'show', 'showTables', 'describe', 'transaction', 'ignored', 'explain', 'createUser', 'alterUser', 'dropUser', 'grant', 'createView', 'dropView']);

/** Whether a statement goes past the queue (module comment). */
export function bypassesQueue(statement: Pick<AdmitRequest, 'kind' | 'holdsWriteLock'>): boolean {
  return statement.holdsWriteLock || READ_NOTHING.has(statement.kind);
}

/** What a statement that goes past the queue holds: nothing. */
const NO_SLOT: Admission = { release: () => {} };

interface Waiter {
  readonly grant: (a: Admission) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

export class WorkloadQueue {
  private running = 0;
  private readonly short: Waiter[] = [];
  private readonly long: Waiter[] = [];

  constructor(private readonly options: WlmOptions) {
    if (!Number.isInteger(options.slots) || options.slots < 1) throw new RangeError(`workload management needs at least one slot, got ${options.slots}`);
  }

  /** Statements holding a slot now. */
  get runningCount(): number {
    return this.running;
  }

  /** Statements waiting for a slot now, short and long. */
  get waiting(): { readonly short: number; readonly long: number } {
    return { short: this.short.length, long: this.long.length };
  }

  /** Resolves with a slot (release it when the statement ends); rejects with CANCELLED once `signal` aborts while waiting. */
  admit(statement: AdmitRequest, signal: AbortSignal): Promise<Admission> {
    if (signal.aborted) return Promise.reject(cancelled());
    if (bypassesQueue(statement)) return Promise.resolve(NO_SLOT);
    // a free slot goes to whoever asks only when no one waits: the waiting ones were first
    if (this.running < this.options.slots && this.short.length === 0 && this.long.length === 0) return Promise.resolve(this.take());
    const lane = this.options.isShort(statement) ? this.short : this.long;
    return new Promise<Admission>((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        signal,
        onAbort: () => {
          const at = lane.indexOf(waiter);
          if (at >= 0) lane.splice(at, 1);
          reject(cancelled());
        },
      };
      lane.push(waiter);
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    });
  }

  private take(): Admission {
    this.running++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.running--;
        this.next();
      },
    };
  }

  /** Hands free slots to the waiting statements: the short lane first. */
  private next(): void {
    while (this.running < this.options.slots) {
      const w = this.short.shift() ?? this.long.shift();
      if (!w) return;
      w.signal.removeEventListener('abort', w.onAbort);
      w.grant(this.take());
    }
  }
}

function cancelled(): ExecError {
  return new ExecError('CANCELLED', 'statement cancelled while waiting in the workload-management queue');
}
