/**
 * Numeric format strings against PostgreSQL's documented to_char examples
 * (PostgreSQL manual, "Data Type Formatting Functions", table "to_char
 * Examples"), whose rules Redshift's numeric format strings follow. The
 * examples with L, RN, TH, V and EEEE are left out: keel refuses those.
 */
import { describe, expect, it } from 'vitest';
import { formatNumber, parseNumberFormat, readNumber } from '../../../engine/functions/format-number.js';
import { FormatError } from '../../../engine/functions/format-datetime.js';

/** [value as a scaled integer, its scale (null: a double), format, PostgreSQL's text] */
const EXAMPLES: [number, number | null, string, string][] = [
  [-1, 1, '99.99', '  -.10'],
  [-1, 1, 'FM9.99', '-.1'],
  [-1, 1, 'FM90.99', '-0.1'],
  [1, 1, '0.9', ' 0.1'],
  [12, 0, '9990999.9', '    0012.0'],
  [12, 0, 'FM9990999.9', '0012.'],
  [485, 0, '999', ' 485'],
  [-485, 0, '999', '-485'],
  [485, 0, '9 9 9', ' 4 8 5'],
  [1485, 0, '9,999', ' 1,485'],
  [1485, 0, '9G999', ' 1,485'],
  [1485, 1, '999.999', ' 148.500'],
  [1485, 1, 'FM999.999', '148.5'],
  [1485, 1, 'FM999.990', '148.500'],
  [1485, 1, '999D999', ' 148.500'],
  [31485, 1, '9G999D999', ' 3,148.500'],
  [-485, 0, '999S', '485-'],
  [-485, 0, '999MI', '485-'],
  [485, 0, '999MI', '485 '],
  [485, 0, 'FM999MI', '485'],
  [485, 0, 'SG999', '+485'],
  [-485, 0, 'SG999', '-485'],
  [-485, 0, '9SG99', '4-85'],
  [-485, 0, '999PR', '<485>'],
  [485, 0, '"Good number:"999', 'Good number: 485'],
  [4858, 1, '"Pre:"999" Post:" .999', 'Pre: 485 Post: .800'],
];

describe('TO_CHAR of numbers', () => {
  it.each(EXAMPLES)('%d (scale %s) with %s', (value, scale, format, text) => {
    expect(formatNumber(parseNumberFormat(format), value, scale)).toBe(text);
  });

  it('prints # for a number wider than the format, rounds half away from zero, and prints doubles', () => {
    expect(formatNumber(parseNumberFormat('99'), 1234, 0)).toBe(' ##');
    expect(formatNumber(parseNumberFormat('9.9'), 125, 2)).toBe(' 1.3');
    expect(formatNumber(parseNumberFormat('9.9'), -125, 2)).toBe('-1.3');
    expect(formatNumber(parseNumberFormat('999.99'), 3.14159, null)).toBe('   3.14');
    expect(formatNumber(parseNumberFormat('999'), 0, 0)).toBe('   0');
    expect(formatNumber(parseNumberFormat('S999'), 12, 0)).toBe(' +12');
  });

  it('refuses what it does not print, naming it and where it is', () => {
    const err = (f: string) => {
      try {
        parseNumberFormat(f);
      } catch (e) {
        return [(e as FormatError).message, (e as FormatError).at];
      }
      return null;
    };
    expect(err('9.99EEEE')).toEqual(['the numeric format pattern EEEE is not supported', 4]);
    expect(err('L999')).toEqual(['the numeric format pattern L is not supported', 0]);
    expect(err('999 xyz')).toEqual(['"xyz" is not a numeric format pattern (write literal text in double quotes)', 4]);
    expect(err('9.9.9')).toEqual(['the format has two decimal points', 3]);
    expect(err('"abc')).toEqual(['unterminated quoted text in the format', 0]);
  });
});

describe('TO_NUMBER', () => {
  it('reads what TO_CHAR prints', () => {
    expect(readNumber(parseNumberFormat('9G999D99'), ' 1,234.50')).toBe(123450);
    expect(readNumber(parseNumberFormat('999MI'), '485-')).toBe(-485);
    expect(readNumber(parseNumberFormat('999PR'), '<485>')).toBe(-485);
    expect(readNumber(parseNumberFormat('9.99'), '1.239')).toBe(123);
    expect(readNumber(parseNumberFormat('"$"999'), '$12')).toBe(12);
  });
});
