import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ColumnOut,
  daysFromCivil,
  decimalText,
  parseBoolText,
  parseDateText,
  parseDecimalText,
  parseFloatText,
  parseIntText,
  parseTimestampText,
  rescale,
  storeValue,
  utf8Length,
  ValueProblem,
} from '../../../engine/load/values.js';
import { col, valueAt } from './helpers.js';

const p = (f: (s: string, a: number, b: number) => number) => (s: string) => f(`xx${s}yy`, 2, 2 + s.length);

/** Reference: exact decimal rounding (half away from zero) with bigint. */
function refDecimal(text: string, scale: number): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text)!;
  const neg = m[1] === '-';
  const int = m[2] || '0';
  const frac = m[3] ?? '';
  const kept = (frac + '0'.repeat(scale)).slice(0, scale);
  let u = BigInt(int + kept);
  if (frac.length > scale && frac.charCodeAt(scale) >= 53) u += 1n;
  return neg ? -u : u;
}

describe('text parsers', () => {
  it('parse within a range of a larger string', () => {
    expect(p(parseIntText)('123')).toBe(123);
    expect(p((s, a, b) => parseDecimalText(s, a, b, 2))('1.239')).toBe(124);
    expect(p(parseFloatText)('2.5')).toBe(2.5);
    expect(p(parseDateText)('2024-02-29')).toBe(19782);
    expect(p(parseTimestampText)('1970-01-01 00:00:01.5')).toBe(1_500_000);
    expect(p(parseBoolText)('yes')).toBe(1);
    expect(p(parseIntText)('')).toBeNaN();
  });

  it('decimal text matches a bigint reference (property)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.stringMatching(/^[0-9]{0,9}$/),
        fc.stringMatching(/^[0-9]{0,8}$/),
        fc.integer({ min: 0, max: 6 }),
        (neg, int, frac, scale) => {
          if (int === '' && frac === '') return;
          const text = (neg ? '-' : '') + int + (frac !== '' || int === '' ? '.' + frac : '');
          const got = parseDecimalText(text, 0, text.length, scale);
          const want = refDecimal(text, scale);
          expect(got).toBe(Number(want) === 0 ? 0 : Number(want));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('decimal exponents are exact', () => {
    const d = (t: string, s: number) => parseDecimalText(t, 0, t.length, s);
    expect(d('1e2', 0)).toBe(100);
    expect(d('1.2345e2', 2)).toBe(12345);
    expect(d('1.2355e1', 2)).toBe(1236);
    expect(d('-5e-3', 2)).toBe(-1);
    expect(d('5e-4', 2)).toBe(0);
    expect(d('1e', 2)).toBeNaN();
    expect(d('e5', 2)).toBeNaN();
  });

  it('dates agree with Date.UTC over the whole range (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const dt = new Date(0);
        dt.setUTCFullYear(y, m - 1, d);
        const valid = dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
        const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const got = parseDateText(text, 0, text.length);
        if (!valid) expect(got).toBeNaN();
        else {
          expect(got).toBe(Math.floor(dt.getTime() / 86_400_000));
          expect(daysFromCivil(y, m, d)).toBe(got);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('floats round-trip through their shortest text (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        const t = String(x);
        expect(parseFloatText(t, 0, t.length)).toBe(x === 0 ? 0 : x);
      }),
      { numRuns: 3000 },
    );
    const t = '0.30000000000000004';
    expect(parseFloatText(t, 0, t.length)).toBe(0.30000000000000004);
  });

  it('counts UTF-8 bytes', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀é€']) expect(utf8Length(s, 0, s.length)).toBe(Buffer.byteLength(s));
  });
});

describe('decimal helpers', () => {
  it('rescale rounds half away from zero', () => {
    expect(rescale(12345n, 3, 2)).toBe(1235n);
    expect(rescale(-12345n, 3, 2)).toBe(-1235n);
    expect(rescale(12344n, 3, 2)).toBe(1234n);
    expect(rescale(5n, 1, 0)).toBe(1n);
    expect(rescale(-5n, 1, 0)).toBe(-1n);
    expect(rescale(7n, 0, 3)).toBe(7000n);
  });
  it('decimalText', () => {
    expect(decimalText(12345n, 2)).toBe('123.45');
    expect(decimalText(-5n, 3)).toBe('-0.005');
    expect(decimalText(7n, 0)).toBe('7');
  });
});

describe('storeValue (Parquet/Arrow values)', () => {
  function store(type: string, v: unknown, src: Parameters<typeof storeValue>[3]): unknown {
    const out = new ColumnOut(col('x', type), 1);
    storeValue(out, 0, v, src);
    return valueAt(out.vector(1), 0);
  }
  const int = { k: 'int', label: 'INT64' } as const;
  const dec = (scale: number) => ({ k: 'decimal', scale, label: 'DECIMAL' }) as const;
  const flt = { k: 'float', label: 'DOUBLE' } as const;
  const str = { k: 'string', label: 'BYTE_ARRAY' } as const;

  it('converts exactly, with the same checks as text', () => {
    expect(store('integer', 5n, int)).toBe(5);
    expect(() => store('integer', 2n ** 40n, int)).toThrow(ValueProblem);
    expect(store('decimal(10,2)', 12345n, dec(3))).toBe(1235);
    expect(store('decimal(10,4)', 12345, dec(2))).toBe(1234500);
    expect(store('decimal(10,2)', new Uint8Array([0xff, 0xfe]), dec(2))).toBe(-2);
    expect(store('decimal(10,2)', 7, int)).toBe(700);
    expect(store('decimal(10,2)', 1.005, flt)).toBe(101);
    expect(() => store('decimal(4,2)', 100n, int)).toThrow('out of range for DECIMAL(4,2)');
    expect(store('double', 12345n, dec(2))).toBe(123.45);
    expect(store('integer', 500n, dec(2))).toBe(5);
    expect(() => store('integer', 550n, dec(2))).toThrow('invalid INTEGER value "5.50"');
    expect(store('varchar(10)', 12345n, dec(2))).toBe('123.45');
    expect(store('date', '1998-01-02', str)).toBe(10228);
    expect(store('char(5)', 'ab  ', str)).toBe('ab');
    expect(() => store('varchar(2)', 'abc', str)).toThrow('longer than VARCHAR(2)');
    expect(store('varchar(5)', new TextEncoder().encode('héllo'.slice(0, 4)), str)).toBe('héll');
    expect(store('integer', '', str)).toBeNull();
  });
});
