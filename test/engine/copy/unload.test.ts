/**
 * UNLOAD to local files: Redshift's file names, PARALLEL, HEADER, MAXFILESIZE,
 * GZIP, overwriting; DuckDB reading what it wrote; and the round trip
 * UNLOAD then COPY giving back the same table, for every type.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../engine/database.js';
import { KeelError } from '../../../engine/errors.js';
import { ALL_TYPES, ALL_TYPES_DDL, csvText, duckRows, duckTextSelect, freshDb, randomRows, tmpDir } from './helpers.js';

let dir: string;
let db: Database;
const NAMES = ALL_TYPES.map((c) => c.name).join(', ');

beforeEach(async () => {
  dir = tmpDir('keel-unload-');
  db = await freshDb(dir);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function rows(sql: string): Promise<(string | null)[][]> {
  return (await db.query(sql)).textRows();
}

async function failure(sql: string): Promise<KeelError> {
  try {
    await db.query(sql);
  } catch (e) {
    if (e instanceof KeelError) return e;
    throw e;
  }
  throw new Error(`expected ${sql} to fail`);
}

/** A table `t` of every type holding random rows (loaded with COPY from CSV). */
async function randomTable(n: number, seed = 11): Promise<void> {
  const f = path.join(dir, 'seed.csv');
  fs.writeFileSync(f, csvText(randomRows(seed, n)));
  await db.query(`create table t (${ALL_TYPES_DDL})`);
  await db.query(`copy t from '${f}' csv emptyasnull`);
}

function listing(sub: string): string[] {
  return fs.readdirSync(path.join(dir, sub)).sort();
}

describe('UNLOAD files', () => {
  it('writes one file per slice with PARALLEL ON, named <prefix><slice>_part_<nn>', async () => {
    await randomTable(400);
    const r = await db.query(`unload ('select * from t') to '${dir}/out/t_' csv`);
    expect(r.command).toBe('UNLOAD');
    expect(r.rowCount).toBe(400);
    expect(listing('out')).toEqual(['t_0000_part_00', 't_0001_part_00', 't_0002_part_00', 't_0003_part_00']);
    await db.query(`unload ('select * from t') to '${dir}/pq/' format as parquet`);
    expect(listing('pq')).toEqual(['0000_part_00.parquet', '0001_part_00.parquet', '0002_part_00.parquet', '0003_part_00.parquet']);
  });

  it('writes one file with PARALLEL OFF, in the query order, with a HEADER', async () => {
    await db.query('create table s (a int, b varchar(10))');
    await db.query("insert into s values (2, 'two'), (1, null), (3, '')");
    await db.query(`unload ('select a, b as "the b" from s order by a desc') to '${dir}/one/s_' format csv header parallel off`);
    expect(listing('one')).toEqual(['s_000']);
    expect(fs.readFileSync(path.join(dir, 'one', 's_000'), 'utf8')).toBe('a,the b\n3,""\n2,two\n1,\n');
    await db.query(`unload ('select a, b from s order by a') to '${dir}/txt/s_' parallel off null as 'NULL' delimiter '~' gzip`);
    expect(listing('txt')).toEqual(['s_000.gz']);
    expect(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'txt', 's_000.gz'))).toString()).toBe('1~NULL\n2~two\n3~\n');
  });

  it('writes one file even for an empty result', async () => {
    await db.query('create table s (a int)');
    await db.query(`unload ('select a from s') to '${dir}/e/s_' csv header`);
    expect(listing('e')).toEqual(['s_0000_part_00']);
    expect(fs.readFileSync(path.join(dir, 'e', 's_0000_part_00'), 'utf8')).toBe('a\n');
  });

  it('continues a file past MAXFILESIZE in the next part', async () => {
    await db.query('create table d (i int)');
    await db.query(`insert into d values ${Array.from({ length: 100 }, (_, i) => `(${i})`).join(', ')}`);
    await db.query('create table big (i int, s varchar(200))');
    await db.query(`insert into big select a.i * 10000 + b.i * 100 + c.i, '${'x'.repeat(190)}' from d a, d b, d c where a.i < 3`);
    await db.query(`unload ('select * from big order by i') to '${dir}/big/b_' parallel off maxfilesize 20 mb`);
    // 30,000 rows of about 198 bytes: 5.9 MB in one file
    expect(listing('big')).toEqual(['b_000']);
    await db.query(`unload ('select * from big order by i') to '${dir}/cut/b_' parallel off maxfilesize as 5 mb`);
    expect(listing('cut')).toEqual(['b_000', 'b_001']);
    const sizes = listing('cut').map((f) => fs.statSync(path.join(dir, 'cut', f)).size);
    expect(sizes[0]).toBeLessThanOrEqual(5 * 2 ** 20);
    expect(sizes[0]! + sizes[1]!).toBe(fs.statSync(path.join(dir, 'big', 'b_000')).size);
    await db.query('create table back (i int, s varchar(200))');
    await db.query(`copy back from '${dir}/cut/b_'`);
    expect(await rows('select count(*), sum(i) from back')).toEqual(await rows('select count(*), sum(i) from big'));
  });

  it('refuses to overwrite without ALLOWOVERWRITE; CLEANPATH removes what the prefix held', async () => {
    await randomTable(40);
    await db.query(`unload ('select * from t') to '${dir}/o/t_' format parquet`);
    const e = await failure(`unload ('select * from t') to '${dir}/o/t_' format parquet`);
    expect(e.message).toMatch(/UNLOAD would overwrite .*t_0000_part_00\.parquet; add ALLOWOVERWRITE/);
    await db.query(`unload ('select * from t') to '${dir}/o/t_' format parquet allowoverwrite`);
    await db.query(`unload ('select * from t limit 3') to '${dir}/o/t_' format parquet parallel off cleanpath`);
    expect(listing('o')).toEqual(['t_000.parquet']);
  });

  it('refuses what it cannot do, naming it', async () => {
    await db.query('create table s (a int, b varchar(10))');
    await db.query("insert into s values (1, 'a|b')");
    const cases: [string, RegExp][] = [
      [`unload ('select * from s') to 's3://bucket/p_' iam_role 'x'`, /UNLOAD writes local files; s3:\/\/ destinations are not supported/],
      [`unload ('select * from s') to '${dir}/x' format parquet header`, /HEADER is not valid with FORMAT PARQUET/],
      [`unload ('select * from s') to '${dir}/x' manifest`, /UNLOAD option MANIFEST is not supported/],
      [`unload ('select * from s') to '${dir}/x' maxfilesize 1 mb`, /MAXFILESIZE must be from 5 MB to 6.2 GB/],
      [`unload ('delete from s') to '${dir}/x'`, /UNLOAD takes one SELECT statement/],
      [`unload ('select nope from s') to '${dir}/x'`, /nope/],
      [`unload ('select * from s') to '${dir}/x'`, /row 1, column b: the value "a\|b" holds the delimiter or a line end/],
    ];
    for (const [sql, message] of cases) expect((await failure(sql)).message, sql).toMatch(message);
    expect(fs.existsSync(path.join(dir, 'x'))).toBe(false);
  });
});

describe('UNLOAD then COPY', () => {
  const formats: [string, string, string][] = [
    ['Parquet', 'format parquet', 'format parquet'],
    ['CSV', 'format csv', 'csv emptyasnull'],
    ['CSV with a header, gzip', "csv header delimiter ';' gzip", "csv delimiter ';' ignoreheader 1 emptyasnull gzip"],
  ];
  for (const [name, unloadOptions, copyOptions] of formats) {
    it(`gives back the same table, every type: ${name}`, async () => {
      await randomTable(500);
      await db.query(`unload ('select * from t') to '${dir}/rt/t_' ${unloadOptions}`);
      await db.query(`create table back (${ALL_TYPES_DDL})`);
      await db.query(`copy back from '${dir}/rt/t_' ${copyOptions}`);
      const order = `order by ${NAMES}`;
      const before = await rows(`select ${NAMES} from t ${order}`);
      expect(before.length).toBe(500);
      expect(await rows(`select ${NAMES} from back ${order}`)).toEqual(before);
    });
  }

  it('gives back the same table through plain text when no value holds the delimiter', async () => {
    await db.query('create table s (a int, b varchar(10), c decimal(8,2), d timestamptz)');
    await db.query("insert into s values (1, 'x', 1.5, '2024-01-01 00:00:00+00'), (2, null, null, null), (3, 'a\"b', -0.01, '1999-12-31 23:59:59.999999+00')");
    await db.query(`unload ('select * from s') to '${dir}/txt/s_' null as '\\N'`);
    await db.query('create table back (a int, b varchar(10), c decimal(8,2), d timestamptz)');
    await db.query(`copy back from '${dir}/txt/s_'`);
    expect(await rows('select * from back order by a')).toEqual(await rows('select * from s order by a'));
  });
});

describe('DuckDB reads what UNLOAD writes', () => {
  it('as Parquet and as CSV, every type', async () => {
    await randomTable(300);
    await db.query(`unload ('select * from t') to '${dir}/pq/t_' format parquet`);
    await db.query(`unload ('select * from t') to '${dir}/csv/t_' format csv`);
    const ours = await rows(`select ${NAMES} from t order by ${NAMES}`);
    const fromParquet = await duckRows(`${duckTextSelect(`read_parquet('${dir}/pq/t_*.parquet')`)} ORDER BY ${NAMES}`);
    expect(fromParquet).toEqual(ours);
    const columns = ALL_TYPES.map((c) => `'${c.name}': '${c.duck}'`).join(', ');
    const fromCsv = await duckRows(
      `${duckTextSelect(`read_csv('${dir}/csv/t_*', header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, columns = {${columns}})`)} ORDER BY ${NAMES}`,
    );
    expect(fromCsv).toEqual(ours);
  });
});
