/**
 * Query benchmark (npm run bench -- --sf 1): the 22 TPC-H queries on keel and on
 * DuckDB (threads=1, and all cores) over the same data in the same run, warm,
 * median of --runs runs (default 3). Each engine runs in its own process; peak
 * RSS is that process's. Writes per-query times, keel/DuckDB ratios and the
 * geometric means to docs/performance.md.
 *
 * With --set analytics the queries are bench/analytics/*.sql instead: window
 * functions and grouping sets written over the same TPC-H tables.
 *
 * With --phases (by default at SF 0.01) only keel runs, and the bench prints
 * where each query's fixed time goes as the engine measures it: parse, bind,
 * plan, compile (and how many functions were compiled or found cached), first
 * batch, execution (QueryStats.phases; docs/execution.md), once with the plan
 * cache off (every run planned afresh) and once with it on (a statement run
 * again reuses its plan and compiled code). Nothing is written.
 *
 *   node dist/bench/tpch-queries.js [--sf 0.1] [--runs 3] [--slices 4] [--set tpch|analytics] [--no-write]
 *   node dist/bench/tpch-queries.js --phases [--sf 0.01] [--runs 3] [--slices 4]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tpchFiles } from './tpch-files.js';
import { updateSection } from './report.js';
import { flag, REPO, TPCH_DIR } from './args.js';
import type { QueryPhases } from '../engine/result.js';

interface Side {
  loadMs: number;
  times: Record<string, number[]>;
  errors: Record<string, string>;
  maxRssKb: number;
  phases?: Record<string, QueryPhases[]>;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function geomean(xs: readonly number[]): number {
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const PHASES = process.argv.includes('--phases');
const sf = flag('--sf', PHASES ? '0.01' : '0.1');
const runs = Number(flag('--runs', '3'));
const slices = flag('--slices', '4');
const sets = flag('--set', 'tpch,analytics').split(',');
for (const s of sets) if (s !== 'tpch' && s !== 'analytics') throw new Error(`--set: expected tpch, analytics or both (tpch,analytics), got ${s}`);
const cores = os.cpus().length;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-tpch-'));
// the machine may be shared: the load around the measurement says how much the figures can be trusted
const loadAt = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' / ');
const loadBefore = loadAt();
try {
  const files = JSON.stringify(Object.fromEntries(tpchFiles(sf, work)));
  if (PHASES) benchPhases(files);
  else for (const set of sets) benchSet(set, files);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

/** One engine's side, in a process of its own (tpch-run.ts). */
function runSide(engine: string, threads: string, files: string, queriesDir: string, planCache = true): Side {
  process.stderr.write(`running ${engine}${engine === 'duckdb' ? ` threads=${threads === '0' ? cores : threads}` : ''}${planCache ? '' : ' without its plan cache'}...\n`);
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', path.join(here, 'tpch-run.js'), engine, threads, String(runs), files, slices, queriesDir], {
    encoding: 'utf8',
    env: { ...process.env, KEEL_BENCH_PLAN_CACHE: planCache ? 'on' : 'off' },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${engine} side failed with ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Side;
}

/**
 * Where each TPC-H query's time goes on keel: the median of each phase over
 * the runs (after a warm-up run), twice: planned afresh at every run (the plan
 * cache off: a statement's first run in a warm process), and with the plan
 * cache (a statement run again: its plan and compiled code reused).
 */
function benchPhases(files: string): void {
  const sections = [
    { title: 'Planned afresh (the plan cache off: every run binds, plans and finds its code by its source)', keel: runSide('keel', '1', files, path.join(TPCH_DIR, 'queries'), false) },
    { title: 'Run again (the plan cache on: the plan and its compiled code reused)', keel: runSide('keel', '1', files, path.join(TPCH_DIR, 'queries'), true) },
  ];
  const f = (x: number) => x.toFixed(2);
  const out: string[] = [];
  for (const { title, keel } of sections) {
    const rows: string[] = [];
    const planCompile: number[] = [];
    for (const q of Object.keys(keel.phases ?? {}).sort()) {
      const ps = keel.phases![q]!;
      const m = (k: keyof QueryPhases) => median(ps.map((p) => p[k]));
      planCompile.push(m('bindMs') + m('planMs') + m('compileMs'));
      rows.push(
        `| ${q} | ${f(m('parseMs'))} | ${f(m('bindMs'))} | ${f(m('planMs'))} | ${f(m('compileMs'))} | ${m('compiled')} / ${m('reused')} | ${m('plansReused')} | ` +
          `${f(m('firstBatchMs'))} | ${f(m('executeMs'))} | ${f(median(keel.times[q]!))} |`,
      );
    }
    out.push(
      `${title}:\n\n` +
        [
          '| query | parse ms | bind ms | plan ms | compile ms | functions compiled / reused | plans reused | first batch ms | execute ms | total ms |',
          '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
          ...rows,
        ].join('\n') +
        `\n\nbind + plan + compile: at most ${f(Math.max(...planCompile))} ms (the goal is under 2 ms), median ${f(median(planCompile))} ms.\n`,
    );
  }
  process.stdout.write(
    `Command: node dist/bench/tpch-queries.js --phases --sf ${sf} --runs ${runs} --slices ${slices}; keel on ${slices} slices, ` +
      `threads: the calling thread${process.env.KEEL_WORKERS ? ` and KEEL_WORKERS=${process.env.KEEL_WORKERS}` : ' and its default workers'}; ` +
      `median of ${runs} runs after a warm-up run, as the engine measured them (QueryStats.phases); q15 creates and drops its view at every run, so its plan is never reused. ` +
      `Machine load average (1 / 5 / 15 min): ${loadBefore} before, ${loadAt()} after.\n\n${out.join('\n')}`,
  );
}

/** One set of queries on keel and on DuckDB (1 thread, all cores), each engine in its own process, written to its own section. */
function benchSet(set: string, files: string): void {
  const queriesDir = set === 'analytics' ? path.join(REPO, 'bench/analytics') : path.join(TPCH_DIR, 'queries');
  const side = (engine: string, threads: string): Side => runSide(engine, threads, files, queriesDir);

  const keel = side('keel', '1');
  const duck1 = side('duckdb', '1');
  const duckN = side('duckdb', '0');
  const qs = fs.readdirSync(queriesDir).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, -4)).sort();
  const rows: string[] = [];
  const ratios1: number[] = [];
  const ratiosN: number[] = [];
  for (const q of qs) {
    const k = keel.times[q] ? median(keel.times[q]!) : NaN;
    const d1 = median(duck1.times[q] ?? [NaN]);
    const dN = median(duckN.times[q] ?? [NaN]);
    if (Number.isFinite(k)) {
      ratios1.push(k / d1);
      ratiosN.push(k / dN);
    }
    const kText = Number.isFinite(k) ? k.toFixed(1) : `error: ${keel.errors[q]}`;
    rows.push(`| ${q} | ${kText} | ${d1.toFixed(1)} | ${dN.toFixed(1)} | ${Number.isFinite(k) ? (k / d1).toFixed(1) : '-'} | ${Number.isFinite(k) ? (k / dN).toFixed(1) : '-'} |`);
  }
  const summary =
    `geometric mean of keel/DuckDB: ${geomean(ratios1).toFixed(2)} against threads=1, ${geomean(ratiosN).toFixed(2)} against ${cores} threads; ` +
    `worst ${Math.max(...ratios1).toFixed(1)} (threads=1); ${qs.length - ratios1.length} queries failed on keel. ` +
    `Peak RSS: keel ${(keel.maxRssKb / 1024).toFixed(0)} MB, DuckDB ${(duck1.maxRssKb / 1024).toFixed(0)} MB (threads=1), ${(duckN.maxRssKb / 1024).toFixed(0)} MB (${cores} threads). ` +
    `Load: keel ${(keel.loadMs / 1000).toFixed(1)} s, DuckDB ${(duck1.loadMs / 1000).toFixed(1)} s. ` +
    `Machine load average (1 / 5 / 15 min): ${loadBefore} before, ${loadAt()} after.` +
    (process.env.KEEL_WORKERS ? ` KEEL_WORKERS=${process.env.KEEL_WORKERS}.` : '');
  const table = ['| query | keel ms | DuckDB 1 thread ms | DuckDB all cores ms | keel / DuckDB(1) | keel / DuckDB(all) |', '|---|---:|---:|---:|---:|---:|', ...rows].join('\n');
  process.stdout.write(`${table}\n\n${summary}\n`);
  if (!process.argv.includes('--no-write')) {
    updateSection(
      path.join(REPO, 'docs/performance.md'),
      set === 'analytics' ? `Analytics queries (windows, grouping sets), SF ${sf}` : `TPC-H queries, SF ${sf}`,
      `Command: \`npm run bench -- --sf ${sf}${set === 'analytics' ? ' --set analytics' : ''}\` (\`node dist/bench/tpch-queries.js --sf ${sf} --runs ${runs} --slices ${slices}${set === 'analytics' ? ' --set analytics' : ''}\`), ${set === 'analytics' ? 'the queries of bench/analytics (window functions and grouping sets written over the TPC-H tables), ' : ''}${new Date().toISOString().slice(0, 10)}, ` +
        `${cores} cores, Node ${process.version}. Same data for both engines (SF ${sf}: ${sf === '0.1' || sf === '0.01' ? "dbgen's files from ../shared/tpch" : "keel's generator at seed 0, identical to dbgen, written as .tbl"}); ` +
        `keel with ${slices} slices and default (AUTO) layouts; DuckDB in memory. Warm: one unmeasured run, then the median of ${runs}. ` +
        `Times include parsing, planning and reading every result row (keel: db.execute; DuckDB: runAndReadAll).\n\n${table}\n\n${summary}\n`,
    );
  }
}
