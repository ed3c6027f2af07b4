/**
 * Importing a Redshift SYS_QUERY_HISTORY export (CSV): rows become records
 * planned against a catalog made from the user's DDL; SQL that does not parse
 * or bind is counted and listed, never fatal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database as EngineDatabase } from '../../engine/index.js';
import { attachWorkloadLog, importRedshiftHistory, joinEdges, loadWorkload, scanPredicateStats, WorkloadStore, type ImportSummary } from '../../index.js';
import { readCsv } from '../../workload-log/csv.js';
import { TPCH, tempDir } from './helpers.js';

const HEADER =
  'user_id,query_id,query_label,transaction_id,session_id,database_name,query_type,status,result_cache_hit,start_time,end_time,elapsed_time,queue_time,execution_time,error_message,returned_rows,returned_bytes,query_text,redshift_version';

/** A CSV as psql --csv writes it: quotes only where needed, "" for a quote, line breaks inside quoted fields. */
function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
function row(over: Record<string, string | number>): string {
  const base: Record<string, string | number> = {
    user_id: 100, query_id: 1, query_label: 'default', transaction_id: 9000, session_id: 1073741, database_name: 'dev', query_type: 'SELECT',
    status: 'success', result_cache_hit: 'f', start_time: '2024-05-01 12:00:00.123456', end_time: '2024-05-01 12:00:01.623456', elapsed_time: 1500000,
    queue_time: 0, execution_time: 1400000, error_message: '', returned_rows: 4, returned_bytes: 120, query_text: 'select 1', redshift_version: '1.0.67',
  };
  const v = { ...base, ...over };
  return HEADER.split(',').map((k) => csvField(v[k]!)).join(',');
}

const rows = [
  // multi-line, CHAR(4000) blank padding, a join and predicates
  row({ query_id: 501, query_text: "select o_orderpriority, count(*)\nfrom orders join lineitem on l_orderkey = o_orderkey\nwhere o_orderdate >= date '1993-07-01'\n  and l_commitdate < l_receiptdate\ngroup by o_orderpriority" + ' '.repeat(40) }),
  // quotes and commas inside the text
  row({ query_id: 502, start_time: '2024-05-01 12:00:05', elapsed_time: 2500, query_text: 'select c_name, c_phone from customer where c_mktsegment = \'BUILDING\' and c_comment like \'%"a, b"%\'' }),
  // Redshift-only syntax: counted as not parsed
  row({ query_id: 503, query_type: 'UTILITY', query_text: 'SET search_path TO analytics' }),
  row({ query_id: 504, query_type: 'COPY', query_text: "COPY orders FROM 's3://bucket/orders/' IAM_ROLE 'arn:aws:iam::1:role/r' FORMAT CSV" }),
  // names the catalog lacks: counted as not bound
  row({ query_id: 505, status: 'failed', error_message: 'relation "clicks" does not exist', returned_rows: 0, query_text: 'select count(*) from clicks' }),
  row({ query_id: 506, query_text: 'select o_bogus from orders' }),
  // not finished yet: skipped
  row({ query_id: 507, status: 'running', end_time: '', elapsed_time: '', query_text: 'select 1' }),
  // the same query again, later, with other literals
  row({ query_id: 508, start_time: '2024-05-02 08:00:00', query_text: "select o_orderpriority, count(*)\nfrom orders join lineitem on l_orderkey = o_orderkey\nwhere o_orderdate >= date '1995-01-01'\n  and l_commitdate < l_receiptdate\ngroup by o_orderpriority" }),
];

let dir: string;
let csv: string;
let summary: ImportSummary;

beforeAll(async () => {
  dir = tempDir('redshift');
  csv = path.join(dir, 'history.csv');
  fs.writeFileSync(csv, [HEADER, ...rows].join('\r\n') + '\r\n');
  const db = await EngineDatabase.open(path.join(dir, 'data'));
  await db.execute(fs.readFileSync(path.join(TPCH, 'schema.sql'), 'utf8'));
  const log = attachWorkloadLog(db, { source: 'redshift' });
  summary = await importRedshiftHistory(db, log, csv);
  db.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Redshift import', () => {
  it('reads CSV with quoted multi-line fields, doubled quotes and CRLF', async () => {
    const recs = [];
    for await (const r of readCsv(csv)) recs.push(r);
    expect(recs).toHaveLength(9);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 7, 8, 9, 10, 11, 12, 13]);
    expect(recs[2]!.fields[17]).toBe('select c_name, c_phone from customer where c_mktsegment = \'BUILDING\' and c_comment like \'%"a, b"%\'');
    expect(recs[1]!.fields[17]!.split('\n')).toHaveLength(5);
    expect(recs.every((r) => r.fields.length === 19)).toBe(true);
  });

  it('counts what was planned, what did not parse or bind, and what was skipped', () => {
    expect(summary).toMatchObject({ rows: 8, imported: 7, planned: 3, notParsed: 2, notBound: 2, skipped: 1, duplicates: 0 });
    expect(summary.problems.map((p) => [p.line, p.queryId, p.stage])).toEqual([
      [8, '503', 'parse'],
      [9, '504', 'parse'],
      [10, '505', 'bind'],
      [11, '506', 'bind'],
      [12, '507', 'row'],
    ]);
    expect(summary.problems[2]!.message).toMatch(/clicks/);
    expect(summary.problems[3]!.message).toMatch(/o_bogus/);
  });

  it('keeps Redshift times, users and status, and plans scans and joins', () => {
    const recs = [...new WorkloadStore(path.join(dir, 'data')).records()];
    expect(recs).toHaveLength(7);
    const first = recs.find((r) => r.id === 'redshift-501')!;
    expect(first).toMatchObject({ source: 'redshift', user: '100', session: '1073741', startTime: '2024-05-01T12:00:00.123Z', durationMs: 1500, status: 'ok', rowsReturned: 4, command: 'SELECT' });
    expect(first.sql.endsWith('o_orderpriority')).toBe(true);
    expect(first.scans.map((s) => s.table).sort()).toEqual(['lineitem', 'orders']);
    expect(first.joins).toHaveLength(1);
    expect(recs.find((r) => r.id === 'redshift-502')!.durationMs).toBe(2.5);
    const failed = recs.find((r) => r.id === 'redshift-505')!;
    expect(failed).toMatchObject({ status: 'error', error: { code: 'FAILED', message: 'relation "clicks" does not exist' }, scans: [], fingerprint: 'select count(*) from clicks' });
    expect(recs.find((r) => r.id === 'redshift-503')!.command).toBe('UTILITY');
  });

  it('gives the advisor predicates and join edges to mine', () => {
    const w = loadWorkload(path.join(dir, 'data'));
    const edge = joinEdges(w)[0]!;
    expect([edge.left, edge.right]).toEqual(['lineitem.l_orderkey', 'orders.o_orderkey']);
    expect(edge.count).toBe(2);
    const pred = scanPredicateStats(w).find((p) => p.column === 'o_orderdate')!;
    expect(pred).toMatchObject({ table: 'orders', op: '>=', count: 2, fingerprints: 1 });
  });

  it('skips rows imported before', async () => {
    const db = await EngineDatabase.open(path.join(dir, 'data'));
    const again = await importRedshiftHistory(db, attachWorkloadLog(db), csv);
    db.close();
    expect(again).toMatchObject({ rows: 8, imported: 0, duplicates: 7, skipped: 1 });
  });

  it('says which column is missing', async () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'query_id,querytxt\n1,select 1\n');
    const db = await EngineDatabase.open(path.join(dir, 'data'));
    await expect(importRedshiftHistory(db, attachWorkloadLog(db), bad)).rejects.toThrow(/no "query_text" column/);
    db.close();
  });
});
