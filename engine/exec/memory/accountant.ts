/**
 * A query's memory accountant: the bytes held by its big operator states
 * (sort buffers, hash aggregate tables, join build tables), against the
 * query's memory limit. Operators reserve before they grow and release when
 * they are done; an operator that can spill asks tryReserve and spills on a
 * refusal, one that cannot calls reserve, which fails with ExecError
 * MEMORY_LIMIT naming it. It counts what those operators report (estimates
 * of their typed arrays and dictionaries, docs/memory.md), not the process's
 * heap: batches in flight, exchanges' buffers and compiled code are not in it.
 */
import { ExecError } from '../../errors.js';

export class MemoryAccountant {
  /** Bytes reserved now, and the most reserved at once. */
  used = 0;
  peak = 0;

  /** `limit`: bytes, Infinity for none. */
  constructor(readonly limit: number) {}

  get limited(): boolean {
    return this.limit !== Infinity;
  }

  /** Reserves `bytes` when they fit under the limit; false (nothing reserved) when they do not. */
  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    if (this.used > this.peak) this.peak = this.used;
    return true;
  }

  /** Reserves `bytes` or fails with MEMORY_LIMIT naming `operator` (one that cannot spill, or cannot spill further). */
  reserve(bytes: number, operator: string): void {
    if (!this.tryReserve(bytes)) throw memoryLimitError(operator, this.used + bytes, this.limit);
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

export function memoryLimitError(operator: string, wanted: number, limit: number): ExecError {
  return new ExecError(
    'MEMORY_LIMIT',
    `${operator} needs about ${formatBytes(wanted)} of memory, over the query's memory limit of ${formatBytes(limit)} (set with memoryLimit, --memory-limit or KEEL_MEMORY_LIMIT)`,
  );
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KB`;
  return `${n} bytes`;
}
