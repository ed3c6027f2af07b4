/**
 * keel demo through the command (dist/ via bin/keel.js; `npm run build`
 * first), at SF 0.01 and a short stream: the JSON contract of DESIGN.md, and
 * that the loop ran (a replay before, changes applied and verified, a replay
 * after, both recorded in the workload log), and that the tuned layout gives
 * the answers the default one gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runKeel } from './helpers.js';

let work: string;

const keel = (args: string[]) => runKeel(args, { cwd: work, timeout: 300_000 });

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-demo-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('keel demo', () => {
  it('runs the loop and prints {"before","after"} with the four measures', () => {
    const data = path.join(work, 'demo');
    const r = keel(['demo', '--sf', '0.01', '--queries', '40', '--rounds', '1', '--data', data, '--json']);
    expect(r.code, r.stderr).toBe(0);
    // piped: no progress drawn
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!);
    for (const side of ['before', 'after']) {
      for (const k of ['workloadMs', 'bytesMoved', 'blocksScanned', 'storageBytes']) {
        expect(typeof j[side][k], `${side}.${k}`).toBe('number');
        expect(j[side][k]).toBeGreaterThan(0);
      }
      expect(j[side].queries).toBe(40);
      expect(j[side].errors).toBe(0);
    }
    expect(j.sf).toBe(0.01);
    expect(j.changes.length).toBeGreaterThan(0);
    // the two sides were timed side by side: a ratio with its interval
    expect(j.rounds).toBe(1);
    expect(j.timeRatio.low).toBeLessThanOrEqual(j.timeRatio.estimate);
    expect(j.timeRatio.estimate).toBeLessThanOrEqual(j.timeRatio.high);
    expect(j.timeRatio.estimate).toBeCloseTo(j.after.workloadMs / j.before.workloadMs, 0);
    // every change was proven on a shadow copy before it was applied, and the paired replay verifies it: none is
    // slower, so none goes back
    expect(j.reverted).toBeNull();
    for (const c of j.changes) {
      expect(c.ddl).toMatch(/^ALTER TABLE /);
      expect(c.status, `${c.id} ${c.ddl} ${c.verdict}`).toBe('verified');
    }
    // the advisor's layout moves less than the default one on the same stream
    expect(j.after.bytesMoved).toBeLessThan(j.before.bytesMoved);
    // the views step ran after the layouts; its side-by-side replay exists exactly when it made views, and says what they did
    expect(j.views.verdict).toMatch(/^(the views made (the stream faster|the stream slower|no measurable difference)|no views: )/);
    expect(j.views.before === null).toBe(j.views.created.length === 0);
    expect(j.views.after === null).toBe(j.views.created.length === 0);
    expect(j.views.created.length === 0 || j.views.hits > 0, JSON.stringify(j.views)).toBe(true);
    expect(j.views.after?.errors ?? 0).toBe(0);
    expect(j.views.created.every((c: { name: string }) => /^auto_mv_\d+$/.test(c.name))).toBe(true);
    expect(j.changePercent.bytesMoved).toBeCloseTo(((j.after.bytesMoved - j.before.bytesMoved) / j.before.bytesMoved) * 100, 0);

    // the recommendations record the lifecycle; the log holds both replays
    const recs = JSON.parse(keel(['advisor', 'list', '--json', '--data', data]).stdout);
    for (const c of j.changes) {
      const rec = recs.find((x: { id: string }) => x.id === c.id);
      expect(rec.history.map((h: { status: string }) => h.status).slice(0, 3)).toEqual(['proposed', 'applying', 'applied']);
      expect(rec.lifecycle.verification.executionsAfter).toBeGreaterThan(0);
    }
    expect(fs.readFileSync(j.trace, 'utf8').trim().split('\n')).toHaveLength(40);
    const fp = keel(['sql', `select count(*) from sys_query_history where source = 'demo' and command = 'SELECT'`, '--json', '--data', data]);
    expect(fp.code, fp.stderr).toBe(0);
    // both replays of the 40 queries (some TPC-H queries are several statements: views)
    expect(JSON.parse(fp.stdout.trim()).rows[0][0]).toBeGreaterThanOrEqual(80);

    // the tuned layout answers as the default one does: the same generated data on AUTO, the same queries
    const plain = path.join(work, 'plain');
    const gen = keel(['gen', 'tpch', '--sf', '0.01', '--data', plain, '--json']);
    expect(gen.code, gen.stderr).toBe(0);
    const answers = (dir: string) => {
      const out = keel(['sql', '-f', path.join(work, 'answers.sql'), '--json', '--data', dir]);
      expect(out.code, out.stderr).toBe(0);
      return out.stdout.trim().split('\n').map((l) => JSON.parse(l).rows);
    };
    fs.writeFileSync(
      path.join(work, 'answers.sql'),
      [
        'select l_returnflag, l_linestatus, count(*), sum(l_quantity), sum(l_extendedprice) from lineitem group by 1, 2 order by 1, 2;',
        'select o_orderpriority, count(*) from orders join lineitem on l_orderkey = o_orderkey where l_commitdate < l_receiptdate group by 1 order by 1;',
        'select n_name, sum(l_extendedprice * (1 - l_discount)) from lineitem join orders on l_orderkey = o_orderkey join customer on o_custkey = c_custkey join nation on c_nationkey = n_nationkey group by 1 order by 1;',
        'select p_brand, count(distinct ps_suppkey) from partsupp join part on ps_partkey = p_partkey group by 1 order by 1;',
      ].join('\n'),
    );
    const tuned = answers(data);
    expect(tuned).toHaveLength(4);
    expect(tuned.every((rows) => rows.length > 0)).toBe(true);
    expect(tuned).toEqual(answers(plain));
  }, 300_000);

  it('refuses a directory that is not a keel data directory', () => {
    const other = path.join(work, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'notes.txt'), 'mine');
    const r = keel(['demo', '--sf', '0.01', '--data', other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exists and is not a keel data directory; choose another --data/);
    expect(fs.existsSync(path.join(other, 'notes.txt'))).toBe(true);
  });
});
