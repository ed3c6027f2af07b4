/**
 * File loaders: delimited text (optionally gzip'd), Parquet and Arrow IPC, each
 * read as a stream of batches in the table's physical form (engine/types.ts).
 *
 *   for await (const b of readFile('lineitem.tbl.gz', table.columns)) writer.add(b);
 *
 * Every bad value or malformed record throws a LoadError naming the file, the line
 * (text: the physical line where the record starts; Parquet/Arrow: the 1-based
 * row) and the column. Nothing is retried or skipped: the consumer (Database.load)
 * discards the whole load on error. docs/loading.md is the user guide.
 */
import * as fs from 'node:fs';
import { LoadError } from '../errors.js';
import type { Batch, ColumnDef } from '../types.js';
import { readDelimited } from './delimited.js';
import { readSandboxed } from './sandbox.js';

export interface LoadOptions {
  /** Default: by extension: .parquet → parquet; .arrow, .arrows, .ipc, .feather → arrow; anything else text (gzip'd when it ends in .gz or starts with gzip's magic bytes). */
  format?: 'text' | 'parquet' | 'arrow';
  /** Text: one character; the two characters `\t` also mean tab. Default '|' for .tbl, ',' for .csv, tab for .tsv (also with .gz), else '|'. */
  delimiter?: string;
  /** Text: the first record is a header and is skipped (columns are matched by position). */
  header?: boolean;
  /** Text: an unquoted field equal to this is NULL. Default `\N`. Empty unquoted fields are NULL in every column. */
  nullAs?: string;
  /** Text: the quote character, default '"'; '' turns quoting off. */
  quote?: string;
  /** Rows per batch, default 65,536. */
  batchRows?: number;
}

/** A batch plus progress: bytes of the file consumed so far (compressed bytes for .gz) and the file's size. */
export interface LoadedBatch extends Batch {
  readonly bytesRead: number;
  readonly totalBytes: number;
}

export const DEFAULT_BATCH_ROWS = 65_536;

/** The format a file name implies. */
export function formatOf(file: string): 'text' | 'parquet' | 'arrow' {
  const lower = file.toLowerCase();
  if (lower.endsWith('.parquet') || lower.endsWith('.pq')) return 'parquet';
  if (lower.endsWith('.arrow') || lower.endsWith('.ipc') || lower.endsWith('.feather') || lower.endsWith('.arrows')) return 'arrow';
  return 'text';
}

/** The delimiter a text file name implies. */
export function defaultDelimiter(file: string): string {
  const lower = file.toLowerCase().replace(/\.gz$/, '');
  if (lower.endsWith('.csv')) return ',';
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return '\t';
  return '|';
}

/** Reads a file as batches of the given columns. */
export async function* readFile(file: string, columns: readonly ColumnDef[], options: LoadOptions = {}): AsyncGenerator<LoadedBatch> {
  if (columns.length === 0) throw new LoadError('LOAD_FORMAT', 'the table has no columns', file);
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isInteger(batchRows) || batchRows < 1) throw new LoadError('LOAD_FORMAT', `batchRows must be a positive integer, got ${batchRows}`, file);
  let totalBytes: number;
  try {
    const st = await fs.promises.stat(file);
    if (!st.isFile()) throw new LoadError('FILE_NOT_FOUND', 'not a regular file', file);
    totalBytes = st.size;
  } catch (err) {
    if (err instanceof LoadError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new LoadError('FILE_NOT_FOUND', 'no such file', file);
    throw new LoadError('IO', `cannot read the file: ${(err as Error).message}`, file);
  }
  const format = options.format ?? formatOf(file);
  switch (format) {
    case 'text': {
      const delimiter = resolveDelimiter(options.delimiter ?? defaultDelimiter(file), file);
      const quote = options.quote ?? '"';
      if (quote.length > 1 || quote === '\n' || quote === '\r') throw new LoadError('LOAD_FORMAT', `quote must be one character or empty, got ${JSON.stringify(quote)}`, file);
      if (quote === delimiter) throw new LoadError('LOAD_FORMAT', 'quote and delimiter must differ', file);
      const nullAs = options.nullAs ?? '\\N';
      if (/[\r\n]/.test(nullAs) || (delimiter !== '' && nullAs.includes(delimiter))) {
        throw new LoadError('LOAD_FORMAT', `the NULL marker ${JSON.stringify(nullAs)} cannot contain the delimiter or a newline`, file);
      }
      const gzip = file.toLowerCase().endsWith('.gz') || (await startsWithGzipMagic(file));
      yield* readDelimited(file, columns, { delimiter, quote, nullAs, header: options.header ?? false, batchRows, gzip }, totalBytes);
      return;
    }
    case 'parquet':
    case 'arrow':
      // in a worker thread with a heap of its own: a damaged file cannot take the process down (sandbox.ts)
      yield* readSandboxed({ format, file, columns, batchRows, totalBytes });
      return;
    default:
      throw new LoadError('LOAD_FORMAT', `unknown format ${JSON.stringify(format)}`, file);
  }
}

/** Whether the file starts with gzip's magic bytes (never valid UTF-8 text, so sniffing is safe). */
async function startsWithGzipMagic(file: string): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function resolveDelimiter(d: string, file: string): string {
  if (d === '\\t' || d.toLowerCase() === 'tab') return '\t';
  if (d.length !== 1) throw new LoadError('LOAD_FORMAT', `the delimiter must be one character, got ${JSON.stringify(d)}`, file);
  if (d === '\n' || d === '\r') throw new LoadError('LOAD_FORMAT', 'the delimiter cannot be a newline', file);
  return d;
}
