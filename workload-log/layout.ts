/**
 * Where the workload log lives in a data directory:
 *
 *   DIR/workload/raw/w-<time>-<pid>-<seq><rand>.open   a segment a live process appends to
 *   DIR/workload/raw/w-<time>-<pid>-<seq><rand>.wlog   a sealed segment (its writer closed or rotated it)
 *   DIR/workload/chunks/c-<n>.<table>.arrow       compacted records, Arrow IPC files
 *   DIR/workload/manifest.json                     the chunks, the segments they consumed, retention
 *   DIR/workload/compact.lock                      held by the one process compacting
 *
 * Every process appends to segments of its own, so writers never share a file
 * and need no lock; compaction only takes sealed segments and segments whose
 * writer is gone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export const WORKLOAD_DIR = 'workload';
export const OPEN_SUFFIX = '.open';
export const SEALED_SUFFIX = '.wlog';

export function workloadDir(dataDir: string): string {
  return path.join(dataDir, WORKLOAD_DIR);
}
export function rawDir(dataDir: string): string {
  return path.join(dataDir, WORKLOAD_DIR, 'raw');
}
export function chunkDir(dataDir: string): string {
  return path.join(dataDir, WORKLOAD_DIR, 'chunks');
}
export function manifestPath(dataDir: string): string {
  return path.join(dataDir, WORKLOAD_DIR, 'manifest.json');
}

let segmentSeq = 0;

/** A new segment name; one process's names sort in creation order. */
export function newSegmentName(): string {
  const seq = String(segmentSeq++).padStart(6, '0');
  return `w-${Date.now().toString(36).padStart(9, '0')}-${process.pid}-${seq}${randomBytes(3).toString('hex')}${OPEN_SUFFIX}`;
}

export function sealedName(openName: string): string {
  return openName.slice(0, -OPEN_SUFFIX.length) + SEALED_SUFFIX;
}

/** The pid in a segment's name. */
export function segmentPid(name: string): number {
  return Number(name.split('-')[2]);
}

/** Whether a process with this pid is running (on this machine). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SegmentFile {
  readonly name: string;
  readonly path: string;
  /** Still being appended to by a live process. */
  readonly live: boolean;
}

/** The raw segments in name order (creation order). */
export function listSegments(dataDir: string): SegmentFile[] {
  const dir = rawDir(dataDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    // ENOTDIR: a file where the log's directory goes; there is no log to read (its writer warns that it cannot write one)
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw e;
  }
  return names
    .filter((n) => n.endsWith(OPEN_SUFFIX) || n.endsWith(SEALED_SUFFIX))
    .sort()
    .map((name) => ({ name, path: path.join(dir, name), live: name.endsWith(OPEN_SUFFIX) && processAlive(segmentPid(name)) }));
}

/** Writes a file so that a crash leaves the old content or the new, never a mix. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    if (typeof data === 'string') fs.writeSync(fd, data);
    else fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/**
 * mkdir -p whose new directories survive a power loss: fsyncs the parent of
 * each directory it created (a record synced into a file whose directory's
 * own entry is not durable would be lost with the directory).
 */
export function mkdirDurable(dir: string): void {
  const made = fs.mkdirSync(dir, { recursive: true });
  if (made === undefined) return;
  const top = path.resolve(made);
  for (let d = path.resolve(dir); d.length >= top.length && path.dirname(d) !== d; d = path.dirname(d)) {
    fsyncDir(path.dirname(d));
    if (d === top) return;
  }
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some platforms cannot fsync a directory; the rename is still atomic
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
