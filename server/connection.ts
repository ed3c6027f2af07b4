/**
 * One client connection: the startup handshake, authentication, and the
 * simple and extended query protocols, as a small state machine over framed
 * messages (the extended protocol's statements and portals: extended.ts).
 *
 * Messages are handled one at a time: while a query runs (or its results are
 * being sent), later messages wait in the frame buffer. A client that goes away
 * cancels its running query; a message that breaks the protocol ends the
 * connection with a FATAL error and never touches the server's other
 * connections.
 */
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { ExecError, KeelError, SqlError, type Admission, type AdmitRequest, type CopyOutFormat, type ExecuteOptions, type ParamValue, type QueryResult } from '../engine/index.js';
import { FieldReader, FrameError, FrameReader, type Frame } from './protocol/frames.js';
import { MessageWriter } from './protocol/writer.js';
import * as be from './protocol/backend.js';
import { ExtendedState, WireError, type Describer, type Portal } from './extended.js';
import { readBind, readExecute, readParse, readTarget, type ExecuteMessage } from './protocol/frontend.js';
import { wireColumns, writeDataRow, type WireColumns } from './result-rows.js';
import { FEATURE_NOT_SUPPORTED, IDLE_SESSION_TIMEOUT, INTERNAL_ERROR, INVALID_AUTHORIZATION, INVALID_PASSWORD, PROTOCOL_VIOLATION, sqlstateOf, TOO_MANY_CONNECTIONS, WARNING } from './sqlstate.js';
import { Countdown } from './countdown.js';
import { challengeFor, passwordAnswers, type AuthMethod, type Challenge } from './auth.js';
import { SCRAM_MECHANISM, ScramError } from './scram.js';
import type { UserMeta } from '../engine/index.js';
import { CopyInStream } from './copy-in.js';
import { copyLine } from './copy-out.js';
import { pgColumnType } from './pg-types.js';
import { beginRun, endRun, newCancelSlot } from './cancel-slot.js';

/**
 * What a connection needs of the database: one session of its own (keel's
 * transaction block belongs to a Database handle), that runs scripts of
 * statements, says whether a transaction block is open, and is closed with
 * the connection (rolling back a block left open).
 */
export interface QueryHost extends Describer {
  execute(sql: string, onResult: (r: QueryResult) => void, options: ExecuteOptions): Promise<QueryResult[]>;
  readonly transaction: { readonly status: 'none' | 'open' | 'aborted' };
  /** The extended protocol's implicit transaction: opened at a batch's first Execute, committed (or, after an error, ended) at its Sync. */
  beginImplicitTransaction(): void;
  endImplicitTransaction(): void;
  /**
   * The session's settings: its time zone, reported to the client
   * (ParameterStatus) when SET changes it; its statement_timeout and
   * idle_session_timeout in ms (absent or 0: none), which the connection enforces.
   */
  readonly settings?: { readonly timeZone: string; readonly statementTimeoutMs?: number; readonly idleSessionTimeoutMs?: number };
  close(): void;
}

/** Opens a connection's session once it has logged in. */
export type OpenSession = (who: { readonly user: string; readonly database: string }) => Promise<QueryHost>;

export interface ConnectionSettings {
  readonly auth: AuthMethod;
  /** The catalog's users as now committed: who may log in, with what password. */
  readonly users: () => Readonly<Record<string, UserMeta>>;
  /** Set: an SSLRequest is answered 'S' and the connection goes on over TLS. */
  readonly tls: tls.SecureContext | null;
  /** The largest message body accepted, in bytes. */
  readonly maxMessageBytes: number;
  readonly serverVersion: string;
  /** Where the server reports what clients cannot see (bugs); one line each. */
  readonly log: (line: string) => void;
  /** Workload management (wlm.ts): each statement waits here for a slot; absent, statements start at once. */
  readonly admit?: (statement: AdmitRequest, signal: AbortSignal) => Promise<Admission>;
}

/** What the server does for a connection: the cancel key it hands out, and cancel requests that arrive on this connection for another. */
export interface ConnectionHooks {
  /** A startup message arrived: false when the server is at its connection limit (the startup is refused). */
  enter(): boolean;
  /** A connection that entered has ended. */
  leave(): void;
  register(conn: Connection): { processId: number; secretKey: number };
  unregister(processId: number): void;
  cancel(processId: number, secretKey: number): void;
}

/** Special startup codes (protocol 3.0 "Message Formats"): 1234 in the high 16 bits, then 5678, 5679, 5680. */
const CANCEL_REQUEST = 80877102;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH: a startup packet longer than this is refused. */
const MAX_STARTUP_BYTES = 10_000;
/** Results are handed to the socket in chunks of about this many bytes, waiting for it to drain between them. */
const FLUSH_BYTES = 64 * 1024;
/** While a query runs, reading stops once this many bytes of later messages wait unprocessed. */
const PAUSE_BYTES = 1024 * 1024;

type Phase = 'startup' | 'auth' | 'ready' | 'closed';

export class Connection {
  private phase: Phase = 'startup';
  private readonly reader: FrameReader;
  private readonly writer = new MessageWriter();
  /** A query is running or its results are going out: messages wait (but a running COPY FROM STDIN's data). */
  private busy = false;
  /** The running COPY FROM STDIN's data, from its CopyInResponse until the statement ends. */
  private copyIn: CopyInStream | null = null;
  /** After an error in an extended-protocol message, everything up to Sync is skipped. */
  private skipToSync = false;
  private readonly ext = new ExtendedState();
  private running: AbortController | null = null;
  /**
   * The running statement call's cancel flag, shared with the server's network
   * thread (cancel-slot.ts), which sets it when a cancel request for this
   * connection arrives while this thread is busy running the statement.
   */
  readonly cancelSlot = newCancelSlot();
  /** What the login was asked for, while it is being answered. */
  private challenge: Challenge | null = null;
  /** The logged-in user is a superuser (ParameterStatus is_superuser). */
  private superuser = false;
  private key: { processId: number; secretKey: number } | null = null;
  /** The session, from the login on. */
  private host: QueryHost | null = null;
  user = '';
  database = '';
  /** Counted against the server's connection limit (hooks.enter), until it closes. */
  private entered = false;
  /** idle_session_timeout: runs while the connection waits, idle, for the client's next message. */
  private readonly idleTimer = new Countdown();

  constructor(
    /** The client: a ThreadSocket (its TCP socket is the network thread's), then after an SSLRequest a TLS socket over it. */
    private socket: Duplex,
    private readonly open: OpenSession,
    private readonly settings: ConnectionSettings,
    private readonly hooks: ConnectionHooks,
  ) {
    this.reader = new FrameReader(settings.maxMessageBytes);
    this.attach(socket);
  }

  /** Reads messages from `socket`: the TCP socket, then after an SSLRequest the TLS socket over it. */
  private attach(socket: Duplex): void {
    socket.on('data', (chunk: Buffer) => {
      if (this.phase === 'closed' || socket !== this.socket) return;
      this.idleTimer.stop();
      this.reader.push(chunk);
      this.pump();
      if (this.busy && this.reader.pending > PAUSE_BYTES) socket.pause();
    });
    // ECONNRESET and the like: the client is gone, 'close' follows
    socket.on('error', () => {});
    socket.on('close', () => this.closed());
  }

  /**
   * Answers an SSLRequest: 'S' and TLS from the next byte on when a
   * certificate is configured, else 'N' (the client goes on in the clear, or
   * gives up). Bytes sent after the request and before the handshake would
   * be read as if they came over TLS: PostgreSQL refuses them, and so does keel.
   */
  private sslRequest(): void {
    if (this.settings.tls === null || this.socket instanceof tls.TLSSocket) {
      if (this.socket instanceof tls.TLSSocket) return this.fatal(PROTOCOL_VIOLATION, 'SSLRequest over a connection that already uses TLS');
      this.send(Buffer.from('N'));
      return;
    }
    if (this.reader.pending > 0) return this.fatal(PROTOCOL_VIOLATION, 'received unencrypted data after SSL request');
    const raw = this.socket;
    this.send(Buffer.from('S'));
    raw.removeAllListeners('data');
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: this.settings.tls });
    this.socket = secure;
    this.attach(secure);
  }

  /** The session name in query records: the database, and the cancel key's process id. */
  get session(): string {
    return `${this.database}:${this.key?.processId ?? 0}`;
  }

  /** Stops the running query, if any (a CancelRequest with this connection's key). */
  cancelQuery(): void {
    this.running?.abort();
  }

  /** Ends the connection at once (server shutdown). */
  destroy(): void {
    this.socket.destroy();
  }

  /** A method, not a field test: the phase changes while a query awaits. */
  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  private closed(): void {
    this.phase = 'closed';
    this.idleTimer.stop();
    if (this.entered) this.hooks.leave();
    this.entered = false;
    this.running?.abort();
    if (this.key) this.hooks.unregister(this.key.processId);
    this.key = null;
    // a running query closes the session when it has stopped
    if (!this.busy) this.closeSession();
  }

  private closeSession(): void {
    const host = this.host;
    this.host = null;
    try {
      host?.close();
    } catch (e) {
      this.log(`closing the session of user "${this.user}" failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  /** Handles every complete message that has arrived, in order, until a query makes the connection busy; while a COPY FROM STDIN runs, its messages. */
  private pump(): void {
    try {
      while (this.phase !== 'closed' && (!this.busy || (this.copyIn !== null && !this.copyIn.done))) {
        const frame = this.reader.next(this.phase !== 'startup');
        if (frame === null) return this.waitIdle();
        if (this.busy) this.copyMessage(frame);
        else this.handle(frame);
      }
    } catch (e) {
      if (e instanceof FrameError) this.fatal(PROTOCOL_VIOLATION, e.message);
      else this.bug(e);
    }
  }

  private handle(frame: Frame): void {
    switch (this.phase) {
      case 'startup':
        return this.startup(frame.body);
      case 'auth':
        return this.authenticate(frame);
      case 'ready':
        return this.message(frame);
      case 'closed':
        return;
    }
  }

  // ------------------------------------------------------------ startup

  private startup(body: Buffer): void {
    if (body.length > MAX_STARTUP_BYTES) throw new FrameError(`startup packet of ${body.length} bytes exceeds the limit of ${MAX_STARTUP_BYTES}`);
    const f = new FieldReader(body);
    const code = f.int32();
    if (code === SSL_REQUEST) return this.sslRequest();
    if (code === GSSENC_REQUEST) {
      // no GSSAPI encryption: 'N', and the client goes on (or gives up)
      this.send(Buffer.from('N'));
      return;
    }
    if (code === CANCEL_REQUEST) {
      this.hooks.cancel(f.int32(), f.int32());
      this.phase = 'closed';
      this.socket.end();
      return;
    }
    const major = code >>> 16;
    const minor = code & 0xffff;
    if (major !== 3) return this.fatal(FEATURE_NOT_SUPPORTED, `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`);
    // counted from the startup on, as PostgreSQL counts a backend before it authenticates
    if (!this.hooks.enter()) return this.fatal(TOO_MANY_CONNECTIONS, 'sorry, too many clients already');
    this.entered = true;
    const params = new Map<string, string>();
    const unrecognized: string[] = [];
    for (;;) {
      const name = f.cstring();
      if (name === '') break;
      const value = f.cstring();
      if (name.startsWith('_pq_.')) unrecognized.push(name);
      else params.set(name, value);
    }
    const user = params.get('user');
    if (!user) return this.fatal(INVALID_AUTHORIZATION, 'no PostgreSQL user name specified in startup packet');
    this.user = user;
    this.database = params.get('database') || user;
    if (minor > 0 || unrecognized.length > 0) be.negotiateProtocolVersion(this.writer, 0, unrecognized);
    const users = this.settings.users();
    if (Object.keys(users).length === 0) {
      return this.fatal(INVALID_AUTHORIZATION, 'no user may log in: this data directory has no users. Its owner creates one with keel sql --data DIR "CREATE USER name PASSWORD \'...\'" (docs/server.md, "Users")');
    }
    const known = Object.hasOwn(users, user) ? users[user]! : null;
    this.superuser = known?.superuser ?? false;
    // an unknown user, or one whose password is DISABLE, is asked as any other and fails at the end
    const challenge = challengeFor(this.settings.auth, user, known?.password ?? null);
    switch (challenge.kind) {
      case 'scram':
        be.authenticationSasl(this.writer, [SCRAM_MECHANISM]);
        break;
      case 'md5':
        be.authenticationMd5Password(this.writer, challenge.salt);
        break;
      case 'cleartext':
        be.authenticationCleartextPassword(this.writer);
        break;
    }
    this.challenge = challenge;
    this.startupParams = params;
    this.phase = 'auth';
    this.flushNow();
  }

  private startupParams = new Map<string, string>();

  private authenticate(frame: Frame): void {
    const challenge = this.challenge!;
    if (frame.type !== 0x70 /* p */) {
      return this.fatal(PROTOCOL_VIOLATION, `expected ${challenge.kind === 'scram' ? 'a SASL response' : 'a password response'}, got message type ${typeName(frame.type)}`);
    }
    if (challenge.kind !== 'scram') {
      const given = new FieldReader(frame.body).cstring();
      if (!passwordAnswers(challenge, this.user, given)) return this.failedLogin();
      this.challenge = null;
      return this.loggedIn(this.startupParams);
    }
    try {
      this.scramStep(challenge.exchange, new FieldReader(frame.body), frame.body);
    } catch (e) {
      if (e instanceof ScramError) return this.fatal(PROTOCOL_VIOLATION, e.message);
      throw e;
    }
  }

  /** One SASL message of a SCRAM exchange: SASLInitialResponse (mechanism, length, client-first), then SASLResponse (client-final). */
  private scramStep(exchange: Extract<Challenge, { kind: 'scram' }>['exchange'], f: FieldReader, body: Buffer): void {
    if (!this.scramStarted) {
      const mechanism = f.cstring();
      if (mechanism !== SCRAM_MECHANISM) return this.fatal(PROTOCOL_VIOLATION, `SASL authentication mechanism ${JSON.stringify(mechanism)} was not offered (only ${SCRAM_MECHANISM})`);
      const length = f.int32();
      const data = length < 0 ? '' : f.bytes(length).toString('utf8');
      this.scramStarted = true;
      be.authenticationSaslContinue(this.writer, exchange.first(data));
      return this.flushNow();
    }
    const { ok, serverFinal } = exchange.final(body.toString('utf8'));
    if (!ok) return this.failedLogin();
    this.challenge = null;
    be.authenticationSaslFinal(this.writer, serverFinal);
    this.loggedIn(this.startupParams);
  }

  private scramStarted = false;

  private failedLogin(): void {
    this.fatal(INVALID_PASSWORD, `password authentication failed for user "${this.user}"`);
  }

  private loggedIn(params: ReadonlyMap<string, string>): void {
    this.key = this.hooks.register(this);
    be.authenticationOk(this.writer);
    const status: [string, string][] = [
      ['server_version', this.settings.serverVersion],
      ['server_encoding', 'UTF8'],
      ['client_encoding', 'UTF8'],
      ['DateStyle', 'ISO, MDY'],
      ['TimeZone', 'UTC'],
      ['IntervalStyle', 'postgres'],
      ['integer_datetimes', 'on'],
      ['standard_conforming_strings', 'on'],
      ['is_superuser', this.superuser ? 'on' : 'off'],
      ['session_authorization', this.user],
      ['application_name', params.get('application_name') ?? ''],
    ];
    for (const [name, value] of status) be.parameterStatus(this.writer, name, value);
    be.backendKeyData(this.writer, this.key.processId, this.key.secretKey);
    void this.openSession();
  }

  /** Opens the session (busy meanwhile: messages wait), then says the connection is ready. */
  private async openSession(): Promise<void> {
    this.busy = true;
    let host: QueryHost;
    try {
      host = await this.open({ user: this.user, database: this.database });
    } catch (e) {
      this.busy = false;
      if (this.isClosed()) return;
      const message = e instanceof KeelError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
      if (!(e instanceof KeelError)) this.log(`opening a session failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return this.fatal(e instanceof KeelError ? sqlstateOf(e.code) : INTERNAL_ERROR, message);
    }
    this.host = host;
    this.busy = false;
    if (this.isClosed()) return this.closeSession();
    be.readyForQuery(this.writer, 'I');
    this.phase = 'ready';
    this.flushNow();
    this.pump();
  }

  /**
   * Nothing to handle: an idle session (logged in, no query running, outside
   * a transaction block, as PostgreSQL's idle_session_timeout counts it) is
   * closed with FATAL 57P05 once idle_session_timeout passes without a message.
   */
  private waitIdle(): void {
    if (this.phase !== 'ready' || this.busy || this.status() !== 'I') return;
    this.idleTimer.start(this.host?.settings?.idleSessionTimeoutMs ?? 0, () => {
      if (this.phase === 'ready' && !this.busy) this.fatal(IDLE_SESSION_TIMEOUT, 'terminating connection due to idle-session timeout');
    });
  }

  /** ReadyForQuery's status: idle, in a transaction block, or in one that failed. */
  private status(): be.TransactionStatus {
    switch (this.host?.transaction.status) {
      case 'open':
        return 'T';
      case 'aborted':
        return 'E';
      default:
        return 'I';
    }
  }

  // ------------------------------------------------------------ after startup

  private message(frame: Frame): void {
    const type = String.fromCharCode(frame.type);
    switch (type) {
      case 'Q': {
        const sql = new FieldReader(frame.body).cstring();
        // a Query after Executes with no Sync between: what they ran commits first, as in PostgreSQL
        if (!this.endBatch()) return;
        this.ext.dropUnnamed();
        void this.query(sql);
        return;
      }
      case 'X':
        this.phase = 'closed';
        this.socket.end();
        return;
      case 'S': {
        this.skipToSync = false;
        this.endBatch();
        const status = this.status();
        if (status === 'I') this.ext.endTransaction();
        be.readyForQuery(this.writer, status);
        this.flushNow();
        return;
      }
      case 'H':
        if (!this.skipToSync) this.flushNow();
        return;
      case 'P': {
        const m = readParse(frame.body);
        return this.extended(m.sql, () => {
          this.ext.parse(this.host!, m);
          be.parseComplete(this.writer);
        });
      }
      case 'B': {
        const m = readBind(frame.body);
        return this.extended('', () => {
          this.ext.bind(this.host!, m);
          be.bindComplete(this.writer);
        });
      }
      case 'D': {
        const m = readTarget(frame.body);
        return this.extended('', () => this.describe(m.target, m.name));
      }
      case 'C': {
        const m = readTarget(frame.body);
        return this.extended('', () => {
          this.ext.close(m.target, m.name);
          be.closeComplete(this.writer);
        });
      }
      case 'E': {
        const m = readExecute(frame.body);
        if (this.skipToSync) return;
        void this.execute(m);
        return;
      }
      case 'F':
        be.errorResponse(this.writer, { severity: 'ERROR', code: FEATURE_NOT_SUPPORTED, message: 'function calls (the FunctionCall message) are not supported' });
        be.readyForQuery(this.writer, this.status());
        this.flushNow();
        return;
      case 'd':
      case 'c':
      case 'f':
        // copy data with no COPY running: ignored, as PostgreSQL does
        return;
      default:
        return this.fatal(PROTOCOL_VIOLATION, `invalid frontend message type ${typeName(frame.type)}`);
    }
  }

  // ------------------------------------------------------------ extended protocol

  /**
   * Runs one extended-protocol step, unless an earlier error skips to Sync:
   * an error in it is sent (with its position in `sql`, when it is about that
   * text) and skips the rest of the batch. Replies wait in the writer for
   * Sync or Flush, as PostgreSQL's do.
   */
  private extended(sql: string, step: () => void): void {
    if (this.skipToSync) return;
    try {
      step();
    } catch (e) {
      this.extendedError(e, sql);
    }
  }

  private extendedError(e: unknown, sql: string): void {
    be.errorResponse(this.writer, this.errorFields(e, sql));
    this.skipToSync = true;
    this.flushNow();
  }

  /**
   * Ends the batch's implicit transaction: its statements commit together. A
   * commit that fails is an ErrorResponse (false), and rolled back.
   */
  private endBatch(): boolean {
    try {
      this.host!.endImplicitTransaction();
      return true;
    } catch (e) {
      be.errorResponse(this.writer, this.errorFields(e, ''));
      be.readyForQuery(this.writer, this.status());
      this.flushNow();
      return false;
    }
  }

  /** Describe: a statement's ParameterDescription, then its RowDescription (formats not yet chosen: text) or NoData; a portal's RowDescription with its formats, or NoData. */
  private describe(target: 'S' | 'P', name: string): void {
    if (target === 'S') {
      const s = this.ext.statement(name);
      be.parameterDescription(this.writer, s.oids);
      // described again: the catalog may have changed since its Parse
      const columns = this.host!.describePrepared(s.sql, s.declared).columns;
      if (columns) be.rowDescription(this.writer, wireColumns(columns, []).descriptions);
      else be.noData(this.writer);
      return;
    }
    const p = this.ext.portal(name);
    if (p.wire) be.rowDescription(this.writer, p.wire.descriptions, p.wire.formats);
    else be.noData(this.writer);
  }

  /** Execute: runs the portal's statement at its first Execute, then hands out up to `maxRows` of its rows (0: all). */
  private async execute(m: ExecuteMessage): Promise<void> {
    let portal: Portal;
    try {
      portal = this.ext.portal(m.portal);
    } catch (e) {
      return this.extendedError(e, '');
    }
    this.busy = true;
    try {
      if (!portal.ran) {
        // the statements of a batch, up to its Sync, run in one transaction (unless a block is open)
        this.host!.beginImplicitTransaction();
        const { results, error } = await this.run(portal.statement.sql, portal.params);
        if (this.isClosed()) return this.idle();
        if (error !== null) {
          this.extendedError(error, portal.statement.sql);
          return this.idle();
        }
        const r = results[0] ?? null;
        // COPY ... TO STDOUT's rows go out as CopyData (sendCopyOut), not as the portal's rows
        portal.ran = { result: r, rows: r && r.columns.length > 0 && r.copyOut === null ? r.textRows() : [], sent: 0 };
      }
      await this.sendPortalRows(portal, m.maxRows);
    } catch (e) {
      this.bug(e);
      return;
    }
    this.idle();
  }

  /**
   * Runs statements on the session, cancellable by a CancelRequest, with
   * COPY FROM STDIN reading this client's CopyData: the results of the
   * statements that ran, and the error that stopped the rest (null for none).
   */
  private async run(sql: string, params?: readonly ParamValue[]): Promise<{ results: QueryResult[]; error: unknown }> {
    const results: QueryResult[] = [];
    let error: unknown = null;
    const running = new AbortController();
    this.running = running;
    // statement_timeout, per statement (as PostgreSQL 13 and later time each of a Query's statements), queue time included
    const timeout = new Countdown();
    let timedOut = false;
    const startClock = () =>
      timeout.start(this.host?.settings?.statementTimeoutMs ?? 0, () => {
        timedOut = true;
        running.abort();
      });
    const admit = this.settings.admit;
    beginRun(this.cancelSlot);
    const options: ExecuteOptions = {
      user: this.user,
      session: this.session,
      // the abort of what awaits here (a timer, a client gone, a cancel request read on this thread) ...
      signal: running.signal,
      // ... and the flag the network thread sets while this thread is busy
      cancel: this.cancelSlot,
      copyIn: (c) => this.startCopyIn(c.columns),
      // a Query message's statements are one implicit transaction (PostgreSQL's simple protocol); an Execute's one statement is in its batch's
      ...(params ? { params } : { implicitTransaction: true }),
      ...(admit ? { admit: (s: AdmitRequest) => admit(s, running.signal) } : {}),
    };
    startClock();
    try {
      await this.host!.execute(
        sql,
        (r) => {
          results.push(r);
          startClock();
        },
        options,
      );
    } catch (e) {
      error = timedOut && e instanceof KeelError && e.code === 'CANCELLED' ? new ExecError('CANCELLED', 'canceling statement due to statement timeout') : e;
    }
    timeout.stop();
    endRun(this.cancelSlot);
    this.running = null;
    // a COPY that failed before the client's CopyDone: the rest of its data is dropped as it comes (message())
    this.copyIn = null;
    return { results, error };
  }

  /**
   * Ends a busy spell. A connection that closed meanwhile closes its session
   * (its query has stopped); else reading resumes and the messages that
   * waited are handled.
   */
  private idle(): void {
    this.busy = false;
    if (this.isClosed()) return this.closeSession();
    if (this.socket.isPaused()) this.socket.resume();
    this.pump();
  }

  // ------------------------------------------------------------ COPY FROM STDIN

  /** A COPY FROM STDIN starts: CopyInResponse, then the client's CopyData go to the statement. */
  private startCopyIn(columns: number): AsyncIterable<Buffer> {
    be.copyInResponse(this.writer, columns);
    this.flushNow();
    const stream = new CopyInStream((paused) => {
      if (paused) this.socket.pause();
      else if (this.socket.isPaused()) this.socket.resume();
    });
    this.copyIn = stream;
    // data the client sent at once may be waiting already; handled once the statement reads
    queueMicrotask(() => this.pump());
    return stream;
  }

  /**
   * A message during COPY FROM STDIN: CopyData, CopyDone, CopyFail; Flush
   * and Sync are ignored, as PostgreSQL does; any other fails the COPY.
   */
  private copyMessage(frame: Frame): void {
    const copy = this.copyIn!;
    switch (frame.type) {
      case 0x64 /* d */:
        return copy.push(frame.body);
      case 0x63 /* c */:
        return copy.end();
      case 0x66 /* f */:
        return copy.fail(`COPY from stdin failed: ${new FieldReader(frame.body).cstring()}`);
      case 0x48 /* H */:
      case 0x53 /* S */:
        return;
      default:
        return copy.fail(`unexpected message type ${typeName(frame.type)} during COPY from stdin`);
    }
  }

  private async sendPortalRows(portal: Portal, maxRows: number): Promise<void> {
    const ran = portal.ran!;
    const r = ran.result;
    if (r === null) return be.emptyQueryResponse(this.writer);
    if (ran.sent === 0 && r.notice !== null) be.noticeResponse(this.writer, { severity: 'WARNING', code: WARNING, message: r.notice });
    // COPY ... TO STDOUT from Execute: the whole copy at once, whatever the row limit (PostgreSQL's way)
    if (r.copyOut !== null) return this.sendCopyOut(r, r.copyOut);
    const end = maxRows > 0 ? Math.min(ran.rows.length, ran.sent + maxRows) : ran.rows.length;
    if (r.columns.length > 0) {
      // the formats the Bind chose, for the columns as they ran (their types as described at Bind, unless the catalog changed since)
      const wire = wireColumns(r.columns, portal.wire?.formats ?? []);
      for (let i = ran.sent; i < end; i++) {
        writeDataRow(this.writer, ran.rows[i]!, wire.outs);
        if (this.writer.size >= FLUSH_BYTES) {
          await this.flush();
          if (this.isClosed()) return;
        }
      }
    }
    const count = end - ran.sent;
    ran.sent = end;
    if (end < ran.rows.length) return be.portalSuspended(this.writer);
    // a SELECT's tag counts the rows this Execute returned, as PostgreSQL's does for a portal run in parts
    be.commandComplete(this.writer, commandTag(r.columns.length > 0 && r.command === 'SELECT' ? { command: r.command, rowCount: count } : r));
  }

  // ------------------------------------------------------------ simple protocol

  private async query(sql: string): Promise<void> {
    this.busy = true;
    const { results, error } = await this.run(sql);
    try {
      if (this.isClosed()) return this.idle();
      if (results.length === 0 && error === null) be.emptyQueryResponse(this.writer);
      for (const r of results) {
        await this.sendResult(r);
        if (this.isClosed()) return;
      }
      // TimeZone is a setting PostgreSQL reports whenever it changes; clients format timestamps by it
      if (this.host!.settings && results.some((r) => r.command === 'SET' || r.command === 'RESET')) be.parameterStatus(this.writer, 'TimeZone', this.host!.settings.timeZone);
      if (error !== null) be.errorResponse(this.writer, this.errorFields(error, sql));
      be.readyForQuery(this.writer, this.status());
      await this.flush();
    } catch (e) {
      this.bug(e);
      return;
    }
    this.idle();
  }

  private async sendResult(r: QueryResult): Promise<void> {
    if (r.notice !== null) be.noticeResponse(this.writer, { severity: 'WARNING', code: WARNING, message: r.notice });
    if (r.copyOut !== null) return this.sendCopyOut(r, r.copyOut);
    if (r.columns.length > 0) {
      const wire: WireColumns = wireColumns(r.columns, []);
      be.rowDescription(this.writer, wire.descriptions);
      const rows = r.textRows();
      for (const row of rows) {
        writeDataRow(this.writer, row, wire.outs);
        if (this.writer.size >= FLUSH_BYTES) {
          await this.flush();
          if (this.isClosed()) return;
        }
      }
    }
    be.commandComplete(this.writer, commandTag(r));
  }

  /** COPY ... TO STDOUT: CopyOutResponse, a CopyData per line (a header first, when asked), CopyDone, then COPY n. */
  private async sendCopyOut(r: QueryResult, format: CopyOutFormat): Promise<void> {
    be.copyOutResponse(this.writer, r.columns.length);
    if (format.header) be.copyData(this.writer, copyLine(r.columns.map((c) => c.name), format));
    // keel's text as PostgreSQL writes the value (booleans t and f, floats as PostgreSQL prints them)
    const outs = r.columns.map((c) => pgColumnType(c.type).textOut);
    for (const row of r.textRows()) {
      be.copyData(this.writer, copyLine(row.map((v, i) => (v === null ? null : (outs[i]?.(v) ?? v))), format));
      if (this.writer.size >= FLUSH_BYTES) {
        await this.flush();
        if (this.isClosed()) return;
      }
    }
    be.copyDone(this.writer);
    be.commandComplete(this.writer, commandTag(r));
  }

  private errorFields(e: unknown, sql: string): be.ErrorFields {
    if (e instanceof WireError) return { severity: 'ERROR', code: e.code, message: e.message };
    if (!(e instanceof KeelError)) {
      this.log(`internal error in a query of user "${this.user}": ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return { severity: 'ERROR', code: INTERNAL_ERROR, message: `internal error: ${e instanceof Error ? e.message : String(e)}` };
    }
    const position = e instanceof SqlError ? positionIn(e, sql) : undefined;
    return { severity: 'ERROR', code: sqlstateOf(e.code), message: e.message, ...(position === undefined ? {} : { position }) };
  }

  // ------------------------------------------------------------ output

  /** Sends a FATAL error and closes the connection. */
  private fatal(code: string, message: string): void {
    be.errorResponse(this.writer, { severity: 'FATAL', code, message });
    this.flushNow();
    this.phase = 'closed';
    this.running?.abort();
    this.socket.end();
  }

  private bug(e: unknown): void {
    this.log(`connection of user "${this.user}" failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    this.busy = false;
    this.phase = 'closed';
    this.running?.abort();
    this.socket.destroy();
    this.closeSession();
  }

  private log(line: string): void {
    this.settings.log(line);
  }

  private send(bytes: Buffer): boolean {
    if (this.socket.destroyed || !this.socket.writable) return true;
    return this.socket.write(bytes);
  }

  /** Hands what is written to the socket without waiting for it to drain (handshake messages are small). */
  private flushNow(): void {
    if (this.writer.size > 0) this.send(this.writer.take());
  }

  /** Hands what is written to the socket, and waits while the socket's buffer is full (or until the connection closes). */
  private async flush(): Promise<void> {
    if (this.writer.size === 0) return;
    if (this.send(this.writer.take())) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }
}

/** A message type byte as text for an error message: the letter when printable, else its code. */
function typeName(type: number): string {
  return type >= 0x20 && type < 0x7f ? `"${String.fromCharCode(type)}"` : `0x${type.toString(16).padStart(2, '0')}`;
}

/** The CommandComplete tag PostgreSQL sends for a statement: SELECT 3, INSERT 0 3, DELETE 2, CREATE TABLE. */
export function commandTag(r: Pick<QueryResult, 'command' | 'rowCount'>): string {
  switch (r.command) {
    case 'SELECT':
    case 'DELETE':
    case 'UPDATE':
    case 'MERGE':
    case 'COPY':
      return `${r.command} ${r.rowCount}`;
    case 'INSERT':
      // the 0 is the OID of a single inserted row, which keel tables do not have
      return `INSERT 0 ${r.rowCount}`;
    case 'TRUNCATE':
      return 'TRUNCATE TABLE';
    default:
      return r.command;
  }
}

/**
 * ErrorResponse's position (1-based, in characters of the query string) of a
 * SqlError: its offset when it points into the query string as sent, or into
 * one statement of it found there.
 */
function positionIn(e: SqlError, sql: string): number | undefined {
  if (e.position === undefined || e.sql === undefined) return undefined;
  const base = e.sql === sql ? 0 : sql.indexOf(e.sql);
  if (base < 0) return undefined;
  // offsets count UTF-16 units; PostgreSQL counts characters
  return [...sql.slice(0, base + e.position.offset)].length + 1;
}
