/**
 * What `keel` prints, as a script sees it (issue "Never crash, never lie",
 * points 13 and 15): NULL apart from the string 'NULL', DECIMAL at its scale,
 * no exponent form but for doubles, piped output never cut, byte figures a
 * person reads in units, and import problems grouped. Runs the built CLI
 * (`npm run build` first); terminal-only behaviour is in output.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runKeel } from './helpers.js';

let work: string;
const keel = (args: string[], input?: string) => runKeel(args, { cwd: work, ...(input === undefined ? {} : { input }) });

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-out-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('values', () => {
  let data: string;
  beforeAll(() => {
    data = path.join(work, 'values');
    const setup = keel([
      'sql',
      '--data',
      data,
      `create table t (a int, x decimal(8,2), y decimal(20,7), b bigint, s varchar(300), f double precision);
       insert into t values (1, 12.5, 0.0000001, 9007199254740991, 'NULL', 1e-7),
                            (2, null, null, null, null, null),
                            (3, -0.25, 12345678.1234567, -5, '', 0.5);`,
    ]);
    expect(setup.code).toBe(0);
  });

  it('prints NULL apart from the string NULL: empty by default, --null STR as given; JSON null and "NULL"', () => {
    const q = 'select a, s from t order by a';
    const lines = keel(['sql', '--data', data, q]).stdout.split('\n');
    expect(lines.slice(2, 5)).toEqual(['1 | NULL', '2 |     ', '3 |     ']);
    const marked = keel(['sql', '--data', data, '--null', '(null)', q]).stdout.split('\n');
    expect(marked.slice(2, 5)).toEqual(['1 | NULL  ', '2 | (null)', '3 |       ']);
    const csv = keel(['sql', '--data', data, '--csv', q]).stdout;
    expect(csv).toBe('a,s\n1,NULL\n2,\n3,""\n');
    const json = JSON.parse(keel(['sql', '--data', data, '--json', q]).stdout);
    expect(json.rows).toEqual([
      [1, 'NULL'],
      [2, null],
      [3, ''],
    ]);
  });

  it('prints DECIMAL at its scale in table, CSV and JSON', () => {
    const q = 'select x, y from t where a = 1';
    const table = keel(['sql', '--data', data, q]).stdout.split('\n');
    expect(table[2]).toBe('12.50 | 0.0000001');
    expect(keel(['sql', '--data', data, '--csv', q]).stdout).toBe('x,y\n12.50,0.0000001\n');
    const json = keel(['sql', '--data', data, '--json', q]).stdout;
    // a JSON number literal at the scale; JSON.parse reads it as 12.5
    expect(json).toContain('"rows":[[12.50,0.0000001]]');
    expect(JSON.parse(json).rows).toEqual([[12.5, 1e-7]]);
  });

  it('prints every digit of integers and decimal sums; only DOUBLE in exponent form', () => {
    const data2 = path.join(work, 'sums');
    const values = Array.from({ length: 1000 }, () => '(9000000000000000)').join(', ');
    expect(keel(['sql', '--data', data2, `create table w (x decimal(16,0)); insert into w values ${values}`]).code).toBe(0);
    // 10^6 rows of 9 * 10^15: 9 * 10^21, which JavaScript prints as 9e+21
    const sum = keel(['sql', '--data', data2, '--csv', 'select sum(a.x) as s from w a cross join w b']);
    expect(sum.stderr).toBe('');
    expect(sum.stdout).toBe('s\n9000000000000000000000\n');
    const json = keel(['sql', '--data', data2, '--json', 'select sum(a.x) as s from w a cross join w b']).stdout;
    expect(json).toContain('"rows":[[9000000000000000000000]]');
    const r = keel(['sql', '--data', data, '--csv', 'select b, y, f from t where a = 1']);
    expect(r.stdout.split('\n')[1]).toBe('9007199254740991,0.0000001,1e-7');
  });

  it('never cuts piped output, however long a string is', () => {
    const long = 'x'.repeat(280) + 'END';
    expect(keel(['sql', '--data', data, `insert into t (a, s) values (4, '${long}')`]).code).toBe(0);
    const out = keel(['sql', '--data', data, 'select a, s, a * 1000 as n from t where a = 4']).stdout;
    expect(out).toContain(long);
    expect(out).not.toContain('…');
  });
});

describe('byte figures', () => {
  let data: string;
  beforeAll(() => {
    data = path.join(work, 'bytes');
    const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(', ');
    const setup = keel([
      'sql',
      '--data',
      data,
      `create table f (id int, d int) diststyle key distkey(id);
       create table g (id int, name varchar(10)) diststyle key distkey(name);
       insert into f values ${rows(3000, (i) => `(${i}, ${i})`)};
       insert into g values ${rows(3000, (i) => `(${i}, 'n${i}')`)};
       select count(*) from f join g on f.d = g.id;`,
    ]);
    expect(setup.code).toBe(0);
  });

  it('keel log and the replay summary state bytes moved in units; --json keeps raw numbers', () => {
    const top = keel(['log', '--data', data]).stdout;
    const joinLine = top.split('\n').find((l) => l.includes('select count(*) from f join g'));
    expect(joinLine).toMatch(/\|\s+\d+(\.\d+)? KB \|/);
    const history = keel(['log', 'history', '--data', data]).stdout;
    expect(history).toMatch(/\d+(\.\d+)? KB \|/);
    const trace = path.join(work, 'join.jsonl');
    fs.writeFileSync(trace, JSON.stringify({ ts: 0, sql: 'select count(*) from f join g on f.d = g.id' }) + '\n');
    const summary = keel(['replay', trace, '--data', data]).stdout;
    expect(summary).toMatch(/bytes moved\s+\|\s+\d+(\.\d+)? KB/);
    const json = JSON.parse(keel(['replay', trace, '--data', data, '--json']).stdout);
    expect(Number.isInteger(json.bytesMoved)).toBe(true);
    expect(json.bytesMoved).toBeGreaterThan(1000);
    const logJson = JSON.parse(keel(['log', '--data', data, '--json']).stdout);
    expect(typeof logJson.byBytesMoved[0].bytesMoved).toBe('number');
  });
});

describe('keel log import', () => {
  it('groups its problems: one line per group with the count and the first line numbers', () => {
    const data = path.join(work, 'import');
    expect(keel(['sql', '--data', data, 'create table events (id int, kind varchar(20))']).code).toBe(0);
    const csv = path.join(work, 'history.csv');
    const rows = ['query_id,user_id,status,start_time,elapsed_time,query_text', '1,100,success,2024-05-01 10:00:00,2000,select kind from events'];
    for (let i = 0; i < 120; i++) rows.push(`${i + 2},100,success,2024-05-01 10:01:00,1000,select * from clicks where id = ${i}`);
    for (let i = 0; i < 3; i++) rows.push(`${i + 200},100,success,2024-05-01 10:02:00,1000,CALL refresh_events(1)`);
    fs.writeFileSync(csv, rows.join('\n') + '\n');
    const r = keel(['log', 'import', '--format', 'redshift', csv, '--data', data]);
    expect(r.code).toBe(0);
    const out = r.stdout.split('\n');
    expect(out.filter((l) => l.includes('clicks'))).toHaveLength(1);
    const clicks = out.find((l) => l.includes('clicks'))!;
    expect(clicks).toMatch(/^\s*120 \| bind\s+\|.*"clicks".*\| 3, 4, 5, 6, 7, …\s+\|/);
    expect(out.find((l) => l.includes('CALL'))).toMatch(/^\s*3 \| parse\s+\|.*\| 123, 124, 125\s+\|/);
    expect(r.stdout).toContain('123 problems in 2 groups');
    const data2 = path.join(work, 'import2');
    expect(keel(['sql', '--data', data2, 'create table events (id int, kind varchar(20))']).code).toBe(0);
    const j = JSON.parse(keel(['log', 'import', '--format', 'redshift', csv, '--data', data2, '--json']).stdout);
    expect(j.problemGroups.map((g: { stage: string; count: number }) => [g.stage, g.count])).toEqual([
      ['bind', 120],
      ['parse', 3],
    ]);
  });
});
