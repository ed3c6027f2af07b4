/**
 * Solving a problem: exact reduction (eliminate.ts) first, then on each
 * connected component of what is left either branch and bound (exact.ts),
 * when it proves optimality within the time budget, or the local-search
 * heuristic (heuristic.ts). In the spirit of the paper's BaW ("best of all
 * worlds"): heuristics give the incumbent, the exact search improves or
 * certifies it, and every result carries its objective, a lower bound and the
 * gap between them.
 */
import { reparametrize } from './bound.js';
import { reduce } from './eliminate.js';
import { branchAndBound } from './exact.js';
import { localSearchSolve } from './heuristic.js';
import type { Problem } from './problem.js';
import { adjacency, evaluate, subProblem } from './problem.js';
import { flatAdjacency, flatComponents, flatHalfEdgeBound, halfEdgeTerms } from './flat.js';

export type SolverMethod = 'exact' | 'heuristic' | 'auto';

export interface SolveOptions {
  /** exact: branch and bound everywhere (within the budget); heuristic: never; auto (default): exact, falling back to the heuristic's answer when the budget runs out. */
  method?: SolverMethod;
  /** Milliseconds for the whole solve (default 2,000 for auto and exact, 500 for heuristic). */
  budgetMs?: number;
  seed?: number;
  /** Extra starting points for the heuristic, as full assignments of the problem. */
  starts?: readonly ArrayLike<number>[];
  /** Share of the budget for the bound's reparametrization, which also guides the heuristic's start (default 0.2). */
  boundShare?: number;
  /** Heuristic kicks per kernel component (default: heuristic.ts's). */
  iterations?: number;
}

export interface SolveResult {
  readonly x: Int32Array;
  readonly objective: number;
  /** No assignment costs less than this. */
  readonly lowerBound: number;
  /** (objective - lowerBound) / objective; 0 when proven optimal. */
  readonly gap: number;
  readonly optimal: boolean;
  /** What produced the answer: elimination alone, branch and bound, local search, or a mix. */
  readonly method: string;
  readonly ms: number;
  /** Milliseconds until the returned answer was reached (proven optimal: until the proof); a local search runs on to its budget without improving it. */
  readonly convergedMs: number;
  readonly stats: {
    readonly vertices: number;
    readonly factors: number;
    readonly kernelVertices: number;
    readonly components: number;
    readonly componentsExact: number;
    readonly nodes: number;
    /** Sweeps of the bound's reparametrization. */
    readonly sweeps: number;
  };
}

export function solve(p: Problem, options: SolveOptions = {}): SolveResult {
  const t0 = performance.now();
  const method = options.method ?? 'auto';
  const budget = options.budgetMs ?? (method === 'heuristic' ? 500 : 2000);
  const deadline = t0 + budget;
  const red = reduce(p);
  // an equivalent kernel whose costs are shifted so that bounds are tight (bound.ts)
  const rep = reparametrize(red.kernel, { minSweeps: 2, deadline: performance.now() + Math.max(0, deadline - performance.now()) * (options.boundShare ?? 0.2) });
  const k = rep.problem;
  const flat = flatAdjacency(k);
  const comps = flatComponents(flat);
  // the half-edge bound's terms, for components the heuristic alone solves
  const terms = method === 'heuristic' ? halfEdgeTerms(k, flat) : null;
  const kx = new Int32Array(k.n);
  let lowerBound = k.constant;
  let nodes = 0;
  let exactComps = 0;
  let usedBnb = false;
  let usedLs = false;
  // time spent searching on after the returned answer was reached, without improving it
  let idleMs = 0;
  // the heuristic gets a share of the budget proportional to its component's size, less a reserve
  // for what follows it (expanding the eliminated tables, evaluating), so the whole solve keeps to the budget
  const totalKernel = Math.max(1, k.n);
  const reserve = Math.min(budget * 0.05, 25);
  comps.forEach((comp, ci) => {
    const whole = comps.length === 1;
    const sub = whole ? k : subProblem(k, comp);
    const starts = (options.starts ?? []).map((s) => {
      const full = Int32Array.from(s);
      return comp.map((v) => full[red.kernelVertices[v]!]!);
    });
    const now = performance.now();
    const remaining = Math.max(1, deadline - reserve - now);
    const share = method === 'heuristic' ? remaining * (comp.length / totalKernel) : Math.min(remaining * 0.25, remaining * (comp.length / totalKernel));
    const h = localSearchSolve(sub, {
      budgetMs: Math.max(1, share),
      seed: (options.seed ?? 1) + ci,
      starts,
      ...(whole ? { graph: flat } : {}),
      ...(options.iterations === undefined ? {} : { iterations: options.iterations }),
    });
    usedLs = usedLs || comp.length > 1;
    let x = h.x;
    let lb: number;
    // the kernel's constant is counted once, outside the components
    const c0 = whole ? k.constant : 0;
    if (method === 'heuristic') {
      lb = comp.length === 1 ? h.objective - c0 : flatHalfEdgeBound(terms!, comp);
      if (comp.length === 1) exactComps++;
      idleMs += performance.now() - h.bestAt;
    } else {
      // later components get what earlier ones left, shared by size
      const left = comps.slice(ci).reduce((s, c) => s + c.length, 0);
      const slot = Math.max(1, (deadline - performance.now()) * (comp.length / left));
      const b = branchAndBound(sub, { incumbent: h.x, deadline: performance.now() + slot });
      nodes += b.nodes;
      if (comp.length > 1) usedBnb = true;
      if (b.objective < h.objective) x = b.x;
      lb = b.lowerBound - c0;
      if (b.optimal) exactComps++;
      // a proof is the answer reached; a search that neither proved nor improved ran idle after the heuristic's answer
      else if (b.objective >= h.objective) idleMs += performance.now() - h.bestAt;
    }
    comp.forEach((v, i) => (kx[v] = x[i]!));
    lowerBound += Math.min(lb, evaluate(sub, x) - c0);
  });
  const x = red.expand(kx);
  const objective = evaluate(p, x);
  lowerBound = Math.min(lowerBound, objective);
  const optimal = exactComps === comps.length;
  const gap = objective > 0 ? Math.max(0, (objective - lowerBound) / objective) : 0;
  const parts = ['elimination'];
  if (usedBnb) parts.push('branch-and-bound');
  if (usedLs && (method === 'heuristic' || !optimal)) parts.push('local-search');
  return {
    x,
    objective,
    lowerBound: optimal ? objective : lowerBound,
    gap: optimal ? 0 : gap,
    optimal,
    method: parts.join('+'),
    ms: performance.now() - t0,
    convergedMs: Math.max(0, performance.now() - t0 - idleMs),
    stats: {
      vertices: p.n,
      factors: p.factors.length,
      kernelVertices: k.n,
      components: comps.length,
      componentsExact: exactComps,
      nodes,
      sweeps: rep.sweeps,
    },
  };
}

/**
 * Greedy heaviest-edge-first, the usual baseline (the paper's): take join
 * edges from the most to the least costly; co-locate an edge (both tables on
 * its columns) when neither table has been given a key yet; tables left over
 * take their cheapest label given the others. `edges` name, per edge, the
 * two vertices, the label of each that co-locates it (-1 if none) and its
 * weight. Returns a full assignment.
 */
export function greedyHeaviestEdge(
  p: Problem,
  edges: readonly { readonly u: number; readonly v: number; readonly lu: number; readonly lv: number; readonly weight: number }[],
): Int32Array {
  const x = new Int32Array(p.n).fill(-1);
  const sorted = [...edges].sort((a, b) => b.weight - a.weight);
  for (const e of sorted) {
    if (e.lu < 0 || e.lv < 0 || e.u === e.v) continue;
    const okU = x[e.u] === -1 || x[e.u] === e.lu;
    const okV = x[e.v] === -1 || x[e.v] === e.lv;
    if (okU && okV) {
      x[e.u] = e.lu;
      x[e.v] = e.lv;
    }
  }
  // tables no edge claimed: their cheapest label given the others (unclaimed ones counted as label 0, EVEN)
  const adj = adjacency(p);
  const free: number[] = [];
  for (let i = 0; i < p.n; i++) if (x[i] === -1) free.push(i);
  for (const i of free) x[i] = 0;
  for (const i of free) {
    let best = 0;
    let bc = Infinity;
    for (let a = 0; a < p.labels[i]!; a++) {
      let c = p.unary[i]![a]!;
      for (const { j, m } of adj[i]!) c += m[a * p.labels[j]! + x[j]!]!;
      if (c < bc) {
        bc = c;
        best = a;
      }
    }
    x[i] = best;
  }
  return x;
}
