/**
 * Importing an Amazon Redshift query history: a CSV export of
 * SYS_QUERY_HISTORY (docs/workload-log.md says how to make one), read so that a
 * Redshift user's real workload can be mined against a keel catalog created
 * from their DDL. Each row becomes one log record (source "redshift") with
 * Redshift's start time, elapsed time, user and status; its SQL is parsed,
 * bound and planned against the catalog (not run) to give the scans,
 * predicates and joins the advisor mines. Rows whose SQL does not parse or
 * bind are still recorded (fingerprint, time, status) and are counted and
 * listed, never fatal. Rows whose query_id was imported before are skipped,
 * so importing overlapping exports does not count a query twice. A query
 * whose steps were imported from SYS_QUERY_DETAIL before (redshift-stats.ts)
 * gets their measured rows and bytes (redshift-steps.ts).
 */
import { fingerprint, KeelError, LoadError, QUERY_RECORD_VERSION, type Database, type QueryRecord } from '../engine/index.js';
import { readCsv } from './csv.js';
import { withSteps } from './redshift-steps.js';
import type { WorkloadLog } from './attach.js';
import type { WorkloadStore } from './store.js';

export interface ImportProblem {
  /** Line of the CSV where the row starts. */
  readonly line: number;
  readonly queryId: string | null;
  /** parse: the SQL is not keel's dialect; bind: it names what the catalog lacks; row: the row itself is unusable. */
  readonly stage: 'parse' | 'bind' | 'row';
  readonly message: string;
  /** The start of the SQL text. */
  readonly sql: string;
}

export interface ImportSummary {
  readonly file: string;
  /** Data rows in the file. */
  readonly rows: number;
  /** Records written to the log. */
  readonly imported: number;
  /** Of those, the ones whose SQL was planned (with scans and joins). */
  readonly planned: number;
  /** Of the planned, the ones with measured rows and bytes from imported SYS_QUERY_DETAIL steps. */
  readonly measured: number;
  readonly notParsed: number;
  readonly notBound: number;
  /** Rows not imported: no SQL or start time, or a query still running. */
  readonly skipped: number;
  /** Rows not imported because a record with their query_id is in the log already (an earlier import). */
  readonly duplicates: number;
  readonly problems: readonly ImportProblem[];
}

export interface ImportOptions {
  onProblem?: (p: ImportProblem) => void;
  /** Problems kept in the summary (all are counted; default 1000). */
  maxProblems?: number;
}

/** SYS_QUERY_HISTORY's status values; the unfinished ones are skipped. */
const STATUS: Record<string, 'ok' | 'error' | null> = {
  success: 'ok',
  failed: 'error',
  canceled: 'error',
  cancelled: 'error',
  aborted: 'error',
  running: null,
  queued: null,
  planning: null,
  returning: null,
};

/** Redshift prints timestamps as "2024-05-01 12:34:56.123456" in UTC. */
export function redshiftTime(s: string): number {
  const t = s.trim();
  if (t === '') return NaN;
  const iso = t.replace(' ', 'T');
  return Date.parse(/[zZ]|[+-]\d\d(:?\d\d)?$/.test(iso) ? iso : iso + 'Z');
}

const PARSE_CODES = new Set(['SYNTAX', 'UNSUPPORTED']);

/** returned_rows as a count of rows; 0 when it is empty or not a count. */
function rowCount(text: string | null): number {
  const n = Number(text ?? '');
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

function excerpt(sql: string): string {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? one.slice(0, 117) + '...' : one;
}

/** Ids of the records imported from Redshift before. */
function importedIds(store: WorkloadStore): Set<string> {
  const ids = new Set<string>();
  for (const part of store.parts()) {
    const q = part.queries;
    const code = q.source.dict.indexOf('redshift');
    if (code < 0) continue;
    for (let i = 0; i < q.length; i++) if (q.source.codes[i] === code) ids.add(q.id.get(i)!);
  }
  return ids;
}

export async function importRedshiftHistory(db: Database, log: WorkloadLog, file: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const maxProblems = options.maxProblems ?? 1000;
  const problems: ImportProblem[] = [];
  const counts = { rows: 0, imported: 0, planned: 0, measured: 0, notParsed: 0, notBound: 0, skipped: 0, duplicates: 0 };
  const steps = db.importedStats()?.queries ?? {};
  const seen = importedIds(log.store);
  const problem = (p: ImportProblem) => {
    if (problems.length < maxProblems) problems.push(p);
    options.onProblem?.(p);
  };
  let columns: Map<string, number> | null = null;
  for await (const rec of readCsv(file)) {
    if (!columns) {
      columns = new Map(rec.fields.map((name, i) => [name.trim().toLowerCase(), i]));
      for (const need of ['query_text', 'start_time']) {
        if (!columns.has(need)) {
          throw new LoadError('LOAD_FORMAT', `no "${need}" column in the header; export SYS_QUERY_HISTORY with a header row (docs/workload-log.md)`, file, 1);
        }
      }
      continue;
    }
    counts.rows++;
    const col = (name: string): string | null => {
      const i = columns!.get(name);
      return i === undefined ? null : (rec.fields[i] ?? null);
    };
    const queryId = col('query_id')?.trim() || null;
    // query_text is CHAR(4000): Redshift pads it with blanks
    const sql = (col('query_text') ?? '').trim();
    const start = redshiftTime(col('start_time') ?? '');
    const statusText = (col('status') ?? 'success').trim().toLowerCase();
    const status = statusText in STATUS ? STATUS[statusText]! : 'ok';
    const rowProblem = sql === '' ? 'no query_text' : Number.isNaN(start) ? `start_time "${col('start_time')}" is not a time` : status === null ? `status "${statusText}": the query had not finished` : null;
    if (rowProblem) {
      counts.skipped++;
      problem({ line: rec.line, queryId, stage: 'row', message: rowProblem, sql: excerpt(sql) });
      continue;
    }
    const id = queryId ? `redshift-${queryId}` : `redshift-line-${rec.line}`;
    if (queryId && seen.has(id)) {
      counts.duplicates++;
      continue;
    }
    seen.add(id);
    const elapsedUs = Number(col('elapsed_time'));
    const end = redshiftTime(col('end_time') ?? '');
    const durationMs = Number.isFinite(elapsedUs) && col('elapsed_time')?.trim() ? elapsedUs / 1000 : Number.isFinite(end) ? end - start : 0;
    const errorMessage = col('error_message')?.trim() || null;
    const input = {
      id,
      startTime: new Date(start).toISOString(),
      durationMs,
      user: (col('user_name') ?? col('usename') ?? col('user_id') ?? '').trim() || 'unknown',
      session: col('session_id')?.trim() || 'unknown',
      status: status!,
      error: status === 'error' ? { code: statusText.toUpperCase(), message: errorMessage ?? statusText } : null,
      // a count or nothing: "1e309" or "lots" must not become a number the record cannot hold (JSON has no Infinity)
      rowsReturned: rowCount(col('returned_rows')),
    };
    let record: QueryRecord;
    try {
      record = db.planRecord(sql, input);
      counts.planned++;
      const measured = queryId ? steps[queryId] : undefined;
      if (measured) {
        record = withSteps(record, measured);
        counts.measured++;
      }
    } catch (e) {
      if (!(e instanceof KeelError)) throw e;
      const stage = PARSE_CODES.has(e.code) ? 'parse' : 'bind';
      if (stage === 'parse') counts.notParsed++;
      else counts.notBound++;
      problem({ line: rec.line, queryId, stage, message: e.message, sql: excerpt(sql) });
      record = {
        version: QUERY_RECORD_VERSION,
        ...input,
        sql,
        fingerprint: fingerprint(sql),
        command: (col('query_type')?.trim() || sql.split(/\s+/)[0]!).toUpperCase(),
        rowsMoved: 0,
        bytesMoved: 0,
        blocksTotal: 0,
        blocksScanned: 0,
        blocksSkipped: 0,
        scans: [],
        joins: [],
        groupBy: [],
        orderBy: [],
      };
    }
    // Redshift says when its result cache answered: the record keeps it (QueryRecord.resultCacheHit)
    const cached = ['t', 'true', '1'].includes(col('result_cache_hit')?.trim().toLowerCase() ?? '');
    log.append({ ...record, ...(cached ? { resultCacheHit: true as const } : {}), source: 'redshift' });
    counts.imported++;
  }
  if (!columns) throw new LoadError('LOAD_FORMAT', `the file is empty: expected a header row and SYS_QUERY_HISTORY rows`, file, 1);
  log.sync();
  return { file, ...counts, problems };
}
