/**
 * svv_table_info's maintenance columns (storage/table-health.ts): unsorted,
 * stats_off and vacuum_sort_benefit follow appends, deletes and truncation.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-health-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function info(db: Database, table: string): Promise<Record<string, unknown>> {
  const r = await db.query(`select tbl_rows, estimated_visible_rows, unsorted, stats_off, vacuum_sort_benefit from svv_table_info where "table" = '${table}'`);
  const row = r.rows()[0]!;
  return { tblRows: Number(row[0]), visible: Number(row[1]), unsorted: row[2], statsOff: row[3], benefit: row[4] };
}

/** Appends `n` rows (day, v) whose days run from `from`, in a shuffled order. */
async function append(db: Database, table: string, from: number, n: number): Promise<void> {
  const day = new Int32Array(n);
  for (let i = 0; i < n; i++) day[i] = from + ((i * 7919) % n);
  const v = Int32Array.from(day, (d) => d * 3);
  const vec = (values: Int32Array) => ({ kind: 'i32' as const, values, nulls: null, length: n });
  await db.append(table, [{ length: n, columns: [vec(day), vec(v)] }], n);
}

describe('svv_table_info maintenance columns', () => {
  it('a table loaded once is sorted; appends out of order are unsorted and worth sorting', async () => {
    const db = await Database.create(tmp(), { slices: 2, blockRows: 64 });
    try {
      await db.execute('create table e (day int, v int) sortkey (day); create table n (day int, v int)');
      expect(await info(db, 'e')).toEqual({ tblRows: 0, visible: 0, unsorted: 0, statsOff: 0, benefit: 0 });
      await append(db, 'e', 1000, 2000);
      // one load into an empty table is the sorted region; never analyzed, its statistics are off
      expect(await info(db, 'e')).toEqual({ tblRows: 2000, visible: 2000, unsorted: 0, statsOff: 100, benefit: 0 });
      // the same days again: each new block overlaps blocks of the sorted region, so a lookup reads more blocks than in sort order
      await append(db, 'e', 1000, 2000);
      const after = await info(db, 'e');
      expect(after.tblRows).toBe(4000);
      expect(after.unsorted).toBe(50);
      expect(after.benefit as number).toBeGreaterThan(30);
      // a table without a sort key has neither
      await append(db, 'n', 0, 100);
      expect(await info(db, 'n')).toMatchObject({ unsorted: null, benefit: null });
    } finally {
      db.close();
    }
  });

  it('an append of a disjoint range is unsorted but costs no extra blocks', async () => {
    const db = await Database.create(tmp(), { slices: 1, blockRows: 64 });
    try {
      await db.execute('create table e (day int, v int) sortkey (day)');
      await append(db, 'e', 1000, 1000);
      await append(db, 'e', 5000, 1000);
      const r = await info(db, 'e');
      expect(r.unsorted).toBe(50);
      expect(r.benefit).toBe(0);
    } finally {
      db.close();
    }
  });

  it('deleted rows stay in tbl_rows until vacuumed and count as changes for stats_off', async () => {
    const db = await Database.create(tmp(), { slices: 2, blockRows: 64 });
    try {
      await db.execute('create table e (day int, v int) sortkey (day)');
      await append(db, 'e', 0, 1000);
      await db.execute('delete from e where day < 100');
      expect(await info(db, 'e')).toMatchObject({ tblRows: 1000, visible: 900 });
      const t = db.catalog().tables.e!;
      expect(t.changedRows).toBe(1100);
      await db.execute('truncate e');
      expect(db.catalog().tables.e!.changedRows).toBe(2000);
      expect(await info(db, 'e')).toMatchObject({ tblRows: 0, statsOff: 0 });
    } finally {
      db.close();
    }
  });
});
