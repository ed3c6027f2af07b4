/**
 * Password authentication against the catalog's users: which challenge a
 * login gets under the configured method, and how its answer is checked.
 * PostgreSQL's rules: scram-sha-256 (the default) needs a SCRAM verifier;
 * md5 runs SCRAM for a user whose password is stored as a verifier and MD5
 * for one stored as an md5 hash; cleartext asks for the password itself and
 * checks it against either.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { passwordIsStored, type StoredPassword } from '../engine/index.js';
import { ScramExchange } from './scram.js';

export type AuthMethod = 'scram-sha-256' | 'md5' | 'cleartext';
export const AUTH_METHODS: readonly AuthMethod[] = ['scram-sha-256', 'md5', 'cleartext'];

/** What the server asks a login for, and what checks the answer. */
export type Challenge =
  | { readonly kind: 'scram'; readonly exchange: ScramExchange }
  | { readonly kind: 'md5'; readonly salt: Buffer; /** Null: nothing can match (no such user, no md5 hash). */ readonly hash: string | null }
  | { readonly kind: 'cleartext'; readonly stored: StoredPassword | null };

/** The challenge for `user` (its stored password, null when it has none or does not exist: the login will fail, after the same exchange). */
export function challengeFor(method: AuthMethod, user: string, stored: StoredPassword | null): Challenge {
  switch (method) {
    case 'cleartext':
      return { kind: 'cleartext', stored };
    case 'md5':
      if (stored?.kind === 'md5') return { kind: 'md5', salt: randomBytes(4), hash: stored.hash };
      return { kind: 'scram', exchange: new ScramExchange(user, stored?.kind === 'scram-sha-256' ? stored : null) };
    case 'scram-sha-256':
      return { kind: 'scram', exchange: new ScramExchange(user, stored?.kind === 'scram-sha-256' ? stored : null) };
  }
}

export function md5Hex(s: string | Buffer): string {
  return createHash('md5').update(s).digest('hex');
}

/** What a client answers to an MD5 request: "md5" + md5(md5(password + user) + salt). */
export function md5Response(user: string, password: string, salt: Uint8Array): string {
  return md5OfHash('md5' + md5Hex(password + user), salt);
}

/** The MD5 answer from the stored hash ('md5' + md5(password + user)) and the salt. */
function md5OfHash(hash: string, salt: Uint8Array): string {
  return 'md5' + md5Hex(Buffer.concat([Buffer.from(hash.slice(3)), salt]));
}

/** Whether a password message answers an md5 or cleartext challenge, compared in constant time. */
export function passwordAnswers(challenge: Exclude<Challenge, { kind: 'scram' }>, user: string, given: string): boolean {
  if (challenge.kind === 'cleartext') return challenge.stored !== null && passwordIsStored(challenge.stored, user, given);
  if (challenge.hash === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(md5OfHash(challenge.hash, challenge.salt));
  return a.length === b.length && timingSafeEqual(a, b);
}
