/**
 * Query-time models fitted on the workload log with ml-regression's
 * multivariate linear regression:
 *
 * - `linear`: ms = b + sum of w_f * feature_f, every w_f >= 0 (a negative
 *   weight would say that reading more makes a query faster; such features are
 *   dropped one at a time, most negative first, and the rest refitted). Its
 *   weights are marginal costs (ms per block, per byte moved, ...), which is
 *   what turns a recommendation's saved blocks or bytes into time.
 * - `loglinear`: log(1 + ms) = b + sum of w_f * log(1 + feature_f): a power
 *   law, usually closer on workloads whose queries span orders of magnitude.
 *
 * Features are scaled to unit maximum before fitting (bytes and join counts
 * differ by nine orders of magnitude) and the weights scaled back.
 */
import { MultivariateLinearRegression } from 'ml-regression';
import { FEATURES, type Feature, type QueryFeatures } from './features.js';

export type ModelKind = 'linear' | 'loglinear';

export interface CostModel {
  readonly kind: ModelKind;
  /** Weight per feature, in the model's space (0 for features left out). */
  readonly weights: Readonly<Record<Feature, number>>;
  readonly intercept: number;
  /** Queries it was fitted on. */
  readonly trainedOn: number;
}

export interface Evaluation {
  readonly model: CostModel;
  /** On the held-out queries: coefficient of determination of ms, and the median of |predicted - actual| / actual. */
  readonly r2: number;
  readonly medianApe: number;
  readonly train: number;
  readonly test: number;
}

const transform = (kind: ModelKind, v: number) => (kind === 'loglinear' ? Math.log1p(Math.max(0, v)) : v);

/** Predicted ms of one query's features (in FEATURES order). */
export function predictMs(m: CostModel, x: ArrayLike<number>): number {
  let s = m.intercept;
  FEATURES.forEach((f, i) => (s += m.weights[f] * transform(m.kind, x[i]!)));
  return m.kind === 'loglinear' ? Math.expm1(s) : s;
}

/** Fits a model on the given rows of `data` (all of them by default). */
export function fitCostModel(data: QueryFeatures, kind: ModelKind, rows?: readonly number[]): CostModel {
  const idx = rows ?? Array.from(data.x.keys());
  const zero = Object.fromEntries(FEATURES.map((f) => [f, 0])) as Record<Feature, number>;
  if (idx.length === 0) return { kind, weights: zero, intercept: 0, trainedOn: 0 };
  const ys = idx.map((i) => [transform(kind, data.y[i]!)]);
  const cols = FEATURES.map((_, c) => idx.map((i) => transform(kind, data.x[i]![c]!)));
  const scale = cols.map((v) => Math.max(...v.map(Math.abs)));
  // features that never vary carry no information and make the system singular
  let active = FEATURES.map((_, c) => c).filter((c) => scale[c]! > 0 && new Set(cols[c]).size > 1);
  const mean = ys.reduce((s, r) => s + r[0]!, 0) / ys.length;
  for (;;) {
    if (active.length === 0 || idx.length <= active.length + 1) return { kind, weights: zero, intercept: mean, trainedOn: idx.length };
    const x = idx.map((_, r) => active.map((c) => cols[c]![r]! / scale[c]!));
    const reg = new MultivariateLinearRegression(x, ys, { intercept: true, statistics: false });
    const w = reg.weights.map((row) => row[0]!);
    let worst = -1;
    active.forEach((c, k) => {
      if (w[k]! < 0 && (worst < 0 || w[k]! < w[active.indexOf(worst)]!)) worst = c;
    });
    if (worst >= 0) {
      active = active.filter((c) => c !== worst);
      continue;
    }
    const weights = { ...zero };
    active.forEach((c, k) => (weights[FEATURES[c]!] = w[k]! / scale[c]!));
    return { kind, weights, intercept: w[active.length]!, trainedOn: idx.length };
  }
}

/** Deterministic split: about `testShare` of the queries (picked by a seeded shuffle) held out. */
export function holdOut(n: number, testShare = 0.25, seed = 1): { train: number[]; test: number[] } {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const cut = Math.round(n * testShare);
  return { test: order.slice(0, cut).sort((a, b) => a - b), train: order.slice(cut).sort((a, b) => a - b) };
}

/** R² and median absolute percentage error of `model` on the given queries. */
export function score(model: CostModel, data: QueryFeatures, rows: readonly number[]): { r2: number; medianApe: number } {
  if (rows.length === 0) return { r2: NaN, medianApe: NaN };
  const y = rows.map((i) => data.y[i]!);
  const p = rows.map((i) => predictMs(model, data.x[i]!));
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let res = 0;
  let tot = 0;
  y.forEach((v, k) => {
    res += (v - p[k]!) ** 2;
    tot += (v - mean) ** 2;
  });
  const ape = y.flatMap((v, k) => (v > 0 ? [Math.abs(p[k]! - v) / v] : [])).sort((a, b) => a - b);
  return { r2: tot > 0 ? 1 - res / tot : NaN, medianApe: ape.length ? ape[Math.floor(ape.length / 2)]! : NaN };
}

/** Fits on a training share and scores on the held-out rest. */
export function evaluateCostModel(data: QueryFeatures, kind: ModelKind, testShare = 0.25, seed = 1): Evaluation {
  const { train, test } = holdOut(data.y.length, testShare, seed);
  const model = fitCostModel(data, kind, train);
  return { model, ...score(model, data, test), train: train.length, test: test.length };
}

/** Milliseconds a change saves under a linear model: the sum of its weights times the amounts saved. */
export function msSaved(model: CostModel, saved: Partial<Record<Feature, number>>): number {
  if (model.kind !== 'linear') throw new Error('marginal savings need the linear model');
  let ms = 0;
  for (const f of FEATURES) ms += model.weights[f] * (saved[f] ?? 0);
  return ms;
}
