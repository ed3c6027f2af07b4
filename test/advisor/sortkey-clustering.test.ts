/**
 * The sort-key chooser against the table as it is stored: a table loaded in
 * date order is already clustered (nothing to propose, before or after a
 * redistribution), while one built by many small appends holds partial blocks
 * that any rewrite merges, and the chooser counts them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import { chooseSortKeys, withoutAdvisor } from '../../advisor/index.js';
import { loadWorkload } from '../../workload-log/index.js';

const DAYS = 80;
const PER_DAY = 250;
let dir: string;

const day = (d: number) => new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10);
const rows = (from: number, to: number) => {
  const out: string[] = [];
  for (let d = from; d < to; d++) for (let i = 0; i < PER_DAY; i++) out.push(`(date '${day(d)}', ${(i * 7919 + d) % 5000}, ${i % 11})`);
  return out.join(', ');
};

async function logScans(db: Database, table: string): Promise<void> {
  for (let k = 0; k < 12; k++) await db.query(`select count(*), sum(v) from ${table} where d between date '${day(k * 6)}' and date '${day(k * 6 + 4)}'`);
}

async function choice(db: Database, table: string) {
  const w = withoutAdvisor(loadWorkload(dir));
  const [c] = await chooseSortKeys(db, w, { tables: [table] });
  return c!;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-sortkey-clustering-'));
  const db = await Database.open(dir, { slices: 4, blockRows: 1024 });
  try {
    await db.execute('create table once (d date, k int, v int) diststyle even; create table daily (d date, k int, v int) diststyle even');
    await db.execute(`insert into once values ${rows(0, DAYS)}`);
    // the same rows, one small append a day: every append leaves a partial block on each slice
    for (let d = 0; d < DAYS; d++) await db.execute(`insert into daily values ${rows(d, d + 1)}`);
    await logScans(db, 'once');
    await logScans(db, 'daily');
  } finally {
    db.close();
  }
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the current order is the table as stored', () => {
  it('a table loaded in date order keeps its clustering: no sort key is proposed, before or after it is redistributed', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      const c = await choice(db, 'once');
      expect(c.proposed).toBeNull();
      expect(c.note).toMatch(/fewer blocks than the current order, under the 10%|already the best/);
      expect(c.sample.storedBlocks).toBe(c.sample.blocks);
      await db.execute('alter table once alter distkey k');
      const after = await choice(db, 'once');
      expect(after.proposed).toBeNull();
      // the redistribution kept the load order: the current order still reads about what a date sort would
      expect(after.before.blocks).toBeLessThanOrEqual(after.best.blocks * 1.1);
    } finally {
      db.close();
    }
  }, 60_000);

  it('a table built by many small appends counts its partial blocks, which a rewrite merges', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      const c = await choice(db, 'daily');
      expect(c.sample.storedBlocks).toBeGreaterThan(c.sample.blocks * 3);
      expect(c.proposed).toEqual(['d']);
      expect(c.best.blocks).toBeLessThan(c.before.blocks * 0.5);
    } finally {
      db.close();
    }
  }, 60_000);
});
