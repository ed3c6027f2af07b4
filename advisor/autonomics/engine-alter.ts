/**
 * The one place the autonomics loop changes a table: through the engine's
 * online ALTER (a new table version built while queries continue, swapped in
 * atomically) when the engine has it, else the ordinary ALTER TABLE, which is
 * just as atomic but holds this process's queries while it rewrites.
 */
import type { Database, KeepAuto } from '../../engine/index.js';
import { statementsOf } from './layout.js';

export interface AlterOptions {
  /** Rewrite rate cap (bytes per second). */
  readonly maxBytesPerSecond?: number;
  /** The setting changed was AUTO: keep the table AUTO-managed afterwards. */
  readonly keepAuto?: boolean | KeepAuto;
  /** Abandons the rebuild (the old version stays). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: unknown) => void;
}

export interface AlterOutcome {
  readonly elapsedMs: number;
  readonly rowsWritten: number;
  readonly bytesWritten: number;
  /** Whether the engine's online (background) rebuild ran it. */
  readonly online: boolean;
}

type OnlineAlter = (sql: string, options: AlterOptions) => Promise<{ elapsedMs: number; rowsWritten: number; bytesWritten: number }>;

/** Whether this engine builds the new version while queries continue. */
export function hasOnlineAlter(db: Database): boolean {
  return typeof (db as unknown as { alterInBackground?: unknown }).alterInBackground === 'function';
}

/** Runs each ALTER TABLE statement of `ddl` in order. */
export async function runAlter(db: Database, ddl: string, options: AlterOptions = {}): Promise<AlterOutcome> {
  const online = (db as unknown as { alterInBackground?: OnlineAlter }).alterInBackground;
  let elapsedMs = 0;
  let rowsWritten = 0;
  let bytesWritten = 0;
  for (const sql of statementsOf(ddl)) {
    options.signal?.throwIfAborted();
    if (typeof online === 'function') {
      const o = await online.call(db, sql, {
        ...(options.maxBytesPerSecond !== undefined ? { maxBytesPerSecond: options.maxBytesPerSecond } : {}),
        ...(options.keepAuto !== undefined ? { keepAuto: options.keepAuto } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      elapsedMs += o.elapsedMs;
      rowsWritten += o.rowsWritten;
      bytesWritten += o.bytesWritten;
    } else {
      const t0 = performance.now();
      const [r] = await db.execute(sql, undefined, { user: 'advisor' });
      elapsedMs += performance.now() - t0;
      rowsWritten += r?.rowCount ?? 0;
    }
  }
  return { elapsedMs, rowsWritten, bytesWritten, online: typeof online === 'function' };
}
