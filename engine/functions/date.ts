/**
 * Date and time functions, with Redshift's semantics: DATEADD and ADD_MONTHS
 * return a TIMESTAMP; DATEDIFF counts the unit boundaries crossed; weeks
 * start on Monday. A DATE is days since 1970-01-01, a TIMESTAMP microseconds;
 * the calendar is the proleptic Gregorian one of JavaScript's Date in UTC.
 */
import { DAY_US, type SqlType } from '../types.js';
import { invalid } from '../exec/runtime.js';
import { call, fnCall, type Expr } from '../plan/expr.js';
import { BIGINT, DATE, DOUBLE, INTEGER, TIMESTAMP, lit } from '../plan/coerce.js';
import type { Binding, Family } from './types.js';

const DATE_FIELDS = new Set(['year', 'month', 'day', 'quarter', 'dow', 'isodow', 'doy', 'week', 'epoch', 'hour', 'minute', 'second']);
const TRUNC_UNITS = new Set(['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second']);
const FIELD_ALIASES: Record<string, string> = {
  years: 'year', y: 'year', yr: 'year', yrs: 'year', yy: 'year', yyyy: 'year',
  months: 'month', mon: 'month', mons: 'month', mm: 'month',
  days: 'day', d: 'day', dd: 'day',
  weeks: 'week', w: 'week', wk: 'week',
  quarters: 'quarter', qtr: 'quarter', q: 'quarter',
  hours: 'hour', h: 'hour', hh: 'hour', hr: 'hour', hrs: 'hour',
  minutes: 'minute', m: 'minute', mi: 'minute', min: 'minute', mins: 'minute',
  seconds: 'second', s: 'second', sec: 'second', secs: 'second', ss: 'second',
  dayofweek: 'dow', weekday: 'dow', dw: 'dow', dayofyear: 'doy', dy: 'doy',
};

/** A date part as written ('MONTHS', 'mon') by its canonical name ('month'). */
export function normalizeField(f: string): string {
  const l = f.toLowerCase();
  return FIELD_ALIASES[l] ?? l;
}

// ---------------------------------------------------------------- helpers the compiled code calls

/** EXTRACT(field FROM date) where the date is days since epoch. */
export function extractDate(field: string, days: number): number {
  const d = new Date(days * 86_400_000);
  switch (field) {
    case 'year':
      return d.getUTCFullYear();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'day':
      return d.getUTCDate();
    case 'quarter':
      return Math.floor(d.getUTCMonth() / 3) + 1;
    case 'dow':
      return d.getUTCDay();
    case 'isodow':
      return d.getUTCDay() || 7;
    case 'doy': {
      const start = Date.UTC(d.getUTCFullYear(), 0, 1);
      return Math.round((d.getTime() - start) / 86_400_000) + 1;
    }
    case 'week':
      return isoWeek(d);
    case 'epoch':
      return days * 86400;
    case 'hour':
    case 'minute':
    case 'second':
      return 0;
    default:
      return invalid(`unknown date field ${field}`);
  }
}

export function extractTimestamp(field: string, us: number): number {
  const days = Math.floor(us / DAY_US);
  const rest = us - days * DAY_US;
  switch (field) {
    case 'hour':
      return Math.floor(rest / 3_600_000_000);
    case 'minute':
      return Math.floor(rest / 60_000_000) % 60;
    case 'second':
      return (rest % 60_000_000) / 1_000_000;
    case 'epoch':
      return us / 1_000_000;
    default:
      return extractDate(field, days);
  }
}

function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

/** DATE_TRUNC of a date (days). */
export function dateTrunc(field: string, days: number): number {
  const d = new Date(days * 86_400_000);
  switch (field) {
    case 'year':
      return Date.UTC(d.getUTCFullYear(), 0, 1) / 86_400_000;
    case 'quarter':
      return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1) / 86_400_000;
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 86_400_000;
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
    default:
      return dateTrunc(field, Math.floor(us / DAY_US)) * DAY_US;
  }
}

// ---------------------------------------------------------------- binding rules

/** DATE_PART(field, x) / EXTRACT(field FROM x): INTEGER; epoch a BIGINT (DOUBLE for a timestamp), a timestamp's second a DOUBLE. */
function datePart(b: Binding, field: string, i: number): Expr {
  const x0 = b.arg(i);
  if (!DATE_FIELDS.has(field)) {
    throw b.error('INVALID_VALUE', `unsupported date field "${field}" (use year, quarter, month, week, day, dow, doy, hour, minute, second or epoch)`, b.pos);
  }
  const x = b.asTemporal(x0, b.argPos(i), 'the argument of EXTRACT');
  let type: SqlType = INTEGER;
  if (field === 'epoch') type = x.type.id === 'timestamp' ? DOUBLE : BIGINT;
  else if (field === 'second' && x.type.id === 'timestamp') type = DOUBLE;
  return fnCall('date_part', [x], type, field);
}

/** DATE_TRUNC(unit, x): a TIMESTAMP. */
function dateTruncOf(b: Binding): Expr {
  const field = b.datePart(0);
  const x0 = b.arg(1);
  if (!TRUNC_UNITS.has(field)) throw b.error('INVALID_VALUE', `unsupported date_trunc unit "${field}"`, b.pos);
  const x = b.asTemporal(x0, b.argPos(1), 'the argument of DATE_TRUNC');
  if (x.type.id === 'date') {
    const d = field === 'hour' || field === 'minute' || field === 'second' ? x : fnCall('date_trunc', [x], DATE, field);
    return b.castTo(d, TIMESTAMP, 'explicit', b.pos);
  }
  return fnCall('date_trunc', [x], TIMESTAMP, field);
}

/** DATEADD(unit, n, x): a TIMESTAMP, as in Redshift. */
function dateAdd(b: Binding): Expr {
  const unit = b.datePart(0);
  const n = b.int(1, 'the interval count of DATEADD');
  let x = b.temporal(2, 'the date of DATEADD');
  const nPos = b.argPos(1);
  if (x.type.id === 'date') x = b.castTo(x, TIMESTAMP, 'explicit', b.argPos(2));
  const times = (k: number, t: SqlType): Expr => (k === 1 ? b.castTo(n, t, 'implicit', nPos) : call('mul', [b.castTo(n, t, 'implicit', nPos), lit(k, t)], t));
  switch (unit) {
    case 'year':
      return call('addMonths', [x, times(12, INTEGER)], TIMESTAMP);
    case 'quarter':
      return call('addMonths', [x, times(3, INTEGER)], TIMESTAMP);
    case 'month':
      return call('addMonths', [x, times(1, INTEGER)], TIMESTAMP);
    case 'week':
      return call('addMicros', [x, times(7 * DAY_US, BIGINT)], TIMESTAMP);
    case 'day':
      return call('addMicros', [x, times(DAY_US, BIGINT)], TIMESTAMP);
    case 'hour':
      return call('addMicros', [x, times(3_600_000_000, BIGINT)], TIMESTAMP);
    case 'minute':
      return call('addMicros', [x, times(60_000_000, BIGINT)], TIMESTAMP);
    case 'second':
      return call('addMicros', [x, times(1_000_000, BIGINT)], TIMESTAMP);
    default:
      throw b.error('INVALID_VALUE', `unsupported DATEADD unit "${unit}"`, b.pos);
  }
}

/** DATEDIFF(unit, a, b): unit boundaries crossed from a to b, as in Redshift (a BIGINT). */
function dateDiff(b: Binding): Expr {
  const unit = b.datePart(0);
  let x = b.temporal(1, 'the first date of DATEDIFF');
  let y = b.temporal(2, 'the second date of DATEDIFF');
  const pos = b.pos;
  const toBig = (e: Expr) => b.castTo(e, BIGINT, 'implicit', pos);
  const asDate = (e: Expr) => (e.type.id === 'date' ? e : b.castTo(e, DATE, 'explicit', pos));
  const ext = (f: string, e: Expr) => fnCall('date_part', [e], INTEGER, f);
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
      return sub(toBig(ext('year', y)), toBig(ext('year', x)));
    case 'hour':
    case 'minute':
    case 'second': {
      const unitUs = unit === 'hour' ? 3_600_000_000 : unit === 'minute' ? 60_000_000 : 1_000_000;
      if (x.type.id === 'date') x = b.castTo(x, TIMESTAMP, 'explicit', b.argPos(1));
      if (y.type.id === 'date') y = b.castTo(y, TIMESTAMP, 'explicit', b.argPos(2));
      const f = (e: Expr) => fnCall('floor', [call('div', [b.castTo(e, DOUBLE, 'explicit', pos), lit(unitUs, DOUBLE)], DOUBLE)], DOUBLE);
      return b.castTo(call('sub', [f(y), f(x)], DOUBLE), BIGINT, 'explicit', pos);
    }
    default:
      throw b.error('INVALID_VALUE', `unsupported DATEDIFF unit "${unit}"`, pos);
  }
}

/** The statement's clock, read when the call is bound: every row sees the same value. */
function now(): number {
  return Date.now() * 1000;
}

export const DATE_FUNCTIONS: Family = {
  name: 'dates',
  functions: [
    {
      names: ['date_part', 'datepart'],
      syntax: ["DATE_PART('field', x)", 'EXTRACT(field FROM x)'],
      returns: 'INTEGER; a timestamp\'s second and epoch DOUBLE PRECISION, a date\'s epoch BIGINT',
      doc: 'a field of a date or timestamp (fields below)',
      bind(b) {
        b.argc(2);
        return datePart(b, b.datePart(0), 1);
      },
      nulls: 'strict',
      compile: (c) =>
        c.call.args[0]!.type.id === 'timestamp'
          ? `${c.target} = ${c.constant(extractTimestamp)}(${JSON.stringify(c.call.param)}, ${c.args[0]});`
          : `${c.target} = ${c.constant(extractDate)}(${JSON.stringify(c.call.param)}, ${c.args[0]});`,
    },
    {
      names: ['date_trunc'],
      syntax: ["DATE_TRUNC('unit', x)"],
      returns: 'TIMESTAMP',
      doc: 'x truncated to the start of its unit (units below)',
      bind(b) {
        b.argc(2);
        return dateTruncOf(b);
      },
      nulls: 'strict',
      compile: (c) =>
        c.call.args[0]!.type.id === 'timestamp'
          ? `${c.target} = ${c.constant(dateTruncTs)}(${JSON.stringify(c.call.param)}, ${c.args[0]});`
          : `${c.target} = ${c.constant(dateTrunc)}(${JSON.stringify(c.call.param)}, ${c.args[0]});`,
    },
    {
      names: ['dateadd', 'date_add'],
      syntax: ['DATEADD(unit, n, x)'],
      returns: 'TIMESTAMP',
      doc: 'x plus n units (months clamp to the month\'s end)',
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
      bind(b) {
        b.argc(1);
        let x = b.temporal(0, 'the date of LAST_DAY');
        if (x.type.id === 'timestamp') x = b.castTo(x, DATE, 'explicit', b.argPos(0));
        const first = fnCall('date_trunc', [x], DATE, 'month');
        return call('addDays', [call('addMonths', [first, lit(1, INTEGER)], DATE), lit(-1, INTEGER)], DATE);
      },
    },
    {
      names: ['add_months'],
      syntax: ['ADD_MONTHS(x, n)'],
      returns: 'TIMESTAMP',
      doc: 'x plus n months, clamped to the month\'s end',
      bind(b) {
        b.argc(2);
        let x = b.temporal(0, 'the date of ADD_MONTHS');
        if (x.type.id === 'date') x = b.castTo(x, TIMESTAMP, 'explicit', b.argPos(0));
        return call('addMonths', [x, b.castTo(b.int(1), INTEGER, 'explicit', b.argPos(1))], TIMESTAMP);
      },
    },
    {
      names: ['getdate', 'now', 'sysdate', 'current_timestamp', 'localtimestamp'],
      syntax: ['GETDATE()', 'SYSDATE', 'NOW()', 'CURRENT_TIMESTAMP'],
      returns: 'TIMESTAMP',
      doc: 'the time the statement started (UTC)',
      bind(b) {
        b.argc(0);
        return lit(now(), TIMESTAMP);
      },
    },
    {
      names: ['current_date'],
      syntax: ['CURRENT_DATE'],
      returns: 'DATE',
      doc: 'the date the statement started (UTC)',
      bind(b) {
        b.argc(0);
        return lit(Math.floor(now() / DAY_US), DATE);
      },
    },
  ],
};
