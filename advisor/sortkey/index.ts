/** Sort keys from the log's scan predicates, judged what-if on a sample (docs/advisor.md, "Sort keys"). */
export { chooseSortKey, chooseSortKeys, blocksPerSlice, sampleSize, keyText, type SortKeyChoice, type SortKeyOptions, type KeyScore, type PredicateEvidence } from './choose.js';
export { loggedScans, type LoggedScan, type LoggedPredicate } from './scans.js';
export { zoneTest, mayMatch, type ZoneTest, type ZoneOp } from './predicates.js';
export { layoutOrder, blockZones, blocksScanned, ranks, type BlockZones, type SortStyle } from './whatif.js';
