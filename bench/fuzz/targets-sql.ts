/**
 * SQL fuzz targets over the fixture tables (sql.ts):
 *
 *  - sql: generated statements, a third of them mutated, run by
 *    Database.execute; every result is read all the ways a caller can (rows,
 *    text rows, Arrow). The workload log is attached, so every statement's
 *    record is built and written too; a warning from it is a failure.
 *  - sql-tlp: a generated predicate P over a generated FROM: the rows where P,
 *    where NOT P and where P IS NULL must together be exactly the rows of the
 *    FROM (ternary logic partitioning).
 *  - sql-oracle: queries of the subset DuckDB must agree with, compared.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Database, SqlError, type QueryResult } from '../../engine/index.js';
import { quoteIdentifier } from '../../engine/sql/index.js';
import { attachWorkloadLog, type WorkloadLog } from '../../workload-log/index.js';
import { decodeRecord, encodeRecord } from '../../workload-log/codec.js';
import type { RunResult, Target } from './campaign.js';
import { classify, crash, OK, wrong, type Outcome } from './outcome.js';
import { Rng } from './rng.js';
import { fixtureScript, fixtureTables, mutateSql, OracleGenerator, schemaOf, SqlGenerator, type FixtureTable, type SchemaInfo, type Value } from './sql.js';

const FIXTURE_SEED = 20_240_601;
const BASE_TABLES = ['t1', 't2', 't3', 't4'];
const BASE_VIEWS = ['v1'];

export interface SqlContext {
  readonly work: string;
  dir: string;
  readonly pristine: string;
  db: Database;
  /** The workload log attached to db: every statement's record is written. */
  log: WorkloadLog;
  readonly warnings: string[];
  /** The base tables' and views' catalog entries, to notice a mutated statement that changed them. */
  readonly base: string;
  generation: number;
  readonly tables: readonly FixtureTable[];
  readonly schema: SchemaInfo;
  duck?: { readonly instance: DuckDBInstance; readonly con: DuckDBConnection };
}

function baseOf(db: Database): string {
  const c = db.catalog();
  return JSON.stringify([BASE_TABLES.map((t) => c.tables[t] ?? null), BASE_VIEWS.map((v) => c.views[v] ?? null)]);
}

async function openFixture(ctx: Pick<SqlContext, 'dir' | 'warnings'>): Promise<{ db: Database; log: WorkloadLog }> {
  const db = await Database.open(ctx.dir, { workers: 0, create: false });
  const log = attachWorkloadLog(db, { warn: (m) => ctx.warnings.push(m), autoCompact: false });
  // the log only warns when it reads a record back: read each one back as it is written
  db.onQuery((r) => {
    const back = decodeRecord(JSON.parse(encodeRecord(r, 'api')));
    if (typeof back === 'string') ctx.warnings.push(`the record of ${JSON.stringify(r.sql.slice(0, 200))} cannot be read back: ${back}`);
  });
  return { db, log };
}

/** Creates the fixture once (pristine) and a working copy of it. */
export async function setupSql(work: string, withDuck = false): Promise<SqlContext> {
  const tables = fixtureTables(new Rng(FIXTURE_SEED));
  const pristine = path.join(work, 'pristine');
  const dir = path.join(work, 'db');
  fs.rmSync(pristine, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  const seed = await Database.open(pristine, { slices: 3, blockRows: 4, workers: 0 });
  await seed.execute(fixtureScript(tables, 'keel').join(';\n'));
  seed.close();
  fs.cpSync(pristine, dir, { recursive: true });
  const warnings: string[] = [];
  const { db, log } = await openFixture({ dir, warnings });
  const ctx: SqlContext = { work, dir, pristine, db, log, warnings, base: baseOf(db), generation: db.catalog().generation, tables, schema: schemaOf(tables) };
  if (withDuck) {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    for (const s of fixtureScript(tables, 'duckdb')) await con.run(s);
    await con.run('SET integer_division = true');
    await con.run("SET default_null_order = 'nulls_last_on_asc_first_on_desc'");
    ctx.duck = { instance, con };
  }
  return ctx;
}

/** Back to the pristine fixture (after a statement changed a base table). */
export async function restoreSql(ctx: SqlContext): Promise<SqlContext> {
  ctx.db.close();
  fs.rmSync(ctx.dir, { recursive: true, force: true });
  fs.cpSync(ctx.pristine, ctx.dir, { recursive: true });
  ({ db: ctx.db, log: ctx.log } = await openFixture(ctx));
  ctx.generation = ctx.db.catalog().generation;
  return ctx;
}

let recoveries = 0;

/** After a hang: a pristine copy in a new directory (the hung statement may still be running against the old one). */
export async function recoverSql(ctx: SqlContext): Promise<SqlContext> {
  ctx.dir = path.join(ctx.work, `db-${++recoveries}`);
  fs.cpSync(ctx.pristine, ctx.dir, { recursive: true });
  ({ db: ctx.db, log: ctx.log } = await openFixture(ctx));
  ctx.generation = ctx.db.catalog().generation;
  return ctx;
}

/** Drops what a scratch script created; restores the fixture if a base table or view changed. */
export async function tidy(ctx: SqlContext): Promise<void> {
  const c = ctx.db.catalog();
  if (c.generation === ctx.generation) return;
  try {
    for (const v of Object.keys(c.views)) if (!BASE_VIEWS.includes(v)) await ctx.db.execute(`drop view ${quoteIdentifier(v)}`);
    for (const t of Object.keys(c.tables)) if (!BASE_TABLES.includes(t)) await ctx.db.execute(`drop table ${quoteIdentifier(t)}`);
  } catch {
    await restoreSql(ctx);
    return;
  }
  if (baseOf(ctx.db) !== ctx.base) await restoreSql(ctx);
  ctx.generation = ctx.db.catalog().generation;
}

/** Reads a result every way a caller can. */
function consume(r: QueryResult): void {
  r.rows();
  r.textRows();
  void r.table.numRows;
}

/** A failure the workload log reported while the input ran (it never throws; it warns). */
export function logWarning(ctx: SqlContext): Outcome | null {
  if (ctx.warnings.length === 0) return null;
  const w = ctx.warnings.splice(0).join('\n');
  return crash(new Error(`workload log warning: ${w}`));
}

/** Runs a script; the outcome, and the results when it ran. */
async function execute(ctx: SqlContext, sql: string): Promise<{ outcome: Outcome; results?: QueryResult[] }> {
  let out: { outcome: Outcome; results?: QueryResult[] };
  try {
    const results = await ctx.db.execute(sql);
    for (const r of results) consume(r);
    out = { outcome: OK, results };
  } catch (e) {
    out = { outcome: classify(e) };
    // a SQL error says what and where: a message, and a position inside the script that describe() can show
    if (out.outcome.kind === 'error' && e instanceof SqlError) {
      const at = e.position;
      if (!e.message.trim()) out = { outcome: wrong('a SqlError without a message', `${e.code}`) };
      else if (at && !(at.offset >= 0 && at.offset <= sql.length && at.line >= 1 && at.column >= 1)) {
        out = { outcome: wrong('a SqlError points outside the statement', `${e.code} at ${JSON.stringify(at)} of ${sql.length} characters: ${e.message}`) };
      } else {
        try {
          e.describe();
        } catch (d) {
          out = { outcome: crash(d) };
        }
      }
    }
  }
  const w = logWarning(ctx);
  if (w && out.outcome.kind !== 'crash') out = { outcome: w };
  return out;
}

const textShrink = (s: string) => ({ items: Array.from(s), rebuild: (items: readonly unknown[]) => items.join('') });

export const sqlTarget: Target<SqlContext, string> = {
  kind: 'sql',
  setup: (work) => setupSql(work),
  generate(rng, ctx) {
    const gen = new SqlGenerator(rng, ctx.schema, 3);
    const s = gen.statement();
    return rng.chance(0.35) ? mutateSql(rng, s, gen.statement()) : s;
  },
  async run(ctx, sql) {
    try {
      return { outcome: (await execute(ctx, sql)).outcome };
    } finally {
      await tidy(ctx);
    }
  },
  show: (s) => s,
  parts: textShrink,
  recover: recoverSql,
  async teardown(ctx) {
    ctx.db.close();
  },
};

// ------------------------------------------------------------------ TLP

export interface TlpInput {
  readonly from: string;
  readonly pred: string;
  /**
   * where: the rows of the three partitions are the rows; distinct: so are the
   * distinct values of `expr`; aggregate: COUNT, MIN, MAX and SUM of `expr` are
   * those of the partitions', combined.
   */
  readonly mode: 'where' | 'distinct' | 'aggregate';
  readonly expr: string;
}

/** Statement-time functions read the clock once per statement: the partitions would see different times. */
function deterministic(sql: string): string {
  return sql
    .replace(/getdate\(\)|sysdate/g, "timestamp '2021-06-01 12:00:00'")
    .replace(/current_date/g, "date '2021-06-01'")
    .replace(/ limit \d+/g, '');
}

function multiset(rows: readonly (readonly Value[])[]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

function tlpQueries({ from, pred, mode, expr }: TlpInput): string[] {
  const select = mode === 'where' ? 'select *' : mode === 'distinct' ? `select distinct ${expr}` : `select count(${expr}), min(${expr}), max(${expr}), sum(${expr})`;
  const base = `${select} from ${from}`;
  return [base, `${base} where ${pred}`, `${base} where not (${pred})`, `${base} where (${pred}) is null`];
}

/** The aggregate row of the whole from the partitions' rows: counts and sums added, the least minimum, the greatest maximum. */
function combineAggregates(parts: readonly (readonly Value[])[]): Value[] {
  const nums = (i: number) => parts.map((p) => p[i]!).filter((v): v is number => typeof v === 'number');
  const sum = nums(3);
  return [
    nums(0).reduce((a, b) => a + b, 0),
    nums(1).length ? Math.min(...nums(1)) : null,
    nums(2).length ? Math.max(...nums(2)) : null,
    sum.length ? sum.reduce((a, b) => a + b, 0) : null,
  ];
}

export const tlpTarget: Target<SqlContext, TlpInput> = {
  kind: 'sql-tlp',
  setup: (work) => setupSql(work),
  generate(rng, ctx) {
    const gen = new SqlGenerator(rng, ctx.schema, 2);
    const from = gen.fromClause(1);
    const mode = rng.weighted({ where: 6, distinct: 2, aggregate: 2 });
    // an integer expression for the aggregates (exact sums), anything for DISTINCT
    const expr = mode === 'where' ? '' : deterministic(gen.expr(mode === 'aggregate' ? 'int' : rng.pick(['int', 'str', 'date', 'bool'] as const), from.columns, 1));
    return { from: deterministic(from.sql), pred: deterministic(gen.predicate(from.columns, 2)), mode, expr };
  },
  async run(ctx, input) {
    const rows: Value[][][] = [];
    for (const q of tlpQueries(input)) {
      const r = await execute(ctx, q);
      if (r.outcome.kind !== 'ok') return { outcome: r.outcome };
      rows.push(r.results![0]!.rows());
    }
    const [whole, p, notP, isNull] = rows as [Value[][], Value[][], Value[][], Value[][]];
    let diff: string | null = null;
    if (input.mode === 'aggregate') {
      const want = combineAggregates([p[0]!, notP[0]!, isNull[0]!]);
      const got = whole[0]!;
      // SUM is exact in keel (BIGINT, or a compensated DOUBLE sum): compare as numbers within rounding
      const same = got.every((v, i) => v === want[i] || (typeof v === 'number' && typeof want[i] === 'number' && Math.abs(v - (want[i] as number)) <= 1e-9 * Math.max(1, Math.abs(v))));
      if (!same) diff = `COUNT, MIN, MAX, SUM: ${JSON.stringify(got)} over all rows, ${JSON.stringify(want)} from the partitions (${JSON.stringify([p[0], notP[0], isNull[0]])})`;
    } else {
      const all = multiset(whole);
      const union = input.mode === 'where' ? multiset([...p, ...notP, ...isNull]) : [...new Set(multiset([...p, ...notP, ...isNull]))];
      if (all.length !== union.length || all.some((x, i) => x !== union[i])) {
        diff = `${all.length} ${input.mode === 'where' ? 'rows' : 'distinct values'}; where P: ${p.length}, where NOT P: ${notP.length}, where P IS NULL: ${isNull.length}`;
      }
    }
    return { outcome: diff ? wrong(`TLP (${input.mode}): P, NOT P and P IS NULL do not partition the rows`, diff) : OK, checked: true };
  },
  show: (input) => `${tlpQueries(input)[1]}  -- and NOT (P), (P) IS NULL, no WHERE`,
  parts: (input) => ({ items: Array.from(input.pred), rebuild: (items) => ({ ...input, pred: items.join('') }) }),
  recover: recoverSql,
  async teardown(ctx) {
    ctx.db.close();
  },
};

// ------------------------------------------------------------------ DuckDB oracle

export interface OracleInput {
  readonly sql: string;
  readonly ordered: boolean;
}

const NUMERIC = /^(DECIMAL|BIGINT|HUGEINT|UHUGEINT|INTEGER|SMALLINT|TINYINT|DOUBLE|FLOAT|REAL|UBIGINT|UINTEGER|USMALLINT|UTINYINT)/;

async function duckRows(con: DuckDBConnection, sql: string): Promise<Value[][]> {
  const r = await con.runAndReadAll(sql);
  const numeric = r.columnTypes().map((t) => NUMERIC.test(String(t)));
  return (r.getRowsJson() as unknown[][]).map((row) =>
    row.map((v, i) => {
      if (v === null || v === undefined) return null;
      if (numeric[i]) return Number(v);
      if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
      return String(v);
    }),
  );
}

function sameValue(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  return a === b;
}

function rowKey(r: readonly Value[]): string {
  return JSON.stringify(r.map((v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)));
}

/** Null when the two results agree (in order when `ordered`, else as multisets), else the first difference. */
export function compareRows(keel: readonly (readonly Value[])[], duck: readonly (readonly Value[])[], ordered: boolean): string | null {
  if (keel.length !== duck.length) return `${keel.length} rows in keel, ${duck.length} in DuckDB; keel ${JSON.stringify(keel.slice(0, 3))}, DuckDB ${JSON.stringify(duck.slice(0, 3))}`;
  const sort = (rs: readonly (readonly Value[])[]) => (ordered ? [...rs] : [...rs].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : rowKey(x) > rowKey(y) ? 1 : 0)));
  const a = sort(keel);
  const b = sort(duck);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.length !== y.length || x.some((v, j) => !sameValue(v, y[j]!))) return `row ${i + 1}: keel ${JSON.stringify(x)}, DuckDB ${JSON.stringify(y)}`;
  }
  return null;
}

export const oracleTarget: Target<SqlContext, OracleInput> = {
  kind: 'sql-oracle',
  setup: (work) => setupSql(work, true),
  generate(rng, ctx) {
    return new OracleGenerator(rng, ctx.schema).query();
  },
  async run(ctx, { sql, ordered }): Promise<RunResult> {
    const k = await execute(ctx, sql);
    let duck: Value[][] | null = null;
    let duckError: string | null = null;
    try {
      duck = await duckRows(ctx.duck!.con, sql);
    } catch (e) {
      duckError = (e as Error).message;
    }
    if (k.outcome.kind !== 'ok') {
      // UNSUPPORTED is keel saying what it does not do (docs/sql.md, "Not supported"), not a wrong answer
      if (k.outcome.kind === 'error' && k.outcome.code !== 'UNSUPPORTED' && duckError === null) {
        return { outcome: wrong(`keel fails with ${k.outcome.code} where DuckDB answers`, `DuckDB: ${JSON.stringify(duck!.slice(0, 3))}`) };
      }
      return { outcome: k.outcome };
    }
    if (duck === null) return { outcome: OK };
    const diff = compareRows(k.results![0]!.rows(), duck, ordered);
    return { outcome: diff ? wrong('keel and DuckDB answer differently', diff) : OK, checked: true };
  },
  show: ({ sql, ordered }) => `${sql}${ordered ? '' : '  -- compared as multisets'}`,
  parts: (input) => ({ items: Array.from(input.sql), rebuild: (items) => ({ sql: items.join(''), ordered: input.ordered }) }),
  recover: recoverSql,
  async teardown(ctx) {
    ctx.db.close();
    ctx.duck?.con.closeSync();
    ctx.duck?.instance.closeSync();
  },
};
