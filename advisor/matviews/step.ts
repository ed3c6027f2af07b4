/**
 * The daemon's views step (docs/advisor.md, "Automatic materialized views"):
 *
 *  1. reconcile the ledger with the catalog (a CREATE whose process died, a
 *     view dropped by hand);
 *  2. behind the same gate as every automatic change (maintenance window,
 *     load, one change at a time: policy.ts gateClosed and the apply lock),
 *     refresh the automatic views a base table changed under (a stale view
 *     answers nothing), drop those that stopped paying, and create the best
 *     candidate that pays and fits the policy's budget.
 *
 * Views are changed only through SQL (CREATE / REFRESH / DROP MATERIALIZED
 * VIEW). A view is created and marked automatic in one transaction block, so
 * it is the advisor's from its first moment; only marked views are refreshed
 * or dropped here, so a user's view is never touched.
 */
import { isAutomaticView, isViewFresh, markAutomaticView, materializedViews, storageTableName, type Database } from '../../engine/index.js';
import { loadWorkload } from '../../workload-log/index.js';
import { workloadDays } from '../cost-model/benefit.js';
import { listRecommendations } from '../recommendations/index.js';
import type { AutonomicsConfig } from '../autonomics/config.js';
import type { StepContext } from '../autonomics/cycle.js';
import { applyLockPath } from '../autonomics/lifecycle.js';
import { gateClosed } from '../autonomics/policy.js';
import { tryLock } from '../autonomics/file-lock.js';
import { answers, candidatesOf, type Candidate } from './candidates.js';
import { doesNotPay, estimate, stoppedPaying, type ViewEstimate } from './decide.js';
import { readLedger, updateLedger, patchEntry, type AutoViewEntry } from './ledger.js';
import { loggedRefreshes, measureOf, refreshCost, viewHits } from './ledger-rows.js';
import { mineWorkload } from './mine.js';
import { withBlocks } from './blocks.js';

export interface ViewsStepResult {
  /** Why nothing was refreshed, dropped or created (the gate, the policy), or null. */
  readonly skipped: string | null;
  readonly reconciled: readonly { readonly name: string; readonly status: string; readonly reason: string }[];
  readonly refreshed: readonly { readonly name: string; readonly ms: number }[];
  readonly dropped: readonly { readonly name: string; readonly reason: string }[];
  readonly created: readonly { readonly name: string; readonly sql: string; readonly reason: string }[];
  /** Candidates that were not created, and why. */
  readonly held: readonly { readonly sql: string; readonly reason: string }[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Entries the catalog contradicts, put right. */
function reconcile(db: Database, now: Date): ViewsStepResult['reconciled'] {
  const views = materializedViews(db.catalog());
  const out: { name: string; status: string; reason: string }[] = [];
  for (const e of readLedger(db.dir).views) {
    const mv = views[e.name];
    const ours = mv !== undefined && isAutomaticView(mv);
    if (e.status === 'creating') {
      const reason = ours ? 'the CREATE committed before its process stopped' : 'the CREATE did not commit before its process stopped';
      patchEntry(db.dir, e.name, () => (ours ? { status: 'active' } : { status: 'failed', dropReason: reason, droppedAt: now.toISOString() }));
      out.push({ name: e.name, status: ours ? 'active' : 'failed', reason });
    } else if (e.status === 'active' && !ours) {
      const reason = 'dropped outside the advisor (it is no longer in the catalog as an automatic view)';
      patchEntry(db.dir, e.name, () => ({ status: 'dropped', dropReason: reason, droppedAt: now.toISOString() }));
      out.push({ name: e.name, status: 'dropped', reason });
    }
  }
  return out;
}

export async function viewsStep(db: Database, config: AutonomicsConfig, ctx: StepContext = {}): Promise<ViewsStepResult> {
  const now = ctx.now ?? new Date();
  const empty = { refreshed: [], dropped: [], created: [], held: [] };
  if (!config.views.enabled) return { skipped: 'views.enabled is false', reconciled: [], ...empty };
  const reconciled = reconcile(db, now);
  const closed = gateClosed(db.dir, listRecommendations(db.dir), config, now);
  if (closed) return { skipped: closed, reconciled, ...empty };
  const release = tryLock(applyLockPath(db.dir));
  if (!release) return { skipped: 'another process is applying a change', reconciled, ...empty };
  try {
    const refreshed = await refreshStale(db, ctx);
    const dropped = await dropUnpaid(db, config, now, ctx);
    const { created, held } = await createPaying(db, config, now, ctx);
    return { skipped: null, reconciled, refreshed, dropped, created, held };
  } finally {
    release();
  }
}

/** AUTO REFRESH for the advisor's own views: each stale one brought up to date, its time added to the ledger. */
async function refreshStale(db: Database, ctx: StepContext): Promise<{ name: string; ms: number }[]> {
  const out: { name: string; ms: number }[] = [];
  for (const e of readLedger(db.dir).views) {
    if (e.status !== 'active') continue;
    const mv = materializedViews(db.catalog())[e.name];
    if (!mv || !isAutomaticView(mv) || isViewFresh(mv, db.catalog())) continue;
    ctx.signal?.throwIfAborted();
    const t0 = performance.now();
    await db.query(`refresh materialized view ${quote(e.name)}`);
    const ms = performance.now() - t0;
    patchEntry(db.dir, e.name, (x) => ({ refreshes: x.refreshes + 1, refreshMs: x.refreshMs + ms }));
    out.push({ name: e.name, ms });
  }
  return out;
}

async function dropUnpaid(db: Database, config: AutonomicsConfig, now: Date, ctx: StepContext): Promise<{ name: string; reason: string }[]> {
  const active = readLedger(db.dir).views.filter((e) => e.status === 'active' && now.getTime() - Date.parse(e.createdAt) >= config.views.verifyAfterMs);
  if (active.length === 0) return [];
  const windowStart = now.getTime() - config.mining.sinceMs;
  const w = loadWorkload(db.dir, { since: windowStart, until: now.getTime() + 1 });
  const hits = viewHits(w, active.map((e) => e.table));
  const logged = loggedRefreshes(w, active.map((e) => e.name));
  const out: { name: string; reason: string }[] = [];
  for (const e of active) {
    const mv = materializedViews(db.catalog())[e.name];
    if (!mv || !isAutomaticView(mv)) continue;
    const since = Math.max(Date.parse(e.createdAt), windowStart);
    const why = stoppedPaying(measureOf(e, hits.get(e.table), refreshCost(logged.get(e.name), mv.refreshes, since), since, now.getTime()), config.views.minSecondsPerDay);
    if (why === null) {
      patchEntry(db.dir, e.name, () => ({ lastVerdict: { at: now.toISOString(), reason: 'kept: it pays' } }));
      continue;
    }
    ctx.signal?.throwIfAborted();
    await db.query(`drop materialized view ${quote(e.name)}`);
    patchEntry(db.dir, e.name, () => ({ status: 'dropped', droppedAt: now.toISOString(), dropReason: `stopped paying: ${why}`, lastVerdict: { at: now.toISOString(), reason: `dropped: ${why}` } }));
    out.push({ name: e.name, reason: why });
  }
  return out;
}

function describe(c: Candidate, e: ViewEstimate): string {
  const execs = c.serves.reduce((n, q) => n + q.count, 0);
  return (
    `answers ${c.serves.length} quer${c.serves.length === 1 ? 'y' : 'ies'} (${new Set(c.serves.map((q) => q.fingerprint)).size} fingerprints, ${execs} executions) that spent ${e.baseSecondsPerDay.toFixed(3)} s/day; ` +
    `reading its ~${e.rows} rows instead costs ${e.readSecondsPerDay.toFixed(3)} s/day, ${e.refreshesPerDay.toFixed(2)} refreshes/day of ~${Math.round(e.buildMs)} ms cost ${e.refreshSecondsPerDay.toFixed(3)} s/day, ` +
    `the build ${e.buildSecondsPerDay.toFixed(3)} s/day over the mining window: net ${e.netSecondsPerDay.toFixed(3)} s/day, ~${e.storageBytes} bytes`
  );
}

/** The best candidate that pays and fits, created; the others held with why. */
async function createPaying(db: Database, config: AutonomicsConfig, now: Date, ctx: StepContext): Promise<{ created: ViewsStepResult['created']; held: ViewsStepResult['held'] }> {
  const w = loadWorkload(db.dir, { since: now.getTime() - config.mining.sinceMs, until: now.getTime() + 1 });
  if (w.queries < config.mining.minQueries) return { created: [], held: [] };
  const catalog = db.catalog();
  const mined = mineWorkload(w);
  const days = workloadDays(w);
  const ledger = readLedger(db.dir);
  const active = ledger.views.filter((e) => e.status === 'active' || e.status === 'creating');
  const storage = active.reduce((n, e) => n + (catalog.tables[e.table]?.segments.reduce((b, s) => b + s.bytes, 0) ?? 0), 0);
  const known = new Map(ledger.views.map((e) => [e.sql, e]));
  const held: { sql: string; reason: string }[] = [];
  const paying: { c: Candidate; e: ViewEstimate }[] = [];
  // a query a view already answers (the user's or ours, fresh now or after its next refresh) is no view's evidence: a roll-up
  // candidate could otherwise claim the queries of a view made by an earlier cycle and be made beside it
  const views = Object.values(materializedViews(catalog));
  // the queries, then the blocks nested in them (a subquery, a derived table, a WITH query), which the rewrite answers on their own
  const open = withBlocks(mined.queries, catalog).filter((q) => !views.some((mv) => answers(catalog, mv.sql, q.sql)));
  for (const c of candidatesOf(open, catalog)) {
    const e = estimate(c, mined, catalog, days, config.mining.sinceMs / 86_400_000);
    const before = known.get(c.sql);
    const excluded = c.tables.find((t) => config.excludeTables.includes(t));
    const why =
      excluded !== undefined ? `${excluded} is in excludeTables`
      : before && before.status !== 'dropped' ? `it is ${before.name} (${before.status})`
      : before ? `it was ${before.name}, dropped: ${before.dropReason}`
      : doesNotPay(e, config.views.minSecondsPerDay);
    if (why) held.push({ sql: c.sql, reason: why });
    else paying.push({ c, e });
  }
  paying.sort((a, b) => b.e.netSecondsPerDay - a.e.netSecondsPerDay);
  // one view a cycle, as one layout group a cycle: each change is measured on its own
  const created: { name: string; sql: string; reason: string }[] = [];
  for (const { c, e } of paying) {
    const budget =
      active.length + created.length >= config.views.maxViews ? `views.maxViews (${config.views.maxViews}) automatic views exist`
      : storage + e.storageBytes > config.views.maxStorageBytes ? `its ~${e.storageBytes} bytes would pass views.maxStorageBytes (${config.views.maxStorageBytes}; ${storage} in use)`
      : created.length > 0 ? 'one view is created a cycle'
      : null;
    if (budget) {
      held.push({ sql: c.sql, reason: budget });
      continue;
    }
    ctx.signal?.throwIfAborted();
    const reason = describe(c, e);
    const made = await createView(db, c, e, reason, now);
    if (made.status === 'active') created.push({ name: made.name, sql: c.sql, reason });
    else held.push({ sql: c.sql, reason: made.dropReason ?? 'failed' });
  }
  return { created, held };
}

/** CREATE MATERIALIZED VIEW and the automatic mark in one transaction block, with the ledger entry around it. */
async function createView(db: Database, c: Candidate, e: ViewEstimate, reason: string, now: Date): Promise<AutoViewEntry> {
  const taken = materializedViews(db.catalog());
  const entry = updateLedger(db.dir, (f) => {
    let n = f.next;
    while (taken[`auto_mv_${n}`] || db.catalog().tables[`auto_mv_${n}`] || db.catalog().tables[storageTableName(`auto_mv_${n}`)]) n++;
    const name = `auto_mv_${n}`;
    const fps = new Map<string, { count: number; ms: number }>();
    for (const q of c.serves) {
      const a = fps.get(q.fingerprint) ?? { count: 0, ms: 0 };
      a.count += q.count;
      a.ms += q.totalMs;
      fps.set(q.fingerprint, a);
    }
    const x: AutoViewEntry = {
      name,
      table: storageTableName(name),
      sql: c.sql,
      status: 'creating',
      createdAt: now.toISOString(),
      droppedAt: null,
      createReason: reason,
      dropReason: null,
      estimate: e,
      baseline: [...fps].map(([fingerprint, a]) => ({ fingerprint, count: a.count, meanMs: a.ms / a.count })),
      buildMs: null,
      refreshes: 0,
      refreshMs: 0,
      lastVerdict: null,
    };
    return { file: { ...f, next: n + 1, views: [...f.views, x] }, result: x };
  });
  const t0 = performance.now();
  try {
    await db.query('begin');
    await db.query(`create materialized view ${quote(entry.name)} auto refresh yes as ${c.sql}`);
    await db.change((catalog) => ({ catalog: markAutomaticView(catalog, entry.name), result: undefined }));
    await db.query('commit');
  } catch (err) {
    if (db.transaction.id() !== null) await db.query('rollback');
    return patchEntry(db.dir, entry.name, () => ({ status: 'failed', droppedAt: new Date().toISOString(), dropReason: `CREATE failed: ${err instanceof Error ? err.message : String(err)}` }));
  }
  return patchEntry(db.dir, entry.name, () => ({ status: 'active', buildMs: Math.round(performance.now() - t0) }));
}
