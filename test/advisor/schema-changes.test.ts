/**
 * The advisor after schema changes: its workload log still names columns a
 * later ALTER TABLE dropped or renamed. A run proposes nothing on a column the
 * table no longer has, and a proposed recommendation that names one fails
 * when applied without running, the table as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import { listRecommendations, runAdvisor } from '../../advisor/index.js';
import { applyGroup } from '../../advisor/autonomics/index.js';
import { rng } from '../helpers/random.js';

let dir: string;
const dateText = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-advisor-schema-'));
  const db = await Database.open(dir, { slices: 2, blockRows: 1024 });
  try {
    await db.execute('create table events (id integer, day date, kind integer)');
    const rows = Array.from({ length: 20_000 }, (_, i) => `(${i}, date '${dateText(9000 + ((i * 7919) % 1500))}', ${i % 5})`);
    for (let k = 0; k < rows.length; k += 5000) await db.execute(`insert into events values ${rows.slice(k, k + 5000).join(', ')}`);
    const r = rng(9);
    for (let k = 0; k < 14; k++) {
      const d = 9000 + Math.floor(r() * 1400);
      await db.query(`select kind, count(*) from events where day >= date '${dateText(d)}' and day < date '${dateText(d + 45)}' group by kind`);
    }
  } finally {
    db.close();
  }
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the advisor after schema changes', () => {
  it('proposes a sort key on the logged column, and none once it is dropped or renamed', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      const before = await runAdvisor(db, { budgetMs: 300, shadow: false });
      expect(before.recommendations.filter((r) => r.kind === 'sortkey').map((r) => r.proposed)).toEqual(['day']);
      await db.execute('alter table events rename column day to happened');
      // the proposal made before the rename names a column the table no longer has: it fails without running
      const sk = before.recommendations.find((r) => r.kind === 'sortkey')!;
      const failed = (await applyGroup(db, sk.id)).find((r) => r.id === sk.id)!;
      expect(failed.status).toBe('failed');
      expect(failed.statusReason).toContain('column events.day no longer exists');
      expect(listRecommendations(db.dir).find((r) => r.id === sk.id)!.status).toBe('failed');
      const r = await db.query(`select sortkey1 from svv_table_info where "table" = 'events'`);
      expect(r.rows()).toEqual([[null]]);
      const renamed = await runAdvisor(db, { budgetMs: 300, shadow: false });
      expect(renamed.recommendations.map((r) => r.ddl).filter((d) => /\bday\b/.test(d))).toEqual([]);
      await db.execute('alter table events drop column happened');
      const dropped = await runAdvisor(db, { budgetMs: 300, shadow: false });
      expect(dropped.recommendations.map((r) => r.ddl).filter((d) => /\b(day|happened)\b/.test(d))).toEqual([]);
    } finally {
      db.close();
    }
  }, 120_000);
});
