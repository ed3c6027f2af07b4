/**
 * A rewrite keeps an unsorted table's load order: a table appended day by day
 * and redistributed (synchronously or in the background) still lets a date
 * range skip the blocks it skipped before, with the same rows.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';
import { inLoadOrder } from '../../../engine/storage/load-order.js';
import type { Batch } from '../../../engine/types.js';

const DAYS = 64;
const PER_DAY = 500;
const RANGE = "select count(*), sum(amount) from facts where day between date '2024-01-11' and date '2024-01-17'";

let work: string;

async function loadedByDay(name: string): Promise<Database> {
  const db = await Database.open(path.join(work, name), { slices: 4, blockRows: 1024 });
  await db.execute('create table facts (day date, customer int, amount int)');
  // one load in day order (several blocks per slice in one segment), rows of a day in scrambled customer order
  const values: string[] = [];
  for (let d = 0; d < DAYS; d++) {
    const day = new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10);
    for (let i = 0; i < PER_DAY; i++) values.push(`(date '${day}', ${(i * 7919 + d * 31) % 997}, ${(i % 13) + d})`);
  }
  await db.execute(`insert into facts values ${values.join(', ')}`);
  return db;
}

async function rangeScan(db: Database) {
  const { table, stats } = await db.query(RANGE);
  return { rows: table.toArray().map((r) => r.toJSON()), blocks: stats.blocksScanned };
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-load-order-'));
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('rewrites keep the load order of unsorted tables', () => {
  it.each([
    ['synchronous', false],
    ['background', true],
  ] as const)('%s ALTER DISTKEY keeps a date range reading as few blocks', async (_, background) => {
    const db = await loadedByDay(`t-${background}`);
    try {
      const before = await rangeScan(db);
      const all = (await db.query('select sum(amount), max(day) from facts')).stats.blocksScanned;
      expect(before.blocks).toBeLessThan(all / 3);
      const sql = 'alter table facts alter distkey customer';
      if (background) await db.alterInBackground(sql);
      else await db.execute(sql);
      expect(db.catalog().tables.facts!.distKey).toBe('customer');
      const after = await rangeScan(db);
      expect(after.rows).toEqual(before.rows);
      // the same day range spans at most one more block per slice and column read
      expect(after.blocks).toBeLessThanOrEqual(before.blocks + 4 * 2);
    } finally {
      db.close();
    }
  });
});

describe('inLoadOrder', () => {
  const batch = (tag: number, n: number): Batch => ({ length: n, columns: [{ kind: 'i32', values: new Int32Array(n).fill(tag), nulls: null }] }) as unknown as Batch;
  it('interleaves slices by the fraction read and keeps each slice in order', () => {
    // slice 0 has 4 batches of 10, slice 1 has 2 batches of 20: read in step
    const segments = [
      { slice: 0, rows: 20, parts: [0, 1] },
      { slice: 1, rows: 40, parts: [10, 11] },
      { slice: 0, rows: 20, parts: [2, 3] },
    ];
    const sizes: Record<number, number> = { 0: 10, 1: 10, 2: 10, 3: 10, 10: 20, 11: 20 };
    const order = [...inLoadOrder(segments, (s) => s.parts.map((p) => batch(p, sizes[p]!)))].map((b) => (b.columns[0] as { values: Int32Array }).values[0]);
    expect(order).toEqual([0, 10, 1, 2, 11, 3]);
  });
});
