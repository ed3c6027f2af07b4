/**
 * The workload's join graph (docs/advisor.md): one vertex per table, one edge
 * per pair of equi-joined columns (a multigraph: two tables joined on two
 * different column pairs have two edges; a self-join is a loop). An edge
 * carries what its joins cost the workload under each placement of its two
 * tables (cost.ts), summed over the logged executions with recent ones
 * weighing more (exponential decay, half-life 7 days by default), and the
 * evidence: executions, fingerprints, bytes moved as logged.
 *
 * Built from the workload log's columnar parts (workload-log/mining.ts's
 * Workload) and the catalog; the graph is a graphology MultiUndirectedGraph.
 */
import { MultiUndirectedGraph } from 'graphology';
import { isStatsOnly, type Catalog, type ImportedStats, type TableMeta } from '../engine/index.js';
import type { Workload } from '../workload-log/index.js';
import { ALL, type CostTable, OFF, ON, addOriented, columnWidth, joinCostTable, newCostTable } from './cost.js';

export const DEFAULT_HALF_LIFE_MS = 7 * 86_400_000;
/** Bytes per row assumed for a join side when the log never saw that table's rows move. */
export const DEFAULT_SIDE_WIDTH = 16;

/** What the advisor needs of a table (svv_table_info-like). */
export interface TableInfo {
  readonly name: string;
  readonly rows: number;
  /** Encoded bytes of one copy. */
  readonly bytes: number;
  /** In-flight bytes of a whole row, as the planner estimates widths. */
  readonly rowWidth: number;
  readonly columns: readonly string[];
  readonly distStyle: 'even' | 'key' | 'all';
  readonly distKey: string | null;
  /** The distribution is AUTO: the advisor may change it without asking. */
  readonly distAuto: boolean;
}

/**
 * `imported`: statistics from a cluster; a stats-only table's size is the
 * cluster's (SVV_TABLE_INFO counts an ALL table on every slice, one copy is
 * that over the slices). Its rows come with the catalog (withImportedStats).
 */
export function tableInfo(t: TableMeta, imported: ImportedStats | null = null, slices = 1): TableInfo {
  // an ALL table is stored once on disk (its segments' slice is -1)
  let bytes = 0;
  for (const s of t.segments) bytes += s.bytes;
  if (isStatsOnly(t, imported)) bytes = imported!.tables[t.name]!.sizeBytes / (t.distStyle === 'all' ? slices : 1);
  return {
    name: t.name,
    rows: t.rows,
    bytes,
    rowWidth: t.columns.reduce((w, c) => w + columnWidth(c), 0),
    columns: t.columns.map((c) => c.name),
    distStyle: t.distStyle,
    distKey: t.distKey,
    distAuto: t.distAuto,
  };
}

export function tablesOf(catalog: Catalog, imported: ImportedStats | null = null): TableInfo[] {
  return Object.values(catalog.tables)
    .map((t) => tableInfo(t, imported, catalog.slices))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface FingerprintEvidence {
  readonly fingerprint: string;
  /** Executions of this edge's joins by queries with this fingerprint. */
  readonly count: number;
  /** Bytes those joins moved, as logged. */
  readonly bytesMoved: number;
  /** Their share of the edge's weight (decayed bytes when not co-located). */
  readonly cost: number;
}

/** An edge as mined, before it goes into a graph. */
export interface MinedEdge {
  /** Tables, source <= target. */
  readonly source: string;
  readonly target: string;
  /** The equi-joined column pairs (usually one), source column first. */
  readonly pairs: readonly { readonly source: string; readonly target: string }[];
  /** Join executions. */
  readonly count: number;
  /** Executions weighted by recency. */
  readonly decayedCount: number;
  /** Queries with at least one such join. */
  readonly queries: number;
  readonly fingerprintCount: number;
  /** Logged rows and bytes those joins moved (not decayed). */
  readonly rowsMoved: number;
  readonly bytesMoved: number;
  readonly actions: Readonly<Record<string, number>>;
  readonly types: Readonly<Record<string, number>>;
  /** Decayed bytes moved for each state of (source, target): see cost.ts. */
  readonly costs: readonly number[];
  /** The heaviest fingerprints behind the edge, by cost. */
  readonly evidence: readonly FingerprintEvidence[];
}

export interface JoinGraphEdge extends MinedEdge {
  readonly key: string;
  /** What leaving the pair not co-located costs: costs[OFF, OFF], decayed bytes. */
  readonly weight: number;
}

export interface JoinGraphNode extends TableInfo {
  /** Replicating the table (ALL): (slices - 1) copies of its rows, counted once for the copy and once per load in the window. */
  readonly allCost: number;
  /** Columns on some edge: the candidate distribution keys. */
  readonly candidates: readonly string[];
}

export interface JoinGraphAttributes {
  readonly slices: number;
  readonly halfLifeMs: number;
  /** The time decay counts from (the latest query's start by default). */
  readonly nowMs: number;
  readonly queries: number;
  readonly joins: number;
  /** Loads of each table assumed per workload window, for ALL's cost. */
  readonly loadsPerWindow: number;
}

export type JoinGraph = MultiUndirectedGraph<JoinGraphNode, JoinGraphEdge, JoinGraphAttributes>;

export interface MineOptions {
  halfLifeMs?: number;
  /** Decay counts back from this time (default: the latest query in the workload). */
  nowMs?: number;
  /** Fingerprints kept as evidence per edge (default 10). */
  evidence?: number;
}

export interface GraphOptions extends MineOptions {
  /** Loads per workload window assumed for ALL's cost (default 1). */
  loadsPerWindow?: number;
  /** Statistics imported from a cluster: stats-only tables' sizes (pass the catalog through withImportedStats for their rows and layout). */
  imported?: ImportedStats | null;
}

export function edgeKey(e: Pick<MinedEdge, 'source' | 'target' | 'pairs'>): string {
  return e.pairs.map((p) => `${e.source}.${p.source}=${e.target}.${p.target}`).join(' and ');
}

function splitName(s: string): [string, string] | null {
  const dot = s.indexOf('.');
  if (dot <= 0 || dot === s.length - 1) return null;
  return [s.slice(0, dot), s.slice(dot + 1)];
}

/** The key pairs of a join whose tables are the first pair's, first pair first: [[leftCol, rightCol], ...]. */
function joinPairs(keysText: string | null, lt: string, lc: string, rt: string, rc: string): [string, string][] {
  const pairs: [string, string][] = [[lc, rc]];
  if (!keysText) return pairs;
  for (const k of keysText.split(',')) {
    const eq = k.indexOf('=');
    if (eq < 0) continue;
    const l = splitName(k.slice(0, eq));
    const r = splitName(k.slice(eq + 1));
    if (!l || !r || l[0] !== lt || r[0] !== rt) continue;
    if (pairs.some(([a, b]) => a === l[1] && b === r[1])) continue;
    pairs.push([l[1], r[1]]);
  }
  return pairs;
}

interface Acc {
  source: string;
  target: string;
  pairs: { source: string; target: string }[];
  count: number;
  decayedCount: number;
  queries: number;
  lastQuery: number;
  fps: Map<string, { count: number; bytesMoved: number; cost: number }>;
  rowsMoved: number;
  bytesMoved: number;
  actions: Record<string, number>;
  types: Record<string, number>;
  costs: CostTable;
}

/**
 * Mines the join edges of a workload. Each logged join contributes, decayed by
 * its query's age, the bytes it would move under every placement of its two
 * tables: its input rows (a broadcast or replicated side's rows counted once,
 * not once per slice) times the bytes per row its tables' rows had when they
 * moved (learned from the log; DEFAULT_SIDE_WIDTH when never seen).
 * Joins on columns that are not base-table columns of the catalog are skipped.
 */
export function mineJoinEdges(w: Workload, catalog: Catalog, options: MineOptions = {}): MinedEdge[] {
  const n = catalog.slices;
  const halfLife = options.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
  let nowMs = options.nowMs ?? -Infinity;
  if (options.nowMs === undefined) {
    w.parts.forEach((part, k) => {
      const mask = w.masks[k];
      const s = part.queries.startMs;
      for (let i = 0; i < s.length; i++) if ((!mask || mask[i]) && s[i]! > nowMs) nowMs = s[i]!;
    });
  }
  const tables = catalog.tables;
  const columnOk = (t: string, c: string) => tables[t]?.columns.some((x) => x.name === c) ?? false;

  // pass 1: bytes per row of each table's rows when they moved
  const moved = new Map<string, { bytes: number; rows: number }>();
  let allBytes = 0;
  let allRows = 0;
  const learn = (t: string, bytes: number, rows: number) => {
    const m = moved.get(t) ?? { bytes: 0, rows: 0 };
    m.bytes += bytes;
    m.rows += rows;
    moved.set(t, m);
  };
  w.parts.forEach((part, k) => {
    const j = part.joins;
    const mask = w.masks[k];
    for (let m = 0; m < j.length; m++) {
      if (mask && !mask[j.query[m]!]) continue;
      const rows = j.rowsMoved[m]!;
      const bytes = j.bytesMoved[m]!;
      if (!(rows > 0)) continue;
      const l = splitName(codeText(j.left, m) ?? '');
      const r = splitName(codeText(j.right, m) ?? '');
      const action = codeText(j.action, m) ?? '';
      allBytes += bytes;
      allRows += rows;
      if ((action === 'DS_DIST_INNER' || action === 'DS_BCAST_INNER') && r) learn(r[0], bytes, rows);
      else if (action === 'DS_DIST_OUTER' && l) learn(l[0], bytes, rows);
      else if (action === 'DS_DIST_BOTH') {
        if (l) learn(l[0], bytes, rows);
        if (r) learn(r[0], bytes, rows);
      }
    }
  });
  const fallback = allRows > 0 ? allBytes / allRows : DEFAULT_SIDE_WIDTH;
  const widthOf = (t: string) => {
    const m = moved.get(t);
    return m && m.rows > 0 ? m.bytes / m.rows : fallback;
  };

  // pass 2: cost tables
  const edges = new Map<string, Acc>();
  let queryBase = 0;
  w.parts.forEach((part, k) => {
    const { queries: q, joins: j } = part;
    const mask = w.masks[k];
    for (let m = 0; m < j.length; m++) {
      const qi = j.query[m]!;
      if (mask && !mask[qi]) continue;
      const l = splitName(codeText(j.left, m) ?? '');
      const r = splitName(codeText(j.right, m) ?? '');
      if (!l || !r || !columnOk(l[0], l[1]) || !columnOk(r[0], r[1])) continue;
      const [lt, lc] = l;
      const [rt, rc] = r;
      let pairs = joinPairs(codeText(j.keys, m), lt, lc, rt, rc);
      pairs = pairs.filter(([a, b]) => columnOk(lt, a) && columnOk(rt, b));
      // canonical orientation: source <= target; for a self-join, the first pair's lesser column on the source side
      const outerIsSource = lt < rt || (lt === rt && lc <= rc);
      const source = outerIsSource ? lt : rt;
      const target = outerIsSource ? rt : lt;
      const cpairs = pairs.map(([a, b]) => (outerIsSource ? { source: a, target: b } : { source: b, target: a }));
      const key = edgeKey({ source, target, pairs: cpairs });
      let e = edges.get(key);
      if (!e) {
        e = {
          source, target, pairs: cpairs, count: 0, decayedCount: 0, queries: 0, lastQuery: -1, fps: new Map(),
          rowsMoved: 0, bytesMoved: 0, actions: {}, types: {}, costs: newCostTable(),
        };
        edges.set(key, e);
      }
      const start = q.startMs[qi]!;
      const decay = Math.pow(0.5, Math.max(0, nowMs - start) / halfLife);
      const action = codeText(j.action, m) ?? '';
      const type = codeText(j.type, m) ?? 'inner';
      let leftRows = j.leftRows[m]!;
      let rightRows = j.rightRows[m]!;
      // a broadcast or replicated inner is counted on every slice; one copy is its size
      if (action === 'DS_BCAST_INNER') rightRows /= n;
      else if (action === 'DS_DIST_ALL_NONE') {
        const leftAll = tables[lt]?.distStyle === 'all';
        const rightAll = tables[rt]?.distStyle === 'all';
        if (rightAll || !leftAll) rightRows /= n;
        if (leftAll && !rightAll) leftRows /= n;
      }
      const c = joinCostTable(leftRows * widthOf(lt), rightRows * widthOf(rt), type, n);
      addOriented(e.costs, c, outerIsSource, decay);
      e.count++;
      e.decayedCount += decay;
      e.rowsMoved += j.rowsMoved[m]!;
      e.bytesMoved += j.bytesMoved[m]!;
      e.actions[action] = (e.actions[action] ?? 0) + 1;
      e.types[type] = (e.types[type] ?? 0) + 1;
      if (e.lastQuery !== queryBase + qi) {
        e.lastQuery = queryBase + qi;
        e.queries++;
      }
      const fp = codeText(q.fingerprint, qi) ?? '';
      const f = e.fps.get(fp) ?? { count: 0, bytesMoved: 0, cost: 0 };
      f.count++;
      f.bytesMoved += j.bytesMoved[m]!;
      f.cost += decay * c[OFF * 3 + OFF]!;
      e.fps.set(fp, f);
    }
    queryBase += q.length;
  });
  const limit = options.evidence ?? 10;
  return [...edges.values()].map((e) => ({
    source: e.source,
    target: e.target,
    pairs: e.pairs,
    count: e.count,
    decayedCount: e.decayedCount,
    queries: e.queries,
    fingerprintCount: e.fps.size,
    rowsMoved: e.rowsMoved,
    bytesMoved: e.bytesMoved,
    actions: e.actions,
    types: e.types,
    costs: [...e.costs],
    evidence: [...e.fps.entries()]
      .map(([fingerprint, f]) => ({ fingerprint, ...f }))
      .sort((a, b) => b.cost - a.cost || b.count - a.count)
      .slice(0, limit),
  }));
}

function codeText(c: { readonly codes: Int32Array; readonly dict: readonly string[] }, i: number): string | null {
  const code = c.codes[i]!;
  return code < 0 ? null : (c.dict[code] ?? null);
}

/** ALL's price for a table: (slices - 1) copies of its rows, once to make them and once per load in the window. */
export function allCostOf(t: Pick<TableInfo, 'rows' | 'rowWidth'>, slices: number, loadsPerWindow: number): number {
  return (slices - 1) * t.rows * t.rowWidth * (1 + loadsPerWindow);
}

/** The graph of `edges` over `tables` (every table is a vertex, joined or not). */
export function joinGraph(tables: readonly TableInfo[], edges: readonly MinedEdge[], attrs: Partial<JoinGraphAttributes> & { slices: number }): JoinGraph {
  const loads = attrs.loadsPerWindow ?? 1;
  const g: JoinGraph = new MultiUndirectedGraph<JoinGraphNode, JoinGraphEdge, JoinGraphAttributes>({ allowSelfLoops: true });
  g.replaceAttributes({
    slices: attrs.slices,
    halfLifeMs: attrs.halfLifeMs ?? DEFAULT_HALF_LIFE_MS,
    nowMs: attrs.nowMs ?? 0,
    queries: attrs.queries ?? 0,
    joins: attrs.joins ?? edges.reduce((s, e) => s + e.count, 0),
    loadsPerWindow: loads,
  });
  const candidates = new Map<string, Set<string>>();
  const cand = (t: string, c: string) => {
    let s = candidates.get(t);
    if (!s) candidates.set(t, (s = new Set()));
    s.add(c);
  };
  for (const e of edges) {
    for (const p of e.pairs) {
      cand(e.source, p.source);
      cand(e.target, p.target);
    }
  }
  for (const t of tables) {
    const cs = t.columns.filter((c) => candidates.get(t.name)?.has(c));
    g.addNode(t.name, { ...t, allCost: allCostOf(t, attrs.slices, loads), candidates: cs });
  }
  for (const e of edges) {
    if (!g.hasNode(e.source) || !g.hasNode(e.target)) continue;
    const key = edgeKey(e);
    if (g.hasEdge(key)) continue;
    g.addUndirectedEdgeWithKey(key, e.source, e.target, { ...e, key, weight: e.costs[OFF * 3 + OFF]! });
  }
  return g;
}

/** Mines a workload and builds its join graph over the catalog's tables. */
export function buildJoinGraph(w: Workload, catalog: Catalog, options: GraphOptions = {}): JoinGraph {
  const edges = mineJoinEdges(w, catalog, options);
  let nowMs = options.nowMs ?? 0;
  if (options.nowMs === undefined) {
    w.parts.forEach((part, k) => {
      const mask = w.masks[k];
      const s = part.queries.startMs;
      for (let i = 0; i < s.length; i++) if ((!mask || mask[i]) && s[i]! > nowMs) nowMs = s[i]!;
    });
  }
  return joinGraph(tablesOf(catalog, options.imported ?? null), edges, {
    slices: catalog.slices,
    halfLifeMs: options.halfLifeMs ?? DEFAULT_HALF_LIFE_MS,
    nowMs,
    queries: w.queries,
    ...(options.loadsPerWindow === undefined ? {} : { loadsPerWindow: options.loadsPerWindow }),
  });
}

// ------------------------------------------------------------ output

export interface GraphJson {
  readonly slices: number;
  readonly halfLifeHours: number;
  readonly now: string | null;
  readonly queries: number;
  readonly joins: number;
  readonly nodes: readonly {
    readonly table: string;
    readonly rows: number;
    readonly bytes: number;
    readonly diststyle: string;
    readonly allCost: number;
    readonly candidates: readonly string[];
  }[];
  readonly edges: readonly {
    readonly key: string;
    readonly source: string;
    readonly target: string;
    readonly pairs: readonly { readonly source: string; readonly target: string }[];
    readonly weight: number;
    readonly count: number;
    readonly queries: number;
    readonly fingerprints: number;
    readonly bytesMoved: number;
    readonly costs: { readonly none: number; readonly sourceOnKey: number; readonly targetOnKey: number; readonly sourceAll: number; readonly targetAll: number };
    readonly actions: Readonly<Record<string, number>>;
    readonly evidence: readonly FingerprintEvidence[];
  }[];
}

export function describeStyle(t: Pick<TableInfo, 'distStyle' | 'distKey' | 'distAuto'>): string {
  const inner = t.distStyle === 'key' ? `KEY(${t.distKey})` : t.distStyle.toUpperCase();
  return t.distAuto ? `AUTO(${inner})` : inner;
}

/** The graph as plain JSON (keel advisor graph --json), edges heaviest first. */
export function graphJson(g: JoinGraph): GraphJson {
  const a = g.getAttributes();
  const r = (x: number) => Math.round(x);
  return {
    slices: a.slices,
    halfLifeHours: a.halfLifeMs / 3_600_000,
    now: a.nowMs > 0 ? new Date(a.nowMs).toISOString() : null,
    queries: a.queries,
    joins: a.joins,
    nodes: g.mapNodes((_, n) => ({
      table: n.name,
      rows: n.rows,
      bytes: n.bytes,
      diststyle: describeStyle(n),
      allCost: r(n.allCost),
      candidates: n.candidates,
    })),
    edges: g
      .mapEdges((_, e) => ({
        key: e.key,
        source: e.source,
        target: e.target,
        pairs: e.pairs,
        weight: r(e.weight),
        count: e.count,
        queries: e.queries,
        fingerprints: e.fingerprintCount,
        bytesMoved: e.bytesMoved,
        costs: {
          none: r(e.costs[OFF * 3 + OFF]!),
          sourceOnKey: r(e.costs[ON * 3 + OFF]!),
          targetOnKey: r(e.costs[OFF * 3 + ON]!),
          sourceAll: r(e.costs[ALL * 3 + OFF]!),
          targetAll: r(e.costs[OFF * 3 + ALL]!),
        },
        actions: e.actions,
        evidence: e.evidence.map((f) => ({ ...f, cost: r(f.cost) })),
      }))
      .sort((x, y) => y.weight - x.weight || (x.key < y.key ? -1 : 1)),
  };
}

/** Graphviz DOT (keel advisor graph --dot): edge width by weight, labels with the columns and the weight. */
export function graphDot(g: JoinGraph): string {
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  let max = 0;
  g.forEachEdge((_, e) => (max = Math.max(max, e.weight)));
  const lines = ['graph joins {', '  node [shape=box, fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  g.forEachNode((name, n) => {
    lines.push(`  ${q(name)} [label=${q(`${name}\n${n.rows.toLocaleString('en-US')} rows, ${formatBytes(n.bytes)}\n${describeStyle(n)}`)}];`);
  });
  g.forEachEdge((_, e) => {
    const cols = e.pairs.map((p) => `${p.source}=${p.target}`).join(', ');
    const width = max > 0 ? 1 + (4 * e.weight) / max : 1;
    lines.push(`  ${q(e.source)} -- ${q(e.target)} [label=${q(`${cols}\n${formatBytes(e.weight)} x${e.count}`)}, penwidth=${width.toFixed(2)}];`);
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}

export function formatBytes(b: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let u = 0;
  let x = b;
  while (Math.abs(x) >= 1000 && u < units.length - 1) {
    x /= 1000;
    u++;
  }
  return `${u === 0 ? Math.round(x) : x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 2)} ${units[u]}`;
}

