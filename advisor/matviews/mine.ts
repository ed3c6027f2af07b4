/**
 * What the view advisor reads from the workload log: every successful SELECT
 * that joined or grouped (the repeated work a materialized view can keep),
 * grouped by its exact text, with its executions and time; which of them a
 * materialized view already answered (their scans read a view's table); how
 * fast this machine reads rows; and how often each table changed.
 *
 * One pass over the log's columns per question; the SQL text is decoded only
 * for the rows selected.
 */
import { tokenize } from '../../engine/sql/lexer.js';
import type { Workload } from '../../workload-log/index.js';

/** A view's rows live in mv_tbl__<name>__0 (engine/statements/materialized-view.ts). */
const VIEW_TABLE = /^mv_tbl__(.+)__0$/;

/** The view whose rows `table` holds, by the engine's naming, or null. */
export function viewOfStorageTable(table: string): string | null {
  const m = VIEW_TABLE.exec(table);
  return m ? m[1]! : null;
}

/** One query text of the log that joined or grouped, with its executions. */
export interface MinedQuery {
  readonly sql: string;
  readonly fingerprint: string;
  /** Executions in the window. */
  readonly count: number;
  /** Their summed duration, ms. */
  readonly totalMs: number;
  /** The most rows one execution returned. */
  readonly maxRows: number;
  /** Tables its scans read. */
  readonly tables: readonly string[];
}

export interface MinedWorkload {
  /** Queries a base-table plan answered (candidates for a view). */
  readonly queries: readonly MinedQuery[];
  /** ms per row scanned, and the least time any query that scanned took, ms (see FALLBACK_MS_PER_ROW). */
  readonly msPerRow: number;
  readonly msPerQuery: number;
  /** Per table, statements that changed it (INSERT, COPY, DELETE, UPDATE, MERGE, TRUNCATE) in the window. */
  readonly changes: ReadonlyMap<string, number>;
}

/**
 * Reading a view costs what the cheapest logged query that scanned anything
 * took (every query pays parsing, planning and a scan's setup), plus its rows
 * at what the logged queries that scanned at least LARGE_SCAN rows spent per
 * row (below that the fixed costs dominate the ratio). Those queries also
 * joined and aggregated, so this overstates the cost of reading a view's
 * rows, which keeps the estimate of a view's benefit on the low side. A log
 * without such scans falls back to 1e-4 ms a row, ten million rows a second,
 * about what keel's scans reach on one core (docs/performance.md).
 */
const FALLBACK_MS_PER_ROW = 1e-4;
const LARGE_SCAN = 10_000;

const CHANGE_COMMANDS = new Set(['INSERT', 'COPY', 'DELETE', 'UPDATE', 'MERGE', 'TRUNCATE', 'LOAD']);

export function mineWorkload(w: Workload): MinedWorkload {
  const bySql = new Map<string, { fingerprint: string; count: number; totalMs: number; maxRows: number; tables: Set<string> }>();
  const changes = new Map<string, number>();
  let ms = 0;
  let rows = 0;
  let least = Infinity;
  w.parts.forEach((part, k) => {
    const q = part.queries;
    const s = part.scans;
    const mask = w.masks[k];
    const selectCode = q.command.dict.indexOf('SELECT');
    const advisorCode = q.source.dict.indexOf('advisor');
    const emptyGroup = q.groupBy.dict.indexOf('');
    // per query: 1 joined or grouped, 2 read a view's table (already answered by a view)
    const mark = new Uint8Array(q.length);
    const scanned = new Float64Array(q.length);
    const viewTable = s.table.dict.map((t) => viewOfStorageTable(t) !== null);
    for (let i = 0; i < s.length; i++) {
      const qi = s.query[i]!;
      scanned[qi] += s.rowsScanned[i]!;
      if (viewTable[s.table.codes[i]!]) mark[qi] = 2;
    }
    for (let j = 0; j < part.joins.length; j++) {
      const qi = part.joins.query[j]!;
      if (mark[qi] === 0) mark[qi] = 1;
    }
    for (let i = 0; i < q.length; i++) {
      if ((mask && !mask[i]) || q.status[i] !== 0 || q.source.codes[i] === advisorCode) continue;
      const command = q.command.codes[i]!;
      if (command !== selectCode) {
        if (CHANGE_COMMANDS.has(q.command.dict[command]!)) {
          const t = changedTable(q.sql.get(i) ?? '');
          if (t !== null) changes.set(t, (changes.get(t) ?? 0) + 1);
        }
        continue;
      }
      if (q.resultCacheHit[i] === 1) continue;
      if (mark[i] === 0 && q.groupBy.codes[i] !== emptyGroup && q.groupBy.codes[i]! >= 0) mark[i] = 1;
      if (scanned[i]! >= LARGE_SCAN) {
        ms += q.durationMs[i]!;
        rows += scanned[i]!;
      }
      if (scanned[i]! > 0 && q.durationMs[i]! < least) least = q.durationMs[i]!;
      if (mark[i] !== 1) continue;
      const sql = q.sql.get(i);
      if (sql === null) continue;
      let a = bySql.get(sql);
      if (!a) bySql.set(sql, (a = { fingerprint: q.fingerprint.dict[q.fingerprint.codes[i]!]!, count: 0, totalMs: 0, maxRows: 0, tables: new Set() }));
      a.count++;
      a.totalMs += q.durationMs[i]!;
      if (q.rowsReturned[i]! > a.maxRows) a.maxRows = q.rowsReturned[i]!;
    }
    // the tables of the selected queries, once they are known
    for (let i = 0; i < s.length; i++) {
      const qi = s.query[i]!;
      if (mark[qi] !== 1) continue;
      const sql = q.sql.get(qi);
      const a = sql === null ? undefined : bySql.get(sql);
      a?.tables.add(s.table.dict[s.table.codes[i]!]!);
    }
  });
  const queries = [...bySql].map(([sql, a]) => ({ sql, fingerprint: a.fingerprint, count: a.count, totalMs: a.totalMs, maxRows: a.maxRows, tables: [...a.tables].sort() }));
  queries.sort((a, b) => b.totalMs - a.totalMs || (a.sql < b.sql ? -1 : 1));
  return { queries, msPerRow: rows > 0 ? ms / rows : FALLBACK_MS_PER_ROW, msPerQuery: least === Infinity ? 0 : least, changes };
}

/** The table an INSERT, COPY, DELETE, UPDATE, MERGE or TRUNCATE writes: the name after its leading keywords. */
export function changedTable(sql: string): string | null {
  let tokens;
  try {
    tokens = tokenize(sql);
  } catch {
    return null;
  }
  const skip = new Set(['insert', 'into', 'copy', 'delete', 'from', 'update', 'merge', 'truncate', 'table', 'only']);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'word' && skip.has(t.value)) continue;
    if (t.kind !== 'word' && t.kind !== 'qident') return null;
    // schema.table: the table
    if (tokens[i + 1]?.kind === 'op' && tokens[i + 1]!.value === '.' && tokens[i + 2]) return tokens[i + 2]!.value;
    return t.value;
  }
  return null;
}
