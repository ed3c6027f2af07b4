/**
 * The server's side of a SCRAM-SHA-256 exchange (RFC 5802, RFC 7677), as
 * PostgreSQL runs it inside SASL messages: client-first, server-first,
 * client-final, server-final. Channel binding (SCRAM-SHA-256-PLUS) is not
 * offered; a client that asks for it is refused.
 *
 * A login whose user does not exist, or cannot log in this way, runs the
 * same exchange against a mock verifier and fails only at the end, as
 * PostgreSQL does, so the replies do not tell which user names exist.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SCRAM_ITERATIONS, type StoredPassword } from '../engine/index.js';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';

type Verifier = Extract<StoredPassword, { kind: 'scram-sha-256' }>;

/** A SCRAM message that does not follow the RFC's grammar: the connection ends (08P01). */
export class ScramError extends Error {}

/** Mock salts are derived from this process's secret, so one user name always gets the same salt. */
const MOCK_SECRET = randomBytes(32);

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

export class ScramExchange {
  private readonly verifier: Verifier;
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';
  private nonce = '';
  private step: 'first' | 'final' | 'done' = 'first';

  /** `verifier` null: no login can succeed (unknown user, no SCRAM secret); the exchange is mocked. */
  constructor(
    user: string,
    verifier: Verifier | null,
  ) {
    this.real = verifier !== null;
    this.verifier = verifier ?? {
      kind: 'scram-sha-256',
      iterations: SCRAM_ITERATIONS,
      salt: createHmac('sha256', MOCK_SECRET).update(user).digest().subarray(0, 16).toString('base64'),
      storedKey: randomBytes(32).toString('base64'),
      serverKey: randomBytes(32).toString('base64'),
    };
  }

  private readonly real: boolean;

  /** The client's SASLInitialResponse data (client-first-message); returns server-first-message. */
  first(clientFirst: string): string {
    if (this.step !== 'first') throw new ScramError('unexpected SCRAM client-first-message');
    // gs2-header: "n,," (no channel binding) or "y,," (client could bind, thinks the server cannot); an authzid is not supported
    const m = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(clientFirst);
    if (!m) {
      if (clientFirst.startsWith('p=')) throw new ScramError('channel binding was requested, but SCRAM-SHA-256-PLUS was not offered');
      throw new ScramError('malformed SCRAM message: expected a GS2 header ("n,," or "y,,")');
    }
    if (m[2]) throw new ScramError('SCRAM authorization identities (a=) are not supported');
    this.gs2Header = `${m[1]},,`;
    this.clientFirstBare = m[3]!;
    // n=user (PostgreSQL ignores it: the startup packet's user counts), r=client nonce, optional extensions
    const attrs = attributes(this.clientFirstBare);
    const clientNonce = attrs.get('r');
    if (!attrs.has('n') || !clientNonce || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw new ScramError('malformed SCRAM message: client-first-message needs n= and a printable r= nonce');
    if (attrs.has('m')) throw new ScramError('SCRAM extensions (m=) are not supported');
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt},i=${this.verifier.iterations}`;
    this.step = 'final';
    return this.serverFirst;
  }

  /** The client's SASLResponse (client-final-message): whether the proof holds, and the server-final-message to send when it does. */
  final(clientFinal: string): { ok: boolean; serverFinal: string } {
    if (this.step !== 'final') throw new ScramError('unexpected SCRAM client-final-message');
    this.step = 'done';
    const at = clientFinal.lastIndexOf(',p=');
    if (at < 0) throw new ScramError('malformed SCRAM message: client-final-message has no proof (p=)');
    const withoutProof = clientFinal.slice(0, at);
    const attrs = attributes(withoutProof);
    const proof = Buffer.from(clientFinal.slice(at + 3), 'base64');
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64')) throw new ScramError('SCRAM channel binding data (c=) does not match the GS2 header');
    if (attrs.get('r') !== this.nonce) throw new ScramError('SCRAM nonce (r=) does not match');
    if (proof.length !== 32) throw new ScramError('malformed SCRAM message: the proof is not 32 bytes');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const storedKey = Buffer.from(this.verifier.storedKey, 'base64');
    const signature = hmac(storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    const computed = createHash('sha256').update(clientKey).digest();
    const ok = this.real && computed.length === storedKey.length && timingSafeEqual(computed, storedKey);
    const serverSignature = hmac(Buffer.from(this.verifier.serverKey, 'base64'), authMessage).toString('base64');
    return { ok, serverFinal: `v=${serverSignature}` };
  }
}

/** "k=v,k=v" as a map (values may hold '='; only the first one splits). */
function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) throw new ScramError(`malformed SCRAM message: attribute ${JSON.stringify(part.slice(0, 20))}`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}
