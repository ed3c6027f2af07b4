/**
 * The psql binary against the server: one-shot queries, a script file with
 * -f, error reports with their position, SCRAM-SHA-256 and md5 passwords,
 * and TLS (sslmode=require, with a self-signed certificate made by the
 * openssl binary). psql asks for SSL first (sslmode prefer), so the refused
 * SSL request is exercised too. psql
 * 16 and later run a query with \bind over the extended protocol; older ones
 * have no \bind, and that part is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { startServer } from './wire-client.js';
import { selfSignedCertificate } from './tls-cert.js';
import { MAJOR, MISSING, psql } from './psql-client.js';

describe.skipIf(MISSING)('psql (skipped: no psql binary on PATH; install postgresql-client)', () => {
  let env: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    env = await startServer({ logins: ['u'] });
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('runs a query with -c and prints its rows', async () => {
    const r = await psql(env.server.port, ['-c', "select 1 as one, 'two' as two, cast('2024-01-02' as date) as d, 1.50 as n, true as b"]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([' one | two |     d      |  n   | b ', '-----+-----+------------+------+---', '   1 | two | 2024-01-02 | 1.50 | t', '(1 row)', '', ''].join('\n'));
  });

  it('runs a script with -f: DDL, DML and queries, with their command tags', async () => {
    const file = path.join(env.dir, 'script.sql');
    fs.writeFileSync(
      file,
      ['create table p (id integer, name varchar(10));', "insert into p values (1, 'a'), (2, 'b'), (3, null);", 'delete from p where id = 3;', 'select id, name from p order by id;'].join('\n'),
    );
    const r = await psql(env.server.port, ['-A', '-F', ',', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(['CREATE TABLE', 'INSERT 0 3', 'DELETE 1', 'id,name', '1,a', '2,b', '(2 rows)', ''].join('\n'));
  });

  it('reports an error with its SQLSTATE position as psql does, and stops with ON_ERROR_STOP', async () => {
    const r = await psql(env.server.port, ['-v', 'ON_ERROR_STOP=1', '-c', 'select missing from p']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR:  column "missing" does not exist');
    expect(r.stderr).toContain('LINE 1: select missing from p\n               ^');
  });

  it('logs in by SCRAM-SHA-256, and is refused with a wrong password', async () => {
    const ok = await psql(env.server.port, ['-A', '-t', '-c', 'select 5']);
    expect(ok.stdout).toBe('5\n');
    const bad = await psql(env.server.port, ['-A', '-t', '-c', 'select 5'], { PGPASSWORD: 'Wrong-pass-1' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('password authentication failed for user "u"');
  });

  it('with --auth md5, logs in a user whose password is stored in md5 form by MD5, and refuses a wrong one', async () => {
    const s = await startServer({ logins: [], auth: 'md5' });
    try {
      // Redshift's md5 form: 'md5' + md5(password + user name)
      const hash = 'md5' + createHash('md5').update('Md5-pass-1' + 'u').digest('hex');
      await s.db.execute(`create user u password '${hash}'`);
      const ok = await psql(s.server.port, ['-A', '-t', '-c', 'select 6'], { PGPASSWORD: 'Md5-pass-1' });
      expect(ok.stderr).toBe('');
      expect(ok.stdout).toBe('6\n');
      const bad = await psql(s.server.port, ['-A', '-t', '-c', 'select 6'], { PGPASSWORD: 'Md5-pass-2' });
      expect(bad.stderr).toContain('password authentication failed for user "u"');
    } finally {
      await s.stop();
    }
  });

  it('\\du lists the users with their attributes (pg_roles, pg_auth_members)', async () => {
    await env.db.execute("create user viewer password 'Viewer-pass-1'; create user nologin password disable");
    const r = await psql(env.server.port, ['-A', '-F', ',', '-c', '\\du']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(['List of roles', 'Role name,Attributes,Member of', 'nologin,Cannot login,{}', 'u,Superuser, Create role,{}', 'viewer,,{}', ''].join('\n'));
  });

  it('refuses every login to a directory with no user, telling the DBA to CREATE USER', async () => {
    const s = await startServer({ logins: [] });
    try {
      const r = await psql(s.server.port, ['-c', 'select 1']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no user may log in: this data directory has no users');
      expect(r.stderr).toContain('CREATE USER');
    } finally {
      await s.stop();
    }
  });
});

const CERT = MISSING ? null : selfSignedCertificate();

describe.skipIf(MISSING || CERT === null)('psql over TLS (skipped: no psql binary, or no openssl binary to make a certificate)', () => {
  it('sslmode=require: the SSLRequest is answered S and the session runs over TLS', async () => {
    const s = await startServer({ logins: ['u'], tls: CERT! });
    try {
      const r = await psql(s.server.port, ['-A', '-t', '-c', 'select 7'], { PGSSLMODE: 'require' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('7\n');
      // \conninfo names the protocol of a TLS connection
      const info = await psql(s.server.port, ['-c', '\\conninfo'], { PGSSLMODE: 'require' });
      expect(info.stdout).toMatch(/SSL connection \(protocol: TLSv1\.[23]/);
    } finally {
      await s.stop();
    }
  });

  it('sslmode=require fails against a server without a certificate', async () => {
    const s = await startServer({ logins: ['u'] });
    try {
      const r = await psql(s.server.port, ['-c', 'select 1'], { PGSSLMODE: 'require' });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('server does not support SSL');
    } finally {
      await s.stop();
    }
  });
});

describe.skipIf(MAJOR < 16)(`psql \\bind (skipped: ${MISSING ? 'no psql binary on PATH' : `psql ${MAJOR} has no \\bind; it came with psql 16`})`, () => {
  let env: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    env = await startServer({ logins: ['u'] });
    await env.db.execute("create table b (id integer, name varchar(10)); insert into b values (1, 'a'), (2, 'b'), (3, 'c')");
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('runs a query with parameters given by \\bind (Parse, Bind, Describe, Execute)', async () => {
    // -c takes SQL or one backslash command, not both: the query and its \bind go in a file
    const file = path.join(env.dir, 'bind.sql');
    fs.writeFileSync(file, "select id, name from b where id > $1 and name <> $2 order by id \\bind 1 'c' \\g\n");
    const r = await psql(env.server.port, ['-A', '-F', ',', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(['id,name', '2,b', '(1 row)', ''].join('\n'));
  });
});
