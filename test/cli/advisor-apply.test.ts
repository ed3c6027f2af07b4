/**
 * keel advisor apply's modes and revert through the command (dist/ via
 * bin/keel.js; `npm run build` first): --dry-run prints the DDL and changes
 * nothing, --dialect redshift a commented script, --background returns at
 * once while a detached process applies, revert undoes with the inverse DDL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runKeel, joinSetupScript } from './helpers.js';

let work: string;
let data: string;

const keel = (args: string[]) => runKeel([...args, '--data', data], { cwd: work, timeout: 120_000 });
/** Every file of a directory with its size and modification time. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const st = fs.statSync(path.join(dir, f));
    if (st.isFile()) out[f] = `${st.size}:${st.mtimeMs}`;
  }
  return out;
}
const diststyle = (t: string) => JSON.parse(keel(['sql', `select diststyle from svv_table_info where "table" = '${t}'`, '--json']).stdout.trim()).rows[0][0];

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-apply-'));
  data = path.join(work, 'data');
  // no DISTSTYLE: AUTO tables, which --all may change
  fs.writeFileSync(path.join(work, 'setup.sql'), joinSetupScript(30000, 12000));
  expect(keel(['sql', '-f', path.join(work, 'setup.sql'), '--json']).code).toBe(0);
  // without the timed shadow proof, so the proposals do not depend on the machine's load (the proof: test/advisor/shadow.test.ts)
  expect(keel(['advisor', 'run', '--no-shadow']).code).toBe(0);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('keel advisor apply and revert', () => {
  it('--dry-run prints the DDL and applies nothing; --dialect redshift prints a commented script', () => {
    const dry = keel(['advisor', 'apply', '--all', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('ALTER TABLE f ALTER DISTKEY d;');
    expect(dry.stdout).toMatch(/nothing was applied/);
    expect(diststyle('f')).toBe('AUTO(EVEN)');
    const rs = keel(['advisor', 'apply', '--all', '--dialect', 'redshift']);
    expect(rs.code).toBe(0);
    expect(rs.stdout).toMatch(/not inside\s+(--\s+)?BEGIN \.\.\. END/);
    expect(rs.stdout).toMatch(/-- ===== group g\d+: d, f; estimated [\d.]+ ± [\d.]+ s\/day/);
    expect(rs.stdout).toMatch(/-- r\d+ \(group g\d+\): f distkey AUTO\(EVEN\) -> KEY\(d\), estimated [\d.]+ ± [\d.]+ s\/day/);
    expect(rs.stdout).toMatch(/--   joins: d\.id=f\.d \(4 executions\)/);
    expect(rs.stdout.split('\n')).toContain('ALTER TABLE f ALTER DISTSTYLE KEY DISTKEY d;');
    // every statement line is SQL ending in ';', every other line a comment or blank
    for (const l of rs.stdout.split('\n')) expect(l === '' || l.startsWith('--') || /^ALTER TABLE .*;$/.test(l), l).toBe(true);
    expect(diststyle('f')).toBe('AUTO(EVEN)');
    // --out: the script and its inverse in files; the data directory is only read
    const before = snapshot(data);
    const out = path.join(work, 'tune.sql');
    const written = JSON.parse(keel(['advisor', 'apply', '--all', '--dialect', 'redshift', '--out', out, '--json']).stdout);
    expect(written).toMatchObject({ script: out, undo: path.join(work, 'tune.undo.sql') });
    expect(fs.readFileSync(out, 'utf8')).toBe(rs.stdout.replace(/^-- generated .*$/m, fs.readFileSync(out, 'utf8').match(/^-- generated .*$/m)![0]));
    const undo = fs.readFileSync(path.join(work, 'tune.undo.sql'), 'utf8');
    expect(undo.split('\n')).toContain('ALTER TABLE f ALTER DISTSTYLE AUTO;');
    expect(written.inverseStatements.map((x: { sql: string }) => `${x.sql};`)).toEqual(undo.split('\n').filter((l) => l.startsWith('ALTER ')));
    expect(snapshot(data)).toEqual(before);
    const bad = keel(['advisor', 'apply', '--all', '--dialect', 'oracle']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--dialect must be redshift/);
  });

  it('--background returns at once and a detached process applies; revert undoes it', async () => {
    const list = JSON.parse(keel(['advisor', 'list', '--json']).stdout);
    const f = list.find((r: { table: string }) => r.table === 'f');
    // f is applied with its whole group: d keyed on the other side of their join
    const group = list.filter((r: { group: string }) => r.group === f.group).map((r: { id: string }) => r.id);
    expect(list.find((r: { table: string }) => r.table === 'd').group).toBe(f.group);
    const bg = JSON.parse(keel(['advisor', 'apply', f.id, '--background', '--json']).stdout);
    expect(bg).toMatchObject({ background: true, ids: group });
    const deadline = Date.now() + 60_000;
    let status = '';
    while (Date.now() < deadline) {
      status = JSON.parse(keel(['advisor', 'show', f.id, '--json']).stdout).status;
      if (status === 'applied' || status === 'failed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe('applied');
    expect(diststyle('f')).toBe('AUTO(KEY(d))');
    const rev = JSON.parse(keel(['advisor', 'revert', f.id, '--json']).stdout);
    expect(rev.map((r: { id: string }) => r.id).sort()).toEqual([...group].sort());
    const fr = rev.find((r: { id: string }) => r.id === f.id);
    expect(fr.status).toBe('reverted');
    // the revert puts f back whole: its distribution and any other change of its group
    expect(fr.lifecycle.revertDdl).toMatch(/^ALTER TABLE f ALTER DISTSTYLE EVEN(, ALTER COLUMN [a-z]+ ENCODE AUTO)*$/);
    expect(diststyle('f')).toBe('AUTO(EVEN)');
    expect(diststyle('d')).toBe('AUTO(EVEN)');
    expect(keel(['advisor', 'show', f.id]).stdout).toMatch(/Undone by: ALTER TABLE f ALTER DISTSTYLE EVEN/);
    const again = keel(['advisor', 'revert', f.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/group g\d+ is reverted; only an applied or verified group can be reverted/);
  });

  it('warns when a manual apply falls in another group\'s verification window, and applies it', () => {
    const dir = path.join(work, 'two-pairs');
    const k = (args: string[]) => runKeel([...args, '--data', dir], { cwd: work, timeout: 120_000 });
    // two independent join pairs: f-d and g-e, each its own group
    const second = joinSetupScript(30000, 12000).replace(/\bf\b/g, 'g').replace(/\bd\b/g, 'e');
    fs.writeFileSync(path.join(work, 'pair-f.sql'), joinSetupScript(30000, 12000));
    fs.writeFileSync(path.join(work, 'pair-g.sql'), second);
    for (const script of ['pair-f.sql', 'pair-g.sql']) expect(k(['sql', '-f', path.join(work, script), '--json']).code).toBe(0);
    expect(k(['advisor', 'run', '--no-shadow']).code).toBe(0);
    const list = JSON.parse(k(['advisor', 'list', '--json']).stdout) as { id: string; table: string; group: string }[];
    const f = list.find((r) => r.table === 'f')!;
    const g = list.find((r) => r.table === 'g')!;
    expect(f.group).not.toBe(g.group);
    const first = k(['advisor', 'apply', f.id]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/warning/);
    const overlapping = k(['advisor', 'apply', g.id]);
    expect(overlapping.code, overlapping.stderr).toBe(0);
    expect(overlapping.stderr).toContain(`warning: ${f.group} (d, f) is applied and not yet verified`);
    expect(JSON.parse(k(['advisor', 'show', g.id, '--json']).stdout).status).toBe('applied');
  });
});
