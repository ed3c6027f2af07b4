/**
 * Replays a trace against a database: K async workers take the trace's lines
 * in order; each runs its line's SQL and records latency and costs. With
 * pace "recorded" a line starts no earlier than its ts offset from the first
 * line, divided by speed. A bad line or a failing query is reported with its
 * line number and counted; replay goes on unless stopOnError.
 *
 * The engine runs a query's execution synchronously, so K > 1 mostly
 * interleaves statements at their await points (catalog commits, file I/O)
 * rather than running them in parallel; it models K clients in flight, not K
 * cores.
 */
import type { Database, QueryResult } from '../engine/index.js';
import { KeelError } from '../engine/index.js';
import { readTrace, type TraceEntry } from './trace.js';

export type Pace = 'max' | 'recorded';

export interface ReplayProblem {
  readonly line: number;
  readonly kind: 'bad-line' | 'query';
  readonly code?: string;
  readonly message: string;
}

export interface ReplayProgress {
  readonly done: number;
  readonly errors: number;
  readonly bytesRead: number;
  readonly totalBytes: number;
}

export interface ReplayOptions {
  pace?: Pace;
  /** Time scale for pace "recorded": 2 runs twice as fast as recorded (default 1). */
  speed?: number;
  /** Statements in flight (default 1). */
  concurrency?: number;
  stopOnError?: boolean;
  onProgress?: (p: ReplayProgress) => void;
  onProblem?: (p: ReplayProblem) => void;
  /** Problems kept in the summary (all are counted; default 1000). */
  maxProblems?: number;
}

export interface ReplaySummary {
  readonly trace: string;
  readonly pace: Pace;
  readonly speed: number;
  readonly concurrency: number;
  /** Lines that held a query and were run (failed ones included). */
  readonly queries: number;
  /** Queries that failed. */
  readonly errors: number;
  /** Lines that were not valid trace lines. */
  readonly badLines: number;
  /** True when --stop-on-error ended the replay early. */
  readonly stopped: boolean;
  readonly elapsedMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly maxMs: number;
  readonly rowsReturned: number;
  readonly rowsMoved: number;
  readonly bytesMoved: number;
  readonly blocksScanned: number;
  readonly blocksSkipped: number;
  readonly problems: readonly ReplayProblem[];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array | readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Runs `run` with the result cache of each session off (engine/result-cache.ts),
 * restoring the setting after: a replay measures how the engine runs its
 * queries, and a repeated query the cache answers runs nothing. Sessions
 * without settings (stand-ins in tests) are left alone.
 */
export async function withoutResultCache<T>(dbs: readonly object[], run: () => Promise<T>): Promise<T> {
  const sessions = dbs.flatMap((d) => ('settings' in d ? [(d as { settings: { resultCache: boolean } }).settings] : []));
  const before = sessions.map((s) => s.resultCache);
  for (const s of sessions) s.resultCache = false;
  try {
    return await run();
  } finally {
    sessions.forEach((s, i) => (s.resultCache = before[i]!));
  }
}

export async function replayTrace(db: Pick<Database, 'execute'>, trace: string, options: ReplayOptions = {}, totalBytes = 0): Promise<ReplaySummary> {
  return withoutResultCache([db], () => replayTraceWith(db, trace, options, totalBytes));
}

async function replayTraceWith(db: Pick<Database, 'execute'>, trace: string, options: ReplayOptions, totalBytes: number): Promise<ReplaySummary> {
  const pace = options.pace ?? 'max';
  const speed = options.speed ?? 1;
  const concurrency = options.concurrency ?? 1;
  const maxProblems = options.maxProblems ?? 1000;
  const items = readTrace(trace);
  const latencies: number[] = [];
  const problems: ReplayProblem[] = [];
  const totals = { rowsReturned: 0, rowsMoved: 0, bytesMoved: 0, blocksScanned: 0, blocksSkipped: 0 };
  let errors = 0;
  let badLines = 0;
  let stopped = false;
  let bytesRead = 0;
  let baseTs: number | null = null;
  const started = performance.now();

  const report = (p: ReplayProblem) => {
    if (problems.length < maxProblems) problems.push(p);
    options.onProblem?.(p);
    if (options.stopOnError) stopped = true;
  };
  const progress = () => options.onProgress?.({ done: latencies.length, errors, bytesRead, totalBytes });

  const run = async (e: TraceEntry) => {
    if (pace === 'recorded' && e.ts !== null) {
      baseTs ??= e.ts;
      const due = started + (e.ts - baseTs) / speed;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
    }
    const t0 = performance.now();
    const add = (r: QueryResult) => {
      const s = r.stats;
      totals.rowsMoved += s.rowsMoved;
      totals.bytesMoved += s.bytesMoved;
      totals.blocksScanned += s.blocksScanned;
      totals.blocksSkipped += s.blocksSkipped;
    };
    let last: QueryResult | undefined;
    try {
      await db.execute(e.sql, (r) => {
        add(r);
        last = r;
      }, { ...(e.user !== undefined ? { user: e.user } : {}), ...(e.session !== undefined ? { session: e.session } : {}) });
      totals.rowsReturned += last?.rowCount ?? 0;
    } catch (err) {
      errors++;
      const code = err instanceof KeelError ? err.code : 'INTERNAL';
      report({ line: e.line, kind: 'query', code, message: err instanceof Error ? err.message : String(err) });
    }
    latencies.push(performance.now() - t0);
    progress();
  };

  const worker = async () => {
    while (!stopped) {
      const next = await items.next();
      if (next.done) return;
      bytesRead = next.value.bytesRead;
      if (next.value.problem) {
        badLines++;
        report({ line: next.value.problem.line, kind: 'bad-line', message: next.value.problem.message });
        continue;
      }
      await run(next.value.entry);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await items.return(undefined);

  const sorted = Float64Array.from(latencies).sort();
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    trace,
    pace,
    speed,
    concurrency,
    queries: latencies.length,
    errors,
    badLines,
    stopped,
    elapsedMs: round3(performance.now() - started),
    p50Ms: round3(percentile(sorted, 50)),
    p95Ms: round3(percentile(sorted, 95)),
    p99Ms: round3(percentile(sorted, 99)),
    meanMs: round3(latencies.length ? sum / latencies.length : 0),
    maxMs: round3(sorted.length ? sorted[sorted.length - 1]! : 0),
    ...totals,
    problems,
  };
}
