/**
 * keel demo: on a fresh data directory, creates the TPC-H schema, loads the
 * SF 0.01 data from ../shared/tpch, runs a few of the 22 queries and prints
 * their results and costs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database, UsageError } from '../../engine/index.js';
import { formatTable, Progress } from '../output.js';
import { printJson, withDatabase, type CommonOptions } from '../context.js';
import { resultJson } from './sql.js';

const TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'];
const QUERIES = ['q01.sql', 'q03.sql', 'q05.sql', 'q06.sql'];

/** ../shared/tpch beside the repository (this file is dist/cli/commands/demo.js). */
export function defaultTpchDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/tpch');
}

/** Removes a previous demo directory, but never a directory that is not a keel data directory. */
function freshDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  if (fs.readdirSync(dir).length === 0) return;
  if (!fs.existsSync(path.join(dir, 'KEEL'))) throw new UsageError(`${dir} exists and is not a keel data directory; choose another --data`);
  fs.rmSync(dir, { recursive: true, force: true });
}

export async function demoCommand(flags: CommonOptions & { tpch?: string; sf: string }): Promise<void> {
  const tpch = flags.tpch ?? defaultTpchDir();
  const dataDir = path.join(tpch, `sf${flags.sf}`);
  if (!fs.existsSync(path.join(tpch, 'schema.sql'))) throw new UsageError(`no TPC-H material at ${tpch} (give --tpch DIR)`);
  if (!fs.existsSync(dataDir)) throw new UsageError(`no TPC-H data for --sf ${flags.sf} at ${dataDir}`);
  freshDir(flags.data);
  const json = flags.json === true;
  await withDatabase(flags, async (db: Database) => {
    await db.execute(fs.readFileSync(path.join(tpch, 'schema.sql'), 'utf8'));
    const loaded: { table: string; rows: number }[] = [];
    for (const t of TABLES) {
      const progress = new Progress(`load ${t}`, json);
      const { rows } = await db.load(t, path.join(dataDir, `${t}.tbl.gz`), { delimiter: '|' }, (_n, read, total) => progress.update(read, total));
      progress.done();
      loaded.push({ table: t, rows });
      if (!json) process.stdout.write(`loaded ${t.padEnd(9)} ${rows.toLocaleString('en-US').padStart(9)} rows\n`);
    }
    const results: unknown[] = [];
    for (const q of QUERIES) {
      const rs = await db.execute(fs.readFileSync(path.join(tpch, 'queries', q), 'utf8'));
      const r = rs[rs.length - 1]!;
      if (json) {
        results.push({ query: q, ...(resultJson(r) as object) });
        continue;
      }
      const s = r.stats;
      process.stdout.write(`\n-- ${q}: ${s.elapsedMs.toFixed(1)} ms, ${s.bytesMoved.toLocaleString('en-US')} bytes moved, ${s.blocksScanned} blocks scanned, ${s.blocksSkipped} skipped\n`);
      process.stdout.write(formatTable(r.columns.map((c) => c.name), r.rows(), 10) + '\n');
    }
    const info = await db.query('select "table", diststyle, tbl_rows, size_bytes from svv_table_info order by "table"');
    if (json) printJson({ data: db.dir, tables: loaded, queries: results, tableInfo: info.rows() });
    else process.stdout.write('\n' + formatTable(info.columns.map((c) => c.name), info.rows()) + '\n');
  });
}
