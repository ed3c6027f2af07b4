/**
 * Running a fuzz target from a test: a fixed seed and a modest number of
 * inputs, so CI stays lean; KEEL_FUZZ_RUNS (inputs per target) and
 * KEEL_FUZZ_SEED run more, or others, locally:
 *
 *   KEEL_FUZZ_RUNS=5000 KEEL_FUZZ_SEED=7 npx vitest run test/fuzz/sql.test.ts
 *
 * A failure names the input that fails (shrunk) and the seed and index that
 * make it again (a stack overflow too: nesting past the limits is TOO_COMPLEX).
 * npm run build, then node dist/bench/fuzz.js, runs
 * every target with many inputs and writes docs/performance.md's Fuzzing section.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCampaign, type Target } from '../../bench/fuzz/campaign.js';
import type { Tally } from '../../bench/fuzz/outcome.js';
import { Watchdog } from '../../bench/fuzz/watchdog.js';

export const SEED = Number(process.env.KEEL_FUZZ_SEED ?? 1);
/** Per-input time limit: an input still running after this is a hang. */
export const TIMEOUT_MS = Number(process.env.KEEL_FUZZ_TIMEOUT_MS ?? 15_000);

/** Inputs to run: `ci` unless KEEL_FUZZ_RUNS says otherwise. */
export function runs(ci: number): number {
  const n = Number(process.env.KEEL_FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : ci;
}

export async function fuzz<C, I>(target: Target<C, I>, count: number, seed = SEED): Promise<Tally> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `keel-fuzz-${target.kind}-`));
  const watchdog = new Watchdog(TIMEOUT_MS * 2);
  try {
    return await runCampaign(target, { seed, from: 0, to: count, work, timeoutMs: TIMEOUT_MS, watchdog, minimizeBudget: 300 });
  } finally {
    await watchdog.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The tally as text: inputs, errors by code, failures with their inputs. */
export function report(t: Tally): string {
  const lines = [`${t.kind}: ${t.inputs} inputs, ${t.ok} results (${t.checked} checked), errors ${JSON.stringify(Object.fromEntries([...t.errors].sort()))}${t.inner.size ? `, within inputs ${JSON.stringify(Object.fromEntries([...t.inner].sort()))}` : ''}, ${(t.elapsedMs / 1000).toFixed(1)} s`];
  for (const g of t.failures.values()) lines.push(`  FAIL ${g.signature} x${g.count}, first input #${g.first} (seed ${SEED}):\n    ${g.detail}\n    input: ${JSON.stringify(g.input)}`);
  return lines.join('\n');
}
