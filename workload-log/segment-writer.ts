/**
 * Appends log records to this process's raw segment.
 *
 * Each record is one frame written with one write(2) on an O_APPEND
 * descriptor as soon as the statement's record is emitted: when the engine's
 * call returns, the record is in the operating system's hands, and a process
 * crash (SIGKILL included) loses nothing. fsync is grouped: at most every
 * `syncIntervalMs` (on a timer that does not keep the process alive) and on
 * close or rotation, so a power loss can lose the records of the last interval,
 * and at worst leave a torn last frame, which readers drop with a warning.
 * The file is created on the first record, so a process that runs no statement
 * leaves nothing behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeFrame, segmentHeader } from './frame.js';
import { fsyncDir, newSegmentName, rawDir, sealedName } from './layout.js';
import type { LogRecord } from './record.js';

export interface WriterOptions {
  /** Rotate to a new segment past this size (default 16 MiB). */
  segmentBytes?: number;
  /** Longest time between fsyncs while records arrive (default 1000 ms). */
  syncIntervalMs?: number;
}

export class SegmentWriter {
  private fd: number | null = null;
  private file = '';
  private size = 0;
  private buf = Buffer.allocUnsafe(16 * 1024);
  private timer: NodeJS.Timeout | null = null;
  private newFile = false;
  private readonly segmentBytes: number;
  private readonly syncIntervalMs: number;
  /** Records appended by this writer. */
  appended = 0;

  constructor(
    private readonly dataDir: string,
    options: WriterOptions = {},
  ) {
    this.segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
    this.syncIntervalMs = options.syncIntervalMs ?? 1000;
  }

  append(record: LogRecord): void {
    if (this.fd === null) this.openSegment();
    const frame = encodeFrame(JSON.stringify(record), this.buf);
    this.buf = frame.buf;
    fs.writeSync(this.fd!, frame.buf, 0, frame.length);
    this.size += frame.length;
    this.appended++;
    if (this.size >= this.segmentBytes) this.seal();
    else if (this.timer === null && this.syncIntervalMs >= 0) this.scheduleSync();
  }

  /** Forces what was appended to disk now. */
  sync(): void {
    if (this.fd === null) return;
    fs.fsyncSync(this.fd);
    if (this.newFile) {
      fsyncDir(path.dirname(this.file));
      this.newFile = false;
    }
  }

  /** Syncs, closes and seals the current segment. */
  close(): void {
    this.seal();
  }

  private openSegment(): void {
    const dir = rawDir(this.dataDir);
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, newSegmentName());
    this.fd = fs.openSync(this.file, 'a');
    const h = segmentHeader();
    fs.writeSync(this.fd, h);
    this.size = h.length;
    this.newFile = true;
  }

  private scheduleSync(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      const fd = this.fd;
      if (fd === null) return;
      // off the main thread; a failure here surfaces at the next close
      fs.fsync(fd, () => {});
      if (this.newFile) {
        this.newFile = false;
        fsyncDir(path.dirname(this.file));
      }
    }, this.syncIntervalMs);
    this.timer.unref();
  }

  private seal(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.fd === null) return;
    this.sync();
    fs.closeSync(this.fd);
    this.fd = null;
    fs.renameSync(this.file, sealedName(this.file));
    fsyncDir(path.dirname(this.file));
  }
}
