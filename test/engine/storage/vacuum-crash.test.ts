/**
 * Crash safety of VACUUM: a child runs VACUUM DELETE ONLY or VACUUM SORT ONLY
 * and is SIGKILLed at a random moment (50 trials in all). The contents never
 * change; the table must be physically as before (its segments and delete
 * vectors) or fully after, the directory must open, and the next writer must
 * sweep what the killed vacuum left (staged and renamed files no catalog
 * names). Needs dist/ (npm run build).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Database } from '../../../engine/index.js';
import { crashTrials, killPoints, runAndKill } from '../../helpers/crash.js';

const TRIALS = crashTrials(10, 25); // per kind of VACUUM
const PARALLEL = 5;

let work: string;
let template: string;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-vacuum-crash-'));
  template = path.join(work, 'template');
  // small blocks: a vacuum writes many, so kills land among them
  const db = await Database.open(template, { slices: 2, blockRows: 256, workers: 0 });
  await db.query('create table t (id integer not null, g integer, d decimal(10,2)) diststyle even sortkey (g)');
  // batches appended out of order, each spanning every g: unsorted, and rows deleted from every segment
  for (let part = 5; part >= 0; part--) {
    const rows = Array.from({ length: 1_500 }, (_, i) => `(${part * 1_500 + i}, ${(part * 7 + i) % 97}, ${(i % 1000) / 10})`);
    await db.query(`insert into t values ${rows.join(', ')}`);
  }
  await db.query('delete from t where id % 3 = 0');
  db.close();
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface State {
  checksum: string;
  /** The table's physical version: its segment files and delete vectors, in order. */
  files: string;
}

/** The table's state, then (the directory staying writable) an insert by the next writer, which sweeps what a killed vacuum left. */
async function stateThenWrite(dir: string, write: boolean): Promise<State> {
  const db = await Database.open(dir, { create: false, workers: 0 });
  try {
    const groups = await db.query('select g, count(*), sum(id), sum(d) from t group by g order by g');
    const t = db.catalog().tables.t!;
    const state = { checksum: createHash('sha256').update(JSON.stringify(groups.textRows())).digest('hex'), files: t.segments.map((s) => `${s.file}/${s.deletes?.file ?? ''}`).join(' ') };
    if (write) await db.query('insert into t values (-1, 1, 1.5)');
    return state;
  } finally {
    db.close();
  }
}

const state = (dir: string) => stateThenWrite(dir, false);

/** Files in the table's folder that neither the catalog nor its retired list names. */
function strays(dir: string): string[] {
  const catalog = JSON.parse(fs.readFileSync(path.join(dir, 'catalog.json'), 'utf8')) as {
    tables: Record<string, { id: number; segments: { file: string; deletes?: { file: string } }[] }>;
    retired?: { file: string }[];
  };
  const t = catalog.tables.t!;
  const named = new Set([...t.segments.flatMap((s) => [s.file, ...(s.deletes ? [s.deletes.file] : [])]), ...(catalog.retired ?? []).map((r) => path.basename(r.file))]);
  return fs.readdirSync(path.join(dir, 'tables', String(t.id))).filter((f) => !named.has(f));
}

const KINDS = [
  { kind: 'DELETE ONLY', sql: 'vacuum delete only t to 100 percent' },
  { kind: 'SORT ONLY', sql: 'vacuum sort only t' },
] as const;

describe('a SIGKILL during VACUUM leaves the table as before or fully after', () => {
  for (const { kind, sql } of KINDS) {
    it(`${kind}: ${TRIALS} trials, kills spread over the vacuum`, async () => {
      const base = path.join(work, kind.replace(' ', '-'));
      const fresh = (dir: string) => {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.cpSync(template, dir, { recursive: true });
      };
      const dir0 = `${base}-0`;
      fresh(dir0);
      const before = await state(dir0);
      const run = await runAndKill([dir0, 'sql', sql], 60_000);
      expect(run.outcome).toBe('finished');
      const after = await state(dir0);
      expect(after.checksum).toBe(before.checksum);
      expect(after.files).not.toBe(before.files);
      let killed = 0;
      const delays = killPoints(TRIALS, 777).map((p) => Math.floor(p * run.ms));
      const trial = async (i: number, delay: number) => {
        const dir = `${base}-${i}`;
        fresh(dir);
        const { outcome } = await runAndKill([dir, 'sql', sql], delay);
        if (outcome === 'killed') killed++;
        // the next writer takes the dead child's lock over and sweeps its files
        const now = await stateThenWrite(dir, true);
        expect([before, after], `${kind} killed at ${delay} ms`).toContainEqual(now);
        expect(strays(dir), `${kind} killed at ${delay} ms`).toEqual([]);
        expect(fs.existsSync(path.join(dir, 'staging')) ? fs.readdirSync(path.join(dir, 'staging')) : []).toEqual([]);
      };
      // children mostly wait (process start, fsync): a few at a time, each in its own directory
      for (let t = 0; t < TRIALS; t += PARALLEL) {
        await Promise.all(delays.slice(t, t + PARALLEL).map((d, k) => trial(t + k + 1, d)));
      }
      expect(killed).toBeGreaterThanOrEqual(TRIALS / 2);
    }, 120_000);
  }
});
