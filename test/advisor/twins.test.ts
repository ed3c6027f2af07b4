/**
 * Twin tables (advisor/twins.ts): a table and its staging copy are kept on one
 * layout, so that ALTER TABLE t APPEND FROM t_staging keeps working on Redshift.
 * The copy gets every change recommended for its table, in the same group, and
 * none of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import { attachWorkloadLog } from '../../workload-log/index.js';
import { runAdvisor, twinsOf, type Recommendation } from '../../advisor/index.js';
import { loadConfig } from '../../advisor/autonomics/index.js';
import { fakeCatalog, fakeTable } from './helpers.js';

let dir: string;
let db: Database;
let recs: Recommendation[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-twins-'));
  db = await Database.open(dir, { slices: 4, blockRows: 1024, workloadLog: false });
  const log = attachWorkloadLog(db);
  await db.execute(`
    create table sales (s_id integer, s_cust integer, s_day date, s_amount integer);
    create table stg_sales (s_id integer, s_cust integer, s_day date, s_amount integer);
    create table customers (c_id integer, c_region varchar(10));`);
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `(${i}, ${i % 12000}, date '2024-01-01' + ${i % 300}, ${i % 97})`).join(', ');
  for (let b = 0; b < 4; b++) await db.execute(`insert into sales values ${rows(6000)}`);
  await db.execute(`insert into stg_sales values ${rows(3000)}`);
  await db.execute(`insert into customers values ${Array.from({ length: 12000 }, (_, i) => `(${i}, 'r${i % 5}')`).join(', ')}`);
  // the queries read sales; the staging copy is only loaded
  for (let k = 0; k < 4; k++) {
    await db.query(`select c_region, sum(s_amount) from sales join customers on s_cust = c_id where s_amount > ${k} group by c_region`);
    await db.query(`select sum(s_amount) from sales where s_day between date '2024-03-01' + ${k * 20} and date '2024-03-10' + ${k * 20}`);
  }
  log.close();
  recs = [...(await runAdvisor(db, { shadow: false, skewCheck: false, storage: { encodings: false } })).recommendations];
}, 180_000);

afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('twin tables', () => {
  it('finds copies by name (t_staging, stg_t) and by declaration', () => {
    const c = fakeCatalog(['orders', 'orders_staging', 'stg_orders', 'stg_nothing', 'lineitem', 'li_copy'].map((n) => fakeTable(n, 10, ['a'])));
    expect([...twinsOf(c).entries()].sort()).toEqual([
      ['orders_staging', 'orders'],
      ['stg_orders', 'orders'],
    ]);
    expect(twinsOf(c, [['lineitem', 'li_copy']]).get('li_copy')).toBe('lineitem');
  });

  it("recommends the table's changes for its staging copy too, in the same group", () => {
    const of = (t: string) => recs.filter((r) => r.table === t).map((r) => `${r.kind} ${r.proposed}`).sort();
    expect(of('sales').length).toBeGreaterThan(0);
    expect(of('sales').some((x) => x.startsWith('sortkey'))).toBe(true);
    expect(of('stg_sales')).toEqual(of('sales'));
    for (const r of recs.filter((x) => x.table === 'stg_sales')) {
      const lead = recs.find((x) => x.table === 'sales' && x.kind === r.kind)!;
      expect(r.group).toBe(lead.group);
      expect(r.twinOf).toBe('sales');
      expect(r.ddl).toBe(lead.ddl.replace('ALTER TABLE sales ', 'ALTER TABLE stg_sales '));
      expect(r.reason).toMatch(/APPEND FROM stg_sales/);
    }
  });

  it('a pair declared in keel.config.json ("twins") is a pair of every run that reads the policy, the daemon\'s and `keel advisor run`', async () => {
    await db.execute('create table sales_load (s_id integer, s_cust integer, s_day date, s_amount integer)');
    fs.writeFileSync(path.join(dir, 'keel.config.json'), JSON.stringify({ twins: [['sales', 'sales_load']] }));
    const twins = loadConfig(dir).twins;
    expect(twinsOf(db.catalog(), twins).get('sales_load')).toBe('sales');
    const declared = (await runAdvisor(db, { shadow: false, skewCheck: false, storage: { encodings: false }, twins })).recommendations;
    const of = (t: string) => declared.filter((r) => r.table === t).map((r) => `${r.kind} ${r.proposed}`).sort();
    expect(of('sales_load')).toEqual(of('sales'));
    expect(of('sales_load').length).toBeGreaterThan(0);
  });

  it('keel does not take ALTER TABLE APPEND: refused by name', async () => {
    await expect(db.query('alter table sales append from stg_sales')).rejects.toMatchObject({ message: expect.stringMatching(/ALTER TABLE \.\.\. APPEND/) });
  });
});
