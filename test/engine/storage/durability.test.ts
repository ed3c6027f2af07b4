/**
 * Crash safety: a child process runs a load or an ALTER TABLE and is SIGKILLed
 * at a random moment. Afterwards every table must be exactly as before or
 * exactly as after (row count and checksum of its contents), the directory
 * must open, and the next writer must be able to change it.
 *
 * A SIGKILL leaves the page cache to the kernel, so this cannot tell whether
 * keel fsyncs; power-loss.test.ts simulates losing what was not fsynced.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';
import { crashTrials, killPoints, rowsAndChecksum, runAndKill, type RowsAndChecksum } from '../../helpers/crash.js';

const ROWS = 80_000;
/** Trials, and the kills they must make: as many more trials (up to twice as many) run until that many land. */
const TRIALS = crashTrials(8, 24);
const KILLS = Math.ceil((TRIALS * 5) / 6);

let work: string;
let template: string;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-crash-'));
  // deterministic rows: id, a string drawn from 1,000 values, a decimal, a date
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},name${(i * 7919) % 1000},${(i % 10000) / 100},1995-0${1 + (i % 9)}-1${i % 10}`);
  fs.writeFileSync(path.join(work, 'rows.csv'), lines.join('\n') + '\n');
  // every trial starts from a copy of this directory: loaded once, not once per trial
  template = path.join(work, 'template');
  const db = await Database.open(template, { slices: 4 });
  await db.execute('create table t (id integer not null, s varchar(20), d decimal(10,2), day date) diststyle even sortkey(id)');
  await db.load('t', path.join(work, 'rows.csv'), { delimiter: ',' });
  db.close();
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/**
 * The table's row count, and a checksum of its contents: per value of s (1,000
 * groups), its rows' count, sums of id, id squared, d and d times id, and the
 * range of day, hashed. A row lost, doubled, changed or with its columns mixed
 * up with another row's changes it.
 */
const state = (dir: string) =>
  rowsAndChecksum(dir, 'select s, count(*), sum(id), sum(cast(id as bigint) * id), sum(d), sum(d * id), min(day), max(day) from t group by s order by s');

function freshTable(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(template, dir, { recursive: true });
}

describe('a SIGKILL at a random moment leaves every table as before or fully after', () => {
  it(`during loads and ALTER TABLE rewrites, with at least ${KILLS} kills`, async () => {
    const dir = path.join(work, 'db');
    const ops: { name: string; args: (d: string) => string[]; changesRows: boolean }[] = [
      { name: 'load', args: (d) => [d, 'load', 't', path.join(work, 'rows.csv')], changesRows: true },
      { name: 'alter distkey', args: (d) => [d, 'sql', 'alter table t alter distkey s'], changesRows: false },
      { name: 'alter sortkey', args: (d) => [d, 'sql', 'alter table t alter sortkey (day, id)'], changesRows: false },
      { name: 'alter encode', args: (d) => [d, 'sql', 'alter table t alter column s encode zstd'], changesRows: false },
    ];
    // measure each operation once to spread the kill moments over its whole duration, and keep the table it leaves
    const durations = new Map<string, number>();
    const finished = new Map<string, RowsAndChecksum>();
    for (const op of ops) {
      freshTable(dir);
      const run = await runAndKill(op.args(dir), 60_000);
      expect(run.outcome).toBe('finished');
      durations.set(op.name, run.ms);
      finished.set(op.name, await state(dir));
    }
    // a completed load doubles every group of the checksum: its rows are all there, and only they
    expect(finished.get('load')!.rows).toBe(ROWS * 2);
    let killed = 0;
    // each operation's kills spread over up to 90% of its measured duration: a later kill often finds the child already gone
    const perOp = Math.ceil(TRIALS / ops.length);
    const points = ops.map((_, k) => killPoints(perOp, 12345 + k, 0.9));
    // at least TRIALS trials and KILLS kills: on a loaded machine a kill can land after the child finished, so go on until KILLS land
    for (let trial = 0; trial < TRIALS || (killed < KILLS && trial < 2 * TRIALS); trial++) {
      const op = ops[trial % ops.length]!;
      freshTable(dir);
      const before = await state(dir);
      const delay = Math.floor(points[trial % ops.length]![Math.floor(trial / ops.length) % perOp]! * durations.get(op.name)!);
      const { outcome } = await runAndKill(op.args(dir), delay);
      if (outcome === 'killed') killed++;
      const after = await state(dir);
      if (op.changesRows) {
        // as before, or exactly as a load that completed: its rows and their contents
        expect([before, finished.get(op.name)!], `${op.name} at ${delay} ms: ${after.rows} rows`).toContainEqual(after);
      } else {
        expect(after).toEqual(before);
      }
      // the directory stays writable: the dead child's lock is taken over
      const db = await Database.open(dir, { create: false });
      await db.execute("insert into t values (-1, 'x', 1.5, '2000-01-01')");
      db.close();
      expect((await state(dir)).rows).toBe(after.rows + 1);
    }
    expect(killed).toBeGreaterThanOrEqual(KILLS);
  });
});
