/** Who runs a statement, and the query record of one that failed. */
import { randomUUID } from 'node:crypto';
import { KeelError } from '../errors.js';
import { buildRecord, emptyRecordParts, type RecordParts } from '../record-builder.js';
import { fingerprint } from '../sql/fingerprint.js';
import type { SessionHost } from './host.js';
import { zeroStats } from './outcome.js';
import type { Principal } from './privileges.js';
import type { RefreshEntry } from '../catalog/catalog.js';
import { quoteIdentifier } from '../sql/lexer.js';

/** Who runs a statement, for its query record: the call's settings, else the database's, else the OS user and this process. */
export interface Runner {
  readonly user?: string;
  readonly session?: string;
}

/** Who a record names: the user and session, and the catalog user's id when the session acts as one (QueryRecord.userId). */
export interface RecordWho {
  readonly user: string;
  readonly session: string;
  readonly userId?: number;
}

export function runnerOf(db: Pick<SessionHost, 'options'> & { readonly principal?: Principal }, runner: Runner): RecordWho {
  return {
    user: runner.user ?? db.options.user ?? process.env.USER ?? 'keel',
    session: runner.session ?? db.options.session ?? String(process.pid),
    ...(db.principal?.kind === 'user' ? { userId: db.principal.id } : {}),
  };
}

export function failedRecord(who: RecordWho, text: string, t0: number, e: unknown, transactionId: string, parts: RecordParts = emptyRecordParts(), queueMs?: number) {
  const elapsed = performance.now() - t0;
  return buildRecord({
    id: randomUUID(),
    startTime: new Date(Date.now() - elapsed).toISOString(),
    durationMs: elapsed,
    ...who,
    sql: text,
    fingerprint: safeFingerprint(text),
    command: 'ERROR',
    status: 'error',
    error: { code: e instanceof KeelError ? e.code : 'INTERNAL', message: e instanceof Error ? e.message : String(e) },
    stats: zeroStats(elapsed),
    rowsReturned: 0,
    transactionId,
    ...(queueMs !== undefined ? { queueMs } : {}),
    parts,
  });
}

function safeFingerprint(text: string): string {
  try {
    return fingerprint(text);
  } catch {
    return text.trim().replace(/\s+/g, ' ').toLowerCase();
  }
}

/**
 * The query record of a refresh that AUTO REFRESH ran in the background
 * (matview/auto-refresh.ts): written as the REFRESH statement it stands for,
 * timed as the refresh's own record times it, so that what a view's
 * refreshes cost is in the workload log however they were started (the
 * catalog keeps only a view's latest refreshes, MAX_REFRESH_ENTRIES).
 */
export function autoRefreshRecord(who: RecordWho, name: string, entry: RefreshEntry) {
  const sql = `REFRESH MATERIALIZED VIEW ${quoteIdentifier(name)}`;
  const durationMs = entry.endedAt - entry.startedAt;
  return buildRecord({
    id: randomUUID(),
    startTime: new Date(entry.startedAt).toISOString(),
    durationMs,
    ...who,
    sql,
    fingerprint: fingerprint(sql),
    command: 'REFRESH MATERIALIZED VIEW',
    status: 'ok',
    error: null,
    stats: zeroStats(durationMs),
    rowsReturned: 0,
    // committed on its own, never in the session's block
    transactionId: randomUUID(),
    parts: emptyRecordParts(),
  });
}
