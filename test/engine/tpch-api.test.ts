/**
 * TPC-H SF 0.01 the way a user runs it: the public API, schema.sql, `load` of
 * dbgen's gzip'd files, default (AUTO) layouts, each query script through
 * db.execute; every result compared with DuckDB's on the same files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../engine/index.js';
import { DuckOracle, compareResults, hasOrderBy, paddedOfTypeNames, scalesOfTypeNames, tpchQuery, TPCH_DIR, TPCH_TABLES } from '../helpers/oracle.js';

let db: Database;
let duck: DuckOracle;
const DATA = path.join(TPCH_DIR, 'sf0.01');

beforeAll(async () => {
  db = await Database.open(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-tpch-api-')), { slices: 4 });
  await db.execute(fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8'));
  for (const t of TPCH_TABLES) await db.load(t, path.join(DATA, `${t}.tbl.gz`));
  duck = await DuckOracle.create();
  await duck.loadTpch(DATA);
});

afterAll(() => {
  db?.close();
  duck?.close();
});

describe('TPC-H through the API with AUTO layouts', () => {
  it('loads dbgen row counts', async () => {
    for (const t of TPCH_TABLES) {
      const sql = `select count(*) from ${t}`;
      expect((await db.query(sql)).rows()).toEqual((await duck.query(sql)).rows);
    }
  });

  it.each(Array.from({ length: 22 }, (_, i) => i + 1))('q%i matches DuckDB', async (n) => {
    const script = tpchQuery(n);
    const results = await db.execute(script);
    const select = script.split(';').map((s) => s.trim()).filter((s) => /^(select|with)\b/i.test(s))[0]!;
    const want = await (async () => {
      if (n !== 15) return duck.query(select);
      const stmts = script.split(';').map((s) => s.trim()).filter(Boolean);
      await duck.run(stmts[0]!);
      const r = await duck.query(stmts[1]!);
      await duck.run(stmts[2]!);
      return r;
    })();
    const got = results.find((r) => r.columns.length > 0)!;
    const types = got.columns.map((c) => c.type);
    expect(compareResults(got.rows() as never, want.rows, { ordered: hasOrderBy(select), scales: scalesOfTypeNames(types), blankPadded: paddedOfTypeNames(types) })).toBeNull();
  });
});
