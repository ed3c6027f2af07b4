/**
 * keel ddl export and keel advisor lock through the command (dist/ via
 * bin/keel.js; `npm run build` first): the same DDL on every run, the AUTO
 * choices in a file, the data directory left as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runKeel } from './helpers.js';

let work: string;
let data: string;
const keel = (args: string[]) => runKeel([...args, '--data', data], { cwd: work, timeout: 120_000 });

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-ddl-'));
  data = path.join(work, 'data');
  fs.writeFileSync(path.join(work, 'setup.sql'), 'create table t (a integer, b varchar(8) encode zstd);\ncreate table u (k integer) diststyle key distkey (k);\n');
  expect(keel(['sql', '-f', path.join(work, 'setup.sql'), '--json']).code).toBe(0);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('keel ddl export, keel advisor lock', () => {
  it('prints the same DDL every run, AUTO as AUTO unless --with-auto-choices', () => {
    const a = keel(['ddl', 'export']);
    expect(a.code, a.stderr).toBe(0);
    expect(keel(['ddl', 'export', '--dialect', 'redshift']).stdout).toBe(a.stdout);
    expect(a.stdout).toContain('CREATE TABLE t (\n  a integer,\n  b varchar(8) ENCODE ZSTD\n)\nDISTSTYLE AUTO\nSORTKEY AUTO;');
    expect(a.stdout).toContain('DISTSTYLE KEY DISTKEY (k)');
    expect(keel(['ddl', 'export', '--with-auto-choices']).stdout).toContain(')\nDISTSTYLE ALL;');
    const bad = keel(['ddl', 'export', '--dialect', 'oracle']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--dialect must be redshift/);
  });

  it('writes the AUTO choices to a file, one line per table and setting', () => {
    const out = path.join(work, 'layout.lock');
    const r = keel(['advisor', 'lock', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ out, choices: [{ table: 't', setting: 'diststyle', choice: 'ALL' }, { table: 't', setting: 'sortkey', choice: 'NONE' }, { table: 'u', setting: 'sortkey', choice: 'NONE' }] });
    expect(fs.readFileSync(out, 'utf8').split('\n').slice(1)).toEqual(['t\tdiststyle\tALL', 't\tsortkey\tNONE', 'u\tsortkey\tNONE', '']);
  });
});
