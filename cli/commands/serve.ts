/**
 * keel serve: the data directory over the PostgreSQL wire protocol
 * (server/, docs/server.md), until SIGINT or SIGTERM. Logins are the
 * catalog's users (CREATE USER, run by the directory's owner with keel sql).
 * With --wlm-slots (or keel.config.json's wlm.slots), statements wait for a slot in a queue whose short lane is
 * learned from the workload log; with --daemon, the advisor daemon runs in
 * this process too.
 */
import * as fs from 'node:fs';
import { Database } from '../../index.js';
import { UsageError, parseMemoryLimit, usersOf } from '../../engine/index.js';
import { AUTH_METHODS, PgServer, type AuthMethod, type WlmOptions } from '../../server/index.js';
import { learnShortQueries, type ShortQueries } from '../../advisor/index.js';
import { logPath, runDaemon } from '../../advisor/daemon/index.js';
import { loadConfig } from '../../advisor/autonomics/index.js';
import { loadWorkload } from '../../workload-log/index.js';
import { printJson, withDatabase, type CommonOptions } from '../context.js';

export interface ServeFlags extends CommonOptions {
  host: string;
  port: string;
  auth?: string;
  tlsCert?: string;
  tlsKey?: string;
  maxConnections: string;
  statementTimeout: string;
  idleSessionTimeout: string;
  wlmSlots?: string;
  wlmShortMs?: string;
  daemon?: boolean;
  memoryLimit?: string;
}

/** How often the short-query prediction is learned again from the log while serving. */
const RELEARN_MS = 5 * 60_000;
/** The log's window the prediction learns from: the mining window's default (docs/autonomics.md, mining.since). */
const LEARN_WINDOW_MS = 7 * 86_400_000;

/** A flag's whole number, at least `min`; PostgreSQL's limit for durations (INT_MAX ms) as the most. */
function wholeNumber(flag: string, text: string, min: number): number {
  const x = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(x) || x < min || x > 0x7fffffff) throw new UsageError(`${flag}: expected a whole number of at least ${min}, got ${text}`);
  return x;
}

export async function serveCommand(flags: ServeFlags): Promise<void> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected a port number (0 to 65535), got ${flags.port}`);
  if (flags.auth !== undefined && !AUTH_METHODS.includes(flags.auth as AuthMethod)) throw new UsageError(`--auth: expected ${AUTH_METHODS.join(', ')}, got ${flags.auth}`);
  const auth = (flags.auth ?? 'scram-sha-256') as AuthMethod;
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together: TLS needs the certificate and its key');
  const maxConnections = wholeNumber('--max-connections', flags.maxConnections, 1);
  const statementTimeoutMs = wholeNumber('--statement-timeout', flags.statementTimeout, 0);
  const idleSessionTimeoutMs = wholeNumber('--idle-session-timeout', flags.idleSessionTimeout, 0);
  const flagSlots = flags.wlmSlots === undefined ? undefined : wholeNumber('--wlm-slots', flags.wlmSlots, 0);
  const flagShortMs = flags.wlmShortMs === undefined ? undefined : wholeNumber('--wlm-short-ms', flags.wlmShortMs, 0);
  const limit = flags.memoryLimit === undefined ? {} : { memoryLimit: parseMemoryLimit(flags.memoryLimit, '--memory-limit') };
  const tls = flags.tlsCert !== undefined ? { cert: readPem(flags.tlsCert, '--tls-cert'), key: readPem(flags.tlsKey!, '--tls-key') } : undefined;
  await withDatabase(
    flags,
    async (db) => {
      // the flags override DIR/keel.config.json's wlm keys (a bad value there is an error naming the key)
      const wlmConfig = flagSlots !== undefined && flagShortMs !== undefined ? null : loadConfig(db.dir).wlm;
      const wlmSlots = flagSlots ?? wlmConfig!.slots;
      const shortMs = flagShortMs ?? wlmConfig!.shortQueryMs;
      const daemon = flags.daemon ? await startDaemon(db.dir) : null;
      let relearn: NodeJS.Timeout | undefined;
      try {
        let wlm: WlmOptions | undefined;
        if (wlmSlots > 0) {
          let shortQueries = learn(db, shortMs);
          relearn = setInterval(() => (shortQueries = learn(db, shortMs)), RELEARN_MS);
          relearn.unref();
          wlm = { slots: wlmSlots, isShort: (s) => shortQueries.isShort(s) };
        }
        // a session per connection, acting as the user who logged in: a transaction block belongs to a Database handle
        const server = await PgServer.listen(
          ({ user }) => Database.open(db.dir, { create: false, workloadLog: { source: 'serve' }, resultCache: true, authorization: user, statementTimeoutMs, idleSessionTimeoutMs, ...limit }),
          { host: flags.host, port, auth, users: () => usersOf(db.store.catalog()), maxConnections, ...(tls ? { tls } : {}), ...(wlm ? { wlm } : {}) },
        );
        // listening for the signals before saying where it listens: a supervisor may stop it as soon as it has read that line
        const stopped = new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        const users = Object.keys(usersOf(db.store.catalog())).length;
        if (flags.json) printJson({ host: server.host, port: server.port, auth, tls: tls !== undefined, users, dataDir: db.dir, maxConnections, wlmSlots, wlmShortMs: shortMs, daemon: daemon !== null });
        else {
          const extras = [`auth ${auth}`, ...(tls ? ['TLS'] : []), `at most ${maxConnections} connections`, ...(wlmSlots > 0 ? [`${wlmSlots} query slots`] : []), ...(daemon ? [`advisor daemon, log ${logPath(db.dir)}`] : [])];
          process.stdout.write(`keel serving ${db.dir} on ${server.host} port ${server.port} (${extras.join(', ')}); Ctrl-C stops\n`);
          if (users === 0) process.stderr.write(`warning: the data directory has no users, so no one can log in: create one with keel sql --data ${db.dir} "CREATE USER name PASSWORD '...'"\n`);
        }
        if (auth === 'cleartext' && !tls) process.stderr.write('warning: --auth cleartext without TLS sends passwords in the clear\n');
        await stopped;
        await server.close();
      } finally {
        if (relearn) clearInterval(relearn);
        await daemon?.stop();
      }
    },
    undefined,
    'serve',
  );
}

/** What short query acceleration predicts from the log as it is now (advisor/cost-model/short-query.ts). */
function learn(db: Database, shortMs: number): ShortQueries {
  return learnShortQueries(loadWorkload(db.dir, { since: Date.now() - LEARN_WINDOW_MS }), db.store.catalog(), shortMs);
}

/**
 * Starts the advisor daemon in this process (advisor/daemon): its lock, schedule
 * and policy are those of `keel daemon start`, so another keel process's
 * daemon on the directory makes this fail (LOCKED) before the server listens.
 */
async function startDaemon(dir: string): Promise<{ stop(): Promise<void> }> {
  const stop = new AbortController();
  let running!: Promise<void>;
  await new Promise<void>((ready, failed) => {
    running = runDaemon(dir, { signal: stop.signal, onReady: ready });
    running.catch(failed);
  });
  return {
    async stop() {
      stop.abort('keel serve stopped');
      try {
        await running;
      } catch (e) {
        process.stderr.write(`the advisor daemon stopped with an error: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    },
  };
}

function readPem(file: string, flag: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
