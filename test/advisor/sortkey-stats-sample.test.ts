/**
 * Rows drawn from imported column statistics (advisor/sortkey/stats-sample.ts),
 * the sample the sort-key what-if judges a stats-only table by: NULLs, common
 * values and the others in their imported proportions, within the imported
 * bounds, the same on every draw.
 */
import { describe, expect, it } from 'vitest';
import type { ImportedColumnStats, TableMeta } from '../../engine/index.js';
import { statsSample } from '../../advisor/sortkey/stats-sample.js';
import { fakeTable } from './helpers.js';

const N = 20_000;

function table(): TableMeta {
  const t = fakeTable('t', 0, ['n', 'd', 's', 'x']);
  const types = { n: { id: 'integer' }, d: { id: 'date' }, s: { id: 'varchar', length: 10 }, x: { id: 'integer' } } as const;
  return { ...t, columns: t.columns.map((c) => ({ ...c, type: types[c.name as keyof typeof types] })) } as TableMeta;
}

const col = (o: Partial<ImportedColumnStats>): ImportedColumnStats => ({ nullFrac: 0, distinct: null, mostCommonVals: [], mostCommonFreqs: [], min: null, max: null, ...o });

const STATS: Record<string, ImportedColumnStats> = {
  n: col({ nullFrac: 0.1, distinct: 1000, mostCommonVals: ['7'], mostCommonFreqs: [0.3], min: '0', max: '999' }),
  d: col({ distinct: 300, min: '2024-01-01', max: '2024-10-26' }),
  s: col({ distinct: 50, mostCommonVals: ['k1', 'k2'], mostCommonFreqs: [0.25, 0.25], min: 'a', max: 'z' }),
};

describe('statsSample', () => {
  it('draws NULLs, common values and the others in the imported proportions, within the bounds', () => {
    const { sample, undrawn } = statsSample(table(), 1_000_000, STATS, ['n', 'd', 's', 'x'], N);
    expect(sample.rows).toBe(N);
    expect(sample.tableRows).toBe(1_000_000);
    // x has no statistics: left out and named
    expect(undrawn).toEqual([{ column: 'x', why: expect.stringMatching(/no column statistics/) }]);
    expect(sample.columns.map((c) => c.name)).toEqual(['n', 'd', 's']);

    const n = sample.columns[0]!.vector;
    if (n.kind !== 'i32') throw new Error(`n drawn as ${n.kind}`);
    let nulls = 0;
    let sevens = 0;
    let lo = Infinity;
    let hi = -Infinity;
    const seen = new Set<number>();
    for (let i = 0; i < N; i++) {
      if (n.nulls?.[i]) {
        nulls++;
        continue;
      }
      const v = n.values[i]!;
      if (v === 7) sevens++;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      seen.add(v);
    }
    expect(Math.abs(nulls / N - 0.1)).toBeLessThan(0.015);
    // the common value's own draws, plus its share of the others (1 of 999)
    expect(Math.abs(sevens / N - 0.3)).toBeLessThan(0.02);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(999);
    // the others spread over the range: most of the 999 appear in 20,000 draws
    expect(seen.size).toBeGreaterThan(900);

    // dates as days, within the bounds, every one of the 300
    const d = sample.columns[1]!.vector;
    if (d.kind !== 'i32') throw new Error(`d drawn as ${d.kind}`);
    const days = new Set(Array.from(d.values));
    expect(days.size).toBe(300);
    expect(Math.min(...days)).toBe(19723); // 2024-01-01
    expect(Math.max(...days)).toBe(19723 + 299);

    // texts: the common ones at their frequency, the others between the bounds
    const s = sample.columns[2]!.vector;
    if (s.kind !== 'str') throw new Error(`s drawn as ${s.kind}`);
    const texts = Array.from(s.codes, (c) => s.dict[c]!);
    expect(Math.abs(texts.filter((x) => x === 'k1').length / N - 0.25)).toBeLessThan(0.02);
    expect(texts.every((x) => x >= 'a' && x <= 'z\uffff')).toBe(true);
    expect(new Set(texts).size).toBeGreaterThanOrEqual(45);
  });

  it('draws the same rows every time', () => {
    const a = statsSample(table(), 1_000_000, STATS, ['n', 's'], 1000).sample;
    const b = statsSample(table(), 1_000_000, STATS, ['n', 's'], 1000).sample;
    expect(a).toEqual(b);
  });

  it('names a column with neither bounds nor common values as undrawn', () => {
    const { sample, undrawn } = statsSample(table(), 100, { n: col({ distinct: 10 }) }, ['n'], 100);
    expect(sample.columns).toEqual([]);
    expect(undrawn[0]).toMatchObject({ column: 'n', why: expect.stringMatching(/min\/max/) });
  });
});
