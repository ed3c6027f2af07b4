/**
 * Transaction blocks against DuckDB: random sequences of BEGIN, data changes,
 * CREATE/DROP TABLE, failing statements, COMMIT and ROLLBACK run on keel and
 * on DuckDB, each through two sessions (two Database handles on one data
 * directory; two DuckDB connections on one database). After every step every
 * table is compared twice: as the session running the block sees it (its own
 * uncommitted changes included) and as the other session sees it (committed
 * state only). TRUNCATE runs outside blocks only: in a block it commits the
 * block in Redshift (and keel), which DuckDB does not do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Database } from '../../../engine/index.js';
import { DuckOracle, compareResults, formatRows, type Value } from '../../helpers/oracle.js';
import { rng } from '../../helpers/random.js';

const TABLES = [
  { name: 't_even', layout: 'diststyle even sortkey (a)' },
  { name: 't_key', layout: 'diststyle key distkey (b)' },
  { name: 't_all', layout: 'diststyle all' },
] as const;
const STEPS = 45; // per seed

function generator(seed: number) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const value = () => (r() < 0.1 ? 'null' : String(int(40) - 5));
  const predicate = (t: string): string =>
    pick([() => `${t}.a < ${int(40)}`, () => `${t}.b = ${int(40) - 5}`, () => `${t}.b is null`, () => `(${t}.a % 3 = ${int(3)} or ${t}.b > ${int(30)})`])();
  /** A statement that changes data (or, rarely, fails: a NULL into the NOT NULL column, in both engines). */
  return (inBlock: boolean): string => {
    const t = pick(TABLES).name;
    const other = pick(TABLES.filter((x) => x.name !== t)).name;
    const k = r();
    if (k < 0.3) return `insert into ${t} values ${Array.from({ length: 1 + int(8) }, () => `(${int(40)}, ${value()})`).join(', ')}`;
    if (k < 0.4) return `insert into ${t} select a + 1, b from ${other} where ${predicate(other)}`;
    if (k < 0.55) return `delete from ${t} where ${predicate(t)}`;
    if (k < 0.7) return `update ${t} set ${pick(['b = b + 1', 'a = a * 2, b = null', 'b = -b'])} where ${predicate(t)}`;
    if (k < 0.78) {
      const source = `(select a, max(b) as b from ${other} where ${predicate(other)} group by a) s`;
      return `merge into ${t} using ${source} on ${t}.a = s.a when matched then update set b = s.b when not matched then insert values (s.a, s.b)`;
    }
    if (k < 0.84) return 'create table scratch (a int not null, b int)';
    if (k < 0.9) return 'drop table scratch';
    if (k < 0.95) return `insert into ${t} values (null, 1)`;
    return inBlock ? `delete from ${t}` : `truncate ${t}`;
  };
}

let dir: string;
let mine: Database;
let theirs: Database;
let duck: DuckOracle;
let duck2: DuckDBConnection;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-txn-oracle-'));
  mine = await Database.open(dir, { slices: 3, blockRows: 8, workers: 0 });
  theirs = await Database.open(dir, { workers: 0 });
  duck = await DuckOracle.create();
  await duck.redshiftSemantics();
  duck2 = await (duck as unknown as { instance: { connect(): Promise<DuckDBConnection> } }).instance.connect();
});
afterAll(() => {
  mine?.close();
  theirs?.close();
  duck2?.closeSync();
  duck?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function duckRows(con: DuckDBConnection, sql: string): Promise<Value[][]> {
  const r = await con.runAndReadAll(sql);
  return (r.getRowsJson() as unknown[][]).map((row) => row.map((v) => (v === null || v === undefined ? null : Number(v))));
}

async function keelRows(db: Database, sql: string): Promise<Value[][] | 'missing'> {
  if (!db.catalog().tables[sql.split(' ').at(-1)!]) return 'missing';
  return (await db.query(sql)).rows() as Value[][];
}

async function duckRowsOr(con: DuckDBConnection, sql: string): Promise<Value[][] | 'missing'> {
  try {
    return await duckRows(con, sql);
  } catch (e) {
    if (/does not exist/.test(String(e))) return 'missing';
    throw e;
  }
}

/** Compares every table as each session sees it. */
async function compareAll(context: string): Promise<void> {
  for (const name of [...TABLES.map((t) => t.name), 'scratch']) {
    const sql = `select a, b from ${name}`;
    for (const [who, keel, con] of [['own session', mine, duck.con], ['other session', theirs, duck2]] as const) {
      const k = await keelRows(keel, sql);
      const d = await duckRowsOr(con, sql);
      if (k === 'missing' || d === 'missing') {
        expect(k, `${context}: ${name} in the ${who}`).toEqual(d);
        continue;
      }
      const diff = compareResults(k, d, { ordered: false });
      if (diff !== null) throw new Error(`${context}: table ${name} differs in the ${who}: ${diff}\nkeel:\n${formatRows(k)}\nduckdb:\n${formatRows(d)}`);
    }
  }
}

/** Runs one statement on both; both must fail or both succeed. Returns whether it failed. */
async function both(sql: string, context: string): Promise<boolean> {
  let duckError: unknown = null;
  let keelError: unknown = null;
  await duck.run(sql).catch((e: unknown) => (duckError = e));
  await mine.execute(sql).catch((e: unknown) => (keelError = e));
  expect(keelError === null, `${context}: ${sql}: keel ${String(keelError)}, DuckDB ${String(duckError)}`).toBe(duckError === null);
  return keelError !== null;
}

describe('transaction blocks against DuckDB', () => {
  for (const seed of [1, 2]) {
    it(`seed ${seed}: ${STEPS} random steps in and out of blocks, every table compared in both sessions after each`, async () => {
      for (const { name, layout } of TABLES) {
        await mine.execute(`drop table if exists ${name}; create table ${name} (a int not null, b int) ${layout}`);
        await duck.run(`drop table if exists ${name}`);
        await duck.run(`create table ${name} (a int not null, b int)`);
      }
      await mine.execute('drop table if exists scratch');
      await duck.run('drop table if exists scratch');
      const next = generator(seed);
      const r = rng(seed + 100);
      let inBlock = false;
      const seen = { commit: 0, rollback: 0, aborted: 0 };
      for (let i = 0; i < STEPS; i++) {
        const context = `seed ${seed} step ${i}`;
        if (!inBlock && r() < 0.35) {
          await both('begin', context);
          inBlock = true;
        } else if (inBlock && r() < 0.2) {
          const end = r() < 0.6 ? 'commit' : 'rollback';
          await both(end, context);
          seen[end]++;
          inBlock = false;
        } else {
          const failed = await both(next(inBlock), context);
          if (failed && inBlock) {
            // keel aborts the block, as Redshift does (DuckDB keeps it open after a constraint error): it can only be rolled back
            await expect(mine.query('select 1')).rejects.toMatchObject({ code: 'TRANSACTION_ABORTED' });
            await both('rollback', context);
            seen.aborted++;
            inBlock = false;
          }
        }
        await compareAll(context);
      }
      if (inBlock) await both('commit', `seed ${seed} end`);
      await compareAll(`seed ${seed} end`);
      expect(seen.commit).toBeGreaterThan(0);
      expect(seen.rollback).toBeGreaterThan(0);
      expect(seen.aborted).toBeGreaterThan(0);
    }, 90_000);
  }
});
