/**
 * What-if planning (engine/what-if.ts): estimated bytes moved under the
 * catalog's layout against what running the statements measures, layouts
 * that exist only in the question, rows observed by one run standing in for
 * estimates, and nothing changed or logged on the way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, WhatIfPlanner, type TableLayout } from '../../engine/index.js';
import { loadWorkload } from '../../workload-log/index.js';
import { TPCH_DIR, TPCH_TABLES, tpchQuery } from '../helpers/oracle.js';

let dir: string;
let db: Database;
const QUERIES = [3, 4, 5, 7, 8, 9, 10, 12, 13, 18, 21].map((n) => tpchQuery(n));
const key = (k: string): TableLayout => ({ style: 'key', key: k });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-what-if-'));
  db = await Database.open(dir, { slices: 4 });
  await db.execute(fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8'));
  for (const t of TPCH_TABLES) await db.load(t, path.join(TPCH_DIR, 'sf0.01', `${t}.tbl.gz`));
  // as AUTO lays out larger scales: the big tables spread EVEN, so joins move rows
  for (const t of ['customer', 'part', 'partsupp']) await db.execute(`alter table ${t} alter diststyle even`);
}, 120_000);

afterAll(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function measured(sqls: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const q of sqls) out.push((await db.query(q)).stats.bytesMoved);
  return out;
}

describe('WhatIfPlanner', () => {
  it('with observed rows, estimates the bytes the statements move under the current layout and under a changed one', async () => {
    const w = new WhatIfPlanner(db, QUERIES);
    QUERIES.forEach((_, i) => w.observe(i));
    const none = new Map<string, TableLayout>();
    const ratio = (est: number[], act: number[]) => est.reduce((a, b) => a + b, 0) / act.reduce((a, b) => a + b, 0);
    const before = await measured(QUERIES);
    const estBefore = QUERIES.map((_, i) => w.bytesMoved(i, none));
    expect(ratio(estBefore, before)).toBeGreaterThan(0.6);
    expect(ratio(estBefore, before)).toBeLessThan(1.6);
    // the question's layout, then the same layout for real
    const layout = new Map([
      ['lineitem', key('l_orderkey')],
      ['orders', key('o_orderkey')],
      ['customer', key('c_custkey')],
    ]);
    const estAfter = QUERIES.map((_, i) => w.bytesMoved(i, layout));
    expect(db.catalog().tables['orders']!.distStyle).toBe('even');
    for (const [t, l] of layout) await db.execute(`alter table ${t} alter distkey ${l.key}`);
    try {
      const after = await measured(QUERIES);
      expect(ratio(estAfter, after)).toBeGreaterThan(0.6);
      expect(ratio(estAfter, after)).toBeLessThan(1.6);
      // the estimate ranks the two layouts as running them does
      expect(estAfter.reduce((a, b) => a + b, 0)).toBeLessThan(estBefore.reduce((a, b) => a + b, 0));
      expect(after.reduce((a, b) => a + b, 0)).toBeLessThan(before.reduce((a, b) => a + b, 0));
    } finally {
      for (const t of layout.keys()) await db.execute(`alter table ${t} alter diststyle even`);
    }
  });

  it('prices a co-located join at nothing and a redistributed one at both sides', () => {
    const w = new WhatIfPlanner(db, ['select o_orderdate, l_quantity from orders join lineitem on o_orderkey = l_orderkey']);
    expect(w.bytesMoved(0, new Map([['orders', key('o_orderkey')], ['lineitem', key('l_orderkey')]]))).toBe(0);
    const even = w.bytesMoved(0, new Map());
    const oneSide = w.bytesMoved(0, new Map([['lineitem', key('l_orderkey')]]));
    expect(oneSide).toBeGreaterThan(0);
    expect(even).toBeGreaterThan(oneSide);
  });

  it('observing runs nothing the workload log records; statements that do not bind are not plannable', async () => {
    const logged = () => loadWorkload(dir).queries;
    const n = logged();
    const w = new WhatIfPlanner(db, [tpchQuery(3), 'select nope from orders', 'insert into region values (9, \'x\', \'y\')', 'select 1; select 2']);
    expect([0, 1, 2, 3].map((i) => w.plannable(i))).toEqual([true, false, false, false]);
    expect(w.observe(1)).toBe(0);
    expect(w.bytesMoved(1, new Map())).toBe(0);
    w.observe(0);
    expect(logged()).toBe(n);
    expect((await db.query('select count(*) from region')).rows()[0]).toEqual([5]);
  });
});
