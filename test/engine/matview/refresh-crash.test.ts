/**
 * Crash safety of REFRESH MATERIALIZED VIEW: a child runs the refresh (an
 * incremental one after an append or a delete, a full one after a rewrite) and is
 * SIGKILLed at a random moment. Afterwards the view must hold exactly its
 * rows from before the refresh (and still be stale) or exactly its refreshed
 * rows (and be fresh), the directory must open, and the next REFRESH must
 * bring it to the refreshed rows. A refresh is one catalog commit: the view's
 * new rows and its new record of base versions count together or not at all.
 * Needs dist/ (npm run build): the child is the CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Database } from '../../../engine/index.js';
import { crashTrials, killAndReopen } from '../../helpers/crash.js';

const ROWS = 60_000;
const TRIALS = crashTrials(4, 10); // per kind of refresh

let work: string;
let template: string;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mv-crash-'));
  template = path.join(work, 'template');
  const db = await Database.open(template, { slices: 4, blockRows: 1024, workers: 0 });
  await db.query('create table t (id integer not null, g integer, d decimal(10,2)) diststyle even');
  const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => `(${from + i}, ${(from + i) % 997}, ${((from + i) % 1000) / 10})`).join(', ');
  for (let part = 0; part < 4; part++) await db.query(`insert into t values ${rows((part * ROWS) / 4, ROWS / 4)}`);
  await db.query('create materialized view v as select g, count(*) as n, sum(d) as s, avg(d) as a, min(id) as lo, max(id) as hi from t group by g');
  await db.query('create materialized view w as select id, g, d from t where g % 2 = 0');
  // appended after the views were computed: the next refresh of each is incremental
  await db.query(`insert into t values ${rows(ROWS, ROWS / 2)}`);
  db.close();
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface State {
  stale: string;
  checksum: string;
}

async function state(dir: string, view: string): Promise<State> {
  const db = await Database.open(dir, { create: false, workers: 0 });
  try {
    const stale = String((await db.query(`select is_stale from svv_mv_info where name = '${view}'`)).rows()[0]![0]);
    const rows = await db.query(`select * from ${view} order by 1, 2`);
    return { stale, checksum: createHash('sha256').update(JSON.stringify(rows.textRows())).digest('hex') };
  } finally {
    db.close();
  }
}

const CASES = [
  { name: 'incremental refresh of an aggregate view', view: 'v', prepare: null, kind: 'incremental' },
  { name: 'incremental refresh of a rows view', view: 'w', prepare: null, kind: 'incremental' },
  // MIN and MAX: every group lost rows and is computed again from the base table
  { name: 'incremental refresh of an aggregate view after a delete', view: 'v', prepare: 'delete from t where id % 7 = 0', kind: 'incremental' },
  // a new sort key rewrites every segment: as many rows removed and added as the table has
  { name: 'full refresh after a rewrite', view: 'v', prepare: 'alter table t alter sortkey (g)', kind: 'full' },
] as const;

describe('a SIGKILL during REFRESH MATERIALIZED VIEW leaves the view as before or fully refreshed', () => {
  for (const c of CASES) {
    it(`${c.name}: ${TRIALS} trials`, async () => {
      const base = path.join(work, `${c.view}-${c.kind}`);
      fs.cpSync(template, base, { recursive: true });
      if (c.prepare) {
        const db = await Database.open(base, { create: false, workers: 0 });
        await db.query(c.prepare);
        db.close();
      }
      await killAndReopen({
        template: base,
        dir: `${base}-run`,
        sql: `refresh materialized view ${c.view}`,
        trials: TRIALS,
        seed: 1818,
        state: (dir) => state(dir, c.view),
        async checkFinished(before, after, dir) {
          expect(before.stale).toBe('t');
          expect(after).toEqual({ stale: 'f', checksum: expect.any(String) });
          expect(after.checksum).not.toBe(before.checksum);
          const check = await Database.open(dir, { create: false, workers: 0 });
          expect((await check.query(`select kind from svl_mv_refresh_status where mv_name = '${c.view}' order by endtime desc, starttime desc limit 1`)).rows()).toEqual([[c.kind]]);
          check.close();
        },
        // the directory stays usable: the next refresh takes over the dead child's lock and finishes the job
        async reopen(dir, { after }) {
          const db = await Database.open(dir, { create: false, workers: 0 });
          await db.query(`refresh materialized view ${c.view}`);
          db.close();
          expect(await state(dir, c.view)).toEqual(after);
        },
      });
    }, 240_000);
  }
});
