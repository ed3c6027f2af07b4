/**
 * Partial-join rewrites (engine/matview/partial-join.ts): a query joining a
 * fresh aggregate view's tables to other tables reads the view's groups,
 * joins them to those tables and aggregates again; its answer must equal
 * DuckDB's over the base tables through random inserts, deletes, updates and
 * refreshes. dim's keys repeat, so a view group meets several dim rows (the
 * multiplicity the re-aggregation must carry). A change to a table the view
 * does not read leaves it fresh (and the rewrite reads that table as it is
 * now); a stale view is never read; queries the view cannot answer run over
 * the base tables.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../helpers/oracle.js';
import { rng } from '../../helpers/random.js';
import { diffRows, keelAndDuck } from './helpers.js';

const VIEWS: Record<string, { sql: string; tables: string[] }> = {
  pj_fact: {
    sql: 'select k, g, sum(v) as sv, count(*) as n, avg(x) as ax, min(x) as mn, max(s) as ms, count(v) as cv from fact where v > 10 group by k, g',
    tables: ['fact'],
  },
  pj_join: { sql: 'select d.name, f.g, sum(f.v) as sv, count(*) as n, max(f.x) as mx from fact f join dim d on f.k = d.k group by d.name, f.g', tables: ['fact', 'dim'] },
};

/** Queries a partial join answers, the views that may answer each (the one with the fewest rows of those fresh does), and whether row order is the query's. */
const JOINS: [string, string[], boolean][] = [
  ['select d.name, sum(f.v), count(*), avg(f.x), min(f.x) from fact f join dim d on f.k = d.k where f.v > 10 group by d.name', ['pj_fact'], false],
  ['select d.name, f.g, max(f.s), count(f.v) from fact f, dim d where f.k = d.k and f.v > 10 and f.g in (1, 2) and d.name <> \'n2\' group by d.name, f.g order by 1, 2', ['pj_fact'], true],
  // other aliases, unqualified columns, a MIN over the joined table, no GROUP BY
  ['select count(*) as n, sum(v) as total, min(dim.name) as first from fact join dim on fact.k = dim.k where v > 10', ['pj_fact'], false],
  ['select d.name, sum(f.v) as sv from fact f join dim d on f.k = d.k where f.v > 10 group by d.name having count(*) > 5 order by sv desc, d.name limit 3', ['pj_fact'], true],
  // joined on another grouping column
  ['select d.name, sum(f.v) as sv, min(f.x) as mn from fact f join dim d on f.g = d.k where f.v > 10 group by d.name', ['pj_fact'], false],
  // the view's tables and conditions under other names: a roll-up the text comparison of rollup.ts misses
  ['select dim.name, sum(v) as sv, count(*) as n from dim, fact where dim.k = fact.k and g between 1 and 3 group by dim.name', ['pj_join'], false],
  ['select g, sum(v) as sv, avg(x) as ax from fact as t where t.v > 10 and t.k < 12 group by g', ['pj_fact'], false],
  ['select z.area, sum(f.v) as sv, count(*) as n, max(f.x) as mx from fact f join dim d on f.k = d.k join zone z on d.name = z.name group by z.area', ['pj_join'], false],
  ['select z.area, f.g, sum(f.v) as sv from fact f join dim d on f.k = d.k join zone z on d.name = z.name where f.v > 10 and z.area <> \'south\' group by z.area, f.g', ['pj_fact'], false],
];

/** Queries no view answers. */
const OTHERS = [
  // an aggregate of the joined table under the view groups' multiplicity, and one mixing both sides
  'select d.name, sum(d.k) from fact f join dim d on f.k = d.k where f.v > 10 group by d.name',
  'select d.name, sum(f.x * d.k) from fact f join dim d on f.k = d.k where f.v > 10 group by d.name',
  // a filter on a column the view does not group by
  'select d.name, sum(f.v) from fact f join dim d on f.k = d.k where f.v > 10 and f.x > 3 group by d.name',
  // the view's WHERE is not the query's
  'select d.name, count(*) from fact f join dim d on f.k = d.k where f.v > 20 group by d.name',
  'select d.name, sum(f.v) from fact f left join dim d on f.k = d.k where f.v > 10 group by d.name',
  'select d.name, count(distinct f.g) from fact f join dim d on f.k = d.k where f.v > 10 group by d.name',
  // not aggregated: one row per base row, which no view of groups holds
  'select d.name, f.g from fact f join dim d on f.k = d.k where f.v > 10',
  'select k, g from fact where v > 10',
  // joined on a column the view does not keep
  'select d.name, sum(f.v) from fact f join dim d on f.s = d.name where f.v > 10 group by d.name',
];

describe('partial-join rewrites to materialized views', () => {
  const pair = keelAndDuck('keel-mvpj-');
  const { both } = pair;

  async function viewOfPlan(sql: string): Promise<string | null> {
    const head = String((await pair.db.query(`explain ${sql}`)).rows()[0]![0]);
    const m = /^Materialized view (\S+) answers this query: (a partial join|a roll-up)/.exec(head);
    return m ? m[1]! : null;
  }

  async function check(sql: string, ordered: boolean): Promise<void> {
    const got = (await pair.db.query(sql)).rows() as Value[][];
    const want = (await pair.duck.query(sql)).rows;
    expect(diffRows(got, want, ordered), sql).toBeNull();
  }

  it('answers partial joins from fresh views only, with the base tables\' answer', async () => {
    const rand = rng(71);
    await pair.createBaseTables();
    await both('create table zone (name varchar(8), area varchar(8))');
    const factRows = (n: number) =>
      Array.from({ length: n }, () => `(${Math.floor(rand() * 30)}, ${Math.floor(rand() * 5)}, ${rand() < 0.1 ? 'null' : (Math.floor(rand() * 10000) / 100).toFixed(2)}, ${rand() < 0.1 ? 'null' : Math.floor(rand() * 100) / 4}, ${rand() < 0.1 ? 'null' : `'${'abc'[Math.floor(rand() * 3)]}'`})`).join(', ');
    // keys repeat: 40 dim rows over 30 keys
    const dimRows = (n: number) => Array.from({ length: n }, () => `(${Math.floor(rand() * 30)}, 'n${Math.floor(rand() * 7)}')`).join(', ');
    await both(`insert into fact values ${factRows(200)}`);
    await both(`insert into dim values ${dimRows(40)}`);
    await both(`insert into zone values ${Array.from({ length: 7 }, (_, i) => `('n${i}', '${['north', 'south', 'east'][i % 3]}')`).join(', ')}, ('n1', 'west')`);
    for (const [name, v] of Object.entries(VIEWS)) await pair.db.query(`create materialized view ${name} as ${v.sql}`);
    const fresh = new Set(Object.keys(VIEWS));
    const stale = (table: string) => {
      for (const [name, v] of Object.entries(VIEWS)) if (v.tables.includes(table)) fresh.delete(name);
    };
    const used = new Map<string, number>();
    for (let step = 0; step < 24; step++) {
      const r = rand();
      if (r < 0.2) {
        await both(`insert into fact values ${factRows(1 + Math.floor(rand() * 20))}`);
        stale('fact');
      } else if (r < 0.3) {
        await both(`delete from fact where k = ${Math.floor(rand() * 30)}`);
        stale('fact');
      } else if (r < 0.38) {
        await both(`update fact set g = (g + 1) % 5, v = v + 1 where k = ${Math.floor(rand() * 30)}`);
        stale('fact');
      } else if (r < 0.46) {
        await both(rand() < 0.5 ? `insert into dim values ${dimRows(3)}` : `delete from dim where k = ${Math.floor(rand() * 30)}`);
        stale('dim');
      } else if (r < 0.52) {
        await both(`update zone set area = '${['north', 'south', 'east', 'west'][Math.floor(rand() * 4)]}' where name = 'n${Math.floor(rand() * 7)}'`);
      } else {
        const name = Object.keys(VIEWS)[Math.floor(rand() * 2)]!;
        await pair.db.query(`refresh materialized view ${name}`);
        fresh.add(name);
      }
      for (const [sql, views, ordered] of JOINS) {
        const got = await viewOfPlan(sql);
        const eligible = views.filter((v) => fresh.has(v));
        if (eligible.length) {
          expect(eligible, sql).toContain(got);
          used.set(got!, (used.get(got!) ?? 0) + 1);
        } else {
          expect(got, sql).toBeNull();
        }
        await check(sql, ordered);
      }
      for (const sql of OTHERS) {
        expect(await viewOfPlan(sql), sql).toBeNull();
        await check(sql, false);
      }
    }
    expect(used.get('pj_fact') ?? 0).toBeGreaterThan(20);
    expect(used.get('pj_join') ?? 0).toBeGreaterThan(6);
  }, 180_000);

  it('says so in EXPLAIN, reads the view\'s table joined to the others, and is turned off by the setting', async () => {
    for (const name of Object.keys(VIEWS)) await pair.db.query(`refresh materialized view ${name}`);
    const sql = JOINS[0]![0];
    const plan = (await pair.db.query(`explain ${sql}`)).rows().map((r) => String(r[0]));
    expect(plan[0]).toMatch(/^Materialized view pj_fact answers this query: a partial join: the view covers 1 of the query's 2 tables and its conditions, d joined to its grouping columns, .*, and the view is fresh$/);
    const text = plan.join('\n');
    expect(text).toMatch(/Seq Scan on mv_tbl__pj_fact__0/);
    expect(text).toMatch(/Seq Scan on dim/);
    expect(text).not.toMatch(/Seq Scan on fact/);
    await pair.db.query('set mv_enable_aqmv_for_session to off');
    expect(await viewOfPlan(sql)).toBeNull();
    await check(sql, false);
    await pair.db.query('reset mv_enable_aqmv_for_session');
    expect(await viewOfPlan(sql)).toBe('pj_fact');
  });
});
