/**
 * The data directory: a marker file, the catalog, table segment files and the
 * writer lock.
 *
 *   DIR/KEEL                  marker: "keel data directory" and the format number
 *   DIR/catalog.json          the catalog, replaced atomically (write, fsync, rename, fsync dir)
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
import { CATALOG_FORMAT, emptyCatalog, type Catalog } from '../catalog/catalog.js';

const MARKER = 'KEEL';
const MARKER_TEXT = `keel data directory\nformat ${CATALOG_FORMAT}\n`;
const CATALOG = 'catalog.json';
const LOCK = 'write.lock';
/** How long a writer waits for another process's lock before giving up. */
const LOCK_WAIT_MS = 60_000;

export function tableDir(dir: string, tableId: number): string {
  return path.join(dir, 'tables', String(tableId));
}

export function isDataDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, MARKER));
}

/** Creates a new data directory; refuses a non-empty directory that is not one. */
export function createDataDir(dir: string, slices: number, blockRows?: number): Catalog {
  if (!Number.isInteger(slices) || slices < 1 || slices > 256) {
    throw new StorageError('INVALID_VALUE', `slices must be an integer from 1 to 256, got ${slices}`);
  }
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new StorageError('NOT_A_DATA_DIR', `${dir} exists and is not a directory`);
    if (isDataDir(dir)) throw new StorageError('DUPLICATE_OBJECT', `${dir} is already a keel data directory`);
    if (fs.readdirSync(dir).length > 0) {
      throw new StorageError('NOT_A_DATA_DIR', `${dir} is not empty and is not a keel data directory; refusing to write into it`);
    }
  }
  fs.mkdirSync(path.join(dir, 'tables'), { recursive: true });
  const catalog = emptyCatalog(slices, blockRows);
  writeCatalog(dir, catalog);
  // The marker goes last: a directory without it was never fully created.
  writeDurably(path.join(dir, MARKER), MARKER_TEXT);
  return catalog;
}

/** Reads the catalog, checking that the directory is ours and of a format we read. */
export function readCatalog(dir: string): Catalog {
  if (!fs.existsSync(dir)) {
    throw new StorageError('NOT_A_DATA_DIR', `no data directory at ${dir} (create one with: keel init --data ${dir})`);
  }
  const markerPath = path.join(dir, MARKER);
  if (!fs.existsSync(markerPath)) {
    throw new StorageError('NOT_A_DATA_DIR', `${dir} is not a keel data directory (no ${MARKER} marker file)`);
  }
  const marker = fs.readFileSync(markerPath, 'utf8');
  const m = /^keel data directory\nformat (\d+)\n$/.exec(marker);
  if (!m) throw new StorageError('CORRUPT', `${markerPath} is damaged: not a keel marker file`);
  if (Number(m[1]) !== CATALOG_FORMAT) {
    throw new StorageError('VERSION', `${dir} has data format ${m[1]}; this keel reads format ${CATALOG_FORMAT}`);
  }
  const catalogPath = path.join(dir, CATALOG);
  let text: string;
  try {
    text = fs.readFileSync(catalogPath, 'utf8');
  } catch {
    throw new StorageError('CORRUPT', `${catalogPath} is missing: the data directory is damaged`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StorageError('CORRUPT', `${catalogPath} is damaged: not valid JSON`);
  }
  const c = parsed as Partial<Catalog>;
  if (
    typeof c !== 'object' || c === null || c.format !== CATALOG_FORMAT || typeof c.slices !== 'number' ||
    typeof c.blockRows !== 'number' || typeof c.tables !== 'object' || typeof c.views !== 'object'
  ) {
    throw new StorageError('CORRUPT', `${catalogPath} is damaged: missing or wrong fields`);
  }
  return parsed as Catalog;
}

/** Replaces the catalog atomically and durably. */
export function writeCatalog(dir: string, catalog: Catalog): void {
  writeDurably(path.join(dir, CATALOG), JSON.stringify(catalog));
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

export function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Takes the directory's writer lock (one process changes a data directory at a
 * time; readers never lock). A lock left by a dead process is taken over.
 * Returns the release function.
 */
export function acquireWriteLock(dir: string, waitMs = LOCK_WAIT_MS): () => void {
  const lockPath = path.join(dir, LOCK);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      return () => {
        try {
          fs.unlinkSync(lockPath);
        } catch {
          /* already gone: nothing to release */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
    } catch {
      continue; // released between our open and read: try again
    }
    if (Number.isInteger(holder) && holder !== process.pid && !processAlive(holder)) {
      try {
        fs.unlinkSync(lockPath);
      } catch {
        /* another process took it over first */
      }
      continue;
    }
    if (Number.isNaN(holder)) {
      // A lock file with no pid yet: its writer is between open and write.
      sleepSync(5);
      continue;
    }
    if (Date.now() > deadline) {
      throw new StorageError('LOCKED', `${dir} is being changed by process ${holder}; gave up after ${waitMs / 1000} s`);
    }
    sleepSync(20);
  }
}

/**
 * Removes files no catalog names: segments of a crashed write, temporary catalog
 * files. Only a writer holding the lock may call this.
 */
export function removeOrphans(dir: string, catalog: Catalog): number {
  let removed = 0;
  const live = new Map<string, Set<string>>();
  const liveIn = (id: string): Set<string> => live.get(id) ?? live.set(id, new Set()).get(id)!;
  for (const t of Object.values(catalog.tables)) for (const s of t.segments) liveIn(String(t.id)).add(s.file);
  // retired files are still readable by other processes' older catalogs
  for (const r of catalog.retired ?? []) {
    const [root, id, file] = r.file.split('/');
    if (root === 'tables' && id !== undefined && file !== undefined) liveIn(id).add(file);
  }
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
  for (const f of fs.readdirSync(dir)) {
    if (f.startsWith(`${CATALOG}.tmp-`) || f.startsWith(`${MARKER}.tmp-`)) {
      fs.rmSync(path.join(dir, f), { force: true });
      removed++;
    }
  }
  return removed;
}
