/**
 * COPY reads outside input: damaged CSV, gzip'd CSV and Parquet files (made
 * by UNLOAD from a table of every type, then bytes flipped, set, cut,
 * deleted, inserted, duplicated or zeroed) are COPYed, under MAXERROR 0, 5
 * or 1000, into a table that already has rows. Every run must end in a
 * clean typed error (a KeelError with a stable code) that leaves the table
 * exactly as it was, or in a load that added exactly the rows it reports,
 * skipped no more records than MAXERROR allows (each one a row of
 * stl_load_errors), and, for an undamaged file, loaded the table's rows
 * exactly. Never a crash, never a partial load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../engine/database.js';
import { KeelError } from '../../engine/errors.js';
import { applyByteOps, type ByteOp } from '../../bench/fuzz/targets-load.js';
import { ALL_TYPES, ALL_TYPES_DDL, csvText, freshDb, randomRows, tmpDir } from '../engine/copy/helpers.js';
import { SEED, runs } from './harness.js';

let dir: string;
let db: Database;
const seeds: Record<'csv' | 'gzip' | 'parquet', Buffer> = { csv: Buffer.alloc(0), gzip: Buffer.alloc(0), parquet: Buffer.alloc(0) };
const COPY_OPTIONS = { csv: 'csv emptyasnull', gzip: 'csv emptyasnull gzip', parquet: 'format parquet' } as const;
const SOURCE_ROWS = 60;
const NAMES = ALL_TYPES.map((c) => c.name).join(', ');
/** The contents of `t` in one string: every row as text, sorted. */
const CONTENTS = `select ${NAMES} from t order by ${NAMES}`;

beforeAll(async () => {
  dir = tmpDir('keel-copy-fuzz-');
  db = await freshDb(dir);
  const seedCsv = path.join(dir, 'seed.csv');
  fs.writeFileSync(seedCsv, csvText(randomRows(SEED, SOURCE_ROWS)));
  await db.query(`create table src (${ALL_TYPES_DDL})`);
  await db.query(`copy src from '${seedCsv}' csv emptyasnull`);
  await db.query(`create table t (${ALL_TYPES_DDL})`);
  await db.query(`insert into t select * from src limit 3`);
  await db.query(`unload ('select * from src') to '${dir}/seeds/csv_' csv parallel off`);
  await db.query(`unload ('select * from src') to '${dir}/seeds/gzip_' csv parallel off gzip`);
  await db.query(`unload ('select * from src') to '${dir}/seeds/parquet_' format parquet parallel off`);
  seeds.csv = fs.readFileSync(path.join(dir, 'seeds', 'csv_000'));
  seeds.gzip = fs.readFileSync(path.join(dir, 'seeds', 'gzip_000.gz'));
  seeds.parquet = fs.readFileSync(path.join(dir, 'seeds', 'parquet_000.parquet'));
}, 60_000);

afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Damage where formats keep their structure most often: near the start and the end, or anywhere. */
const at = fc.oneof(fc.double({ min: 0, max: 0.05, noNaN: true }), fc.double({ min: 0.95, max: 1, noNaN: true, maxExcluded: true }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }));
const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at, byte: fc.constantFrom(0, 0xff, 0x7f, 0x80, 10, 13, 34, 44, 124, 0x1f, 0x8b) }),
  fc.record({ op: fc.constant('cut' as const), at }),
  fc.record({ op: fc.constant('del' as const), at, n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('ins' as const), at, bytes: fc.array(fc.constantFrom(0, 0xff, 0xc3, 0xed, 0xa0, 10, 13, 34, 44, 92, 78), { minLength: 1, maxLength: 6 }) }),
  fc.record({ op: fc.constant('dup' as const), at, n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('zero' as const), at, n: fc.integer({ min: 1, max: 24 }) }),
);

let file = 0;

it('damaged CSV, gzip and Parquet files load correctly or fail cleanly, never partly', async () => {
  const expectedRows = (await db.query(`select ${NAMES} from src order by ${NAMES}`)).textRows();
  let loads = 0;
  let failures = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('csv', 'gzip', 'parquet' as const), fc.array(byteOp, { maxLength: 3 }), fc.constantFrom(0, 5, 1000), async (kind, ops, maxError) => {
      const bytes = applyByteOps(seeds[kind], ops);
      const name = path.join(dir, 'in', `f${file++}${kind === 'parquet' ? '.parquet' : kind === 'gzip' ? '.csv.gz' : '.csv'}`);
      fs.mkdirSync(path.dirname(name), { recursive: true });
      fs.writeFileSync(name, bytes);
      const before = (await db.query(CONTENTS)).textRows();
      const errorsBefore = Number((await db.query('select count(*) from stl_load_errors')).rows()[0]![0]);
      const options = `${COPY_OPTIONS[kind]}${kind === 'parquet' ? '' : ` maxerror ${maxError}`}`;
      let added: number | null = null;
      try {
        added = (await db.query(`copy t from '${name}' ${options}`)).rowCount;
      } catch (e) {
        if (!(e instanceof KeelError)) throw e;
        expect(e.code).toMatch(/^[A-Z_]+$/);
      }
      const after = (await db.query(CONTENTS)).textRows();
      const skipped = Number((await db.query('select count(*) from stl_load_errors')).rows()[0]![0]) - errorsBefore;
      if (added === null) {
        failures++;
        expect(after).toEqual(before);
      } else {
        loads++;
        expect(after.length).toBe(before.length + added);
        expect(skipped).toBeLessThanOrEqual(kind === 'parquet' ? 0 : maxError);
        if (ops.length === 0) {
          expect(added).toBe(SOURCE_ROWS);
          expect(skipped).toBe(0);
        }
        // back to the three rows it started with
        await db.query('truncate t');
        await db.query('insert into t select * from src limit 3');
      }
      if (ops.length === 0) {
        // the undamaged file: every row of src, exactly
        await db.query('create table one (' + ALL_TYPES_DDL + ')');
        await db.query(`copy one from '${name}' ${COPY_OPTIONS[kind]}`);
        expect((await db.query(`select ${NAMES} from one order by ${NAMES}`)).textRows()).toEqual(expectedRows);
        await db.query('drop table one');
      }
      fs.rmSync(name);
    }),
    { numRuns: runs(150), seed: SEED, endOnFailure: true },
  );
  console.log(`COPY fuzz: ${loads} loads, ${failures} typed failures`);
  expect(loads).toBeGreaterThan(0);
  expect(failures).toBeGreaterThan(0);
}, 300_000);
