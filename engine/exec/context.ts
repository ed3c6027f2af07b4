/** Per-query execution state: the store, per-node statistics and compiled-code caches. */
import type { PhysicalKind, Vector } from '../types.js';
import { physicalKind } from '../types.js';
import type { SegmentCache } from '../storage/scan.js';
import type { PlanNode } from '../plan/physical.js';
import { newScanCounters, type ScanCounters } from '../storage/scan.js';
import { throwIfCancelled, type CancelFlag } from './cancel.js';
import { compileClock } from './compile-clock.js';
import { MemoryAccountant, SpillSpace } from './memory/index.js';

export interface NodeStats extends ScanCounters {
  rowsOut: number;
  rowsMoved: number;
  bytesMoved: number;
  /** Milliseconds spent in this node, its inputs excluded. */
  ms: number;
  /** Rows into a join from each side, for the query record. */
  leftRows: number;
  rightRows: number;
  /** Scans: rows their predicate kept that a join's key filter then dropped (see ScanKeyFilter). */
  rowsJoinFiltered: number;
  /** Bytes this node wrote to spill files, and the files (sorted runs, partitions) it wrote (docs/memory.md). */
  bytesSpilled: number;
  spillFiles: number;
}

/**
 * A filter a hash join hands the scan that feeds its probe side, once its
 * build side is complete: of the selected rows sel[0..count), keeps (in order,
 * in place) those whose value in scan column `column` the build side may hold;
 * returns how many. Rows it drops could not have matched, so the scan never
 * decodes their other columns and the join never probes them.
 */
export interface ScanKeyFilter {
  readonly column: number;
  keep(col: Vector, sel: Uint32Array, count: number): number;
}

/** Where scans find segment files: a data directory and its open readers (a Store, or a worker's own). */
export interface SegmentSource {
  readonly dir: string;
  readonly segments: SegmentCache;
}

export class ExecContext {
  readonly stats = new Map<number, NodeStats>();
  /** When the plan's root delivered its first batch (performance.now()); null until then, or when it delivered none. */
  firstBatchAt: number | null = null;

  /**
   * `compiled`: compiled code to share with other contexts of the same query (a worker's tasks).
   * `cancel`: the statement's cancel flag (./cancel.ts), checked once per batch; null when it cannot be cancelled.
   * `code`: compiled functions kept with a cached plan (engine/plan-cache.ts) across its runs; null when the plan is not kept.
   * `memory`: the accountant of this context's operator states (./memory/accountant.ts); no limit by default.
   */
  constructor(
    readonly store: SegmentSource,
    readonly slices: number,
    private readonly compiled = new Map<string, unknown>(),
    readonly cancel: CancelFlag | null = null,
    private readonly code: Map<string, unknown> | null = null,
    readonly memory: MemoryAccountant = new MemoryAccountant(Infinity),
  ) {
    this.spill = new SpillSpace(store.dir);
  }

  /** Where this context's operators write their spill files; close() removes them. */
  readonly spill: SpillSpace;

  /** Removes the spill files the query left (each operator removes its own when done; this covers a failure midway). */
  close(): void {
    this.spill.close();
  }

  /** Throws ExecError CANCELLED once the statement's cancel flag is set or its statement_timeout has passed. Call it per batch or per block, never per row. */
  checkCancel(): void {
    throwIfCancelled(this.cancel);
  }

  statsFor(id: number): NodeStats {
    let s = this.stats.get(id);
    if (!s) {
      s = { ...newScanCounters(), rowsOut: 0, rowsMoved: 0, bytesMoved: 0, ms: 0, leftRows: 0, rightRows: 0, rowsJoinFiltered: 0, bytesSpilled: 0, spillFiles: 0 };
      this.stats.set(id, s);
    }
    return s;
  }

  private readonly scanFilters = new Map<string, ScanKeyFilter[]>();

  /** Installs a join's key filter on the scan `scanId` of one slice (before that scan starts). */
  addScanFilter(scanId: number, slice: number, filter: ScanKeyFilter): void {
    const key = `${scanId}:${slice}`;
    const list = this.scanFilters.get(key);
    if (list) list.push(filter);
    else this.scanFilters.set(key, [filter]);
  }

  scanFiltersFor(scanId: number, slice: number): readonly ScanKeyFilter[] {
    return this.scanFilters.get(`${scanId}:${slice}`) ?? [];
  }

  /**
   * Code for a node (key): a function that depends on the plan only, never on
   * the rows. Kept with the plan when it is cached, so a later run of the
   * statement reuses it (counted as reused); else once per query, as cached().
   */
  compiledFor<T>(key: string, make: () => T): T {
    if (this.code === null) return this.cached(key, make);
    // each slice asks: count a function kept with the plan once per run, as the code caches count theirs
    let v = this.compiled.get(key) as T | undefined;
    if (v !== undefined) return v;
    v = this.code.get(key) as T | undefined;
    if (v === undefined) {
      v = make();
      this.code.set(key, v);
    } else compileClock.reused++;
    this.compiled.set(key, v);
    return v;
  }

  /** Compiles (or builds) once per query and node (key), then reuses. */
  cached<T>(key: string, make: () => T): T {
    let v = this.compiled.get(key) as T | undefined;
    if (v === undefined) {
      v = make();
      this.compiled.set(key, v);
    }
    return v;
  }
}

/** Adds another context's statistics (a worker's share of a query) into these. */
export function mergeStats(into: ExecContext, from: Iterable<[number, NodeStats]>): void {
  for (const [id, s] of from) {
    if (id < 0) continue;
    const t = into.statsFor(id);
    for (const k of Object.keys(s) as (keyof NodeStats)[]) t[k] += s[k];
  }
}

export function kindsOf(node: PlanNode): PhysicalKind[] {
  return node.fields.map((f) => physicalKind(f.type));
}
