/** keel load TABLE FILE: delimited text (gzip'd when .gz), Parquet or Arrow IPC, in one atomic change. */
import * as fs from 'node:fs';
import type { LoadOptions } from '../../engine/index.js';
import { UsageError } from '../../engine/index.js';
import { Progress } from '../output.js';
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
    const { rows } = await db.load(table, file, options, (n, read, total) => progress.update(read, total, `${n.toLocaleString('en-US')} rows`));
    const elapsedMs = performance.now() - started;
    progress.done();
    if (flags.json) printJson({ table, file, rows, elapsedMs: Math.round(elapsedMs) });
    else process.stdout.write(`loaded ${rows.toLocaleString('en-US')} rows into ${table} in ${(elapsedMs / 1000).toFixed(1)} s\n`);
  });
}
