/**
 * Workload log benchmark (npm run bench:log):
 *
 * 1. Recording overhead: replays a trace of 10,000 small queries (point
 *    lookups and small aggregates on TPC-H SF 0.01) as fast as possible, with
 *    the workload log attached and without, alternating, and compares medians;
 *    the time spent inside the log is measured too.
 * 2. Recording overhead end to end: the TPC-H stream (keel gen workload tpch)
 *    on SF 0.01, on two copies of the data open at once, one with the log and
 *    one without, in --e2e-rounds short rounds of --round-queries statements,
 *    both sides running a round's statements back to back (the first
 *    alternating); each side's CPU time (every thread) per round, the median of
 *    the rounds' paired on/off ratios with a bootstrap 95% interval, and the
 *    difference of the sides' median round times.
 * 3. Mining: writes 1,000,000 synthetic records (made from the records of a
 *    real TPC-H replay, with 1,100 distinct fingerprints) through the raw
 *    segments and compaction (in rounds of 100,000, as a log grows), then
 *    times loading the compacted log and the three aggregations the advisor
 *    runs: fingerprints, scan predicates, join edges; and a GROUP BY over
 *    sys_query_history, the first on a freshly opened database (which reads
 *    the chunk files then) and again (median of --runs).
 *
 * Each figure is printed with the command, keel's threads and the machine's
 * load average when it was measured: a shared machine inflates them.
 *
 *   node dist/bench/workload-log.js [--queries 10000] [--stream 200] [--e2e-rounds 300] [--round-queries 4] [--runs 5] [--records 1000000] [--write-through] [--write]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database, type QueryRecord } from '../index.js';
import { attachWorkloadLog, fingerprintStats, joinEdges, loadWorkload, replayTrace, scanPredicateStats, topFingerprints, tpchWorkload, traceLine, WorkloadLog, WorkloadStore } from '../workload-log/index.js';
import { withoutResultCache } from '../workload-log/replay.js';
import { Rng } from '../workload-log/tpch-workload.js';
import { loadTpch, syntheticBase, tpchTemplates, writeSynthetic } from './log-records.js';
import { updateSection } from './report.js';
import { flag } from './args.js';
import { workerCount } from '../engine/exec/parallel.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

const QUERIES = Number(flag('--queries', '10000'));
const RUNS = Number(flag('--runs', '5'));
const RECORDS = Number(flag('--records', '1000000'));
/** Lines of the TPC-H stream replayed end to end, each way, per run. */
const STREAM = Number(flag('--stream', '200'));
/** Short rounds of the end-to-end comparison, and statements of the stream per round. */
const E2E_ROUNDS = Number(flag('--e2e-rounds', '300'));
const ROUND_QUERIES = Number(flag('--round-queries', '4'));
/** --write-through: one write(2) per record (groupRecords: 1) instead of groups. */
const WRITE_THROUGH = process.argv.includes('--write-through');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
const log = (m: string) => process.stderr.write(m + '\n');
/** The 1-, 5- and 15-minute load averages: beside every figure, since other work on the machine inflates it. */
const loadAvg = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');
/** keel's threads for queries: the calling thread plus its worker threads (KEEL_WORKERS, else one per core but one). */
const THREADS = 1 + workerCount();
const ms = (x: number) => `${x.toFixed(0)} ms`;

/** Small queries: lookups by key and aggregates over small tables, 0.7 to 4 ms each. */
const SMALL = [
  (i: number) => `select n_name, n_regionkey from nation where n_nationkey = ${i % 25}`,
  (i: number) => `select r_name, count(*) from nation join region on n_regionkey = r_regionkey where r_regionkey = ${i % 5} group by r_name`,
  (i: number) => `select s_name, s_acctbal from supplier where s_suppkey = ${1 + (i % 100)}`,
  (i: number) => `select count(*) from customer where c_mktsegment = 'BUILDING' and c_acctbal > ${i % 9000}`,
  (i: number) => `select o_orderstatus, count(*) from orders where o_orderdate = date '1995-0${1 + (i % 9)}-1${i % 10}' group by o_orderstatus`,
  (i: number) => `select p_name, p_retailprice from part where p_partkey = ${1 + (i % 2000)}`,
];

interface Overhead {
  /** Wall time of each replay, ms. */
  off: number[];
  on: number[];
  /** CPU time (user + system, all threads) of each replay, ms: what other processes on the machine disturb least. */
  offCpu: number[];
  onCpu: number[];
  /** Time spent recording (holding records, serializing and writing groups) over the replay's wall time, per run with the log on. */
  inPath: number[];
  perRecordUs: number;
}

async function recordingOverhead(work: string): Promise<Overhead> {
  const data = path.join(work, 'data');
  await loadTpch(data);
  const trace = path.join(work, 'small.jsonl');
  fs.writeFileSync(trace, Array.from({ length: QUERIES }, (_, i) => traceLine({ ts: i, sql: SMALL[i % SMALL.length]!(i) })).join('\n') + '\n');
  const o: Overhead = { off: [], on: [], offCpu: [], onCpu: [], inPath: [], perRecordUs: 0 };
  let sample: QueryRecord | undefined;
  const run = async (withLog: boolean, warmUp = false) => {
    fs.rmSync(path.join(data, 'workload'), { recursive: true, force: true });
    const db = await Database.open(data, { workloadLog: false });
    db.onQuery((r) => (sample ??= r));
    let spent = 0;
    let busyOf = () => 0;
    if (withLog) {
      // attached as Database.open attaches it, with its append timed
      const wl = attachWorkloadLog(db, { source: 'replay', autoCompact: false, ...(WRITE_THROUGH ? { groupRecords: 1 } : {}) });
      // the listener's own time (holding the record) plus every group's serialization and write, wherever it was triggered
      const append = wl.append.bind(wl);
      wl.append = (r) => {
        const t = performance.now();
        const busy = wl.busyMs;
        append(r);
        spent += performance.now() - t - (wl.busyMs - busy);
      };
      busyOf = () => wl.busyMs;
    }
    const cpu0 = process.cpuUsage();
    const s = await replayTrace(db, trace, { pace: 'max' });
    db.close();
    spent += busyOf();
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (s.errors || s.queries !== QUERIES) throw new Error(`replay failed: ${JSON.stringify(s)}`);
    if (withLog && [...new WorkloadStore(data).records()].length !== QUERIES) throw new Error('records missing');
    log(`replay ${QUERIES} small queries, log ${withLog ? 'on ' : 'off'}: ${ms(s.elapsedMs)} wall, ${ms(cpuMs)} CPU${warmUp ? ' (warm-up)' : ''}`);
    if (warmUp) return;
    (withLog ? o.on : o.off).push(s.elapsedMs);
    (withLog ? o.onCpu : o.offCpu).push(cpuMs);
    if (withLog) o.inPath.push(spent / s.elapsedMs);
  };
  // warm-up: JIT, page cache
  await run(false, true);
  await run(true, true);
  for (let r = 0; r < RUNS; r++) {
    // alternate the order so drift (thermal, caches) does not favour one side
    const order = r % 2 ? [true, false] : [false, true];
    for (const withLog of order) await run(withLog);
  }
  // the cost of one append in isolation (binary encoding, checksum, write(2))
  const w = new WorkloadLog(path.join(work, 'append'), { autoCompact: false });
  const n = 100_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) w.append(sample!);
  o.perRecordUs = ((performance.now() - t0) * 1000) / n;
  w.close();
  fs.rmSync(path.join(work, 'append'), { recursive: true, force: true });
  return o;
}

interface EndToEnd {
  /** CPU time (user + system, every thread) of each round, ms, per side. */
  off: number[];
  on: number[];
  /** Each round's on/off CPU ratio minus 1: both sides ran the same statements back to back, so drift between rounds cancels. */
  paired: number[];
  /** The median of `paired` and its bootstrap 95% interval. */
  median: number;
  low: number;
  high: number;
  load: string;
}

/** The median of a sorted copy. */
function medianOf(xs: ArrayLike<number>): number {
  return median(Array.from(xs));
}

/**
 * The percentile-bootstrap 95% interval of the median of `xs`: the rounds
 * resampled with replacement, seeded, so the same rounds give the same interval.
 */
function medianInterval(xs: readonly number[], resamples = 2000): { low: number; high: number } {
  const rng = new Rng(1);
  const n = xs.length;
  const medians = new Float64Array(resamples);
  const sample = new Float64Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = xs[Math.floor(rng.next() * n)]!;
    sample.sort();
    medians[r] = n % 2 ? sample[(n - 1) / 2]! : (sample[n / 2 - 1]! + sample[n / 2]!) / 2;
  }
  medians.sort();
  return { low: medians[Math.floor(0.025 * (resamples - 1))]!, high: medians[Math.ceil(0.975 * (resamples - 1))]! };
}

/** Idle time after each side's round, past the log's 100 ms group timer, so a round's last group is written (and counted) in its own round. */
const DRAIN_MS = 150;
const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The TPC-H stream on two copies of the data, open at once: one with the log
 * attached as Database.open attaches it, one without. Many short rounds; in
 * each, both sides run the same few statements of the stream back to back (the
 * side that goes first alternating), each side's CPU time measured over its
 * statements and a short idle drain. A burst of other work on the machine then
 * falls on one round's pair, not on one side's whole replay.
 */
async function endToEnd(work: string): Promise<EndToEnd> {
  const off = path.join(work, 'data');
  const on = path.join(work, 'data-log');
  fs.rmSync(path.join(off, 'workload'), { recursive: true, force: true });
  fs.cpSync(off, on, { recursive: true });
  const stream = [...tpchWorkload({ queries: STREAM, seed: 7, sf: 0.01 })].map((e) => e.sql);
  const dbs = {
    off: await Database.open(off, { workloadLog: false }),
    on: await Database.open(on, { workloadLog: { source: 'replay', autoCompact: false } }),
  };
  const e: EndToEnd = { off: [], on: [], paired: [], median: 0, low: 0, high: 0, load: loadAvg() };
  let next = 0;
  const run = async (side: 'off' | 'on', from: number): Promise<number> => {
    const cpu0 = process.cpuUsage();
    for (let k = 0; k < ROUND_QUERIES; k++) await dbs[side].execute(stream[(from + k) % stream.length]!);
    await idle(DRAIN_MS);
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / 1000;
  };
  try {
    await withoutResultCache([dbs.off, dbs.on], async () => {
      // warm-up: every statement of the stream once on each side (JIT, plan and compiled-code caches, page cache)
      for (let from = 0; from < stream.length; from += ROUND_QUERIES) {
        await run('off', from);
        await run('on', from);
      }
      for (let r = 0; r < E2E_ROUNDS; r++) {
        const from = next;
        next = (next + ROUND_QUERIES) % stream.length;
        const onFirst = r % 2 === 1;
        const a = await run(onFirst ? 'on' : 'off', from);
        const b = await run(onFirst ? 'off' : 'on', from);
        const [cpuOn, cpuOff] = onFirst ? [a, b] : [b, a];
        e.on.push(cpuOn);
        e.off.push(cpuOff);
        e.paired.push(cpuOn / cpuOff - 1);
      }
    });
  } finally {
    dbs.off.close();
    dbs.on.close();
  }
  const recorded = [...new WorkloadStore(on).records()].length;
  const statements = (Math.ceil(stream.length / ROUND_QUERIES) + E2E_ROUNDS) * ROUND_QUERIES;
  if (recorded !== statements) throw new Error(`the log holds ${recorded} records, ${statements} statements ran`);
  fs.rmSync(on, { recursive: true, force: true });
  e.median = medianOf(e.paired);
  Object.assign(e, medianInterval(e.paired));
  log(`end to end: ${E2E_ROUNDS} rounds of ${ROUND_QUERIES} statements; median paired on/off CPU ${(e.median * 100).toFixed(1)}% [${(e.low * 100).toFixed(1)}%, ${(e.high * 100).toFixed(1)}%]`);
  return e;
}

interface Mining {
  compactMs: number[];
  loadMs: number[];
  fingerprintsMs: number[];
  predicatesMs: number[];
  joinsMs: number[];
  totalMs: number[];
  /** The GROUP BY over sys_query_history: first on a freshly opened database, then again (each run). */
  sqlColdMs: number;
  sqlMs: number[];
  sqlLoad: string;
  compactLoad: string;
  rawBytes: number;
  chunkBytes: number;
  counts: { fingerprints: number; predicates: number; edges: number };
}

/** Records written between compactions, as a growing log would be compacted. */
const ROUND = 100_000;
const GROUP_BY_SQL = 'select fingerprint, count(*), sum(elapsed_ms), sum(bytes_moved) from sys_query_history group by fingerprint';

async function mining(work: string): Promise<Mining> {
  const templates = await tpchTemplates(work, path.join(work, 'data'), false);
  const dir = path.join(work, 'mined');
  (await Database.open(dir, { workloadLog: false })).close();
  const store = new WorkloadStore(dir);
  const compactMs: number[] = [];
  const compactLoad = loadAvg();
  let rawBytes = 0;
  const base = syntheticBase();
  for (let done = 0; done < RECORDS; done += ROUND) {
    writeSynthetic(dir, templates, done, Math.min(RECORDS, done + ROUND), base);
    rawBytes += store.status().segmentBytes;
    const r = store.compact()!;
    compactMs.push(r.elapsedMs);
    log(`compacted ${r.records} records in ${ms(r.elapsedMs)} (${r.totalRecords} in all)`);
  }
  const chunkBytes = store.status().chunkBytes;
  const m: Mining = {
    compactMs,
    compactLoad,
    loadMs: [],
    fingerprintsMs: [],
    predicatesMs: [],
    joinsMs: [],
    totalMs: [],
    sqlColdMs: 0,
    sqlMs: [],
    sqlLoad: '',
    rawBytes,
    chunkBytes,
    counts: { fingerprints: 0, predicates: 0, edges: 0 },
  };
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const w = loadWorkload(dir);
    const t1 = performance.now();
    const fps = fingerprintStats(w);
    topFingerprints(w, { by: 'totalTime' }, fps);
    topFingerprints(w, { by: 'count' }, fps);
    topFingerprints(w, { by: 'bytesMoved' }, fps);
    const t2 = performance.now();
    const preds = scanPredicateStats(w);
    const t3 = performance.now();
    const edges = joinEdges(w);
    const t4 = performance.now();
    if (w.queries !== RECORDS) throw new Error(`loaded ${w.queries} records, wrote ${RECORDS}`);
    m.loadMs.push(t1 - t0);
    m.fingerprintsMs.push(t2 - t1);
    m.predicatesMs.push(t3 - t2);
    m.joinsMs.push(t4 - t3);
    m.totalMs.push(t4 - t0);
    m.counts = { fingerprints: fps.length, predicates: preds.length, edges: edges.length };
    log(`mining ${RECORDS} records: load ${ms(t1 - t0)}, fingerprints ${ms(t2 - t1)}, predicates ${ms(t3 - t2)}, joins ${ms(t4 - t3)}`);
  }
  m.sqlLoad = loadAvg();
  const db = await Database.open(dir, { workloadLog: { autoCompact: false } });
  for (let r = 0; r <= RUNS; r++) {
    const t0 = performance.now();
    const result = await db.query(GROUP_BY_SQL);
    const elapsed = performance.now() - t0;
    // every statement after the first also sees the GROUP BY's own record, one more fingerprint
    const groups = m.counts.fingerprints + (r > 0 ? 1 : 0);
    if (result.rowCount !== groups) throw new Error(`the GROUP BY gave ${result.rowCount} groups, not ${groups}`);
    if (r === 0) m.sqlColdMs = elapsed;
    else m.sqlMs.push(elapsed);
    log(`GROUP BY over sys_query_history (${RECORDS} records): ${ms(elapsed)}${r === 0 ? ' (first, reading the chunks)' : ''}`);
  }
  db.close();
  return m;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-log-'));
try {
  const recLoad = loadAvg();
  const rec = await recordingOverhead(work);
  const e2e = await endToEnd(work);
  const mine = await mining(work);
  const off = median(rec.off);
  const on = median(rec.on);
  const offCpu = median(rec.offCpu);
  const onCpu = median(rec.onCpu);
  const pct = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)}%`;
  // each round ran both sides back to back: their ratio cancels the machine's drift between rounds
  const paired = rec.onCpu.map((x, i) => x / rec.offCpu[i]! - 1);
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
  const e2eOff = median(e2e.off);
  const e2eOn = median(e2e.on);
  const compactTotal = mine.compactMs.reduce((a, b) => a + b, 0);
  const command =
    `\`node dist/bench/workload-log.js --queries ${QUERIES} --stream ${STREAM} --e2e-rounds ${E2E_ROUNDS} --round-queries ${ROUND_QUERIES} --runs ${RUNS} --records ${RECORDS}${WRITE_THROUGH ? ' --write-through' : ''} --write\``;
  const body = [
    `Command: \`npm run bench:log\` (${command}), ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}; ` +
      `keel ran queries on ${THREADS} thread${THREADS > 1 ? 's' : ''} (the calling thread${THREADS > 1 ? ` and ${THREADS - 1} worker${THREADS > 2 ? 's' : ''}` : ''}). ` +
      `Each part gives the machine's load average (1 / 5 / 15 minutes) when it started: on a machine shared with other work the times are inflated.`,
    '',
    `**Recording overhead, inside the log** (load ${recLoad}). ${QUERIES.toLocaleString('en-US')} small queries (key lookups and small aggregates on TPC-H SF 0.01, ` +
      `${((offCpu / QUERIES) * 1000).toFixed(0)} µs of CPU each on average) replayed as fast as possible, ${RUNS} runs each way, alternating, after a warm-up:`,
    '',
    '| workload log | median CPU time | median wall time | CPU time of each run (ms) |',
    '|---|---:|---:|---|',
    `| off | ${ms(offCpu)} | ${ms(off)} | ${rec.offCpu.map((x) => x.toFixed(0)).join(', ')} |`,
    `| on | ${ms(onCpu)} | ${ms(on)} | ${rec.onCpu.map((x) => x.toFixed(0)).join(', ')} |`,
    '',
    `Time spent recording, measured inside the log (holding each record, then per group of ${WRITE_THROUGH ? '1' : '64'}: binary encoding, CRC-32, one write(2)), ` +
      `is **${(median(rec.inPath) * 100).toFixed(2)}%** ` +
      `of the replay's time (median; ${rec.inPath.map((x) => (x * 100).toFixed(2) + '%').join(', ')}). ` +
      `Whole runs of these sub-millisecond queries (CPU time, user + system of all threads): the median of each round's on/off ratio is ` +
      `${(median(paired) * 100).toFixed(1)}% (rounds: ${paired.map((x) => `${(x * 100).toFixed(1)}%`).join(', ')}); medians of all runs differ by ${pct(offCpu, onCpu)} CPU, ` +
      `${pct(off, on)} wall. One append on its own, in a loop, costs ${rec.perRecordUs.toFixed(1)} µs.`,
    '',
    `**Recording overhead, end to end** (load ${e2e.load}). The TPC-H stream (\`keel gen workload tpch --queries ${STREAM} --seed 7 --sf 0.01\`) on SF 0.01, ` +
      `on two copies of the data open at once: one with the workload log (as \`Database.open\` attaches it), one without. ` +
      `After a warm-up (the whole stream once on each), ${E2E_ROUNDS} short rounds, each running the next ${ROUND_QUERIES} statements of the stream ` +
      `on both sides back to back, the side that goes first alternating; each side's round is its statements and a ${DRAIN_MS} ms idle drain ` +
      `(so the log's 100 ms group timer writes the round's records within it), timed in CPU (user + system of every thread of the process):`,
    '',
    '| workload log | median CPU time of a round | rounds |',
    '|---|---:|---:|',
    `| off | ${e2eOff.toFixed(1)} ms | ${e2e.off.length} |`,
    `| on | ${e2eOn.toFixed(1)} ms | ${e2e.on.length} |`,
    '',
    `The median of the rounds' paired on/off ratios is **${(e2e.median * 100).toFixed(1)}%** ` +
      `(bootstrap 95% interval of the median ${(e2e.low * 100).toFixed(1)}% to ${(e2e.high * 100).toFixed(1)}%; the goal is under 3%); ` +
      `the difference of the sides' median round times is ${pct(e2eOff, e2eOn)}.`,
    '',
    `**Mining and SQL over the log** (load ${mine.compactLoad} when writing and compacting began, ${mine.sqlLoad} before the SQL). ` +
      `${RECORDS.toLocaleString('en-US')} records (copies of the records of a TPC-H replay on SF 0.01, varied in time, duration and ` +
      `fingerprint: ${mine.counts.fingerprints.toLocaleString('en-US')} fingerprints), written through raw segments (${mb(mine.rawBytes)} of binary frames) and compacted ` +
      `into Arrow chunks (${mb(mine.chunkBytes)}) in rounds of ${ROUND.toLocaleString('en-US')} as they were written. Median of ${RUNS} runs:`,
    '',
    '| step | time |',
    '|---|---:|',
    `| load the compacted log (loadWorkload) | ${ms(median(mine.loadMs))} |`,
    `| group by fingerprint (fingerprintStats, 3 top-10s) | ${ms(median(mine.fingerprintsMs))} |`,
    `| aggregate scan predicates (${mine.counts.predicates} table.column/operator keys) | ${ms(median(mine.predicatesMs))} |`,
    `| aggregate join edges (${mine.counts.edges} edges) | ${ms(median(mine.joinsMs))} |`,
    `| **total** (the goal is under 5 s) | **${ms(median(mine.totalMs))}** |`,
    `| compaction, per round of ${Math.min(RECORDS, ROUND).toLocaleString('en-US')} raw records (median of the rounds) | ${ms(median(mine.compactMs))} |`,
    `| **compaction of all ${RECORDS.toLocaleString('en-US')} records** (the rounds summed; the goal for 1,000,000 is under 5 s) | **${ms(compactTotal)}** |`,
    `| \`${GROUP_BY_SQL}\` over all of them, the first on a freshly opened database (reading the chunk files) | **${ms(mine.sqlColdMs)}** |`,
    `| the same again (the goal for 1,000,000 records is under 1 s) | **${ms(median(mine.sqlMs))}** |`,
  ].join('\n');
  process.stdout.write(body + '\n');
  if (process.argv.includes('--write')) updateSection(path.join(repo, 'docs/performance.md'), 'Workload log', body);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
