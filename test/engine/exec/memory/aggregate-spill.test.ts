/**
 * GROUP BY under a small memory limit: the hash aggregate's table stops
 * taking new groups and their rows go to partition files
 * (engine/exec/ops/aggregate-spill.ts). The groups are those of the same
 * query without a limit and DuckDB's; the statistics show files were written,
 * and none are left once the query ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../../engine/index.js';
import { compareResults } from '../../../helpers/oracle.js';
import { makeFixture, spillLeft, type Fixture } from './spill-fixture.js';

let fx: Fixture;
let unlimited: Database;
let limited: Database;

beforeAll(async () => {
  fx = await makeFixture('keel-agg-spill-');
  unlimited = await Database.open(fx.dir, { workers: 0 });
  limited = await Database.open(fx.dir, { workers: 0, memoryLimit: 1 << 20 });
}, 120_000);

afterAll(() => {
  unlimited?.close();
  limited?.close();
  fx?.close();
});

export const aggregateQueries: [string, string][] = [
  ['40,000 integer groups, several aggregates', 'select g, count(*), sum(x), min(s), max(id), avg(x) from t group by g'],
  ['30,011 string groups', 'select s, count(*), sum(g), max(x) from t group by s'],
  ['two keys with NULLs', 'select case when id % 11 = 0 then null else s end as s2, g % 100 as gm, count(*), sum(x) from t group by 1, 2'],
  ['COUNT(DISTINCT)', 'select g, count(distinct s) from t group by g'],
];

describe('hash aggregate spilling', () => {
  it.each(aggregateQueries)('%s: the unlimited run and DuckDB agree, and it spilled', async (_name, sql) => {
    const a = await unlimited.query(sql);
    const b = await limited.query(sql);
    expect(a.stats.spillFiles).toBe(0);
    expect(b.stats.spillFiles).toBeGreaterThan(0);
    expect(b.stats.bytesSpilled).toBeGreaterThan(0);
    expect(compareResults(b.rows(), a.rows(), { ordered: false })).toBeNull();
    const duck = await fx.duck.query(sql);
    expect(compareResults(b.rows(), duck.rows, { ordered: false, relTol: 1e-9 })).toBeNull();
    expect(spillLeft(fx.dir)).toEqual([]);
  });

  it('EXPLAIN ANALYZE counts the aggregate spill', async () => {
    const r = await limited.query('explain analyze select s, count(*) from t group by s');
    expect(r.rows().map((row) => row[0]).join('\n')).toMatch(/spilled \d+ bytes in \d+ files/);
  });
});
