/**
 * The exact solver: depth-first branch and bound over one connected problem
 * (a kernel component after elimination). Vertices are fixed in an order
 * that keeps the fixed part connected (most tightly bound first); labels are
 * tried cheapest first. A partial assignment is bounded below by its
 * committed cost plus, for each free vertex, its cheapest label counting
 * factors to fixed vertices exactly and factors to free ones by half their
 * minimum (the half-edge bound of problem.ts, tightened as vertices are
 * fixed). A subtree is cut when its bound reaches the incumbent. Stopped by
 * the time budget, it returns the incumbent and a valid lower bound (the
 * least bound among the subtrees left unexplored).
 */
import type { Neighbor, Problem } from './problem.js';
import { adjacency } from './problem.js';

export interface ExactResult {
  readonly x: Int32Array;
  readonly objective: number;
  /** Equal to objective when optimal. */
  readonly lowerBound: number;
  readonly optimal: boolean;
  readonly nodes: number;
}

export interface ExactOptions {
  /** Stop after this many milliseconds (default 1,000). */
  budgetMs?: number;
  /** A known solution to start from (its cost is the first incumbent). */
  incumbent?: ArrayLike<number>;
  /** Absolute time (performance.now()) to stop at; overrides budgetMs. */
  deadline?: number;
}

const EPS = 1e-9;

export function branchAndBound(p: Problem, options: ExactOptions = {}): ExactResult {
  const n = p.n;
  const L = p.labels;
  const adj = adjacency(p);
  const deadline = options.deadline ?? performance.now() + (options.budgetMs ?? 1000);
  // half-minima: hm[i][k][a] = min_b m / 2 over the k-th neighbour's labels
  const hm: Float64Array[][] = adj.map((ns, i) =>
    ns.map(({ j, m }) => {
      const Li = L[i]!;
      const Lj = L[j]!;
      const h = new Float64Array(Li);
      for (let a = 0; a < Li; a++) {
        let mn = Infinity;
        for (let b = 0; b < Lj; b++) mn = Math.min(mn, m[a * Lj + b]!);
        h[a] = mn / 2;
      }
      return h;
    }),
  );
  // position of i in j's adjacency
  const back: Int32Array[] = adj.map((ns, i) => Int32Array.from(ns.map(({ j }) => adj[j]!.findIndex((e) => e.j === i))));
  const acc: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const a = Float64Array.from(p.unary[i]!);
    hm[i]!.forEach((h) => {
      for (let l = 0; l < a.length; l++) a[l]! += h[l]!;
    });
    acc.push(a);
  }
  const order = searchOrder(p, adj);
  const x = new Int32Array(n).fill(-1);
  let best = Infinity;
  let bestX = new Int32Array(n);
  if (options.incumbent) {
    bestX = Int32Array.from(options.incumbent);
    best = costOf(p, adj, bestX);
  }
  let nodes = 0;
  let stopped = false;
  let frontierLb = Infinity;

  const minOf = (a: Float64Array) => {
    let m = Infinity;
    for (let l = 0; l < a.length; l++) if (a[l]! < m) m = a[l]!;
    return m;
  };
  const freeBound = (from: number) => {
    let s = 0;
    for (let d = from; d < n; d++) s += minOf(acc[order[d]!]!);
    return s;
  };
  /** Fixes i to a: returns the committed cost added; updates free neighbours' acc. */
  const assign = (i: number, a: number, sign: 1 | -1): number => {
    let inc = p.unary[i]![a]!;
    const ns = adj[i]!;
    for (let k = 0; k < ns.length; k++) {
      const { j, m } = ns[k]!;
      const Lj = L[j]!;
      if (x[j]! >= 0) {
        inc += m[a * Lj + x[j]!]!;
        continue;
      }
      // free neighbour: its factor to i is now exact instead of half its minimum
      const mj = adj[j]![back[i]![k]!]!.m; // Lj x Li
      const Li = L[i]!;
      const hj = hm[j]![back[i]![k]!]!;
      const accj = acc[j]!;
      for (let b = 0; b < Lj; b++) accj[b]! += sign * (mj[b * Li + a]! - hj[b]!);
    }
    return inc;
  };

  const search = (d: number, committed: number): void => {
    if (d === n) {
      if (committed < best - EPS) {
        best = committed;
        bestX = Int32Array.from(x);
      }
      return;
    }
    if ((++nodes & 255) === 0 && performance.now() > deadline) stopped = true;
    const i = order[d]!;
    const Li = L[i]!;
    const labels = Array.from({ length: Li }, (_, a) => a).sort((a, b) => acc[i]![a]! - acc[i]![b]!);
    for (let t = 0; t < labels.length; t++) {
      const a = labels[t]!;
      if (stopped) {
        // left unexplored: its bound still counts toward the global lower bound
        frontierLb = Math.min(frontierLb, childBound(i, a, d, committed));
        continue;
      }
      const inc = assign(i, a, 1);
      x[i] = a;
      const bound = committed + inc + freeBound(d + 1);
      if (bound < best - EPS) search(d + 1, committed + inc);
      x[i] = -1;
      assign(i, a, -1);
    }
  };
  const childBound = (i: number, a: number, d: number, committed: number): number => {
    const inc = assign(i, a, 1);
    x[i] = a;
    const b = committed + inc + freeBound(d + 1);
    x[i] = -1;
    assign(i, a, -1);
    return b;
  };

  search(0, p.constant);
  const optimal = !stopped;
  const objective = best;
  const lowerBound = optimal ? best : Math.min(best, frontierLb);
  return { x: bestX, objective, lowerBound, optimal, nodes };
}

function costOf(p: Problem, adj: Neighbor[][], x: Int32Array): number {
  let c = p.constant;
  for (let i = 0; i < p.n; i++) {
    c += p.unary[i]![x[i]!]!;
    for (const { j, m } of adj[i]!) if (i < j) c += m[x[i]! * p.labels[j]! + x[j]!]!;
  }
  return c;
}

/**
 * Fix order: start from the vertex with the most at stake (sum over its
 * factors of the spread between their largest and smallest entry), then
 * repeatedly the free vertex most bound to the fixed ones.
 */
function searchOrder(p: Problem, adj: Neighbor[][]): number[] {
  const n = p.n;
  const spread = adj.map((ns) =>
    ns.map(({ m }) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of m) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return hi - lo;
    }),
  );
  const total = spread.map((s) => s.reduce((a, b) => a + b, 0));
  const tie = adj.map((ns) => ns.length);
  const link = new Float64Array(n);
  const done = new Uint8Array(n);
  const order: number[] = [];
  for (let step = 0; step < n; step++) {
    let pick = -1;
    for (let i = 0; i < n; i++) {
      if (done[i]) continue;
      if (pick < 0 || link[i]! > link[pick]! || (link[i] === link[pick] && (total[i]! > total[pick]! || (total[i] === total[pick] && tie[i]! > tie[pick]!)))) pick = i;
    }
    done[pick] = 1;
    order.push(pick);
    adj[pick]!.forEach(({ j }, k) => {
      if (!done[j]) link[j]! += spread[pick]![k]!;
    });
  }
  return order;
}
