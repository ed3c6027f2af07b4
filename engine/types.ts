/**
 * SQL types and their in-memory representation.
 *
 * Every SQL type maps to one physical kind, and every hot loop dispatches on the
 * physical kind only (one switch, in one place per operation):
 *
 *   SMALLINT, INTEGER, DATE (days since 1970-01-01)           -> i32  (Int32Array)
 *   BIGINT, DECIMAL (scaled integer: value * 10^scale),
 *   REAL, DOUBLE PRECISION, TIMESTAMP and TIMESTAMPTZ
 *   (microseconds since epoch; TIMESTAMPTZ's are an instant in UTC) -> f64 (Float64Array)
 *   BOOLEAN (0 or 1)                                          -> bool (Uint8Array)
 *   CHAR(n), VARCHAR(n)                                       -> str  (dictionary: Uint32Array codes + string[])
 *
 * BIGINT and DECIMAL are exact while |value| (scaled) stays within 2^53; arithmetic
 * that leaves that range raises OVERFLOW rather than silently rounding.
 * CHAR values are stored without trailing blanks: Redshift ignores trailing blanks
 * of CHAR in comparisons, and so do we by never storing them.
 */

export type TypeId =
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'decimal'
  | 'real'
  | 'double'
  | 'boolean'
  | 'char'
  | 'varchar'
  | 'date'
  | 'timestamp'
  | 'timestamptz';

export interface SqlType {
  readonly id: TypeId;
  /** DECIMAL precision (total digits). */
  readonly precision?: number;
  /** DECIMAL scale (digits after the point). */
  readonly scale?: number;
  /** CHAR/VARCHAR declared length in bytes (Redshift counts bytes). */
  readonly length?: number;
}

export type PhysicalKind = 'i32' | 'f64' | 'bool' | 'str';

export function physicalKind(t: SqlType): PhysicalKind {
  switch (t.id) {
    case 'smallint':
    case 'integer':
    case 'date':
      return 'i32';
    case 'bigint':
    case 'decimal':
    case 'real':
    case 'double':
    case 'timestamp':
    case 'timestamptz':
      return 'f64';
    case 'boolean':
      return 'bool';
    case 'char':
    case 'varchar':
      return 'str';
  }
}

/** Renders a type as Redshift prints it, e.g. "decimal(15,2)", "varchar(44)". */
export function typeName(t: SqlType): string {
  switch (t.id) {
    case 'decimal':
      return `decimal(${t.precision ?? 18},${t.scale ?? 0})`;
    case 'char':
    case 'varchar':
      return t.length !== undefined ? `${t.id}(${t.length})` : t.id;
    case 'double':
      return 'double precision';
    case 'timestamptz':
      return 'timestamp with time zone';
    default:
      return t.id;
  }
}

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Microseconds in a day: a TIMESTAMP's unit per DATE's. */
export const DAY_US = 86_400_000_000;

/** Value range a type admits, used by loaders and casts to reject overflow. */
/** Powers of ten that are exact doubles (10^22 is the largest): a table, since `10 ** k` with k unknown until run time is a slow call in hot loops. */
export const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** 10^k as a double (exact for 0 <= k <= 22). */
export function pow10(k: number): number {
  return POW10[k] ?? 10 ** k;
}

export function integerRange(t: SqlType): [number, number] | undefined {
  switch (t.id) {
    case 'smallint':
      return [-32768, 32767];
    case 'integer':
      return [-2147483648, 2147483647];
    case 'bigint':
      return [-MAX_SAFE, MAX_SAFE];
    case 'decimal': {
      const digits = t.precision ?? 18;
      const limit = digits >= 16 ? MAX_SAFE : 10 ** digits - 1;
      return [-limit, limit];
    }
    default:
      return undefined;
  }
}

/**
 * A column of values of one physical kind. `nulls` is one byte per row (1 = NULL),
 * or null when no row in the vector is NULL. A NULL slot holds 0 (numbers) or code 0
 * (strings); its value is never read.
 */
/**
 * The value of a prepared statement's parameter ($1 ...), in its text form:
 * with a type, it is read as a literal of that type (DATE '...'); without one
 * (null), as an untyped string literal that takes the type its context asks
 * for, as PostgreSQL's "unknown" does. NULL is text null.
 */
export interface ParamValue {
  readonly type: SqlType | null;
  readonly text: string | null;
}

export type Vector = I32Vector | F64Vector | BoolVector | StrVector;

export interface I32Vector {
  readonly kind: 'i32';
  readonly values: Int32Array;
  readonly nulls: Uint8Array | null;
  readonly length: number;
}
export interface F64Vector {
  readonly kind: 'f64';
  readonly values: Float64Array;
  readonly nulls: Uint8Array | null;
  readonly length: number;
}
export interface BoolVector {
  readonly kind: 'bool';
  readonly values: Uint8Array;
  readonly nulls: Uint8Array | null;
  readonly length: number;
}
/**
 * Strings as dictionary codes into `dict`. The dictionary may hold entries no row
 * uses, and is shared (never mutated) between vectors cut from the same block.
 */
export interface StrVector {
  readonly kind: 'str';
  readonly codes: Uint32Array;
  readonly dict: readonly string[];
  readonly nulls: Uint8Array | null;
  readonly length: number;
}

export interface ColumnDef {
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
}

/** A horizontal slice of a table or intermediate result: one vector per column. */
export interface Batch {
  readonly length: number;
  readonly columns: Vector[];
}

/** Days since 1970-01-01 for a YYYY-MM-DD string, or NaN when malformed or out of range. */
export function parseDate(s: string): number {
  const m = /^\s*(-?\d{1,4})-(\d{1,2})-(\d{1,2})\s*$/.exec(s);
  if (!m) return NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return NaN;
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d);
  const ms = dt.getTime();
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return NaN;
  return ms / 86_400_000;
}

/**
 * A value's text (as pg_stats or a literal writes it) as the column's physical
 * value: days for dates, scaled integers for decimals, microseconds for
 * timestamps, the text itself for strings; NaN when it does not read as one
 * (and for booleans, which no range or zone map orders).
 */
export function physicalFromText(text: string, type: SqlType): number | string {
  switch (type.id) {
    case 'date':
      return parseDate(text);
    case 'timestamp':
      return parseTimestamp(text);
    case 'timestamptz':
      return parseTimestampTz(text);
    case 'decimal':
      // not rounded: a comparison with a fractional scaled value orders correctly
      return Number(text) * 10 ** (type.scale ?? 0);
    case 'char':
    case 'varchar':
      return text;
    case 'boolean':
      return NaN;
    default:
      return text.trim() === '' ? NaN : Number(text);
  }
}

/** YYYY-MM-DD for days since 1970-01-01. */
export function formatDate(days: number): string {
  const dt = new Date(days * 86_400_000);
  const y = dt.getUTCFullYear();
  const ys = y < 0 ? '-' + String(-y).padStart(4, '0') : String(y).padStart(4, '0');
  return `${ys}-${String(dt.getUTCMonth() + 1).padStart(2, '0')}-${String(dt.getUTCDate()).padStart(2, '0')}`;
}

/** Microseconds since epoch for 'YYYY-MM-DD[ HH:MM:SS[.ffffff]]', or NaN. */
export function parseTimestamp(s: string): number {
  const m = /^\s*(-?\d{1,4}-\d{1,2}-\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(?:Z|\+00(?::?00)?)?\s*$/.exec(s);
  if (!m) return NaN;
  const days = parseDate(m[1]!);
  if (Number.isNaN(days)) return NaN;
  const h = m[2] ? Number(m[2]) : 0;
  const mi = m[3] ? Number(m[3]) : 0;
  const sec = m[4] ? Number(m[4]) : 0;
  if (h > 23 || mi > 59 || sec > 59) return NaN;
  const frac = m[5] ? Number(m[5].padEnd(6, '0')) : 0;
  return days * 86_400_000_000 + ((h * 60 + mi) * 60 + sec) * 1_000_000 + frac;
}

/**
 * Microseconds since epoch (UTC) for a TIMESTAMPTZ's text: a timestamp as
 * parseTimestamp reads it, then an optional UTC offset (Z, +HH, -HH:MM, +HHMM,
 * +HH:MM:SS), as PostgreSQL and Redshift read it. Without an offset the time is
 * read in the session's time zone, which is UTC in keel. NaN when malformed.
 */
/**
 * Text as a TIMESTAMPTZ: with a UTC offset, that instant; without one, a
 * wall-clock time in `zone` (the session's time zone; UTC when not given).
 */
export function parseTimestampTz(s: string, zone?: WallClock): number {
  const m = /^\s*(.*?\d)\s*(?:([+-])(\d{1,2})(?::?(\d{2})(?::?(\d{2}))?)?)?\s*$/.exec(s);
  // a date alone ends in "-DD": its last "-DD" is no offset
  if (!m || m[2] === undefined || !/[ T]\d{1,2}:\d{2}/.test(m[1]!)) {
    const wall = parseTimestamp(s);
    // 'Z' and '+00' (which parseTimestamp accepts after a date alone) are offsets: the text is UTC whatever the zone
    return zone === undefined || Number.isNaN(wall) || /(?:z|\+00(?::?00)?)\s*$/i.test(s) ? wall : zone.toUtc(wall);
  }
  const local = parseTimestamp(m[1]!);
  if (Number.isNaN(local)) return NaN;
  const h = Number(m[3]);
  const mi = m[4] ? Number(m[4]) : 0;
  const sec = m[5] ? Number(m[5]) : 0;
  if (h > 15 || mi > 59 || sec > 59) return NaN;
  const offset = ((h * 60 + mi) * 60 + sec) * 1_000_000;
  return m[2] === '+' ? local - offset : local + offset;
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' for microseconds since epoch. */
export function formatTimestamp(us: number): string {
  const days = Math.floor(us / 86_400_000_000);
  let rest = us - days * 86_400_000_000;
  const h = Math.floor(rest / 3_600_000_000);
  rest -= h * 3_600_000_000;
  const mi = Math.floor(rest / 60_000_000);
  rest -= mi * 60_000_000;
  const sec = Math.floor(rest / 1_000_000);
  const frac = rest - sec * 1_000_000;
  const base = `${formatDate(days)} ${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  return frac ? `${base}.${String(frac).padStart(6, '0').replace(/0+$/, '')}` : base;
}

/** A TIMESTAMPTZ as Redshift prints it in a UTC session: 'YYYY-MM-DD HH:MM:SS[.ffffff]+00'. */
/** A time zone as TIMESTAMPTZ text needs it (functions/time-zone.ts's TimeZone). */
export interface WallClock {
  /** The UTC instant (µs) of a wall-clock time (µs) in the zone. */
  toUtc(wallUs: number): number;
  /** The wall-clock time (µs) in the zone of a UTC instant (µs). */
  fromUtc(utcUs: number): number;
}

/**
 * A TIMESTAMPTZ as text: its wall-clock time in `zone` (the session's; UTC
 * when not given) and that zone's offset then, as Redshift and PostgreSQL
 * print it: '+00', '-05', '+05:30' (seconds too for an old local mean time).
 */
export function formatTimestampTz(us: number, zone?: WallClock): string {
  if (zone === undefined) return formatTimestamp(us) + '+00';
  const wall = zone.fromUtc(us);
  const offset = Math.round((wall - us) / 1_000_000);
  const a = Math.abs(offset);
  const hh = String(Math.floor(a / 3600)).padStart(2, '0');
  const mm = Math.floor(a / 60) % 60;
  const ss = a % 60;
  const tail = ss ? `:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}` : mm ? `:${String(mm).padStart(2, '0')}` : '';
  return `${formatTimestamp(wall)}${offset < 0 ? '-' : '+'}${hh}${tail}`;
}
