/**
 * Slices in parallel on worker threads (docs/execution.md).
 *
 * A plan is cut at its exchanges into fragments: an exchange's input subtree,
 * with the exchanges below it replaced by the batches they delivered (as
 * `rows` nodes), runs once per slice. Exchanges are computed bottom up; for
 * each, its input fragment runs for every slice on the pool (the calling
 * thread takes a share of the slices itself), and the batches come back with
 * their buffers transferred. For a redistribution (hash exchange) each task
 * cuts its own output by target slice, into shared memory, so the calling
 * thread only appends the parts and counts the rows and bytes that cross
 * slices, its runtime join filter (if any) applied there too; other
 * exchanges are routed on the calling thread as before. With every
 * exchange's output in place, the plan's top fragment runs on the calling
 * thread. Small fragments (under PARALLEL_MIN_ROWS rows to read, or
 * PARALLEL_MIN_SHARED_ROWS when they read redistributed rows only) run inline.
 *
 * Runtime join filters (keyFilter) work here too: when both inputs of a join
 * are exchanges, the side that is complete first filters the other's routing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Batch, PhysicalKind } from '../types.js';
import { ExecError, KeelError, StorageError, SqlError } from '../errors.js';
import type { ExchangeNode, FilterNode, JoinNode, PlanNode, ProjectNode, RowsNode, ScanNode } from '../plan/physical.js';
import { childrenOf } from '../plan/physical.js';
import { concatBatches, emptyBatch } from './batch.js';
import { ExecContext, kindsOf, mergeStats, type NodeStats } from './context.js';
import { BROADCAST, Executor } from './executor.js';
import { keyFilter } from './join-table.js';
import type { FragmentOutput, FragmentResult, FragmentTask, Route } from './worker.js';
import { routeByKeys, type Routed } from './ops/exchange.js';
import { threadCpuMs, type ThreadCpuAccount } from './thread-cpu.js';
import type { SharedBuild } from './shared-build.js';

/** A fragment that reads fewer rows than this runs on the calling thread: a round trip to a worker costs more. */
const PARALLEL_MIN_ROWS = 200_000;
/**
 * The same for a fragment that reads only redistributed rows (hash exchanges,
 * in shared memory: a task gets its share without a copy of its numbers).
 * Its work is per row above a redistribution, an aggregate or a join by key,
 * often grouping on many or string keys: TPC-H q10's final aggregate of
 * 115,000 rows on seven keys ran on the calling thread alone, 200 ms of it
 * at SF 1, with the worker idle.
 */
const PARALLEL_MIN_SHARED_ROWS = 50_000;

/** Whether every input of a fragment is a redistribution (no scan, no other exchange). */
function readsSharesOnly(n: PlanNode): boolean {
  if (n.op === 'exchange') return n.mode === 'hash';
  if (n.op === 'scan' || n.op === 'rows') return false;
  return childrenOf(n).every(readsSharesOnly);
}

/** Where the worker script is: beside this module when built; from the build when running from TypeScript sources (tests). */
function workerScript(): string | null {
  const here = fileURLToPath(import.meta.url);
  const built = here.endsWith('.ts') ? here.replace(/([\\/])engine([\\/])exec([\\/])parallel\.ts$/, '$1dist$1engine$2exec$3worker.js') : here.replace(/parallel\.js$/, 'worker.js');
  return fs.existsSync(built) ? built : null;
}

/**
 * Worker threads to use: the Database option, else KEEL_WORKERS (a number, or
 * "auto"), else auto: one per core but one (the calling thread runs slices
 * too), so a one-core machine runs everything on the calling thread. Running
 * from TypeScript sources (the test suites) the workers would load the last
 * build, so there the default is 0 and workers run only when asked for.
 * Measured in docs/execution.md.
 */
export function workerCount(option?: number): number {
  const env = process.env.KEEL_WORKERS;
  const explicit = option !== undefined || (env !== undefined && env !== '');
  if (!explicit && fileURLToPath(import.meta.url).endsWith('.ts')) return 0;
  const auto = Math.max(0, availableCores() - 1);
  const wanted = option ?? (!explicit || env === 'auto' ? auto : Number(env));
  return Number.isFinite(wanted) && wanted > 0 ? Math.floor(wanted) : 0;
}

function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** A task posted to a worker and not answered yet. */
interface Running {
  readonly id: number;
  readonly resolve: (r: FragmentResult) => void;
  readonly reject: (e: Error) => void;
}

/** A caller waiting for a free worker. */
interface Waiter {
  readonly take: (w: Worker) => void;
  readonly fail: (e: Error) => void;
}

/**
 * A fixed set of worker threads, created once per Database and reused by its
 * queries. Each worker runs one task at a time; a task settles exactly once:
 * with the worker's answer, or rejected when the worker could not be given it
 * or died running it. A worker that dies (an error it did not catch, running
 * out of memory, terminated) is replaced, so a failure never costs later
 * queries a worker or leaves them waiting for one; one that dies before it
 * started (a broken build) is not, and with no worker left the callers
 * waiting are rejected and queries run on the calling thread (size 0).
 */
export class WorkerPool {
  private readonly script: string;
  private readonly live = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly waiting: Waiter[] = [];
  private readonly running = new Map<Worker, Running>();
  private nextTask = 1;
  private nextQuery = 1;
  private closed = false;

  private constructor(script: string, n: number) {
    this.script = script;
    for (let i = 0; i < n; i++) this.release(this.spawn());
  }

  /** A pool of n workers, or null when n is 0 or the worker script is not built. */
  static create(n: number): WorkerPool | null {
    if (n <= 0) return null;
    const script = workerScript();
    return script ? new WorkerPool(script, n) : null;
  }

  /** Workers alive. */
  get size(): number {
    return this.live.size;
  }

  /** Fragments run on the workers so far. */
  get tasks(): number {
    return this.nextTask - 1;
  }

  queryId(): number {
    return this.nextQuery++;
  }

  private spawn(): Worker {
    const w = new Worker(this.script);
    w.unref();
    this.live.add(w);
    let started = false;
    let failure: Error | undefined;
    w.on('online', () => {
      started = true;
    });
    w.on('message', (r: FragmentResult) => {
      const task = this.running.get(w);
      if (!task || task.id !== r.id) return; // not the task it was given: nothing waits for it
      this.running.delete(w);
      this.release(w);
      task.resolve(r);
    });
    w.on('error', (e) => {
      failure = e;
    });
    w.on('exit', (code) => this.lost(w, started, failure ?? new Error(`a query worker thread exited (code ${code})`)));
    return w;
  }

  /** A worker has exited: its task fails; it is replaced, unless the pool is closed or the worker never started. */
  private lost(w: Worker, started: boolean, cause: Error): void {
    this.live.delete(w);
    const at = this.idle.indexOf(w);
    if (at >= 0) this.idle.splice(at, 1);
    const task = this.running.get(w);
    this.running.delete(w);
    if (task) task.reject(this.closed ? new Error('worker pool is closed') : new Error(`a query worker thread failed: ${cause.message}`, { cause }));
    if (this.closed) return;
    if (started) {
      this.release(this.spawn());
    } else if (this.live.size === 0) {
      for (const waiter of this.waiting.splice(0)) waiter.fail(new Error(`no query worker thread could start: ${cause.message}`, { cause }));
    }
  }

  private release(w: Worker): void {
    if (!this.live.has(w)) return;
    const next = this.waiting.shift();
    if (next) next.take(w);
    else this.idle.push(w);
  }

  /** Gives a task to a worker; a task that cannot be posted fails and the worker is free again. */
  private post(w: Worker, task: Omit<FragmentTask, 'id'>, resolve: (r: FragmentResult) => void, reject: (e: Error) => void): void {
    const id = this.nextTask++;
    this.running.set(w, { id, resolve, reject });
    try {
      w.postMessage({ ...task, id });
    } catch (e) {
      this.running.delete(w);
      this.release(w);
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /**
   * Runs a fragment for one slice on the next free worker. The task is posted
   * before this returns when a worker is idle, so the caller can go on with
   * work of its own while it runs.
   */
  run(task: Omit<FragmentTask, 'id'>): Promise<FragmentResult> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (this.live.size === 0) return Promise.reject(new Error('the worker pool has no worker threads'));
    return new Promise((resolve, reject) => {
      const w = this.idle.pop();
      if (w) this.post(w, task, resolve, reject);
      else this.waiting.push({ take: (free) => this.post(free, task, resolve, reject), fail: reject });
    });
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.fail(new Error('worker pool is closed'));
    for (const w of this.live) w.terminate().catch(() => undefined); // it is gone either way
  }
}

/** The error a worker reported, as the error type it was. */
function fromWorker(e: { name: string; code?: string; message: string; stack?: string }): Error {
  const code = e.code as KeelError['code'];
  switch (e.name) {
    case 'ExecError':
      return new ExecError(code, e.message);
    case 'StorageError':
      return new StorageError(code, e.message);
    case 'SqlError':
      return new SqlError(code, e.message);
    default: {
      const err = new Error(e.message);
      if (e.stack) err.stack = e.stack;
      return err;
    }
  }
}

/**
 * Which fragments go to workers: by default those without exchanges below them
 * (scans, filters, projections, partial aggregates, joins of local or
 * replicated inputs), whose data flows one way, from the worker, with its
 * buffers transferred; those whose exchanges below are redistributions (their
 * shares are in shared memory) or broadcasts; and those that run a window
 * over their exchanges (see goesToWorkers). KEEL_PARALLEL=all sends the others
 * too, with the batches of the exchanges below them copied to the worker (see
 * docs/execution.md for why that does not pay here).
 */
const leavesOnly = process.env.KEEL_PARALLEL !== 'all';

/** Rows of one slice's batches. */
function rowsOf(batches: readonly Batch[]): number {
  let n = 0;
  for (const b of batches) n += b.length;
  return n;
}

/**
 * Whether a fragment that reads exchanged batches goes to the workers. One
 * that reads redistributions (hash exchanges) does: their shares are views of
 * shared memory (ops/exchange.ts), so a slice's share reaches its task
 * without a copy (only string dictionaries are cloned). One that runs a
 * window over other exchanges does too: sorting each partition and
 * computing frames costs several times the copy of its rows into the worker,
 * and with the window on the calling thread every slice's sort would run
 * there, one after another. So does one whose exchanges below are broadcasts
 * (the inner side of a join, the same rows on every slice) when they hold no
 * more rows than the fragment reads otherwise: each task gets a copy of them,
 * and a worker builds their hash table once per query for every slice it runs
 * (Executor.sharedBuild), so the copies and the second build cost less than
 * the probe side they take off the calling thread, which would otherwise run
 * every slice's probe (the join's whole work) one after another.
 */
function goesToWorkers(n: PlanNode, done: ReadonlyMap<number, Batch[][]>, exec: Executor, shared: ReadonlySet<number>): boolean {
  if (!leavesOnly) return true;
  let window = false;
  let exchanged = false;
  let broadcast = 0;
  let own = 0;
  let builtHere = false;
  const walk = (m: PlanNode): void => {
    if (m.op === 'exchange') {
      const rows = rowsOf(done.get(m.id)?.[0] ?? []);
      // a broadcast whose hash table is built once and shared (sharedBuilds) costs a task nothing to receive
      if (m.mode === 'broadcast') broadcast += shared.has(m.id) ? 0 : rows;
      else {
        // a redistribution's shares are in shared memory (ops/exchange.ts): each goes to its slice's task without a copy
        if (m.mode !== 'hash') exchanged = true;
        own += m.estRows;
      }
      return;
    }
    if (m.op === 'scan') own += m.table.rows;
    if (m.op === 'window') window = true;
    if (m.op === 'join' && exec.holdsSides(m)) builtHere = true;
    for (const c of childrenOf(m)) walk(c);
  };
  walk(n);
  // a join whose sides the calling thread already collected or built for a runtime filter (Executor.prebuild, outerSides) runs where they are
  return !builtHere && (!exchanged || window) && broadcast <= own;
}

/**
 * The hash joins of a fragment (above its exchanges) whose inner side is a
 * broadcast: each builds one table for every slice, which the calling thread
 * builds once and shares with the workers (Executor.shareBuild).
 */
function broadcastJoins(n: PlanNode): JoinNode[] {
  const out: JoinNode[] = [];
  const walk = (m: PlanNode): void => {
    if (m.op === 'exchange') return;
    if (m.op === 'join' && !(m.type === 'cross' && m.leftKeys.length === 0) && !m.buildOuter && m.right.op === 'exchange' && m.right.mode === 'broadcast') out.push(m);
    for (const c of childrenOf(m)) walk(c);
  };
  walk(n);
  return out;
}

/** The scan a fragment streams its rows from, through filters and projections only; null when it has another shape. */
function streamedScan(n: PlanNode): ScanNode | null {
  switch (n.op) {
    case 'scan':
      return n;
    case 'filter':
    case 'project':
      return streamedScan(n.input);
    default:
      return null;
  }
}

function withShare(n: PlanNode, index: number, of: number): PlanNode {
  if (n.op === 'scan') return { ...n, share: { index, of } };
  return { ...n, input: withShare((n as FilterNode | ProjectNode).input, index, of) } as PlanNode;
}

/**
 * A `pick` exchange's input that streams one copy of a replicated table (a
 * scan, with filters and projections over it), cut into `of` fragments that
 * each read a share of the copy's block groups; null for any other shape. Run
 * one after another, in order, they give the rows the whole fragment gives,
 * in the same order; run as tasks, a query whose only table is ALL is no
 * longer read by one thread.
 */
function replicatedShares(n: PlanNode, of: number): PlanNode[] | null {
  const scan = streamedScan(n);
  if (scan === null || scan.table.distStyle !== 'all' || n.dist.kind !== 'all') return null;
  return Array.from({ length: of }, (_, index) => withShare(n, index, of));
}

/** Rows the fragment reads: its scans' tables and the batches of the exchanges below it. */
function fragmentRows(n: PlanNode): number {
  if (n.op === 'scan') return n.table.rows;
  if (n.op === 'rows' || n.op === 'exchange') return n.estRows;
  let rows = 0;
  for (const c of childrenOf(n)) rows += fragmentRows(c);
  return rows;
}

/**
 * The exchange's input subtree for one slice, the exchanges below it replaced
 * by what they delivered there; those in `blank` (broadcasts whose built
 * table goes with the task instead) by no rows.
 */
function fragmentFor(n: PlanNode, done: ReadonlyMap<number, Batch[][]>, slice: number, blank: ReadonlySet<number>): PlanNode {
  if (n.op === 'exchange') {
    const out = done.get(n.id)!;
    const batches = blank.has(n.id) ? [] : (out[slice] ?? []);
    const label = n.mode === 'broadcast' ? BROADCAST : 'exchange';
    const rows: RowsNode = { op: 'rows', id: -n.id, batches, label, fields: n.fields, dist: { kind: 'all' }, estRows: batches.reduce((a, b) => a + b.length, 0) };
    return rows;
  }
  switch (n.op) {
    case 'scan':
    case 'rows':
      return n;
    case 'join':
      return { ...n, left: fragmentFor(n.left, done, slice, blank), right: fragmentFor(n.right, done, slice, blank) };
    case 'union':
      return { ...n, inputs: n.inputs.map((i) => fragmentFor(i, done, slice, blank)) };
    default:
      return { ...n, input: fragmentFor(n.input, done, slice, blank) } as PlanNode;
  }
}

function batchesOf(o: FragmentOutput): Batch[] {
  if (o.kind !== 'batches') throw new Error('internal: a fragment cut for a hash exchange where its plain batches were wanted');
  return o.batches;
}

function routedOf(o: FragmentOutput): Routed {
  if (o.kind !== 'routed') throw new Error('internal: a fragment not cut for the hash exchange it feeds');
  return o;
}

/** Key columns `cols` of every slice's batches of an exchange, as one batch (a broadcast's once). */
function exchangeKeys(node: ExchangeNode, out: Batch[][], cols: readonly number[]): Batch {
  const kinds: PhysicalKind[] = kindsOf(node);
  const from = node.mode === 'broadcast' ? [out[0] ?? []] : out;
  const parts = from.flat().filter((b) => b.length > 0).map((b) => ({ length: b.length, columns: cols.map((c) => b.columns[c]!) }));
  const keyKinds = cols.map((c) => kinds[c]!);
  return parts.length ? concatBatches(parts, keyKinds) : emptyBatch(keyKinds);
}

/**
 * Runs a plan with its exchanges' input fragments on the pool; returns the
 * result rows (delivered on slice 0), as Executor.collect does. With an
 * `account`, each parallel phase's CPU time by thread is added to it.
 */
export async function collectParallel(root: PlanNode, ctx: ExecContext, pool: WorkerPool, account: ThreadCpuAccount | null = null): Promise<Batch> {
  const exec = new Executor(ctx);
  const done = new Map<number, Batch[][]>();
  const query = pool.queryId();

  /**
   * Runs tasks, each a plan for one slice: the calling thread takes tasks
   * too, one at a time, while the workers run theirs (`remote` makes the plan
   * a worker gets, `local` is what the calling thread runs). Returns each
   * task's output, in the tasks' order: with a `route` (a hash exchange's
   * keys), cut by target slice on the thread that ran it.
   */
  const runTasks = async (
    tasks: readonly { local: PlanNode; remote: () => PlanNode; slice: number }[],
    route: Route | null = null,
    builds: readonly (readonly [number, SharedBuild])[] = [],
  ): Promise<FragmentOutput[]> => {
    const outs: FragmentOutput[] = [];
    const queue = tasks.map((_, i) => i);
    const cpuStart = account ? threadCpuMs() : 0;
    const workerCpu = new Map<number, number>();
    let remote = 0;
    // the first task to fail stops the others from starting; the exchange fails with its error once every task under way has settled
    let failure: { error: unknown } | undefined;
    const fail = (error: unknown): void => {
      failure ??= { error };
      queue.length = 0;
    };
    const onWorkers: Promise<void>[] = [];
    // never rejects: a failure is recorded, so no task's rejection goes unhandled while the calling thread works
    const worker = async (): Promise<void> => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        try {
          // cancelled while waiting for a worker: the task is not posted at all
          ctx.checkCancel();
          const t = tasks[i]!;
          const r = await pool.run({ query, dir: ctx.store.dir, slices: ctx.slices, slice: t.slice, plan: t.remote(), cancel: ctx.cancel, route, builds, memoryLimit: ctx.memory.limit });
          if (!r.ok) throw fromWorker(r.error);
          if (failure) return;
          outs[i] = r.output;
          mergeStats(ctx, r.stats as [number, NodeStats][]);
          remote++;
          if (r.cpu) workerCpu.set(r.cpu.thread, (workerCpu.get(r.cpu.thread) ?? 0) + r.cpu.ms);
        } catch (e) {
          fail(e);
        }
      }
    };
    for (let w = 0; w < Math.min(pool.size, tasks.length - 1); w++) onWorkers.push(worker());
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      try {
        const rows = exec.run(tasks[i]!.local, tasks[i]!.slice);
        const filter = route && exec.filterOf(route.exchange);
        outs[i] = route ? { kind: 'routed', ...routeByKeys(route.keys, rows, ctx.slices, filter ? filter.forSlice() : null) } : { kind: 'batches', batches: [...rows] };
      } catch (e) {
        fail(e);
        break;
      }
      // let finished workers pick up the next tasks
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(onWorkers);
    account?.phase(threadCpuMs() - cpuStart, workerCpu, remote);
    if (failure) throw failure.error;
    return outs;
  };

  const runExchange = async (x: ExchangeNode): Promise<void> => {
    const reused = exec.reuseExchange(x);
    if (reused) {
      done.set(x.id, reused);
      return;
    }
    const slices = x.mode === 'pick' ? [0] : Array.from({ length: ctx.slices }, (_, s) => s);
    const inputs: Batch[][] = Array.from({ length: ctx.slices }, () => []);
    const shares = x.mode === 'pick' ? replicatedShares(x.input, ctx.slices) : null;
    // joins above a broadcast whose table is built once here and shared, by the broadcast exchange's id
    const joins = broadcastJoins(x.input);
    const shared = new Set(joins.map((j) => j.right.id));
    const minRows = readsSharesOnly(x.input) ? PARALLEL_MIN_SHARED_ROWS : PARALLEL_MIN_ROWS;
    if (fragmentRows(x.input) < minRows || !goesToWorkers(x.input, done, exec, shared)) {
      for (const s of slices) inputs[s] = [...exec.run(x.input, s)];
    } else if (shares !== null) {
      // one copy read in shares: their rows, in order, are slice 0's
      const outs = await runTasks(shares.map((plan) => ({ local: plan, remote: () => plan, slice: 0 })));
      inputs[0] = outs.flatMap(batchesOf);
    } else {
      // a redistribution's rows are cut by target slice (through its runtime filter, if any) where they were computed, in parallel
      const filter = exec.filterOf(x.id);
      const route: Route | null = x.mode === 'hash' ? { exchange: x.id, keys: x.keys, filter: filter && { keys: filter.keys, probeCols: filter.probeCols } } : null;
      const builds = joins.map((j) => [j.id, exec.shareBuild(j)] as const);
      const outs = await runTasks(slices.map((s) => ({ local: x.input, remote: () => fragmentFor(x.input, done, s, shared), slice: s })), route, builds);
      if (route) {
        done.set(x.id, exec.exchangeRouted(x, outs.map(routedOf)));
        return;
      }
      slices.forEach((s, i) => (inputs[s] = batchesOf(outs[i]!)));
    }
    done.set(x.id, exec.exchangeFrom(x, inputs));
  };

  // bottom up; at a join, the side whose keys can filter the other's exchange first
  const visit = async (n: PlanNode): Promise<void> => {
    if (n.op === 'join' && n.leftKeys.length > 0) {
      const j = n as JoinNode;
      if (j.buildOuter === true && j.type !== 'antiNullAware' && j.right.op === 'exchange') {
        await visit(j.left);
        if (j.left.op === 'exchange') {
          exec.filterExchange(j.right.id, keyFilter(exchangeKeys(j.left, done.get(j.left.id)!, j.leftKeys), j.rightKeys));
        } else {
          exec.outerSides(j); // the outer side on every slice, and the filter on the inner exchange
        }
        await visit(j.right);
        return;
      }
      if ((j.type === 'inner' || j.type === 'semi') && !j.buildOuter && j.left.op === 'exchange') {
        await visit(j.right);
        if (j.right.op === 'exchange') {
          exec.filterExchange(j.left.id, keyFilter(exchangeKeys(j.right, done.get(j.right.id)!, j.rightKeys), j.leftKeys));
        } else {
          exec.prebuild(j); // every slice's inner side built, and the filter on the outer exchange
        }
        await visit(j.left);
        return;
      }
    }
    for (const c of childrenOf(n)) await visit(c);
    if (n.op === 'exchange') await runExchange(n);
  };
  await visit(root);
  return exec.collect(root);
}
