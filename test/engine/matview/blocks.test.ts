/**
 * Rewrites inside a query (engine/matview/blocks.ts): a view answers an IN,
 * EXISTS or scalar subquery, a derived table, a WITH query or a branch of a
 * UNION, each block on its own, while it is fresh in the query's snapshot.
 * Answers must equal DuckDB's over the base tables through seeded random
 * inserts, deletes, updates and refreshes; EXPLAIN names the view per block
 * when it is fresh and never when it is stale; a correlated subquery and a
 * block reading a WITH query named like a base table are not rewritten;
 * mv_enable_aqmv_for_session turns it all off.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../helpers/oracle.js';
import { rng } from '../../helpers/random.js';
import { diffRows, factRows, keelAndDuck, randomChange } from './helpers.js';

const VIEWS: Record<string, { sql: string; tables: string[] }> = {
  // TPC-H Q18's shape: a key grouped with the sum a HAVING tests
  bk_by_k: { sql: 'select k, sum(v) as sv, count(*) as n from fact group by k', tables: ['fact'] },
  bk_by_name: { sql: 'select d.name, f.g, sum(f.v) as sv, count(*) as n, max(f.x) as mx from fact f join dim d on f.k = d.k group by d.name, f.g', tables: ['fact', 'dim'] },
};

/** Queries, the blocks views answer (EXPLAIN's lines, in order), and whether the order of rows is the query's. */
const NESTED: [string, [string, string][], boolean][] = [
  ['select k, g, v from fact where k in (select k from fact group by k having sum(v) > 300) order by k, g, v', [['bk_by_k', 'an IN subquery']], false],
  ['select d.name from dim d where exists (select k from fact group by k having sum(v) > 400) and d.k < 5', [['bk_by_k', 'an EXISTS subquery']], false],
  ['select d.k, (select sum(v) from fact) as total from dim d where d.k < 4', [['bk_by_k', 'a scalar subquery']], false],
  ['select t.k, t.total * 2 as twice from (select k, sum(v) as total from fact group by k) t where t.total > 100', [['bk_by_k', 'the derived table t']], false],
  ['with big as (select k, count(*) as n from fact group by k) select dim.name, big.n from big join dim on big.k = dim.k order by 1, 2', [['bk_by_k', 'the WITH query big']], true],
  [
    'with per as (select d.name, sum(f.v) as sv from fact f join dim d on f.k = d.k where f.g < 3 group by d.name) select name, sv from per where sv > (select avg(sv) from (select k, sum(v) as sv from fact group by k) x)',
    [['bk_by_name', 'the WITH query per'], ['bk_by_k', 'the derived table x']],
    false,
  ],
  ['select g, max(f.x) from fact f join dim d on f.k = d.k where d.name = \'n1\' group by g union all select k, sum(v) from fact group by k', [['bk_by_name', 'a branch of a set operation'], ['bk_by_k', 'a branch of a set operation']], false],
];

/** Queries with subqueries no view answers: correlated, or reading a WITH query named like a base table. */
const OTHERS = [
  'select d.k, (select sum(v) from fact f where f.k = d.k) as s from dim d',
  'select k from dim d where exists (select 1 from fact f where f.k = d.k group by f.k having sum(f.v) > 100)',
  'with fact as (select k, g, v from fact where g = 1) select k from dim where k in (select k from fact group by k having sum(v) > 50)',
];

describe('materialized views answering the blocks of a query', () => {
  const pair = keelAndDuck('keel-mvbk-');

  async function heads(sql: string): Promise<string[]> {
    return (await pair.db.query(`explain ${sql}`)).rows().map((r) => String(r[0])).filter((l) => l.startsWith('Materialized view'));
  }

  async function check(sql: string, ordered: boolean): Promise<void> {
    const got = (await pair.db.query(sql)).rows() as Value[][];
    const want = (await pair.duck.query(sql)).rows;
    expect(diffRows(got, want, ordered), sql).toBeNull();
  }

  it('answers subqueries, derived tables, WITH queries and UNION branches from fresh views only', async () => {
    const rand = rng(18);
    await pair.createBaseTables();
    await pair.both(`insert into fact values ${factRows(rand, 300)}`);
    await pair.both(`insert into dim values ${Array.from({ length: 30 }, (_, i) => `(${i}, 'n${i % 7}')`).join(', ')}`);
    for (const [name, v] of Object.entries(VIEWS)) await pair.db.query(`create materialized view ${name} as ${v.sql}`);
    const tables = Object.fromEntries(Object.entries(VIEWS).map(([n, v]) => [n, v.tables]));
    const fresh = new Set(Object.keys(VIEWS));
    let used = 0;
    let staleSeen = 0;
    for (let step = 0; step < 25; step++) {
      if (step > 0) await randomChange(pair, rand, tables, fresh);
      for (const [sql, blocks, ordered] of NESTED) {
        const want = blocks.filter(([view]) => fresh.has(view)).map(([view, where]) => `Materialized view ${view} answers ${where}:`);
        const got = (await heads(sql)).map((l) => l.slice(0, l.indexOf(':') + 1));
        expect(got, sql).toEqual(want);
        used += want.length;
        staleSeen += blocks.length - want.length;
        await check(sql, ordered);
      }
      for (const sql of OTHERS) {
        expect(await heads(sql), sql).toEqual([]);
        await check(sql, false);
      }
    }
    // both sides of the freshness check were exercised
    expect(used).toBeGreaterThan(40);
    expect(staleSeen).toBeGreaterThan(10);
  }, 180_000);

  it('reads the view\'s table in the subquery, and not at all with rewriting off', async () => {
    for (const name of Object.keys(VIEWS)) await pair.db.query(`refresh materialized view ${name}`);
    const sql = NESTED[0]![0];
    const plan = (await pair.db.query(`explain ${sql}`)).rows().map((r) => String(r[0])).join('\n');
    expect(plan).toMatch(/mv_tbl__bk_by_k__0/);
    await pair.db.query('set mv_enable_aqmv_for_session to off');
    expect(await heads(sql)).toEqual([]);
    const off = (await pair.db.query(`explain ${sql}`)).rows().map((r) => String(r[0])).join('\n');
    expect(off).not.toMatch(/mv_tbl__/);
    await check(sql, false);
    await pair.db.query('reset mv_enable_aqmv_for_session');
    expect(await heads(sql)).toHaveLength(1);
  });
});
