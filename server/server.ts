/**
 * The PostgreSQL wire-protocol server: gives each connection its own session
 * (Connection), and routes cancel requests by their process id and secret
 * key. The sockets live on a network thread (net-thread.ts), which reads
 * cancel requests even while a statement keeps this thread busy. See
 * docs/server.md.
 */
import * as tls from 'node:tls';
import { randomInt } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { KeelError, UsageError, type UserMeta } from '../engine/index.js';
import { Connection, type ConnectionSettings, type OpenSession } from './connection.js';
import { startNetThread, type FromNet, type ToNet } from './net-thread.js';
import { ThreadSocket } from './thread-socket.js';
import type { AuthMethod } from './auth.js';
import { WorkloadQueue, type WlmOptions } from './wlm.js';

export interface ServeOptions {
  /** Default 127.0.0.1: only this machine can connect unless told otherwise. */
  readonly host?: string;
  /** Default 5439, Redshift's port; 0 picks a free one (see PgServer.port). */
  readonly port?: number;
  /**
   * The users who may log in, as now committed (the catalog's users: re-read
   * at every login, so CREATE USER from another process counts at once).
   * None: no login succeeds.
   */
  readonly users: () => Readonly<Record<string, UserMeta>>;
  /** How passwords are asked for (default scram-sha-256; md5 and cleartext only when configured). */
  readonly auth?: AuthMethod;
  /** A PEM certificate (chain) and its key: SSLRequests are answered 'S' and the connection upgraded to TLS. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** The largest message accepted, in bytes (default 64 MiB): a longer one ends its connection. */
  readonly maxMessageBytes?: number;
  /** Where errors the clients cannot see (bugs) are reported; default standard error. */
  readonly log?: (line: string) => void;
  /**
   * Connections at once, at most (default 100, PostgreSQL's max_connections):
   * a startup beyond them is refused with FATAL 53300. Counted from the
   * startup message on, logged in or not; cancel requests do not count.
   */
  readonly maxConnections?: number;
  /** Workload management (wlm.ts): a queue with this many slots in front of every statement; absent, none. */
  readonly wlm?: WlmOptions;
}

/**
 * What the server reports as server_version. Redshift reports 8.0.2; drivers
 * and psql choose their catalog queries and features by it, and Redshift's
 * clients expect Redshift's. docs/server.md says why.
 */
export const SERVER_VERSION = '8.0.2';

export const DEFAULT_PORT = 5439;
export const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024;
/** PostgreSQL's default max_connections. */
export const DEFAULT_MAX_CONNECTIONS = 100;

export class PgServer {
  private readonly connections = new Map<number, Connection>();
  /** The client sockets, by the network thread's id for them. */
  private readonly sockets = new Map<number, ThreadSocket>();
  /** Process ids are handed out in order; the secret key is what makes a cancel request genuine. */
  private nextProcessId = 1;
  private readonly secrets = new Map<number, number>();
  /** Connections past their startup message, counted against maxConnections. */
  private entered = 0;
  private address: { host: string; port: number } = { host: '', port: 0 };
  private closing: Promise<void> | null = null;

  private constructor(
    /** The thread that owns the sockets (net-thread.ts): it reads cancel requests while this thread runs a statement. */
    private readonly net: Worker,
    /** The workload-management queue, when configured. */
    readonly queue: WorkloadQueue | null,
    private readonly log: (line: string) => void,
  ) {}

  /** Listens; every connection that logs in gets a session of its own from `open`, closed when the connection ends. */
  static async listen(open: OpenSession, options: ServeOptions): Promise<PgServer> {
    let secureContext: tls.SecureContext | null = null;
    if (options.tls) {
      try {
        secureContext = tls.createSecureContext({ cert: options.tls.cert, key: options.tls.key });
      } catch (e) {
        throw new UsageError(`the TLS certificate or key cannot be used: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new UsageError(`the connection limit must be a whole number of at least 1, got ${maxConnections}`);
    const queue = options.wlm ? new WorkloadQueue(options.wlm) : null;
    const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
    const settings = {
      ...(queue ? { admit: queue.admit.bind(queue) } : {}),
      auth: options.auth ?? 'scram-sha-256',
      users: options.users,
      tls: secureContext,
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE,
      serverVersion: SERVER_VERSION,
      log,
    };
    const s = new PgServer(startNetThread(), queue, log);
    const host = options.host ?? DEFAULT_HOST;
    const port = options.port ?? DEFAULT_PORT;
    const listening = new Promise<void>((resolve, reject) => {
      s.onListen = (m) => {
        if (m.t === 'listening') {
          s.address = { host: m.host, port: m.port };
          resolve();
        } else {
          // the port in use, a host this machine does not have: the user's to fix, not a bug
          reject(new KeelError('IO', `cannot listen on ${host} port ${port}: ${m.message}`));
        }
      };
      s.net.once('error', reject);
    });
    s.net.on('message', (m: FromNet) => s.fromNet(m, open, settings, maxConnections));
    s.net.on('error', (e) => log(`the server's network thread failed: ${e.stack ?? e.message}`));
    s.post({ t: 'listen', host, port });
    try {
      await listening;
    } catch (e) {
      await s.net.terminate();
      throw e;
    }
    return s;
  }

  private onListen: (m: Extract<FromNet, { t: 'listening' | 'listenError' }>) => void = () => {};
  private onClosed: () => void = () => {};

  private post(m: ToNet): void {
    this.net.postMessage(m);
  }

  private fromNet(m: FromNet, open: OpenSession, settings: ConnectionSettings, maxConnections: number): void {
    switch (m.t) {
      case 'data':
        return this.sockets.get(m.id)?.received(m.data);
      case 'ack':
        return this.sockets.get(m.id)?.acked(m.n);
      case 'close': {
        const socket = this.sockets.get(m.id);
        this.sockets.delete(m.id);
        return socket?.remoteClosed();
      }
      case 'conn':
        return this.accept(m.id, open, settings, maxConnections);
      case 'cancel':
        return this.cancel(m.pid, m.secret);
      case 'listening':
      case 'listenError':
        return this.onListen(m);
      case 'closed':
        return this.onClosed();
    }
  }

  private accept(id: number, open: OpenSession, settings: ConnectionSettings, maxConnections: number): void {
    const socket = new ThreadSocket(id, (m) => this.post(m));
    this.sockets.set(id, socket);
    new Connection(socket, open, settings, {
      enter: () => {
        if (this.entered >= maxConnections) return false;
        this.entered++;
        return true;
      },
      leave: () => this.entered--,
      register: (conn) => {
        const key = this.register(conn);
        // from now on the network thread can cancel this connection's statements on its own
        this.post({ t: 'key', id, pid: key.processId, secret: key.secretKey, slot: conn.cancelSlot });
        return key;
      },
      unregister: (pid) => {
        this.connections.delete(pid);
        this.secrets.delete(pid);
        this.post({ t: 'unkey', pid });
      },
      // a cancel request over TLS, which the network thread cannot read
      cancel: (pid, secret) => this.cancel(pid, secret),
    });
  }

  /** Aborts what the statement awaits (a queue slot, a client's COPY data); the network thread has already set its flag. */
  private cancel(pid: number, secret: number): void {
    if (this.secrets.get(pid) === secret) this.connections.get(pid)?.cancelQuery();
  }

  /** The port listened on (the one chosen when asked for 0). */
  get port(): number {
    return this.address.port;
  }

  get host(): string {
    return this.address.host;
  }

  /** Connections that have logged in. */
  get sessions(): number {
    return this.connections.size;
  }

  /** Stops listening and ends every connection (their running queries are cancelled), then the network thread. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = new Promise<void>((resolve) => {
        this.onClosed = resolve;
        this.net.once('exit', () => resolve());
      });
      for (const c of this.connections.values()) c.cancelQuery();
      this.post({ t: 'close' });
      await closed;
      for (const s of this.sockets.values()) s.remoteClosed();
      this.sockets.clear();
      await this.net.terminate();
    })().catch((e: unknown) => this.log(`closing the server failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    return this.closing;
  }

  private register(conn: Connection): { processId: number; secretKey: number } {
    const processId = this.nextProcessId++;
    // a signed 32-bit secret, as PostgreSQL's BackendKeyData carries
    const secretKey = randomInt(-0x80000000, 0x7fffffff);
    this.connections.set(processId, conn);
    this.secrets.set(processId, secretKey);
    return { processId, secretKey };
  }
}
