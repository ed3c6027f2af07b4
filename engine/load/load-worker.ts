/**
 * The worker thread files are read in (sandbox.ts): Parquet and Arrow IPC for
 * a heap of their own, delimited text so that parsing runs beside the writer.
 * For each file it is given, it runs the reader and hands over one batch per
 * request, then the end, or the error the reader threw. It stays for the next
 * file.
 */
import { parentPort } from 'node:worker_threads';
import { KeelError, LoadError } from '../errors.js';
import type { ColumnDef } from '../types.js';
import type { LoadedBatch } from './options.js';
import type { TextOptions } from './delimited.js';

export interface LoadTask {
  readonly format: 'parquet' | 'arrow' | 'text';
  readonly file: string;
  readonly columns: readonly ColumnDef[];
  readonly batchRows: number;
  readonly totalBytes: number;
  /** Parquet: table columns take the file's columns in order, not by name. */
  readonly byPosition?: boolean;
  /** Text: how to read it (only options a thread can be handed: no callbacks, no date or time format functions). */
  readonly text?: TextOptions;
}

/** An error as it crosses to the calling thread. */
export interface WorkerError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
  readonly load?: { readonly file: string; readonly line: number | undefined; readonly column: string | undefined };
}

export type LoadRequest = { readonly start: LoadTask } | 'next';
export type LoadReply = { readonly batch: LoadedBatch } | { readonly done: true } | { readonly error: WorkerError };

function errorOf(e: unknown): WorkerError {
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    name: err.name,
    message: err.message,
    ...(err.stack !== undefined ? { stack: err.stack } : {}),
    ...(e instanceof KeelError ? { code: e.code } : {}),
    ...(e instanceof LoadError ? { load: { file: e.file, line: e.line, column: e.column } } : {}),
  };
}

/** The reader of a task; each reader's module is loaded the first time it is needed (apache-arrow takes a while). */
async function reader(task: LoadTask): Promise<AsyncGenerator<LoadedBatch>> {
  if (task.format === 'text') return (await import('./delimited.js')).readDelimited(task.file, task.columns, task.text!, task.totalBytes);
  if (task.format === 'parquet') return (await import('./parquet.js')).readParquet(task.file, task.columns, task.batchRows, task.totalBytes, task.byPosition);
  return (await import('./arrow-ipc.js')).readArrowIpc(task.file, task.columns, task.batchRows, task.totalBytes);
}

if (parentPort) {
  const port = parentPort;
  let batches: Promise<AsyncGenerator<LoadedBatch>> | null = null;
  port.on('message', (m: LoadRequest) => {
    if (m !== 'next') {
      batches = reader(m.start);
      return;
    }
    const current = batches;
    if (!current) return;
    current
      .then((g) => g.next())
      .then(
        (r) => {
          if (r.done) batches = null;
          port.postMessage(r.done ? { done: true } : { batch: r.value });
        },
        (e: unknown) => {
          batches = null;
          port.postMessage({ error: errorOf(e) });
        },
      );
  });
}
