/**
 * The data directory: a marker file, the catalog, table segment files and the
 * writer lock.
 *
 *   DIR/KEEL                  marker: "keel data directory" and the format number
 *   DIR/catalog.json          the catalog with its checksum (integrity.ts), replaced atomically (write, fsync, rename, fsync dir)
 *   DIR/tables/<id>/<n>.seg   immutable segment files, written before the catalog names them
 *   DIR/write.lock            held by the one process changing the directory
 *
 * A change writes its new segment files first and makes them visible with one
 * catalog rename, so a crash at any moment leaves the old catalog (and at worst
 * some unreferenced files, removed by the next writer) or the new one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StorageError } from '../errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { CATALOG_FORMAT, emptyCatalog, LEGACY_CATALOG_FORMAT, SEALED_CATALOG_FORMAT, type Catalog, type SegmentMeta } from '../catalog/catalog.js';
import { sealCatalog, unsealCatalog, validateCatalog } from './integrity.js';
import { ownerAlive, ownerTag, parseOwnerTag, SELF, type Owner } from './owner.js';
import { sweepStaging } from './staging.js';
import { storageErrorOf } from './io-error.js';

const MARKER = 'KEEL';
const MARKER_TEXT = `keel data directory\nformat ${CATALOG_FORMAT}\n`;
const CATALOG = 'catalog.json';
const LOCK = 'write.lock';
/** How long a writer waits for another process's lock before giving up. */
export const LOCK_WAIT_MS = 60_000;

export function tableDir(dir: string, tableId: number): string {
  return path.join(dir, 'tables', String(tableId));
}

export function isDataDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, MARKER));
}

/** What is at `p`: nothing (also when a parent is a file), a directory, or something else; throws when it cannot be looked at. */
function kindOf(p: string): 'missing' | 'directory' | 'other' {
  try {
    return fs.statSync(p).isDirectory() ? 'directory' : 'other';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw e;
  }
}

/**
 * Creates a new data directory; refuses a non-empty directory that is not one.
 * A failure (permissions, a file where a directory should be, a full disk) is a
 * StorageError naming the path, and leaves nothing behind.
 */
export function createDataDir(dir: string, slices: number, blockRows?: number): Catalog {
  if (!Number.isInteger(slices) || slices < 1 || slices > 256) {
    throw new StorageError('INVALID_VALUE', `slices must be an integer from 1 to 256, got ${slices}`);
  }
  const action = `cannot create the data directory ${dir}`;
  let made: string | undefined;
  let existed: boolean;
  try {
    const kind = kindOf(dir);
    existed = kind !== 'missing';
    if (kind === 'other') throw new StorageError('NOT_A_DATA_DIR', `${dir} exists and is not a directory`);
    if (kind === 'directory') {
      if (isDataDir(dir)) throw new StorageError('DUPLICATE_OBJECT', `${dir} is already a keel data directory`);
      if (fs.readdirSync(dir).length > 0) {
        throw new StorageError('NOT_A_DATA_DIR', `${dir} is not empty and is not a keel data directory; refusing to write into it`);
      }
    }
  } catch (e) {
    throw storageErrorOf(e, action, dir);
  }
  try {
    made = fs.mkdirSync(path.join(dir, 'tables'), { recursive: true });
    const catalog = emptyCatalog(slices, blockRows);
    writeCatalog(dir, catalog);
    // The marker goes last: a directory without it was never fully created.
    writeDurably(path.join(dir, MARKER), MARKER_TEXT);
    // and the directory's own entry (with those of the parents mkdir made), without which a power loss could take all of it
    syncCreated(made, dir);
    return catalog;
  } catch (e) {
    undoCreate(dir, existed, made);
    throw storageErrorOf(e, action, dir);
  }
}

/**
 * fsyncs the parent of every directory `mkdirSync(..., { recursive: true })`
 * created on the way to `dir` (it returned `made`, the first one), so their
 * entries are durable. (`dir`'s own content is synced by the writes into it.)
 */
function syncCreated(made: string | undefined, dir: string): void {
  if (made === undefined) return;
  const top = path.resolve(made);
  for (let d = path.resolve(dir); d.length >= top.length && path.dirname(d) !== d; d = path.dirname(d)) {
    syncDir(path.dirname(d));
    if (d === top) return;
  }
}

/** Removes what a failed createDataDir made: the directories it created, or in a directory that was there (empty), its own files. */
function undoCreate(dir: string, existed: boolean, made: string | undefined): void {
  try {
    if (!existed) {
      if (made !== undefined) fs.rmSync(made, { recursive: true, force: true });
      return;
    }
    for (const name of ['tables', CATALOG, `${CATALOG}.tmp-${process.pid}`, MARKER, `${MARKER}.tmp-${process.pid}`]) {
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  } catch {
    // what cannot be removed was not a data directory either: without the marker nobody takes it for one
  }
}

/** The data format the directory's marker names (checking that the directory is ours). */
function markerFormat(dir: string): number {
  // a directory this user may not look into is not "missing": kindOf throws EACCES, a StorageError at the API (io-error.ts)
  const kind = kindOf(dir);
  if (kind === 'missing') {
    throw new StorageError('NOT_A_DATA_DIR', `no data directory at ${dir} (create one with: keel init --data ${dir})`);
  }
  if (kind === 'other') throw new StorageError('NOT_A_DATA_DIR', `${dir} is not a directory`);
  const markerPath = path.join(dir, MARKER);
  if (kindOf(markerPath) === 'missing') {
    throw new StorageError('NOT_A_DATA_DIR', `${dir} is not a keel data directory (no ${MARKER} marker file)`);
  }
  const marker = fs.readFileSync(markerPath, 'utf8');
  const m = /^keel data directory\nformat (\d+)\n$/.exec(marker);
  if (!m) throw new StorageError('CORRUPT', `${markerPath} is damaged: not a keel marker file`);
  const format = Number(m[1]);
  if (format < LEGACY_CATALOG_FORMAT || format > CATALOG_FORMAT) {
    throw new StorageError('VERSION', `${dir} has data format ${m[1]}; this keel reads formats ${LEGACY_CATALOG_FORMAT} to ${CATALOG_FORMAT}`);
  }
  return format;
}

/**
 * Reads the catalog, checking that the directory is ours and of a format we
 * read, that the catalog's checksum matches its content and that it holds
 * together (integrity.ts); anything else is CORRUPT, naming the file.
 *
 * A directory of format 2 or later (the marker says so) must have a checksummed
 * catalog, of format 2 or later (commitCatalog says which pairs a crash can
 * leave). One of format 1, written by a keel before checksums, is read
 * without one (a checksum, if present, is still checked). Both are upgraded
 * to the current format by their next commit.
 */
export function readCatalog(dir: string): Catalog {
  const format = markerFormat(dir);
  const catalogPath = path.join(dir, CATALOG);
  let text: string;
  try {
    text = fs.readFileSync(catalogPath, 'utf8');
  } catch (e) {
    // unreadable (permissions) is not missing: the error says which
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw new StorageError('CORRUPT', `${catalogPath} is missing: the data directory is damaged`);
  }
  const { body, sealed } = unsealCatalog(text, catalogPath, format >= SEALED_CATALOG_FORMAT);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new StorageError('CORRUPT', `${catalogPath} is damaged: not valid JSON`);
  }
  // an unsealed text naming a checksum had one that no longer reads as one: damage, not an old catalog
  if (!sealed && typeof parsed === 'object' && parsed !== null && 'checksum' in parsed) {
    throw new StorageError('CORRUPT', `${catalogPath} is damaged: its checksum member is malformed`);
  }
  // a sealed catalog is of format 2 or later whatever the marker says: a commit that crashed may have upgraded one and not the other
  return validateCatalog(parsed, catalogPath, sealed ? SEALED_FORMATS : [LEGACY_CATALOG_FORMAT]);
}

/** The formats of a catalog with a checksum. */
const SEALED_FORMATS: readonly number[] = Array.from({ length: CATALOG_FORMAT - SEALED_CATALOG_FORMAT + 1 }, (_, i) => SEALED_CATALOG_FORMAT + i);

/** Replaces the catalog atomically and durably, with its checksum, in the current format. */
export function writeCatalog(dir: string, catalog: Catalog): void {
  writeDurably(path.join(dir, CATALOG), sealCatalog({ ...catalog, format: CATALOG_FORMAT }));
}

/**
 * A commit's catalog write (writeCatalog), which also upgrades a directory of
 * an older format to the current one, in the order that keeps each reader
 * safe across a crash at any point:
 *
 * - format 2: the marker first. From then on a keel of format 2 refuses the
 *   directory with VERSION, so it never reads a catalog of format 3 (it
 *   would miss delete vectors and column ids). A crash before the catalog
 *   write leaves marker 3 over a sealed catalog of format 2, which this keel
 *   reads.
 * - format 3: the same, marker first. A keel of format 3 then refuses the
 *   directory and never reads a catalog of format 4 (the first of those
 *   would treat a materialized view's table as writable and sweep the files
 *   a view keeps). Marker 4 over a catalog of format 3 reads fine.
 * - format 1: the marker last, since a marker of format 2 or more demands a
 *   checksum that only the new catalog has. A crash between leaves marker 1
 *   over a sealed catalog, which reads fine and is upgraded by the next commit.
 */
export function commitCatalog(dir: string, catalog: Catalog): void {
  const format = markerFormat(dir);
  if (format >= SEALED_CATALOG_FORMAT && format < CATALOG_FORMAT) writeDurably(path.join(dir, MARKER), MARKER_TEXT);
  writeCatalog(dir, catalog);
  if (format < SEALED_CATALOG_FORMAT) writeDurably(path.join(dir, MARKER), MARKER_TEXT);
}

/** Write to a temporary name, fsync, rename over the target, fsync the directory. */
export function writeDurably(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncDir(path.dirname(file));
}

/**
 * Makes the directory entries of a commit's new segment files durable before
 * the catalog that names them is written: fsyncs every table folder that
 * gained files, and tables/ when such a folder may be new (its table had no
 * segment before). Their contents were fsynced by their writer (segment.ts);
 * without this, a power loss after the commit could leave the catalog naming
 * files that are not there.
 */
export function syncNewSegments(dir: string, before: Catalog, after: Catalog): void {
  const had = new Map<number, Set<string>>();
  for (const t of Object.values(before.tables)) had.set(t.id, new Set(t.segments.flatMap(filesOf)));
  let newFolder = false;
  for (const t of Object.values(after.tables)) {
    const old = had.get(t.id);
    if (t.segments.every((s) => filesOf(s).every((f) => old?.has(f)))) continue;
    syncDir(tableDir(dir, t.id));
    if (!old || old.size === 0) newFolder = true;
  }
  if (newFolder) syncDir(path.join(dir, 'tables'));
}

/** A segment's files: the segment and its delete vector, if any. */
function filesOf(s: SegmentMeta): string[] {
  return s.deletes ? [s.file, s.deletes.file] : [s.file];
}

export function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const LOST = 'lost';

/**
 * A lock file's content: "pid\nstart\n" (older keels wrote the pid only); null
 * when there is none (or it cannot be read). LOST for a lock without an owner
 * (empty, or not a pid): a lock file is created whole (below), so no live
 * process leaves one like that, but a power loss does (the commit's directory
 * fsync made the lock's name durable; its content never was), and it is
 * broken like a dead owner's.
 */
function readLockOwner(lockPath: string): Owner | typeof LOST | null {
  let text: string;
  try {
    text = fs.readFileSync(lockPath, 'utf8');
  } catch {
    return null;
  }
  const [pid, start] = text.split('\n');
  const n = Number.parseInt(pid ?? '', 10);
  return Number.isInteger(n) && n > 0 ? { pid: n, start: start?.trim() ?? '' } : LOST;
}

/** Whether a lock's holder is gone: a dead process, or no owner at all (LOST). */
function holderDead(holder: Owner | typeof LOST | null): holder is Owner | typeof LOST {
  return holder === LOST || (holder !== null && !ownerAlive(holder));
}

type Attempt = { release: () => void } | { holder: Owner | typeof LOST | null };

/**
 * One try at the lock. The lock file is created whole (written under a
 * temporary name, then hard-linked to write.lock, which fails if it exists), so
 * no running process ever sees an empty lock. A lock whose owner is dead (or
 * that a power loss emptied) is broken under a second, short-lived lock
 * (write.lock.break), so two processes that both saw the same dead owner
 * cannot both break it and delete each other's new lock.
 */
function tryLock(dir: string): Attempt {
  const lockPath = path.join(dir, LOCK);
  const tmp = path.join(dir, `${LOCK}.${ownerTag()}.${Math.random().toString(36).slice(2)}`);
  try {
    fs.writeFileSync(tmp, `${SELF.pid}\n${SELF.start}\n`);
    fs.linkSync(tmp, lockPath);
    return { release: () => releaseLock(lockPath) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const holder = readLockOwner(lockPath);
  if (holderDead(holder)) breakStaleLock(dir, holder);
  return { holder };
}

/** How old a break lock must be before it counts as left by a process that died while breaking. */
const BREAK_STALE_MS = 10_000;

function breakStaleLock(dir: string, dead: Owner | typeof LOST): void {
  const lockPath = path.join(dir, LOCK);
  const breaker = path.join(dir, `${LOCK}.break`);
  try {
    fs.closeSync(fs.openSync(breaker, 'wx'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - fs.statSync(breaker).mtimeMs > BREAK_STALE_MS) fs.rmSync(breaker, { force: true });
    } catch {
      /* gone meanwhile */
    }
    return;
  }
  try {
    // under the break lock, the lock file is still the dead owner's only if nobody replaced it meanwhile
    const now = readLockOwner(lockPath);
    const same = now === LOST || dead === LOST ? now === dead : now !== null && now.pid === dead.pid && now.start === dead.start;
    if (same) fs.rmSync(lockPath, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

function releaseLock(lockPath: string): void {
  const holder = readLockOwner(lockPath);
  // never remove a lock that is no longer ours (broken as stale by mistake and retaken)
  if (holder === LOST || (holder && (holder.pid !== SELF.pid || holder.start !== SELF.start))) return;
  fs.rmSync(lockPath, { force: true });
}

function lockedError(dir: string, holder: Owner | typeof LOST | null, waitMs: number): StorageError {
  const who = holder && holder !== LOST ? `process ${holder.pid}` : 'another process';
  return new StorageError(
    'LOCKED',
    `${dir} is being changed by ${who} (a statement or an open transaction holds the writer lock); gave up waiting for the writer lock after ${waitMs / 1000} s`,
  );
}

/**
 * Takes the directory's writer lock (one process changes a data directory at a
 * time; readers never lock), blocking the thread while it waits. A lock left by
 * a dead process is taken over. Returns the release function.
 */
export function acquireWriteLock(dir: string, waitMs = LOCK_WAIT_MS): () => void {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const a = tryLock(dir);
    if ('release' in a) return a.release;
    if (holderDead(a.holder)) continue;
    if (Date.now() > deadline) throw lockedError(dir, a.holder, waitMs);
    sleepSync(20);
  }
}

/**
 * The writer lock without blocking the event loop while another process holds
 * it, so queries in this process go on meanwhile. `signal` gives up early.
 */
export async function acquireWriteLockAsync(dir: string, waitMs = LOCK_WAIT_MS, signal?: AbortSignal): Promise<() => void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (signal?.aborted) throw new StorageError('ABORTED', `gave up waiting for the writer lock of ${dir}: aborted`);
    const a = tryLock(dir);
    if ('release' in a) return a.release;
    if (holderDead(a.holder)) continue;
    if (Date.now() > deadline) throw lockedError(dir, a.holder, waitMs);
    await sleep(20);
  }
}

/**
 * Removes files no catalog names: segments of a crashed write, temporary catalog
 * files. Only a writer holding the lock may call this.
 */
export function removeOrphans(dir: string, catalog: Catalog): number {
  let removed = 0;
  const live = liveFiles(catalog);
  const tablesDir = path.join(dir, 'tables');
  for (const id of fs.existsSync(tablesDir) ? fs.readdirSync(tablesDir) : []) {
    const files = live.get(id);
    const folder = path.join(tablesDir, id);
    if (!files) {
      fs.rmSync(folder, { recursive: true, force: true });
      removed++;
      continue;
    }
    for (const f of fs.readdirSync(folder)) {
      if (!files.has(f)) {
        fs.rmSync(path.join(folder, f), { force: true });
        removed++;
      }
    }
  }
  return removed + removeStrayFiles(dir) + sweepStaging(dir);
}

/**
 * The files a catalog keeps, per table folder name: its tables' segments and
 * delete vectors, and the retired files other processes' older catalogs may
 * still read.
 */
export function liveFiles(catalog: Catalog): Map<string, Set<string>> {
  const live = new Map<string, Set<string>>();
  const liveIn = (id: string): Set<string> => live.get(id) ?? live.set(id, new Set()).get(id)!;
  for (const t of Object.values(catalog.tables)) for (const s of t.segments) for (const f of filesOf(s)) liveIn(String(t.id)).add(f);
  for (const r of catalog.retired ?? []) {
    const [root, id, file] = r.file.split('/');
    if (root === 'tables' && id !== undefined && file !== undefined) liveIn(id).add(file);
  }
  for (const [id, files] of viewPinnedFiles(catalog)) for (const f of files) liveIn(id).add(f);
  return live;
}

/**
 * The files materialized views keep past their tables' changes, per table
 * folder name: the segments and delete vectors each view's last refresh read
 * (MaterializedViewMeta.base), from which the next refresh reads the rows
 * deleted since. They go (as orphans) once no view names them.
 */
export function viewPinnedFiles(catalog: Catalog): Map<string, Set<string>> {
  const pinned = new Map<string, Set<string>>();
  for (const v of Object.values(catalog.materializedViews ?? {})) {
    for (const b of v.base) {
      if (!b.segments) continue;
      const set = pinned.get(String(b.id)) ?? pinned.set(String(b.id), new Set()).get(String(b.id))!;
      for (const s of b.segments) for (const f of filesOf(s)) set.add(f);
    }
  }
  return pinned;
}

/** Whether `file` (an absolute path) is a table file `live` (liveFiles) keeps. */
export function isLiveFile(dir: string, live: ReadonlyMap<string, ReadonlySet<string>>, file: string): boolean {
  const rel = path.relative(path.join(dir, 'tables'), file).split(path.sep);
  return rel.length === 2 && live.get(rel[0]!)?.has(rel[1]!) === true;
}

/** Temporary catalog and marker files, and lock files of processes that died before linking them. */
function removeStrayFiles(dir: string): number {
  let removed = 0;
  for (const f of fs.readdirSync(dir)) {
    if (f.startsWith(`${CATALOG}.tmp-`) || f.startsWith(`${MARKER}.tmp-`)) {
      fs.rmSync(path.join(dir, f), { force: true });
      removed++;
    } else if (f.startsWith(`${LOCK}.`) && f !== `${LOCK}.break`) {
      const owner = parseOwnerTag(f.slice(LOCK.length + 1));
      if (owner && !ownerAlive(owner)) {
        fs.rmSync(path.join(dir, f), { force: true });
        removed++;
      }
    }
  }
  return removed;
}
