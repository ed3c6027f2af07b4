/** The engine's public face: what the workload log, the advisor and the CLI may use. */
export { Database, type OpenOptions, type QueryResult, type LoadProgress, type ExecuteOptions } from './database.js';
export type { CopyOutFormat } from './sql/ast.js';
export type { PlanRecordInput, Admit, AdmitRequest, Admission } from './session.js';
export { WhatIfPlanner, type TableLayout } from './what-if.js';
export type { MaintenanceOptions, MaintenanceOutcome, VacuumOutcome, AnalyzeOutcome } from './statements/maintenance.js';
export type { AlterInBackgroundOptions, AlterInBackgroundResult, RewriteProgress, KeepAuto } from './online-alter.js';
export { KeelError, SqlError, ExecError, LoadError, StorageError, UsageError, type ErrorCode } from './errors.js';
export { newCancelFlag, setCancelled, type CancelFlag } from './exec/cancel.js';
export { parseMemoryLimit } from './exec/memory/index.js';
export { isEnvironmentError, storageErrorOf } from './storage/io-error.js';
export type { QueryStats, ResultColumn, ThreadCpu } from './result.js';
export type { QueryRecord, ScanRecord, JoinRecord, PredicateRecord } from './query-record.js';
export { QUERY_RECORD_VERSION } from './query-record.js';
export type { SystemTable } from './catalog/system-tables.js';
export type { ZonePredicate } from './plan/physical.js';
export type { Catalog, TableMeta, ColumnMeta, DistStyle } from './catalog/catalog.js';
export { describeDistStyle, isInterleaved, materializedViews, type MaterializedViewMeta, type RefreshEntry } from './catalog/catalog.js';
export { isAutomaticView, markAutomaticView } from './catalog/auto-views.js';
// the advisor asks the rewrite itself whether a candidate view would answer a query: exactly, or (viewRewrite) by a roll-up or partial join too
export { exactViewMatch, viewRewrite } from './matview/rewrite.js';
export { rewriteBlocks, type BlockLabel } from './matview/blocks.js';
export { viewShape } from './matview/shape.js';
// the view advisor reads the syntax of logged queries with the same walks the rewrite uses
export { containsAggregate, containsSubquery, someNode } from './plan/ast-walks.js';
export { isFresh as isViewFresh } from './matview/refresh.js';
export { storageTableName } from './statements/materialized-view.js';
export {
  isStatsOnly,
  parseDistStyle,
  withImportedStats,
  readImportedStats,
  type ImportedStats,
  type ImportedTableStats,
  type ImportedColumnStats,
  type ImportedStep,
  type ImportedTablePart,
} from './catalog/imported-stats.js';
// the sort-key advisor lays samples out in the engine's own z-order for interleaved candidates
export { ZOrder, zKindOf, sortByZ, MAX_INTERLEAVED_COLUMNS, type ZKind, type ZRange } from './storage/zorder.js';
export type { LoadOptions } from './load/index.js';
export { fingerprint } from './sql/fingerprint.js';
export { tpchTables, type GeneratedTable } from './gen/index.js';
export type { Batch, Vector, SqlType, ColumnDef, ParamValue } from './types.js';
// the encoding advisor sizes sampled data with the engine's own codecs and types
export { ALL_CODECS, codecById, encodeAuto, encodingForRedshift, redshiftNameFor, type Codec, type EncodingId } from './storage/codecs/index.js';
export { physicalKind, physicalFromText, parseDate, parseTimestamp, parseTimestampTz, formatDate, formatTimestamp, typeName, type PhysicalKind } from './types.js';
// the server authenticates logins against the catalog's users (SCRAM verifiers, md5 hashes)
export { usersOf, passwordIsStored, md5Hash, scramVerifier, SCRAM_ITERATIONS, type UserMeta, type StoredPassword } from './catalog/users.js';
// the wire protocol's type OIDs are the pg_catalog views'
export { PG_TYPE_OID, pgTypeOid, pgTypeModifier } from './catalog/pg-types.js';
