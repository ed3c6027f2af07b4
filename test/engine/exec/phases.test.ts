/**
 * Where a query's time goes (QueryStats.phases, EXPLAIN ANALYZE's Phases
 * line), and compiled code found by its generated source: a query of the same
 * shape with another LIKE pattern or long IN list compiles nothing new.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';

let db: Database;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-phases-'));
  db = await Database.open(dir, { slices: 2, workers: 0 });
  await db.execute('create table t (k integer, s varchar(20))');
  await db.execute(`insert into t values ${Array.from({ length: 500 }, (_, i) => `(${i}, 'w${i % 37}')`).join(', ')}`);
});

afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const phasesOf = async (sql: string) => {
  const r = await db.query(sql);
  expect(r.stats.phases).toBeDefined();
  return r.stats.phases!;
};

describe('query phases', () => {
  it('times parse, bind, plan, compile, first batch and execution of a SELECT', async () => {
    const r = await db.query(`select s, count(*) from t where k > 10 and s like 'w1%' group by s`);
    const p = r.stats.phases!;
    for (const k of ['parseMs', 'bindMs', 'planMs', 'compileMs', 'firstBatchMs', 'executeMs'] as const) expect(p[k]).toBeGreaterThanOrEqual(0);
    expect(p.firstBatchMs).toBeLessThanOrEqual(p.executeMs);
    expect(p.parseMs + p.bindMs + p.planMs + p.executeMs).toBeLessThanOrEqual(r.stats.elapsedMs + 1e-6);
    expect(p.compiled + p.reused).toBeGreaterThan(0);
  });

  it('has no phases for a statement that is not a query', async () => {
    const [r] = await db.execute('insert into t values (1000, null)');
    expect(r!.stats.phases).toBeUndefined();
    await db.execute('delete from t where k = 1000');
  });

  it('compiles nothing for a query whose generated code was compiled before', async () => {
    // the first query compiles its filter; the second differs only in the pattern, which the code takes as a constant
    const first = await phasesOf(`select count(*) from t where s like '%7' and k < 400`);
    const second = await phasesOf(`select count(*) from t where s like '%3' and k < 400`);
    // an IN list of more than 8 values is a Set the code takes as a constant (shorter ones are inlined as literals)
    const inList = (from: number) => Array.from({ length: 9 }, (_, i) => `'w${from + i}'`).join(', ');
    const third = await phasesOf(`select count(*) from t where s in (${inList(1)}) and k < 400`);
    const fourth = await phasesOf(`select count(*) from t where s in (${inList(20)}) and k < 400`);
    expect(first.compiled).toBeGreaterThan(0);
    expect(second).toMatchObject({ compiled: 0 });
    expect(second.reused).toBeGreaterThan(0);
    expect(third.compiled).toBeGreaterThan(0);
    expect(fourth).toMatchObject({ compiled: 0 });
    // the results are those of their own constants
    expect((await db.query(`select count(*) from t where s like '%3' and k < 400`)).rows()).toEqual([[rowsLike('3')]]);
    expect((await db.query(`select count(*) from t where s like '%7' and k < 400`)).rows()).toEqual([[rowsLike('7')]]);
    expect((await db.query(`select count(*) from t where s in (${inList(20)}) and k < 400`)).rows()).toEqual([[countIn(20)]]);
  });

  it('prints the phases in EXPLAIN ANALYZE, before the total', async () => {
    const r = await db.query('explain analyze select count(*) from t where k < 100');
    const lines = r.rows().map((x) => String(x[0]));
    expect(lines[lines.length - 2]).toMatch(
      /^Phases: parse [\d.]+ ms, bind [\d.]+ ms, plan [\d.]+ ms, compile [\d.]+ ms \(\d+ functions compiled, \d+ reused\), first batch [\d.]+ ms, execute [\d.]+ ms$/,
    );
    expect(lines[lines.length - 1]).toMatch(/^Total: /);
  });
});

/** Rows of t with k < 400 whose s ends in `d` (s is 'w' and k mod 37). */
function rowsLike(d: string): number {
  let n = 0;
  for (let k = 0; k < 400; k++) if (`w${k % 37}`.endsWith(d)) n++;
  return n;
}

/** Rows of t with k < 400 whose s is one of w<from> .. w<from + 8>. */
function countIn(from: number): number {
  let n = 0;
  for (let k = 0; k < 400; k++) if (k % 37 >= from && k % 37 < from + 9) n++;
  return n;
}
