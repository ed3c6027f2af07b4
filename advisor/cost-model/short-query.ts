/**
 * Short query acceleration's prediction (keel serve's workload management,
 * server/wlm.ts; docs/server.md, "Workload management"): which statements are
 * short, so that they wait in the lane served first.
 *
 * - The model: the cost model fitted on the workload log (model.ts, linear)
 *   predicts a statement whose fingerprint ran before from the mean features
 *   of its logged runs (blocks, rows, bytes scanned and moved ...): short when
 *   the prediction is at most `shortMs`. It needs MIN_QUERIES logged queries
 *   that scanned something, as the fit needs to mean anything.
 * - The rule, for what the model does not judge (no model yet, or a
 *   fingerprint whose runs scanned nothing: DDL, INSERT ... VALUES): the mean
 *   logged duration of the fingerprint's successful runs, short when at most
 *   `shortMs`.
 * - A fingerprint never logged is long: nothing says it is short.
 */
import type { Catalog } from '../../engine/index.js';
import type { AdmitRequest } from '../../engine/index.js';
import type { Workload } from '../../workload-log/index.js';
import { FEATURES, queryFeatures } from './features.js';
import { fitCostModel, predictMs, type CostModel } from './model.js';

/** Logged queries that scanned something, at least, before the model is used (below: the rule alone). */
export const MIN_QUERIES = 20;

export interface ShortQueries {
  /** The fitted model, or null when the log held too few queries. */
  readonly model: CostModel | null;
  /** Predicted ms per fingerprint the model judges. */
  readonly predictedMs: ReadonlyMap<string, number>;
  /** Mean logged ms per fingerprint of successful runs (the rule). */
  readonly meanMs: ReadonlyMap<string, number>;
  readonly shortMs: number;
  isShort(statement: Pick<AdmitRequest, 'fingerprint'>): boolean;
}

/** Learns from the workload log which fingerprints are short (at most `shortMs` predicted). */
export function learnShortQueries(w: Workload, catalog: Catalog, shortMs: number): ShortQueries {
  const data = queryFeatures(w, catalog);
  const model = data.y.length >= MIN_QUERIES ? fitCostModel(data, 'linear') : null;
  const predictedMs = new Map<string, number>();
  if (model) {
    // the mean features of each fingerprint's runs
    const sums = new Map<string, { n: number; x: Float64Array }>();
    data.fingerprints.forEach((fp, i) => {
      let s = sums.get(fp);
      if (!s) sums.set(fp, (s = { n: 0, x: new Float64Array(FEATURES.length) }));
      s.n++;
      const row = data.x[i]!;
      for (let f = 0; f < FEATURES.length; f++) s.x[f] += row[f]!;
    });
    for (const [fp, s] of sums) predictedMs.set(fp, predictMs(model, s.x.map((v) => v / s.n)));
  }
  const meanMs = meanDurations(w);
  return {
    model,
    predictedMs,
    meanMs,
    shortMs,
    isShort: (statement) => {
      const ms = predictedMs.get(statement.fingerprint) ?? meanMs.get(statement.fingerprint);
      return ms !== undefined && ms <= shortMs;
    },
  };
}

/** The mean duration of each fingerprint's successful runs in the workload. */
function meanDurations(w: Workload): Map<string, number> {
  const sums = new Map<string, { n: number; ms: number }>();
  w.parts.forEach((part, k) => {
    const q = part.queries;
    const mask = w.masks[k];
    for (let i = 0; i < q.length; i++) {
      if ((mask && !mask[i]) || q.status[i] !== 0) continue;
      const code = q.fingerprint.codes[i]!;
      if (code < 0) continue;
      const fp = q.fingerprint.dict[code]!;
      let s = sums.get(fp);
      if (!s) sums.set(fp, (s = { n: 0, ms: 0 }));
      s.n++;
      s.ms += q.durationMs[i]!;
    }
  });
  return new Map([...sums].map(([fp, s]) => [fp, s.ms / s.n]));
}
