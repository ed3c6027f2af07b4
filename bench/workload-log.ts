/**
 * Workload log benchmark (npm run bench:log):
 *
 * 1. Recording overhead: replays a trace of 10,000 small queries (point
 *    lookups and small aggregates on TPC-H SF 0.01) as fast as possible, with
 *    the workload log attached and without, alternating, and compares medians;
 *    the time spent inside the log is measured too.
 * 2. Recording overhead end to end: the TPC-H stream (keel gen workload tpch)
 *    on SF 0.01, replayed whole with the log and without, the two alternating
 *    (ABBA), median of --runs each; the difference of the medians.
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
 *   node dist/bench/workload-log.js [--queries 10000] [--stream 200] [--runs 5] [--records 1000000] [--write-through] [--write]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database, type QueryRecord } from '../index.js';
import { attachWorkloadLog, fingerprintStats, joinEdges, loadWorkload, replayTrace, scanPredicateStats, topFingerprints, tpchWorkload, traceLine, WorkloadLog, WorkloadStore } from '../workload-log/index.js';
import { updateSection } from './report.js';
import { flag, TPCH_DIR, TPCH_TABLES } from './args.js';
import { workerCount } from '../engine/exec/parallel.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

const QUERIES = Number(flag('--queries', '10000'));
const RUNS = Number(flag('--runs', '5'));
const RECORDS = Number(flag('--records', '1000000'));
/** Lines of the TPC-H stream replayed end to end, each way, per run. */
const STREAM = Number(flag('--stream', '200'));
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

async function loadTpch(dir: string): Promise<void> {
  const db = await Database.open(dir, { workloadLog: false });
  await db.execute(fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8'));
  for (const t of TPCH_TABLES) await db.load(t, path.join(TPCH_DIR, 'sf0.01', `${t}.tbl.gz`), { delimiter: '|' });
  db.close();
}

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
  /** Wall time of each replay (replay and close: closing writes the last group and fsyncs), ms. */
  off: number[];
  on: number[];
  /** Each round's on/off ratio: both sides ran back to back, so drift between rounds cancels. */
  paired: number[];
  load: string;
}

/** The TPC-H stream replayed whole, with the log attached as Database.open attaches it and without, alternating. */
async function endToEnd(work: string): Promise<EndToEnd> {
  const data = path.join(work, 'data');
  const trace = path.join(work, 'stream.jsonl');
  fs.writeFileSync(trace, [...tpchWorkload({ queries: STREAM, seed: 7, sf: 0.01 })].map(traceLine).join('\n') + '\n');
  const e: EndToEnd = { off: [], on: [], paired: [], load: loadAvg() };
  const run = async (withLog: boolean, warmUp = false): Promise<number> => {
    fs.rmSync(path.join(data, 'workload'), { recursive: true, force: true });
    const db = await Database.open(data, { workloadLog: withLog ? { source: 'replay', autoCompact: false } : false });
    const t0 = performance.now();
    const s = await replayTrace(db, trace, { pace: 'max' });
    db.close();
    const elapsed = performance.now() - t0;
    if (s.errors || s.queries !== STREAM) throw new Error(`replay failed: ${JSON.stringify(s)}`);
    if (withLog && [...new WorkloadStore(data).records()].length !== STREAM) throw new Error('records missing');
    log(`replay the TPC-H stream (${STREAM} queries), log ${withLog ? 'on ' : 'off'}: ${ms(elapsed)}${warmUp ? ' (warm-up)' : ''}`);
    if (!warmUp) (withLog ? e.on : e.off).push(elapsed);
    return elapsed;
  };
  await run(false, true);
  await run(true, true);
  for (let r = 0; r < RUNS; r++) {
    // ABBA: the side that goes first alternates, so a trend over the rounds falls on both alike
    const first = r % 2 === 1;
    const a = await run(first);
    const b = await run(!first);
    e.paired.push(first ? a / b - 1 : b / a - 1);
  }
  fs.rmSync(path.join(data, 'workload'), { recursive: true, force: true });
  return e;
}

async function tpchTemplates(work: string): Promise<QueryRecord[]> {
  const data = path.join(work, 'data');
  const records: QueryRecord[] = [];
  const db = await Database.open(data, { workloadLog: false });
  db.onQuery((r) => records.push(r));
  const trace = path.join(work, 'tpch.jsonl');
  fs.writeFileSync(trace, [...tpchWorkload({ queries: 220, seed: 1, sf: 0.01 })].map(traceLine).join('\n') + '\n');
  await replayTrace(db, trace);
  db.close();
  return records;
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
  const templates = await tpchTemplates(work);
  const dir = path.join(work, 'mined');
  (await Database.open(dir, { workloadLog: false })).close();
  const store = new WorkloadStore(dir);
  const compactMs: number[] = [];
  const compactLoad = loadAvg();
  let rawBytes = 0;
  const base = Date.now() - 86_400_000;
  const batch = ROUND;
  for (let done = 0; done < RECORDS; done += batch) {
    const w = new WorkloadLog(dir, { autoCompact: false, syncIntervalMs: -1 });
    for (let i = done; i < Math.min(RECORDS, done + batch); i++) {
      const t = templates[i % templates.length]!;
      w.append({
        ...t,
        id: `q${i}`,
        startTime: new Date(base + i * 50).toISOString(),
        durationMs: t.durationMs * (0.5 + ((i * 7919) % 1000) / 1000),
        fingerprint: `${t.fingerprint} -- v${i % 50}`,
        source: 'replay',
      });
    }
    w.close();
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
    `\`node dist/bench/workload-log.js --queries ${QUERIES} --stream ${STREAM} --runs ${RUNS} --records ${RECORDS}${WRITE_THROUGH ? ' --write-through' : ''} --write\``;
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
      `replayed whole as fast as possible on a freshly opened database, with the workload log (as \`Database.open\` attaches it) and without; ` +
      `each run is the replay and the close (which writes the last group and fsyncs). After one warm-up each, ${RUNS} rounds, ` +
      `the side that goes first alternating (ABBA):`,
    '',
    '| workload log | median wall time | each run (ms) |',
    '|---|---:|---|',
    `| off | ${ms(e2eOff)} | ${e2e.off.map((x) => x.toFixed(0)).join(', ')} |`,
    `| on | ${ms(e2eOn)} | ${e2e.on.map((x) => x.toFixed(0)).join(', ')} |`,
    '',
    `The difference of the medians is **${pct(e2eOff, e2eOn)}** (the goal is under 3%); ` +
      `the median of each round's on/off ratio is ${(median(e2e.paired) * 100).toFixed(1)}% (rounds: ${e2e.paired.map((x) => `${(x * 100).toFixed(1)}%`).join(', ')}).`,
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
