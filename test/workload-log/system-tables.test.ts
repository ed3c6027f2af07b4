/** sys_query_history, sys_query_scans and sys_query_joins, read with ordinary SQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { Database, WorkloadStore } from '../../index.js';
import { tempDir } from './helpers.js';

let dir: string;
let db: Database;

beforeAll(async () => {
  dir = tempDir('systables');
  db = await Database.open(dir, { slices: 2 });
  await db.execute(`
    create table orders (o_id int, o_cust int, o_date date) distkey(o_id) sortkey(o_date);
    create table customers (c_id int, c_seg varchar(10)) diststyle even;
    insert into orders values (1, 10, '2024-01-01'), (2, 11, '2024-02-01'), (3, 10, '2024-03-01');
    insert into customers values (10, 'A'), (11, 'B');`);
  for (const seg of ['A', 'B', 'C']) {
    await db.query(`select count(*) from orders join customers on o_cust = c_id where c_seg = '${seg}'`);
  }
  await db.query(`select * from orders where o_date between date '2024-01-15' and date '2024-02-15'`);
  await expect(db.query('select missing from orders')).rejects.toThrow();
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const rows = async (sql: string) => (await db.query(sql)).rows();

describe('workload system tables', () => {
  it('sys_query_history: one row a statement, filtered and grouped', async () => {
    expect(await rows(`select status, count(*) from sys_query_history group by status order by status`)).toEqual([
      ['failed', 1],
      ['success', 8],
    ]);
    expect(await rows(`select query_text, error_code from sys_query_history where status = 'failed'`)).toEqual([['select missing from orders', 'UNKNOWN_COLUMN']]);
    const byFp = await rows(`select fingerprint, count(*) as n, sum(returned_rows) from sys_query_history where command = 'SELECT' group by fingerprint order by n desc`);
    expect(byFp[0]).toEqual(['select count(*) from orders join customers on o_cust = c_id where c_seg = ?', 3, 3]);
    const [one] = await rows(`select query_id, user_name, source, elapsed_ms >= 0, end_time >= start_time, blocks_scanned + blocks_skipped = blocks_total from sys_query_history where command = 'INSERT' limit 1`);
    expect(one!.slice(2)).toEqual(['api', true, true, true]);
  });

  it("sys_query_history: Redshift's column names and units beside keel's", async () => {
    const got = await rows(
      `select query_id, query_type = command, elapsed_time = round(elapsed_ms * 1000), elapsed_time = datediff(microsecond, start_time, end_time), status, error_message is null, returned_rows ` +
        `from sys_query_history where query_text = 'select count(*) from orders join customers on o_cust = c_id where c_seg = ''A'''`,
    );
    expect(got).toHaveLength(1);
    expect(got[0]!.slice(1)).toEqual([true, true, true, 'success', true, 1]);
    const [failed] = await rows(`select query_type = command, status, error_message from sys_query_history where error_code = 'UNKNOWN_COLUMN'`);
    expect(failed![0]).toBe(true);
    expect(failed![1]).toBe('failed');
    expect(String(failed![2])).toMatch(/missing/);
  });

  it('sys_query_scans: one row a scan with its predicates and selectivity', async () => {
    const scans = await rows(`select table_name, columns, predicates, predicate_columns, selectivity from sys_query_scans where table_name = 'orders' and predicates is not null`);
    // orders is sorted on o_date, so the scan examines only each block's run in range: every row it examines passes
    expect(scans).toEqual([['orders', 'o_id,o_cust,o_date', "o_date >= '2024-01-15' AND o_date <= '2024-02-15'", 'o_date', 1]]);
    const per = await rows(`select table_name, count(*) from sys_query_scans group by table_name order by table_name`);
    expect(per).toEqual([
      ['customers', 3],
      ['orders', 4],
    ]);
  });

  it('sys_query_joins: one row a join with both sides, type, distribution and movement', async () => {
    const joins = await rows(`select left_table, left_columns, right_table, right_columns, join_type, dist_action, left_rows + right_rows > 0, rows_moved >= 0 from sys_query_joins`);
    expect(joins).toHaveLength(3);
    for (const j of joins) {
      expect([`${j[0]}.${j[1]}`, `${j[2]}.${j[3]}`].sort()).toEqual(['customers.c_id', 'orders.o_cust']);
      expect(j[4]).toBe('inner');
      expect(String(j[5])).toMatch(/^DS_(DIST_NONE|DIST_ALL_NONE|BCAST_INNER|DIST_INNER|DIST_OUTER|DIST_BOTH)$/);
      expect(j[7]).toBe(true);
    }
    // segments A and B match a customer; C matches none, and its probe side may be skipped entirely
    expect(joins.filter((j) => j[6] === true).length).toBeGreaterThanOrEqual(2);
  });

  it('joins the tables with each other', async () => {
    const r = await rows(`
      select h.fingerprint, count(*) from sys_query_history h join sys_query_joins j on h.query_id = j.query_id
      group by h.fingerprint`);
    expect(r).toEqual([['select count(*) from orders join customers on o_cust = c_id where c_seg = ?', 3]]);
  });

  it('shows compacted and raw records alike', async () => {
    const before = await rows('select count(*) from sys_query_history');
    new WorkloadStore(dir).compact();
    await db.query('select 1');
    const after = await rows('select count(*) from sys_query_history');
    // the count(*) itself and select 1 were recorded in between
    expect(Number(after[0]![0])).toBe(Number(before[0]![0]) + 2);
    expect(await rows(`select count(*) from sys_query_scans where table_name = 'customers'`)).toEqual([[3]]);
  });

  it('sys_query_history: transaction_id is shared by the statements of a block, and new for each statement outside one', async () => {
    await db.execute("begin; insert into customers values (12, 'tx'); select count(*) from customers where c_seg = 'tx'; commit");
    await db.query("select count(*) from customers where c_seg <> 'tx'");
    // (this test's own queries name 'tx' too: they are left out)
    const block = "(query_text in ('begin', 'commit') or query_text like '%''tx''%') and query_text not like '%sys_query%'";
    expect(await rows(`select count(*), count(distinct transaction_id) from sys_query_history where ${block}`)).toEqual([[5, 2]]);
    expect(await rows(`select count(distinct transaction_id) from sys_query_history where (${block}) and query_text not like '%<>%'`)).toEqual([[1]]);
    expect(await rows('select count(*) from sys_query_history where transaction_id is null')).toEqual([[0]]);
  });
});
