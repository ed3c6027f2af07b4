/**
 * The join order weighs what a join moves and hands upward in bytes (rows
 * times the width of the columns carried), not in rows alone: a wide
 * relation joins last, after the co-located joins, so its columns never
 * cross slices and the aggregate above can run where the rows are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiniDb } from '../../helpers/mini-db.js';
import { compareResults, type Value } from '../../helpers/oracle.js';
import type { PlanNode } from '../../../engine/plan/physical.js';
import { childrenOf } from '../../../engine/plan/physical.js';

let db: MiniDb;

const SQL = `select c.id, c.name, c.addr, c.note, sum(i.price) as total
  from cust c, ord o, item i
  where c.id = o.cust and i.ord = o.id and o.day < 100 and i.price > 10
  group by c.id, c.name, c.addr, c.note`;

beforeAll(async () => {
  db = await MiniDb.create(4, 256);
  const cust: Value[][] = Array.from({ length: 200 }, (_, i) => [i, `customer name ${i} `.padEnd(40, 'x'), `street ${i * 7}, some town`.padEnd(60, 'y'), `a long comment about customer ${i}`.padEnd(100, 'z')]);
  const ord: Value[][] = Array.from({ length: 2000 }, (_, i) => [i, (i * 37) % 200, (i * 13) % 1000]);
  const item: Value[][] = Array.from({ length: 16000 }, (_, i) => [(i * 7) % 2000, (i % 97) + 1, ['R', 'A', 'N'][i % 3]!]);
  await db.table('create table cust (id integer, name varchar(60), addr varchar(80), note varchar(120))', cust, { style: 'key', key: 'id' });
  await db.table('create table ord (id integer, cust integer, day integer)', ord, { style: 'key', key: 'id' });
  await db.table('create table item (ord integer, price integer, flag varchar(1))', item, { style: 'key', key: 'ord' });
}, 60_000);

afterAll(() => db?.close());

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...childrenOf(plan).flatMap(nodes)];
}

describe('join order by bytes', () => {
  it('joins the co-located pair first and moves no wide column', () => {
    const plan = db.plan(SQL);
    const joins = nodes(plan).filter((n): n is Extract<PlanNode, { op: 'join' }> => n.op === 'join');
    const itemOrd = joins.find((j) => j.keyNames.some((k) => [k.left, k.right].sort().join() === 'item.ord,ord.id'));
    expect(itemOrd?.action).toBe('DS_DIST_NONE');
    const exchanges = nodes(plan).filter((n): n is Extract<PlanNode, { op: 'exchange' }> => n.op === 'exchange' && n.mode !== 'return' && n.mode !== 'gather');
    for (const x of exchanges) for (const wide of ['name', 'addr', 'note']) expect(x.fields.map((f) => f.name)).not.toContain(wide);
  });

  it('returns what DuckDB returns', async () => {
    const got = db.query(SQL);
    const want = await db.duck.query(SQL);
    expect(got.rows.length).toBeGreaterThan(0);
    expect(compareResults(got.rows, want.rows, { ordered: false })).toBeNull();
  });
});
