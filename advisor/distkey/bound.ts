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
  // every factor's matrix in one array (factor k at fo[k], rows u's labels, columns v's), so the sweeps
  // read consecutive memory rather than thousands of small arrays
  const nf = p.factors.length;
  const fo = new Int32Array(nf + 1);
  const fu = new Int32Array(nf);
  const fv = new Int32Array(nf);
  p.factors.forEach((f, k) => {
    fu[k] = f.u;
    fv[k] = f.v;
    fo[k + 1] = fo[k]! + f.m.length;
  });
  const M = new Float64Array(fo[nf]!);
  p.factors.forEach((f, k) => M.set(f.m, fo[k]!));
  // incidences of each vertex: factor index, and whether the vertex is the factor's u (rows) or v (columns)
  const incStart = new Int32Array(n + 1);
  for (let k = 0; k < nf; k++) {
    incStart[fu[k]! + 1]!++;
    incStart[fv[k]! + 1]!++;
  }
  for (let i = 0; i < n; i++) incStart[i + 1]! += incStart[i]!;
  const incF = new Int32Array(incStart[n]!);
  const incU = new Uint8Array(incStart[n]!);
  const fill = incStart.slice(0, n);
  for (let k = 0; k < nf; k++) {
    incF[fill[fu[k]!]!] = k;
    incU[fill[fu[k]!]!++] = 1;
    incF[fill[fv[k]!]!] = k;
    incU[fill[fv[k]!]!++] = 0;
  }
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
        const f = incF[s0 + k]!;
        const o = fo[f]!;
        const Lv = L[fv[f]!]!;
        const g0 = k * maxL;
        if (incU[s0 + k]) {
          for (let a = 0; a < Li; a++) {
            let mn = Infinity;
            const row = o + a * Lv;
            for (let b = 0; b < Lv; b++) {
              const x = M[row + b]!;
              if (x < mn) mn = x;
            }
            gam[g0 + a] = mn;
            T[a]! += mn;
          }
        } else {
          const Lu = L[fu[f]!]!;
          for (let b = 0; b < Li; b++) {
            let mn = Infinity;
            for (let a = 0; a < Lu; a++) {
              const x = M[o + a * Lv + b]!;
              if (x < mn) mn = x;
            }
            gam[g0 + b] = mn;
            T[b]! += mn;
          }
        }
      }
      const share = 1 / (deg + 1);
      for (let k = 0; k < deg; k++) {
        const f = incF[s0 + k]!;
        const o = fo[f]!;
        const Lv = L[fv[f]!]!;
        const g0 = k * maxL;
        if (incU[s0 + k]) {
          for (let a = 0; a < Li; a++) {
            const d = T[a]! * share - gam[g0 + a]!;
            const row = o + a * Lv;
            for (let b = 0; b < Lv; b++) M[row + b]! += d;
          }
        } else {
          const Lu = L[fu[f]!]!;
          for (let b = 0; b < Li; b++) {
            const d = T[b]! * share - gam[g0 + b]!;
            for (let a = 0; a < Lu; a++) M[o + a * Lv + b]! += d;
          }
        }
      }
      for (let a = 0; a < Li; a++) ui[a] = T[a]! * share;
    }
    if ((sweeps & 7) === 7) {
      const b = dualBound(p.constant, unary, M, fo);
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
  const out: Factor[] = [];
  for (let k = 0; k < nf; k++) {
    const m = M.subarray(fo[k]!, fo[k + 1]!);
    let mn = Infinity;
    for (let e = 0; e < m.length; e++) if (m[e]! < mn) mn = m[e]!;
    for (let e = 0; e < m.length; e++) m[e] = Math.max(0, m[e]! - mn);
    constant += mn;
    out.push({ u: fu[k]!, v: fv[k]!, m });
  }
  return { problem: { n, labels: L, unary, factors: out, constant }, bound: constant, sweeps };
}

function dualBound(constant: number, unary: readonly Float64Array[], M: Float64Array, fo: Int32Array): number {
  let b = constant;
  for (const u of unary) {
    let mn = Infinity;
    for (const x of u) mn = Math.min(mn, x);
    if (mn !== Infinity) b += mn;
  }
  for (let k = 0; k + 1 < fo.length; k++) {
    let mn = Infinity;
    for (let e = fo[k]!; e < fo[k + 1]!; e++) if (M[e]! < mn) mn = M[e]!;
    if (fo[k + 1]! > fo[k]!) b += mn;
  }
  return b;
}
