/** The join graph from a workload: edges, costs per placement, decay, evidence; skew rejection; when ALL pays. */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import {
  ALL,
  DEFAULT_HALF_LIFE_MS,
  DEFAULT_SKEW_FACTOR,
  OFF,
  ON,
  buildJoinGraph,
  buildModel,
  chooseDistribution,
  estimateGraphSkew,
  estimateSkew,
  graphDot,
  graphJson,
  joinCostTable,
  joinGraph,
  layoutCost,
  parseChoice,
  skewFactor,
  skewKey,
} from '../../advisor/index.js';
import { edge, fakeCatalog, fakeTable, info, join, joinRecord, workloadFrom } from './helpers.js';

const catalog = fakeCatalog([
  fakeTable('lineitem', 60_000, ['l_orderkey', 'l_partkey', 'l_suppkey', 'l_qty']),
  fakeTable('orders', 15_000, ['o_orderkey', 'o_custkey']),
  fakeTable('part', 2_000, ['p_partkey']),
  fakeTable('supplier', 100, ['s_suppkey'], { style: 'all' }),
  fakeTable('partsupp', 8_000, ['ps_partkey', 'ps_suppkey']),
]);

describe('cost model', () => {
  it('mirrors the planner: co-located is free, one side on the key moves the other, broadcast when cheaper, ALL inner free', () => {
    const c = joinCostTable(1000, 100, 'inner', 4);
    expect(c[ON * 3 + ON]).toBe(0);
    expect(c[ON * 3 + OFF]).toBe(75); // inner's leaving share
    expect(c[OFF * 3 + ON]).toBe(300); // broadcast inner (300) beats moving the outer (750)
    expect(c[OFF * 3 + OFF]).toBe(300);
    expect(c[OFF * 3 + ALL]).toBe(0);
    expect(c[ALL * 3 + OFF]).toBe(0); // inner join: a replicated outer meets each slice's share
    // a left join cannot use a replicated outer
    expect(joinCostTable(1000, 100, 'left', 4)[ALL * 3 + OFF]).toBe(300);
  });
});

describe('join graph', () => {
  const day = 86_400_000;
  const records = [
    // q1: lineitem x orders, three times, recent
    ...[0, 1, 2].map((n) => joinRecord(n, 'select ... lineitem join orders', [join('lineitem.l_orderkey', 'orders.o_orderkey', { leftRows: 60_000, rightRows: 15_000, rowsMoved: 56_250, bytesMoved: 450_000 })])),
    // q2: the same edge written the other way round, one half-life old
    joinRecord(3, 'select ... orders join lineitem', [join('orders.o_orderkey', 'lineitem.l_orderkey', { leftRows: 15_000, rightRows: 60_000, rowsMoved: 56_250, bytesMoved: 450_000 })], 7 * day),
    // q3: multi-column join lineitem x partsupp, and lineitem x part, and a broadcast of part
    joinRecord(4, 'select ... partsupp', [
      join('lineitem.l_partkey', 'partsupp.ps_partkey', { keys: [{ left: 'lineitem.l_partkey', right: 'partsupp.ps_partkey' }, { left: 'lineitem.l_suppkey', right: 'partsupp.ps_suppkey' }] }),
      join('lineitem.l_partkey', 'part.p_partkey', { action: 'DS_BCAST_INNER', leftRows: 60_000, rightRows: 8_000, rowsMoved: 6_000, bytesMoved: 6_000 * 12 }),
    ]),
    // q4: a self-join, and a join with a derived table's column (skipped)
    joinRecord(5, 'select ... self', [join('lineitem.l_orderkey', 'lineitem.l_orderkey', { type: 'semi' }), join('lineitem.l_orderkey', 'revenue0.supplier_no')]),
  ];
  const graph = buildJoinGraph(workloadFrom(records), catalog);

  it('one vertex per table, one edge per column pair (multi-column joins keep all their pairs), a loop for a self-join', () => {
    expect(graph.order).toBe(5);
    expect(graph.edges().sort()).toEqual([
      'lineitem.l_orderkey=lineitem.l_orderkey',
      'lineitem.l_orderkey=orders.o_orderkey',
      'lineitem.l_partkey=part.p_partkey',
      'lineitem.l_partkey=partsupp.ps_partkey and lineitem.l_suppkey=partsupp.ps_suppkey',
    ]);
    expect(graph.getNodeAttribute('lineitem', 'candidates')).toEqual(['l_orderkey', 'l_partkey', 'l_suppkey']);
    expect(graph.getNodeAttribute('supplier', 'candidates')).toEqual([]);
  });

  it('weights decay with age: a query one half-life old counts half', () => {
    const e = graph.getEdgeAttributes('lineitem.l_orderkey=orders.o_orderkey');
    expect(e.count).toBe(4);
    expect(e.decayedCount).toBeCloseTo(3.5, 9);
    expect(graph.getAttribute('halfLifeMs')).toBe(DEFAULT_HALF_LIFE_MS);
    // width learned from the log: 450,000 bytes over 56,250 rows = 8 bytes a row. Neither side on the key:
    // with orders inner, broadcasting it (15,000 * 8 * 3) beats redistributing both; with lineitem inner, redistributing both wins
    expect(e.weight).toBeCloseTo(3 * 15_000 * 8 * 3 + 0.5 * 75_000 * 8 * 0.75, 3);
    expect(e.costs[ON * 3 + ON]).toBe(0);
    expect(e.evidence.map((f) => [f.fingerprint, f.count])).toEqual([
      ['select ... lineitem join orders', 3],
      ['select ... orders join lineitem', 1],
    ]);
    expect(e.evidence[0]!.bytesMoved).toBe(1_350_000);
  });

  it('a broadcast inner is counted once, not once per slice', () => {
    const e = graph.getEdgeAttributes('lineitem.l_partkey=part.p_partkey');
    // part's 8,000 rows seen on 4 slices are 2,000 rows, 12 bytes a row as broadcast; lineitem's rows moved at 8 bytes a row
    const c = joinCostTable(60_000 * 8, 2_000 * 12, 'inner', 4);
    expect(e.costs[OFF * 3 + OFF]).toBeCloseTo(c[0]!, 3);
    expect(e.costs[OFF * 3 + ON]).toBeCloseTo(c[OFF * 3 + ON]!, 3);
  });

  it('JSON and DOT output', () => {
    const j = graphJson(graph);
    expect(j.nodes.map((n) => n.table)).toContain('lineitem');
    expect(j.nodes.find((n) => n.table === 'supplier')!.diststyle).toBe('AUTO(ALL)');
    expect(j.edges[0]!.weight).toBeGreaterThanOrEqual(j.edges[1]!.weight);
    const dot = graphDot(graph);
    expect(dot).toMatch(/^graph joins \{/);
    expect(dot).toContain('"lineitem" -- "orders"');
  });

});

describe('skew', () => {
  it('estimates the fullest slice against the average', () => {
    const unique = { rows: 1e6, distinct: 1e6, top: Array.from({ length: 64 }, (_, i) => ({ value: i, rows: 1 })) };
    expect(skewFactor(unique, 4)).toBeCloseTo(1, 2);
    const few = { rows: 2500, distinct: 25, top: Array.from({ length: 25 }, (_, i) => ({ value: i, rows: 100 })) };
    expect(skewFactor(few, 4)).toBeGreaterThan(1.3);
    const hot = { rows: 1000, distinct: 501, top: [{ value: 'x', rows: 500 }, ...Array.from({ length: 63 }, (_, i) => ({ value: i, rows: 1 }))] };
    expect(skewFactor(hot, 4)).toBeGreaterThan(DEFAULT_SKEW_FACTOR);
  });

  it('a skewed key is rejected with its reason and the best remaining choice is taken', () => {
    const g = joinGraph([info('f', 1e6, ['k', 'j']), info('d', 1e6, ['k']), info('e', 1e6, ['j'])], [edge('d', 'k', 'f', 'k', 10, 1e6, 1e6), edge('e', 'j', 'f', 'j', 5, 1e6, 1e6)], { slices: 4 });
    const plain = chooseDistribution(g);
    expect(plain.layout.get('f')).toEqual({ kind: 'key', column: 'k' });
    const skew = new Map([[skewKey('f', 'k'), { table: 'f', column: 'k', factor: 2.4, rows: 1e6, distinct: 3, top: { value: 7, rows: 600_000 } }]]);
    const r = chooseDistribution(g, { skew });
    expect(r.model.rejected).toHaveLength(1);
    expect(r.model.rejected[0]!.reason).toMatch(/2\.40x the average rows on the fullest slice \(limit 1\.5x\)/);
    expect(r.layout.get('f')).toEqual({ kind: 'key', column: 'j' });
  });

  it('through SQL on a real table', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-advisor-skew-'));
    const db = await Database.open(dir, { workloadLog: false });
    try {
      await db.execute('create table s (id integer, hot integer, tiny integer) diststyle even');
      const values = Array.from({ length: 400 }, (_, i) => `(${i}, ${i < 300 ? 1 : i}, ${i % 3})`).join(', ');
      await db.execute(`insert into s values ${values}`);
      const id = await estimateSkew(db, 's', 'id');
      expect(id.distinct).toBe(400);
      expect(id.factor).toBeLessThan(1.2);
      const hot = await estimateSkew(db, 's', 'hot');
      expect(hot.top).toEqual({ value: 1, rows: 300 });
      expect(hot.factor).toBeGreaterThan(2.5);
      const tiny = await estimateSkew(db, 's', 'tiny');
      expect(tiny.distinct).toBe(3);
      expect(tiny.factor).toBeGreaterThan(DEFAULT_SKEW_FACTOR);
      const g = joinGraph([info('s', 400, ['id', 'hot', 'tiny'])], [], { slices: 4 });
      expect((await estimateGraphSkew(db, g)).size).toBe(0);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ALL', () => {
  // a small dimension joined by two large tables on different keys: one can co-locate with it, ALL serves both
  const tables = (dimRows: number) => [info('f1', 1e7, ['a', 'x']), info('f2', 1e7, ['b', 'x']), info('dim', dimRows, ['id'], 32)];
  const edges = (dimRows: number) => [
    edge('dim', 'id', 'f1', 'a', 20, dimRows * 32, 1e7 * 16),
    edge('dim', 'id', 'f2', 'b', 20, dimRows * 32, 1e7 * 16),
    edge('f1', 'x', 'f2', 'x', 30, 1e7 * 16, 1e7 * 16),
  ];

  it('is chosen where a copy on every slice costs less than the moves it saves', () => {
    const g = joinGraph(tables(1000), edges(1000), { slices: 4 });
    const r = chooseDistribution(g);
    expect(r.layout.get('dim')).toEqual({ kind: 'all' });
    expect(r.layout.get('f1')).toEqual({ kind: 'key', column: 'x' });
    expect(r.proposed.replication).toBe(g.getNodeAttribute('dim', 'allCost'));
  });

  it('is not chosen for a table too large to copy', () => {
    const g = joinGraph(tables(5e7), edges(5e7), { slices: 4 });
    const r = chooseDistribution(g);
    expect(r.layout.get('dim')!.kind).not.toBe('all');
    expect(r.proposed.total).toBeLessThanOrEqual(layoutCost(g, new Map([['dim', parseChoice('ALL')]])).total);
  });

  it('costs (slices - 1) copies, once to make and once per load in the window', () => {
    const g = joinGraph([info('t', 1000, ['id'], 10)], [], { slices: 4, loadsPerWindow: 2 });
    expect(g.getNodeAttribute('t', 'allCost')).toBe(3 * 1000 * 10 * 3);
    const m = buildModel(g);
    expect(m.labels[0]!.map((c) => c.kind)).toEqual(['even', 'all']);
  });
});

