/**
 * A small star for advisor tests: sales (24,000 rows in 4 appends, days
 * 2024-01-01 plus 0-299), customers (12,000 over 5 regions), items (300 of 7
 * kinds), loaded into tables the caller created, and 16 queries that call for
 * keys on the joins and sort keys on s_day and c_region: 4 rounds of a join
 * to customers, a join to items, a range of days and one region.
 */
import type { Database } from '../../index.js';

export const SALES_TABLES = `
  create table sales (s_id integer, s_cust integer, s_item integer, s_day date, s_amount integer);
  create table items (i_id integer, i_kind varchar(10));`;

export async function loadSalesWorkload(db: Database): Promise<void> {
  for (let b = 0; b < 4; b++) {
    const rows = Array.from({ length: 6000 }, (_, k) => {
      const i = b * 6000 + k;
      return `(${i}, ${i % 12000}, ${i % 300}, date '2024-01-01' + ${i % 300}, ${i % 97})`;
    });
    await db.execute(`insert into sales values ${rows.join(', ')}`);
  }
  await db.execute(`insert into customers values ${Array.from({ length: 12000 }, (_, i) => `(${i}, 'r${i % 5}', 'c${i}')`).join(', ')}`);
  await db.execute(`insert into items values ${Array.from({ length: 300 }, (_, i) => `(${i}, 'k${i % 7}')`).join(', ')}`);
  for (let k = 0; k < 4; k++) {
    await db.query(`select c_region, sum(s_amount) from sales join customers on s_cust = c_id where s_amount > ${k} group by c_region`);
    await db.query(`select i_kind, count(*) from sales join items on s_item = i_id where i_kind = 'k${k}' group by i_kind`);
    // ranges of days and one region: what a sort key serves
    await db.query(`select sum(s_amount) from sales where s_day between date '2024-03-01' + ${k * 20} and date '2024-03-10' + ${k * 20}`);
    await db.query(`select count(*) from customers where c_region = 'r${k}'`);
  }
}
