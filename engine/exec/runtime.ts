/**
 * What compiled expressions call for the operators' work that is not a single
 * JavaScript operator: LIKE, date arithmetic, decimal division, casts to and
 * from text, and the runtime errors. Kept out of generated code so it stays
 * short. Functions keep their helpers in their registry family
 * (engine/functions).
 */
import { ExecError } from '../errors.js';
import { formatDate, formatTimestamp, formatTimestampTz, parseDate, parseTimestamp, parseTimestampTz, pow10, type SqlType } from '../types.js';

const DAY_US = 86_400_000_000;

export function overflow(type: string): never {
  throw new ExecError('OVERFLOW', `value out of range for type ${type}`);
}

export function divisionByZero(): never {
  throw new ExecError('DIVISION_BY_ZERO', 'division by zero');
}

export function invalid(message: string): never {
  throw new ExecError('INVALID_VALUE', message);
}

/** Compiles a LIKE pattern into a RegExp (escape char: default backslash). */
export function likeRegex(pattern: string, escape: string | null, caseInsensitive: boolean): RegExp {
  const esc = escape ?? '\\';
  let src = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === esc && i + 1 < pattern.length) {
      src += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (ch === '%') src += '[\\s\\S]*';
    else if (ch === '_') src += '[\\s\\S]';
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(src + '$', caseInsensitive ? 'is' : 's');
}

const likeCache = new Map<string, RegExp>();

/** s LIKE pattern for a pattern known only at run time (compiled regexes are cached by pattern). */
export function likeMatch(s: string, pattern: string, escape: string | null, caseInsensitive: boolean): boolean {
  const key = `${caseInsensitive ? 'i' : 'c'}${escape ?? '\\'}\u0000${pattern}`;
  let re = likeCache.get(key);
  if (!re) {
    if (escape !== null && escape.length > 1) invalid('invalid escape string: it must be empty or one character');
    re = likeRegex(pattern, escape, caseInsensitive);
    if (likeCache.size > 10_000) likeCache.clear();
    likeCache.set(key, re);
  }
  return re.test(s);
}

/** Adds months to a date, clamping the day to the month's end (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(days: number, months: number): number {
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const targetY = y + Math.floor(m / 12);
  const targetM = ((m % 12) + 12) % 12;
  // setUTCFullYear, not Date.UTC, which reads the years 0 to 99 as 1900 to 1999
  const t = new Date(0);
  t.setUTCFullYear(targetY, targetM + 1, 0);
  const lastDay = t.getUTCDate();
  t.setUTCFullYear(targetY, targetM, Math.min(d.getUTCDate(), lastDay));
  return Math.round(t.getTime() / 86_400_000);
}

export function addMonthsTs(us: number, months: number): number {
  const days = Math.floor(us / DAY_US);
  return addMonths(days, months) * DAY_US + (us - days * DAY_US);
}

/**
 * round(a * 10^shift / b), half away from zero, computed exactly: a and b are
 * integers (scaled decimals); the result is exact whenever it is below 2^53
 * (BigInt arithmetic takes over when the intermediate product is not).
 */
export function decDiv(a: number, b: number, shift: number): number {
  if (b === 0) divisionByZero();
  const n = shift === 0 ? a : a * pow10(shift);
  if (Number.isSafeInteger(n) && Number.isSafeInteger(b) && Math.abs(n) + Math.abs(b) <= Number.MAX_SAFE_INTEGER) {
    const sign = (n < 0) !== (b < 0) ? -1 : 1;
    let q = Math.trunc(n / b);
    let r = n - q * b;
    // the double quotient may round across an integer: restore n = q*b + r with |r| < |b|, sign(r) = sign(n)
    if (r !== 0 && (r < 0) !== (n < 0)) {
      q -= sign;
      r = n - q * b;
    } else if (Math.abs(r) >= Math.abs(b)) {
      q += sign;
      r = n - q * b;
    }
    if (2 * Math.abs(r) >= Math.abs(b)) q += sign;
    return q === 0 ? 0 : q;
  }
  if (!Number.isInteger(a) || !Number.isInteger(b)) return roundHalfAway((a * 10 ** shift) / b);
  const N = BigInt(a) * 10n ** BigInt(shift);
  const B = BigInt(b);
  let q = N / B;
  const r = N % B;
  const abs = (x: bigint) => (x < 0n ? -x : x);
  if (2n * abs(r) >= abs(B)) q += (N < 0n) !== (B < 0n) ? -1n : 1n;
  return Number(q);
}

/** A string assigned to CHAR(n)/VARCHAR(n) (INSERT): trailing blanks beyond n are dropped, other excess is an error. */
export function assignText(s: string, length: number, isChar: boolean): string {
  let v = isChar ? s.replace(/ +$/, '') : s;
  if (v.length > length) {
    const trimmed = v.replace(/ +$/, '');
    if (trimmed.length > length) throw new ExecError('INVALID_VALUE', `value too long for type ${isChar ? 'character' : 'character varying'}(${length})`);
    v = v.substring(0, length);
  }
  return v;
}

/** Rounds half away from zero, as SQL ROUND and decimal rescaling do. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Text of a value for CAST(x AS VARCHAR). */
export function toText(value: number, type: SqlType): string {
  switch (type.id) {
    case 'date':
      return formatDate(value);
    case 'timestamp':
      return formatTimestamp(value);
    case 'timestamptz':
      return formatTimestampTz(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'decimal': {
      const scale = type.scale ?? 0;
      if (scale === 0) return String(value);
      const neg = value < 0;
      const digits = String(Math.abs(value)).padStart(scale + 1, '0');
      return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    }
    default:
      return String(value);
  }
}

/** Parses text for CAST(s AS type) into the type's physical value. */
export function fromText(s: string, type: SqlType): number {
  const t = s.trim();
  switch (type.id) {
    case 'smallint':
    case 'integer':
    case 'bigint': {
      if (!/^[+-]?\d+$/.test(t)) invalid(`invalid input syntax for type ${type.id}: "${s}"`);
      const v = Number(t);
      const lim = type.id === 'smallint' ? 32767 : type.id === 'integer' ? 2147483647 : Number.MAX_SAFE_INTEGER;
      if (v > lim || v < -lim - (type.id === 'bigint' ? 0 : 1)) overflow(type.id);
      return v;
    }
    case 'decimal': {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) invalid(`invalid input syntax for type numeric: "${s}"`);
      const scaled = roundHalfAway(Number(t) * 10 ** (type.scale ?? 0));
      if (Math.abs(scaled) >= 10 ** (type.precision ?? 18) || Math.abs(scaled) > Number.MAX_SAFE_INTEGER) overflow(`numeric(${type.precision},${type.scale})`);
      return scaled;
    }
    case 'real':
    case 'double': {
      const v = Number(t);
      if (t === '' || Number.isNaN(v)) invalid(`invalid input syntax for type double precision: "${s}"`);
      return type.id === 'real' ? Math.fround(v) : v;
    }
    case 'date': {
      const v = parseDate(t);
      if (Number.isNaN(v)) invalid(`invalid input syntax for type date: "${s}"`);
      return v;
    }
    case 'timestamp': {
      const v = parseTimestamp(t);
      if (Number.isNaN(v)) invalid(`invalid input syntax for type timestamp: "${s}"`);
      return v;
    }
    case 'timestamptz': {
      const v = parseTimestampTz(t);
      if (Number.isNaN(v)) invalid(`invalid input syntax for type timestamp with time zone: "${s}"`);
      return v;
    }
    case 'boolean': {
      const l = t.toLowerCase();
      if (['t', 'true', '1', 'yes', 'y', 'on'].includes(l)) return 1;
      if (['f', 'false', '0', 'no', 'n', 'off'].includes(l)) return 0;
      return invalid(`invalid input syntax for type boolean: "${s}"`);
    }
    default:
      return invalid(`cannot cast text to ${type.id}`);
  }
}
