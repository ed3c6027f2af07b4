/**
 * Every kind of change together, against DuckDB: long random sequences of
 * INSERT, DELETE, UPDATE, MERGE, TRUNCATE, ALTER TABLE ADD COLUMN (with and
 * without DEFAULT) / DROP COLUMN and VACUUM (every form), in and out of
 * transaction blocks that commit, roll back or are aborted by a failing
 * statement. One table per distribution style (EVEN, KEY, ALL, AUTO), tiny
 * blocks (8 rows) so deletes cut blocks; the AUTO table's small-table limit
 * is lowered so that appends move it from ALL to EVEN mid-sequence. After
 * every step every table is compared, columns and rows, twice: as the session
 * running the block sees it and as a second handle on the same directory
 * sees it (the committed state), and at the end as a newly opened handle
 * reads it from the directory.
 *
 * DuckDB runs every statement on its own; the test keeps the block's
 * semantics on its side: BEGIN copies every table, ROLLBACK (or an aborted
 * block) restores the copies, and the copies are the committed state the
 * other handle must see. DuckDB's own transactions cannot be the reference:
 * a DROP COLUMN after a DELETE in one DuckDB transaction fails at COMMIT
 * ("another transaction has altered this table"), and its TRUNCATE does not
 * commit the block. Redshift's rules, which keel follows and the model here
 * encodes:
 * - TRUNCATE commits the block it runs in, itself included;
 * - ALTER TABLE ADD / DROP COLUMN in a block is part of it (undone by ROLLBACK);
 * - VACUUM in a block fails (and, as every failing statement, aborts it);
 * - after a failing statement only ROLLBACK, COMMIT or END (which roll back) run.
 * VACUUM outside a block runs on keel only: it changes no table's contents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';
import { readCatalog, writeCatalog } from '../../../engine/storage/datadir.js';
import { DuckOracle, compareResults, formatRows, type Value } from '../../helpers/oracle.js';
import { rng } from '../../helpers/random.js';

const TABLES = [
  { name: 't_even', layout: 'diststyle even sortkey (a)' },
  { name: 't_key', layout: 'diststyle key distkey (b)' },
  { name: 't_all', layout: 'diststyle all' },
  { name: 't_auto', layout: '' },
] as const;
type TableName = (typeof TABLES)[number]['name'];
/** AUTO places a table ALL up to this many rows, EVEN beyond (10,000 by default): low enough that the sequences cross it. */
const AUTO_ALL_MAX_ROWS = 32;
const VACUUMS = [
  'vacuum',
  'vacuum full t to 100 percent',
  'vacuum delete only t to 100 percent',
  'vacuum sort only t',
  'vacuum reindex t',
  'vacuum t to 75 percent boost',
  'vacuum delete only',
  'vacuum sort only to 100 percent',
];
const STEPS = 70; // per seed: two rounds of the plan in the loop below
/** KEEL_MIXED_SEEDS=4,5,6 runs other sequences (a seed fails alike every time: its sequence is replayed exactly). */
const SEEDS = process.env.KEEL_MIXED_SEEDS ? process.env.KEEL_MIXED_SEEDS.split(',').map(Number) : [1, 2, 3];

interface Col {
  readonly name: string;
  readonly type: 'int' | 'varchar(8)';
  /** The DEFAULT as an SQL literal, or null for none. */
  readonly def: string | null;
}
type Schema = Map<TableName, Col[]>;

const BASE: readonly Col[] = [
  { name: 'a', type: 'int', def: null },
  { name: 'b', type: 'int', def: null },
  { name: 'c', type: 'varchar(8)', def: null },
];

function columnDdl(c: Col): string {
  return `${c.name} ${c.type}${c.name === 'a' ? ' not null' : ''}${c.def === null ? '' : ` default ${c.def}`}`;
}

function cloneSchema(s: Schema): Schema {
  return new Map([...s].map(([t, cols]) => [t, [...cols]]));
}

/**
 * One step. `keel` runs on keel; `duck` on DuckDB (null: nothing to do there,
 * a VACUUM); `fails` says which engine must refuse it (then it changes
 * nothing, and in a block aborts it); `schema` is how it changes the table's
 * columns when it succeeds.
 */
interface Step {
  readonly keel: string;
  readonly duck: string | null;
  readonly fails: 'none' | 'both' | 'keel';
  readonly table: TableName;
  readonly schema?: (cols: Col[]) => Col[];
}

function generator(seed: number) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  let serial = 0;
  const literal = (c: Col) => (r() < 0.12 ? 'null' : c.type === 'int' ? String(int(40) - 5) : `'s${int(12)}'`);
  const predicate = (t: string, cols: readonly Col[]): string => {
    const extra = cols.filter((c) => !BASE.some((b) => b.name === c.name));
    const forms = [
      () => `${t}.a < ${int(12)}`,
      () => `${t}.b = ${int(40) - 5}`,
      () => `${t}.b is null`,
      () => `${t}.a between ${int(34)} and ${int(34) + 6}`,
      () => `${t}.c in ('s${int(12)}', 's${int(12)}')`,
      () => `(${t}.a % 5 = ${int(5)} or ${t}.b > ${int(30)})`,
      () => `${t}.a in (select a from ${pick(TABLES).name} where b < ${int(8) - 5})`,
    ];
    // an added column: read from a constant DEFAULT block in older segments, from the file in newer ones
    if (extra.length > 0) {
      const c = pick(extra);
      forms.push(() => (r() < 0.3 ? `${t}.${c.name} is null` : `${t}.${c.name} = ${c.type === 'int' ? int(40) - 5 : `'s${int(12)}'`}`));
    }
    return pick(forms)();
  };
  const same = (table: TableName, sql: string, extra: Partial<Step> = {}): Step => ({ keel: sql, duck: sql, fails: 'none', table, ...extra });

  /** A step that is not BEGIN / COMMIT / ROLLBACK, for the current columns of each table. */
  return (schema: Schema, kind?: number): Step => {
    const t = pick(TABLES).name;
    const other = pick(TABLES.filter((x) => x.name !== t)).name;
    const cols = schema.get(t)!;
    const extra = cols.filter((c) => !BASE.some((b) => b.name === c.name));
    const k = kind ?? r();
    if (k < 0.28) {
      // every column by position, or the base columns only (the added ones take their DEFAULT)
      const all = r() < 0.5;
      const named = all ? cols : BASE;
      const rows = Array.from({ length: 1 + int(16) }, () => `(${named.map((c) => (c.name === 'a' ? String(int(40)) : literal(c))).join(', ')})`);
      return same(t, `insert into ${t}${all ? '' : ' (a, b, c)'} values ${rows.join(', ')}`);
    }
    if (k < 0.33) return same(t, `insert into ${t} (a, c) select a + 1, c from ${other} where ${predicate(other, schema.get(other)!)}`);
    if (k < 0.42) return same(t, `delete from ${t} where ${predicate(t, cols)}`);
    if (k < 0.45) return same(t, `delete from ${t} using ${other} where ${t}.a = ${other}.a and ${predicate(other, schema.get(other)!)}`);
    if (k < 0.55) {
      const target = extra.length > 0 && r() < 0.5 ? pick(extra) : pick(BASE.slice(1));
      const value = target.def !== null && r() < 0.3 ? 'default' : literal(target);
      const set = pick([`${target.name} = ${value}`, 'a = a * 2, b = null', `b = case when b is null then ${int(10)} else -b end`]);
      return same(t, `update ${t} set ${set} where ${predicate(t, cols)}`);
    }
    if (k < 0.59) {
      // one source row per key: each target row joins at most one, so its new value is determined
      return same(t, `update ${t} set b = s.b, c = 'u' from (select a, max(b) as b from ${other} group by a) s where ${t}.a = s.a`);
    }
    if (k < 0.65) {
      const source = `(select a, max(b) as b, max(c) as c from ${other} where ${predicate(other, schema.get(other)!)} group by a) s`;
      const matched = pick(['update set b = s.b, c = s.c', 'delete', `update set b = ${t}.b + 1`]);
      return same(t, `merge into ${t} using ${source} on ${t}.a = s.a when matched then ${matched} when not matched then insert (a, b, c) values (s.a, s.b, s.c)`);
    }
    if (k < 0.67) return same(t, `truncate ${t}`);
    if (k < 0.75) {
      const name = `x${++serial}`;
      const type = r() < 0.5 ? 'int' : 'varchar(8)';
      const def = r() < 0.4 ? null : type === 'int' ? String(int(40) - 5) : `'d${int(9)}'`;
      const col: Col = { name, type, def };
      return same(t, `alter table ${t} add column ${columnDdl(col)}`, { schema: (c) => [...c, col] });
    }
    // a table with an added column: the one drawn, else the first that has one
    const dropFrom = extra.length > 0 ? t : TABLES.map((x) => x.name).find((x) => schema.get(x)!.length > BASE.length);
    if (k < 0.81 && dropFrom !== undefined) {
      const c = pick(schema.get(dropFrom)!.slice(BASE.length));
      return same(dropFrom, `alter table ${dropFrom} drop column ${c.name}`, { schema: (cs) => cs.filter((x) => x !== c) });
    }
    if (k < 0.9) {
      const sql = pick(VACUUMS).replace(/ t\b/, ` ${t}`);
      return { keel: sql, duck: null, fails: 'none', table: t };
    }
    // statements both engines refuse: a NULL into the NOT NULL column, a column that is there already
    if (k < 0.93) return same(t, `insert into ${t} (a, b) values (${int(40)}, 1), (null, 2)`, { fails: 'both' });
    if (k < 0.95) return same(t, `alter table ${t} add column b int`, { fails: 'both' });
    return same(t, `insert into ${t} (a, b) select b + 5, a from ${other} where b is not null`);
  };
}

let dir: string;
let mine: Database;
let theirs: Database;
let duck: DuckOracle;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mixed-oracle-'));
  (await Database.open(dir, { slices: 3, blockRows: 8, workers: 0 })).close();
  // no statement sets the small-table limit of AUTO; a new directory's catalog is edited before any handle opens it
  writeCatalog(dir, { ...readCatalog(dir), autoAllMaxRows: AUTO_ALL_MAX_ROWS });
  mine = await Database.open(dir, { workers: 0 });
  theirs = await Database.open(dir, { workers: 0 });
  duck = await DuckOracle.create();
  await duck.redshiftSemantics();
});
afterAll(() => {
  mine?.close();
  theirs?.close();
  duck?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** DuckDB's copy of a table's committed state while a block is open. */
const copyOf = (t: string) => `committed_${t}`;

async function compareTable(db: Database, keelSql: string, duckSql: string, context: string): Promise<number> {
  const k = await db.query(keelSql);
  const d = await duck.query(duckSql);
  expect(k.columns.map((c) => c.name), `${context}: columns`).toEqual(d.columns);
  const rows = k.rows() as Value[][];
  const diff = compareResults(rows, d.rows, { ordered: false });
  if (diff !== null) throw new Error(`${context}: rows differ: ${diff}\nkeel:\n${formatRows(rows)}\nduckdb:\n${formatRows(d.rows)}`);
  return d.rows.length;
}

/**
 * Compares every table in both sessions; outside a block also checks
 * svv_table_info's estimated_visible_rows. Returns how many rows keel holds
 * marked deleted (tbl_rows less estimated_visible_rows), and the AUTO
 * table's style.
 */
async function compareAll(context: string, inBlock: boolean): Promise<{ marked: number; auto: string }> {
  const visible = new Map<string, number>();
  for (const { name } of TABLES) {
    visible.set(name, await compareTable(mine, `select * from ${name}`, `select * from ${name}`, `${context}: ${name} in the own session`));
    await compareTable(theirs, `select * from ${name}`, `select * from ${inBlock ? copyOf(name) : name}`, `${context}: ${name} in the other session`);
  }
  // svv_table_info describes the committed tables: the other session's, which in a block are the copies
  const info = (await theirs.query(`select "table", tbl_rows, estimated_visible_rows, diststyle from svv_table_info where "table" in (${TABLES.map((t) => `'${t.name}'`).join(', ')})`)).rows();
  expect(info.map((row) => row[0]).sort(), `${context}: svv_table_info`).toEqual(TABLES.map((t) => t.name).sort());
  let marked = 0;
  for (const [name, total, estimated] of info) {
    const committed = inBlock ? (await duck.query(`select count(*) from ${copyOf(String(name))}`)).rows[0]![0] : visible.get(String(name));
    expect(Number(estimated), `${context}: estimated_visible_rows of ${name}`).toBe(committed);
    marked += Number(total) - Number(estimated);
  }
  return { marked, auto: String(info.find((row) => row[0] === 't_auto')![3]) };
}

/** DuckDB's side of BEGIN: a copy of every table, the committed state. */
async function duckBegin(): Promise<void> {
  for (const { name } of TABLES) await duck.run(`create table ${copyOf(name)} as select * from ${name}`);
}

/** DuckDB's side of COMMIT: the tables as they are are committed. */
async function duckCommit(): Promise<void> {
  for (const { name } of TABLES) await duck.run(`drop table ${copyOf(name)}`);
}

/** DuckDB's side of ROLLBACK: every table recreated with its committed columns (NOT NULL and DEFAULTs too) and rows. */
async function duckRollback(committed: Schema): Promise<void> {
  for (const { name } of TABLES) {
    await duck.run(`drop table ${name}`);
    await duck.run(`create table ${name} (${committed.get(name)!.map(columnDdl).join(', ')})`);
    await duck.run(`insert into ${name} select * from ${copyOf(name)}`);
    await duck.run(`drop table ${copyOf(name)}`);
  }
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return null;
  } catch (e) {
    return e;
  }
}

describe('every kind of change, in and out of transaction blocks, against DuckDB', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: ${STEPS} random steps under EVEN, KEY, ALL and AUTO, every table compared in both sessions after each`, async () => {
      let committed: Schema = new Map();
      for (const { name, layout } of TABLES) {
        await mine.execute(`drop table if exists ${name}; create table ${name} (a int not null, b int, c varchar(8)) ${layout}`);
        await duck.run(`drop table if exists ${name}`);
        await duck.run(`create table ${name} (${BASE.map(columnDdl).join(', ')})`);
        committed.set(name, [...BASE]);
      }
      // a start of 30 rows a table, in three appends (segments), below the AUTO table's limit
      const fill = rng(seed + 2000);
      for (const { name } of TABLES) {
        for (let n = 0; n < 3; n++) {
          const rows = Array.from({ length: 10 }, () => `(${Math.floor(fill() * 40)}, ${Math.floor(fill() * 40) - 5}, 's${Math.floor(fill() * 12)}')`);
          const sql = `insert into ${name} values ${rows.join(', ')}`;
          await mine.execute(sql);
          await duck.run(sql);
        }
      }
      let current = committed;
      const next = generator(seed);
      const r = rng(seed + 1000);
      let inBlock = false;
      const seen = { commit: 0, rollback: 0, aborted: 0, truncateCommits: 0, vacuumed: 0, marked: 0, blockAlters: 0 };
      const kinds = new Set<string>();
      const autoStyles = new Set<string>();

      const rollback = async (how: string, context: string) => {
        const outcome = await mine.query(how);
        expect(outcome.command, `${context}: ${how}`).toBe('ROLLBACK');
        await duckRollback(committed);
        current = committed;
        inBlock = false;
      };

      let ended = 0;
      for (let i = 0; i < STEPS; i++) {
        let context = `seed ${seed} step ${i}`;
        // Each 35 steps follow a plan around the random draws, so that every seed has each case: a TRUNCATE in a
        // block (step 5), ADD and DROP COLUMN in a block (15, 16), a MERGE (25), a block ended by COMMIT / END or
        // ROLLBACK / ABORT in turn (30), then a VACUUM outside a block (31).
        const plan = i % 35;
        if (!inBlock && (plan === 4 || plan === 14 || (plan !== 31 && r() < 0.3))) {
          await mine.query(pick(r, ['begin', 'begin transaction', 'start transaction']));
          await duckBegin();
          current = cloneSchema(committed);
          inBlock = true;
          context += ': begin';
        } else if (inBlock && (plan === 30 || (plan !== 5 && plan !== 15 && plan !== 16 && r() < 0.2))) {
          const end = (['commit', 'rollback', 'end', 'abort'] as const)[ended++ % 4]!;
          context += `: ${end}`;
          if (end === 'commit' || end === 'end') {
            await mine.query(end);
            await duckCommit();
            committed = current;
            inBlock = false;
            seen.commit++;
          } else {
            await rollback(end, context);
            seen.rollback++;
          }
        } else {
          const forced = ({ 5: 0.66, 15: 0.7, 16: 0.78, 25: 0.62, 31: 0.85 } as Record<number, number>)[plan];
          const base = next(current, forced);
          // VACUUM cannot run in a block (Redshift): keel refuses it, and the refusal aborts the block
          const step: Step = inBlock && base.duck === null ? { ...base, fails: 'keel' } : base;
          context += `: ${step.keel}`;
          const duckError = step.duck === null || step.fails === 'keel' ? null : await failure(duck.run(step.duck));
          const generation = mine.catalog().generation;
          const keelError = await failure(mine.query(step.keel));
          expect(String(keelError ?? 'succeeded'), `${context}: keel`).toMatch(step.fails === 'none' ? /^succeeded$/ : /Error/);
          expect(String(duckError ?? 'succeeded'), `${context}: DuckDB`).toMatch(step.fails === 'both' ? /Error/ : /^succeeded$/);
          kinds.add(step.keel.replace(/ t_\w+/, '').split(' ').slice(0, step.keel.startsWith('alter') ? 3 : 1).join(' '));
          if (step.fails !== 'none') {
            if (inBlock) {
              // the block is aborted: everything but its end is refused, and COMMIT / END of it roll back
              await expect(mine.query('select count(*) from t_all')).rejects.toMatchObject({ code: 'TRANSACTION_ABORTED' });
              await rollback(pick(r, ['rollback', 'commit', 'end']), context);
              seen.aborted++;
            }
          } else if (step.keel.startsWith('truncate') && inBlock) {
            // TRUNCATE commits the block, itself included (DuckDB's side ran above, on its own)
            await duckCommit();
            committed = current;
            inBlock = false;
            seen.truncateCommits++;
          } else {
            if (step.schema) {
              current.set(step.table, step.schema(current.get(step.table)!));
              if (inBlock) seen.blockAlters++;
            }
            if (step.keel.startsWith('vacuum') && mine.catalog().generation > generation) seen.vacuumed++;
            if (!inBlock) committed = current;
          }
        }
        const { marked, auto } = await compareAll(context, inBlock);
        seen.marked = Math.max(seen.marked, marked);
        autoStyles.add(auto);
      }
      if (inBlock) {
        await mine.query('commit');
        await duckCommit();
      }
      // a handle opened now reads the same tables from the directory (every segment checked against its catalog entry)
      theirs.close();
      theirs = await Database.open(dir, { workers: 0 });
      await compareAll(`seed ${seed} end, reopened`, false);
      expect([...kinds].sort()).toEqual(
        expect.arrayContaining(['alter table add', 'alter table drop', 'delete', 'insert', 'merge', 'truncate', 'update', 'vacuum']),
      );
      expect(seen.commit, 'blocks committed').toBeGreaterThan(0);
      expect(seen.rollback, 'blocks rolled back').toBeGreaterThan(0);
      expect(seen.aborted, 'blocks aborted by a failing statement').toBeGreaterThan(0);
      expect(seen.blockAlters, 'ADD / DROP COLUMN in blocks').toBeGreaterThan(0);
      expect(seen.truncateCommits, 'blocks committed by a TRUNCATE').toBeGreaterThan(0);
      // scans read through delete vectors, not only through segments that left the catalog whole
      expect(seen.marked).toBeGreaterThan(0);
      // the VACUUMs rewrote tables, not only skipped them
      expect(seen.vacuumed).toBeGreaterThan(0);
      // the AUTO table was placed both ways
      expect([...autoStyles].sort()).toEqual(['AUTO(ALL)', 'AUTO(EVEN)']);
    }, 90_000);
  }
});

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}
