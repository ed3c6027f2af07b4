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
import type { ColumnDef } from '../types.js';
import { readDelimited } from './delimited.js';
import { readSandboxed } from './sandbox.js';
import { dateFormatParser, timeFormatParser, type DateTimeParser } from './datetime-format.js';
import { DEFAULT_BATCH_ROWS, type LoadedBatch, type LoadOptions } from './options.js';

export { DEFAULT_BATCH_ROWS, type BadRecord, type LoadedBatch, type LoadOptions } from './options.js';

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
      const gzip = options.gzip ?? (file.toLowerCase().endsWith('.gz') || (await startsWithGzipMagic(file)));
      const text = textOptions(file, options, batchRows, gzip);
      // parsed in a worker thread beside the writer, unless an option is a function a thread cannot be handed
      if (text.onBadRecord === null && text.values.dateParser === null && text.values.timeParser === null) {
        const { onBadRecord: _none, ...plain } = text;
        yield* readSandboxed({ format, file, columns, batchRows, totalBytes, text: plain });
      } else yield* readDelimited(file, columns, text, totalBytes);
      return;
    }
    case 'parquet':
    case 'arrow':
      // in a worker thread with a heap of its own: a damaged file cannot take the process down (sandbox.ts)
      yield* readSandboxed({ format, file, columns, batchRows, totalBytes, byPosition: options.matchByPosition ?? false });
      return;
    default:
      throw new LoadError('LOAD_FORMAT', `unknown format ${JSON.stringify(format)}`, file);
  }
}

/**
 * Reads delimited text that arrives as a stream (COPY FROM STDIN: the
 * client's CopyData), as batches of the given columns; `name` names the
 * source in errors (STDIN). Uncompressed text only.
 */
export async function* readTextStream(name: string, input: AsyncIterable<Buffer>, columns: readonly ColumnDef[], options: LoadOptions = {}): AsyncGenerator<LoadedBatch> {
  if (columns.length === 0) throw new LoadError('LOAD_FORMAT', 'the table has no columns', name);
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  yield* readDelimited(name, columns, textOptions(name, options, batchRows, false), 0, input);
}

/** The delimited reader's options from a load's, checked; errors name `file`. */
function textOptions(file: string, options: LoadOptions, batchRows: number, gzip: boolean) {
  const delimiter = resolveDelimiter(options.delimiter ?? defaultDelimiter(file), file);
  const quote = options.quote ?? '"';
  if (quote.length > 1 || quote === '\n' || quote === '\r') throw new LoadError('LOAD_FORMAT', `quote must be one character or empty, got ${JSON.stringify(quote)}`, file);
  if (quote === delimiter) throw new LoadError('LOAD_FORMAT', 'quote and delimiter must differ', file);
  const nullAs = options.nullAs ?? '\\N';
  if (/[\r\n]/.test(nullAs) || (delimiter !== '' && nullAs.includes(delimiter))) {
    throw new LoadError('LOAD_FORMAT', `the NULL marker ${JSON.stringify(nullAs)} cannot contain the delimiter or a newline`, file);
  }
  const skipRecords = options.ignoreHeader ?? (options.header ? 1 : 0);
  if (!Number.isInteger(skipRecords) || skipRecords < 0) throw new LoadError('LOAD_FORMAT', `the header rows to skip must be a whole number, got ${skipRecords}`, file);
  const acceptInvChars = options.acceptInvChars ?? null;
  if (acceptInvChars !== null && [...acceptInvChars].length !== 1) throw new LoadError('LOAD_FORMAT', `the replacement for invalid characters must be one character, got ${JSON.stringify(acceptInvChars)}`, file);
  const values = {
    emptyAsNull: options.emptyAsNull ?? true,
    blanksAsNull: options.blanksAsNull ?? false,
    truncate: options.truncateColumns ?? false,
    dateParser: options.dateFormat === undefined ? null : formatParser(dateFormatParser(options.dateFormat), file),
    timeParser: options.timeFormat === undefined ? null : formatParser(timeFormatParser(options.timeFormat), file),
  };
  return { delimiter, quote, nullAs, skipRecords, batchRows, gzip, values, acceptInvChars, onBadRecord: options.onBadRecord ?? null };
}

function formatParser(parser: DateTimeParser | string, file: string): DateTimeParser {
  if (typeof parser === 'string') throw new LoadError('LOAD_FORMAT', parser, file);
  return parser;
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
