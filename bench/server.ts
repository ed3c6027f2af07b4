/**
 * `npm run bench:server`: what the wire costs. Queries per second for small
 * queries (`select 1`, and point lookups of one order by its key) with one and
 * with several clients, and rows per second for a large result (lineitem's
 * columns, every row), each over the PostgreSQL protocol (node-postgres
 * against `keel serve`'s server, in this process) and in process
 * (Database.query on handles opened with the same options), in the same run,
 * alternating, median of --runs.
 *
 * The data is TPC-H from keel's generator (orders and lineitem at --sf; SF 0.17
 * is about a million lineitem rows). Result caches are off on both sides, so
 * every query does its work; a client asks for text values and keeps them as
 * text, so the figures are the server's, not node-postgres's type parsing.
 *
 *   node dist/bench/server.js [--sf 0.17] [--runs 5] [--queries 2000] [--clients 1,8] [--json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { Database, tpchTables, usersOf, type OpenOptions } from '../engine/index.js';
import { PgServer } from '../server/index.js';
import { flag } from './args.js';
import { median } from './report.js';

const sf = Number(flag('--sf', '0.17'));
const runs = Number(flag('--runs', '5'));
const queries = Number(flag('--queries', '2000'));
const clients = flag('--clients', '1,8').split(',').map(Number);
const json = process.argv.includes('--json');
if (![sf, runs, queries, ...clients].every((n) => Number.isFinite(n) && n > 0)) throw new Error('--sf, --runs, --queries and --clients take positive numbers');

const USER = 'bench';
const PASSWORD = 'Bench-pass-1';
/** Both sides open their handles alike: no result cache (each query does its work), default workers. */
const SESSION: OpenOptions = { create: false, resultCache: false };

/** One side of the comparison: `clients` sessions that run SQL and read every row. */
interface Side {
  readonly name: 'wire' | 'in process';
  sessions(n: number): Promise<{ run(sql: string): Promise<number>; close(): Promise<void> }[]>;
}

function inProcess(dir: string): Side {
  return {
    name: 'in process',
    sessions: async (n) =>
      Promise.all(
        Array.from({ length: n }, async () => {
          const db = await Database.open(dir, SESSION);
          return {
            run: async (sql: string) => (await db.query(sql)).rows().length,
            close: async () => db.close(),
          };
        }),
      ),
  };
}

/** Every value as the server sent it (text): the client does no type parsing. */
const asText = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

function overTheWire(port: number): Side {
  return {
    name: 'wire',
    sessions: async (n) =>
      Promise.all(
        Array.from({ length: n }, async () => {
          const c = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'keel', types: asText });
          await c.connect();
          return {
            run: async (sql: string) => (await c.query({ text: sql, rowMode: 'array' })).rows.length,
            close: () => c.end(),
          };
        }),
      ),
  };
}

interface Measure {
  readonly name: string;
  readonly unit: 'queries/s' | 'rows/s';
  readonly clients: number;
  /** The SQL each client runs, in turn (the i-th query of a client). */
  readonly sql: (client: number, i: number) => string;
  /** Queries per client. */
  readonly perClient: number;
}

/** Runs a measure on a side once: its rate (queries or rows per second), connections made before the clock starts. */
async function measureOnce(side: Side, m: Measure): Promise<number> {
  const sessions = await side.sessions(m.clients);
  try {
    // one query each first: plans and connections warm on both sides alike
    await Promise.all(sessions.map((s, k) => s.run(m.sql(k, 0))));
    const t0 = performance.now();
    const rows = await Promise.all(
      sessions.map(async (s, k) => {
        let n = 0;
        for (let i = 0; i < m.perClient; i++) n += await s.run(m.sql(k, i));
        return n;
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const work = m.unit === 'rows/s' ? rows.reduce((a, b) => a + b, 0) : m.clients * m.perClient;
    return work / seconds;
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-server-'));
  const dir = path.join(work, 'data');
  const owner = await Database.open(dir, { workers: 0 });
  let server: PgServer | null = null;
  try {
    await owner.execute(`create user ${USER} password '${PASSWORD}' createuser`);
    let orders = 0;
    let lineitems = 0;
    for (const t of tpchTables(sf, 1)) {
      if (t.name !== 'orders' && t.name !== 'lineitem') continue;
      await owner.execute(t.ddl);
      await owner.append(t.name, t.batches(), t.rows);
      if (t.name === 'orders') orders = Number((await owner.query('select max(o_orderkey) from orders')).rows()[0]![0]);
      else lineitems = Number((await owner.query('select count(*) from lineitem')).rows()[0]![0]);
    }
    server = await PgServer.listen(({ user }) => Database.open(dir, { ...SESSION, authorization: user }), { port: 0, log: (line) => process.stderr.write(`${line}\n`), users: () => usersOf(owner.store.catalog()) });
    const sides = [inProcess(dir), overTheWire(server.port)];
    // order keys spread over the table, a different one per client and query (every key a seed picks is an order: keys come in runs of 8 of every 32)
    const key = (client: number, i: number) => 1 + (((client * 7919 + i * 104729) % Math.max(1, Math.floor(orders / 32))) * 32);
    const measures: Measure[] = [
      ...clients.map((n): Measure => ({ name: 'select 1', unit: 'queries/s', clients: n, sql: () => 'select 1', perClient: Math.ceil(queries / n) })),
      ...clients.map(
        (n): Measure => ({
          name: 'point lookup (orders by o_orderkey)',
          unit: 'queries/s',
          clients: n,
          sql: (k, i) => `select o_orderkey, o_custkey, o_orderstatus, o_totalprice, o_orderdate from orders where o_orderkey = ${key(k, i)}`,
          perClient: Math.ceil(queries / 4 / n),
        }),
      ),
      {
        name: `large result (${lineitems} lineitem rows, 6 columns)`,
        unit: 'rows/s',
        clients: 1,
        sql: () => 'select l_orderkey, l_partkey, l_quantity, l_extendedprice, l_shipdate, l_comment from lineitem',
        perClient: 1,
      },
    ];
    const results: { name: string; unit: string; clients: number; inProcess: number; wire: number; ratio: number }[] = [];
    for (const m of measures) {
      const rates: Record<Side['name'], number[]> = { wire: [], 'in process': [] };
      // the sides alternate run by run, so a burst of other work on a shared machine does not fall on one side's whole series
      for (let r = 0; r < runs; r++) for (const side of sides) rates[side.name].push(await measureOnce(side, m));
      const inP = median(rates['in process']);
      const wire = median(rates.wire);
      const row = { name: m.name, unit: m.unit, clients: m.clients, inProcess: Math.round(inP), wire: Math.round(wire), ratio: Number((wire / inP).toFixed(2)) };
      results.push(row);
      if (!json) process.stdout.write(`${row.name}, ${row.clients} client${row.clients > 1 ? 's' : ''}: ${row.inProcess} ${row.unit} in process, ${row.wire} over the wire (${row.ratio}x)\n`);
    }
    const setting = { sf, runs, queries, clients, cores: os.cpus().length, loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))) };
    if (json) process.stdout.write(`${JSON.stringify({ ...setting, results })}\n`);
    else process.stdout.write(`SF ${sf}, median of ${runs} runs, ${setting.cores} cores, load average ${setting.loadAverage.join(' ')}\n`);
  } finally {
    await server?.close();
    owner.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
