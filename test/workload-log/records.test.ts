/**
 * Every statement run through the API writes one query record, failed ones
 * included, durably in the data directory (DESIGN.md's query record contract).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { Database, WorkloadStore, type LogRecord } from '../../index.js';
import { tempDir, warnings } from './helpers.js';

let dir: string;
let records: LogRecord[];

beforeAll(async () => {
  dir = tempDir('records');
  const db = await Database.open(dir, { slices: 2, user: 'alice', session: 'nb-1' });
  await db.execute(`
    create table orders (o_id int, o_cust int, o_date date) distkey(o_id) sortkey(o_date);
    create table customers (c_id int, c_seg varchar(10)) diststyle even;
    insert into orders values (1, 10, '2024-01-01'), (2, 11, '2024-02-01'), (3, 10, '2024-03-01');
    insert into customers values (10, 'A'), (11, 'B');`);
  await db.query(`select c_seg, count(*) from orders join customers on o_cust = c_id where o_date >= date '2024-02-01' and c_seg in ('A', 'B') group by c_seg order by c_seg`);
  await expect(db.query('select nope from orders')).rejects.toThrow(/nope/);
  await expect(db.execute('selec 1')).rejects.toThrow();
  await db.execute('select 1', undefined, { user: 'bob', session: 'replay-7' });
  // a reader in this process sees every record before the database closes (the held group is written first)
  const before = [...new WorkloadStore(dir).records()];
  expect(before).toHaveLength(8);
  db.close();
  records = [...new WorkloadStore(dir).records()];
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('query records through the API', () => {
  it('writes one record per statement, in order, scripts included', () => {
    expect(records.map((r) => r.command)).toEqual(['CREATE TABLE', 'CREATE TABLE', 'INSERT', 'INSERT', 'SELECT', 'ERROR', 'ERROR', 'SELECT']);
    expect(new Set(records.map((r) => r.id)).size).toBe(8);
    for (const r of records) {
      expect(r.version).toBe(1);
      expect(r.source).toBe('api');
      expect(Number.isNaN(Date.parse(r.startTime))).toBe(false);
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('records a query with its scans, predicates, join and costs', () => {
    const r = records[4]!;
    expect(r).toMatchObject({ status: 'ok', error: null, user: 'alice', session: 'nb-1', rowsReturned: 2 });
    expect(r.fingerprint).toBe(
      'select c_seg, count(*) from orders join customers on o_cust = c_id where o_date >= ? and c_seg in(?) group by c_seg order by c_seg',
    );
    const orders = r.scans.find((s) => s.table === 'orders')!;
    expect(orders.columns).toEqual(expect.arrayContaining(['o_cust', 'o_date']));
    expect(orders.predicates).toEqual([expect.objectContaining({ column: 'o_date', op: '>=', literal: '2024-02-01' })]);
    expect(orders.blocksScanned + orders.blocksSkipped).toBe(orders.blocksTotal);
    const customers = r.scans.find((s) => s.table === 'customers')!;
    expect(customers.predicates).toEqual([expect.objectContaining({ column: 'c_seg', op: 'in', literal: 'A' })]);
    expect(r.joins).toHaveLength(1);
    const j = r.joins[0]!;
    expect([j.left, j.right].sort()).toEqual(['customers.c_id', 'orders.o_cust']);
    expect(j.action).toMatch(/^DS_/);
    expect(r.groupBy).toEqual(['customers.c_seg']);
    expect(r.blocksScanned).toBe(r.scans.reduce((a, s) => a + s.blocksScanned, 0));
  });

  it('records failures with status and error', () => {
    const bind = records[5]!;
    expect(bind).toMatchObject({ status: 'error', sql: 'select nope from orders', fingerprint: 'select nope from orders', rowsReturned: 0 });
    expect(bind.error).toEqual({ code: 'UNKNOWN_COLUMN', message: expect.stringContaining('nope') });
    const parse = records[6]!;
    expect(parse).toMatchObject({ status: 'error', sql: 'selec 1' });
    expect(parse.error!.code).toBe('SYNTAX');
  });

  it('takes the user and session of the call when given', () => {
    expect(records[7]).toMatchObject({ user: 'bob', session: 'replay-7', status: 'ok' });
  });

  it('records nothing when opened with { workloadLog: false }', async () => {
    const other = tempDir('nolog');
    const db = await Database.open(other, { workloadLog: false });
    await db.query('select 1');
    db.close();
    expect([...new WorkloadStore(other).records()]).toEqual([]);
    expect(fs.existsSync(`${other}/workload`)).toBe(false);
    fs.rmSync(other, { recursive: true, force: true });
  });

  it('never fails a statement because the log cannot be written', async () => {
    const other = tempDir('rofs');
    const w = warnings();
    const db = await Database.open(other, { workloadLog: { warn: w.warn } });
    // a file where the log's directory should be
    fs.writeFileSync(`${other}/workload`, 'in the way');
    await expect(db.query('select 1')).resolves.toMatchObject({ rowCount: 1 });
    await db.query('select 2');
    db.close();
    expect(w.messages).toHaveLength(1);
    expect(w.messages[0]).toMatch(/cannot record queries/);
    fs.rmSync(other, { recursive: true, force: true });
  });
});
