/**
 * `npm run bench:advisor-e2e`: the advisor end to end on TPC-H, in-process.
 *
 *   node dist/bench/advisor-e2e.js [--sf 0.1] [--queries 200] [--seed 1] [--runs 5] [--write]
 *
 * TPC-H (keel's generator) on the default (AUTO) layout and a generated query
 * stream, run once with the workload log on. Then, each on its own copy of the
 * data directory:
 *   - distribution: the advisor's distribution changes (with and without the
 *     what-if refinement) and the hand-written layout of Redshift's TPC-H
 *     benchmark, applied with ALTER TABLE; the stream's bytes moved (as the
 *     engine counts them) and its time (median of --runs) against AUTO's;
 *   - sort keys: on top of the advisor's distribution, its sort keys; the
 *     blocks the stream's scans read, split by whether the scan filters on a
 *     date column (and, of those, whether it keeps at most half the table),
 *     and whole queries that filter on a date.
 * `--write` puts both into docs/performance.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, tpchTables, type QueryRecord } from '../engine/index.js';
import { attachWorkloadLog, tpchWorkload } from '../workload-log/index.js';
import { runAdvisor, type Recommendation } from '../advisor/index.js';
import { flag, REPO } from './args.js';
import { updateSection } from './report.js';

const sf = Number(flag('--sf', '0.1'));
const queries = Number(flag('--queries', '200'));
const seed = Number(flag('--seed', '1'));
const runs = Number(flag('--runs', '5'));
const write = process.argv.includes('--write');
const progress = (m: string) => {
  if (process.stderr.isTTY) process.stderr.write(`${m}\n`);
};
// Redshift's published TPC-H benchmark layout (amazon-redshift-utils); the small tables stay AUTO
const HAND = ['ALTER TABLE lineitem ALTER DISTKEY l_orderkey', 'ALTER TABLE orders ALTER DISTKEY o_orderkey', 'ALTER TABLE customer ALTER DISTKEY c_custkey', 'ALTER TABLE part ALTER DISTKEY p_partkey', 'ALTER TABLE partsupp ALTER DISTKEY ps_partkey'];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-advisor-e2e-'));
const stream = [...tpchWorkload({ queries, seed, sf })].map((l) => l.sql);

interface StreamRun {
  readonly ms: number;
  readonly records: QueryRecord[];
}

async function runStream(db: Database): Promise<StreamRun> {
  const records: QueryRecord[] = [];
  const off = db.onQuery((r) => records.push(r));
  const t0 = performance.now();
  try {
    for (const q of stream) await db.execute(q);
  } finally {
    off();
  }
  return { ms: performance.now() - t0, records };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bytesOf = (r: StreamRun) => r.records.reduce((s, q) => s + q.bytesMoved, 0);

/**
 * Copies of the AUTO directory with each layout's DDL applied, then the stream
 * run `runs` times over all of them in turn (so drift in the machine's speed
 * falls on every layout alike): bytes moved from the first round, the median time.
 */
async function measureLayouts(layouts: Record<string, readonly string[]>): Promise<Record<string, { bytes: number; ms: number; dir: string }>> {
  const open: { name: string; db: Database; dir: string; runs: StreamRun[] }[] = [];
  try {
    for (const [name, ddl] of Object.entries(layouts)) {
      const dir = path.join(work, name);
      fs.cpSync(path.join(work, 'source'), dir, { recursive: true });
      const db = await Database.open(dir);
      open.push({ name, db, dir, runs: [] });
      for (const d of ddl) await db.execute(d);
    }
    for (let i = 0; i < runs; i++) for (const o of open) o.runs.push(await runStream(o.db));
    return Object.fromEntries(open.map((o) => [o.name, { bytes: bytesOf(o.runs[0]!), ms: median(o.runs.map((r) => r.ms)), dir: o.dir }]));
  } finally {
    for (const o of open) o.db.close();
  }
}

/**
 * The stream once under EXPLAIN ANALYZE: milliseconds its exchanges took (the
 * operators that move rows between slices) and all its operators together.
 */
async function exchangeTime(dir: string): Promise<{ exchange: number; total: number }> {
  const db = await Database.open(dir);
  let exchange = 0;
  let total = 0;
  try {
    for (const q of stream) {
      for (const line of (await db.query(`explain analyze ${q}`)).rows().map((r) => String(r[0]))) {
        const t = /Total: ([\d.]+) ms/.exec(line);
        if (t) total += Number(t[1]);
        const x = /XN (Redistribute on|Broadcast|Gather to one slice).*time=([\d.]+) ms/.exec(line);
        if (x) exchange += Number(x[2]);
      }
    }
  } finally {
    db.close();
  }
  return { exchange, total };
}

interface Blocks {
  dateScans: number;
  selectiveDateScans: number;
  broadDateScans: number;
  dateQueries: number;
  dateQueryCount: number;
  all: number;
}

/** Blocks read by the stream's scans: date-filtered ones (a comparison on a date column), split by the share of rows kept. */
function blocksOf(db: Database, r: StreamRun): Blocks {
  const tables = db.catalog().tables;
  const dates = new Set<string>();
  for (const t of Object.values(tables)) for (const c of t.columns) if (c.type.id === 'date') dates.add(`${t.name}.${c.name}`);
  const b: Blocks = { dateScans: 0, selectiveDateScans: 0, broadDateScans: 0, dateQueries: 0, dateQueryCount: 0, all: 0 };
  for (const q of r.records) {
    let dated = false;
    let blocks = 0;
    for (const s of q.scans) {
      blocks += s.blocksScanned;
      if (!s.predicates.some((p) => dates.has(`${s.table}.${p.column}`) && ['=', '<', '<=', '>', '>='].includes(p.op))) continue;
      dated = true;
      b.dateScans += s.blocksScanned;
      if (s.rowsOut <= 0.5 * tables[s.table]!.rows) b.selectiveDateScans += s.blocksScanned;
      else b.broadDateScans += s.blocksScanned;
    }
    b.all += blocks;
    if (dated) {
      b.dateQueries += blocks;
      b.dateQueryCount++;
    }
  }
  return b;
}

const isDist = (r: Recommendation) => r.kind === 'distkey' || r.kind === 'diststyle';
const MB = (b: number) => `${(b / 1e6).toFixed(2)} MB`;
const pct = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)}%`;

try {
  progress(`generating TPC-H SF ${sf}`);
  const autoDir = path.join(work, 'source');
  {
    const db = await Database.create(autoDir, { slices: 4 });
    const log = attachWorkloadLog(db, { source: 'bench' });
    try {
      for (const t of tpchTables(sf)) {
        await db.execute(t.ddl);
        await db.append(t.name, t.batches(), t.rows);
      }
      progress(`running the ${queries}-query stream on AUTO`);
      await runStream(db);
    } finally {
      log.close();
      db.close();
    }
  }
  const db = await Database.open(autoDir);
  let refined: Recommendation[];
  let solverOnly: Recommendation[];
  let whatIf: string;
  try {
    progress('advisor');
    const out = await runAdvisor(db, { storage: { encodings: false } });
    refined = [...out.recommendations];
    const w = out.run.whatIf!;
    whatIf = `${w.shapes} shapes (${w.observed} run once), ${w.plans} plans, ${w.ms} ms; estimated ${MB(w.before)} now, ${MB(w.solver)} with the solver's layout, ${MB(w.after)} proposed${w.changed.length ? `; changed: ${w.changed.join(', ')}` : ''}`;
    solverOnly = [...(await runAdvisor(db, { storage: false, whatIf: false })).recommendations];
  } finally {
    db.close();
  }
  const layoutText = (recs: readonly Recommendation[]) => recs.filter(isDist).map((r) => `${r.table} ${r.proposed}`).join(', ');
  progress('measuring layouts');
  const { auto, advisor, solver, hand } = (await measureLayouts({
    auto: [],
    advisor: refined.filter(isDist).map((r) => r.ddl),
    solver: solverOnly.filter(isDist).map((r) => r.ddl),
    hand: HAND,
  })) as Record<'auto' | 'advisor' | 'solver' | 'hand', { bytes: number; ms: number; dir: string }>;

  const exAuto = await exchangeTime(auto.dir);
  const exAdvisor = await exchangeTime(advisor.dir);
  progress('sort keys');
  const sortDdl = refined.filter((r) => r.kind === 'sortkey').map((r) => r.ddl);
  const sdb = await Database.open(advisor.dir);
  let before: Blocks;
  let after: Blocks;
  try {
    before = blocksOf(sdb, await runStream(sdb));
    for (const d of sortDdl) await sdb.execute(d);
    after = blocksOf(sdb, await runStream(sdb));
  } finally {
    sdb.close();
  }

  const date = new Date().toISOString().slice(0, 10);
  const head = `Command: \`npm run bench:advisor-e2e -- --sf ${sf}\` (\`node dist/bench/advisor-e2e.js --sf ${sf} --queries ${queries} --seed ${seed} --runs ${runs}\`), ${date}, ${os.cpus().length} cores, Node ${process.version}, 4 slices, keel's TPC-H generator, in-process. Load average at the start: ${os.loadavg()[0]!.toFixed(1)}.`;
  const dist = [
    head,
    '',
    `TPC-H SF ${sf} on the default (AUTO) layout, a ${queries}-query stream (\`keel gen workload tpch --seed ${seed}\`) run with the workload log on, the advisor run, and each layout applied with ALTER TABLE to its own copy of the data; the same stream then run ${runs} times on each copy in turn (bytes moved from the first round, time the median). The advisor's and the hand-written layouts are the same when the rows say so; their times then differ only by the machine's noise.`,
    '',
    '| layout | bytes moved | change | stream time (median) | change |',
    '|---|---:|---:|---:|---:|',
    `| AUTO | ${MB(auto.bytes)} | | ${(auto.ms / 1000).toFixed(2)} s | |`,
    `| advisor (with what-if): ${layoutText(refined)} | ${MB(advisor.bytes)} | ${pct(auto.bytes, advisor.bytes)} | ${(advisor.ms / 1000).toFixed(2)} s | ${pct(auto.ms, advisor.ms)} |`,
    `| solver alone (\`--no-what-if\`): ${layoutText(solverOnly)} | ${MB(solver.bytes)} | ${pct(auto.bytes, solver.bytes)} | ${(solver.ms / 1000).toFixed(2)} s | ${pct(auto.ms, solver.ms)} |`,
    `| hand-written (Redshift's TPC-H benchmark) | ${MB(hand.bytes)} | ${pct(auto.bytes, hand.bytes)} | ${(hand.ms / 1000).toFixed(2)} s | ${pct(auto.ms, hand.ms)} |`,
    '',
    `What-if refinement: ${whatIf}.`,
    '',
    `Where the time goes (the stream once under EXPLAIN ANALYZE, operator times): exchanges took ${exAuto.exchange.toFixed(0)} ms of ${exAuto.total.toFixed(0)} ms under AUTO (${((exAuto.exchange / exAuto.total) * 100).toFixed(1)}%) and ${exAdvisor.exchange.toFixed(0)} ms of ${exAdvisor.total.toFixed(0)} ms under the advisor's layout (${((exAdvisor.exchange / exAdvisor.total) * 100).toFixed(1)}%). In one process an exchange is a repartition in memory, so what the layout can save in time is that share.`,
  ].join('\n');
  const row = (name: string, a: number, b: number) => `| ${name} | ${a.toLocaleString('en-US')} | ${b.toLocaleString('en-US')} | ${pct(a, b)} |`;
  const sort = [
    head,
    '',
    `On the advisor's distribution (above), the stream run once before and once after its sort keys (${sortDdl.map((d) => d.replace(/^ALTER TABLE (\S+) ALTER COMPOUND SORTKEY /, '$1 ')).join(', ') || 'none'}). Blocks are column blocks the scans read (zone maps skip the others). A *date-filtered scan* compares a date column with =, <, <=, > or >=; *selective* ones keep at most half of the table's rows (q1's l_shipdate <= 1998-12-01 - n days keeps about 98% and cannot be halved by any order).`,
    '',
    '| blocks read by | before | after | change |',
    '|---|---:|---:|---:|',
    row('date-filtered scans', before.dateScans, after.dateScans),
    row('selective date-filtered scans', before.selectiveDateScans, after.selectiveDateScans),
    row('broad date-filtered scans (over half the rows)', before.broadDateScans, after.broadDateScans),
    row(`every scan of the ${before.dateQueryCount} queries with a date filter`, before.dateQueries, after.dateQueries),
    row('every scan of the stream', before.all, after.all),
  ].join('\n');
  process.stdout.write(`${dist}\n\n${sort}\n`);
  if (write) {
    const file = path.join(REPO, 'docs', 'performance.md');
    updateSection(file, `Advisor end to end, distribution (TPC-H SF ${sf})`, dist);
    updateSection(file, `Advisor end to end, sort keys (TPC-H SF ${sf})`, sort);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
