/**
 * ORDER BY under a small memory limit spills sorted runs and merges them
 * (engine/exec/ops/external-sort.ts): the rows are those of the same query
 * without a limit, in the same order, and DuckDB's; the statistics show
 * files were written, and none are left once the query ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../../engine/index.js';
import { compareResults } from '../../../helpers/oracle.js';
import { makeFixture, spillLeft, type Fixture } from './spill-fixture.js';

let fx: Fixture;
let unlimited: Database;
let limited: Database;

beforeAll(async () => {
  fx = await makeFixture('keel-sort-spill-');
  unlimited = await Database.open(fx.dir, { workers: 0 });
  limited = await Database.open(fx.dir, { workers: 0, memoryLimit: 1 << 20 });
}, 120_000);

afterAll(() => {
  unlimited?.close();
  limited?.close();
  fx?.close();
});

// [name, query, bytes it must spill at least: the whole input, or for a top-N a run's first rows]
const queries: [string, string, number][] = [
  ['strings descending, NULLs first, then doubles', 'select id, g, case when id % 13 = 0 then null else s end as s2, x from t order by s2 desc nulls first, x, id', 1 << 20],
  ['integers and doubles, every column', 'select * from t order by x desc, g, id', 1 << 20],
  ['a top-N over spilled runs', 'select id, s, x from t where x < 100 order by s, id limit 500', 1],
];

describe('external sort', () => {
  it.each(queries)('%s: the unlimited run and DuckDB agree, and it spilled', async (_name, sql, minBytes) => {
    const a = await unlimited.query(sql);
    const b = await limited.query(sql);
    expect(a.stats.spillFiles).toBe(0);
    expect(b.stats.spillFiles).toBeGreaterThan(1);
    expect(b.stats.bytesSpilled).toBeGreaterThanOrEqual(minBytes);
    expect(b.rowCount).toBe(a.rowCount);
    expect(b.rows()).toEqual(a.rows());
    const duck = await fx.duck.query(sql);
    expect(compareResults(b.rows(), duck.rows, { ordered: true })).toBeNull();
    expect(spillLeft(fx.dir)).toEqual([]);
  });

  it('EXPLAIN ANALYZE shows what the sort spilled', async () => {
    const r = await limited.query('explain analyze select * from t order by s, id');
    const text = r.rows().map((row) => row[0]).join('\n');
    expect(text).toMatch(/spilled \d+ bytes in \d+ files/);
  });
});
