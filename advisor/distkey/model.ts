/**
 * From the join graph to the optimization problem: each table's labels are
 * EVEN, ALL and KEY(c) for each candidate column c (a column on some join
 * edge) that is not rejected as skewed. Label costs: ALL costs its
 * replication (join-graph.ts allCostOf), EVEN and KEY nothing of their own.
 * Each edge costs, for the states its two tables' labels put it in (cost.ts:
 * OFF, ON its columns, ALL), the decayed bytes its joins would move; a
 * self-join's cost goes to its table's label costs; parallel edges between
 * two tables add up into one factor.
 */
import type { JoinGraph, JoinGraphEdge } from '../join-graph.js';
import { ALL, MISMATCH, OFF, ON } from '../cost.js';
import type { Factor, Problem } from './problem.js';
import { normalizeFactors } from './problem.js';

export type Choice = { readonly kind: 'even' } | { readonly kind: 'all' } | { readonly kind: 'key'; readonly column: string };

export function choiceText(c: Choice): string {
  return c.kind === 'key' ? `KEY(${c.column})` : c.kind.toUpperCase();
}

export function sameChoice(a: Choice, b: Choice): boolean {
  return a.kind === b.kind && (a.kind !== 'key' || a.column === (b as { column: string }).column);
}

/** The fullest slice's rows over the average, estimated for a table's KEY(column) (skew.ts). */
export interface SkewEstimate {
  readonly table: string;
  readonly column: string;
  /** Expected rows on the fullest slice / rows per slice on average. */
  readonly factor: number;
  readonly rows: number;
  readonly distinct: number;
  /** The most frequent value and its rows, when known. */
  readonly top?: { readonly value: string | number | boolean | null; readonly rows: number };
}

/** A key whose fullest slice would hold more than this times the average is rejected. */
export const DEFAULT_SKEW_FACTOR = 1.5;

export interface Rejection {
  readonly table: string;
  readonly column: string;
  readonly reason: string;
  readonly skew: SkewEstimate;
}

export interface ModelOptions {
  /** Skew estimates per "table.column"; a key without one is assumed even. */
  skew?: ReadonlyMap<string, SkewEstimate>;
  skewFactor?: number;
  /** Tables whose choice is fixed (e.g. user-set layouts the advisor may not change). */
  fixed?: ReadonlyMap<string, Choice>;
  /** Offer ALL (default true). */
  allowAll?: boolean;
  /** Choices not to offer a table (the shadow proof refused them); its current choice is always offered. */
  forbidden?: ReadonlyMap<string, readonly Choice[]>;
}

export interface DistModel {
  readonly graph: JoinGraph;
  readonly tables: readonly string[];
  readonly labels: readonly (readonly Choice[])[];
  readonly problem: Problem;
  readonly rejected: readonly Rejection[];
  /** Per edge: its tables' vertex indices, the label of each that co-locates it (-1 if none), its weight. */
  readonly edges: readonly { readonly key: string; readonly u: number; readonly v: number; readonly lu: number; readonly lv: number; readonly weight: number }[];
}

/**
 * ALL is offered to a table that is smaller than some table it joins (or
 * joins nothing): a copy on every slice is how a dimension meets a distributed
 * fact where it lies. The larger side of all its joins is a fact: every slice
 * would scan and probe the whole of it, which the graph's bytes moved do not
 * price (the shadow proof measured a 90,000-row fact replicated beside its
 * 55,000-row dimension 1.3 times slower).
 */
function smallerThanAPartner(graph: JoinGraph, t: string): boolean {
  const rows = graph.getNodeAttributes(t).rows;
  let partners = 0;
  let smaller = false;
  graph.forEachNeighbor(t, (n, attrs) => {
    if (n === t) return;
    partners++;
    if (attrs.rows > rows) smaller = true;
  });
  return partners === 0 || smaller;
}

/** The state an edge's side is in when its table has choice c: ALL (-1), ON pair i (1 + i), or OFF (0). */
function sideState(c: Choice, pairs: JoinGraphEdge['pairs'], side: 'source' | 'target'): number {
  if (c.kind === 'all') return -1;
  if (c.kind === 'key') {
    for (let i = 0; i < pairs.length; i++) if (pairs[i]![side] === c.column) return 1 + i;
  }
  return 0;
}

/** The edge's cost when its source table has choice a and its target b. */
export function edgeCost(e: Pick<JoinGraphEdge, 'pairs' | 'costs'>, a: Choice, b: Choice): number {
  return stateCost(e.costs, sideState(a, e.pairs, 'source'), sideState(b, e.pairs, 'target'));
}

function stateCost(costs: readonly number[], sa: number, sb: number): number {
  if (sa > 0 && sb > 0 && sa !== sb) return costs[MISMATCH]!;
  const s = sa < 0 ? ALL : sa > 0 ? ON : OFF;
  const t = sb < 0 ? ALL : sb > 0 ? ON : OFF;
  return costs[s * 3 + t]!;
}

export function skewKey(table: string, column: string): string {
  return `${table}.${column}`;
}

export function buildModel(graph: JoinGraph, options: ModelOptions = {}): DistModel {
  const skewFactor = options.skewFactor ?? DEFAULT_SKEW_FACTOR;
  const tables = graph.nodes();
  const index = new Map(tables.map((t, i) => [t, i]));
  const rejected: Rejection[] = [];
  const labels: Choice[][] = tables.map((t) => {
    const fixed = options.fixed?.get(t);
    if (fixed) return [fixed];
    const node = graph.getNodeAttributes(t);
    const out: Choice[] = [{ kind: 'even' }];
    if (options.allowAll !== false && (smallerThanAPartner(graph, t) || node.distStyle === 'all')) out.push({ kind: 'all' });
    for (const c of node.candidates) {
      const s = options.skew?.get(skewKey(t, c));
      if (s && s.factor > skewFactor) {
        rejected.push({
          table: t,
          column: c,
          skew: s,
          reason: `KEY(${c}) would put ${s.factor.toFixed(2)}x the average rows on the fullest slice (limit ${skewFactor}x): ${s.distinct.toLocaleString('en-US')} distinct values` +
            (s.top ? `, the most frequent (${String(s.top.value)}) on ${s.top.rows.toLocaleString('en-US')} of ${s.rows.toLocaleString('en-US')} rows` : ''),
        });
        continue;
      }
      out.push({ kind: 'key', column: c });
    }
    const no = options.forbidden?.get(t);
    if (!no) return out;
    const now = currentChoice(node);
    return out.filter((c) => sameChoice(c, now) || !no.some((x) => sameChoice(x, c)));
  });
  const L = labels.map((l) => l.length);
  const unary = tables.map((t, i) => {
    const node = graph.getNodeAttributes(t);
    return Float64Array.from(labels[i]!, (c) => (c.kind === 'all' ? node.allCost : 0));
  });
  const factors: Factor[] = [];
  const edges: DistModel['edges'][number][] = [];
  graph.forEachEdge((key, e) => {
    const u = index.get(e.source)!;
    const v = index.get(e.target)!;
    const lu = labels[u]!.findIndex((c) => c.kind === 'key' && c.column === e.pairs[0]!.source);
    const lv = labels[v]!.findIndex((c) => c.kind === 'key' && c.column === e.pairs[0]!.target);
    edges.push({ key, u, v, lu, lv, weight: e.weight });
    const su = labels[u]!.map((c) => sideState(c, e.pairs, 'source'));
    if (u === v) {
      const st = labels[u]!.map((c) => sideState(c, e.pairs, 'target'));
      su.forEach((a, i) => (unary[u]![i]! += stateCost(e.costs, a, st[i]!)));
      return;
    }
    const sv = labels[v]!.map((c) => sideState(c, e.pairs, 'target'));
    const Lv = L[v]!;
    const m = new Float64Array(L[u]! * Lv);
    for (let i = 0; i < su.length; i++) for (let j = 0; j < Lv; j++) m[i * Lv + j] = stateCost(e.costs, su[i]!, sv[j]!);
    factors.push({ u, v, m });
  });
  const problem: Problem = { n: tables.length, labels: L, unary, factors: normalizeFactors(L, factors), constant: 0 };
  return { graph, tables, labels, problem, rejected, edges };
}

export function currentChoice(t: { readonly distStyle: string; readonly distKey: string | null }): Choice {
  if (t.distStyle === 'all') return { kind: 'all' };
  if (t.distStyle === 'key' && t.distKey) return { kind: 'key', column: t.distKey };
  return { kind: 'even' };
}

export interface LayoutCost {
  /** Bytes the workload's joins would move plus ALL's replication costs. */
  readonly total: number;
  readonly moves: number;
  readonly replication: number;
  /** Cost of each edge under the layout. */
  readonly edges: ReadonlyMap<string, number>;
}

/** The objective for any layout (tables missing from `layout` keep their current distribution). */
export function layoutCost(graph: JoinGraph, layout: ReadonlyMap<string, Choice>): LayoutCost {
  const choice = (t: string) => layout.get(t) ?? currentChoice(graph.getNodeAttributes(t));
  let moves = 0;
  let replication = 0;
  const edges = new Map<string, number>();
  graph.forEachNode((t, n) => {
    if (choice(t).kind === 'all') replication += n.allCost;
  });
  graph.forEachEdge((key, e) => {
    const c = edgeCost(e, choice(e.source), choice(e.target));
    edges.set(key, c);
    moves += c;
  });
  return { total: moves + replication, moves, replication, edges };
}

/** The current layout of every table of the graph. */
export function currentLayout(graph: JoinGraph): Map<string, Choice> {
  return new Map(graph.mapNodes((t, n) => [t, currentChoice(n)] as const));
}

/** A solution's labels as a layout. */
export function layoutOf(model: DistModel, x: ArrayLike<number>): Map<string, Choice> {
  return new Map(model.tables.map((t, i) => [t, model.labels[i]![x[i]!]!] as const));
}

/** A layout as labels of the model; a table whose choice is not among its labels gets EVEN (label 0). */
export function labelsOf(model: DistModel, layout: ReadonlyMap<string, Choice>): Int32Array {
  return Int32Array.from(model.tables, (t, i) => {
    const c = layout.get(t);
    const k = c ? model.labels[i]!.findIndex((l) => sameChoice(l, c)) : -1;
    return k >= 0 ? k : 0;
  });
}

/** Parses EVEN, ALL or KEY(c) (any case). */
export function parseChoice(text: string): Choice {
  const s = text.trim();
  const m = /^key\s*\(\s*"?([^")]+)"?\s*\)$/i.exec(s);
  if (m) return { kind: 'key', column: m[1]! };
  if (/^all$/i.test(s)) return { kind: 'all' };
  if (/^even$/i.test(s)) return { kind: 'even' };
  throw new RangeError(`not a distribution: ${text} (EVEN, ALL or KEY(column))`);
}
