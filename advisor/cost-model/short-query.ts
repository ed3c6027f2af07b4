/**
 * Short query acceleration's prediction (keel serve's workload management,
 * server/wlm.ts; docs/server.md, "Workload management"): which statements are
 * short, so that they wait in the lane served first.
 *
 * - The model: the cost model fitted on the workload log (model.ts, linear)
 *   predicts a statement whose fingerprint ran before from the mean features
 *   of its logged runs (blocks, rows, bytes scanned and moved ...): short when
 *   the prediction is at most `shortMs`. It needs MIN_QUERIES logged queries
 *   that scanned something, as the model's fit does to mean anything.
 * - The rule, for a statement the model cannot judge (no model yet, a
 *   fingerprint never logged, a statement that scans nothing such as DDL):
 *   statements that read no table's rows (SET, SHOW, RESET, BEGIN, COMMIT,
 *   ROLLBACK, DESCRIBE, EXPLAIN, CREATE/DROP VIEW, users and grants) are
 *   short; every other one is long.
 */
import type { Catalog } from '../../engine/index.js';
import type { AdmitRequest } from '../../engine/index.js';
import type { Workload } from '../../workload-log/index.js';
import { FEATURES, queryFeatures } from './features.js';
import { fitCostModel, predictMs, type CostModel } from './model.js';

/** Logged queries that scanned something, at least, before the model is used (below: the rule alone). */
export const MIN_QUERIES = 20;

/** Statement kinds (sql/ast.ts) that read no table's rows: short by the rule. */
const READ_NOTHING: ReadonlySet<string> = new Set(['set', 'show', 'showTables', 'describe', 'transaction', 'ignored', 'explain', 'createUser', 'alterUser', 'dropUser', 'grant', 'createView', 'dropView']);

export interface ShortQueries {
  /** The fitted model, or null when the log held too few queries. */
  readonly model: CostModel | null;
  /** Predicted ms per fingerprint the model judges. */
  readonly predictedMs: ReadonlyMap<string, number>;
  readonly shortMs: number;
  isShort(statement: Pick<AdmitRequest, 'fingerprint' | 'kind'>): boolean;
}

/** The rule alone: what is used before the log holds enough queries. */
export function shortByRule(statement: Pick<AdmitRequest, 'kind'>): boolean {
  return READ_NOTHING.has(statement.kind);
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
  return {
    model,
    predictedMs,
    shortMs,
    isShort: (statement) => {
      const ms = predictedMs.get(statement.fingerprint);
      return ms === undefined ? shortByRule(statement) : ms <= shortMs;
    },
  };
}
