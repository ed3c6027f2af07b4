/**
 * A problem's adjacency in flat typed arrays (compressed rows), for the
 * solvers' inner loops: one allocation for every factor in both
 * orientations instead of an object and a matrix per neighbour, so a sweep
 * over a vertex's neighbours reads consecutive memory.
 *
 * Vertex i's entries are k in [start[i], start[i + 1]): neighbour nb[k], its
 * factor at M[off[k] ...] oriented (labels of i) x (labels of nb[k]), and
 * rev[k] the entry of i in nb[k]'s list (the same factor, transposed).
 */
import type { Problem } from './problem.js';

export interface FlatGraph {
  readonly n: number;
  readonly labels: Int32Array;
  readonly start: Int32Array;
  readonly nb: Int32Array;
  readonly off: Int32Array;
  readonly rev: Int32Array;
  readonly M: Float64Array;
}

export function flatAdjacency(p: Problem): FlatGraph {
  const n = p.n;
  const labels = Int32Array.from(p.labels);
  const start = new Int32Array(n + 1);
  let size = 0;
  for (const f of p.factors) {
    start[f.u + 1]!++;
    start[f.v + 1]!++;
    size += 2 * f.m.length;
  }
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const entries = start[n]!;
  const nb = new Int32Array(entries);
  const off = new Int32Array(entries);
  const rev = new Int32Array(entries);
  const M = new Float64Array(size);
  const fill = start.slice(0, n);
  let at = 0;
  for (const f of p.factors) {
    const Lu = labels[f.u]!;
    const Lv = labels[f.v]!;
    const ku = fill[f.u]!++;
    const kv = fill[f.v]!++;
    nb[ku] = f.v;
    nb[kv] = f.u;
    rev[ku] = kv;
    rev[kv] = ku;
    off[ku] = at;
    M.set(f.m, at);
    at += f.m.length;
    off[kv] = at;
    for (let a = 0; a < Lu; a++) for (let b = 0; b < Lv; b++) M[at + b * Lu + a] = f.m[a * Lv + b]!;
    at += f.m.length;
  }
  return { n, labels, start, nb, off, rev, M };
}

/** Connected components, each sorted. */
export function flatComponents(g: FlatGraph): number[][] {
  const seen = new Uint8Array(g.n);
  const out: number[][] = [];
  const stack: number[] = [];
  for (let s = 0; s < g.n; s++) {
    if (seen[s]) continue;
    const comp: number[] = [];
    stack.push(s);
    seen[s] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      comp.push(i);
      for (let k = g.start[i]!; k < g.start[i + 1]!; k++) {
        const j = g.nb[k]!;
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

/** Per vertex and label: the unary cost plus half the cheapest entry of each factor's row (the half-edge terms). */
export function halfEdgeTerms(p: Problem, g: FlatGraph): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < g.n; i++) {
    const Li = g.labels[i]!;
    const c = Float64Array.from(p.unary[i]!);
    for (let k = g.start[i]!; k < g.start[i + 1]!; k++) {
      const Lj = g.labels[g.nb[k]!]!;
      const o = g.off[k]!;
      for (let a = 0; a < Li; a++) {
        let mn = Infinity;
        const row = o + a * Lj;
        for (let b = 0; b < Lj; b++) {
          const x = g.M[row + b]!;
          if (x < mn) mn = x;
        }
        c[a]! += mn / 2;
      }
    }
    out.push(c);
  }
  return out;
}

/** problem.ts halfEdgeBound over the vertices `vs` (a union of components) of the flat graph. */
export function flatHalfEdgeBound(terms: readonly Float64Array[], vs: Iterable<number>): number {
  let lb = 0;
  for (const i of vs) {
    let best = Infinity;
    for (const x of terms[i]!) if (x < best) best = x;
    lb += best;
  }
  return lb;
}
