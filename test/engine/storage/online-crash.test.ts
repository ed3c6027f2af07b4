/**
 * Crash safety of the background ALTER: a child process runs
 * alterInBackground (throttled, so the rebuild takes most of a second) and is
 * SIGKILLed at a random moment, mostly while it is rebuilding. After every
 * kill the table must be exactly its old version or exactly the new one (its
 * layout and version), with the same row count and checksum; the next writer
 * must sweep the dead child's staged files and every file in the table's
 * folder must be one the catalog names.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';
import { crashTrials, killPoints } from '../../helpers/crash.js';

const CHILD = path.resolve(__dirname, '../../fixtures/online-child.mjs');
const ROWS = 30_000;
const TRIALS = crashTrials(12, 50);

let work: string;
let dir: string;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-online-crash-'));
  dir = path.join(work, 'db');
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},name${(i * 7919) % 1000},${(i % 10000) / 100},1995-0${1 + (i % 9)}-1${i % 10}`);
  fs.writeFileSync(path.join(work, 'rows.csv'), lines.join('\n') + '\n');
  // small blocks: the table has several blocks per slice, so the rebuild has many steps to be killed in
  const db = await Database.open(dir, { slices: 4, blockRows: 1024 });
  await db.execute('create table t (id integer not null, s varchar(20), d decimal(10,2), day date) diststyle even');
  await db.execute('create table side (n integer)');
  await db.load('t', path.join(work, 'rows.csv'), { delimiter: ',' });
  db.close();
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface Layout {
  dist: string;
  sortKey: string[];
  encodings: string[];
}
interface State {
  rows: number;
  checksum: string;
  version: number;
  layout: Layout;
  size: number;
}

async function state(): Promise<State> {
  const db = await Database.open(dir, { create: false });
  try {
    const r = await db.query('select count(*), sum(id), sum(length(s)), sum(d), min(day), max(day), count(distinct s) from t');
    const [rows, ...rest] = r.rows()[0]!;
    const t = db.catalog().tables['t']!;
    const size = Number((await db.query(`select size_bytes from svv_table_info where "table" = 't'`)).rows()[0]![0]);
    return {
      rows: Number(rows),
      checksum: JSON.stringify(rest),
      version: t.version,
      layout: { dist: t.distStyle === 'key' ? `key(${t.distKey})` : t.distStyle, sortKey: [...t.sortKey], encodings: t.columns.map((c) => c.encoding) },
      size,
    };
  } finally {
    db.close();
  }
}

/** The ALTERs cycled through, each with the layout it leads to from a given one. */
const CHANGES: { sql: string; apply: (l: Layout) => Layout }[] = [
  { sql: 'alter table t alter distkey s', apply: (l) => ({ ...l, dist: 'key(s)' }) },
  { sql: 'alter table t alter sortkey (day, id)', apply: (l) => ({ ...l, sortKey: ['day', 'id'] }) },
  { sql: 'alter table t alter column s encode zstd', apply: (l) => ({ ...l, encodings: l.encodings.map((e, i) => (i === 1 ? 'zstd' : e)) }) },
  { sql: 'alter table t alter diststyle even', apply: (l) => ({ ...l, dist: 'even' }) },
  { sql: 'alter table t alter sortkey (s)', apply: (l) => ({ ...l, sortKey: ['s'] }) },
  // the catalog names codecs by the engine's ids: BYTEDICT is stored as dict
  { sql: 'alter table t alter column s encode bytedict', apply: (l) => ({ ...l, encodings: l.encodings.map((e, i) => (i === 1 ? 'dict' : e)) }) },
  { sql: 'alter table t alter diststyle all', apply: (l) => ({ ...l, dist: 'all' }) },
];

interface Run {
  outcome: 'killed' | 'finished';
  /** The child had reported that the rebuild was under way and not that it had committed. */
  midApply: boolean;
  buildMs: number;
}

/**
 * Runs the child; kills it `delayMs` after it reported the rebuild under way
 * (or after it opened the directory, when `early`), or lets it finish.
 */
function runAndKill(sql: string, rate: number, delayMs: number, early = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, sql, String(rate)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    let buildStart = 0;
    let midApplyAtKill = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('building') && !buildStart) buildStart = performance.now();
      if (timer === undefined && out.includes(early ? 'started' : 'building')) {
        timer = setTimeout(() => {
          midApplyAtKill = out.includes('building') && !out.includes('done');
          child.kill('SIGKILL');
        }, delayMs);
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      const buildMs = performance.now() - buildStart;
      if (signal === 'SIGKILL') resolve({ outcome: 'killed', midApply: midApplyAtKill, buildMs });
      else if (code === 0 && out.includes('done')) resolve({ outcome: 'finished', midApply: false, buildMs });
      else reject(new Error(`child failed (${code}): ${out} ${err}`));
    });
  });
}

/** Runs a change in this process (its writer sweeps what the dead child left), then checks the directory's files. */
async function sweepAndCheckFiles(trial: number): Promise<void> {
  const db = await Database.open(dir, { create: false });
  try {
    await db.execute(`insert into side values (${trial})`);
    const t = db.catalog().tables['t']!;
    const named = new Set([...t.segments.map((s) => s.file), ...(db.catalog().retired ?? []).map((r) => path.basename(r.file))]);
    const present = fs.readdirSync(path.join(dir, 'tables', String(t.id)));
    for (const s of t.segments) expect(present, `segment ${s.file} of the current version`).toContain(s.file);
    for (const f of present) expect(named.has(f), `${f} in the table's folder is named by the catalog`).toBe(true);
    const staging = path.join(dir, 'staging');
    expect(fs.existsSync(staging) ? fs.readdirSync(staging) : []).toEqual([]);
  } finally {
    db.close();
  }
}

describe('a SIGKILL at a random moment of a background ALTER leaves the old or the new version', () => {
  it(`in ${TRIALS} trials, most of them killed mid-rebuild`, { timeout: 900_000 }, async () => {
    const start = await state();
    expect(start.rows).toBe(ROWS);
    // about 0.8 s of rebuild: sorted layouts write the table about twice (runs, then their merge)
    const rate = Math.max(100_000, Math.round((start.size * 2) / 0.8));
    // one undisturbed run to learn how long a rebuild takes here
    const calibrate = await runAndKill(CHANGES[0]!.sql, rate, 600_000);
    expect(calibrate.outcome).toBe('finished');
    const buildMs = Math.max(200, calibrate.buildMs);
    let before = await state();
    const points = killPoints(TRIALS, 4242, 1);
    let midApply = 0;
    let committed = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const change = CHANGES[trial % CHANGES.length]!;
      // one trial in ten is killed around the start (opening, first reads); the rest during the rebuild
      const early = trial % 10 === 9;
      const delay = Math.floor(points[trial]! * (early ? 300 : 1.1 * buildMs));
      const run = await runAndKill(change.sql, rate, delay, early);
      if (run.midApply) midApply++;
      const after = await state();
      expect(after.rows, `${change.sql} killed at ${delay} ms`).toBe(before.rows);
      expect(after.checksum).toBe(before.checksum);
      const isOld = after.version === before.version && JSON.stringify(after.layout) === JSON.stringify(before.layout);
      const isNew = after.version === before.version + 1 && JSON.stringify(after.layout) === JSON.stringify(change.apply(before.layout));
      expect(isOld || isNew, `${change.sql} killed at ${delay} ms: ${JSON.stringify(after)} from ${JSON.stringify(before)}`).toBe(true);
      // a child that finished committed its change
      expect(run.outcome !== 'finished' || isNew, `${change.sql} finished but the table is not the new version`).toBe(true);
      if (isNew) committed++;
      await sweepAndCheckFiles(trial);
      before = after;
    }
    // the kills really landed inside the rebuild, and some rebuilds still committed
    expect(midApply).toBeGreaterThanOrEqual(Math.ceil(TRIALS * 0.6));
    console.log(`online crash test: ${TRIALS} trials, ${midApply} killed mid-rebuild, ${committed} committed`);
  });
});
