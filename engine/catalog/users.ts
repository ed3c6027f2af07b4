/**
 * Users and their privileges, as the catalog holds them (docs/sql.md, "Users
 * and privileges"). A data directory's owner (whoever can read its files: the
 * local CLI and embedding code) has every privilege and is no row here; the
 * users are who may log in over the network (`keel serve`).
 *
 * Passwords are stored as SCRAM-SHA-256 verifiers (RFC 5802, RFC 7677):
 * a salt, an iteration count, StoredKey and ServerKey. From them a server can
 * check a SCRAM exchange and a cleartext password, but not recover the
 * password. A password given in Redshift's md5 form ('md5' + md5(password +
 * user name)) is stored as that hash: it can only be checked by the md5 and
 * cleartext methods, as in PostgreSQL.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Catalog } from './catalog.js';
import type { TablePrivilege } from '../sql/ast.js';

/** The table privileges GRANT and REVOKE hand out. */
export type Privilege = TablePrivilege;
export const PRIVILEGES: readonly Privilege[] = ['select', 'insert', 'update', 'delete'];

export type StoredPassword =
  | {
      readonly kind: 'scram-sha-256';
      readonly iterations: number;
      /** Base64, as in PostgreSQL's rolpassword. */
      readonly salt: string;
      readonly storedKey: string;
      readonly serverKey: string;
    }
  | { readonly kind: 'md5'; /** 'md5' and 32 hex digits: md5(password + user name). */ readonly hash: string };

export interface UserMeta {
  /** Redshift's usesysid: users count from 100 (the ids below are the system's). */
  readonly id: number;
  readonly name: string;
  /** CREATEUSER: a superuser, as in Redshift (every privilege, and may create users). */
  readonly superuser: boolean;
  /** Null: PASSWORD DISABLE, the user cannot log in. */
  readonly password: StoredPassword | null;
  /** Milliseconds since epoch. */
  readonly createdAt: number;
}

/**
 * Who owns a relation and what others were granted on it: grantee (a user id
 * as text, or 'public') to privileges. Absent owner: the directory's owner.
 */
export interface RelationAccess {
  readonly owner?: number;
  readonly acl?: Readonly<Record<string, readonly Privilege[]>>;
}

/** The grantee key of PUBLIC, every user present and future. */
export const PUBLIC = 'public';
/** Redshift numbers users from 100. */
export const FIRST_USER_ID = 100;

/** PostgreSQL's default iteration count (scram_iterations). */
export const SCRAM_ITERATIONS = 4096;
const SCRAM_SALT_BYTES = 16;

/** The catalog's users (none in catalogs written before users). */
export function usersOf(catalog: Pick<Catalog, 'users'>): Readonly<Record<string, UserMeta>> {
  return catalog.users ?? {};
}

export function userById(catalog: Pick<Catalog, 'users'>, id: number): UserMeta | undefined {
  for (const u of Object.values(usersOf(catalog))) if (u.id === id) return u;
  return undefined;
}

/**
 * Why a password breaks Redshift's rules, or null when it keeps them: 8 to
 * 64 characters, an upper-case letter, a lower-case letter and a digit, and
 * only printable ASCII other than ' " \ / @.
 */
export function passwordRuleBroken(password: string): string | null {
  if (password.length < 8 || password.length > 64) return 'a password must be 8 to 64 characters long';
  if (!/[A-Z]/.test(password)) return 'a password must contain an upper-case letter';
  if (!/[a-z]/.test(password)) return 'a password must contain a lower-case letter';
  if (!/[0-9]/.test(password)) return 'a password must contain a digit';
  for (const ch of password) {
    const c = ch.charCodeAt(0);
    if (c < 33 || c > 126 || ch === "'" || ch === '"' || ch === '\\' || ch === '/' || ch === '@') {
      return `a password may hold printable ASCII characters other than ' " \\ / and @, not ${JSON.stringify(ch)}`;
    }
  }
  return null;
}

/** Redshift's md5 form: 'md5' followed by 32 hexadecimal digits. */
export function isMd5Form(password: string): boolean {
  return /^md5[0-9a-f]{32}$/.test(password);
}

/** What a client's password is hashed to for an MD5 login: md5(password + user name), hex. */
export function md5Hash(password: string, user: string): string {
  return 'md5' + createHash('md5').update(password + user).digest('hex');
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

/**
 * RFC 5802's SaltedPassword: Hi(Normalize(password), salt, i). Normalize is
 * SASLprep; keel applies its NFKC step (PostgreSQL, too, falls back to the raw
 * bytes when a password is not valid SASLprep input), which for the ASCII
 * passwords Redshift's rules allow is the identity.
 */
export function saltedPassword(password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, 32, 'sha256');
}

export function scramVerifier(password: string, salt: Buffer = randomBytes(SCRAM_SALT_BYTES), iterations = SCRAM_ITERATIONS): StoredPassword {
  const salted = saltedPassword(password, salt, iterations);
  return {
    kind: 'scram-sha-256',
    iterations,
    salt: salt.toString('base64'),
    storedKey: sha256(hmac(salted, 'Client Key')).toString('base64'),
    serverKey: hmac(salted, 'Server Key').toString('base64'),
  };
}

/** Whether a password given in clear (the cleartext method) is the stored one; compared in constant time. */
export function passwordIsStored(stored: StoredPassword, user: string, password: string): boolean {
  if (stored.kind === 'md5') return sameText(md5Hash(password, user), stored.hash);
  const salted = saltedPassword(password, Buffer.from(stored.salt, 'base64'), stored.iterations);
  return sameText(sha256(hmac(salted, 'Client Key')).toString('base64'), stored.storedKey);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A password as CREATE or ALTER USER gives it: clear text (checked against the
 * rules, stored as a SCRAM verifier), Redshift's md5 form (stored as is), or
 * PostgreSQL's SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey (stored as
 * the verifier it is). Returns the stored form, or the rule it breaks.
 */
export function storedPasswordOf(given: string): StoredPassword | string {
  if (isMd5Form(given)) return { kind: 'md5', hash: given };
  const scram = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(given);
  if (scram) return { kind: 'scram-sha-256', iterations: Number(scram[1]), salt: scram[2]!, storedKey: scram[3]!, serverKey: scram[4]! };
  return passwordRuleBroken(given) ?? scramVerifier(given);
}

/** Privileges a user holds on a relation by grant (to it or to PUBLIC); ownership and superuser are the caller's to check. */
export function grantedTo(access: RelationAccess, userId: number): ReadonlySet<Privilege> {
  const out = new Set<Privilege>(access.acl?.[PUBLIC] ?? []);
  for (const p of access.acl?.[String(userId)] ?? []) out.add(p);
  return out;
}

/** The ACL with `privileges` added to (or, revoking, taken from) each grantee; empty entries go. */
export function changedAcl(acl: RelationAccess['acl'], grantees: readonly string[], privileges: readonly Privilege[], revoke: boolean): RelationAccess['acl'] {
  const next: Record<string, readonly Privilege[]> = { ...(acl ?? {}) };
  for (const g of grantees) {
    const have = new Set(next[g] ?? []);
    for (const p of privileges) {
      if (revoke) have.delete(p);
      else have.add(p);
    }
    if (have.size === 0) delete next[g];
    else next[g] = PRIVILEGES.filter((p) => have.has(p));
  }
  return Object.keys(next).length > 0 ? next : undefined;
}
