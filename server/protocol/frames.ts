/**
 * Cuts the byte stream of one connection into protocol messages.
 *
 * Chunks are copied into one growing buffer (no per-byte or per-message
 * allocation); a complete message is handed out as a view into it, valid
 * until the next push(). The startup phase has untyped frames (a length, then
 * the body); after it, every frame is a type byte, a length, then the body
 * (protocol 3.0, "Message Formats").
 */

/** A complete message: `type` is 0 for an untyped (startup-phase) frame; `body` excludes the type and length. */
export interface Frame {
  readonly type: number;
  readonly body: Buffer;
}

/** Why the stream cannot be framed: the connection must end with a FATAL protocol error. */
export class FrameError extends Error {}

export class FrameReader {
  private buf: Buffer;
  private start = 0;
  private end = 0;

  /** `maxMessage`: the largest body accepted, in bytes; a longer length is refused before it is buffered. */
  constructor(
    private readonly maxMessage: number,
    initialBytes = 16 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  push(chunk: Buffer): void {
    if (this.start === this.end) this.start = this.end = 0;
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + chunk.length <= this.buf.length) {
        this.buf.copy(this.buf, 0, this.start, this.end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, live + chunk.length));
        this.buf.copy(grown, 0, this.start, this.end);
        this.buf = grown;
      }
      this.start = 0;
      this.end = live;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /** Bytes received but not yet handed out as frames. */
  get pending(): number {
    return this.end - this.start;
  }

  /**
   * The next complete frame, or null when more bytes are needed. `typed`:
   * whether frames carry a type byte (false only before the startup message).
   * Throws FrameError for a length below its own 4 bytes or above the limit.
   */
  next(typed: boolean): Frame | null {
    const header = typed ? 5 : 4;
    if (this.end - this.start < header) return null;
    const type = typed ? this.buf[this.start]! : 0;
    const length = this.buf.readInt32BE(this.start + header - 4);
    if (length < 4) throw new FrameError(`invalid message length ${length}`);
    const bodyLength = length - 4;
    if (bodyLength > this.maxMessage) throw new FrameError(`message of ${bodyLength} bytes exceeds the limit of ${this.maxMessage}`);
    if (this.end - this.start < header + bodyLength) return null;
    const bodyStart = this.start + header;
    this.start = bodyStart + bodyLength;
    return { type, body: this.buf.subarray(bodyStart, bodyStart + bodyLength) };
  }
}

/** Reads the fields of one message body in order; a read past the end is a FrameError (a message that lies about its contents). */
export class FieldReader {
  private at = 0;
  constructor(private readonly body: Buffer) {}

  int16(): number {
    this.need(2);
    const v = this.body.readInt16BE(this.at);
    this.at += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.body.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const nul = this.body.indexOf(0, this.at);
    if (nul < 0) throw new FrameError('a string field is not terminated');
    const s = this.body.toString('utf8', this.at, nul);
    this.at = nul + 1;
    return s;
  }

  /** `n` bytes, as a view. */
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.body.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }

  get remaining(): number {
    return this.body.length - this.at;
  }

  private need(n: number): void {
    if (this.at + n > this.body.length) throw new FrameError('a message is shorter than its fields');
  }
}
