/**
 * What the fuzzers (bench/fuzz/, test/fuzz/) found, each as its smallest
 * input: the crash, hang or wrong answer it was, and the typed error or right
 * answer it is now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { crc32 } from 'node:zlib';
import { Table, Utf8, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { Database, KeelError } from '../../engine/index.js';
import type { Catalog } from '../../engine/catalog/catalog.js';
import { sealCatalog } from '../../engine/storage/integrity.js';
import { attachWorkloadLog, importRedshiftHistory, loadWorkload } from '../../workload-log/index.js';
import { applyByteOps, arrowSeeds, parquetSeeds } from '../../bench/fuzz/targets-load.js';

let work: string;
let db: Database;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-fuzz-regress-'));
  db = await Database.open(path.join(work, 'db'), { slices: 3, blockRows: 4, workers: 0 });
  await db.execute(`
    create table t (a integer, d date, h bigint);
    insert into t values (1, '2020-01-01', 5), (2, '2020-02-01', 646873000000), (3, null, null), (4, '2021-03-04', -7);
    create table u (x smallint);
    insert into u values (3), (null), (7);
    create table w (x smallint);
    insert into w values (3), (7);
  `);
});
afterAll(() => {
  db.close();
  fs.rmSync(work, { recursive: true, force: true });
});

async function rows(sql: string): Promise<unknown[][]> {
  return (await db.query(sql)).rows();
}

async function code(sql: string): Promise<string> {
  try {
    (await db.query(sql)).rows();
  } catch (e) {
    if (e instanceof KeelError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('SQL', () => {
  it('a constant NOT IN a subquery holding a NULL is never TRUE (it was: every row)', async () => {
    // fuzz input: select distinct(q1.s) from t2 q1 where 3 not in (select q2.i from t1 q2 where q2.c like '%')
    expect(await rows('select count(*) from t where 3 not in (select x from u)')).toEqual([[0]]);
    expect(await rows('select count(*) from t where 5 not in (select x from u)')).toEqual([[0]]);
    expect(await rows('select count(*) from t where 5 <> all (select x from u)')).toEqual([[0]]);
    // without the NULL, NOT IN is TRUE where there is no match, FALSE where there is one
    expect(await rows('select count(*) from t where 5 not in (select x from w)')).toEqual([[4]]);
    expect(await rows('select count(*) from t where 3 not in (select x from w)')).toEqual([[0]]);
    // over no rows NOT IN is TRUE, even for a NULL on the left
    expect(await rows('select count(*) from t where null not in (select x from u where false)')).toEqual([[4]]);
    expect(await rows('select count(*) from t where 3 in (select x from u)')).toEqual([[4]]);
  });

  it('a FALSE condition over an aggregate without GROUP BY keeps none of its one row (it was: the row)', async () => {
    // fuzz input (TLP: P, NOT P and P IS NULL each kept the row):
    // select * from (select max(add_months(date '2019-12-07', x1.b)) from v1 x1 cross join t2 as x2 where ...) as x3 (c0) where true
    expect(await rows('select * from (select max(a) from t) as x (m) where false')).toEqual([]);
    expect(await rows('select * from (select max(a) from t where false) as x (m) where 5 = nullif(8, 0)')).toEqual([]);
    expect(await rows('select * from (select count(*) from t) as x (c) where not true')).toEqual([]);
    expect(await rows('select * from (select max(a) from t) as x (m) where true')).toEqual([[4]]);
    expect(await rows('select * from (select max(a) from t where false) as x (m) where 1 = 1')).toEqual([[null]]);
    expect(await rows('select * from (select a, count(*) from t group by a) as x (a, c) where false')).toEqual([]);
  });

  it('NOT (x IN (NULL, 10)) is never TRUE, also where x has no NULLs (it was: TRUE where x is not 10)', async () => {
    // fuzz input (DuckDB oracle): select distinct q1.c, min(q1.d) o1 from t1 q1 where not (q1.b in (cast(NULL as integer), 10)) group by q1.c order by 1
    expect(await rows('select count(*) from t where not (a in (cast(null as integer), 2))')).toEqual([[0]]);
    expect(await rows('select count(*) from t where not (a in (null, 2))')).toEqual([[0]]);
    expect(await rows('select count(*) from t where a in (null, 2)')).toEqual([[1]]);
    expect(await rows('select count(*) from t where not (a in (2, 3))')).toEqual([[2]]);
    expect(await rows('select a, not (a in (null, 2)) from t order by a')).toEqual([[1, null], [2, false], [3, null], [4, null]]);
  });

  it('a CASE (COALESCE, NVL2, DECODE) of INTEGER and BIGINT values is a BIGINT (it was: an INTEGER, its BIGINT values wrapped to 32 bits)', async () => {
    // fuzz input (DuckDB oracle): select case when q1.b = 2 then abs(q1.a) else q1.h end as o0, ... from t1 q1
    expect(await rows('select case when a = 1 then a else h end from t order by a')).toEqual([[1], [646873000000], [null], [-7]]);
    expect(await rows('select case when a = 2 then h else a end from t order by a')).toEqual([[1], [646873000000], [3], [4]]);
    expect(await rows('select nvl2(a, h, a), decode(a, 2, h, a), coalesce(case when a = 2 then null else a end, h) from t where a = 2')).toEqual([
      [646873000000, 646873000000, 646873000000],
    ]);
    // SMALLINT with INTEGER: the CASE is an INTEGER, so + 1 past 32767 is no overflow
    expect(await rows('select case when a > 100 then cast(a as smallint) else 32767 end + 1 from t where a = 1')).toEqual([[32768]]);
    // the types the results carry
    expect((await db.query('select case when a = 1 then a else h end as x from t')).columns).toEqual([{ name: 'x', type: 'bigint' }]);
  });

  it('date and timestamp arithmetic past what a date holds is OVERFLOW (it was: 0NaN-NaN-NaN, or 1970-01-01)', async () => {
    // fuzz input: select date '2019-08-06' + interval '1000000 years' as year  (a RangeError turning it into Arrow)
    expect(await code("select date '2019-08-06' + interval '1000000 years'")).toBe('OVERFLOW');
    expect(await code("select timestamp '2020-01-01' + interval '100000000 days'")).toBe('OVERFLOW');
    expect(await code("select dateadd(year, 1000000, date '2020-01-01')")).toBe('OVERFLOW');
    expect(await code("select add_months(date '2020-01-01', 100000000)")).toBe('OVERFLOW');
    expect(await code("select date '2020-01-01' - 2147483647 - 10")).toBe('OVERFLOW');
    expect(await code('select d + 2000000000 from t')).toBe('OVERFLOW');
    expect(await code("select cast(timestamp '2020-01-01 00:00:00' + interval '1000000 years' as date)")).toBe('OVERFLOW');
    expect(await code("select last_day(date '2020-01-01' + 99999999)")).toBe('OVERFLOW');
    // within the range, as before
    expect(await rows("select date '2020-01-01' + 10, timestamp '2020-01-01' + interval '3 months', add_months(date '2020-01-31', 1), date '9999-12-31' + 1")).toEqual([
      ['2020-01-11', '2020-04-01 00:00:00', '2020-02-29 00:00:00', '10000-01-01'],
    ]);
    const r = await db.query("select date '2020-01-01' + 99000000 - 99000000");
    expect(r.rows()).toEqual([['2020-01-01']]);
    expect(r.table.numRows).toBe(1);
  });

  it('REPEAT, LPAD and RPAD longer than a VARCHAR holds are INVALID_VALUE (it was: RangeError: Invalid string length)', async () => {
    // fuzz input: create table s2 as select nullif(trim(leading x1.c from x1.c), repeat('a', x1.h)) from t1 x1 ...
    expect(await code('select repeat(\'a\', h) from t')).toBe('INVALID_VALUE');
    expect(await code("select lpad('a', 100000, 'b')")).toBe('INVALID_VALUE');
    expect(await code("select rpad('a', 2000000000, 'b')")).toBe('INVALID_VALUE');
    expect(await rows("select repeat('ab', 3), repeat('x', 0), repeat('x', -5), length(repeat('x', 65535)), lpad('a', 5, 'xy'), rpad('a', 3), lpad('abc', 2)")).toEqual([
      ['ababab', '', '', 65535, 'xyxya', 'a  ', 'ab'],
    ]);
  });

  it('a negative constant where generated code negates it compiles (it was: SyntaxError from the code generator)', async () => {
    // fuzz input: select nullif(x1.b,x1.a)-1from t1 x1 order by dateadd(quarter,7,x1.k),right('',-1)
    expect(await rows("select right('abc', -1), left('abc', -1), right('', -1)")).toEqual([['bc', 'ab', '']]);
    expect(await rows("select a from t order by right('', -1), a")).toEqual([[1], [2], [3], [4]]);
    expect(await rows('select -(-1), 1 - -1, -(-0.5)')).toEqual([[1, 2, 0.5]]);
  });
});

describe('loading', () => {
  it('an Arrow IPC file with a byte missing near its start fails LOAD_FORMAT (it was: a load that never ended)', async () => {
    await db.execute('create table one (v varchar(10))');
    const table = new Table({ v: vectorFromArray(['s0é', 's1é', 's2é', null, 's4é', 's5é', 's6é'], new Utf8()) as Vector });
    const ipc = Buffer.from(tableToIPC(table, 'file'));
    const at = Math.floor(0.0231 * ipc.length);
    const file = path.join(work, 'damaged.arrow');
    fs.writeFileSync(file, Buffer.concat([ipc.subarray(0, at), ipc.subarray(at + 1)]));
    const t0 = Date.now();
    const err = await db.load('one', file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeelError);
    expect((err as KeelError).code).toBe('LOAD_FORMAT');
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/damaged/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(db.catalog().tables.one!.rows).toBe(0);
    // the undamaged file loads
    fs.writeFileSync(file, ipc);
    expect(await db.load('one', file)).toEqual({ rows: 7 });
  });
});

describe('loading Parquet and Arrow', () => {
  const loadTable = 'create table pq (c_small smallint, c_int integer, c_big bigint, c_dec decimal(10,2), c_real real, c_dbl double precision, c_bool boolean, c_char char(5), c_vc varchar(10), c_date date, c_ts timestamp)';

  it('a Parquet page header claiming more values than its column chunk is LOAD_FORMAT (it was: V8 "invalid size error", the process gone)', async () => {
    // fuzz input: parquet seed 3 (DuckDB, uncompressed) with [{"op":"flip","at":0.006877721310593188,"bit":6}]
    await db.execute(loadTable);
    const seeds = await parquetSeeds(work);
    const plain = seeds.find((x) => x.name === 'plain.parquet')!;
    const file = path.join(work, 'damaged.parquet');
    fs.writeFileSync(file, applyByteOps(plain.bytes, [{ op: 'flip', at: 0.006877721310593188, bit: 6 }]));
    const err = await db.load('pq', file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeelError);
    expect((err as KeelError).code).toBe('LOAD_FORMAT');
    expect((err as Error).message).toContain(file);
    expect(db.catalog().tables.pq!.rows).toBe(0);
    // every seed, undamaged, loads
    for (const seed of seeds.filter((x) => x.table === 'load_t')) {
      fs.writeFileSync(file, seed.bytes);
      expect(await db.load('pq', file)).toEqual({ rows: seed.rows });
    }
  });

  it('an Arrow file whose schema or record batch decodes damaged is LOAD_FORMAT (it was: TypeError)', async () => {
    // fuzz inputs: arrow seed 0 with [{"op":"zero","at":0.7412533748429269,"n":5}]; seed 3 with [{"op":"cut","at":0.006536179722752423}]
    await db.execute('create table ar (c_int integer, c_dbl double precision, c_vc varchar(10), c_bool boolean, c_date date, c_ts timestamp)');
    const seeds = arrowSeeds();
    const file = path.join(work, 'damaged.arrow');
    for (const [seed, ops] of [
      [0, [{ op: 'zero', at: 0.7412533748429269, n: 5 }]],
      [3, [{ op: 'cut', at: 0.006536179722752423 }]],
    ] as const) {
      fs.writeFileSync(file, applyByteOps(seeds[seed]!.bytes, ops));
      const err = await db.load('ar', file).catch((e: unknown) => e);
      expect(err, JSON.stringify(ops)).toBeInstanceOf(KeelError);
      expect((err as KeelError).code).toBe('LOAD_FORMAT');
    }
    expect(db.catalog().tables.ar!.rows).toBe(0);
  });

  const built = path.resolve(__dirname, '../../dist/engine/load/load-worker.js');
  it.skipIf(!fs.existsSync(built))('an Arrow stream whose schema claims endless fields fails LOAD_FORMAT in the built engine, the process alive (it was: JavaScript heap out of memory)', () => {
    // fuzz input: arrow seed 1 (a stream) with [{"op":"del","at":0.04675297252833843,"n":2}]; the reader runs in a worker
    // thread with a heap of its own (engine/load/sandbox.ts), which only the built engine has, so a child process loads it
    const file = path.join(work, 'endless.arrows');
    fs.writeFileSync(file, applyByteOps(arrowSeeds()[1]!.bytes, [{ op: 'del', at: 0.04675297252833843, n: 2 }]));
    const engine = path.resolve(__dirname, '../../dist/engine/index.js');
    const script = `
      const { Database } = await import(${JSON.stringify(engine)});
      const db = await Database.open(${JSON.stringify(path.join(work, 'child-db'))}, { workers: 0 });
      await db.execute('create table ar (c_int integer, c_dbl double precision, c_vc varchar(10), c_bool boolean, c_date date, c_ts timestamp)');
      const err = await db.load('ar', ${JSON.stringify(file)}).catch((e) => e);
      console.log(JSON.stringify({ code: err.code, message: err.message, rows: db.catalog().tables.ar.rows }));
      db.close();`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 90_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { code: string; message: string; rows: number };
    expect(out.code).toBe('LOAD_FORMAT');
    expect(out.message).toContain(file);
    expect(out.message).toMatch(/damaged/);
    expect(out.rows).toBe(0);
  });
});

describe('storage', () => {
  /** A copy of a small directory with one segment's footer edited and its checksum, and the catalog's, recomputed. */
  async function forgedFooter(edit: (footer: { rows: number; columns: { name: string; blocks: Record<string, unknown>[] }[] }) => void): Promise<unknown> {
    const dir = fs.mkdtempSync(path.join(work, 'forged-'));
    const seed = await Database.open(dir, { slices: 1, blockRows: 2, workers: 0 });
    await seed.execute("create table f (a integer encode az64, s varchar(5)); insert into f values (1, 'a'), (2, 'b'), (3, null), (4, 'd'), (5, 'e')");
    const catalog = seed.catalog();
    seed.close();
    const t = catalog.tables.f!;
    const file = path.join(dir, 'tables', String(t.id), t.segments[0]!.file);
    const bytes = fs.readFileSync(file);
    const footerLength = bytes.readUInt32LE(bytes.length - 16);
    const data = bytes.subarray(0, bytes.length - 16 - footerLength);
    const footer = JSON.parse(bytes.subarray(data.length, bytes.length - 16).toString('utf8'));
    edit(footer);
    const f = Buffer.from(JSON.stringify(footer));
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(f.length, 0);
    trailer.writeUInt32LE(crc32(f), 4);
    const forged = Buffer.concat([data, f, trailer, Buffer.from('KSEGEND1')]);
    fs.writeFileSync(file, forged);
    const resized: Catalog = { ...catalog, tables: { f: { ...t, segments: [{ ...t.segments[0]!, bytes: forged.length }] } } };
    fs.writeFileSync(path.join(dir, 'catalog.json'), sealCatalog(resized));
    const reopened = await Database.open(dir, { workers: 0 });
    try {
      return await reopened.query('select * from f').then(
        (r) => r.rows(),
        (e: unknown) => e,
      );
    } finally {
      reopened.close();
    }
  }

  const corrupt = (e: unknown, what: RegExp) => {
    expect(e).toBeInstanceOf(KeelError);
    expect((e as KeelError).code).toBe('CORRUPT');
    expect((e as Error).message).toMatch(/segment file .*\.seg has a damaged footer/);
    expect((e as Error).message).toMatch(what);
  };

  it('a segment footer that holds wrong content under a right checksum is CORRUPT (it was: TypeError, RangeError, "unknown encoding")', async () => {
    // fuzz inputs: footer edits [{"op":"set","path":["columns",1,"blocks",0,"encoding"],"value":"key"}], ...
    expect(await forgedFooter(() => undefined)).toEqual([[1, 'a'], [2, 'b'], [3, null], [4, 'd'], [5, 'e']]);
    corrupt(await forgedFooter((f) => (f.columns[1]!.blocks[0]!.encoding = 'key')), /unknown encoding "key"/);
    corrupt(await forgedFooter((f) => (f.columns[0]!.blocks[1]!.offset = 'zstd')), /lies outside the file's blocks/);
    corrupt(await forgedFooter((f) => (f.columns[0]!.blocks[0]!.length = 2 ** 53)), /lies outside the file's blocks/);
    corrupt(await forgedFooter((f) => (f.columns[0]!.blocks[0]!.offset = -4077)), /lies outside the file's blocks/);
    corrupt(await forgedFooter((f) => f.columns[1]!.blocks.pop()), /has 2 blocks, the first column 3/);
    corrupt(await forgedFooter((f) => (f.columns[1]!.blocks[0]!.rows = -4088)), /row count -4088/);
    corrupt(await forgedFooter((f) => ((f.columns[1] as unknown as { blocks: string }).blocks = '')), /column 2 has missing or wrong fields/);
    corrupt(await forgedFooter((f) => (f.columns[1]!.blocks[1]!.nullBytes = 'rle')), /NULL bitmap/);
    corrupt(await forgedFooter((f) => (f.rows = 2147483648)), /its blocks hold 5 rows, it says 2147483648/);
    corrupt(await forgedFooter((f) => ((f as unknown as { dist: number }).dist = 0.5)), /distribution 0.5/);
  });

  it('a block whose footer names an encoding that cannot hold its column is CORRUPT (it was: Error: FOR does not decode strings)', async () => {
    // fuzz input: footer edits [{"op":"set","path":["columns",1,"blocks",0,"encoding"],"value":"for"}]
    const e = await forgedFooter((f) => (f.columns[1]!.blocks[0]!.encoding = 'for'));
    expect(e).toBeInstanceOf(KeelError);
    expect((e as KeelError).code).toBe('CORRUPT');
    expect((e as Error).message).toMatch(/segment file .*\.seg: block 0 of column s is for-encoded, which cannot hold its values/);
  });
});

describe('workload log', () => {
  it("a Redshift history row whose returned_rows is no count imports with 0 rows (it was: a record the log could not read back)", async () => {
    // fuzz input: a SYS_QUERY_HISTORY row with returned_rows 1e309
    const dir = path.join(work, 'history');
    const hdb = await Database.open(dir, { workers: 0 });
    const warnings: string[] = [];
    try {
      await hdb.execute('create table t (a integer)');
      const log = attachWorkloadLog(hdb, { source: 'redshift', systemTables: false, warn: (m) => warnings.push(m) });
      const csv = path.join(work, 'history.csv');
      fs.writeFileSync(csv, 'query_id,query_text,start_time,returned_rows\n1,select a from t,2024-05-01 12:00:00,1e309\n2,select a from t,2024-05-01 12:00:01,lots\n3,select a from t,2024-05-01 12:00:02,42\n');
      const s = await importRedshiftHistory(hdb, log, csv);
      expect(s.imported).toBe(3);
      const w = loadWorkload(dir, { warn: (m) => warnings.push(m) });
      const returned = w.parts.flatMap((p) => Array.from({ length: p.queries.length }, (_, i) => p.queries.rowsReturned[i]));
      expect(returned.sort()).toEqual([0, 0, 42]);
      expect(warnings).toEqual([]);
    } finally {
      hdb.close();
    }
  });
});
