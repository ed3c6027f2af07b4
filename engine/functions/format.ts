/**
 * Formatting functions: TO_CHAR of a date, timestamp or number, and its
 * inverses TO_DATE, TO_TIMESTAMP and TO_NUMBER, with Redshift's format
 * strings (format-datetime.ts, format-number.ts). A constant format is parsed
 * once, when the query is bound, so a bad one is an error pointing into it; a
 * format computed per row is parsed on first use and cached.
 */
import type { SqlType } from '../types.js';
import { DAY_US } from '../types.js';
import { invalid } from '../exec/runtime.js';
import { fnCall, type Expr } from '../plan/expr.js';
import { BOOLEAN, DATE, TIMESTAMP, VARCHAR, decimalType, isFloat, isNumeric, isTemporal, lit, scaleOf } from '../plan/coerce.js';
import { FormatError, ReadError, formatDatetime, parseDatetimeFormat, readDatetime, type FormatPart } from './format-datetime.js';
import { NumberReadError, formatNumber, parseNumberFormat, readNumber, type NumberFormat } from './format-number.js';
import type { Binding, CodeArgs, Family } from './types.js';

type Kind = 'datetime' | 'number';

const cache = new Map<string, FormatPart[] | NumberFormat>();

/** A format known only per row: parsed and cached (a bad one is INVALID_VALUE). */
function formatOf(kind: Kind, format: string): FormatPart[] | NumberFormat {
  const key = `${kind}\u0000${format}`;
  let f = cache.get(key);
  if (!f) {
    try {
      f = kind === 'datetime' ? parseDatetimeFormat(format) : parseNumberFormat(format);
    } catch (err) {
      if (err instanceof FormatError) return invalid(`invalid format "${format}": ${err.message}`);
      throw err;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(key, f);
  }
  return f;
}

// ---------------------------------------------------------------- helpers the compiled code calls

export function toCharDatetime(parts: readonly FormatPart[], ts: number): string {
  return formatDatetime(parts, ts);
}

export function toCharDatetimeText(format: string, ts: number): string {
  return formatDatetime(formatOf('datetime', format) as FormatPart[], ts);
}

export function toCharNumber(f: NumberFormat, value: number, scale: number | null): string {
  return formatNumber(f, value, scale);
}

export function toCharNumberText(format: string, value: number, scale: number | null): string {
  return formatNumber(formatOf('number', format) as NumberFormat, value, scale);
}

function read(parts: readonly FormatPart[], input: string, strict: number): number {
  try {
    return readDatetime(parts, input, strict === 1);
  } catch (err) {
    if (err instanceof ReadError) return invalid(err.message);
    throw err;
  }
}

export function toTimestamp(parts: readonly FormatPart[], input: string, strict: number): number {
  return read(parts, input, strict);
}

export function toTimestampText(format: string, input: string, strict: number): number {
  return read(formatOf('datetime', format) as FormatPart[], input, strict);
}

export function toNumber(f: NumberFormat, input: string): number {
  try {
    return readNumber(f, input);
  } catch (err) {
    if (err instanceof NumberReadError) return invalid(err.message);
    throw err;
  }
}

export function toNumberText(format: string, input: string): number {
  return toNumber(formatOf('number', format) as NumberFormat, input);
}

// ---------------------------------------------------------------- binding

/**
 * The format argument (i): parsed now when constant (a bad one is an error
 * pointing at the offending pattern inside the literal); the parsed format, or
 * null when it comes per row.
 */
function formatArg(b: Binding, i: number, kind: Kind): { expr: Expr; parsed: FormatPart[] | NumberFormat | null } {
  const expr = b.fold(b.str(i));
  if (expr.k !== 'lit' || expr.value === null) return { expr, parsed: null };
  try {
    return { expr, parsed: kind === 'datetime' ? parseDatetimeFormat(expr.value as string) : parseNumberFormat(expr.value as string) };
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    const written = b.syntaxOf(i);
    // inside a plain string literal the offset is exact (past the opening quote)
    const pos = written.kind === 'string' && !written.value.includes("'") ? b.argPos(i) + 1 + err.at : b.argPos(i);
    throw b.error(err.code, `invalid ${kind === 'datetime' ? 'datetime' : 'numeric'} format "${expr.value as string}": ${err.message}`, pos);
  }
}

/** The JavaScript of the call's format (argument i): the parsed constant, or null when it comes per row. */
function parsedCode(c: CodeArgs, i: number, kind: Kind): string | null {
  const f = c.call.args[i]!;
  if (f.k !== 'lit' || typeof f.value !== 'string') return null;
  return c.constant(kind === 'datetime' ? parseDatetimeFormat(f.value) : parseNumberFormat(f.value));
}

/** What TO_CHAR prints: a date or timestamp, or a number (an untyped literal is read as a number when it looks like one). */
function toCharSubject(b: Binding): { x: Expr; kind: Kind } {
  const x0 = b.arg(0);
  if (b.isUnknown(x0)) {
    const v = (x0 as { value: unknown }).value;
    if (typeof v === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(v)) return { x: b.number(0, 'the value of TO_CHAR'), kind: 'number' };
    return { x: b.temporal(0, 'the value of TO_CHAR'), kind: 'datetime' };
  }
  if (isTemporal(x0.type)) return { x: x0, kind: 'datetime' };
  if (isNumeric(x0.type)) return { x: x0, kind: 'number' };
  throw b.error('TYPE_MISMATCH', `TO_CHAR takes a date, timestamp or number, not ${x0.type.id}`, b.argPos(0));
}

/** The scale TO_CHAR reads a number's physical value at: DECIMAL's, 0 for integers, none (a double) for floats. */
function scaleParam(t: SqlType): string {
  return isFloat(t) ? 'f' : String(scaleOf(t));
}

/** TO_DATE's and TO_TIMESTAMP's optional is_strict (a constant boolean). */
function strictArg(b: Binding, i: number): Expr {
  if (b.count <= i) return lit(0, BOOLEAN);
  const s = b.fold(b.castTo(b.arg(i), BOOLEAN, 'implicit', b.argPos(i)));
  if (s.type.id !== 'boolean') throw b.error('TYPE_MISMATCH', 'is_strict must be a boolean', b.argPos(i));
  return s;
}

function readTimestampOf(b: Binding, name: string): Expr {
  b.argc(2, 3);
  const s = b.str(0);
  const f = formatArg(b, 1, 'datetime');
  return fnCall('to_timestamp', [s, f.expr, strictArg(b, 2)], TIMESTAMP, name);
}

function readTimestampCode(c: CodeArgs): string {
  const parsed = parsedCode(c, 1, 'datetime');
  const ts = parsed ? `${c.constant(toTimestamp)}(${parsed}, ${c.args[0]}, ${c.args[2]})` : `${c.constant(toTimestampText)}(${c.args[1]}, ${c.args[0]}, ${c.args[2]})`;
  return c.call.type.id === 'date' ? `${c.target} = Math.floor(${ts} / ${DAY_US}); ${c.rangeCheck(DATE, c.target)}` : `${c.target} = ${ts}; ${c.rangeCheck(TIMESTAMP, c.target)}`;
}

export const FORMAT: Family = {
  name: 'formatting',
  functions: [
    {
      names: ['to_char'],
      syntax: ['TO_CHAR(date or timestamp, format)', 'TO_CHAR(number, format)'],
      returns: 'VARCHAR',
      doc: 'the value printed by a [datetime](#datetime-format-strings) or [numeric](#numeric-format-strings) format string',
      bind(b) {
        b.argc(2);
        const { x, kind } = toCharSubject(b);
        const f = formatArg(b, 1, kind);
        return fnCall('to_char', [x, f.expr], VARCHAR, kind === 'datetime' ? 'datetime' : scaleParam(x.type));
      },
      nulls: 'strict',
      compile(c) {
        const t = c.call.args[0]!.type;
        if (isTemporal(t)) {
          const ts = t.id === 'date' ? `${c.args[0]} * ${DAY_US}` : c.args[0]!;
          const parsed = parsedCode(c, 1, 'datetime');
          return parsed
            ? `${c.target} = ${c.constant(toCharDatetime)}(${parsed}, ${ts});`
            : `${c.target} = ${c.constant(toCharDatetimeText)}(${c.args[1]}, ${ts});`;
        }
        const scale = c.call.param === 'f' ? 'null' : c.call.param;
        const parsed = parsedCode(c, 1, 'number');
        return parsed
          ? `${c.target} = ${c.constant(toCharNumber)}(${parsed}, ${c.args[0]}, ${scale});`
          : `${c.target} = ${c.constant(toCharNumberText)}(${c.args[1]}, ${c.args[0]}, ${scale});`;
      },
    },
    {
      names: ['to_date'],
      syntax: ['TO_DATE(s, format [, is_strict])'],
      returns: 'DATE',
      doc: 'the date s holds, read by a datetime format string; out-of-range fields roll over (June 31 is July 1) unless is_strict, where they are INVALID_VALUE; text that does not match is INVALID_VALUE',
      nulls: 'strict',
      bind(b) {
        const ts = readTimestampOf(b, 'to_date');
        return { ...ts, type: DATE };
      },
    },
    {
      names: ['to_timestamp'],
      syntax: ['TO_TIMESTAMP(s, format [, is_strict])'],
      returns: 'TIMESTAMP',
      doc: 'the timestamp s holds, read as TO_DATE reads (Redshift returns a TIMESTAMPTZ; keel has no time zones: see [differences](#differences-from-redshift))',
      nulls: 'strict',
      bind: (b) => readTimestampOf(b, 'to_timestamp'),
    },
    {
      names: ['to_number'],
      syntax: ['TO_NUMBER(s, format)'],
      returns: 'DECIMAL(p,s), p and s the format\'s digit positions',
      doc: 'the number s holds, read by a numeric format string (group separators, blanks and a $ skipped; fraction digits past the format dropped); more integer digits than the format has is INVALID_VALUE',
      bind(b) {
        b.argc(2);
        const s = b.str(0);
        const f = formatArg(b, 1, 'number');
        if (f.parsed === null) throw b.error('UNSUPPORTED', 'the format of TO_NUMBER must be a constant (it decides the result type)', b.argPos(1));
        const nf = f.parsed as NumberFormat;
        return fnCall('to_number', [s, f.expr], decimalType(Math.max(1, nf.intDigits + nf.fracDigits), nf.fracDigits));
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(toNumber)}(${parsedCode(c, 1, 'number')}, ${c.args[0]}); ${c.rangeCheck(c.call.type, c.target)}`,
    },
  ],
  internal: {
    /** TO_DATE and TO_TIMESTAMP: text read by a datetime format (the call's type says which). */
    to_timestamp: { nulls: 'strict', compile: readTimestampCode },
  },
};
