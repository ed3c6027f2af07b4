/**
 * Distribution actions as EXPLAIN shows them, and what execution counts: each
 * of Redshift's six join labels arises where its layouts call for it, moves
 * rows exactly when it says it does, and returns what DuckDB returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';
import { DuckOracle, compareResults } from '../../helpers/oracle.js';

let db: Database;
let duck: DuckOracle;

const TABLES: [string, number, string][] = [
  ['big_key', 40_000, 'diststyle key distkey(k)'],
  ['big_even', 40_000, 'diststyle even'],
  ['mid_key', 20_000, 'diststyle key distkey(k)'],
  ['mid_even', 20_000, 'diststyle even'],
  ['small_even', 200, 'diststyle even'],
  ['small_all', 200, 'diststyle all'],
];

beforeAll(async () => {
  db = await Database.open(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-explain-')), { slices: 4 });
  duck = await DuckOracle.create();
  for (const [name, n, layout] of TABLES) {
    const ddl = `create table ${name} (k integer, g integer, pad varchar(40))`;
    await db.execute(`${ddl} ${layout}`);
    await duck.run(ddl);
    const rows = Array.from({ length: n }, (_, i) => `(${i % (n / 2)}, ${i % 50}, 'padding-${i % 10}')`);
    for (let f = 0; f < rows.length; f += 5000) {
      const values = rows.slice(f, f + 5000).join(',');
      await db.execute(`insert into ${name} values ${values}`);
      await duck.run(`insert into ${name} values ${values}`);
    }
  }
});

afterAll(() => {
  db?.close();
  duck?.close();
});

const CASES: [string, string][] = [
  ['DS_DIST_NONE', 'select count(*), sum(b.g) from big_key a join mid_key b on a.k = b.k'],
  ['DS_DIST_ALL_NONE', 'select count(*), sum(b.g) from big_key a join small_all b on a.k = b.k'],
  ['DS_BCAST_INNER', 'select count(*), sum(b.g) from big_key a join small_even b on a.g = b.g'],
  ['DS_DIST_INNER', 'select count(*), sum(b.g) from big_key a join mid_even b on a.k = b.k'],
  ['DS_DIST_OUTER', 'select count(*), sum(b.g) from big_even a join mid_key b on a.k = b.k'],
  ['DS_DIST_BOTH', 'select count(*), sum(b.g) from big_even a join mid_even b on a.k = b.k'],
];

describe('EXPLAIN', () => {
  it.each(CASES)('labels the join %s, and the rows it moves are counted', async (label, sql) => {
    const plan = (await db.query(`explain ${sql}`)).rows().map((r) => String(r[0]));
    const join = plan.find((l) => l.includes('Hash Join'))!;
    expect(join).toContain(label);
    expect(join).toMatch(/\(rows=[\d,]+\)/);

    const analyzed = (await db.query(`explain analyze ${sql}`)).rows().map((r) => String(r[0]));
    expect(analyzed.find((l) => l.includes('Seq Scan'))).toMatch(/actual rows=[\d,]+, time=[\d.]+ ms, blocks scanned=\d+ skipped=\d+/);
    expect(analyzed[analyzed.length - 1]).toMatch(/^Total: [\d.]+ ms, rows returned 1, rows moved \d+, bytes moved \d+, blocks scanned \d+, skipped \d+$/);

    const r = await db.query(sql);
    expect(compareResults(r.rows() as never, (await duck.query(sql)).rows, { ordered: false })).toBeNull();
    // the final gather of one partial aggregate per slice moves a few rows; a join that moves rows moves hundreds or more
    const joinMoves = r.stats.rowsMoved > 100;
    expect(joinMoves).toBe(label !== 'DS_DIST_NONE' && label !== 'DS_DIST_ALL_NONE');
  });

  it('prints the plan as indented steps with estimates, and the totals agree with the query stats', async () => {
    const sql = 'select a.g, count(*) from big_even a join mid_even b on a.k = b.k group by a.g order by a.g';
    const text = (await db.query(`explain ${sql}`)).rows().map((r) => String(r[0]));
    expect(text[0]).toMatch(/^XN /);
    expect(text.slice(1).every((l) => /^\s*->  XN /.test(l))).toBe(true);
    expect(text.some((l) => l.includes('Redistribute'))).toBe(true);
    const stats = (await db.query(sql)).stats;
    const total = (await db.query(`explain analyze ${sql}`)).rows().map((r) => String(r[0])).pop()!;
    expect(total).toContain(`rows moved ${stats.rowsMoved}`);
    expect(total).toContain(`bytes moved ${stats.bytesMoved}`);
  });
});
