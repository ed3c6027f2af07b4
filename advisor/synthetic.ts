/**
 * Generated join graphs for the advisor's benchmark and tests: star,
 * snowflake, chain, dense and real-world-like (power-law degrees, skewed
 * weights, tables from hundreds to hundreds of millions of rows, multi-edges,
 * self-joins), seeded; and TPC-H's graph, built from the join predicates of
 * its 22 queries with table sizes at a scale factor and the workload mix of
 * workload-log/tpch-workload.ts. Every edge goes through the same cost model
 * (cost.ts) as the mined ones.
 */
import { TPCH_MIX as MIX } from '../workload-log/index.js';
import { joinCostTable, addOriented, newCostTable } from './cost.js';
import { joinGraph, type JoinGraph, type MinedEdge, type TableInfo } from './join-graph.js';
import { Random } from './distkey/problem.js';

export type GraphShape = 'star' | 'snowflake' | 'chain' | 'dense' | 'realistic';

export interface GenerateOptions {
  shape: GraphShape;
  tables: number;
  /** Target edge count for dense and realistic graphs (default: 3 per table for realistic, a quarter of all pairs for dense). */
  edges?: number;
  seed?: number;
  slices?: number;
}

interface JoinSpec {
  outer: [string, string];
  inner: [string, string];
  /** Executions. */
  count: number;
  outerRows: number;
  innerRows: number;
  type?: string;
  width?: number;
  /** More key pairs of the same two tables. */
  more?: [string, string][];
}

function table(name: string, rows: number, columns: string[], rowWidth = 64): TableInfo {
  return { name, rows, bytes: Math.round(rows * rowWidth * 0.3), rowWidth, columns, distStyle: 'even', distKey: null, distAuto: true };
}

/** Edges from join executions, aggregated per column pair as the miner does. */
export function edgesOf(joins: readonly JoinSpec[], slices: number): MinedEdge[] {
  const acc = new Map<string, { e: Omit<MinedEdge, 'costs'>; costs: Float64Array }>();
  for (const j of joins) {
    const [ot, oc] = j.outer;
    const [it, ic] = j.inner;
    const outerIsSource = ot < it || (ot === it && oc <= ic);
    const source = outerIsSource ? ot : it;
    const target = outerIsSource ? it : ot;
    const pairs = [[oc, ic] as [string, string], ...(j.more ?? [])].map(([a, b]) => (outerIsSource ? { source: a, target: b } : { source: b, target: a }));
    const key = pairs.map((p) => `${source}.${p.source}=${target}.${p.target}`).join(' and ');
    let a = acc.get(key);
    if (!a) {
      a = {
        e: { source, target, pairs, count: 0, decayedCount: 0, queries: 0, fingerprintCount: 1, rowsMoved: 0, bytesMoved: 0, actions: {}, types: {}, evidence: [] },
        costs: newCostTable(),
      };
      acc.set(key, a);
    }
    const w = j.width ?? 24;
    const c = joinCostTable(j.outerRows * w, j.innerRows * w, j.type ?? 'inner', slices);
    addOriented(a.costs, c, outerIsSource, j.count);
    const e = a.e as { count: number; decayedCount: number; queries: number };
    e.count += j.count;
    e.decayedCount += j.count;
    e.queries += j.count;
  }
  return [...acc.values()].map(({ e, costs }) => ({ ...e, costs: [...costs] }));
}

/** Log-uniform in [lo, hi]. */
function logUniform(r: Random, lo: number, hi: number): number {
  return Math.round(Math.exp(Math.log(lo) + r.next() * (Math.log(hi) - Math.log(lo))));
}

/** A heavy-tailed positive number (Pareto, alpha 1.2), at least 1. */
function pareto(r: Random): number {
  return Math.min(1e4, Math.pow(1 - r.next(), -1 / 1.2));
}

export function generateGraph(o: GenerateOptions): JoinGraph {
  const r = new Random(o.seed ?? 1);
  const slices = o.slices ?? 4;
  const n = Math.max(2, o.tables);
  const tables: TableInfo[] = [];
  const joins: JoinSpec[] = [];
  const join = (outer: [string, string], inner: [string, string], count: number, outerRows: number, innerRows: number, more?: [string, string][]) =>
    joins.push({ outer, inner, count, outerRows, innerRows, ...(more ? { more } : {}) });
  const sel = () => 0.05 + 0.95 * r.next();
  switch (o.shape) {
    case 'star':
    case 'snowflake': {
      // facts: one per 20 tables; dimensions hang off facts, sub-dimensions off dimensions (snowflake)
      const facts = Math.max(1, Math.round(n / 20));
      const dims = o.shape === 'star' ? n - facts : Math.ceil((n - facts) / 2);
      const subs = n - facts - dims;
      const factCols: string[][] = Array.from({ length: facts }, () => ['id']);
      const dimCols: string[][] = Array.from({ length: dims }, () => ['id']);
      const dimRows: number[] = [];
      for (let d = 0; d < dims; d++) {
        const f = d % facts;
        factCols[f]!.push(`d${d}_id`);
        dimRows.push(logUniform(r, 100, 5e6));
      }
      for (let f = 0; f < facts; f++) tables.push(table(`fact${f}`, logUniform(r, 1e7, 1e9), factCols[f]!));
      for (let s = 0; s < subs; s++) dimCols[s % dims]!.push(`s${s}_id`);
      for (let d = 0; d < dims; d++) tables.push(table(`dim${d}`, dimRows[d]!, dimCols[d]!));
      for (let s = 0; s < subs; s++) tables.push(table(`sub${s}`, logUniform(r, 10, 1e5), ['id']));
      for (let d = 0; d < dims; d++) {
        const f = d % facts;
        const fr = tables[f]!.rows;
        join([`fact${f}`, `d${d}_id`], [`dim${d}`, 'id'], Math.round(pareto(r) * 10), fr * sel(), dimRows[d]! * sel());
      }
      // facts join each other on their ids (a fact table's two keys compete)
      for (let f = 1; f < facts; f++) join([`fact${f}`, 'id'], [`fact${f - 1}`, 'id'], Math.round(pareto(r) * 5), tables[f]!.rows * sel(), tables[f - 1]!.rows * sel());
      for (let s = 0; s < subs; s++) {
        const d = s % dims;
        join([`dim${d}`, `s${s}_id`], [`sub${s}`, 'id'], Math.round(pareto(r) * 10), dimRows[d]! * sel(), tables[facts + dims + s]!.rows * sel());
      }
      break;
    }
    case 'chain': {
      // t_i.b = t_{i+1}.a: every inner table has two competing keys
      for (let i = 0; i < n; i++) tables.push(table(`t${i}`, logUniform(r, 1e4, 1e8), ['a', 'b', 'c']));
      for (let i = 0; i + 1 < n; i++) {
        join([`t${i}`, 'b'], [`t${i + 1}`, 'a'], Math.round(pareto(r) * 10), tables[i]!.rows * sel(), tables[i + 1]!.rows * sel());
        if (r.next() < 0.2) join([`t${i}`, 'c'], [`t${i + 1}`, 'c'], Math.round(pareto(r) * 3), tables[i]!.rows * sel(), tables[i + 1]!.rows * sel());
      }
      break;
    }
    case 'dense': {
      const cols = ['k0', 'k1', 'k2', 'k3'];
      for (let i = 0; i < n; i++) tables.push(table(`t${i}`, logUniform(r, 1e3, 1e8), cols.slice(0, 2 + r.int(0, 2))));
      const target = o.edges ?? Math.round((n * (n - 1)) / 4);
      for (let k = 0; k < target; k++) {
        const a = r.int(0, n - 1);
        let b = r.int(0, n - 2);
        if (b >= a) b++;
        const ta = tables[a]!;
        const tb = tables[b]!;
        const ca = ta.columns[r.int(0, ta.columns.length - 1)]!;
        const cb = tb.columns[r.int(0, tb.columns.length - 1)]!;
        const [outer, inner] = ta.rows >= tb.rows ? [[ta, ca], [tb, cb]] as const : [[tb, cb], [ta, ca]] as const;
        join([outer[0].name, outer[1]], [inner[0].name, inner[1]], Math.round(pareto(r) * 10), outer[0].rows * sel(), inner[0].rows * sel());
      }
      break;
    }
    case 'realistic': {
      // preferential attachment: a few hub (fact-like) tables, many small ones, heavy-tailed join counts
      const target = o.edges ?? 3 * n;
      const degree = new Float64Array(n).fill(1);
      for (let i = 0; i < n; i++) {
        const rows = r.next() < 0.15 ? logUniform(r, 5, 5e3) : logUniform(r, 1e4, 3e8);
        const ncols = 2 + Math.min(8, Math.floor(pareto(r)));
        tables.push(table(`t${i}`, rows, ['id', ...Array.from({ length: ncols - 1 }, (_, c) => `fk${c}`)], 32 + r.int(0, 200)));
      }
      let total = n;
      const pick = () => {
        let x = r.next() * total;
        for (let i = 0; i < n; i++) if ((x -= degree[i]!) < 0) return i;
        return n - 1;
      };
      for (let k = 0; k < target; k++) {
        const a = pick();
        let b = r.int(0, n - 1);
        if (b === a) {
          // a self-join now and then: the table's id with itself
          if (r.next() < 0.5) {
            const t = tables[a]!;
            join([t.name, 'id'], [t.name, 'id'], Math.round(pareto(r) * 5), t.rows * sel(), t.rows * sel());
            continue;
          }
          b = (a + 1) % n;
        }
        // many-to-one: the bigger table's foreign key to the smaller's id
        const [big, small] = tables[a]!.rows >= tables[b]!.rows ? [tables[a]!, tables[b]!] : [tables[b]!, tables[a]!];
        const fk = big.columns[1 + r.int(0, big.columns.length - 2)]!;
        const smallCol = r.next() < 0.85 ? 'id' : small.columns[r.int(0, small.columns.length - 1)]!;
        const count = Math.round(pareto(r) * pareto(r) * 3);
        join([big.name, fk], [small.name, smallCol], Math.max(1, count), big.rows * sel() * sel(), small.rows * sel());
        degree[a]! += 1;
        degree[b]! += 1;
        total += 2;
      }
      break;
    }
  }
  return joinGraph(tables, edgesOf(joins, slices), { slices, queries: joins.reduce((s, j) => s + j.count, 0) });
}

// ------------------------------------------------------------ TPC-H

/** TPC-H's tables at scale factor 1: rows and the columns that join. */
const TPCH_ROWS: Record<string, number> = {
  lineitem: 6_001_215, orders: 1_500_000, partsupp: 800_000, part: 200_000, customer: 150_000, supplier: 10_000, nation: 25, region: 5,
};
const TPCH_WIDTH: Record<string, number> = { lineitem: 138, orders: 117, partsupp: 148, part: 131, customer: 179, supplier: 159, nation: 113, region: 109 };
const TPCH_COLUMNS: Record<string, string[]> = {
  lineitem: ['l_orderkey', 'l_partkey', 'l_suppkey', 'l_linenumber'],
  orders: ['o_orderkey', 'o_custkey'],
  partsupp: ['ps_partkey', 'ps_suppkey'],
  part: ['p_partkey'],
  customer: ['c_custkey', 'c_nationkey'],
  supplier: ['s_suppkey', 's_nationkey'],
  nation: ['n_nationkey', 'n_regionkey'],
  region: ['r_regionkey'],
};

/**
 * The equi-joins of each TPC-H query (after decorrelation), as (outer
 * table.column, inner table.column, outer rows, inner rows) at SF 1, with the
 * filters' selectivities from the specification's parameter ranges. Q1, Q6
 * and Q15 (whose join is with a derived table) have none on base columns.
 */
const TPCH_JOINS: Record<number, [string, string, number, number, string?, [string, string][]?][]> = {
  2: [['partsupp.ps_partkey', 'part.p_partkey', 800_000, 800], ['partsupp.ps_suppkey', 'supplier.s_suppkey', 160_000, 10_000], ['supplier.s_nationkey', 'nation.n_nationkey', 10_000, 25], ['nation.n_regionkey', 'region.r_regionkey', 25, 1], ['partsupp.ps_partkey', 'part.p_partkey', 3_200, 800]],
  3: [['orders.o_custkey', 'customer.c_custkey', 727_000, 30_000], ['lineitem.l_orderkey', 'orders.o_orderkey', 3_240_000, 147_000]],
  4: [['lineitem.l_orderkey', 'orders.o_orderkey', 3_790_000, 57_000, 'semi']],
  5: [['lineitem.l_orderkey', 'orders.o_orderkey', 6_001_215, 227_000], ['orders.o_custkey', 'customer.c_custkey', 910_000, 150_000], ['lineitem.l_suppkey', 'supplier.s_suppkey', 910_000, 10_000], ['supplier.s_nationkey', 'nation.n_nationkey', 10_000, 5], ['nation.n_regionkey', 'region.r_regionkey', 25, 1]],
  7: [['lineitem.l_suppkey', 'supplier.s_suppkey', 1_820_000, 800], ['lineitem.l_orderkey', 'orders.o_orderkey', 146_000, 1_500_000], ['orders.o_custkey', 'customer.c_custkey', 146_000, 12_000], ['supplier.s_nationkey', 'nation.n_nationkey', 10_000, 2], ['customer.c_nationkey', 'nation.n_nationkey', 150_000, 2]],
  8: [['lineitem.l_partkey', 'part.p_partkey', 6_001_215, 1_333], ['lineitem.l_suppkey', 'supplier.s_suppkey', 40_000, 10_000], ['lineitem.l_orderkey', 'orders.o_orderkey', 40_000, 457_000], ['orders.o_custkey', 'customer.c_custkey', 12_000, 150_000], ['customer.c_nationkey', 'nation.n_nationkey', 150_000, 5], ['nation.n_regionkey', 'region.r_regionkey', 25, 1], ['supplier.s_nationkey', 'nation.n_nationkey', 10_000, 25]],
  9: [['lineitem.l_partkey', 'part.p_partkey', 6_001_215, 11_000], ['lineitem.l_suppkey', 'supplier.s_suppkey', 330_000, 10_000], ['lineitem.l_suppkey', 'partsupp.ps_suppkey', 330_000, 800_000, 'inner', [['l_partkey', 'ps_partkey']]], ['lineitem.l_orderkey', 'orders.o_orderkey', 330_000, 1_500_000], ['supplier.s_nationkey', 'nation.n_nationkey', 10_000, 25]],
  10: [['lineitem.l_orderkey', 'orders.o_orderkey', 1_480_000, 57_000], ['orders.o_custkey', 'customer.c_custkey', 57_000, 150_000], ['customer.c_nationkey', 'nation.n_nationkey', 150_000, 25]],
  11: [['partsupp.ps_suppkey', 'supplier.s_suppkey', 800_000, 400], ['supplier.s_nationkey', 'nation.n_nationkey', 10_000, 1], ['partsupp.ps_suppkey', 'supplier.s_suppkey', 800_000, 400], ['supplier.s_nationkey', 'nation.n_nationkey', 10_000, 1]],
  12: [['orders.o_orderkey', 'lineitem.l_orderkey', 1_500_000, 31_000]],
  13: [['customer.c_custkey', 'orders.o_custkey', 150_000, 1_480_000, 'left']],
  14: [['part.p_partkey', 'lineitem.l_partkey', 200_000, 75_000]],
  16: [['partsupp.ps_partkey', 'part.p_partkey', 800_000, 30_000], ['partsupp.ps_suppkey', 'supplier.s_suppkey', 120_000, 5, 'anti']],
  17: [['lineitem.l_partkey', 'part.p_partkey', 6_001_215, 200], ['lineitem.l_partkey', 'part.p_partkey', 6_001_215, 200]],
  18: [['orders.o_orderkey', 'lineitem.l_orderkey', 1_500_000, 57, 'semi'], ['orders.o_custkey', 'customer.c_custkey', 57, 150_000], ['lineitem.l_orderkey', 'orders.o_orderkey', 6_001_215, 57]],
  19: [['lineitem.l_partkey', 'part.p_partkey', 214_000, 2_400]],
  20: [['partsupp.ps_partkey', 'part.p_partkey', 800_000, 2_200, 'semi'], ['partsupp.ps_partkey', 'lineitem.l_partkey', 8_800, 800_000, 'inner', [['ps_suppkey', 'l_suppkey']]], ['supplier.s_suppkey', 'partsupp.ps_suppkey', 400, 5_400, 'semi'], ['supplier.s_nationkey', 'nation.n_nationkey', 10_000, 1]],
  21: [['lineitem.l_suppkey', 'supplier.s_suppkey', 3_790_000, 400], ['lineitem.l_orderkey', 'orders.o_orderkey', 151_000, 730_000], ['lineitem.l_orderkey', 'lineitem.l_orderkey', 74_000, 6_001_215, 'semi'], ['lineitem.l_orderkey', 'lineitem.l_orderkey', 74_000, 3_790_000, 'anti'], ['supplier.s_nationkey', 'nation.n_nationkey', 10_000, 1]],
  22: [['customer.c_custkey', 'orders.o_custkey', 42_000, 1_500_000, 'anti']],
};

/** TPC-H's join graph for `queries` queries of the workload mix at scale factor `sf`. */
export function tpchGraph(options: { sf?: number; queries?: number; slices?: number } = {}): JoinGraph {
  const sf = options.sf ?? 1;
  const slices = options.slices ?? 4;
  const queries = options.queries ?? 200;
  const total = MIX.reduce((s, m) => s + m.weight, 0);
  const scale = (t: string, rows: number) => (t === 'nation' || t === 'region' ? rows : Math.max(1, Math.round(rows * sf)));
  const joins: JoinSpec[] = [];
  for (const m of MIX) {
    const count = (queries * m.weight) / total;
    for (const [o, i, orows, irows, type, more] of TPCH_JOINS[m.query] ?? []) {
      const [ot, oc] = o.split('.') as [string, string];
      const [it, ic] = i.split('.') as [string, string];
      joins.push({ outer: [ot, oc], inner: [it, ic], count, outerRows: scale(ot, orows), innerRows: scale(it, irows), type: type ?? 'inner', ...(more ? { more } : {}) });
    }
  }
  const tables = Object.keys(TPCH_ROWS).map((t) => table(t, scale(t, TPCH_ROWS[t]!), TPCH_COLUMNS[t]!, TPCH_WIDTH[t]!));
  return joinGraph(tables, edgesOf(joins, slices), { slices, queries });
}

/**
 * The TPC-H layout of the Redshift team's Cloud Data Warehouse benchmark
 * derived from TPC-H (amazon-redshift-utils, CloudDataWarehouseBenchmark):
 * every table KEY on its primary key's first column, lineitem on l_orderkey,
 * partsupp on ps_partkey. And the commonly published variant with the small
 * tables ALL.
 */
export const TPCH_HAND_LAYOUTS: Record<string, Record<string, string>> = {
  'redshift-benchmark': {
    lineitem: 'KEY(l_orderkey)', orders: 'KEY(o_orderkey)', customer: 'KEY(c_custkey)', part: 'KEY(p_partkey)',
    partsupp: 'KEY(ps_partkey)', supplier: 'KEY(s_suppkey)', nation: 'KEY(n_nationkey)', region: 'KEY(r_regionkey)',
  },
  'keyed-small-all': {
    lineitem: 'KEY(l_orderkey)', orders: 'KEY(o_orderkey)', customer: 'KEY(c_custkey)', part: 'KEY(p_partkey)',
    partsupp: 'KEY(ps_partkey)', supplier: 'ALL', nation: 'ALL', region: 'ALL',
  },
};
