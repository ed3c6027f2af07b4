/**
 * What a statement needs of the database that runs it: the store it reads and
 * changes, the catalog, system tables, worker threads, and where its query
 * record goes. Database implements it; statement modules take this, not the
 * Database, so none of them imports the embedding API back.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { SystemTable } from '../catalog/system-tables.js';
import type { ImportedStats } from '../catalog/imported-stats.js';
import type { Commit, Store } from '../storage/store.js';
import type { WorkerPool } from '../exec/parallel.js';
import type { QueryRecord } from '../query-record.js';
import type { TransactionBlock } from './transaction.js';
import type { SessionSettings } from './settings.js';
import type { ResultCache } from '../result-cache.js';
import type { Principal } from './privileges.js';
import type { PlanCache } from '../plan-cache.js';

export interface SessionHost {
  readonly store: Store;
  readonly dir: string;
  /** The user and session named at open, for query records. */
  readonly options: { readonly user?: string; readonly session?: string };
  /** Whose privileges the statements are checked against (statements/privileges.ts). */
  readonly principal: Principal;
  /** What statements read: the committed catalog, or in a transaction block its snapshot with its own changes. */
  catalog(): Catalog;
  /** Commits a change: at once outside a transaction block, else as part of the block (transaction.ts). */
  change<T>(change: (catalog: Catalog) => Promise<Commit & { result: T }> | (Commit & { result: T })): Promise<T>;
  /** Answers of earlier SELECTs over tables that have not changed since (result-cache.ts). */
  readonly resultCache: ResultCache;
  /** Plans of earlier SELECTs, reused while the catalog they were planned on is current (plan-cache.ts); null when off. */
  readonly planCache: PlanCache | null;
  /** The session's settings (SET, RESET, SHOW; statements/settings.ts). */
  readonly settings: SessionSettings;
  /** The settings the session started with, which RESET restores. */
  readonly initialSettings: Readonly<SessionSettings>;
  /** The session's transaction block. */
  readonly transaction: TransactionBlock;
  systemTable(name: string): SystemTable | undefined;
  /** Whether a system table is for superusers only (the workload log's: they show every user's statements). */
  restrictedSystemTable(name: string): boolean;
  /** Statistics imported from a cluster (catalog/imported-stats.ts), null when none were. */
  importedStats(): ImportedStats | null;
  /** Bytes a query's operator states may hold (docs/memory.md); Infinity for no limit. */
  readonly memoryLimit: number;
  /** Null when queries run on the calling thread only. */
  workerPool(): WorkerPool | null;
  emitRecord(r: QueryRecord): void;
}
