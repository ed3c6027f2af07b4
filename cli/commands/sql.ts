/** keel sql: one statement, a file of statements (-f), SQL on standard input, or an interactive prompt. */
import * as fs from 'node:fs';
import type { Database, QueryResult } from '../../engine/index.js';
import { UsageError, parseMemoryLimit } from '../../engine/index.js';
import { formatBytes } from '../../advisor/index.js';
import { commandTag, formatCsv, formatTable, jsonRowText, kindOfType, RawJson, setNullDisplay } from '../output.js';
import { printJson, withDatabase, type CommonOptions } from '../context.js';
import { runPrompt } from '../prompt/prompt.js';

export interface SqlOptions extends CommonOptions {
  file?: string;
  /** The prompt even when standard input is not a terminal (as sqlite3 -interactive). */
  interactive?: boolean;
  /** How NULL prints in tables and CSV (default empty). */
  null?: string;
  csv?: boolean;
  /** --memory-limit as given (bytes, or with a unit). */
  memoryLimit?: string;
}

/** How results print: an aligned table, CSV, or one JSON object per statement. */
export type OutputFormat = 'table' | 'csv' | 'json';

/**
 * The machine form of a result (DESIGN.md): columns, rows and stats. Rows
 * hold exact values: integers with all their digits, DECIMAL as a number
 * literal at its scale (12.50), DOUBLE as a number, NaN and infinities as
 * strings, dates and timestamps as strings, NULL as null (output.ts jsonRowText).
 */
export function resultJson(r: QueryResult): unknown {
  const s = r.stats;
  const kinds = r.columns.map((c) => kindOfType(c.type));
  return {
    columns: r.columns.map((c) => ({ name: c.name, type: c.type })),
    rows: new RawJson(`[${r.textRows().map((row) => jsonRowText(kinds, row)).join(',')}]`),
    stats: {
      elapsedMs: Math.round(s.elapsedMs * 1000) / 1000,
      rowsReturned: s.rowsReturned,
      rowsMoved: s.rowsMoved,
      bytesMoved: s.bytesMoved,
      blocksScanned: s.blocksScanned,
      blocksSkipped: s.blocksSkipped,
      blocksTotal: s.blocksTotal,
      rowsScanned: s.rowsScanned,
      bytesSpilled: s.bytesSpilled,
      spillFiles: s.spillFiles,
    },
  };
}

/** Prints a result as `format` (true: json, false: table). Tables fit a terminal's width; piped output is never cut. */
export function printResult(r: QueryResult, format: OutputFormat | boolean): void {
  const as: OutputFormat = format === true ? 'json' : format === false ? 'table' : format;
  // a statement that had nothing to do (COMMIT outside a transaction) warns on stderr, as psql shows the server's WARNING
  if (r.notice !== null) process.stderr.write(`WARNING:  ${r.notice}\n`);
  if (as === 'json') {
    printJson(resultJson(r));
    return;
  }
  if (r.columns.length === 0) {
    // CSV is the result sets alone
    if (as === 'table') process.stdout.write(`${commandTag(r)}\n`);
    return;
  }
  if (r.columns.length === 1 && r.columns[0]!.name === 'QUERY PLAN' && as === 'table') {
    process.stdout.write(r.rows().map((row) => String(row[0])).join('\n') + '\n');
    return;
  }
  const names = r.columns.map((c) => c.name);
  if (as === 'csv') {
    process.stdout.write(formatCsv(names, r.textRows()) + '\n');
    return;
  }
  const numeric = r.columns.map((c) => kindOfType(c.type) === 'exact' || kindOfType(c.type) === 'float');
  process.stdout.write(formatTable(names, r.textRows(), { rightAlign: numeric }) + '\n');
  if (process.stderr.isTTY) {
    const s = r.stats;
    process.stderr.write(`Time: ${s.elapsedMs.toFixed(1)} ms, bytes moved ${formatBytes(s.bytesMoved)}, blocks scanned ${s.blocksScanned}, skipped ${s.blocksSkipped}\n`);
  }
}

async function runScript(db: Database, sql: string, format: OutputFormat | boolean): Promise<void> {
  await db.execute(sql, (r) => printResult(r, format));
}

/** `mapError` rewrites a statement's error before it is reported (keel explain points into the statement as typed). */
export async function sqlCommand(query: string | undefined, opts: SqlOptions, mapError: (e: unknown) => unknown = (e) => e): Promise<void> {
  if (query !== undefined && opts.file !== undefined) throw new UsageError('give either a statement or -f FILE, not both');
  if (opts.json && opts.csv) throw new UsageError('give either --json or --csv, not both');
  if (opts.null !== undefined) setNullDisplay(opts.null);
  const format: OutputFormat = opts.json ? 'json' : opts.csv ? 'csv' : 'table';
  let script: string | undefined = query;
  if (opts.file !== undefined) {
    if (!fs.existsSync(opts.file)) throw new UsageError(`-f ${opts.file}: no such file`);
    script = fs.readFileSync(opts.file, 'utf8');
  } else if (script === undefined && !process.stdin.isTTY && opts.interactive !== true) {
    script = fs.readFileSync(0, 'utf8');
  }
  const memoryLimit = opts.memoryLimit === undefined ? undefined : parseMemoryLimit(opts.memoryLimit, '--memory-limit');
  const limit = memoryLimit === undefined ? {} : { memoryLimit };
  // the prompt opens the database on a thread of its own, so that Ctrl-C can stop a statement while it runs
  if (script === undefined) return runPrompt({ data: opts.data, json: opts.json, csv: opts.csv, ...limit });
  // a user's session, as in Redshift: repeated queries over unchanged tables answer from the result cache
  await withDatabase(
    opts,
    async (db) => {
      try {
        if (script !== undefined) await runScript(db, script, format);
      } catch (e) {
        throw mapError(e);
      }
    },
    undefined,
    'cli',
    { resultCache: true, ...limit },
  );
}

