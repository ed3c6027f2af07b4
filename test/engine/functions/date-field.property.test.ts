/**
 * EXTRACT's fields of a DATE are computed by integer arithmetic (no Date per
 * row); they must agree with the proleptic Gregorian calendar of JavaScript's
 * Date in UTC across negative years, leap centuries and the epoch.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dateField } from '../../../engine/functions/date.js';

const fromDate = (days: number) => {
  const d = new Date(days * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), dow: d.getUTCDay(), quarter: Math.floor(d.getUTCMonth() / 3) + 1 };
};

describe('date fields by arithmetic', () => {
  const fields = ['year', 'month', 'day', 'dow', 'quarter'] as const;
  const fns = Object.fromEntries(fields.map((f) => [f, dateField(f)]));

  it('agree with Date in UTC for any day from year -2000 to 6000', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_450_000, max: 1_470_000 }), (days) => {
        const want = fromDate(days);
        for (const f of fields) expect(fns[f]!(days), `${f} of day ${days}`).toBe(want[f]);
        expect(dateField('isodow')(days)).toBe(want.dow || 7);
      }),
      { numRuns: 5000 },
    );
  });

  it('at the edges: the epoch, the day before it, leap days of 2000 and 1900', () => {
    const at = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
    for (const iso of ['1970-01-01', '1969-12-31', '2000-02-29', '2000-03-01', '1900-02-28', '1900-03-01', '0001-01-01', '2024-12-31']) {
      const days = at(iso);
      expect([fns.year!(days), fns.month!(days), fns.day!(days)]).toEqual([Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))]);
    }
    expect(dateField('doy')(at('2000-12-31'))).toBe(366);
  });

  it('year, month and quarter from the lookup table agree with Date on every day from 1899-12-01 to 2100-01-31 (the table and its edges)', () => {
    const from = Math.round(Date.parse('1899-12-01T00:00:00Z') / 86_400_000);
    const to = Math.round(Date.parse('2100-01-31T00:00:00Z') / 86_400_000);
    let wrong = 0;
    for (let days = from; days <= to; days++) {
      const want = fromDate(days);
      if (fns.year!(days) !== want.year || fns.month!(days) !== want.month || fns.quarter!(days) !== want.quarter) wrong++;
    }
    expect(wrong).toBe(0);
    expect(to - from).toBeGreaterThan(73_049);
  });
});
