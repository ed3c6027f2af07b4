/**
 * Who may run what: the privilege check of every statement of a session that
 * acts as a catalog user (a network login, `keel serve`). The directory's
 * owner (the local CLI, embedding code) and superusers pass every check.
 *
 * Reads are checked where names resolve to relations, in the binder
 * (BindContext.canRead, below): every table, view and materialized view a
 * statement names directly needs SELECT for the session's user, and the
 * relations a view reads need it for the view's owner, as in PostgreSQL.
 * Writes and DDL are checked here, before the statement runs
 * (docs/sql.md, "Users and privileges").
 */
import type * as ast from '../sql/ast.js';
import type { ParsedStatement } from '../sql/index.js';
import type { Catalog } from '../catalog/catalog.js';
import { materializedViews } from '../catalog/catalog.js';
import { grantedTo, userById, type Privilege, type RelationAccess, type UserMeta } from '../catalog/users.js';
import { KeelError, SqlError } from '../errors.js';
import { statementError } from './common.js';

/** Who a session acts as: the directory's owner (every privilege), or a catalog user by id. */
export type Principal = { readonly kind: 'owner' } | { readonly kind: 'user'; readonly id: number; readonly name: string };

export const OWNER: Principal = { kind: 'owner' };

/**
 * The user whose privileges the session's statements are checked against,
 * or null when nothing is checked (the directory's owner, a superuser). A
 * user dropped while its session is open can do nothing more.
 */
export function checkedUser(principal: Principal, catalog: Catalog): UserMeta | null {
  if (principal.kind === 'owner') return null;
  const u = userById(catalog, principal.id);
  if (!u) throw new KeelError('INSUFFICIENT_PRIVILEGE', `user "${principal.name}" no longer exists`);
  return u.superuser ? null : u;
}

/** What a new relation's catalog entry records of its creator: the user that owns it (nothing for the directory's owner). */
export function ownedBy(principal: Principal): { owner?: number } {
  return principal.kind === 'user' ? { owner: principal.id } : {};
}

/** A relation's owner and grants, by name: a table, a view or a materialized view (whose owner is its table's). */
export function accessOf(catalog: Catalog, name: string): RelationAccess | undefined {
  const t = catalog.tables[name];
  if (t) return t;
  const v = catalog.views[name];
  if (v) return v;
  const mv = materializedViews(catalog)[name];
  if (mv) return { ...(catalog.tables[mv.table]?.owner !== undefined ? { owner: catalog.tables[mv.table]!.owner! } : {}), ...(mv.acl ? { acl: mv.acl } : {}) };
  return undefined;
}

function holds(access: RelationAccess, userId: number, privilege: Privilege): boolean {
  return access.owner === userId || grantedTo(access, userId).has(privilege);
}

/**
 * The read check the binder calls for each relation of the catalog a
 * statement names (`viaView`: the view whose definition names it, null when
 * the statement itself does); undefined when nothing is checked.
 */
export function readCheck(principal: Principal, catalog: Catalog, restricted: (systemTable: string) => boolean): ((relation: string, viaView: string | null) => string | null) | undefined {
  const user = checkedUser(principal, catalog);
  if (!user) return undefined;
  return (relation, viaView) => {
    const access = accessOf(catalog, relation);
    if (!access) {
      // a system table: the engine's (the catalog's own description) are everyone's; the workload log's show every user's statements
      if (viaView === null && restricted(relation)) return `permission denied for relation ${relation}: the workload log's system tables show every user's statements, so only a superuser reads them`;
      return null;
    }
    if (viaView === null) return holds(access, user.id, 'select') ? null : deniedMessage(user.name, 'select', relation);
    // a view reads with its owner's rights; the directory's owner (no owner recorded) has them all
    const owner = accessOf(catalog, viaView)?.owner;
    if (owner === undefined) return null;
    const ownerUser = userById(catalog, owner);
    if (ownerUser?.superuser || holds(access, owner, 'select')) return null;
    return `permission denied for relation ${relation} (read by view ${viaView}, whose owner ${ownerUser ? `"${ownerUser.name}"` : `#${owner}`} lacks SELECT on it)`;
  };
}

function deniedMessage(user: string, privilege: Privilege, relation: string): string {
  return `permission denied for relation ${relation}: user "${user}" has no ${privilege.toUpperCase()} privilege on it (its owner or a superuser can GRANT it)`;
}

/**
 * Refuses, with INSUFFICIENT_PRIVILEGE at the relation's name, a statement
 * the session's user may not run: the privileges it needs on the relation it
 * writes, ownership for DDL and maintenance, superuser for users and for
 * reading or writing the server's files. Reads are the binder's (readCheck).
 */
export function authorize(principal: Principal, catalog: Catalog, s: ast.Statement, p: ParsedStatement): void {
  const user = checkedUser(principal, catalog);
  if (!user) return;
  const need = (name: ast.Ident, privilege: Privilege): void => {
    const access = accessOf(catalog, name.name);
    // a relation that does not exist is the statement's own error to report
    if (access && !holds(access, user.id, privilege)) throw statementError('INSUFFICIENT_PRIVILEGE', deniedMessage(user.name, privilege, name.name), name.pos, p);
  };
  const own = (name: ast.Ident, what: string): void => {
    const access = accessOf(catalog, name.name);
    if (access && access.owner !== user.id) throw statementError('INSUFFICIENT_PRIVILEGE', `must be owner of relation ${name.name} to ${what}`, name.pos, p);
  };
  const superuserOnly = (what: string): never => {
    throw new SqlError('INSUFFICIENT_PRIVILEGE', `permission denied: ${what} needs a superuser (user "${user.name}" is not one)`, undefined, p.text);
  };
  switch (s.kind) {
    case 'insert':
      return need(s.table, 'insert');
    case 'update':
      return need(s.table, 'update');
    case 'delete':
      return need(s.table, 'delete');
    case 'merge':
      need(s.table, 'insert');
      return need(s.table, 'update');
    case 'copy':
      // COPY FROM STDIN reads what the client sends; a file name is a file of the server's
      if (s.source.kind !== 'stdin') superuserOnly('COPY from a file of the server');
      return need(s.table, 'insert');
    case 'unload':
      return superuserOnly('UNLOAD to files of the server');
    case 'truncate':
      return own(s.table, 'TRUNCATE it');
    case 'alterTable':
    case 'alterSchema':
      return own(s.table, 'ALTER it');
    case 'dropTable':
    case 'dropView':
      for (const n of s.names) own(n, 'DROP it');
      return;
    case 'dropMaterializedView':
      return own(s.name, 'DROP it');
    case 'refreshMaterializedView':
      return own(s.name, 'REFRESH it');
    case 'vacuum':
    case 'analyze':
      if (s.table === null) return superuserOnly(`${s.kind.toUpperCase()} of every table`);
      return own(s.table, `${s.kind.toUpperCase()} it`);
    case 'grant':
      if (s.on.kind === 'schemas') return superuserOnly(`${s.revoke ? 'REVOKE' : 'GRANT'} ON ALL TABLES IN SCHEMA`);
      for (const n of s.on.names) own(n, s.revoke ? 'REVOKE privileges on it' : 'GRANT privileges on it');
      return;
    case 'createUser':
    case 'dropUser':
      return superuserOnly(s.kind === 'createUser' ? 'CREATE USER' : 'DROP USER');
    case 'alterUser':
      // a user may change its own password, as in Redshift; nothing else
      if (s.name.name === user.name && s.change.kind === 'options' && s.change.superuser === null) return;
      return superuserOnly('ALTER USER');
    case 'explain':
      return authorize(principal, catalog, s.statement, p);
    case 'createView':
      // replacing a view is changing it
      if (s.orReplace && catalog.views[s.name.name]) own(s.name, 'replace it');
      return;
    case 'select':
    case 'createTable':
    case 'createMaterializedView':
    case 'describe':
    case 'showTables':
    case 'set':
    case 'show':
    case 'transaction':
    case 'ignored':
      return;
  }
}
