/**
 * Heuristics for graphs too large to search exhaustively.
 *
 * Local search with two moves:
 *  - single: one table to its cheapest label given its neighbours;
 *  - star (a Kernighan-Lin-like compound move): one table to some label, then
 *    each neighbour in turn to its best response; kept when the whole move
 *    lowers the cost. This is what escapes greedy's trap where a table's two
 *    keys compete: moving the hub alone, or one edge at a time, never pays,
 *    moving it with its neighbours does.
 * Then iterated local search: kick a random table (and its neighbours) to a
 * random label, descend again, keep the best. Seeded, so reproducible for a
 * given iteration budget; a time budget stops it early on huge graphs.
 *
 * Speed comes from keeping every table's cost under each of its labels up to
 * date as its neighbours move (a move touches only its neighbours' rows),
 * from flat typed arrays for the factors (flat.ts), and from pricing a star
 * move before making it (starGain): most labels of a table promise nothing
 * and are never tried.
 */
import type { Problem } from './problem.js';
import { Random } from './problem.js';
import { type FlatGraph, flatAdjacency } from './flat.js';

export interface HeuristicOptions {
  /** Stop iterated local search after this many kicks (default 30 per vertex, at least 200). */
  iterations?: number;
  /** ... or after this many milliseconds (default 300). */
  budgetMs?: number;
  seed?: number;
  /** Extra starting assignments (e.g. greedy's); the best after descent wins. */
  starts?: readonly ArrayLike<number>[];
  /** The problem's flat adjacency, when the caller has it already. */
  graph?: FlatGraph;
}

export interface HeuristicResult {
  readonly x: Int32Array;
  readonly objective: number;
  readonly iterations: number;
  /** When (performance.now()) the returned answer was first reached: the search ran on after it without improving. */
  readonly bestAt: number;
}

/**
 * An assignment with every vertex's cost for each of its labels kept up to
 * date (its unary cost plus its factors' entries at the neighbours' current
 * labels): a vertex's best response is a scan of its own labels, and moving a
 * vertex updates only its neighbours' rows. Sums drift by rounding as moves
 * add and subtract, so improvements are judged with a tolerance relative to
 * the cost, and the final cost is recomputed from scratch.
 */
export class LocalSearch {
  readonly g: FlatGraph;
  readonly x: Int32Array;
  cost: number;
  /** local[lstart[i] + a]: vertex i's cost with label a, the neighbours as they are. */
  private readonly localCost: Float64Array;
  private readonly lstart: Int32Array;
  private tol: number;
  private readonly inQueue: Uint8Array;
  private readonly queue: number[] = [];

  constructor(
    readonly p: Problem,
    start: ArrayLike<number>,
    g?: FlatGraph,
  ) {
    this.g = g ?? flatAdjacency(p);
    this.x = Int32Array.from(start);
    this.lstart = new Int32Array(p.n + 1);
    for (let i = 0; i < p.n; i++) this.lstart[i + 1] = this.lstart[i]! + this.g.labels[i]!;
    this.localCost = new Float64Array(this.lstart[p.n]!);
    this.inQueue = new Uint8Array(p.n);
    this.cost = 0;
    this.tol = 0;
    this.resync();
  }

  /** Recomputes every vertex's label costs and the total from scratch. */
  resync(): void {
    const { start, nb, off, M, labels } = this.g;
    const x = this.x;
    let total = this.p.constant;
    for (let i = 0; i < this.p.n; i++) {
      const Li = labels[i]!;
      const base = this.lstart[i]!;
      const u = this.p.unary[i]!;
      for (let a = 0; a < Li; a++) this.localCost[base + a] = u[a]!;
      for (let k = start[i]!; k < start[i + 1]!; k++) {
        const j = nb[k]!;
        const Lj = labels[j]!;
        const o = off[k]! + x[j]!;
        for (let a = 0; a < Li; a++) this.localCost[base + a]! += M[o + a * Lj]!;
      }
      // each factor once in the total: its unary plus half of every factor entry seen from both ends
      total += u[x[i]!]! + (this.localCost[base + x[i]!]! - u[x[i]!]!) / 2;
    }
    this.cost = total;
    this.tol = 1e-12 * Math.max(1, Math.abs(total));
  }

  total(): number {
    const { start, nb, off, M, labels } = this.g;
    let c = this.p.constant;
    for (let i = 0; i < this.p.n; i++) {
      c += this.p.unary[i]![this.x[i]!]!;
      for (let k = start[i]!; k < start[i + 1]!; k++) {
        const j = nb[k]!;
        if (i < j) c += M[off[k]! + this.x[i]! * labels[j]! + this.x[j]!]!;
      }
    }
    return c;
  }

  /** Cost of i's unary and factors if i had label a (neighbours as they are). */
  local(i: number, a: number): number {
    return this.localCost[this.lstart[i]! + a]!;
  }

  bestLabel(i: number): [number, number] {
    const base = this.lstart[i]!;
    const Li = this.g.labels[i]!;
    let best = this.x[i]!;
    let bc = this.localCost[base + best]!;
    for (let a = 0; a < Li; a++) {
      const c = this.localCost[base + a]!;
      if (c < bc - this.tol) {
        bc = c;
        best = a;
      }
    }
    return [best, bc];
  }

  /** Gives j label b, updating its neighbours' label costs (not this.cost). */
  set(j: number, b: number): void {
    const old = this.x[j]!;
    if (old === b) return;
    const { start, nb, off, rev, M, labels } = this.g;
    const Lj = labels[j]!;
    for (let k = start[j]!; k < start[j + 1]!; k++) {
      const i = nb[k]!;
      const Li = labels[i]!;
      // the factor seen from i: rows are i's labels, columns j's
      const o = off[rev[k]!]!;
      const base = this.lstart[i]!;
      for (let a = 0; a < Li; a++) {
        const row = o + a * Lj;
        this.localCost[base + a]! += M[row + b]! - M[row + old]!;
      }
    }
    this.x[j] = b;
  }

  private push(i: number): void {
    if (!this.inQueue[i]) {
      this.inQueue[i] = 1;
      this.queue.push(i);
    }
  }

  private touched(i: number): void {
    this.push(i);
    const { start, nb } = this.g;
    for (let k = start[i]!; k < start[i + 1]!; k++) this.push(nb[k]!);
  }

  /** Moves i to a and each neighbour to its best response; returns the changes made (vertex, old label) and the cost delta. */
  star(i: number, a: number): { delta: number; changed: [number, number][] } {
    const changed: [number, number][] = [];
    let delta = this.local(i, a) - this.local(i, this.x[i]!);
    changed.push([i, this.x[i]!]);
    this.set(i, a);
    const { start, nb } = this.g;
    for (let k = start[i]!; k < start[i + 1]!; k++) {
      const j = nb[k]!;
      const old = this.x[j]!;
      const [b, c] = this.bestLabel(j);
      if (b !== old) {
        delta += c - this.local(j, old);
        changed.push([j, old]);
        this.set(j, b);
      }
    }
    return { delta, changed };
  }

  /**
   * What the star move (i to a, each neighbour to its best response) would
   * gain, each neighbour's response judged with only i moved: exact when no two
   * of i's neighbours are joined, an estimate otherwise. It reads i's and its
   * neighbours' label costs and changes nothing, so trying every label of a
   * table costs a scan of its neighbours' labels, not a move and its undoing.
   */
  starGain(i: number, a: number): number {
    const old = this.x[i]!;
    const { start, nb, off, rev, M, labels } = this.g;
    const Li = labels[i]!;
    let delta = this.local(i, a) - this.local(i, old);
    for (let k = start[i]!; k < start[i + 1]!; k++) {
      const j = nb[k]!;
      const Lj = labels[j]!;
      // the factor seen from j: rows are j's labels, columns i's
      const o = off[rev[k]!]!;
      const base = this.lstart[j]!;
      const cur = this.x[j]!;
      const now = this.localCost[base + cur]! + M[o + cur * Li + a]! - M[o + cur * Li + old]!;
      let best = now;
      for (let b = 0; b < Lj; b++) {
        const c = this.localCost[base + b]! + M[o + b * Li + a]! - M[o + b * Li + old]!;
        if (c < best) best = c;
      }
      delta += best - now;
    }
    return delta;
  }

  revert(changed: [number, number][]): void {
    for (let k = changed.length - 1; k >= 0; k--) this.set(changed[k]![0], changed[k]![1]);
  }

  /**
   * Descends from the current assignment: single moves until none helps, then
   * star moves, going back to single moves around every star move that helped.
   * `from` limits the first sweep to some vertices.
   */
  descend(from?: Iterable<number>, deadline = Infinity, stars = true): void {
    const starQueue: number[] = [];
    const inStar = new Uint8Array(this.p.n);
    const pushStar = (i: number) => {
      if (!inStar[i]) {
        inStar[i] = 1;
        starQueue.push(i);
      }
    };
    const { start, nb } = this.g;
    if (from) for (const i of from) (this.push(i), pushStar(i));
    else for (let i = 0; i < this.p.n; i++) (this.push(i), pushStar(i));
    let steps = 0;
    for (;;) {
      // single moves
      while (this.queue.length) {
        if ((++steps & 255) === 0 && performance.now() > deadline) return this.clearQueues(starQueue, inStar);
        const i = this.queue.pop()!;
        this.inQueue[i] = 0;
        const old = this.x[i]!;
        const [b, c] = this.bestLabel(i);
        if (b !== old) {
          this.cost += c - this.local(i, old);
          this.set(i, b);
          this.touched(i);
          pushStar(i);
          for (let k = start[i]!; k < start[i + 1]!; k++) pushStar(nb[k]!);
        }
      }
      if (!starQueue.length || !stars) break;
      // one star move
      if (performance.now() > deadline) return this.clearQueues(starQueue, inStar);
      const i = starQueue.pop()!;
      inStar[i] = 0;
      if (start[i + 1] === start[i]) continue;
      const old = this.x[i]!;
      const Li = this.g.labels[i]!;
      for (let a = 0; a < Li; a++) {
        // only a move that promises a gain is made (and kept if it really gains)
        if (a === old || this.starGain(i, a) >= -this.tol) continue;
        const { delta, changed } = this.star(i, a);
        if (delta < -this.tol) {
          this.cost += delta;
          for (const [v] of changed) {
            this.touched(v);
            pushStar(v);
          }
          break;
        }
        this.revert(changed);
      }
    }
    this.clearQueues(starQueue, inStar);
  }

  private clearQueues(starQueue: number[], inStar: Uint8Array): void {
    starQueue.length = 0;
    inStar.fill(0);
    this.queue.length = 0;
    this.inQueue.fill(0);
  }
}

/** For each vertex, the label minimizing its unary cost plus half the cheapest cost of each factor. */
export function halfMinStart(p: Problem, g: FlatGraph): Int32Array {
  const x = new Int32Array(p.n);
  const { start, nb, off, M, labels } = g;
  for (let i = 0; i < p.n; i++) {
    const Li = labels[i]!;
    let best = 0;
    let bc = Infinity;
    for (let a = 0; a < Li; a++) {
      let c = p.unary[i]![a]!;
      for (let k = start[i]!; k < start[i + 1]!; k++) {
        const Lj = labels[nb[k]!]!;
        const row = off[k]! + a * Lj;
        let mn = Infinity;
        for (let b = 0; b < Lj; b++) {
          const v = M[row + b]!;
          if (v < mn) mn = v;
        }
        c += mn / 2;
      }
      if (c < bc) {
        bc = c;
        best = a;
      }
    }
    x[i] = best;
  }
  return x;
}

export function localSearchSolve(p: Problem, options: HeuristicOptions = {}): HeuristicResult {
  const t0 = performance.now();
  const deadline = t0 + (options.budgetMs ?? 300);
  if (p.n === 0) return { x: new Int32Array(0), objective: p.constant, iterations: 0, bestAt: t0 };
  const g = options.graph ?? flatAdjacency(p);
  // the bound's rounding first (after reparametrization it is by far the best start, and the quickest
  // to descend from), then the given starts and, for small problems, all EVEN, while time remains
  const others: ArrayLike<number>[] = [...(options.starts ?? [])];
  if (p.n <= 200) others.push(new Int32Array(p.n));
  let best = new LocalSearch(p, halfMinStart(p, g), g);
  // single moves always run to the end (quick from this start), star moves within the budget
  best.descend(undefined, Infinity, false);
  best.descend(undefined, deadline);
  let bestAt = performance.now();
  for (const s of others) {
    if (performance.now() > deadline) break;
    const ls = new LocalSearch(p, s, g);
    ls.descend(undefined, deadline, false);
    const tol = 1e-12 * Math.max(1, Math.abs(best.cost));
    if (ls.cost < best.cost - tol) {
      ls.descend(undefined, deadline);
      if (ls.cost < best.cost - tol) {
        best = ls;
        bestAt = performance.now();
      }
    }
  }
  const ls = best!;
  let bestX = Int32Array.from(ls.x);
  let bestCost = ls.cost;
  const rng = new Random(options.seed ?? 1);
  const iterations = options.iterations ?? Math.max(200, 30 * p.n);
  let it = 0;
  for (; it < iterations; it++) {
    if ((it & 7) === 0 && performance.now() > deadline) break;
    // kick: a random vertex to a random other label, its neighbours following
    const i = rng.int(0, p.n - 1);
    const Li = p.labels[i]!;
    if (Li < 2) continue;
    let a = rng.int(0, Li - 2);
    if (a >= ls.x[i]!) a++;
    const { delta, changed } = ls.star(i, a);
    ls.cost += delta;
    // and, now and then, a second vertex next to it
    const deg = g.start[i + 1]! - g.start[i]!;
    if (rng.next() < 0.3 && deg > 0) {
      const j = g.nb[g.start[i]! + rng.int(0, deg - 1)]!;
      const Lj = p.labels[j]!;
      if (Lj > 1) {
        let b = rng.int(0, Lj - 2);
        if (b >= ls.x[j]!) b++;
        const s2 = ls.star(j, b);
        ls.cost += s2.delta;
        changed.push(...s2.changed);
      }
    }
    const region = new Set<number>();
    for (const [v] of changed) {
      region.add(v);
      for (let k = g.start[v]!; k < g.start[v + 1]!; k++) region.add(g.nb[k]!);
    }
    ls.descend(region, deadline);
    const tol = 1e-12 * Math.max(1, Math.abs(bestCost));
    if (ls.cost < bestCost - tol) {
      bestCost = ls.cost;
      bestX = Int32Array.from(ls.x);
      bestAt = performance.now();
    } else if (ls.cost > bestCost + tol) {
      for (let v = 0; v < p.n; v++) if (ls.x[v] !== bestX[v]) ls.set(v, bestX[v]!);
      ls.cost = bestCost;
    }
    // rounding drift of the incremental sums stays bounded
    if ((it & 1023) === 1023) {
      ls.resync();
      bestCost = ls.cost;
    }
  }
  // recompute from scratch: no drift from incremental sums
  const final = new LocalSearch(p, bestX, g);
  return { x: bestX, objective: final.cost, iterations: it, bestAt };
}
