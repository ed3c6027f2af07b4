/**
 * `keel sql` on statements that once overflowed the stack (issue "Never crash,
 * never lie", point 3): long chains run and print their rows; statements nested
 * past the limits (docs/sql.md, "Limits") print one TOO_COMPLEX error with a
 * short excerpt, exit 1, and never "internal error" or a stack. Runs the built
 * CLI (`npm run build` first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runKeel } from './helpers.js';

let work: string;
let data: string;

const terms = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));

/** Runs one script (from a file: some are longer than a command-line argument may be). */
function sql(script: string, json: boolean) {
  const file = path.join(work, 'script.sql');
  fs.writeFileSync(file, script);
  return runKeel(['sql', '--data', data, '-f', file, ...(json ? ['--json'] : [])], { cwd: work, timeout: 120_000 });
}

function clean(stderr: string): void {
  expect(stderr).not.toContain('internal error');
  expect(stderr).not.toContain('RangeError');
  expect(stderr).not.toMatch(/^\s+at /m);
}

/** The rows of the last statement's JSON result. */
function rowsOf(stdout: string): unknown[][] {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!).rows;
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-chains-'));
  data = path.join(work, 'data');
  const r = runKeel(['sql', '--data', data, 'create table t (a int); insert into t values (0), (1), (5), (19999), (20000), (-1), (null)'], { cwd: work });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('keel sql, long chains', () => {
  it('20,000 ORs, 5,000 UNION ALL branches and an IN list of 100,000 values print their rows', () => {
    const or = sql('select a from t where ' + terms(20_000, (i) => `a = ${i}`).join(' or ') + ' order by a', true);
    clean(or.stderr);
    expect(or.code).toBe(0);
    expect(rowsOf(or.stdout)).toEqual([[0], [1], [5], [19999]]);
    const union = sql('select count(*), sum(x) from (' + terms(5_000, (i) => `select ${i} as x`).join(' union all ') + ') s', true);
    clean(union.stderr);
    expect(union.code).toBe(0);
    expect(rowsOf(union.stdout)).toEqual([[5000, (4999 * 5000) / 2]]);
    const inList = sql('select count(*) from t where a in (' + terms(100_000, (i) => String(i)).join(', ') + ')', true);
    clean(inList.stderr);
    expect(inList.code).toBe(0);
    expect(rowsOf(inList.stdout)).toEqual([[5]]);
  });

  it('select 1 + 1 + ... of 20,000 terms: one TOO_COMPLEX error with line, column and a short excerpt, exit 1', () => {
    const script = 'select ' + terms(20_000, () => '1').join(' + ');
    const r = sql(script, false);
    clean(r.stderr);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: line 1, column 8: statement too complex: expressions nested deeper than 700 levels\n {2}select 1 \+ 1 \+ [ +1]*\.\.\.\n {9}\^\n$/);
    const j = sql(script, true);
    expect(j.code).toBe(1);
    expect(j.stderr).toBe('');
    expect(JSON.parse(j.stdout)).toEqual({
      error: { code: 'TOO_COMPLEX', message: 'statement too complex: expressions nested deeper than 700 levels', line: 1, column: 8 },
    });
  });

  it('((((1)))) 100,000 deep: TOO_COMPLEX at the 401st parenthesis, the excerpt cut around it', () => {
    const r = sql('select ' + '('.repeat(100_000) + '1' + ')'.repeat(100_000), false);
    clean(r.stderr);
    expect(r.code).toBe(1);
    const [first, excerpt, caret] = r.stderr.split('\n');
    expect(first).toBe('error: line 1, column 408: statement too complex: parentheses, calls and subqueries nested deeper than 400 levels');
    expect(excerpt).toBe('  ...' + '('.repeat(160) + '...');
    expect(caret).toBe('  ' + ' '.repeat(3 + 80) + '^');
  });

  it('views nested in views past what the stack holds: TOO_COMPLEX at the use of the outermost view, not a crash', () => {
    // CREATE VIEW binds its query, so the chain is made from the top down, each view over one still plain
    const views = terms(31, (k) => `create view w${k} as select 7 as x`);
    for (let k = 30; k >= 1; k--) views.push(`create or replace view w${k} as select ${'(select '.repeat(100)}x from w${k - 1}${')'.repeat(100)} as x`);
    const setup = sql(views.join(';\n') + ';\nselect x from w2', true);
    clean(setup.stderr);
    expect(setup.code).toBe(0);
    expect(rowsOf(setup.stdout)).toEqual([[7]]);
    // each view alone is within the limits; expanded within one another they need more stack than there is
    const r = sql('select 1;\nselect x from w30', true);
    clean(r.stderr);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).error).toEqual({
      code: 'TOO_COMPLEX',
      message: 'statement too complex: view "w30" and the views it uses nest too deeply to run',
      line: 2,
      column: 15,
    });
  });
});
