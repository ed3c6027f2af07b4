/**
 * COPY's DATEFORMAT and TIMEFORMAT parsers (engine/load/datetime-format.ts):
 * random moments written in a pattern read back as themselves; 'auto' reads
 * the forms it lists; impossible days and times and text that does not match
 * are NaN.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, dateFormatParser, timeFormatParser, type DateTimeParser } from '../../../engine/load/datetime-format.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function parser(p: DateTimeParser | string): DateTimeParser {
  if (typeof p === 'string') throw new Error(p);
  return p;
}

const p2 = (n: number) => String(n).padStart(2, '0');

/** A moment and its parts. */
const moment = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }).chain((d) =>
  fc.integer({ min: 0, max: 999 }).map((extraMicros) => ({ d, us: d.getUTCMilliseconds() * 1000 + extraMicros })),
);

describe('DATEFORMAT and TIMEFORMAT patterns', () => {
  it('read back what they write (property)', () => {
    const patterns: [string, (d: Date, us: number) => string, 'date' | 'time'][] = [
      ['MM/DD/YYYY', (d) => `${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${d.getUTCFullYear()}`, 'date'],
      ['DD.MM.YYYY', (d) => `${d.getUTCDate()}.${d.getUTCMonth() + 1}.${d.getUTCFullYear()}`, 'date'],
      ['YYYYMMDD', (d) => `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}`, 'date'],
      ['DD-MON-YYYY', (d) => `${p2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]!.toUpperCase()}-${d.getUTCFullYear()}`, 'date'],
      ['MONTH DD, YYYY', (d) => `${LONG[d.getUTCMonth()]} ${p2(d.getUTCDate())}, ${d.getUTCFullYear()}`, 'date'],
      ['YYYY-MM-DD HH24:MI:SS.SSSSSS', (d, us) => `${d.toISOString().slice(0, 10)} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(us).padStart(6, '0')}`, 'time'],
      ['MM/DD/YYYY HH12:MI:SS AM', (d) => {
        const h = d.getUTCHours();
        return `${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${d.getUTCFullYear()} ${p2(h % 12 === 0 ? 12 : h % 12)}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
      }, 'time'],
    ];
    for (const [pattern, write, kind] of patterns) {
      const parse = parser(kind === 'date' ? dateFormatParser(pattern) : timeFormatParser(pattern));
      fc.assert(
        fc.property(moment, ({ d, us }) => {
          const text = write(d, us);
          const days = Math.floor(d.getTime() / 86_400_000);
          const seconds = Math.floor(d.getTime() / 1000);
          const want = kind === 'date' ? days : pattern.includes('.SSSSSS') ? seconds * 1_000_000 + us : seconds * 1_000_000;
          expect(parse(text, 0, text.length), `${pattern}: ${text}`).toBe(want);
        }),
        { numRuns: 200, seed: 3 },
      );
    }
  });

  it("'auto' reads ISO and the common forms, then a time", () => {
    const date = parser(dateFormatParser('auto'));
    const jan5 = Date.UTC(2024, 0, 5) / 86_400_000;
    for (const t of ['2024-01-05', '01/05/2024', '20240105', '05-Jan-2024', 'Jan 05 2024', 'January 5, 2024', '2024/01/05', ' 2024-01-05 ']) expect(date(t, 0, t.length), t).toBe(jan5);
    const time = parser(timeFormatParser('auto'));
    const at = (Date.UTC(2024, 0, 5, 15, 4, 0) * 1000);
    for (const t of ['2024-01-05 15:04:00', '2024-01-05T15:04', '01/05/2024 15:04', '01/05/2024 3:04 PM', 'Jan 5 2024 03:04PM', '2024-01-05 17:04:00+02']) expect(time(t, 0, t.length), t).toBe(at);
  });

  it('reads epoch seconds and milliseconds', () => {
    const secs = parser(timeFormatParser('epochsecs'));
    const ms = parser(timeFormatParser('EPOCHMILLISECS'));
    expect(secs('86400', 0, 5)).toBe(86_400_000_000);
    expect(secs('-1.5', 0, 4)).toBe(-1_500_000);
    expect(ms('1500', 0, 4)).toBe(1_500_000);
    expect(secs('1e3', 0, 3)).toBeNaN();
  });

  it('refuse impossible days and times, and text that does not match', () => {
    const date = parser(dateFormatParser('MM/DD/YYYY'));
    for (const t of ['02/30/2024', '02/29/2023', '13/01/2024', '2024-01-05', '01/05/24', '01/05/2024x']) expect(date(t, 0, t.length), t).toBeNaN();
    expect(date('02/29/2024', 0, 10)).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    const time = parser(timeFormatParser('HH24:MI DD.MM.YYYY'));
    for (const t of ['24:00 01.01.2024', '12:60 01.01.2024', '12:00 01.01']) expect(time(t, 0, t.length), t).toBeNaN();
    expect(typeof compilePattern('nothing here')).toBe('string');
    expect(typeof dateFormatParser('--')).toBe('string');
  });
});
