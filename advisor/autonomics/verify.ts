/**
 * Verification: did an applied change make the queries it touches cheaper?
 * The affected queries are those whose fingerprint scans the changed table.
 * Per metric (time, bytes moved, blocks scanned) each fingerprint's mean per
 * execution in the window after the apply is compared with its mean in the
 * window before, over the fingerprints that ran in both, weighted by their
 * executions. Time slower beyond its limit (and beyond its noise) is worse
 * whatever the counters say; otherwise the exact counters (bytes moved,
 * blocks scanned) judge, and time decides where they do not (a trade between
 * them, or no change).
 */
import type { Database } from '../../engine/index.js';
import { loadWorkload } from '../../workload-log/index.js';
import { listRecommendations, transitionGroup, type Recommendation } from '../recommendations/index.js';
import type { AutonomicsConfig, Metric } from './config.js';
import { groupOf, revertGroup } from './lifecycle.js';
import type { MetricComparison, Verification } from './types.js';

export interface Window {
  readonly since: number;
  readonly until: number;
  /** The data directory whose log holds the window, when not the database's own (the demo's copy of the default layout). */
  readonly dir?: string;
}

/** Per fingerprint: executions and the sums of each metric. */
export interface WindowMeasure {
  /** timeSq: the sum of squared durations, for the time's standard error. */
  readonly fingerprints: Map<string, { count: number; timeMs: number; timeSq: number; bytesMoved: number; blocksScanned: number }>;
}

/**
 * The successful queries in [since, until) that scan one of `tables`, summed
 * per fingerprint. The advisor's own statements (source "advisor": its ALTERs
 * and skew counts) are left out, and so are queries that scan one of
 * `exclude` (the tables of other groups changed in the same windows), so a
 * group is not charged for another's effect.
 */
export function measureWindow(dataDir: string, tables: readonly string[], w: Window, exclude: ReadonlySet<string> = new Set()): WindowMeasure {
  const workload = loadWorkload(dataDir, { since: w.since, until: w.until });
  const out: WindowMeasure['fingerprints'] = new Map();
  workload.parts.forEach((part, k) => {
    const mask = workload.masks[k];
    const q = part.queries;
    const dict = part.scans.table.dict;
    const mine = new Set(tables.map((t) => dict.indexOf(t)).filter((c) => c >= 0));
    if (mine.size === 0) return;
    const others = new Set([...exclude].map((t) => dict.indexOf(t)).filter((c) => c >= 0));
    const advisorSource = q.source.dict.indexOf('advisor');
    // a query scanning the tables more than once (self-join) still counts once; 2 marks one to leave out
    const touches = new Uint8Array(q.length);
    const sq = part.scans.query;
    const st = part.scans.table.codes;
    for (let i = 0; i < sq.length; i++) {
      if (others.has(st[i]!)) touches[sq[i]!] = 2;
      else if (mine.has(st[i]!) && touches[sq[i]!] === 0) touches[sq[i]!] = 1;
    }
    const fp = q.fingerprint;
    for (let i = 0; i < q.length; i++) {
      if (touches[i] !== 1 || (mask && !mask[i]) || q.status[i] !== 0 || q.source.codes[i] === advisorSource) continue;
      const key = fp.dict[fp.codes[i]!]!;
      let a = out.get(key);
      if (!a) out.set(key, (a = { count: 0, timeMs: 0, timeSq: 0, bytesMoved: 0, blocksScanned: 0 }));
      a.count++;
      a.timeMs += q.durationMs[i]!;
      a.timeSq += q.durationMs[i]! ** 2;
      a.bytesMoved += q.bytesMoved[i]!;
      a.blocksScanned += q.blocksScanned[i]!;
    }
  });
  return { fingerprints: out };
}

/**
 * Below these means a difference is noise, not a change: one millisecond, 64
 * KiB moved, one block. A metric that was (nearly) zero before is judged
 * against the floor instead of blowing up to an infinite ratio.
 */
const FLOOR: Record<Metric, number> = { timeMs: 1, bytesMoved: 64 * 1024, blocksScanned: 1 };

export function compareWindows(before: WindowMeasure, after: WindowMeasure, config: AutonomicsConfig, windows: { before: Window; after: Window }, now = new Date()): Verification {
  const sums = { timeMs: [0, 0], bytesMoved: [0, 0], blocksScanned: [0, 0] } as Record<Metric, [number, number]>;
  let weight = 0;
  let fingerprints = 0;
  let executionsBefore = 0;
  let executionsAfter = 0;
  // variance of the weighted difference of mean times (each window's executions as samples); a fingerprint
  // run once in a window says nothing of its spread, and its mean counts as wholly uncertain
  let timeVar = 0;
  const varOfMean = (x: { count: number; timeMs: number; timeSq: number }) => {
    const mean = x.timeMs / x.count;
    if (x.count < 2) return mean * mean;
    return Math.max(0, (x.timeSq - x.count * mean * mean) / (x.count - 1)) / x.count;
  };
  for (const [fp, b] of before.fingerprints) {
    const a = after.fingerprints.get(fp);
    if (!a) continue;
    fingerprints++;
    executionsBefore += b.count;
    executionsAfter += a.count;
    const w = b.count + a.count;
    weight += w;
    timeVar += w * w * (varOfMean(b) + varOfMean(a));
    for (const m of ['timeMs', 'bytesMoved', 'blocksScanned'] as const) {
      sums[m][0] += (w * b[m]) / b.count;
      sums[m][1] += (w * a[m]) / a.count;
    }
  }
  const iso = (x: number) => new Date(x).toISOString();
  const metric = (m: Metric): MetricComparison => {
    const limit = config.verification.maxRegression[m];
    const b = weight > 0 ? sums[m][0] / weight : 0;
    const a = weight > 0 ? sums[m][1] / weight : 0;
    const change = (a - b) / Math.max(b, FLOOR[m]);
    const round = (x: number) => Math.round(x * 1000) / 1000;
    // the counters are exact; time counts only beyond 1.96 standard errors of its difference (95%, two-sided)
    // and a difference below the metric's floor is none at all
    const significant = Math.abs(a - b) >= FLOOR[m] && (m !== 'timeMs' || (weight > 0 && Math.abs(a - b) > 1.96 * (Math.sqrt(timeVar) / weight)));
    return { before: round(b), after: round(a), change: round(change), limit, worse: limit !== null && change > limit && significant, significant };
  };
  const timeMs = metric('timeMs');
  const bytesMoved = metric('bytesMoved');
  const blocksScanned = metric('blocksScanned');
  const beyond = (m: MetricComparison) => m.limit !== null && m.change < -m.limit && m.significant !== false;
  const counterWorse = bytesMoved.worse || blocksScanned.worse;
  const counterBetter = beyond(bytesMoved) || beyond(blocksScanned);
  // Time is what users feel: slower beyond its limit, with 95% confidence, is worse whatever the counters say (fewer
  // blocks read in more time is a loss; the shadow proof refuses the same). Otherwise the exact counters judge, and time
  // settles what they leave open: a trade between them, or no change.
  let verdict: Verification['verdict'];
  if (fingerprints === 0) verdict = 'no-evidence';
  else if (timeMs.worse) verdict = 'worse';
  else if (counterWorse && !counterBetter) verdict = beyond(timeMs) ? 'mixed' : 'worse';
  else if (counterWorse && counterBetter) verdict = 'mixed';
  else verdict = counterBetter || beyond(timeMs) ? 'better' : 'neutral';
  return {
    at: now.toISOString(),
    verdict,
    window: { before: { since: iso(windows.before.since), until: iso(windows.before.until) }, after: { since: iso(windows.after.since), until: iso(windows.after.until) } },
    fingerprints,
    executionsBefore,
    executionsAfter,
    timeMs,
    bytesMoved,
    blocksScanned,
  };
}

export interface VerifyOptions {
  readonly now?: Date;
  /** Compare these windows instead of the configured ones around the apply (the demo's two replays). */
  readonly windows?: { before: Window; after: Window };
  /** Judge even if the after window is not complete (default: wait for it or for minExecutions). */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
  readonly maxBytesPerSecond?: number;
}

export interface VerifyOutcome {
  /** The group's members after the verification. */
  readonly recommendations: readonly Recommendation[];
  /** null: not judged yet (the after window is still filling). */
  readonly verification: Verification | null;
}

/** The configured windows of an applied recommendation: as long before its apply began as after it ended. */
export function windowsOf(r: Recommendation, config: AutonomicsConfig, now: Date): { before: Window; after: Window; complete: boolean } {
  const started = Date.parse(r.lifecycle?.applyStartedAt ?? r.updatedAt);
  const applied = Date.parse(r.lifecycle?.appliedAt ?? r.updatedAt);
  const len = config.verification.windowMs;
  const end = Math.min(now.getTime(), applied + len);
  return { before: { since: started - len, until: started }, after: { since: applied, until: end }, complete: now.getTime() >= applied + len };
}

/**
 * Tables of other groups whose apply overlapped `w` (began before its end and
 * ended after its start): their effect falls in these windows too.
 */
export function overlapping(all: readonly Recommendation[], group: string, w: { before: Window; after: Window }): Set<string> {
  const out = new Set<string>();
  for (const r of all) {
    if (r.group === group || !r.lifecycle?.applyStartedAt) continue;
    if (r.status !== 'applied' && r.status !== 'verified' && r.status !== 'reverted' && r.status !== 'applying') continue;
    const start = Date.parse(r.lifecycle.applyStartedAt);
    const end = r.lifecycle.appliedAt ? Date.parse(r.lifecycle.appliedAt) : Infinity;
    if (start < w.after.until && end > w.before.since) out.add(r.table);
  }
  return out;
}

/**
 * Verifies an applied group: verified when the queries reading its tables
 * got no worse than the limits, reverted (inverse DDL of every table of the
 * group, with the measurements as reason) when they did. Queries that also
 * read a table another group changed in the same windows are left out of the
 * comparison. Not judged while the after window is still filling and fewer
 * than minExecutions affected queries ran in it.
 */
export async function verifyGroup(db: Database, id: string, config: AutonomicsConfig, options: VerifyOptions = {}): Promise<VerifyOutcome> {
  const members = groupOf(db.dir, id);
  const r = members[0]!;
  if (members.some((m) => m.status !== 'applied')) return { recommendations: members, verification: null };
  const now = options.now ?? new Date();
  const w = options.windows ? { ...options.windows, complete: true } : windowsOf(r, config, now);
  const tables = [...new Set(members.map((m) => m.table))];
  const exclude = overlapping(listRecommendations(db.dir), r.group, w);
  for (const t of tables) exclude.delete(t);
  const before = measureWindow(w.before.dir ?? db.dir, tables, w.before, exclude);
  const after = measureWindow(w.after.dir ?? db.dir, tables, w.after, exclude);
  const v = compareWindows(before, after, config, w, now);
  if (!w.complete && !options.force && v.executionsAfter < config.verification.minExecutions) return { recommendations: members, verification: null };
  const left = exclude.size ? ` (queries that also read ${[...exclude].sort().join(', ')}, changed by another group meanwhile, left out)` : '';
  if (v.verdict === 'worse') {
    const recs = await revertGroup(db, r.group, `worse after the change: ${describeVerification(v)}${left}`, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.maxBytesPerSecond !== undefined ? { maxBytesPerSecond: options.maxBytesPerSecond } : {}),
      lifecycle: { verification: v },
    });
    return { recommendations: recs, verification: v };
  }
  const reason = v.verdict === 'no-evidence' ? `no query reading only ${tables.join(', ')} among the changed tables ran in both windows; kept${left}` : `${v.verdict}: ${describeVerification(v)}${left}`;
  return { recommendations: transitionGroup(db.dir, r.group, 'verified', reason, () => ({ verification: v }), ['applied']) ?? groupOf(db.dir, r.group), verification: v };
}

/** "bytes moved +240% (limit 10%), blocks scanned -3%, time +4% over 6 fingerprints (40 -> 38 runs)". */
export function describeVerification(v: Verification): string {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const part = (name: string, m: MetricComparison) => `${name} ${pct(m.change)}${m.worse ? ` (limit +${((m.limit ?? 0) * 100).toFixed(0)}%)` : ''}`;
  return `${part('time', v.timeMs)}, ${part('bytes moved', v.bytesMoved)}, ${part('blocks scanned', v.blocksScanned)} over ${v.fingerprints} fingerprint${v.fingerprints === 1 ? '' : 's'} (${v.executionsBefore} runs before, ${v.executionsAfter} after)`;
}
