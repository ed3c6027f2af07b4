/**
 * Password authentication: how the server asks (cleartext or MD5) and how it
 * checks the answer. One password for every user until users live in the
 * catalog (issue 20).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** trust: no password asked. cleartext and md5: PostgreSQL's password and md5 methods. */
export type AuthMethod = 'trust' | 'cleartext' | 'md5';

export function md5Hex(s: string | Buffer): string {
  return createHash('md5').update(s).digest('hex');
}

/** What a client answers to an MD5 request: "md5" + md5(md5(password + user) + salt). */
export function md5Response(user: string, password: string, salt: Uint8Array): string {
  return 'md5' + md5Hex(Buffer.concat([Buffer.from(md5Hex(password + user)), salt]));
}

export function newSalt(): Buffer {
  return randomBytes(4);
}

/** Whether the client's password message answers the request, compared in constant time. */
export function passwordMatches(method: Exclude<AuthMethod, 'trust'>, given: string, user: string, password: string, salt: Uint8Array): boolean {
  const expected = method === 'md5' ? md5Response(user, password, salt) : password;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
