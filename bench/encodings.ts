/**
 * `npm run bench:encodings`: total storage of TPC-H (keel's generator, SF 1 by
 * default) under
 *   - every column RAW, every column ZSTD, ENCODE AUTO as loaded,
 *   - the encoding advisor's choice (sampled, with its decode-speed penalty),
 *   - the oracle: per column, the codec that makes the whole column smallest,
 *   - the same data written by DuckDB as Parquet with zstd;
 * and what the advisor's choice does to scan speed (a query decoding every
 * column of each table, AUTO table against a copy built with the advisor's
 * encodings, median of several runs). `--write` puts the section into
 * docs/performance.md.
 *
 *   node dist/bench/encodings.js [--sf 1] [--runs 5] [--write]
 *
 * Sizes of the first five are encoded value bytes over blocks of blockRows
 * consecutive rows in scan order (no NULL bitmaps, zone maps or footers,
 * which are the same whatever the codec); the AUTO and advisor tables are
 * also given as the bytes their segment files take on disk.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Database } from '../index.js';
import type { EncodingId, TableMeta, Vector } from '../engine/index.js';
import { ALL_CODECS, codecById, encodeAuto, redshiftNameFor, tpchTables } from '../engine/index.js';
import { typeName } from '../engine/types.js';
import { chooseEncodings, readWhole, sliceVector, decodeSpeeds } from '../advisor/index.js';
import { tpchFiles } from './tpch-files.js';
import { flag, REPO } from './args.js';
import { updateSection } from './report.js';

const sf = Number(flag('--sf', '1'));
const runs = Number(flag('--runs', '5'));
const write = process.argv.includes('--write');
const tty = process.stderr.isTTY;
const progress = (m: string) => {
  if (tty) process.stderr.write(`${m}\n`);
};

const MB = (b: number) => (b / 1e6).toFixed(1);

/** Encoded bytes of every block with each codec (RAW where one cannot hold a block, as the writer does), and AUTO's. */
function wholeColumnSizes(v: Vector, blockRows: number): Map<EncodingId | 'auto', number> {
  const sizes = new Map<EncodingId | 'auto', number>();
  for (let from = 0; from < v.length; from += blockRows) {
    const b = sliceVector(v, null, from, Math.min(v.length, from + blockRows));
    const raw = codecById('raw').encodedSize(b);
    for (const c of ALL_CODECS) {
      if (!c.supports(b.kind)) continue;
      const s = c.id === 'zstd' ? c.encode(b).length : c.encodedSize(b);
      sizes.set(c.id, (sizes.get(c.id) ?? 0) + (Number.isFinite(s) ? s : raw));
    }
    sizes.set('auto', (sizes.get('auto') ?? 0) + encodeAuto(b).bytes.length);
  }
  return sizes;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const diskBytes = (t: TableMeta) => t.segments.reduce((s, x) => s + x.bytes, 0);

async function timeScan(db: Database, table: TableMeta, name: string): Promise<number> {
  // max() of every column: every block of every column is decoded
  const sql = `select ${table.columns.map((c) => `max(${c.name})`).join(', ')} from ${name}`;
  await db.query(sql);
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push((await db.query(sql)).stats.elapsedMs);
  return median(times);
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `keel-bench-enc-${sf}-`));
  try {
    const dir = path.join(work, 'keel');
    const db = await Database.open(dir, { workloadLog: false });
    const gens = tpchTables(sf, 0);
    for (const g of gens) {
      progress(`loading ${g.name} (${g.rows.toLocaleString('en-US')} rows)...`);
      await db.execute(g.ddl);
      await db.append(g.name, g.batches(), g.rows);
    }
    const catalog = db.catalog();
    const blockRows = catalog.blockRows;

    progress('choosing encodings from samples...');
    const speeds = decodeSpeeds();
    const t0 = performance.now();
    const choices = await chooseEncodings(db, null);
    const adviseMs = performance.now() - t0;
    const chosen = new Map<string, EncodingId | 'auto'>(choices.map((c) => [`${c.table}.${c.column}`, c.proposed ?? c.current]));
    const encName = (id: EncodingId | 'auto') => (id === 'auto' ? 'AUTO' : redshiftNameFor(id));

    const totals = { raw: 0, zstd: 0, auto: 0, advisor: 0, oracle: 0 };
    const perTable: { table: string; raw: number; zstd: number; auto: number; advisor: number; oracle: number }[] = [];
    const columnRows: string[][] = [];
    for (const g of gens) {
      const t = db.catalog().tables[g.name]!;
      const row = { table: g.name, raw: 0, zstd: 0, auto: 0, advisor: 0, oracle: 0 };
      for (const col of t.columns) {
        progress(`encoding ${g.name}.${col.name} every way...`);
        const v = (await readWhole(db, t, [col.name])).columns[0]!.vector;
        const sizes = wholeColumnSizes(v, blockRows);
        let oracle: EncodingId = 'raw';
        for (const [id, s] of sizes) if (id !== 'auto' && s < sizes.get(oracle)!) oracle = id;
        const adv = chosen.get(`${g.name}.${col.name}`)!;
        row.raw += sizes.get('raw')!;
        row.zstd += sizes.get('zstd')!;
        row.auto += sizes.get('auto')!;
        row.advisor += sizes.get(adv)!;
        row.oracle += sizes.get(oracle)!;
        if (adv !== oracle || g.name === 'lineitem') {
          columnRows.push([`${g.name}.${col.name}`, encName(adv), encName(oracle), MB(sizes.get(adv)!), MB(sizes.get(oracle)!), MB(sizes.get('auto')!)]);
        }
      }
      for (const k of ['raw', 'zstd', 'auto', 'advisor', 'oracle'] as const) totals[k] += row[k];
      perTable.push(row);
    }

    // the advisor's choice as real tables, against AUTO built the same way: two copies of each table, one with the
    // advisor's encodings and one all AUTO, each filled by the same INSERT ... SELECT, so both hold the rows in the
    // same order on the same slices (the loaded table's order differs, and order changes what a codec makes of a block)
    progress('building copies with the advisor\'s encodings and with AUTO...');
    const scan: { table: string; autoMs: number; advisorMs: number; autoDisk: number; advisorDisk: number }[] = [];
    for (const g of gens) {
      const t = db.catalog().tables[g.name]!;
      const copyOf = async (name: string, encodingOf: (column: string) => string) => {
        const cols = t.columns.map((c) => `${c.name} ${typeName(c.type)} encode ${encodingOf(c.name)}`);
        await db.execute(`create table ${name} (${cols.join(', ')}) diststyle even`);
        await db.execute(`insert into ${name} select * from ${g.name}`);
        return db.catalog().tables[name]!;
      };
      const a = await copyOf(`${g.name}_auto`, () => 'auto');
      const c = await copyOf(`${g.name}_adv`, (column) => encName(chosen.get(`${g.name}.${column}`)!));
      progress(`timing scans of ${g.name}...`);
      scan.push({ table: g.name, autoMs: await timeScan(db, a, a.name), advisorMs: await timeScan(db, c, c.name), autoDisk: diskBytes(a), advisorDisk: diskBytes(c) });
    }
    db.close();

    progress('writing the same data as Parquet (zstd) with DuckDB...');
    const files = tpchFiles(String(sf), work);
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    let parquet = 0;
    const parquetPer = new Map<string, number>();
    for (const g of gens) {
      await duck.run(g.ddl);
      const spec = [...g.columns.map((c) => `'${c.name}': 'VARCHAR'`), `'extra__': 'VARCHAR'`].join(', ');
      await duck.run(`insert into ${g.name} select * exclude (extra__) from read_csv('${files.get(g.name)}', delim='|', header=false, quote='', escape='', columns={${spec}})`);
      const out = path.join(work, `${g.name}.parquet`);
      await duck.run(`copy ${g.name} to '${out}' (format parquet, compression zstd)`);
      const size = fs.statSync(out).size;
      parquetPer.set(g.name, size);
      parquet += size;
    }
    duck.closeSync();

    const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;
    const lines: string[] = [];
    lines.push(
      `Command: \`npm run bench:encodings\` (TPC-H SF ${sf} from keel's generator, ${catalog.slices} slices, ${blockRows.toLocaleString('en-US')}-row blocks; ` +
        `${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)} when it finished; ${new Date().toISOString().slice(0, 10)}).`,
      '',
      'Storage in MB (10^6 bytes) of encoded values, blocks of consecutive rows in scan order, every block of every column encoded:',
      '',
      '| table | all RAW | all ZSTD | AUTO (as loaded) | advisor | oracle | DuckDB Parquet (zstd, whole file) |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...perTable.map((r) => `| ${r.table} | ${MB(r.raw)} | ${MB(r.zstd)} | ${MB(r.auto)} | ${MB(r.advisor)} | ${MB(r.oracle)} | ${MB(parquetPer.get(r.table)!)} |`),
      `| **total** | ${MB(totals.raw)} | ${MB(totals.zstd)} | ${MB(totals.auto)} | **${MB(totals.advisor)}** | ${MB(totals.oracle)} | ${MB(parquet)} |`,
      '',
      `- The advisor's choice is ${pct(totals.advisor, totals.oracle)} from the oracle (goal: within 3%), ${pct(totals.advisor, parquet)} against DuckDB's Parquet file (goal: no larger), ` +
        `${pct(totals.advisor, totals.auto)} against AUTO and ${pct(totals.advisor, totals.raw)} against all RAW.`,
      `- The advisor (its proposals applied, AUTO where it proposes no change) sampled ${16} blocks per column and took ${(adviseMs / 1000).toFixed(1)} s for all ${choices.length} columns (one SELECT per column; most of it is reading the column).`,
      `- On disk (segment files: values, NULL bitmaps, zone maps, footers), two copies of each table filled by the same INSERT ... SELECT, one all AUTO and one with the advisor's encodings: AUTO ${MB(scan.reduce((s, x) => s + x.autoDisk, 0))} MB, the advisor's ${MB(scan.reduce((s, x) => s + x.advisorDisk, 0))} MB; ` +
        `by table (AUTO -> advisor): ${scan.map((x) => `${x.table} ${MB(x.autoDisk)} -> ${MB(x.advisorDisk)}`).join(', ')}. No table is larger under the advisor's choice: ${scan.every((x) => x.advisorDisk <= x.autoDisk) ? 'holds' : `**fails** (${scan.filter((x) => x.advisorDisk > x.autoDisk).map((x) => x.table).join(', ')})`}.`,
      `- Decode speeds measured on this machine (reference blocks, ns per value; the chooser times the column's own samples and charges 0.1 byte per ns per value): ` +
        (['i32', 'f64', 'str'] as const).map((k) => `${k}: ${Object.entries(speeds[k]).map(([c, ns]) => `${c} ${(ns as number).toFixed(2)}`).join(', ')}`).join('; ') + '.',
      '',
      `Scan speed of the two copies: \`select max(c1), ..., max(cN) from t\` decodes every block of every column; median of ${runs} runs, ms:`,
      '',
      '| table | AUTO | advisor | change |',
      '|---|---:|---:|---:|',
      ...scan.map((s) => `| ${s.table} | ${s.autoMs.toFixed(0)} | ${s.advisorMs.toFixed(0)} | ${pct(s.advisorMs, s.autoMs)} |`),
      '',
      'Scan times on a shared machine move by tens of percent between runs; where the advisor chose ZSTD for text, decoding is slower than RAW or BYTEDICT: smaller on disk, slower to scan when the column is read whole.',
      '',
      'Columns where the advisor and the oracle differ (and every lineitem column), MB:',
      '',
      '| column | advisor | oracle | advisor MB | oracle MB | AUTO MB |',
      '|---|---|---|---:|---:|---:|',
      ...columnRows.map((r) => `| ${r.join(' | ')} |`),
    );
    const body = lines.join('\n');
    process.stdout.write(body + '\n');
    if (write) updateSection(path.join(REPO, 'docs', 'performance.md'), 'Encodings', body);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
