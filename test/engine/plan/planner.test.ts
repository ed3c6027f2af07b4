/** Plan shapes: what the binder's plans become physically (join kinds, distribution actions, scan filters and zone maps). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiniDb } from '../../helpers/mini-db.js';
import type { PlanNode } from '../../../engine/plan/physical.js';
import { childrenOf } from '../../../engine/plan/physical.js';
import { explainText } from '../../../engine/plan/explain.js';

let db: MiniDb;

beforeAll(async () => {
  db = await MiniDb.create(4, 4);
  const rows = Array.from({ length: 64 }, (_, i) => [i, i % 8, i * 1.5, `v${i % 5}`, `2020-01-${String((i % 28) + 1).padStart(2, '0')}`]);
  await db.table('create table f (id integer, k integer, amt decimal(10,2), tag varchar(8), day date)', rows, { style: 'key', key: 'id', sortKey: ['id'] }, false);
  await db.table('create table g (id integer, k integer, name varchar(8))', rows.map((r) => [r[0], r[1], r[3]]), { style: 'key', key: 'id' }, false);
  await db.table('create table dim (k integer, label varchar(8))', Array.from({ length: 8 }, (_, i) => [i, `k${i}`]), { style: 'all' }, false);
  await db.view('fv', 'select id, k, amt from f');
});

afterAll(() => db?.close());

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...childrenOf(plan).flatMap(nodes)];
}

function joins(sql: string) {
  return nodes(db.plan(sql)).filter((n): n is Extract<PlanNode, { op: 'join' }> => n.op === 'join');
}

function scans(sql: string) {
  return nodes(db.plan(sql)).filter((n): n is Extract<PlanNode, { op: 'scan' }> => n.op === 'scan');
}

describe('planner', () => {
  it('estimates a range on an integer column by the values it keeps: k >= max keeps the rows equal to max', () => {
    // k takes 0..7, 8 rows each
    const est = (where: string) => scans(`select id from f where ${where}`)[0]!.estRows;
    expect(est('k >= 7')).toBe(8);
    expect(est('k > 6')).toBe(8);
    expect(est('k < 1')).toBe(8);
    expect(est('k <= 0')).toBe(8);
    expect(est('k between 2 and 3')).toBe(16);
    expect(est('7 <= k')).toBe(8);
  });

  it('joins co-located KEY tables without moving rows, and ALL tables where they are', () => {
    expect(joins('select * from f join g on f.id = g.id').map((j) => j.action)).toEqual(['DS_DIST_NONE']);
    expect(joins('select * from f join dim on f.k = dim.k').map((j) => j.action)).toEqual(['DS_DIST_ALL_NONE']);
  });

  it('turns EXISTS / NOT EXISTS / IN / NOT IN into semi, anti and null-aware anti joins', () => {
    expect(joins('select id from f where exists (select 1 from g where g.id = f.id and g.k <> f.k)').map((j) => [j.type, j.residual !== null])).toEqual([['semi', true]]);
    expect(joins('select id from f where not exists (select 1 from g where g.id = f.id)').map((j) => j.type)).toEqual(['anti']);
    expect(joins('select id from f where k in (select k from dim)').map((j) => j.type)).toEqual(['semi']);
    expect(joins('select id from f where k not in (select k from dim)').map((j) => j.type)).toEqual(['antiNullAware']);
  });

  it('turns scalar subqueries into single joins, correlated aggregates into grouped left joins', () => {
    expect(joins('select id, (select max(k) from dim) from f').map((j) => j.type)).toEqual(['single']);
    const j = joins('select id from f where amt > (select avg(amt) from f f2 where f2.k = f.k)');
    expect(j.map((x) => x.type)).toEqual(['left']);
    expect(nodes(j[0]!.right).some((n) => n.op === 'aggregate')).toBe(true);
  });

  it('pulls the condition every OR branch shares into a join key (TPC-H q19)', () => {
    const sql = "select * from f, g where (f.id = g.id and g.name = 'v1') or (f.id = g.id and f.amt > 10)";
    expect(joins(sql).map((j) => [j.type, j.leftKeys.length])).toEqual([['inner', 1]]);
  });

  it('pushes the restrictions an OR implies for one table into its scan', () => {
    const sql = "select * from f, g where f.id = g.id and ((f.k = 1 and g.name = 'v1') or (f.k = 2 and g.name = 'v2'))";
    const s = scans(sql);
    expect(s.every((x) => x.filter !== null)).toBe(true);
  });

  it('pushes filters through views, derived tables, CTEs and outer joins into scans (with zone maps)', () => {
    for (const sql of [
      'select * from fv where id > 40',
      'select * from (select id, amt * 2 as a2 from f) x where id > 40',
      'with q as (select id, amt from f) select * from q where id > 40',
      'select * from f left join g on f.id = g.id where f.id > 40',
      'select k, n from (select k, count(*) n from f group by k) x where k = 3',
    ]) {
      const f = scans(sql).find((s) => s.table.name === 'f')!;
      expect(f.zone.length, sql).toBeGreaterThan(0);
    }
  });

  it('compares a date column with a timestamp constant as dates (zone maps stay usable)', () => {
    const f = scans("select id from f where day <= date '2020-01-20' - interval '3' day")[0]!;
    expect(f.zone).toEqual([{ column: expect.any(Number), op: 'le', value: 18278 }]);
  });

  it('keeps the DECIMAL scale of the column for constants of another scale', () => {
    const f = scans('select id from f where amt < 24 and amt >= 1.005')[0]!;
    expect(f.zone.map((z) => [z.op, z.value])).toEqual([['lt', 2400], ['ge', 101]]);
  });

  it('reads IN-list constants at the column scale', () => {
    const f = scans('select id from f where amt in (1.5, 3.000, 4.125)')[0]!;
    expect(f.zone).toEqual([{ column: expect.any(Number), op: 'in', value: 150, values: [150, 300] }]);
  });

  it('plans INTERSECT and EXCEPT', () => {
    expect(joins('select k from f intersect select k from dim').map((j) => j.type)).toEqual(['semi']);
    expect(joins('select k from f except select k from dim').map((j) => j.type)).toEqual(['anti']);
  });

  it('names EXPLAIN output after the query', () => {
    const text = explainText(db.plan('select k, count(*) from f group by k'));
    expect(text).toMatch(/HashAggregate/);
    expect(db.plan('select k as key, count(*) from f group by k').fields.map((f) => f.name)).toEqual(['key', 'count']);
  });
});
