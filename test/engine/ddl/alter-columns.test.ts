/**
 * Schema changes: ALTER TABLE ADD/DROP/RENAME COLUMN, RENAME TO, ALTER COLUMN
 * ... TYPE, DEFAULT, CREATE TABLE ... LIKE and CREATE TABLE AS with layout
 * clauses. Random sequences of schema changes and data changes run on keel
 * and DuckDB and every table is compared after every step, one table per
 * distribution style; then what the storage does (no segment rewritten, the
 * DEFAULT read from a constant block that zone maps prune), the advisor's
 * AUTO keys against the user's, views, and errors that change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, SqlError } from '../../../engine/index.js';
import { DuckOracle, compareResults, formatRows, type Value } from '../../helpers/oracle.js';
import { rng } from '../../helpers/random.js';

const TABLES = [
  { name: 't_even', layout: 'diststyle even sortkey (a)' },
  { name: 't_key', layout: 'diststyle key distkey (b)' },
  { name: 't_all', layout: 'diststyle all' },
  { name: 't_auto', layout: '' },
] as const;
const STEPS = 80;

interface Col {
  name: string;
  type: 'int' | 'varchar(8)';
}

let dir: string;
let db: Database;
let duck: DuckOracle;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-alter-columns-'));
  db = await Database.open(dir, { slices: 3, blockRows: 8, workers: 0 });
  duck = await DuckOracle.create();
  await duck.redshiftSemantics();
});
afterAll(() => {
  db?.close();
  duck?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function fresh(slices = 4, blockRows = 16): Promise<{ db: Database; dir: string }> {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-alter-columns-'));
  return { db: await Database.open(d, { slices, blockRows, workers: 0 }), dir: d };
}

async function sqlError(p: Promise<unknown>): Promise<SqlError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    return e as SqlError;
  }
  throw new Error('statement succeeded');
}

function catalogOf(d: string): { tables: Record<string, { segments: { file: string; columns?: number[] }[]; columns: { name: string; id?: number }[] }> } {
  return JSON.parse(fs.readFileSync(path.join(d, 'catalog.json'), 'utf8').replace(/,"checksum":"sha256:[0-9a-f]{64}"\}$/, '}'));
}

/** One step, the same SQL on both engines, and how it changes the table's columns. */
function generator(seed: number, columns: Map<string, Col[]>) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  let serial = 0;
  const literal = (c: Col) => (r() < 0.15 ? 'null' : c.type === 'int' ? String(int(30) - 5) : `'v${int(9)}'`);
  return (): { sql: string; apply: () => void } => {
    const t = pick(TABLES).name;
    const cols = columns.get(t)!;
    const extra = cols.filter((c) => c.name !== 'a' && c.name !== 'b');
    const k = r();
    const none = () => {};
    if (k < 0.25) {
      const rows = Array.from({ length: 1 + int(10) }, () => `(${cols.map((c) => (c.name === 'a' ? String(int(40)) : literal(c))).join(', ')})`);
      return { sql: `insert into ${t} values ${rows.join(', ')}`, apply: none };
    }
    if (k < 0.33) return { sql: `insert into ${t} (a, b) values (${int(40)}, ${int(20)}), (${int(40)}, null)`, apply: none };
    if (k < 0.43) return { sql: `delete from ${t} where a ${pick(['<', '>', '='])} ${int(40)}`, apply: none };
    if (k < 0.55) {
      const c = extra.length && r() < 0.7 ? pick(extra) : cols[1]!;
      const value = r() < 0.3 ? 'default' : literal(c);
      return { sql: `update ${t} set ${c.name} = ${value} where a % 3 = ${int(3)}`, apply: none };
    }
    if (k < 0.72) {
      const name = `x${++serial}`;
      const type = r() < 0.5 ? 'int' : 'varchar(8)';
      const def = r() < 0.3 ? '' : type === 'int' ? ` default ${int(100)}` : ` default 'd${int(9)}'`;
      return { sql: `alter table ${t} add column ${name} ${type}${def}`, apply: () => cols.push({ name, type }) };
    }
    if (k < 0.84 && extra.length) {
      const c = pick(extra);
      return { sql: `alter table ${t} drop column ${c.name}`, apply: () => cols.splice(cols.indexOf(c), 1) };
    }
    if (k < 0.94 && extra.length) {
      const c = pick(extra);
      const to = `y${++serial}`;
      return { sql: `alter table ${t} rename column ${c.name} to ${to}`, apply: () => (c.name = to) };
    }
    const strings = extra.filter((c) => c.type === 'varchar(8)');
    if (strings.length) return { sql: `alter table ${t} alter column ${pick(strings).name} type varchar(20)`, apply: none };
    return { sql: `delete from ${t} where b is null`, apply: none };
  };
}

describe('schema changes against DuckDB', () => {
  for (const seed of [1, 2]) {
    it(`seed ${seed}: ${STEPS} random ADD/DROP/RENAME COLUMN, ALTER TYPE, INSERT, UPDATE and DELETE steps, every table compared after each`, async () => {
      const columns = new Map<string, Col[]>();
      for (const { name, layout } of TABLES) {
        await db.execute(`drop table if exists ${name}; create table ${name} (a int not null, b int, c varchar(8)) ${layout}`);
        await duck.run(`drop table if exists ${name}`);
        await duck.run(`create table ${name} (a int not null, b int, c varchar(8))`);
        columns.set(name, [
          { name: 'a', type: 'int' },
          { name: 'b', type: 'int' },
          { name: 'c', type: 'varchar(8)' },
        ]);
      }
      const next = generator(seed, columns);
      const kinds = new Set<string>();
      for (let i = 0; i < STEPS; i++) {
        const step = next();
        await duck.run(step.sql);
        try {
          await db.execute(step.sql);
        } catch (e) {
          throw new Error(`seed ${seed} step ${i}: ${step.sql}: keel failed where DuckDB did not: ${String(e)}`);
        }
        step.apply();
        kinds.add(step.sql.replace(/ t_\w+/, '').split(' ').slice(0, 3).join(' '));
        for (const { name } of TABLES) {
          const mine = await db.query(`select * from ${name}`);
          const theirs = await duck.query(`select * from ${name}`);
          expect(mine.columns.map((c) => c.name), `seed ${seed} step ${i}: ${step.sql}: columns of ${name}`).toEqual(theirs.columns);
          const diff = compareResults(mine.rows() as Value[][], theirs.rows, { ordered: false });
          if (diff !== null) throw new Error(`seed ${seed} step ${i}: ${step.sql}: table ${name} differs: ${diff}\nkeel:\n${formatRows(mine.rows() as Value[][])}\nduckdb:\n${formatRows(theirs.rows)}`);
        }
      }
      expect([...kinds].filter((k) => k.startsWith('alter')).sort()).toEqual(['alter table add', 'alter table alter', 'alter table drop', 'alter table rename']);
      // the directory reopens to the same tables: segments checked against the catalog's column lists
      db.close();
      db = await Database.open(dir, { workers: 0 });
      for (const { name } of TABLES) {
        const diff = compareResults((await db.query(`select * from ${name}`)).rows() as Value[][], (await duck.query(`select * from ${name}`)).rows, { ordered: false });
        expect(diff, `${name} after reopening`).toBeNull();
      }
    }, 120_000);
  }
});

describe('ADD and DROP COLUMN rewrite no segment', () => {
  it('older segments read the DEFAULT as a constant block whose zone map prunes', async () => {
    const { db, dir } = await fresh();
    try {
      await db.execute('create table t (id int, g int) diststyle even sortkey (id)');
      await db.execute(`insert into t values ${Array.from({ length: 400 }, (_, i) => `(${i}, ${i % 7})`).join(', ')}`);
      const files = catalogOf(dir).tables.t!.segments.map((s) => s.file);
      await db.execute('alter table t add column d int default 5');
      await db.execute("alter table t add column e varchar(10) default 'x' encode zstd");
      await db.execute('alter table t add column f date');
      const after = catalogOf(dir).tables.t!;
      expect(after.segments.map((s) => s.file)).toEqual(files);
      // every old segment lists the two columns its file holds, by id
      expect(after.segments.every((s) => s.columns?.join() === '0,1')).toBe(true);
      expect(after.columns.map((c) => c.id)).toEqual([0, 1, 2, 3, 4]);
      const none = await db.query('select count(*) from t where d = 6');
      expect(none.rows()).toEqual([[0]]);
      expect(none.stats.blocksScanned).toBe(0);
      expect(none.stats.blocksSkipped).toBeGreaterThan(0);
      expect((await db.query("select count(*), sum(d), min(e), count(f) from t where e = 'x'")).rows()).toEqual([[400, 2000, 'x', 0]]);
      // new rows: the DEFAULT where the INSERT names no value, and a new segment with every column
      await db.execute("insert into t (id, g) values (1000, 1); insert into t values (1001, 2, 9, 'y', date '2024-01-02')");
      expect((await db.query('select id, d, e, f from t where id >= 1000 order by id')).rows()).toEqual([
        [1000, 5, 'x', null],
        [1001, 9, 'y', '2024-01-02'],
      ]);
      await db.execute('alter table t drop column g');
      expect(catalogOf(dir).tables.t!.segments.slice(0, files.length).map((s) => s.file)).toEqual(files);
      expect((await db.query('select count(*), sum(id), sum(d) from t')).rows()).toEqual([[402, 79800 + 2001, 2000 + 14]]);
      // a background rewrite (the advisor's path) reads them too, an interleaved key's ranges included
      await db.alterInBackground('alter table t alter interleaved sortkey (d, e)');
      expect(catalogOf(dir).tables.t!.segments.every((s) => s.columns === undefined)).toBe(true);
      expect((await db.query('select count(*), sum(id), sum(d) from t')).rows()).toEqual([[402, 79800 + 2001, 2000 + 14]]);
      await db.execute('alter table t add column g int default 1');
      // UPDATE and DELETE read the mapped segments too
      await db.execute('update t set d = default where id = 1001; delete from t where id < 100');
      expect((await db.query('select count(*), sum(d) from t')).rows()).toEqual([[302, 302 * 5]]);
      // a layout change rewrites the table: its segments then hold exactly its columns
      expect(catalogOf(dir).tables.t!.segments.some((s) => s.columns !== undefined)).toBe(true);
      await db.execute('alter table t alter distkey id');
      expect(catalogOf(dir).tables.t!.segments.every((s) => s.columns === undefined)).toBe(true);
      expect((await db.query('select count(*), sum(d), min(e), sum(g) from t')).rows()).toEqual([[302, 302 * 5, 'x', 302]]);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('RENAME COLUMN, RENAME TO and a VARCHAR length change only the catalog, and the directory reopens', async () => {
    const { db, dir } = await fresh();
    try {
      await db.execute("create table t (id int, s varchar(4)) distkey (id) sortkey (s); insert into t values (1, 'abcd'), (2, 'ab'), (3, null)");
      const files = catalogOf(dir).tables.t!.segments.map((s) => s.file);
      await db.execute('alter table t rename column id to k');
      await db.execute('alter table t rename column s to label');
      await db.execute('alter table t rename to u');
      await db.execute('alter table u alter column label type varchar(30)');
      await db.execute("insert into u values (4, 'a much longer label')");
      expect(catalogOf(dir).tables.u!.segments.slice(0, files.length).map((s) => s.file)).toEqual(files);
      const info = (await db.query(`select diststyle, sortkey1 from svv_table_info where "table" = 'u'`)).rows();
      expect(info).toEqual([['KEY(k)', 'label']]);
      expect((await db.query('describe u')).rows().map((r) => [r[0], r[1]])).toEqual([
        ['k', 'integer'],
        ['label', 'varchar(30)'],
      ]);
      // narrowing is refused below the longest value (19 bytes), allowed above it, as in Redshift
      const narrow = await sqlError(db.execute('alter table u alter column label type varchar(10)'));
      expect(narrow).toMatchObject({ code: 'INVALID_DDL', position: { column: 39 } });
      expect(narrow.message).toContain('longest value is 19 bytes');
      await db.execute('alter table u alter column label type varchar(19)');
      expect((await sqlError(db.execute("insert into u values (5, 'twenty characters!!!')"))).code).toBe('INVALID_VALUE');
      // in a transaction block it is refused, as Redshift refuses it, and the failure aborts the block
      await db.execute('begin');
      expect(await sqlError(db.execute('alter table u alter column label type varchar(40)'))).toMatchObject({ code: 'UNSUPPORTED', position: { column: 28 } });
      await expect(db.execute('select 1')).rejects.toMatchObject({ code: 'TRANSACTION_ABORTED' });
      await db.execute('rollback');
      db.close();
      const again = await Database.open(dir, { workers: 0 });
      try {
        expect((await again.query('select k, label from u order by k')).rows()).toEqual([
          [1, 'abcd'],
          [2, 'ab'],
          [3, null],
          [4, 'a much longer label'],
        ]);
        expect((await sqlError(again.query('select * from t'))).code).toBe('UNKNOWN_TABLE');
      } finally {
        again.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the advisor's AUTO keys never block a DROP COLUMN; the user's do", () => {
  it('dropping an AUTO distribution key redistributes the table (the small-table rule); an AUTO sort key keeps its prefix', async () => {
    const { db, dir } = await fresh();
    try {
      await db.execute('create table f (id int, k int, day int, v int)');
      await db.execute(`insert into f values ${Array.from({ length: 300 }, (_, i) => `(${i}, ${i % 17}, ${i % 30}, ${i})`).join(', ')}`);
      await db.alterInBackground('alter table f alter distkey k', { keepAuto: true });
      await db.alterInBackground('alter table f alter sortkey (day, v)', { keepAuto: true });
      const layout = async () => (await db.query(`select diststyle, sortkey1 from svv_table_info where "table" = 'f'`)).rows()[0];
      expect(await layout()).toEqual(['AUTO(KEY(k))', 'day']);
      const sum = (await db.query('select sum(id), sum(day), sum(v) from f')).rows();
      await db.execute('alter table f drop column k');
      // 300 rows: within the small-table limit, so AUTO places the table ALL
      expect(await layout()).toEqual(['AUTO(ALL)', 'day']);
      await db.execute('alter table f drop column v');
      expect(await layout()).toEqual(['AUTO(ALL)', 'day']);
      expect(catalogOf(dir).tables.f).toMatchObject({ sortKey: ['day'] });
      await db.execute('alter table f drop column day');
      expect(await layout()).toEqual(['AUTO(ALL)', null]);
      expect((await db.query('select sum(id) from f')).rows()).toEqual([[sum[0]![0]]]);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the user's DISTKEY and SORTKEY columns cannot be dropped: a clear error, nothing changed", async () => {
    const { db, dir } = await fresh();
    try {
      await db.execute('create table t (id int, k int distkey, s int sortkey, x int); insert into t values (1, 2, 3, 4)');
      const dist = await sqlError(db.execute('alter table t drop column k'));
      expect(dist).toMatchObject({ code: 'INVALID_DDL', message: 'cannot drop distkey column "k"', position: { line: 1, column: 27 } });
      const sort = await sqlError(db.execute('alter table t drop column s cascade'));
      expect(sort).toMatchObject({ code: 'INVALID_DDL', message: 'cannot drop sortkey column "s"' });
      expect((await db.query('select * from t')).rows()).toEqual([[1, 2, 3, 4]]);
      expect((await db.query(`select diststyle, sortkey1 from svv_table_info where "table" = 't'`)).rows()).toEqual([['KEY(k)', 's']]);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('views over a changed table, as Redshift', () => {
  it('a regular view blocks DROP COLUMN unless CASCADE drops it; a late-binding view fails when queried', async () => {
    const { db, dir } = await fresh();
    try {
      await db.execute('create table t (a int, b int, c int); insert into t values (1, 2, 3)');
      await db.execute('create view v as select a, b from t; create view w as select * from v; create view other as select a, c from t');
      await db.execute('create view late as select b from t with no schema binding');
      const e = await sqlError(db.execute('alter table t drop column b'));
      expect(e).toMatchObject({ code: 'DEPENDENT_OBJECTS', position: { column: 27 } });
      expect(e.message).toContain('view "v", "w", "late"'.replace(', "late"', ''));
      expect((await db.query('select * from w')).rows()).toEqual([[1, 2]]);
      // RENAME: keel keeps views as SQL text, so a rename that breaks a regular view is refused
      expect((await sqlError(db.execute('alter table t rename column b to bb'))).code).toBe('DEPENDENT_OBJECTS');
      expect((await sqlError(db.execute('alter table t rename to t2'))).code).toBe('DEPENDENT_OBJECTS');
      await db.execute('alter table t drop column b cascade');
      const names = (await db.query('show tables')).rows().map((r) => r[1]);
      expect(names.sort()).toEqual(['late', 'other', 't']);
      expect((await db.query('select * from other')).rows()).toEqual([[1, 3]]);
      const late = await sqlError(db.query('select * from late'));
      expect(late.code).toBe('UNKNOWN_COLUMN');
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bad ALTER TABLE: a clear error at its position with a stable code, the table unchanged', () => {
  const cases: [string, string, number][] = [
    ['alter table t add column a int', 'DUPLICATE_OBJECT', 26],
    ['alter table t add x int not null', 'INVALID_DDL', 15],
    ['alter table t add x int default null not null', 'INVALID_DDL', 15],
    ["alter table t add x varchar(2) default 'abc'", 'INVALID_VALUE', 40],
    ['alter table t add x int default nope', 'UNKNOWN_COLUMN', 33],
    ['alter table t add x int default 1 default 2', 'SYNTAX', 35],
    ['alter table t add x int encode nonsense', 'INVALID_DDL', 15],
    ['alter table t add x int distkey', 'UNSUPPORTED', 25],
    ['alter table t add x int, add y int', 'UNSUPPORTED', 24],
    ['alter table t drop column nope', 'UNKNOWN_COLUMN', 27],
    ['alter table nope drop column a', 'UNKNOWN_TABLE', 13],
    ['alter table t rename column a to s', 'DUPLICATE_OBJECT', 34],
    ['alter table t rename column nope to z', 'UNKNOWN_COLUMN', 29],
    ['alter table t rename to t', 'DUPLICATE_OBJECT', 25],
    ['alter table t alter column a type varchar(10)', 'UNSUPPORTED', 28],
    ['alter table t alter column s type int', 'UNSUPPORTED', 35],
    ['alter table t alter column s type varchar(1)', 'INVALID_DDL', 35],
    ['alter table t alter column d type varchar(90)', 'INVALID_DDL', 28],
    ['alter table one drop column solo', 'INVALID_DDL', 29],
  ];
  it.each(cases)('%s: %s at column %i', async (sql, code, column) => {
    const { db, dir } = await fresh();
    try {
      await db.execute("create table t (a int, s varchar(5), d varchar(8) default 'q'); insert into t values (1, 'abc', 'z'); create table one (solo int)");
      const before = JSON.stringify(catalogOf(dir).tables);
      const e = await sqlError(db.execute(sql));
      expect(e.code).toBe(code);
      expect(e.position?.column).toBe(column);
      expect(JSON.stringify(catalogOf(dir).tables)).toBe(before);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('DEFAULT, CREATE TABLE ... LIKE and CREATE TABLE AS with layout clauses', () => {
  it('DEFAULT in CREATE TABLE applies to INSERTs that omit the column and to SET c = DEFAULT', async () => {
    const { db, dir } = await fresh();
    try {
      await db.execute("create table t (a int, d decimal(8,2) default 1.5 * 3, day date default '2024-02-29', s varchar(5) default upper('ok'), b boolean default true)");
      await db.execute("insert into t (a) values (1); insert into t values (2, 0.25, date '2000-01-01', 'x', false)");
      await db.execute('update t set d = default, day = default where a = 2');
      expect((await db.query('select * from t order by a')).textRows()).toEqual([
        ['1', '4.50', '2024-02-29', 'OK', 'true'],
        ['2', '4.50', '2024-02-29', 'x', 'false'],
      ]);
      // information_schema.columns shows them as PostgreSQL does
      expect((await db.query("select column_name, column_default from information_schema.columns where table_name = 't' order by ordinal_position")).rows()).toEqual([
        ['a', null],
        ['d', '4.50'],
        ['day', "'2024-02-29'::date"],
        ['s', "'OK'::character varying"],
        ['b', 'true'],
      ]);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('COPY with a column list loads the other columns DEFAULT, as Redshift does', async () => {
    const { db, dir } = await fresh();
    try {
      await db.execute("create table t (a int, s varchar(5) default 'dflt', n int not null default 3)");
      const file = path.join(dir, 'rows.txt');
      fs.writeFileSync(file, '1\n2\n');
      await db.execute(`copy t (a) from '${file}'`);
      await db.execute('alter table t add column d date default \'2024-01-01\'');
      await db.execute(`copy t (a) from '${file}'`);
      expect((await db.query('select a, s, n, d from t order by a, d')).rows()).toEqual([
        [1, 'dflt', 3, '2024-01-01'],
        [1, 'dflt', 3, '2024-01-01'],
        [2, 'dflt', 3, '2024-01-01'],
        [2, 'dflt', 3, '2024-01-01'],
      ]);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("LIKE copies columns, NOT NULL, encodings and the keys (the advisor's staying AUTO); INCLUDING DEFAULTS the defaults", async () => {
    const { db, dir } = await fresh();
    try {
      await db.execute("create table p (a int not null encode az64, b varchar(9) default 'n' encode zstd, c int) diststyle key distkey (c) interleaved sortkey (a, b)");
      await db.execute('create table q (like p); create table r (like p including defaults); create table e (like p excluding defaults)');
      for (const t of ['q', 'r', 'e']) {
        expect((await db.query(`describe ${t}`)).rows()).toEqual((await db.query('describe p')).rows());
        expect((await db.query(`select diststyle, sortkey1 from svv_table_info where "table" = '${t}'`)).rows()).toEqual([['KEY(c)', 'INTERLEAVED']]);
      }
      expect(catalogOf(dir).tables.q).toMatchObject({ sortStyle: 'interleaved', sortAuto: false, distAuto: false });
      await db.execute('insert into q (a) values (1); insert into r (a) values (1)');
      expect((await db.query('select b from q')).rows()).toEqual([[null]]);
      expect((await db.query('select b from r')).rows()).toEqual([['n']]);
      expect((await sqlError(db.execute('insert into q (b) values (null)'))).code).toBe('INVALID_VALUE');
      // an AUTO parent: the copy is AUTO too, the advisor's key kept
      await db.execute(`create table auto_p (k int, v int); insert into auto_p values ${Array.from({ length: 50 }, (_, i) => `(${i}, ${i})`).join(', ')}`);
      await db.alterInBackground('alter table auto_p alter distkey k', { keepAuto: true });
      await db.execute('create table auto_q (like auto_p)');
      expect((await db.query(`select diststyle from svv_table_info where "table" = 'auto_q'`)).rows()).toEqual([['AUTO(KEY(k))']]);
      expect((await sqlError(db.execute('create table z (like nope)'))).code).toBe('UNKNOWN_TABLE');
      expect((await sqlError(db.execute('create table q (like p)'))).code).toBe('DUPLICATE_OBJECT');
      expect((await sqlError(db.execute('create table z (like p) sortkey (a)'))).code).toBe('UNSUPPORTED');
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CREATE TABLE AS takes column names and DISTSTYLE, DISTKEY, SORTKEY and ENCODE AUTO before AS', async () => {
    const { db, dir } = await fresh();
    try {
      await db.execute(`create table src (a int, b varchar(4)); insert into src values ${Array.from({ length: 40 }, (_, i) => `(${i}, 'b${i % 3}')`).join(', ')}`);
      await db.execute('create table c1 (x, y) diststyle key distkey (y) compound sortkey (x, y) encode auto as select a, b from src where a < 30');
      await db.execute('create table c2 (x) diststyle all as select a, b from src');
      await db.execute('create table c3 interleaved sortkey (a, b) as select * from src');
      const info = (await db.query(`select "table", diststyle, sortkey1, tbl_rows from svv_table_info where "table" like 'c_' order by 1`)).rows();
      expect(info).toEqual([
        ['c1', 'KEY(y)', 'x', 30],
        ['c2', 'ALL', null, 40],
        ['c3', 'AUTO(ALL)', 'INTERLEAVED', 40],
      ]);
      expect((await db.query('select * from c2 order by x limit 1')).columns.map((c) => c.name)).toEqual(['x', 'b']);
      expect((await db.query('select count(distinct y) from c1')).rows()).toEqual([[3]]);
      expect((await sqlError(db.execute('create table c4 (x, y, z) as select a, b from src'))).code).toBe('INVALID_DDL');
      expect((await sqlError(db.execute('create table c4 distkey (nope) as select a from src'))).code).toBe('UNKNOWN_COLUMN');
      expect((await sqlError(db.execute('create table c4 (x) diststyle even distkey (x) as select a from src'))).code).toBe('INVALID_DDL');
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
