/**
 * Users and privileges in the catalog: CREATE/ALTER/DROP USER with Redshift's
 * password rules, passwords stored as SCRAM verifiers and never in clear
 * (catalog and workload records alike), durability through the catalog's
 * commit, and GRANT/REVOKE checked for sessions acting as a user.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Database, KeelError, passwordIsStored, usersOf, type QueryRecord, type SystemTable } from '../../engine/index.js';

const dirs: string[] = [];
const handles: Database[] = [];

afterEach(() => {
  for (const h of handles.splice(0)) h.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function fresh(): Promise<Database> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-users-'));
  dirs.push(dir);
  return open(dir);
}

async function open(dir: string, authorization?: string): Promise<Database> {
  const db = await Database.open(dir, { slices: 2, workers: 0, ...(authorization ? { authorization } : {}) });
  handles.push(db);
  return db;
}

async function failure(p: Promise<unknown>): Promise<KeelError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KeelError);
    return e as KeelError;
  }
  throw new Error('statement succeeded');
}

describe('CREATE, ALTER and DROP USER', () => {
  it('stores a SCRAM-SHA-256 verifier that checks the password; the password is in no file of the directory', async () => {
    const db = await fresh();
    await db.execute("create user alice password 'Secret-Pass9'");
    const alice = usersOf(db.catalog()).alice!;
    expect(alice).toMatchObject({ name: 'alice', id: 100, superuser: false });
    expect(alice.password).toMatchObject({ kind: 'scram-sha-256', iterations: 4096 });
    expect(passwordIsStored(alice.password!, 'alice', 'Secret-Pass9')).toBe(true);
    expect(passwordIsStored(alice.password!, 'alice', 'Secret-Pass8')).toBe(false);
    const files = fs.readdirSync(db.dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    for (const f of files) expect(fs.readFileSync(path.join(f.parentPath, f.name), 'latin1')).not.toContain('Secret-Pass9');
  });

  it("refuses passwords that break Redshift's rules, at the password", async () => {
    const db = await fresh();
    const cases: [string, string][] = [
      ['Ab1', 'a password must be 8 to 64 characters long'],
      ['A'.repeat(60) + 'bcd12', 'a password must be 8 to 64 characters long'],
      ['abcdefg1', 'a password must contain an upper-case letter'],
      ['ABCDEFG1', 'a password must contain a lower-case letter'],
      ['Abcdefgh', 'a password must contain a digit'],
      ['Abcdefg1@', `a password may hold printable ASCII characters other than ' " \\ / and @, not "@"`],
      ['Abcd efg1', `a password may hold printable ASCII characters other than ' " \\ / and @, not " "`],
    ];
    for (const [password, message] of cases) {
      const e = await failure(db.execute(`create user u password '${password}'`));
      expect(e.code).toBe('INVALID_VALUE');
      expect(e.message).toBe(message);
    }
    expect(usersOf(db.catalog())).toEqual({});
  });

  it("takes Redshift's md5 form as the hash it is, PASSWORD DISABLE, and refuses the sha256 form as unsupported", async () => {
    const db = await fresh();
    const hash = 'md5' + createHash('md5').update('Any-pass-1' + 'mo').digest('hex');
    await db.execute(`create user mo password '${hash}'; create user off password disable`);
    expect(usersOf(db.catalog()).mo!.password).toEqual({ kind: 'md5', hash });
    expect(passwordIsStored(usersOf(db.catalog()).mo!.password!, 'mo', 'Any-pass-1')).toBe(true);
    expect(usersOf(db.catalog()).off!.password).toBeNull();
    const e = await failure(db.execute("create user sha password 'sha256|Mypassword1'"));
    expect(e.code).toBe('UNSUPPORTED');
  });

  it('ALTER USER changes the password, CREATEUSER and the name (an md5 hash is cleared by a rename, with a notice)', async () => {
    const db = await fresh();
    const hash = 'md5' + createHash('md5').update('Any-pass-1' + 'mo').digest('hex');
    await db.execute(`create user bo password 'First-pass1'; create user mo password '${hash}'`);
    await db.execute("alter user bo password 'Second-pass2' createuser");
    const bo = usersOf(db.catalog()).bo!;
    expect(bo.superuser).toBe(true);
    expect(passwordIsStored(bo.password!, 'bo', 'Second-pass2')).toBe(true);
    await db.execute('alter user bo rename to bob');
    expect(Object.keys(usersOf(db.catalog())).sort()).toEqual(['bob', 'mo']);
    expect(usersOf(db.catalog()).bob!.id).toBe(bo.id);
    const [renamed] = await db.execute('alter user mo rename to moe');
    expect(renamed!.notice).toBe('MD5 password cleared because of user rename');
    expect(usersOf(db.catalog()).moe!.password).toBeNull();
  });

  it('DROP USER [IF EXISTS]; errors name the user and the statement position', async () => {
    const db = await fresh();
    await db.execute("create user a1 password 'Abcdefg1'; create user a2 password 'Abcdefg1'");
    expect((await failure(db.execute("create user a1 password 'Abcdefg1'"))).code).toBe('DUPLICATE_OBJECT');
    await db.execute('drop user a1, a2');
    await db.execute('drop user if exists a1');
    const e = await failure(db.execute('drop user a1'));
    expect(e.code).toBe('UNKNOWN_USER');
    expect(e.message).toBe('user "a1" does not exist');
    expect((await failure(db.execute("create user public password 'Abcdefg1'"))).code).toBe('INVALID_VALUE');
  });

  it('refuses the options keel does not have, naming them', async () => {
    const db = await fresh();
    const e = await failure(db.execute("create user u password 'Abcdefg1' valid until '2030-01-01'"));
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toBe('the user option VALID UNTIL is not supported');
    expect((await failure(db.execute("create user u"))).message).toContain('expected PASSWORD');
    expect((await failure(db.execute('grant references on t to u'))).message).toBe('the REFERENCES privilege is not supported');
  });

  it('is durable: a reopened directory has the users; a rolled-back block leaves none', async () => {
    const db = await fresh();
    await db.execute("begin; create user gone password 'Abcdefg1'; rollback");
    await db.execute("create user kept password 'Abcdefg1'");
    const again = await open(db.dir);
    expect(Object.keys(usersOf(again.catalog()))).toEqual(['kept']);
    expect(passwordIsStored(usersOf(again.catalog()).kept!.password!, 'kept', 'Abcdefg1')).toBe(true);
    expect(usersOf(again.catalog()).kept!.id).toBe(100);
    // ids are never reused: a user created after a drop does not inherit the dropped one's grants
    await again.execute("drop user kept; create user next password 'Abcdefg1'");
    expect(usersOf(again.catalog()).next!.id).toBe(101);
  });

  it("masks passwords in the query records: the workload log never sees them", async () => {
    const db = await fresh();
    const records: QueryRecord[] = [];
    db.onQuery((r) => records.push(r));
    await db.execute("create user r1 password 'Hidden-pass1'; alter user r1 password 'Hidden-pass2'");
    await failure(db.execute("create user r2 password 'short'"));
    expect(records.map((r) => r.sql)).toEqual(["create user r1 password '***'", "alter user r1 password '***'", "create user r2 password '***'"]);
    for (const r of records) expect(JSON.stringify(r)).not.toMatch(/Hidden|short/);
  });
});

describe('GRANT and REVOKE', () => {
  async function setup(): Promise<Database> {
    const db = await fresh();
    await db.execute(`
      create table t (x integer);
      insert into t values (1), (2);
      create table u2 (y integer);
      create user bob password 'Bob-pass-1';
      create user carol password 'Carol-pass-1';
      create user root password 'Root-pass-1' createuser;
    `);
    return db;
  }

  it('a user reads only what it was granted; writes need their own privilege', async () => {
    const db = await setup();
    const bob = await open(db.dir, 'bob');
    const e = await failure(bob.execute('select count(*) from t'));
    expect(e.code).toBe('INSUFFICIENT_PRIVILEGE');
    expect(e.message).toBe('permission denied for relation t: user "bob" has no SELECT privilege on it (its owner or a superuser can GRANT it)');
    await db.execute('grant select on table t to bob');
    expect((await bob.query('select count(*) from t')).rows()).toEqual([[2]]);
    // a CTE of the same name is not the table
    expect((await bob.query('with u2 as (select 1 as y) select y from u2')).rows()).toEqual([[1]]);
    expect((await failure(bob.execute('insert into t values (3)'))).code).toBe('INSUFFICIENT_PRIVILEGE');
    await db.execute('grant insert, update on t to bob');
    await bob.execute('insert into t values (3); update t set x = 4 where x = 3');
    expect((await failure(bob.execute('delete from t'))).message).toContain('no DELETE privilege');
    // subqueries and joins are checked too
    expect((await failure(bob.execute('select x from t where x in (select y from u2)'))).code).toBe('INSUFFICIENT_PRIVILEGE');
    await db.execute('revoke all on t from bob');
    expect((await failure(bob.execute('select * from t'))).code).toBe('INSUFFICIENT_PRIVILEGE');
  });

  it('PUBLIC and ALL TABLES IN SCHEMA public grant to every user', async () => {
    const db = await setup();
    const carol = await open(db.dir, 'carol');
    await db.execute('grant select on all tables in schema public to public');
    expect((await carol.query('select count(*) from t cross join u2')).rows()).toEqual([[0]]);
    await db.execute('revoke select on all tables in schema public from public');
    expect((await failure(carol.execute('select * from u2'))).code).toBe('INSUFFICIENT_PRIVILEGE');
    expect((await failure(db.execute('grant select on all tables in schema other to bob'))).code).toBe('UNKNOWN_TABLE');
    expect((await failure(db.execute('grant select on t to nobody'))).code).toBe('UNKNOWN_USER');
  });

  it("a user owns what it creates; others may not drop, alter or grant it; a view reads with its owner's rights", async () => {
    const db = await setup();
    const bob = await open(db.dir, 'bob');
    const carol = await open(db.dir, 'carol');
    await bob.execute('create table mine (v integer); insert into mine values (5)');
    expect((await failure(carol.execute('drop table mine'))).message).toBe('must be owner of relation mine to DROP it');
    expect((await failure(carol.execute('grant select on mine to carol'))).code).toBe('INSUFFICIENT_PRIVILEGE');
    await bob.execute('create view v as select v * 2 as w from mine; grant select on v to carol');
    // carol reads the view, not the table under it: the view's owner, bob, reads that
    expect((await carol.query('select w from v')).rows()).toEqual([[10]]);
    expect((await failure(carol.execute('select v from mine'))).code).toBe('INSUFFICIENT_PRIVILEGE');
    // bob cannot make a view over a table he cannot read
    expect((await failure(bob.execute('create view peek as select * from t'))).code).toBe('INSUFFICIENT_PRIVILEGE');
    // the directory's owner and a superuser have every privilege
    expect((await db.query('select count(*) from mine')).rows()).toEqual([[1]]);
    const root = await open(db.dir, 'root');
    expect((await root.query('select count(*) from mine')).rows()).toEqual([[1]]);
    // a user that owns something cannot be dropped
    expect((await failure(db.execute('drop user bob'))).code).toBe('DEPENDENT_OBJECTS');
    await bob.execute('drop view v; drop table mine');
    await db.execute('drop user bob');
    // a dropped user's open session can do nothing more
    expect((await failure(bob.execute('select 1'))).code).toBe('INSUFFICIENT_PRIVILEGE');
  });

  it('users, ALTER USER of others and server files need a superuser; a user may change its own password', async () => {
    const db = await setup();
    const bob = await open(db.dir, 'bob');
    await db.execute('grant insert on t to bob');
    const e = await failure(bob.execute("create user eve password 'Abcdefg1'"));
    expect(e.code).toBe('INSUFFICIENT_PRIVILEGE');
    expect(e.message).toBe('permission denied: CREATE USER needs a superuser (user "bob" is not one)');
    expect((await failure(bob.execute('alter user carol createuser'))).code).toBe('INSUFFICIENT_PRIVILEGE');
    expect((await failure(bob.execute('alter user bob createuser'))).code).toBe('INSUFFICIENT_PRIVILEGE');
    await bob.execute("alter user bob password 'Bob-pass-2'");
    expect(passwordIsStored(usersOf(db.catalog()).bob!.password!, 'bob', 'Bob-pass-2')).toBe(true);
    expect((await failure(bob.execute("copy t from '/etc/hostname'"))).message).toContain('needs a superuser');
    expect((await failure(bob.execute('vacuum'))).code).toBe('INSUFFICIENT_PRIVILEGE');
    const root = await open(db.dir, 'root');
    await root.execute("create user eve password 'Abcdefg1'");
    expect(usersOf(db.catalog()).eve).toBeDefined();
  });

  it("the engine's system tables are everyone's; ones other layers register (the workload log's) a superuser's only", async () => {
    const db = await setup();
    const bob = await open(db.dir, 'bob');
    const root = await open(db.dir, 'root');
    const log: SystemTable = {
      name: 'sys_statements',
      fields: [{ name: 'n', type: { id: 'integer' } }],
      read: (_catalog, columns) => [{ length: 1, columns: columns.map(() => ({ kind: 'i32' as const, values: new Int32Array([7]), nulls: null, length: 1 })) }],
    };
    bob.registerSystemTable(log);
    root.registerSystemTable(log);
    expect((await bob.query("select usename from pg_user where usename = 'bob'")).rows()).toEqual([['bob']]);
    expect((await bob.query("select count(*) from svv_table_info")).rows()).toEqual([[2]]);
    const e = await failure(bob.execute('select n from sys_statements'));
    expect(e.code).toBe('INSUFFICIENT_PRIVILEGE');
    expect(e.message).toBe("permission denied for relation sys_statements: the workload log's system tables show every user's statements, so only a superuser reads them");
    expect((await root.query('select count(*) from sys_statements')).rows()).toEqual([[1]]);
  });

  it('grants are durable and a user with privileges cannot be dropped until they are revoked', async () => {
    const db = await setup();
    await db.execute('grant select, delete on t to carol');
    const again = await open(db.dir);
    expect(again.catalog().tables.t!.acl).toEqual({ [String(usersOf(db.catalog()).carol!.id)]: ['select', 'delete'] });
    expect((await failure(again.execute('drop user carol'))).message).toBe('user "carol" cannot be dropped because it has privileges on t; REVOKE them first');
    await again.execute('revoke select, delete on t from carol; drop user carol');
    expect(again.catalog().tables.t!.acl).toBeUndefined();
  });
});
