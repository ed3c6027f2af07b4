/**
 * Spilling with slices on worker threads: each thread's operators get their
 * share of the limit (exec/memory/limit.ts threadShare) and write to the data
 * directory's spill folder from the worker. 250,000 rows, so that fragments
 * go to the workers (parallel.ts PARALLEL_MIN_ROWS). The workers run the
 * built code (dist/): skipped without a build, as parallel.test.ts is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database } from '../../../../engine/index.js';
import { compareResults } from '../../../helpers/oracle.js';
import { makeFixture, spillLeft, type Fixture } from './spill-fixture.js';

const built = fs.existsSync(path.resolve(__dirname, '../../../../dist/engine/exec/worker.js'));
let fx: Fixture;
let serial: Database;
let parallel: Database;

beforeAll(async () => {
  if (!built) return;
  fx = await makeFixture('keel-spill-workers-', 250_000);
  serial = await Database.open(fx.dir, { workers: 0 });
  parallel = await Database.open(fx.dir, { workers: 1, memoryLimit: 2 << 20 });
}, 180_000);

afterAll(() => {
  serial?.close();
  parallel?.close();
  fx?.close();
});

const queries: [string, string, boolean][] = [
  ['a GROUP BY of string keys', 'select s, count(*), sum(x), max(id) from t group by s', false],
  ['a GROUP BY of integer keys', 'select g, id % 3 as r, count(*), avg(x), min(s) from t group by 1, 2', false],
  ['an ORDER BY', 'select id, s, x from t order by s desc, x, id', true],
];

describe.skipIf(!built)('spilling with workers', () => {
  it('has a worker', () => {
    expect(parallel.workerPool()?.size).toBe(1);
  });

  it.each(queries)('%s: the serial unlimited run and DuckDB agree, and it spilled', async (_name, sql, ordered) => {
    const a = await serial.query(sql);
    const b = await parallel.query(sql);
    expect(b.stats.spillFiles).toBeGreaterThan(0);
    expect(b.stats.bytesSpilled).toBeGreaterThan(0);
    expect(compareResults(b.rows(), a.rows(), { ordered })).toBeNull();
    expect(compareResults(b.rows(), (await fx.duck.query(sql)).rows, { ordered })).toBeNull();
    expect(spillLeft(fx.dir)).toEqual([]);
  });
});
