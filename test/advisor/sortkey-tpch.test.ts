/**
 * Sort keys on a TPC-H stream: SF 0.01 loaded through the public API (small
 * blocks, so tables have many blocks per slice), a seeded stream of the
 * workload generator run and logged, the chooser's keys applied with ALTER
 * TABLE, and the same stream run again. The scans that filter on a date column
 * must read at least half as few blocks, as the engine counts them; answers
 * must not change. Nothing in the chooser knows which columns are dates: that
 * is only how this test picks the scans to compare.
 *
 * "Date-filtered" means a scan with a comparison on a date column whose filter
 * keeps at most half of the table's rows: a scan that needs most of the rows
 * (Q1's l_shipdate <= 1998-12-01 - n days keeps about 98%) reads most blocks
 * under any order, so no sort key can halve it. Those scans are still
 * counted, separately, and must not read more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, loadWorkload, tpchWorkload, type QueryRecord } from '../../index.js';
import { chooseSortKeys, type SortKeyChoice } from '../../advisor/index.js';

const TPCH = path.resolve(__dirname, '../../../shared/tpch');
const TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'];

let dir: string;
let stream: string[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-sortkey-tpch-'));
  const db = await Database.open(dir, { slices: 4, blockRows: 1024, workloadLog: false });
  try {
    await db.execute(fs.readFileSync(path.join(TPCH, 'schema.sql'), 'utf8'));
    for (const t of TABLES) await db.load(t, path.join(TPCH, 'sf0.01', `${t}.tbl.gz`), { delimiter: '|' });
  } finally {
    db.close();
  }
  stream = [...tpchWorkload({ queries: 60, seed: 11, sf: 0.01 })].map((l) => l.sql);
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the stream; per query its answer and the blocks its date-filtered scans read. */
async function runStream(db: Database, dateColumns: Set<string>): Promise<{ answers: unknown[]; dateBlocks: number; dateBlocksTotal: number; broadDateBlocks: number; allBlocks: number }> {
  const records: QueryRecord[] = [];
  const off = db.onQuery((r) => records.push(r));
  const answers: unknown[] = [];
  try {
    for (const q of stream) answers.push((await db.execute(q)).map((r) => r.rows()));
  } finally {
    off();
  }
  let dateBlocks = 0;
  let dateBlocksTotal = 0;
  let broadDateBlocks = 0;
  let allBlocks = 0;
  const tables = db.catalog().tables;
  for (const r of records) {
    for (const s of r.scans) {
      allBlocks += s.blocksScanned;
      if (!s.predicates.some((p) => dateColumns.has(`${s.table}.${p.column}`) && ['=', '<', '<=', '>', '>='].includes(p.op))) continue;
      if (s.rowsOut <= 0.5 * tables[s.table]!.rows) {
        dateBlocks += s.blocksScanned;
        dateBlocksTotal += s.blocksTotal;
      } else broadDateBlocks += s.blocksScanned;
    }
  }
  return { answers, dateBlocks, dateBlocksTotal, broadDateBlocks, allBlocks };
}

describe('sort keys on a TPC-H stream', () => {
  it('the chosen keys cut the blocks the date-filtered scans read by at least half', async () => {
    const db = await Database.open(dir);
    let choices: SortKeyChoice[];
    try {
      const dates = new Set<string>();
      for (const t of Object.values(db.catalog().tables)) for (const c of t.columns) if (c.type.id === 'date') dates.add(`${t.name}.${c.name}`);
      const before = await runStream(db, dates);
      expect(before.dateBlocks).toBeGreaterThan(0);
      choices = await chooseSortKeys(db, loadWorkload(dir));
      const applied = choices.filter((c) => c.proposed);
      expect(applied.length).toBeGreaterThan(0);
      for (const c of applied) await db.execute(`alter table ${c.table} alter compound sortkey (${c.proposed!.join(', ')})`);
      const after = await runStream(db, dates);
      expect(after.answers).toEqual(before.answers);
      expect(after.dateBlocksTotal).toBe(before.dateBlocksTotal);
      expect(after.dateBlocks).toBeLessThanOrEqual(before.dateBlocks * 0.5);
      expect(after.broadDateBlocks).toBeLessThanOrEqual(before.broadDateBlocks);
      expect(after.allBlocks).toBeLessThan(before.allBlocks);
      // every proposed key leads with a column the stream filters on
      for (const c of applied) expect(c.predicates.some((p) => p.column === c.proposed![0] && p.prunable)).toBe(true);
    } finally {
      db.close();
    }
  }, 300_000);
});
