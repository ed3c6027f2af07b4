/**
 * The PostgreSQL wire-protocol server: listens, gives each connection its own
 * session (Connection), and routes cancel requests by their process id and
 * secret key. See docs/server.md.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { randomInt } from 'node:crypto';
import { KeelError, UsageError, type UserMeta } from '../engine/index.js';
import { Connection, type OpenSession } from './connection.js';
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
  private readonly sockets = new Set<net.Socket>();
  /** Process ids are handed out in order; the secret key is what makes a cancel request genuine. */
  private nextProcessId = 1;
  private readonly secrets = new Map<number, number>();
  /** Connections past their startup message, counted against maxConnections. */
  private entered = 0;

  private constructor(
    private readonly server: net.Server,
    /** The workload-management queue, when configured. */
    readonly queue: WorkloadQueue | null,
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
    const settings = {
      ...(queue ? { admit: queue.admit.bind(queue) } : {}),
      auth: options.auth ?? 'scram-sha-256',
      users: options.users,
      tls: secureContext,
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE,
      serverVersion: SERVER_VERSION,
      log: options.log ?? ((line: string) => process.stderr.write(line + '\n')),
    };
    let self: PgServer | undefined;
    const server = net.createServer((socket) => {
      const s = self!;
      s.sockets.add(socket);
      socket.on('close', () => s.sockets.delete(socket));
      new Connection(socket, open, settings, {
        enter: () => {
          if (s.entered >= maxConnections) return false;
          s.entered++;
          return true;
        },
        leave: () => s.entered--,
        register: (conn) => s.register(conn),
        unregister: (pid) => {
          s.connections.delete(pid);
          s.secrets.delete(pid);
        },
        cancel: (pid, secret) => {
          if (s.secrets.get(pid) === secret) s.connections.get(pid)?.cancelQuery();
        },
      });
    });
    self = new PgServer(server, queue);
    const host = options.host ?? DEFAULT_HOST;
    const port = options.port ?? DEFAULT_PORT;
    await new Promise<void>((resolve, reject) => {
      // the port in use, a host this machine does not have: the user's to fix, not a bug
      const refused = (e: Error) => reject(new KeelError('IO', `cannot listen on ${host} port ${port}: ${e.message}`));
      server.once('error', refused);
      server.listen(port, host, () => {
        server.off('error', refused);
        resolve();
      });
    });
    return self;
  }

  /** The port listened on (the one chosen when asked for 0). */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get host(): string {
    return (this.server.address() as net.AddressInfo).address;
  }

  /** Connections that have logged in. */
  get sessions(): number {
    return this.connections.size;
  }

  /** Stops listening and ends every connection (their running queries are cancelled). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.connections.values()) c.cancelQuery();
    for (const s of this.sockets) s.destroy();
    await closed;
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
