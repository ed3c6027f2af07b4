/** keel load TABLE FILE: delimited text (gzip'd when .gz), Parquet or Arrow IPC, in one atomic change. */
import * as fs from 'node:fs';
import type { LoadOptions } from '../../engine/index.js';
import { UsageError } from '../../engine/index.js';
import { CliError, endProgressLine, Progress } from '../output.js';
import { printJson, withDatabase, type CommonOptions } from '../context.js';

export interface LoadFlags extends CommonOptions {
  delimiter?: string;
  header?: boolean;
  nullAs?: string;
  quote?: string;
  format?: string;
}

/** "\t", "\\t" and "tab" all mean a tab, as users type it in a shell. */
function delimiterOf(flag: string): string {
  const named: Record<string, string> = { tab: '\t', '\\t': '\t', pipe: '|', comma: ',' };
  const d = named[flag] ?? flag;
  if (d.length !== 1) throw new UsageError(`--delimiter must be one character (or "tab"), got "${flag}"`);
  return d;
}

export async function loadCommand(table: string, file: string, flags: LoadFlags): Promise<void> {
  const options: LoadOptions = {};
  if (flags.delimiter !== undefined) options.delimiter = delimiterOf(flags.delimiter);
  if (flags.header) options.header = true;
  if (flags.nullAs !== undefined) options.nullAs = flags.nullAs;
  if (flags.quote !== undefined) options.quote = flags.quote;
  if (flags.format !== undefined) {
    if (flags.format !== 'text' && flags.format !== 'parquet' && flags.format !== 'arrow') {
      throw new UsageError(`--format must be text, parquet or arrow, got "${flags.format}"`);
    }
    options.format = flags.format;
  }
  if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file`);
  await withDatabase(flags, async (db) => {
    const started = performance.now();
    const progress = new Progress(`load ${table}`, flags.json === true);
    // Ctrl-C: the load stops at its next batch and is discarded as a failed load
    // is (its files removed, the catalog never changed); a second Ctrl-C kills at once
    let interrupted = false;
    const onSigint = () => {
      interrupted = true;
      endProgressLine();
      if (!flags.json) process.stderr.write(`interrupted: stopping the load of ${table}...\n`);
    };
    process.once('SIGINT', onSigint);
    let rows: number;
    try {
      ({ rows } = await db.load(table, file, options, (n, read, total) => {
        if (interrupted) throw new LoadInterrupted();
        progress.update(read, total, `${n.toLocaleString('en-US')} rows`);
      }));
    } catch (e) {
      if (interrupted) throw new CliError('INTERRUPTED', `interrupted: nothing was loaded into ${table} (a load is one atomic change; the table is as it was)`, 130);
      throw e;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
    const elapsedMs = performance.now() - started;
    progress.done();
    if (interrupted) {
      // the interrupt came after the last batch: the load had committed
      throw new CliError('INTERRUPTED', `interrupted after the load committed: ${rows.toLocaleString('en-US')} rows were loaded into ${table}`, 130);
    }
    if (flags.json) printJson({ table, file, rows, elapsedMs: Math.round(elapsedMs) });
    else process.stdout.write(`loaded ${rows.toLocaleString('en-US')} rows into ${table} in ${(elapsedMs / 1000).toFixed(1)} s\n`);
  });
}

/** Thrown into the load by its progress callback after Ctrl-C: the load fails and is discarded. */
class LoadInterrupted extends Error {
  constructor() {
    super('interrupted');
  }
}
