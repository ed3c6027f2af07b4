/** What crosses an exchange: filter-only columns stay at the scan, and a top-N is cut on each slice before the gather. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiniDb } from '../../helpers/mini-db.js';
import type { PlanNode } from '../../../engine/plan/physical.js';
import { childrenOf } from '../../../engine/plan/physical.js';

let db: MiniDb;

beforeAll(async () => {
  db = await MiniDb.create(4, 4);
  const rows = Array.from({ length: 64 }, (_, i) => [i, i % 8, `comment number ${i}`]);
  await db.table('create table f (id integer, k integer, note varchar(40))', rows, { style: 'key', key: 'id' }, false);
  await db.table('create table g (id integer, k integer, note varchar(40))', rows, { style: 'key', key: 'id' }, false);
});

afterAll(() => db?.close());

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...childrenOf(plan).flatMap(nodes)];
}

describe('exchange width', () => {
  it('does not carry a column read only by a scan filter through an exchange', () => {
    const plan = db.plan("select f.id, g.id from f join g on f.k = g.k where f.note not like '%special%'");
    const moved = nodes(plan).filter((n): n is Extract<PlanNode, { op: 'exchange' }> => n.op === 'exchange' && n.mode !== 'return');
    expect(moved.length).toBeGreaterThan(0);
    for (const x of moved) expect(x.fields.map((f) => f.name)).not.toContain('note');
  });

  it('sorts and limits on each slice before returning a top-N to the leader', () => {
    const plan = db.plan('select id, k from f order by k desc, id limit 3');
    // the final ORDER BY ... LIMIT's gather is the result's return, not a move between slices
    const gather = nodes(plan).find((n): n is Extract<PlanNode, { op: 'exchange' }> => n.op === 'exchange' && n.mode === 'return');
    expect(gather).toBeDefined();
    const below = gather!.input;
    expect(below.op).toBe('sort');
    expect((below as Extract<PlanNode, { op: 'sort' }>).limit).toBe(3);
  });

  it('returns the same top-N rows as sorting everything', () => {
    const got = db.query('select id, k from f order by k desc, id limit 5 offset 2');
    expect(got.rows).toEqual([[23, 7], [31, 7], [39, 7], [47, 7], [55, 7]]);
  });
});
