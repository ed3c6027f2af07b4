/**
 * stl_load_errors, as in Redshift: one row per record a COPY could not load,
 * whether the COPY then failed (MAXERROR exceeded, or 0) or skipped it.
 *
 * The rows outlive the process (a COPY run by `keel sql` is looked into by the
 * next one), so they are appended to DIR/stl_load_errors.jsonl, one JSON
 * object a line, outside the catalog: they record attempts, not table state,
 * and a COPY that fails commits nothing else. Like Redshift's STL tables the
 * log is bounded: past MAX_BYTES it keeps its newer half. A line cut short by
 * a crash is skipped when read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlType } from '../types.js';
import type { PhysicalValue } from '../rows.js';
import { rowsTable, type SystemTable } from './system-tables.js';

export const LOAD_ERRORS_FILE = 'stl_load_errors.jsonl';
/** When the log passes this size it is cut to its newer half (about 10,000 rows of 400 bytes). */
const MAX_BYTES = 4 << 20;

export interface LoadErrorRow {
  /** Microseconds since epoch when the COPY started. */
  readonly starttime: number;
  readonly session: string;
  /** The table's id (svv_table_info.table_id). */
  readonly tbl: number;
  readonly filename: string;
  /** 1-based line of the record in the (decompressed) file, or row of a Parquet file; 0 when the whole file failed. */
  readonly line_number: number;
  readonly colname: string;
  readonly type: string;
  readonly raw_line: string;
  readonly raw_field_value: string;
  /** The error's code (LOAD_VALUE, LOAD_FORMAT, ...). */
  readonly err_code: string;
  readonly err_reason: string;
}

const VARCHAR = (n: number): SqlType => ({ id: 'varchar', length: n });

const FIELDS: readonly { readonly name: keyof LoadErrorRow; readonly type: SqlType }[] = [
  { name: 'starttime', type: { id: 'timestamp' } },
  { name: 'session', type: VARCHAR(64) },
  { name: 'tbl', type: { id: 'integer' } },
  { name: 'filename', type: VARCHAR(256) },
  { name: 'line_number', type: { id: 'bigint' } },
  { name: 'colname', type: VARCHAR(127) },
  { name: 'type', type: VARCHAR(32) },
  { name: 'raw_line', type: VARCHAR(4096) },
  { name: 'raw_field_value', type: VARCHAR(4096) },
  { name: 'err_code', type: VARCHAR(32) },
  { name: 'err_reason', type: VARCHAR(512) },
];

/** Appends rows to the data directory's load error log. */
export function appendLoadErrors(dir: string, rows: readonly LoadErrorRow[]): void {
  if (rows.length === 0) return;
  const file = path.join(dir, LOAD_ERRORS_FILE);
  fs.appendFileSync(file, rows.map((r) => JSON.stringify(r) + '\n').join(''));
  if (fs.statSync(file).size > MAX_BYTES) {
    const text = fs.readFileSync(file, 'utf8');
    const keep = text.slice(text.indexOf('\n', text.length >> 1) + 1);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, keep);
    fs.renameSync(tmp, file);
  }
}

/** The rows of the log, oldest first. */
export function readLoadErrors(dir: string): LoadErrorRow[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, LOAD_ERRORS_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const rows: LoadErrorRow[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      rows.push(JSON.parse(line) as LoadErrorRow);
    } catch {
      // a line a crash cut short
    }
  }
  return rows;
}

/** stl_load_errors over the log of data directory `dir()`. */
export function stlLoadErrors(dir: () => string): SystemTable {
  return rowsTable(
    'stl_load_errors',
    FIELDS.map((f) => ({ name: f.name, type: f.type })),
    () => readLoadErrors(dir()).map((r) => FIELDS.map((f) => (r[f.name] ?? null) as PhysicalValue)),
  );
}
