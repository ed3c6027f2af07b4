/**
 * A process's handle on a data directory: the current catalog, refreshed when
 * another process commits, and the one way to change it (commit under the
 * writer lock): one change at a time (change()), or several as one
 * transaction that holds the lock from begin() to commit() or rollback().
 * Old segment files are removed only after the catalog that no longer names
 * them is durable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Catalog, TableMeta } from '../catalog/catalog.js';
import { StorageError } from '../errors.js';
import { acquireWriteLockAsync, createDataDir, isLiveFile, liveFiles, LOCK_WAIT_MS, readCatalog, removeOrphans, syncNewSegments, tableDir, commitCatalog, viewPinnedFiles } from './datadir.js';
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

/**
 * A writing transaction's hold on the store (see begin()): the writer lock,
 * the committed catalog it started from, and the catalog its changes have
 * built so far, which only this transaction sees until commit() writes it.
 */
export class WriteTransaction {
  /** Files (absolute paths) the transaction's changes no longer name, some written by the transaction itself. */
  readonly obsolete: string[] = [];
  /** Set once commit() or rollback() has run: the transaction holds nothing any more. */
  ended = false;

  constructor(
    /** The committed catalog when the transaction took the lock. */
    readonly base: Catalog,
    /** The catalog with the transaction's changes so far. */
    public catalog: Catalog,
    readonly release: () => void,
  ) {}
}

type Change<T> = (catalog: Catalog) => Promise<Commit & { result: T }> | (Commit & { result: T });

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
  /** How long a change waits for the writer lock (another process's, or a transaction of this one) before failing LOCKED. */
  lockWaitMs = LOCK_WAIT_MS;

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
  async change<T>(change: Change<T>, options: { waitMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    const waitMs = options.waitMs ?? this.lockWaitMs;
    const done = await this.takeTurn(waitMs);
    try {
      return await this.changeLocked(change, { ...options, waitMs });
    } catch (e) {
      // a read-only directory, a full disk: a StorageError naming the path; the catalog is as it was
      throw storageErrorOf(e, `cannot change the data directory ${this.dir}`, this.dir);
    } finally {
      done();
    }
  }

  /**
   * Waits (at most `waitMs`) until this process's earlier changes and open
   * transaction are done; returns the function that lets the next one go.
   * Giving up keeps the order: the next one still waits for the earlier ones.
   */
  private async takeTurn(waitMs: number): Promise<() => void> {
    const previous = this.queue;
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    this.queue = mine;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
    try {
      if ((await Promise.race([previous.then(() => 'turn' as const), timedOut])) === 'timeout') {
        void previous.then(done);
        throw new StorageError(
          'LOCKED',
          `${this.dir} is being changed by this process (an open transaction or a change holds the writer lock); gave up waiting for the writer lock after ${waitMs / 1000} s`,
        );
      }
    } finally {
      clearTimeout(timer);
    }
    return done;
  }

  private async changeLocked<T>(change: Change<T>, options: { waitMs: number; signal?: AbortSignal }): Promise<T> {
    const release = await acquireWriteLockAsync(this.dir, options.waitMs, options.signal);
    this.changing = true;
    try {
      this.startWriting();
      let commit: Commit & { result: T };
      try {
        commit = await change(this.current);
      } catch (e) {
        this.forgetUncommitted(this.current);
        throw e;
      }
      this.publish(this.current, commit.catalog, commit.obsolete ?? [], commit.obsolete ?? []);
      return commit.result;
    } finally {
      this.changing = false;
      release();
    }
  }

  /** Under the lock: the freshest catalog, with expired retired files and orphans of crashed writers removed. */
  private startWriting(): void {
    this.current = readCatalog(this.dir);
    this.stamp = this.catalogStamp();
    this.removeExpired(this.current);
    removeOrphans(this.dir, this.current);
  }

  /**
   * Writes `catalog` as the successor of `base` (the commit point): `retire`
   * are files `base` named that other processes' readers may still open;
   * `forget` are files this process may have open that the new catalog no longer names.
   */
  private publish(base: Catalog, catalog: Catalog, retire: readonly string[], forget: readonly string[]): void {
    const now = Date.now();
    const retired = [
      ...(catalog.retired ?? []).filter((r) => now - r.at <= RETIRED_GRACE_MS),
      ...retire.map((f) => ({ file: path.relative(this.dir, f).split(path.sep).join('/'), at: now })),
    ];
    const next = { ...catalog, retired, generation: base.generation + 1 };
    // the new files' names are durable before the catalog that names them is
    syncNewSegments(this.dir, base, next);
    // in the current data format: a directory of an older one is upgraded with it
    commitCatalog(this.dir, next);
    this.current = next;
    this.stamp = this.catalogStamp();
    if (forget.length) this.segments.forget(forget);
  }

  /**
   * After a change that will not commit: closes the readers and drops the
   * vectors this process cached of files `committed` does not name. Their
   * names are given out again by the next change (a table's nextSegment did
   * not move), and a stale reader would serve the old content.
   */
  private forgetUncommitted(committed: Catalog): void {
    const live = liveFiles(committed);
    this.segments.forgetWhere((file) => !isLiveFile(this.dir, live, file));
  }

  /**
   * Opens a writing transaction: takes this process's turn and the writer
   * lock (waiting at most the store's lockWaitMs) and keeps both until
   * commit() or rollback(), so no other change, here or in another process,
   * commits meanwhile. Changes run in it with changeIn().
   */
  async begin(options: { signal?: AbortSignal } = {}): Promise<WriteTransaction> {
    const waitMs = this.lockWaitMs;
    const done = await this.takeTurn(waitMs);
    let release: (() => void) | undefined;
    try {
      release = await acquireWriteLockAsync(this.dir, waitMs, options.signal);
      this.startWriting();
    } catch (e) {
      release?.();
      done();
      throw storageErrorOf(e, `cannot change the data directory ${this.dir}`, this.dir);
    }
    const lock = release;
    return new WriteTransaction(this.current, this.current, () => {
      lock();
      done();
    });
  }

  /**
   * Runs `change` on the transaction's catalog; what it returns becomes the
   * transaction's catalog, seen by nobody else until commit(). If it throws,
   * the transaction's catalog stays as it was (the caller aborts the
   * transaction; files the change wrote go at rollback).
   */
  async changeIn<T>(tx: WriteTransaction, change: Change<T>): Promise<T> {
    if (tx.ended) throw new Error('changeIn: the transaction has ended');
    try {
      const commit = await change(tx.catalog);
      tx.catalog = commit.catalog;
      tx.obsolete.push(...(commit.obsolete ?? []));
      return commit.result;
    } catch (e) {
      throw storageErrorOf(e, `cannot change the data directory ${this.dir}`, this.dir);
    }
  }

  /**
   * Commits a transaction with one catalog write (a crash before it leaves
   * `base`, after it every change), then releases the lock. Files it made
   * obsolete that `base` named are retired like any change's; those it wrote
   * and dropped again were never visible and go at once.
   */
  commit(tx: WriteTransaction): void {
    if (tx.ended) throw new Error('commit: the transaction has ended');
    tx.ended = true;
    try {
      const before = liveFiles(tx.base);
      // a file written inside the block that a view's refresh in it came to read stays: the view names it
      const after = liveFiles(tx.catalog);
      const retire = tx.obsolete.filter((f) => isLiveFile(this.dir, before, f));
      this.publish(tx.base, tx.catalog, retire, tx.obsolete);
      for (const f of tx.obsolete) if (!isLiveFile(this.dir, before, f) && !isLiveFile(this.dir, after, f)) fs.rmSync(f, { force: true });
    } catch (e) {
      // the catalog write may have landed before the failure (the marker's upgrade, a removal): then the files are the committed data's
      if (!this.committedSince(tx.base)) this.discard(tx);
      throw storageErrorOf(e, `cannot commit to the data directory ${this.dir}`, this.dir);
    } finally {
      tx.release();
    }
  }

  /** Ends a transaction without committing: the catalog stays `base`; every file it wrote is removed now. */
  rollback(tx: WriteTransaction): void {
    if (tx.ended) return;
    tx.ended = true;
    try {
      this.discard(tx);
    } finally {
      tx.release();
    }
  }

  private committedSince(base: Catalog): boolean {
    try {
      return readCatalog(this.dir).generation > base.generation;
    } catch {
      return false;
    }
  }

  /** Under the transaction's lock: removes what it wrote (files `base` does not keep) and what this process cached of them. */
  private discard(tx: WriteTransaction): void {
    this.forgetUncommitted(tx.base);
    this.current = tx.base;
    try {
      removeOrphans(this.dir, tx.base);
    } catch {
      // what cannot be removed now is an orphan the next writer's sweep removes
    }
  }

  /** Deletes retired files past their grace period; the next commit drops them from the list. */
  private removeExpired(catalog: Catalog): void {
    const now = Date.now();
    // a file a materialized view still reads its deleted rows from stays until the view lets it go (datadir.ts viewPinnedFiles)
    const pinned = viewPinnedFiles(catalog);
    for (const r of catalog.retired ?? []) {
      if (now - r.at <= RETIRED_GRACE_MS) continue;
      const [, id, file] = r.file.split('/');
      if (id !== undefined && file !== undefined && pinned.get(id)?.has(file)) continue;
      fs.rmSync(path.join(this.dir, r.file), { force: true });
    }
  }

  /** Absolute path of a table's segment file. */
  segmentPath(table: TableMeta, file: string): string {
    return path.join(tableDir(this.dir, table.id), file);
  }

  close(): void {
    this.segments.closeAll();
  }
}
