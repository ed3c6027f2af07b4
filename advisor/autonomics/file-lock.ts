/**
 * A lock file for short critical sections shared by processes on one data
 * directory (the recommendations file's read-modify-write, one apply at a
 * time). The file holds the holder's pid; a lock whose holder is no longer
 * alive is stale and taken over, so a crash never wedges the directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeelError } from '../../engine/index.js';

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: alive but someone else's
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The pid written in a lock file, or null when there is none (or it is being written). */
export function lockHolder(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Tries once to take the lock; returns its release function, or null when a
 * live process holds it. A stale lock (dead holder) is removed and retaken.
 */
export function tryLock(file: string): (() => void) | null {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      return () => {
        // only our own lock: a stale-lock takeover may have replaced it
        if (lockHolder(file) === process.pid) fs.rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = lockHolder(file);
    if (holder === null) {
      // between its creator's open and write, or just released
      sleepSync(2);
      continue;
    }
    if (holder === process.pid || processAlive(holder)) return null;
    fs.rmSync(file, { force: true });
  }
  return null;
}

/** Runs `fn` holding the lock, waiting up to `waitMs` for it (synchronously: the sections it guards are short). */
export function withLockSync<T>(file: string, fn: () => T, waitMs = 10_000): T {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const release = tryLock(file);
    if (release) {
      try {
        return fn();
      } finally {
        release();
      }
    }
    if (Date.now() > deadline) throw new KeelError('LOCKED', `${file} is held by process ${lockHolder(file)} for more than ${waitMs} ms`);
    sleepSync(5);
  }
}
