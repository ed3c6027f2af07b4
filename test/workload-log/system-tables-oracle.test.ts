/**
 * The system tables against rows computed from the records themselves: a
 * generated log with NULLs, errors, several scans, predicates and joins per
 * statement, held partly in compacted chunks and partly in raw segments (each
 * part is its own batch with its own dictionaries), read whole, by a few
 * columns, grouped, and filtered on start_time (which skips chunks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { Database, WorkloadLog, WorkloadStore, type LogRecord } from '../../index.js';
import { rng } from '../helpers/random.js';
import { record, tempDir } from './helpers.js';

const N = 600;
const BASE = Date.UTC(2024, 4, 1, 8);
let dir: string;
let db: Database;
let records: LogRecord[];

function generate(n: number): LogRecord {
  const r = rng(n + 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const failed = r() < 0.15;
  const scans = Array.from({ length: Math.floor(r() * 3) }, (_, k) => ({
    table: pick(['orders', 'lineitem', 'customer']),
    columns: pick([['a'], ['a', 'b'], ['o_date', 'o_id', 'o_cust']]),
    predicates: Array.from({ length: Math.floor(r() * 3) }, () => ({
      column: pick(['a', 'o_date', 'b']),
      op: pick(['=', '<', '>=', 'in', 'like', 'other']),
      literal: r() < 0.2 ? null : pick(['1', "it's", '2024-05-01', 'é✓']),
      estSelectivity: pick([0.5, 0.1, 0.01]),
      actualSelectivity: r() < 0.3 ? null : pick([0.25, 0.05]),
    })),
    blocksTotal: 4 + k,
    blocksScanned: 2,
    blocksSkipped: 2 + k,
    rowsScanned: r() < 0.2 ? 0 : 100 * (k + 1),
    rowsOut: 7 * k,
  }));
  const joins = Array.from({ length: Math.floor(r() * 3) }, (_, k) => ({
    left: 'orders.o_cust',
    right: 'customer.c_id',
    keys: k === 1 ? [
      { left: 'orders.o_cust', right: 'customer.c_id' },
      { left: 'orders.o_nation', right: 'customer.c_nation' },
    ] : [{ left: 'orders.o_cust', right: 'customer.c_id' }],
    type: pick(['inner', 'left', 'semi']),
    action: pick(['DS_DIST_NONE', 'DS_BCAST_INNER']),
    leftRows: 10 * k,
    rightRows: 3,
    rowsMoved: k,
    bytesMoved: 100 * k,
  }));
  return record({
    n,
    id: `q${String(n).padStart(4, '0')}`,
    // out of order within each writer's run, a few milliseconds apart, some in the same millisecond
    startTime: new Date(BASE + (n % 2 ? n * 7 : n * 7 + 3) * 60_000 + (n % 5) * 123).toISOString(),
    durationMs: failed ? 0.5 : 1 + (n % 17) * 2.25,
    user: pick(['ann', 'bob', 'dashboard']),
    session: `s${n % 9}`,
    sql: `select * from t where a = ${n} -- ${pick(['x', 'ünï', ''])}`,
    fingerprint: pick(['select * from t where a = ?', 'select count(*) from orders', 'insert into t values (?)']),
    command: failed ? 'ERROR' : pick(['SELECT', 'INSERT']),
    status: failed ? 'error' : 'ok',
    error: failed ? { code: pick(['SYNTAX', 'UNKNOWN_COLUMN']), message: pick(['bad', '']) } : null,
    rowsReturned: n % 13,
    rowsMoved: n % 4,
    bytesMoved: (n % 4) * 512,
    blocksTotal: 6,
    blocksScanned: 4,
    blocksSkipped: 2,
    scans,
    joins,
    groupBy: n % 3 ? [] : ['t.a', 't.b'],
    orderBy: n % 4 ? [] : ['t.a'],
    source: pick(['api', 'replay']),
    // some records from before transaction ids (none), some statements sharing a block's id
    ...(n % 3 === 0 ? {} : { transactionId: `x${Math.floor(n / 4)}` }),
    // some answered by the result cache, through raw segments and compacted chunks alike
    ...(n % 5 === 2 ? { resultCacheHit: true as const } : {}),
    // some run by a catalog user (keel serve), some through its queue: each field on its own, and both together
    ...(n % 4 === 1 ? { userId: 100 + (n % 3) } : {}),
    ...(n % 6 === 3 || n % 12 === 1 ? { queueMs: (n % 7) * 1.25 } : {}),
  });
}

/** The engine's text of a timestamp (formatTimestamp) from milliseconds: microseconds, trailing zeros of the fraction dropped. */
function ts(ms: number): string {
  const us = Math.round(ms * 1000);
  const sec = Math.floor(us / 1e6);
  const frac = us - sec * 1e6;
  const iso = new Date(sec * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${String(frac).padStart(6, '0').replace(/0+$/, '')}` : ''}`;
}

const byText = (a: readonly unknown[], b: readonly unknown[]) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);
const rows = async (sql: string) => (await db.query(sql)).rows();
const sorted = async (sql: string) => (await rows(sql)).sort(byText);

beforeAll(async () => {
  dir = tempDir('systables-oracle');
  records = Array.from({ length: N }, (_, n) => generate(n));
  (await Database.open(dir, { workloadLog: false })).close();
  // three writers, two of them compacted into chunks of 150 records (retention judged from the day after), the last left raw
  const write = (from: number, to: number) => {
    const log = new WorkloadLog(dir, { autoCompact: false });
    for (const r of records.slice(from, to)) log.append(r);
    log.close();
  };
  for (const [from, to] of [
    [0, 250],
    [250, 450],
  ] as const) {
    write(from, to);
    expect(new WorkloadStore(dir).compact({ chunkRecords: 150, nowMs: BASE + 86_400_000 })!.totalRecords).toBe(to);
  }
  write(450, N);
  expect(new WorkloadStore(dir).status().chunks).toBeGreaterThan(1);
  expect(new WorkloadStore(dir).status().segments).toBe(1);
  db = await Database.open(dir, { workloadLog: { autoCompact: false } });
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const startMs = (r: LogRecord) => Date.parse(r.startTime);

describe('system tables against the records', () => {
  it('sys_query_history: every column of every record', async () => {
    const expected = records.map((r) => [
      r.id,
      ts(startMs(r)),
      ts(startMs(r) + r.durationMs),
      r.durationMs,
      Math.round(r.durationMs * 1000),
      r.queueMs === undefined ? null : Math.round(r.queueMs * 1000),
      r.queueMs ?? null,
      r.user,
      r.userId ?? null,
      r.session,
      r.transactionId ?? null,
      r.source,
      r.command,
      r.command,
      r.status === 'ok' ? 'success' : 'failed',
      r.error?.code ?? null,
      r.error ? r.error.message : null,
      r.fingerprint,
      r.sql,
      r.rowsReturned,
      r.rowsMoved,
      r.bytesMoved,
      r.blocksTotal,
      r.blocksScanned,
      r.blocksSkipped,
      r.groupBy.join(','),
      r.orderBy.join(','),
      r.resultCacheHit === true,
    ]);
    // the reading statements are recorded too; only the generated ones are compared
    expect(await rows(`select * from sys_query_history where query_id like 'q%' order by query_id`)).toEqual(expected);
  });

  it('a few columns, grouped', async () => {
    const groups = new Map<string, [number, number, number]>();
    for (const r of records) {
      const g = groups.get(r.fingerprint) ?? [0, 0, 0];
      groups.set(r.fingerprint, [g[0] + 1, g[1] + r.durationMs, g[2] + r.bytesMoved]);
    }
    const expected = [...groups].map(([fp, [n, ms, bytes]]) => [fp, n, ms, bytes]).sort(byText);
    const got = await sorted(`select fingerprint, count(*), sum(elapsed_ms), sum(bytes_moved) from sys_query_history where query_id like 'q%' group by fingerprint`);
    expect(got.map((g) => [g[0], g[1], Number((g[2] as number).toFixed(6)), g[3]])).toEqual(expected.map((g) => [g[0], g[1], Number((g[2] as number).toFixed(6)), g[3]]));
    const perStatus = new Map<string, number>();
    // the table reads a status as Redshift words it
    const word = (s: string) => (s === 'ok' ? 'success' : 'failed');
    for (const r of records) perStatus.set(`${word(r.status)}/${r.error?.code ?? null}`, (perStatus.get(`${word(r.status)}/${r.error?.code ?? null}`) ?? 0) + 1);
    const statuses = await sorted(`select status, error_code, count(*) from sys_query_history where query_id like 'q%' group by 1, 2`);
    expect(statuses.map((s) => [`${s[0]}/${s[1]}`, s[2]]).sort(byText)).toEqual([...perStatus].sort(byText));
  });

  it('filters on start_time, which skips the chunks outside the range, and on other columns', async () => {
    for (const [from, to] of [
      [40, 90],
      [0, 1],
      [300, 2_000],
      [4_000, 5_000],
    ] as const) {
      const lo = BASE + from * 60_000;
      const hi = BASE + to * 60_000;
      const expected = records
        .filter((r) => startMs(r) >= lo && startMs(r) < hi)
        .map((r) => [r.id])
        .sort(byText);
      expect(await sorted(`select query_id from sys_query_history where start_time >= '${ts(lo)}' and start_time < '${ts(hi)}' and query_id like 'q%'`)).toEqual(expected);
      // every range starts before the last record
      const one = records.find((r) => startMs(r) >= lo)!;
      expect(await rows(`select query_id from sys_query_history where start_time = '${ts(startMs(one))}' and query_id = '${one.id}'`)).toEqual([[one.id]]);
    }
    const errors = records.filter((r) => r.status === 'error').map((r) => [r.id, r.error!.message]).sort(byText);
    expect(await sorted(`select query_id, error_message from sys_query_history where status = 'failed'`)).toEqual(errors);
  });

  it('sys_query_scans: one row a scan', async () => {
    const lit = (l: string | null) => (l === null ? '?' : /^-?\d+(\.\d+)?$/.test(l) ? l : `'${l.replace(/'/g, "''")}'`);
    const expected = records.flatMap((r) =>
      r.scans.map((s, k) => [
        r.id,
        ts(startMs(r)),
        r.fingerprint,
        k + 1,
        s.table,
        s.columns.join(','),
        s.predicates.length
          ? s.predicates
              .map((p) => (p.op === 'other' ? `${p.column} (expression)` : p.op === 'in' || p.op === 'not in' ? `${p.column} ${p.op} (${lit(p.literal)}, ...)` : `${p.column} ${p.op} ${lit(p.literal)}`))
              .join(' AND ')
          : null,
        s.predicates.length ? [...new Set(s.predicates.map((p) => p.column))].join(',') : null,
        s.predicates.length ? s.predicates.reduce((a, p) => a * p.estSelectivity, 1) : null,
        s.rowsScanned > 0 ? s.rowsOut / s.rowsScanned : null,
        s.blocksTotal,
        s.blocksScanned,
        s.blocksSkipped,
        s.rowsScanned,
        s.rowsOut,
      ]),
    );
    expect(await rows(`select * from sys_query_scans where query_id like 'q%' order by query_id, scan_no`)).toEqual(expected);
  });

  it('sys_query_joins: one row a join', async () => {
    const side = (keys: LogRecord['joins'][number]['keys'], s: 'left' | 'right') => {
      const refs = keys.map((k) => k[s]);
      return [refs[0]!.slice(0, refs[0]!.lastIndexOf('.')), refs.map((x) => x.slice(x.lastIndexOf('.') + 1)).join(',')];
    };
    const expected = records.flatMap((r) =>
      r.joins.map((j, k) => [r.id, ts(startMs(r)), r.fingerprint, k + 1, ...side(j.keys, 'left'), ...side(j.keys, 'right'), j.type, j.action, j.leftRows, j.rightRows, j.rowsMoved, j.bytesMoved]),
    );
    const got = await rows(
      `select query_id, start_time, fingerprint, join_no, left_table, left_columns, right_table, right_columns, join_type, dist_action, left_rows, right_rows, rows_moved, bytes_moved
       from sys_query_joins where query_id like 'q%' order by query_id, join_no`,
    );
    expect(got).toEqual(expected);
    const perAction = await sorted(`select dist_action, count(*), sum(bytes_moved) from sys_query_joins where start_time < '${ts(BASE + 2_000 * 60_000)}' group by 1`);
    const want = new Map<string, [number, number]>();
    for (const r of records) {
      if (startMs(r) >= BASE + 2_000 * 60_000) continue;
      for (const j of r.joins) {
        const w = want.get(j.action) ?? [0, 0];
        want.set(j.action, [w[0] + 1, w[1] + j.bytesMoved]);
      }
    }
    expect(perAction).toEqual([...want].map(([a, [n, b]]) => [a, n, b]).sort(byText));
  });
});
