/**
 * Numeric format strings (Redshift's, which are PostgreSQL's): parsed once,
 * then used to print a number (TO_CHAR) or to read one (TO_NUMBER).
 *
 *   9  a digit (a blank where a leading zero would be)   0  a digit, zeros kept
 *   . or D  the decimal point                             , or G  a group separator
 *   S  the sign (+ or -) next to the number              MI  a minus sign (or a blank) where written
 *   SG  a plus or minus sign where written                PR  a negative number in angle brackets
 *   FM  no padding: no leading blanks, no trailing zeros of 9 positions
 *
 * Without S, MI, SG or PR the number has a sign position in front (a blank
 * for positive numbers), as in PostgreSQL. A number with more integer digits
 * than the format holds prints as #. Text in double quotes and characters
 * that are not letters are copied. Redshift's L, V, EEEE, RN, PL and TH are
 * not supported: they are refused, as is any other run of letters.
 */
import { FormatError } from './format-datetime.js';

export type NumberPart =
  | { readonly kind: 'digit'; readonly zero: boolean }
  | { readonly kind: 'point' }
  | { readonly kind: 'group' }
  | { readonly kind: 'sign'; readonly sign: 'S' | 'MI' | 'SG' | 'PR' }
  | { readonly kind: 'text'; readonly text: string };

export interface NumberFormat {
  readonly parts: readonly NumberPart[];
  readonly fill: boolean;
  /** Digit positions before and after the decimal point. */
  readonly intDigits: number;
  readonly fracDigits: number;
  /** Whether a sign pattern says where the sign goes (else it sits in front). */
  readonly explicitSign: boolean;
}

const REFUSED = ['EEEE', 'RN', 'PL', 'TH', 'L', 'V'];

export function parseNumberFormat(format: string): NumberFormat {
  const parts: NumberPart[] = [];
  let fill = false;
  let seenPoint = false;
  let intDigits = 0;
  let fracDigits = 0;
  let explicitSign = false;
  let i = 0;
  while (i < format.length) {
    const ch = format[i]!;
    const up = format.slice(i, i + 4).toUpperCase();
    if (ch === '9' || ch === '0') {
      parts.push({ kind: 'digit', zero: ch === '0' });
      if (seenPoint) fracDigits++;
      else intDigits++;
      i++;
    } else if (ch === '.' || ch === 'D' || ch === 'd') {
      if (seenPoint) throw new FormatError('the format has two decimal points', i);
      seenPoint = true;
      parts.push({ kind: 'point' });
      i++;
    } else if (ch === ',' || ch === 'G' || ch === 'g') {
      parts.push({ kind: 'group' });
      i++;
    } else if (up.startsWith('FM')) {
      fill = true;
      i += 2;
    } else if (up.startsWith('SG') || up.startsWith('MI') || up.startsWith('PR') || up.startsWith('S')) {
      const sign = up.startsWith('SG') ? 'SG' : up.startsWith('MI') ? 'MI' : up.startsWith('PR') ? 'PR' : 'S';
      if (explicitSign) throw new FormatError('the format has two sign patterns', i);
      explicitSign = true;
      parts.push({ kind: 'sign', sign });
      i += sign.length;
    } else if (ch === '"') {
      const end = format.indexOf('"', i + 1);
      if (end < 0) throw new FormatError('unterminated quoted text in the format', i);
      parts.push({ kind: 'text', text: format.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      const refused = REFUSED.find((r) => up.startsWith(r));
      if (refused) throw new FormatError(`the numeric format pattern ${refused} is not supported`, i, 'UNSUPPORTED');
      const word = /^[A-Za-z]+/.exec(format.slice(i))![0];
      throw new FormatError(`"${word}" is not a numeric format pattern (write literal text in double quotes)`, i);
    } else {
      parts.push({ kind: 'text', text: ch });
      i++;
    }
  }
  if (intDigits + fracDigits === 0) throw new FormatError('the format has no digit positions (9 or 0)', 0);
  return { parts, fill, intDigits, fracDigits, explicitSign };
}

/**
 * The digits of |value| at fracDigits decimal places, rounded half away from
 * zero: value is a scaled integer of `scale` decimal places (exact for
 * integers and DECIMAL), or a double when scale is null.
 */
function digitsOf(value: number, scale: number | null, fracDigits: number): { int: string; frac: string } {
  const abs = Math.abs(value);
  let scaled: number;
  if (scale === null) {
    scaled = Math.round(abs * 10 ** fracDigits);
    // beyond 2^53 the digits are the double's own
    if (!Number.isSafeInteger(scaled)) {
      const [i, f = ''] = abs.toFixed(fracDigits).split('.');
      return { int: i!, frac: f };
    }
  } else if (fracDigits >= scale) {
    scaled = abs * 10 ** (fracDigits - scale);
  } else {
    const d = 10 ** (scale - fracDigits);
    scaled = Math.floor(abs / d) + (abs % d >= d / 2 ? 1 : 0);
  }
  const s = String(scaled).padStart(fracDigits + 1, '0');
  return { int: s.slice(0, s.length - fracDigits).replace(/^0+/, ''), frac: s.slice(s.length - fracDigits) };
}

/** A number printed by a parsed format. */
export function formatNumber(f: NumberFormat, value: number, scale: number | null): string {
  const negative = value < 0;
  const { int, frac } = digitsOf(value, scale, f.fracDigits);
  // zero with no fraction positions still shows a digit
  const intText = int === '' && f.fracDigits === 0 ? '0' : int;
  const overflow = intText.length > f.intDigits;
  // a DECIMAL that rounds to zero has no sign (as PostgreSQL's numeric); a double keeps its own (-0.0)
  const neg = negative && (scale === null || !/^0*$/.test(int + frac));
  // the fraction's digits that print: FM drops trailing zeros of 9 positions
  let lastFrac = f.fracDigits;
  if (f.fill && !overflow) {
    const keep = zeroFractionDigits(f);
    while (lastFrac > keep && frac[lastFrac - 1] === '0') lastFrac--;
  }
  let out = '';
  let intPos = 0;
  let fracPos = 0;
  let inPoint = false;
  let started = false; // a digit (not a blank) has been printed
  const firstZero = firstZeroPosition(f);
  const pad = f.intDigits - intText.length;
  for (const p of f.parts) {
    switch (p.kind) {
      case 'digit':
        if (!inPoint) {
          const k = intPos++;
          if (overflow) out += '#';
          else if (k < pad) {
            if (k >= firstZero) {
              out += '0';
              started = true;
            } else if (!f.fill) out += ' ';
          } else {
            out += intText[k - pad];
            started = true;
          }
        } else {
          const k = fracPos++;
          if (overflow) out += '#';
          else if (k < lastFrac) out += frac[k];
        }
        break;
      case 'point':
        inPoint = true;
        out += '.';
        break;
      case 'group':
        if (started || overflow) out += ',';
        else if (!f.fill) out += ' ';
        break;
      case 'sign':
        // S and PR are anchored to the number: placed below
        if (p.sign === 'MI') out += neg ? '-' : f.fill ? '' : ' ';
        else if (p.sign === 'SG') out += neg ? '-' : '+';
        else out += '\u0000';
        break;
      case 'text':
        out += p.text;
        break;
    }
  }
  const signPart = f.parts.find((p): p is Extract<NumberPart, { kind: 'sign' }> => p.kind === 'sign');
  if (!f.explicitSign) return anchor(out, neg ? '-' : f.fill ? '' : ' ', 'before');
  if (signPart?.sign === 'S') {
    const at = out.indexOf('\u0000');
    const digit = /[0-9#.]/.exec(out);
    const before = digit === null || at < digit.index;
    return anchor(out.replace('\u0000', ''), neg ? '-' : '+', before ? 'before' : 'after');
  }
  if (signPart?.sign === 'PR') {
    const body = out.replace('\u0000', '');
    return neg ? anchor(anchor(body, '<', 'before'), '>', 'after') : f.fill ? body : ` ${body} `;
  }
  return out;
}

/** How many fraction digit positions FM keeps: up to the last one written as 0. */
function zeroFractionDigits(f: NumberFormat): number {
  let k = 0;
  let keep = 0;
  let inFraction = false;
  for (const p of f.parts) {
    if (p.kind === 'point') inFraction = true;
    else if (p.kind === 'digit' && inFraction) {
      k++;
      if (p.zero) keep = k;
    }
  }
  return keep;
}

/** Among the integer digit positions, the first written as 0 (leading zeros print from there), or Infinity. */
function firstZeroPosition(f: NumberFormat): number {
  let k = 0;
  for (const p of f.parts) {
    if (p.kind === 'point') break;
    if (p.kind === 'digit') {
      if (p.zero) return k;
      k++;
    }
  }
  return Infinity;
}

/** A sign put right before the number's first digit (or point) or right after its last: an extra position, as PostgreSQL's sign slot. */
function anchor(s: string, sign: string, where: 'before' | 'after'): string {
  if (where === 'before') {
    const m = /[0-9#.]/.exec(s);
    const at = m ? m.index : s.length;
    return s.slice(0, at) + sign + s.slice(at);
  }
  const m = /[0-9#.][^0-9#.]*$/.exec(s);
  const at = m ? m.index + 1 : s.length;
  return s.slice(0, at) + sign + s.slice(at);
}

export class NumberReadError extends Error {}

/**
 * A number read from text by a parsed format (TO_NUMBER), as a scaled
 * integer at the format's fraction digits: group separators, blanks, the
 * format's literal text and a currency sign are skipped; a minus sign (before
 * or after), a plus sign or angle brackets give the sign; fraction digits
 * beyond the format's are dropped, as in PostgreSQL. More integer digits than
 * the format holds is an error.
 */
export function readNumber(f: NumberFormat, input: string): number {
  let s = input.trim();
  let negative = false;
  if (s.startsWith('<') && s.endsWith('>')) {
    negative = true;
    s = s.slice(1, -1);
  }
  for (const p of f.parts) if (p.kind === 'text' && p.text.trim() !== '') s = s.split(p.text).join('');
  s = s.replace(/[\s,$]/g, '');
  if (/^[+-]/.test(s)) {
    negative = negative || s[0] === '-';
    s = s.slice(1);
  } else if (/[+-]$/.test(s)) {
    negative = negative || s.endsWith('-');
    s = s.slice(0, -1);
  }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  // a lone point is zero (FM prints zero so when the format has no 0 position)
  if (!m || (m[1] === '' && m[2] === undefined)) throw new NumberReadError(`"${input}" is not a number of the format`);
  const int = m[1]!.replace(/^0+(?=\d)/, '');
  if (int.replace(/^0+/, '').length > f.intDigits) throw new NumberReadError(`"${input}" has more integer digits than the format's ${f.intDigits}`);
  const frac = (m[2] ?? '').slice(0, f.fracDigits).padEnd(f.fracDigits, '0');
  const scaled = Number(int + frac);
  return negative && scaled !== 0 ? -scaled : scaled;
}
