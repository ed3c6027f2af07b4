/**
 * Segment files end to end: random multi-block batches with NULLs written with
 * every explicit encoding and with AUTO, read back block by block; zone maps;
 * damage detection.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../../engine/errors.js';
import type { EncodingId } from '../../../engine/storage/codecs/codec.js';
import { AUTO_CANDIDATES, chooseEncoding, codecById } from '../../../engine/storage/codecs/index.js';
import { SegmentReader, SegmentWriter } from '../../../engine/storage/segment.js';
import { sliceVector } from '../../../engine/storage/vectors.js';
import type { PhysicalKind, Vector } from '../../../engine/types.js';

type Value = number | string | null;

interface ColumnSpec {
  readonly name: string;
  readonly kind: PhysicalKind;
  readonly value: fc.Arbitrary<number | string>;
}

/** A schema with every kind, integral and fractional doubles, and strings worth a dictionary. */
const COLUMNS: readonly ColumnSpec[] = [
  { name: 'id', kind: 'i32', value: fc.integer({ min: -2147483648, max: 2147483647 }) },
  { name: 'qty', kind: 'i32', value: fc.integer({ min: 1, max: 50 }) },
  { name: 'ts', kind: 'f64', value: fc.integer({ min: 0, max: 2 ** 20 }).map((x) => 1_600_000_000_000_000 + x * 1_000_000) },
  { name: 'amount', kind: 'f64', value: fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x))) },
  { name: 'flag', kind: 'bool', value: fc.constantFrom(0, 1) },
  { name: 'status', kind: 'str', value: fc.constantFrom('O', 'F', 'P', '', 'élan', '東京', '🚚 shipped') },
  { name: 'comment', kind: 'str', value: fc.string({ unit: 'binary', maxLength: 15 }) },
];

const ENCODINGS: readonly (EncodingId | 'auto')[] = ['raw', 'dict', 'rle', 'delta', 'for', 'zstd', 'auto'];

/** A column as rows (null = NULL), in runs so that RLE and DELTA have something to find. */
function columnValues(spec: ColumnSpec, rows: number): fc.Arbitrary<Value[]> {
  const cell = fc.option(spec.value, { nil: null, freq: 6 });
  return fc.oneof(
    fc.array(cell, { minLength: rows, maxLength: rows }),
    fc.array(fc.tuple(cell, fc.integer({ min: 1, max: 60 })), { minLength: 1, maxLength: rows }).map((runs) => {
      const out = runs.flatMap(([v, k]) => new Array<Value>(k).fill(v)).slice(0, rows);
      while (out.length < rows) out.push(null);
      return out;
    }),
  );
}

/**
 * The vector the engine would hold for these rows: NULL slots hold 0 (code 0), and
 * strings are codes into a dictionary shared by every block cut from it, with
 * unused entries.
 */
function toVector(kind: PhysicalKind, rows: readonly Value[]): Vector {
  const n = rows.length;
  const anyNull = rows.some((r) => r === null);
  const nulls = anyNull ? Uint8Array.from(rows, (r) => (r === null ? 1 : 0)) : null;
  if (kind === 'str') {
    const dict = ['unused entry', ...new Set(rows.filter((r): r is string => r !== null)), 'another unused'];
    const index = new Map(dict.map((s, i) => [s, i]));
    const codes = Uint32Array.from(rows, (r) => (r === null ? 0 : index.get(r as string)!));
    return { kind, codes, dict, nulls, length: n };
  }
  const values = kind === 'i32' ? new Int32Array(n) : kind === 'f64' ? new Float64Array(n) : new Uint8Array(n);
  rows.forEach((r, i) => (values[i] = r === null ? 0 : (r as number)));
  return { kind, values, nulls, length: n } as Vector;
}

function valueAt(v: Vector, i: number): Value {
  if (v.nulls && v.nulls[i]) return null;
  return v.kind === 'str' ? v.dict[v.codes[i]!]! : v.values[i]!;
}

interface Table {
  readonly columns: Value[][];
  readonly blockRows: number;
  readonly rows: number;
}

/** Up to 24 blocks (each block is a few syscalls per column), down to blocks of one row. */
const tables: fc.Arbitrary<Table> = fc
  .integer({ min: 1, max: 256 })
  .chain((blockRows) => fc.record({ blockRows: fc.constant(blockRows), rows: fc.integer({ min: 1, max: Math.min(700, blockRows * 24) }) }))
  .chain(({ rows, blockRows }) => fc.tuple(...COLUMNS.map((c) => columnValues(c, rows))).map((columns) => ({ columns, blockRows, rows })));

let dir: string;
let fileNo = 0;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-segment-test-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function nextFile(): string {
  return path.join(dir, `seg-${fileNo++}.kseg`);
}

/** Writes the table in blocks of blockRows; returns the file and the vectors of each block. */
function writeTable(table: Table, encoding: EncodingId | 'auto'): { file: string; blocks: Vector[][] } {
  const file = nextFile();
  const whole = COLUMNS.map((c, i) => toVector(c.kind, table.columns[i]!));
  const writer = new SegmentWriter(file, COLUMNS.map((c) => ({ name: c.name, encoding })));
  const blocks: Vector[][] = [];
  for (let from = 0; from < table.rows; from += table.blockRows) {
    const to = Math.min(table.rows, from + table.blockRows);
    const block = whole.map((v) => sliceVector(v, from, to));
    writer.writeBlock(block);
    blocks.push(block);
  }
  const { bytes, rows } = writer.finish();
  expect(rows).toBe(table.rows);
  expect(bytes).toBe(fs.statSync(file).size);
  return { file, blocks };
}

/** Zone map computed independently of the writer. */
function expectedZone(values: readonly Value[]): { min: Value; max: Value; nullCount: number } {
  const present = values.filter((v) => v !== null) as (number | string)[];
  if (present.length === 0) return { min: null, max: null, nullCount: values.length };
  let min = present[0]!;
  let max = present[0]!;
  for (const v of present) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max, nullCount: values.length - present.length };
}

/** The encoding an explicit setting must end up as: itself, or RAW when it cannot hold the block. */
function expectedEncoding(wanted: EncodingId | 'auto', block: Vector): EncodingId {
  if (wanted === 'auto') return chooseEncoding(block, AUTO_CANDIDATES).id;
  const codec = codecById(wanted);
  return codec.supports(block.kind) && Number.isFinite(codec.encodedSize(block)) ? wanted : 'raw';
}

describe('segment files round-trip', () => {
  for (const encoding of ENCODINGS) {
    it(`ENCODE ${encoding}`, () => {
      fc.assert(
        fc.property(tables, (table) => {
          const { file, blocks } = writeTable(table, encoding);
          const reader = SegmentReader.open(file);
          try {
            expect(reader.footer.rows).toBe(table.rows);
            COLUMNS.forEach((spec, c) => {
              const metas = reader.footer.columns[c]!.blocks;
              expect(reader.footer.columns[c]!.name).toBe(spec.name);
              expect(metas.length).toBe(blocks.length);
              metas.forEach((meta, b) => {
                const from = b * table.blockRows;
                const expected = table.columns[c]!.slice(from, from + meta.rows);
                expect(meta.rows).toBe(blocks[b]![c]!.length);
                expect({ min: meta.min, max: meta.max, nullCount: meta.nullCount }).toEqual(expectedZone(expected));
                expect(meta.encoding).toBe(expectedEncoding(encoding, blocks[b]![c]!));
                const decoded = reader.readBlock(c, b, spec.kind);
                expect(decoded.kind).toBe(spec.kind);
                expect(decoded.length).toBe(meta.rows);
                expect(Array.from({ length: meta.rows }, (_, i) => valueAt(decoded, i))).toEqual(expected);
                if (meta.nullCount === 0) expect(decoded.nulls).toBeNull();
              });
            });
          } finally {
            reader.close();
            fs.rmSync(file);
          }
        }),
        { numRuns: 20 },
      );
    });
  }

  it('AUTO writes full-size blocks smaller than RAW and reads them back', () => {
    const n = 2 * 16_384;
    const table: Table = {
      rows: n,
      blockRows: 16_384,
      columns: [
        Array.from({ length: n }, (_, i) => i * 3), // sorted keys: DELTA
        Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % 50)), // small range: FOR
        Array.from({ length: n }, (_, i) => 1_600_000_000_000_000 + Math.floor(i / 100) * 1_000_000), // runs
        Array.from({ length: n }, (_, i) => (i % 97 === 0 ? null : ((i * 7919) % 100_000) / 100)), // fractions
        Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)),
        Array.from({ length: n }, (_, i) => ['O', 'F', 'P'][i % 3]!), // few distinct: DICT
        Array.from({ length: n }, (_, i) => `comment ${i}`),
      ],
    };
    const auto = writeTable(table, 'auto');
    const raw = writeTable(table, 'raw');
    expect(fs.statSync(auto.file).size).toBeLessThan(fs.statSync(raw.file).size);
    const reader = SegmentReader.open(auto.file);
    try {
      // AUTO never does worse than RAW on any block.
      reader.footer.columns.forEach((col, c) =>
        col.blocks.forEach((meta, b) => expect(meta.length - meta.nullBytes).toBeLessThanOrEqual(codecById('raw').encodedSize(auto.blocks[b]![c]!))),
      );
      const firstBlock = reader.footer.columns.map((col) => col.blocks[0]!.encoding);
      expect(firstBlock[0]).toBe('delta');
      expect(firstBlock[1]).toBe('for');
      expect(firstBlock[2]).toBe('rle');
      expect(firstBlock[3]).toBe('raw');
      expect(firstBlock[5]).toBe('dict');
      COLUMNS.forEach((spec, c) => {
        for (let b = 0; b < 2; b++) {
          const decoded = reader.readBlock(c, b, spec.kind);
          const expected = table.columns[c]!.slice(b * 16_384, (b + 1) * 16_384);
          expect(Array.from({ length: 16_384 }, (_, i) => valueAt(decoded, i))).toEqual(expected);
        }
      });
    } finally {
      reader.close();
    }
  });
});

describe('damage is reported, never returned as data', () => {
  it('flipping any byte of a block makes readBlock throw CORRUPT, and only for that block', () => {
    fc.assert(
      fc.property(
        tables,
        fc.constantFrom(...ENCODINGS),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (table, encoding, blockPick, bytePick, flip) => {
          const { file } = writeTable(table, encoding);
          const footer = (() => {
            const r = SegmentReader.open(file);
            const f = r.footer;
            r.close();
            return f;
          })();
          const all = footer.columns.flatMap((col, c) => col.blocks.map((meta, b) => ({ c, b, meta })));
          const target = all[blockPick % all.length]!;
          const at = target.meta.offset + (bytePick % target.meta.length);
          const bytes = fs.readFileSync(file);
          bytes[at]! ^= flip;
          fs.writeFileSync(file, bytes);

          const reader = SegmentReader.open(file);
          try {
            let caught: unknown;
            try {
              reader.readBlock(target.c, target.b, COLUMNS[target.c]!.kind);
            } catch (e) {
              caught = e;
            }
            expect(caught).toBeInstanceOf(StorageError);
            expect((caught as StorageError).code).toBe('CORRUPT');
            // A neighbour in the same column is untouched.
            const other = all.find((x) => x.c === target.c && x.b !== target.b);
            if (other) expect(reader.readBlock(other.c, other.b, COLUMNS[other.c]!.kind).length).toBe(other.meta.rows);
          } finally {
            reader.close();
            fs.rmSync(file);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('a truncated file does not open', () => {
    const table: Table = { rows: 3, blockRows: 2, columns: COLUMNS.map((c) => (c.kind === 'str' ? ['a', 'b', 'c'] : [1, 0, 1])) };
    const { file } = writeTable(table, 'auto');
    fs.truncateSync(file, fs.statSync(file).size - 5);
    expect(() => SegmentReader.open(file)).toThrow(StorageError);
  });
});
