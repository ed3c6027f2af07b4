/**
 * Datetime format strings (Redshift's, which are PostgreSQL's): parsed once
 * into parts, then used to print a date or timestamp (TO_CHAR) or to read one
 * (TO_DATE, TO_TIMESTAMP).
 *
 * Patterns are matched without regard to case, except that names print in
 * the case they are written in (MONTH, Month, month). FM before a pattern
 * drops its padding; TH or th after a number adds its ordinal suffix. Text in
 * double quotes is copied; so is any character that is not a letter. A run of
 * letters that is no pattern is an error (PostgreSQL would copy it): text
 * meant literally belongs in double quotes.
 */
import { DAY_US } from '../types.js';

/** A pattern, by what it prints. */
type Field =
  | 'YYYY' | 'YYY' | 'YY' | 'Y' | 'Y,YYY' | 'IYYY' | 'IYY' | 'IY' | 'I' | 'CC' | 'Q'
  | 'MM' | 'MONTH' | 'MON' | 'RM' | 'WW' | 'W' | 'IW'
  | 'DAY' | 'DY' | 'DDD' | 'IDDD' | 'DD' | 'D' | 'ID' | 'J'
  | 'HH24' | 'HH12' | 'HH' | 'MI' | 'SSSS' | 'SS' | 'MS' | 'US'
  | 'AM' | 'PM' | 'A.M.' | 'P.M.' | 'AD' | 'BC' | 'A.D.' | 'B.C.';

/** One piece of a format: a pattern (with its modifiers and the case it is written in) or literal text. */
export type FormatPart =
  | { readonly kind: 'field'; readonly field: Field; readonly fill: boolean; readonly ordinal: 'TH' | 'th' | null; readonly letterCase: 'upper' | 'capital' | 'lower' }
  | { readonly kind: 'text'; readonly text: string };

/** Longest first, so that HH24 wins over HH and YYYY over YY. */
const FIELDS: readonly Field[] = [
  'Y,YYY', 'YYYY', 'IYYY', 'HH24', 'HH12', 'IDDD', 'SSSS', 'A.M.', 'P.M.', 'A.D.', 'B.C.', 'MONTH',
  'YYY', 'IYY', 'MON', 'DAY', 'DDD',
  'YY', 'IY', 'CC', 'MM', 'RM', 'WW', 'IW', 'DY', 'DD', 'ID', 'HH', 'MI', 'SS', 'MS', 'US', 'AM', 'PM', 'AD', 'BC',
  'Y', 'I', 'Q', 'W', 'D', 'J',
];

/** Patterns of Redshift that keel does not print, with why. */
const REFUSED: Readonly<Record<string, string>> = {
  TZH: 'a time zone (keel has no TIMESTAMPTZ)',
  TZM: 'a time zone (keel has no TIMESTAMPTZ)',
  TZ: 'a time zone (keel has no TIMESTAMPTZ)',
  OF: 'a time zone offset (keel has no TIMESTAMPTZ)',
  FF: 'fractional seconds beyond microseconds (use MS or US)',
};

export class FormatError extends Error {
  constructor(
    message: string,
    /** Offset of the offending text in the format string. */
    readonly at: number,
    /** UNSUPPORTED for a pattern Redshift has and keel does not print; INVALID_VALUE for a malformed format. */
    readonly code: 'UNSUPPORTED' | 'INVALID_VALUE' = 'INVALID_VALUE',
  ) {
    super(message);
  }
}

function caseOf(written: string): 'upper' | 'capital' | 'lower' {
  const a = written[0]!;
  const b = written.length > 1 ? written[1]! : a;
  if (a === a.toLowerCase()) return 'lower';
  return b === b.toLowerCase() && b !== b.toUpperCase() ? 'capital' : 'upper';
}

/** Parses a datetime format string; a FormatError names what is wrong and where. */
export function parseDatetimeFormat(format: string): FormatPart[] {
  const parts: FormatPart[] = [];
  let i = 0;
  const text = (t: string) => {
    const last = parts[parts.length - 1];
    if (last && last.kind === 'text') parts[parts.length - 1] = { kind: 'text', text: last.text + t };
    else parts.push({ kind: 'text', text: t });
  };
  while (i < format.length) {
    const ch = format[i]!;
    if (ch === '"') {
      let j = i + 1;
      let t = '';
      while (j < format.length && format[j] !== '"') {
        if (format[j] === '\\' && j + 1 < format.length) j++;
        t += format[j++];
      }
      if (j >= format.length) throw new FormatError('unterminated quoted text in the format', i);
      text(t);
      i = j + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(ch)) {
      text(ch);
      i++;
      continue;
    }
    const start = i;
    let fill = false;
    if (format.slice(i, i + 2).toUpperCase() === 'FM') {
      fill = true;
      i += 2;
    }
    const rest = format.slice(i).toUpperCase();
    const field = FIELDS.find((f) => rest.startsWith(f));
    if (!field) {
      const word = /^[A-Za-z]+/.exec(format.slice(i))?.[0] ?? format[i]!;
      const refused = Object.keys(REFUSED).find((r) => word.toUpperCase().startsWith(r));
      if (refused) throw new FormatError(`the format pattern ${refused} is not supported: ${REFUSED[refused]}`, i, 'UNSUPPORTED');
      if (fill && i >= format.length) throw new FormatError('FM must come before a pattern', start);
      throw new FormatError(`"${word}" is not a datetime format pattern (write literal text in double quotes)`, i);
    }
    const written = format.slice(i, i + field.length);
    i += field.length;
    let ordinal: 'TH' | 'th' | null = null;
    const th = format.slice(i, i + 2);
    if (th === 'TH' || th === 'th') {
      ordinal = th;
      i += 2;
    }
    parts.push({ kind: 'field', field, fill, ordinal, letterCase: caseOf(written) });
  }
  return parts;
}

// ---------------------------------------------------------------- printing

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];

/** The broken-down parts of a timestamp (microseconds since 1970-01-01, UTC). */
interface Moment {
  year: number;
  month: number; // 1-12
  day: number;
  dow: number; // 0 = Sunday
  doy: number;
  days: number;
  us: number; // within the day
}

function moment(ts: number): Moment {
  const days = Math.floor(ts / DAY_US);
  const d = new Date(days * 86_400_000);
  const year = d.getUTCFullYear();
  const jan1 = new Date(0);
  jan1.setUTCFullYear(year, 0, 1);
  return {
    year,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    dow: d.getUTCDay(),
    doy: days - Math.round(jan1.getTime() / 86_400_000) + 1,
    days,
    us: ts - days * DAY_US,
  };
}

/** The ISO 8601 week-numbering year, week and day of year of a date. */
function isoParts(m: Moment): { year: number; week: number; dayOfYear: number } {
  const isoDow = m.dow || 7;
  const thursday = m.days + 4 - isoDow;
  const t = new Date(thursday * 86_400_000);
  const year = t.getUTCFullYear();
  const jan1 = new Date(0);
  jan1.setUTCFullYear(year, 0, 1);
  const jan1Days = Math.round(jan1.getTime() / 86_400_000);
  const week = Math.floor((thursday - jan1Days) / 7) + 1;
  // day 1 is the Monday of week 1
  const jan1Dow = new Date(jan1Days * 86_400_000).getUTCDay() || 7;
  const week1Monday = jan1Days - (jan1Dow - 1) + (jan1Dow > 4 ? 7 : 0);
  return { year, week, dayOfYear: m.days - week1Monday + 1 };
}

function ordinalSuffix(n: number, upper: boolean): string {
  const t = Math.abs(n) % 100;
  const s = t >= 11 && t <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][Math.abs(n) % 10] ?? 'th');
  return upper ? s.toUpperCase() : s;
}

function inCase(s: string, c: 'upper' | 'capital' | 'lower'): string {
  return c === 'upper' ? s.toUpperCase() : c === 'lower' ? s.toLowerCase() : s;
}

/** A number zero-padded to width digits (the sign in front), unless FM. */
function num(n: number, width: number, fill: boolean): string {
  if (fill) return String(n);
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

/** A timestamp (microseconds) printed by a parsed format. */
export function formatDatetime(parts: readonly FormatPart[], ts: number): string {
  const m = moment(ts);
  let out = '';
  for (const p of parts) {
    if (p.kind === 'text') {
      out += p.text;
      continue;
    }
    const hour = Math.floor(m.us / 3_600_000_000);
    const yearAbs = Math.abs(m.year);
    let value: number | null = null;
    let s: string;
    switch (p.field) {
      case 'YYYY':
        s = num((value = m.year), 4, p.fill);
        break;
      case 'YYY':
        s = num((value = yearAbs % 1000), 3, p.fill);
        break;
      case 'YY':
        s = num((value = yearAbs % 100), 2, p.fill);
        break;
      case 'Y':
        s = num((value = yearAbs % 10), 1, p.fill);
        break;
      case 'Y,YYY':
        s = `${Math.floor(yearAbs / 1000)},${String(yearAbs % 1000).padStart(3, '0')}`;
        break;
      case 'IYYY':
        s = num((value = isoParts(m).year), 4, p.fill);
        break;
      case 'IYY':
        s = num((value = Math.abs(isoParts(m).year) % 1000), 3, p.fill);
        break;
      case 'IY':
        s = num((value = Math.abs(isoParts(m).year) % 100), 2, p.fill);
        break;
      case 'I':
        s = num((value = Math.abs(isoParts(m).year) % 10), 1, p.fill);
        break;
      case 'CC':
        s = num((value = m.year > 0 ? Math.floor((m.year + 99) / 100) : -Math.floor((99 - (m.year - 1)) / 100)), 2, p.fill);
        break;
      case 'Q':
        s = String((value = Math.floor((m.month - 1) / 3) + 1));
        break;
      case 'MM':
        s = num((value = m.month), 2, p.fill);
        break;
      case 'MONTH': {
        const name = inCase(MONTHS[m.month - 1]!, p.letterCase);
        s = p.fill ? name : name.padEnd(9);
        break;
      }
      case 'MON':
        s = inCase(MONTHS[m.month - 1]!.slice(0, 3), p.letterCase);
        break;
      case 'RM': {
        const r = ROMAN[m.month - 1]!;
        const cased = p.letterCase === 'lower' ? r.toLowerCase() : r;
        s = p.fill ? cased : cased.padEnd(4);
        break;
      }
      case 'WW':
        s = num((value = Math.floor((m.doy - 1) / 7) + 1), 2, p.fill);
        break;
      case 'W':
        s = String((value = Math.floor((m.day - 1) / 7) + 1));
        break;
      case 'IW':
        s = num((value = isoParts(m).week), 2, p.fill);
        break;
      case 'DAY': {
        const name = inCase(DAYS[m.dow]!, p.letterCase);
        s = p.fill ? name : name.padEnd(9);
        break;
      }
      case 'DY':
        s = inCase(DAYS[m.dow]!.slice(0, 3), p.letterCase);
        break;
      case 'DDD':
        s = num((value = m.doy), 3, p.fill);
        break;
      case 'IDDD':
        s = num((value = isoParts(m).dayOfYear), 3, p.fill);
        break;
      case 'DD':
        s = num((value = m.day), 2, p.fill);
        break;
      case 'D':
        s = String((value = m.dow + 1));
        break;
      case 'ID':
        s = String((value = m.dow || 7));
        break;
      case 'J':
        // the Julian day number: days since November 24, 4714 BC (proleptic Gregorian)
        s = String((value = m.days + 2_440_588));
        break;
      case 'HH24':
        s = num((value = hour), 2, p.fill);
        break;
      case 'HH12':
      case 'HH':
        s = num((value = hour % 12 === 0 ? 12 : hour % 12), 2, p.fill);
        break;
      case 'MI':
        s = num((value = Math.floor(m.us / 60_000_000) % 60), 2, p.fill);
        break;
      case 'SS':
        s = num((value = Math.floor(m.us / 1_000_000) % 60), 2, p.fill);
        break;
      case 'SSSS':
        s = String((value = Math.floor(m.us / 1_000_000)));
        break;
      case 'MS':
        s = num((value = Math.floor(m.us / 1000) % 1000), 3, p.fill);
        break;
      case 'US':
        s = num((value = m.us % 1_000_000), 6, p.fill);
        break;
      case 'AM':
      case 'PM':
        s = inCase(hour < 12 ? 'AM' : 'PM', p.letterCase);
        break;
      case 'A.M.':
      case 'P.M.':
        s = inCase(hour < 12 ? 'A.M.' : 'P.M.', p.letterCase);
        break;
      case 'AD':
      case 'BC':
        s = inCase(m.year > 0 ? 'AD' : 'BC', p.letterCase);
        break;
      case 'A.D.':
      case 'B.C.':
        s = inCase(m.year > 0 ? 'A.D.' : 'B.C.', p.letterCase);
        break;
    }
    out += s;
    if (p.ordinal && value !== null) out += ordinalSuffix(value, p.ordinal === 'TH');
  }
  return out;
}

// ---------------------------------------------------------------- reading

export class ReadError extends Error {}

/** How many digits a numeric pattern reads at most. */
const WIDTH: Partial<Record<Field, number>> = {
  YYYY: 4, YYY: 3, YY: 2, Y: 1, IYYY: 4, IYY: 3, IY: 2, I: 1, CC: 2, Q: 1, MM: 2, WW: 2, W: 1, IW: 2,
  DDD: 3, IDDD: 3, DD: 2, D: 1, ID: 1, J: 8, HH24: 2, HH12: 2, HH: 2, MI: 2, SS: 2, SSSS: 5, MS: 3, US: 6,
};

/**
 * A date and time read from text by a parsed format (PostgreSQL's TO_DATE
 * and TO_TIMESTAMP rules, leniently): numbers take up to their pattern's
 * digits (fewer when a non-digit follows), names are matched without regard
 * to case, and a separator in the format skips any one non-alphanumeric
 * character of the text (blanks are skipped freely). Out-of-range values roll
 * over into the next unit (June 31 is July 1) unless strict, where they are
 * an error. Returns microseconds since 1970-01-01.
 */
export function readDatetime(parts: readonly FormatPart[], input: string, strict: boolean): number {
  let year: number | null = null;
  let yearDigits = 4;
  let month = 1;
  let day = 1;
  let doy: number | null = null;
  let julian: number | null = null;
  let hour = 0;
  let hour12 = false;
  let pm: boolean | null = null;
  let minute = 0;
  let second = 0;
  let micros = 0;
  let bc = false;
  let i = 0;
  const fail = (what: string): never => {
    throw new ReadError(`"${input}" does not match the format: ${what}`);
  };
  const number = (p: Extract<FormatPart, { kind: 'field' }>, width: number): number => {
    while (input[i] === ' ') i++;
    let neg = false;
    if ((p.field === 'YYYY' || p.field === 'Y,YYY') && input[i] === '-') {
      neg = true;
      i++;
    }
    const start = i;
    while (i < input.length && i - start < width && input[i]! >= '0' && input[i]! <= '9') i++;
    if (i === start) fail(`expected a number for ${p.field} at position ${start + 1}`);
    const value = (neg ? -1 : 1) * Number(input.slice(start, i));
    // an ordinal suffix after the number is skipped
    if (p.ordinal && /^(st|nd|rd|th)/i.test(input.slice(i))) i += 2;
    return value;
  };
  const word = (names: readonly string[], length: number | null): number => {
    while (input[i] === ' ') i++;
    const rest = input.slice(i).toLowerCase();
    for (let k = 0; k < names.length; k++) {
      const name = (length === null ? names[k]! : names[k]!.slice(0, length)).toLowerCase();
      if (rest.startsWith(name)) {
        i += name.length;
        // a full name is blank-padded to 9 characters unless FM: the padding goes with it
        if (length === null) while (input[i] === ' ') i++;
        return k;
      }
    }
    return fail(`expected a name at position ${i + 1}`);
  };
  const meridian = (dotted: boolean): void => {
    while (input[i] === ' ') i++;
    const t = input.slice(i, i + (dotted ? 4 : 2)).toUpperCase();
    if (t === (dotted ? 'A.M.' : 'AM')) pm = false;
    else if (t === (dotted ? 'P.M.' : 'PM')) pm = true;
    else fail(`expected ${dotted ? 'A.M. or P.M.' : 'AM or PM'} at position ${i + 1}`);
    i += dotted ? 4 : 2;
  };
  for (const p of parts) {
    if (p.kind === 'text') {
      for (const ch of p.text) {
        if (ch === ' ') {
          while (input[i] === ' ') i++;
        } else if (i < input.length && !/[A-Za-z0-9]/.test(input[i]!)) {
          i++;
        } else if (input[i] === ch) {
          i++;
        }
      }
      continue;
    }
    switch (p.field) {
      case 'YYYY':
      case 'YYY':
      case 'YY':
      case 'Y':
      case 'IYYY':
      case 'IYY':
      case 'IY':
      case 'I': {
        const start = i;
        year = number(p, WIDTH[p.field]!);
        yearDigits = i - start;
        break;
      }
      case 'Y,YYY': {
        const thousands = number(p, 3);
        if (input[i] === ',') i++;
        year = thousands * 1000 + number(p, 3);
        break;
      }
      case 'CC':
        number(p, 2); // the year decides
        break;
      case 'MM':
        month = number(p, 2);
        break;
      case 'MONTH':
        month = word(MONTHS, null) + 1;
        break;
      case 'MON':
        month = word(MONTHS, 3) + 1;
        break;
      case 'RM':
        // longest numerals first, so that VIII is not read as V
        month = [7, 6, 2, 8, 3, 1, 5, 11, 10, 4, 0, 9][word(['VIII', 'VII', 'III', 'IX', 'IV', 'II', 'VI', 'XII', 'XI', 'V', 'I', 'X'], null)]! + 1;
        break;
      case 'DAY':
        word(DAYS, null);
        break;
      case 'DY':
        word(DAYS, 3);
        break;
      case 'DDD':
        doy = number(p, 3);
        break;
      case 'DD':
        day = number(p, 2);
        break;
      case 'J':
        julian = number(p, 8);
        break;
      case 'HH24':
        hour = number(p, 2);
        break;
      case 'HH12':
      case 'HH':
        hour = number(p, 2);
        hour12 = true;
        break;
      case 'MI':
        minute = number(p, 2);
        break;
      case 'SS':
        second = number(p, 2);
        break;
      case 'SSSS': {
        const s = number(p, 5);
        hour = Math.floor(s / 3600);
        minute = Math.floor(s / 60) % 60;
        second = s % 60;
        break;
      }
      case 'MS': {
        const start = i;
        const v = number(p, 3);
        micros = v * 10 ** (3 - (i - start)) * 1000;
        break;
      }
      case 'US': {
        const start = i;
        const v = number(p, 6);
        micros = v * 10 ** (6 - (i - start));
        break;
      }
      case 'AM':
      case 'PM':
        meridian(false);
        break;
      case 'A.M.':
      case 'P.M.':
        meridian(true);
        break;
      case 'AD':
      case 'BC': {
        while (input[i] === ' ') i++;
        const t = input.slice(i, i + 2).toUpperCase();
        if (t !== 'AD' && t !== 'BC') fail(`expected AD or BC at position ${i + 1}`);
        bc = t === 'BC';
        i += 2;
        break;
      }
      case 'A.D.':
      case 'B.C.': {
        while (input[i] === ' ') i++;
        const t = input.slice(i, i + 4).toUpperCase();
        if (t !== 'A.D.' && t !== 'B.C.') fail(`expected A.D. or B.C. at position ${i + 1}`);
        bc = t === 'B.C.';
        i += 4;
        break;
      }
      default:
        // W, WW, IW, ID, IDDD, Q, D: read and ignored (the other fields decide the date)
        number(p, WIDTH[p.field] ?? 2);
    }
  }
  while (input[i] === ' ') i++;
  if (i < input.length) fail(`text left over at position ${i + 1}`);
  if (hour12) {
    if (hour < 1 || hour > 12) {
      if (strict) fail(`hour ${hour} is not between 1 and 12`);
    }
    hour = (hour % 12) + (pm ? 12 : 0);
  } else if (pm !== null) {
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  let y = year ?? 1;
  // a two-digit year is the one nearest 2020 (PostgreSQL: 70-99 are 19xx), three digits near 2000
  if (year !== null && yearDigits <= 2 && year < 100) y = year < 70 ? 2000 + year : 1900 + year;
  else if (year !== null && yearDigits === 3 && year < 1000) y = year + (year < 100 ? 2000 : 1000);
  if (bc) y = 1 - y;
  if (strict) {
    const last = new Date(0);
    last.setUTCFullYear(y, month, 0);
    if (month < 1 || month > 12) fail(`month ${month} is out of range`);
    if (day < 1 || day > last.getUTCDate()) fail(`day ${day} is out of range for the month`);
    if (hour > 23 || minute > 59 || second > 59) fail('the time is out of range');
  }
  let days: number;
  if (julian !== null) days = julian - 2_440_588;
  else {
    const t = new Date(0);
    if (doy !== null) t.setUTCFullYear(y, 0, doy);
    else t.setUTCFullYear(y, month - 1, day);
    days = Math.round(t.getTime() / 86_400_000);
  }
  const ts = days * DAY_US + hour * 3_600_000_000 + minute * 60_000_000 + second * 1_000_000 + micros;
  if (!Number.isFinite(ts)) fail('the date is out of range');
  return ts;
}
