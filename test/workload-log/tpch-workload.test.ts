/**
 * The TPC-H workload generator: its templates with the validation parameters
 * give back the shared queries; parameters follow the specification's
 * substitution rules; the mix is seeded, deterministic and realistic; and a
 * generated trace replays without errors on SF 0.01 data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database, TPCH_MIX, TPCH_PARAMETERS, fingerprint, replayTrace, tpchQuery, tpchWorkload, traceLine, type TpchParams } from '../../index.js';
import { Rng } from '../../workload-log/tpch-workload.js';
import { loadTpch, tempDir, TPCH } from './helpers.js';

/** The validation parameters of each query (TPC-H specification, clause 2.4.x.3). */
const VALIDATION: TpchParams[] = [
  { delta: 90 },
  { size: 15, type: 'BRASS', region: 'EUROPE' },
  { segment: 'BUILDING', date: '1995-03-15' },
  { date: '1993-07-01' },
  { region: 'ASIA', date: '1994-01-01' },
  { date: '1994-01-01', discount: '.06', quantity: 24 },
  { nation1: 'FRANCE', nation2: 'GERMANY' },
  { nation: 'BRAZIL', region: 'AMERICA', type: 'ECONOMY ANODIZED STEEL' },
  { color: 'green' },
  { date: '1993-10-01' },
  { nation: 'GERMANY', fraction: '0.0001000000' },
  { shipmode1: 'MAIL', shipmode2: 'SHIP', date: '1994-01-01' },
  { word1: 'special', word2: 'requests' },
  { date: '1995-09-01' },
  { date: '1996-01-01' },
  { brand: 'Brand#45', type: 'MEDIUM POLISHED', sizes: '49, 14, 23, 45, 19, 3, 36, 9' },
  { brand: 'Brand#23', container: 'MED BOX' },
  { quantity: 300 },
  { quantity1: 1, quantity2: 10, quantity3: 20, brand1: 'Brand#12', brand2: 'Brand#23', brand3: 'Brand#34' },
  { color: 'forest', date: '1994-01-01', nation: 'CANADA' },
  { nation: 'SAUDI ARABIA' },
  { codes: "'13', '31', '23', '29', '30', '18', '17'" },
];

const shared = (q: number) => fs.readFileSync(path.join(TPCH, 'queries', `q${String(q).padStart(2, '0')}.sql`), 'utf8').trim().replace(/;$/, '');

let dir: string;
let db: Database;
beforeAll(async () => {
  dir = tempDir('tpchwl');
  db = await Database.open(path.join(dir, 'data'), { workloadLog: false });
  await loadTpch(db);
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('TPC-H templates', () => {
  it.each(Array.from({ length: 22 }, (_, i) => i + 1).filter((q) => q !== 15))('Q%i with the validation parameters is the shared query', (q) => {
    expect(tpchQuery(q, VALIDATION[q - 1]!)).toBe(shared(q));
  });

  it('Q15 (WITH variant) returns what the shared view-based Q15 returns', async () => {
    const mine = await db.query(tpchQuery(15, VALIDATION[14]!));
    const theirs = await db.execute(shared(15));
    expect(mine.rows()).toEqual(theirs[1]!.rows());
    expect(mine.rows()).toHaveLength(1);
  });
});

describe('substitution parameters', () => {
  const draws = (q: number, n = 400, sf = 1) => {
    const r = new Rng(42);
    return Array.from({ length: n }, () => TPCH_PARAMETERS[q - 1]!(r, sf));
  };
  const range = (xs: (string | number)[]) => [xs.reduce((a, b) => (a < b ? a : b)), xs.reduce((a, b) => (a > b ? a : b))];

  it('follow the specification (clause 2.4.x.3)', () => {
    expect(range(draws(1).map((p) => p.delta!))).toEqual([60, 120]);
    expect(range(draws(3).map((p) => p.date!))).toEqual(['1995-03-01', '1995-03-31']);
    expect(new Set(draws(3).map((p) => p.segment)).size).toBe(5);
    expect(range(draws(4, 2000).map((p) => p.date!))).toEqual(['1993-01-01', '1997-10-01']);
    expect(range(draws(15, 2000).map((p) => p.date!))).toEqual(['1993-01-01', '1997-10-01']);
    expect(range(draws(10, 2000).map((p) => p.date!))).toEqual(['1993-02-01', '1995-01-01']);
    expect(range(draws(14, 3000).map((p) => p.date!))).toEqual(['1993-01-01', '1997-12-01']);
    expect(new Set(draws(5).map((p) => p.date))).toEqual(new Set(['1993-01-01', '1994-01-01', '1995-01-01', '1996-01-01', '1997-01-01']));
    const q6 = draws(6);
    expect(new Set(q6.map((p) => p.discount))).toEqual(new Set(['.02', '.03', '.04', '.05', '.06', '.07', '.08', '.09']));
    expect(new Set(q6.map((p) => p.quantity))).toEqual(new Set([24, 25]));
    expect(draws(7).every((p) => p.nation1 !== p.nation2)).toBe(true);
    const q8 = draws(8).find((p) => p.nation === 'JAPAN');
    expect(q8?.region).toBe('ASIA');
    expect(draws(11, 3, 0.01)[0]!.fraction).toBe('0.0100000000');
    expect(draws(12).every((p) => p.shipmode1 !== p.shipmode2)).toBe(true);
    for (const p of draws(16)) {
      const sizes = String(p.sizes).split(', ').map(Number);
      expect(new Set(sizes).size).toBe(8);
      expect(sizes.every((s) => s >= 1 && s <= 50)).toBe(true);
      expect(p.brand).toMatch(/^Brand#[1-5][1-5]$/);
      expect(String(p.type).split(' ')).toHaveLength(2);
    }
    expect(range(draws(18).map((p) => p.quantity!))).toEqual([312, 315]);
    for (const p of draws(19)) {
      expect(p.quantity1).toBeGreaterThanOrEqual(1);
      expect(p.quantity1).toBeLessThanOrEqual(10);
      expect(p.quantity2).toBeGreaterThanOrEqual(10);
      expect(p.quantity3).toBeLessThanOrEqual(30);
    }
    for (const p of draws(22)) {
      const codes = String(p.codes).match(/\d+/g)!.map(Number);
      expect(new Set(codes).size).toBe(7);
      expect(codes.every((c) => c >= 10 && c <= 34)).toBe(true);
    }
  });
});

describe('the generated workload', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const text = (seed: number) => [...tpchWorkload({ queries: 50, seed })].map(traceLine).join('\n');
    expect(text(7)).toBe(text(7));
    expect(text(7)).not.toBe(text(8));
  });

  it('mixes all 22 queries by their weights, one fingerprint each, in time order', () => {
    const lines = [...tpchWorkload({ queries: 3000, seed: 3 })];
    const count = new Map<number, number>();
    for (const l of lines) count.set(l.query, (count.get(l.query) ?? 0) + 1);
    expect(count.size).toBe(22);
    const total = TPCH_MIX.reduce((a, m) => a + m.weight, 0);
    for (const m of TPCH_MIX) {
      const expected = (3000 * m.weight) / total;
      expect(Math.abs(count.get(m.query)! - expected)).toBeLessThan(4 * Math.sqrt(expected) + 2);
    }
    expect(new Set(lines.map((l) => fingerprint(l.sql))).size).toBe(22);
    const ts = lines.map((l) => Date.parse(l.ts));
    expect(ts.every((t, i) => i === 0 || t >= ts[i - 1]!)).toBe(true);
    expect(lines.filter((l) => l.user === 'dashboard').length).toBeGreaterThan(lines.length / 2);
  });

  it('replays on SF 0.01 without errors', async () => {
    const file = path.join(dir, 'tpch.jsonl');
    fs.writeFileSync(file, [...tpchWorkload({ queries: 40, seed: 11, sf: 0.01 })].map(traceLine).join('\n') + '\n');
    const s = await replayTrace(db, file, { concurrency: 2 });
    expect(s).toMatchObject({ queries: 40, errors: 0, badLines: 0 });
    expect(s.bytesMoved).toBeGreaterThan(0);
  });
});
