/**
 * Roll-up rewrites (engine/matview/rollup.ts): a query grouping a fresh
 * view's FROM by fewer of its grouping expressions, with filters on them,
 * reads the view's rows and aggregates them again; its answer must equal
 * DuckDB's over the base tables through random inserts, deletes, updates and
 * refreshes. A stale view is never read; queries a view cannot answer
 * (another filter, an aggregate it lacks, COUNT DISTINCT) run over the base
 * tables; EXPLAIN says which view answered and that it was a roll-up.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../engine/database.js';
import { DuckOracle, compareResults, type Value } from '../../helpers/oracle.js';
import { rng } from '../../helpers/random.js';

const VIEWS: Record<string, { sql: string; tables: string[] }> = {
  ru_fine: {
    sql: 'select k, g, s, count(*) as n, sum(v) as sv, avg(v) as av, min(x) as mn, max(x) as mx, count(x) as cx, sum(x) as sx from fact where v > 10 group by k, g, s',
    tables: ['fact'],
  },
  ru_join: { sql: 'select d.name, f.g, sum(f.v) as sv, count(*) as n, avg(f.x) as ax, max(f.s) as ms from fact f join dim d on f.k = d.k group by d.name, f.g', tables: ['fact', 'dim'] },
};

/** Queries a view answers by a roll-up, the view, and whether the order of rows is the query's. */
const ROLLUPS: [string, string, boolean][] = [
  ['select g, sum(v), count(*), avg(v), min(x), max(x) from fact where v > 10 group by g', 'ru_fine', false],
  ['select s, avg(x) as ax, count(x) from fact where v > 10 and g in (1, 2) group by s order by s', 'ru_fine', true],
  ['select count(*) as n, sum(v) as total, avg(v) as mean, max(x) as top from fact where v > 10', 'ru_fine', false],
  // a filter no group passes: COUNT is 0 and SUM NULL, as over no rows
  ['select count(*) as n, sum(v) as total, min(x) as low from fact where v > 10 and k > 1000', 'ru_fine', false],
  ['select g + 1 as h, sum(v) - min(x) as d from fact where v > 10 and s <> \'b\' group by g + 1 order by 1', 'ru_fine', true],
  ['select g, sum(v) as sv from fact where v > 10 group by g having count(*) > 3 order by sv desc limit 2', 'ru_fine', true],
  ['select k, g, avg(x) as a from fact where v > 10 and k between 3 and 20 group by k, g', 'ru_fine', false],
  ['select d.name, avg(f.x) as ax, count(*) as n from fact f join dim d on f.k = d.k group by d.name', 'ru_join', false],
  ['select f.g, count(*), sum(f.v), max(f.s) from fact f join dim d on f.k = d.k where d.name = \'n3\' group by f.g', 'ru_join', false],
];

/** Queries no view answers. */
const OTHERS = [
  'select g, count(distinct k) from fact where v > 10 group by g',
  'select g, sum(v) from fact where v > 10 and x > 3 group by g',
  'select g, sum(v) from fact group by g',
  'select g, sum(k) from fact where v > 10 group by g',
  'select f.g, min(f.v) from fact f join dim d on f.k = d.k group by f.g',
  // not aggregated: a row per base row, not per group of the view
  'select k, g from fact where v > 10 and g < 3',
];

describe('roll-up rewrites to materialized views', () => {
  let dir: string;
  let db: Database;
  let duck: DuckOracle;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mvru-'));
    db = await Database.open(dir, { slices: 3, workers: 0 });
    duck = await DuckOracle.create();
    await duck.redshiftSemantics();
  });
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function both(sql: string): Promise<void> {
    await db.query(sql);
    await duck.run(sql);
  }

  async function explained(sql: string): Promise<string> {
    return (await db.query(`explain ${sql}`)).rows()[0]![0] as string;
  }

  async function check(sql: string, ordered: boolean): Promise<void> {
    const got = (await db.query(sql)).rows() as Value[][];
    const want = (await duck.query(sql)).rows;
    expect(compareResults(got, want, { ordered, relTol: 1e-9, absTol: 1e-6 }), sql).toBeNull();
  }

  it('answers roll-ups from fresh views only, with the base tables\' answer', async () => {
    const rand = rng(48);
    await both('create table fact (k integer, g integer, v decimal(10,2), x double precision, s varchar(4))');
    await both('create table dim (k integer, name varchar(8))');
    const factRows = (n: number) =>
      Array.from({ length: n }, () => `(${Math.floor(rand() * 30)}, ${Math.floor(rand() * 5)}, ${rand() < 0.1 ? 'null' : (Math.floor(rand() * 10000) / 100).toFixed(2)}, ${rand() < 0.1 ? 'null' : Math.floor(rand() * 100) / 4}, ${rand() < 0.1 ? 'null' : `'${'abc'[Math.floor(rand() * 3)]}'`})`).join(', ');
    await both(`insert into fact values ${factRows(200)}`);
    await both(`insert into dim values ${Array.from({ length: 30 }, (_, i) => `(${i}, 'n${i % 7}')`).join(', ')}`);
    for (const [name, v] of Object.entries(VIEWS)) await db.query(`create materialized view ${name} as ${v.sql}`);
    const fresh = new Set(Object.keys(VIEWS));
    const stale = (table: string) => {
      for (const [name, v] of Object.entries(VIEWS)) if (v.tables.includes(table)) fresh.delete(name);
    };
    let used = 0;
    for (let step = 0; step < 30; step++) {
      const r = rand();
      if (r < 0.25) {
        await both(`insert into fact values ${factRows(1 + Math.floor(rand() * 20))}`);
        stale('fact');
      } else if (r < 0.35) {
        await both(`delete from fact where k = ${Math.floor(rand() * 30)}`);
        stale('fact');
      } else if (r < 0.45) {
        await both(`update fact set g = (g + 1) % 5, x = x + 1 where k = ${Math.floor(rand() * 30)}`);
        stale('fact');
      } else if (r < 0.5) {
        await both(`update dim set name = 'n${Math.floor(rand() * 7)}' where k = ${Math.floor(rand() * 30)}`);
        stale('dim');
      } else {
        const name = Object.keys(VIEWS)[Math.floor(rand() * 2)]!;
        await db.query(`refresh materialized view ${name}`);
        fresh.add(name);
      }
      for (const [sql, view, ordered] of ROLLUPS) {
        const head = await explained(sql);
        if (fresh.has(view)) {
          expect(head, sql).toMatch(new RegExp(`^Materialized view ${view} answers this query: a roll-up`));
          used++;
        } else {
          expect(head, sql).not.toMatch(/^Materialized view/);
        }
        await check(sql, ordered);
      }
      for (const sql of OTHERS) {
        expect(await explained(sql), sql).not.toMatch(/^Materialized view/);
        await check(sql, false);
      }
    }
    expect(used).toBeGreaterThan(40);
  }, 180_000);

  it('reads the view\'s table, not the base tables', async () => {
    for (const name of Object.keys(VIEWS)) await db.query(`refresh materialized view ${name}`);
    const plan = (await db.query(`explain ${ROLLUPS[0]![0]}`)).rows().map((r) => String(r[0])).join('\n');
    expect(plan).toMatch(/Seq Scan on mv_tbl__ru_fine__0/);
    expect(plan).not.toMatch(/Seq Scan on fact/);
    await db.query('set mv_enable_aqmv_for_session to off');
    expect(await explained(ROLLUPS[0]![0])).not.toMatch(/^Materialized view/);
    await db.query('reset mv_enable_aqmv_for_session');
  });
});
