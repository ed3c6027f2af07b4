import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { F64Vector, I32Vector } from '../../../engine/types.js';
import { col, days, loadError, micros, readRows, tmpDir } from './helpers.js';

let dir: string;
let instance: DuckDBInstance;
let duck: DuckDBConnection;

beforeAll(async () => {
  dir = tmpDir('keel-parquet-');
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
});
afterAll(() => {
  duck?.closeSync();
  instance?.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function copy(select: string, name: string, options = 'FORMAT parquet, COMPRESSION zstd'): Promise<string> {
  const file = path.join(dir, name);
  await duck.run(`COPY (${select}) TO '${file}' (${options})`);
  return file;
}

const allTypes = [
  col('SI', 'smallint'),
  col('i', 'integer', true),
  col('bi', 'bigint'),
  col('d4', 'decimal(4,2)'),
  col('d15', 'decimal(15,2)'),
  col('d30', 'decimal(18,3)'),
  col('r', 'real'),
  col('dbl', 'double'),
  col('b', 'boolean'),
  col('c', 'char(5)'),
  col('v', 'varchar(10)'),
  col('dt', 'date'),
  col('ts', 'timestamp'),
  col('tsms', 'timestamp'),
  col('tsns', 'timestamp'),
];

const allTypesSql = `SELECT * FROM (VALUES
  (1::SMALLINT, 1, 9007199254740991::BIGINT, 12.34::DECIMAL(4,2), (-1234567890123.45)::DECIMAL(15,2), 123456789012.345::DECIMAL(30,3),
   1.5::REAL, 0.1::DOUBLE, true, 'ab   ', 'héllo', DATE '1998-01-02', TIMESTAMP '1998-01-02 03:04:05.123456',
   '1998-01-02 03:04:05.123'::TIMESTAMP_MS, '1969-12-31 23:59:59.999999999'::TIMESTAMP_NS),
  (NULL, 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ((-32768)::SMALLINT, 3, (-9007199254740991)::BIGINT, (-99.99)::DECIMAL(4,2), 0.07::DECIMAL(15,2), (-0.001)::DECIMAL(30,3),
   (-3.25)::REAL, (-1e300)::DOUBLE, false, '', '', DATE '1900-03-01', TIMESTAMP '1900-03-01 00:00:00',
   '1970-01-01 00:00:00'::TIMESTAMP_MS, '2000-01-01 00:00:00.000001'::TIMESTAMP_NS)
) t(si, i, bi, d4, d15, d30, r, dbl, b, c, v, dt, ts, tsms, tsns)`;

describe('parquet', () => {
  it('reads every type, NULLs included, matching columns by name case-insensitively', async () => {
    const file = await copy(allTypesSql, 'all.parquet');
    const { rows } = await readRows(file, allTypes);
    expect(rows).toEqual([
      [1, 1, 9007199254740991, 1234, -123456789012345, 123456789012345, 1.5, 0.1, 1, 'ab', 'héllo', days('1998-01-02'), micros('1998-01-02T03:04:05.123', 456), micros('1998-01-02T03:04:05.123'), -1],
      [null, 2, null, null, null, null, null, null, null, null, null, null, null, null, null],
      [-32768, 3, -9007199254740991, -9999, 7, -1, -3.25, -1e300, 0, '', '', days('1900-03-01'), micros('1900-03-01T00:00:00'), 0, micros('2000-01-01T00:00:00', 1)],
    ]);
  });

  it('reads with snappy and gzip too', async () => {
    for (const codec of ['snappy', 'gzip', 'uncompressed']) {
      const file = await copy(allTypesSql, `all-${codec}.parquet`, `FORMAT parquet, COMPRESSION ${codec}`);
      expect((await readRows(file, allTypes)).rows).toHaveLength(3);
    }
  });

  it('rescales decimals exactly and converts compatible types', async () => {
    const file = await copy(
      `SELECT 1.255::DECIMAL(10,3) AS a, 42::BIGINT AS b, 2.5::DOUBLE AS c, '1998-12-01' AS d, DATE '2000-01-01' AS e, 7::INTEGER AS f`,
      'conv.parquet',
    );
    const { rows } = await readRows(file, [col('a', 'decimal(10,2)'), col('b', 'decimal(10,2)'), col('c', 'decimal(10,0)'), col('d', 'date'), col('e', 'timestamp'), col('f', 'varchar(3)')]);
    expect(rows).toEqual([[126, 4200, 3, days('1998-12-01'), micros('2000-01-01T00:00:00'), '7']]);
  });

  it('streams many row groups in batches and agrees with DuckDB', async () => {
    const file = await copy(
      `SELECT i::INTEGER AS k, (i * 7 % 1000)::DECIMAL(12,2) / 100 AS amount, 'v' || (i % 13) AS tag,
              CASE WHEN i % 10 = 0 THEN NULL ELSE DATE '1990-01-01' + (i % 5000)::INTEGER END AS day
       FROM range(250000) t(i)`,
      'many.parquet',
      'FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 30000',
    );
    let n = 0;
    let sumK = 0;
    let sumAmount = 0;
    let nullDays = 0;
    let sumDays = 0;
    const tags = new Set<string>();
    const sizes: number[] = [];
    const { readFile } = await import('../../../engine/load/index.js');
    for await (const b of readFile(file, [col('k', 'integer'), col('amount', 'decimal(12,2)'), col('tag', 'varchar(5)'), col('day', 'date')], { batchRows: 40_000 })) {
      sizes.push(b.length);
      const [k, amount, tag, day] = b.columns;
      for (let i = 0; i < b.length; i++) {
        sumK += (k as I32Vector).values[i]!;
        sumAmount += (amount as F64Vector).values[i]!;
        if (tag!.kind === 'str') tags.add(tag!.dict[tag!.codes[i]!]!);
        if (day!.nulls?.[i]) nullDays++;
        else sumDays += (day as I32Vector).values[i]!;
      }
      n += b.length;
    }
    expect(n).toBe(250000);
    expect(sizes.slice(0, -1).every((s) => s === 40_000)).toBe(true);
    const ref = (
      await duck.runAndReadAll(
        `SELECT sum(k)::DOUBLE, (sum(amount) * 100)::DOUBLE, count(*) FILTER (WHERE day IS NULL)::DOUBLE,
                sum(day - DATE '1970-01-01')::DOUBLE, count(DISTINCT tag)::DOUBLE FROM '${file}'`,
      )
    ).getRowsJS()[0]!;
    expect([sumK, sumAmount, nullDays, sumDays, tags.size]).toEqual(ref);
  });

  it('names missing columns, unsupported conversions and bad values', async () => {
    const file = await copy(`SELECT i::BIGINT AS big, DATE '2000-01-01' AS dt FROM range(5) t(i) UNION ALL SELECT 5000000000, NULL`, 'err.parquet');
    await loadError(file, [col('nope', 'integer')], {}, { code: 'LOAD_FORMAT', column: 'nope', message: 'column nope is not in the file (its columns: big, dt)' });
    await loadError(file, [col('dt', 'integer')], {}, { code: 'LOAD_FORMAT', column: 'dt', message: 'cannot load Parquet INT32 (DATE) into INTEGER' });
    await loadError(file, [col('big', 'integer')], {}, { code: 'LOAD_VALUE', line: 6, column: 'big', message: 'value "5000000000" out of range for INTEGER' });
    await loadError(file, [col('big', 'bigint'), col('dt', 'date', true)], {}, { code: 'LOAD_VALUE', line: 6, column: 'dt', message: 'NULL' });
  });

  it('rejects a file that is not Parquet', async () => {
    const file = path.join(dir, 'fake.parquet');
    fs.writeFileSync(file, 'not parquet at all');
    await loadError(file, [col('a', 'integer')], {}, { code: 'LOAD_FORMAT', message: 'Parquet' });
  });
});
