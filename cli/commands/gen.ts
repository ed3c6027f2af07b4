/** keel gen tpch --sf X [--seed S]: creates and fills the eight TPC-H tables. */
import { tpchTables, UsageError } from '../../engine/index.js';
import { Progress } from '../output.js';
import { printJson, withDatabase, type CommonOptions } from '../context.js';

export interface GenFlags extends CommonOptions {
  sf: string;
  seed: string;
  replace?: boolean;
}

export function parsePositive(flag: string, value: string, integer: boolean): number {
  const x = Number(value);
  if (!Number.isFinite(x) || x <= 0 || (integer && !Number.isInteger(x))) {
    throw new UsageError(`${flag} must be a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
  }
  return x;
}

export async function genCommand(kind: string, flags: GenFlags): Promise<void> {
  if (kind !== 'tpch') throw new UsageError(`unknown generator "${kind}"; available: tpch`);
  const sf = parsePositive('--sf', flags.sf, false);
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${flags.seed}"`);
  await withDatabase(flags, async (db) => {
    const started = performance.now();
    const tables = tpchTables(sf, seed);
    const existing = tables.filter((t) => db.catalog().tables[t.name]);
    if (existing.length && !flags.replace) {
      throw new UsageError(`tables already exist: ${existing.map((t) => t.name).join(', ')} (use --replace to drop and regenerate them)`);
    }
    const summary: { table: string; rows: number }[] = [];
    for (const t of tables) {
      if (flags.replace) await db.execute(`drop table if exists ${t.name}`);
      await db.execute(t.ddl);
      const progress = new Progress(`gen ${t.name}`, flags.json === true);
      let done = 0;
      const batches = (function* () {
        for (const b of t.batches()) {
          done += b.length;
          progress.update(done, t.rows, `${done.toLocaleString('en-US')} rows`);
          yield b;
        }
      })();
      await db.append(t.name, batches, t.rows);
      progress.done();
      summary.push({ table: t.name, rows: t.rows });
      if (!flags.json) process.stdout.write(`${t.name.padEnd(9)} ${t.rows.toLocaleString('en-US').padStart(12)} rows\n`);
    }
    const elapsedMs = Math.round(performance.now() - started);
    if (flags.json) printJson({ generator: 'tpch', sf, seed, tables: summary, elapsedMs });
    else process.stdout.write(`generated TPC-H SF ${sf} in ${(elapsedMs / 1000).toFixed(1)} s\n`);
  });
}
