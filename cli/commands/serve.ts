/**
 * keel serve: the data directory over the PostgreSQL wire protocol
 * (server/, docs/server.md), until SIGINT or SIGTERM. Logins are the
 * catalog's users (CREATE USER, run by the directory's owner with keel sql).
 */
import * as fs from 'node:fs';
import { Database } from '../../index.js';
import { UsageError, usersOf } from '../../engine/index.js';
import { AUTH_METHODS, PgServer, type AuthMethod } from '../../server/index.js';
import { printJson, withDatabase, type CommonOptions } from '../context.js';

export interface ServeFlags extends CommonOptions {
  host: string;
  port: string;
  auth?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export async function serveCommand(flags: ServeFlags): Promise<void> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected a port number (0 to 65535), got ${flags.port}`);
  if (flags.auth !== undefined && !AUTH_METHODS.includes(flags.auth as AuthMethod)) throw new UsageError(`--auth: expected ${AUTH_METHODS.join(', ')}, got ${flags.auth}`);
  const auth = (flags.auth ?? 'scram-sha-256') as AuthMethod;
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together: TLS needs the certificate and its key');
  const tls = flags.tlsCert !== undefined ? { cert: readPem(flags.tlsCert, '--tls-cert'), key: readPem(flags.tlsKey!, '--tls-key') } : undefined;
  await withDatabase(
    flags,
    async (db) => {
      // a session per connection, acting as the user who logged in: a transaction block belongs to a Database handle
      const server = await PgServer.listen(
        ({ user }) => Database.open(db.dir, { create: false, workloadLog: { source: 'serve' }, resultCache: true, authorization: user }),
        { host: flags.host, port, auth, users: () => usersOf(db.store.catalog()), ...(tls ? { tls } : {}) },
      );
      const users = Object.keys(usersOf(db.store.catalog())).length;
      if (flags.json) printJson({ host: server.host, port: server.port, auth, tls: tls !== undefined, users, dataDir: db.dir });
      else {
        process.stdout.write(`keel serving ${db.dir} on ${server.host} port ${server.port} (auth ${auth}${tls ? ', TLS' : ''}); Ctrl-C stops\n`);
        if (users === 0) process.stderr.write(`warning: the data directory has no users, so no one can log in: create one with keel sql --data ${db.dir} "CREATE USER name PASSWORD '...'"\n`);
      }
      if (auth === 'cleartext' && !tls) process.stderr.write('warning: --auth cleartext without TLS sends passwords in the clear\n');
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

function readPem(file: string, flag: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
