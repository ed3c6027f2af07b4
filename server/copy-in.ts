/**
 * COPY ... FROM STDIN's data as it arrives: the connection pushes the
 * payload of each CopyData message, then CopyDone ends the stream or
 * CopyFail fails it; the engine reads it as an async iterable of chunks
 * (engine/statements/copy.ts CopyInput). Reading from the socket pauses while
 * more than PAUSE_BYTES wait unread, so a fast client cannot fill the memory.
 */
import { ExecError } from '../engine/index.js';

/** Unread data beyond this pauses the socket until the engine catches up. */
const PAUSE_BYTES = 4 * 1024 * 1024;

export class CopyInStream implements AsyncIterable<Buffer> {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private ended = false;
  private failure: ExecError | null = null;
  private wake: (() => void) | null = null;

  constructor(
    /** Called with true when unread data passes the limit, false when it drains. */
    private readonly pause: (paused: boolean) => void,
  ) {}

  /** CopyData. */
  push(chunk: Buffer): void {
    if (this.ended) return;
    // a copy: the frame's buffer is reused for later messages
    this.chunks.push(Buffer.from(chunk));
    this.bytes += chunk.length;
    if (this.bytes > PAUSE_BYTES) this.pause(true);
    this.signal();
  }

  /** CopyDone. */
  end(): void {
    this.ended = true;
    this.signal();
  }

  /** CopyFail, or a message that has no place in a COPY: the COPY fails with `message`, as PostgreSQL's does (query_canceled). */
  fail(message: string): void {
    if (this.ended) return;
    this.failure = new ExecError('CANCELLED', message);
    this.ended = true;
    this.signal();
  }

  get done(): boolean {
    return this.ended;
  }

  private signal(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        this.bytes -= chunk.length;
        if (this.bytes <= PAUSE_BYTES) this.pause(false);
        yield chunk;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
