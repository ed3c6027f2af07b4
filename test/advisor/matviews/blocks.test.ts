/**
 * The blocks nested in mined queries (advisor/matviews/blocks.ts): TPC-H
 * Q18's IN subquery, a derived table, a WITH query and a UNION's branches are
 * mined as queries of their own, with their share of the query's time; a
 * correlated subquery (Q17's) and a block with a subquery of its own are not;
 * the candidates made from them answer the blocks.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attachWorkloadLog, Database } from '../../../index.js';
import { defaultConfig, type AutonomicsConfig } from '../../../advisor/autonomics/index.js';
import { candidatesOf, viewsStep, withBlocks, type MinedQuery } from '../../../advisor/matviews/index.js';
import { materializedViews } from '../../../engine/index.js';
import { fakeCatalog, fakeTable } from '../helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const catalog = fakeCatalog([
  fakeTable('lineitem', 6000, ['l_orderkey', 'l_quantity', 'l_partkey']),
  fakeTable('orders', 1500, ['o_orderkey', 'o_custkey', 'o_totalprice', 'o_orderdate']),
  fakeTable('customer', 150, ['c_custkey', 'c_name']),
  fakeTable('part', 200, ['p_partkey']),
]);

const Q18 =
  'select c_name, o_orderkey, sum(l_quantity) from customer, orders, lineitem where o_orderkey in (select l_orderkey from lineitem group by l_orderkey having sum(l_quantity) > 300) and c_custkey = o_custkey and o_orderkey = l_orderkey group by c_name, o_orderkey order by 1 limit 100';
const Q17 = 'select sum(l_quantity) from lineitem, part where p_partkey = l_partkey and l_quantity < (select 0.2 * avg(l_quantity) from lineitem where l_partkey = p_partkey)';

const mined = (sql: string): MinedQuery => ({ sql, fingerprint: `fp ${sql.slice(0, 20)}`, count: 4, totalMs: 1000, maxRows: 10, tables: [] });

describe('mining the blocks of queries', () => {
  it('mines an uncorrelated IN subquery with its share of the time', () => {
    const out = withBlocks([mined(Q18)], catalog);
    expect(out).toHaveLength(2);
    const b = out[1]!;
    expect(b.sql).toBe('select l_orderkey from lineitem group by l_orderkey having sum(l_quantity) > 300');
    expect(b.tables).toEqual(['lineitem']);
    expect(b.count).toBe(4);
    expect(b.fingerprint).toBe(out[0]!.fingerprint);
    // lineitem's rows against customer + orders + lineitem + lineitem
    expect(b.totalMs).toBeCloseTo((1000 * 6000) / (150 + 1500 + 6000 + 6000), 6);
  });

  it('mines derived tables, WITH queries and UNION branches, and not correlated or nested blocks', () => {
    const sqls = [
      'select t.k, t.n from (select l_partkey as k, count(*) as n from lineitem group by l_partkey) t where t.n > 2',
      'with big as (select o_custkey, sum(o_totalprice) as s from orders group by o_custkey) select c_name, s from big join customer on c_custkey = o_custkey',
      'select l_orderkey, sum(l_quantity) from lineitem group by 1 union all select o_orderkey, count(*) from orders group by 1',
      Q17,
      'select c_name from customer where c_custkey in (select o_custkey from orders where o_orderkey in (select l_orderkey from lineitem))',
    ];
    const blocks = withBlocks(sqls.map(mined), catalog).slice(sqls.length).map((q) => q.sql);
    expect(blocks).toEqual([
      'select l_partkey as k, count(*) as n from lineitem group by l_partkey',
      'select o_custkey, sum(o_totalprice) as s from orders group by o_custkey',
      'select l_orderkey, sum(l_quantity) from lineitem group by 1',
      'select o_orderkey, count(*) from orders group by 1',
      // the innermost subquery of the last one; the one holding it has a subquery, Q17's reads p_partkey of its outer query
      'select l_orderkey from lineitem',
    ]);
  });

  it('makes a candidate that answers Q18\'s subquery', () => {
    const cands = candidatesOf(withBlocks([mined(Q18)], catalog), catalog);
    const sub = cands.filter((c) => c.serves.some((q) => q.sql.startsWith('select l_orderkey from lineitem')));
    expect(sub.length).toBeGreaterThan(0);
    expect(sub.every((c) => c.tables.join() === 'lineitem')).toBe(true);
  });

  it('gives a Q18-shaped stream a view for its IN subquery, which the rewrite then reads', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mvblocks-'));
    dirs.push(dir);
    const db = await Database.open(dir, { slices: 2, workloadLog: false });
    const log = attachWorkloadLog(db);
    try {
      const items = Array.from({ length: 4000 }, (_, i) => `(${i % 500}, ${(i * 13) % 50})`).join(', ');
      const orders = Array.from({ length: 500 }, (_, i) => `(${i}, ${i % 40})`).join(', ');
      await db.execute(`create table li (ok int, qty int); create table ord (ok int, cust int); insert into li values ${items}; insert into ord values ${orders};`);
      const q = (n: number) => `select o.cust, o.ok, sum(l.qty) from ord o join li l on o.ok = l.ok where o.ok in (select ok from li group by ok having sum(qty) > ${200 + n}) group by o.cust, o.ok order by 1, 2`;
      for (let k = 0; k < 3; k++) await db.query('select count(*) from ord');
      for (let k = 0; k < 8; k++) await db.query(q(k % 4));
      log.flush();
      const d = defaultConfig();
      const config: AutonomicsConfig = { ...d, maxLoadAverage: 1e9, mining: { ...d.mining, minQueries: 1 }, views: { ...d.views, minSecondsPerDay: 1e-6 } };
      const made = (await viewsStep(db, config)).created;
      expect(made).toHaveLength(1);
      const view = materializedViews(db.catalog())[made[0]!.name]!;
      expect(view.sql).toMatch(/^select ok as g1, .*sum\(qty\).* from li group by ok$/);
      const head = (await db.query(`explain ${q(7)}`)).rows().map((r) => String(r[0]))[0];
      expect(head).toMatch(new RegExp(`^Materialized view ${view.name} answers an IN subquery: a roll-up`));
      const got = (await db.query(q(7))).rows();
      await db.query('set mv_enable_aqmv_for_session to off');
      expect(got).toEqual((await db.query(q(7))).rows());
      expect(got.length).toBeGreaterThan(0);
    } finally {
      log.close();
      db.close();
    }
  });
});
