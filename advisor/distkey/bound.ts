/**
 * Lower bounds by reparametrization: costs are shifted between a vertex's
 * label costs and its factors so that every assignment keeps its total (an
 * equivalent problem) while the sum of the separate minima (each unary's and
 * each factor's cheapest entry) rises. The update is MPLP's star update
 * (Globerson and Jaakkola, NIPS 2007): at a vertex, gather its factors'
 * min-marginals into its label costs and share the total equally between the
 * vertex and its factors. It is block-coordinate ascent on the dual of the
 * problem's linear relaxation over the local polytope, so the bound never
 * falls; on a tree it reaches the optimum. The result is returned with the
 * minima moved into the constant and every entry >= 0, so branch and bound
 * and the half-edge bound work on it unchanged, only tighter.
 */
import type { Factor, Problem } from './problem.js';

export interface Reparametrized {
  readonly problem: Problem;
  /** No assignment costs less (the equivalent problem's constant). */
  readonly bound: number;
  readonly sweeps: number;
}

export function reparametrize(p: Problem, options: { sweeps?: number; minSweeps?: number; deadline?: number } = {}): Reparametrized {
  const n = p.n;
  const L = p.labels;
  const unary = p.unary.map((u) => Float64Array.from(u));
  const factors = p.factors.map((f) => ({ u: f.u, v: f.v, m: Float64Array.from(f.m) }));
  // incidences of each vertex: factor index, and whether the vertex is the factor's u (rows) or v (columns)
  const incStart = new Int32Array(n + 1);
  for (const f of factors) {
    incStart[f.u + 1]!++;
    incStart[f.v + 1]!++;
  }
  for (let i = 0; i < n; i++) incStart[i + 1]! += incStart[i]!;
  const incF = new Int32Array(incStart[n]!);
  const incU = new Uint8Array(incStart[n]!);
  const fill = incStart.slice(0, n);
  factors.forEach((f, k) => {
    incF[fill[f.u]!] = k;
    incU[fill[f.u]!++] = 1;
    incF[fill[f.v]!] = k;
    incU[fill[f.v]!++] = 0;
  });
  let maxL = 1;
  let maxDeg = 1;
  for (let i = 0; i < n; i++) {
    maxL = Math.max(maxL, L[i]!);
    maxDeg = Math.max(maxDeg, incStart[i + 1]! - incStart[i]!);
  }
  const maxSweeps = options.sweeps ?? 100;
  const deadline = options.deadline ?? Infinity;
  const gam = new Float64Array(maxDeg * maxL);
  const T = new Float64Array(maxL);
  let sweeps = 0;
  let last = -Infinity;
  for (; sweeps < maxSweeps; sweeps++) {
    if (sweeps >= (options.minSweeps ?? 0) && performance.now() > deadline) break;
    for (let i = 0; i < n; i++) {
      const s0 = incStart[i]!;
      const deg = incStart[i + 1]! - s0;
      if (deg === 0) continue;
      const Li = L[i]!;
      const ui = unary[i]!;
      for (let a = 0; a < Li; a++) T[a] = ui[a]!;
      for (let k = 0; k < deg; k++) {
        const F = factors[incF[s0 + k]!]!;
        const m = F.m;
        const Lv = L[F.v]!;
        const g0 = k * maxL;
        if (incU[s0 + k]) {
          for (let a = 0; a < Li; a++) {
            let mn = Infinity;
            const row = a * Lv;
            for (let b = 0; b < Lv; b++) {
              const x = m[row + b]!;
              if (x < mn) mn = x;
            }
            gam[g0 + a] = mn;
            T[a]! += mn;
          }
        } else {
          const Lu = L[F.u]!;
          for (let b = 0; b < Li; b++) {
            let mn = Infinity;
            for (let a = 0; a < Lu; a++) {
              const x = m[a * Lv + b]!;
              if (x < mn) mn = x;
            }
            gam[g0 + b] = mn;
            T[b]! += mn;
          }
        }
      }
      const share = 1 / (deg + 1);
      for (let k = 0; k < deg; k++) {
        const F = factors[incF[s0 + k]!]!;
        const m = F.m;
        const Lv = L[F.v]!;
        const g0 = k * maxL;
        if (incU[s0 + k]) {
          for (let a = 0; a < Li; a++) {
            const d = T[a]! * share - gam[g0 + a]!;
            const row = a * Lv;
            for (let b = 0; b < Lv; b++) m[row + b]! += d;
          }
        } else {
          const Lu = L[F.u]!;
          for (let b = 0; b < Li; b++) {
            const d = T[b]! * share - gam[g0 + b]!;
            for (let a = 0; a < Lu; a++) m[a * Lv + b]! += d;
          }
        }
      }
      for (let a = 0; a < Li; a++) ui[a] = T[a]! * share;
    }
    if ((sweeps & 7) === 7) {
      const b = dualBound(p.constant, unary, factors);
      if (b - last <= 1e-7 * Math.max(1, Math.abs(b))) {
        sweeps++;
        break;
      }
      last = b;
    }
  }
  // move the minima into the constant: every entry >= 0, the constant is the bound
  let constant = p.constant;
  for (const u of unary) {
    let mn = Infinity;
    for (const x of u) mn = Math.min(mn, x);
    if (mn === Infinity) continue;
    for (let a = 0; a < u.length; a++) u[a] = Math.max(0, u[a]! - mn);
    constant += mn;
  }
  const out: Factor[] = factors.map((f) => {
    let mn = Infinity;
    for (const x of f.m) mn = Math.min(mn, x);
    for (let k = 0; k < f.m.length; k++) f.m[k] = Math.max(0, f.m[k]! - mn);
    constant += mn;
    return f;
  });
  return { problem: { n, labels: L, unary, factors: out, constant }, bound: constant, sweeps };
}

function dualBound(constant: number, unary: readonly Float64Array[], factors: readonly { m: Float64Array }[]): number {
  let b = constant;
  for (const u of unary) {
    let mn = Infinity;
    for (const x of u) mn = Math.min(mn, x);
    if (mn !== Infinity) b += mn;
  }
  for (const f of factors) {
    let mn = Infinity;
    for (const x of f.m) mn = Math.min(mn, x);
    b += mn;
  }
  return b;
}
