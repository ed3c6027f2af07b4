/**
 * What the prompt's main thread and its session thread (session-worker.ts)
 * say to each other, and errors across the thread boundary: typed errors
 * keep their class, code, message and SQL position, so the main thread
 * prints them as the one-shot command does (no stack); a bug keeps its stack.
 */
import { KeelError, SqlError, type ErrorCode, type SourcePosition } from '../../engine/errors.js';
import { isEnvironmentError, storageErrorOf, type QueryStats, type ResultColumn } from '../../engine/index.js';

export type Request =
  | { readonly type: 'run'; readonly id: number; readonly sql: string; readonly cancel: Int32Array }
  | { readonly type: 'schema'; readonly id: number; readonly name: string | null }
  | { readonly type: 'info'; readonly id: number }
  | { readonly type: 'close' };

export interface WireResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: (number | string | boolean | null)[][];
  readonly textRows: (string | null)[][];
  readonly command: string;
  readonly rowCount: number;
  readonly stats: QueryStats;
  /** QueryResult.notice: a warning about a statement that had nothing to do. */
  readonly notice: string | null;
}

export interface DatabaseInfo {
  readonly name: string;
  readonly dir: string;
  readonly slices: number;
  readonly blockRows: number;
  readonly tables: number;
  readonly views: number;
  readonly rows: number;
  readonly bytes: number;
}

export type WireError =
  | { readonly kind: 'sql'; readonly code: ErrorCode; readonly message: string; readonly position?: SourcePosition; readonly sql?: string }
  | { readonly kind: 'keel'; readonly name: string; readonly code: ErrorCode; readonly message: string }
  | { readonly kind: 'bug'; readonly message: string; readonly stack?: string };

export type Reply =
  | { readonly type: 'open'; readonly dir: string }
  | { readonly type: 'result'; readonly id: number; readonly result: WireResult }
  | { readonly type: 'done'; readonly id: number; readonly text?: string | null; readonly info?: DatabaseInfo }
  | { readonly type: 'error'; readonly id: number; readonly error: WireError };

export function toWire(e: unknown): WireError {
  const err = isEnvironmentError(e) ? storageErrorOf(e) : e;
  if (err instanceof SqlError) return { kind: 'sql', code: err.code, message: err.message, ...(err.position ? { position: err.position } : {}), ...(err.sql !== undefined ? { sql: err.sql } : {}) };
  if (err instanceof KeelError) return { kind: 'keel', name: err.name, code: err.code, message: err.message };
  const x = err as Error;
  return { kind: 'bug', message: x?.message ?? String(err), ...(x?.stack ? { stack: x.stack } : {}) };
}

/** The error again, for reportError: a SqlError with its excerpt, a KeelError with its code, a bug with its stack. */
export function fromWire(w: WireError): Error {
  switch (w.kind) {
    case 'sql':
      return new SqlError(w.code, w.message, w.position, w.sql);
    case 'keel': {
      const e = new KeelError(w.code, w.message);
      e.name = w.name;
      return e;
    }
    case 'bug': {
      const e = new Error(w.message);
      if (w.stack) e.stack = w.stack;
      return e;
    }
  }
}
