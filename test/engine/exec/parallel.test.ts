/**
 * Slices on worker threads (engine/exec/parallel.ts) give exactly what the
 * calling thread alone gives: the 22 TPC-H queries at SF 0.1 (large enough
 * that fragments go to workers) on one data directory opened with and without
 * workers, results and the query statistics that count rows (moved, scanned)
 * compared. The workers run the built code (dist/), so this runs after a build
 * (npm test builds first) and is skipped without one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';
import { TPCH_DIR, TPCH_TABLES, tpchQuery } from '../../helpers/oracle.js';

const built = fs.existsSync(path.resolve(__dirname, '../../../dist/engine/exec/worker.js'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-parallel-'));
let serial: Database;
let parallel: Database;

beforeAll(async () => {
  if (!built) return;
  serial = await Database.open(dir, { slices: 4, workers: 0 });
  await serial.execute(fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8'));
  for (const t of TPCH_TABLES) await serial.load(t, path.join(TPCH_DIR, 'sf0.1', `${t}.tbl.gz`), { delimiter: '|' });
  parallel = await Database.open(dir, { workers: 1 });
}, 300_000);

afterAll(() => {
  serial?.close();
  parallel?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function canonical(rows: unknown[][], ordered: boolean): string[] {
  const text = rows.map((r) => JSON.stringify(r));
  return ordered ? text : text.sort();
}

describe.skipIf(!built)('parallel execution', () => {
  it('has workers to run on', () => {
    expect(parallel.workerPool()?.size).toBe(1);
  });

  it.each(Array.from({ length: 22 }, (_, i) => i + 1))('q%i: the same rows and counts with workers as without', async (n) => {
    const sql = tpchQuery(n);
    const a = (await serial.execute(sql)).at(-1)!;
    const b = (await parallel.execute(sql)).at(-1)!;
    const ordered = /order\s+by/i.test(sql);
    expect(canonical(b.rows(), ordered)).toEqual(canonical(a.rows(), ordered));
    for (const k of ['rowsReturned', 'blocksScanned', 'blocksSkipped', 'rowsScanned'] as const) expect(b.stats[k], k).toBe(a.stats[k]);
  });

  // the analytics bench's windows and grouping sets, and windows over lineitem, whose fragments above the redistribute run on the workers too
  const analytics = path.resolve(__dirname, '../../../bench/analytics');
  const windows: [string, string][] = [
    ...fs.readdirSync(analytics).filter((f) => f.endsWith('.sql')).sort().map((f): [string, string] => [f, fs.readFileSync(path.join(analytics, f), 'utf8')]),
    [
      'a moving sum and LAG over lineitem by order',
      'select count(*), sum(s), sum(d) from (select sum(l_quantity) over (partition by l_orderkey order by l_linenumber rows between 2 preceding and current row) as s, l_extendedprice - lag(l_extendedprice) over (partition by l_orderkey order by l_linenumber) as d from lineitem) t',
    ],
    [
      'top two line items per part',
      'select l_partkey, l_orderkey, l_linenumber, rank() over (partition by l_partkey order by l_extendedprice desc, l_orderkey, l_linenumber) as r from lineitem qualify r <= 2 order by 1, 4, 2, 3',
    ],
  ];

  it.each(windows)('%s: the same rows with workers as without', async (_name, sql) => {
    const a = (await serial.execute(sql)).at(-1)!;
    const b = (await parallel.execute(sql)).at(-1)!;
    const ordered = /order\s+by\s+[^)]*$/i.test(sql);
    expect(canonical(b.rows(), ordered)).toEqual(canonical(a.rows(), ordered));
    for (const k of ['rowsReturned', 'rowsMoved', 'bytesMoved'] as const) expect(b.stats[k], k).toBe(a.stats[k]);
  });

  it('ran fragments on the workers', () => {
    expect(parallel.workerPool()!.tasks).toBeGreaterThan(0);
  });
});
