/**
 * Hash functions: MD5, SHA1 and SHA2 as lower-case hex text (node:crypto), and
 * FNV_HASH, Redshift's 64-bit FNV-1a over a value's binary form.
 *
 * FNV_HASH gives a 64-bit BIGINT, and keel's BIGINT holds integers within
 * ±(2^53 − 1) exactly (docs/sql.md, Integers). So a hash is computed exactly
 * and returned when it fits; one that does not is an OVERFLOW error, never a
 * rounded number. Chains used to hash several columns,
 * FNV_HASH(c, FNV_HASH(b, FNV_HASH(a))), are computed as one hash over the
 * three values, so the intermediate 64-bit hashes need not fit.
 */
import { createHash } from 'node:crypto';
import type { SqlType } from '../types.js';
import { invalid, overflow } from '../exec/runtime.js';
import { fnCall, type Expr, type FnExpr } from '../plan/expr.js';
import { BIGINT, isInteger, isString, lit } from '../plan/coerce.js';
import type { Binding, Family, ScalarFunction } from './types.js';

export function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

export function sha1(s: string): string {
  return createHash('sha1').update(s, 'utf8').digest('hex');
}

const SHA2_BITS = new Set([0, 224, 256, 384, 512]);

export function sha2(s: string, bits: number): string {
  if (!SHA2_BITS.has(bits)) invalid(`SHA2: ${bits} is not a digest length (use 224, 256, 384 or 512; 0 means 256)`);
  return createHash(`sha${bits === 0 ? 256 : bits}`).update(s, 'utf8').digest('hex');
}

// ---------------------------------------------------------------- FNV-1a, 64 bits, in two 32-bit halves

/**
 * The hash being computed, as its high and low 32 bits (unsigned). The
 * compiled code starts it, feeds it each value and reads it, with nothing in
 * between: one state serves every call.
 */
let hi = 0;
let lo = 0;

/** The FNV-1a offset basis 0xcbf29ce484222325. */
const BASIS_HI = 0xcbf29ce4;
const BASIS_LO = 0x84222325;
const TWO_32 = 4294967296;

/** h = (h ^ byte) * 0x100000001b3 mod 2^64: the prime is 2^40 + 0x1b3. */
function step(byte: number): void {
  const x = (lo ^ byte) >>> 0;
  const low = x * 0x1b3; // below 2^41: exact
  const carry = Math.floor(low / TWO_32);
  hi = (Math.imul(hi, 0x1b3) + carry + ((x << 8) >>> 0)) >>> 0;
  lo = low >>> 0;
}

/** Starts a hash from the default basis, or from a seed (a BIGINT, two's complement). */
export function fnvStart(seed: number | null): void {
  if (seed === null) {
    hi = BASIS_HI;
    lo = BASIS_LO;
  } else {
    hi = Math.floor(seed / TWO_32) >>> 0;
    lo = (seed - Math.floor(seed / TWO_32) * TWO_32) >>> 0;
  }
}

/** An integer as its little-endian bytes: SMALLINT 2, INTEGER 4, BIGINT 8 (Redshift hashes the binary form). */
export function fnvInt(v: number, bytes: number): void {
  const h = Math.floor(v / TWO_32);
  const l = v - h * TWO_32;
  for (let i = 0; i < Math.min(bytes, 4); i++) step((l / 2 ** (8 * i)) & 0xff);
  for (let i = 4; i < bytes; i++) step((h >>> (8 * (i - 4))) & 0xff);
}

/** A string as its UTF-8 bytes (trailing blanks included). */
export function fnvText(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i)!;
    if (c > 0xffff) i++;
    if (c < 0x80) step(c);
    else if (c < 0x800) {
      step(0xc0 | (c >> 6));
      step(0x80 | (c & 63));
    } else if (c < 0x10000) {
      step(0xe0 | (c >> 12));
      step(0x80 | ((c >> 6) & 63));
      step(0x80 | (c & 63));
    } else {
      step(0xf0 | (c >> 18));
      step(0x80 | ((c >> 12) & 63));
      step(0x80 | ((c >> 6) & 63));
      step(0x80 | (c & 63));
    }
  }
}

/** The hash as a BIGINT: exact, or OVERFLOW when it lies beyond ±(2^53 − 1). */
export function fnvResult(): number {
  const signedHi = hi >= 0x80000000 ? hi - TWO_32 : hi;
  // |value| <= 2^53 - 1 exactly when the high half is within ±2^21 (and not the one value -2^53)
  if (signedHi >= 0x200000 || signedHi < -0x200000 || (signedHi === -0x200000 && lo === 0)) {
    return overflow('bigint (FNV_HASH gives 64 bits; keel\'s BIGINT holds ±(2^53 - 1))');
  }
  return signedHi * TWO_32 + lo;
}

/** The exact 64-bit FNV-1a hash of values (for tests against Redshift's documented results). */
export function fnvHash64(values: readonly (number | string)[], kinds: readonly number[], seed: bigint | null = null): bigint {
  if (seed === null) fnvStart(null);
  else {
    const u = BigInt.asUintN(64, seed);
    hi = Number(u >> 32n);
    lo = Number(u & 0xffffffffn);
  }
  values.forEach((v, i) => (typeof v === 'string' ? fnvText(v) : fnvInt(v, kinds[i]!)));
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

/** How many bytes FNV_HASH takes of a value of type t: an integer's width, or 0 for a string's UTF-8. */
function fnvWidth(t: SqlType): number | null {
  if (isString(t)) return 0;
  if (t.id === 'smallint') return 2;
  if (t.id === 'integer') return 4;
  if (t.id === 'bigint') return 8;
  return null;
}

/**
 * FNV_HASH(value [, seed]). The call is an 'fnv_hash' over its values in
 * order, param their widths ("4,0": an INTEGER then a string), an explicit
 * seed last when the param ends in ";seed". A seed that is itself an
 * FNV_HASH call continues that call's hash.
 */
function bindFnv(b: Binding): Expr {
  b.argc(1, 2);
  let v = b.arg(0);
  if (b.isUnknown(v)) v = b.str(0);
  const width = fnvWidth(v.type);
  if (width === null) {
    throw b.error('UNSUPPORTED', `FNV_HASH of ${v.type.id} is not supported (cast the value to a string or an integer type)`, b.argPos(0));
  }
  if (b.count === 1) return fnCall('fnv_hash', [v], BIGINT, String(width));
  const seed = b.arg(1);
  if (seed.k === 'fn' && seed.fn === 'fnv_hash') {
    const inner = seed as FnExpr;
    const [widths, seeded] = (inner.param ?? '').split(';');
    const values = seeded ? inner.args.slice(0, -1) : inner.args;
    const args = [...values, v, ...(seeded ? [inner.args[inner.args.length - 1]!] : [])];
    return fnCall('fnv_hash', args, BIGINT, `${widths},${width}${seeded ? ';seed' : ''}`);
  }
  if (seed.k === 'lit' && seed.value === null) return lit(null, BIGINT);
  const s = b.int(1, 'the seed of FNV_HASH');
  if (!isInteger(s.type)) throw b.error('TYPE_MISMATCH', 'the seed of FNV_HASH must be a BIGINT', b.argPos(1));
  return fnCall('fnv_hash', [v, b.castTo(s, BIGINT, 'implicit', b.argPos(1))], BIGINT, `${width};seed`);
}

const FNV_HASH: ScalarFunction = {
  names: ['fnv_hash'],
  syntax: ['FNV_HASH(value [, seed])'],
  returns: 'BIGINT',
  doc: "the 64-bit FNV-1a hash of the value's binary form (an integer's 2, 4 or 8 bytes, a string's UTF-8), continuing from seed; a hash beyond ±(2^53 − 1) is OVERFLOW (see [differences](#differences-from-redshift))",
  bind: bindFnv,
  nulls: 'strict',
  compile(c) {
    const [widthText, seeded] = (c.call.param ?? '').split(';');
    const widths = widthText!.split(',').map(Number);
    const code = [seeded ? `${c.constant(fnvStart)}(${c.args[c.args.length - 1]});` : `${c.constant(fnvStart)}(null);`];
    widths.forEach((w, i) => code.push(w === 0 ? `${c.constant(fnvText)}(${c.args[i]});` : `${c.constant(fnvInt)}(${c.args[i]}, ${w});`));
    code.push(`${c.target} = ${c.constant(fnvResult)}();`);
    return code.join(' ');
  },
};

/** A hex digest of a string (other types are hashed as their text). */
function digest(name: string, doc: string, helper: (s: string) => string, length: number): ScalarFunction {
  return {
    names: [name],
    syntax: [`${name.toUpperCase()}(s)`],
    returns: `VARCHAR(${length})`,
    doc,
    bind(b) {
      b.argc(1);
      return fnCall(name, [b.str(0)], { id: 'varchar', length });
    },
    nulls: 'strict',
    compile: (c) => `${c.target} = ${c.constant(helper)}(${c.args[0]});`,
  };
}

export const HASH: Family = {
  name: 'hashes',
  functions: [
    digest('md5', 'the MD5 digest of the UTF-8 bytes, as 32 hex digits', md5, 32),
    { ...digest('sha1', 'the SHA-1 digest, as 40 hex digits', sha1, 40), names: ['sha1', 'func_sha1'] },
    {
      names: ['sha2'],
      syntax: ['SHA2(s, bits)'],
      returns: 'VARCHAR(128)',
      doc: 'the SHA-2 digest of 224, 256, 384 or 512 bits (0 means 256), as hex digits; another length is INVALID_VALUE',
      bind(b) {
        b.argc(2);
        const s = b.str(0);
        const bits = b.fold(b.int(1, 'the bits of SHA2'));
        if (bits.k === 'lit' && bits.value !== null && !SHA2_BITS.has(bits.value as number)) {
          throw b.error('INVALID_VALUE', `SHA2: ${bits.value} is not a digest length (use 224, 256, 384 or 512; 0 means 256)`, b.argPos(1));
        }
        return fnCall('sha2', [s, bits], { id: 'varchar', length: 128 });
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(sha2)}(${c.args[0]}, ${c.args[1]});`,
    },
    FNV_HASH,
  ],
};
