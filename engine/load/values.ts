/**
 * Values for the loaders: text → physical value parsing, conversion of decoded
 * Parquet/Arrow values, and the per-column output buffers a batch is built in.
 *
 * The text parsers work on a range [a, b) of a larger string (a decoded chunk of
 * the file) and read char codes directly, so numeric, date and boolean fields
 * never allocate a substring. They return NaN (or -1 for booleans) when the text
 * is malformed; range checks against the column type happen in `storeText`, which
 * throws a `ValueProblem` that the loader turns into a LoadError naming the file,
 * line and column.
 *
 * Physical forms (see engine/types.ts): SMALLINT/INTEGER/DATE → i32 (DATE as days
 * since 1970-01-01); BIGINT, DECIMAL (exact scaled integer), REAL, DOUBLE,
 * TIMESTAMP (µs since epoch) → f64; BOOLEAN → bool (0/1); CHAR/VARCHAR → str.
 */
import { LoadError } from '../errors.js';
import type { Batch, ColumnDef, PhysicalKind, SqlType, Vector } from '../types.js';
import { MAX_SAFE, POW10, formatDate, formatTimestamp, integerRange, parseDate, parseTimestamp, parseTimestampTz, physicalKind, typeName } from '../types.js';

// Type codes: one small integer per SQL type, so hot loops switch on an int.
export const T_SMALLINT = 0;
export const T_INTEGER = 1;
export const T_BIGINT = 2;
export const T_DECIMAL = 3;
export const T_REAL = 4;
export const T_DOUBLE = 5;
export const T_BOOLEAN = 6;
export const T_CHAR = 7;
export const T_VARCHAR = 8;
export const T_DATE = 9;
export const T_TIMESTAMP = 10;
export const T_TIMESTAMPTZ = 11;

export function typeCode(t: SqlType): number {
  switch (t.id) {
    case 'smallint': return T_SMALLINT;
    case 'integer': return T_INTEGER;
    case 'bigint': return T_BIGINT;
    case 'decimal': return T_DECIMAL;
    case 'real': return T_REAL;
    case 'double': return T_DOUBLE;
    case 'boolean': return T_BOOLEAN;
    case 'char': return T_CHAR;
    case 'varchar': return T_VARCHAR;
    case 'date': return T_DATE;
    case 'timestamp': return T_TIMESTAMP;
    case 'timestamptz': return T_TIMESTAMPTZ;
  }
}

/** The type as error messages name it: "DATE", "DECIMAL(15,2)", "VARCHAR(44)". */
export function typeLabel(t: SqlType): string {
  return typeName(t).toUpperCase();
}

/** A bad value; the loader adds file, line and column and throws a LoadError. */
export class ValueProblem extends Error {}

/** Renders a value for an error message, shortened when long. */
export function quoteValue(s: string): string {
  const shown = s.length > 80 ? s.slice(0, 77) + '...' : s;
  return JSON.stringify(shown);
}

export { POW10 };

/** Largest finite single-precision float: REAL values beyond it overflow. */
const FLT_MAX = 3.4028234663852886e38;

// ---------------------------------------------------------------------------
// Text parsers over s[a, b)

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Integer text: optional blanks, optional sign, digits, optional blanks.
 * NaN when malformed. Exact while |value| < 2^53 (larger values come out larger
 * than MAX_SAFE, which the range check rejects).
 */
export function parseIntText(s: string, a: number, b: number): number {
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  if (a === b) return NaN;
  let c = s.charCodeAt(a);
  let neg = false;
  if (c === 45) {
    neg = true;
    a++;
  } else if (c === 43) a++;
  if (a === b) return NaN;
  let v = 0;
  for (let i = a; i < b; i++) {
    c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return neg ? 0 - v : v;
}

/**
 * Decimal text as an exact integer scaled by 10^scale: "12.345" at scale 2 is 1235.
 * Digits are accumulated as an integer, never multiplied as a fraction, so the
 * result is exact while it stays below 2^53. Extra fraction digits round half away
 * from zero (only the first dropped digit decides). Accepts "5", "5.", ".5", a sign,
 * surrounding blanks, and exponent notation ("1.5e3", via the slower exact path).
 * NaN when malformed.
 */
export function parseDecimalText(s: string, a: number, b: number, scale: number): number {
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  if (a === b) return NaN;
  const start = a;
  let c = s.charCodeAt(a);
  let neg = false;
  if (c === 45) {
    neg = true;
    a++;
  } else if (c === 43) a++;
  let v = 0;
  let digits = 0;
  let i = a;
  for (; i < b; i++) {
    c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    digits++;
  }
  let frac = 0;
  let roundUp = false;
  if (i < b && s.charCodeAt(i) === 46) {
    i++;
    for (; i < b; i++) {
      c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (frac < scale) v = v * 10 + c;
      else if (frac === scale) roundUp = c >= 5;
      frac++;
      digits++;
    }
  }
  if (digits === 0) return NaN;
  if (i < b) {
    c = s.charCodeAt(i);
    if (c === 101 || c === 69) return parseDecimalExp(s.slice(start, b), scale);
    return NaN;
  }
  if (frac < scale) v *= POW10[scale - frac]!;
  if (roundUp) v += 1;
  return neg ? 0 - v : v;
}

/** Exact decimal parsing of text with an exponent ("-1.25E+2"), via digit strings. */
function parseDecimalExp(text: string, scale: number): number {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?[eE]([+-]?\d{1,6})$/.exec(text);
  if (!m || (m[2]!.length === 0 && (m[3] ?? '').length === 0)) return NaN;
  const neg = m[1] === '-';
  let digits = m[2]! + (m[3] ?? '');
  // Position of the decimal point within `digits`, after applying the exponent.
  let point = m[2]!.length + Number(m[4]);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) {
    digits = digits + '0'.repeat(point - digits.length);
  }
  const intPart = digits.slice(0, point);
  const fracPart = digits.slice(point);
  const t = (neg ? '-' : '') + (intPart || '0') + (fracPart ? '.' + fracPart : '');
  return parseDecimalText(t, 0, t.length, scale);
}

/**
 * REAL / DOUBLE PRECISION text. Plain decimals with at most 15 significant digits
 * take the exact fast path (an exact integer divided by an exact power of ten is
 * correctly rounded); everything else goes through Number() after a character
 * check (so "0x10", "1_0" and "" are rejected). Accepts NaN, Infinity, inf with a
 * sign, case-insensitively. Returns NaN for malformed text and for the literal NaN:
 * callers tell them apart with `isNaNLiteral`.
 */
export function parseFloatText(s: string, a: number, b: number): number {
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  if (a === b) return NaN;
  const start = a;
  let c = s.charCodeAt(a);
  let neg = false;
  if (c === 45) {
    neg = true;
    a++;
  } else if (c === 43) a++;
  let v = 0;
  let digits = 0;
  let frac = 0;
  let i = a;
  for (; i < b; i++) {
    c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    digits++;
  }
  if (i < b && s.charCodeAt(i) === 46) {
    i++;
    for (; i < b; i++) {
      c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      digits++;
      frac++;
    }
  }
  if (i === b && digits > 0 && digits <= 15) {
    const r = frac ? v / POW10[frac]! : v;
    return neg ? -r : r;
  }
  // Slow path: validate characters, then let Number() do correct rounding.
  for (let j = start; j < b; j++) {
    c = s.charCodeAt(j);
    if (!((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69)) {
      return infinityText(s, start, b);
    }
  }
  return Number(s.slice(start, b));
}

function infinityText(s: string, a: number, b: number): number {
  const t = s.slice(a, b).toLowerCase();
  switch (t) {
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return NaN;
  }
}

/** Whether s[a, b) spells NaN (so a NaN result of parseFloatText is a value, not an error). */
export function isNaNLiteral(s: string, a: number, b: number): boolean {
  return /^[\s]*[+-]?nan[\s]*$/i.test(s.slice(a, b));
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Days since epoch of January 1st of years 0..9999, and of each month's first day (non-leap, leap). */
const YEAR_START = new Int32Array(10_000);
for (let y = 0; y < 10_000; y++) YEAR_START[y] = daysFromCivil(y, 1, 1);
const MONTH_START = [
  [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334],
  [0, 0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335],
];
const MONTH_DAYS = [
  [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
  [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
];

/** Days of "YYYY-MM-DD" at s[a..a+10), or NaN; no allocation, table lookups only. */
export function isoDate(s: string, a: number): number {
  if (s.charCodeAt(a + 4) !== 45 || s.charCodeAt(a + 7) !== 45) return NaN;
  const y0 = s.charCodeAt(a) - 48;
  const y1 = s.charCodeAt(a + 1) - 48;
  const y2 = s.charCodeAt(a + 2) - 48;
  const y3 = s.charCodeAt(a + 3) - 48;
  const m0 = s.charCodeAt(a + 5) - 48;
  const m1 = s.charCodeAt(a + 6) - 48;
  const d0 = s.charCodeAt(a + 8) - 48;
  const d1 = s.charCodeAt(a + 9) - 48;
  // All eight must be digits: (x >>> 0) > 9 catches both sides.
  if (((y0 >>> 0) > 9) || ((y1 >>> 0) > 9) || ((y2 >>> 0) > 9) || ((y3 >>> 0) > 9) || ((m0 >>> 0) > 9) || ((m1 >>> 0) > 9) || ((d0 >>> 0) > 9) || ((d1 >>> 0) > 9)) {
    return NaN;
  }
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const m = m0 * 10 + m1;
  const d = d0 * 10 + d1;
  if (m < 1 || m > 12 || d < 1) return NaN;
  const leap = (y & 3) === 0 && (y % 100 !== 0 || y % 400 === 0) ? 1 : 0;
  if (d > MONTH_DAYS[leap]![m]!) return NaN;
  return YEAR_START[y]! + MONTH_START[leap]![m]! + d - 1;
}

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}

/**
 * DATE text: "YYYY-MM-DD" on the fast path; other forms parseDate accepts (1-2
 * digit month/day, negative years, blanks) through it. NaN when malformed or not a
 * real calendar day.
 */
export function parseDateText(s: string, a: number, b: number): number {
  if (b - a === 10) {
    const d = isoDate(s, a);
    if (d === d) return d;
  }
  return parseDate(s.slice(a, b));
}

/**
 * TIMESTAMP text: "YYYY-MM-DD[ |T]HH:MM:SS[.f{1,6}]" on the fast path; anything
 * else parseTimestamp accepts (date only, HH:MM, a trailing Z / +00) through it.
 * Microseconds since epoch, or NaN.
 */
export function parseTimestampText(s: string, a: number, b: number): number {
  const n = b - a;
  if (n >= 19 && (n === 19 || (n >= 21 && n <= 26 && s.charCodeAt(a + 19) === 46))) {
    const days = isoDate(s, a);
    const sep = s.charCodeAt(a + 10);
    if (days === days && (sep === 32 || sep === 84) && s.charCodeAt(a + 13) === 58 && s.charCodeAt(a + 16) === 58) {
      const h = digit(s, a + 11) * 10 + digit(s, a + 12);
      const mi = digit(s, a + 14) * 10 + digit(s, a + 15);
      const sec = digit(s, a + 17) * 10 + digit(s, a + 18);
      if (h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 59) {
        let us = 0;
        let ok = true;
        if (n > 19) {
          let scale = 100_000;
          for (let i = a + 20; i < b; i++, scale /= 10) {
            const dg = digit(s, i);
            if (dg < 0) {
              ok = false;
              break;
            }
            us += dg * scale;
          }
        }
        if (ok) return days * 86_400_000_000 + ((h * 60 + mi) * 60 + sec) * 1_000_000 + us;
      }
    }
  }
  return parseTimestamp(s.slice(a, b));
}

/** BOOLEAN text: t/f, true/false, y/n, yes/no, 1/0, case-insensitive, blanks around. 1, 0, or -1 when malformed. */
export function parseBoolText(s: string, a: number, b: number): number {
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  const n = b - a;
  if (n === 1) {
    const c = s.charCodeAt(a);
    if (c === 49) return 1; // '1'
    if (c === 48) return 0; // '0'
    switch (c | 0x20) {
      case 116: // t
      case 121: // y
        return 1;
      case 102: // f
      case 110: // n
        return 0;
      default:
        return -1;
    }
  }
  if (n < 2 || n > 5) return -1;
  switch (s.slice(a, b).toLowerCase()) {
    case 'true':
    case 'yes':
      return 1;
    case 'false':
    case 'no':
      return 0;
    default:
      return -1;
  }
}

/** UTF-8 byte length of s[a, b). */
export function utf8Length(s: string, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < b) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

// ---------------------------------------------------------------------------
// Output buffers

/**
 * Distinct strings a column's per-batch dictionary collects before it stops
 * deduplicating for the rest of the batch. Low-cardinality columns (flags,
 * modes, nations) then share one string object per value, which is what keeps
 * the writer's buffers small; high-cardinality columns (comments, names) pay
 * for at most this many Map operations per batch before switching to plain
 * appends (codes then index into a dictionary that may hold duplicates).
 */
const DICT_LIMIT = 4096;
/** Up to this many entries, a dictionary is searched by comparing text in place (see addRange). */
const SMALL_DICT = 8;

const EMPTY_I32 = new Int32Array(0);
const EMPTY_F64 = new Float64Array(0);
const EMPTY_U8 = new Uint8Array(0);
const EMPTY_U32 = new Uint32Array(0);

/** How values are read beyond their type (COPY's data conversion options, options.ts). */
export interface ValueOptions {
  /** An empty unquoted text field in CHAR/VARCHAR is NULL (default true), else the empty string. */
  readonly emptyAsNull?: boolean;
  /** A CHAR/VARCHAR value of nothing but blanks is NULL. */
  readonly blanksAsNull?: boolean;
  /** A CHAR/VARCHAR value longer than the column is cut to fit instead of an error. */
  readonly truncate?: boolean;
  /** Parses DATE text (instead of the ISO forms). */
  readonly dateParser?: ((s: string, a: number, b: number) => number) | null;
  /** Parses TIMESTAMP and TIMESTAMPTZ text (instead of the ISO forms). */
  readonly timeParser?: ((s: string, a: number, b: number) => number) | null;
}

/** One column of the batch being built, with its type facts resolved once. */
export class ColumnOut {
  readonly name: string;
  readonly type: SqlType;
  readonly code: number;
  readonly kind: PhysicalKind;
  readonly notNull: boolean;
  /** DECIMAL scale (0 otherwise). */
  readonly scale: number;
  /** Integer/decimal range, ±Infinity when unbounded. */
  readonly lo: number;
  readonly hi: number;
  /** CHAR/VARCHAR byte limit, or Infinity. */
  readonly maxBytes: number;
  readonly label: string;
  readonly emptyAsNull: boolean;
  readonly blanksAsNull: boolean;
  readonly truncate: boolean;
  readonly dateParser: ((s: string, a: number, b: number) => number) | null;
  readonly timeParser: ((s: string, a: number, b: number) => number) | null;
  /** No option changes how this column's non-empty text is read (emptyAsNull is handled on every path; dates check dateParser): the string fast path applies. */
  readonly plain: boolean;

  i32: Int32Array = EMPTY_I32;
  f64: Float64Array = EMPTY_F64;
  u8: Uint8Array = EMPTY_U8;
  codes: Uint32Array = EMPTY_U32;
  dict: string[] = [];
  map: Map<string, number> | null = null;
  nulls: Uint8Array | null = null;
  private capacity = 0;

  constructor(def: ColumnDef, capacity: number, options: ValueOptions = {}) {
    this.name = def.name;
    this.type = def.type;
    this.code = typeCode(def.type);
    this.kind = physicalKind(def.type);
    this.notNull = def.notNull;
    this.scale = def.type.id === 'decimal' ? (def.type.scale ?? 0) : 0;
    const range = integerRange(def.type);
    this.lo = range ? range[0] : -Infinity;
    this.hi = range ? range[1] : Infinity;
    this.maxBytes = (def.type.id === 'char' || def.type.id === 'varchar') && def.type.length !== undefined ? def.type.length : Infinity;
    this.label = typeLabel(def.type);
    const str = this.kind === 'str';
    this.emptyAsNull = !str || options.emptyAsNull !== false;
    this.blanksAsNull = str && options.blanksAsNull === true;
    this.truncate = str && options.truncate === true;
    this.dateParser = this.code === T_DATE ? (options.dateParser ?? null) : null;
    this.timeParser = this.code === T_TIMESTAMP || this.code === T_TIMESTAMPTZ ? (options.timeParser ?? null) : null;
    this.plain = !this.blanksAsNull && !this.truncate;
    this.reset(capacity);
  }

  /** Fresh buffers for the next batch (the previous ones belong to the yielded batch). */
  reset(capacity: number): void {
    this.capacity = capacity;
    this.nulls = null;
    switch (this.kind) {
      case 'i32':
        this.i32 = new Int32Array(capacity);
        break;
      case 'f64':
        this.f64 = new Float64Array(capacity);
        break;
      case 'bool':
        this.u8 = new Uint8Array(capacity);
        break;
      case 'str':
        this.codes = new Uint32Array(capacity);
        this.dict = [];
        this.map = new Map();
        break;
    }
  }

  /** Marks row r NULL (its value slot 0), or throws for a NOT NULL column. */
  setNull(r: number): void {
    if (this.notNull) throw new ValueProblem(`NULL value in NOT NULL column ${this.name}`);
    if (this.nulls === null) this.nulls = new Uint8Array(this.capacity);
    this.nulls[r] = 1;
    switch (this.kind) {
      case 'i32': this.i32[r] = 0; break;
      case 'f64': this.f64[r] = 0; break;
      case 'bool': this.u8[r] = 0; break;
      case 'str': this.codes[r] = 0; break;
    }
  }

  addString(r: number, v: string): void {
    const map = this.map;
    const dict = this.dict;
    if (map !== null) {
      let code = map.get(v);
      if (code === undefined) {
        code = dict.length;
        dict.push(v);
        map.set(v, code);
        if (code + 1 >= DICT_LIMIT) this.map = null;
      }
      this.codes[r] = code;
    } else {
      this.codes[r] = dict.length;
      dict.push(v);
    }
  }

  /**
   * Stores the string s[a, b) at row r. While the batch's dictionary is tiny
   * (flags, modes), the text is compared against its entries in place, so the
   * common case allocates no substring and computes no hash.
   */
  addRange(r: number, s: string, a: number, b: number): void {
    const dict = this.dict;
    const nd = dict.length;
    const n = b - a;
    if (nd <= SMALL_DICT && this.map !== null && n > 0) {
      const c0 = s.charCodeAt(a);
      for (let k = 0; k < nd; k++) {
        const d = dict[k]!;
        if (d.length !== n || d.charCodeAt(0) !== c0) continue;
        let i = 1;
        while (i < n && d.charCodeAt(i) === s.charCodeAt(a + i)) i++;
        if (i === n) {
          this.codes[r] = k;
          return;
        }
      }
    }
    this.addString(r, s.slice(a, b));
  }

  /** The first `rows` rows as a vector. */
  vector(rows: number): Vector {
    const full = rows === this.capacity;
    const nulls = this.nulls === null ? null : full ? this.nulls : this.nulls.subarray(0, rows);
    switch (this.kind) {
      case 'i32':
        return { kind: 'i32', values: full ? this.i32 : this.i32.subarray(0, rows), nulls, length: rows };
      case 'f64':
        return { kind: 'f64', values: full ? this.f64 : this.f64.subarray(0, rows), nulls, length: rows };
      case 'bool':
        return { kind: 'bool', values: full ? this.u8 : this.u8.subarray(0, rows), nulls, length: rows };
      case 'str':
        // NULL rows carry code 0: make sure it names an entry (consumers copy dict[code]).
        if (this.dict.length === 0) this.dict.push('');
        return { kind: 'str', codes: full ? this.codes : this.codes.subarray(0, rows), dict: this.dict, nulls, length: rows };
    }
  }

  // -- storing checked values -------------------------------------------------

  /** Stores an exact integer (already scaled for DECIMAL) if it is in range; false when it is not. */
  putInteger(r: number, v: number): boolean {
    if (!(v >= this.lo && v <= this.hi)) return false;
    if (this.kind === 'i32') this.i32[r] = v;
    else this.f64[r] = v;
    return true;
  }

  /** Stores a string value: CHAR loses trailing blanks; both check the byte limit (or cut to it: truncate). */
  putString(r: number, v: string): void {
    if (this.blanksAsNull && allBlank(v, 0, v.length)) return this.setNull(r);
    if (this.code === T_CHAR) v = trimTrailingBlanks(v);
    if (v.length > this.maxBytes / 3 && utf8Length(v, 0, v.length) > this.maxBytes) {
      if (this.truncate) v = v.slice(0, utf8Prefix(v, 0, v.length, this.maxBytes));
      else throw new ValueProblem(`value ${quoteValue(v)} is ${utf8Length(v, 0, v.length)} bytes, longer than ${this.label}`);
    }
    this.addString(r, v);
  }

  /** An empty unquoted text field: NULL, or the empty string in CHAR/VARCHAR when emptyAsNull is off. */
  putEmpty(r: number): void {
    if (this.emptyAsNull) this.setNull(r);
    else this.addString(r, '');
  }
}

function allBlank(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) if (!isBlank(s.charCodeAt(i))) return false;
  return true;
}

/** How many chars of s from a fit in `bytes` bytes of UTF-8 (never splitting a surrogate pair): the end of the cut. */
export function utf8Prefix(s: string, a: number, b: number, bytes: number): number {
  let n = 0;
  let i = a;
  while (i < b) {
    const c = s.charCodeAt(i);
    let w = 1;
    let k = 1;
    if (c >= 0x80) w = c < 0x800 ? 2 : 3;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < b) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        w = 4;
        k = 2;
      }
    }
    if (n + w > bytes) break;
    n += w;
    i += k;
  }
  return i;
}

export function trimTrailingBlanks(v: string): string {
  let e = v.length;
  while (e > 0 && v.charCodeAt(e - 1) === 32) e--;
  return e === v.length ? v : v.slice(0, e);
}

/**
 * Parses text s[a, b) for column `out` and stores it at row r. Never NULL: the
 * caller decides what is NULL. `ascii` says s has no non-ASCII characters (so a
 * string's byte length is its length). Throws ValueProblem.
 */
export function storeText(out: ColumnOut, r: number, s: string, a: number, b: number, ascii: boolean): void {
  switch (out.code) {
    case T_SMALLINT:
    case T_INTEGER: {
      const v = parseIntText(s, a, b);
      if (v >= out.lo && v <= out.hi) out.i32[r] = v;
      else throw badText(out, s, a, b, v);
      return;
    }
    case T_BIGINT: {
      const v = parseIntText(s, a, b);
      if (v >= out.lo && v <= out.hi) out.f64[r] = v;
      else throw badText(out, s, a, b, v);
      return;
    }
    case T_DECIMAL: {
      const v = parseDecimalText(s, a, b, out.scale);
      if (v >= out.lo && v <= out.hi) out.f64[r] = v;
      else throw badText(out, s, a, b, v);
      return;
    }
    case T_REAL:
    case T_DOUBLE: {
      const v = parseFloatText(s, a, b);
      if (v === v) {
        // Beyond the type's range: REAL past ±FLT_MAX, or digits that overflow to ±Infinity
        // (an infinity spelled out has an "n" in it; digits never do).
        const overflow = Number.isFinite(v) ? out.code === T_REAL && (v > FLT_MAX || v < -FLT_MAX) : !/n/i.test(s.slice(a, b));
        if (overflow) throw new ValueProblem(`value ${quoteValue(s.slice(a, b))} out of range for ${out.label}`);
        out.f64[r] = v;
      } else if (isNaNLiteral(s, a, b)) out.f64[r] = NaN;
      else throw badText(out, s, a, b, v);
      return;
    }
    case T_BOOLEAN: {
      const v = parseBoolText(s, a, b);
      if (v < 0) throw badText(out, s, a, b, NaN);
      out.u8[r] = v;
      return;
    }
    case T_DATE: {
      const v = out.dateParser !== null ? out.dateParser(s, a, b) : parseDateText(s, a, b);
      if (v !== v) throw badText(out, s, a, b, v);
      out.i32[r] = v;
      return;
    }
    case T_TIMESTAMP: {
      const v = out.timeParser !== null ? out.timeParser(s, a, b) : parseTimestampText(s, a, b);
      if (v !== v) throw badText(out, s, a, b, v);
      out.f64[r] = v;
      return;
    }
    case T_TIMESTAMPTZ: {
      // the fast path reads a time without an offset (UTC, the session's zone); an offset takes the slow one
      let v = out.timeParser !== null ? out.timeParser(s, a, b) : parseTimestampText(s, a, b);
      if (v !== v && out.timeParser === null) v = parseTimestampTz(s.slice(a, b));
      if (v !== v) throw badText(out, s, a, b, v);
      out.f64[r] = v;
      return;
    }
    case T_CHAR:
    case T_VARCHAR: {
      if (out.blanksAsNull && allBlank(s, a, b)) return out.setNull(r);
      if (out.code === T_CHAR) while (b > a && s.charCodeAt(b - 1) === 32) b--;
      const n = b - a;
      if (n > out.maxBytes / 3 && (n > out.maxBytes || !ascii)) {
        const bytes = ascii ? n : utf8Length(s, a, b);
        if (bytes > out.maxBytes) {
          if (out.truncate) b = utf8Prefix(s, a, b, out.maxBytes);
          else throw new ValueProblem(`value ${quoteValue(s.slice(a, b))} is ${bytes} bytes, longer than ${out.label}`);
        }
      }
      out.addString(r, s.slice(a, b));
      return;
    }
  }
}

function badText(out: ColumnOut, s: string, a: number, b: number, v: number): ValueProblem {
  const text = s.slice(a, b);
  if (v === v) return new ValueProblem(`value ${quoteValue(text)} out of range for ${out.label}`);
  return new ValueProblem(`invalid ${out.label} value ${quoteValue(text)}`);
}

// ---------------------------------------------------------------------------
// Decoded values from Parquet and Arrow

/** What a source column holds, as decoded by hyparquet or read from Arrow buffers. */
export type SourceKind =
  /** Integers as number or bigint. */
  | { readonly k: 'int'; readonly label: string }
  | { readonly k: 'float'; readonly label: string }
  /** Unscaled integers (number, bigint, or big-endian two's complement bytes) with a scale. */
  | { readonly k: 'decimal'; readonly scale: number; readonly label: string }
  /** Days since epoch (number). */
  | { readonly k: 'date'; readonly label: string }
  /** Microseconds since epoch (number). */
  | { readonly k: 'timestamp'; readonly label: string }
  /** string, or UTF-8 bytes. */
  | { readonly k: 'string'; readonly label: string }
  | { readonly k: 'bool'; readonly label: string };

/** Whether a source kind can be loaded into a column type (strings go anywhere, parsed as text). */
export function compatible(src: SourceKind, code: number): boolean {
  if (src.k === 'string') return true;
  switch (code) {
    case T_SMALLINT:
    case T_INTEGER:
    case T_BIGINT:
    case T_DECIMAL:
    case T_REAL:
    case T_DOUBLE:
      return src.k === 'int' || src.k === 'float' || src.k === 'decimal' || (src.k === 'bool' && code !== T_DECIMAL);
    case T_BOOLEAN:
      return src.k === 'bool' || src.k === 'int';
    case T_CHAR:
    case T_VARCHAR:
      return true;
    case T_DATE:
    case T_TIMESTAMP:
    case T_TIMESTAMPTZ:
      return src.k === 'date' || src.k === 'timestamp';
    default:
      return false;
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (v instanceof Uint8Array) {
    // Big-endian two's complement (Parquet FIXED_LEN_BYTE_ARRAY / BYTE_ARRAY decimals).
    let x = 0n;
    for (let i = 0; i < v.length; i++) x = (x << 8n) | BigInt(v[i]!);
    if (v.length > 0 && v[0]! & 0x80) x -= 1n << BigInt(v.length * 8);
    return x;
  }
  throw new ValueProblem(`unexpected value ${String(v)}`);
}

const POW10N: bigint[] = [];
for (let i = 0, p = 1n; i <= 76; i++, p *= 10n) POW10N.push(p);

function pow10n(n: number): bigint {
  return POW10N[n] ?? 10n ** BigInt(n);
}

/** Rescales an unscaled decimal from scale `from` to `to`, rounding half away from zero. */
export function rescale(u: bigint, from: number, to: number): bigint {
  if (to >= from) return u * pow10n(to - from);
  const d = pow10n(from - to);
  let q = u / d;
  const rem = u % d;
  const absRem = rem < 0n ? -rem : rem;
  if (absRem * 2n >= d) q += u < 0n ? -1n : 1n;
  return q;
}

/** Decimal text of an unscaled value: (12345n, 2) → "123.45". */
export function decimalText(u: bigint, scale: number): string {
  const neg = u < 0n;
  let digits = (neg ? -u : u).toString();
  if (scale === 0) return (neg ? '-' : '') + digits;
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  return (neg ? '-' : '') + digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
}

function shownValue(v: unknown, src: SourceKind): string {
  if (src.k === 'decimal') return decimalText(toBigInt(v), src.scale);
  if (src.k === 'date' && typeof v === 'number') return formatDate(v);
  if (src.k === 'timestamp' && typeof v === 'number') return formatTimestamp(v);
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  return String(v);
}

/**
 * Stores one decoded non-NULL value at row r of `out`, converting from the source
 * kind with the same checks as text: integer ranges, DECIMAL precision (exact,
 * through bigint when needed), string byte limits. Throws ValueProblem.
 */
export function storeValue(out: ColumnOut, r: number, v: unknown, src: SourceKind): void {
  if (src.k === 'string') {
    const s = typeof v === 'string' ? v : decodeUtf8(v);
    if (out.kind === 'str') {
      out.putString(r, s);
      return;
    }
    if (s.length === 0) {
      out.setNull(r);
      return;
    }
    storeText(out, r, s, 0, s.length, false);
    return;
  }
  switch (out.code) {
    case T_SMALLINT:
    case T_INTEGER:
    case T_BIGINT: {
      let x: number;
      if (src.k === 'decimal') {
        const u = toBigInt(v);
        const p = pow10n(src.scale);
        if (u % p !== 0n) throw new ValueProblem(`invalid ${out.label} value ${shown(v, src)}`);
        x = bigToNumber(u / p);
      } else if (src.k === 'bool') x = v ? 1 : 0;
      // Number() of a bigint beyond 2^53 lands beyond MAX_SAFE, which the range check rejects.
      else x = typeof v === 'bigint' ? Number(v) : (v as number);
      if (!Number.isInteger(x)) throw new ValueProblem(`invalid ${out.label} value ${shown(v, src)}`);
      if (!out.putInteger(r, x)) throw outOfRange(out, v, src);
      return;
    }
    case T_DECIMAL: {
      let x: number;
      if (src.k === 'decimal') {
        if (src.scale === out.scale && typeof v !== 'object') x = Number(v); // number or bigint: no rescaling, range-checked below
        else x = bigToNumber(rescale(toBigInt(v), src.scale, out.scale));
      } else if (src.k === 'int') {
        x = typeof v === 'number' && Math.abs(v) * POW10[out.scale]! <= MAX_SAFE ? v * POW10[out.scale]! : bigToNumber(toBigInt(v) * pow10n(out.scale));
      } else {
        const n = v as number;
        if (!Number.isFinite(n)) throw new ValueProblem(`invalid ${out.label} value ${shown(v, src)}`);
        // Through the shortest decimal text of the double, as the user would write it.
        const t = String(n);
        x = parseDecimalText(t, 0, t.length, out.scale);
      }
      if (!out.putInteger(r, x)) throw outOfRange(out, v, src);
      return;
    }
    case T_REAL:
    case T_DOUBLE: {
      let x: number;
      if (src.k === 'decimal') {
        const u = toBigInt(v);
        x = u >= -MAX_SAFE_N && u <= MAX_SAFE_N && src.scale <= 22 ? Number(u) / POW10[src.scale]! : Number(decimalText(u, src.scale));
      } else if (src.k === 'bool') x = v ? 1 : 0;
      else x = Number(v);
      if (out.code === T_REAL && Number.isFinite(x) && Math.abs(x) > FLT_MAX) throw outOfRange(out, v, src);
      out.f64[r] = x;
      return;
    }
    case T_BOOLEAN: {
      if (src.k === 'bool') out.u8[r] = v ? 1 : 0;
      else {
        const n = Number(v);
        if (n !== 0 && n !== 1) throw new ValueProblem(`invalid ${out.label} value ${shown(v, src)}`);
        out.u8[r] = n;
      }
      return;
    }
    case T_DATE: {
      const x = src.k === 'date' ? (v as number) : Math.floor((v as number) / 86_400_000_000);
      if (!Number.isFinite(x) || x < -2147483648 || x > 2147483647) throw new ValueProblem(`invalid ${out.label} value ${shown(v, src)}`);
      out.i32[r] = x;
      return;
    }
    case T_TIMESTAMP:
    case T_TIMESTAMPTZ: {
      const x = src.k === 'timestamp' ? (v as number) : (v as number) * 86_400_000_000;
      if (!Number.isFinite(x)) throw new ValueProblem(`invalid ${out.label} value ${shown(v, src)}`);
      out.f64[r] = x;
      return;
    }
    case T_CHAR:
    case T_VARCHAR:
      out.putString(r, shownValue(v, src));
      return;
  }
}

function shown(v: unknown, src: SourceKind): string {
  return quoteValue(shownValue(v, src));
}

function outOfRange(out: ColumnOut, v: unknown, src: SourceKind): ValueProblem {
  return new ValueProblem(`value ${shown(v, src)} out of range for ${out.label}`);
}

const MAX_SAFE_N = BigInt(MAX_SAFE);

/** The number of an exact bigint; beyond ±(2^53 − 1) ±Infinity, which every range check rejects. */
function bigToNumber(x: bigint): number {
  if (x > MAX_SAFE_N) return Infinity;
  if (x < -MAX_SAFE_N) return -Infinity;
  return Number(x);
}

function decodeUtf8(v: unknown): string {
  if (v instanceof Uint8Array) {
    try {
      return utf8Decoder.decode(v);
    } catch {
      throw new ValueProblem('invalid UTF-8 in string value');
    }
  }
  return String(v);
}

// ---------------------------------------------------------------------------
// Batches from columnar sources (Parquet, Arrow)

/** Column buffers for one batch at a time; cuts batches of batchRows rows. */
export class BatchAssembler {
  readonly outs: ColumnOut[];
  rows = 0;
  constructor(
    columns: readonly ColumnDef[],
    readonly batchRows: number,
    options: ValueOptions = {},
  ) {
    this.outs = columns.map((c) => new ColumnOut(c, batchRows, options));
  }
  /** Forgets what a skipped record left at row r (the next record is stored there). */
  clearRow(r: number): void {
    for (const o of this.outs) if (o.nulls !== null) o.nulls[r] = 0;
  }
  /** Rows that still fit into the current batch. */
  get room(): number {
    return this.batchRows - this.rows;
  }
  get full(): boolean {
    return this.rows === this.batchRows;
  }
  /** The filled rows as a batch; the buffers start over. */
  take(): Batch {
    const n = this.rows;
    const columns = this.outs.map((o) => o.vector(n));
    for (const o of this.outs) o.reset(this.batchRows);
    this.rows = 0;
    return { length: n, columns };
  }
}

/**
 * Copies source rows [from, to) of one column into `out` at row `at` and on.
 * NULL is `nulls[i] === 1` when a mask is given, else a null/undefined value.
 * Errors become LoadErrors naming row rowBase + i + 1 of the file.
 */
export function fillColumn(
  out: ColumnOut,
  values: ArrayLike<unknown>,
  nulls: Uint8Array | null,
  from: number,
  to: number,
  at: number,
  src: SourceKind,
  file: string,
  rowBase: number,
): void {
  let i = from;
  try {
    // Fast paths: same physical form, only checks to make.
    if (values instanceof Int32Array && out.kind === 'i32' && (src.k === 'int' || (src.k === 'date' && out.code === T_DATE))) {
      const dst = out.i32;
      const lo = out.lo;
      const hi = out.hi;
      for (; i < to; i++) {
        const r = at + i - from;
        if (nulls !== null && nulls[i]) out.setNull(r);
        else {
          const v = values[i]!;
          if (v < lo || v > hi) throw outOfRange(out, v, src);
          dst[r] = v;
        }
      }
      return;
    }
    if ((values instanceof Float64Array || values instanceof Float32Array) && src.k === 'float' && out.code === T_DOUBLE) {
      const dst = out.f64;
      for (; i < to; i++) {
        const r = at + i - from;
        if (nulls !== null && nulls[i]) out.setNull(r);
        else dst[r] = values[i]!;
      }
      return;
    }
    for (; i < to; i++) {
      const r = at + i - from;
      const v = values[i];
      if ((nulls !== null && nulls[i]) || v === null || v === undefined) out.setNull(r);
      else storeValue(out, r, v, src);
    }
  } catch (err) {
    if (err instanceof ValueProblem) throw new LoadError('LOAD_VALUE', err.message, file, rowBase + i + 1, out.name);
    throw err;
  }
}
