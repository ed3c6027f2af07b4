/**
 * The ledger counts every refresh of an automatic view: those the engine's
 * AUTO REFRESH runs in the background after appends are written to the
 * workload log as REFRESH statements, timed, and the ledger's refreshes and
 * refresh cost per day come from the log, past the catalog's cap of the
 * latest refreshes (MAX_REFRESH_ENTRIES).
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attachWorkloadLog, Database } from '../../../index.js';
import { defaultConfig, type AutonomicsConfig } from '../../../advisor/autonomics/index.js';
import { ledgerRows, refreshCost, viewsStep } from '../../../advisor/matviews/index.js';
import { materializedViews, type RefreshEntry } from '../../../engine/index.js';
import { MAX_REFRESH_ENTRIES } from '../../../engine/catalog/catalog.js';
import { loadWorkload } from '../../../workload-log/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('the ledger of automatic views', () => {
  it('counts the refreshes AUTO REFRESH runs, with their time, beyond the catalog\'s latest', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mvledger-'));
    dirs.push(dir);
    const db = await Database.open(dir, { slices: 2, workloadLog: false });
    const log = attachWorkloadLog(db);
    try {
      const sales = Array.from({ length: 2000 }, (_, i) => `(${i % 30}, ${i % 12}, ${(i * 7) % 101})`).join(', ');
      await db.execute(`create table sales (day int, store int, amount int); insert into sales values ${sales};`);
      const report = 'select store, sum(amount) as total, count(*) as n from sales group by store order by store';
      for (let k = 0; k < 3; k++) await db.query('select count(*) from sales where day = 1');
      for (let k = 0; k < 8; k++) await db.query(report);
      log.flush();
      const d = defaultConfig();
      const config: AutonomicsConfig = { ...d, maxLoadAverage: 1e9, mining: { ...d.mining, minQueries: 1 }, views: { ...d.views, minSecondsPerDay: 1e-6 } };
      const made = (await viewsStep(db, config)).created;
      expect(made).toHaveLength(1);
      const name = made[0]!.name;
      expect(materializedViews(db.catalog())[name]!.autoRefresh).toBe(true);
      const appends = MAX_REFRESH_ENTRIES + 5;
      for (let k = 0; k < appends; k++) {
        await db.query(`insert into sales values (${k}, ${k % 12}, ${k})`);
        await db.autoRefreshIdle();
      }
      log.flush();
      const mv = materializedViews(db.catalog())[name]!;
      // the catalog keeps the latest refreshes only; the log has them all
      expect(mv.refreshes.length).toBeLessThanOrEqual(MAX_REFRESH_ENTRIES);
      const w = loadWorkload(dir, {});
      const sqls: string[] = [];
      for (const part of w.parts) for (let i = 0; i < part.queries.length; i++) if (part.queries.command.dict[part.queries.command.codes[i]!] === 'REFRESH MATERIALIZED VIEW') sqls.push(part.queries.sql.get(i)!);
      expect(sqls).toHaveLength(appends);
      expect(new Set(sqls)).toEqual(new Set([`REFRESH MATERIALIZED VIEW ${name}`]));
      const row = ledgerRows(dir, db.catalog(), config.mining.sinceMs).find((r) => r.name === name)!;
      expect(row.refreshes).toBe(appends);
      expect(row.refreshMs).toBeGreaterThanOrEqual(0);
      // the ledger's cost is the logged refreshes' time: at least what the catalog's latest took
      const kept = mv.refreshes.filter((r) => r.trigger === 'auto' && r.kind !== 'unchanged').reduce((n, r) => n + r.endedAt - r.startedAt, 0);
      expect(row.refreshMs).toBeGreaterThanOrEqual(Math.round(kept) - 1);
      expect(row.refreshSecondsPerDay).toBeGreaterThanOrEqual(0);
    } finally {
      log.close();
      db.close();
    }
  });

  it('takes whichever of the log and the catalog names more refreshes', () => {
    const entry = (at: number, kind: RefreshEntry['kind'] = 'incremental'): RefreshEntry => ({ startedAt: at, endedAt: at + 10, kind, trigger: 'auto', rowsRead: 1, rows: 1 });
    const catalog = [entry(100), entry(200), entry(300, 'unchanged'), entry(400)];
    // a log without them (no workload log attached when they ran): the catalog's two since 150
    expect(refreshCost(undefined, catalog, 150)).toEqual({ count: 2, ms: 20 });
    // a log with more: the log's, each with its own time
    expect(refreshCost({ startMs: [50, 160, 170, 180], ms: [5, 6, 7, 8] }, catalog, 150)).toEqual({ count: 3, ms: 21 });
  });
});
