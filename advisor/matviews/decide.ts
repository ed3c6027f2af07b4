/**
 * Does a view pay? The rule, in seconds of query time per day:
 *
 *   benefit = time the queries it answers spent per day, from the log
 *           - time to read the view's rows instead, per day
 *   cost    = refreshes per day (the observed rate of change of its base
 *             tables) times the time of one refresh
 *           + the build, spread over the days of the mining window
 *   net     = benefit - cost; the view pays when net >= minSecondsPerDay.
 *
 * Storage is the policy's budget (views.maxStorageBytes over all automatic
 * views), not a price in seconds: a view that pays but does not fit waits.
 *
 * Before a view exists every term is an estimate from the log: its rows are
 * the most rows one of its queries returned (an exact-match view holds the
 * query's answer; a query with LIMIT may have returned fewer, so its view is
 * taken to be as large as its largest base table), or for a roll-up view the
 * candidate's own estimate from the grouping columns' statistics, a read of them costs what
 * the log says reading rows costs on this machine (mine.ts), and one refresh costs one build,
 * the longest of its queries' mean times (a full recompute; an incremental
 * refresh after appends costs less, so this errs against the view). Once it
 * exists, keep/drop uses what was measured: hits and their time from the log,
 * refresh time from the catalog's refresh records.
 */
import type { Catalog } from '../../engine/index.js';
import type { Candidate } from './candidates.js';
import type { MinedWorkload } from './mine.js';

/** Bytes per stored value in the storage estimate: 8, a number or a pointer-sized text reference, before encoding (an upper bound). */
const BYTES_PER_VALUE = 8;

export interface ViewEstimate {
  /** Query time per day of the queries the view answers, seconds. */
  readonly baseSecondsPerDay: number;
  /** Time per day to read the view's rows for those queries instead, seconds. */
  readonly readSecondsPerDay: number;
  /** Refreshes per day (changes to its base tables per day) times one refresh, seconds. */
  readonly refreshSecondsPerDay: number;
  /** The build spread over the mining window's days, seconds per day. */
  readonly buildSecondsPerDay: number;
  /** benefit - cost, seconds per day. */
  readonly netSecondsPerDay: number;
  /** One build (and one refresh), ms. */
  readonly buildMs: number;
  readonly refreshesPerDay: number;
  /** Rows the view is expected to hold. */
  readonly rows: number;
  /** Bytes it is expected to take. */
  readonly storageBytes: number;
}

export function estimate(c: Candidate, mined: MinedWorkload, catalog: Catalog, days: number, windowDays: number): ViewEstimate {
  const limited = c.serves.some((q) => /\blimit\b/i.test(q.sql));
  const rows = c.rows ?? (limited ? Math.max(...c.tables.map((t) => catalog.tables[t]?.rows ?? 0)) : Math.max(...c.serves.map((q) => q.maxRows)));
  const executions = c.serves.reduce((n, q) => n + q.count, 0);
  const baseMs = c.serves.reduce((n, q) => n + q.totalMs, 0);
  const readMs = executions * (mined.msPerQuery + rows * mined.msPerRow);
  const buildMs = Math.max(...c.serves.map((q) => q.totalMs / q.count));
  const refreshesPerDay = c.tables.reduce((n, t) => n + (mined.changes.get(t) ?? 0), 0) / days;
  const columns = (c.sql.match(/ as [cga]\d+/g) ?? []).length || 1;
  const baseSecondsPerDay = baseMs / 1000 / days;
  const readSecondsPerDay = readMs / 1000 / days;
  const refreshSecondsPerDay = (refreshesPerDay * buildMs) / 1000;
  const buildSecondsPerDay = buildMs / 1000 / Math.max(1, windowDays);
  return {
    baseSecondsPerDay,
    readSecondsPerDay,
    refreshSecondsPerDay,
    buildSecondsPerDay,
    netSecondsPerDay: baseSecondsPerDay - readSecondsPerDay - refreshSecondsPerDay - buildSecondsPerDay,
    buildMs,
    refreshesPerDay,
    rows,
    storageBytes: rows * columns * BYTES_PER_VALUE,
  };
}

/** Why `e` does not pay, or null when it does. */
export function doesNotPay(e: Pick<ViewEstimate, 'netSecondsPerDay'>, minSecondsPerDay: number): string | null {
  if (e.netSecondsPerDay >= minSecondsPerDay) return null;
  return `saves ${e.netSecondsPerDay.toFixed(3)} s/day net, less than views.minSecondsPerDay (${minSecondsPerDay} s/day)`;
}

/** What a view's life so far measured, for keep or drop. */
export interface ViewMeasure {
  /** Queries the view answered in the window, and their time, ms. */
  readonly hits: number;
  readonly hitMs: number;
  /** What those queries took per execution before the view (its creation's evidence), summed over the hits, ms. */
  readonly baselineMs: number;
  /** Refreshes of the view in the window and their time, ms. */
  readonly refreshes: number;
  readonly refreshMs: number;
  /** Days the window spans (at least 1, as for every per-day figure of the advisor). */
  readonly days: number;
}

export interface Measured {
  readonly savedSecondsPerDay: number;
  readonly refreshSecondsPerDay: number;
  readonly netSecondsPerDay: number;
}

export function measured(m: ViewMeasure): Measured {
  const savedSecondsPerDay = (m.baselineMs - m.hitMs) / 1000 / m.days;
  const refreshSecondsPerDay = m.refreshMs / 1000 / m.days;
  return { savedSecondsPerDay, refreshSecondsPerDay, netSecondsPerDay: savedSecondsPerDay - refreshSecondsPerDay };
}

/** Why a view that exists stopped paying, or null while it pays. */
export function stoppedPaying(m: ViewMeasure, minSecondsPerDay: number): string | null {
  const r = measured(m);
  if (m.hits === 0) return `no query read it in the verification window; its refreshes cost ${r.refreshSecondsPerDay.toFixed(3)} s/day`;
  if (r.netSecondsPerDay >= minSecondsPerDay) return null;
  return `${m.hits} hits saved ${r.savedSecondsPerDay.toFixed(3)} s/day and its refreshes cost ${r.refreshSecondsPerDay.toFixed(3)} s/day: net ${r.netSecondsPerDay.toFixed(3)} s/day, less than views.minSecondsPerDay (${minSecondsPerDay} s/day)`;
}
