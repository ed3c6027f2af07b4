/**
 * Top-N per partition: a filter that keeps a window's rows up to a rank
 * (ROW_NUMBER() or RANK() <= k) puts a Window Top node below the exchange
 * that brings the partitions together (or below the window, in place), so
 * each slice sends only its rows within the k smallest first ORDER BY keys of
 * their partition. EXPLAIN shows where; the rows moved shrink to about k per
 * partition and slice; answers are DuckDB's. Where another function of the
 * window reads past the current row, or the rank is not a limit, there is no cut.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';
import { DuckOracle, compareResults } from '../../helpers/oracle.js';

let db: Database;
let duck: DuckOracle;

const ROWS = 20_000;
/** Distinct values of g (and NULL): the partitions of most queries here. */
const GROUPS = 10;

beforeAll(async () => {
  db = await Database.open(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-window-limit-')), { slices: 4 });
  duck = await DuckOracle.create();
  await duck.redshiftSemantics();
  for (const [name, layout] of [
    ['tk', 'diststyle key distkey(g)'],
    ['te', 'diststyle even'],
  ] as const) {
    const ddl = `create table ${name} (id integer, g integer, k integer, v decimal(10,2))`;
    await db.execute(`${ddl} ${layout}`);
    await duck.run(ddl);
    // v repeats (ties), k has few values (long ties), g has a NULL partition
    const rows = Array.from({ length: ROWS }, (_, i) => `(${i}, ${i % 17 === 0 ? 'null' : i % (GROUPS - 1)}, ${(i * 13) % 7}, ${((i * 37) % 5_000) / 100})`);
    for (let f = 0; f < rows.length; f += 5000) {
      const values = rows.slice(f, f + 5000).join(',');
      await db.execute(`insert into ${name} values ${values}`);
      await duck.run(`insert into ${name} values ${values}`);
    }
  }
});

afterAll(() => {
  db?.close();
  duck?.close();
});

async function plan(sql: string): Promise<string[]> {
  return (await db.query(`explain ${sql}`)).rows().map((r) => String(r[0]));
}

async function sameAsDuck(sql: string, scales: number[]): Promise<{ rowsMoved: number }> {
  const r = await db.query(sql);
  expect(compareResults(r.rows() as never, (await duck.query(sql)).rows, { ordered: true, scales })).toBeNull();
  return r.stats;
}

describe('top-N per partition', () => {
  it('cuts each slice to its top rows per partition before the redistribution', async () => {
    const sql = 'select g, id, v from te qualify row_number() over (partition by g order by v desc, id) <= 2 order by g, v desc, id';
    const text = await plan(sql);
    const at = text.findIndex((l) => l.includes('Redistribute on (g)'));
    expect(text[at - 1]).toMatch(/XN Window partition by \(g\) order by \(v desc, id\), redistributed/);
    expect(text[at + 1]).toMatch(/->  XN Window Top 2 per partition by \(g\) on v desc/);
    const stats = await sameAsDuck(sql, [0, 0, 2]);
    // each slice sends at most its 2 largest v per partition, and their ties (v repeats every 5,000 rows)
    expect(stats.rowsMoved).toBeLessThanOrEqual(4 * GROUPS * 2 * 4);
    // the same query without the limit moves about 3/4 of the rows
    expect((await db.query('select g, id, row_number() over (partition by g order by v desc, id) from te')).stats.rowsMoved).toBeGreaterThan(ROWS / 2);
  });

  it('cuts below the window when it runs in place, and keeps every row that ties at the limit for RANK', async () => {
    const sql = 'select g, id, k, rank() over (partition by g order by k desc) as r from tk qualify r < 3 order by g, id';
    const text = await plan(sql);
    const at = text.findIndex((l) => l.includes('XN Window partition'));
    expect(text[at]).toMatch(/in place/);
    expect(text[at + 1]).toMatch(/->  XN Window Top 2 per partition by \(g\) on k desc/);
    expect(text.some((l) => l.includes('Redistribute'))).toBe(false);
    await sameAsDuck(sql, [0, 0, 0, 0]);
    // k takes 7 values: rank 1 is a seventh of each partition, and rank < 3 keeps exactly those rows
    const r = await db.query(sql);
    expect(r.rows().length).toBeGreaterThan(ROWS / 7 - GROUPS * 10);
  });

  it('cuts before the gather without PARTITION BY', async () => {
    const sql = 'select id, v, lag(id) over (order by v, id) as prev, sum(v) over (order by v, id) as running from te qualify 5 >= row_number() over (order by v, id) order by id';
    const text = await plan(sql);
    const at = text.findIndex((l) => l.includes('Gather to one slice'));
    expect(text[at + 1]).toMatch(/->  XN Window Top 5 on v/);
    const stats = await sameAsDuck(sql, [0, 2, 0, 2]);
    expect(stats.rowsMoved).toBeLessThanOrEqual(4 * 5 * 4);
  });

  it('does not cut where the window reads past the current row or the rank is no limit', async () => {
    for (const sql of [
      // a COUNT over the whole partition in the same window
      'select g, id, count(*) over (partition by g order by id rows between unbounded preceding and unbounded following) as c from te qualify row_number() over (partition by g order by id) <= 2 order by g, id',
      // LEAD reads the rows after
      'select g, id, lead(id) over (partition by g order by id) as nx from te qualify row_number() over (partition by g order by id) <= 2 order by g, id',
      // DENSE_RANK <= 2 can keep more than 2 rows' worth of keys
      'select g, id, k from te qualify dense_rank() over (partition by g order by k) <= 2 order by g, id',
      // a lower bound
      'select g, id from te qualify row_number() over (partition by g order by id) > 1990 order by g, id',
    ]) {
      expect((await plan(sql)).filter((l) => l.includes('Window')), sql).toEqual([expect.not.stringContaining('Window Top')]);
      await sameAsDuck(sql, [0, 0, 0]);
    }
  });

  it('takes a fractional limit as the binder compares it, in whole rows', async () => {
    for (const [sql, top] of [
      ['select g, id from te qualify row_number() over (partition by g order by id desc) <= 2.5 order by g, id', 2],
      ['select g, id from te qualify row_number() over (partition by g order by id desc) < 2.5 order by g, id', 2],
      // = 2.5 is rn = 2 and rn = 3, which no row meets
      ['select g, id from te qualify row_number() over (partition by g order by id desc) = 2.5 order by g, id', 2],
    ] as const) {
      expect((await plan(sql)).join('\n'), sql).toContain(`Window Top ${top} per partition`);
      await sameAsDuck(sql, [0, 0]);
    }
  });

  it('keeps nothing under a limit below 1', async () => {
    const sql = 'select id from te qualify row_number() over (partition by g order by id) < 1';
    expect((await plan(sql)).some((l) => l.includes('Window Top 0'))).toBe(true);
    const r = await db.query(sql);
    expect(r.rows()).toEqual([]);
    expect(r.stats.rowsMoved).toBe(0);
  });
});
