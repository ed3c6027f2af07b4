/**
 * A client socket as the server's thread sees it: a Duplex whose other end is
 * the TCP socket held by the network thread (net-thread.ts). A connection
 * reads and writes it as it did the TCP socket, TLS included (a TLSSocket
 * wraps any Duplex).
 *
 * Flow control both ways: writes count as pending until the network thread
 * says the kernel took them, and past WRITE_AHEAD bytes pending a write waits
 * (so `write` returns false and 'drain' follows, as a TCP socket's do);
 * reading, once the readable buffer is full (the connection paused), the
 * network thread stops reading the client until the connection resumes.
 */
import { Duplex } from 'node:stream';
import type { ToNet } from './net-thread.js';

/** Bytes written and not yet taken by the kernel before a write waits: two of the connection's 64 KiB result chunks. */
const WRITE_AHEAD = 128 * 1024;

export class ThreadSocket extends Duplex {
  private pending = 0;
  /** The callback of the write that waits for pending bytes to go out. */
  private waiting: ((e?: Error | null) => void) | null = null;
  private readPaused = false;
  private remoteGone = false;

  constructor(
    readonly id: number,
    private readonly post: (m: ToNet) => void,
  ) {
    super();
  }

  /** Bytes from the client. */
  received(data: Uint8Array): void {
    if (this.destroyed) return;
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (!this.push(buf) && !this.readPaused) {
      this.readPaused = true;
      this.post({ t: 'pause', id: this.id });
    }
  }

  /** The network thread wrote `n` of our bytes to the kernel. */
  acked(n: number): void {
    this.pending -= n;
    if (this.waiting !== null && this.pending <= WRITE_AHEAD) {
      const cb = this.waiting;
      this.waiting = null;
      cb();
    }
  }

  /** The TCP socket closed (the client, or our end or destroy). */
  remoteClosed(): void {
    this.remoteGone = true;
    if (this.destroyed) return;
    this.push(null);
    this.destroy();
  }

  /** What a TCP socket offers a connection; the network thread set it on the real one. */
  setNoDelay(): this {
    return this;
  }

  override _read(): void {
    if (!this.readPaused) return;
    this.readPaused = false;
    this.post({ t: 'resume', id: this.id });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.pending += chunk.length;
    this.post({ t: 'write', id: this.id, data: chunk });
    if (this.pending <= WRITE_AHEAD) cb();
    else this.waiting = cb;
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.post({ t: 'end', id: this.id });
    cb();
  }

  override _destroy(e: Error | null, cb: (e?: Error | null) => void): void {
    if (!this.remoteGone) this.post({ t: 'destroy', id: this.id });
    // a write waiting for acks that will not come is dropped with the stream
    this.waiting = null;
    cb(e);
  }
}
