/**
 * Runs one fuzz target over a range of inputs: each input is made from the
 * campaign's seed and its index (so any one can be made again alone), run
 * under the per-input time limit, and counted; the first input of each new
 * failure is shrunk to the smallest input that still fails the same way.
 */
import { classify, isFailure, minimize, signatureOf, Tally, type Outcome } from './outcome.js';
import { Rng } from './rng.js';
import { TIMEOUT, withTimeout, type Watchdog } from './watchdog.js';

export interface RunResult {
  readonly outcome: Outcome;
  /** The result was checked (oracle, invariant, expected rows), not only taken. */
  readonly checked?: boolean;
  /** Typed errors within an input that ended well: the codes of a replayed trace's failed queries. */
  readonly codes?: readonly string[];
}

/** An input as parts minimization may drop, and the input made of the parts kept. */
export interface Shrink<I> {
  readonly items: readonly unknown[];
  rebuild(items: readonly unknown[]): I;
}

export interface Target<C, I> {
  /** The kind of input, as reports name it: sql, csv, segment, ... */
  readonly kind: string;
  setup(work: string): Promise<C>;
  generate(rng: Rng, ctx: C): I;
  /** Runs one input; never throws (a thrown value is classified by the campaign anyway). */
  run(ctx: C, input: I): Promise<RunResult>;
  show(input: I): string;
  parts?(input: I): Shrink<I>;
  /** A context to go on with after an input hung (it may still be running in the background). */
  recover?(ctx: C): Promise<C>;
  teardown(ctx: C): Promise<void>;
}

export interface CampaignOptions {
  readonly seed: number;
  readonly from: number;
  readonly to: number;
  /** A scratch directory of the target's own. */
  readonly work: string;
  /** Per-input time limit (ms). */
  readonly timeoutMs: number;
  readonly watchdog?: Watchdog;
  /** Reruns spent shrinking each new failure (0: none). */
  readonly minimizeBudget?: number;
  /** Called after every input. */
  readonly onInput?: (index: number, outcome: Outcome, shown: string, checked: boolean, codes: readonly string[]) => void;
}

/** Runs `target.run`, turning anything thrown into an outcome. */
export async function runSafely<C, I>(target: Target<C, I>, ctx: C, input: I): Promise<RunResult> {
  try {
    return await target.run(ctx, input);
  } catch (e) {
    return { outcome: classify(e) };
  }
}

export async function runCampaign<C, I>(target: Target<C, I>, options: CampaignOptions): Promise<Tally> {
  const tally = new Tally(target.kind);
  const started = performance.now();
  let ctx = await target.setup(options.work);
  try {
    for (let i = options.from; i < options.to; i++) {
      const input = target.generate(Rng.forInput(options.seed, target.kind, i), ctx);
      const shown = target.show(input);
      options.watchdog?.begin(`${target.kind} #${i} (seed ${options.seed}):\n${shown}`);
      const t0 = performance.now();
      const r = await withTimeout(runSafely(target, ctx, input), options.timeoutMs);
      options.watchdog?.end();
      // past the limit is a hang even when it did end: a busy thread keeps the timer from firing in time
      const ms = Math.round(performance.now() - t0);
      let result: RunResult = r === TIMEOUT || ms > options.timeoutMs ? { outcome: { kind: 'hang', ms } } : r;
      if (r === TIMEOUT && target.recover) ctx = await target.recover(ctx);
      let text = shown;
      const sig = signatureOf(result.outcome);
      const known = tally.failures.has(sig);
      if (isFailure(result.outcome) && result.outcome.kind !== 'hang' && !known && (options.minimizeBudget ?? 0) > 0 && target.parts) {
        const shrink = target.parts(input);
        let smallest: RunResult = result;
        const kept = await minimize(
          shrink.items,
          async (items) => {
            const candidate = shrink.rebuild(items);
            options.watchdog?.begin(`${target.kind} #${i} (seed ${options.seed}), shrinking:\n${target.show(candidate)}`);
            const rr = await withTimeout(runSafely(target, ctx, candidate), options.timeoutMs);
            options.watchdog?.end();
            if (rr === TIMEOUT) {
              if (target.recover) ctx = await target.recover(ctx);
              return false;
            }
            if (signatureOf(rr.outcome) !== sig) return false;
            smallest = rr;
            return true;
          },
          options.minimizeBudget,
        );
        text = target.show(shrink.rebuild(kept));
        result = { ...smallest, outcome: smallest.outcome };
      }
      tally.add(result.outcome, i, text, result.checked === true, result.codes);
      options.onInput?.(i, result.outcome, text, result.checked === true, result.codes ?? []);
    }
  } finally {
    await target.teardown(ctx);
    tally.elapsedMs += performance.now() - started;
  }
  return tally;
}
