/**
 * The recommendation lifecycle (docs/autonomics.md), group by group:
 *
 *   proposed ─▶ applying ─▶ applied ─▶ verified
 *                  │           └─────▶ reverted   (worse after than before)
 *                  └─▶ failed (retried up to maxAttempts) │ proposed (abandoned)
 *
 * A group (recommendations/groups.ts) is the unit: its members move in
 * lock-step, each table of it is rewritten once for all its changes (one
 * ALTER TABLE with every action), and a failure part way puts the tables
 * already changed back, so a group is either wholly in place or not at all.
 * This is the one apply path: the CLI, the daemon and the demo all call
 * applyGroup, which checks every member against the table's current setting.
 *
 * Every move is one locked update of recommendations.json with a timestamp
 * and a reason. "applying" names its process, so a later process can tell an
 * apply that is running from one whose process died: each table is then
 * either the old version or the new one (the engine swaps atomically), and
 * the snapshot taken before the apply says which.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { Database, KeepAuto, TableMeta } from '../../engine/index.js';
import { KeelError, UsageError } from '../../engine/index.js';
import { parseStatement } from '../../engine/sql/index.js';
import { currentSetting } from '../storage-recommendations.js';
import { listRecommendations, transitionGroup, type Recommendation } from '../recommendations/index.js';
import { membersOf } from '../recommendations/groups.js';
import { processAlive, lockHolder, tryLock } from './file-lock.js';
import { runAlter, type AlterOptions } from './engine-alter.js';
import { combinedAlter, inverseDdl, sameLayout, snapshotOf } from './layout.js';
import type { LayoutSnapshot } from './types.js';

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

/** The members of the group named by `id` (a recommendation's id or a group id), or a clear error. */
export function groupOf(dataDir: string, id: string): Recommendation[] {
  const members = membersOf(listRecommendations(dataDir), id);
  if (members.length === 0) throw new UsageError(`no recommendation or group "${id}" (keel advisor list shows them)`);
  return members;
}

/** One ALTER TABLE: its SQL and which of the settings it changes stay AUTO. */
interface Statement {
  readonly sql: string;
  readonly keepAuto: KeepAuto;
}

/**
 * The statement that applies `members` (all of one table) and the one that
 * undoes them: one ALTER TABLE each, with every member's action, so the table
 * is rewritten once. A setting that was AUTO stays AUTO (the advisor may tune
 * it again); one the user wrote stays the user's.
 */
function tableStatements(table: string, members: readonly Recommendation[], before: LayoutSnapshot): { forward: Statement[]; inverse: Statement[] } {
  const keep = { distribution: false, sortKey: false, columns: [] as string[] };
  const inverse: string[] = [];
  for (const m of members) {
    const inv = inverseDdl(m, before);
    inverse.push(inv.ddl);
    if (!inv.keepAuto) continue;
    if (m.kind === 'sortkey') keep.sortKey = true;
    else if (m.kind === 'encoding') keep.columns.push(m.evidence.encoding.column);
    else keep.distribution = true;
  }
  return {
    forward: [{ sql: combinedAlter(table, members.map((m) => m.ddl)), keepAuto: keep }],
    inverse: [{ sql: combinedAlter(table, inverse), keepAuto: keep }],
  };
}

const tablesOf = (members: readonly Recommendation[]) => [...new Set(members.map((r) => r.table))].sort();

function alterOptions(options: Omit<ApplyOptions, 'by'>, keepAuto: KeepAuto | boolean): AlterOptions {
  return {
    keepAuto,
    ...(options.maxBytesPerSecond !== undefined ? { maxBytesPerSecond: options.maxBytesPerSecond } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}

/** Why `members` cannot be applied to the tables as they are now, or null. */
/** The columns a recommendation's ALTER TABLE names (its key, sort key or encoded column). */
function columnsNamed(ddl: string): string[] {
  const s = parseStatement(ddl);
  if (s.kind !== 'alterTable') return [];
  return s.actions.flatMap((a) => {
    switch (a.kind) {
      case 'distKey':
      case 'encode':
        return [a.column.name];
      case 'distStyle':
        return a.distKey ? [a.distKey.name] : [];
      case 'sortKey':
        return a.columns.map((c) => c.name);
      case 'encodeAuto':
        return [];
    }
  });
}

function staleness(catalog: Record<string, TableMeta>, members: readonly Recommendation[]): string | null {
  for (const m of members) {
    const t = catalog[m.table];
    if (!t) return `table ${m.table} no longer exists`;
    const gone = columnsNamed(m.ddl).find((c) => !t.columns.some((x) => x.name === c));
    if (gone !== undefined) return `${m.id}: column ${m.table}.${gone} no longer exists (dropped or renamed since it was recommended); run the advisor again`;
    const now = currentSetting(t, m);
    if (now !== m.current) return `${m.id}: ${m.table} is now ${now}, not ${m.current} as when recommended; run the advisor again`;
  }
  return null;
}

/**
 * Applies the group of `id` (a recommendation's id or its group's) through
 * the engine: every member moves to applying, each table is rewritten once,
 * then every member is applied; or failed (the error as reason, the tables
 * already rewritten put back), or back to proposed when `signal` abandoned it.
 * Returns the group's members after the move.
 */
export async function applyGroup(db: Database, id: string, options: ApplyOptions = {}): Promise<Recommendation[]> {
  const members = groupOf(db.dir, id);
  const group = members[0]!.group;
  const resumable = members.every((r) => r.status === 'applying' && !ownerAlive(r));
  const status = members[0]!.status;
  if (!resumable && members.some((r) => r.status !== 'proposed' && r.status !== 'failed')) {
    const busy = members.find((r) => r.status !== 'proposed' && r.status !== 'failed')!;
    throw new UsageError(`group ${group} is ${busy.status}${busy.status === 'applying' ? ` by process ${busy.lifecycle?.owner?.pid}` : ''}, not proposed`);
  }
  const stale = resumable ? null : staleness(db.catalog().tables, members);
  if (stale) return transitionGroup(db.dir, group, 'failed', stale)!;
  const release = tryLock(applyLockPath(db.dir));
  if (!release) throw new KeelError('LOCKED', `process ${lockHolder(applyLockPath(db.dir))} is applying a change in ${db.dir}; changes are applied one group at a time`);
  try {
    const catalog = db.catalog().tables;
    const tables = tablesOf(members);
    const missing = tables.find((t) => !catalog[t]);
    if (missing) return transitionGroup(db.dir, group, 'failed', `table ${missing} no longer exists`)!;
    // a resumed apply keeps the snapshots of the tables as they were before its first attempt
    const before = new Map(tables.map((t) => [t, (resumable && members.find((m) => m.table === t)?.lifecycle?.before) || snapshotOf(catalog[t]!)]));
    const plans = new Map(tables.map((t) => [t, tableStatements(t, members.filter((m) => m.table === t), before.get(t)!)]));
    const startedAt = new Date();
    const moved = transitionGroup(
      db.dir,
      group,
      'applying',
      resumable ? `retrying after process ${members[0]!.lifecycle?.owner?.pid} stopped mid-apply` : null,
      (r) => ({
        attempts: (r.lifecycle?.attempts ?? 0) + 1,
        owner: { pid: process.pid, host: os.hostname() },
        by: options.by ?? 'user',
        before: before.get(r.table)!,
        applyStartedAt: startedAt.toISOString(),
        revertDdl: plans.get(r.table)!.inverse.map((s) => s.sql).join(';\n'),
      }),
      [status],
    );
    if (!moved) throw new UsageError(`group ${group} changed status while being applied by another process`);
    const done: string[] = [];
    let ms = 0;
    let online = true;
    try {
      for (const t of tables) {
        // resumed: a table whose new version was swapped in before the process died is done
        if (resumable && !sameLayout(snapshotOf(db.catalog().tables[t]!), before.get(t)!)) continue;
        for (const s of plans.get(t)!.forward) {
          const o = await runAlter(db, s.sql, alterOptions(options, s.keepAuto));
          ms += o.elapsedMs;
          online &&= o.online;
        }
        done.push(t);
      }
    } catch (e) {
      const putBack = await undo(db, done, plans, before);
      if (options.signal?.aborted) {
        return transitionGroup(db.dir, group, 'proposed', `apply abandoned (${String(options.signal.reason ?? 'stopping')}); ${tables.length === 1 ? `${tables[0]} keeps its old version` : `${tables.join(', ')} keep their old versions`}${putBack}`, () => ({ owner: null }))!;
      }
      return transitionGroup(db.dir, group, 'failed', `${e instanceof Error ? e.message : String(e)}${putBack}`, () => ({ owner: null }))!;
    }
    return transitionGroup(db.dir, group, 'applied', `${tables.length === 1 ? tables[0] : tables.join(', ')} ${online ? 'rebuilt online' : 'rewritten'} in ${(ms / 1000).toFixed(1)} s`, () => ({
      owner: null,
      appliedAt: new Date().toISOString(),
      applyMs: Math.round(ms),
    }))!;
  } finally {
    release();
  }
}

/** Puts the group's tables that were already rewritten back (a failed apply leaves no part of a group in place). */
async function undo(db: Database, done: readonly string[], plans: Map<string, { inverse: Statement[] }>, before: Map<string, LayoutSnapshot>): Promise<string> {
  if (done.length === 0) return '';
  const failed: string[] = [];
  for (const t of done) {
    const meta = db.catalog().tables[t];
    if (!meta || sameLayout(snapshotOf(meta), before.get(t)!)) continue;
    try {
      for (const s of plans.get(t)!.inverse) await runAlter(db, s.sql, { keepAuto: s.keepAuto });
    } catch (e) {
      failed.push(`${t} (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return failed.length ? `; could not put back ${failed.join(', ')}` : `; ${done.join(', ')} put back as before`;
}

function ownerAlive(r: Recommendation): boolean {
  const o = r.lifecycle?.owner;
  if (!o) return false;
  // a process on another host sharing the directory cannot be probed: trust it
  return o.host !== os.hostname() || processAlive(o.pid);
}

/**
 * Undoes an applied (or verified) group with the inverse DDL of each table
 * (from the snapshot taken when its apply began), and records why. A table
 * that already has its old layout (a revert that completed before its
 * process died) is left as it is.
 */
export async function revertGroup(
  db: Database,
  id: string,
  reason: string,
  options: Omit<ApplyOptions, 'by'> & { lifecycle?: Partial<import('./types.js').Lifecycle> } = {},
): Promise<Recommendation[]> {
  const members = groupOf(db.dir, id);
  const group = members[0]!.group;
  const status = members[0]!.status;
  if (members.some((r) => r.status !== 'applied' && r.status !== 'verified')) throw new UsageError(`group ${group} is ${status}; only an applied or verified group can be reverted`);
  const tables = tablesOf(members);
  const missing = tables.find((t) => !db.catalog().tables[t]);
  if (missing) return transitionGroup(db.dir, group, 'failed', `cannot revert: table ${missing} no longer exists`)!;
  const release = tryLock(applyLockPath(db.dir));
  if (!release) throw new KeelError('LOCKED', `process ${lockHolder(applyLockPath(db.dir))} is applying a change in ${db.dir}; try again when it is done`);
  const already: string[] = [];
  try {
    for (const t of tables) {
      const mine = members.filter((m) => m.table === t);
      const before = mine[0]!.lifecycle?.before ?? null;
      if (before && sameLayout(snapshotOf(db.catalog().tables[t]!), before)) {
        already.push(t);
        continue;
      }
      const snap = before ?? null;
      for (const s of snap ? tableStatements(t, mine, snap).inverse : mine.map((m) => ({ sql: inverseDdl(m, null).ddl, keepAuto: inverseDdl(m, null).keepAuto }))) {
        await runAlter(db, s.sql, alterOptions(options, s.keepAuto));
      }
    }
  } finally {
    release();
  }
  const note = already.length ? ` (${already.join(', ')} already had the old layout back)` : '';
  return transitionGroup(db.dir, group, 'reverted', `${reason}${note}`, () => ({ ...options.lifecycle }), [status])!;
}

export interface ResumeOutcome {
  readonly group: string;
  readonly action: 'marked-applied' | 'retried' | 'failed';
  readonly recommendations: readonly Recommendation[];
}

/**
 * Groups left "applying" by a process that died: marked applied when every
 * table's new version was swapped in, applied again (up to maxAttempts, the
 * tables already done skipped) otherwise, failed after that.
 */
export async function resumeInterrupted(db: Database, options: ApplyOptions & { maxAttempts?: number } = {}): Promise<ResumeOutcome[]> {
  const out: ResumeOutcome[] = [];
  const groups = new Map<string, Recommendation[]>();
  for (const r of listRecommendations(db.dir)) {
    if (r.status !== 'applying' || ownerAlive(r)) continue;
    groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  }
  for (const [group, members] of groups) {
    const pid = members[0]!.lifecycle?.owner?.pid;
    const catalog = db.catalog().tables;
    const swapped = members.every((r) => {
      const t = catalog[r.table];
      return t && r.lifecycle?.before && !sameLayout(snapshotOf(t), r.lifecycle.before);
    });
    if (swapped) {
      const at = new Date(Math.max(...members.map((r) => catalog[r.table]!.modifiedAt))).toISOString();
      const recs = transitionGroup(db.dir, group, 'applied', `process ${pid} stopped after the new versions were swapped in`, () => ({ owner: null, appliedAt: at }), ['applying']);
      if (recs) out.push({ group, action: 'marked-applied', recommendations: recs });
      continue;
    }
    if ((members[0]!.lifecycle?.attempts ?? 0) >= (options.maxAttempts ?? 3)) {
      const recs = transitionGroup(db.dir, group, 'failed', `interrupted ${members[0]!.lifecycle?.attempts} times (last by process ${pid}); not retried`, () => ({ owner: null }), ['applying']);
      if (recs) out.push({ group, action: 'failed', recommendations: recs });
      continue;
    }
    out.push({ group, action: 'retried', recommendations: await applyGroup(db, group, options) });
  }
  return out;
}
