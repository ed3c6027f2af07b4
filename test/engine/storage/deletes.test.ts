/**
 * Delete vectors (storage/deletes.ts): a scan after any sequence of deletes
 * returns exactly the rows not deleted, through every scan path (whole
 * blocks, filtered blocks, worker threads), and the vectors survive closing
 * and reopening; a damaged vector is CORRUPT, never read as data.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, StorageError } from '../../../engine/index.js';
import { dropDeleted, encodeDeleteVector, lowerBound, readDeleteVector, unionRows } from '../../../engine/storage/deletes.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-deletes-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const ids = async (db: Database, where = ''): Promise<number[]> => (await db.query(`select id from t ${where}`)).rows().map((r) => Number(r[0])).sort((a, b) => a - b);

describe('row lists', () => {
  it('union, lower bound and dropping deleted positions agree with a model', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(200)), fc.uniqueArray(fc.nat(200)), fc.nat(180), (a, b, start) => {
        const sa = Uint32Array.from(a.sort((x, y) => x - y));
        const sb = Uint32Array.from(b.sort((x, y) => x - y));
        const u = unionRows(sa, sb);
        expect([...u]).toEqual([...new Set([...a, ...b])].sort((x, y) => x - y));
        expect(lowerBound(u, start)).toBe([...u].filter((x) => x < start).length);
        // a block of 20 rows at `start`, every position selected
        const sel = Uint32Array.from({ length: 20 }, (_, i) => i);
        const k = dropDeleted(sel, 20, u, lowerBound(u, start), lowerBound(u, start + 20), start);
        expect([...sel.subarray(0, k)]).toEqual([...Array(20).keys()].filter((i) => !u.includes(start + i)));
      }),
    );
  });

  it('a vector file round-trips and refuses damage, a wrong count and rows beyond the segment', () => {
    const dir = tmp();
    const file = path.join(dir, '000001-000002.del');
    fs.writeFileSync(file, encodeDeleteVector(Uint32Array.from([1, 5, 9])));
    expect([...readDeleteVector(file, 3, 10)]).toEqual([1, 5, 9]);
    expect(() => readDeleteVector(file, 2, 10)).toThrow(/the catalog says 2 deleted rows, the file holds 3/);
    expect(() => readDeleteVector(file, 3, 9)).toThrow(/beyond the segment's 9 rows/);
    const bytes = fs.readFileSync(file);
    bytes[10] = bytes[10]! ^ 1;
    fs.writeFileSync(file, bytes);
    expect(() => readDeleteVector(file, 3, 10)).toThrow(StorageError);
    expect(() => readDeleteVector(path.join(dir, 'missing.del'), 1, 10)).toThrow(/missing/);
  });
});

describe('deletes through the engine', () => {
  it('random deletes, then every scan path returns the model; reopening keeps the deletes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom('even', 'all', 'key distkey (id)'),
        fc.array(fc.oneof(fc.record({ lo: fc.nat(300), len: fc.nat(60) }), fc.uniqueArray(fc.nat(300), { maxLength: 12 })), { maxLength: 6 }),
        async (rows, style, deletes) => {
          const dir = tmp();
          let db = await Database.open(dir, { slices: 3, blockRows: 16, workers: 0 });
          try {
            await db.execute(`create table t (id int, g int) diststyle ${style} sortkey (id)`);
            // two appends: each slice gets two segments, so deletes span segments and blocks
            const half = Math.floor(rows / 2);
            const values = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `(${from + i}, ${(from + i) % 7})`).join(', ');
            if (half > 0) await db.query(`insert into t values ${values(0, half)}`);
            await db.query(`insert into t values ${values(half, rows)}`);
            const model = new Set(Array.from({ length: rows }, (_, i) => i));
            for (const d of deletes) {
              const r = Array.isArray(d)
                ? await db.query(d.length ? `delete from t where id in (${d.join(', ')})` : 'delete from t where id < 0')
                : await db.query(`delete from t where id between ${d.lo} and ${d.lo + d.len}`);
              const gone = Array.isArray(d) ? d.filter((x) => model.has(x)) : [...model].filter((x) => x >= d.lo && x <= d.lo + d.len);
              expect(r.rowCount).toBe(gone.length);
              for (const x of gone) model.delete(x);
            }
            const want = [...model].sort((a, b) => a - b);
            expect(await ids(db)).toEqual(want);
            expect(await ids(db, 'where g = 3')).toEqual(want.filter((x) => x % 7 === 3));
            expect(await ids(db, 'where id >= 100')).toEqual(want.filter((x) => x >= 100));
            expect(Number((await db.query('select count(*) from t')).rows()[0]![0])).toBe(want.length);
            db.close();
            db = await Database.open(dir, { workers: 0 });
            expect(await ids(db)).toEqual(want);
            const [total, visible] = (await db.query(`select tbl_rows, estimated_visible_rows from svv_table_info where "table" = 't'`)).rows()[0]!.map(Number);
            expect(visible).toBe(want.length);
            expect(total).toBeGreaterThanOrEqual(visible!);
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 60_000);

  it('a segment whose every row is deleted leaves the catalog; a partly deleted one keeps a vector file', async () => {
    const dir = tmp();
    const db = await Database.open(dir, { slices: 1, blockRows: 4, workers: 0 });
    try {
      await db.execute('create table t (id int) diststyle even; insert into t values (1), (2), (3); insert into t values (4), (5)');
      await db.query('delete from t where id >= 4');
      const table = db.catalog().tables.t!;
      expect(table.segments.map((s) => [s.rows, s.deletes])).toEqual([[3, undefined]]);
      expect(table.rows).toBe(3);
      await db.query('delete from t where id = 2');
      const seg = db.catalog().tables.t!.segments[0]!;
      expect(seg.deletes?.rows).toBe(1);
      expect(fs.existsSync(path.join(dir, 'tables', String(table.id), seg.deletes!.file))).toBe(true);
      expect(await ids(db)).toEqual([1, 3]);
    } finally {
      db.close();
    }
  });

  it('a damaged delete vector is CORRUPT when a query reads it', async () => {
    const dir = tmp();
    const db = await Database.open(dir, { slices: 1, workers: 0 });
    await db.execute('create table t (id int) diststyle even; insert into t values (1), (2), (3); delete from t where id = 2');
    const t = db.catalog().tables.t!;
    db.close();
    const file = path.join(dir, 'tables', String(t.id), t.segments[0]!.deletes!.file);
    const bytes = fs.readFileSync(file);
    bytes[8] = 7; // row 1 becomes row 7: beyond the segment's 3 rows, and the checksum no longer matches
    fs.writeFileSync(file, bytes);
    const again = await Database.open(dir, { workers: 0 });
    try {
      await expect(again.query('select id from t')).rejects.toMatchObject({ code: 'CORRUPT' });
    } finally {
      again.close();
    }
  });

  it('queries on worker threads read the delete vectors', async () => {
    const dir = tmp();
    const db = await Database.open(dir, { slices: 2, workers: 1 });
    try {
      await db.query('create table t (id int, g int) diststyle even');
      const n = 250_000; // above the rows a fragment needs to run on a worker
      const id = new Int32Array(n);
      const g = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        id[i] = i;
        g[i] = i % 10;
      }
      await db.append('t', [{ length: n, columns: [{ kind: 'i32', values: id, nulls: null, length: n }, { kind: 'i32', values: g, nulls: null, length: n }] }]);
      expect((await db.query('delete from t where g = 3 or id < 1000')).rowCount).toBe(25_000 + 900);
      const r = await db.query('select count(*), sum(id) from t where g <> 5');
      const keep = Array.from({ length: n }, (_, i) => i).filter((i) => i % 10 !== 3 && i >= 1000 && i % 10 !== 5);
      expect(r.rows()[0]!.map(Number)).toEqual([keep.length, keep.reduce((a, b) => a + b, 0)]);
    } finally {
      db.close();
    }
  }, 60_000);
});
