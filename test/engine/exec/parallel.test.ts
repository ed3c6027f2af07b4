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
  // a replicated table large enough for its scans to go to the workers, with deleted rows inside its block groups
  await serial.execute(
    'create table li_all diststyle all as select l_orderkey, l_partkey, l_linenumber, l_quantity, l_extendedprice, l_discount, l_returnflag, l_shipdate from lineitem; delete from li_all where l_orderkey % 7 = 3',
  );
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

  /** The rows, the counters and the worker tasks a query gives serially and on the workers. */
  async function both(sql: string) {
    const a = (await serial.execute(sql)).at(-1)!;
    const before = parallel.workerPool()!.tasks;
    const b = (await parallel.execute(sql)).at(-1)!;
    return { a, b, tasks: parallel.workerPool()!.tasks - before };
  }

  const explainText = async (sql: string): Promise<string> => (await serial.execute(`explain ${sql}`)).at(-1)!.textRows().flat().join('\n');

  // a fragment above a broadcast join (the part table sent to every slice) runs on the workers, probing the one hash table the calling thread built in shared memory
  it('a join with a broadcast inner side: on the workers, the same rows and counts', async () => {
    const sql = 'select p_brand, sum(l_extendedprice) as price, count(*) as n from lineitem join part on l_partkey = p_partkey where p_size < 40 group by p_brand order by p_brand';
    expect(await explainText(sql)).toContain('DS_BCAST_INNER');
    const { a, b, tasks } = await both(sql);
    expect(b.rows()).toEqual(a.rows());
    expect(a.rows().length).toBe(25);
    for (const k of ['rowsReturned', 'rowsMoved', 'bytesMoved', 'blocksScanned', 'rowsScanned'] as const) expect(b.stats[k], k).toBe(a.stats[k]);
    expect(tasks).toBeGreaterThan(0);
  });

  // a query whose only table is ALL: the one copy is read in shares of its block groups, one task each
  const replicated: [string, string][] = [
    ['a filtered scan, ordered', "select l_orderkey, l_linenumber, l_extendedprice from li_all where l_shipdate >= date '1998-08-01' order by l_extendedprice desc, l_orderkey, l_linenumber"],
    ['an aggregate', 'select l_returnflag, count(*) as n, sum(l_extendedprice) as price, min(l_orderkey) as lo, max(l_orderkey) as hi from li_all where l_discount > 0.05 group by l_returnflag order by 1'],
    ['a window', 'select count(*), sum(r), sum(s) from (select rank() over (partition by l_partkey order by l_extendedprice desc) as r, sum(l_quantity) over (partition by l_orderkey order by l_linenumber) as s from li_all) t'],
    ['rows in scan order, under LIMIT', 'select l_orderkey, l_linenumber from li_all limit 70000'],
  ];
  it.each(replicated)('ALL table, %s: read in shares on the workers, the same rows and counts', async (_name, sql) => {
    const { a, b, tasks } = await both(sql);
    expect(b.rows()).toEqual(a.rows());
    expect(a.rows().length).toBeGreaterThan(0);
    for (const k of ['rowsReturned', 'rowsMoved', 'bytesMoved', 'blocksScanned', 'blocksSkipped', 'rowsScanned'] as const) expect(b.stats[k], k).toBe(a.stats[k]);
    expect(tasks).toBeGreaterThan(0);
  });

  it('ran fragments on the workers', () => {
    expect(parallel.workerPool()!.tasks).toBeGreaterThan(0);
  });
});
