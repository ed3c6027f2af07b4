/**
 * Appends log records to this process's raw segment, in groups.
 *
 * A record is held in memory until 64 are waiting, 100 ms have passed since
 * the first of them, the database closes, the process exits, or a reader in
 * this process reads the log; then the group is serialized and written with
 * one write(2) on an O_APPEND descriptor. Grouping keeps recording cheap (one
 * system call per group, and serialization in a warm loop instead of between
 * statements: docs/performance.md). The price: a process killed with SIGKILL
 * loses the records still waiting (at most one group, 100 ms of statements);
 * the file always holds whole frames of every group written before, so nothing
 * earlier is lost. `groupRecords: 1` writes every record as its statement ends.
 *
 * fsync is grouped too: at most `syncIntervalMs` after a write (off the main
 * thread), and on rotation and close; a power loss can lose the last interval's
 * records and at worst leave a torn last frame, which readers drop with a
 * warning. The file is created on the first write, so a process that runs no
 * statement leaves nothing behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { QueryRecord } from '../engine/index.js';
import { RecordEncoder } from './binary-codec.js';
import { FRAME_HEADER_BYTES, sealFrame, segmentHeader } from './frame.js';
import { fsyncDir, mkdirDurable, newSegmentName, rawDir, sealedName } from './layout.js';
import type { RecordSource } from './record.js';

export interface WriterOptions {
  /** Rotate to a new segment past this size (default 16 MiB). */
  segmentBytes?: number;
  /** Records held before a write (default 64; 1 writes each record at once). */
  groupRecords?: number;
  /** Longest time a record waits for its group (default 100 ms). */
  groupMs?: number;
  /** Longest time between a write and its fsync (default 1000 ms). */
  syncIntervalMs?: number;
}

/** Writers of this process with records waiting, by data directory: readers here flush them first. */
const writers = new Map<string, Set<SegmentWriter>>();

/**
 * Writes what this process's writers hold for `dataDir`, so a reader here sees
 * every record appended so far. A writer that cannot write reports it to its
 * own error handler; the reader goes on with what is on disk.
 */
export function flushWriters(dataDir: string): void {
  for (const w of writers.get(path.resolve(dataDir)) ?? []) w.flushOrReport();
}

/** Where a writer reports a failure of a write nobody called for (its timer, process exit, a reader's flush). */
export type WriteErrorHandler = (error: unknown) => void;

/** The default handler: the first failure is one line on stderr, the rest are silent. */
function warnOnce(): WriteErrorHandler {
  let warned = false;
  return (e) => {
    if (warned) return;
    warned = true;
    process.stderr.write(`keel: warning: workload log: cannot record queries: ${(e as Error)?.message ?? String(e)}\n`);
  };
}

export class SegmentWriter {
  private fd: number | null = null;
  private file = '';
  private size = 0;
  private buf: Buffer = Buffer.allocUnsafe(64 * 1024);
  /** The current segment's strings: a record refers to those an earlier record of the segment wrote. */
  private readonly encoder = new RecordEncoder();
  private readonly pending: QueryRecord[] = [];
  private readonly pendingSources: RecordSource[] = [];
  private groupTimer: NodeJS.Timeout | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  private newFile = false;
  private readonly dir: string;
  private readonly segmentBytes: number;
  private readonly groupRecords: number;
  private readonly groupMs: number;
  private readonly syncIntervalMs: number;
  private readonly onExit = () => this.flushOrReport();
  /** Records appended by this writer. */
  appended = 0;
  /** Time spent serializing and writing groups, in ms. */
  busyMs = 0;

  /**
   * `onError` receives the failures of the writes this writer starts by itself
   * (the group timer, process exit, a reader's flush), which have no caller to
   * throw to; flush(), sync() and close() throw to theirs. Default: one
   * warning on stderr (WorkloadLog passes its own warn-once).
   */
  constructor(
    private readonly dataDir: string,
    options: WriterOptions = {},
    private readonly onError: WriteErrorHandler = warnOnce(),
  ) {
    this.dir = path.resolve(dataDir);
    this.segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
    this.groupRecords = Math.max(1, options.groupRecords ?? 64);
    this.groupMs = options.groupMs ?? 100;
    this.syncIntervalMs = options.syncIntervalMs ?? 1000;
  }

  /** Takes a record; `source` is where it came from unless it says. */
  append(record: QueryRecord, source: RecordSource): void {
    if (this.pending.length === 0) this.hold();
    this.pending.push(record);
    this.pendingSources.push(source);
    this.appended++;
    if (this.pending.length >= this.groupRecords) this.flush();
  }

  /** Writes the records waiting, as one write(2). */
  flush(): void {
    const n = this.pending.length;
    if (n === 0) return;
    const started = performance.now();
    try {
      this.writeGroup(n);
    } finally {
      this.busyMs += performance.now() - started;
    }
  }

  /** flush(), with a failure handed to the error handler instead of thrown: for the timer, exit and readers. */
  flushOrReport(): void {
    try {
      this.flush();
    } catch (e) {
      this.onError(e);
    }
  }

  private writeGroup(n: number): void {
    this.release();
    // the group's records may refer to strings of this segment's earlier records: open it first (a new one starts with none)
    try {
      if (this.fd === null) this.openSegment();
    } catch (e) {
      this.pending.length = 0;
      this.pendingSources.length = 0;
      throw e;
    }
    let at = 0;
    for (let i = 0; i < n; i++) {
      if (this.buf.length < at + FRAME_HEADER_BYTES) this.buf = grown(this.buf, at, FRAME_HEADER_BYTES);
      const frame = this.encoder.encode(this.pending[i]!, this.pendingSources[i]!, this.buf, at + FRAME_HEADER_BYTES);
      this.buf = frame.buf;
      sealFrame(this.buf, at, frame.end);
      at = frame.end;
    }
    // a group that cannot be written is dropped (the caller warns), not retried forever
    this.pending.length = 0;
    this.pendingSources.length = 0;
    try {
      fs.writeSync(this.fd!, this.buf, 0, at);
    } catch (e) {
      // part of the group may be on disk, strings it defined with it or not: later records must not refer to them,
      // so this segment ends here (sealed, its torn tail dropped by readers) and the next group starts a new one
      this.encoder.rollback();
      this.abandonSegment();
      throw e;
    }
    this.encoder.mark();
    this.size += at;
    if (this.size >= this.segmentBytes) this.seal();
    else if (this.syncTimer === null && this.syncIntervalMs >= 0) this.scheduleSync();
  }

  /** Writes and forces to disk every record appended so far. */
  sync(): void {
    this.flush();
    if (this.fd === null) return;
    fs.fsyncSync(this.fd);
    if (this.newFile) {
      fsyncDir(path.dirname(this.file));
      this.newFile = false;
    }
  }

  /** Writes, syncs, closes and seals the current segment. */
  close(): void {
    this.flush();
    this.seal();
  }

  /** Records are waiting: flush them on a timer, at exit, and before a reader in this process. */
  private hold(): void {
    let set = writers.get(this.dir);
    if (!set) writers.set(this.dir, (set = new Set()));
    set.add(this);
    process.on('exit', this.onExit);
    if (this.groupRecords > 1) {
      // a throw here would be an uncaught exception and end the host process
      this.groupTimer = setTimeout(() => this.flushOrReport(), this.groupMs);
      this.groupTimer.unref();
    }
  }

  private release(): void {
    writers.get(this.dir)?.delete(this);
    process.off('exit', this.onExit);
    if (this.groupTimer !== null) {
      clearTimeout(this.groupTimer);
      this.groupTimer = null;
    }
  }

  private openSegment(): void {
    const dir = rawDir(this.dataDir);
    mkdirDurable(dir);
    const file = path.join(dir, newSegmentName());
    const fd = fs.openSync(file, 'a');
    const h = segmentHeader();
    try {
      fs.writeSync(fd, h);
    } catch (e) {
      // no headerless segment left to append to (a full disk): the next group starts a new one
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw e;
    }
    this.file = file;
    this.fd = fd;
    this.size = h.length;
    this.newFile = true;
    this.encoder.reset();
  }

  /** Ends the current segment after a failed write, as well as it can: the next group opens a new one. */
  private abandonSegment(): void {
    try {
      this.seal();
    } catch {
      // the write that failed is reported; the segment is left as it is (its writer is this live process)
      try {
        if (this.fd !== null) fs.closeSync(this.fd);
      } catch {
        // nothing more to do with it
      }
      this.fd = null;
    }
  }

  private scheduleSync(): void {
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      const fd = this.fd;
      if (fd === null) return;
      // off the main thread; a failure here surfaces at the next close
      fs.fsync(fd, () => {});
      if (this.newFile) {
        this.newFile = false;
        fsyncDir(path.dirname(this.file));
      }
    }, this.syncIntervalMs);
    this.syncTimer.unref();
  }

  private seal(): void {
    if (this.syncTimer !== null) {
      clearTimeout(this.syncTimer);
      this.syncTimer = null;
    }
    if (this.fd === null) return;
    this.sync();
    fs.closeSync(this.fd);
    this.fd = null;
    fs.renameSync(this.file, sealedName(this.file));
    fsyncDir(path.dirname(this.file));
  }
}

function grown(buf: Buffer, keep: number, need: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(keep + need, buf.length * 2));
  buf.copy(bigger, 0, 0, keep);
  return bigger;
}
