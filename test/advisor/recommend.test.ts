/** Recommendations end to end on a small database: run, list, show's reason and evidence, apply through ALTER TABLE, status history. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import { getRecommendation, listRecommendations, recommendationsPath, runAdvisor } from '../../advisor/index.js';
import { applyOne } from '../../advisor/autonomics/index.js';

let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-advisor-rec-'));
  const db = await Database.open(dir, { slices: 4 });
  try {
    await db.execute('create table f (id integer, d integer, v integer) diststyle even; create table d (id integer, name varchar(20)) diststyle even');
    const frows = Array.from({ length: 3000 }, (_, i) => `(${i}, ${i % 2000}, ${i % 7})`).join(', ');
    const drows = Array.from({ length: 2000 }, (_, i) => `(${i}, 'n${i}')`).join(', ');
    await db.execute(`insert into f values ${frows}; insert into d values ${drows}`);
    for (let k = 0; k < 5; k++) await db.query(`select d.name, sum(f.v) from f join d on f.d = d.id where f.v > ${k % 3} group by d.name`);
  } finally {
    db.close();
  }
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('advisor recommendations', () => {
  it('run proposes keys on the join columns, with evidence, benefit and a plain reason, stored atomically', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      const out = await runAdvisor(db, { budgetMs: 500 });
      expect(out.run.queries).toBeGreaterThanOrEqual(5);
      expect(out.run.objectiveAfter).toBeLessThan(out.run.objectiveBefore);
      const dist = out.recommendations.filter((r) => r.kind === 'distkey' || r.kind === 'diststyle');
      const byTable = new Map(dist.map((r) => [r.table, r]));
      const f = byTable.get('f')!;
      expect(f.kind).toBe('distkey');
      expect(f.proposed).toBe('KEY(d)');
      expect(f.ddl).toBe('ALTER TABLE f ALTER DISTKEY d');
      expect(f.current).toBe('EVEN');
      expect(f.evidence.edges[0]!.edge).toBe('d.id=f.d');
      expect(f.evidence.edges[0]!.count).toBe(5);
      expect(f.evidence.fingerprints[0]!.count).toBe(5);
      expect(f.benefit.bytes).toBeGreaterThan(0);
      expect(f.reason).toMatch(/f is joined on d with d\.id by 5 join executions of 1 query shape/);
      expect(f.status).toBe('proposed');
      const total = dist.reduce((s, r) => s + r.benefit.bytes, 0);
      expect(Math.abs(total - (out.run.objectiveBefore - out.run.objectiveAfter))).toBeLessThanOrEqual(dist.length);
      expect(fs.existsSync(recommendationsPath(dir))).toBe(true);
      expect(listRecommendations(dir).map((r) => r.id)).toEqual(out.recommendations.map((r) => r.id));
    } finally {
      db.close();
    }
  });

  it('apply runs the DDL and records applying then applied; a stale recommendation fails without running', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      const f = listRecommendations(dir).find((r) => r.table === 'f' && r.kind === 'distkey')!;
      const done = await applyOne(db, f.id);
      expect(done.status).toBe('applied');
      expect(done.history.map((h) => h.status)).toEqual(['proposed', 'applying', 'applied']);
      expect(db.catalog().tables.f!.distStyle).toBe('key');
      expect(db.catalog().tables.f!.distKey).toBe('d');
      await expect(applyOne(db, f.id)).rejects.toThrow(/applied, not proposed/);
      const other = listRecommendations(dir).find((r) => r.table === 'd' && (r.kind === 'distkey' || r.kind === 'diststyle'));
      if (other) {
        await db.execute('alter table d alter diststyle all');
        const failed = await applyOne(db, other.id);
        expect(failed.status).toBe('failed');
        expect(failed.statusReason).toMatch(/is now ALL/);
      }
      expect(() => getRecommendation(dir, 'r999')).toThrow(/no recommendation/);
    } finally {
      db.close();
    }
  });
});
