import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Bool,
  DateDay,
  DateMillisecond,
  Decimal,
  Dictionary,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Table,
  TimestampMicrosecond,
  TimestampNanosecond,
  TimestampSecond,
  Utf8,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col, days, loadError, micros, readRows, tmpDir } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tmpDir('keel-arrow-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Validity bitmap (1 = valid) for values where null marks NULL. */
function bitmap(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const bits = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) nullCount++;
    else bits[i >> 3]! |= 1 << (i & 7);
  });
  return { nullBitmap: bits, nullCount };
}

function primitive<T extends DataType>(type: T, values: readonly (number | bigint | null)[], Array_: { new (n: number): { [i: number]: number | bigint } }): Vector<T> {
  const data = new Array_(values.length);
  values.forEach((v, i) => {
    if (v !== null) data[i] = v;
  });
  return makeVector(makeData({ type, length: values.length, data: data as never, ...bitmap(values) } as never)) as Vector<T>;
}

function decimal128(values: readonly (bigint | null)[], scale: number, precision: number): Vector {
  const words = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    let x = v ?? 0n;
    if (x < 0n) x += 1n << 128n;
    for (let w = 0; w < 4; w++) {
      words[i * 4 + w] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
  });
  return makeVector(makeData({ type: new Decimal(scale, precision, 128), length: values.length, data: words, ...bitmap(values) } as never));
}

/** Rows k..k+n of a table with every supported Arrow type; row k % 4 === 1 is all NULL. */
function table(k: number, n: number): Table {
  const idx = Array.from({ length: n }, (_, i) => k + i);
  const nul = <T>(i: number, v: T): T | null => (i % 4 === 1 ? null : v);
  return new Table({
    si: primitive(new Int16(), idx.map((i) => nul(i, (i % 100) - 50)), Int16Array),
    i: primitive(new Int32(), idx.map((i) => i), Int32Array),
    bi: primitive(new Int64(), idx.map((i) => nul(i, BigInt(i) * 1_000_000_007n)), BigInt64Array),
    dec: decimal128(idx.map((i) => nul(i, BigInt(i) * 101n - 5000n)), 3, 20),
    r: primitive(new Float32(), idx.map((i) => nul(i, i / 4)), Float32Array),
    dbl: primitive(new Float64(), idx.map((i) => nul(i, i / 10)), Float64Array),
    b: vectorFromArray(idx.map((i) => nul(i, i % 2 === 0)), new Bool()),
    s: vectorFromArray(idx.map((i) => nul(i, `s${i} é`)), new Utf8()),
    cat: vectorFromArray(idx.map((i) => nul(i, ['AIR', 'MAIL', 'SHIP'][i % 3]!)), new Dictionary(new Utf8(), new Int32())),
    dd: primitive(new DateDay(), idx.map((i) => nul(i, i - 1000)), Int32Array),
    dms: primitive(new DateMillisecond(), idx.map((i) => nul(i, BigInt(i - 1000) * 86_400_000n)), BigInt64Array),
    tus: primitive(new TimestampMicrosecond(), idx.map((i) => nul(i, BigInt(i) * 1_000_001n - 5n)), BigInt64Array),
    tns: primitive(new TimestampNanosecond(), idx.map((i) => nul(i, BigInt(i) * 1_000_000_001n - 1n)), BigInt64Array),
    ts: primitive(new TimestampSecond(), idx.map((i) => nul(i, BigInt(i) * 3600n)), BigInt64Array),
  });
}

const columns = [
  col('SI', 'smallint'),
  col('i', 'integer', true),
  col('bi', 'bigint'),
  col('dec', 'decimal(18,2)'),
  col('r', 'real'),
  col('dbl', 'double'),
  col('b', 'boolean'),
  col('s', 'varchar(20)'),
  col('cat', 'char(4)'),
  col('dd', 'date'),
  col('dms', 'date'),
  col('tus', 'timestamp'),
  col('tns', 'timestamp'),
  col('ts', 'timestamp'),
];

function expected(i: number): unknown[] {
  if (i % 4 === 1) return [null, i, ...Array(12).fill(null)];
  const u = BigInt(i) * 101n - 5000n; // scale 3 → 2, half away from zero
  const q = u / 10n + ((u % 10n) * (u < 0n ? -1n : 1n) >= 5n ? (u < 0n ? -1n : 1n) : 0n);
  const ns = BigInt(i) * 1_000_000_001n - 1n;
  return [
    (i % 100) - 50,
    i,
    i * 1_000_000_007,
    Number(q),
    i / 4,
    i / 10,
    i % 2 === 0 ? 1 : 0,
    `s${i} é`,
    ['AIR', 'MAIL', 'SHIP'][i % 3],
    i - 1000,
    i - 1000,
    i * 1_000_001 - 5,
    Number(ns / 1000n) - (ns % 1000n < 0n ? 1 : 0),
    i * 3_600_000_000,
  ];
}

describe('arrow ipc', () => {
  for (const format of ['file', 'stream'] as const) {
    it(`reads the IPC ${format} format: every type, NULLs, several record batches`, async () => {
      // The file format needs one dictionary for all batches: cut one table into slices.
      // The stream format also gets a replacement dictionary per batch.
      const full = table(0, 21);
      const t = format === 'file' ? full.slice(0, 7).concat(full.slice(7, 12), full.slice(12, 21)) : table(0, 7).concat(table(7, 5), table(12, 9));
      expect(t.batches.length).toBe(3);
      const file = path.join(dir, `t.${format === 'file' ? 'arrow' : 'arrows'}`);
      fs.writeFileSync(file, tableToIPC(t, format));
      const { rows, batches } = await readRows(file, columns, { batchRows: 8 });
      expect(rows).toEqual(Array.from({ length: 21 }, (_, i) => expected(i)));
      expect(batches.map((b) => b.length)).toEqual([8, 8, 5]);
      expect(batches.at(-1)!.bytesRead).toBe(batches.at(-1)!.totalBytes);
    });
  }

  it('reads .feather and explicit format', async () => {
    const file = path.join(dir, 'x.bin');
    fs.writeFileSync(file, tableToIPC(table(0, 3), 'file'));
    expect((await readRows(file, [col('i', 'integer')], { format: 'arrow' })).rows).toEqual([[0], [1], [2]]);
    const feather = path.join(dir, 'x.feather');
    fs.writeFileSync(feather, tableToIPC(table(0, 3), 'file'));
    expect((await readRows(feather, [col('s', 'varchar(10)')])).rows).toEqual([['s0 é'], [null], ['s2 é']]);
  });

  it('names missing columns, incompatible types and bad values with their row', async () => {
    const file = path.join(dir, 'err.arrows');
    fs.writeFileSync(file, tableToIPC(table(0, 5).concat(table(40_000, 3)), 'stream'));
    await loadError(file, [col('zz', 'integer')], {}, { code: 'LOAD_FORMAT', column: 'zz', message: 'column zz is not in the file' });
    await loadError(file, [col('dd', 'integer')], {}, { code: 'LOAD_FORMAT', column: 'dd', message: 'cannot load Arrow' });
    // bi = 3 * 1000000007 overflows INTEGER at row 4; i = 40000 overflows SMALLINT at row 6, the first of the second record batch.
    await loadError(file, [col('bi', 'integer')], {}, { code: 'LOAD_VALUE', line: 4, column: 'bi', message: 'value "3000000021" out of range for INTEGER' });
    await loadError(file, [col('i', 'smallint')], {}, { code: 'LOAD_VALUE', line: 6, column: 'i', message: 'value "40000" out of range for SMALLINT' });
    await loadError(file, [col('s', 'varchar(20)', true)], {}, { code: 'LOAD_VALUE', line: 2, column: 's', message: 'NULL' });
    await loadError(file, [col('s', 'varchar(3)')], {}, { code: 'LOAD_VALUE', line: 1, column: 's', message: 'longer than VARCHAR(3)' });
  });

  it('rejects a file that is not Arrow IPC', async () => {
    const file = path.join(dir, 'fake.arrow');
    fs.writeFileSync(file, 'definitely not arrow');
    await loadError(file, [col('a', 'integer')], {}, { code: 'LOAD_FORMAT' });
  });
});

// micros() and days() keep the helpers import honest for future cases.
void micros;
void days;
