/**
 * The memory limit's value as users write it: bytes, or a number with a unit
 * (KB, MB, GB, TB: powers of 1024, case-insensitive, "B" optional), from
 * Database.open's memoryLimit, `--memory-limit` or KEEL_MEMORY_LIMIT.
 */
import { UsageError } from '../../errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

/** Below this the spilling operators could not hold one batch: a limit this small is a mistake. */
export const MIN_MEMORY_LIMIT = 64 * 1024;

/** Bytes of a limit given as text ("512MB", "1g", "1048576"); `source` names where it came from for the error. */
export function parseMemoryLimit(text: string, source: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(`${source}: expected a number of bytes, optionally with a unit (KB, MB, GB, TB), e.g. 512MB; got "${text}"`);
  }
  return checkMemoryLimit(Math.floor(Number(m[1]) * unit), source);
}

/** A limit in bytes, checked: a whole number of at least MIN_MEMORY_LIMIT. */
export function checkMemoryLimit(bytes: number, source: string): number {
  if (!Number.isFinite(bytes) || !Number.isInteger(bytes) || bytes < MIN_MEMORY_LIMIT) {
    throw new UsageError(`${source}: the memory limit must be a whole number of bytes of at least ${MIN_MEMORY_LIMIT} (64KB); got ${bytes}`);
  }
  return bytes;
}

/** The limit of a database opened with `option` (bytes): the option, else KEEL_MEMORY_LIMIT, else none (Infinity). */
export function memoryLimitOf(option: number | undefined): number {
  if (option !== undefined) return checkMemoryLimit(option, 'memoryLimit');
  const env = process.env.KEEL_MEMORY_LIMIT;
  if (env === undefined || env === '') return Infinity;
  return parseMemoryLimit(env, 'KEEL_MEMORY_LIMIT');
}

/**
 * Each thread's share of a query's limit when its slices run on `threads`
 * threads at once (the calling thread and the workers): every thread's
 * operators are held to limit / threads, so together they stay under the
 * limit however the tasks fall.
 */
export function threadShare(limit: number, threads: number): number {
  return limit === Infinity ? Infinity : Math.floor(limit / Math.max(1, threads));
}
