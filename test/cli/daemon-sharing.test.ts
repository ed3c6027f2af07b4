/**
 * The daemon and other processes on one data directory at once (docs/
 * autonomics.md, "Sharing the data directory"): while the daemon mines,
 * applies and verifies on a fast schedule, this process (an application
 * embedding the engine) keeps running joins whose results must not change
 * with the layout, and the CLI reads and changes the recommendations. Every
 * query succeeds with the same rows, the recommendations file stays whole,
 * and the daemon's changes land.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import { listRecommendations } from '../../advisor/index.js';
import { runKeel } from './helpers.js';

let work: string;
let data: string;

const keel = (args: string[]) => runKeel([...args, '--data', data], { cwd: work, timeout: 120_000 });

const QUERIES = [
  'select n_name, count(*), sum(l_extendedprice) from lineitem join orders on l_orderkey = o_orderkey join customer on o_custkey = c_custkey join nation on c_nationkey = n_nationkey group by n_name',
  'select p_brand, count(*), sum(ps_availqty) from partsupp join part on ps_partkey = p_partkey group by p_brand',
  'select o_orderpriority, count(*) from orders join lineitem on l_orderkey = o_orderkey where l_commitdate < l_receiptdate group by o_orderpriority',
];
const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-daemon-share-'));
  data = path.join(work, 'data');
  expect(keel(['gen', 'tpch', '--sf', '0.01', '--json']).code).toBe(0);
});
afterAll(() => {
  keel(['daemon', 'stop']);
  fs.rmSync(work, { recursive: true, force: true });
});

describe('the daemon beside an application and the CLI', () => {
  it('changes layouts while queries run, with the same results, and a consistent recommendations file', async () => {
    const db = await Database.open(data);
    const reference: string[][] = [];
    const versions = new Map(Object.values(db.catalog().tables).map((t) => [t.name, t.version]));
    try {
      for (const q of QUERIES) reference.push(sorted((await db.query(q)).rows()));
      // enough workload for a mining run
      for (let k = 0; k < 3; k++) for (const q of QUERIES) await db.query(q);
    } finally {
      db.close();
    }
    fs.writeFileSync(
      path.join(data, 'keel.config.json'),
      JSON.stringify({
        schedule: { mine: '*/4 * * * * *', apply: '*/2 * * * * *', verify: '*/3 * * * * *' },
        maxLoadAverage: 1000,
        mining: { minQueries: 5 },
        verification: { window: '3s', minExecutions: 3, maxRegression: { timeMs: null } },
      }),
    );
    const start = keel(['daemon', 'start', '--json']);
    expect(start.code, start.stderr).toBe(0);

    const app = await Database.open(data);
    let runs = 0;
    let cliReads = 0;
    // the daemon proves each group on a shadow copy before applying it; on a loaded machine that takes a while, so wait up to 60 s (the loop ends once two groups are judged)
    const until = Date.now() + 60_000;
    try {
      while (Date.now() < until) {
        for (const [i, q] of QUERIES.entries()) {
          expect(sorted((await app.query(q)).rows()), q).toEqual(reference[i]);
          runs++;
        }
        if (runs % 9 === 0) {
          const list = keel(['advisor', 'list', '--json']);
          expect(list.code, list.stderr).toBe(0);
          expect(Array.isArray(JSON.parse(list.stdout))).toBe(true);
          cliReads++;
        }
        const applied = listRecommendations(data).filter((r) => r.status === 'verified' || r.status === 'reverted');
        if (applied.length >= 2 && runs > 30) break;
      }
    } finally {
      app.close();
    }
    const stop = keel(['daemon', 'stop', '--json']);
    expect(JSON.parse(stop.stdout).stopped).toBe(true);

    expect(cliReads).toBeGreaterThan(0);
    const recs = listRecommendations(data);
    const done = recs.filter((r) => ['applied', 'verified', 'reverted'].includes(r.status));
    expect(done.length, JSON.stringify(recs.map((r) => [r.id, r.status, r.statusReason]))).toBeGreaterThan(0);
    for (const r of recs) {
      expect(r.history[0]!.status).toBe('proposed');
      expect(r.history[r.history.length - 1]!.status).toBe(r.status);
      expect(r.status).not.toBe('applying');
    }
    // the layouts really changed under the running queries: tables were rewritten while they ran
    const after = await Database.open(data, { workloadLog: false });
    try {
      const rewritten = Object.values(after.catalog().tables).filter((t) => t.version > versions.get(t.name)!);
      expect(rewritten.length).toBeGreaterThan(0);
    } finally {
      after.close();
    }
  });
});
