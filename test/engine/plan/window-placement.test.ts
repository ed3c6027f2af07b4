/**
 * Where window functions run: in place on every slice when the input sits
 * hashed on a PARTITION BY column, after a redistribution on a partition key
 * otherwise, gathered to one slice without PARTITION BY. EXPLAIN says which,
 * execution counts the rows and bytes the exchange moved, the query record
 * logs the partition keys with the GROUP BY columns, and the answers are
 * DuckDB's whatever moved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, WhatIfPlanner, type QueryRecord, type TableLayout } from '../../../engine/index.js';
import { DuckOracle, compareResults } from '../../helpers/oracle.js';

let db: Database;
let duck: DuckOracle;
const records: QueryRecord[] = [];

const ROWS = 20_000;

beforeAll(async () => {
  db = await Database.open(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-window-')), { slices: 4 });
  duck = await DuckOracle.create();
  await duck.redshiftSemantics();
  for (const [name, layout] of [
    ['wk', 'diststyle key distkey(k)'],
    ['we', 'diststyle even'],
    ['wa', 'diststyle all'],
  ] as const) {
    const ddl = `create table ${name} (id integer, k integer, g integer, v decimal(10,2))`;
    await db.execute(`${ddl} ${layout}`);
    await duck.run(ddl);
    const rows = Array.from({ length: name === 'wa' ? 500 : ROWS }, (_, i) => `(${i}, ${(i * 7) % 1000}, ${i % 13 === 0 ? 'null' : i % 9}, ${((i * 37) % 10_000) / 100})`);
    for (let f = 0; f < rows.length; f += 5000) {
      const values = rows.slice(f, f + 5000).join(',');
      await db.execute(`insert into ${name} values ${values}`);
      await duck.run(`insert into ${name} values ${values}`);
    }
  }
  db.onQuery((r) => records.push(r));
});

afterAll(() => {
  db?.close();
  duck?.close();
});

async function plan(sql: string): Promise<string[]> {
  return (await db.query(`explain ${sql}`)).rows().map((r) => String(r[0]));
}

async function sameAsDuck(sql: string): Promise<{ rowsMoved: number; bytesMoved: number }> {
  const r = await db.query(sql);
  expect(compareResults(r.rows() as never, (await duck.query(sql)).rows, { ordered: true, scales: [0, 0, 0, 2] })).toBeNull();
  return r.stats;
}

describe('window placement', () => {
  it('runs in place on each slice when partitioned on the distribution key: nothing moves', async () => {
    const sql = 'select id, k, rank() over (partition by k order by id), sum(v) over (partition by k) from wk order by id';
    const text = await plan(sql);
    // two (PARTITION BY, ORDER BY): two windows, one above the other, both where the rows are
    expect(text.filter((l) => l.includes('Window'))).toEqual([
      expect.stringMatching(/XN Window partition by \(k\), in place/),
      expect.stringMatching(/XN Window partition by \(k\) order by \(id\), in place/),
    ]);
    expect(text.some((l) => l.includes('Redistribute') || l.includes('Gather'))).toBe(false);
    const stats = await sameAsDuck(sql);
    expect(stats.rowsMoved).toBe(0);
    expect(stats.bytesMoved).toBe(0);
  });

  it('redistributes on the partition key otherwise, and counts what moved', async () => {
    const sql = 'select id, g, row_number() over (partition by g order by id), sum(v) over (partition by g order by id rows 2 preceding) from wk order by id';
    const text = await plan(sql);
    const at = text.findIndex((l) => l.includes('Window'));
    expect(text[at]).toMatch(/XN Window partition by \(g\) order by \(id\), redistributed/);
    expect(text[at + 1]).toMatch(/->  XN Redistribute on \(g\)/);
    const stats = await sameAsDuck(sql);
    // about 3/4 of the rows leave their slice; each carries id, g and v (4 + 4 + 8 bytes and NULL bits)
    expect(stats.rowsMoved).toBeGreaterThan(ROWS / 2);
    expect(stats.rowsMoved).toBeLessThan(ROWS);
    expect(stats.bytesMoved).toBeGreaterThan(stats.rowsMoved * 16);
    const analyzed = (await db.query(`explain analyze ${sql}`)).rows().map((r) => String(r[0]));
    expect(analyzed.find((l) => l.includes('Redistribute on (g)'))).toMatch(/moved rows=[1-9][\d,]* bytes=[1-9][\d,]*/);
  });

  it('redistributes an EVEN table on the partition key, and runs in place on a GROUP BY over that key', async () => {
    const redistributed = 'select id, k, lag(id) over (partition by k order by id) from we order by id';
    expect((await plan(redistributed)).find((l) => l.includes('Window'))).toMatch(/partition by \(k\) order by \(id\), redistributed/);
    expect((await sameAsDuck(redistributed)).rowsMoved).toBeGreaterThan(ROWS / 2);
    // GROUP BY k leaves the groups hashed on k: the window over them needs no second move
    const grouped = 'select k, sum(v), rank() over (partition by k order by sum(v)) from we group by k order by k';
    const text = await plan(grouped);
    expect(text.find((l) => l.includes('Window'))).toMatch(/partition by \(k\) order by \(.*\), in place/);
    expect(text.filter((l) => l.includes('Redistribute'))).toHaveLength(1);
    await sameAsDuck(grouped);
  });

  it('gathers to one slice without PARTITION BY', async () => {
    const sql = 'select id, sum(v) over (order by id), row_number() over (order by v desc, id) from wk order by id';
    const text = await plan(sql);
    // the lower window gathers the rows; the upper one finds them on one slice
    expect(text.filter((l) => l.includes('Window'))).toEqual([
      expect.stringMatching(/XN Window order by \(v desc, id\), in place/),
      expect.stringMatching(/XN Window order by \(id\), gathered/),
    ]);
    const at = text.findIndex((l) => l.includes('gathered'));
    expect(text[at + 1]).toMatch(/->  XN Gather to one slice/);
    const stats = await sameAsDuck(sql);
    expect(stats.rowsMoved).toBeGreaterThan(ROWS / 2);
  });

  it('reads one copy of a replicated table and moves nothing', async () => {
    const sql = 'select id, k, count(*) over (partition by k), dense_rank() over (order by g, id) from wa order by id';
    const text = await plan(sql);
    expect(text.some((l) => l.includes('One copy of a replicated input'))).toBe(true);
    expect(text.filter((l) => l.includes('Window')).every((l) => l.endsWith('in place  (rows=500)'))).toBe(true);
    expect((await sameAsDuck(sql)).rowsMoved).toBe(0);
  });

  it('sorts once per (PARTITION BY, ORDER BY), however many functions share it', async () => {
    const sql = 'select id, rank() over w, dense_rank() over w, lag(v) over w, sum(v) over (w rows 1 preceding), first_value(id) over w from wk window w as (partition by k order by id) order by id';
    expect((await plan(sql)).filter((l) => l.includes('Window'))).toHaveLength(1);
    await sameAsDuck(sql);
  });

  it('moves a condition on the partition key below the window, and keeps others above it', async () => {
    const pushed = 'select * from (select id, g, row_number() over (partition by g order by id) rn from wk) t where g = 3 order by id';
    const text = await plan(pushed);
    // the condition filters the scan: the window and the exchange under it see one partition
    expect(text.find((l) => l.includes('Seq Scan'))).toContain('filter');
    await sameAsDuck(pushed);
    const kept = 'select * from (select id, g, row_number() over (partition by g order by id) rn from wk) t where id < 100 order by id';
    const keptText = await plan(kept);
    expect(keptText.find((l) => l.includes('Seq Scan'))).not.toContain('filter');
    await sameAsDuck(kept);
  });

  it('prices a window for the advisor as it prices a GROUP BY: free on a table distributed on its partition key', () => {
    // the distribution advisor re-plans the workload's statements under candidate layouts (advisor/distkey/what-if.ts)
    const sqls = ['select id, sum(v) over (partition by g order by id) from we', 'select g, sum(v) from we group by g'];
    const w = new WhatIfPlanner(db, sqls);
    const byG = new Map<string, TableLayout>([['we', { style: 'key', key: 'g' }]]);
    const even = new Map<string, TableLayout>();
    const windowEven = w.bytesMoved(0, even);
    expect(windowEven).toBeGreaterThan(ROWS * 8);
    expect(w.bytesMoved(0, byG)).toBe(0);
    // the GROUP BY moves only its partial groups, far less than the window's rows
    expect(w.bytesMoved(1, byG)).toBe(0);
    expect(w.bytesMoved(1, even)).toBeLessThan(windowEven / 100);
  });

  it('logs the partition keys with the GROUP BY columns in the query record', async () => {
    records.length = 0;
    // (g, k) holds the distribution key k: rows equal on both sit together already
    await db.query('select id, sum(v) over (partition by g, k order by id) from wk');
    await db.query('select id, sum(v) over (partition by g order by id) from wk');
    const [inPlace, moved] = records.filter((x) => x.command === 'SELECT');
    expect(inPlace!.groupBy).toEqual(['wk.g', 'wk.k']);
    expect(inPlace!.bytesMoved).toBe(0);
    expect(moved!.groupBy).toEqual(['wk.g']);
    expect(moved!.bytesMoved).toBeGreaterThan(0);
  });
});
