/**
 * keel gen tpch --sf X [--seed S]: creates and fills the eight TPC-H tables.
 * keel gen workload tpch --queries N [--seed S] [--sf X] [--out FILE]: writes a
 * trace of TPC-H queries (workload-log/tpch-workload.ts).
 */
import { tpchTables, UsageError } from '../../engine/index.js';
import { traceLine, tpchWorkload } from '../../workload-log/index.js';
import { Progress, writeLines } from '../output.js';
import { printJson, withDatabase, type CommonOptions } from '../context.js';

export interface GenFlags extends CommonOptions {
  sf: string;
  seed: string;
  replace?: boolean;
  queries?: string;
  out?: string;
}

export function parsePositive(flag: string, value: string, integer: boolean): number {
  const x = Number(value);
  if (!Number.isFinite(x) || x <= 0 || (integer && !Number.isInteger(x))) {
    throw new UsageError(`${flag} must be a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
  }
  return x;
}

/** `keel gen GENERATOR [KIND]`: data (tpch) or a workload trace (workload tpch). */
export async function genDispatch(generator: string, kind: string | undefined, flags: GenFlags): Promise<void> {
  if (generator === 'workload') return genWorkloadCommand(kind, flags);
  if (kind !== undefined) throw new UsageError(`unexpected argument "${kind}" after "gen ${generator}"`);
  return genCommand(generator, flags);
}

export async function genWorkloadCommand(kind: string | undefined, flags: GenFlags): Promise<void> {
  if (kind !== 'tpch') throw new UsageError(`unknown workload ${kind === undefined ? '(none given)' : `"${kind}"`}; available: keel gen workload tpch --queries N`);
  if (flags.queries === undefined) throw new UsageError('give the number of queries: keel gen workload tpch --queries N');
  const queries = parsePositive('--queries', flags.queries, true);
  const sf = parsePositive('--sf', flags.sf, false);
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${flags.seed}"`);
  writeLines(flags.out, (function* () {
    for (const { query: _query, ...line } of tpchWorkload({ queries, seed, sf })) yield traceLine(line);
  })());
  if (flags.out === undefined) return;
  if (flags.json) printJson({ generator: 'workload', workload: 'tpch', queries, seed, sf, out: flags.out });
  else process.stdout.write(`wrote ${queries.toLocaleString('en-US')} TPC-H queries (seed ${seed}, SF ${sf}) to ${flags.out}\n`);
}

export async function genCommand(kind: string, flags: GenFlags): Promise<void> {
  if (kind !== 'tpch') throw new UsageError(`unknown generator "${kind}"; available: tpch, workload tpch`);
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
