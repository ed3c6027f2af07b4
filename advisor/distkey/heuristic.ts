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
 */
import type { Neighbor, Problem } from './problem.js';
import { Random, adjacency } from './problem.js';

export interface HeuristicOptions {
  /** Stop iterated local search after this many kicks (default 30 per vertex, at least 200). */
  iterations?: number;
  /** ... or after this many milliseconds (default 300). */
  budgetMs?: number;
  seed?: number;
  /** Extra starting assignments (e.g. greedy's); the best after descent wins. */
  starts?: readonly ArrayLike<number>[];
}

export interface HeuristicResult {
  readonly x: Int32Array;
  readonly objective: number;
  readonly iterations: number;
}

const EPS = 1e-9;

export class LocalSearch {
  readonly adj: Neighbor[][];
  readonly x: Int32Array;
  cost: number;
  private readonly inQueue: Uint8Array;
  private readonly queue: number[] = [];

  constructor(
    readonly p: Problem,
    start: ArrayLike<number>,
    adj?: Neighbor[][],
  ) {
    this.adj = adj ?? adjacency(p);
    this.x = Int32Array.from(start);
    this.cost = this.total();
    this.inQueue = new Uint8Array(p.n);
  }

  total(): number {
    let c = this.p.constant;
    for (let i = 0; i < this.p.n; i++) {
      c += this.p.unary[i]![this.x[i]!]!;
      for (const { j, m } of this.adj[i]!) if (i < j) c += m[this.x[i]! * this.p.labels[j]! + this.x[j]!]!;
    }
    return c;
  }

  /** Cost of i's unary and factors if i had label a (neighbours as they are). */
  local(i: number, a: number): number {
    let c = this.p.unary[i]![a]!;
    const x = this.x;
    const L = this.p.labels;
    for (const { j, m } of this.adj[i]!) c += m[a * L[j]! + x[j]!]!;
    return c;
  }

  bestLabel(i: number): [number, number] {
    const Li = this.p.labels[i]!;
    let best = this.x[i]!;
    let bc = this.local(i, best);
    for (let a = 0; a < Li; a++) {
      if (a === best) continue;
      const c = this.local(i, a);
      if (c < bc - EPS) {
        bc = c;
        best = a;
      }
    }
    return [best, bc];
  }

  private push(i: number): void {
    if (!this.inQueue[i]) {
      this.inQueue[i] = 1;
      this.queue.push(i);
    }
  }

  private touched(i: number): void {
    this.push(i);
    for (const { j } of this.adj[i]!) this.push(j);
  }

  /** Moves i to a and each neighbour to its best response; returns the changes made (vertex, old label) and the cost delta. */
  star(i: number, a: number): { delta: number; changed: [number, number][] } {
    const changed: [number, number][] = [];
    let delta = this.local(i, a) - this.local(i, this.x[i]!);
    changed.push([i, this.x[i]!]);
    this.x[i] = a;
    for (const { j } of this.adj[i]!) {
      const old = this.x[j]!;
      const [b, c] = this.bestLabel(j);
      if (b !== old) {
        delta += c - this.local(j, old);
        changed.push([j, old]);
        this.x[j] = b;
      }
    }
    return { delta, changed };
  }

  revert(changed: [number, number][]): void {
    for (let k = changed.length - 1; k >= 0; k--) this.x[changed[k]![0]] = changed[k]![1];
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
          this.x[i] = b;
          this.touched(i);
          pushStar(i);
          for (const { j } of this.adj[i]!) pushStar(j);
        }
      }
      if (!starQueue.length || !stars) break;
      // one star move
      if (performance.now() > deadline) return this.clearQueues(starQueue, inStar);
      const i = starQueue.pop()!;
      inStar[i] = 0;
      if (this.adj[i]!.length === 0) continue;
      const old = this.x[i]!;
      const Li = this.p.labels[i]!;
      for (let a = 0; a < Li; a++) {
        if (a === old) continue;
        const { delta, changed } = this.star(i, a);
        if (delta < -EPS * Math.max(1, Math.abs(this.cost))) {
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
export function halfMinStart(p: Problem, adj: Neighbor[][]): Int32Array {
  const x = new Int32Array(p.n);
  for (let i = 0; i < p.n; i++) {
    const Li = p.labels[i]!;
    let best = 0;
    let bc = Infinity;
    for (let a = 0; a < Li; a++) {
      let c = p.unary[i]![a]!;
      for (const { j, m } of adj[i]!) {
        const Lj = p.labels[j]!;
        let mn = Infinity;
        for (let b = 0; b < Lj; b++) mn = Math.min(mn, m[a * Lj + b]!);
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
  const adj = adjacency(p);
  if (p.n === 0) return { x: new Int32Array(0), objective: p.constant, iterations: 0 };
  // the bound's rounding first (after reparametrization it is by far the best start, and the quickest
  // to descend from), then the given starts and, for small problems, all EVEN, while time remains
  const others: ArrayLike<number>[] = [...(options.starts ?? [])];
  if (p.n <= 200) others.push(new Int32Array(p.n));
  let best = new LocalSearch(p, halfMinStart(p, adj), adj);
  // single moves always run to the end (quick from this start), star moves within the budget
  best.descend(undefined, Infinity, false);
  best.descend(undefined, deadline);
  for (const s of others) {
    if (performance.now() > deadline) break;
    const ls = new LocalSearch(p, s, adj);
    ls.descend(undefined, deadline, false);
    if (ls.cost < best.cost - EPS) {
      ls.descend(undefined, deadline);
      if (ls.cost < best.cost - EPS) best = ls;
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
    if (rng.next() < 0.3 && ls.adj[i]!.length) {
      const j = ls.adj[i]![rng.int(0, ls.adj[i]!.length - 1)]!.j;
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
      for (const { j } of ls.adj[v]!) region.add(j);
    }
    ls.descend(region, deadline);
    if (ls.cost < bestCost - EPS * Math.max(1, Math.abs(bestCost))) {
      bestCost = ls.cost;
      bestX = Int32Array.from(ls.x);
    } else if (ls.cost > bestCost + EPS * Math.max(1, Math.abs(bestCost))) {
      ls.x.set(bestX);
      ls.cost = bestCost;
    }
  }
  // recompute from scratch: no drift from incremental sums
  const final = new LocalSearch(p, bestX, adj);
  return { x: bestX, objective: final.cost, iterations: it };
}
