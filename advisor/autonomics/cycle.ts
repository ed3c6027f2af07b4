/**
 * The three steps of the autonomics loop, each a function the daemon runs on
 * its schedule (and a test or the demo can run directly): mine the workload
 * into recommendations, apply the best allowed one, verify applied ones.
 * Each returns what it did, for the log.
 */
import type { Database } from '../../engine/index.js';
import { loadWorkload } from '../../workload-log/index.js';
import { listRecommendations, type Recommendation } from '../recommendations/index.js';
import { runAdvisor } from '../run.js';
import type { AutonomicsConfig } from './config.js';
import { applyGroup, resumeInterrupted, type ResumeOutcome } from './lifecycle.js';
import { candidates, gateClosed } from './policy.js';
import { verifyGroup } from './verify.js';
import type { Verification } from './types.js';

export interface StepContext {
  readonly signal?: AbortSignal;
  readonly now?: Date;
}

export type MineResult =
  | { readonly ran: false; readonly reason: string }
  | { readonly ran: true; readonly run: string; readonly queries: number; readonly proposed: readonly { id: string; group: string; table: string; kind: string; ddl: string }[] };

export async function mineStep(db: Database, config: AutonomicsConfig, ctx: StepContext = {}): Promise<MineResult> {
  const now = ctx.now ?? new Date();
  const since = now.getTime() - config.mining.sinceMs;
  const queries = loadWorkload(db.dir, { since }).queries;
  if (queries < config.mining.minQueries) return { ran: false, reason: `${queries} queries in the mining window, fewer than mining.minQueries (${config.mining.minQueries})` };
  const out = await runAdvisor(db, { filter: { since }, now, twins: config.twins });
  return { ran: true, run: out.run.id, queries: out.run.queries, proposed: out.recommendations.map((r) => ({ id: r.id, group: r.group, table: r.table, kind: r.kind, ddl: r.ddl })) };
}

export interface ApplyStepResult {
  readonly resumed: readonly ResumeOutcome[];
  /** Why nothing was applied (gate closed, nothing allowed). */
  readonly skipped: string | null;
  /** The group applied (its members after the apply), or null. */
  readonly applied: readonly Recommendation[] | null;
  readonly held: readonly { id: string; reason: string }[];
}

export async function applyStep(db: Database, config: AutonomicsConfig, ctx: StepContext = {}): Promise<ApplyStepResult> {
  const opts = {
    by: 'daemon' as const,
    maxAttempts: config.maxAttempts,
    ...(config.maxBytesPerSecond !== null ? { maxBytesPerSecond: config.maxBytesPerSecond } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  const resumed = await resumeInterrupted(db, opts);
  const all = listRecommendations(db.dir);
  const { allowed, held } = candidates(all, db.catalog(), config);
  const closed = gateClosed(db.dir, all, config, ctx.now ?? new Date());
  if (closed) return { resumed, skipped: closed, applied: null, held };
  const next = allowed[0];
  if (!next) return { resumed, skipped: 'no proposed recommendation the policy allows', applied: null, held };
  ctx.signal?.throwIfAborted();
  return { resumed, skipped: null, applied: await applyGroup(db, next.group, opts), held };
}

export interface VerifyStepResult {
  readonly judged: readonly { group: string; tables: string[]; status: string; verification: Verification }[];
  /** Applied groups whose after window is still filling. */
  readonly waiting: readonly string[];
}

export async function verifyStep(db: Database, config: AutonomicsConfig, ctx: StepContext = {}): Promise<VerifyStepResult> {
  const judged: { group: string; tables: string[]; status: string; verification: Verification }[] = [];
  const waiting: string[] = [];
  const applied = [...new Set(listRecommendations(db.dir).filter((r) => r.status === 'applied').map((r) => r.group))];
  for (const group of applied) {
    ctx.signal?.throwIfAborted();
    const o = await verifyGroup(db, group, config, {
      ...(ctx.now ? { now: ctx.now } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(config.maxBytesPerSecond !== null ? { maxBytesPerSecond: config.maxBytesPerSecond } : {}),
    });
    const tables = [...new Set(o.recommendations.map((r) => r.table))];
    if (o.verification) judged.push({ group, tables, status: o.recommendations[0]!.status, verification: o.verification });
    else waiting.push(group);
  }
  return { judged, waiting };
}
