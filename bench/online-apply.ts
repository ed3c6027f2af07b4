/**
 * Online apply benchmark (npm run build && node dist/bench/online-apply.js):
 * TPC-H lineitem re-sorted (ALTER SORTKEY) on a data directory loaded at the
 * chosen scale, three ways, each run alternating between two sort keys so
 * every run rewrites the table:
 *
 * 1. synchronous `execute('ALTER TABLE ...')`;
 * 2. `alterInBackground` with nothing else running;
 * 3. `alterInBackground` while a stream of queries runs on the same Database.
 *
 * For each: elapsed time, and the longest time the event loop was held (the
 * gap a 5 ms interval timer saw): what an application's other work waits at
 * most. For 3 also the queries completed during the rebuild and their median
 * latency against the same queries with no rebuild. Then one throttled rebuild
 * and the byte rate it kept. Medians of --runs runs.
 *
 *   node dist/bench/online-apply.js [--sf 0.1] [--runs 3] [--write]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '../engine/index.js';
import { updateSection } from './report.js';
import { flag, TPCH_DIR, TPCH_TABLES } from './args.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

const SF = flag('--sf', '0.1');
const RUNS = Number(flag('--runs', '3'));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
const log = (m: string) => process.stderr.write(m + '\n');

/** Queries over lineitem and its joins, as an application would run them during the rebuild. */
const QUERIES = [1, 3, 6, 12, 14].map((n) => fs.readFileSync(path.join(TPCH_DIR, 'queries', `q${String(n).padStart(2, '0')}.sql`), 'utf8'));

/** Longest gap between ticks of a 5 ms interval while `work` runs: how long the event loop was held at most. */
async function withStallMonitor<T>(work: () => Promise<T>): Promise<{ result: T; maxStallMs: number }> {
  let last = performance.now();
  let maxStallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxStallMs = Math.max(maxStallMs, now - last);
    last = now;
  }, 5);
  try {
    const result = await work();
    maxStallMs = Math.max(maxStallMs, performance.now() - last);
    return { result, maxStallMs };
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-online-'));
  const db = await Database.open(path.join(work, 'db'), { slices: 4 });
  try {
    log(`loading TPC-H SF ${SF}`);
    await db.execute(fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8'));
    for (const t of TPCH_TABLES) await db.load(t, path.join(TPCH_DIR, `sf${SF}`, `${t}.tbl.gz`), { delimiter: '|' });
    const info = (await db.query(`select tbl_rows, size_bytes from svv_table_info where "table" = 'lineitem'`)).rows()[0]!;
    const rows = Number(info[0]);
    const size = Number(info[1]);

    // idle latency of each query (median of RUNS)
    const idle = new Map<number, number[]>();
    for (let r = 0; r < RUNS; r++) {
      for (let q = 0; q < QUERIES.length; q++) {
        const t0 = performance.now();
        await db.execute(QUERIES[q]!);
        (idle.get(q) ?? idle.set(q, []).get(q)!).push(performance.now() - t0);
      }
    }
    let flip = 0;
    const nextAlter = () => `alter table lineitem alter sortkey (${flip++ % 2 ? 'l_shipdate' : 'l_receiptdate'})`;

    const sync = { ms: [] as number[], stall: [] as number[] };
    const bg = { ms: [] as number[], stall: [] as number[], bytes: [] as number[] };
    const during = { ms: [] as number[], queries: [] as number[], ratio: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      log(`run ${r + 1}/${RUNS}`);
      let t0 = performance.now();
      const s = await withStallMonitor(() => db.execute(nextAlter()));
      sync.ms.push(performance.now() - t0);
      sync.stall.push(s.maxStallMs);

      t0 = performance.now();
      const b = await withStallMonitor(() => db.alterInBackground(nextAlter()));
      bg.ms.push(performance.now() - t0);
      bg.stall.push(b.maxStallMs);
      bg.bytes.push(b.result.bytesWritten);

      // a stream of queries while it rebuilds: latency relative to the same query idle
      t0 = performance.now();
      let finished = false;
      const apply = db.alterInBackground(nextAlter()).finally(() => (finished = true));
      let n = 0;
      const ratios: number[] = [];
      while (!finished) {
        const q = n % QUERIES.length;
        const q0 = performance.now();
        await db.execute(QUERIES[q]!);
        if (!finished) {
          ratios.push((performance.now() - q0) / median(idle.get(q)!));
          n++;
        }
      }
      await apply;
      during.ms.push(performance.now() - t0);
      during.queries.push(n);
      if (ratios.length) during.ratio.push(median(ratios));
    }

    // throttled to a quarter of the unthrottled rate
    const rate = Math.round(median(bg.bytes) / (median(bg.ms) / 1000) / 4);
    const th = await db.alterInBackground(nextAlter(), { maxBytesPerSecond: rate });
    const kept = th.bytesWritten / (th.elapsedMs / 1000);

    const mb = (x: number) => (x / 1e6).toFixed(1);
    const s = (x: number) => (x / 1000).toFixed(2);
    const body = [
      `Command: \`npm run build && node dist/bench/online-apply.js --sf ${SF} --runs ${RUNS} --write\`, ` +
        `${new Date().toISOString().slice(0, 10)}, load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores (shared with other work: absolute times are noisy).`,
      '',
      `TPC-H SF ${SF} lineitem (${rows.toLocaleString('en-US')} rows, ${mb(size)} MB encoded, 4 slices) re-sorted by ALTER SORTKEY, alternating two keys so every run rewrites it; medians of ${RUNS} runs.`,
      '',
      '| how | elapsed | longest event-loop stall | notes |',
      '|---|---|---|---|',
      `| \`execute('ALTER TABLE ...')\` (synchronous, under the lock) | ${s(median(sync.ms))} s | ${s(median(sync.stall))} s | nothing else in the process runs meanwhile |`,
      `| \`alterInBackground\`, alone | ${s(median(bg.ms))} s | ${median(bg.stall).toFixed(0)} ms | ${mb(median(bg.bytes))} MB written (sorted runs, then their merge) |`,
      `| \`alterInBackground\` with queries running | ${s(median(during.ms))} s | - | ${median(during.queries)} queries (TPC-H q1, q3, q6, q12, q14 in turn) completed during it; median latency ${median(during.ratio).toFixed(2)}x the same query idle |`,
      `| \`alterInBackground\`, maxBytesPerSecond ${mb(rate)} MB/s | ${s(th.elapsedMs)} s | - | kept ${mb(kept)} MB/s |`,
      '',
      `The background rebuild took ${(median(bg.ms) / median(sync.ms)).toFixed(2)}x the synchronous one's time alone; ` +
        `it held the event loop for at most ${median(bg.stall).toFixed(0)} ms at a time (its longest step: one run's sort, or one block of the merge), ` +
        'where the synchronous ALTER holds it for the whole rewrite; queries in the same process run between its steps.',
    ].join('\n');
    console.log(body);
    if (process.argv.includes('--write')) updateSection(path.join(repo, 'docs/performance.md'), 'Online apply (background ALTER TABLE)', body);
  } finally {
    db.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
