/**
 * The workload log at scale: for each record count, writes that many
 * synthetic records (bench/log-records.ts) into raw segments, runs a GROUP BY
 * over sys_query_history on them, compacts them all with one compaction, and
 * runs the GROUP BY again over the compacted chunks: each first on a freshly
 * opened database (which reads the files then), then again (median of --runs).
 * Every figure is CPU time (user + system of every thread of this process),
 * the figure a shared machine disturbs least, with the wall time beside it.
 *
 *   node dist/bench/workload-log-scale.js [--records 100000,1000000] [--runs 3] [--no-raw]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../index.js';
import { WorkloadStore } from '../workload-log/index.js';
import { flag } from './args.js';
import { syntheticBase, tpchTemplates, writeSynthetic } from './log-records.js';

const COUNTS = flag('--records', '100000,1000000').split(',').map(Number);
const RUNS = Number(flag('--runs', '3'));
const RAW = !process.argv.includes('--no-raw');
/** Records per WorkloadLog written (each seals its own segments), as a log fills over many processes' lifetimes. */
const WRITE_ROUND = 100_000;
const GROUP_BY_SQL = 'select fingerprint, count(*), sum(elapsed_ms), sum(bytes_moved) from sys_query_history group by fingerprint';

const log = (m: string) => process.stderr.write(m + '\n');
const loadAvg = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');

/** CPU (all threads) and wall time of `fn`, ms. */
async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; cpuMs: number; wallMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value, cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const fmt = (t: { cpuMs: number; wallMs: number }) => `${t.cpuMs.toFixed(0)} ms CPU (${t.wallMs.toFixed(0)} ms wall)`;

/** The GROUP BY on a freshly opened database, then again: checks its group count each time. */
async function groupBy(dir: string, groups: number, label: string, recordedBefore: boolean): Promise<void> {
  const db = await Database.open(dir, { workloadLog: { autoCompact: false } });
  const again: { cpuMs: number; wallMs: number }[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const t = await timed(() => db.query(GROUP_BY_SQL));
    // each GROUP BY is recorded too: the ones after the first see the first's record, one more fingerprint
    const want = groups + (r > 0 || recordedBefore ? 1 : 0);
    if (t.value.rowCount !== want) throw new Error(`the GROUP BY gave ${t.value.rowCount} groups, not ${want}`);
    if (r === 0) log(`  GROUP BY over ${label}, first on a fresh database: ${fmt(t)}`);
    else again.push(t);
  }
  db.close();
  log(`  GROUP BY over ${label}, again (median of ${RUNS}): ${median(again.map((t) => t.cpuMs)).toFixed(0)} ms CPU (${median(again.map((t) => t.wallMs)).toFixed(0)} ms wall)`);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-logscale-'));
try {
  log(`node dist/bench/workload-log-scale.js --records ${COUNTS.join(',')} --runs ${RUNS}${RAW ? '' : ' --no-raw'}; ${os.cpus().length} cores, Node ${process.version}`);
  const templates = await tpchTemplates(work, path.join(work, 'tpch'), true);
  for (const n of COUNTS) {
    const dir = path.join(work, `log-${n}`);
    (await Database.open(dir, { workloadLog: false })).close();
    log(`${n.toLocaleString('en-US')} records (load average ${loadAvg()}):`);
    const base = syntheticBase();
    const written = await timed(() => {
      for (let done = 0; done < n; done += WRITE_ROUND) writeSynthetic(dir, templates, done, Math.min(n, done + WRITE_ROUND), base);
    });
    const store = new WorkloadStore(dir);
    const raw = store.status();
    log(`  written in ${fmt(written)}: ${raw.segments} raw segments, ${(raw.segmentBytes / 1e6).toFixed(0)} MB`);
    const fingerprints = new Set<string>();
    // (i mod 220, i mod 50) repeats every 1,100 records
    for (let i = 0; i < Math.min(n, 1100); i++) fingerprints.add(`${templates[i % templates.length]!.fingerprint} -- v${i % 50}`);
    if (RAW) await groupBy(dir, fingerprints.size, `${n.toLocaleString('en-US')} raw records`, false);
    const compacted = await timed(() => new WorkloadStore(dir).compact()!);
    const c = new WorkloadStore(dir).status();
    log(`  compaction of ${compacted.value.records.toLocaleString('en-US')} records: ${fmt(compacted)}; ${c.chunks} chunks, ${(c.chunkBytes / 1e6).toFixed(0)} MB`);
    await groupBy(dir, fingerprints.size, `${n.toLocaleString('en-US')} compacted records`, RAW);
    fs.rmSync(dir, { recursive: true, force: true });
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
