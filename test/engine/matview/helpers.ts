/**
 * What the materialized-view tests against DuckDB share: a keel database and
 * a DuckDB oracle with Redshift's semantics, opened before a file's tests and
 * closed after them, the two base tables their views read, and the
 * comparison of keel's rows with DuckDB's.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Database } from '../../../engine/database.js';
import { DuckOracle, compareResults, type Value } from '../../helpers/oracle.js';

export interface KeelAndDuck {
  readonly db: Database;
  readonly duck: DuckOracle;
  /** Runs one statement on both. */
  both(sql: string): Promise<void>;
  /** Creates fact (k, g, v, x, s) and dim (k, name) on both: the base tables every view reads. */
  createBaseTables(): Promise<void>;
}

/** Registers the pair's set-up and tear-down in the enclosing describe; its fields are there once beforeAll ran. */
export function keelAndDuck(prefix: string): KeelAndDuck {
  let dir: string;
  let db: Database;
  let duck: DuckOracle;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    db = await Database.open(dir, { slices: 3, workers: 0 });
    duck = await DuckOracle.create();
    await duck.redshiftSemantics();
  });
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const both = async (sql: string): Promise<void> => {
    await db.query(sql);
    await duck.run(sql);
  };
  return {
    get db() {
      return db;
    },
    get duck() {
      return duck;
    },
    both,
    async createBaseTables() {
      await both('create table fact (k integer, g integer, v decimal(10,2), x double precision, s varchar(8))');
      await both('create table dim (k integer, name varchar(8))');
    },
  };
}

/** keel's rows against DuckDB's, to the tolerance of their different float and decimal arithmetic: null when they agree. */
export function diffRows(got: readonly (readonly Value[])[], want: readonly (readonly Value[])[], ordered: boolean): string | null {
  return compareResults(got, want, { ordered, relTol: 1e-9, absTol: 1e-6 });
}

/** Rows for fact (k, g, v, x, s): keys below 30, a tenth of each nullable column NULL. */
export function factRows(rand: () => number, n: number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  return Array.from(
    { length: n },
    () => `(${Math.floor(rand() * 30)}, ${Math.floor(rand() * 5)}, ${rand() < 0.1 ? 'null' : (Math.floor(rand() * 10000) / 100).toFixed(2)}, ${rand() < 0.1 ? 'null' : Math.floor(rand() * 100) / 4}, ${rand() < 0.1 ? 'null' : `'${pick(['a', 'b', 'c'])}'`})`,
  ).join(', ');
}

/**
 * One seeded random change to both sides: an insert into, delete from or
 * update of fact, an update of dim, or a REFRESH of one of `views` (keel
 * only). `fresh` is kept to the views no change has made stale since their
 * last refresh (`views` maps each to the base tables it reads).
 */
export async function randomChange(pair: KeelAndDuck, rand: () => number, views: Readonly<Record<string, readonly string[]>>, fresh: Set<string>): Promise<void> {
  const stale = (table: string) => {
    for (const [name, tables] of Object.entries(views)) if (tables.includes(table)) fresh.delete(name);
  };
  const r = rand();
  if (r < 0.25) {
    await pair.both(`insert into fact values ${factRows(rand, 1 + Math.floor(rand() * 20))}`);
    stale('fact');
  } else if (r < 0.35) {
    await pair.both(`delete from fact where k = ${Math.floor(rand() * 30)}`);
    stale('fact');
  } else if (r < 0.45) {
    await pair.both(`update fact set g = (g + 1) % 5, x = x + 1 where k = ${Math.floor(rand() * 30)}`);
    stale('fact');
  } else if (r < 0.5) {
    await pair.both(`update dim set name = 'n${Math.floor(rand() * 7)}' where k = ${Math.floor(rand() * 30)}`);
    stale('dim');
  } else {
    const names = Object.keys(views);
    const name = names[Math.floor(rand() * names.length)]!;
    await pair.db.query(`refresh materialized view ${name}`);
    fresh.add(name);
  }
}
