/**
 * File-system failures that are the environment's doing (permissions, a
 * read-only or full disk, a file where a directory should be) become a
 * StorageError naming the problem and the path, instead of escaping as a raw
 * Node error that the CLI would print as an internal error with its stack.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeelError, StorageError } from '../errors.js';

/** Error codes of system calls that say something about the environment, not about keel, and their plain words. */
const PROBLEMS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
};

/** A Node system-call error (fs.*) whose code is one of the environment's problems above. */
export function isEnvironmentError(e: unknown): e is NodeJS.ErrnoException {
  if (e instanceof KeelError || !(e instanceof Error)) return false;
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === 'string' && Object.hasOwn(PROBLEMS, code);
}

/** The nearest of `file` and its ancestors that exists and is not a directory, if any. */
export function nonDirectoryOnPath(file: string): string | null {
  for (let p = file; ; ) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(p);
    } catch {
      st = undefined;
    }
    if (st && !st.isDirectory()) return p;
    if (st) return null;
    const parent = path.dirname(p);
    if (parent === p) return null;
    p = parent;
  }
}

function within(dir: string, file: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * `e` as a StorageError when it is an environment error; anything else (a
 * KeelError, a bug) unchanged. `action` says what failed ("cannot change the
 * data directory wh"); without it the message is the problem and the path.
 * A file where a directory should be names that file: NOT_A_DATA_DIR when it
 * is the data directory `dir` or above it, CORRUPT when it is inside it.
 */
export function storageErrorOf(e: unknown, action?: string, dir?: string): unknown {
  if (!isEnvironmentError(e)) return e;
  const code = e.code!;
  const file = e.path ?? (e as { dest?: string }).dest;
  const prefix = action ? `${action}: ` : '';
  if (code === 'ENOTDIR' && file !== undefined) {
    const blocker = nonDirectoryOnPath(file);
    if (blocker !== null) {
      const inside = dir !== undefined && within(dir, blocker) && path.resolve(blocker) !== path.resolve(dir);
      return new StorageError(inside ? 'CORRUPT' : 'NOT_A_DATA_DIR', `${prefix}${blocker} is not a directory`);
    }
  }
  const where = file !== undefined ? `${e.syscall ? `${e.syscall} ` : ''}${file}` : e.syscall;
  return new StorageError('IO', `${prefix}${PROBLEMS[code]} (${code}${where ? `: ${where}` : ''})`);
}
