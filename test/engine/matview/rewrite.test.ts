/**
 * Automatic rewrite of exact matches (engine/matview/rewrite.ts): a query
 * whose FROM, WHERE and GROUP BY are a fresh view's reads the view, and its
 * answer equals DuckDB's over the base tables, through random inserts,
 * deletes and refreshes; a stale view is never read; EXPLAIN says which view
 * answered; mv_enable_aqmv_for_session turns it off.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../helpers/oracle.js';
import { rng } from '../../helpers/random.js';
import { diffRows, keelAndDuck } from './helpers.js';

const VIEWS: Record<string, string> = {
  rw_groups: 'select g, count(*) as n, sum(v) as sv, avg(v) as av, min(x) as mn from fact where k % 3 <> 0 group by g',
  rw_join: 'select dim.name, sum(fact.v) as sv, count(fact.x) as c from fact join dim on fact.k = dim.k group by dim.name',
  rw_rows: 'select f.k, f.v, d.name from fact f join dim d on f.k = d.k where f.g > 2',
};

/** Queries each view answers exactly (columns reordered, renamed, a subset; ORDER BY and LIMIT on top), and the view. */
const MATCHING: [string, string, boolean][] = [
  ['select g, count(*) as n, sum(v) as sv, avg(v) as av, min(x) as mn from fact where k % 3 <> 0 group by g', 'rw_groups', false],
  ['select avg(v), g from fact where k % 3 <> 0 group by g order by g', 'rw_groups', true],
  ['select min(x) as lowest, count(*) from fact where k % 3 <> 0 group by g order by 2 desc, lowest limit 3', 'rw_groups', false],
  ['select dim.name, count(fact.x) as cnt from fact join dim on fact.k = dim.k group by dim.name order by dim.name', 'rw_join', true],
  ['select d.name, f.k from fact f join dim d on f.k = d.k where f.g > 2', 'rw_rows', false],
];

/** Queries no view answers exactly: a different filter, a finer grouping, another aggregate. */
const OTHERS = [
  'select g, count(*) from fact where k % 3 = 0 group by g',
  'select g, max(x) from fact where k % 3 <> 0 group by g',
  'select g, s, count(*) from fact where k % 3 <> 0 group by g, s',
];

describe('automatic rewrite to materialized views', () => {
  const pair = keelAndDuck('keel-mvrw-');
  const { both } = pair;

  async function viewOfPlan(sql: string): Promise<string | null> {
    const lines = (await pair.db.query(`explain ${sql}`)).rows().map((r) => String(r[0]));
    const m = /^Materialized view (\S+) answers this query/.exec(lines[0]!);
    return m ? m[1]! : null;
  }

  async function check(sql: string, ordered: boolean): Promise<void> {
    const got = (await pair.db.query(sql)).rows() as Value[][];
    const want = (await pair.duck.query(sql)).rows;
    expect(diffRows(got, want, ordered), sql).toBeNull();
  }

  it('answers exact matches from fresh views only, with the base tables\' answer', async () => {
    const rand = rng(33);
    await pair.createBaseTables();
    const factRows = (n: number) =>
      Array.from({ length: n }, () => `(${Math.floor(rand() * 30)}, ${Math.floor(rand() * 5)}, ${rand() < 0.1 ? 'null' : (Math.floor(rand() * 10000) / 100).toFixed(2)}, ${rand() < 0.1 ? 'null' : Math.floor(rand() * 100) / 4}, '${'abc'[Math.floor(rand() * 3)]}')`).join(', ');
    await both(`insert into fact values ${factRows(150)}`);
    await both(`insert into dim values ${Array.from({ length: 30 }, (_, i) => `(${i}, 'n${i % 7}')`).join(', ')}`);
    for (const [name, sql] of Object.entries(VIEWS)) await pair.db.query(`create materialized view ${name} as ${sql}`);
    const fresh = new Set(Object.keys(VIEWS));
    let used = 0;
    for (let step = 0; step < 40; step++) {
      const r = rand();
      if (r < 0.3) {
        await both(`insert into fact values ${factRows(1 + Math.floor(rand() * 20))}`);
        fresh.clear();
      } else if (r < 0.4) {
        await both(`delete from fact where k = ${Math.floor(rand() * 30)}`);
        fresh.clear();
      } else {
        const name = Object.keys(VIEWS)[Math.floor(rand() * 3)]!;
        await pair.db.query(`refresh materialized view ${name}`);
        fresh.add(name);
      }
      for (const [sql, view, ordered] of MATCHING) {
        const answeredBy = await viewOfPlan(sql);
        expect(answeredBy, sql).toBe(fresh.has(view) ? view : null);
        if (answeredBy) used++;
        await check(sql, ordered);
      }
      for (const sql of OTHERS) {
        expect(await viewOfPlan(sql), sql).toBeNull();
        await check(sql, false);
      }
    }
    expect(used).toBeGreaterThan(20);
  }, 120_000);

  it('is off while mv_enable_aqmv_for_session is off', async () => {
    const [sql] = MATCHING[0]!;
    for (const name of Object.keys(VIEWS)) await pair.db.query(`refresh materialized view ${name}`);
    expect(await viewOfPlan(sql)).toBe('rw_groups');
    await pair.db.query('set mv_enable_aqmv_for_session to off');
    expect(await viewOfPlan(sql)).toBeNull();
    await check(sql, false);
    await pair.db.query('reset mv_enable_aqmv_for_session');
    expect(await viewOfPlan(sql)).toBe('rw_groups');
    // the scan is of the view's table: what the query record says it read
    const plan = (await pair.db.query(`explain ${sql}`)).rows().map((r) => String(r[0])).join('\n');
    expect(plan).toMatch(/Seq Scan on mv_tbl__rw_groups__0/);
    expect(plan).not.toMatch(/Seq Scan on fact/);
  });
});
