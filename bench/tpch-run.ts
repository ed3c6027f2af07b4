/**
 * One engine's side of the query benchmark, in a process of its own so that its
 * peak RSS is its own: loads the TPC-H files, runs each query once to warm up
 * and then --runs times, and prints {loadMs, times, errors, maxRssKb}, and for
 * keel {phases}: per query and run, where the statements' time went as the
 * engine measured it (QueryStats.phases, summed over a script's statements).
 * The queries are the .sql files of QUERIES_DIR (default: the 22 TPC-H queries).
 *
 *   node dist/bench/tpch-run.js keel|duckdb THREADS RUNS FILES_JSON [SLICES] [QUERIES_DIR]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Database } from '../engine/database.js';
import type { QueryPhases } from '../engine/result.js';
import { TPCH_DIR, TPCH_TABLES } from './args.js';

const [engine, threadsArg, runsArg, filesJson, slicesArg, queriesDir = path.join(TPCH_DIR, 'queries')] = process.argv.slice(2);
const runs = Number(runsArg);
const files = new Map<string, string>(Object.entries(JSON.parse(filesJson!) as Record<string, string>));
const schema = fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8');
const queries = fs.readdirSync(queriesDir).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, -4)).sort();
const times: Record<string, number[]> = {};
const errors: Record<string, string> = {};
const phases: Record<string, QueryPhases[]> = {};

/** `run` may return the engine's phases of the run, kept beside its time. */
async function timeQueries(run: (sql: string) => Promise<QueryPhases | void>): Promise<void> {
  for (const q of queries) {
    const sql = fs.readFileSync(path.join(queriesDir!, `${q}.sql`), 'utf8');
    try {
      await run(sql); // warm-up
      const ts: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        const p = await run(sql);
        ts.push(performance.now() - t0);
        if (p) (phases[q] ??= []).push(p);
      }
      times[q] = ts;
    } catch (e) {
      errors[q] = (e as Error).message.split('\n')[0]!;
    }
    process.stderr.write(`${engine} ${q}: ${times[q] ? times[q]!.map((t) => t.toFixed(0)).join(' ') + ' ms' : 'ERROR ' + errors[q]}\n`);
  }
}

let loadMs = 0;
if (engine === 'keel') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-q-'));
  try {
    // each query runs --runs times: the result cache would answer all but the first
    // KEEL_BENCH_PLAN_CACHE=off (tpch-queries.ts --phases): every run binds and plans afresh
    const db = await Database.open(dir, { slices: Number(slicesArg ?? 4), resultCache: false, planCache: process.env.KEEL_BENCH_PLAN_CACHE !== 'off' });
    await db.execute(schema);
    const t0 = performance.now();
    for (const t of TPCH_TABLES) await db.load(t, files.get(t)!, { delimiter: '|' });
    loadMs = performance.now() - t0;
    await timeQueries(async (sql) => {
      const results = await db.execute(sql);
      return sumPhases(results.map((r) => r.stats.phases));
    });
    db.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
} else {
  const instance = await DuckDBInstance.create(':memory:', { threads: threadsArg === '0' ? String(os.cpus().length) : threadsArg! });
  const con = await instance.connect();
  for (const stmt of schema.split(';').map((s) => s.replace(/--.*$/gm, '').trim()).filter(Boolean)) await con.run(stmt);
  const t0 = performance.now();
  for (const t of TPCH_TABLES) {
    const cols = (await con.runAndReadAll(`select column_name from information_schema.columns where table_name = '${t}' order by ordinal_position`)).getRowsJson() as string[][];
    const spec = [...cols.map((r) => `'${r[0]}': 'VARCHAR'`), `'extra__': 'VARCHAR'`].join(', ');
    await con.run(`insert into ${t} select * exclude (extra__) from read_csv('${files.get(t)}', delim='|', header=false, quote='', escape='', columns={${spec}})`);
  }
  loadMs = performance.now() - t0;
  await timeQueries(async (sql) => {
    // q15 is a script (create view; select; drop view): run statement by statement, read every result
    for (const stmt of sql.split(';').map((s) => s.trim()).filter(Boolean)) await con.runAndReadAll(stmt);
  });
  con.closeSync();
  instance.closeSync();
}
process.stdout.write(JSON.stringify({ loadMs, times, errors, maxRssKb: peakRssKb(), ...(engine === 'keel' ? { phases } : {}) }) + '\n');

/** A script's phases: its statements' summed (q15 is a view's CREATE, a SELECT and a DROP; only the SELECT has phases). */
function sumPhases(all: readonly (QueryPhases | undefined)[]): QueryPhases | undefined {
  const got = all.filter((p): p is QueryPhases => p !== undefined);
  if (got.length === 0) return undefined;
  const out = { ...got[0]! };
  for (const p of got.slice(1)) for (const k of Object.keys(out) as (keyof QueryPhases)[]) out[k] += p[k];
  return out;
}

/**
 * This process's peak RSS in KiB. VmHWM starts afresh at exec; getrusage's maxrss
 * does not on Linux (it carries the parent's peak over), which would charge a
 * child with the memory of the process that spawned it.
 */
function peakRssKb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    /* not Linux: fall back */
  }
  return process.resourceUsage().maxRSS;
}
