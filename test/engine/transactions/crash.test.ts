/**
 * Crash safety of transactions: a child runs one transaction block (DML on
 * two tables, CREATE TABLE, ALTER TABLE, DROP TABLE, then COMMIT) and is
 * SIGKILLed at a random moment of it. Afterwards every table must be exactly
 * as before the block or exactly as after its COMMIT, never a mix, and the
 * next writer must find the directory writable and sweep every file the dead
 * block wrote. Needs dist/ (npm run build).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Database } from '../../../engine/index.js';
import { crashTrials, killPoints, warmChild } from '../../helpers/crash.js';
import { rng } from '../../helpers/random.js';

const TRIALS = crashTrials(10, 50);
const BLOCK = `
  begin;
  insert into t select id + 100000, g, d from t where id % 4 = 0;
  delete from u where g < 30;
  update t set d = d + 1, g = g + 100 where id % 7 = 0;
  create table v (id int, g int) diststyle even;
  insert into v select id, g from u where g > 80;
  merge into u using (select id, g from t where id < 600) s on u.id = s.id when matched then update set g = s.g when not matched then insert values (s.id, s.g);
  alter table u alter sortkey (g);
  drop table w;
  commit;
`;

let work: string;
let template: string;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-txn-crash-'));
  template = path.join(work, 'template');
  // small blocks: the block's statements write many files, so kills land among them
  const db = await Database.open(template, { slices: 3, blockRows: 128, workers: 0 });
  await db.query('create table t (id integer not null, g integer, d decimal(10,2)) diststyle even sortkey (id)');
  await db.query(`insert into t values ${Array.from({ length: 2_000 }, (_, i) => `(${i}, ${i % 97}, ${(i % 1000) / 10})`).join(', ')}`);
  await db.query('create table u (id integer not null, g integer) diststyle key distkey (id)');
  await db.query(`insert into u values ${Array.from({ length: 1_000 }, (_, i) => `(${i * 3}, ${i % 89})`).join(', ')}`);
  await db.query('create table w (k integer)');
  await db.query('insert into w values (1), (2), (3)');
  db.close();
}, 60_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Each table's sort key and a checksum of its contents (per g: count and sums), or "missing". */
async function stateOf(db: Database): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of ['t', 'u', 'v', 'w']) {
    const table = db.catalog().tables[name];
    if (!table) {
      out[name] = 'missing';
      continue;
    }
    const cols = table.columns.map((c) => c.name);
    const sums = cols.map((c) => `sum(cast(${c} as decimal(38,2)))`).join(', ');
    const key = cols.includes('g') ? 'g' : cols[0]!;
    const groups = await db.query(`select ${key}, count(*), ${sums} from ${name} group by ${key} order by ${key}`);
    out[name] = `${table.sortKey.join(',')}|${createHash('sha256').update(JSON.stringify(groups.textRows())).digest('hex')}`;
  }
  return out;
}

async function state(dir: string): Promise<Record<string, string>> {
  const db = await Database.open(dir, { create: false, workers: 0 });
  try {
    return await stateOf(db);
  } finally {
    db.close();
  }
}

/** Files under tables/ that the catalog neither names nor keeps as retired. */
function strayFiles(db: Database): string[] {
  const catalog = db.store.catalog();
  const live = new Set<string>((catalog.retired ?? []).map((r) => r.file));
  for (const t of Object.values(catalog.tables)) {
    for (const s of t.segments) {
      live.add(`tables/${t.id}/${s.file}`);
      if (s.deletes) live.add(`tables/${t.id}/${s.deletes.file}`);
    }
  }
  const root = path.join(db.dir, 'tables');
  return fs
    .readdirSync(root)
    .flatMap((id) => fs.readdirSync(path.join(root, id)).map((f) => `tables/${id}/${f}`))
    .filter((f) => !live.has(f));
}

describe('a SIGKILL during a transaction leaves every table as before the block or fully after its COMMIT', () => {
  it(`${TRIALS} trials, kills spread over the block's duration`, async () => {
    const dir = path.join(work, 'trial');
    const fresh = () => {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.cpSync(template, dir, { recursive: true });
    };
    fresh();
    const before = await state(dir);
    const run = await warmChild().run(dir, BLOCK, 60_000);
    expect(run.outcome).toBe('finished');
    const after = await state(dir);
    for (const name of ['t', 'u', 'v', 'w']) expect(after[name], name).not.toBe(before[name]);
    let blockMs = run.ms;
    const random = rng(1616);
    // the odd trials' kills: spread over the whole block
    const spread = killPoints(Math.floor(TRIALS / 2), 1717);
    const seen = { before: 0, after: 0 };
    let killed = 0;
    // two children load the engine ahead of their trials, on the core the running trial leaves idle
    const ahead = [warmChild(), warmChild()];
    for (let trial = 0; trial < TRIALS; trial++) {
      fresh();
      // every other kill lands in the last fifth of the block or just after it, where COMMIT writes the catalog
      const delay = Math.floor((trial % 2 ? spread[(trial - 1) / 2]! : 0.8 + random() * 0.3) * blockMs);
      const child = ahead.shift()!;
      ahead.push(warmChild());
      const { outcome, ms } = await child.run(dir, BLOCK, delay);
      // a block that finished says how long one takes now (the machine's load changes): later kills aim by it
      if (outcome === 'finished') blockMs = ms;
      if (outcome === 'killed') killed++;
      const late = trial % 2 === 0;
      const db = await Database.open(dir, { create: false, workers: 0, lockWaitMs: 5_000 });
      try {
        const now = await stateOf(db);
        expect([before, after], `killed at ${delay} ms`).toContainEqual(now);
        const outcomeSeen = JSON.stringify(now) === JSON.stringify(before) ? 'before' : 'after';
        seen[outcomeSeen]++;
        // a kill aimed at the end that still found the table as before: blocks take longer now than the last one that finished (a
        // loaded machine), so later kills aim later, until one lands after a COMMIT
        if (late && outcomeSeen === 'before') blockMs *= 1.25;
        // the next writer takes over the dead child's lock and sweeps what its block wrote
        await db.query('insert into t values (-1, 1, 1.5)');
        expect(strayFiles(db), `killed at ${delay} ms`).toEqual([]);
      } finally {
        db.close();
      }
    }
    for (const c of ahead) c.kill();
    // kills before 110% of a run's duration: most land inside the block, and both outcomes occur
    expect(killed).toBeGreaterThanOrEqual(TRIALS / 2);
    expect(seen.before).toBeGreaterThan(0);
    expect(seen.after).toBeGreaterThan(0);
  }, 240_000);
});
