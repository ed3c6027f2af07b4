/**
 * Long flat chains and deep nesting never overflow the stack (docs/sql.md, "Limits"):
 * chains of AND, OR and UNION [ALL] of any length bind, plan and run; an IN list
 * of 100,000 values runs; past the nesting limits (700 levels of operators, 400
 * levels of parentheses, calls and subqueries in the text) a statement is a
 * TOO_COMPLEX SqlError pointing at the part that is too deep, never a RangeError.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, SqlError } from '../../../engine/index.js';

let db: Database;

/** The rows of t: a few small values, the ends of 0..19999 and just past them, and a NULL. */
const A = [0, 1, 5, 19999, 20000, -1, null];

beforeAll(async () => {
  db = await Database.open(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-chains-')), { slices: 3 });
  await db.execute('create table t (a integer) diststyle even');
  await db.execute(`insert into t values ${A.map((a) => `(${a})`).join(', ')}`);
});

afterAll(() => db?.close());

const terms = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

async function rows(sql: string): Promise<unknown[][]> {
  return (await db.query(sql)).rows();
}

/** The SqlError `sql` fails with (anything else fails the test). */
async function failure(sql: string): Promise<SqlError> {
  let caught: unknown = null;
  try {
    await db.execute(sql);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SqlError);
  return caught as SqlError;
}

const OPERATORS_TOO_DEEP = 'statement too complex: expressions nested deeper than 700 levels';
const QUERIES_TOO_DEEP = 'statement too complex: subqueries, joins and set operations nested deeper than 700 levels';
const TEXT_TOO_DEEP = 'statement too complex: parentheses, calls and subqueries nested deeper than 400 levels';

describe('long chains', () => {
  it('20,000 ORs run: WHERE a = 0 OR a = 1 OR ... OR a = 19999', async () => {
    const where = terms(20_000, (i) => `a = ${i}`).join(' or ');
    expect(await rows(`select a from t where ${where} order by a`)).toEqual([[0], [1], [5], [19999]]);
    // NOT of the chain: NULL stays out of both
    expect(await rows(`select a from t where not (${where}) order by a`)).toEqual([[-1], [20000]]);
  });

  it('20,000 ANDs run, in WHERE and in HAVING', async () => {
    const where = terms(20_000, (i) => `a <> ${i + 100_000}`).join(' and ');
    expect(await rows(`select count(*) from t where ${where}`)).toEqual([[6]]);
    const having = terms(20_000, (i) => `a <> ${i}`).join(' and ');
    expect(await rows(`select a, count(*) from t group by a having ${having} order by a`)).toEqual([[-1, 1], [20000, 1]]);
  });

  it('an OR of 5,000 ANDs that are not plain comparisons runs', async () => {
    const where = terms(5_000, (i) => `(a + 1 = ${i + 1} and a * 2 >= 0)`).join(' or ');
    expect(await rows(`select a from t where ${where} order by a`)).toEqual([[0], [1], [5]]);
  });

  it('5,000 UNION ALL branches run as one list; a chain of UNIONs too', async () => {
    const all = terms(5_000, (i) => `select ${i} as x`).join(' union all ');
    expect(await rows(`select count(*), sum(x), min(x), max(x) from (${all}) s`)).toEqual([[5000, (4999 * 5000) / 2, 0, 4999]]);
    const top = await rows(terms(5_000, (i) => `select ${i}`).join(' union all '));
    expect(top).toHaveLength(5000);
    expect(top.map((r) => r[0]).sort((x, y) => (x as number) - (y as number))).toEqual(range(5_000));
    const distinct = terms(3_000, (i) => `select ${i % 10} as x`).join(' union ');
    expect(await rows(`select x from (${distinct}) s order by x`)).toEqual(range(10).map((i) => [i]));
    // column types resolve over the whole chain: INTEGER, DECIMAL and a string literal are DECIMAL
    expect(await rows(`select x from (select 1 as x union all select 2.5 union all select '3.5' union all select 4) s order by x`)).toEqual([[1], [2.5], [3.5], [4]]);
  });

  it('an IN list of 100,000 values runs, and NOT IN', async () => {
    const list = terms(100_000, (i) => String(i)).join(', ');
    expect(await rows(`select a from t where a in (${list}) order by a`)).toEqual([[0], [1], [5], [19999], [20000]]);
    expect(await rows(`select a from t where a not in (${list}) order by a`)).toEqual([[-1]]);
  });

  it('an IN list with an expression among 5,000 values runs (an OR of equalities)', async () => {
    const list = terms(5_000, (i) => String(i + 2)).join(', ');
    expect(await rows(`select a from t where a in (a + 1, ${list}) order by a`)).toEqual([[5]]);
  });

  it('a CASE of 10,000 WHENs and a COALESCE of 10,000 arguments run', async () => {
    const whens = terms(10_000, (i) => `when a = ${i} then ${i * 2}`).join(' ');
    expect(await rows(`select a, case ${whens} else -1 end from t where a is not null order by a`)).toEqual([
      [-1, -1],
      [0, 0],
      [1, 2],
      [5, 10],
      [19999, -1],
      [20000, -1],
    ]);
    const args = terms(10_000, () => 'null').join(', ');
    expect(await rows(`select coalesce(${args}, a, 7) from t order by 1`)).toEqual([[-1], [0], [1], [5], [7], [19999], [20000]]);
  });
});

describe('nesting limits', () => {
  it('SELECT 1 + 1 + ... of 20,000 terms is TOO_COMPLEX, pointing at the expression', async () => {
    const e = await failure('select ' + terms(20_000, () => '1').join(' + '));
    expect(e.code).toBe('TOO_COMPLEX');
    expect(e.message).toBe(OPERATORS_TOO_DEEP);
    expect(e.position).toMatchObject({ line: 1, column: 8 });
  });

  it('a chain of 700 terms runs and gives the sum; 701 is TOO_COMPLEX', async () => {
    const sum = (n: number) => 'select a, ' + terms(n, (i) => (i % 2 ? 'a' : '1')).join(' + ') + ' from t where a between 0 and 5 order by a';
    // 350 ones and 350 a's
    expect(await rows(sum(700))).toEqual([0, 1, 5].map((a) => [a, 350 + 350 * a]));
    expect((await failure(sum(701))).message).toBe(OPERATORS_TOO_DEEP);
    expect(await rows('select ' + terms(700, () => "'x'").join(' || '))).toEqual([['x'.repeat(700)]]);
  });

  it('((((1)))) 100,000 deep is TOO_COMPLEX at the 401st parenthesis; 400 deep runs', async () => {
    const e = await failure('select ' + '('.repeat(100_000) + '1' + ')'.repeat(100_000));
    expect(e.code).toBe('TOO_COMPLEX');
    expect(e.message).toBe(TEXT_TOO_DEEP);
    expect(e.position).toMatchObject({ line: 1, column: 8 + 400 });
    expect(await rows('select ' + '('.repeat(400) + '41 + 1' + ')'.repeat(400))).toEqual([[42]]);
    const calls = (n: number) => 'select ' + 'abs('.repeat(n) + 'a - 8' + ')'.repeat(n) + ' from t where a = 5';
    expect(await rows(calls(400))).toEqual([[3]]);
    expect((await failure(calls(401))).message).toBe(TEXT_TOO_DEEP);
  });

  it('nested subqueries, set operations and joins count five levels each', async () => {
    const scalar = (n: number) => 'select ' + '(select '.repeat(n) + '1' + ')'.repeat(n);
    expect(await rows(scalar(116))).toEqual([[1]]);
    expect((await failure(scalar(117))).message).toBe(QUERIES_TOO_DEEP);
    // n EXCEPTs: 5n levels, and the last select's item
    const except = (n: number) => terms(n + 1, (i) => `select ${i}`).join(' except ');
    expect(await rows(except(139))).toEqual([[0]]);
    const e = await failure(except(140));
    expect(e.code).toBe('TOO_COMPLEX');
    expect(e.message).toBe(QUERIES_TOO_DEEP);
    const joins = (n: number) => 'select count(*) from t t0 ' + terms(n, (i) => `join t t${i + 1} on t${i + 1}.a = t${i}.a`).join(' ');
    expect(await rows(joins(20))).toEqual([[6]]);
    expect((await failure(joins(140))).message).toBe(QUERIES_TOO_DEEP);
  });

  it('an error in the second statement of a script points into the script', async () => {
    const e = await failure('select 1;\nselect 2,\n  ' + terms(20_000, () => '1').join(' + '));
    expect(e.code).toBe('TOO_COMPLEX');
    expect(e.position).toMatchObject({ line: 3, column: 3 });
    // the excerpt shows a window of the 80,000-character line around the caret, not all of it
    const text = e.describe();
    expect(text.startsWith(`line 3, column 3: ${OPERATORS_TOO_DEEP}\n  `)).toBe(true);
    expect(text.length).toBeLessThan(500);
    expect(text).toMatch(/\n {4}1 \+ 1 \+ [ +1]*\.\.\.\n {4}\^$/);
  });

  it('views within views past what the stack holds are TOO_COMPLEX at the use of the outermost view', async () => {
    // each view alone is within the limits (100 nested subqueries); expanded within one another they are not.
    // CREATE VIEW binds its query, so the chain is made from the top down, each view over one still plain.
    for (let k = 0; k <= 30; k++) await db.execute(`create view w${k} as select 7 as x`);
    for (let k = 30; k >= 1; k--) await db.execute(`create or replace view w${k} as select ${'(select '.repeat(100)}x from w${k - 1}${')'.repeat(100)} as x`);
    expect(await rows('select x from w2')).toEqual([[7]]);
    const e = await failure('select 1;\nselect x + 1 from w30');
    expect(e.code).toBe('TOO_COMPLEX');
    expect(e.message).toBe('statement too complex: view "w30" and the views it uses nest too deeply to run');
    expect(e.position).toMatchObject({ line: 2, column: 19 });
  });

  it('nothing fails with a RangeError: every statement here runs or is a SqlError', async () => {
    const statements = [
      'select ' + terms(20_000, () => 'a').join(' * ') + ' from t',
      'select ' + '- '.repeat(100_000) + '1',
      'select ' + 'not '.repeat(100_000) + 'true',
      'select ' + '(select '.repeat(50_000) + '1' + ')'.repeat(50_000),
      'select * from ' + '(select * from '.repeat(50_000) + 't' + ') x'.repeat(50_000),
      '('.repeat(100_000) + 'select 1' + ')'.repeat(100_000),
      'select * from ' + '('.repeat(100_000) + 't' + ')'.repeat(100_000),
      terms(20_000, (i) => `select ${i}`).join(' intersect '),
      'select ' + 'case when true then '.repeat(50_000) + '1' + ' end'.repeat(50_000),
      'select ' + terms(20_000, () => "'x'").join(' || '),
      'select cast(' + terms(20_000, () => 'a').join(' - ') + ' as bigint) from t',
    ];
    for (const sql of statements) {
      const e = await failure(sql);
      expect(e.code).toBe('TOO_COMPLEX');
      expect(e.message.startsWith('statement too complex: ')).toBe(true);
    }
  });
});
