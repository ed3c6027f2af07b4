/**
 * Grouping sets are planned as one pass over their input (plan/rules/grouping-sets.ts):
 * one scan, partial states at the finest grouping expanded to every set, or the
 * rows expanded into one (set, keys) aggregate; rows move as for a plain GROUP
 * BY. Checked on the plan text, on the rows moved, and against DuckDB for each
 * layout; and the query record lists the grouping keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, WorkloadStore } from '../../../index.js';
import { DuckOracle, compareResults } from '../../helpers/oracle.js';

let dir: string;
let db: Database;
let duck: DuckOracle;

const LAYOUTS: Record<string, string> = {
  key: 'diststyle key distkey(k)',
  even: 'diststyle even',
  all: 'diststyle all',
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-gsets-'));
  db = await Database.open(dir, { slices: 4 });
  duck = await DuckOracle.create();
  await duck.redshiftSemantics();
  const rows = Array.from({ length: 20_000 }, (_, i) => `(${i % 500}, ${i % 7 === 3 ? 'null' : i % 7}, ${i % 3}, ${(i * 37) % 1000}, 's${i % 11}')`);
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    const ddl = `create table t_${name} (k integer, g integer, h integer, v integer, s varchar(10))`;
    await db.execute(`${ddl} ${layout}`);
    await duck.run(ddl);
    for (let f = 0; f < rows.length; f += 5000) {
      const values = rows.slice(f, f + 5000).join(',');
      await db.execute(`insert into t_${name} values ${values}`);
      await duck.run(`insert into t_${name} values ${values}`);
    }
  }
});

afterAll(() => {
  db?.close();
  duck?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function explain(sql: string): Promise<string[]> {
  return (await db.query(`explain ${sql}`)).rows().map((r) => String(r[0]));
}

async function matchesDuckDb(sql: string): Promise<{ rowsMoved: number }> {
  const r = await db.query(sql);
  expect(compareResults(r.rows() as never, (await duck.query(sql)).rows, { ordered: false })).toBeNull();
  return { rowsMoved: r.stats.rowsMoved };
}

const count = (plan: readonly string[], text: string): number => plan.filter((l) => l.includes(text)).length;
/** The plan's lines from the top down: the index of the first line containing text. */
const at = (plan: readonly string[], text: string): number => plan.findIndex((l) => l.includes(text));

describe('grouping sets are one pass', () => {
  it.each(Object.keys(LAYOUTS))('ROLLUP over %s: one scan, a partial aggregate at the finest grouping, expanded to 3 sets, merged', async (layout) => {
    const sql = `select g, h, count(*), sum(v), avg(v), min(s), max(v) from t_${layout} group by rollup(g, h)`;
    const plan = await explain(sql);
    expect(count(plan, 'Seq Scan')).toBe(1);
    expect(count(plan, 'Partial HashAggregate')).toBe(1);
    expect(count(plan, 'Expand to 3 grouping sets')).toBe(1);
    expect(count(plan, 'Final HashAggregate')).toBe(1);
    // the partial aggregate reads the scan; the expand reads the partial states
    expect(at(plan, 'Expand')).toBeLessThan(at(plan, 'Partial HashAggregate'));
    if (layout !== 'all') {
      // no key is in every set (the grand total): the expanded states move, hashed on the keys
      expect(at(plan, 'Redistribute')).toBeGreaterThan(at(plan, 'Final HashAggregate'));
      expect(at(plan, 'Redistribute')).toBeLessThan(at(plan, 'Expand'));
    } else {
      expect(count(plan, 'Redistribute')).toBe(0);
    }
    await matchesDuckDb(sql);
  });

  it('a key in every set moves the partial states once, by that key, before they expand', async () => {
    const sql = 'select g, h, count(*), sum(v) from t_even group by g, rollup(h)';
    const plan = await explain(sql);
    expect(at(plan, 'Redistribute on (g)')).toBeGreaterThan(at(plan, 'Expand'));
    expect(at(plan, 'Redistribute on (g)')).toBeLessThan(at(plan, 'Partial HashAggregate'));
    await matchesDuckDb(sql);
  });

  it('rows already distributed on a key every set holds stay in place', async () => {
    const sql = 'select k, g, count(*), sum(v) from t_key group by k, cube(g, h)';
    const plan = await explain(sql);
    expect(count(plan, 'Redistribute')).toBe(0);
    expect(count(plan, 'Gather')).toBe(0);
    const { rowsMoved } = await matchesDuckDb(sql);
    expect(rowsMoved).toBe(0);
  });

  it('aggregates without partial states expand the rows into one complete aggregate over (set, keys)', async () => {
    const sql = 'select g, h, count(distinct v), median(v), count(*) from t_even group by rollup(g, h)';
    const plan = await explain(sql);
    expect(count(plan, 'Partial')).toBe(0);
    expect(count(plan, 'Seq Scan')).toBe(1);
    expect(at(plan, 'XN HashAggregate')).toBeLessThan(at(plan, 'Redistribute'));
    expect(at(plan, 'Redistribute')).toBeLessThan(at(plan, 'Expand'));
    await matchesDuckDb(sql);
  });

  it('the grand total of an empty input is one row on every layout, as GROUP BY () makes it', async () => {
    for (const layout of Object.keys(LAYOUTS)) {
      const cases: [string, number][] = [
        [`select g, count(*), sum(v), count(distinct v) from t_${layout} where v < 0 group by rollup(g)`, 1],
        [`select g, count(*), sum(v) from t_${layout} where v < 0 group by grouping sets ((g), (), ())`, 2],
        [`select count(*), count(distinct v) from t_${layout} where v < 0 group by cube(g, h)`, 1],
      ];
      for (const [sql, rows] of cases) {
        expect((await db.query(sql)).rows()).toHaveLength(rows);
        await matchesDuckDb(sql);
      }
    }
  });

  it('an empty set with rows on every slice makes one row, not one per slice', async () => {
    for (const layout of Object.keys(LAYOUTS)) {
      const sql = `select g, count(*), sum(v) from t_${layout} group by grouping sets ((g), ())`;
      await matchesDuckDb(sql);
      const totals = (await db.query(sql)).rows().filter((r) => r[1] === 20_000);
      expect(totals).toHaveLength(1);
    }
  });

  it('the query record lists the grouping keys, not the set number', async () => {
    await db.query('select g, h, sum(v) from t_even group by cube(g, h)');
    await db.query('select g, count(distinct v) from t_even group by rollup(g)');
    const recent = [...new WorkloadStore(dir).records()].filter((r) => r.command === 'SELECT' && !r.sql.startsWith('explain')).slice(-2);
    expect(recent[0]!.groupBy).toEqual(['t_even.g', 't_even.h']);
    expect(recent[1]!.groupBy).toEqual(['t_even.g']);
  });
});
