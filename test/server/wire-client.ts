/** A minimal protocol 3.0 client for the server's tests: raw bytes out, parsed backend messages in. */
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { Database, usersOf, type QueryRecord } from '../../engine/index.js';
import { PgServer, type ServeOptions } from '../../server/index.js';

export interface Message {
  readonly type: string;
  readonly body: Buffer;
}

export class WireClient {
  private buf = Buffer.alloc(0);
  private readonly queue: Message[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.parse();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async connect(port: number): Promise<WireClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new WireClient(socket);
  }

  /** Set while the answer to an SSLRequest (one byte, not a message) is awaited. */
  private rawPending = false;

  /**
   * Logs in as a client does under SCRAM-SHA-256 (RFC 5802): startup,
   * SASLInitialResponse, SASLResponse; checks the server's signature.
   * Returns the messages from AuthenticationSASLFinal on (through
   * ReadyForQuery), or the error the server answered with.
   */
  async scramLogin(params: Record<string, string>, password: string): Promise<Message[]> {
    this.startup(params);
    return this.scram(password);
  }

  /** scramLogin after the startup message was sent. */
  async scram(password: string): Promise<Message[]> {
    const sasl = (await this.next())!;
    if (sasl.type !== 'R' || sasl.body.readInt32BE(0) !== 10) return [sasl];
    const clientNonce = randomBytes(18).toString('base64');
    const clientFirstBare = `n=,r=${clientNonce}`;
    const first = Buffer.from(`n,,${clientFirstBare}`);
    this.message('p', Buffer.concat([cstr('SCRAM-SHA-256'), int32(first.length), first]));
    const cont = (await this.next())!;
    if (cont.type !== 'R' || cont.body.readInt32BE(0) !== 11) return [cont];
    const serverFirst = cont.body.subarray(4).toString('utf8');
    const attrs = new Map(serverFirst.split(',').map((a) => [a[0]!, a.slice(2)] as const));
    const salted = pbkdf2Sync(password, Buffer.from(attrs.get('s')!, 'base64'), Number(attrs.get('i')), 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=biws,r=${attrs.get('r')}`;
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
    this.message('p', Buffer.from(`${withoutProof},p=${proof.toString('base64')}`));
    const msgs = await this.until('Z');
    const final = msgs[0];
    if (final?.type === 'R' && final.body.readInt32BE(0) === 12) {
      const serverKey = createHmac('sha256', salted).update('Server Key').digest();
      const expected = createHmac('sha256', serverKey).update(authMessage).digest('base64');
      if (final.body.subarray(4).toString('utf8') !== `v=${expected}`) throw new Error('the server\'s SCRAM signature is wrong');
    }
    return msgs;
  }

  /** Sends an SSLRequest; resolves to the one-byte answer ('N' or 'S'), or -1 when the connection closes. */
  async sslRequest(): Promise<number> {
    this.rawPending = true;
    this.send(Buffer.concat([int32(8), int32(80877103)]));
    while (this.buf.length === 0 && !this.closed) await this.wait();
    this.rawPending = false;
    if (this.buf.length === 0) return -1;
    const b = this.buf[0]!;
    this.buf = this.buf.subarray(1);
    this.parse();
    return b;
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  startup(params: Record<string, string>, version = 196608): void {
    const pairs = Object.entries(params).flatMap(([k, v]) => [cstr(k), cstr(v)]);
    const body = Buffer.concat([int32(version), ...pairs, Buffer.from([0])]);
    this.send(Buffer.concat([int32(body.length + 4), body]));
  }

  message(type: string, body: Buffer): void {
    this.send(Buffer.concat([Buffer.from(type), int32(body.length + 4), body]));
  }

  query(sql: string): void {
    this.message('Q', cstr(sql));
  }

  /** The next message; null once the server has closed the connection and nothing is left. */
  async next(): Promise<Message | null> {
    while (this.queue.length === 0 && !this.closed) await this.wait();
    return this.queue.shift() ?? null;
  }

  /** Messages up to and including the next one of `type` (e.g. 'Z', ReadyForQuery), or to the connection's end. */
  async until(type: string): Promise<Message[]> {
    const out: Message[] = [];
    for (;;) {
      const m = await this.next();
      if (m === null) return out;
      out.push(m);
      if (m.type === type) return out;
    }
  }

  /** Resolves when the server has closed the connection. */
  async closedByServer(): Promise<void> {
    while (!this.closed) await this.wait();
  }

  end(): void {
    this.socket.destroy();
  }

  private parse(): void {
    while (!this.rawPending && this.buf.length >= 5) {
      const len = this.buf.readInt32BE(1);
      if (this.buf.length < 1 + len) break;
      this.queue.push({ type: String.fromCharCode(this.buf[0]!), body: this.buf.subarray(5, 1 + len) });
      this.buf = this.buf.subarray(1 + len);
    }
    this.wake();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

export function cstr(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

/** The fields of an ErrorResponse or NoticeResponse, by code letter. */
export function errorFields(m: Message): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < m.body.length && m.body[at] !== 0) {
    const code = String.fromCharCode(m.body[at]!);
    const end = m.body.indexOf(0, at + 1);
    out[code] = m.body.toString('utf8', at + 1, end);
    at = end + 1;
  }
  return out;
}

export interface RowDescriptionColumn {
  name: string;
  typeOid: number;
  typeSize: number;
  typeModifier: number;
}

export function rowDescription(m: Message): RowDescriptionColumn[] {
  const n = m.body.readInt16BE(0);
  const out: RowDescriptionColumn[] = [];
  let at = 2;
  for (let i = 0; i < n; i++) {
    const end = m.body.indexOf(0, at);
    const name = m.body.toString('utf8', at, end);
    at = end + 1 + 6;
    out.push({ name, typeOid: m.body.readInt32BE(at), typeSize: m.body.readInt16BE(at + 4), typeModifier: m.body.readInt32BE(at + 6) });
    at += 12;
  }
  return out;
}

export function dataRow(m: Message): (string | null)[] {
  const n = m.body.readInt16BE(0);
  const out: (string | null)[] = [];
  let at = 2;
  for (let i = 0; i < n; i++) {
    const len = m.body.readInt32BE(at);
    at += 4;
    if (len < 0) out.push(null);
    else {
      out.push(m.body.toString('utf8', at, at + len));
      at += len;
    }
  }
  return out;
}

export function cstringOf(m: Message): string {
  return m.body.toString('utf8', 0, m.body.indexOf(0));
}

export interface TestServer {
  /** A handle of the data directory, for setting up tables. */
  readonly db: Database;
  readonly server: PgServer;
  readonly dir: string;
  /** The records of every statement the connections' sessions ran. */
  readonly records: QueryRecord[];
  /** Sessions opened and not yet closed. */
  open(): number;
  stop(): Promise<void>;
}

/** The password of the users startServer creates. */
export const TEST_PASSWORD = 'Keel-test-1';

/**
 * A fresh database in a temporary directory, and a server over it on a free
 * port; each connection gets a Database handle of its own, acting as the
 * user who logged in. `logins`: the superusers created first, password
 * TEST_PASSWORD (a directory without users accepts no login); default alice.
 */
export async function startServer(options: Partial<ServeOptions> & { logins?: readonly string[] } = {}): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-serve-'));
  const data = path.join(dir, 'data');
  const db = await Database.open(data, { slices: 2, workers: 0 });
  for (const name of options.logins ?? ['alice']) await db.execute(`create user ${name} password '${TEST_PASSWORD}' createuser`);
  const records: QueryRecord[] = [];
  let open = 0;
  const { logins: _logins, ...serve } = options;
  const server = await PgServer.listen(
    async ({ user }) => {
      const session = await Database.open(data, { create: false, workers: 0, authorization: user });
      open++;
      session.onQuery((r) => records.push(r));
      session.onClose(() => open--);
      return session;
    },
    { port: 0, log: () => {}, users: () => usersOf(db.store.catalog()), ...serve },
  );
  return {
    db,
    server,
    dir,
    records,
    open: () => open,
    stop: async () => {
      await server.close();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Connects and logs in by SCRAM-SHA-256 (a user startServer made, by default); the login messages are consumed. */
export async function loggedIn(port: number, user = 'alice', database = 'keel', password = TEST_PASSWORD): Promise<WireClient> {
  const c = await WireClient.connect(port);
  const msgs = await c.scramLogin({ user, database }, password);
  if (msgs.at(-1)?.type !== 'Z') throw new Error(`login failed: ${msgs.map((m) => m.type).join('')}`);
  return c;
}

function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

/** The extended protocol's frontend messages, as a client writes them. */
export const ext = {
  parse(c: WireClient, name: string, sql: string, typeOids: readonly number[] = []): void {
    c.message('P', Buffer.concat([cstr(name), cstr(sql), int16(typeOids.length), ...typeOids.map(int32)]));
  },
  bind(c: WireClient, portal: string, statement: string, values: readonly (Buffer | string | null)[], paramFormats: readonly number[] = [], resultFormats: readonly number[] = []): void {
    const vals = values.map((v) => (v === null ? int32(-1) : Buffer.concat([int32(Buffer.byteLength(v)), typeof v === 'string' ? Buffer.from(v) : v])));
    c.message('B', Buffer.concat([cstr(portal), cstr(statement), int16(paramFormats.length), ...paramFormats.map(int16), int16(values.length), ...vals, int16(resultFormats.length), ...resultFormats.map(int16)]));
  },
  describe(c: WireClient, target: 'S' | 'P', name: string): void {
    c.message('D', Buffer.concat([Buffer.from(target), cstr(name)]));
  },
  execute(c: WireClient, portal: string, maxRows = 0): void {
    c.message('E', Buffer.concat([cstr(portal), int32(maxRows)]));
  },
  close(c: WireClient, target: 'S' | 'P', name: string): void {
    c.message('C', Buffer.concat([Buffer.from(target), cstr(name)]));
  },
  sync(c: WireClient): void {
    c.message('S', Buffer.alloc(0));
  },
};

/** A DataRow's values as bytes (binary results). */
export function dataRowBytes(m: Message): (Buffer | null)[] {
  const n = m.body.readInt16BE(0);
  const out: (Buffer | null)[] = [];
  let at = 2;
  for (let i = 0; i < n; i++) {
    const len = m.body.readInt32BE(at);
    at += 4;
    if (len < 0) out.push(null);
    else {
      out.push(m.body.subarray(at, at + len));
      at += len;
    }
  }
  return out;
}

/** A RowDescription's format codes. */
export function rowFormats(m: Message): number[] {
  const n = m.body.readInt16BE(0);
  const out: number[] = [];
  let at = 2;
  for (let i = 0; i < n; i++) {
    at = m.body.indexOf(0, at) + 1 + 16;
    out.push(m.body.readInt16BE(at));
    at += 2;
  }
  return out;
}

/** A ParameterDescription's type OIDs. */
export function parameterOids(m: Message): number[] {
  const n = m.body.readInt16BE(0);
  return Array.from({ length: n }, (_, i) => m.body.readInt32BE(2 + 4 * i));
}
