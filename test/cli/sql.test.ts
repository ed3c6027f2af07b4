/** The keel command as a script sees it: JSON per statement, clear errors without stacks, exit codes. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const KEEL = path.resolve(__dirname, '../../bin/keel.js');

function keel(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [KEEL, ...args], { encoding: 'utf8', input });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-'));
}

function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('internal error');
}

describe('keel sql', () => {
  it('prints one JSON object per statement of a file, in order, as DESIGN.md specifies', () => {
    const dir = path.join(tmp(), 'db');
    expect(keel(['init', '--data', dir, '--slices', '3']).code).toBe(0);
    const script = path.join(tmp(), 's.sql');
    fs.writeFileSync(
      script,
      `create table t (a int, d date, x decimal(8,2), s varchar(10)) diststyle key distkey(a);
       insert into t values (1, '2020-02-29', 12.5, 'one'), (2, null, -0.25, null);
       select a, d, x, s from t order by a;
       select count(*) as n from t;`,
    );
    const r = keel(['sql', '--data', dir, '-f', script, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['columns', 'rows', 'stats']);
      for (const k of ['elapsedMs', 'rowsMoved', 'bytesMoved', 'blocksScanned', 'blocksSkipped']) expect(typeof l.stats[k]).toBe('number');
    }
    expect(lines[2].columns).toEqual([
      { name: 'a', type: 'integer' },
      { name: 'd', type: 'date' },
      { name: 'x', type: 'decimal(8,2)' },
      { name: 's', type: 'varchar(10)' },
    ]);
    expect(lines[2].rows).toEqual([
      [1, '2020-02-29', 12.5, 'one'],
      [2, null, -0.25, null],
    ]);
    expect(lines[3].rows).toEqual([[2]]);
    expect(lines[2].stats.blocksScanned).toBeGreaterThan(0);
  });

  it('reports a syntax error with line, column and caret, exit 1, no stack, and runs nothing of the script', () => {
    const dir = path.join(tmp(), 'db');
    keel(['init', '--data', dir]);
    const script = 'create table t (a int);\nselect a,\n  from t;';
    // --json: the error is a JSON object on standard output, with its position
    const j = keel(['sql', '--data', dir, '--json'], script);
    expect(j.code).toBe(1);
    expect(j.stderr).toBe('');
    const err = JSON.parse(j.stdout);
    expect(err).toEqual({ error: { code: 'SYNTAX', message: expect.stringContaining('"from"'), line: 3, column: 3 } });
    expect(keel(['sql', '--data', dir, 'select * from t']).stderr).toContain('does not exist');
    const r = keel(['sql', '--data', dir], script);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/line 3, column 3/);
    expect(r.stderr).toContain('"from"');
    expect(r.stderr).toMatch(/\n\s+\^/);
    noStack(r.stderr);
  });

  it('points binder and DDL errors in any statement of a script at their own line and column', () => {
    const dir = path.join(tmp(), 'db');
    const file = path.join(tmp(), 'script.sql');
    fs.writeFileSync(file, 'select 1 as a;\nselect nope;\nselect 3;\n');
    const r = keel(['sql', '--data', dir, '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: line 2, column 8: column "nope" does not exist\n {2}select nope;\n {9}\^/m);
    noStack(r.stderr);
    const arg = keel(['sql', '--data', dir, 'select 1; select nope']);
    expect(arg.stderr).toMatch(/line 1, column 18: column "nope" does not exist/);
    // a DDL error and a type error after several lines, a comment and a blank line
    fs.writeFileSync(file, '-- setup\ncreate table t (a int, b varchar(4));\n\ninsert into t values (1, \'x\');\nalter table t\n  alter distkey zz;\n');
    const ddl = keel(['sql', '--data', path.join(tmp(), 'db2'), '-f', file]);
    expect(ddl.stderr).toMatch(/line 6, column 17: .*"zz"/);
    // keel explain builds EXPLAIN around the statement; the error still points into the statement as typed
    const explained = keel(['explain', '--analyze', '--data', dir, '--json', 'select 1,\n nope']);
    expect(JSON.parse(explained.stdout)).toEqual({ error: { code: 'UNKNOWN_COLUMN', message: 'column "nope" does not exist', line: 2, column: 2 } });
    const typed = keel(['sql', '--data', dir, 'create table u (a int);\nselect a\n  from u\n  where a = \'x\' + 1;']);
    expect(typed.code).toBe(1);
    expect(typed.stderr).toMatch(/line 4, column \d+/);
    noStack(typed.stderr);
  });

  it('runs a transaction block of a script; a COMMIT with nothing to commit warns on stderr and succeeds', () => {
    const dir = path.join(tmp(), 'db');
    expect(keel(['sql', '--data', dir, 'create table t (a int not null); begin; insert into t values (1); insert into t values (2); commit']).code).toBe(0);
    // the script stops at the error: the block it opened is aborted, and the process ends without committing it
    const failed = keel(['sql', '--data', dir, 'begin; insert into t values (3); insert into t values (null); commit']);
    expect(failed.code).toBe(1);
    noStack(failed.stderr);
    const rows = keel(['sql', '--data', dir, '--json', 'select count(*) from t']);
    expect(JSON.parse(rows.stdout).rows).toEqual([[2]]);
    const warned = keel(['sql', '--data', dir, 'commit']);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toBe('WARNING:  there is no transaction in progress\n');
    expect(warned.stdout).toBe('COMMIT\n');
  });

  it('suggests the nearest name for an unknown column', () => {
    const dir = path.join(tmp(), 'db');
    keel(['sql', '--data', dir, 'create table orders (o_orderdate date, o_custkey int)']);
    const r = keel(['sql', '--data', dir, 'select o_orderdat from orders']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('o_orderdate');
    noStack(r.stderr);
  });

  it('rejects unknown flags and bad flag values clearly', () => {
    let r = keel(['sql', '--nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--nope');
    r = keel(['init', '--data', path.join(tmp(), 'x'), '--slices', 'many']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--slices');
    noStack(r.stderr);
  });

  it('refuses to open a directory that is not a keel data directory', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'mine.txt'), 'x');
    const r = keel(['sql', '--data', dir, 'select 1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not a keel data directory');
    expect(fs.readdirSync(dir)).toEqual(['mine.txt']);
  });
});

describe('keel load', () => {
  it('loads a file atomically, and a bad value names file, line and column and loads nothing', () => {
    const dir = path.join(tmp(), 'db');
    keel(['sql', '--data', dir, 'create table t (a int not null, d date, s varchar(5))']);
    const good = path.join(tmp(), 'good.csv');
    fs.writeFileSync(good, 'a,d,s\n1,2020-01-01,x\n2,,"y,z"\n');
    let r = keel(['load', '--data', dir, 't', good, '--delimiter', ',', '--header', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows).toBe(2);
    const bad = path.join(tmp(), 'bad.csv');
    fs.writeFileSync(bad, '3,2020-01-01,a\n4,2020-13-01,b\n');
    r = keel(['load', '--data', dir, 't', bad, '--delimiter', ',']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.csv');
    expect(r.stderr).toMatch(/line 2/);
    expect(r.stderr).toMatch(/column d\b/);
    noStack(r.stderr);
    r = keel(['sql', '--data', dir, '--json', 'select count(*), min(s), max(s) from t']);
    expect(JSON.parse(r.stdout).rows).toEqual([[2, 'x', 'y,z']]);
  });
});
