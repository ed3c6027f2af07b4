/**
 * The optimization problem behind the distribution advisor, stripped of SQL:
 * every vertex (table) takes one label (EVEN, ALL or KEY(c)); a label has a
 * cost of its own (unary: ALL's replication, for instance), and every pair of
 * joined tables has a cost for each pair of labels (a factor: the bytes their
 * joins move under those labels). Minimize the sum. This is a discrete
 * pairwise energy (a "labelling" problem); the join-graph formulation of
 * Parchas et al. (VLDB 2020) is the special case where only KEY labels exist
 * and a factor is 0 when both ends pick the edge's columns, its weight
 * otherwise.
 */

export interface Factor {
  readonly u: number;
  readonly v: number;
  /** Cost for (label a of u, label b of v) at m[a * labels[v] + b]; all entries >= 0. */
  readonly m: Float64Array;
}

export interface Problem {
  /** Number of vertices. */
  readonly n: number;
  /** Labels per vertex (at least 1). */
  readonly labels: readonly number[];
  readonly unary: readonly Float64Array[];
  /** At most one factor per unordered vertex pair, u < v. */
  readonly factors: readonly Factor[];
  /** Added to every solution's cost. */
  readonly constant: number;
}

/** One entry of a vertex's adjacency: the neighbour and the factor seen from this vertex (rows: this vertex's labels). */
export interface Neighbor {
  readonly j: number;
  /** m[a * labels[j] + b] for this vertex's label a and the neighbour's label b. */
  readonly m: Float64Array;
}

export function transpose(m: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(m.length);
  for (let a = 0; a < rows; a++) for (let b = 0; b < cols; b++) t[b * rows + a] = m[a * cols + b]!;
  return t;
}

export function adjacency(p: Problem): Neighbor[][] {
  const adj: Neighbor[][] = Array.from({ length: p.n }, () => []);
  for (const f of p.factors) {
    adj[f.u]!.push({ j: f.v, m: f.m });
    adj[f.v]!.push({ j: f.u, m: transpose(f.m, p.labels[f.u]!, p.labels[f.v]!) });
  }
  return adj;
}

/** Total cost of a full assignment. */
export function evaluate(p: Problem, x: ArrayLike<number>): number {
  let c = p.constant;
  for (let i = 0; i < p.n; i++) c += p.unary[i]![x[i]!]!;
  for (const f of p.factors) c += f.m[x[f.u]! * p.labels[f.v]! + x[f.v]!]!;
  return c;
}

/** Merges factors on the same vertex pair and orients each u < v. */
export function normalizeFactors(labels: readonly number[], factors: readonly Factor[]): Factor[] {
  const byPair = new Map<number, { u: number; v: number; m: Float64Array }>();
  const n = labels.length;
  for (const f of factors) {
    if (f.u === f.v) throw new RangeError('a factor joins two different vertices; fold self-joins into the unary cost');
    const [u, v, m] = f.u < f.v ? [f.u, f.v, f.m] : [f.v, f.u, transpose(f.m, labels[f.u]!, labels[f.v]!)];
    const k = u * n + v;
    const cur = byPair.get(k);
    if (!cur) byPair.set(k, { u, v, m: Float64Array.from(m) });
    else for (let i = 0; i < m.length; i++) cur.m[i]! += m[i]!;
  }
  return [...byPair.values()];
}

/** Small, seeded, reproducible random numbers (mulberry32). */
export class Random {
  private s: number;
  constructor(seed: number) {
    this.s = (seed ^ 0x9e3779b9) >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

/** Connected components of the vertices in `vertices` (all when omitted), each sorted. */
export function components(p: Problem, adj: Neighbor[][]): number[][] {
  const seen = new Uint8Array(p.n);
  const out: number[][] = [];
  for (let s = 0; s < p.n; s++) {
    if (seen[s]) continue;
    const comp: number[] = [];
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      comp.push(i);
      for (const { j } of adj[i]!) {
        if (!seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    out.push(comp.sort((a, b) => a - b));
  }
  return out;
}

/** The sub-problem on `vertices` (indices into p), with the map back. */
export function subProblem(p: Problem, vertices: readonly number[]): Problem {
  const index = new Map<number, number>();
  vertices.forEach((v, i) => index.set(v, i));
  const factors: Factor[] = [];
  for (const f of p.factors) {
    const u = index.get(f.u);
    const v = index.get(f.v);
    if (u !== undefined && v !== undefined) factors.push({ u, v, m: f.m });
  }
  return {
    n: vertices.length,
    labels: vertices.map((v) => p.labels[v]!),
    unary: vertices.map((v) => p.unary[v]!),
    factors,
    constant: 0,
  };
}

/**
 * A lower bound on every assignment's cost: each vertex's cheapest label
 * counting its unary cost and half of the cheapest cost of each factor given
 * that label (a factor's cost is at least the average of its two half-minima).
 * It sees that a table cannot be on two keys at once, so competing edges are
 * bounded, unlike the plain sum of minima.
 */
export function halfEdgeBound(p: Problem, adj: Neighbor[][]): number {
  let lb = p.constant;
  for (let i = 0; i < p.n; i++) {
    const L = p.labels[i]!;
    let best = Infinity;
    for (let a = 0; a < L; a++) {
      let c = p.unary[i]![a]!;
      for (const { j, m } of adj[i]!) {
        const Lj = p.labels[j]!;
        let mn = Infinity;
        for (let b = 0; b < Lj; b++) mn = Math.min(mn, m[a * Lj + b]!);
        c += mn / 2;
      }
      best = Math.min(best, c);
    }
    lb += best;
  }
  return lb;
}
