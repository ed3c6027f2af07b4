/**
 * bench:advisor-suite's six workloads at a tiny scale: each builds, its query
 * stream runs without a failing statement, and its expert layout applies.
 * (The bench itself measures; this only keeps the generators and the SQL they
 * write working as the engine changes.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildWorkload, replay, storageBytes } from '../../bench/suite/harness.js';
import { WORKLOADS } from '../../bench/suite/workloads.js';

const SCALE = 0.02;
const QUERIES = 40;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-suite-test-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('bench:advisor-suite workloads', () => {
  it('has six workloads with distinct names and deterministic streams', () => {
    expect(new Set(WORKLOADS.map((w) => w.name)).size).toBe(6);
    for (const w of WORKLOADS) {
      expect(w.stream(SCALE, QUERIES, 7)).toEqual(w.stream(SCALE, QUERIES, 7));
      expect(w.stream(SCALE, QUERIES, 7)).not.toEqual(w.stream(SCALE, QUERIES, 8));
    }
  });

  for (const w of WORKLOADS) {
    it(`${w.name}: builds, runs its stream, takes its expert layout`, async () => {
      const db = await buildWorkload(path.join(work, w.name), w, SCALE);
      try {
        const tables = (await db.query('select "table", tbl_rows from svv_table_info')).rows();
        expect(tables.length).toBeGreaterThan(0);
        for (const [, rows] of tables) expect(Number(rows)).toBeGreaterThan(0);
        const stream = w.stream(SCALE, QUERIES, 1);
        const before = await replay(db, stream);
        expect(before.failures).toEqual([]);
        expect(before.blocksScanned).toBeGreaterThan(0);
        for (const sql of w.expert) await db.execute(sql);
        const after = await replay(db, stream);
        expect(after.failures).toEqual([]);
        expect(await storageBytes(db)).toBeGreaterThan(0);
      } finally {
        db.close();
      }
    });
  }
});
