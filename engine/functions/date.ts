/**
 * Date and time functions, with Redshift's semantics: DATEADD and ADD_MONTHS
 * return a TIMESTAMP; DATEDIFF counts the unit boundaries crossed; weeks
 * start on Monday. A DATE is days since 1970-01-01, a TIMESTAMP microseconds;
 * the calendar is the proleptic Gregorian one of JavaScript's Date in UTC.
 */
import { DAY_US, formatTimestampTz, parseTimestampTz, type SqlType, type WallClock } from '../types.js';
import { addMonths, invalid } from '../exec/runtime.js';
import { call, fnCall, type Expr } from '../plan/expr.js';
import { BIGINT, DATE, DOUBLE, INTEGER, TIMESTAMP, TIMESTAMPTZ, VARCHAR, isTimestamp, lit } from '../plan/coerce.js';
import { TimeZone } from './time-zone.js';
import type { Binding, Family } from './types.js';

const DATE_FIELDS = new Set([
  'millennium', 'century', 'decade', 'year', 'quarter', 'month', 'week', 'day', 'dow', 'isodow', 'doy', 'epoch',
  'hour', 'minute', 'second', 'millisecond', 'microsecond',
]);
const TRUNC_UNITS = new Set(['millennium', 'century', 'decade', 'year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond', 'microsecond']);
/** Redshift's names and abbreviations of date parts (its "Date parts for date or timestamp functions"). */
const FIELD_ALIASES: Record<string, string> = {
  millennia: 'millennium', millenniums: 'millennium', mil: 'millennium', mils: 'millennium',
  centuries: 'century', c: 'century', cent: 'century', cents: 'century',
  decades: 'decade', dec: 'decade', decs: 'decade',
  years: 'year', y: 'year', yr: 'year', yrs: 'year', yy: 'year', yyyy: 'year',
  months: 'month', mon: 'month', mons: 'month', mm: 'month',
  days: 'day', d: 'day', dd: 'day',
  weeks: 'week', w: 'week', wk: 'week',
  quarters: 'quarter', qtr: 'quarter', qtrs: 'quarter', q: 'quarter',
  hours: 'hour', h: 'hour', hh: 'hour', hr: 'hour', hrs: 'hour',
  minutes: 'minute', m: 'minute', mi: 'minute', min: 'minute', mins: 'minute',
  seconds: 'second', s: 'second', sec: 'second', secs: 'second', ss: 'second',
  milliseconds: 'millisecond', ms: 'millisecond', msec: 'millisecond', msecs: 'millisecond', msecond: 'millisecond',
  mseconds: 'millisecond', millisec: 'millisecond', millisecs: 'millisecond', millisecon: 'millisecond',
  microseconds: 'microsecond', microsec: 'microsecond', microsecs: 'microsecond', usecond: 'microsecond',
  useconds: 'microsecond', us: 'microsecond', usec: 'microsecond', usecs: 'microsecond',
  dayofweek: 'dow', weekday: 'dow', dw: 'dow', dayofyear: 'doy', dy: 'doy', yearday: 'doy',
};

/** A date part as written ('MONTHS', 'mon') by its canonical name ('month'). */
export function normalizeField(f: string): string {
  const l = f.toLowerCase();
  return FIELD_ALIASES[l] ?? l;
}

// ---------------------------------------------------------------- helpers the compiled code calls

/** Days since 1970-01-01 of a date of the proleptic Gregorian calendar (Date.UTC would read the years 0 to 99 as 1900 to 1999). */
export function daysOf(year: number, month0: number, day: number): number {
  const t = new Date(0);
  t.setUTCFullYear(year, month0, day);
  return Math.round(t.getTime() / 86_400_000);
}

/** PostgreSQL's century and millennium numbering: the 21st century is 2001 to 2100, the one before year 1 is -1. */
function centuryOf(y: number): number {
  return y > 0 ? Math.floor((y + 99) / 100) : -Math.floor((99 - (y - 1)) / 100);
}

function millenniumOf(y: number): number {
  return y > 0 ? Math.floor((y + 999) / 1000) : -Math.floor((999 - (y - 1)) / 1000);
}

/** Year, month (1-12) and day of days since 1970-01-01, by integer arithmetic (H. Hinnant's civil_from_days): no Date per row. */
function civil(days: number, part: 0 | 1 | 2): number {
  const z = days + 719_468;
  if (z >= 0 && z < 2_000_000_000) return civilInt(z, part);
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  if (part === 1) return month;
  if (part === 2) return doy - Math.floor((153 * mp + 2) / 5) + 1;
  return yoe + era * 400 + (month <= 2 ? 1 : 0);
}

/**
 * civil for the days from 0000-03-01 on (z = days + 719468 >= 0, as every
 * date of the last two millennia), in 32-bit integer arithmetic: `| 0`
 * truncates as Math.floor does for non-negative values and is several times
 * cheaper in a loop over a column.
 */
function civilInt(z: number, part: 0 | 1 | 2): number {
  const era = (z / 146_097) | 0;
  const doe = z - era * 146_097;
  const yoe = ((doe - ((doe / 1460) | 0) + ((doe / 36_524) | 0) - ((doe / 146_096) | 0)) / 365) | 0;
  const doy = doe - (365 * yoe + (yoe >> 2) - ((yoe / 100) | 0));
  const mp = ((5 * doy + 2) / 153) | 0;
  if (part === 1) return mp < 10 ? mp + 3 : mp - 9;
  if (part === 2) return doy - (((153 * mp + 2) / 5) | 0) + 1;
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

/**
 * Year and month of each day from 1900-01-01 to 2099-12-31 (73,049 days, 219
 * KB), filled on first use: EXTRACT(YEAR/MONTH) over a column is then one
 * read a row instead of civil's six divisions; other days are computed.
 */
const TABLE_FIRST = -25_567;
const TABLE_DAYS = 73_049;
let yearTable: Int16Array | null = null;
let monthTable: Uint8Array | null = null;

function fillTables(): void {
  yearTable = new Int16Array(TABLE_DAYS);
  monthTable = new Uint8Array(TABLE_DAYS);
  for (let k = 0; k < TABLE_DAYS; k++) {
    yearTable[k] = civil(TABLE_FIRST + k, 0);
    monthTable[k] = civil(TABLE_FIRST + k, 1);
  }
}

function yearOf(days: number): number {
  const k = days - TABLE_FIRST;
  if (k >= 0 && k < TABLE_DAYS && (k | 0) === k) {
    if (yearTable === null) fillTables();
    return yearTable![k]!;
  }
  return civil(days, 0);
}

function monthOf(days: number): number {
  const k = days - TABLE_FIRST;
  if (k >= 0 && k < TABLE_DAYS && (k | 0) === k) {
    if (monthTable === null) fillTables();
    return monthTable![k]!;
  }
  return civil(days, 1);
}
/** 0 = Sunday; 1970-01-01 was a Thursday. */
const dowOf = (days: number) => (((days + 4) % 7) + 7) % 7;

/**
 * The function that gives one field of a date (days since epoch), chosen once
 * per query: EXTRACT and DATE_PART agree on dates; time fields are 0.
 */
export function dateField(field: string): (days: number) => number {
  switch (field) {
    case 'millennium':
      return (days) => millenniumOf(yearOf(days));
    case 'century':
      return (days) => centuryOf(yearOf(days));
    case 'decade':
      return (days) => Math.floor(yearOf(days) / 10);
    case 'year':
      return yearOf;
    case 'month':
      return monthOf;
    case 'day':
      return (days) => civil(days, 2);
    case 'quarter':
      return (days) => Math.floor((monthOf(days) - 1) / 3) + 1;
    case 'dow':
      return dowOf;
    case 'isodow':
      return (days) => dowOf(days) || 7;
    case 'doy':
      return (days) => days - daysOf(yearOf(days), 0, 1) + 1;
    case 'week':
      return (days) => isoWeek(new Date(days * 86_400_000));
    case 'epoch':
      return (days) => days * 86400;
    case 'hour':
    case 'minute':
    case 'second':
    case 'millisecond':
    case 'microsecond':
      return () => 0;
    default:
      return () => invalid(`unknown date field ${field}`);
  }
}

/** A field of a date (days since epoch); compiled code calls the function dateField chose once instead. */
export function extractDate(field: string, days: number): number {
  return dateField(field)(days);
}

/**
 * EXTRACT(field FROM timestamp), as Redshift's EXTRACT: an integer for the
 * field alone, ignoring larger and smaller ones (second: whole seconds;
 * millisecond: the milliseconds within the second; microsecond: the
 * microseconds within the millisecond).
 */
export function extractTimestamp(field: string, us: number): number {
  const days = Math.floor(us / DAY_US);
  const rest = us - days * DAY_US;
  switch (field) {
    case 'hour':
      return Math.floor(rest / 3_600_000_000);
    case 'minute':
      return Math.floor(rest / 60_000_000) % 60;
    case 'second':
      return Math.floor(rest / 1_000_000) % 60;
    case 'millisecond':
      return Math.floor(rest / 1000) % 1000;
    case 'microsecond':
      return rest % 1000;
    case 'epoch':
      return us / 1_000_000;
    default:
      return extractDate(field, days);
  }
}

/**
 * DATE_PART(field, timestamp), as Redshift's DATE_PART: the seconds fields
 * hold the whole seconds part with its fraction (second 3.189717,
 * millisecond 3189.717, microsecond 3189717); the rest as EXTRACT.
 */
export function datePartTimestamp(field: string, us: number): number {
  const days = Math.floor(us / DAY_US);
  const inMinute = (us - days * DAY_US) % 60_000_000;
  switch (field) {
    case 'second':
      return inMinute / 1_000_000;
    case 'millisecond':
      return inMinute / 1000;
    case 'microsecond':
      return inMinute;
    default:
      return extractTimestamp(field, us);
  }
}

function isoWeek(d: Date): number {
  const t = new Date(d.getTime());
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = daysOf(t.getUTCFullYear(), 0, 1) * 86_400_000;
  return Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

/** DATE_TRUNC of a date (days): centuries and millennia as PostgreSQL numbers them (the 21st century starts in 2001). */
export function dateTrunc(field: string, days: number): number {
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear();
  switch (field) {
    case 'millennium':
      return daysOf((millenniumOf(y) - 1) * 1000 + (y > 0 ? 1 : -999), 0, 1);
    case 'century':
      return daysOf((centuryOf(y) - 1) * 100 + (y > 0 ? 1 : -99), 0, 1);
    case 'decade':
      return daysOf(Math.floor(y / 10) * 10, 0, 1);
    case 'year':
      return daysOf(y, 0, 1);
    case 'quarter':
      return daysOf(y, Math.floor(d.getUTCMonth() / 3) * 3, 1);
    case 'month':
      return daysOf(y, d.getUTCMonth(), 1);
    case 'week':
      return days - ((d.getUTCDay() + 6) % 7);
    case 'day':
      return days;
    default:
      return invalid(`unknown date_trunc field ${field}`);
  }
}

/** DATE_TRUNC of a timestamp (microseconds). */
export function dateTruncTs(field: string, us: number): number {
  switch (field) {
    case 'hour':
      return Math.floor(us / 3_600_000_000) * 3_600_000_000;
    case 'minute':
      return Math.floor(us / 60_000_000) * 60_000_000;
    case 'second':
      return Math.floor(us / 1_000_000) * 1_000_000;
    case 'millisecond':
      return Math.floor(us / 1000) * 1000;
    case 'microsecond':
      return us;
    default:
      return dateTrunc(field, Math.floor(us / DAY_US)) * DAY_US;
  }
}

/** The last day of the month of a date (days). */
function lastDayOf(days: number): number {
  const d = new Date(days * 86_400_000);
  return daysOf(d.getUTCFullYear(), d.getUTCMonth() + 1, 0);
}

/**
 * ADD_MONTHS(timestamp, n), as Redshift's: the same day n months on, clamped
 * to the month's end, and the last day of a month goes to the last day of the
 * result month (April 30 + 1 month is May 31; DATEADD gives May 30).
 */
export function addMonthsEom(us: number, months: number): number {
  const days = Math.floor(us / DAY_US);
  const time = us - days * DAY_US;
  const moved = addMonths(days, months);
  return (days === lastDayOf(days) ? lastDayOf(moved) : moved) * DAY_US + time;
}

/**
 * MONTHS_BETWEEN(a, b), as Redshift's (Oracle's): whole months when both
 * dates fall on the same day of the month or both on their month's last day;
 * else the month difference plus the difference of the days and times over a
 * 31-day month.
 */
export function monthsBetween(a: number, b: number): number {
  const da = Math.floor(a / DAY_US);
  const db = Math.floor(b / DAY_US);
  const x = new Date(da * 86_400_000);
  const y = new Date(db * 86_400_000);
  const months = (x.getUTCFullYear() - y.getUTCFullYear()) * 12 + (x.getUTCMonth() - y.getUTCMonth());
  if (x.getUTCDate() === y.getUTCDate() || (da === lastDayOf(da) && db === lastDayOf(db))) return months;
  const dayA = x.getUTCDate() + (a - da * DAY_US) / DAY_US;
  const dayB = y.getUTCDate() + (b - db * DAY_US) / DAY_US;
  return months + (dayA - dayB) / 31;
}

// ---------------------------------------------------------------- binding rules

/**
 * EXTRACT(field FROM x) and DATE_PART(field, x): a field of a date or
 * timestamp. EXTRACT gives an INTEGER (epoch: a BIGINT for a date, a DOUBLE
 * PRECISION with the fraction for a timestamp); DATE_PART a DOUBLE PRECISION,
 * whose seconds fields keep the fraction (see datePartTimestamp).
 */
function datePart(b: Binding, field: string, i: number, form: 'extract' | 'date_part'): Expr {
  const x0 = b.arg(i);
  if (!DATE_FIELDS.has(field)) {
    throw b.error('INVALID_VALUE', `unsupported date part "${field}" (use ${[...DATE_FIELDS].join(', ')})`, b.pos);
  }
  const x = b.asTemporal(x0, b.argPos(i), `the argument of ${form === 'extract' ? 'EXTRACT' : 'DATE_PART'}`);
  let type: SqlType = form === 'date_part' ? DOUBLE : INTEGER;
  if (field === 'epoch' && form === 'extract') type = isTimestamp(x.type) ? DOUBLE : BIGINT;
  // a TIMESTAMPTZ's fields are those of its wall-clock time in the session's zone; its epoch is the instant's
  return fnCall(form, [field === 'epoch' ? x : wallClock(b, x)], type, field);
}

/** A TIMESTAMPTZ as its wall-clock TIMESTAMP in the session's zone when that is not UTC (SET timezone); anything else as it is. */
function wallClock(b: Binding, x: Expr): Expr {
  return x.type.id === 'timestamptz' && b.sessionZone !== null ? fnCall('timezone', [lit(b.sessionZone, VARCHAR), x], TIMESTAMP) : x;
}

/** DATE_TRUNC(unit, x): a TIMESTAMP; of a TIMESTAMPTZ a TIMESTAMPTZ (units of the session's zone: the instant its wall-clock time truncates to). */
function dateTruncOf(b: Binding): Expr {
  const field = b.datePart(0);
  const x0 = b.arg(1);
  if (!TRUNC_UNITS.has(field)) throw b.error('INVALID_VALUE', `unsupported date_trunc unit "${field}"`, b.pos);
  const x = b.asTemporal(x0, b.argPos(1), 'the argument of DATE_TRUNC');
  if (x.type.id === 'date') {
    const d = TIME_UNITS.has(field) ? x : fnCall('date_trunc', [x], DATE, field);
    return b.castTo(d, TIMESTAMP, 'explicit', b.pos);
  }
  if (x.type.id === 'timestamptz' && b.sessionZone !== null) {
    return fnCall('timezone', [lit(b.sessionZone, VARCHAR), fnCall('date_trunc', [wallClock(b, x)], TIMESTAMP, field)], TIMESTAMPTZ);
  }
  return fnCall('date_trunc', [x], x.type.id === 'timestamptz' ? TIMESTAMPTZ : TIMESTAMP, field);
}

const TIME_UNITS = new Set(['hour', 'minute', 'second', 'millisecond', 'microsecond']);

/** Months in each calendar unit DATEADD adds. */
const UNIT_MONTHS: Record<string, number> = { millennium: 12_000, century: 1200, decade: 120, year: 12, quarter: 3, month: 1 };
/** Microseconds in each fixed-length unit DATEADD and DATEDIFF count. */
const UNIT_US: Record<string, number> = {
  week: 7 * DAY_US, day: DAY_US, hour: 3_600_000_000, minute: 60_000_000, second: 1_000_000, millisecond: 1000, microsecond: 1,
};

/**
 * DATEADD(unit, n, x): a TIMESTAMP, as in Redshift (months clamp to the
 * month's end: April 30 + 1 month is May 30); of a TIMESTAMPTZ a TIMESTAMPTZ.
 */
function dateAdd(b: Binding): Expr {
  const unit = b.datePart(0);
  const n = b.int(1, 'the interval count of DATEADD');
  let x = b.temporal(2, 'the date of DATEADD');
  const nPos = b.argPos(1);
  if (x.type.id === 'date') x = b.castTo(x, TIMESTAMP, 'explicit', b.argPos(2));
  const times = (k: number, t: SqlType): Expr => (k === 1 ? b.castTo(n, t, 'implicit', nPos) : call('mul', [b.castTo(n, t, 'implicit', nPos), lit(k, t)], t));
  const months = UNIT_MONTHS[unit];
  const type = x.type.id === 'timestamptz' ? TIMESTAMPTZ : TIMESTAMP;
  if (months !== undefined) return call('addMonths', [x, times(months, INTEGER)], type);
  const us = UNIT_US[unit];
  if (us !== undefined) return call('addMicros', [x, times(us, BIGINT)], type);
  throw b.error('INVALID_VALUE', `unsupported DATEADD unit "${unit}"`, b.pos);
}

/** DATEDIFF(unit, a, b): unit boundaries crossed from a to b, as in Redshift (a BIGINT). */
function dateDiff(b: Binding): Expr {
  const unit = b.datePart(0);
  let x = b.temporal(1, 'the first date of DATEDIFF');
  let y = b.temporal(2, 'the second date of DATEDIFF');
  const pos = b.pos;
  const toBig = (e: Expr) => b.castTo(e, BIGINT, 'implicit', pos);
  const asDate = (e: Expr) => (e.type.id === 'date' ? e : b.castTo(e, DATE, 'explicit', pos));
  const ext = (f: string, e: Expr) => fnCall('extract', [e], INTEGER, f);
  const sub = (l: Expr, r: Expr) => call('sub', [l, r], BIGINT);
  switch (unit) {
    case 'day':
      return toBig(call('dateDiffDays', [asDate(y), asDate(x)], INTEGER));
    case 'week': {
      const wy = fnCall('date_trunc', [asDate(y)], DATE, 'week');
      const wx = fnCall('date_trunc', [asDate(x)], DATE, 'week');
      return call('div', [toBig(call('dateDiffDays', [wy, wx], INTEGER)), lit(7, BIGINT)], BIGINT);
    }
    case 'month': {
      const m = (e: Expr) => call('add', [call('mul', [toBig(ext('year', e)), lit(12, BIGINT)], BIGINT), toBig(ext('month', e))], BIGINT);
      return sub(m(y), m(x));
    }
    case 'quarter': {
      const q = (e: Expr) => call('add', [call('mul', [toBig(ext('year', e)), lit(4, BIGINT)], BIGINT), toBig(ext('quarter', e))], BIGINT);
      return sub(q(y), q(x));
    }
    case 'year':
    case 'decade':
    case 'century':
    case 'millennium':
      return sub(toBig(ext(unit, y)), toBig(ext(unit, x)));
    case 'hour':
    case 'minute':
    case 'second':
    case 'millisecond':
    case 'microsecond':
      if (x.type.id === 'date') x = b.castTo(x, TIMESTAMP, 'explicit', b.argPos(1));
      if (y.type.id === 'date') y = b.castTo(y, TIMESTAMP, 'explicit', b.argPos(2));
      return fnCall('datediff_time', [x, y], BIGINT, String(UNIT_US[unit]!));
    default:
      throw b.error('INVALID_VALUE', `unsupported DATEDIFF unit "${unit}"`, pos);
  }
}

/** CONVERT_TIMEZONE's work: a wall-clock time in one zone as the wall-clock time in another. */
export function convertTimezone(from: TimeZone, to: TimeZone, us: number): number {
  return to.fromUtc(from.toUtc(us));
}

function zoneOf(name: string): TimeZone {
  return TimeZone.of(name) ?? invalid(`unknown time zone "${name}" (use a name of the IANA time-zone database, such as 'America/New_York', or 'UTC')`);
}

/** CONVERT_TIMEZONE with zones known only per row. */
export function convertTimezoneText(from: string, to: string, us: number): number {
  return convertTimezone(zoneOf(from), zoneOf(to), us);
}

/** x AT TIME ZONE z with zones known only per row: a TIMESTAMP's wall time in z as an instant. */
export function wallToUtcText(zone: string, us: number): number {
  return zoneOf(zone).toUtc(us);
}

/** x AT TIME ZONE z with zones known only per row: a TIMESTAMPTZ's wall time in z. */
export function utcToWallText(zone: string, us: number): number {
  return zoneOf(zone).fromUtc(us);
}

/** A time-zone argument: checked when the query is bound if it is a constant. */
function zoneArg(b: Binding, i: number): Expr {
  const z = b.fold(b.str(i));
  if (z.k === 'lit' && typeof z.value === 'string' && TimeZone.of(z.value) === null) {
    throw b.error('INVALID_VALUE', `unknown time zone "${z.value}" (use a name of the IANA time-zone database, such as 'America/New_York', or 'UTC')`, b.argPos(i));
  }
  return z;
}

/** Text as a TIMESTAMPTZ read in `zone` when it has no offset; INVALID_VALUE when it is no timestamp. */
function textToTimestampTz(s: string, zone: WallClock): number {
  const v = parseTimestampTz(s.trim(), zone);
  if (Number.isNaN(v)) invalid(`invalid input syntax for type timestamp with time zone: "${s}"`);
  return v;
}

let clock: number | null = null;

/**
 * The statement's clock, read when the call is bound, so every row sees the
 * same value. A statement is bound in one synchronous pass; the reading is
 * kept until that pass ends (the next microtask), so SYSDATE, GETDATE and
 * CURRENT_DATE of one statement agree even when the millisecond turns
 * between their calls.
 */
function now(): number {
  if (clock === null) {
    clock = Date.now() * 1000;
    queueMicrotask(() => {
      clock = null;
    });
  }
  return clock;
}

export const DATE_FUNCTIONS: Family = {
  name: 'dates',
  functions: [
    {
      names: ['date_part', 'datepart'],
      syntax: ["DATE_PART('part', x)"],
      returns: 'DOUBLE PRECISION',
      doc: 'a part of a date or timestamp (parts below); the seconds parts hold the whole seconds with their fraction (second 3.189717, millisecond 3189.717), as in Redshift',
      bind(b) {
        b.argc(2);
        return datePart(b, b.datePart(0), 1, 'date_part');
      },
      nulls: 'strict',
      compile: (c) =>
        isTimestamp(c.call.args[0]!.type)
          ? `${c.target} = ${c.constant(datePartTimestamp)}(${JSON.stringify(c.call.param)}, ${c.args[0]});`
          : `${c.target} = ${c.constant(dateField(String(c.call.param)))}(${c.args[0]});`,
    },
    {
      names: ['extract'],
      operator: true,
      syntax: ['EXTRACT(part FROM x)'],
      returns: 'INTEGER; epoch a BIGINT of a date, a DOUBLE PRECISION of a timestamp',
      doc: 'a part of a date or timestamp as an integer, ignoring larger and smaller parts (second 3, millisecond 189, microsecond 717 of 03.189717), as in Redshift',
      bind(b) {
        b.argc(2);
        return datePart(b, b.datePart(0), 1, 'extract');
      },
      nulls: 'strict',
      compile: (c) =>
        isTimestamp(c.call.args[0]!.type)
          ? `${c.target} = ${c.constant(extractTimestamp)}(${JSON.stringify(c.call.param)}, ${c.args[0]});`
          : `${c.target} = ${c.constant(dateField(String(c.call.param)))}(${c.args[0]});`,
    },
    {
      names: ['date_trunc'],
      syntax: ["DATE_TRUNC('unit', x)"],
      returns: 'TIMESTAMP; of a TIMESTAMPTZ a TIMESTAMPTZ',
      doc: 'x truncated to the start of its unit (units below)',
      bind(b) {
        b.argc(2);
        return dateTruncOf(b);
      },
      nulls: 'strict',
      compile: (c) =>
        isTimestamp(c.call.args[0]!.type)
          ? `${c.target} = ${c.constant(dateTruncTs)}(${JSON.stringify(c.call.param)}, ${c.args[0]});`
          : `${c.target} = ${c.constant(dateTrunc)}(${JSON.stringify(c.call.param)}, ${c.args[0]});`,
    },
    {
      names: ['dateadd', 'date_add'],
      syntax: ['DATEADD(unit, n, x)'],
      returns: 'TIMESTAMP; of a TIMESTAMPTZ a TIMESTAMPTZ',
      doc: 'x plus n units (months clamp to the month\'s end)',
      nulls: 'strict',
      bind(b) {
        b.argc(3);
        return dateAdd(b);
      },
    },
    {
      names: ['datediff', 'date_diff'],
      syntax: ['DATEDIFF(unit, a, b)'],
      returns: 'BIGINT',
      doc: 'the unit boundaries crossed from a to b, as in Redshift',
      nulls: 'strict',
      bind(b) {
        b.argc(3);
        return dateDiff(b);
      },
    },
    {
      names: ['last_day'],
      syntax: ['LAST_DAY(x)'],
      returns: 'DATE',
      doc: 'the last day of x\'s month',
      nulls: 'strict',
      bind(b) {
        b.argc(1);
        let x = b.temporal(0, 'the date of LAST_DAY');
        if (isTimestamp(x.type)) x = b.castTo(x, DATE, 'explicit', b.argPos(0));
        const first = fnCall('date_trunc', [x], DATE, 'month');
        return call('addDays', [call('addMonths', [first, lit(1, INTEGER)], DATE), lit(-1, INTEGER)], DATE);
      },
    },
    {
      names: ['add_months'],
      syntax: ['ADD_MONTHS(x, n)'],
      returns: 'TIMESTAMP',
      doc: 'x plus n months, clamped to the month\'s end; the last day of a month gives the last day of the result month (April 30 + 1 is May 31), as in Redshift',
      bind(b) {
        b.argc(2);
        let x = b.temporal(0, 'the date of ADD_MONTHS');
        if (x.type.id === 'date') x = b.castTo(x, TIMESTAMP, 'explicit', b.argPos(0));
        return fnCall('add_months', [x, b.castTo(b.int(1), INTEGER, 'explicit', b.argPos(1))], TIMESTAMP);
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(addMonthsEom)}(${c.args[0]}, ${c.args[1]}); ${c.rangeCheck(TIMESTAMP, c.target)}`,
    },
    {
      names: ['months_between'],
      syntax: ['MONTHS_BETWEEN(a, b)'],
      returns: 'DOUBLE PRECISION',
      doc: 'the months from b to a: whole when both fall on the same day of the month or both on a month\'s last day, else with the difference of days (and times) over a 31-day month, as in Redshift',
      bind(b) {
        b.argc(2);
        const ts = (i: number) => {
          const x = b.temporal(i, 'the dates of MONTHS_BETWEEN');
          return x.type.id === 'date' ? b.castTo(x, TIMESTAMP, 'explicit', b.argPos(i)) : x;
        };
        return fnCall('months_between', [ts(0), ts(1)], DOUBLE);
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(monthsBetween)}(${c.args[0]}, ${c.args[1]});`,
    },
    {
      names: ['convert_timezone'],
      syntax: ["CONVERT_TIMEZONE(['source_zone',] 'target_zone', timestamp)"],
      returns: 'TIMESTAMP',
      doc: "the wall-clock time in target_zone of a timestamp read as a wall-clock time in source_zone (UTC when omitted); a TIMESTAMPTZ is read as its UTC time (so with two arguments it is the instant's wall-clock time in target_zone); zones are names of the IANA time-zone database ('America/New_York') from the platform's data; an unknown zone is INVALID_VALUE",
      nulls: 'strict',
      bind(b) {
        b.argc(2, 3);
        const three = b.count === 3;
        const from = three ? zoneArg(b, 0) : lit('UTC', VARCHAR);
        const to = zoneArg(b, three ? 1 : 0);
        const i = three ? 2 : 1;
        let ts = b.temporal(i, 'the timestamp of CONVERT_TIMEZONE');
        if (ts.type.id === 'date') ts = b.castTo(ts, TIMESTAMP, 'explicit', b.argPos(i));
        return fnCall('convert_timezone', [from, to, ts], TIMESTAMP);
      },
      compile(c) {
        const [from, to] = c.call.args;
        if (from!.k === 'lit' && to!.k === 'lit') {
          return `${c.target} = ${c.constant(convertTimezone)}(${c.constant(TimeZone.of(from!.value as string))}, ${c.constant(TimeZone.of(to!.value as string))}, ${c.args[2]}); ${c.rangeCheck(TIMESTAMP, c.target)}`;
        }
        return `${c.target} = ${c.constant(convertTimezoneText)}(${c.args[0]}, ${c.args[1]}, ${c.args[2]}); ${c.rangeCheck(TIMESTAMP, c.target)}`;
      },
    },
    {
      names: ['timezone'],
      syntax: ["x AT TIME ZONE 'zone'", "TIMEZONE('zone', x)"],
      returns: 'TIMESTAMPTZ of a TIMESTAMP or DATE; TIMESTAMP of a TIMESTAMPTZ',
      doc: "a TIMESTAMP (a DATE at midnight) read as a wall-clock time in zone gives that instant; a TIMESTAMPTZ gives its wall-clock time in zone. A wall time that a transition skips takes the offset before it, one that occurs twice the offset after it, as PostgreSQL and DuckDB; zones as CONVERT_TIMEZONE's",
      nulls: 'strict',
      bind(b) {
        b.argc(2);
        const zone = zoneArg(b, 0);
        let x = b.temporal(1, 'the timestamp of AT TIME ZONE');
        if (x.type.id === 'date') x = b.castTo(x, TIMESTAMP, 'explicit', b.argPos(1));
        return fnCall('timezone', [zone, x], x.type.id === 'timestamptz' ? TIMESTAMP : TIMESTAMPTZ);
      },
      compile(c) {
        const zone = c.call.args[0]!;
        const toUtc = c.call.type.id === 'timestamptz';
        const value =
          zone.k === 'lit'
            ? `${c.constant(TimeZone.of(zone.value as string))}.${toUtc ? 'toUtc' : 'fromUtc'}(${c.args[1]})`
            : `${c.constant(toUtc ? wallToUtcText : utcToWallText)}(${c.args[0]}, ${c.args[1]})`;
        return `${c.target} = ${value}; ${c.rangeCheck(c.call.type, c.target)}`;
      },
    },
    {
      names: ['getdate'],
      syntax: ['GETDATE()'],
      returns: 'TIMESTAMP',
      doc: 'the time the statement started, in whole seconds (UTC)',
      nulls: 'strict',
      bind(b) {
        b.argc(0);
        return lit(Math.floor(now() / 1_000_000) * 1_000_000, TIMESTAMP);
      },
    },
    {
      names: ['sysdate', 'localtimestamp'],
      syntax: ['SYSDATE', 'LOCALTIMESTAMP'],
      returns: 'TIMESTAMP',
      doc: 'the time the statement started, to the microsecond (UTC; a statement is its own transaction)',
      nulls: 'strict',
      bind(b) {
        b.argc(0);
        return lit(now(), TIMESTAMP);
      },
    },
    {
      names: ['current_timestamp', 'now'],
      syntax: ['CURRENT_TIMESTAMP', 'NOW()'],
      returns: 'TIMESTAMPTZ',
      doc: 'the instant the statement started, to the microsecond, as in Redshift (SYSDATE\'s value)',
      nulls: 'strict',
      bind(b) {
        b.argc(0);
        return lit(now(), TIMESTAMPTZ);
      },
    },
    {
      names: ['current_date'],
      syntax: ['CURRENT_DATE'],
      returns: 'DATE',
      doc: 'the date the statement started (UTC)',
      nulls: 'strict',
      bind(b) {
        b.argc(0);
        return lit(Math.floor(now() / DAY_US), DATE);
      },
    },
  ],
  internal: {
    /** A TIMESTAMPTZ as text in the session's zone (param), with that zone's offset: a cast to text under SET timezone. */
    timestamptz_text: {
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(formatTimestampTz)}(${c.args[0]}, ${c.constant(TimeZone.of(c.call.param!)!)});`,
    },
    /** Text as a TIMESTAMPTZ, a wall-clock time in the session's zone (param) when it has no offset: a cast from text under SET timezone. */
    text_timestamptz: {
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(textToTimestampTz)}(${c.args[0]}, ${c.constant(TimeZone.of(c.call.param!)!)}); ${c.rangeCheck(TIMESTAMPTZ, c.target)}`,
    },
    /** DATEDIFF in a unit of time: the unit's boundaries (param: its microseconds) crossed from a to b. */
    datediff_time: {
      nulls: 'strict',
      compile: (c) => `${c.target} = Math.floor(${c.args[1]} / ${c.call.param}) - Math.floor(${c.args[0]} / ${c.call.param});`,
    },
  },
};
