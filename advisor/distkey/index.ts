/**
 * Choosing every table's distribution from the join graph: the model
 * (model.ts), solved (solve.ts) from the current layout and greedy's answer
 * as starting points, with greedy heaviest-edge-first reported beside it.
 */
import type { JoinGraph } from '../join-graph.js';
import type { Database } from '../../engine/index.js';
import { buildModel, currentLayout, labelsOf, layoutCost, layoutOf, skewKey, type Choice, type DistModel, type LayoutCost, type ModelOptions, type SkewEstimate } from './model.js';
import { greedyHeaviestEdge, solve, type SolveOptions, type SolveResult } from './solve.js';
import { estimateSkew } from './skew.js';

export interface DistributionOptions extends ModelOptions, SolveOptions {}

export interface DistributionResult {
  readonly model: DistModel;
  /** The chosen layout, every table of the graph. */
  readonly layout: ReadonlyMap<string, Choice>;
  readonly solve: SolveResult;
  readonly current: LayoutCost;
  readonly proposed: LayoutCost;
  /** Greedy heaviest-edge-first's layout and cost, for comparison. */
  readonly greedy: { readonly layout: ReadonlyMap<string, Choice>; readonly cost: LayoutCost };
}

export function chooseDistribution(graph: JoinGraph, options: DistributionOptions = {}): DistributionResult {
  const model = buildModel(graph, options);
  const p = model.problem;
  const greedyX = greedyHeaviestEdge(p, model.edges);
  const current = currentLayout(graph);
  const currentX = labelsOf(model, current);
  const result = solve(p, { ...options, starts: [greedyX, currentX, ...(options.starts ?? [])] });
  const layout = layoutOf(model, result.x);
  const greedyLayout = layoutOf(model, greedyX);
  return {
    model,
    layout,
    solve: result,
    current: layoutCost(graph, current),
    proposed: layoutCost(graph, layout),
    greedy: { layout: greedyLayout, cost: layoutCost(graph, greedyLayout) },
  };
}

/** Skew estimates of every candidate key of the graph, through SQL on `db`. */
export async function estimateGraphSkew(db: Database, graph: JoinGraph): Promise<Map<string, SkewEstimate>> {
  const out = new Map<string, SkewEstimate>();
  const slices = graph.getAttribute('slices');
  for (const t of graph.nodes()) {
    for (const c of graph.getNodeAttribute(t, 'candidates')) {
      out.set(skewKey(t, c), await estimateSkew(db, t, c, slices));
    }
  }
  return out;
}

export * from './model.js';
export { solve, greedyHeaviestEdge, type SolveOptions, type SolveResult, type SolverMethod } from './solve.js';
export { branchAndBound, type ExactResult } from './exact.js';
export { localSearchSolve, type HeuristicResult } from './heuristic.js';
export { reduce } from './eliminate.js';
export { refineByWhatIf, type WhatIfOptions, type WhatIfResult } from './what-if.js';
export { estimateSkew, skewFactor, valueCounts, type ValueCounts } from './skew.js';
export { evaluate, halfEdgeBound, type Problem, type Factor } from './problem.js';
