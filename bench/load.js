#!/usr/bin/env node
// Loader throughput: reads a file with readFile and discards the batches (or,
// with --write, hands them to the storage TableWriter).
//
//   npm run build
//   node bench/load.js [FILE] [--table lineitem] [--batch-rows N] [--write DIR [--sortkey COL]]
//
// FILE defaults to ../shared/tpch/sf0.1/lineitem.tbl.gz (600,572 rows); the
// columns come from ../shared/tpch/schema.sql (--table). Any format readFile
// takes works (.tbl/.csv[.gz], .parquet, .arrow). Uses the compiled code in dist/,
// or the directory named by KEEL_DIST. Prints one JSON line: rows, batches, wall
// and CPU seconds (CPU includes zlib's worker thread), rows/s and peak RSS
// (sampled every 50 ms, and getrusage's maximum).
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import * as fs from 'node:fs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = process.env.KEEL_DIST ?? path.join(here, '..', 'dist');
const { readFile } = await import(path.join(dist, 'engine', 'load', 'index.js'));

const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const table = flag('--table', 'lineitem');
// --write DIR: also hand the batches to the storage TableWriter (EVEN over 4 slices,
// sorted by --sortkey when given), to measure the loader and the writer together.
const writeDir = flag('--write', undefined);
const sortKey = flag('--sortkey', undefined);
const batchRows = Number(flag('--batch-rows', '65536'));
const file = args[0] ?? path.join(here, '..', '..', 'shared', 'tpch', 'sf0.1', `${table}.tbl.gz`);

// Column definitions from the TPC-H schema file (types as in the specification).
const schemaSql = fs.readFileSync(path.join(here, '..', '..', 'shared', 'tpch', 'schema.sql'), 'utf8');
const m = new RegExp(`create table ${table}\\s*\\((.*)\\);`).exec(schemaSql);
if (!m) throw new Error(`no table ${table} in schema.sql`);
const columns = m[1].split(/,(?![^()]*\))/).map((def) => {
  const [, name, type, a, b] = /^\s*(\w+)\s+(\w+)(?:\((\d+)(?:,(\d+))?\))?/.exec(def);
  const notNull = /not null/i.test(def);
  const t = type.toLowerCase();
  if (t === 'decimal') return { name, type: { id: 'decimal', precision: Number(a), scale: Number(b ?? 0) }, notNull };
  if (t === 'char' || t === 'varchar') return { name, type: { id: t, length: Number(a) }, notNull };
  return { name, type: { id: t }, notNull };
});

let writer = null;
if (writeDir) {
  const { TableWriter } = await import(path.join(dist, 'engine', 'storage', 'table-writer.js'));
  fs.rmSync(writeDir, { recursive: true, force: true });
  writer = new TableWriter(
    writeDir,
    {
      columns: columns.map((c) => ({ ...c, encoding: 'auto', encodingExplicit: false })),
      distStyle: 'even',
      distKey: null,
      sortKey: sortKey ? [sortKey] : [],
      slices: 4,
      blockRows: 16384,
      evenCursor: 0,
    },
    0,
  );
}

let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let rows = 0;
let batches = 0;
for await (const b of readFile(file, columns, { batchRows })) {
  rows += b.length;
  batches++;
  writer?.add(b);
}
const written = writer?.finish();
const secs = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
console.log(
  JSON.stringify({
    file: path.relative(process.cwd(), file),
    rows,
    batches,
    seconds: Number(secs.toFixed(3)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
    rowsPerSec: Math.round(rows / secs),
    peakRssMB: Math.round(peak / 2 ** 20),
    ...(written ? { segments: written.segments.length, writtenRows: written.rows } : {}),
  }),
);
