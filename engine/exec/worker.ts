/**
 * A query worker thread (see parallel.ts): runs one plan fragment for one
 * slice and sends the result batches back with their buffers transferred,
 * or, when they go to a hash exchange, cut by target slice into shared memory.
 * It opens the data directory's segment files itself; the fragment is plain
 * data (plan nodes, bound expressions, table metadata, and the batches of
 * exchanges below it as `rows` nodes), and its expressions are compiled here,
 * once per query.
 */
import { parentPort, threadId } from 'node:worker_threads';
import type { Batch } from '../types.js';
import type { PlanNode } from '../plan/physical.js';
import { SegmentCache } from '../storage/scan.js';
import { ExecContext } from './context.js';
import { MemoryAccountant } from './memory/index.js';
import { Executor } from './executor.js';
import { forTransfer, listsForTransfer } from './transfer.js';
import { routeByKeys, type Routed } from './ops/exchange.js';
import { keyFilter } from './join-table.js';
import { threadCpuMs, threadCpuOn } from './thread-cpu.js';
import { builtFrom, type SharedBuild } from './shared-build.js';

export interface FragmentTask {
  readonly id: number;
  /** Tasks of one query share compiled code. */
  readonly query: number;
  readonly dir: string;
  readonly slices: number;
  readonly slice: number;
  readonly plan: PlanNode;
  /** The statement's cancel flag (./cancel.ts), shared memory the calling thread sets: checked per batch here too. */
  readonly cancel?: Int32Array | null;
  /** Bytes this task's operator states may hold: its thread's share of the query's memory limit (Infinity: none). */
  readonly memoryLimit?: number;
  /** The hash exchange the output goes to: it is cut by target slice here (routeByKeys), not on the calling thread. */
  readonly route?: Route | null;
  /** Build sides of broadcast joins, by join node id, built once on the calling thread and read here in shared memory (./shared-build.ts). */
  readonly builds?: readonly (readonly [number, SharedBuild])[];
}

/** A hash exchange as a task sees it: its id, its key columns, and the keys and probe columns of its runtime join filter (KeyFilter), if any. */
export interface Route {
  readonly exchange: number;
  readonly keys: readonly number[];
  readonly filter: { readonly keys: Batch; readonly probeCols: readonly number[] } | null;
}

/** A task's output: its batches, or (with a route) its batches cut by the slice they go to. */
export type FragmentOutput = { readonly kind: 'batches'; readonly batches: Batch[] } | ({ readonly kind: 'routed' } & Routed);

export type FragmentResult =
  | {
      readonly id: number;
      readonly ok: true;
      readonly output: FragmentOutput;
      readonly stats: [number, unknown][];
      readonly transfer?: ArrayBuffer[];
      /** With KEEL_THREAD_CPU=1 (./thread-cpu.ts): this thread and its CPU time on the task. */
      readonly cpu?: { readonly thread: number; readonly ms: number };
    }
  | { readonly id: number; readonly ok: false; readonly error: { readonly name: string; readonly code?: string; readonly message: string; readonly stack?: string } };

const segments = new Map<string, SegmentCache>();
let query = -1;
let compiled = new Map<string, unknown>();

function run(task: FragmentTask): FragmentResult {
  if (task.query !== query) {
    query = task.query;
    compiled = new Map();
  }
  let cache = segments.get(task.dir);
  if (!cache) {
    cache = new SegmentCache();
    segments.set(task.dir, cache);
  }
  // readers of files a rewrite made obsolete would stay open for ever: start afresh now and then
  if (cache.size > 512) cache.closeAll();
  const ctx = new ExecContext({ dir: task.dir, segments: cache }, task.slices, compiled, task.cancel ?? null, null, new MemoryAccountant(task.memoryLimit ?? Infinity));
  try {
    // where Executor.sharedBuild looks first: the broadcast's rows are not in the plan, and not built here
    for (const [join, shared] of task.builds ?? []) ctx.cached(`build${join}`, () => builtFrom(shared));
    const rows = new Executor(ctx).run(task.plan, task.slice);
    const route = task.route;
    if (route) {
      const f = route.filter;
      // the filter's Bloom bits built once per query on this thread, for every slice it runs
      const keep = f ? ctx.cached(`keyFilter${route.exchange}`, () => keyFilter(f.keys, f.probeCols)).forSlice() : null;
      const { parts, bytes } = routeByKeys(route.keys, rows, task.slices, keep);
      const { lists, transfer } = listsForTransfer(parts);
      return { id: task.id, ok: true, output: { kind: 'routed', parts: lists, bytes }, stats: [...ctx.stats], transfer };
    }
    const { batches, transfer } = forTransfer([...rows].filter((b) => b.length > 0));
    return { id: task.id, ok: true, output: { kind: 'batches', batches }, stats: [...ctx.stats], transfer };
  } finally {
    ctx.close();
  }
}

function failed(id: number, e: unknown): FragmentResult {
  const err = e as Error & { code?: string };
  return { id, ok: false, error: { name: err?.name ?? 'Error', code: err?.code, message: err?.message ?? String(e), stack: err?.stack } };
}

/**
 * This thread's CPU clock when it last answered a task. A task's time runs
 * from there, so it includes deserializing the task (a broadcast's rows
 * cloned in), which happens before the handler is called; serializing the
 * answer (its buffers transferred, not copied) falls to the next task.
 */
let answered = threadCpuOn ? threadCpuMs() : NaN;

// every task is answered exactly once, with its result or its error: nothing escapes this handler to kill the thread
parentPort!.on('message', (task: FragmentTask) => {
  let result: FragmentResult;
  try {
    result = run(task);
  } catch (e) {
    result = failed(task.id, e);
  }
  const transfer = result.ok ? (result.transfer ?? []) : [];
  if (result.ok) result = { ...result, transfer: undefined, cpu: threadCpuOn ? { thread: threadId, ms: threadCpuMs() - answered } : undefined };
  try {
    parentPort!.postMessage(result, transfer);
  } catch (e) {
    // a result that cannot be sent (not cloneable) is the task's error
    parentPort!.postMessage(failed(task.id, e));
  }
  if (threadCpuOn) answered = threadCpuMs();
});
