/**
 * Attaching the workload log to a Database: every record the engine emits is
 * appended to this process's segment, the three system tables are registered,
 * and on close the segment is sealed and, when enough has piled up, compacted.
 */
import type { Database, QueryRecord } from '../engine/index.js';
import type { LogRecord, RecordSource } from './record.js';
import { isEnvironmentError, storageErrorOf } from '../engine/index.js';
import { SegmentWriter, type WriterOptions } from './segment-writer.js';
import { DEFAULT_RETENTION, WorkloadStore, stderrWarn, type CompactOptions, type CompactResult, type Warn } from './store.js';
import { workloadSystemTables } from './system-tables.js';

export interface WorkloadLogOptions extends WriterOptions {
  /** Where the statements come from (default "api"). */
  source?: RecordSource;
  /** Where warnings go (default: one line on stderr). */
  warn?: Warn;
  /** Register sys_query_history, sys_query_scans, sys_query_joins (default true). */
  systemTables?: boolean;
  /**
   * Compact on close when sealed segments hold at least this many bytes or
   * number this many files, or records have outlived the retention
   * (default { bytes: 32 MiB, segments: 64 }); false never compacts by itself.
   */
  autoCompact?: false | { bytes?: number; segments?: number };
}

export class WorkloadLog {
  readonly store: WorkloadStore;
  /** Source written into the records that follow. */
  source: RecordSource;
  private readonly writer: SegmentWriter;
  private readonly warn: Warn;
  private failed = false;
  private closed = false;

  constructor(
    readonly dataDir: string,
    private readonly options: WorkloadLogOptions = {},
  ) {
    this.warn = options.warn ?? stderrWarn;
    this.store = new WorkloadStore(dataDir, { warn: this.warn });
    // the writer's own flushes (its 100 ms timer, process exit, a reader here) report like append() does
    this.writer = new SegmentWriter(dataDir, options, (e) => this.report(e));
    this.source = options.source ?? 'api';
  }

  /** Records appended by this process. */
  get appended(): number {
    return this.writer.appended;
  }

  /** Time this process spent serializing and writing records, in ms. */
  get busyMs(): number {
    return this.writer.busyMs;
  }

  /**
   * Appends one record. A failure to write (disk full, permissions) is
   * reported once and never fails the statement that produced the record.
   */
  append(record: QueryRecord | LogRecord): void {
    if (this.closed) return;
    this.guard(() => this.writer.append(record, this.source));
  }

  /** Writes the records held for the next group now. */
  flush(): void {
    this.guard(() => this.writer.flush());
  }

  /** Writes and forces to disk every record appended so far. */
  sync(): void {
    this.guard(() => this.writer.sync());
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.report(e);
    }
  }

  /** A failure to write the log: warned about once, never thrown (the statements go on). */
  private report(e: unknown): void {
    if (!this.failed) {
      try {
        const why = isEnvironmentError(e) ? (storageErrorOf(e) as Error).message : ((e as Error)?.message ?? String(e));
        this.warn(`cannot record queries in ${this.dataDir}: ${why}; statements go on unrecorded`);
      } catch {
        // a warn callback that throws must not take the host process down either
      }
    }
    this.failed = true;
  }

  compact(options: CompactOptions = {}): CompactResult | null {
    return this.store.compact(options);
  }

  /** Writes what is held, seals this process's segment and compacts when due (never throws: a warning instead). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.guard(() => this.writer.close());
    // a log that could not be written has nothing new to compact
    if (this.options.autoCompact === false || this.failed) return;
    try {
      if (this.compactionDue()) this.store.compact();
    } catch (e) {
      this.warn(`compacting the workload log: ${(e as Error).message}`);
    }
  }

  private compactionDue(): boolean {
    const limits = this.options.autoCompact || {};
    const s = this.store.status();
    if (s.segmentBytes >= (limits.bytes ?? 32 * 1024 * 1024) || s.segments >= (limits.segments ?? 64)) return true;
    const oldest = this.store.readManifest().chunks[0];
    const maxAgeDays = (s.retention ?? DEFAULT_RETENTION).maxAgeDays;
    return oldest !== undefined && oldest.minStartMs < Date.now() - maxAgeDays * 86_400_000;
  }
}

/** Records every statement `db` runs, and registers the workload system tables. */
export function attachWorkloadLog(db: Database, options: WorkloadLogOptions = {}): WorkloadLog {
  const log = new WorkloadLog(db.dir, options);
  const off = db.onQuery((r) => log.append(r));
  if (options.systemTables !== false) for (const t of workloadSystemTables(log.store)) db.registerSystemTable(t);
  db.onClose(() => {
    off();
    log.close();
  });
  return log;
}
