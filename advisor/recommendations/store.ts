/**
 * The recommendations store: advisor/recommendations.json in the data
 * directory, replaced atomically (write, fsync, rename) under a lock file, and
 * the status moves every part of the advisor makes through it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../engine/index.js';
import { withLockSync } from '../autonomics/file-lock.js';
import type { Lifecycle } from '../autonomics/types.js';
import { READABLE_RECOMMENDATIONS_FORMATS, RECOMMENDATIONS_FORMAT, type AdvisorRun, type Recommendation, type RecommendationStatus, type Refusal, type StoreFile } from './types.js';

export function recommendationsPath(dataDir: string): string {
  return path.join(dataDir, 'advisor', 'recommendations.json');
}

export function readStore(dataDir: string): StoreFile {
  const file = recommendationsPath(dataDir);
  if (!fs.existsSync(file)) return { format: RECOMMENDATIONS_FORMAT, nextId: 1, runs: [], recommendations: [], refusals: [] };
  const s = JSON.parse(fs.readFileSync(file, 'utf8')) as StoreFile;
  if (!READABLE_RECOMMENDATIONS_FORMATS.includes(s.format)) {
    throw new UsageError(`${file}: recommendations format ${s.format} is not one this keel reads (${READABLE_RECOMMENDATIONS_FORMATS.join(', ')})`);
  }
  // read as the current format, so the next write upgrades it: a format 1 store remembers no refusals;
  // recommendations stored before groups existed are each a group of their own
  return { ...s, format: RECOMMENDATIONS_FORMAT, refusals: s.refusals ?? [], recommendations: s.recommendations.map((r) => (r.group ? r : { ...r, group: `g-${r.id}` })) };
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

/** The refused groups the advisor remembers, most recent first. */
export function listRefusals(dataDir: string): Refusal[] {
  return [...(readStore(dataDir).refusals ?? [])].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
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
 * Moves every recommendation of `group` to `status` in one locked update (a
 * group moves in lock-step), with a lifecycle patch per id. `from` guards the
 * move: when any member is not in one of those statuses (another process moved
 * it), nothing changes and null is returned.
 */
export function transitionGroup(
  dataDir: string,
  group: string,
  status: RecommendationStatus,
  reason: string | null,
  lifecycle?: (r: Recommendation) => Partial<Lifecycle>,
  from?: readonly RecommendationStatus[],
): Recommendation[] | null {
  return updateStore(dataDir, (store) => {
    const members = store.recommendations.filter((r) => r.group === group);
    if (members.length === 0) throw new UsageError(`no recommendation group "${group}" (keel advisor list shows them)`);
    if (from && members.some((r) => !from.includes(r.status))) return { store, result: null };
    const at = new Date().toISOString();
    const updated: Recommendation[] = [];
    const recs = store.recommendations.map((r) => {
      if (r.group !== group) return r;
      const lc: Lifecycle = { ...EMPTY_LIFECYCLE, ...r.lifecycle, ...lifecycle?.(r) };
      const u: Recommendation = { ...r, status, statusReason: reason, updatedAt: at, history: [...r.history, { status, at, reason }], lifecycle: lc };
      updated.push(u);
      return u;
    });
    return { store: { ...store, recommendations: recs }, result: updated };
  });
}
