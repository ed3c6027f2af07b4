/**
 * Recommendations (the contract of DESIGN.md): one per table whose chosen
 * distribution differs from its current one, with the DDL that applies it,
 * the estimated benefit, the evidence behind it and a status, kept in the
 * data directory as advisor/recommendations.json (replaced atomically).
 * Applying runs the DDL through the engine (ALTER TABLE), nothing else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database } from '../engine/index.js';
import { UsageError } from '../engine/index.js';
import { loadWorkload, type WorkloadFilter } from '../workload-log/index.js';
import { buildJoinGraph, describeStyle, formatBytes, type GraphOptions, type JoinGraph } from './join-graph.js';
import { chooseDistribution, choiceText, currentChoice, currentLayout, estimateGraphSkew, layoutCost, refineByWhatIf, sameChoice, type Choice, type DistributionOptions, type DistributionResult, type Rejection, type WhatIfOptions, type WhatIfResult } from './distkey/index.js';
import { withLockSync } from './autonomics/file-lock.js';
import { currentSetting, distributionSecondsPerDay, storageRecommendations, workloadCost, type StorageEvidence, type StorageOptions, type WorkloadCost } from './storage-recommendations.js';
import type { SortKeyChoice } from './sortkey/index.js';
import { withoutAdvisor } from './own-queries.js';
import type { EncodingChoice } from './encoding/index.js';
import type { Lifecycle } from './autonomics/types.js';

export const RECOMMENDATIONS_FORMAT = 1;

export type RecommendationStatus = 'proposed' | 'applying' | 'applied' | 'verified' | 'reverted' | 'failed';

export interface EdgeEvidence {
  /** The join edge, e.g. lineitem.l_orderkey=orders.o_orderkey. */
  readonly edge: string;
  /** Join executions in the workload. */
  readonly count: number;
  readonly queries: number;
  /** Bytes these joins moved, as logged. */
  readonly bytesMoved: number;
  /** The model's cost of the edge now and under the proposed layout (decayed bytes). */
  readonly costBefore: number;
  readonly costAfter: number;
  readonly fingerprints: readonly { readonly fingerprint: string; readonly count: number; readonly bytesMoved: number }[];
}

export type RecommendationKind = 'distkey' | 'diststyle' | 'sortkey' | 'encoding';

export interface Recommendation {
  readonly id: string;
  readonly table: string;
  readonly kind: RecommendationKind;
  /**
   * As svv_table_info shows it: EVEN, KEY(c), ALL, AUTO(...) for distribution;
   * the sort key's columns ("a, b"), NONE, or AUTO(...) for a sort key; the
   * column's ENCODE name (AZ64, ZSTD, ..., AUTO) for an encoding.
   */
  readonly current: string;
  readonly proposed: string;
  readonly ddl: string;
  /**
   * Estimated benefit. distkey/diststyle: decayed bytes the workload's joins
   * would stop moving (net of ALL's price), and that as a percent of the
   * current join cost. sortkey: bytes the logged scans of the table would stop
   * reading, and the percent of their blocks. encoding: bytes the logged scans
   * of the column would stop reading, and the percent of the column's size.
   * secondsPerDay: that in query time per day of the observed workload, by the
   * cost model fitted on the log (advisor/cost-model); every recommendation of
   * a run has it.
   */
  readonly benefit: { readonly bytes: number; readonly percent: number; readonly secondsPerDay?: number };
  /** What applying costs: the table rewritten once, and its storage after (all copies). */
  readonly applyCost: { readonly rows: number; readonly rewriteBytes: number; readonly storageBytesBefore: number; readonly storageBytesAfter: number };
  /** The table's distribution is the user's (not AUTO): recommended, applied only when asked for. */
  readonly userSet: boolean;
  readonly reason: string;
  readonly evidence: {
    readonly edges: readonly EdgeEvidence[];
    /** The fingerprints behind those edges, with executions and logged bytes moved. */
    readonly fingerprints: readonly { readonly fingerprint: string; readonly count: number; readonly bytesMoved: number }[];
    /** Keys not considered because they are skewed. */
    readonly rejectedKeys: readonly { readonly column: string; readonly reason: string }[];
  } & StorageEvidence;
  readonly status: RecommendationStatus;
  readonly statusReason: string | null;
  readonly history: readonly { readonly status: RecommendationStatus; readonly at: string; readonly reason: string | null }[];
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The advisor run that made it. */
  readonly run: string;
  /** Apply, verification and revert details (advisor/autonomics), once it leaves proposed. */
  readonly lifecycle?: Lifecycle;
}

export interface AdvisorRun {
  readonly id: string;
  readonly at: string;
  readonly queries: number;
  readonly tables: number;
  readonly edges: number;
  readonly objectiveBefore: number;
  readonly objectiveAfter: number;
  readonly lowerBound: number;
  readonly gap: number;
  readonly optimal: boolean;
  readonly method: string;
  readonly solveMs: number;
  /** Greedy heaviest-edge-first's objective, for comparison. */
  readonly greedyObjective: number;
  /** The solver's layout's objective (objectiveAfter differs when what-if planning changed the layout). */
  readonly solverObjective: number;
  /** What-if planning of the workload's query shapes (distkey/what-if.ts); absent when left out. */
  readonly whatIf?: {
    readonly shapes: number;
    /** Shapes run once to observe their row counts. */
    readonly observed: number;
    readonly plans: number;
    readonly ms: number;
    /** Estimated bytes moved (calibrated, decayed, plus ALL's replication) now, under the solver's layout, and under the proposed one. */
    readonly before: number;
    readonly solver: number;
    readonly after: number;
    /** Tables whose choice differs from the solver's, e.g. "orders: KEY(o_custkey) -> KEY(o_orderkey)". */
    readonly changed: readonly string[];
  };
}

export interface StoreFile {
  readonly format: number;
  readonly nextId: number;
  readonly runs: readonly AdvisorRun[];
  readonly recommendations: readonly Recommendation[];
}

export function recommendationsPath(dataDir: string): string {
  return path.join(dataDir, 'advisor', 'recommendations.json');
}

export function readStore(dataDir: string): StoreFile {
  const file = recommendationsPath(dataDir);
  if (!fs.existsSync(file)) return { format: RECOMMENDATIONS_FORMAT, nextId: 1, runs: [], recommendations: [] };
  const s = JSON.parse(fs.readFileSync(file, 'utf8')) as StoreFile;
  if (s.format !== RECOMMENDATIONS_FORMAT) throw new UsageError(`${file}: recommendations format ${s.format} is not one this keel reads (${RECOMMENDATIONS_FORMAT})`);
  return s;
}

/**
 * Read-modify-write of the recommendations under a lock file, so the daemon,
 * the CLI and an advisor run in different processes never lose each other's
 * updates; the file itself is replaced atomically (write, fsync, rename).
 */
export function updateStore<T>(dataDir: string, fn: (s: StoreFile) => { store: StoreFile; result: T }): T {
  return withLockSync(`${recommendationsPath(dataDir)}.lock`, () => {
    const { store, result } = fn(readStore(dataDir));
    writeStore(dataDir, store);
    return result;
  });
}

function writeStore(dataDir: string, s: StoreFile): void {
  const file = recommendationsPath(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(s, null, 1) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function listRecommendations(dataDir: string): Recommendation[] {
  return [...readStore(dataDir).recommendations];
}

export function lastRun(dataDir: string): AdvisorRun | null {
  const runs = readStore(dataDir).runs;
  return runs[runs.length - 1] ?? null;
}

export function getRecommendation(dataDir: string, id: string): Recommendation {
  const r = readStore(dataDir).recommendations.find((x) => x.id === id);
  if (!r) throw new UsageError(`no recommendation "${id}" (keel advisor list shows them)`);
  return r;
}

export function ddlFor(table: string, c: Choice): string {
  const t = /^[a-z_][a-z0-9_]*$/.test(table) ? table : `"${table.replace(/"/g, '""')}"`;
  if (c.kind === 'key') return `ALTER TABLE ${t} ALTER DISTKEY ${/^[a-z_][a-z0-9_]*$/.test(c.column) ? c.column : `"${c.column.replace(/"/g, '""')}"`}`;
  return `ALTER TABLE ${t} ALTER DISTSTYLE ${c.kind.toUpperCase()}`;
}

/** The recommendations of one solved layout (not yet stored): per changed table, its benefit, evidence and reason. */
export function recommendationsOf(graph: JoinGraph, result: DistributionResult, now: Date, runId: string, firstId: number, whatIf: WhatIfResult | null = null): Recommendation[] {
  const slices = graph.getAttribute('slices');
  const before = result.current;
  const after = result.proposed;
  const cur = (t: string) => currentChoice(graph.getNodeAttributes(t));
  const changed = new Set(graph.nodes().filter((t) => !sameChoice(cur(t), result.layout.get(t)!)));
  // credit each edge's saving to the tables of it that change
  const credit = new Map<string, number>();
  const add = (t: string, x: number) => credit.set(t, (credit.get(t) ?? 0) + x);
  graph.forEachEdge((key, e) => {
    const saving = before.edges.get(key)! - after.edges.get(key)!;
    const s = changed.has(e.source);
    const t = changed.has(e.target) && e.target !== e.source;
    if (s && t) {
      add(e.source, saving / 2);
      add(e.target, saving / 2);
    } else if (s) add(e.source, saving);
    else if (t) add(e.target, saving);
  });
  const total = before.total;
  const at = now.toISOString();
  const out: Recommendation[] = [];
  let id = firstId;
  const order = [...changed].sort((a, b) => (credit.get(b) ?? 0) - allDelta(b) - ((credit.get(a) ?? 0) - allDelta(a)) || (a < b ? -1 : 1));
  function allDelta(t: string): number {
    const n = graph.getNodeAttributes(t);
    const was = cur(t).kind === 'all' ? n.allCost : 0;
    const will = result.layout.get(t)!.kind === 'all' ? n.allCost : 0;
    return will - was;
  }
  for (const t of order) {
    const node = graph.getNodeAttributes(t);
    const proposed = result.layout.get(t)!;
    const benefit = (credit.get(t) ?? 0) - allDelta(t);
    const edges: EdgeEvidence[] = graph
      .mapEdges(t, (key, e) => ({ key, e }))
      .filter(({ key }) => before.edges.get(key)! !== after.edges.get(key)!)
      .sort((a, b) => Math.abs(before.edges.get(b.key)! - after.edges.get(b.key)!) - Math.abs(before.edges.get(a.key)! - after.edges.get(a.key)!))
      .map(({ key, e }) => ({
        edge: key,
        count: e.count,
        queries: e.queries,
        bytesMoved: e.bytesMoved,
        costBefore: Math.round(before.edges.get(key)!),
        costAfter: Math.round(after.edges.get(key)!),
        fingerprints: e.evidence.map((f) => ({ fingerprint: f.fingerprint, count: f.count, bytesMoved: f.bytesMoved })),
      }));
    const fps = new Map<string, { count: number; bytesMoved: number }>();
    for (const e of edges) {
      for (const f of e.fingerprints) {
        const a = fps.get(f.fingerprint) ?? { count: 0, bytesMoved: 0 };
        a.count += f.count;
        a.bytesMoved += f.bytesMoved;
        fps.set(f.fingerprint, a);
      }
    }
    const rejectedKeys = result.model.rejected.filter((r) => r.table === t).map((r) => ({ column: r.column, reason: r.reason }));
    const copies = (c: Choice) => (c.kind === 'all' ? slices : 1);
    const applyCost = {
      rows: node.rows,
      rewriteBytes: node.bytes * copies(proposed),
      storageBytesBefore: node.bytes * copies(cur(t)),
      storageBytesAfter: node.bytes * copies(proposed),
    };
    const rec: Recommendation = {
      id: `r${id++}`,
      table: t,
      kind: proposed.kind === 'key' ? 'distkey' : 'diststyle',
      current: describeStyle(node),
      proposed: choiceText(proposed),
      ddl: ddlFor(t, proposed),
      benefit: { bytes: Math.round(benefit), percent: total > 0 ? Math.round((benefit / total) * 10000) / 100 : 0 },
      applyCost,
      userSet: !node.distAuto,
      reason: '',
      evidence: {
        edges,
        fingerprints: [...fps.entries()].map(([fingerprint, f]) => ({ fingerprint, ...f })).sort((a, b) => b.bytesMoved - a.bytesMoved || b.count - a.count),
        rejectedKeys,
      },
      status: 'proposed',
      statusReason: null,
      history: [{ status: 'proposed', at, reason: null }],
      createdAt: at,
      updatedAt: at,
      run: runId,
    };
    out.push({ ...rec, reason: explain(graph, rec, proposed, result, whatIf) });
  }
  return out;
}

/** The recommendation in plain words: what changes, why, what it saves and what it costs. */
function explain(graph: JoinGraph, r: Recommendation, proposed: Choice, result: DistributionResult, whatIf: WhatIfResult | null): string {
  const node = graph.getNodeAttributes(r.table);
  const slices = graph.getAttribute('slices');
  const parts: string[] = [];
  const execs = r.evidence.edges.reduce((s, e) => s + e.count, 0);
  const shapes = r.evidence.fingerprints.length;
  if (proposed.kind === 'key') {
    const partners = r.evidence.edges
      .filter((e) => e.costAfter < e.costBefore)
      .map((e) => e.edge.split(' and ')[0]!.split('=').find((s) => !s.startsWith(`${r.table}.`)) ?? e.edge);
    parts.push(
      `${r.table} is joined on ${proposed.column}` +
        (partners.length ? ` with ${[...new Set(partners)].join(', ')}` : '') +
        ` by ${execs} join execution${execs === 1 ? '' : 's'} of ${shapes} query shape${shapes === 1 ? '' : 's'}.` +
        ` Hashing ${r.table} on ${proposed.column} puts matching rows on the same slice, so those joins move less (DS_DIST_NONE when the other side is keyed the same way, DS_DIST_INNER/OUTER when one side still moves).`,
    );
  } else if (proposed.kind === 'all') {
    parts.push(
      `${r.table} is small (${node.rows.toLocaleString('en-US')} rows, ${formatBytes(node.bytes)}) and joined by ${execs} join execution${execs === 1 ? '' : 's'} on keys its partners are not all distributed on.` +
        ` A full copy on each of the ${slices} slices lets every such join run where the other side is (DS_DIST_ALL_NONE); the copies cost ${formatBytes(node.allCost)} in the model (${slices - 1} extra copies, made once and rewritten at each load), less than the moves they save.`,
    );
  } else {
    parts.push(
      r.evidence.rejectedKeys.length
        ? `No key of ${r.table} pays: ${r.evidence.rejectedKeys.map((k) => k.reason).join('; ')}. EVEN spreads its rows round robin.`
        : `Neither a key nor a copy on every slice of ${r.table} pays for itself against this workload; EVEN spreads its rows round robin` +
            (node.distStyle === 'all' ? ` and frees the ${slices - 1} extra copies ALL keeps.` : '.'),
    );
  }
  const overruled = whatIf?.changed.find((c) => c.table === r.table);
  if (whatIf && overruled) {
    parts.push(
      `The join graph alone prefers ${choiceText(overruled.solver)}; planning the workload's ${whatIf.shapes} query shapes again under both layouts estimates ${formatBytes(whatIf.solver)} moved with it against ${formatBytes(whatIf.chosen)} with ${choiceText(proposed)}` +
        ` (plans see what single edges do not: a query joining ${r.table} on two columns moves its intermediate result once either way, and a GROUP BY on the distribution key needs no exchange).`,
    );
  }
  const pct = r.benefit.percent;
  parts.push(
    `Estimated benefit: ${formatBytes(Math.max(0, r.benefit.bytes))} less moved per workload window (${pct.toFixed(1)}% of the workload's current join traffic in the model` +
      `; the whole proposed layout saves ${formatBytes(result.current.total - result.proposed.total)}).`,
  );
  parts.push(
    `Applying it rewrites ${r.table} once (${r.applyCost.rows.toLocaleString('en-US')} rows, ${formatBytes(r.applyCost.rewriteBytes)}); storage goes from ${formatBytes(r.applyCost.storageBytesBefore)} to ${formatBytes(r.applyCost.storageBytesAfter)}.` +
      (r.userSet ? ` ${r.table}'s distribution was set by hand, so it is only applied when asked for by id.` : ''),
  );
  return parts.join(' ');
}

export interface RunOptions extends DistributionOptions, GraphOptions {
  /** Only queries in this window. */
  filter?: WorkloadFilter;
  /** Estimate key skew through SQL (default true). */
  skewCheck?: boolean;
  /** Refine the solved layout by planning the workload's query shapes under candidate layouts (default on); false leaves it out. */
  whatIf?: WhatIfOptions | false;
  /** Sort keys and encodings too (default both, sampled through SQL); false leaves them out. */
  storage?: StorageOptions | false;
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
 * An advisor run: mine the data directory's workload log, build the join
 * graph, estimate key skew through SQL, choose the layout, and store the new
 * recommendations (replacing the earlier run's still-proposed ones).
 */
export async function runAdvisor(db: Database, options: RunOptions = {}): Promise<RunOutcome> {
  const now = options.now ?? new Date();
  const workload = loadWorkload(db.dir, options.filter ?? {});
  const graph = buildJoinGraph(workload, db.catalog(), options);
  const skew = options.skewCheck === false ? undefined : await estimateGraphSkew(db, graph);
  const solved = chooseDistribution(graph, { ...options, ...(skew ? { skew } : {}) });
  const own = withoutAdvisor(workload);
  const whatIf = options.whatIf === false || graph.size === 0 ? null : await refineByWhatIf(db, own, solved.model, solved.layout, [solved.greedy.layout, currentLayout(graph)], options.whatIf ?? {});
  const result: DistributionResult = whatIf?.changed.length ? { ...solved, layout: whatIf.layout, proposed: layoutCost(graph, whatIf.layout) } : solved;
  const cost = workloadCost(own, db.catalog());
  // sampling runs SQL, so it happens before the store's lock is taken; ids and the run are set under it
  const storage = options.storage === false ? null : await storageRecommendations(db, own, cost, { now, runId: '', firstId: 0 }, options.storage ?? {});
  return updateStore(db.dir, (store) => {
    const runId = `run${store.runs.length + 1}`;
    const dist = recommendationsOf(graph, result, now, runId, store.nextId, whatIf).map((r) => ({ ...r, benefit: { ...r.benefit, secondsPerDay: distributionSecondsPerDay(r, cost) } }));
    const recs = [...dist, ...(storage?.recommendations ?? []).map((r, k) => ({ ...r, id: `r${store.nextId + dist.length + k}`, run: runId }))];
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
    };
    const kept = store.recommendations.filter((r) => r.status !== 'proposed');
    return {
      store: { format: RECOMMENDATIONS_FORMAT, nextId: store.nextId + recs.length, runs: [...store.runs, run].slice(-50), recommendations: [...kept, ...recs] },
      result: { run, recommendations: recs, graph, result, rejected: result.model.rejected, sortKeys: storage?.sortKeys ?? [], encodings: storage?.encodings ?? [], cost },
    };
  });
}

/**
 * Moves a recommendation to `status` (appending to its history), optionally
 * patching its lifecycle, under the store's lock. `from` guards the move: when
 * the recommendation is not in one of those statuses (another process moved
 * it), nothing changes and null is returned.
 */
export function setStatus(
  dataDir: string,
  id: string,
  status: RecommendationStatus,
  reason: string | null,
  lifecycle?: Partial<Lifecycle>,
  from?: readonly RecommendationStatus[],
): Recommendation {
  const r = transition(dataDir, id, status, reason, lifecycle, from);
  if (!r) throw new UsageError(`recommendation ${id} is ${getRecommendation(dataDir, id).status}, not ${from!.join(' or ')}`);
  return r;
}

export function transition(
  dataDir: string,
  id: string,
  status: RecommendationStatus,
  reason: string | null,
  lifecycle?: Partial<Lifecycle>,
  from?: readonly RecommendationStatus[],
): Recommendation | null {
  return updateStore(dataDir, (store) => {
    const at = new Date().toISOString();
    let updated: Recommendation | null = null;
    let found = false;
    const recs = store.recommendations.map((r) => {
      if (r.id !== id) return r;
      found = true;
      if (from && !from.includes(r.status)) return r;
      const lc: Lifecycle = { ...EMPTY_LIFECYCLE, ...r.lifecycle, ...lifecycle };
      updated = { ...r, status, statusReason: reason, updatedAt: at, history: [...r.history, { status, at, reason }], lifecycle: lc };
      return updated;
    });
    if (!found) throw new UsageError(`no recommendation "${id}" (keel advisor list shows them)`);
    return { store: { ...store, recommendations: recs }, result: updated };
  });
}

export const EMPTY_LIFECYCLE: Lifecycle = {
  attempts: 0,
  owner: null,
  by: null,
  before: null,
  applyStartedAt: null,
  appliedAt: null,
  applyMs: null,
  revertDdl: null,
  verification: null,
};

/**
 * Applies a recommendation through the engine's ALTER TABLE, recording
 * applying, then applied or failed (with the error). A table whose current
 * distribution no longer matches what the recommendation was made for fails
 * without running anything.
 */
export async function applyRecommendation(db: Database, id: string): Promise<Recommendation> {
  const r = getRecommendation(db.dir, id);
  if (r.status !== 'proposed' && r.status !== 'failed') throw new UsageError(`recommendation ${id} is ${r.status}, not proposed`);
  const t = db.catalog().tables[r.table];
  if (!t) return setStatus(db.dir, id, 'failed', `table ${r.table} no longer exists`);
  if (currentSetting(t, r) !== r.current) return setStatus(db.dir, id, 'failed', `${r.table} is now ${currentSetting(t, r)}, not ${r.current} as when recommended; run the advisor again`);
  setStatus(db.dir, id, 'applying', null);
  try {
    await db.execute(r.ddl);
  } catch (e) {
    return setStatus(db.dir, id, 'failed', (e as Error).message);
  }
  return setStatus(db.dir, id, 'applied', null);
}
