/**
 * `npm run bench:dml`: DELETE, UPDATE and MERGE of 1%, 10% and 50% of
 * lineitem, on keel and on DuckDB running the same statements over the same
 * data, a scan of the table before any change and after the deletes (a
 * scan of a table with no deletes must stay as fast as before delete vectors),
 * and VACUUM against the rebuild that does its work on DuckDB.
 * Each measurement starts from a fresh copy of lineitem (made untimed, CREATE
 * TABLE ... AS SELECT on both engines), the statement timed alone, median of
 * --runs. The engines alternate per measurement, so a burst of other work on
 * a shared machine does not fall on one engine's whole series. DuckDB runs in
 * memory with as many threads as keel uses (the calling thread plus its
 * workers); the machine's load average is printed beside the figures.
 *
 *   node dist/bench/dml.js [--sf 1] [--runs 3] [--write]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Database } from '../engine/database.js';
import { flag, REPO, TPCH_DIR } from './args.js';
import { updateSection } from './report.js';
import { tpchFiles } from './tpch-files.js';

const sf = flag('--sf', '1');
const runs = Number(flag('--runs', '3'));
const write = process.argv.includes('--write');

/** l_orderkey % 100 < p picks p% of the orders and (near enough) of their lines on both engines alike. */
const statements = (p: number): { name: string; sql: string }[] => [
  { name: `DELETE ${p}%`, sql: `delete from l where l_orderkey % 100 < ${p}` },
  { name: `UPDATE ${p}%`, sql: `update l set l_quantity = l_quantity + 1, l_comment = 'updated' where l_orderkey % 100 < ${p}` },
  {
    name: `MERGE ${p}%`,
    // half the source rows match (update), half are new (insert): the source is p% of lineitem, its keys shifted for the half that inserts
    sql:
      `merge into l using (select case when l_linenumber % 2 = 0 then l_orderkey else l_orderkey + 100000000 end as k, l_linenumber as n, l_quantity as q from lineitem where l_orderkey % 100 < ${p}) s ` +
      `on l.l_orderkey = s.k and l.l_linenumber = s.n ` +
      `when matched then update set l_quantity = s.q + 1 ` +
      `when not matched then insert (l_orderkey, l_linenumber, l_quantity, l_partkey, l_suppkey, l_extendedprice, l_discount, l_tax, l_returnflag, l_linestatus, l_shipdate, l_commitdate, l_receiptdate, l_shipinstruct, l_shipmode, l_comment) ` +
      `values (s.k, s.n, s.q, 1, 1, 0, 0, 0, 'N', 'O', date '1998-01-01', date '1998-01-01', date '1998-01-01', 'NONE', 'MAIL', 'merged')`,
  },
];
const SCAN = 'select l_returnflag, count(*), sum(l_quantity) from l group by 1 order by 1';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Engine {
  readonly name: string;
  /** Runs SQL and reads every result row. */
  run(sql: string): Promise<void>;
  close(): void;
}

async function keelEngine(files: Map<string, string>, work: string): Promise<Engine & { threads: number }> {
  const db = await Database.open(path.join(work, 'keel'));
  const schema = fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8');
  const lineitemDdl = schema.split(';').find((s) => /create table lineitem/i.test(s))!;
  await db.execute(lineitemDdl);
  await db.load('lineitem', files.get('lineitem')!, { delimiter: '|' });
  return {
    name: 'keel',
    threads: 1 + (db.workerPool()?.size ?? 0),
    run: async (sql) => {
      await db.execute(sql);
    },
    close: () => db.close(),
  };
}

async function duckEngine(files: Map<string, string>, threads: number): Promise<Engine> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con: DuckDBConnection = await instance.connect();
  const schema = fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8');
  const lineitemDdl = schema.split(';').find((s) => /create table lineitem/i.test(s))!.replace(/--.*$/gm, '');
  await con.run(lineitemDdl);
  const cols = (await con.runAndReadAll(`select column_name from information_schema.columns where table_name = 'lineitem' order by ordinal_position`)).getRowsJson() as string[][];
  const spec = [...cols.map((r) => `'${r[0]}': 'VARCHAR'`), `'extra__': 'VARCHAR'`].join(', ');
  await con.run(`insert into lineitem select * exclude (extra__) from read_csv('${files.get('lineitem')}', delim='|', header=false, quote='', escape='', columns={${spec}})`);
  return {
    name: 'duckdb',
    run: async (sql) => {
      await con.runAndReadAll(sql);
    },
    close: () => {
      con.closeSync();
      instance.closeSync();
    },
  };
}

/** keel's copy sorted on ship date, for the sort vacuums; DuckDB has no sort key, and its copy is the same rows. */
const SORTED_COPY = { keel: 'create table l sortkey (l_shipdate) as select * from lineitem order by l_shipdate', duckdb: 'create table l as select * from lineitem order by l_shipdate' };

interface Case {
  readonly name: string;
  /** keel's statement; DuckDB's when `duckdb` is not given. */
  readonly sql: string;
  /** DuckDB's statement where it differs: for VACUUM, the rebuild that does the same work. */
  readonly duckdb?: string;
  /** Untimed, after the copy is made. */
  readonly before?: string;
  readonly sorted?: boolean;
}

/** Times the case's statement on a fresh copy `l` of lineitem; `before` (untimed) runs first when given, e.g. the deletes before a scan. */
async function timeOnCopy(e: Engine, c: Case): Promise<number> {
  await e.run('drop table if exists l');
  await e.run(c.sorted ? (e.name === 'keel' ? SORTED_COPY.keel : SORTED_COPY.duckdb) : 'create table l as select * from lineitem');
  if (c.before) await e.run(c.before);
  const sql = e.name === 'duckdb' && c.duckdb ? c.duckdb : c.sql;
  const t0 = performance.now();
  await e.run(sql);
  return performance.now() - t0;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-dml-'));
const loadBefore = os.loadavg()[0]!;
try {
  const files = tpchFiles(sf, work);
  const keel = await keelEngine(files, work);
  const duck = await duckEngine(files, keel.threads);
  const delete10 = statements(10)[0]!.sql;
  const update10 = statements(10)[1]!.sql;
  const cases: Case[] = [
    { name: 'scan, no deletes', sql: SCAN },
    ...[1, 10, 50].flatMap((p) => statements(p)),
    { name: 'scan after DELETE 10%', sql: SCAN, before: delete10 },
    // VACUUM has no DuckDB twin that does its work (DuckDB's VACUUM neither drops deleted rows from storage nor sorts): DuckDB's
    // figure is the rebuild that does, the table copied anew without its deleted rows (and, for the sort, in sort key order)
    { name: 'VACUUM DELETE ONLY after DELETE 10%', sql: 'vacuum delete only l to 100 percent', duckdb: 'create or replace table l as select * from l', before: delete10 },
    { name: 'VACUUM SORT ONLY after UPDATE 10%', sql: 'vacuum sort only l to 100 percent', duckdb: 'create or replace table l as select * from l order by l_shipdate', before: update10, sorted: true },
    { name: 'VACUUM FULL after UPDATE 10%', sql: 'vacuum full l to 100 percent', duckdb: 'create or replace table l as select * from l order by l_shipdate', before: update10, sorted: true },
  ];
  const rows: string[] = [];
  for (const c of cases) {
    const times: Record<string, number[]> = { keel: [], duckdb: [] };
    // one unmeasured run of each first (compiling, caches), then the engines alternate
    await timeOnCopy(keel, c);
    await timeOnCopy(duck, c);
    for (let r = 0; r < runs; r++) {
      for (const e of r % 2 === 0 ? [keel, duck] : [duck, keel]) times[e.name]!.push(await timeOnCopy(e, c));
    }
    const k = median(times.keel!);
    const d = median(times.duckdb!);
    process.stderr.write(`${c.name}: keel ${k.toFixed(0)} ms, DuckDB ${d.toFixed(0)} ms\n`);
    rows.push(`| ${c.name} | ${k.toFixed(0)} | ${d.toFixed(0)} | ${(k / d).toFixed(2)} |`);
  }
  keel.close();
  duck.close();
  const body = [
    `DELETE, UPDATE and MERGE of 1%, 10% and 50% of lineitem at SF ${sf} (\`l_orderkey % 100 < p\`; MERGE's source is p% of lineitem, half matching and updated, half new and inserted), each on a fresh copy of the table, the statement timed alone; a grouped scan of the table before any change and after deleting 10%; and VACUUM after deleting or updating 10% (the sort vacuums on a copy sorted on l_shipdate), set against DuckDB's rebuild of the table, which does the same work (DuckDB's own VACUUM does not). keel (default AUTO layout, ${keel.threads} threads: the calling thread and its workers) against DuckDB in memory at ${keel.threads} threads, in the same run, alternating. One unmeasured run, then the median of ${runs}.`,
    '',
    '```sh',
    'npm run build',
    `node dist/bench/dml.js --sf ${sf} --runs ${runs} --write`,
    '```',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.cpus().length} cores, load average ${loadBefore.toFixed(1)} at the start and ${os.loadavg()[0]!.toFixed(1)} at the end.`,
    '',
    '| statement | keel ms | DuckDB ms | keel / DuckDB |',
    '|---|---:|---:|---:|',
    ...rows,
  ].join('\n');
  process.stdout.write(body + '\n');
  if (write) updateSection(path.join(REPO, 'docs', 'performance.md'), 'Changing data', body);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
