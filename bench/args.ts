/** What every bench reads the same way: its command-line flags and the shared TPC-H data beside the checkout. */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The value after `name` on the command line, else `def`. */
export function flag(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
}

/** The repository's root (benches run from dist/bench). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared/tpch beside the repository. */
export const TPCH_DIR = path.resolve(REPO, '../shared/tpch');
export const TPCH_TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'] as const;
