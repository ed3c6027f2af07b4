/**
 * The workload log's public face: durable query records, the system tables
 * over them, mining for the advisor, and traces (replay, TPC-H generation,
 * export, Redshift import). docs/workload-log.md describes formats and files.
 */
export { attachWorkloadLog, WorkloadLog, type WorkloadLogOptions } from './attach.js';
export type { LogRecord, RecordSource } from './record.js';
export { WorkloadStore, DEFAULT_RETENTION, type Retention, type CompactOptions, type CompactResult, type Manifest, type Warn } from './store.js';
export type { WorkloadPart, QueryColumns, ScanColumns, PredicateColumns, JoinColumns, Codes, Texts } from './columns.js';
export { recordsOf } from './columns.js';
export {
  loadWorkload,
  workloadOf,
  workloadRecords,
  fingerprintStats,
  topFingerprints,
  userStats,
  scanPredicateStats,
  joinEdges,
  type Workload,
  type WorkloadFilter,
  type FingerprintStats,
  type FingerprintOrder,
  type UserStats,
  type PredicateStats,
  type JoinEdge,
} from './mining.js';
export { workloadSystemTables } from './system-tables.js';
export { parseTraceLine, readTrace, traceLine, recordTraceLine, type TraceEntry, type TraceItem, type TraceLine } from './trace.js';
export { replayPaired, pairedRatioInterval, type PairedReplay, type PairedSide, type PairedOptions } from './replay-paired.js';
export { replayTrace, percentile, type Pace, type ReplayOptions, type ReplaySummary, type ReplayProblem, type ReplayProgress } from './replay.js';
export { tpchWorkload, tpchQuery, PARAMETERS as TPCH_PARAMETERS, MIX as TPCH_MIX, type TpchWorkloadOptions, type TpchParams } from './tpch-workload.js';
export { importRedshiftHistory, type ImportSummary, type ImportProblem, type ImportOptions } from './redshift.js';
export { importRedshiftFiles, redshiftFiles, type FileSummary } from './redshift-files.js';
export { importTableInfo, importPgStats, importQueryDetail, redshiftFileKind, parsePgArray, type StatsImportSummary, type RedshiftFileKind } from './redshift-stats.js';
export { exportRedshift, pgArray, type ExportSummary } from './redshift-export.js';
export { stepsOf, withSteps, type DetailStep } from './redshift-steps.js';
