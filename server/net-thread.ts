/**
 * The server's network thread: it owns the listening socket and every client
 * socket, and passes bytes to and from the server's thread, where the
 * connections (connection.ts) and their statements run. A statement that runs
 * serially keeps the server's thread busy until it ends; this thread is never
 * busy, so it reads a CancelRequest at once: it sets the connection's shared
 * cancel flag (cancel-slot.ts), and the statement stops at its next batch.
 * A client that goes away while its statement runs sets it too. See
 * docs/server.md, "Cancelling, disconnecting, bad input".
 *
 * Only the first bytes of a connection are looked at here: a CancelRequest
 * is one 16-byte packet on a fresh connection; any other connection's bytes
 * go to the server's thread as they come. A cancel request sent over TLS
 * (libpq 17 can) is read on the server's thread, as before.
 *
 * The thread's code is the function below, run from its source text, so the
 * same code runs from the TypeScript sources (tests) and from the build. It
 * imports nothing of keel: what it needs comes in `workerData`.
 */
import { Worker } from 'node:worker_threads';
import { RUNNING } from './cancel-slot.js';

/** From the server's thread. */
export type ToNet =
  | { readonly t: 'listen'; readonly host: string; readonly port: number }
  | { readonly t: 'write'; readonly id: number; readonly data: Uint8Array }
  | { readonly t: 'end' | 'destroy' | 'pause' | 'resume'; readonly id: number }
  | { readonly t: 'key'; readonly id: number; readonly pid: number; readonly secret: number; readonly slot: Int32Array }
  | { readonly t: 'unkey'; readonly pid: number }
  | { readonly t: 'close' };

/** To the server's thread. */
export type FromNet =
  | { readonly t: 'listening'; readonly host: string; readonly port: number }
  | { readonly t: 'listenError'; readonly message: string }
  | { readonly t: 'conn'; readonly id: number }
  | { readonly t: 'data'; readonly id: number; readonly data: Uint8Array }
  /** `n` bytes written for `id` have gone to the kernel (flow control: ThreadSocket). */
  | { readonly t: 'ack'; readonly id: number; readonly n: number }
  | { readonly t: 'close'; readonly id: number }
  /** A CancelRequest, after its flag was set here: the server's thread aborts what awaits (a queue, a COPY). */
  | { readonly t: 'cancel'; readonly pid: number; readonly secret: number }
  | { readonly t: 'closed' };

interface NetData {
  readonly running: number;
}

function netThread(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const net = require('node:net') as typeof import('node:net');
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const port = threads.parentPort!;
  const { running } = threads.workerData as NetData;
  /** PostgreSQL's CancelRequest code: 1234 in the high 16 bits, 5678 in the low. */
  const CANCEL_REQUEST = 80877102;
  const post = (m: FromNet): void => port.postMessage(m);
  const sockets = new Map<number, import('node:net').Socket>();
  /** Logged-in connections' cancel keys, by process id. */
  const keys = new Map<number, { id: number; secret: number; slot: Int32Array }>();
  const pidOf = new Map<number, number>();
  let nextId = 1;

  const cancelSlot = (slot: Int32Array): void => {
    if (Atomics.load(slot, running) !== 0) Atomics.store(slot, 0, 1);
  };

  /** 'wait' for more bytes, 'pass' them on (not a cancel request), or 'cancel'. */
  const verdict = (b: Buffer): 'wait' | 'pass' | 'cancel' => {
    if (b.length < 4) return 'wait';
    if (b.readInt32BE(0) !== 16) return 'pass';
    if (b.length < 8) return 'wait';
    if (b.readInt32BE(4) !== CANCEL_REQUEST) return 'pass';
    return b.length < 16 ? 'wait' : 'cancel';
  };

  const server = net.createServer((socket) => {
    const id = nextId++;
    sockets.set(id, socket);
    socket.setNoDelay(true);
    post({ t: 'conn', id });
    // the first bytes, until they are known not to be a cancel request; then null
    let head: Buffer | null = Buffer.alloc(0);
    let done = false;
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      if (head === null) return post({ t: 'data', id, data: chunk });
      head = Buffer.concat([head, chunk]);
      const v = verdict(head);
      if (v === 'wait') return;
      if (v === 'pass') {
        const data = head;
        head = null;
        return post({ t: 'data', id, data });
      }
      done = true;
      const pid = head.readInt32BE(8);
      const secret = head.readInt32BE(12);
      const k = keys.get(pid);
      if (k !== undefined && k.secret === secret) cancelSlot(k.slot);
      post({ t: 'cancel', pid, secret });
      socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(id);
      // the client went away: its running statement stops at its next batch
      const pid = pidOf.get(id);
      const k = pid === undefined ? undefined : keys.get(pid);
      if (k !== undefined) cancelSlot(k.slot);
      post({ t: 'close', id });
    });
  });

  port.on('message', (m: ToNet) => {
    switch (m.t) {
      case 'write': {
        const s = sockets.get(m.id);
        const n = m.data.length;
        if (s === undefined || s.destroyed || !s.writable) post({ t: 'ack', id: m.id, n });
        else s.write(m.data, () => post({ t: 'ack', id: m.id, n }));
        return;
      }
      case 'end':
        sockets.get(m.id)?.end();
        return;
      case 'destroy':
        sockets.get(m.id)?.destroy();
        return;
      case 'pause':
        sockets.get(m.id)?.pause();
        return;
      case 'resume':
        sockets.get(m.id)?.resume();
        return;
      case 'key':
        keys.set(m.pid, { id: m.id, secret: m.secret, slot: m.slot });
        pidOf.set(m.id, m.pid);
        return;
      case 'unkey': {
        const k = keys.get(m.pid);
        if (k !== undefined) pidOf.delete(k.id);
        keys.delete(m.pid);
        return;
      }
      case 'listen': {
        const refused = (e: Error) => post({ t: 'listenError', message: e.message });
        server.once('error', refused);
        server.listen(m.port, m.host, () => {
          server.off('error', refused);
          const a = server.address() as import('node:net').AddressInfo;
          post({ t: 'listening', host: a.address, port: a.port });
        });
        return;
      }
      case 'close':
        for (const s of sockets.values()) s.destroy();
        if (!server.listening) return post({ t: 'closed' });
        server.close(() => post({ t: 'closed' }));
        return;
    }
  });
}

/**
 * Starts the network thread. esbuild (the tests' transform) may wrap named
 * functions in a `__name` helper that the thread would lack: it is defined as
 * doing nothing.
 */
export function startNetThread(): Worker {
  const source = `var __name = (f) => f;\n(${netThread.toString()})();\n`;
  return new Worker(source, { eval: true, workerData: { running: RUNNING } satisfies NetData });
}
