/**
 * `keel log import --format redshift FILE|DIR ...`: every CSV file named (a
 * directory stands for the .csv files in it) is recognised by its header and
 * imported in the order that lets each use the ones before: table info (row
 * counts, which pg_stats' fractional n_distinct needs), column statistics,
 * query steps, and the query history last (its records take the steps).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LoadError, type Database } from '../engine/index.js';
import type { WorkloadLog } from './attach.js';
import { importRedshiftHistory, type ImportOptions, type ImportSummary } from './redshift.js';
import { csvHeader, importPgStats, importQueryDetail, importTableInfo, redshiftFileKind, type RedshiftFileKind, type StatsImportSummary } from './redshift-stats.js';

const ORDER: readonly RedshiftFileKind[] = ['svv_table_info', 'pg_stats', 'sys_query_detail', 'sys_query_history'];

export type FileSummary = ({ readonly kind: 'sys_query_history' } & ImportSummary) | StatsImportSummary;

/** The files `paths` name, with what each header says it is; throws on a file that is none of the four. */
export async function redshiftFiles(paths: readonly string[]): Promise<{ file: string; kind: RedshiftFileKind }[]> {
  const files: string[] = [];
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) {
      for (const f of fs.readdirSync(p).sort()) if (f.toLowerCase().endsWith('.csv')) files.push(path.join(p, f));
    } else files.push(p);
  }
  const out: { file: string; kind: RedshiftFileKind }[] = [];
  for (const file of files) {
    const header = await csvHeader(file);
    const kind = header ? redshiftFileKind(header) : null;
    if (!kind) {
      throw new LoadError(
        'LOAD_FORMAT',
        `not a Redshift export this import reads: its header names none of SYS_QUERY_HISTORY (query_text, start_time), SYS_QUERY_DETAIL (query_id, step_name), SVV_TABLE_INFO (table, tbl_rows) or pg_stats (tablename, attname, null_frac) (docs/redshift.md)`,
        file,
        1,
      );
    }
    out.push({ file, kind });
  }
  return out.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}

export async function importRedshiftFiles(db: Database, log: WorkloadLog, paths: readonly string[], options: ImportOptions = {}): Promise<FileSummary[]> {
  const summaries: FileSummary[] = [];
  for (const { file, kind } of await redshiftFiles(paths)) {
    switch (kind) {
      case 'svv_table_info':
        summaries.push(await importTableInfo(db, file));
        break;
      case 'pg_stats':
        summaries.push(await importPgStats(db, file));
        break;
      case 'sys_query_detail':
        summaries.push(await importQueryDetail(db, file));
        break;
      case 'sys_query_history':
        summaries.push({ kind, ...(await importRedshiftHistory(db, log, file, options)) });
        break;
    }
  }
  return summaries;
}
