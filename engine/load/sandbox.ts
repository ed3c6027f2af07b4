/**
 * Parquet and Arrow IPC files are decoded by third-party readers (hyparquet,
 * apache-arrow), which trust the lengths and counts a file states: a damaged
 * file can make them allocate without bound, and a JavaScript heap running out
 * ends the whole process, not with an error. So the built engine reads these
 * files in a worker thread with a heap of its own: a reader that runs it out
 * ends the worker, and the load fails with LOAD_FORMAT naming the file, while
 * the process and its database go on. Batches come over one at a time, on
 * request, so the worker is never more than one batch ahead.
 *
 * Delimited text is parsed in such a thread too (readFile sends it here when
 * no option is a function): not for safety, but so that parsing the next batch
 * runs on another core while the caller distributes, sorts, encodes and writes
 * this one.
 *
 * The heap is 32 times the file's size, at least 256 MB (a reader holds one
 * record batch or row group, decoded, at a time) and at most this thread's
 * own, so a damaged file that asks for more runs out soon. Workers are kept
 * for the next file of their format and heap (an idle one does not keep the
 * process alive): starting one and loading its reader costs a few hundred ms.
 *
 * Running from TypeScript sources (the test suites) the worker would load the
 * last build, so there the file is read on the calling thread, as it is when
 * the worker script is missing.
 */
import * as fs from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { KeelError, LoadError, type ErrorCode } from '../errors.js';
import { readArrowIpc } from './arrow-ipc.js';
import type { LoadedBatch } from './options.js';
import type { LoadReply, LoadRequest, LoadTask, WorkerError } from './load-worker.js';
import { readParquet } from './parquet.js';
import { readDelimited } from './delimited.js';

/** The worker script beside this module, when this is the built engine. */
function workerScript(): string | null {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return null;
  const script = here.replace(/sandbox\.js$/, 'load-worker.js');
  return fs.existsSync(script) ? script : null;
}

/**
 * Text is parsed a chunk and a batch at a time whatever the file's size: its
 * heap need not grow with the file (a 64 MiB record, the longest allowed, fits).
 */
const TEXT_HEAP_MB = 512;

/** The worker's heap for a file (see above), rounded up to a power of two so workers are kept for similar files. */
function heapLimitMb(format: LoadTask['format'], fileBytes: number): number {
  const own = Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
  if (format === 'text') return Math.min(own, TEXT_HEAP_MB);
  const want = Math.max(256, 32 * Math.ceil(fileBytes / 2 ** 20));
  return Math.min(own, 2 ** Math.ceil(Math.log2(want)));
}

/** The worker's error as the error it was: a LoadError (or other KeelError) with its code and place, else an Error with its stack. */
function revive(e: WorkerError): Error {
  let err: Error;
  if (e.load && e.code) {
    err = new LoadError(e.code as ErrorCode, '', e.load.file, e.load.line, e.load.column);
    Object.defineProperty(err, 'message', { value: e.message });
  } else if (e.code) {
    err = new KeelError(e.code as ErrorCode, e.message);
  } else {
    err = new Error(e.message);
    err.name = e.name;
  }
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

/** A reading thread: its replies go to whoever waits for one; a failure (out of memory, an exit) ends it for good. */
class LoadWorker {
  private readonly worker: Worker;
  private waiting: { resolve: (m: LoadReply) => void; reject: (e: Error) => void } | null = null;
  failure: Error | null = null;

  constructor(
    script: string,
    readonly format: LoadTask['format'],
    readonly limit: number,
  ) {
    // the caller's flags, less those a worker refuses (--input-type: the caller ran `node --input-type=module -e ...`)
    // heap-size flags are per process (a worker given one explicitly fails to start: ERR_WORKER_INVALID_EXEC_ARGV); resourceLimits sizes its heap
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type') && !/^--max-(old|semi)-space-size/.test(a));
    this.worker = new Worker(script, { execArgv, resourceLimits: { maxOldGenerationSizeMb: limit } });
    this.worker.on('message', (m: LoadReply) => {
      // an idle worker (the caller holds its batch) does not keep the process alive
      this.worker.unref();
      const w = this.waiting;
      this.waiting = null;
      w?.resolve(m);
    });
    const fail = (e: Error) => {
      this.failure ??= e;
      const w = this.waiting;
      this.waiting = null;
      w?.reject(this.failure);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the reading thread stopped (exit code ${code})`)));
    this.worker.unref();
  }

  start(task: LoadTask): void {
    this.worker.postMessage({ start: task } satisfies LoadRequest);
  }

  next(): Promise<LoadReply> {
    return new Promise<LoadReply>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting = { resolve, reject };
      this.worker.ref();
      this.worker.postMessage('next' satisfies LoadRequest);
    });
  }

  terminate(): void {
    this.failure ??= new Error('terminated');
    void this.worker.terminate();
  }
}

/** Idle workers, for the next file of their format and heap. */
const idle: LoadWorker[] = [];
const MAX_IDLE = 2;

function takeWorker(script: string, format: LoadTask['format'], limit: number): LoadWorker {
  const i = idle.findIndex((w) => w.format === format && w.limit === limit && !w.failure);
  return i >= 0 ? idle.splice(i, 1)[0]! : new LoadWorker(script, format, limit);
}

function giveBack(w: LoadWorker): void {
  if (w.failure || idle.length >= MAX_IDLE) w.terminate();
  else idle.push(w);
}

function inThisThread(task: LoadTask): AsyncGenerator<LoadedBatch> {
  if (task.format === 'text') return readDelimited(task.file, task.columns, task.text!, task.totalBytes);
  return task.format === 'parquet' ? readParquet(task.file, task.columns, task.batchRows, task.totalBytes, task.byPosition) : readArrowIpc(task.file, task.columns, task.batchRows, task.totalBytes);
}

/**
 * Reads a file as batches, in a worker thread when the engine is built. The
 * next batch is asked for as soon as one arrives, so the thread reads it while
 * the caller works on this one: one batch ahead, no more.
 */
export async function* readSandboxed(task: LoadTask): AsyncGenerator<LoadedBatch> {
  const script = workerScript();
  if (!script) {
    yield* inThisThread(task);
    return;
  }
  const limit = heapLimitMb(task.format, task.totalBytes);
  const worker = takeWorker(script, task.format, limit);
  // reusable only when the file was read to its end (or its error): a caller that stops early leaves the reader mid-file
  let finished = false;
  let first = true;
  let ahead: Promise<LoadReply> | null = null;
  try {
    worker.start(task);
    for (;;) {
      let reply: LoadReply;
      try {
        const asked = ahead ?? worker.next();
        ahead = null;
        reply = await asked;
      } catch (e) {
        const oom = (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
        if (!oom && first) {
          // a thread that could not start (not the file's doing): read on this one
          worker.terminate();
          yield* inThisThread(task);
          return;
        }
        throw new LoadError(
          'LOAD_FORMAT',
          oom
            ? `the file is damaged (or too big to read): reading it took more than the ${limit} MB of memory a load may use`
            : `reading the file failed: ${(e as Error).message}`,
          task.file,
        );
      }
      if ('error' in reply) {
        finished = true;
        throw revive(reply.error);
      }
      if ('done' in reply) {
        finished = true;
        return;
      }
      first = false;
      ahead = worker.next();
      yield reply.batch;
    }
  } finally {
    // a caller that stopped early leaves a request open: its failure (the thread terminated) is nobody's to report
    ahead?.catch(() => undefined);
    if (finished) giveBack(worker);
    else worker.terminate();
  }
}
