/**
 * The ledger of automatic materialized views: what the advisor created or
 * refused to keep, why, what it expected each to save and cost, and what it
 * measured since. One JSON document, replaced atomically under a lock file
 * like the recommendations:
 *
 *   DIR/advisor/auto-mv.json
 *
 * A view's live figures (hits, staleness, storage, refresh times) are not
 * stored here but read when asked, from the workload log and the catalog
 * (ledger-rows.ts); this file holds what only the advisor knows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withLockSync } from '../autonomics/file-lock.js';
import type { ViewEstimate } from './decide.js';

export const LEDGER_FORMAT = 1;

/**
 * creating: the CREATE is under way (or its process died: the next cycle
 * finds the view in the catalog, marked automatic, or not at all);
 * active: the view exists and the advisor keeps it; dropped: the advisor
 * dropped it, or it is gone (dropped by hand); failed: the CREATE failed.
 */
export type AutoViewStatus = 'creating' | 'active' | 'dropped' | 'failed';

export interface AutoViewEntry {
  /** auto_mv_<n>; its rows live in mv_tbl__auto_mv_<n>__0. */
  readonly name: string;
  readonly table: string;
  readonly sql: string;
  readonly status: AutoViewStatus;
  /** ISO-8601. */
  readonly createdAt: string;
  readonly droppedAt: string | null;
  /** Why it was created: the queries and the estimate, in words. */
  readonly createReason: string;
  /** Why it was dropped or failed; null while active. */
  readonly dropReason: string | null;
  /** The estimate it was created on. */
  readonly estimate: ViewEstimate;
  /** The queries it was created for: fingerprint, executions and mean time before the view (the baseline of time saved). */
  readonly baseline: readonly { readonly fingerprint: string; readonly count: number; readonly meanMs: number }[];
  /** The CREATE's time, ms (null until it ends). */
  readonly buildMs: number | null;
  /** Refreshes the advisor ran, and their time in all, ms. */
  readonly refreshes: number;
  readonly refreshMs: number;
  /** The latest keep/drop judgement in words, and when. */
  readonly lastVerdict: { readonly at: string; readonly reason: string } | null;
}

export interface LedgerFile {
  readonly format: number;
  /** The next n of auto_mv_<n>. */
  readonly next: number;
  readonly views: readonly AutoViewEntry[];
}

export function ledgerPath(dataDir: string): string {
  return path.join(dataDir, 'advisor', 'auto-mv.json');
}

function lockPath(dataDir: string): string {
  return `${ledgerPath(dataDir)}.lock`;
}

export function readLedger(dataDir: string): LedgerFile {
  let text: string;
  try {
    text = fs.readFileSync(ledgerPath(dataDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { format: LEDGER_FORMAT, next: 1, views: [] };
    throw e;
  }
  const f = JSON.parse(text) as LedgerFile;
  if (f.format !== LEDGER_FORMAT) throw new Error(`${ledgerPath(dataDir)} has format ${f.format}; this keel reads format ${LEDGER_FORMAT}`);
  return f;
}

function writeLedger(dataDir: string, f: LedgerFile): void {
  const file = ledgerPath(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(f, null, 1) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Read-modify-write under the ledger's lock. */
export function updateLedger<T>(dataDir: string, fn: (f: LedgerFile) => { file: LedgerFile; result: T }): T {
  fs.mkdirSync(path.dirname(ledgerPath(dataDir)), { recursive: true });
  return withLockSync(lockPath(dataDir), () => {
    const { file, result } = fn(readLedger(dataDir));
    writeLedger(dataDir, file);
    return result;
  });
}

/** Replaces the entry named `name` with `patch` applied. */
export function patchEntry(dataDir: string, name: string, patch: (e: AutoViewEntry) => Partial<AutoViewEntry>): AutoViewEntry {
  return updateLedger(dataDir, (f) => {
    const old = f.views.find((v) => v.name === name);
    if (!old) throw new Error(`no automatic view ${name} in the ledger`);
    const e: AutoViewEntry = { ...old, ...patch(old) };
    return { file: { ...f, views: f.views.map((v) => (v.name === name ? e : v)) }, result: e };
  });
}
