/** Shared pieces of the advisor tests: catalogs, workloads from records, small join graphs. */
import type { Catalog, TableMeta } from '../../engine/index.js';
import { PartBuilder } from '../../workload-log/columns.js';
import { workloadOf, type LogRecord, type Workload } from '../../workload-log/index.js';
import { joinCostTable, addOriented, newCostTable, joinGraph, type JoinGraph, type MinedEdge, type RunOptions, type TableInfo } from '../../advisor/index.js';
import { Database } from '../../index.js';

export function fakeTable(name: string, rows: number, columns: string[], dist: { style?: 'even' | 'key' | 'all'; key?: string } = {}): TableMeta {
  return {
    id: 1,
    name,
    columns: columns.map((c) => ({ name: c, type: { id: 'integer' }, notNull: false, encoding: 'auto', encodingExplicit: false })),
    distStyle: dist.style ?? 'even',
    distKey: dist.key ?? null,
    distAuto: true,
    sortKey: [],
    sortAuto: true,
    version: 1,
    segments: [{ file: 'x', slice: 0, rows, bytes: rows * 4 }],
    rows,
    evenCursor: 0,
    nextSegment: 1,
    modifiedAt: 0,
  };
}

export function fakeCatalog(tables: TableMeta[], slices = 4): Catalog {
  return {
    format: 1,
    slices,
    blockRows: 16384,
    autoAllMaxRows: 10000,
    generation: 1,
    nextTableId: tables.length + 1,
    tables: Object.fromEntries(tables.map((t) => [t.name, t])),
    views: {},
  };
}

export function workloadFrom(records: readonly LogRecord[]): Workload {
  const b = new PartBuilder();
  for (const r of records) b.add(r);
  return workloadOf([b.build()]);
}

const T0 = Date.UTC(2024, 0, 10);

/** A query record with the given joins, started `ageMs` before T0 + 0. */
export function joinRecord(n: number, fingerprint: string, joins: LogRecord['joins'], ageMs = 0): LogRecord {
  return {
    version: 1,
    id: `q${n}`,
    startTime: new Date(T0 - ageMs).toISOString(),
    durationMs: 5,
    user: 'u',
    session: 's',
    sql: fingerprint,
    fingerprint,
    command: 'SELECT',
    status: 'ok',
    error: null,
    rowsReturned: 1,
    rowsMoved: joins.reduce((s, j) => s + j.rowsMoved, 0),
    bytesMoved: joins.reduce((s, j) => s + j.bytesMoved, 0),
    blocksTotal: 0,
    blocksScanned: 0,
    blocksSkipped: 0,
    scans: [],
    joins,
    groupBy: [],
    orderBy: [],
    source: 'api',
  };
}

export function join(left: string, right: string, o: Partial<LogRecord['joins'][number]> = {}): LogRecord['joins'][number] {
  return {
    left,
    right,
    keys: [{ left, right }],
    type: 'inner',
    action: 'DS_DIST_BOTH',
    leftRows: 1000,
    rightRows: 100,
    rowsMoved: 825,
    bytesMoved: 825 * 8,
    ...o,
  };
}

export function info(name: string, rows: number, columns: string[], rowWidth = 16): TableInfo {
  return { name, rows, bytes: rows * rowWidth, rowWidth, columns, distStyle: 'even', distKey: null, distAuto: true };
}

/** An edge whose joins move `outer` and `inner` bytes per execution, `count` times. */
export function edge(source: string, sc: string, target: string, tc: string, count: number, outer: number, inner: number, slices = 4): MinedEdge {
  const costs = newCostTable();
  addOriented(costs, joinCostTable(outer, inner, 'inner', slices), true, count);
  return {
    source,
    target,
    pairs: [{ source: sc, target: tc }],
    count,
    decayedCount: count,
    queries: count,
    fingerprintCount: 1,
    rowsMoved: 0,
    bytesMoved: 0,
    actions: {},
    types: { inner: count },
    costs: [...costs],
    evidence: [{ fingerprint: `select ... ${source} join ${target}`, count, bytesMoved: 0, cost: costs[0]! }],
  };
}

/**
 * Greedy's trap: hub table h has two keys. Its heaviest edge (h.a = b.a) is
 * worth less than its two lighter edges on h.c together (h.c = c.c, h.c = d.c),
 * so co-locating the heaviest edge first loses.
 */
export function competingKeysGraph(): JoinGraph {
  const tables = [info('h', 1e6, ['a', 'c']), info('b', 1e6, ['a']), info('c', 1e6, ['c', 'x']), info('d', 1e6, ['c', 'y'])];
  const edges = [
    edge('b', 'a', 'h', 'a', 10, 1e6, 1e6),
    edge('c', 'c', 'h', 'c', 7, 1e6, 1e6),
    edge('d', 'c', 'h', 'c', 7, 1e6, 1e6),
    // c and d also join elsewhere, so they are not leaves that elimination alone would settle
    edge('c', 'x', 'd', 'y', 1, 1e6, 1e6),
  ];
  return joinGraph(tables, edges, { slices: 4, loadsPerWindow: 1e9 });
}

/** A well-mixed hash of i: values with no order that a load or a slice hash could pick up. */
export function mix(i: number): number {
  let h = Math.imul(i ^ (i >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Sort keys only: encodings are chosen on measured decode speeds and may come and go between runs. The proof runs each shape's
 * latest statement alone, which refusedSortKeyWorkload's refusal rests on (three spread over the shape's executions, the default,
 * see its narrow ranges too, and prove the key).
 */
export const REFUSED_SORT_KEY_RUN: RunOptions = { skewCheck: false, whatIf: false, storage: { encodings: false }, shadow: { rounds: 5, statementsPerShape: 1 } };

/**
 * A workload whose sort key the advisor proposes and the shadow proof
 * refuses (with REFUSED_SORT_KEY_RUN): f (40,000 rows) loaded in day order,
 * so its date ranges prune by the load order's clustering, and x spread
 * evenly through every block. 39 narrow ranges on x make SORTKEY(x) look
 * worth it, but that shape's latest statement (the one the proof runs) reads
 * every x, and the 10 date ranges lose their clustering under the key: on the
 * shadow copy it reads about 40% more blocks than the table does today.
 */
export async function refusedSortKeyWorkload(dir: string): Promise<void> {
  const db = await Database.open(dir, { slices: 4, blockRows: 1024 });
  try {
    await db.execute('create table f (day integer, x integer, v integer)');
    await db.execute(`insert into f values ${Array.from({ length: 40_000 }, (_, i) => `(${Math.floor(i / 100)}, ${mix(i) % 100_000}, ${i % 7})`).join(', ')}`);
    for (let k = 0; k < 10; k++) await db.query(`select sum(v) from f where day between ${k * 30} and ${k * 30 + 5}`);
    for (let k = 0; k < 39; k++) await db.query(`select count(*) from f where x between ${(k * 2500) % 99_000} and ${(k * 2500) % 99_000 + 1000}`);
    await db.query('select count(*) from f where x between 0 and 100000');
  } finally {
    db.close();
  }
}
