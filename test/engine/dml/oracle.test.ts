/**
 * DELETE, UPDATE, MERGE, TRUNCATE and INSERT ... SELECT against DuckDB: random
 * sequences of data changes run on keel and on DuckDB, and every table is
 * compared after every step. One table per distribution style (EVEN,
 * KEY, ALL), tiny blocks (8 rows) so deletes cut blocks and segments in every
 * way, and statements that read the other tables (USING, FROM, subqueries,
 * INSERT ... SELECT) so the row ids cross slices. Every 7 steps a VACUUM
 * runs on keel, which must change no table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';
import { DuckOracle, compareResults, formatRows, type Value } from '../../helpers/oracle.js';
import { rng } from '../../helpers/random.js';

const TABLES = [
  { name: 't_even', layout: 'diststyle even sortkey (a)' },
  { name: 't_key', layout: 'diststyle key distkey (b)' },
  { name: 't_all', layout: 'diststyle all' },
] as const;
/** Run every 7 steps, in turn, on keel only: a VACUUM changes no table, so DuckDB's tables stay the reference. */
const VACUUMS = ['vacuum delete only t_even to 100 percent', 'vacuum t_key to 100 percent', 'vacuum sort only t_even to 100 percent', 'vacuum delete only to 100 percent', 'vacuum', 'vacuum reindex t_even'];
const STEPS = 90; // per seed; 3 seeds: 270 statements, each followed by a comparison of all three tables


/** One data-change statement, in keel's SQL and (where it differs) DuckDB's. */
interface Step {
  readonly keel: string;
  readonly duck: string;
}

function generator(seed: number) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const value = () => (r() < 0.1 ? 'null' : String(int(40) - 5));
  const str = () => (r() < 0.1 ? 'null' : `'s${int(12)}'`);
  const predicate = (t: string): string =>
    pick([
      () => `${t}.a < ${int(40)}`,
      () => `${t}.b = ${int(40) - 5}`,
      () => `${t}.b is null`,
      () => `${t}.a between ${int(20)} and ${int(20) + 15}`,
      () => `${t}.c in (${str()}, ${str()})`,
      () => `${t}.c like 's1%'`,
      () => `(${t}.a % 3 = ${int(3)} or ${t}.b > ${int(30)})`,
      () => `${t}.a in (select a from ${pick(TABLES).name} where b < ${int(35)})`,
    ])();
  const same = (sql: string): Step => ({ keel: sql, duck: sql });
  /** `kind`, when given, picks the statement kind (a value of the draw below) so that rare kinds occur in every sequence. */
  return (kind?: number): Step => {
    const t = pick(TABLES).name;
    const other = pick(TABLES.filter((x) => x.name !== t)).name;
    const k = kind ?? r();
    if (k < 0.3) {
      const rows = Array.from({ length: 1 + int(12) }, () => `(${int(40)}, ${value()}, ${str()})`);
      return same(`insert into ${t} values ${rows.join(', ')}`);
    }
    if (k < 0.38) return same(`insert into ${t} (a, c) select a + 1, c from ${other} where ${predicate(other)}`);
    if (k < 0.55) return same(`delete from ${t} where ${predicate(t)}`);
    if (k < 0.62) return same(`delete from ${t} using ${other} where ${t}.a = ${other}.a and ${predicate(other)}`);
    if (k < 0.8) {
      const set = pick(['b = b + 1', `c = ${str()}`, 'a = a * 2, b = null', `b = case when b is null then ${int(10)} else -b end`]);
      return same(`update ${t} set ${set} where ${predicate(t)}`);
    }
    if (k < 0.9) {
      // DISTINCT: each target row joins at most one source row, so the new value is determined
      return same(`update ${t} set b = s.b, c = 'u' from (select a, max(b) as b from ${other} group by a) s where ${t}.a = s.a`);
    }
    if (k < 0.93) return same(`truncate ${t}`);
    if (k < 0.97) {
      // one source row per key, so no target row matches two (that is an error in Redshift and DuckDB alike)
      const source = `(select a, max(b) as b, max(c) as c from ${other} where ${predicate(other)} group by a) s`;
      const matched = pick(['update set b = s.b, c = s.c', 'delete', `update set b = ${t}.b + 1`]);
      return same(`merge into ${t} using ${source} on ${t}.a = s.a when matched then ${matched} when not matched then insert values (s.a, s.b, s.c)`);
    }
    if (k < 0.985) return same(`delete from ${t}`);
    return same(`update ${t} set c = 'all'`);
  };
}

let dir: string;
let db: Database;
let duck: DuckOracle;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-dml-oracle-'));
  db = await Database.open(dir, { slices: 3, blockRows: 8, workers: 0 });
  duck = await DuckOracle.create();
  await duck.redshiftSemantics();
});
afterAll(() => {
  db?.close();
  duck?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Compares every table with DuckDB's; returns how many rows keel holds marked deleted (tbl_rows less estimated_visible_rows). */
async function compareAll(context: string): Promise<number> {
  let marked = 0;
  for (const { name } of TABLES) {
    const sql = `select a, b, c from ${name}`;
    const mine = (await db.query(sql)).rows() as Value[][];
    const theirs = (await duck.query(sql)).rows;
    const diff = compareResults(mine, theirs, { ordered: false });
    if (diff !== null) throw new Error(`${context}: table ${name} differs: ${diff}\nkeel:\n${formatRows(mine)}\nduckdb:\n${formatRows(theirs)}`);
    const [total, visible] = (await db.query(`select tbl_rows, estimated_visible_rows from svv_table_info where "table" = '${name}'`)).rows()[0]!.map(Number);
    expect(visible, `${context}: estimated_visible_rows of ${name}`).toBe(theirs.length);
    marked += total! - visible!;
  }
  return marked;
}

describe('data changes against DuckDB', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: ${STEPS} random INSERT/DELETE/UPDATE/MERGE/TRUNCATE steps, every table compared after each`, async () => {
      for (const { name, layout } of TABLES) {
        await db.execute(`drop table if exists ${name}; create table ${name} (a int not null, b int, c varchar(8)) ${layout}`);
        await duck.run(`drop table if exists ${name}`);
        await duck.run(`create table ${name} (a int not null, b int, c varchar(8))`);
      }
      const next = generator(seed);
      const kinds = new Set<string>();
      let marked = 0;
      let vacuumed = 0;
      for (let i = 0; i < STEPS; i++) {
        // every 30 steps at least one MERGE and one TRUNCATE
        const step = next(i % 30 === 14 ? 0.95 : i % 30 === 29 ? 0.92 : undefined);
        await duck.run(step.duck);
        try {
          await db.query(step.keel);
        } catch (e) {
          throw new Error(`seed ${seed} step ${i}: ${step.keel}: keel failed where DuckDB did not: ${String(e)}`);
        }
        kinds.add(step.keel.split(' ')[0]!);
        marked = Math.max(marked, await compareAll(`seed ${seed} step ${i}: ${step.keel}`));
        if (i % 7 === 3) {
          const vacuum = VACUUMS[Math.floor(i / 7) % VACUUMS.length]!;
          const generation = db.catalog().generation;
          await db.query(vacuum);
          if (db.catalog().generation > generation) vacuumed++;
          marked = Math.max(marked, await compareAll(`seed ${seed} step ${i}: ${vacuum}`));
        }
      }
      expect([...kinds].sort()).toEqual(['delete', 'insert', 'merge', 'truncate', 'update']);
      // the scans above read through delete vectors, not only through segments that left the catalog whole
      expect(marked).toBeGreaterThan(0);
      // the VACUUMs rewrote tables, not only skipped them
      expect(vacuumed).toBeGreaterThan(2);
    }, 60_000);
  }
});
