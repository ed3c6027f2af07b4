/**
 * Interleaved sort keys: the z-order mapping (monotone in every column, and
 * widening never unsorts what it sorted before), the table writer laying
 * rows out in z-order in one run or many, rewrites that keep every row in
 * z-order, and the point of it all: blocks skipped for predicates on any key
 * column, not only the first.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../engine/index.js';
import type { ColumnMeta } from '../../../engine/catalog/catalog.js';
import { SegmentReader } from '../../../engine/storage/segment.js';
import { TableWriter } from '../../../engine/storage/table-writer.js';
import { sortByZ, ZOrder, zKindOf, type ZKind, type ZRange } from '../../../engine/storage/zorder.js';
import { physicalKind, type Batch, type SqlType, type Vector } from '../../../engine/types.js';

type Value = number | string | null;

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-zorder-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

let folders = 0;
const freshFolder = () => path.join(work, `w${folders++}`);

/** A vector of one physical kind from plain values (NULL as null). */
function vectorOf(kind: 'i32' | 'f64' | 'str', values: readonly Value[]): Vector {
  const n = values.length;
  const nulls = values.some((v) => v === null) ? Uint8Array.from(values, (v) => (v === null ? 1 : 0)) : null;
  if (kind === 'str') {
    const dict = [...new Set(values.filter((v): v is string => v !== null))];
    const at = new Map(dict.map((s, i) => [s, i]));
    return { kind, codes: Uint32Array.from(values, (v) => (v === null ? 0 : at.get(v as string)!)), dict, nulls, length: n };
  }
  const arr = kind === 'i32' ? new Int32Array(n) : new Float64Array(n);
  values.forEach((v, i) => (arr[i] = v === null ? 0 : (v as number)));
  return kind === 'i32' ? { kind, values: arr as Int32Array, nulls, length: n } : { kind, values: arr as Float64Array, nulls, length: n };
}

/** Plain values of a vector, NULL as null. */
function valuesOf(v: Vector): Value[] {
  return Array.from({ length: v.length }, (_, i) => (v.nulls && v.nulls[i] ? null : v.kind === 'str' ? v.dict[v.codes[i]!]! : v.values[i]!));
}

const KIND_OF: Record<ZKind, 'i32' | 'f64' | 'str'> = { int: 'i32', float: 'f64', str: 'str' };
const intValue = fc.integer({ min: -1_000_000, max: 1_000_000 });
const strValue = fc.oneof(fc.string({ unit: 'binary', maxLength: 9 }), fc.constantFrom('', 'a', 'ab', 'abc', 'Customer#00001', 'Customer#00042', 'élan', '東京', '🚚'));
const floatValue = fc.double({ min: -1e12, max: 1e12, noNaN: true });
const valueOf: Record<ZKind, fc.Arbitrary<number | string>> = { int: intValue, float: floatValue, str: strValue };
const cell = (k: ZKind) => fc.option(valueOf[k], { nil: null, freq: 6 });

/** Rows of the given key kinds, as column vectors. */
const columnsOf = (kinds: readonly ZKind[], rows: readonly Value[][]): Vector[] => kinds.map((k, c) => vectorOf(KIND_OF[k], rows.map((r) => r[c]!)));
const rowsArb = (kinds: readonly ZKind[], max: number) => fc.array(fc.tuple(...kinds.map(cell)), { minLength: 1, maxLength: max, size: 'max' });
const kindsArb = fc.array(fc.constantFrom<ZKind>('int', 'float', 'str'), { minLength: 1, maxLength: 4 });

describe('the z-order mapping', () => {
  it('never decreases when one column grows and the others stay', () => {
    fc.assert(
      fc.property(
        kindsArb.chain((kinds) =>
          fc.nat(kinds.length - 1).chain((col) =>
            fc.record({ kinds: fc.constant(kinds), col: fc.constant(col), rows: rowsArb(kinds, 60), pair: fc.tuple(cell(kinds[col]!), cell(kinds[col]!)) }),
          ),
        ),
        ({ pair, ...x }) => {
          const z = new ZOrder(x.kinds);
          // the mapping is set from the rows, then the two rows below (which it may not cover) are clamped into it
          z.cover([columnsOf(x.kinds, x.rows)]);
          const base = x.rows[0]!;
          // NULL first, then values in the order zone maps use
          const [lo, hi] = [...pair].sort((a, b) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : a > b ? 1 : 0));
          const two = [base.map((v, c) => (c === x.col ? lo! : v)), base.map((v, c) => (c === x.col ? hi! : v))];
          const zs = z.zValues(columnsOf(x.kinds, two));
          expect(zs[0]!).toBeLessThanOrEqual(zs[1]!);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rows sorted before a widening are still sorted after it', () => {
    fc.assert(
      fc.property(
        kindsArb.chain((kinds) => fc.record({ kinds: fc.constant(kinds), first: rowsArb(kinds, 80), later: rowsArb(kinds, 80), scale: fc.constantFrom(1, 1000) })),
        ({ kinds, first, later, scale }) => {
          const z = new ZOrder(kinds);
          const a = columnsOf(kinds, first);
          z.cover([a]);
          const order = Uint32Array.from(first, (_, i) => i);
          sortByZ(order, z.zValues(a));
          // later rows, numbers spread wider: the frame must double, maybe several times
          const wide = later.map((r) => r.map((v, c) => (typeof v === 'number' && kinds[c] === 'int' ? v * scale : v)));
          z.cover([columnsOf(kinds, wide)]);
          const after = z.zValues(a);
          expectNonDecreasing(Float64Array.from(order, (i) => after[i]!), 'the first rows under the widened mapping');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives every column equal weight: the top bits of z halve each column\'s range alike', () => {
    const z = new ZOrder(['int', 'int']);
    // a over 0..99, b over 5000..5999: very different widths. Each is cut in halves of the power-of-two frame
    // that covers it from one below its minimum (NULL's place): a's frame is 128 wide, b's 1,024.
    const a = vectorOf('i32', [0, 99, 0, 99, 60, 70]);
    const b = vectorOf('i32', [5000, 5000, 5999, 5999, 5500, 5600]);
    z.cover([[a, b]]);
    const zs = z.zValues([a, b]);
    // the top two bits of z are a's top bit then b's: (low, low) < (low, high) < (high, low) < (high, high)
    const quadrant = (i: number) => Math.floor(zs[i]! / 2 ** (2 * z.bits - 2));
    expect([0, 1, 2, 3].map(quadrant)).toEqual([0, 2, 1, 3]);
    // 60 and 5500 are in their frames' lower halves (61 of 128, 501 of 1,024), 70 and 5600 in the upper ones
    expect([quadrant(4), quadrant(5)]).toEqual([0, 3]);
  });
});

// --------------------------------------------------------------- the writer

interface KeyColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly kind: ZKind;
}
const TABLE: KeyColumn[] = [
  { name: 'n', type: { id: 'integer' }, kind: 'int' },
  { name: 'd', type: { id: 'date' }, kind: 'int' },
  { name: 's', type: { id: 'varchar', length: 16 }, kind: 'str' },
  { name: 'x', type: { id: 'double' }, kind: 'float' },
];
const META: ColumnMeta[] = TABLE.map((c) => ({ name: c.name, type: c.type, notNull: false, encoding: 'auto', encodingExplicit: false }));
const cellOf: Record<string, fc.Arbitrary<Value>> = {
  n: fc.option(intValue, { nil: null, freq: 6 }),
  d: fc.option(fc.integer({ min: 8000, max: 12_000 }), { nil: null, freq: 6 }),
  s: fc.option(strValue, { nil: null, freq: 6 }),
  x: fc.option(fc.oneof(floatValue, fc.integer({ min: -5, max: 5 })), { nil: null, freq: 6 }),
};

/** Every row of every segment of a written folder, and each segment's key columns (whole). */
function readBack(folder: string, files: readonly string[], key: readonly number[]): { rows: string[]; segments: Vector[][] } {
  const rows: string[] = [];
  const segments: Vector[][] = [];
  for (const f of files) {
    const r = SegmentReader.open(path.join(folder, f));
    try {
      const blocks = r.footer.columns[0]!.blocks.length;
      const cols: Value[][] = META.map(() => []);
      for (let b = 0; b < blocks; b++) META.forEach((m, c) => cols[c]!.push(...valuesOf(r.readBlock(c, b, physicalKind(m.type)))));
      for (let i = 0; i < cols[0]!.length; i++) rows.push(JSON.stringify(cols.map((c) => c[i])));
      segments.push(key.map((c) => vectorOf(physicalKind(META[c]!.type) as 'i32' | 'f64' | 'str', cols[c]!)));
    } finally {
      r.close();
    }
  }
  return { rows, segments };
}

/** Asserts z never decreases; names the first row where it does. */
function expectNonDecreasing(z: Float64Array, what: string): void {
  let drop = -1;
  for (let i = 1; i < z.length && drop < 0; i++) if (z[i]! < z[i - 1]!) drop = i;
  expect(drop, `${what}: z-value at row ${drop} (${z[drop]}) is below the row before (${z[drop - 1]})`).toBe(-1);
}

describe('the table writer in z-order', () => {
  it('keeps every row and stores each segment in z-order, in one run or several', () => {
    const rowArb = fc.tuple(cellOf['n']!, cellOf['d']!, cellOf['s']!, cellOf['x']!);
    fc.assert(
      fc.property(
        fc.record({
          rows: fc.array(rowArb, { maxLength: 500, size: 'max' }),
          key: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 1 }),
          slices: fc.integer({ min: 1, max: 3 }),
          // undefined: the whole write is one sorted buffer per slice; a number: runs of that many rows, merged at the end
          runRows: fc.option(fc.integer({ min: 4, max: 150 }), { nil: undefined }),
          // a range known up front that covers only some of the values (so later runs widen the mapping), or none
          seedRows: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
          batch: fc.integer({ min: 1, max: 120 }),
        }),
        ({ rows, key, slices, runRows, seedRows, batch }) => {
          const folder = freshFolder();
          let keyRanges: (ZRange | null)[] | undefined;
          if (seedRows !== undefined) {
            keyRanges = key.map((c) => {
              const vs = rows.slice(0, seedRows).map((r) => r[c]!).filter((v): v is number | string => v !== null && !(typeof v === 'number' && !Number.isFinite(v)));
              if (vs.length === 0) return null;
              const sorted = [...vs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
              return { min: sorted[0]!, max: sorted[sorted.length - 1]! };
            });
          }
          const writer = new TableWriter(
            folder,
            { columns: META, distStyle: 'even', distKey: null, sortKey: key.map((c) => META[c]!.name), sortStyle: 'interleaved', slices, blockRows: 16, evenCursor: 0 },
            1,
            { ...(runRows !== undefined ? { runRows } : {}), ...(keyRanges ? { keyRanges } : {}) },
          );
          for (let from = 0; from < rows.length; from += batch) {
            const part = rows.slice(from, from + batch);
            const b: Batch = { length: part.length, columns: META.map((m, c) => vectorOf(physicalKind(m.type) as 'i32' | 'f64' | 'str', part.map((r) => r[c]!))) };
            writer.add(b);
            for (const _ of writer.spillFull());
          }
          const out = writer.finish();
          expect(out.rows).toBe(rows.length);
          // one segment per slice that got rows: the runs were merged
          expect(out.segments.length).toBe(new Set(out.segments.map((s) => s.slice)).size);
          const back = readBack(folder, out.segments.map((s) => s.file), key);
          expect(back.rows.sort()).toEqual(rows.map((r) => JSON.stringify(r)).sort());
          const z = writer.zOrder!;
          back.segments.forEach((cols, i) => expectNonDecreasing(z.zValues(cols), `segment ${i}`));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('a compound or unsorted layout has no z-order mapping', () => {
    const layout = { columns: META, distStyle: 'even' as const, distKey: null, slices: 1, blockRows: 16, evenCursor: 0 };
    expect(new TableWriter(freshFolder(), { ...layout, sortKey: ['n', 'd'] }, 1).zOrder).toBeNull();
    expect(new TableWriter(freshFolder(), { ...layout, sortKey: [], sortStyle: 'interleaved' }, 1).zOrder).toBeNull();
  });
});

// ------------------------------------------------------- tables and queries

/** Deterministic pseudo-random integers (a small LCG). */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/** t(a, b, c, s): a and b independent and uniform over 0..9999, c the load position, s a string tag. */
function uniformBatches(rows: number, seed = 11): Batch[] {
  const r = rng(seed);
  const out: Batch[] = [];
  const tags = Array.from({ length: 50 }, (_, i) => `tag-${String(i).padStart(2, '0')}`);
  for (let from = 0; from < rows; from += 8192) {
    const n = Math.min(8192, rows - from);
    const a = new Int32Array(n);
    const b = new Int32Array(n);
    const c = new Int32Array(n);
    const s = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = r(10_000);
      b[i] = r(10_000);
      c[i] = from + i;
      s[i] = r(tags.length);
    }
    out.push({
      length: n,
      columns: [
        { kind: 'i32', values: a, nulls: null, length: n },
        { kind: 'i32', values: b, nulls: null, length: n },
        { kind: 'i32', values: c, nulls: null, length: n },
        { kind: 'str', codes: s, dict: tags, nulls: null, length: n },
      ],
    });
  }
  return out;
}

const COLUMNS = '(a int, b int, c int, s varchar(8))';

describe('interleaved tables', () => {
  it('a rewrite lays every slice out in the z-order of the old version\'s zone maps, synchronously or in the background', async () => {
    const db = await Database.open(path.join(work, 'rewrite'), { slices: 3, blockRows: 512 });
    try {
      for (const name of ['sync', 'online']) {
        await db.execute(`create table ${name} ${COLUMNS} diststyle even`);
        await db.append(name, uniformBatches(20_000, 5));
      }
      const checksum = async (t: string) => (await db.query(`select count(*), sum(a), sum(b), sum(c), min(s), max(s) from ${t}`)).rows();
      const expected = await checksum('sync');
      for (const name of ['sync', 'online']) {
        const before = db.catalog().tables[name]!;
        const kinds = (['b', 's', 'a'] as const).map((k) => zKindOf(before.columns.find((c) => c.name === k)!.type));
        const footers = before.segments.map((s) => {
          const r = SegmentReader.open(db.store.segmentPath(before, s.file));
          const f = r.footer;
          r.close();
          return f;
        });
        const ranges = (['b', 's', 'a'] as const).map((k) => {
          const blocks = footers.flatMap((f) => f.columns.find((c) => c.name === k)!.blocks);
          return { min: blocks.map((x) => x.min!).reduce((p, q) => (q < p ? q : p)), max: blocks.map((x) => x.max!).reduce((p, q) => (q > p ? q : p)) };
        });
        const ddl = `alter table ${name} alter interleaved sortkey (b, s, a)`;
        if (name === 'sync') await db.execute(ddl);
        else await db.alterInBackground(ddl);
        const after = db.catalog().tables[name]!;
        expect([after.sortKey, after.sortStyle]).toEqual([['b', 's', 'a'], 'interleaved']);
        expect(after.segments.length).toBe(3);
        // the rewrite's mapping is the one the zone maps alone give (the rows lie within them, so nothing widened)
        const z = new ZOrder(kinds, ranges);
        z.cover([]);
        for (const seg of after.segments) {
          const r = SegmentReader.open(db.store.segmentPath(after, seg.file));
          try {
            const idx = ['b', 's', 'a'].map((k) => after.columns.findIndex((c) => c.name === k));
            const blocks = r.footer.columns[0]!.blocks.length;
            let last = -Infinity;
            for (let b = 0; b < blocks; b++) {
              const zs = z.zValues(idx.map((c) => r.readBlock(c, b, physicalKind(after.columns[c]!.type))));
              expect(zs[0]!).toBeGreaterThanOrEqual(last);
              expectNonDecreasing(zs, `${name} ${seg.file} block ${b}`);
              last = zs[zs.length - 1]!;
            }
          } finally {
            r.close();
          }
        }
        expect(await checksum(name)).toEqual(expected);
      }
    } finally {
      db.close();
    }
  });

  it('skip blocks for a predicate on any key column, where a compound key skips only for its first', async () => {
    // 64k rows on one slice in 1,024-row blocks: 64 blocks, an 8 x 8 grid of (a, b) ranges under z-order
    const db = await Database.open(path.join(work, 'blocks'), { slices: 1, blockRows: 1024 });
    try {
      const layouts = { unsorted: 'diststyle even', compound: 'diststyle even compound sortkey (a, b)', interleaved: 'diststyle even interleaved sortkey (a, b)' };
      const queries = {
        a: 'select count(*) from T where a between 1000 and 1999',
        b: 'select count(*) from T where b between 1000 and 1999',
        ab: 'select count(*) from T where a between 1000 and 1999 and b between 5000 and 5999',
      };
      const scanned: Record<string, Record<string, number>> = {};
      const counts = new Set<string>();
      for (const [layout, ddl] of Object.entries(layouts)) {
        await db.execute(`create table t_${layout} ${COLUMNS} ${ddl}`);
        await db.append(`t_${layout}`, uniformBatches(65_536));
        scanned[layout] = {};
        for (const [q, sql] of Object.entries(queries)) {
          const r = await db.query(sql.replace('T', `t_${layout}`));
          scanned[layout]![q] = r.stats.blocksScanned;
          counts.add(`${q}:${r.rows()[0]![0]}`);
        }
      }
      // the same rows, whatever the order
      expect(counts.size).toBe(3);
      // measured: unsorted {a 64, b 64, ab 128}, compound {a 7, b 64, ab 14}, interleaved {a 16, b 18, ab 10} (column blocks)
      expect(scanned['unsorted']).toEqual({ a: 64, b: 64, ab: 128 });
      expect(scanned['compound']!['a']).toBeLessThanOrEqual(9);
      expect(scanned['compound']!['b']).toBe(64);
      // on b alone the interleaved key reads at most a third of what the compound one reads
      expect(scanned['interleaved']!['b']).toBeLessThanOrEqual(22);
      // the price: twice or more the compound key's blocks for a predicate on its first column alone
      expect(scanned['interleaved']!['a']).toBeGreaterThanOrEqual(2 * scanned['compound']!['a']!);
      expect(scanned['interleaved']!['a']).toBeLessThanOrEqual(20);
      // both columns: far fewer than unsorted (a tenth) and no more than compound
      expect(scanned['interleaved']!['ab']).toBeLessThanOrEqual(13);
      expect(scanned['interleaved']!['ab']).toBeLessThanOrEqual(scanned['compound']!['ab']!);
    } finally {
      db.close();
    }
  });
});
