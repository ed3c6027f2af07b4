/**
 * The encoding chooser: on columns whose best codec is known by construction
 * it picks that codec, which is also what encoding the whole column every way
 * finds; a slow decoder loses to a slightly larger fast one; the leading
 * sort-key column is never given zstd; and end to end, through SQL sampling,
 * ALTER COLUMN ... ENCODE and svv_table_info, the proposal shrinks the table
 * without changing what queries return.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, loadWorkload } from '../../index.js';
import type { Batch, TableMeta, Vector } from '../../engine/index.js';
import { ALL_CODECS } from '../../engine/index.js';
import { chooseColumnEncoding, chooseEncodings, columnReads, type DecodeSpeeds } from '../../advisor/index.js';

const EVEN: DecodeSpeeds = { i32: { raw: 1, for: 1, delta: 1, rle: 1, dict: 1, zstd: 1 }, f64: { raw: 1, for: 1, delta: 1, rle: 1, dict: 1, zstd: 1 }, bool: { raw: 1, for: 1, delta: 1, rle: 1, dict: 1, zstd: 1 }, str: { raw: 1, rle: 1, dict: 1, zstd: 1 } };

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const WORDS = ['quick', 'fox', 'jumps', 'over', 'lazy', 'dog', 'pack', 'my', 'box', 'with', 'five', 'dozen', 'liquor', 'jugs', 'sphinx', 'black', 'quartz', 'judge', 'vow'];

/** Columns with a known best codec: sorted ids (delta), a narrow range (for), varied text (zstd), long runs (rle); and four labels. */
function columns(n: number, seed: number): { name: string; type: string; v: Vector }[] {
  const r = rng(seed);
  const text: string[] = [];
  for (let i = 0; i < n; i++) text.push(Array.from({ length: 8 + r(6) }, () => WORDS[r(WORDS.length)]).join(' ') + ` ${r(100000)}`);
  const labels = ['DELIVER IN PERSON', 'COLLECT COD', 'TAKE BACK RETURN', 'NONE'];
  return [
    { name: 'id', type: 'integer', v: { kind: 'i32', values: Int32Array.from({ length: n }, (_, i) => 5_000_000 + i * 3), nulls: null, length: n } },
    { name: 'small', type: 'integer', v: { kind: 'i32', values: Int32Array.from({ length: n }, () => 1_000_000 + r(50)), nulls: null, length: n } },
    { name: 'label', type: 'varchar(20)', v: { kind: 'str', codes: Uint32Array.from({ length: n }, () => r(4)), dict: labels, nulls: null, length: n } },
    { name: 'note', type: 'varchar(200)', v: { kind: 'str', codes: Uint32Array.from({ length: n }, (_, i) => i), dict: text, nulls: null, length: n } },
    { name: 'runs', type: 'integer', v: { kind: 'i32', values: Int32Array.from({ length: n }, (_, i) => Math.floor(i / 4000) * 1_000_003), nulls: null, length: n } },
  ];
}

function fakeTable(cols: { name: string; type: string }[]): TableMeta {
  const type = (t: string) => (t === 'integer' ? { id: 'integer' as const } : { id: 'varchar' as const, length: 200 });
  return {
    id: 1, name: 't', distStyle: 'even', distKey: null, distAuto: true, sortKey: [], sortAuto: true, version: 1, segments: [], rows: 0, evenCursor: 0, nextSegment: 0, modifiedAt: 0,
    columns: cols.map((c) => ({ name: c.name, type: type(c.type), notNull: false, encoding: 'auto', encodingExplicit: false })),
  };
}

function blocks(v: Vector, rows: number): Vector[] {
  const out: Vector[] = [];
  for (let from = 0; from < v.length; from += rows) {
    const to = Math.min(v.length, from + rows);
    if (v.kind === 'str') out.push({ kind: 'str', codes: v.codes.slice(from, to), dict: v.dict, nulls: null, length: to - from });
    else if (v.kind === 'i32') out.push({ kind: 'i32', values: v.values.slice(from, to), nulls: null, length: to - from });
  }
  return out;
}

/** The codec that makes all of v smallest, every block encoded every way (the oracle). */
function oracle(v: Vector, rows: number): string {
  let best = '';
  let bestSize = Infinity;
  for (const c of ALL_CODECS) {
    if (!c.supports(v.kind)) continue;
    let size = 0;
    for (const b of blocks(v, rows)) {
      const s = c.id === 'zstd' ? c.encode(b).length : c.encodedSize(b);
      size += s;
    }
    if (size < bestSize) {
      bestSize = size;
      best = c.id;
    }
  }
  return best;
}

const noReads = { scans: 0, rowsScanned: 0 };

describe('encoding chooser on known columns', () => {
  const cols = columns(40_000, 5);
  const table = fakeTable(cols);
  // (label, four random values, is left out: zstd's entropy coding beats dictionary codes there, so its best is not obvious by construction)
  const expected: Record<string, string> = { id: 'delta', small: 'for', note: 'zstd', runs: 'rle' };
  it.each(Object.keys(expected))('%s gets its codec, the same the whole-column oracle finds', (name) => {
    const v = cols.find((c) => c.name === name)!.v;
    // sampled: 4 blocks of 2,048 rows out of the 40,000
    const sample = blocks(v, 2048).filter((_, i) => i % 5 === 0).slice(0, 4);
    const c = chooseColumnEncoding(table, name, sample, 40_000, noReads, false, { blockRows: 2048, speeds: EVEN });
    expect(c.best).toBe(expected[name]);
    expect(oracle(v, 2048)).toBe(expected[name]);
    expect(c.sizes[0]!.codec).toBe(c.best);
    expect(c.tableBytes.best).toBeGreaterThan(0);
  });

  it('charges decode time: a codec that decodes slowly loses to a slightly larger fast one', () => {
    const v = cols.find((c) => c.name === 'label')!.v;
    const sample = blocks(v, 2048).slice(0, 4);
    const fair = chooseColumnEncoding(table, 'label', sample, 40_000, noReads, false, { blockRows: 2048, speeds: EVEN });
    const dictBytes = fair.sizes.find((s) => s.codec === 'dict')!.bytes;
    const zstdBytes = fair.sizes.find((s) => s.codec === 'zstd')!.bytes;
    // zstd is the smaller here; make it slow enough to decode that the penalty outweighs its lead
    expect(zstdBytes).toBeLessThan(dictBytes);
    const speeds: DecodeSpeeds = { ...EVEN, str: { raw: 1, rle: 1, dict: 1, zstd: 1 + (2 * (dictBytes - zstdBytes + 1000)) / (0.1 * 8192) } };
    const c = chooseColumnEncoding(table, 'label', sample, 40_000, noReads, false, { blockRows: 2048, speeds, bytesPerNs: 0.1 });
    expect(c.best).toBe('dict');
    expect(fair.best).toBe('zstd');
    const free = chooseColumnEncoding(table, 'label', sample, 40_000, noReads, false, { blockRows: 2048, speeds, bytesPerNs: 0 });
    expect(free.sizes[0]!.bytes).toBe(Math.min(...free.sizes.map((s) => s.bytes)));
  });

  it('leaves a column alone when the whole of it would gain less than a page', () => {
    const v = cols.find((c) => c.name === 'small')!.v;
    const tiny = blocks(v, 5).slice(0, 1);
    const raw: TableMeta = { ...table, columns: table.columns.map((c) => (c.name === 'small' ? { ...c, encoding: 'raw' } : c)) };
    const c = chooseColumnEncoding(raw, 'small', tiny, 5, noReads, false, { blockRows: 2048, speeds: EVEN });
    expect(c.best).toBe('for');
    expect(c.currentSize.bytes).toBeGreaterThan(c.sizes[0]!.bytes * 1.5);
    expect(c.proposed).toBeNull();
    expect(c.note).toMatch(/bytes smaller, under the 4096/);
  });

  it('does not rewrite for decode timings alone: ENCODE AUTO writing the best codec\'s own blocks stays, whatever the clock says', () => {
    const v = cols.find((c) => c.name === 'label')!.v;
    const sample = blocks(v, 2048).slice(0, 4);
    // measured speeds, so the timings of AUTO and of the codec it picked per block differ only by noise
    for (let k = 0; k < 10; k++) {
      const c = chooseColumnEncoding(table, 'label', sample, 4_000_000, noReads, false, { blockRows: 2048 });
      // AUTO writes dictionary blocks here: the same bytes as BYTEDICT, so only the clock could tell them apart
      expect(c.sizes.find((x) => x.codec === 'dict')!.bytes).toBe(c.currentSize.bytes);
      // so BYTEDICT is never proposed, nor anything else that is not more than 1% smaller than what the column has
      const notSmaller = c.sizes.filter((x) => x.bytes >= c.currentSize.bytes * 0.99).map((x) => x.codec);
      expect(notSmaller).toContain('dict');
      expect(notSmaller).not.toContain(c.proposed);
    }
  });

  it('never gives the leading sort-key column zstd', () => {
    const v = cols.find((c) => c.name === 'note')!.v;
    const sample = blocks(v, 2048).slice(0, 4);
    const c = chooseColumnEncoding(table, 'note', sample, 40_000, noReads, true, { blockRows: 2048, speeds: EVEN });
    expect(c.leadingSortKey).toBe(true);
    expect(c.sizes.some((s) => s.codec === 'zstd')).toBe(false);
    expect(c.best).not.toBe('zstd');
  });
});

describe('encoding advisor end to end', () => {
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-encoding-'));
    const db = await Database.open(dir, { slices: 2, blockRows: 2048, workloadLog: false });
    try {
      await db.execute('create table docs (id integer, label varchar(20), note varchar(200) encode raw, small integer)');
      const cols = columns(30_000, 9);
      const pick = (n: string) => cols.find((c) => c.name === n)!.v;
      const batch: Batch = { length: 30_000, columns: [pick('id'), pick('label'), pick('note'), pick('small')] };
      await db.append('docs', [batch]);
    } finally {
      db.close();
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('proposes zstd for the RAW text column, flags it as the user\'s, and applying it shrinks the table with the same answers', async () => {
    const db = await Database.open(dir);
    try {
      for (let k = 0; k < 3; k++) await db.query(`select count(*) from docs where note like '%fox%' and id > ${k}`);
      const workload = loadWorkload(dir);
      expect(columnReads(workload).get('docs.note')!.scans).toBe(3);
      const choices = await chooseEncodings(db, workload);
      const note = choices.find((c) => c.column === 'note')!;
      expect(note.current).toBe('raw');
      expect(note.userSet).toBe(true);
      expect(note.proposed).toBe('zstd');
      expect(note.reads.rowsScanned).toBe(90_000);
      expect(note.saved.bytes).toBeGreaterThan(0);
      expect(note.sample.rows).toBe(30_000);
      const size = async () => (await db.query("select size_bytes from svv_table_info where \"table\" = 'docs'")).rows()[0]![0] as number;
      const answer = async () => (await db.query('select label, count(*), max(note), sum(small) from docs group by label order by label')).rows();
      const before = { size: await size(), rows: await answer() };
      await db.execute('alter table docs alter column note encode zstd');
      expect(await answer()).toEqual(before.rows);
      expect(await size()).toBeLessThan(before.size * 0.7);
      const again = (await chooseEncodings(db, null)).find((c) => c.column === 'note')!;
      expect(again.current).toBe('zstd');
      expect(again.proposed).toBeNull();
    } finally {
      db.close();
    }
  });
});
