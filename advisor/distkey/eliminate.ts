/**
 * Exact reduction: vertices with at most two neighbours are eliminated
 * (variable elimination / dynamic programming). A leaf folds its best response
 * into its neighbour's label costs; a vertex on a path folds into a factor
 * between its two neighbours. Trees, chains, stars and snowflakes vanish
 * entirely (solved exactly in linear time); what is left, the kernel, has
 * every vertex of degree three or more and goes to the search.
 */
import type { Factor, Problem } from './problem.js';
import { transpose } from './problem.js';

type Step =
  | { kind: 0; v: number; best: number }
  | { kind: 1; v: number; u: number; arg: Int32Array }
  | { kind: 2; v: number; u: number; w: number; arg: Int32Array };

export interface Reduction {
  /** The kernel problem (vertices renumbered) whose optimum plus nothing else is the original's optimum. */
  readonly kernel: Problem;
  /** kernel vertex i is original vertex kernelVertices[i]. */
  readonly kernelVertices: readonly number[];
  /** Original vertices eliminated. */
  readonly eliminated: number;
  /** Rebuilds a full assignment of the original problem from one of the kernel. */
  expand(kernelLabels: ArrayLike<number>): Int32Array;
}

export function reduce(p: Problem): Reduction {
  const n = p.n;
  const L = p.labels;
  // nothing to eliminate (every vertex has three neighbours or more, as in dense graphs): the kernel is
  // the problem itself, without building the neighbour maps (factors are one per vertex pair)
  const degree = new Int32Array(n);
  for (const f of p.factors) {
    degree[f.u]!++;
    degree[f.v]!++;
  }
  if (degree.every((d) => d > 2)) {
    const all = Array.from({ length: n }, (_, i) => i);
    return { kernel: p, kernelVertices: all, eliminated: 0, expand: (kx) => Int32Array.from(kx) };
  }
  const unary = p.unary.map((u) => Float64Array.from(u));
  // nbr[v]: neighbour -> matrix oriented (labels of v) x (labels of neighbour)
  const nbr: Map<number, Float64Array>[] = Array.from({ length: n }, () => new Map());
  for (const f of p.factors) addFactor(nbr, L, f.u, f.v, f.m);
  let constant = p.constant;
  const alive = new Uint8Array(n).fill(1);
  const steps: Step[] = [];
  const queue: number[] = [];
  const queued = new Uint8Array(n);
  for (let v = 0; v < n; v++) {
    if (nbr[v]!.size <= 2) {
      queue.push(v);
      queued[v] = 1;
    }
  }
  const push = (v: number) => {
    if (alive[v] && !queued[v] && nbr[v]!.size <= 2) {
      queued[v] = 1;
      queue.push(v);
    }
  };
  while (queue.length) {
    const v = queue.pop()!;
    queued[v] = 0;
    if (!alive[v] || nbr[v]!.size > 2) continue;
    const Lv = L[v]!;
    const uv = unary[v]!;
    const ns = [...nbr[v]!.entries()];
    alive[v] = 0;
    if (ns.length === 0) {
      let best = 0;
      for (let a = 1; a < Lv; a++) if (uv[a]! < uv[best]!) best = a;
      constant += uv[best]!;
      steps.push({ kind: 0, v, best });
    } else if (ns.length === 1) {
      const [u, m] = ns[0]!; // m: Lv x Lu
      const Lu = L[u]!;
      const arg = new Int32Array(Lu);
      const uu = unary[u]!;
      for (let b = 0; b < Lu; b++) {
        let best = Infinity;
        let ba = 0;
        for (let a = 0; a < Lv; a++) {
          const c = uv[a]! + m[a * Lu + b]!;
          if (c < best) {
            best = c;
            ba = a;
          }
        }
        uu[b]! += best;
        arg[b] = ba;
      }
      nbr[u]!.delete(v);
      steps.push({ kind: 1, v, u, arg });
      push(u);
    } else {
      const [u, mu] = ns[0]!; // Lv x Lu
      const [w, mw] = ns[1]!; // Lv x Lw
      const Lu = L[u]!;
      const Lw = L[w]!;
      const h = new Float64Array(Lu * Lw);
      const arg = new Int32Array(Lu * Lw);
      for (let b = 0; b < Lu; b++) {
        for (let c = 0; c < Lw; c++) {
          let best = Infinity;
          let ba = 0;
          for (let a = 0; a < Lv; a++) {
            const x = uv[a]! + mu[a * Lu + b]! + mw[a * Lw + c]!;
            if (x < best) {
              best = x;
              ba = a;
            }
          }
          h[b * Lw + c] = best;
          arg[b * Lw + c] = ba;
        }
      }
      nbr[u]!.delete(v);
      nbr[w]!.delete(v);
      addFactor(nbr, L, u, w, h);
      steps.push({ kind: 2, v, u, w, arg });
      push(u);
      push(w);
    }
  }
  const kernelVertices: number[] = [];
  const index = new Int32Array(n).fill(-1);
  for (let v = 0; v < n; v++) {
    if (alive[v]) {
      index[v] = kernelVertices.length;
      kernelVertices.push(v);
    }
  }
  const factors: Factor[] = [];
  for (const v of kernelVertices) {
    for (const [u, m] of nbr[v]!) if (v < u) factors.push({ u: index[v]!, v: index[u]!, m });
  }
  const kernel: Problem = {
    n: kernelVertices.length,
    labels: kernelVertices.map((v) => L[v]!),
    unary: kernelVertices.map((v) => unary[v]!),
    factors,
    constant,
  };
  return {
    kernel,
    kernelVertices,
    eliminated: n - kernelVertices.length,
    expand(kx) {
      const x = new Int32Array(n).fill(-1);
      kernelVertices.forEach((v, i) => (x[v] = kx[i]!));
      for (let s = steps.length - 1; s >= 0; s--) {
        const st = steps[s]!;
        if (st.kind === 0) x[st.v] = st.best;
        else if (st.kind === 1) x[st.v] = st.arg[x[st.u]!]!;
        else x[st.v] = st.arg[x[st.u]! * L[st.w]! + x[st.w]!]!;
      }
      return x;
    },
  };
}

/** Adds matrix m (labels of a x labels of b) to the factor between a and b, in both orientations. */
function addFactor(nbr: Map<number, Float64Array>[], L: readonly number[], a: number, b: number, m: Float64Array): void {
  const cur = nbr[a]!.get(b);
  if (cur) {
    for (let i = 0; i < m.length; i++) cur[i]! += m[i]!;
    nbr[b]!.set(a, transpose(cur, L[a]!, L[b]!));
  } else {
    const own = Float64Array.from(m);
    nbr[a]!.set(b, own);
    nbr[b]!.set(a, transpose(own, L[a]!, L[b]!));
  }
}
