/**
 * ALTER TABLE in the background (Database.alterInBackground): the statement is
 * checked like a plain ALTER, then the table is rebuilt online
 * (storage/online-rewrite.ts) while queries keep running on the current
 * version, and swapped in with one commit. It leaves one query record, as the
 * same statement run through execute() would.
 */
import { randomUUID } from 'node:crypto';
import { SqlError, positionAt } from './errors.js';
import { parseStatements } from './sql/index.js';
import type * as ast from './sql/ast.js';
import type { SessionHost } from './statements/host.js';
import { alteredLayout } from './statements/ddl.js';
import { failedRecord, runnerOf, type Runner } from './statements/records.js';
import { zeroStats } from './statements/outcome.js';
import { buildRecord, emptyRecordParts } from './record-builder.js';
import { fingerprint } from './sql/fingerprint.js';
import { rewriteOnline, type RewriteProgress } from './storage/online-rewrite.js';
import type { Layout } from './storage/tables.js';

export type { RewriteProgress };

export interface AlterInBackgroundOptions extends Runner {
  /** Cap on bytes written per second by the rebuild, averaged over it; no cap when absent. */
  maxBytesPerSecond?: number;
  /**
   * The change is the advisor's: the setting stays AUTO (svv_table_info shows
   * AUTO(KEY(c)), AUTO(ALL), AUTO(EVEN); sortAuto and encodingExplicit stay
   * unset), so the advisor may change it again. An ALL or EVEN chosen this way
   * is kept as the table grows. Without it the ALTER is the user's, as in DDL.
   * Per setting when the statement has several actions: which of them stay AUTO.
   */
  keepAuto?: boolean | KeepAuto;
  /** Aborts the rebuild (StorageError ABORTED); the table keeps its current version. */
  signal?: AbortSignal;
  onProgress?: (p: RewriteProgress) => void;
  /** Asked between steps of the rebuild; while it returns true the rebuild sleeps (e.g. while the load is high). */
  pauseWhile?: () => boolean;
}

export interface AlterInBackgroundResult {
  readonly elapsedMs: number;
  /** Rows in the new version. */
  readonly rowsWritten: number;
  /** Encoded bytes written by the rebuild. */
  readonly bytesWritten: number;
}

/** Which settings of a several-action ALTER stay AUTO. */
export interface KeepAuto {
  readonly distribution?: boolean;
  readonly sortKey?: boolean;
  /** Columns whose ENCODE stays AUTO-managed. */
  readonly columns?: readonly string[];
}

function keeps(keep: boolean | KeepAuto, action: ast.AlterAction): boolean {
  if (typeof keep === 'boolean') return keep;
  switch (action.kind) {
    case 'distKey':
    case 'distStyle':
      return keep.distribution === true;
    case 'sortKey':
      return keep.sortKey === true;
    case 'encode':
      return keep.columns?.includes(action.column.name) === true;
    case 'encodeAuto':
      return false;
  }
}

/** The layout the advisor's apply gives: the ALTER's settings (those `keep` names), still AUTO. */
function keptAuto(layout: Layout, actions: readonly ast.AlterAction[], keep: boolean | KeepAuto): Layout {
  return actions.filter((a) => keeps(keep, a)).reduce(keptAutoBy, layout);
}

function keptAutoBy(layout: Layout, action: ast.AlterAction): Layout {
  switch (action.kind) {
    case 'distStyle':
      if (action.style === 'auto') return layout;
      return { ...layout, distAuto: true, distPinned: true };
    case 'distKey':
      return { ...layout, distAuto: true, distPinned: true };
    case 'sortKey':
      return { ...layout, sortAuto: true };
    case 'encode':
      return { ...layout, columns: layout.columns.map((c) => (c.name === action.column.name ? { ...c, encodingExplicit: false } : c)) };
    case 'encodeAuto':
      return layout;
  }
}

export async function alterInBackground(db: SessionHost, sql: string, options: AlterInBackgroundOptions = {}): Promise<AlterInBackgroundResult> {
  const t0 = performance.now();
  const who = runnerOf(db, options);
  let text = sql;
  try {
    const parsed = parseStatements(sql);
    if (parsed.length !== 1) throw new SqlError('SYNTAX', `alterInBackground takes one ALTER TABLE statement, got ${parsed.length} statements`);
    const p = parsed[0]!;
    text = p.text;
    const s = p.statement;
    if (s.kind !== 'alterTable') {
      throw new SqlError('UNSUPPORTED', 'alterInBackground takes an ALTER TABLE statement (DISTKEY, DISTSTYLE, SORTKEY or COLUMN ... ENCODE)', positionAt(p.text, s.pos), p.text);
    }
    // the rebuild commits on its own, outside the block, and would wait for the block's own writer lock
    if (db.transaction.inBlock) {
      throw new SqlError('UNSUPPORTED', 'ALTER TABLE in the background cannot run inside a transaction block; COMMIT or ROLLBACK first (ALTER TABLE as a statement can)', positionAt(p.text, s.pos), p.text);
    }
    const catalog = db.catalog();
    if (!catalog.tables[s.table.name]) {
      const what = catalog.views[s.table.name] ? `"${s.table.name}" is a view, not a table` : `table "${s.table.name}" does not exist`;
      throw new SqlError('UNKNOWN_TABLE', what, positionAt(p.text, s.table.pos), p.text);
    }
    const done = await rewriteOnline(
      db.store,
      s.table.name,
      (table, cat) => {
        const layout = alteredLayout(table, s.actions, p, cat);
        return options.keepAuto ? keptAuto(layout, s.actions, options.keepAuto) : layout;
      },
      { maxBytesPerSecond: options.maxBytesPerSecond, signal: options.signal, onProgress: options.onProgress, pauseWhile: options.pauseWhile },
    );
    const elapsedMs = performance.now() - t0;
    db.emitRecord(
      buildRecord({
        id: randomUUID(),
        startTime: new Date(Date.now() - elapsedMs).toISOString(),
        durationMs: elapsedMs,
        ...who,
        sql: p.text,
        fingerprint: fingerprint(p.text),
        command: 'ALTER TABLE',
        status: 'ok',
        error: null,
        stats: zeroStats(elapsedMs),
        rowsReturned: 0,
        // a background ALTER is a transaction of its own
        transactionId: randomUUID(),
        parts: emptyRecordParts(),
      }),
    );
    return { elapsedMs, rowsWritten: done.rowsWritten, bytesWritten: done.bytesWritten };
  } catch (e) {
    db.emitRecord(failedRecord(who, text, t0, e, randomUUID()));
    throw e;
  }
}
