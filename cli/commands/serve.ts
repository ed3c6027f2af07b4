/**
 * keel serve: the data directory over the PostgreSQL wire protocol
 * (server/, docs/server.md), until SIGINT or SIGTERM.
 */
import { Database } from '../../index.js';
import { UsageError } from '../../engine/index.js';
import { PgServer, type AuthMethod } from '../../server/index.js';
import { printJson, withDatabase, type CommonOptions } from '../context.js';

export interface ServeFlags extends CommonOptions {
  host: string;
  port: string;
  /** The password every user logs in with; KEEL_PASSWORD when not given. */
  password?: string;
  auth?: string;
}

const METHODS: readonly AuthMethod[] = ['trust', 'cleartext', 'md5'];

export async function serveCommand(flags: ServeFlags): Promise<void> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected a port number (0 to 65535), got ${flags.port}`);
  if (flags.auth !== undefined && !METHODS.includes(flags.auth as AuthMethod)) throw new UsageError(`--auth: expected trust, cleartext or md5, got ${flags.auth}`);
  const password = flags.password ?? (process.env.KEEL_PASSWORD || undefined);
  await withDatabase(
    flags,
    async (db) => {
      // a session per connection: a transaction block belongs to a Database handle
      const server = await PgServer.listen(() => Database.open(db.dir, { create: false, workloadLog: { source: 'serve' }, resultCache: true }), {
        host: flags.host,
        port,
        ...(password === undefined ? {} : { password }),
        ...(flags.auth === undefined ? {} : { auth: flags.auth as AuthMethod }),
      });
      const auth = flags.auth ?? (password === undefined ? 'trust' : 'md5');
      if (flags.json) printJson({ host: server.host, port: server.port, auth, dataDir: db.dir });
      else process.stdout.write(`keel serving ${db.dir} on ${server.host} port ${server.port} (auth ${auth}); Ctrl-C stops\n`);
      if (auth === 'trust' && !isLoopback(server.host)) process.stderr.write(`warning: anyone who can reach ${server.host} logs in without a password\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    },
    undefined,
    'serve',
  );
}

function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.');
}
