/**
 * keel advisor through the command (run from dist/ via bin/keel.js; `npm run
 * build` first): graph --json/--dot, run, list --json (the DESIGN.md
 * contract), show, apply --all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runKeel, joinSetupScript } from './helpers.js';

let work: string;
let data: string;

const keel = (args: string[]) => runKeel([...args, '--data', data], { cwd: work });

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-adv-'));
  data = path.join(work, 'data');
  fs.writeFileSync(path.join(work, 'setup.sql'), joinSetupScript(3000, 2000, 'even'));
  const r = keel(['sql', '-f', path.join(work, 'setup.sql'), '--json']);
  expect(r.code).toBe(0);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('keel advisor', () => {
  it('graph shows the join edge as JSON and DOT', () => {
    const j = JSON.parse(keel(['advisor', 'graph', '--json']).stdout);
    expect(j.edges.map((e: { key: string }) => e.key)).toEqual(['d.id=f.d']);
    expect(j.edges[0].count).toBe(4);
    expect(j.nodes.map((n: { table: string }) => n.table).sort()).toEqual(['d', 'f']);
    expect(keel(['advisor', 'graph', '--dot']).stdout).toContain('"d" -- "f"');
  });

  it('run, list --json, show, apply --all', () => {
    // the shadow proof's verdict rests on timings too; the command's surface is what this tests (the proof: test/advisor/shadow.test.ts)
    const run = keel(['advisor', 'run', '--no-shadow']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/proven optimal/);
    expect(run.stdout).toContain('ALTER TABLE f ALTER DISTKEY d');
    const list = JSON.parse(keel(['advisor', 'list', '--json']).stdout);
    expect(Array.isArray(list)).toBe(true);
    const f = list.find((r: { table: string; kind: string }) => r.table === 'f' && r.kind === 'distkey');
    for (const k of ['id', 'table', 'kind', 'current', 'proposed', 'ddl', 'benefit', 'evidence', 'status', 'history', 'createdAt', 'updatedAt']) expect(f).toHaveProperty(k);
    expect(f.ddl).toBe('ALTER TABLE f ALTER DISTKEY d');
    const show = keel(['advisor', 'show', f.id]);
    expect(show.stdout).toMatch(/f is joined on d/);
    expect(show.stdout).toMatch(/Cost to apply: one rewrite of 3,000 rows/);
    // the tables were created with explicit DISTSTYLE EVEN: the user's, so --all leaves their distribution
    // (it may apply sort-key or encoding recommendations of AUTO settings)
    expect(keel(['advisor', 'apply', '--all']).stdout).not.toContain('ALTER DISTKEY');
    const applied = JSON.parse(keel(['advisor', 'apply', f.id, '--json']).stdout);
    expect(applied[0].status).toBe('applied');
    const info = keel(['sql', "select diststyle from svv_table_info where \"table\" = 'f'", '--json']);
    expect(JSON.parse(info.stdout.trim().split('\n')[0]!).rows[0][0]).toBe('KEY(d)');
  });
});
