/**
 * An advisor run: mine the workload log, build the join graph, choose every
 * table's distribution, sort key and encodings, and store the recommendations.
 */
import type { Database } from '../engine/index.js';
import { loadWorkload, type Workload, type WorkloadFilter } from '../workload-log/index.js';
import { buildJoinGraph, type GraphOptions, type JoinGraph } from './join-graph.js';
import { chooseDistribution, choiceText, currentLayout, estimateGraphSkew, layoutCost, parseChoice, refineByWhatIf, type Choice, type DistributionOptions, type DistributionResult, type Rejection, type WhatIfOptions } from './distkey/index.js';
import { recommendationsOf } from './distkey/recommendations.js';
import { benefitOf, distributionSecondsPerDay, storageRecommendations, workloadCost, type StorageOptions, type WorkloadCost } from './storage-recommendations.js';
import { applicable, changeText, forbiddenBy, groupKey, notProvenOf, proveGroups, recall, refusalOf, rememberedReason, type ProveOptions, type Proven, type Recalled } from './shadow/index.js';
import type { SortKeyChoice } from './sortkey/index.js';
import { withoutAdvisor } from './own-queries.js';
import type { EncodingChoice } from './encoding/index.js';
import { isDistribution, RECOMMENDATIONS_FORMAT, type AdvisorRun, type Recommendation, type Refusal, type ShadowEvidence } from './recommendations/types.js';
import { readStore, updateStore } from './recommendations/store.js';
import { assignGroups, changeKey } from './recommendations/groups.js';
import { twinsOf, withTwins } from './twins.js';

export interface RunOptions extends DistributionOptions, GraphOptions {
  /** Only queries in this window. */
  filter?: WorkloadFilter;
  /** Twin tables besides those the naming rule finds (t_staging, stg_t), as [table, copy]: kept on one layout (twins.ts). */
  twins?: readonly (readonly [string, string])[];
  /** Estimate key skew through SQL (default true). */
  skewCheck?: boolean;
  /** Refine the solved layout by planning the workload's query shapes under candidate layouts (default on); false leaves it out. */
  whatIf?: WhatIfOptions | false;
  /** Sort keys and encodings too (default both, sampled through SQL); false leaves them out. */
  storage?: StorageOptions | false;
  /**
   * Prove each group on a shadow copy before proposing it (default on); false
   * proposes on the estimates alone, and neither consults nor changes the
   * refusals earlier proofs left in the store.
   */
  shadow?: ProveOptions | false;
  now?: Date;
}

export interface RunOutcome {
  readonly run: AdvisorRun;
  readonly recommendations: readonly Recommendation[];
  readonly graph: JoinGraph;
  readonly result: DistributionResult;
  readonly rejected: readonly Rejection[];
  /** The sort-key and encoding choices behind the run's sortkey/encoding recommendations (empty when left out). */
  readonly sortKeys: readonly SortKeyChoice[];
  readonly encodings: readonly EncodingChoice[];
  /** The cost model fitted on the log, which states benefits in seconds per day. */
  readonly cost: WorkloadCost;
}

/**
 * The recommendations worth proving: a positive estimated benefit, in time by
 * the cost model or in the change's own exact measure (bytes no longer moved
 * or read; the model may leave those features out of a small log, and the
 * shadow proof measures them anyway). An encoding that saves storage only (no
 * logged scan reads the column) rides along with a change to its table that
 * pays, in the same rewrite, and is not proposed alone.
 */
function withBenefit(recs: readonly Recommendation[]): Recommendation[] {
  const pays = (r: Recommendation) => r.benefit.secondsPerDay > 0 || (r.kind !== 'encoding' && r.benefit.bytes > 0);
  const tables = new Set(recs.filter(pays).map((r) => r.table));
  return recs.filter((r) => pays(r) || (r.kind === 'encoding' && tables.has(r.table) && r.applyCost.storageBytesAfter < r.applyCost.storageBytesBefore));
}

/**
 * An advisor run: mine the data directory's workload log, build the join
 * graph, estimate key skew through SQL, choose the layout, and store the new
 * recommendations (replacing the earlier run's still-proposed ones). Groups
 * the shadow proof refused in an earlier run, on a workload that has not
 * changed since (shadow/memory.ts), are neither proposed nor measured again:
 * their distributions are kept from the solver, and the run lists them as
 * rejected with the earlier measurement.
 */
/** Solves after refusals within one run; each finds the next-best distribution of the tables refused. */
const MAX_RESOLVES = 3;

export async function runAdvisor(db: Database, options: RunOptions = {}): Promise<RunOutcome> {
  const now = options.now ?? new Date();
  const workload = loadWorkload(db.dir, options.filter ?? {});
  // stats-only tables (imported from a cluster) weigh what the cluster measured, not the nothing they hold here
  const imported = db.importedStats();
  const planning = db.planningCatalog();
  const graph = buildJoinGraph(workload, planning, { ...options, imported });
  const own = withoutAdvisor(workload);
  const maxStatements = (options.shadow === false ? undefined : options.shadow?.maxStatements) ?? 16;
  const memory: Recalled = options.shadow === false ? { standing: [], reopened: [] } : recall(readStore(db.dir).refusals ?? [], own, db.catalog(), maxStatements);
  // the solver is kept off the distributions of remembered refusals, as it is off those refused earlier in this run
  const forbidden = new Map<string, readonly Choice[]>(options.forbidden ?? []);
  for (const [t, cs] of forbiddenBy(memory.standing, db.catalog())) forbidden.set(t, [...(forbidden.get(t) ?? []), ...cs]);
  const skew = options.skewCheck === false ? undefined : await estimateGraphSkew(db, graph);
  const solved = chooseDistribution(graph, { ...options, ...(skew ? { skew } : {}), ...(forbidden.size ? { forbidden } : {}) });
  const whatIf = options.whatIf === false || graph.size === 0 ? null : await refineByWhatIf(db, own, solved.model, solved.layout, [solved.greedy.layout, currentLayout(graph)], options.whatIf ?? {});
  let result: DistributionResult = whatIf?.changed.length ? { ...solved, layout: whatIf.layout, proposed: layoutCost(graph, whatIf.layout) } : solved;
  const cost = workloadCost(own, planning);
  // sampling and the shadow proof run SQL, so they happen before the store's lock is taken; ids and the run are set under it
  const storage = options.storage === false ? null : await storageRecommendations(db, own, cost, { now, runId: '', firstId: 0 }, options.storage ?? {});
  const distributionOf = (r: DistributionResult, w: typeof whatIf) =>
    recommendationsOf(graph, r, now, '', 0, w).map((x) => ({ ...x, benefit: benefitOf(x.benefit.bytes, distributionSecondsPerDay(x, cost), cost) }));
  let worthwhile = withBenefit([...distributionOf(result, whatIf), ...(storage?.recommendations ?? [])]);
  const proofs = new Map<string, ShadowEvidence>();
  const remembered = new Map(memory.standing.map((r) => [groupKey(r.changes), r]));
  let proven: Proven = options.shadow === false ? { kept: worthwhile, rejected: [] } : await proveGroups(db, own, worthwhile, options.shadow ?? {}, proofs, storage?.compoundFallbacks, remembered);
  // A refused distribution leaves the solver's layout without the piece its other choices assumed (a dimension
  // replicated where its facts were to meet it): solve again without the refused choices, and prove what changed,
  // until a round refuses no new distribution (at most MAX_RESOLVES times), so the next run does not find a choice
  // this one never reached.
  let latest = proven;
  // the groups measured and not proven so far: a later round does not measure a part of one as a rival of the whole
  const notProven = notProvenOf(proven.rejected);
  for (let round = 0; round < MAX_RESOLVES && options.shadow !== false; round++) {
    let refusedNow = false;
    for (const g of latest.rejected) {
      // a measured group not proven, refused or inconclusive alike, sends the run on to the next-best layout, so whether the clock
      // was noisy does not change what is measured next; a group not measured (the budget ran out, or a part of a group not proven)
      // says nothing of its choices, and solving again without them measured ever worse layouts where the budget ran out (TPC-H SF
      // 0.01 under load: the run's first, best groups all unmeasured, then lineitem KEY(l_partkey) and partsupp EVEN)
      if (!g.shadow || g.shadow.verdict === 'proven') continue;
      for (const r of g.members) {
        if (!isDistribution(r)) continue;
        const choice = parseChoice(r.proposed);
        const known = forbidden.get(r.table) ?? [];
        if (known.some((c) => JSON.stringify(c) === JSON.stringify(choice))) continue;
        forbidden.set(r.table, [...known, choice]);
        refusedNow = true;
      }
    }
    if (!refusedNow) break;
    const again = chooseDistribution(graph, { ...options, ...(skew ? { skew } : {}), forbidden });
    result = again;
    worthwhile = withBenefit([...distributionOf(again, null), ...(storage?.recommendations ?? [])]);
    latest = await proveGroups(db, own, worthwhile, options.shadow ?? {}, proofs, storage?.compoundFallbacks, remembered, notProven);
    notProven.push(...notProvenOf(latest.rejected));
    // what an earlier round refused stays listed, unless this one proposes it after all
    const keptKeys = new Set(latest.kept.map(changeKey));
    const stillRefused = proven.rejected.filter((g) => !g.members.some((m) => keptKeys.has(changeKey(m))) && !latest.rejected.some((x) => x.changes.join() === g.changes.join()));
    proven = { kept: latest.kept, rejected: [...latest.rejected, ...stillRefused] };
  }
  return updateStore(db.dir, (store) => {
    const runId = `run${store.runs.length + 1}`;
    const previous = store.recommendations.filter((r) => r.status === 'proposed');
    const grouped = assignGroups(
      withTwins(proven.kept, planning, twinsOf(planning, options.twins)).map((r) => ({ ...r, run: runId })),
      previous,
      store.nextId,
      store.nextGroup ?? 1,
    );
    const recs = grouped.recommendations;
    const run: AdvisorRun = {
      id: runId,
      at: now.toISOString(),
      queries: workload.queries,
      tables: graph.order,
      edges: graph.size,
      objectiveBefore: Math.round(result.current.total),
      objectiveAfter: Math.round(result.proposed.total),
      lowerBound: Math.round(result.solve.lowerBound),
      gap: result.solve.gap,
      optimal: result.solve.optimal,
      method: result.solve.method,
      solveMs: Math.round(result.solve.ms * 10) / 10,
      greedyObjective: Math.round(result.greedy.cost.total),
      solverObjective: Math.round(solved.proposed.total),
      ...(whatIf
        ? {
            whatIf: {
              shapes: whatIf.shapes,
              observed: whatIf.observed,
              plans: whatIf.plans,
              ms: Math.round(whatIf.ms),
              before: Math.round(whatIf.current),
              solver: Math.round(whatIf.solver),
              after: Math.round(whatIf.chosen),
              changed: whatIf.changed.map((c) => `${c.table}: ${choiceText(c.solver)} -> ${choiceText(c.chosen)}`),
            },
          }
        : {}),
      workloadSecondsPerDay: Math.round(cost.secondsPerDay * 1000) / 1000,
      rejected: [
        ...proven.rejected.map(({ tables, changes, reason, refusedAt }) => ({ tables, changes, reason, ...(refusedAt ? { refusedAt } : {}) })),
        ...keptOut(memory.standing, proven, db),
      ],
      ...(memory.reopened.length ? { reopened: memory.reopened.map(({ refusal, why }) => ({ changes: refusal.changes.map(changeText), refusedAt: refusal.at, why })) } : {}),
      ...(options.shadow === false ? {} : { shadowProofs: proofs.size }),
    };
    const kept = store.recommendations.filter((r) => r.status !== 'proposed');
    const refusals = options.shadow === false ? (store.refusals ?? []) : remember(store.refusals ?? [], memory, proven, own, db, runId, maxStatements);
    return {
      store: { format: RECOMMENDATIONS_FORMAT, nextId: grouped.nextId, nextGroup: grouped.nextGroup, runs: [...store.runs, run].slice(-50), recommendations: [...kept, ...recs], refusals },
      result: { run, recommendations: recs, graph, result, rejected: result.model.rejected, sortKeys: storage?.sortKeys ?? [], encodings: storage?.encodings ?? [], cost },
    };
  });
}

/** The standing refusals the run did not meet as a group (the solver was kept off their distributions), for the run record. */
function keptOut(standing: readonly Refusal[], proven: Proven, db: Database): NonNullable<AdvisorRun['rejected']>[number][] {
  const met = new Set(proven.rejected.map((g) => groupKey(g.members)));
  const catalog = db.catalog();
  return standing
    .filter((r) => !met.has(groupKey(r.changes)))
    .map((r) => ({ tables: [...r.tables], changes: applicable(r, catalog).map(changeText), reason: rememberedReason(r), refusedAt: r.at }));
}

/**
 * The refusals the store keeps after a run: those that stand (including ones
 * another process added meanwhile), less those the workload reopened or whose
 * changes no longer apply, plus every group this run measured and refused (a
 * new verdict replaces an old one on the same changes). A group refused
 * without a measurement (the budget ran out, no statement ran) is not kept.
 */
function remember(stored: readonly Refusal[], memory: Recalled, proven: Proven, w: Workload, db: Database, run: string, maxStatements: number): Refusal[] {
  const catalog = db.catalog();
  const fresh = proven.rejected.flatMap((g) => (g.shadow && g.shadow.verdict === 'rejected' && g.shadow.statements > 0 ? [refusalOf(g, g.shadow, w, catalog, run, maxStatements)] : []));
  const gone = new Set([...memory.reopened.map((x) => groupKey(x.refusal.changes)), ...fresh.map((r) => groupKey(r.changes))]);
  return [...stored.filter((r) => !gone.has(groupKey(r.changes)) && applicable(r, catalog).length > 0), ...fresh];
}
