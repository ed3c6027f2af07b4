/**
 * COPY's DATEFORMAT and TIMEFORMAT: how date and timestamp fields of a text
 * file are written, compiled once per load into a parser of s[a, b).
 *
 * A pattern is Redshift's datetime format string: YYYY, YY, MM, MON (Jan, any
 * case), MONTH (January), DD, HH24, HH12 or HH (with AM/PM), MI, SS, a
 * fraction after SS as `.S...` or `.F...` (1 to 6 digits read, whatever the
 * count written), AM or PM; any other character must appear as written.
 * Numeric fields take 1 or 2 digits, YYYY exactly 4 and YY exactly 2 (00-69
 * are 20xx, 70-99 19xx), so 'MM/DD/YYYY' reads both 1/5/2024 and 01/05/2024
 * but not 01/05/24.
 *
 * 'auto' tries the ISO form first, then the forms Redshift's auto
 * recognition lists most (AUTO_DATES); a timestamp is a date in one of those
 * forms, optionally followed by a time. 'epochsecs' and 'epochmillisecs'
 * read seconds or milliseconds since 1970-01-01 (TIMEFORMAT only).
 */
import { parseTimestampTz } from '../types.js';
import { daysFromCivil, parseDateText, parseTimestampText } from './values.js';

/** Days since epoch, or microseconds since epoch, of s[a, b); NaN when it does not match. */
export type DateTimeParser = (s: string, a: number, b: number) => number;

type Part =
  | { readonly k: 'lit'; readonly text: string }
  | { readonly k: 'num'; readonly field: 'y' | 'yy' | 'm' | 'd' | 'h24' | 'h12' | 'mi' | 's'; readonly max: number }
  | { readonly k: 'mon'; readonly long: boolean }
  | { readonly k: 'frac' }
  | { readonly k: 'ampm' };

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** The tokens of a pattern, longest first at each position. */
const TOKENS: readonly [string, (pattern: string) => Part][] = [
  ['YYYY', () => ({ k: 'num', field: 'y', max: 4 })],
  ['MONTH', () => ({ k: 'mon', long: true })],
  ['HH24', () => ({ k: 'num', field: 'h24', max: 2 })],
  ['HH12', () => ({ k: 'num', field: 'h12', max: 2 })],
  ['MON', () => ({ k: 'mon', long: false })],
  ['YY', () => ({ k: 'num', field: 'yy', max: 2 })],
  ['MM', () => ({ k: 'num', field: 'm', max: 2 })],
  ['DD', () => ({ k: 'num', field: 'd', max: 2 })],
  ['HH', () => ({ k: 'num', field: 'h12', max: 2 })],
  ['MI', () => ({ k: 'num', field: 'mi', max: 2 })],
  ['SS', () => ({ k: 'num', field: 's', max: 2 })],
  ['AM', () => ({ k: 'ampm' })],
  ['PM', () => ({ k: 'ampm' })],
];

/** The parts of a pattern; a message when it has no date or time field at all. */
export function compilePattern(pattern: string): Part[] | string {
  const parts: Part[] = [];
  const up = pattern.toUpperCase();
  let i = 0;
  let fields = 0;
  outer: while (i < up.length) {
    // a fraction: '.' then S or F repeated, right after SS
    const prev = parts[parts.length - 1];
    if (up[i] === '.' && (up[i + 1] === 'S' || up[i + 1] === 'F') && prev?.k === 'num' && prev.field === 's') {
      let j = i + 1;
      while (up[j] === 'S' || up[j] === 'F') j++;
      parts.push({ k: 'frac' });
      i = j;
      continue;
    }
    for (const [tok, make] of TOKENS) {
      if (up.startsWith(tok, i)) {
        parts.push(make(pattern));
        fields++;
        i += tok.length;
        continue outer;
      }
    }
    const last = parts[parts.length - 1];
    if (last?.k === 'lit') parts[parts.length - 1] = { k: 'lit', text: last.text + pattern[i]! };
    else parts.push({ k: 'lit', text: pattern[i]! });
    i++;
  }
  if (fields === 0) return `the format ${JSON.stringify(pattern)} has no date or time field (YYYY, MM, DD, HH24, MI, SS, ...)`;
  return parts;
}

interface Fields {
  y: number;
  m: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  us: number;
  pm: number; // -1 none, 0 AM, 1 PM
  h12: boolean;
}

/** Matches the parts against s[a, b); the fields, or null. */
function match(parts: readonly Part[], s: string, a: number, b: number): Fields | null {
  const f: Fields = { y: 1970, m: 1, d: 1, h: 0, mi: 0, s: 0, us: 0, pm: -1, h12: false };
  let p = a;
  for (const part of parts) {
    switch (part.k) {
      case 'lit':
        if (!s.startsWith(part.text, p) || p + part.text.length > b) return null;
        p += part.text.length;
        break;
      case 'num': {
        const q0 = p;
        let v = 0;
        while (p < b && p - q0 < part.max) {
          const c = s.charCodeAt(p) - 48;
          if (c < 0 || c > 9) break;
          v = v * 10 + c;
          p++;
        }
        if (p === q0 || ((part.field === 'yy' || part.field === 'y') && p - q0 !== part.max)) return null;
        switch (part.field) {
          case 'y': f.y = v; break;
          case 'yy': f.y = v < 70 ? 2000 + v : 1900 + v; break;
          case 'm': f.m = v; break;
          case 'd': f.d = v; break;
          case 'h24': f.h = v; break;
          case 'h12': f.h = v; f.h12 = true; break;
          case 'mi': f.mi = v; break;
          case 's': f.s = v; break;
        }
        break;
      }
      case 'mon': {
        const rest = s.slice(p, Math.min(b, p + 9)).toLowerCase();
        let found = -1;
        for (let k = 0; k < 12; k++) {
          const name = part.long ? MONTHS[k]! : MONTHS[k]!.slice(0, 3);
          if (rest.startsWith(name)) {
            found = k;
            p += name.length;
            break;
          }
        }
        if (found < 0) return null;
        f.m = found + 1;
        break;
      }
      case 'frac': {
        if (s.charCodeAt(p) !== 46) break; // the fraction is optional
        p++;
        const q0 = p;
        let us = 0;
        let scale = 100_000;
        while (p < b) {
          const c = s.charCodeAt(p) - 48;
          if (c < 0 || c > 9) break;
          if (p - q0 >= 6) return null;
          us += c * scale;
          scale /= 10;
          p++;
        }
        if (p === q0) return null;
        f.us = us;
        break;
      }
      case 'ampm': {
        const t = s.slice(p, p + 2).toUpperCase();
        if (t !== 'AM' && t !== 'PM') return null;
        f.pm = t === 'PM' ? 1 : 0;
        p += 2;
        break;
      }
    }
  }
  if (p !== b) return null;
  if (f.h12 || f.pm >= 0) {
    if (f.h < 1 || f.h > 12) return null;
    if (f.pm === 1 && f.h < 12) f.h += 12;
    else if (f.pm === 0 && f.h === 12) f.h = 0;
  }
  return f;
}

const MONTH_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysOf(f: Fields): number {
  if (f.m < 1 || f.m > 12 || f.d < 1 || f.d > MONTH_DAYS[f.m]!) return NaN;
  if (f.m === 2 && f.d === 29 && !((f.y & 3) === 0 && (f.y % 100 !== 0 || f.y % 400 === 0))) return NaN;
  return daysFromCivil(f.y, f.m, f.d);
}

function microsOf(f: Fields): number {
  const days = daysOf(f);
  if (days !== days || f.h > 23 || f.mi > 59 || f.s > 59) return NaN;
  return days * 86_400_000_000 + ((f.h * 60 + f.mi) * 60 + f.s) * 1_000_000 + f.us;
}

function trim(s: string, a: number, b: number): [number, number] {
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return [a, b];
}

/** The date forms 'auto' tries after ISO, in order (month before day, as Redshift reads 01/02/2024). */
const AUTO_DATES = ['MM/DD/YYYY', 'YYYY/MM/DD', 'YYYYMMDD', 'DD-MON-YYYY', 'MON DD YYYY', 'MON DD, YYYY', 'MONTH DD YYYY', 'MONTH DD, YYYY', 'DD MON YYYY', 'YYYY.MM.DD', 'DD.MM.YYYY', 'MM-DD-YYYY'].map(
  (p) => compilePattern(p) as Part[],
);
const AUTO_TIMES = ['HH24:MI:SS.SSSSSS', 'HH24:MI', 'HH12:MI:SS.SSSSSS AM', 'HH12:MI AM', 'HH12:MI:SS.SSSSSSAM', 'HH12:MIAM'].map((p) => compilePattern(p) as Part[]);

function autoDate(s: string, a: number, b: number): number {
  [a, b] = trim(s, a, b);
  const iso = parseDateText(s, a, b);
  if (iso === iso) return iso;
  for (const parts of AUTO_DATES) {
    const f = match(parts, s, a, b);
    if (f) return daysOf(f);
  }
  return NaN;
}

function autoTimestamp(s: string, a: number, b: number): number {
  [a, b] = trim(s, a, b);
  const iso = parseTimestampText(s, a, b);
  if (iso === iso) return iso;
  const tz = parseTimestampTz(s.slice(a, b));
  if (tz === tz) return tz;
  // a date in an auto form, then optionally a blank (or T) and a time
  for (let cut = a + 6; cut <= b; cut++) {
    const c = cut === b ? 32 : s.charCodeAt(cut);
    if (c !== 32 && c !== 84) continue;
    const days = autoDate(s, a, cut);
    if (days !== days) continue;
    if (cut === b) return days * 86_400_000_000;
    for (const parts of AUTO_TIMES) {
      const f = match(parts, s, cut + 1, b);
      if (f) {
        if (f.h > 23 || f.mi > 59 || f.s > 59) return NaN;
        return days * 86_400_000_000 + ((f.h * 60 + f.mi) * 60 + f.s) * 1_000_000 + f.us;
      }
    }
  }
  return NaN;
}

/** DATEFORMAT: a parser of date fields, or a message saying what is wrong with the format. */
export function dateFormatParser(format: string): DateTimeParser | string {
  if (format.toLowerCase() === 'auto') return autoDate;
  const parts = compilePattern(format);
  if (typeof parts === 'string') return parts;
  return (s, a, b) => {
    [a, b] = trim(s, a, b);
    const f = match(parts, s, a, b);
    return f ? daysOf(f) : NaN;
  };
}

/** TIMEFORMAT: a parser of timestamp fields, or a message saying what is wrong with the format. */
export function timeFormatParser(format: string): DateTimeParser | string {
  const lower = format.toLowerCase();
  if (lower === 'auto') return autoTimestamp;
  if (lower === 'epochsecs' || lower === 'epochmillisecs') {
    const factor = lower === 'epochsecs' ? 1_000_000 : 1_000;
    return (s, a, b) => {
      [a, b] = trim(s, a, b);
      const t = s.slice(a, b);
      if (!/^-?\d{1,16}(\.\d{1,6})?$/.test(t)) return NaN;
      const v = Math.round(Number(t) * factor);
      return Number.isSafeInteger(v) ? v : NaN;
    };
  }
  const parts = compilePattern(format);
  if (typeof parts === 'string') return parts;
  return (s, a, b) => {
    [a, b] = trim(s, a, b);
    const f = match(parts, s, a, b);
    return f ? microsOf(f) : NaN;
  };
}
