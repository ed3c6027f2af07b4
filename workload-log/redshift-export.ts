/**
 * keel's own records in the formats a Redshift cluster exports (docs/redshift.md):
 * sys_query_history.csv, sys_query_detail.csv, svv_table_info.csv and
 * pg_stats.csv, with Redshift's column names, so that `keel log import
 * --format redshift` reads keel's export and a cluster's alike. What keel's
 * query records hold becomes SYS_QUERY_DETAIL steps (stepsOf); the tables'
 * sizes and layouts come from keel's svv_table_info, the column statistics
 * from one pass of SQL per table. The advisor's own statements are left out,
 * as a cluster's history would not have them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database } from '../engine/index.js';
import { csvLine } from './csv.js';
import { stepsOf } from './redshift-steps.js';
import { loadWorkload, workloadRecords, type WorkloadFilter } from './mining.js';
import type { LogRecord } from './record.js';

export const HISTORY_COLUMNS = [
  'query_id', 'user_name', 'session_id', 'transaction_id', 'query_type', 'status', 'start_time', 'end_time', 'elapsed_time', 'error_message', 'returned_rows', 'query_text',
] as const;

export const DETAIL_COLUMNS = [
  'query_id', 'child_query_sequence', 'stream_id', 'segment_id', 'step_id', 'step_name', 'table_id', 'table_name',
  'start_time', 'end_time', 'duration', 'input_rows', 'input_bytes', 'output_rows', 'output_bytes', 'blocks_read',
] as const;

/** SVV_TABLE_INFO's columns keel fills; size is in 1 MB blocks as on a cluster, size_bytes (keel's) exact. */
export const TABLE_INFO_COLUMNS = ['schema', 'table_id', 'table', 'diststyle', 'sortkey1', 'sortkey_num', 'tbl_rows', 'size', 'size_bytes', 'skew_rows', 'unsorted'] as const;

export const PG_STATS_COLUMNS = ['schemaname', 'tablename', 'attname', 'null_frac', 'avg_width', 'n_distinct', 'most_common_vals', 'most_common_freqs', 'histogram_bounds'] as const;

/** Most common values exported per column (PostgreSQL's default statistics target keeps up to 100; 10 is what the advisor reads). */
const MCV_LIMIT = 10;
/** A column with at least this share of distinct rows has n_distinct written as a negative fraction, as ANALYZE does when the count grows with the table. */
const DISTINCT_FRACTION = 0.1;

/** Redshift prints timestamps as "2024-05-01 12:34:56.123456" (UTC, no zone). */
function redshiftTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

/** A PostgreSQL array literal ({a,"b c"}), as pg_stats prints anyarray columns. */
export function pgArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => (typeof v === 'number' ? String(v) : v !== '' && !/[{}",\\\s]|^null$/i.test(v) ? v : `"${v.replace(/(["\\])/g, '\\$1')}"`)).join(',')}}`;
}

export interface ExportSummary {
  readonly out: string;
  readonly queries: number;
  readonly steps: number;
  readonly tables: number;
  readonly columns: number;
}

/** Writes the four files into `out` (created when missing). */
export async function exportRedshift(db: Database, out: string, filter: WorkloadFilter = {}): Promise<ExportSummary> {
  fs.mkdirSync(out, { recursive: true });
  const records = [...workloadRecords(loadWorkload(db.dir, filter))].filter((r) => r.source !== 'advisor');
  const queries = writeHistory(path.join(out, 'sys_query_history.csv'), records);
  const steps = writeDetail(path.join(out, 'sys_query_detail.csv'), records, db);
  const tables = await writeTableInfo(path.join(out, 'svv_table_info.csv'), db);
  const columns = await writePgStats(path.join(out, 'pg_stats.csv'), db);
  return { out, queries, steps, tables, columns };
}

function writeFile(file: string, header: readonly string[], rows: Iterable<readonly (string | number | null)[]>): number {
  const lines = [csvLine(header)];
  let n = 0;
  for (const r of rows) {
    lines.push(csvLine(r));
    n++;
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return n;
}

function writeHistory(file: string, records: readonly LogRecord[]): number {
  return writeFile(
    file,
    HISTORY_COLUMNS,
    records.map((r) => {
      const start = Date.parse(r.startTime);
      return [
        r.id, r.user, r.session, r.transactionId ?? null, r.command, r.status === 'ok' ? 'success' : 'failed',
        redshiftTimestamp(start), redshiftTimestamp(start + r.durationMs), Math.round(r.durationMs * 1000), r.error?.message ?? null, r.rowsReturned, r.sql,
      ];
    }),
  );
}

function writeDetail(file: string, records: readonly LogRecord[], db: Database): number {
  const tables = db.catalog().tables;
  return writeFile(
    file,
    DETAIL_COLUMNS,
    (function* () {
      for (const r of records) {
        const start = Date.parse(r.startTime);
        for (const s of stepsOf(r)) {
          yield [
            r.id, 1, 0, s.segment, s.step, s.name, s.table ? (tables[s.table]?.id ?? null) : null, s.table,
            redshiftTimestamp(start), redshiftTimestamp(start + r.durationMs), null, s.inputRows, s.inputBytes, s.outputRows, s.outputBytes, s.blocksRead,
          ];
        }
      }
    })(),
  );
}

async function writeTableInfo(file: string, db: Database): Promise<number> {
  const result = await db.query('select table_id, "table", diststyle, sortkey1, sortkey_num, tbl_rows, size_bytes, skew_rows, unsorted from svv_table_info order by "table"');
  return writeFile(
    file,
    TABLE_INFO_COLUMNS,
    result.textRows().map(([id, table, dist, sort1, sortNum, rows, bytes, skew, unsorted]) => [
      'public', id!, table!, dist!, sort1 ?? null, sortNum!, rows!, Math.ceil(Number(bytes) / 1_048_576), bytes!, skew ?? null, unsorted ?? null,
    ]),
  );
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * pg_stats rows for every column of every table with rows: NULL fraction,
 * average width, distinct values, the most common values and their
 * frequencies, and the smallest and largest value as a two-bound histogram
 * (keel keeps no histograms; the bounds are what it plans ranges with).
 */
async function writePgStats(file: string, db: Database): Promise<number> {
  const rows: (string | number | null)[][] = [];
  for (const t of Object.values(db.catalog().tables).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (t.rows === 0) continue;
    const name = quoteIdent(t.name);
    const cols = t.columns.map((c) => quoteIdent(c.name));
    // one scan for the counts and bounds of every column
    const agg = cols.flatMap((c) => [`count(${c})`, `count(distinct ${c})`, `min(${c})`, `max(${c})`, `avg(length(${c}::varchar))`]);
    const [summary] = (await db.query(`select count(*), ${agg.join(', ')} from ${name}`)).textRows();
    const total = Number(summary![0]);
    for (let k = 0; k < cols.length; k++) {
      const [nonNull, distinct, min, max, width] = summary!.slice(1 + 5 * k, 6 + 5 * k);
      const nn = Number(nonNull);
      const d = Number(distinct);
      const mcv = (await db.query(`select ${cols[k]}::varchar, count(*) from ${name} where ${cols[k]} is not null group by 1 order by 2 desc, 1 limit ${MCV_LIMIT}`)).textRows();
      // values that occur once are not "common" (ANALYZE keeps a value only when it repeats)
      const common = mcv.filter((m) => Number(m[1]) > 1);
      rows.push([
        'public', t.name, t.columns[k]!.name,
        total > 0 ? round6((total - nn) / total) : 0,
        width === null ? 0 : Math.round(Number(width)),
        total > 0 && d / total >= DISTINCT_FRACTION ? -round6(d / total) : d,
        common.length ? pgArray(common.map((m) => m[0]!)) : null,
        common.length ? pgArray(common.map((m) => round6(Number(m[1]) / total))) : null,
        min === null || min === undefined ? null : pgArray([min, max!]),
      ]);
    }
  }
  return writeFile(file, PG_STATS_COLUMNS, rows);
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
