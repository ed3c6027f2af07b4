/**
 * Zone-map pruning: for =, <, <=, >, >=, BETWEEN, IN and LIKE 'prefix%', on the
 * sort key's columns and on a column merely clustered with it, scans skip the
 * blocks that cannot match, count them, and still return what DuckDB returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';
import { DuckOracle, compareResults } from '../../helpers/oracle.js';

const ROWS = 30_000;
let db: Database;
let duck: DuckOracle;

/** id ascending; day clustered with id; code a string prefix that changes every 1,000 rows; v unclustered. */
function row(i: number): [number, string, string, number] {
  const day = new Date(Date.UTC(1995, 0, 1) + Math.floor(i / 50) * 86_400_000).toISOString().slice(0, 10);
  return [i, day, `k${String(Math.floor(i / 1000)).padStart(3, '0')}-${i % 7}`, (i * 7919) % 1000];
}

beforeAll(async () => {
  db = await Database.open(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-prune-')), { slices: 2, blockRows: 1024 });
  duck = await DuckOracle.create();
  const ddl = 'create table t (id integer, day date, code varchar(12), v integer)';
  await db.execute(`${ddl} diststyle even compound sortkey (id)`);
  await duck.run(ddl);
  for (let from = 0; from < ROWS; from += 5000) {
    const values = Array.from({ length: 5000 }, (_, k) => row(from + k))
      .map(([i, d, c, v]) => `(${i}, '${d}', '${c}', ${v})`)
      .join(',');
    await db.execute(`insert into t values ${values}`);
    await duck.run(`insert into t values ${values}`);
  }
  // one write per slice, sorted: the inserts above made several sorted runs, the rewrite makes one
  await db.execute('alter table t alter compound sortkey (id)');
});

afterAll(() => {
  db?.close();
  duck?.close();
});

const PRUNED = [
  'select count(*), sum(v) from t where id = 12345',
  'select count(*), sum(v) from t where id < 2000',
  'select count(*), sum(v) from t where id <= 2047',
  'select count(*), sum(v) from t where id > 27000',
  'select count(*), sum(v) from t where id >= 29999',
  'select count(*), sum(v) from t where id between 10000 and 12000',
  'select count(*), sum(v) from t where id in (5, 15000, 29000)',
  "select count(*), sum(v) from t where day = date '1995-03-01'",
  "select count(*), sum(v) from t where day between '1995-02-01' and '1995-02-28'",
  "select count(*), sum(v) from t where day >= date '1996-01-01' + interval '200' day",
  "select count(*), sum(v) from t where code like 'k007%'",
  "select count(*), sum(v) from t where code in ('k001-1', 'k020-3')",
  "select count(*), sum(v) from t where code > 'k028'",
  'select count(*), sum(v) from t where 15000 < id and id < 15100',
];

describe('zone maps', () => {
  it.each(PRUNED)('skip blocks and keep the answer: %s', async (sql) => {
    const r = await db.query(sql);
    const expected = await duck.query(sql);
    expect(compareResults(r.rows() as never, expected.rows, { ordered: false })).toBeNull();
    const s = r.stats;
    expect(s.blocksSkipped).toBeGreaterThan(0);
    expect(s.blocksScanned + s.blocksSkipped).toBe(s.blocksTotal);
    // the whole table is 30 blocks per column: a selective predicate reads a few of them
    expect(s.blocksScanned).toBeLessThan(s.blocksTotal / 2);
  });

  it('skip nothing when no block can be ruled out, and count every block', async () => {
    const r = await db.query('select count(*), sum(v) from t where v < 500');
    expect(r.stats.blocksSkipped).toBe(0);
    expect(r.stats.blocksScanned).toBe(r.stats.blocksTotal);
    expect(compareResults(r.rows() as never, (await duck.query('select count(*), sum(v) from t where v < 500')).rows, { ordered: false })).toBeNull();
  });

  it('never skip a block a predicate under OR or NOT could match', async () => {
    for (const sql of [
      'select count(*) from t where id < 100 or v = 3',
      'select count(*) from t where not (id > 100)',
      "select count(*) from t where code not like 'k007%'",
      'select count(*) from t where id not in (1, 2, 3)',
    ]) {
      const r = await db.query(sql);
      expect(compareResults(r.rows() as never, (await duck.query(sql)).rows, { ordered: false }), sql).toBeNull();
    }
  });
});
