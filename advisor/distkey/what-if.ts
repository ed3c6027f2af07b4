/**
 * What-if refinement of a solved layout. The join graph prices each edge on
 * its own, so it cannot see what only a whole plan shows: a query that joins a
 * table on two different columns moves its intermediate result once whatever
 * the layout (the "second move"), a GROUP BY on a distribution key needs no
 * exchange, and the planner reorders joins under a new layout. Here the
 * workload's query shapes are planned again under candidate layouts
 * (engine/what-if.ts) and the layout is improved one table at a time, from the
 * best of the solver's, greedy's and the current layout, by the bytes the
 * plans are estimated to move.
 *
 * The heaviest shapes are first run once under the current layout, so that
 * their plans use observed row counts in place of estimates (engine/what-if.ts
 * observe()); within a time budget, the rest plan on estimates. What remains
 * (row widths, shapes not observed) is calibrated per query shape against the log: the
 * bytes a shape moved when it ran under the current layout over what the
 * planner estimates for that layout (clamped to [1/4, 4]) scales its estimate
 * under every other layout. ALL costs its replication, as in the graph.
 */
import { tablesByQuery } from '../query-tables.js';
import { WhatIfPlanner, type Database, type TableLayout } from '../../engine/index.js';
import type { Workload } from '../../workload-log/index.js';
import type { JoinGraph } from '../join-graph.js';
import { choiceText, currentChoice, sameChoice, type Choice, type DistModel } from './model.js';

export interface WhatIfOptions {
  /** Milliseconds for the refinement's search (default 3,000). */
  whatIfBudgetMs?: number;
  /** Milliseconds for running the heaviest shapes once to observe their row counts (default 15,000; 0 plans on estimates alone). */
  whatIfObserveMs?: number;
  /** Query shapes planned, the heaviest first (default 300). */
  whatIfShapes?: number;
  /** A layout replaces the solver's only when it is estimated to move at least this share less (default 0.02). */
  whatIfMinGain?: number;
}

export interface WhatIfResult {
  readonly layout: Map<string, Choice>;
  /** Query shapes planned, of them run once to observe their row counts, and plans made. */
  readonly shapes: number;
  readonly observed: number;
  readonly plans: number;
  readonly ms: number;
  /** Calibrated estimated bytes (decayed, plus ALL's replication) of the current, the solver's and the returned layout. */
  readonly current: number;
  readonly solver: number;
  readonly chosen: number;
  /** Tables whose choice differs from the solver's. */
  readonly changed: readonly { readonly table: string; readonly solver: Choice; readonly chosen: Choice }[];
}

interface Shape {
  /** The statement of its latest execution, and when that started. */
  sql: string;
  /** Executions, decayed as the graph's edges are. */
  weight: number;
  /** Logged bytes moved by executions since the last distribution change, and how many. */
  bytes: number;
  runs: number;
  latest: number;
  /** Tables its executions read. */
  readonly tables: Set<string>;
}

/** The workload's SELECT shapes with their decayed executions, a recent statement, calibration bytes and tables. */
function shapesOf(w: Workload, graph: JoinGraph): Shape[] {
  const halfLife = graph.getAttribute('halfLifeMs');
  const nowMs = graph.getAttribute('nowMs');
  // a distribution change makes earlier executions' bytes moved say nothing of the current layout
  let changedAt = -Infinity;
  w.parts.forEach((p, k) => {
    const q = p.queries;
    const mask = w.masks[k];
    for (let i = 0; i < q.length; i++) {
      if ((mask && !mask[i]) || q.status[i] !== 0) continue;
      const cmd = q.command.dict[q.command.codes[i]!];
      if (cmd !== 'ALTER TABLE' && cmd !== 'CREATE TABLE' && cmd !== 'DROP TABLE') continue;
      if (cmd === 'ALTER TABLE' && !/dist/i.test(q.sql.get(i) ?? '')) continue;
      if (q.startMs[i]! > changedAt) changedAt = q.startMs[i]!;
    }
  });
  const shapes = new Map<string, Shape>();
  w.parts.forEach((p, k) => {
    const q = p.queries;
    const mask = w.masks[k];
    const tablesOf = tablesByQuery(p.scans);
    for (let i = 0; i < q.length; i++) {
      if ((mask && !mask[i]) || q.status[i] !== 0 || q.command.dict[q.command.codes[i]!] !== 'SELECT') continue;
      const tables = tablesOf.get(i);
      if (!tables || ![...tables].some((t) => graph.hasNode(t))) continue;
      const fp = q.fingerprint.dict[q.fingerprint.codes[i]!] ?? '';
      const start = q.startMs[i]!;
      let sh = shapes.get(fp);
      if (!sh) {
        const sql = q.sql.get(i);
        if (sql === null) continue;
        shapes.set(fp, (sh = { sql, weight: 0, bytes: 0, runs: 0, latest: start, tables: new Set(tables) }));
      } else if (start > sh.latest) {
        sh.sql = q.sql.get(i) ?? sh.sql;
        sh.latest = start;
      }
      sh.weight += Math.pow(0.5, Math.max(0, nowMs - start) / halfLife);
      if (start > changedAt) {
        sh.bytes += q.bytesMoved[i]!;
        sh.runs++;
      }
      for (const t of tables) sh.tables.add(t);
    }
  });
  return [...shapes.values()];
}

function layoutOfChoice(c: Choice): TableLayout {
  return c.kind === 'key' ? { style: 'key', key: c.column } : { style: c.kind, key: null };
}

/**
 * Improves `solved` (a layout of every graph table) by what-if planning of the
 * workload's query shapes; returns it unchanged when nothing is estimated to
 * save at least whatIfMinGain of its bytes.
 */
export async function refineByWhatIf(
  db: Database,
  w: Workload,
  model: DistModel,
  solved: ReadonlyMap<string, Choice>,
  starts: readonly ReadonlyMap<string, Choice>[],
  options: WhatIfOptions = {},
): Promise<WhatIfResult> {
  const t0 = performance.now();
  const graph = model.graph;
  const all = shapesOf(w, graph).sort((a, b) => b.weight * (1 + b.bytes / Math.max(1, b.runs)) - a.weight * (1 + a.bytes / Math.max(1, a.runs)));
  const shapes = all.slice(0, options.whatIfShapes ?? 300);
  const planner = new WhatIfPlanner(db, shapes.map((s) => s.sql));
  const observeMs = options.whatIfObserveMs ?? 15_000;
  let observed = 0;
  for (let f = 0; f < shapes.length && performance.now() - t0 < observeMs; f++) {
    if (!planner.plannable(f)) continue;
    planner.observe(f);
    observed++;
    // one statement at a time, so a daemon's other work gets the event loop between them
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const deadline = performance.now() + (options.whatIfBudgetMs ?? 3000);
  const tables = model.tables;
  const index = new Map(tables.map((t, i) => [t, i]));
  // per shape, the graph tables it reads, as model indexes
  const reads = shapes.map((s) => [...s.tables].filter((t) => index.has(t)).map((t) => index.get(t)!));
  const byTable: number[][] = tables.map(() => []);
  reads.forEach((r, f) => r.forEach((i) => byTable[i]!.push(f)));
  let plans = 0;
  const cache = new Map<string, number>();
  const estimate = (f: number, x: readonly Choice[]): number => {
    const key = `${f}|${reads[f]!.map((i) => choiceText(x[i]!)).join(',')}`;
    let e = cache.get(key);
    if (e === undefined) {
      const layouts = new Map(reads[f]!.map((i) => [tables[i]!, layoutOfChoice(x[i]!)] as const));
      e = planner.bytesMoved(f, layouts);
      plans++;
      cache.set(key, e);
    }
    return e;
  };
  const current = tables.map((t) => currentChoice(graph.getNodeAttributes(t)));
  const ratio = shapes.map((s, f) => {
    const est = estimate(f, current);
    if (s.runs === 0 || est <= 0 || s.bytes <= 0) return 1;
    return Math.min(4, Math.max(0.25, s.bytes / s.runs / est));
  });
  const allCost = tables.map((t) => graph.getNodeAttribute(t, 'allCost'));
  const shapeCost = (f: number, x: readonly Choice[]) => shapes[f]!.weight * ratio[f]! * estimate(f, x);
  const cost = (x: readonly Choice[]): number => {
    let c = 0;
    for (let f = 0; f < shapes.length; f++) c += shapeCost(f, x);
    for (let i = 0; i < x.length; i++) if (x[i]!.kind === 'all') c += allCost[i]!;
    return c;
  };
  const asArray = (l: ReadonlyMap<string, Choice>) => tables.map((t, i) => l.get(t) ?? current[i]!);
  const solver = asArray(solved);
  const solverCost = cost(solver);
  let x = solver;
  let startCost = solverCost;
  for (const s of starts) {
    const y = asArray(s);
    const c = cost(y);
    if (c < startCost) [x, startCost] = [y, c];
  }
  x = [...x];
  // one table at a time, the tables whose shapes move the most first, until no move helps or time is up
  const moved = byTable.map((fs) => fs.reduce((s, f) => s + shapeCost(f, x), 0));
  const order = tables.map((_, i) => i).sort((a, b) => moved[b]! - moved[a]!);
  let improved = true;
  while (improved && performance.now() < deadline) {
    improved = false;
    for (const i of order) {
      if (performance.now() >= deadline) break;
      const here = (y: readonly Choice[]) => byTable[i]!.reduce((s, f) => s + shapeCost(f, y), 0) + (y[i]!.kind === 'all' ? allCost[i]! : 0);
      const was = here(x);
      let bestLabel: Choice | null = null;
      let bestHere = was;
      for (const label of model.labels[i]!) {
        if (sameChoice(label, x[i]!)) continue;
        const y = [...x];
        y[i] = label;
        const c = here(y);
        if (c < bestHere - 1e-9 * Math.max(1, was)) [bestLabel, bestHere] = [label, c];
      }
      if (bestLabel) {
        x[i] = bestLabel;
        improved = true;
      }
    }
  }
  const best = cost(x);
  const gain = solverCost > 0 ? (solverCost - best) / solverCost : 0;
  const take = gain >= (options.whatIfMinGain ?? 0.02);
  const chosen = take ? x : solver;
  return {
    layout: new Map(tables.map((t, i) => [t, chosen[i]!] as const)),
    shapes: shapes.length,
    observed,
    plans,
    ms: performance.now() - t0,
    current: cost(current),
    solver: solverCost,
    chosen: take ? best : solverCost,
    changed: take ? tables.flatMap((t, i) => (sameChoice(solver[i]!, chosen[i]!) ? [] : [{ table: t, solver: solver[i]!, chosen: chosen[i]! }])) : [],
  };
}
