/**
 * COPY over local files: the options, folders and prefixes, gzip, Parquet,
 * MAXERROR and stl_load_errors, atomic failure, and agreement with DuckDB's
 * read_csv on the same files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../engine/database.js';
import { KeelError, LoadError } from '../../../engine/errors.js';
import type { QueryRecord } from '../../../engine/query-record.js';
import { ALL_TYPES_DDL, csvText, duckRows, duckTextSelect, freshDb, randomRows, tmpDir, ALL_TYPES } from './helpers.js';

let dir: string;
let db: Database;

beforeEach(async () => {
  dir = tmpDir();
  db = await freshDb(dir);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string | Buffer): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

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

describe('COPY options', () => {
  it('reads pipe-delimited text by default, with no quoting and \\N as NULL', async () => {
    await db.query('create table t (a int, b varchar(20), c date)');
    const f = write('t.txt', '1|"quoted"|2024-01-02\n2|\\N|\\N\n3||1999-12-31\n');
    const r = await db.query(`copy t from '${f}'`);
    expect(r.command).toBe('COPY');
    expect(r.rowCount).toBe(3);
    // no quoting in the text format; an empty VARCHAR field is '' without EMPTYASNULL
    expect(await rows('select * from t order by a')).toEqual([
      ['1', '"quoted"', '2024-01-02'],
      ['2', null, null],
      ['3', '', '1999-12-31'],
    ]);
  });

  it('takes DELIMITER, IGNOREHEADER, NULL AS and EMPTYASNULL', async () => {
    await db.query('create table t (a int, b varchar(20), c varchar(5))');
    const f = write('t.tsv', 'a\tb\tc\nskip\tthis\trow\n1\tNULL\t\n2\tx\tNULL\n');
    await db.query(`copy t from '${f}' delimiter as '\\t' ignoreheader as 2 null as 'NULL' emptyasnull`);
    expect(await rows('select * from t order by a')).toEqual([
      ['1', null, null],
      ['2', 'x', null],
    ]);
  });

  it('takes CSV with QUOTE, and BLANKSASNULL and TRUNCATECOLUMNS', async () => {
    await db.query('create table t (a int, b varchar(4), c char(3))');
    const f = write('t.csv', "1;'ab;c';'   '\n2;héllo;abcdef\n");
    await db.query(`copy t from '${f}' csv quote as '''' delimiter ';' blanksasnull truncatecolumns`);
    // 'héllo' is 6 bytes: cut to 4 bytes at a character boundary
    expect(await rows('select * from t order by a')).toEqual([
      ['1', 'ab;c', null],
      ['2', 'hél', 'abc'],
    ]);
    const e = await failure(`copy t from '${f}' csv quote as '''' delimiter ';'`);
    expect(e.message).toMatch(/line 2, column b: value "héllo" is 6 bytes, longer than VARCHAR\(4\)/);
  });

  it('replaces invalid UTF-8 with ACCEPTINVCHARS', async () => {
    await db.query('create table t (a int, b varchar(10))');
    const f = write('bad.txt', Buffer.concat([Buffer.from('1|ok\n2|a'), Buffer.from([0xff]), Buffer.from('b\n')]));
    const e = await failure(`copy t from '${f}'`);
    expect(e.message).toMatch(/line 2: invalid UTF-8/);
    await db.query(`copy t from '${f}' acceptinvchars as '^'`);
    expect(await rows('select * from t order by a')).toEqual([
      ['1', 'ok'],
      ['2', 'a^b'],
    ]);
  });

  it('reads DATEFORMAT and TIMEFORMAT patterns, auto and epochsecs', async () => {
    await db.query('create table t (d date, ts timestamp)');
    const f = write('dates.txt', '01/02/2024|02.01.2024 13:04:05\n12/31/1999|31.12.1999 01:02:03.5\n');
    await db.query(`copy t from '${f}' dateformat 'MM/DD/YYYY' timeformat 'DD.MM.YYYY HH24:MI:SS.SSS'`);
    const g = write('auto.txt', '20240102|2024-01-02T03:04:05\nJan 5 2024|01/05/2024 3:04 PM\n');
    await db.query(`copy t from '${g}' dateformat 'auto' timeformat 'auto'`);
    const h = write('epoch.txt', '2024-01-01|86400\n');
    await db.query(`copy t from '${h}' timeformat 'epochsecs'`);
    expect(await rows('select * from t order by ts')).toEqual([
      ['2024-01-01', '1970-01-02 00:00:00'],
      ['1999-12-31', '1999-12-31 01:02:03.5'],
      ['2024-01-02', '2024-01-02 03:04:05'],
      ['2024-01-02', '2024-01-02 13:04:05'],
      ['2024-01-05', '2024-01-05 15:04:00'],
    ]);
    const e = await failure(`copy t from '${f}' dateformat 'YYYY-MM-DD'`);
    expect(e.message).toMatch(/dates\.txt, line 1, column d: invalid DATE value "01\/02\/2024"/);
  });

  it('loads a column list, the other columns NULL, in the file order', async () => {
    await db.query('create table t (a int, b varchar(5), c int not null)');
    const f = write('t.txt', 'x|1\ny|2\n');
    await db.query(`copy t (b, c) from '${f}'`);
    expect(await rows('select * from t order by c')).toEqual([
      [null, 'x', '1'],
      [null, 'y', '2'],
    ]);
    expect((await failure(`copy t (a, b) from '${f}'`)).message).toMatch(/column "c" is NOT NULL/);
    expect((await failure(`copy t (a, nope) from '${f}'`)).code).toBe('UNKNOWN_COLUMN');
  });

  it('reads gzip by name, by magic bytes, and with GZIP', async () => {
    await db.query('create table t (a int, b varchar(5))');
    const gz = zlib.gzipSync('1|a\n2|b\n');
    const named = write('t.txt.gz', gz);
    const unnamed = write('t.data', gz);
    await db.query(`copy t from '${named}'`);
    await db.query(`copy t from '${unnamed}' gzip`);
    expect(await rows('select count(*), sum(a) from t')).toEqual([['4', '6']]);
    const plain = write('plain.txt', '3|c\n');
    const e = await failure(`copy t from '${plain}' gzip`);
    expect(e).toBeInstanceOf(LoadError);
    expect(e.message).toMatch(/plain\.txt.*invalid gzip data/);
  });

  it('loads every file of a folder, and of a prefix, in name order', async () => {
    await db.query('create table t (a int, f varchar(10))');
    write('in/b.txt', '2|b\n');
    write('in/a.txt', '1|a\n');
    write('in/sub/c.txt', '3|c\n');
    write('in/.hidden', 'not|loaded|at all\n');
    write('in/part_1', '4|p1\n');
    write('in/part_0', '5|p0\n');
    await db.query(`copy t from '${path.join(dir, 'in')}'`);
    expect(await rows('select count(*) from t')).toEqual([['5']]);
    await db.query('truncate t');
    await db.query(`copy t from '${path.join(dir, 'in', 'part_')}'`);
    expect(await rows('select a, f from t order by a')).toEqual([
      ['4', 'p1'],
      ['5', 'p0'],
    ]);
    const e = await failure(`copy t from '${path.join(dir, 'nothing_')}'`);
    expect(e.code).toBe('FILE_NOT_FOUND');
    expect(e.message).toMatch(/no file or folder matches/);
  });

  it('reads Parquet by column position, as Redshift does', async () => {
    await db.query('create table src (x int, y varchar(5))');
    await db.query("insert into src values (1, 'a'), (2, null)");
    const out = path.join(dir, 'pq', 'src_');
    await db.query(`unload ('select x, y from src order by x') to '${out}' format parquet parallel off`);
    await db.query('create table t (a int, b varchar(5))');
    await db.query(`copy t from '${out}' format as parquet`);
    expect(await rows('select * from t order by a')).toEqual([
      ['1', 'a'],
      ['2', null],
    ]);
    await db.query('create table three (a int, b varchar(5), c int)');
    expect((await failure(`copy three from '${out}' parquet`)).message).toMatch(/the file has 2 columns \(x, y\), the load takes 3/);
  });

  it('checks the files and loads nothing with NOLOAD', async () => {
    await db.query('create table t (a int)');
    const good = write('good.txt', '1\n2\n');
    const bad = write('bad.txt', '1\nx\n');
    await db.query(`copy t from '${good}' noload`);
    expect(await rows('select count(*) from t')).toEqual([['0']]);
    expect((await failure(`copy t from '${bad}' noload`)).message).toMatch(/bad\.txt, line 2, column a/);
  });

  it('accepts and ignores the authorization options of Redshift scripts', async () => {
    await db.query('create table t (a int)');
    const f = write('t.txt', '7\n');
    await db.query(`copy t from '${f}' iam_role 'arn:aws:iam::123:role/x' region 'us-east-1' compupdate off statupdate on credentials 'aws_iam_role=x'`);
    await db.query(`copy t from '${f}' iam_role default`);
    expect(await rows('select count(*) from t')).toEqual([['2']]);
  });
});

describe('COPY errors', () => {
  it('fails whole at the first bad record, naming the file, line and column, and loads nothing', async () => {
    await db.query('create table t (a int, b date)');
    await db.query("insert into t values (0, '2000-01-01')");
    const files = [write('in/1.txt', '1|2024-01-01\n2|2024-01-02\n'), write('in/2.txt', '3|2024-01-03\n4|2024-02-30\n5|2024-01-05\n')];
    const e = await failure(`copy t from '${path.join(dir, 'in')}'`);
    expect(e).toBeInstanceOf(LoadError);
    expect(e.code).toBe('LOAD_VALUE');
    const le = e as LoadError;
    expect([le.file, le.line, le.column]).toEqual([files[1], 2, 'b']);
    expect(e.message).toBe(`${files[1]}, line 2, column b: invalid DATE value "2024-02-30"; nothing was loaded into "t" (details in stl_load_errors)`);
    expect(await rows('select count(*) from t')).toEqual([['1']]);
    expect(await rows('select filename, line_number, colname, type, raw_line, raw_field_value, err_code, err_reason from stl_load_errors')).toEqual([
      [files[1], '2', 'b', 'DATE', '4|2024-02-30', '2024-02-30', 'LOAD_VALUE', 'invalid DATE value "2024-02-30"'],
    ]);
  });

  it('skips up to MAXERROR bad records into stl_load_errors, and fails at one more', async () => {
    await db.query('create table t (a int not null, b varchar(3))');
    const f = write('t.txt', '1|a\nx|b\n3|toolong\n\\N|d\n5|e|extra\n6|f\n');
    const e = await failure(`copy t from '${f}' maxerror 3`);
    expect(e.message).toMatch(/line 5: expected 2 fields, found 3; COPY stopped at bad record 4 \(MAXERROR 3\); nothing was loaded/);
    expect(await rows('select count(*) from t')).toEqual([['0']]);
    const r = await db.query(`copy t from '${f}' maxerror as 4`);
    expect(r.rowCount).toBe(2);
    expect(await rows('select a, b from t order by a')).toEqual([
      ['1', 'a'],
      ['6', 'f'],
    ]);
    const errors = await rows('select line_number, colname, raw_field_value, err_reason from stl_load_errors order by starttime, line_number');
    // the failed COPY's four, then the successful one's four
    expect(errors.length).toBe(8);
    expect(errors.slice(4)).toEqual([
      ['2', 'a', 'x', 'invalid INTEGER value "x"'],
      ['3', 'b', 'toolong', 'value "toolong" is 7 bytes, longer than VARCHAR(3)'],
      ['4', 'a', '\\N', 'NULL value in NOT NULL column a'],
      ['5', '', '', 'expected 2 fields, found 3'],
    ]);
  });

  it('records a whole-file failure (a damaged gzip stream) and loads nothing', async () => {
    await db.query('create table t (a int)');
    const gz = zlib.gzipSync('1\n2\n3\n'.repeat(1000));
    const f = write('t.txt.gz', gz.subarray(0, gz.length - 20));
    const e = await failure(`copy t from '${f}' maxerror 100`);
    expect(e.code).toBe('LOAD_FORMAT');
    expect(e.message).toMatch(/invalid gzip data/);
    expect(await rows('select count(*) from t')).toEqual([['0']]);
    expect(await rows("select count(*) from stl_load_errors where err_code = 'LOAD_FORMAT'")).toEqual([['1']]);
  });

  it('refuses options that make no sense locally, naming them', async () => {
    await db.query('create table t (a int)');
    const cases: [string, RegExp][] = [
      [`copy t from 's3://bucket/key' iam_role 'x'`, /COPY reads local files and folders; s3:\/\/ sources are not supported/],
      [`copy t from '/x' manifest`, /COPY option MANIFEST is not supported: a manifest lists S3 objects/],
      [`copy t from '/x' format as json 'auto'`, /COPY FORMAT JSON is not supported/],
      [`copy t from '/x' lzop`, /COPY option LZOP is not supported/],
      [`copy t from '/x' bogus`, /unknown COPY option BOGUS/],
      [`copy t from '/x' maxerror 1 maxerror 2`, /option MAXERROR is given more than once/],
      [`copy t from '/x' parquet delimiter ','`, /DELIMITER is not valid with FORMAT PARQUET/],
      [`copy t from '/x' parquet maxerror 5`, /MAXERROR is not valid with FORMAT PARQUET/],
      [`copy t from '/x' acceptinvchars format parquet`, /ACCEPTINVCHARS with FORMAT PARQUET is not supported/],
      [`copy t from '/x' csv quote ',' `, /QUOTE and DELIMITER must differ/],
      [`copy t from '/x' delimiter 'ab'`, /DELIMITER must be one character/],
      [`copy t to '/x'`, /COPY \.\.\. TO a file \(UNLOAD writes files\) is not supported/],
      [`copy t to stdout header`, /HEADER goes with CSV/],
      [`copy t from stdin`, /COPY FROM STDIN needs a client that sends the data/],
      [`copy t from stdin parquet`, /COPY FROM STDIN reads CSV or text, not Parquet/],
      [`copy t from stdin with (format csv)`, /parenthesized COPY options/],
      [`copy t from '${dir}' dateformat 'nothing'`, /has no date or time field/],
    ];
    for (const [sql, message] of cases) expect((await failure(sql)).message, sql).toMatch(message);
    expect((await failure(`copy nope from '/x'`)).code).toBe('FILE_NOT_FOUND');
    const f = write('t.txt', '1\n');
    expect((await failure(`copy nope from '${f}'`)).code).toBe('UNKNOWN_TABLE');
  });

  it('is recorded in the workload log as a COPY, failed or not', async () => {
    await db.query('create table t (a int)');
    const records: QueryRecord[] = [];
    db.onQuery((r) => records.push(r));
    const good = write('good.txt', '1\n2\n');
    const bad = write('bad.txt', 'x\n');
    await db.query(`copy t from '${good}'`);
    await failure(`copy t from '${bad}'`);
    expect(records.map((r) => [r.command, r.status, r.rowsReturned])).toEqual([
      ['COPY', 'ok', 2],
      ['ERROR', 'error', 0],
    ]);
    expect(records[1]!.error?.code).toBe('LOAD_VALUE');
  });
});

describe('COPY agrees with DuckDB', () => {
  it('loads random CSV of every type as read_csv reads it', async () => {
    const data = randomRows(7, 400);
    const f = write('all.csv', csvText(data));
    await db.query(`create table t (${ALL_TYPES_DDL})`);
    await db.query(`copy t from '${f}' csv emptyasnull`);
    const ours = await rows(`select ${ALL_TYPES.map((c) => c.name).join(', ')} from t order by i4, i8, txt`);
    const columns = ALL_TYPES.map((c) => `'${c.name}': '${c.duck}'`).join(', ');
    const theirs = await duckRows(
      `${duckTextSelect(`read_csv('${f}', header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, columns = {${columns}})`)} ORDER BY i4, i8, txt`,
    );
    expect(ours.length).toBe(400);
    expect(ours).toEqual(theirs);
  });

  it('loads gzip\'d pipe-delimited text (no quoting, \\N for NULL, empty strings kept) as read_csv reads it', async () => {
    // the text format has no quoting: values hold no delimiter, line end or \N
    const data = randomRows(8, 300).map((r) => r.map((v) => (v === null ? null : v.replace(/[|\n\\]/g, '_'))));
    const text = data.map((r) => r.map((v) => (v === null ? '\\N' : v)).join('|') + '\n').join('');
    const f = write('all.txt.gz', zlib.gzipSync(text));
    await db.query(`create table t (${ALL_TYPES_DDL})`);
    await db.query(`copy t from '${f}' gzip`);
    const ours = await rows(`select ${ALL_TYPES.map((c) => c.name).join(', ')} from t order by i4, i8, txt`);
    const columns = ALL_TYPES.map((c) => `'${c.name}': '${c.duck}'`).join(', ');
    const theirs = await duckRows(
      `${duckTextSelect(`read_csv('${f}', header = false, delim = '|', quote = '', escape = '', nullstr = '\\N', columns = {${columns}})`)} ORDER BY i4, i8, txt`,
    );
    expect(ours.length).toBe(300);
    expect(ours.filter((r) => r[9] === '').length).toBeGreaterThan(0);
    expect(ours).toEqual(theirs);
  });
});
