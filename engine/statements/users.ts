/**
 * CREATE USER, ALTER USER, DROP USER, GRANT and REVOKE: changes to the
 * catalog's users and to the grants of its relations, each committed like any
 * DDL (one atomic catalog write, or part of the open transaction block). Who
 * may run them is privileges.ts's to check.
 */
import type { ParsedStatement } from '../sql/index.js';
import type * as ast from '../sql/ast.js';
import type { Catalog } from '../catalog/catalog.js';
import { materializedViews } from '../catalog/catalog.js';
import { SCHEMA } from '../catalog/schema-views.js';
import { changedAcl, FIRST_USER_ID, PUBLIC, storedPasswordOf, usersOf, type RelationAccess, type StoredPassword, type UserMeta } from '../catalog/users.js';
import type { SessionHost } from './host.js';
import { statementError } from './common.js';
import { accessOf } from './privileges.js';
import { done, type StatementOutcome } from './outcome.js';

/** PostgreSQL's and Redshift's limit on a name. */
const MAX_NAME = 127;

export async function createUser(db: SessionHost, s: ast.CreateUserStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  checkUserName(s.name, p);
  const password = passwordOf(s.password, p);
  await db.change((catalog) => {
    const users = usersOf(catalog);
    if (users[s.name.name]) throw statementError('DUPLICATE_OBJECT', `user "${s.name.name}" already exists`, s.name.pos, p);
    const id = catalog.nextUserId ?? FIRST_USER_ID;
    const user: UserMeta = { id, name: s.name.name, superuser: s.superuser ?? false, password, createdAt: Date.now() };
    return { catalog: { ...catalog, users: { ...users, [user.name]: user }, nextUserId: id + 1 }, result: undefined };
  });
  return done('CREATE USER', t0);
}

export async function alterUser(db: SessionHost, s: ast.AlterUserStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  const change = s.change;
  if (change.kind === 'rename') checkUserName(change.to, p);
  const password = change.kind === 'options' && change.password ? passwordOf(change.password, p) : undefined;
  const notice = await db.change((catalog) => {
    const users = { ...usersOf(catalog) };
    const user = users[s.name.name];
    if (!user) throw statementError('UNKNOWN_USER', `user "${s.name.name}" does not exist`, s.name.pos, p);
    let next: UserMeta;
    let notice: string | undefined;
    if (change.kind === 'rename') {
      if (users[change.to.name]) throw statementError('DUPLICATE_OBJECT', `user "${change.to.name}" already exists`, change.to.pos, p);
      // an md5 hash is salted with the user's name: it no longer matches, as PostgreSQL and Redshift say
      const md5 = user.password?.kind === 'md5';
      if (md5) notice = 'MD5 password cleared because of user rename';
      next = { ...user, name: change.to.name, password: md5 ? null : user.password };
      delete users[user.name];
    } else {
      next = { ...user, ...(password !== undefined ? { password } : {}), ...(change.superuser !== null ? { superuser: change.superuser } : {}) };
    }
    users[next.name] = next;
    return { catalog: { ...catalog, users }, result: notice };
  });
  return notice === undefined ? done('ALTER USER', t0) : { ...done('ALTER USER', t0), notice };
}

export async function dropUsers(db: SessionHost, s: ast.DropUserStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  await db.change((catalog) => {
    const users = { ...usersOf(catalog) };
    for (const n of s.names) {
      const user = users[n.name];
      if (!user) {
        if (s.ifExists) continue;
        throw statementError('UNKNOWN_USER', `user "${n.name}" does not exist`, n.pos, p);
      }
      if (db.principal.kind === 'user' && db.principal.id === user.id) throw statementError('INSUFFICIENT_PRIVILEGE', 'current user cannot be dropped', n.pos, p);
      // Redshift refuses to drop a user something still names: the DBA decides what becomes of it
      const owned = relations(catalog).filter(([, a]) => a.owner === user.id).map(([name]) => name);
      if (owned.length > 0) throw statementError('DEPENDENT_OBJECTS', `user "${n.name}" cannot be dropped because it owns ${listed(owned)}; DROP them first`, n.pos, p);
      const granted = relations(catalog).filter(([, a]) => a.acl?.[String(user.id)] !== undefined).map(([name]) => name);
      if (granted.length > 0) throw statementError('DEPENDENT_OBJECTS', `user "${n.name}" cannot be dropped because it has privileges on ${listed(granted)}; REVOKE them first`, n.pos, p);
      delete users[n.name];
    }
    return { catalog: { ...catalog, users }, result: undefined };
  });
  return done('DROP USER', t0);
}

export async function grant(db: SessionHost, s: ast.GrantStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  await db.change((catalog) => {
    const users = usersOf(catalog);
    const grantees = s.grantees.map((g) => {
      if (g.name === null) return PUBLIC;
      const u = users[g.name.name];
      if (!u) throw statementError('UNKNOWN_USER', `user "${g.name.name}" does not exist`, g.name.pos, p);
      return String(u.id);
    });
    let names: string[];
    if (s.on.kind === 'schemas') {
      for (const n of s.on.names) if (n.name !== SCHEMA) throw statementError('UNKNOWN_TABLE', `schema "${n.name}" does not exist (keel has one schema, ${SCHEMA})`, n.pos, p);
      names = relations(catalog).map(([name]) => name);
    } else {
      names = [];
      for (const n of s.on.names) {
        if (!relations(catalog).some(([name]) => name === n.name)) throw statementError('UNKNOWN_TABLE', `relation "${n.name}" does not exist`, n.pos, p);
        names.push(n.name);
      }
    }
    let next = catalog;
    for (const name of names) next = withAcl(next, name, (acl) => changedAcl(acl, grantees, s.privileges, s.revoke));
    return { catalog: next, result: undefined };
  });
  return done(s.revoke ? 'REVOKE' : 'GRANT', t0);
}

/** Every table, view and materialized view, with its owner and grants (a materialized view's table is its own entry). */
function relations(catalog: Catalog): [string, RelationAccess][] {
  const names = [...Object.keys(catalog.tables), ...Object.keys(catalog.views), ...Object.keys(materializedViews(catalog))];
  return names.map((name) => [name, accessOf(catalog, name)!]);
}

function withAcl(catalog: Catalog, name: string, change: (acl: RelationAccess['acl']) => RelationAccess['acl']): Catalog {
  const set = <T extends { acl?: RelationAccess['acl'] }>(r: T): T => {
    const { acl, ...rest } = r;
    const next = change(acl);
    return (next ? { ...rest, acl: next } : rest) as T;
  };
  const t = catalog.tables[name];
  if (t) return { ...catalog, tables: { ...catalog.tables, [name]: set(t) } };
  const v = catalog.views[name];
  if (v) return { ...catalog, views: { ...catalog.views, [name]: set(v) } };
  const mvs = materializedViews(catalog);
  return { ...catalog, materializedViews: { ...mvs, [name]: set(mvs[name]!) } };
}

function listed(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

function checkUserName(name: ast.Ident, p: ParsedStatement): void {
  if (name.name === PUBLIC) throw statementError('INVALID_VALUE', 'user name "public" is reserved (it names every user in GRANT)', name.pos, p);
  if (name.name.length > MAX_NAME) throw statementError('INVALID_VALUE', `a user name may be at most ${MAX_NAME} characters long`, name.pos, p);
}

/** The stored form of a PASSWORD clause: a verifier (or md5 hash), or null for DISABLE; a password that breaks the rules is refused at its position. */
function passwordOf(clause: ast.PasswordClause, p: ParsedStatement): StoredPassword | null {
  if (clause.kind === 'disable') return null;
  if (/^sha256\|/.test(clause.value)) throw statementError('UNSUPPORTED', "the 'sha256|…' password form is not supported (keel stores SCRAM-SHA-256 verifiers, which a SHA-256 digest cannot give): give the password, or its md5 form", clause.pos, p);
  const stored = storedPasswordOf(clause.value);
  if (typeof stored === 'string') throw statementError('INVALID_VALUE', stored, clause.pos, p);
  return stored;
}

/**
 * The statement's text with its password literals masked, for the query
 * record (Redshift's logs show '***' there too): a password must not reach
 * the workload log in clear.
 */
export function redactPasswords(sql: string): string {
  return /password/i.test(sql) ? sql.replace(/(\bpassword\s+)'(?:[^']|'')*'/gi, "$1'***'") : sql;
}
