/**
 * ANALYZE (storage/analyze.ts): per-column statistics over the visible rows,
 * stats_off back to 0, Redshift's 10 percent threshold, column lists.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-analyze-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const statsOff = async (db: Database) => Number((await db.query(`select stats_off from svv_table_info where "table" = 't'`)).rows()[0]![0]);

/** Rows id 0..n-1 with g = id % 7 (NULL when id % 10 = 0) and s = 'v' || (id % 50). */
const rows = (from: number, n: number) =>
  `insert into t select id, case when id % 10 = 0 then null else id % 7 end, 'v' || (id % 50) from (select ${from} + a * 100 + b as id from d100 x(a) cross join d100 y(b) where a * 100 + b < ${n}) q`;

describe('ANALYZE', () => {
  it('computes NULLs, distinct values, min and max of every column over the visible rows', async () => {
    const db = await Database.create(tmp(), { slices: 3, blockRows: 256 });
    try {
      await db.execute('create table d100 (v int)');
      await db.execute(`insert into d100 values ${[...Array(100).keys()].map((i) => `(${i})`).join(', ')}`);
      await db.execute('create table t (id int, g int, s varchar(8))');
      await db.execute(rows(0, 5000));
      await db.execute('delete from t where id >= 4000');
      expect(await statsOff(db)).toBe(100);
      await db.execute('analyze t');
      expect(await statsOff(db)).toBe(0);
      const stats = db.catalog().tables.t!.stats!;
      expect(stats.rows).toBe(4000);
      // HyperLogLog at p = 14: a standard error of 0.8 percent
      expect(Math.abs(stats.columns[0]!.distinct - 4000)).toBeLessThan(4000 * 0.03);
      expect(stats.columns).toEqual([
        { name: 'id', nulls: 0, distinct: stats.columns[0]!.distinct, min: 0, max: 3999 },
        { name: 'g', nulls: 400, distinct: 7, min: 0, max: 6 },
        { name: 's', nulls: 0, distinct: 50, min: 'v0', max: 'v9' },
      ]);
      // 5 percent changed: below the 10 percent threshold, ANALYZE leaves the statistics alone
      await db.execute(rows(10_000, 200));
      expect(await statsOff(db)).toBe(5);
      await db.execute('analyze t');
      expect(db.catalog().tables.t!.stats).toEqual(stats);
      // 15 percent: analyzed again
      await db.execute(rows(20_000, 400));
      expect(await statsOff(db)).toBe(15);
      await db.execute('analyze');
      expect(await statsOff(db)).toBe(0);
      expect(db.catalog().tables.t!.stats!.rows).toBe(4600);
      expect(db.catalog().tables.t!.stats!.columns.find((c) => c.name === 'id')!.max).toBe(20_399);
    } finally {
      db.close();
    }
  });

  it('a column list analyzes those columns and keeps the others', async () => {
    const db = await Database.create(tmp(), { slices: 2 });
    try {
      await db.execute('create table t (a int, b varchar(4)); insert into t values (1, \'x\'), (2, null), (3, \'y\')');
      await db.execute('analyze t (b)');
      expect(db.catalog().tables.t!.stats!.columns).toEqual([{ name: 'b', nulls: 1, distinct: 2, min: 'x', max: 'y' }]);
      // a column never analyzed is analyzed even though nothing changed
      await db.execute('analyze t (a)');
      expect(db.catalog().tables.t!.stats!.columns.map((c) => c.name)).toEqual(['b', 'a']);
      const out = await db.maintainInBackground('analyze t');
      expect(out).toEqual([{ action: 'analyze', kind: 'skipped', table: 't', reason: 'stats_off 0.00 is below analyze_threshold_percent (10)' }]);
    } finally {
      db.close();
    }
  });

  it('ANALYZE and ANALYZE COMPRESSION read segments written before ADD and DROP COLUMN through the table columns', async () => {
    const db = await Database.create(tmp(), { slices: 2, blockRows: 4 });
    try {
      await db.execute("create table t (a int, b varchar(4)); insert into t values (1, 'x'), (2, null), (3, 'y'), (4, 'x'), (5, 'z')");
      await db.execute('alter table t add column c int default 9');
      await db.execute("insert into t values (6, 'w', 10)");
      // the old files hold (a, b): a reader taking the table's columns by position would read b as d, a as c
      await db.execute('alter table t drop column b; alter table t add column d varchar(4)');
      await db.execute('analyze t');
      expect(db.catalog().tables.t!.stats!.columns).toEqual([
        { name: 'a', nulls: 0, distinct: 6, min: 1, max: 6 },
        { name: 'c', nulls: 0, distinct: 2, min: 9, max: 10 },
        { name: 'd', nulls: 6, distinct: 0, min: null, max: null },
      ]);
      const [report] = await db.execute('analyze compression t');
      expect(report!.rows().map((r) => r[1])).toEqual(['a', 'c', 'd']);
    } finally {
      db.close();
    }
  });

  it('ANALYZE COMPRESSION reports the smallest encoding per column and what it would save, changing nothing', async () => {
    const db = await Database.create(tmp(), { slices: 2, blockRows: 1024 });
    try {
      await db.execute('create table d100 (v int)');
      await db.execute(`insert into d100 values ${[...Array(100).keys()].map((i) => `(${i})`).join(', ')}`);
      await db.execute('create table t (id int encode raw, g int encode raw, s varchar(8) encode raw)');
      await db.execute(rows(0, 8000));
      const version = db.catalog().tables.t!.version;
      const [report] = await db.execute('analyze compression t');
      expect(report!.columns.map((c) => c.name)).toEqual(['table', 'column', 'encoding', 'est_reduction_pct']);
      const byColumn = new Map(report!.rows().map((r) => [String(r[1]), { encoding: String(r[2]), reduction: Number(r[3]) }]));
      expect([...byColumn.keys()]).toEqual(['id', 'g', 's']);
      // raw blocks: every column has a smaller encoding; 7 values of g and 50 strings in s shrink a lot
      for (const [, c] of byColumn) {
        expect(c.encoding).not.toBe('RAW');
        expect(c.reduction).toBeGreaterThan(0);
      }
      expect(byColumn.get('g')!.reduction).toBeGreaterThan(50);
      expect(byColumn.get('s')!.reduction).toBeGreaterThan(50);
      expect(db.catalog().tables.t!.version).toBe(version);
      // a column list and a sample size
      const [one] = await db.execute('analyze compression t (g) comprows 1000');
      expect(one!.rows().map((r) => r[1])).toEqual(['g']);
      await expect(db.execute('analyze compression t (nope)')).rejects.toMatchObject({ code: 'UNKNOWN_COLUMN' });
    } finally {
      db.close();
    }
  });
});
