/**
 * A process's handle on a data directory: the current catalog, refreshed when
 * another process commits, and the one way to change it (commit under the
 * writer lock). Old segment files are removed only after the catalog that no
 * longer names them is durable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Catalog, TableMeta } from '../catalog/catalog.js';
import { acquireWriteLockAsync, createDataDir, LOCK_WAIT_MS, readCatalog, removeOrphans, syncNewSegments, tableDir, upgradeMarker, writeCatalog } from './datadir.js';
import { SegmentCache } from './scan.js';
import { storageErrorOf } from './io-error.js';

/**
 * How long a file a change made obsolete stays on disk: a reader in another
 * process that read the catalog before the change opens segment files as its
 * query reaches them, and must still find them. Ten minutes outlasts any query
 * we run; a longer one in another process could find a file gone (CORRUPT).
 */
export const RETIRED_GRACE_MS = Number(process.env.KEEL_RETIRED_GRACE_MS ?? 10 * 60_000);

export interface Commit {
  readonly catalog: Catalog;
  /** Files (absolute paths) the new catalog no longer names. */
  readonly obsolete?: readonly string[];
}

export class Store {
  readonly segments = new SegmentCache();
  private current: Catalog;
  private stamp: string;
  /** True while this process holds the lock and `current` is the catalog being changed. */
  private changing = false;
  /** Background rebuilds (online-rewrite.ts) under way in this process; statements yield to them. */
  backgroundWork = 0;
  /** Settles when the last queued change of this process is done. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    catalog: Catalog,
  ) {
    this.current = catalog;
    this.stamp = this.catalogStamp();
  }

  static open(dir: string): Store {
    return new Store(dir, readCatalog(dir));
  }

  static create(dir: string, slices: number, blockRows?: number): Store {
    return new Store(dir, createDataDir(dir, slices, blockRows));
  }

  private catalogStamp(): string {
    try {
      const st = fs.statSync(path.join(this.dir, 'catalog.json'));
      return `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return '';
    }
  }

  /** The latest committed catalog (re-read if another process committed since). */
  catalog(): Catalog {
    if (!this.changing) {
      const stamp = this.catalogStamp();
      if (stamp !== this.stamp) {
        this.current = readCatalog(this.dir);
        this.stamp = stamp;
      }
    }
    return this.current;
  }

  /**
   * Runs `change` under the writer lock on the freshest catalog and commits what
   * it returns. If it throws, the catalog stays as it was; files it wrote and did
   * not remove are unreferenced and go at the next writer's orphan sweep.
   *
   * Changes from this process run one at a time (a background apply's commit and
   * an INSERT may both be under way), each on the catalog the previous one
   * committed; other processes are kept out by write.lock. `change` must not call
   * change() itself. `waitMs` bounds the wait for another process's lock. A
   * file-system failure (permissions, a full or read-only disk) is a
   * StorageError naming the path (io-error.ts).
   */
  async change<T>(
    change: (catalog: Catalog) => Promise<Commit & { result: T }> | (Commit & { result: T }),
    options: { waitMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const previous = this.queue;
    let done!: () => void;
    this.queue = new Promise<void>((resolve) => (done = resolve));
    try {
      await previous;
      return await this.changeLocked(change, options);
    } catch (e) {
      // a read-only directory, a full disk: a StorageError naming the path; the catalog is as it was
      throw storageErrorOf(e, `cannot change the data directory ${this.dir}`, this.dir);
    } finally {
      done();
    }
  }

  private async changeLocked<T>(
    change: (catalog: Catalog) => Promise<Commit & { result: T }> | (Commit & { result: T }),
    options: { waitMs?: number; signal?: AbortSignal },
  ): Promise<T> {
    const release = await acquireWriteLockAsync(this.dir, options.waitMs ?? LOCK_WAIT_MS, options.signal);
    this.changing = true;
    try {
      this.current = readCatalog(this.dir);
      this.stamp = this.catalogStamp();
      this.removeExpired(this.current);
      removeOrphans(this.dir, this.current);
      const commit = await change(this.current);
      const now = Date.now();
      const retired = [
        ...(commit.catalog.retired ?? []).filter((r) => now - r.at <= RETIRED_GRACE_MS),
        ...(commit.obsolete ?? []).map((f) => ({ file: path.relative(this.dir, f).split(path.sep).join('/'), at: now })),
      ];
      const next = { ...commit.catalog, retired, generation: this.current.generation + 1 };
      // the new files' names are durable before the catalog that names them is
      syncNewSegments(this.dir, this.current, next);
      writeCatalog(this.dir, next);
      // a directory of data format 1 is format 2 once its catalog carries a checksum
      upgradeMarker(this.dir);
      this.current = next;
      this.stamp = this.catalogStamp();
      if (commit.obsolete?.length) this.segments.forget(commit.obsolete);
      return commit.result;
    } finally {
      this.changing = false;
      release();
    }
  }

  /** Deletes retired files past their grace period; the next commit drops them from the list. */
  private removeExpired(catalog: Catalog): void {
    const now = Date.now();
    for (const r of catalog.retired ?? []) if (now - r.at > RETIRED_GRACE_MS) fs.rmSync(path.join(this.dir, r.file), { force: true });
  }

  /** Absolute path of a table's segment file. */
  segmentPath(table: TableMeta, file: string): string {
    return path.join(tableDir(this.dir, table.id), file);
  }

  close(): void {
    this.segments.closeAll();
  }
}
