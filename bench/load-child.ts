/**
 * One timed load for the load benchmark (tpch-load.ts), in a process of its own
 * so that its peak RSS is its own: prints {rows, ms, cpuMs, maxRssKb} as JSON.
 *
 *   node dist/bench/load-child.js keel DIR TABLE FILE
 *   node dist/bench/load-child.js duckdb DIR TABLE FILE THREADS SCHEMA_SQL
 *
 * keel: `Database.load` into DIR's table (what `keel load` runs). DuckDB: a
 * database file in DIR with the same table, loaded with read_csv over the same
 * file (typed columns, '|' delimiter, dbgen's trailing delimiter read as an
 * extra column and dropped) and checkpointed, so both engines end with the rows
 * on disk. cpuMs is this process's user + system time over the load, all its
 * threads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Database } from '../engine/database.js';

const [, , engine, dir, table, file, threads, schemaFile] = process.argv;
let rows: number;
let ms: number;
let cpuMs: number;
if (engine === 'keel') {
  const db = await Database.open(dir!, { create: false });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  ({ rows } = await db.load(table!, file!, { delimiter: '|' }));
  ms = performance.now() - t0;
  cpuMs = cpuSince(c0);
  db.close();
} else if (engine === 'duckdb') {
  const instance = await DuckDBInstance.create(path.join(dir!, `${table}.duckdb`), { threads: threads! });
  const con = await instance.connect();
  const ddl = fs
    .readFileSync(schemaFile!, 'utf8')
    .split(';')
    .map((s) => s.replace(/--.*$/gm, '').trim())
    .find((s) => new RegExp(`^create table ${table}\\s*\\(`, 'i').test(s));
  if (!ddl) throw new Error(`no DDL for ${table} in ${schemaFile}`);
  await con.run(ddl);
  const cols = (await con.runAndReadAll(`select column_name, data_type from information_schema.columns where table_name = '${table}' order by ordinal_position`)).getRowsJson() as string[][];
  const spec = [...cols.map((r) => `'${r[0]}': '${r[1]}'`), `'extra__': 'VARCHAR'`].join(', ');
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await con.run(`insert into ${table} select * exclude (extra__) from read_csv('${file}', delim='|', header=false, quote='', escape='', columns={${spec}})`);
  await con.run('checkpoint');
  ms = performance.now() - t0;
  cpuMs = cpuSince(c0);
  rows = Number((await con.runAndReadAll(`select count(*) from ${table}`)).getRowsJson()[0]![0]);
  con.closeSync();
  instance.closeSync();
} else throw new Error(`unknown engine ${engine}: keel or duckdb`);
process.stdout.write(JSON.stringify({ rows, ms, cpuMs, maxRssKb: peakRssKb() }) + '\n');

function cpuSince(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
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
