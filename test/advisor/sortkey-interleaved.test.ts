/**
 * Interleaved candidates in the sort-key chooser: a table whose logged scans
 * filter on two independent columns, alone and together, is best served by
 * a z-order over both (no compound key helps the scans on its second
 * column). The chooser must propose INTERLEAVED(a, b) with both styles in its
 * evidence, the recommendation must carry Redshift-shaped text and keel's
 * ALTER, and once applied the engine must read what the what-if said, the
 * table's key read back as the same text (so the staleness check holds), and
 * the revert must restore it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import type { Batch } from '../../engine/index.js';
import { chooseSortKeys, createTableSql, currentSortKeyText, explainRecommendation, proveGroups, storageRecommendations, withoutAdvisor, workloadCost, type SortKeyChoice, type SortKeyRecommendation } from '../../advisor/index.js';
import { inverseDdl, snapshotFromCurrent, snapshotOf } from '../../advisor/autonomics/index.js';
import { loadWorkload } from '../../workload-log/index.js';

const ROWS = 65_536;
let dir: string;

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/** grid(a, b, c, tag): a and b independent and uniform over 0..9999, so no order of the load clusters either. */
function batches(): Batch[] {
  const r = rng(21);
  const tags = ['north', 'south', 'east', 'west'];
  const out: Batch[] = [];
  for (let from = 0; from < ROWS; from += 8192) {
    const n = 8192;
    const a = new Int32Array(n);
    const b = new Int32Array(n);
    const tag = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = r(10_000);
      b[i] = r(10_000);
      tag[i] = r(4);
    }
    out.push({
      length: n,
      columns: [
        { kind: 'i32', values: a, nulls: null, length: n },
        { kind: 'i32', values: b, nulls: null, length: n },
        { kind: 'i32', values: Int32Array.from({ length: n }, (_, i) => from + i), nulls: null, length: n },
        { kind: 'str', codes: tag, dict: tags, nulls: null, length: n },
      ],
    });
  }
  return out;
}

/** Range scans on a alone, b alone and both together, 8 of each, with literals from a fixed seed. */
function workload(): string[] {
  const r = rng(5);
  const qs: string[] = [];
  for (let k = 0; k < 8; k++) {
    const x = r(9200);
    const y = r(9200);
    qs.push(`select count(*), sum(c) from grid where a between ${x} and ${x + 799}`);
    qs.push(`select count(*), sum(c) from grid where b between ${y} and ${y + 799}`);
    qs.push(`select count(*), sum(c) from grid where a between ${y} and ${y + 799} and b between ${x} and ${x + 799}`);
  }
  return qs;
}

async function freshGrid(db: Database): Promise<void> {
  await db.execute('drop table if exists grid');
  await db.execute('create table grid (a integer, b integer, c integer, tag varchar(8)) diststyle even');
  await db.append('grid', batches());
}

async function choose(db: Database): Promise<SortKeyChoice> {
  const [c] = await chooseSortKeys(db, withoutAdvisor(loadWorkload(dir)), { tables: ['grid'] });
  return c!;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-sortkey-interleaved-'));
  const db = await Database.open(dir, { slices: 2, blockRows: 1024, workloadLog: false });
  try {
    await freshGrid(db);
  } finally {
    db.close();
  }
  const logged = await Database.open(dir);
  try {
    for (const q of workload()) await logged.query(q);
  } finally {
    logged.close();
  }
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('interleaved sort-key candidates', () => {
  it('proposes INTERLEAVED(a, b) when scans filter on a and b alone and together, and the engine then reads what it estimated', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      const c = await choose(db);
      expect(c.proposed).toEqual(['a', 'b']);
      expect(c.proposedStyle).toBe('interleaved');
      const bestCompound = c.candidates.find((k) => k.style === 'compound')!;
      // deterministic data, sample and mapping: the estimates are exact numbers (column blocks over the 24 logged scans)
      expect([Math.round(c.before.blocks), Math.round(bestCompound.blocks), Math.round(c.best.blocks)]).toEqual([3584, 1304, 946]);
      // the best compound key serves a's scans and not b's; z-order gives up some of a's pruning for b's
      expect(bestCompound.key).toEqual(['a']);
      expect(c.best.blocks).toBeLessThanOrEqual(bestCompound.blocks * 0.9);
      expect(c.candidates.map((k) => `${k.style} ${k.key.join(',')}`)).toEqual(['interleaved a,b', 'compound a', 'compound a,b', 'compound b', 'compound b,a']);

      const run = async () => {
        let scanned = 0;
        let total = 0;
        const answers: unknown[] = [];
        for (const q of workload()) {
          const res = await db.query(q);
          scanned += res.stats.blocksScanned;
          total += res.stats.blocksTotal;
          answers.push(res.rows());
        }
        return { scanned, total, answers };
      };
      const before = await run();
      await db.execute('alter table grid alter interleaved sortkey (a, b)');
      const after = await run();
      expect(after.answers).toEqual(before.answers);
      // the sample is the whole table here and the engine's mapping comes from the same range: the estimate is what the engine reads
      expect([before.scanned, after.scanned, after.total]).toEqual([3584, 946, 3584]);
      // and the chooser now finds the table's own key the best
      const again = await choose(db);
      expect([again.currentStyle, again.proposed, again.note]).toEqual(['interleaved', null, 'the current sort key is already the best candidate']);
    } finally {
      db.close();
    }
  });

  it('the recommendation: Redshift-shaped text, keel\'s ALTER, both styles in the evidence; applied, it reads back as its own text and reverts', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      // the table as loaded again (a rewrite to no key would keep the z-order the first test left)
      await freshGrid(db);
      const w = withoutAdvisor(loadWorkload(dir));
      const { recommendations } = await storageRecommendations(db, w, workloadCost(w, db.catalog()), { now: new Date(), runId: 'run1', firstId: 1 }, { encodings: false });
      const r = recommendations.find((x) => x.kind === 'sortkey')!;
      if (r.kind !== 'sortkey') throw new Error('no sort-key recommendation');
      expect([r.current, r.proposed, r.ddl]).toEqual(['AUTO(NONE)', 'INTERLEAVED(a, b)', 'ALTER TABLE grid ALTER INTERLEAVED SORTKEY (a, b)']);
      expect(r.evidence.sortKey.candidates.slice(0, 2).map((k) => [k.text, k.blocks])).toEqual([['INTERLEAVED(a, b)', 946], ['a', 1304]]);
      expect(r.reason).toContain('z-order over (a, b)');
      // `keel advisor show` lists both styles
      const shown = explainRecommendation(r);
      expect(shown).toMatch(/INTERLEAVED\(a, b\)\s+946/);
      expect(shown).toMatch(/\n\s+\(a\)\s+1304/);
      const before = snapshotOf(db.catalog().tables['grid']!);
      // as the autonomics apply does it: the advisor's change keeps the setting AUTO
      await db.alterInBackground(r.ddl, { keepAuto: { sortKey: true } });
      const t = db.catalog().tables['grid']!;
      expect(currentSortKeyText(t)).toBe('AUTO(INTERLEAVED(a, b))');
      expect(snapshotOf(t)).toMatchObject({ sortKey: ['a', 'b'], sortStyle: 'interleaved', sortAuto: true });
      // a shadow copy lays the table out as it is
      expect(createTableSql(t)).toContain(' interleaved sortkey(a, b)');
      // the inverse of a change away from an interleaved key restores it, from the snapshot or from the current text alone
      const away = { table: 'grid', kind: 'sortkey', current: currentSortKeyText(t), ddl: 'ALTER TABLE grid ALTER COMPOUND SORTKEY (c)' };
      expect(inverseDdl(away, snapshotOf(t))).toEqual({ ddl: 'ALTER TABLE grid ALTER INTERLEAVED SORTKEY (a, b)', keepAuto: true });
      expect(inverseDdl(away, null)).toEqual({ ddl: 'ALTER TABLE grid ALTER INTERLEAVED SORTKEY (a, b)', keepAuto: true });
      expect(snapshotFromCurrent({ ...away, current: 'INTERLEAVED(a, "B c")' })).toMatchObject({ sortKey: ['a', 'B c'], sortStyle: 'interleaved', sortAuto: false });
      // a compound key whose first column's name starts with the word is still compound
      const named = snapshotFromCurrent({ ...away, current: 'interleaved_x, b' });
      expect([named.sortKey, named.sortStyle]).toEqual([['interleaved_x', 'b'], undefined]);
      // and the inverse of this recommendation puts back what was there
      const undo = inverseDdl(r, before);
      expect(undo).toEqual({ ddl: 'ALTER TABLE grid ALTER SORTKEY NONE', keepAuto: true });
      await db.alterInBackground(undo.ddl, { keepAuto: undo.keepAuto });
      expect(currentSortKeyText(db.catalog().tables['grid']!)).toBe('AUTO(NONE)');
    } finally {
      db.close();
    }
  });

  it('the shadow proof keeps an interleaved key only when it beats the best compound key, and proposes the compound key when it does not', async () => {
    const db = await Database.open(dir, { workloadLog: false });
    try {
      await freshGrid(db);
      const w = withoutAdvisor(loadWorkload(dir));
      const { recommendations, compoundFallbacks } = await storageRecommendations(db, w, workloadCost(w, db.catalog()), { now: new Date(), runId: 'run1', firstId: 1 }, { encodings: false });
      const r = recommendations.find((x): x is SortKeyRecommendation => x.kind === 'sortkey')!;
      expect(compoundFallbacks.get('grid')?.ddl).toBe('ALTER TABLE grid ALTER COMPOUND SORTKEY (a)');
      // INTERLEAVED(a, b) against (a): the scans on b alone skip blocks only under the z-order
      const won = await proveGroups(db, w, [r], { rounds: 3 }, new Map(), compoundFallbacks);
      expect(won.kept.map((k) => k.proposed)).toEqual(['INTERLEAVED(a, b)']);
      const kept = won.kept[0] as SortKeyRecommendation;
      expect(kept.evidence.sortKey.rival?.proposed).toBe('a');
      expect(kept.evidence.sortKey.rival?.shadow.verdict).toBe('proven');
      expect(kept.evidence.sortKey.rival!.shadow.blocksScanned.proposed).toBeLessThan(kept.evidence.sortKey.rival!.shadow.blocksScanned.current);
      expect(kept.evidence.shadow?.verdict).toBe('proven');
      expect(explainRecommendation(kept)).toContain('measured it beating the best compound key, (a)');
      // an interleaved key over columns no scan filters on loses to (a): the group goes on with (a), proven against the current order
      const poor: SortKeyRecommendation = { ...r, proposed: 'INTERLEAVED(c, tag)', ddl: 'ALTER TABLE grid ALTER INTERLEAVED SORTKEY (c, tag)' };
      const lost = await proveGroups(db, w, [poor], { rounds: 3 }, new Map(), compoundFallbacks);
      expect(lost.kept.map((k) => [k.proposed, k.ddl])).toEqual([['a', 'ALTER TABLE grid ALTER COMPOUND SORTKEY (a)']]);
      const fallback = lost.kept[0] as SortKeyRecommendation;
      expect(fallback.evidence.sortKey.rival?.proposed).toBe('INTERLEAVED(c, tag)');
      expect(fallback.evidence.sortKey.rival?.shadow.verdict).toBe('rejected');
      expect(fallback.evidence.shadow?.verdict).toBe('proven');
      expect(explainRecommendation(fallback)).toContain('did not measure it beating this compound key');
    } finally {
      db.close();
    }
  }, 120_000);
});
