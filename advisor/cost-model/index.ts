/** Query time learned from the workload log, and recommendations' benefits in seconds per day (docs/advisor.md, "Cost model"). */
export { FEATURES, queryFeatures, bytesPerColumnBlock, type Feature, type QueryFeatures } from './features.js';
export { fitCostModel, predictMs, evaluateCostModel, holdOut, score, msSaved, type CostModel, type Evaluation, type ModelKind } from './model.js';
export { workloadDays, secondsPerDay } from './benefit.js';
export { learnShortQueries, MIN_QUERIES as SHORT_QUERY_MIN_QUERIES, type ShortQueries } from './short-query.js';
