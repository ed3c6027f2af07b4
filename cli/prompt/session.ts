/**
 * The main thread's side of the prompt's session (session-worker.ts): opens
 * the database on the session thread, runs statements there one at a time,
 * and cancels the running one from here, through its cancel flag in shared
 * memory, while that thread is busy running it.
 */
import { Worker } from 'node:worker_threads';
import { newCancelFlag } from '../../engine/index.js';
import { fromWire, type DatabaseInfo, type Reply, type Request, type WireResult } from './wire.js';

interface Pending {
  readonly onResult?: (r: WireResult) => void;
  readonly resolve: (r: Extract<Reply, { type: 'done' }>) => void;
  readonly reject: (e: Error) => void;
}

export class Session {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The cancel flag of the statement running now, if any. */
  private running: Int32Array | null = null;
  private exited = false;

  private constructor(
    private readonly worker: Worker,
    readonly dir: string,
  ) {
    worker.on('message', (r: Reply) => this.receive(r));
    worker.on('error', (e) => this.fail(new Error(`the session thread failed: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => {
      this.exited = true;
      this.fail(new Error(`the session thread exited (code ${code})`));
    });
  }

  /** Opens the data directory on a new session thread; rejects with the error opening it gave. */
  static open(data: string, memoryLimit?: number): Promise<Session> {
    const worker = new Worker(new URL('./session-worker.js', import.meta.url), { workerData: { data, memoryLimit } });
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        worker.off('message', onMessage);
        f();
      };
      // stays attached: an 'error' event with no listener would end the process
      worker.on('error', (e) => settle(() => reject(e)));
      worker.once('exit', (code) => settle(() => reject(new Error(`the session thread exited (code ${code}) before it opened the database`))));
      const onMessage = (r: Reply) => {
        if (r.type === 'open') settle(() => resolve(new Session(worker, r.dir)));
        else if (r.type === 'error') settle(() => reject(fromWire(r.error)));
      };
      worker.on('message', onMessage);
    });
  }

  /** Whether the session thread is gone (it failed); a new session is needed. */
  get dead(): boolean {
    return this.exited;
  }

  /** Whether a statement is running. */
  get busy(): boolean {
    return this.running !== null;
  }

  private receive(r: Reply): void {
    if (r.type === 'open') return;
    const p = this.pending.get(r.id);
    if (!p) return;
    if (r.type === 'result') {
      p.onResult?.(r.result);
      return;
    }
    this.pending.delete(r.id);
    if (r.type === 'done') p.resolve(r);
    else p.reject(fromWire(r.error));
  }

  private fail(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.running = null;
  }

  private request(make: (id: number) => Request, onResult?: (r: WireResult) => void): Promise<Extract<Reply, { type: 'done' }>> {
    if (this.exited) return Promise.reject(new Error('the session thread is gone'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { onResult, resolve, reject });
      this.worker.postMessage(make(id));
    });
  }

  /** Runs a script: each statement's result goes to onResult as it completes; rejects with the first error. */
  async run(sql: string, onResult: (r: WireResult) => void): Promise<void> {
    // room for the statement's deadline too: its statement_timeout then stops it at its next batch (engine/exec/cancel.ts)
    const cancel = newCancelFlag();
    this.running = cancel;
    try {
      await this.request((id) => ({ type: 'run', id, sql, cancel }), onResult);
    } finally {
      if (this.running === cancel) this.running = null;
    }
  }

  /** Cancels the running statement (it stops at its next batch); false when none runs. */
  cancel(): boolean {
    if (this.running === null) return false;
    Atomics.store(this.running, 0, 1);
    return true;
  }

  /** The CREATE statements of a relation, or of all (null name); null when there is no such relation. */
  async schema(name: string | null): Promise<string | null> {
    return (await this.request((id) => ({ type: 'schema', id, name }))).text ?? null;
  }

  async info(): Promise<DatabaseInfo> {
    return (await this.request((id) => ({ type: 'info', id }))).info!;
  }

  /** Closes the database (the workload log is flushed) and ends the thread. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'close' } satisfies Request);
    await gone;
  }
}
