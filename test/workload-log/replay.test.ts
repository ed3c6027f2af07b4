/** Replay: summary, latency percentiles, bad lines and failing queries with line numbers, pace, concurrency. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database, WorkloadStore, percentile, replayTrace, type ReplayProblem } from '../../index.js';
import { tempDir } from './helpers.js';

let dir: string;
let db: Database;

function trace(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

beforeAll(async () => {
  dir = tempDir('replay');
  db = await Database.open(path.join(dir, 'data'), { workloadLog: { source: 'replay' } });
  await db.execute(`create table t (a int, b varchar(10)); insert into t values (1, 'x'), (2, 'y'), (3, 'x');`);
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const good = (sql: string, extra: object = {}) => JSON.stringify({ ts: '2024-01-01T00:00:00Z', sql, ...extra });

describe('replay', () => {
  it('summarizes queries, errors, latency and costs, and reports problems by line', async () => {
    const file = trace('mixed.jsonl', [
      good('select count(*) from t', { user: 'ann', session: 's1' }),
      '{"ts": "2024-01-01T00:00:01Z", "sql": "select * from t where b = \'x\'"}',
      'this is not json',
      '',
      good('select nope from t'),
      '{"ts": "2024-01-01T00:00:02Z"}',
      good('select b, count(*) from t group by b; select 1'),
    ]);
    const problems: ReplayProblem[] = [];
    const s = await replayTrace(db, file, { onProblem: (p) => problems.push(p) });
    expect(s).toMatchObject({ queries: 4, errors: 1, badLines: 2, stopped: false, pace: 'max', concurrency: 1 });
    expect(s.rowsReturned).toBe(1 + 2 + 1);
    for (const k of ['elapsedMs', 'p50Ms', 'p95Ms', 'p99Ms', 'rowsMoved', 'bytesMoved', 'blocksScanned', 'blocksSkipped'] as const) {
      expect(typeof s[k]).toBe('number');
    }
    expect(s.blocksScanned).toBeGreaterThan(0);
    expect(s.p50Ms).toBeLessThanOrEqual(s.p95Ms);
    expect(s.p95Ms).toBeLessThanOrEqual(s.p99Ms);
    expect(problems.map((p) => [p.line, p.kind])).toEqual([
      [3, 'bad-line'],
      [5, 'query'],
      [6, 'bad-line'],
    ]);
    expect(problems[1]).toMatchObject({ code: 'UNKNOWN_COLUMN', message: expect.stringContaining('nope') });
    expect(s.problems).toEqual(problems);
  });

  it('records what it ran, with the trace user and session', async () => {
    const records = [...new WorkloadStore(db.dir).records()].filter((r) => r.source === 'replay');
    const first = records.find((r) => r.sql === 'select count(*) from t')!;
    expect(first).toMatchObject({ user: 'ann', session: 's1', status: 'ok' });
    expect(records.filter((r) => r.status === 'error').map((r) => r.sql)).toContain('select nope from t');
  });

  it('stops at the first problem with stopOnError', async () => {
    const file = trace('stop.jsonl', [good('select 1'), good('select nope from t'), good('select 2'), good('select 3')]);
    const s = await replayTrace(db, file, { stopOnError: true });
    expect(s).toMatchObject({ queries: 2, errors: 1, stopped: true });
  });

  it('runs K statements in flight with the same totals', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => good(`select count(*) from t where a > ${i % 3}`));
    const file = trace('many.jsonl', lines);
    const one = await replayTrace(db, file, { concurrency: 1 });
    const four = await replayTrace(db, file, { concurrency: 4 });
    expect(four).toMatchObject({ queries: 40, errors: 0, concurrency: 4, rowsReturned: one.rowsReturned, blocksScanned: one.blocksScanned });
  });

  it('keeps the recorded pace, scaled by speed', async () => {
    const file = trace('paced.jsonl', [
      JSON.stringify({ ts: 0, sql: 'select 1' }),
      JSON.stringify({ ts: 200, sql: 'select 2' }),
      JSON.stringify({ ts: 400, sql: 'select 3' }),
    ]);
    const fast = await replayTrace(db, file, { pace: 'max' });
    const paced = await replayTrace(db, file, { pace: 'recorded', speed: 2 });
    // the recorded gaps (400 ms at speed 2) are waited for; as fast as possible waits for none
    expect(paced.elapsedMs).toBeGreaterThanOrEqual(195);
    expect(fast.elapsedMs).toBeLessThan(paced.elapsedMs);
    const iso = trace('iso.jsonl', [good('select 1'), JSON.stringify({ ts: '2024-01-01T00:00:00.300Z', sql: 'select 2' })]);
    expect((await replayTrace(db, iso, { pace: 'recorded' })).elapsedMs).toBeGreaterThanOrEqual(295);
  });

  it('computes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 95), percentile(xs, 99), percentile([7], 99), percentile([], 50)]).toEqual([50, 95, 99, 7, 0]);
  });
});
