/** What every command shares: the --data and --json flags, opening the database, and exit codes. */
import { Database } from '../index.js';
import type { RecordSource } from '../workload-log/index.js';
import { reportError, stringifyJson } from './output.js';

export interface CommonOptions {
  data: string;
  json?: boolean;
}

export const DEFAULT_DATA_DIR = './keel-data';

/**
 * Opens the data directory (creating it when missing) with the workload log
 * recording its statements as coming from `source`, runs `fn`, closes, and maps
 * errors to an exit code.
 */
export async function withDatabase(
  opts: CommonOptions,
  fn: (db: Database) => Promise<void>,
  slices?: number,
  source: RecordSource = 'cli',
  session: { resultCache?: boolean; memoryLimit?: number } = {},
): Promise<void> {
  let db: Database | undefined;
  try {
    db = await Database.open(opts.data, { ...(slices === undefined ? {} : { slices }), workloadLog: { source }, ...session });
    await fn(db);
  } catch (e) {
    process.exitCode = reportError(e);
  } finally {
    db?.close();
  }
}

/** Prints one JSON value on its own line (machine output); RawJson parts (exact numbers such as 12.50) as they are. */
export function printJson(value: unknown): void {
  process.stdout.write(stringifyJson(value) + '\n');
}
