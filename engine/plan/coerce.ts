/**
 * Type rules of the binder: which types mix, what an operator returns, and the
 * implicit conversions it inserts (as explicit 'cast' nodes). Redshift/PostgreSQL
 * semantics, restricted to what our physical representation holds exactly:
 *
 *  - Integers: SMALLINT < INTEGER < BIGINT; an operator on two integers returns
 *    the wider one, and `/` truncates toward zero.
 *  - DECIMAL(p,s) values are scaled integers. `+`, `-`, `%`: both operands are
 *    rescaled to s = max(s1,s2) first; `*`: scale s1+s2 (no rescale); `/`: scale
 *    max(6, s1, s2), the exact quotient rounded half away from zero (see
 *    rt.decDiv). An integer operand behaves as DECIMAL(5|10|19, 0). A result
 *    of precision 15 or less beyond its precision raises OVERFLOW; a wide one
 *    (precision 16 and more) is exact below 2^53 scaled units and rounded to
 *    the nearest double beyond, raising OVERFLOW only past its precision.
 *  - A DECIMAL or integer mixed with REAL/DOUBLE is DOUBLE.
 *  - A string literal (PostgreSQL's "unknown" type) and a NULL literal take the
 *    type of the other operand; a string column does not mix with numbers or
 *    dates (TYPE_MISMATCH).
 *  - DATE mixed with TIMESTAMP is TIMESTAMP; either mixed with TIMESTAMPTZ is
 *    TIMESTAMPTZ (a TIMESTAMP read in the session's zone, UTC, as in Redshift
 *    with its default zone). DATE +/- INTEGER is a DATE; DATE -
 *    DATE is an INTEGER (days); DATE/TIMESTAMP +/- INTERVAL is a TIMESTAMP
 *    (PostgreSQL). A DATE compared with a constant TIMESTAMP compares as dates.
 *  - Comparing exact numbers of different scales never rescales upward where
 *    that could overflow: see ExprBinder.compareScales.
 *
 * Aggregates (bind-expr.ts, bindAggregate): COUNT is BIGINT; SUM of integers is
 * BIGINT, of DECIMAL(p,s) DECIMAL(38,s), of floats DOUBLE; AVG of DECIMAL(p,s)
 * is DECIMAL(38, max(6,s)), the exact quotient rounded half away from zero
 * (Redshift keeps scale s, PostgreSQL more digits); AVG of integers and floats
 * is DOUBLE PRECISION (Redshift truncates AVG(INTEGER) to an integer; DuckDB,
 * our oracle, and users mostly expect the fraction); MIN/MAX/ANY_VALUE keep the
 * argument's type; STDDEV/VARIANCE are DOUBLE PRECISION; MEDIAN is DOUBLE
 * PRECISION for integers and floats and keeps DECIMAL, DATE and TIMESTAMP;
 * LISTAGG is VARCHAR(65535). docs/sql.md has the whole dialect.
 */
import { SqlError, positionAt, type ErrorCode } from '../errors.js';
import type { SqlType } from '../types.js';
import { MAX_SAFE, parseDate, parseTimestamp, typeName } from '../types.js';
import { columnsOf, type Expr } from './expr.js';
import * as rt from '../exec/runtime.js';

export const SMALLINT: SqlType = { id: 'smallint' };
export const INTEGER: SqlType = { id: 'integer' };
export const BIGINT: SqlType = { id: 'bigint' };
export const REAL: SqlType = { id: 'real' };
export const DOUBLE: SqlType = { id: 'double' };
export const BOOLEAN: SqlType = { id: 'boolean' };
export const VARCHAR: SqlType = { id: 'varchar', length: 65535 };
export const DATE: SqlType = { id: 'date' };
export const TIMESTAMP: SqlType = { id: 'timestamp' };
export const TIMESTAMPTZ: SqlType = { id: 'timestamptz' };

/** Largest DECIMAL precision we admit in types (values are still bounded by 2^53). */
export const MAX_PRECISION = 38;

export function decimalType(precision: number, scale: number): SqlType {
  return { id: 'decimal', precision: Math.max(1, Math.min(precision, MAX_PRECISION)), scale };
}

export function isInteger(t: SqlType): boolean {
  return t.id === 'smallint' || t.id === 'integer' || t.id === 'bigint';
}
export function isNumeric(t: SqlType): boolean {
  return isInteger(t) || t.id === 'decimal' || t.id === 'real' || t.id === 'double';
}
export function isFloat(t: SqlType): boolean {
  return t.id === 'real' || t.id === 'double';
}
export function isString(t: SqlType): boolean {
  return t.id === 'char' || t.id === 'varchar';
}
export function isTemporal(t: SqlType): boolean {
  return t.id === 'date' || t.id === 'timestamp' || t.id === 'timestamptz';
}
/** TIMESTAMP or TIMESTAMPTZ: microseconds since epoch, read alike by every date function. */
export function isTimestamp(t: SqlType): boolean {
  return t.id === 'timestamp' || t.id === 'timestamptz';
}
export function scaleOf(t: SqlType): number {
  return t.id === 'decimal' ? (t.scale ?? 0) : 0;
}
/** Digits a type holds: integers as DECIMAL(5|10|19, 0). */
export function precisionOf(t: SqlType): number {
  switch (t.id) {
    case 'smallint':
      return 5;
    case 'integer':
      return 10;
    case 'bigint':
      return 19;
    case 'decimal':
      return t.precision ?? 18;
    default:
      return MAX_PRECISION;
  }
}

/** A short type name for messages: "varchar", "char", "integer", "decimal(15,2)". */
export function shortName(t: SqlType): string {
  if (t.id === 'char' || t.id === 'varchar') return t.id;
  return typeName(t);
}

const INT_RANK: Record<string, number> = { smallint: 1, integer: 2, bigint: 3 };

/** The type two numeric operands are brought to (for comparison, CASE, UNION, +, -). */
export function commonNumeric(a: SqlType, b: SqlType): SqlType {
  if (isFloat(a) || isFloat(b)) return a.id === 'real' && b.id === 'real' ? REAL : DOUBLE;
  if (a.id === 'decimal' || b.id === 'decimal') {
    const s = Math.max(scaleOf(a), scaleOf(b));
    const intDigits = Math.max(precisionOf(a) - scaleOf(a), precisionOf(b) - scaleOf(b));
    return decimalType(intDigits + s, s);
  }
  return INT_RANK[a.id]! >= INT_RANK[b.id]! ? a : b;
}

/**
 * The common type of several values (CASE branches, COALESCE, UNION columns),
 * or null when they do not mix. `unknown[i]` marks untyped literals (string or
 * NULL) that adapt to the others.
 */
export function commonType(types: readonly SqlType[], unknown: readonly boolean[]): SqlType | null {
  const known = types.filter((_, i) => !unknown[i]);
  if (known.length === 0) return VARCHAR;
  const all = (p: (t: SqlType) => boolean) => known.every(p);
  if (all(isNumeric)) return known.reduce(commonNumeric);
  if (all(isString)) {
    if (known.some((t) => t.id === 'varchar') || types.some((t, i) => unknown[i] && t.id !== 'varchar')) {
      const lens = known.map((t) => t.length);
      if (lens.some((l) => l === undefined)) return VARCHAR;
      return { id: 'varchar', length: Math.max(...(lens as number[])) };
    }
    const lens = known.map((t) => t.length ?? 1);
    return { id: 'char', length: Math.max(...lens) };
  }
  if (all(isTemporal)) return known.some((t) => t.id === 'timestamptz') ? TIMESTAMPTZ : known.some((t) => t.id === 'timestamp') ? TIMESTAMP : DATE;
  if (all((t) => t.id === 'boolean')) return BOOLEAN;
  return null;
}

/** Whether CAST(x AS to) exists for x of type from. */
export function castable(from: SqlType, to: SqlType): boolean {
  if (from.id === to.id) return true;
  if (isString(from) || isString(to)) return true;
  if (isNumeric(from) && isNumeric(to)) return true;
  if (isTemporal(from) && isTemporal(to)) return true;
  if (from.id === 'boolean' && isInteger(to)) return true;
  if (isInteger(from) && to.id === 'boolean') return true;
  return false;
}

/** Same values, same physical representation: no conversion needed to read one as the other. */
export function sameRepresentation(a: SqlType, b: SqlType): boolean {
  if (isString(a) && isString(b)) return true;
  if (a.id !== b.id) {
    // integers of different widths share values (only physical kinds differ, which compiled code reads alike)
    return false;
  }
  return scaleOf(a) === scaleOf(b);
}

export function identical(a: SqlType, b: SqlType): boolean {
  return a.id === b.id && (a.precision ?? null) === (b.precision ?? null) && (a.scale ?? null) === (b.scale ?? null) && (a.length ?? null) === (b.length ?? null);
}

// ---------------------------------------------------------------- literals and folding

export function lit(value: number | string | null, type: SqlType): Expr {
  return { k: 'lit', value, type };
}

/** String and NULL literals not yet given a type (PostgreSQL's "unknown"). */
const UNKNOWN = new WeakSet<Expr>();

export function unknownLiteral(value: string | null): Expr {
  const e = lit(value, VARCHAR);
  UNKNOWN.add(e);
  return e;
}

export function isUnknown(e: Expr): boolean {
  return UNKNOWN.has(e);
}

export function isLiteral(e: Expr): e is Extract<Expr, { k: 'lit' }> {
  return e.k === 'lit';
}

export function isConstant(e: Expr): boolean {
  return columnsOf(e).size === 0;
}

/** The physical value of a string literal read as a value of `type`; throws ExecError when malformed. */
export function parseLiteralAs(text: string, type: SqlType): number | string {
  if (isString(type)) {
    const s = type.id === 'char' ? text.replace(/ +$/, '') : text;
    return s;
  }
  switch (type.id) {
    case 'date': {
      const v = parseDate(text);
      if (Number.isNaN(v)) {
        // a timestamp string is a date at its day
        const ts = parseTimestamp(text);
        if (!Number.isNaN(ts)) return Math.floor(ts / 86_400_000_000);
        rt.invalid(`invalid input syntax for type date: "${text}"`);
      }
      return v;
    }
    default:
      return rt.fromText(text, type);
  }
}

/** A number literal's type and physical value: INTEGER, BIGINT, DECIMAL(p,s) as written, or DOUBLE (exponent). */
export function numberLiteral(text: string): { value: number; type: SqlType } | null {
  if (/[eE]/.test(text)) return { value: Number(text), type: DOUBLE };
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) return null;
  const intPart = (m[1] ?? '').replace(/^0+(?=\d)/, '');
  const frac = m[2];
  if (frac === undefined) {
    const v = Number(intPart || '0');
    if (v <= 2147483647) return { value: v, type: INTEGER };
    if (v <= MAX_SAFE && /^\d+$/.test(intPart) && String(v) === intPart) return { value: v, type: BIGINT };
    return null;
  }
  const digits = (intPart === '0' ? '' : intPart) + frac;
  const scaled = Number(digits || '0');
  if (!(Math.abs(scaled) <= MAX_SAFE)) return null;
  const scale = frac.length;
  const precision = Math.max(scale, (intPart === '0' ? 0 : intPart.length) + scale, 1);
  return { value: scaled, type: decimalType(precision, scale) };
}

/** An untyped literal read as a number: its own literal type ('5' -> INTEGER, '1.5' -> DECIMAL). */
export function numericLiteralType(e: Expr): SqlType {
  const v = (e as Extract<Expr, { k: 'lit' }>).value;
  if (typeof v === 'string') {
    const n = numberLiteral(v.trim().replace(/^[+-]/, ''));
    if (n) return n.type;
  }
  return DOUBLE;
}

export function sqlError(sql: string, code: ErrorCode, message: string, pos: number): SqlError {
  return new SqlError(code, message, positionAt(sql, pos), sql);
}
