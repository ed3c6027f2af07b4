/**
 * `keel sql --memory-limit`: a bad value is one clear line naming the flag
 * (exit 1, no stack); a good one reaches the engine, whose sort then spills
 * (stats in --json). Runs the built CLI (`npm run build` first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { KEEL_BIN, runKeel } from './helpers.js';

let work: string;
const keel = (args: string[]) => runKeel(args, { cwd: work });

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-mem-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('keel sql --memory-limit', () => {
  it('a bad value names the flag and what is wrong', () => {
    const r = keel(['sql', '--data', path.join(work, 'd'), '--memory-limit', '12XB', 'select 1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--memory-limit: expected a number of bytes, optionally with a unit/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const env = spawnSync(process.execPath, [KEEL_BIN, 'sql', '--data', path.join(work, 'd'), 'select 1'], { cwd: work, encoding: 'utf8', env: { ...process.env, KEEL_MEMORY_LIMIT: 'lots' } });
    expect(env.status).toBe(1);
    expect(env.stderr).toMatch(/KEEL_MEMORY_LIMIT: expected a number of bytes/);
  });

  it('a limit reaches the engine: a top-N sort over 2^17 rows spills', () => {
    const data = path.join(work, 'sort');
    // 2^17 rows by doubling self-inserts
    const script = path.join(work, 'setup.sql');
    fs.writeFileSync(script, 'create table t as select 1 as a;\n' + 'insert into t select a + (select count(*) from t) from t;\n'.repeat(17));
    expect(keel(['sql', '--data', data, '-f', script]).code).toBe(0);
    const r = keel(['sql', '--data', data, '--json', '--memory-limit', '64KB', 'select a from t order by a desc limit 3']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(j.rows).toEqual([[1 << 17], [(1 << 17) - 1], [(1 << 17) - 2]]);
    expect(j.stats.spillFiles).toBeGreaterThan(0);
  });
});
