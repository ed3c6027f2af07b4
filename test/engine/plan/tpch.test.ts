/**
 * TPC-H SF 0.01: all 22 queries on keel against DuckDB, under three layouts
 * (every table EVEN, every table ALL, and hand-chosen distribution/sort keys),
 * so every join distribution strategy and aggregation path is exercised.
 * KEEL_TPCH_SF=0.1 runs the same at SF 0.1 (slower).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ALL, ALL_EVEN, KEYED, KeelTpch, decimalScales, type Layout } from '../../helpers/keel-tpch.js';
import { DuckOracle, compareResults, hasOrderBy, tpchQuery, TPCH_DIR, type DuckResult } from '../../helpers/oracle.js';

const SF = process.env.KEEL_TPCH_SF ?? '0.01';
const DATA = `${TPCH_DIR}/sf${SF}`;
const QUERIES = Array.from({ length: 22 }, (_, i) => i + 1);

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

const layouts: [string, Layout, number][] = [
  ['EVEN', ALL_EVEN, 4],
  ['ALL', ALL_ALL, 4],
  ['KEYED', KEYED, 4],
  ['KEYED, 3 slices', KEYED, 3],
];

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
    expect(compareResults(got.rows, want.rows, { ordered: hasOrderBy(sql), scales: decimalScales(got.fields) })).toBeNull();
  });
});
