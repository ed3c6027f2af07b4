/**
 * Importing a Redshift cluster's statistics (docs/redshift.md): CSV exports of
 * SVV_TABLE_INFO (rows, size, skew, layout per table), pg_stats (NULL
 * fraction, distinct values, most common values, bounds per column) and
 * SYS_QUERY_DETAIL (rows and bytes per step of each query), recognised by
 * their headers, with the column names Redshift documents. They go to the
 * data directory's imported statistics (engine/catalog/imported-stats.ts),
 * which make empty tables stats-only and which the history import and the
 * advisor read.
 */
import { LoadError, type Database, type ImportedColumnStats, type ImportedStep, type ImportedTablePart } from '../engine/index.js';
import { readCsv } from './csv.js';

export type RedshiftFileKind = 'sys_query_history' | 'sys_query_detail' | 'svv_table_info' | 'pg_stats';

/** What a header row says the file is, or null. */
export function redshiftFileKind(header: readonly string[]): RedshiftFileKind | null {
  const has = new Set(header.map((h) => h.trim().toLowerCase()));
  if (has.has('step_name') && has.has('query_id')) return 'sys_query_detail';
  if (has.has('query_text') && has.has('start_time')) return 'sys_query_history';
  if (has.has('tbl_rows') && has.has('table')) return 'svv_table_info';
  if (has.has('tablename') && has.has('attname') && has.has('null_frac')) return 'pg_stats';
  return null;
}

/** The first record of a CSV file: its header. */
export async function csvHeader(file: string): Promise<string[] | null> {
  for await (const rec of readCsv(file)) return rec.fields;
  return null;
}

export interface StatsImportSummary {
  readonly file: string;
  readonly kind: Exclude<RedshiftFileKind, 'sys_query_history'>;
  readonly rows: number;
  /** Tables (svv_table_info, pg_stats) or queries (sys_query_detail) the file gave statistics for. */
  readonly imported: number;
  /** Rows not used: no table name, or numbers that are not numbers. */
  readonly skipped: number;
}

/** Rows of a CSV file as name → value lookups (header names lower-cased). */
async function* csvRows(file: string, kind: string): AsyncGenerator<{ line: number; col: (name: string) => string | null }> {
  let columns: Map<string, number> | null = null;
  for await (const rec of readCsv(file)) {
    if (!columns) {
      columns = new Map(rec.fields.map((name, i) => [name.trim().toLowerCase(), i]));
      continue;
    }
    const fields = rec.fields;
    const cols = columns;
    yield {
      line: rec.line,
      col: (name) => {
        const i = cols.get(name);
        if (i === undefined) return null;
        const v = fields[i]?.trim();
        return v === undefined || v === '' ? null : v;
      },
    };
  }
  if (!columns) throw new LoadError('LOAD_FORMAT', `the file is empty: expected a header row and ${kind} rows`, file, 1);
}

/** A count or measure; null when empty; NaN when not a number. */
function num(text: string | null): number | null {
  return text === null ? null : Number(text);
}

/** A table name as keel's catalog holds it: the schema left off, unquoted, lower case (Redshift folds names). */
export function tableName(text: string): string {
  const last = text.trim().split('.').pop()!.trim();
  return last.startsWith('"') && last.endsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last.toLowerCase();
}

/** Bytes per SVV_TABLE_INFO.size unit: Redshift counts 1 MB blocks. */
const BLOCK_BYTES = 1_048_576;

export async function importTableInfo(db: Database, file: string): Promise<StatsImportSummary> {
  const tables: Record<string, ImportedTablePart> = {};
  let rows = 0;
  let skipped = 0;
  for await (const { col } of csvRows(file, 'SVV_TABLE_INFO')) {
    rows++;
    const name = col('table');
    const tblRows = num(col('tbl_rows'));
    const bytes = num(col('size_bytes'));
    const blocks = num(col('size'));
    if (!name || tblRows === null || Number.isNaN(tblRows) || Number.isNaN(bytes ?? 0) || Number.isNaN(blocks ?? 0)) {
      skipped++;
      continue;
    }
    const skew = num(col('skew_rows'));
    const unsorted = num(col('unsorted'));
    tables[tableName(name)] = {
      rows: tblRows,
      sizeBytes: bytes ?? (blocks ?? 0) * BLOCK_BYTES,
      skewRows: skew === null || Number.isNaN(skew) ? null : skew,
      diststyle: col('diststyle'),
      sortkey1: col('sortkey1'),
      unsorted: unsorted === null || Number.isNaN(unsorted) ? null : unsorted,
    };
  }
  db.importStats({ tables });
  return { file, kind: 'svv_table_info', rows, imported: Object.keys(tables).length, skipped };
}

/** The elements of a PostgreSQL array literal ({a,"b c",NULL}); NULL elements are left out. */
export function parsePgArray(text: string): string[] {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return [t];
  const out: string[] = [];
  let i = 1;
  const end = t.length - 1;
  while (i < end) {
    let v = '';
    let quoted = false;
    if (t[i] === '"') {
      quoted = true;
      i++;
      while (i < end && t[i] !== '"') {
        if (t[i] === '\\') i++;
        v += t[i++];
      }
      i++;
    } else {
      while (i < end && t[i] !== ',') v += t[i++];
      v = v.trim();
    }
    if (quoted || v.toUpperCase() !== 'NULL') out.push(v);
    i++; // the comma
  }
  return out;
}

export async function importPgStats(db: Database, file: string): Promise<StatsImportSummary> {
  const known = db.importedStats()?.tables ?? {};
  const catalog = db.catalog().tables;
  const columns: Record<string, Record<string, ImportedColumnStats>> = {};
  let rows = 0;
  let skipped = 0;
  for await (const { col } of csvRows(file, 'pg_stats')) {
    rows++;
    const table = col('tablename');
    const att = col('attname');
    const nullFrac = num(col('null_frac')) ?? 0;
    const nd = num(col('n_distinct'));
    if (!table || !att || Number.isNaN(nullFrac) || Number.isNaN(nd ?? 0)) {
      skipped++;
      continue;
    }
    const name = tableName(table);
    // a negative n_distinct is a fraction of the rows (it grows with the table): a count needs the row count
    const rowCount = known[name]?.rows ?? catalog[name]?.rows ?? 0;
    const distinct = nd === null ? null : nd >= 0 ? nd : rowCount > 0 ? Math.round(-nd * rowCount) : null;
    const mcv = col('most_common_vals');
    const freqs = col('most_common_freqs');
    const bounds = col('histogram_bounds');
    const b = bounds === null ? [] : parsePgArray(bounds);
    (columns[name] ??= {})[tableName(att)] = {
      nullFrac,
      distinct,
      mostCommonVals: mcv === null ? [] : parsePgArray(mcv),
      mostCommonFreqs: freqs === null ? [] : parsePgArray(freqs).map(Number),
      min: b.length ? b[0]! : null,
      max: b.length ? b[b.length - 1]! : null,
    };
  }
  db.importStats({ tables: Object.fromEntries(Object.entries(columns).map(([t, cs]) => [t, { columns: cs }])) });
  return { file, kind: 'pg_stats', rows, imported: Object.keys(columns).length, skipped };
}

export async function importQueryDetail(db: Database, file: string): Promise<StatsImportSummary> {
  const queries: Record<string, ImportedStep[]> = {};
  let rows = 0;
  let skipped = 0;
  const n = (text: string | null) => {
    const x = num(text);
    return x === null || Number.isNaN(x) ? 0 : x;
  };
  for await (const { col } of csvRows(file, 'SYS_QUERY_DETAIL')) {
    rows++;
    const id = col('query_id');
    const step = col('step_name');
    if (!id || !step) {
      skipped++;
      continue;
    }
    const table = col('table_name');
    (queries[id] ??= []).push({
      segment: n(col('segment_id')),
      step: n(col('step_id')),
      name: step.toLowerCase(),
      table: table === null ? null : tableName(table),
      inputRows: n(col('input_rows')),
      inputBytes: n(col('input_bytes')),
      outputRows: n(col('output_rows')),
      outputBytes: n(col('output_bytes')),
      blocksRead: n(col('blocks_read')),
    });
  }
  for (const steps of Object.values(queries)) steps.sort((a, b) => a.segment - b.segment || a.step - b.step);
  db.importStats({ queries });
  return { file, kind: 'sys_query_detail', rows, imported: Object.keys(queries).length, skipped };
}
