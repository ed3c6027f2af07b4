/**
 * Properties of the format strings: TO_DATE and TO_TIMESTAMP read back what
 * TO_CHAR prints, for any date or timestamp and any of the formats that hold
 * the whole value; TO_NUMBER reads back what TO_CHAR prints of a number.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_US } from '../../../engine/types.js';
import { formatDatetime, parseDatetimeFormat, readDatetime } from '../../../engine/functions/format-datetime.js';
import { formatNumber, parseNumberFormat, readNumber } from '../../../engine/functions/format-number.js';

const MIN_DAY = -719162; // 0001-01-01
const MAX_DAY = 2932896; // 9999-12-31
const EXACT_DAYS = Math.floor(2 ** 53 / DAY_US); // 104,249 days either side of 1970

/** Formats that name the whole date, as users write them. */
const DATE_FORMATS = [
  'YYYY-MM-DD', 'DD Mon YYYY', 'FMMonth FMDD, YYYY', 'YYYYMMDD', 'MM/DD/YYYY', 'YYYY.DDD', 'J', 'Dy DD-MON-YYYY',
  'DAY, DDth "of" MONTH YYYY', 'YYYY RM DD', 'FMDD.FMMM.YYYY',
];

/** Formats that name the whole timestamp. */
const TIMESTAMP_FORMATS = [
  'YYYY-MM-DD HH24:MI:SS.US', 'YYYY-MM-DD"T"HH24:MI:SS.US', 'DD Mon YYYY HH12:MI:SS.US AM', 'YYYYMMDD HH24MISSUS', 'J SSSS.US',
  'Month DD YYYY hh12.mi.ss.us p.m.',
];

describe('TO_DATE(TO_CHAR(d, f), f) = d', () => {
  it.each(DATE_FORMATS)('%s', (f) => {
    const parts = parseDatetimeFormat(f);
    fc.assert(
      fc.property(fc.integer({ min: MIN_DAY, max: MAX_DAY }), (days) => {
        const text = formatDatetime(parts, days * DAY_US);
        expect(Math.floor(readDatetime(parts, text, true) / DAY_US), text).toBe(days);
      }),
      { numRuns: 300 },
    );
  });
});

describe('TO_TIMESTAMP(TO_CHAR(ts, f), f) = ts', () => {
  it.each(TIMESTAMP_FORMATS)('%s', (f) => {
    const parts = parseDatetimeFormat(f);
    fc.assert(
      // a timestamp is a double of microseconds: exact to the microsecond within ±2^53 us of 1970 (1684 to 2255), which is where the round trip must hold
      fc.property(fc.integer({ min: -EXACT_DAYS, max: EXACT_DAYS - 1 }), fc.integer({ min: 0, max: DAY_US - 1 }), (days, us) => {
        const ts = days * DAY_US + us;
        const text = formatDatetime(parts, ts);
        expect(readDatetime(parts, text, true), text).toBe(ts);
      }),
      { numRuns: 300 },
    );
  });
});

describe('TO_NUMBER(TO_CHAR(x, f), f) = x', () => {
  const cases: [string, number][] = [
    ['S9999999.99', 2], ['FM9G999G999D99', 2], ['9999999MI', 0], ['9999999PR', 0], ['0000000.000', 3], ['"$"9,999,999.9', 1],
  ];
  it.each(cases)('%s', (f, scale) => {
    const nf = parseNumberFormat(f);
    const limit = 10 ** (nf.intDigits + scale) - 1;
    fc.assert(
      fc.property(fc.integer({ min: -limit, max: limit }), (scaled) => {
        const text = formatNumber(nf, scaled, scale);
        expect(readNumber(nf, text), text).toBe(scaled === 0 ? 0 : scaled);
      }),
      { numRuns: 300 },
    );
  });
});
