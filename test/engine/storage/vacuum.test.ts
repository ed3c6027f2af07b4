/**
 * VACUUM (storage/vacuum.ts, vacuum-delete.ts): the delete phase reclaims the
 * space of deleted rows and keeps the sorted region; the sort phase leaves
 * the table sorted and reading fewer blocks; thresholds skip as Redshift's
 * do; both run online: readers see one version or the other, appends and
 * deletes made meanwhile are kept.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, StorageError } from '../../../engine/index.js';
import { rng } from '../../helpers/random.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-vacuum-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Appends rows (day, id) for `days`, ids from `firstId`. */
async function append(db: Database, days: readonly number[], firstId: number): Promise<void> {
  const n = days.length;
  const vec = (values: Int32Array) => ({ kind: 'i32' as const, values, nulls: null, length: n });
  await db.append('t', [{ length: n, columns: [vec(Int32Array.from(days)), vec(Int32Array.from(days, (_, i) => firstId + i))] }], n);
}

async function content(db: Database): Promise<string[]> {
  return (await db.query('select day, id from t')).rows().map((r) => `${r[0]}:${r[1]}`).sort();
}

async function info(db: Database): Promise<{ tblRows: number; visible: number; size: number; unsorted: number; benefit: number }> {
  const r = (await db.query(`select tbl_rows, estimated_visible_rows, size_bytes, unsorted, vacuum_sort_benefit from svv_table_info where "table" = 't'`)).rows()[0]!;
  return { tblRows: Number(r[0]), visible: Number(r[1]), size: Number(r[2]), unsorted: Number(r[3]), benefit: Number(r[4]) };
}

/**
 * A table of `batches` daily batches of `per` rows, appended in a shuffled
 * day order; a fifth of each batch's rows arrive late, for earlier days.
 */
async function dailyTable(dir: string, batches: number, per: number, seed = 1): Promise<Database> {
  const db = await Database.create(dir, { slices: 2, blockRows: 128 });
  await db.execute('create table t (day int, id int) sortkey (day)');
  const r = rng(seed);
  const order = [...Array(batches).keys()].sort(() => r() - 0.5);
  let id = 0;
  for (const d of order) {
    await append(db, Array.from({ length: per }, (_, i) => (i % 5 === 4 ? Math.floor(r() * (d + 1) * 100) : d * 100 + (i % 100))), id);
    id += per;
  }
  return db;
}

describe('VACUUM', () => {
  it('DELETE ONLY reclaims the deleted rows and their space, and keeps the sorted region', async () => {
    const db = await dailyTable(tmp(), 6, 1000);
    try {
      await db.execute('delete from t where id % 3 = 0');
      const want = await content(db);
      const before = await info(db);
      expect(before.tblRows).toBe(6000);
      // two thirds visible: at or above 50 percent, so TO 50 PERCENT has nothing to do
      await db.execute('vacuum delete only t to 50 percent');
      expect((await info(db)).tblRows).toBe(6000);
      await db.execute('vacuum delete only t to 100 percent');
      const after = await info(db);
      expect(after).toMatchObject({ tblRows: want.length, visible: want.length });
      // each segment compacted in place: the sorted region is still each slice's first segment
      expect(Math.abs(after.unsorted - before.unsorted)).toBeLessThan(1);
      expect(after.size).toBeLessThan(before.size * 0.8);
      expect(await content(db)).toEqual(want);
      expect(db.catalog().tables.t!.segments.every((s) => !s.deletes)).toBe(true);
      // deleted rows leave no stale statistics: stats_off counts the deletes, not the vacuum
      expect(db.catalog().tables.t!.changedRows).toBe(6000 + 2000);
    } finally {
      db.close();
    }
  });

  it('the default threshold (95) skips a table with few deleted rows; FULL sorts one that is unsorted', async () => {
    const db = await dailyTable(tmp(), 5, 800);
    try {
      await db.execute('delete from t where id < 100');
      await db.execute('vacuum delete only t');
      expect((await info(db)).tblRows).toBe(4000);
      const want = await content(db);
      const range = 'select count(*) from t where day between 200 and 210';
      const blocksBefore = (await db.query(range)).stats.blocksScanned;
      const before = await info(db);
      expect(before.unsorted).toBe(80);
      expect(before.benefit).toBeGreaterThan(0);
      await db.execute('vacuum t');
      const after = await info(db);
      expect(after).toMatchObject({ tblRows: 3900, visible: 3900, unsorted: 0, benefit: 0 });
      expect(await content(db)).toEqual(want);
      expect((await db.query(range)).stats.blocksScanned).toBeLessThan(blocksBefore);
      // sorted and no deleted rows: every mode skips
      const version = db.catalog().tables.t!.version;
      await db.execute('vacuum; vacuum sort only t; vacuum delete only t to 100 percent');
      expect(db.catalog().tables.t!.version).toBe(version);
      // REINDEX sorts whatever the threshold
      await db.execute('vacuum reindex t');
      expect(db.catalog().tables.t!.version).toBe(version + 1);
      expect(await content(db)).toEqual(want);
    } finally {
      db.close();
    }
  });

  it('SORT ONLY with a threshold: sorts only when fewer rows than that are sorted', async () => {
    const db = await dailyTable(tmp(), 4, 500);
    try {
      expect((await info(db)).unsorted).toBe(75);
      await db.execute('vacuum sort only t to 20 percent');
      expect((await info(db)).unsorted).toBe(75);
      await db.execute('vacuum sort only t to 30 percent');
      expect((await info(db)).unsorted).toBe(0);
      const out = await db.maintainInBackground('vacuum sort only t');
      expect(out).toEqual([{ action: 'vacuum', kind: 'skipped', table: 't', reason: 'the table is fully sorted' }]);
    } finally {
      db.close();
    }
  });
});

describe('VACUUM after ADD and DROP COLUMN', () => {
  it('DELETE ONLY reads segments written before the columns changed through the table columns', async () => {
    const db = await dailyTable(tmp(), 3, 200);
    try {
      await db.execute('alter table t add column z int default 7');
      await db.execute('alter table t add column w varchar(4)');
      await db.execute("insert into t values (1, 900000, 8, 'new')");
      await db.execute('alter table t drop column z');
      // same column count as the old files (day, id): a reader that took file columns by position would read id as w
      await db.execute('alter table t drop column w');
      await db.execute('alter table t add column z int default 3');
      await db.execute('delete from t where id % 3 = 0');
      const want = (await db.query('select day, id, z from t')).rows().map((r) => r.join(':')).sort();
      await db.execute('vacuum delete only t to 100 percent');
      const t = db.catalog().tables.t!;
      expect(t.segments.every((s) => s.deletes === undefined)).toBe(true);
      expect((await db.query('select day, id, z from t')).rows().map((r) => r.join(':')).sort()).toEqual(want);
      expect(want.length).toBe(600 + 1 - 201);
      expect((await db.query('select count(*), sum(z) from t')).rows()).toEqual([[400, 1200]]);
    } finally {
      db.close();
    }
  });
});

describe('VACUUM online', () => {
  /** Runs `sql` in the background, paused after its first step until `during` has run. */
  async function whilePaused(db: Database, sql: string, during: () => Promise<void>) {
    let hold = true;
    let started!: () => void;
    const first = new Promise<void>((r) => (started = r));
    const run = db.maintainInBackground(sql, { pauseWhile: () => hold, onProgress: () => started() });
    await first;
    try {
      await during();
    } finally {
      hold = false;
    }
    return run;
  }

  it('DELETE ONLY: readers see a whole version; rows appended and deleted meanwhile are kept', async () => {
    const db = await dailyTable(tmp(), 4, 1000);
    try {
      await db.execute('delete from t where id % 2 = 0');
      const visible = (await content(db)).length;
      const run = whilePaused(db, 'vacuum delete only t to 100 percent', async () => {
        expect((await content(db)).length).toBe(visible);
        await append(db, [7, 8, 9], 100_000);
        // rows in segments being compacted, deleted while the vacuum builds
        await db.execute('delete from t where id % 5 = 1 and id < 100000');
      });
      const [outcome] = await run;
      const want = await content(db);
      expect(outcome).toMatchObject({ action: 'vacuum', kind: 'done', phases: ['delete'] });
      const ids = want.map((x) => Number(x.split(':')[1]));
      expect(ids.some((id) => id % 2 === 0 && id < 100_000)).toBe(false);
      expect(ids.some((id) => id % 5 === 1 && id < 100_000)).toBe(false);
      expect(ids.filter((id) => id >= 100_000).sort()).toEqual([100_000, 100_001, 100_002]);
      expect(ids.length).toBe(4000 - 2000 - 400 + 3);
      // the deletes made meanwhile are the only ones left
      const t = db.catalog().tables.t!;
      expect(t.rows - ids.length).toBe(t.segments.reduce((n, s) => n + (s.deletes?.rows ?? 0), 0));
      expect(t.rows - ids.length).toBe(400);
    } finally {
      db.close();
    }
  });

  it('a concurrent reader in a loop never sees a mix of versions', async () => {
    const db = await dailyTable(tmp(), 6, 1000);
    try {
      await db.execute('delete from t where day % 100 < 30');
      const want = await content(db);
      const sums = (await db.query('select count(*), sum(id), min(day), max(day) from t')).rows()[0]!.join();
      let reads = 0;
      let running = true;
      const reader = (async () => {
        while (running) {
          expect((await db.query('select count(*), sum(id), min(day), max(day) from t')).rows()[0]!.join()).toBe(sums);
          reads++;
        }
      })();
      await db.maintainInBackground('vacuum full t to 100 percent', { maxBytesPerSecond: 400_000 });
      running = false;
      await reader;
      expect(reads).toBeGreaterThan(1);
      expect(await content(db)).toEqual(want);
      expect(await info(db)).toMatchObject({ tblRows: want.length, unsorted: 0 });
    } finally {
      db.close();
    }
  });

  it('DELETE ONLY: an ADD and a DROP COLUMN meanwhile are kept, and the compacted segments read as the table columns', async () => {
    const db = await dailyTable(tmp(), 3, 500);
    try {
      await db.execute('delete from t where id % 2 = 0');
      const run = whilePaused(db, 'vacuum delete only t to 100 percent', async () => {
        await db.execute('alter table t add column z int default 7');
        await db.execute('alter table t add column w int default 1; alter table t drop column w');
      });
      const [outcome] = await run;
      expect(outcome).toMatchObject({ action: 'vacuum', kind: 'done', phases: ['delete'] });
      expect(db.catalog().tables.t!.columns.map((c) => c.name)).toEqual(['day', 'id', 'z']);
      expect((await db.query('select count(*), sum(z), sum(id % 2) from t')).rows()).toEqual([[750, 750 * 7, 750]]);
      // and the directory reopens to the same (every segment checked against its catalog entry)
      db.close();
      const again = await Database.open(db.dir, { workers: 0 });
      try {
        expect((await again.query('select count(*), sum(z), sum(id % 2) from t')).rows()).toEqual([[750, 750 * 7, 750]]);
      } finally {
        again.close();
      }
    } finally {
      db.close();
    }
  });

  it('SORT: an append meanwhile is kept; a DELETE meanwhile fails the vacuum with CONFLICT and keeps the delete', async () => {
    const db = await dailyTable(tmp(), 4, 500);
    try {
      await whilePaused(db, 'vacuum sort only t', () => append(db, [1, 2], 50_000));
      expect((await content(db)).length).toBe(2002);
      await append(db, [3, 4, 5], 60_000);
      const run = whilePaused(db, 'vacuum sort only t to 100 percent', () => db.execute('delete from t where id = 60001').then(() => undefined));
      await expect(run).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(run).rejects.toBeInstanceOf(StorageError);
      expect((await content(db)).length).toBe(2004);
      expect((await content(db)).includes('4:60001')).toBe(false);
    } finally {
      db.close();
    }
  });
});
