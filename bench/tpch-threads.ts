/**
 * Where parallel execution's time goes, by thread (docs/execution.md): the
 * TPC-H queries with the worker threads off (KEEL_WORKERS=0) and on, each
 * statement's CPU time per thread measured by the engine (KEEL_THREAD_CPU=1,
 * exec/thread-cpu.ts). CPU time, unlike wall time, holds on a machine shared
 * with other work. Per query it prints the serial run's CPU time, the
 * parallel run's calling-thread and worker CPU, the calling thread's share,
 * the critical-path estimate and serial CPU / critical path (the speedup to
 * expect on idle cores). Median of --runs warm runs (by critical path).
 *
 *   node dist/bench/tpch-threads.js [--data DIR] [--sf 1] [--runs 3] [--workers 1] [--queries q01,q06]
 *
 * --data: a database holding the TPC-H tables (e.g. made by an earlier run
 * with --keep); without it the tables are generated (keel's generator) into a
 * temporary directory first.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { flag, TPCH_DIR } from './args.js';
import type { ThreadCpu } from '../engine/result.js';

// read when the engine's modules load, and by the worker threads they start
process.env.KEEL_THREAD_CPU = '1';
const { Database } = await import('../engine/database.js');
const { tpchTables } = await import('../engine/gen/index.js');

const sf = Number(flag('--sf', '1'));
const runs = Number(flag('--runs', '3'));
const workers = Number(flag('--workers', '1'));
const given = flag('--data', '');
const queriesDir = path.join(TPCH_DIR, 'queries');
const all = fs.readdirSync(queriesDir).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, -4)).sort();
const queries = flag('--queries', all.join(',')).split(',');
const dir = given || fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-threads-'));

if (!given) {
  process.stderr.write(`generating TPC-H SF ${sf} into ${dir}...\n`);
  const db = await Database.open(dir, { slices: Number(flag('--slices', '4')), workers: 0 });
  await db.execute(fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8'));
  for (const t of tpchTables(sf, 0)) await db.append(t.name, t.batches(), t.rows);
  db.close();
}

/** Per query, the median run's accounting (a script's statements summed). */
async function side(n: number): Promise<Map<string, ThreadCpu>> {
  const out = new Map<string, ThreadCpu>();
  const db = await Database.open(dir, { workers: n, resultCache: false });
  try {
    for (const q of queries) {
      const sql = fs.readFileSync(path.join(queriesDir, `${q}.sql`), 'utf8');
      await db.execute(sql); // warm-up: compiled code, segment readers, the pool
      const got: ThreadCpu[] = [];
      for (let r = 0; r < runs; r++) {
        const sum: ThreadCpu = { callingMs: 0, serialMs: 0, workersMs: 0, workerTasks: 0, criticalMs: 0 };
        for (const res of await db.execute(sql)) {
          const t = res.stats.threads;
          if (!t) continue;
          for (const k of Object.keys(sum) as (keyof ThreadCpu)[]) sum[k] += t[k];
        }
        got.push(sum);
      }
      got.sort((a, b) => a.criticalMs - b.criticalMs);
      out.set(q, got[got.length >> 1]!);
      process.stderr.write(`workers=${n} ${q}: critical ${out.get(q)!.criticalMs.toFixed(0)} ms\n`);
    }
  } finally {
    db.close();
  }
  return out;
}

try {
  const serial = await side(0);
  const parallel = await side(workers);
  const f = (x: number): string => x.toFixed(0);
  const lines = [
    `TPC-H SF ${sf}, ${runs} runs, ${workers} worker(s) + the calling thread, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')}`,
    '| query | serial CPU ms | calling ms | of it alone ms | workers ms | calling share | critical ms | serial / critical |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const ratios: number[] = [];
  for (const q of queries) {
    const s = serial.get(q)!;
    const p = parallel.get(q)!;
    const ratio = s.callingMs / p.criticalMs;
    ratios.push(ratio);
    const share = p.callingMs / (p.callingMs + p.workersMs);
    lines.push(`| ${q} | ${f(s.callingMs)} | ${f(p.callingMs)} | ${f(p.serialMs)} | ${f(p.workersMs)} | ${share.toFixed(2)} | ${f(p.criticalMs)} | ${ratio.toFixed(2)} |`);
  }
  const geo = Math.exp(ratios.reduce((a, x) => a + Math.log(x), 0) / ratios.length);
  lines.push('', `geometric mean of serial / critical: ${geo.toFixed(2)}`);
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  if (!given && !process.argv.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
}
