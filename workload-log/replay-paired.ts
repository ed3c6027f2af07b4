/**
 * A paired replay: the same trace on two databases (two layouts of the same
 * data), statement by statement, each statement on both back to back, the
 * side that goes first alternating. A burst of other work on the machine then
 * falls on both layouts alike; replaying one whole stream after the other
 * lets it fall on one, and on a shared machine that alone has turned a 10%
 * gain into a 90% loss.
 *
 * Each side gets its totals (time is the median over rounds of the round's
 * sum), and the time ratio b/a gets a 95% interval from a bootstrap over the
 * statements: each statement's pair of times (averaged over the rounds) is one
 * sample, resampled with replacement, the ratio of sums taken each time.
 */
import type { Database, QueryResult } from '../engine/index.js';
import { readTrace, type TraceEntry } from './trace.js';
import { Rng } from './tpch-workload.js';
import { withoutResultCache } from './replay.js';

export interface PairedSide {
  /** Median over the measured rounds of the round's summed statement time. */
  readonly workloadMs: number;
  /** Counters of one round (they do not change between rounds). */
  readonly bytesMoved: number;
  readonly rowsMoved: number;
  readonly blocksScanned: number;
  readonly blocksSkipped: number;
  readonly queries: number;
  readonly errors: number;
}

export interface PairedReplay {
  readonly a: PairedSide;
  readonly b: PairedSide;
  /** b's time over a's: the estimate (ratio of the sides' summed mean times) and its bootstrap 95% interval. */
  readonly timeRatio: { readonly estimate: number; readonly low: number; readonly high: number };
  readonly rounds: number;
  readonly statements: number;
}

export interface PairedOptions {
  /** Measured rounds, after `warmup` unmeasured ones (defaults 3 and 1). */
  readonly rounds?: number;
  readonly warmup?: number;
  /** Bootstrap resamples (default 2000). */
  readonly resamples?: number;
  /** Progress: statements run so far in all rounds, warm-up included, of the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

type Executor = Pick<Database, 'execute'>;

interface Tally {
  ms: number;
  bytesMoved: number;
  rowsMoved: number;
  blocksScanned: number;
  blocksSkipped: number;
  errors: number;
}

const tally = (): Tally => ({ ms: 0, bytesMoved: 0, rowsMoved: 0, blocksScanned: 0, blocksSkipped: 0, errors: 0 });

async function runOn(db: Executor, e: TraceEntry, into: Tally): Promise<number> {
  const t0 = performance.now();
  try {
    await db.execute(
      e.sql,
      (r: QueryResult) => {
        const s = r.stats;
        into.bytesMoved += s.bytesMoved;
        into.rowsMoved += s.rowsMoved;
        into.blocksScanned += s.blocksScanned;
        into.blocksSkipped += s.blocksSkipped;
      },
      { ...(e.user !== undefined ? { user: e.user } : {}), ...(e.session !== undefined ? { session: e.session } : {}) },
    );
  } catch {
    into.errors++;
  }
  const ms = performance.now() - t0;
  into.ms += ms;
  return ms;
}

/** The 95% percentile-bootstrap interval of sum(b)/sum(a) over paired samples. */
export function pairedRatioInterval(a: Float64Array, b: Float64Array, resamples = 2000, seed = 1): { estimate: number; low: number; high: number } {
  const n = a.length;
  const sum = (x: Float64Array) => x.reduce((s, v) => s + v, 0);
  const estimate = sum(b) / Math.max(1e-9, sum(a));
  if (n < 2) return { estimate, low: 0, high: Infinity };
  // seeded, so an interval is the same for the same times
  const rng = new Rng(seed);
  const ratios = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < n; i++) {
      const k = Math.floor(rng.next() * n);
      sa += a[k]!;
      sb += b[k]!;
    }
    ratios[r] = sb / Math.max(1e-9, sa);
  }
  ratios.sort();
  return { estimate, low: ratios[Math.floor(0.025 * (resamples - 1))]!, high: ratios[Math.ceil(0.975 * (resamples - 1))]! };
}

/** Replays `trace` on `a` and `b` in pairs (module comment). Lines that are not valid trace lines are skipped. */
export async function replayPaired(a: Executor, b: Executor, trace: string, options: PairedOptions = {}): Promise<PairedReplay> {
  return withoutResultCache([a, b], () => replayPairedWith(a, b, trace, options));
}

async function replayPairedWith(a: Executor, b: Executor, trace: string, options: PairedOptions): Promise<PairedReplay> {
  const rounds = Math.max(1, options.rounds ?? 3);
  const warmup = Math.max(0, options.warmup ?? 1);
  const entries: TraceEntry[] = [];
  for await (const item of readTrace(trace)) if (item.entry) entries.push(item.entry);
  const n = entries.length;
  const total = n * (rounds + warmup);
  const msA = new Float64Array(n);
  const msB = new Float64Array(n);
  const roundMs = { a: [] as number[], b: [] as number[] };
  let counters: { a: Tally; b: Tally } | null = null;
  let done = 0;
  for (let r = 0; r < warmup + rounds; r++) {
    const ta = tally();
    const tb = tally();
    for (let i = 0; i < n; i++) {
      const e = entries[i]!;
      let ma: number;
      let mb: number;
      if ((i + r) % 2 === 0) {
        ma = await runOn(a, e, ta);
        mb = await runOn(b, e, tb);
      } else {
        mb = await runOn(b, e, tb);
        ma = await runOn(a, e, ta);
      }
      if (r >= warmup) {
        msA[i] = msA[i]! + ma / rounds;
        msB[i] = msB[i]! + mb / rounds;
      }
      options.onProgress?.(++done, total);
    }
    if (r < warmup) continue;
    counters ??= { a: ta, b: tb };
    roundMs.a.push(ta.ms);
    roundMs.b.push(tb.ms);
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const side = (t: Tally, ms: number[]): PairedSide => ({
    workloadMs: Math.round(median(ms)),
    bytesMoved: t.bytesMoved,
    rowsMoved: t.rowsMoved,
    blocksScanned: t.blocksScanned,
    blocksSkipped: t.blocksSkipped,
    queries: n,
    errors: t.errors,
  });
  const k = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x);
  const ratio = pairedRatioInterval(msA, msB, options.resamples ?? 2000);
  return { a: side(counters!.a, roundMs.a), b: side(counters!.b, roundMs.b), timeRatio: { estimate: k(ratio.estimate), low: k(ratio.low), high: k(ratio.high) }, rounds, statements: n };
}
