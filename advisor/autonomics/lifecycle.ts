/**
 * The recommendation lifecycle (docs/autonomics.md):
 *
 *   proposed ─▶ applying ─▶ applied ─▶ verified
 *                  │           └─────▶ reverted   (worse after than before)
 *                  └─▶ failed (retried up to maxAttempts) │ proposed (abandoned)
 *
 * Every move is one locked update of recommendations.json with a timestamp
 * and a reason. "applying" names its process, so a later process can tell an
 * apply that is running from one whose process died: the table is then either
 * the old version or the new one (the engine swaps atomically), and the
 * snapshot taken before the apply says which.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { Database } from '../../engine/index.js';
import { KeelError, UsageError } from '../../engine/index.js';
import { currentSetting } from '../storage-recommendations.js';
import { getRecommendation, listRecommendations, transition, type Recommendation } from '../recommendations/index.js';
import { processAlive, lockHolder, tryLock } from './file-lock.js';
import { runAlter, type AlterOptions } from './engine-alter.js';
import { inverseDdl, sameLayout, snapshotOf } from './layout.js';
import type { Lifecycle } from './types.js';

export interface ApplyOptions {
  /** Who asked: the daemon's policy or a user (CLI). */
  readonly by?: 'daemon' | 'user';
  readonly maxBytesPerSecond?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: AlterOptions['onProgress'];
}

/** One apply at a time per data directory, across processes. */
export function applyLockPath(dataDir: string): string {
  return path.join(dataDir, 'advisor', 'apply.lock');
}

/** The process applying a change in this directory now, or null. */
export function applyingProcess(dataDir: string): number | null {
  const pid = lockHolder(applyLockPath(dataDir));
  return pid !== null && processAlive(pid) ? pid : null;
}

/**
 * Applies one recommendation through the engine, moving it to applying, then
 * applied, failed (the error as reason), or back to proposed when `signal`
 * abandoned the rebuild (the table keeps its old version).
 */
export async function applyOne(db: Database, id: string, options: ApplyOptions = {}): Promise<Recommendation> {
  const r = getRecommendation(db.dir, id);
  const resumable = r.status === 'applying' && !ownerAlive(r);
  if (r.status !== 'proposed' && r.status !== 'failed' && !resumable) {
    throw new UsageError(`recommendation ${id} is ${r.status}${r.status === 'applying' ? ` by process ${r.lifecycle?.owner?.pid}` : ''}, not proposed`);
  }
  const t = db.catalog().tables[r.table];
  if (!t) return transition(db.dir, id, 'failed', `table ${r.table} no longer exists`)!;
  const now = currentSetting(t, r);
  if (now !== r.current && !resumable) {
    return transition(db.dir, id, 'failed', `${r.table} is now ${now}, not ${r.current} as when recommended; run the advisor again`)!;
  }
  const release = tryLock(applyLockPath(db.dir));
  if (!release) throw new KeelError('LOCKED', `process ${lockHolder(applyLockPath(db.dir))} is applying a change in ${db.dir}; changes are applied one table at a time`);
  try {
    // a resumed apply keeps the snapshot of the table as it was before its first attempt
    const before = resumable && r.lifecycle?.before ? r.lifecycle.before : snapshotOf(t);
    const inverse = inverseDdl(r, before);
    const startedAt = new Date();
    const moved = transition(
      db.dir,
      id,
      'applying',
      resumable ? `retrying after process ${r.lifecycle?.owner?.pid} stopped mid-apply` : null,
      {
        attempts: (r.lifecycle?.attempts ?? 0) + 1,
        owner: { pid: process.pid, host: os.hostname() },
        by: options.by ?? 'user',
        before,
        applyStartedAt: startedAt.toISOString(),
        revertDdl: inverse.ddl,
      },
      [r.status],
    );
    if (!moved) throw new UsageError(`recommendation ${id} changed status while being applied by another process`);
    try {
      const o = await runAlter(db, r.ddl, {
        // the advisor tunes AUTO settings and leaves them AUTO, so it may tune them again
        keepAuto: inverse.keepAuto,
        ...(options.maxBytesPerSecond !== undefined ? { maxBytesPerSecond: options.maxBytesPerSecond } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      return transition(db.dir, id, 'applied', `${o.online ? 'rebuilt online' : 'rewritten'} in ${(o.elapsedMs / 1000).toFixed(1)} s`, {
        owner: null,
        appliedAt: new Date().toISOString(),
        applyMs: Math.round(o.elapsedMs),
      })!;
    } catch (e) {
      if (options.signal?.aborted) {
        return transition(db.dir, id, 'proposed', `apply abandoned (${String(options.signal.reason ?? 'stopping')}); ${r.table} keeps its old version`, { owner: null })!;
      }
      return transition(db.dir, id, 'failed', e instanceof Error ? e.message : String(e), { owner: null })!;
    }
  } finally {
    release();
  }
}

function ownerAlive(r: Recommendation): boolean {
  const o = r.lifecycle?.owner;
  if (!o) return false;
  // a process on another host sharing the directory cannot be probed: trust it
  return o.host !== os.hostname() || processAlive(o.pid);
}

/**
 * Undoes an applied (or verified) recommendation with the inverse DDL, and
 * records why. A table that already has its old layout (a revert that
 * completed before its process died) is only marked.
 */
export async function revertOne(db: Database, id: string, reason: string, options: Omit<ApplyOptions, 'by'> & { lifecycle?: Partial<Lifecycle> } = {}): Promise<Recommendation> {
  const r = getRecommendation(db.dir, id);
  if (r.status !== 'applied' && r.status !== 'verified') throw new UsageError(`recommendation ${id} is ${r.status}; only an applied or verified one can be reverted`);
  const t = db.catalog().tables[r.table];
  if (!t) return transition(db.dir, id, 'failed', `cannot revert: table ${r.table} no longer exists`)!;
  const before = r.lifecycle?.before ?? null;
  const inverse = inverseDdl(r, before);
  if (before && sameLayout(snapshotOf(t), before)) return transition(db.dir, id, 'reverted', `${reason} (the old layout was already back in place)`, { ...options.lifecycle }, [r.status])!;
  const release = tryLock(applyLockPath(db.dir));
  if (!release) throw new KeelError('LOCKED', `process ${lockHolder(applyLockPath(db.dir))} is applying a change in ${db.dir}; try again when it is done`);
  try {
    await runAlter(db, inverse.ddl, {
      keepAuto: inverse.keepAuto,
      ...(options.maxBytesPerSecond !== undefined ? { maxBytesPerSecond: options.maxBytesPerSecond } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    release();
  }
  return transition(db.dir, id, 'reverted', reason, { ...options.lifecycle, revertDdl: inverse.ddl }, [r.status])!;
}

export interface ResumeOutcome {
  readonly id: string;
  readonly action: 'marked-applied' | 'retried' | 'failed';
  readonly recommendation: Recommendation;
}

/**
 * Recommendations left "applying" by a process that died: marked applied when
 * the new version was swapped in, applied again (up to maxAttempts) when the
 * table still has its old version, failed after that.
 */
export async function resumeInterrupted(db: Database, options: ApplyOptions & { maxAttempts?: number } = {}): Promise<ResumeOutcome[]> {
  const out: ResumeOutcome[] = [];
  for (const r of listRecommendations(db.dir)) {
    if (r.status !== 'applying' || ownerAlive(r)) continue;
    const pid = r.lifecycle?.owner?.pid;
    const t = db.catalog().tables[r.table];
    const before = r.lifecycle?.before;
    if (t && before && !sameLayout(snapshotOf(t), before)) {
      const rec = transition(db.dir, r.id, 'applied', `process ${pid} stopped after the new version was swapped in`, { owner: null, appliedAt: new Date(t.modifiedAt).toISOString() }, ['applying']);
      if (rec) out.push({ id: r.id, action: 'marked-applied', recommendation: rec });
      continue;
    }
    if ((r.lifecycle?.attempts ?? 0) >= (options.maxAttempts ?? 3)) {
      const rec = transition(db.dir, r.id, 'failed', `interrupted ${r.lifecycle?.attempts} times (last by process ${pid}); not retried`, { owner: null }, ['applying']);
      if (rec) out.push({ id: r.id, action: 'failed', recommendation: rec });
      continue;
    }
    out.push({ id: r.id, action: 'retried', recommendation: await applyOne(db, r.id, options) });
  }
  return out;
}
