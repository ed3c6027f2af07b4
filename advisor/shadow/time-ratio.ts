/**
 * The shadow proof's clock (docs/advisor.md, "Shadow proof"): how much faster
 * or slower the proposed layout ran the affected statements, and how sure the
 * measurement is.
 *
 * The statements are fixed (the log's heaviest shapes), so the only
 * uncertainty is the machine's noise, and rounds are what repeats. That noise
 * is not gentle: on a loaded machine one statement in one round can take
 * eight times its median (a collection, another process's burst), and a
 * ratio of round totals carries it whole, which once gave a 95% interval of
 * 0.73-1.28 over 15 rounds for a change that saves 7%. So each statement's
 * proposed/current ratio is the median over rounds of its paired log-ratios
 * (the two layouts ran it back to back), and the statements combine weighted
 * by their share of the current layout's time (executions in the log times
 * the median time). The interval comes from resampling rounds (a percentile
 * bootstrap, seeded, so the same times give the same answer): a round is
 * drawn whole, keeping what its statements shared.
 */
import { Rng } from '../../workload-log/tpch-workload.js';

export interface TimeRatio {
  /** Proposed over current, for the weighted statements. */
  readonly estimate: number;
  /** The two-sided 95% interval. */
  readonly low: number;
  readonly high: number;
  /** One-sided 95% bounds: below `faster`, faster with 95% confidence... */
  readonly faster: number;
  /** ...and above `slower`, slower with 95% confidence. */
  readonly slower: number;
}

function median(xs: Float64Array, n: number): number {
  const s = xs.subarray(0, n).sort();
  const m = n >> 1;
  return n % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * `current[i][r]` and `proposed[i][r]` are statement i's times in round r;
 * `weights[i]` its executions in the log. Times at or below zero (a clock
 * that did not tick) count as the smallest tick seen.
 */
export function pairedTimeRatio(current: readonly Float64Array[], proposed: readonly Float64Array[], weights: ArrayLike<number>, resamples = 2000, seed = 1): TimeRatio {
  const statements = current.length;
  const rounds = statements ? current[0]!.length : 0;
  let tick = Infinity;
  for (const side of [current, proposed]) for (const xs of side) for (const x of xs) if (x > 0 && x < tick) tick = x;
  if (!Number.isFinite(tick)) tick = 1e-3;
  const logRatio = current.map((c, i) => Float64Array.from(c, (x, r) => Math.log(Math.max(tick, proposed[i]![r]!) / Math.max(tick, x))));
  const scratch = new Float64Array(rounds);
  const estimateOn = (drawn: Int32Array): number => {
    let base = 0;
    let scaled = 0;
    for (let i = 0; i < statements; i++) {
      for (let r = 0; r < rounds; r++) scratch[r] = current[i]![drawn[r]!]!;
      const w = weights[i]! * Math.max(tick, median(scratch, rounds));
      for (let r = 0; r < rounds; r++) scratch[r] = logRatio[i]![drawn[r]!]!;
      base += w;
      scaled += w * Math.exp(median(scratch, rounds));
    }
    return base > 0 ? scaled / base : 1;
  };
  const drawn = Int32Array.from({ length: rounds }, (_, r) => r);
  const estimate = estimateOn(drawn);
  if (rounds < 2) return { estimate, low: 0, high: Infinity, faster: Infinity, slower: 0 };
  const rng = new Rng(seed);
  const ratios = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    for (let r = 0; r < rounds; r++) drawn[r] = Math.floor(rng.next() * rounds);
    ratios[b] = estimateOn(drawn);
  }
  ratios.sort();
  const at = (q: number) => ratios[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!;
  return { estimate, low: at(0.025), high: at(0.975), faster: at(0.95), slower: at(0.05) };
}
