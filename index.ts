/**
 * keel's public entry (package.json "main"): the engine's API, with a
 * Database.open that records every statement in the data directory's workload
 * log (pass { workloadLog: false } to run without it), and the workload log's
 * own API (mining, replay, traces).
 *
 *   import { Database, loadWorkload, topFingerprints } from 'keel';
 *   const db = await Database.open('./wh');
 *   await db.query('select count(*) from lineitem');   // recorded
 *   db.close();
 *   console.log(topFingerprints(loadWorkload('./wh')));
 */
import { Database as EngineDatabase, type OpenOptions as EngineOpenOptions } from './engine/index.js';
import { attachWorkloadLog, type WorkloadLogOptions } from './workload-log/index.js';
import { autoWorkerActionTable } from './advisor/autonomics/audit.js';
import { loadConfig } from './advisor/autonomics/config.js';
import { autoMvLedgerTable } from './advisor/matviews/ledger-rows.js';

export * from './workload-log/index.js';
export {
  KeelError,
  SqlError,
  ExecError,
  LoadError,
  StorageError,
  UsageError,
  QUERY_RECORD_VERSION,
  describeDistStyle,
  fingerprint,
  tpchTables,
  type ErrorCode,
  type QueryResult,
  type LoadProgress,
  type ExecuteOptions,
  type PlanRecordInput,
  type AlterInBackgroundOptions,
  type AlterInBackgroundResult,
  type RewriteProgress,
  type QueryStats,
  type ResultColumn,
  type QueryRecord,
  type ScanRecord,
  type JoinRecord,
  type PredicateRecord,
  type SystemTable,
  type Catalog,
  type TableMeta,
  type ColumnMeta,
  type DistStyle,
  type LoadOptions,
  type GeneratedTable,
  type Batch,
  type Vector,
  type SqlType,
  type ColumnDef,
} from './engine/index.js';

export interface OpenOptions extends EngineOpenOptions {
  /** Record every statement in the workload log (default true), or how to. */
  workloadLog?: boolean | WorkloadLogOptions;
}

function withLog(db: EngineDatabase, options: OpenOptions): EngineDatabase {
  // the daemon's automatic actions are queryable from every session, logged or not
  db.registerSystemTable(autoWorkerActionTable(db.dir));
  // the window of its hits is the policy's mining window, read when the table is
  db.registerSystemTable(autoMvLedgerTable(db.dir, () => loadConfig(db.dir).mining.sinceMs));
  if (options.workloadLog !== false) attachWorkloadLog(db, options.workloadLog === true || options.workloadLog === undefined ? {} : options.workloadLog);
  return db;
}

/** The engine's Database; opening it through this module attaches the workload log. */
export type Database = EngineDatabase;

export const Database = {
  /** Opens (or creates) a data directory with the workload log attached unless { workloadLog: false }. */
  async open(dir: string, options: OpenOptions = {}): Promise<EngineDatabase> {
    return withLog(await EngineDatabase.open(dir, options), options);
  },
  /** Creates a new data directory (fails if one exists there), workload log attached. */
  async create(dir: string, options: OpenOptions = {}): Promise<EngineDatabase> {
    return withLog(await EngineDatabase.create(dir, options), options);
  },
};
