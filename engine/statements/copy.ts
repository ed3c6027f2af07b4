/**
 * COPY t [(cols)] FROM 'file, folder or prefix' [options]: Redshift's bulk
 * load over local files, through the same loader as `keel load`
 * (engine/load); COPY t FROM STDIN reads the same formats (CSV and text) from
 * the data the caller's CopyInput hands over (keel serve: the client's)
 * (engine/load): the options map onto LoadOptions (copyLoadOptions), the files
 * are read one after another into one append, and the append is one catalog
 * change: all or nothing.
 *
 * A record that cannot be loaded becomes a row of stl_load_errors (file,
 * line, column, the raw text, the reason). With MAXERROR n, up to n such
 * records are skipped and the rest is loaded; one more fails the COPY, and
 * nothing is loaded. Errors that are not about one record (a damaged gzip
 * stream or Parquet file, a missing column) always fail it.
 */
import { LoadError, type KeelError } from '../errors.js';
import type { Batch, ColumnDef, Vector } from '../types.js';
import type { ParsedStatement } from '../sql/index.js';
import type * as ast from '../sql/ast.js';
import type { TableMeta } from '../catalog/catalog.js';
import { readFile, readTextStream, type BadRecord, type LoadOptions } from '../load/index.js';
import { sourceFiles } from '../load/files.js';
import { typeLabel } from '../load/values.js';
import { appendRows } from '../storage/tables.js';
import { constantVector } from '../storage/segment-columns.js';
import { cancelledError, isCancelled, type CancelFlag } from '../exec/cancel.js';
import { appendLoadErrors, type LoadErrorRow } from '../catalog/load-errors.js';
import { physicalKind } from '../types.js';
import type { SessionHost } from './host.js';
import { statementError, tableOr, writableTableOr } from './common.js';
import { done, type StatementOutcome } from './outcome.js';
import { runnerOf } from './records.js';

/** The loader's options for a COPY's (format and data conversion options; the bad-record sink is added per run). */
export function copyLoadOptions(o: ast.CopyOptions): LoadOptions {
  if (o.format === 'parquet') return { format: 'parquet', matchByPosition: true };
  const csv = o.format === 'csv';
  return {
    format: 'text',
    delimiter: o.delimiter ?? (csv ? ',' : '|'),
    // Redshift's plain text format has no quoting; CSV's quote is '"' unless QUOTE says otherwise
    quote: csv ? (o.quote ?? '"') : '',
    ignoreHeader: o.ignoreHeader,
    nullAs: o.nullAs ?? '\\N',
    ...(o.gzip ? { gzip: true } : {}),
    emptyAsNull: o.emptyAsNull,
    blanksAsNull: o.blanksAsNull,
    truncateColumns: o.truncateColumns,
    ...(o.acceptInvChars !== null ? { acceptInvChars: o.acceptInvChars } : {}),
    ...(o.dateFormat !== null ? { dateFormat: o.dateFormat } : {}),
    ...(o.timeFormat !== null ? { timeFormat: o.timeFormat } : {}),
  };
}

/** The columns a COPY loads, in the file's order, and for each table column where it comes from (-1: its DEFAULT, NULL when none). */
function loadedColumns(table: TableMeta, s: ast.CopyStatement, p: ParsedStatement): { defs: ColumnDef[]; source: number[] } {
  if (s.columns === null) return { defs: [...table.columns], source: table.columns.map((_, i) => i) };
  const defs: ColumnDef[] = [];
  for (const c of s.columns) {
    const def = table.columns.find((d) => d.name === c.name);
    if (!def) throw statementError('UNKNOWN_COLUMN', `column "${c.name}" of table "${table.name}" does not exist`, c.pos, p);
    if (defs.includes(def)) throw statementError('SYNTAX', `column "${c.name}" is named more than once`, c.pos, p);
    defs.push(def);
  }
  const missing = table.columns.find((d) => d.notNull && d.default === undefined && !defs.includes(d));
  if (missing) throw statementError('INVALID_VALUE', `column "${missing.name}" is NOT NULL and has no default: the column list must include it`, s.columns[0]!.pos, p);
  return { defs, source: table.columns.map((d) => defs.indexOf(d)) };
}

/** A loaded batch as a batch of every table column (those the list left out take their DEFAULT, as in Redshift). */
function widen(b: Batch, table: TableMeta, source: readonly number[]): Batch {
  const columns: Vector[] = source.map((i, c) => (i >= 0 ? b.columns[i]! : constantVector(physicalKind(table.columns[c]!.type), table.columns[c]!.default ?? null, b.length)));
  return { length: b.length, columns };
}

/** The message of a LoadError without the "file, line n, column c: " it starts with. */
function reasonOf(e: LoadError): string {
  const where = [e.file, e.line !== undefined ? `line ${e.line}` : undefined, e.column !== undefined ? `column ${e.column}` : undefined].filter((x) => x !== undefined).join(', ');
  return e.message.startsWith(`${where}: `) ? e.message.slice(where.length + 2) : e.message;
}

/**
 * Where COPY ... FROM STDIN's data comes from: called once the statement has
 * checked its table, with the table, the number of columns it reads and the
 * format; returns the data as it arrives. A source that fails (the client's
 * CopyFail) throws a KeelError, which fails the COPY.
 */
export type CopyInput = (copy: { readonly table: string; readonly columns: number; readonly format: 'text' | 'csv' }) => AsyncIterable<Buffer>;

/** The name COPY FROM STDIN's data goes by in errors and stl_load_errors, as PostgreSQL's "COPY t, line 3" and Redshift's filename. */
const STDIN = 'STDIN';

export async function copy(db: SessionHost, s: ast.CopyStatement, p: ParsedStatement, t0: number, cancel: CancelFlag | null, copyIn?: CopyInput): Promise<StatementOutcome> {
  const o = s.options;
  const source = s.source;
  if (source.kind === 'stdin' && copyIn === undefined) {
    throw statementError('UNSUPPORTED', 'COPY FROM STDIN needs a client that sends the data (keel serve: psql\'s \\copy, a driver\'s copy-in); here, COPY FROM a file', source.pos, p);
  }
  const files = source.kind === 'file' ? sourceFiles(source.path) : [STDIN];
  if (source.kind === 'file' && files.length === 0) {
    throw statementError('FILE_NOT_FOUND', `no file or folder matches '${source.path}' (COPY reads a file, every file of a folder, or every file whose path starts with the name given)`, source.pos, p);
  }
  const startedAt = (Date.now() - (performance.now() - t0)) * 1000;
  const session = runnerOf(db, {}).session;
  const errors: LoadErrorRow[] = [];
  const recorded = new Set<KeelError>();
  let tableId = -1;
  let columnTypes = new Map<string, string>();
  const errorRow = (e: LoadError, rawLine: string, rawField: string | null): LoadErrorRow => ({
    starttime: Math.round(startedAt),
    session,
    tbl: tableId,
    filename: e.file,
    line_number: e.line ?? 0,
    colname: e.column ?? '',
    type: (e.column !== undefined ? columnTypes.get(e.column) : undefined) ?? '',
    raw_line: rawLine,
    raw_field_value: rawField ?? '',
    err_code: e.code,
    err_reason: reasonOf(e),
  });
  const onBadRecord = (bad: BadRecord): void => {
    errors.push(errorRow(bad.error, bad.rawLine, bad.rawField));
    recorded.add(bad.error);
    if (errors.length > o.maxError) throw bad.error;
  };
  const options: LoadOptions = { ...copyLoadOptions(o), ...(o.format !== 'parquet' ? { onBadRecord } : {}) };

  let rows = 0;
  async function* batches(table: TableMeta): AsyncGenerator<Batch> {
    const { defs, source: from } = loadedColumns(table, s, p);
    const read = (file: string) =>
      source.kind === 'stdin' ? readTextStream(STDIN, copyIn!({ table: table.name, columns: defs.length, format: o.format === 'csv' ? 'csv' : 'text' }), defs, options) : readFile(file, defs, options);
    for (const file of files) {
      for await (const b of read(file)) {
        if (isCancelled(cancel)) throw cancelledError();
        rows += b.length;
        yield widen(b, table, from);
      }
    }
  }

  try {
    if (o.noLoad) {
      const table = tableOr(db.catalog(), s.table, p);
      ({ tbl: tableId, types: columnTypes } = describeTable(table));
      for await (const _ of batches(table));
      return done('COPY', t0, 0);
    }
    const loaded = await db.change(async (catalog) => {
      const table = writableTableOr(catalog, s.table, p);
      ({ tbl: tableId, types: columnTypes } = describeTable(table));
      const change = await appendRows(db.dir, catalog, table, batches(table), db.store.segments);
      return {
        catalog: { ...catalog, tables: { ...catalog.tables, [table.name]: change.table } },
        obsolete: change.obsolete.map((f) => db.store.segmentPath(table, f)),
        result: rows,
      };
    });
    return done('COPY', t0, loaded);
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    if (!recorded.has(e)) errors.push(errorRow(e, '', null));
    const stopped = o.maxError > 0 && recorded.has(e) ? `; COPY stopped at bad record ${errors.length} (MAXERROR ${o.maxError})` : '';
    throw new LoadError(e.code, `${reasonOf(e)}${stopped}; nothing was loaded into "${s.table.name}" (details in stl_load_errors)`, e.file, e.line, e.column);
  } finally {
    appendLoadErrors(db.dir, errors);
  }
}

function describeTable(table: TableMeta): { tbl: number; types: Map<string, string> } {
  return { tbl: table.id, types: new Map(table.columns.map((c) => [c.name, typeLabel(c.type)])) };
}
