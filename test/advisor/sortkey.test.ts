/**
 * The sort-key chooser on generated tables and workloads whose best key is
 * known by construction: the workload runs through the engine (so the log holds
 * real scan records), the chooser samples the table through SQL and must pick
 * that key, or none when no key helps. Applying the choice must then cut the
 * blocks the engine itself scans.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, loadWorkload } from '../../index.js';
import type { Batch } from '../../engine/index.js';
import { chooseSortKeys, loggedScans, zoneTest, type SortKeyChoice } from '../../advisor/index.js';

const ROWS = 48_000;
let dir: string;

/** Deterministic pseudo-random integers (a small LCG), so the data and the workload are the same every run. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/** t(id, day, cat, amount, code): all columns independent of load order, so no column is clustered before a sort key. */
function batches(): Batch[] {
  const r = rng(7);
  const out: Batch[] = [];
  const codes = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
  for (let from = 0; from < ROWS; from += 8192) {
    const n = Math.min(8192, ROWS - from);
    const id = new Int32Array(n);
    const day = new Int32Array(n);
    const cat = new Int32Array(n);
    const amount = new Int32Array(n);
    const code = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      id[i] = r(1_000_000);
      day[i] = 10_000 + r(2000); // 2000 distinct dates from 1997-05-19
      cat[i] = r(8);
      amount[i] = r(100);
      code[i] = r(codes.length);
    }
    out.push({
      length: n,
      columns: [
        { kind: 'i32', values: id, nulls: null, length: n },
        { kind: 'i32', values: day, nulls: null, length: n },
        { kind: 'i32', values: cat, nulls: null, length: n },
        { kind: 'i32', values: amount, nulls: null, length: n },
        { kind: 'str', codes: code, dict: codes, nulls: null, length: n },
      ],
    });
  }
  return out;
}

const dateText = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);

async function freshTable(name: string): Promise<void> {
  const db = await Database.open(dir, { workloadLog: false });
  try {
    await db.execute(`create table ${name} (id integer, day date, cat integer, amount integer, code varchar(10)) diststyle even`);
    await db.append(name, batches());
  } finally {
    db.close();
  }
}

async function runWorkload(queries: string[]): Promise<void> {
  const db = await Database.open(dir);
  try {
    for (const q of queries) await db.query(q);
  } finally {
    db.close();
  }
}

async function choose(table: string): Promise<SortKeyChoice | undefined> {
  const db = await Database.open(dir, { workloadLog: false });
  try {
    return (await chooseSortKeys(db, loadWorkload(dir), { tables: [table] }))[0];
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-sortkey-'));
  const db = await Database.open(dir, { slices: 2, blockRows: 1024, workloadLog: false });
  db.close();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sort-key chooser', () => {
  it('picks the date column that selective range scans filter on', async () => {
    await freshTable('ranges');
    const r = rng(1);
    const qs: string[] = [];
    for (let k = 0; k < 12; k++) {
      const d = 10_000 + r(1900);
      qs.push(`select count(*) from ranges where day >= date '${dateText(d)}' and day < date '${dateText(d + 60)}'`);
    }
    // frequent but unselective: almost every block holds amount >= 5 whatever the order
    for (let k = 0; k < 20; k++) qs.push(`select sum(id) from ranges where amount >= ${5 + (k % 3)}`);
    await runWorkload(qs);
    const c = (await choose('ranges'))!;
    expect(c.proposed).toEqual(['day']);
    expect(c.best.fraction).toBeLessThan(c.before.fraction - 0.15);
    expect(c.saved.blocks).toBeGreaterThan(0);
    expect(c.predicates.find((p) => p.column === 'day' && p.op === '>=')!.count).toBe(12);
  });

  it('picks a compound key when scans pin a low-cardinality column and range over another', async () => {
    await freshTable('compound');
    const r = rng(2);
    const qs: string[] = [];
    for (let k = 0; k < 16; k++) {
      const d = 10_000 + r(1800);
      qs.push(`select sum(amount) from compound where cat = ${r(8)} and day between date '${dateText(d)}' and date '${dateText(d + 150)}'`);
    }
    await runWorkload(qs);
    const c = (await choose('compound'))!;
    expect(c.proposed).toEqual(['cat', 'day']);
    const single = c.candidates.find((s) => s.key.length === 1 && s.key[0] === 'day')!;
    expect(c.best.blocks).toBeLessThan(single.blocks);
  });

  it('weighs selectivity against frequency: a rare point lookup beats a frequent scan that skips nothing', async () => {
    await freshTable('points');
    const qs: string[] = [];
    for (let k = 0; k < 30; k++) qs.push(`select count(*) from points where amount < ${95 + (k % 5)}`);
    for (let k = 0; k < 6; k++) qs.push(`select * from points where id = ${k * 1000 + 17}`);
    await runWorkload(qs);
    const c = (await choose('points'))!;
    expect(c.proposed).toEqual(['id']);
  });

  it('uses the fixed prefix of LIKE on strings', async () => {
    await freshTable('prefixes');
    const qs = ['del', 'ju', 'ki', 'ch', 'go', 'li', 'al'].map((p) => `select count(*) from prefixes where code like '${p}%'`);
    await runWorkload(qs);
    const c = (await choose('prefixes'))!;
    expect(c.proposed).toEqual(['code']);
  });

  it('proposes no key when no logged predicate can skip blocks', async () => {
    await freshTable('nothing');
    const qs: string[] = [];
    for (let k = 0; k < 8; k++) qs.push(`select count(*) from nothing where cat <> ${k % 8} and amount + id > ${k}`);
    for (let k = 0; k < 4; k++) qs.push(`select count(*) from nothing where cat in (${k}, ${k + 1})`);
    await runWorkload(qs);
    const c = (await choose('nothing'))!;
    expect(c.proposed).toBeNull();
    expect(c.note).toMatch(/zone maps/);
    expect(c.predicates.every((p) => !p.prunable)).toBe(true);
  });

  it('keeps a key the table already has when it is the best one', async () => {
    await freshTable('sorted');
    const db = await Database.open(dir, { workloadLog: false });
    await db.execute('alter table sorted alter sortkey (day)');
    db.close();
    const qs: string[] = [];
    for (let k = 0; k < 8; k++) qs.push(`select count(*) from sorted where day < date '${dateText(10_000 + 100 * k)}'`);
    await runWorkload(qs);
    const c = (await choose('sorted'))!;
    expect(c.current).toEqual(['day']);
    expect(c.userSet).toBe(true);
    expect(c.proposed).toBeNull();
    expect(c.best.key).toEqual(['day']);
  });

  it('after applying the choice the engine scans fewer blocks for the same queries, as the what-if said', async () => {
    await freshTable('applied');
    const r = rng(3);
    const qs: string[] = [];
    for (let k = 0; k < 10; k++) {
      const d = 10_000 + r(1900);
      qs.push(`select count(*), sum(amount) from applied where day >= date '${dateText(d)}' and day <= date '${dateText(d + 90)}'`);
    }
    const db = await Database.open(dir, { workloadLog: false });
    const count = async () => {
      let scanned = 0;
      let total = 0;
      const answers: unknown[] = [];
      for (const q of qs) {
        const res = await db.query(q);
        scanned += res.stats.blocksScanned;
        total += res.stats.blocksTotal;
        answers.push(res.rows());
      }
      return { scanned, total, answers };
    };
    try {
      await runWorkload(qs);
      const c = (await choose('applied'))!;
      expect(c.proposed).toEqual(['day']);
      const before = await count();
      await db.execute(`alter table applied alter compound sortkey (${c.proposed!.join(', ')})`);
      const after = await count();
      expect(after.answers).toEqual(before.answers);
      expect(after.scanned).toBeLessThan(before.scanned * 0.5);
      // the what-if's estimate of the fraction read is close to what the engine then reads
      expect(Math.abs(after.scanned / after.total - c.best.fraction)).toBeLessThan(0.1);
    } finally {
      db.close();
    }
  });

  it('turns logged literals into the zone-map tests the engine applies', () => {
    expect(zoneTest({ column: 'd', op: '>=', literal: '1995-01-01' }, { id: 'date' })).toEqual({ column: 'd', op: 'ge', value: 9131 });
    expect(zoneTest({ column: 'p', op: '<', literal: '0.07' }, { id: 'decimal', precision: 12, scale: 2 })!.value).toBeCloseTo(7);
    expect(zoneTest({ column: 's', op: 'like', literal: 'ab%c' }, { id: 'varchar' })).toEqual({ column: 's', op: 'prefix', value: 'ab' });
    expect(zoneTest({ column: 's', op: 'like', literal: '%ab' }, { id: 'varchar' })).toBeNull();
    expect(zoneTest({ column: 'x', op: 'in', literal: '3' }, { id: 'integer' })).toBeNull();
    expect(zoneTest({ column: 'x', op: '=', literal: 'abc' }, { id: 'integer' })).toBeNull();
    expect(loggedScans({ parts: [], masks: [], queries: 0 })).toEqual([]);
  });
});
