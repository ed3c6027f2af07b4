/**
 * Sort-key and encoding recommendations end to end: an advisor run on a logged
 * workload proposes them beside the distribution ones in the same
 * recommendations.json, with DDL, evidence, benefit in seconds per day and a
 * plain explanation (what `keel advisor show` prints); applying runs the DDL
 * through the engine, and a recommendation whose setting changed meanwhile
 * fails without running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import type { Batch } from '../../engine/index.js';
import { explainRecommendation, listRecommendations, runAdvisor, updateStore } from '../../advisor/index.js';
import { applyGroup } from '../../advisor/autonomics/index.js';

let dir: string;
const ROWS = 40_000;

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}
const WORDS = ['carefully', 'final', 'deposits', 'sleep', 'quickly', 'against', 'the', 'ironic', 'accounts', 'pending', 'requests', 'boost'];
const dateText = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-storage-recs-'));
  const db = await Database.open(dir, { slices: 2, blockRows: 1024, workloadLog: false });
  try {
    await db.execute('create table events (id integer, day date, kind integer, note varchar(120) encode bytedict)');
    const r = rng(4);
    const batches: Batch[] = [];
    for (let from = 0; from < ROWS; from += 10_000) {
      const n = 10_000;
      const dict: string[] = [];
      for (let i = 0; i < n; i++) dict.push(Array.from({ length: 6 + r(5) }, () => WORDS[r(WORDS.length)]).join(' ') + ` #${r(1_000_000)}`);
      batches.push({
        length: n,
        columns: [
          { kind: 'i32', values: Int32Array.from({ length: n }, (_, i) => from + i), nulls: null, length: n },
          { kind: 'i32', values: Int32Array.from({ length: n }, () => 9000 + r(1500)), nulls: null, length: n },
          { kind: 'i32', values: Int32Array.from({ length: n }, () => r(5)), nulls: null, length: n },
          { kind: 'str', codes: Uint32Array.from({ length: n }, (_, i) => i), dict, nulls: null, length: n },
        ],
      });
    }
    await db.append('events', batches);
  } finally {
    db.close();
  }
  const logged = await Database.open(dir);
  try {
    const r = rng(9);
    for (let k = 0; k < 14; k++) {
      const d = 9000 + r(1400);
      await logged.query(`select kind, count(*) from events where day >= date '${dateText(d)}' and day < date '${dateText(d + 45)}' group by kind`);
    }
    for (let k = 0; k < 4; k++) await logged.query(`select count(*) from events where note like '%ironic%' and kind = ${k}`);
  } finally {
    logged.close();
  }
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sort-key and encoding recommendations', () => {
  it('a run proposes them with DDL, evidence, benefit per day and a plain explanation; apply runs them', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      const out = await runAdvisor(db, { budgetMs: 300, shadow: false });
      const sk = out.recommendations.find((r) => r.kind === 'sortkey')!;
      if (sk.kind !== 'sortkey') throw new Error('no sort-key recommendation');
      expect(sk.table).toBe('events');
      expect(sk.current).toBe('AUTO(NONE)');
      expect(sk.proposed).toBe('day');
      expect(sk.ddl).toBe('ALTER TABLE events ALTER COMPOUND SORTKEY (day)');
      expect(sk.userSet).toBe(false);
      expect(sk.evidence.sortKey.predicates.find((p) => p.column === 'day' && p.op === '>=')!.count).toBe(14);
      expect(sk.evidence.sortKey.after.fraction).toBeLessThan(sk.evidence.sortKey.before.fraction);
      expect(sk.evidence.fingerprints[0]!.count).toBe(14);
      expect(sk.benefit.bytes).toBeGreaterThan(0);
      expect(sk.benefit.secondsPerDay).toBeGreaterThanOrEqual(0);
      expect(sk.reason).toMatch(/Sorting events by \(day\)/);

      const enc = out.recommendations.find((r) => r.kind === 'encoding' && r.evidence.encoding.column === 'note')!;
      if (enc.kind !== 'encoding') throw new Error('no encoding recommendation');
      expect(enc.current).toBe('BYTEDICT');
      expect(enc.proposed).toBe('ZSTD');
      expect(enc.ddl).toBe('ALTER TABLE events ALTER COLUMN note ENCODE ZSTD');
      expect(enc.userSet).toBe(true);
      expect(enc.evidence.encoding.reads.scans).toBe(4);
      expect(enc.applyCost.storageBytesAfter).toBeLessThan(enc.applyCost.storageBytesBefore);

      // every recommendation of the run states its benefit per day, distribution ones included
      for (const r of out.recommendations) expect(typeof r.benefit.secondsPerDay).toBe('number');
      expect(listRecommendations(dir).map((r) => r.id)).toEqual(out.recommendations.map((r) => r.id));

      const text = explainRecommendation(sk);
      expect(text).toMatch(/ALTER TABLE events ALTER COMPOUND SORTKEY \(day\)/);
      expect(text).toMatch(/logged scan predicates/);
      expect(text).toMatch(/s of query time per day/);
      expect(explainRecommendation(enc)).toMatch(/ZSTD .* decode ns\/value|encoding +bytes +decode ns\/value/);

      const answer = async () => (await db.query("select kind, count(*), max(note) from events where day >= date '1995-01-01' group by kind order by kind")).rows();
      const before = await answer();
      // one table, one group: the sort key and the encoding are applied together, in one rewrite
      expect(enc.group).toBe(sk.group);
      const version = db.catalog().tables.events!.version;
      const applied = await applyGroup(db, sk.id);
      expect(applied.map((r) => r.status)).toEqual(applied.map(() => 'applied'));
      expect(applied.map((r) => r.id)).toContain(enc.id);
      expect(db.catalog().tables.events!.version).toBe(version + 1);
      expect(db.catalog().tables.events!.sortKey).toEqual(['day']);
      expect(db.catalog().tables.events!.columns.find((c) => c.name === 'note')!.encoding).toBe('zstd');
      expect(await answer()).toEqual(before);
    } finally {
      db.close();
    }
  }, 120_000);

  it('a recommendation whose setting changed since fails without running', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      // a proposal made for the sort key the first test applied, stored as a run would store it
      const sk = updateStore(dir, (store) => {
        const at = new Date().toISOString();
        const r = {
          ...store.recommendations.find((x) => x.kind === 'sortkey')!,
          id: `r${store.nextId}`,
          group: `g-stale-${store.nextId}`,
          current: 'AUTO(day)',
          proposed: 'kind',
          ddl: 'ALTER TABLE events ALTER COMPOUND SORTKEY (kind)',
          status: 'proposed' as const,
          history: [{ status: 'proposed' as const, at, reason: null }],
        };
        return { store: { ...store, nextId: store.nextId + 1, recommendations: [...store.recommendations, r] }, result: r };
      });
      expect(db.catalog().tables.events!.sortKey).toEqual(['day']);
      // the user takes the sort key off before it is applied
      await db.execute('alter table events alter sortkey none');
      const version = db.catalog().tables.events!.version;
      const failed = (await applyGroup(db, sk.id)).find((r) => r.id === sk.id)!;
      expect(failed.status).toBe('failed');
      expect(failed.statusReason).toMatch(/events is now NONE, not AUTO\(day\) as when recommended/);
      expect(db.catalog().tables.events!.version).toBe(version);
      expect(db.catalog().tables.events!.sortKey).toEqual([]);
    } finally {
      db.close();
    }
  }, 120_000);
});
