/**
 * The advisor's public face (docs/advisor.md): the workload's join graph and
 * the choice of every table's distribution by optimizing it.
 */
export * from './join-graph.js';
export * from './cost.js';
export * from './distkey/index.js';
export * from './recommendations/index.js';
export * from './run.js';
export { recommendationsOf, ddlFor } from './distkey/recommendations.js';
export * from './sortkey/index.js';
export { sampleRows, sampleRuns, readWhole, arrowToVector, sliceVector, type TableSample, type ColumnSample } from './sample.js';
export * from './encoding/index.js';
export * from './cost-model/index.js';
export * from './storage-recommendations.js';
export { explainRecommendation, headline, shadowTable, styleRivals } from './explain.js';
export { proveGroups, proveGroup, pairedTimeRatio, decide, createTableSql, recall, refusalOf, workloadChange, notProvenOf, MIX_GROWTH, DATA_GROWTH, type ShadowOptions, type ProveOptions, type NotProven } from './shadow/index.js';
export { assignGroups, groupTables, membersOf, changeKey, groupBenefit } from './recommendations/groups.js';
export { withoutAdvisor } from './own-queries.js';
export { twinsOf, withTwins } from './twins.js';
export { lockFile, exportDdl, type DdlExportOptions } from './layout-export.js';
