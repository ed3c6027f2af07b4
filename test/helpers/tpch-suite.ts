/**
 * TPC-H: all 22 queries on keel against DuckDB on dbgen's data, under several
 * layouts (every table EVEN, every table ALL, and hand-chosen distribution and
 * sort keys), so every join distribution strategy and aggregation path is
 * exercised. tpch.test.ts runs SF 0.01, tpch-sf0.1.test.ts SF 0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeelTpch, charColumns, decimalScales, type Layout } from './keel-tpch.js';
import { DuckOracle, compareResults, hasOrderBy, tpchQuery, TPCH_DIR, type DuckResult } from './oracle.js';

const QUERIES = Array.from({ length: 22 }, (_, i) => i + 1);

export function tpchSuite(SF: string, layouts: readonly [string, Layout, number][]): void {
  const DATA = `${TPCH_DIR}/sf${SF}`;

  let duck: DuckOracle;
  const expected = new Map<number, DuckResult>();

  beforeAll(async () => {
    duck = await DuckOracle.create();
    await duck.loadTpch(DATA);
    for (const n of QUERIES) {
      let last: DuckResult | null = null;
      for (const stmt of tpchQuery(n).split(';').map((s) => s.trim()).filter(Boolean)) {
        if (/^(select|with)\b/i.test(stmt)) last = await duck.query(stmt);
        else await duck.run(stmt);
      }
      expected.set(n, last!);
    }
  });

  afterAll(() => duck?.close());

  describe.each(layouts)(`TPC-H SF ${SF}, layout %s`, (_name, layout, slices) => {
    let keel: KeelTpch;
    beforeAll(async () => {
      keel = await KeelTpch.create(DATA, layout, slices);
    });
    afterAll(() => keel?.close());

    it.each(QUERIES)('q%i matches DuckDB', async (n) => {
      const sql = tpchQuery(n);
      const got = await keel.run(sql);
      const want = expected.get(n)!;
      expect(got.fields.map((f) => f.name)).toEqual(want.columns.map((c) => (/^(sum|count|avg|min|max)\(/.test(c) ? c.slice(0, c.indexOf('(')) : c)));
      expect(compareResults(got.rows, want.rows, { ordered: hasOrderBy(sql), scales: decimalScales(got.fields), blankPadded: charColumns(got.fields) })).toBeNull();
    });
  });
}
