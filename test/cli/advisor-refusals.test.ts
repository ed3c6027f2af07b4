/**
 * keel advisor list shows the refusals the advisor remembers (run from dist/
 * via bin/keel.js; `npm run build` first): a section after the
 * recommendations; `--refusals --json` prints them as an array, and
 * `--json` stays the array of recommendations DESIGN.md promises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import { listRefusals, runAdvisor, type Refusal } from '../../advisor/index.js';
import { REFUSED_SORT_KEY_RUN, refusedSortKeyWorkload } from '../advisor/helpers.js';
import { runKeel } from './helpers.js';

let work: string;
let data: string;
let refusal: Refusal;

const keel = (args: string[]) => runKeel([...args, '--data', data], { cwd: work });

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-refusals-'));
  data = path.join(work, 'data');
  await refusedSortKeyWorkload(data);
  const db = await Database.open(data, { workloadLog: false });
  try {
    await runAdvisor(db, REFUSED_SORT_KEY_RUN);
  } finally {
    db.close();
  }
  refusal = listRefusals(data)[0]!;
}, 60_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('keel advisor list', () => {
  it('--refusals --json: each remembered refusal with its changes, evidence and workload; --json: the recommendations alone', () => {
    const r = keel(['advisor', 'list', '--refusals', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        kind: 'refusal',
        status: 'refused',
        tables: ['f'],
        changes: [{ table: 'f', kind: 'sortkey', current: 'AUTO(NONE)', proposed: 'x', ddl: 'ALTER TABLE f ALTER COMPOUND SORTKEY (x)' }],
        refusedAt: refusal.at,
        run: 'run1',
        reason: refusal.reason,
        shadow: JSON.parse(JSON.stringify(refusal.shadow)),
        workload: refusal.workload,
      },
    ]);
    // the workload's one proposal was refused: no recommendation, and --json holds recommendations only
    expect(JSON.parse(keel(['advisor', 'list', '--json']).stdout)).toEqual([]);
  });

  it('prints the refusals after the recommendations: the change, when, and what the shadow measured', () => {
    const r = keel(['advisor', 'list']);
    expect(r.code, r.stderr).toBe(0);
    const at = refusal.at.slice(0, 16).replace('T', ' ');
    const t = refusal.shadow.timeRatio;
    expect(r.stdout).toContain('Remembered refusals');
    expect(r.stdout).toContain('  f: sortkey AUTO(NONE) -> x\n');
    expect(r.stdout).toContain(`    refused ${at} UTC (run1): ${refusal.reason}\n`);
    expect(r.stdout).toMatch(new RegExp(`shadow: time x${t.estimate.toFixed(2).replace('.', '\\.')} \\(95% interval ${t.low.toFixed(2).replace('.', '\\.')}-[0-9.]+\\), blocks \\+\\d+\\.\\d%, moved [+-]\\d+\\.\\d%; measured on 2 query shape\\(s\\), 50 executions; f 40,000 rows`));
    expect(r.stdout.indexOf('Remembered refusals')).toBeGreaterThan(r.stdout.indexOf('Last run'));
  });
});
