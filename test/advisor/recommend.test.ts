/** Recommendations end to end on a small database: run, list, show's reason and evidence, apply through ALTER TABLE, status history. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import { getRecommendation, isDistribution, listRecommendations, recommendationsPath, runAdvisor } from '../../advisor/index.js';
import { applyGroup } from '../../advisor/autonomics/index.js';

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
      // proposals on the estimates alone: whether the shadow's clock settles a bytes-moved saving at this size depends on the machine's load (shadow.test.ts proves one)
      const out = await runAdvisor(db, { budgetMs: 500, shadow: false });
      expect(out.run.queries).toBeGreaterThanOrEqual(5);
      expect(out.run.objectiveAfter).toBeLessThan(out.run.objectiveBefore);
      const dist = out.recommendations.filter((r) => r.kind === 'distkey' || r.kind === 'diststyle');
      const byTable = new Map(dist.map((r) => [r.table, r]));
      const f = byTable.get('f')!;
      if (!isDistribution(f)) throw new Error(`f's recommendation is ${f.kind}`);
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
      // f and d keyed on the two sides of their join pay only together: one group
      expect(byTable.get('d')?.group).toBe(f.group);
      // mined again, unchanged recommendations keep their ids, and unchanged groups theirs, so `apply r1` still names the same change
      // (distribution only: encodings are chosen on measured decode speeds and may come and go between runs)
      const changes = (o: typeof out) => o.recommendations.filter((r) => r.kind !== 'encoding').map((r) => `${r.id} ${r.ddl}`).sort();
      const groups = (o: typeof out) => o.recommendations.map((r) => `${r.id} ${r.group}`).sort();
      const again = await runAdvisor(db, { budgetMs: 500, shadow: false, storage: false });
      const third = await runAdvisor(db, { budgetMs: 500, shadow: false, storage: false });
      expect(groups(third)).toEqual(groups(again));
      expect(changes(again)).toEqual(changes(out));
    } finally {
      db.close();
    }
  });

  it('apply runs the DDL and records applying then applied; a stale recommendation fails without running', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      const f = listRecommendations(dir).find((r) => r.table === 'f' && r.kind === 'distkey')!;
      const group = await applyGroup(db, f.id);
      const done = group.find((r) => r.id === f.id)!;
      expect(done.status).toBe('applied');
      expect(group.every((r) => r.status === 'applied' && r.group === f.group)).toBe(true);
      expect(done.history.map((h) => h.status)).toEqual(['proposed', 'applying', 'applied']);
      expect(db.catalog().tables.f!.distStyle).toBe('key');
      expect(db.catalog().tables.f!.distKey).toBe('d');
      await expect(applyGroup(db, f.id)).rejects.toThrow(/is applied, not proposed/);
      // the user changes f by hand; the advisor proposes KEY(d) again, then f changes once more: the proposal is stale
      await db.execute('alter table f alter diststyle even');
      const again = (await runAdvisor(db, { budgetMs: 500, shadow: false })).recommendations.find((r) => r.table === 'f' && r.kind === 'distkey')!;
      expect(again.current).toBe('EVEN');
      await db.execute('alter table f alter diststyle all');
      const [failed] = (await applyGroup(db, again.id)).filter((r) => r.id === again.id);
      expect(failed!.status).toBe('failed');
      expect(failed!.statusReason).toMatch(/f is now ALL, not EVEN as when recommended/);
      expect(db.catalog().tables.f!.distStyle).toBe('all');
      expect(() => getRecommendation(dir, 'r999')).toThrow(/no recommendation/);
      await expect(applyGroup(db, 'r999')).rejects.toThrow(/no recommendation or group "r999"/);
    } finally {
      db.close();
    }
  });
});
