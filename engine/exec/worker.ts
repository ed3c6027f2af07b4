/**
 * A query worker thread (see parallel.ts): runs one plan fragment for one
 * slice and sends the result batches back with their buffers transferred.
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
import { Executor } from './executor.js';
import { forTransfer } from './transfer.js';
import { threadCpuMs, threadCpuOn } from './thread-cpu.js';

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
}

export type FragmentResult =
  | {
      readonly id: number;
      readonly ok: true;
      readonly batches: Batch[];
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
  const ctx = new ExecContext({ dir: task.dir, segments: cache }, task.slices, compiled, task.cancel ?? null);
  const out = [...new Executor(ctx).run(task.plan, task.slice)].filter((b) => b.length > 0);
  const { batches, transfer } = forTransfer(out);
  return { id: task.id, ok: true, batches, stats: [...ctx.stats], transfer };
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
