/**
 * A workload run on keel with data, exported as a Redshift cluster's CSVs and
 * imported with the same DDL into an empty data directory: the files carry
 * Redshift's column names, the empty tables become stats-only (queries
 * refused, EXPLAIN planned with the imported rows), the imported records get
 * the measured steps back, and the advisor's join graph, distribution keys,
 * sort keys and recommendation groups are the ones of the run with data
 * (sort keys judged on rows drawn from the imported column statistics).
 * Encodings need data: none are judged for a stats-only table.
 *
 * Blocks of 1,024 rows give the small tables several blocks per slice, so a
 * sort key can skip some.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database, SqlError } from '../../index.js';
import { attachWorkloadLog, exportRedshift, importRedshiftFiles, loadWorkload, workloadRecords, type LogRecord } from '../../workload-log/index.js';
import { buildJoinGraph, graphJson, isDistribution, runAdvisor } from '../../advisor/index.js';
import { keyText } from '../../advisor/sortkey/index.js';
import { readCsv } from '../../workload-log/csv.js';
import { tempDir } from './helpers.js';
import { loadSalesWorkload, SALES_TABLES } from '../helpers/sales-workload.js';

const DDL = `${SALES_TABLES} create table customers (c_id integer, c_region varchar(10), c_name varchar(20));`;

const BLOCK_ROWS = 1024;
let work: string;
let withData: string;
let statsOnly: string;
let exported: string;

async function csv(file: string): Promise<string[][]> {
  const out: string[][] = [];
  for await (const r of readCsv(file)) out.push(r.fields);
  return out;
}

beforeAll(async () => {
  work = tempDir('redshift-roundtrip');
  withData = path.join(work, 'with-data');
  statsOnly = path.join(work, 'stats-only');
  exported = path.join(work, 'export');
  const db = await Database.open(withData, { slices: 4, blockRows: BLOCK_ROWS, workloadLog: false });
  try {
    const log = attachWorkloadLog(db);
    await db.execute(DDL);
    await loadSalesWorkload(db);
    log.close();
    const s = await exportRedshift(db, exported);
    // the DDL, 6 INSERTs and 16 SELECTs; the export's own SQL is not logged (the log is closed)
    expect(s.queries).toBe(3 + 6 + 16);
  } finally {
    db.close();
  }
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('keel log export --format redshift', () => {
  it("writes the four files with Redshift's column names", async () => {
    expect(fs.readdirSync(exported).sort()).toEqual(['pg_stats.csv', 'svv_table_info.csv', 'sys_query_detail.csv', 'sys_query_history.csv']);
    const history = await csv(path.join(exported, 'sys_query_history.csv'));
    for (const c of ['query_id', 'start_time', 'end_time', 'elapsed_time', 'status', 'error_message', 'query_text', 'returned_rows', 'query_type']) expect(history[0]).toContain(c);
    expect(history.slice(1).every((r) => r[history[0]!.indexOf('status')] === 'success')).toBe(true);

    const detail = await csv(path.join(exported, 'sys_query_detail.csv'));
    const h = detail[0]!;
    for (const c of ['query_id', 'segment_id', 'step_id', 'step_name', 'table_id', 'table_name', 'input_rows', 'input_bytes', 'output_rows', 'output_bytes', 'blocks_read']) expect(h).toContain(c);
    const names = new Set(detail.slice(1).map((r) => r[h.indexOf('step_name')]));
    expect([...names].filter((n) => ['scan', 'hash', 'hashjoin'].includes(n!)).sort()).toEqual(['hash', 'hashjoin', 'scan']);
    // a scan of sales reads its 24,000 rows
    const salesScan = detail.slice(1).find((r) => r[h.indexOf('step_name')] === 'scan' && r[h.indexOf('table_name')] === 'sales')!;
    expect(salesScan[h.indexOf('input_rows')]).toBe('24000');

    const info = await csv(path.join(exported, 'svv_table_info.csv'));
    const ih = info[0]!;
    const sales = info.find((r) => r[ih.indexOf('table')] === 'sales')!;
    expect(sales[ih.indexOf('tbl_rows')]).toBe('24000');
    expect(Number(sales[ih.indexOf('size_bytes')])).toBeGreaterThan(0);
    expect(sales[ih.indexOf('diststyle')]).toBe('AUTO(EVEN)');

    const stats = await csv(path.join(exported, 'pg_stats.csv'));
    const sh = stats[0]!;
    expect(sh).toEqual(['schemaname', 'tablename', 'attname', 'null_frac', 'avg_width', 'n_distinct', 'most_common_vals', 'most_common_freqs', 'histogram_bounds']);
    const region = stats.find((r) => r[1] === 'customers' && r[2] === 'c_region')!;
    expect(region[sh.indexOf('n_distinct')]).toBe('5');
    expect(region[sh.indexOf('most_common_vals')]).toBe('{r0,r1,r2,r3,r4}');
    expect(region[sh.indexOf('most_common_freqs')]).toBe('{0.2,0.2,0.2,0.2,0.2}');
    const id = stats.find((r) => r[1] === 'customers' && r[2] === 'c_id')!;
    // every value distinct: a fraction of the rows, as ANALYZE writes it
    expect(id[sh.indexOf('n_distinct')]).toBe('-1');
    expect(id[sh.indexOf('histogram_bounds')]).toBe('{0,11999}');
  });
});

describe('keel log import --format redshift, into the DDL alone', () => {
  let db: Database;
  beforeAll(async () => {
    db = await Database.open(statsOnly, { slices: 4, blockRows: BLOCK_ROWS, workloadLog: false });
    await db.execute(DDL);
    const log = attachWorkloadLog(db, { source: 'redshift', systemTables: false });
    const summaries = await importRedshiftFiles(db, log, [exported]);
    expect(summaries.map((s) => s.kind)).toEqual(['svv_table_info', 'pg_stats', 'sys_query_detail', 'sys_query_history']);
    const history = summaries[3]!;
    if (history.kind !== 'sys_query_history') throw new Error('the history was not imported last');
    expect(history.planned).toBe(3 + 6 + 16);
    // the SELECTs have scan (and join) steps; DDL and INSERT ... VALUES none
    expect(history.measured).toBe(16);
    log.close();
  });
  afterAll(() => db.close());

  it('keeps the statistics: table rows, sizes and layout, column statistics', () => {
    const s = db.importedStats()!;
    expect(s.tables.sales!.rows).toBe(24000);
    expect(s.tables.customers!.columns.c_region).toMatchObject({ nullFrac: 0, distinct: 5, mostCommonVals: ['r0', 'r1', 'r2', 'r3', 'r4'], min: 'r0', max: 'r4' });
    // n_distinct -1 resolved against the imported row count
    expect(s.tables.customers!.columns.c_id!.distinct).toBe(12000);
    expect(db.planningCatalog().tables.sales!.rows).toBe(24000);
    expect(db.planningCatalog().tables.sales!.distStyle).toBe('even');
    expect(db.catalog().tables.sales!.rows).toBe(0);
  });

  it('refuses queries over stats-only tables, and EXPLAINs them with the imported rows', async () => {
    const err = await db.query('select count(*) from sales').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).code).toBe('STATS_ONLY');
    expect((err as SqlError).message).toMatch(/"sales" is stats-only/);
    expect((err as SqlError).position?.offset).toBe('select count(*) from '.length);
    await expect(db.query('explain analyze select * from items')).rejects.toThrow(/stats-only/);
    for (const sql of ['delete from sales where s_id = 1', 'update customers set c_name = null', 'insert into items select * from items', 'create table copy as select * from items']) {
      await expect(db.query(sql)).rejects.toMatchObject({ code: 'STATS_ONLY' });
    }
    // a view reads no rows when it is made
    await db.query('create view big_sales as select * from sales where s_amount > 90');
    await expect(db.query('select count(*) from big_sales')).rejects.toMatchObject({ code: 'STATS_ONLY' });
    const plan = (await db.query('explain select c_region, count(*) from sales join customers on s_cust = c_id group by c_region')).rows().map((r) => String(r[0])).join('\n');
    expect(plan).toMatch(/sales/);
    expect(plan).toMatch(/rows=24000|24,000|24000/);
  });

  it("EXPLAINs filters on stats-only tables with the imported column statistics, as the run with data estimates them", async () => {
    const other = await Database.open(withData, { workloadLog: false });
    try {
      const scanRows = async (d: Database, sql: string) => {
        const lines = (await d.query(`explain ${sql}`)).rows().map((r) => String(r[0]));
        const scan = lines.find((l) => /Seq Scan|Scan/.test(l))!;
        return Number(/rows=([\d,]+)/.exec(scan)![1]!.replace(/,/g, ''));
      };
      const cases: [string, number][] = [
        // 5 regions, each a fifth of the rows (a most common value with its frequency)
        ["select count(*) from customers where c_region = 'r1'", 2400],
        ["select count(*) from customers where c_region in ('r1', 'r2')", 4800],
        ["select count(*) from customers where c_region <> 'r1'", 9600],
        // 10 of 300 days
        ["select count(*) from sales where s_day between date '2024-03-01' and date '2024-03-10'", 800],
        // a value in range but not common: one of 12,000 ids
        ['select count(*) from customers where c_id = 77', 1],
      ];
      for (const [sql, want] of cases) {
        const without = await scanRows(db, sql);
        expect([sql, without]).toEqual([sql, want]);
        expect([sql, without]).toEqual([sql, await scanRows(other, sql)]);
      }
      // no NULLs imported: none estimated (zone maps keep NULL counts, but keel's planner reads the shape default of 5% there)
      expect(await scanRows(db, 'select count(*) from customers where c_name is null')).toBe(1);
      expect(await scanRows(db, 'select count(*) from customers where c_name is not null')).toBe(12000);
      // the shape defaults would say a tenth and a third: the imported statistics are what moved them
      expect(await scanRows(db, 'select count(*) from items where i_kind = \'k1\'')).toBe(Math.round(300 / 7));
    } finally {
      other.close();
    }
  });

  it('gives the imported records the steps measured where they ran', () => {
    const byText = (dir: string) => {
      const m = new Map<string, LogRecord>();
      for (const r of workloadRecords(loadWorkload(dir))) if (r.command === 'SELECT' && r.joins.length) m.set(r.sql, r);
      return m;
    };
    const original = byText(withData);
    const imported = byText(statsOnly);
    expect(imported.size).toBe(original.size);
    expect(imported.size).toBe(8);
    for (const [sql, o] of original) {
      const i = imported.get(sql)!;
      // keel's plan of the text without the data may join in another order: the join is recorded the way it ran
      const sides = (r: LogRecord) => r.joins.map((j) => [j.left, j.right, j.leftRows, j.rightRows, j.action, j.rowsMoved, j.bytesMoved]);
      expect(sides(i)).toEqual(sides(o));
      const scans = (r: LogRecord) => r.scans.map((s) => [s.table, s.rowsScanned, s.rowsOut, s.blocksScanned]).sort();
      expect(scans(i)).toEqual(scans(o));
    }
  });

  it("weighs the join graph as the run with data does, and chooses the same distribution keys", async () => {
    const other = await Database.open(withData, { workloadLog: false });
    try {
      const withGraph = graphJson(buildJoinGraph(loadWorkload(withData), other.planningCatalog(), { imported: other.importedStats() }));
      const statsGraph = graphJson(buildJoinGraph(loadWorkload(statsOnly), db.planningCatalog(), { imported: db.importedStats() }));
      const edges = (g: typeof withGraph) => g.edges.map((e) => [e.key, e.weight, e.count]);
      expect(edges(statsGraph)).toEqual(edges(withGraph));
      expect(edges(statsGraph).every((e) => (e[1] as number) > 0)).toBe(true);
      const nodes = (g: typeof withGraph) => g.nodes.map((n) => [n.table, n.rows, n.diststyle]);
      expect(nodes(statsGraph)).toEqual(nodes(withGraph));
      // the distribution choices, on the estimates (the shadow proof needs rows to copy; a stats-only group is kept without one)
      const options = { shadow: false, storage: false, skewCheck: false } as const;
      const dist = async (d: Database) =>
        (await runAdvisor(d, options)).recommendations
          .filter(isDistribution)
          .map((r) => `${r.table} ${r.proposed}`)
          .sort();
      const want = await dist(other);
      expect(want.length).toBeGreaterThan(0);
      expect(await dist(db)).toEqual(want);
    } finally {
      other.close();
    }
  });

  it('chooses the same sort keys and the same groups, and judges no encoding without data', async () => {
    const other = await Database.open(withData, { workloadLog: false });
    try {
      // encodings are left out of the comparison: they are judged on data only (asserted below)
      const options = { shadow: false, skewCheck: false, storage: { encodings: false } } as const;
      const withRun = await runAdvisor(other, options);
      const statsRun = await runAdvisor(db, options);
      const keys = (o: typeof withRun) => o.sortKeys.map((c) => [c.table, c.proposed === null ? null : keyText(c.proposed, c.proposedStyle ?? 'compound')]);
      expect(keys(statsRun)).toEqual(keys(withRun));
      const proposed = keys(withRun).filter((k) => k[1] !== null);
      expect(proposed).toEqual([
        ['customers', 'c_region'],
        ['sales', 's_day'],
      ]);
      expect(statsRun.sortKeys.every((c) => c.source.kind === 'imported-stats')).toBe(true);
      expect(withRun.sortKeys.every((c) => c.source.kind === 'rows')).toBe(true);
      const sortRecs = statsRun.recommendations.filter((r) => r.kind === 'sortkey');
      expect(sortRecs.map((r) => r.ddl).sort()).toEqual(['ALTER TABLE customers ALTER COMPOUND SORTKEY (c_region)', 'ALTER TABLE sales ALTER COMPOUND SORTKEY (s_day)']);
      for (const r of sortRecs) {
        expect(r.reason).toMatch(/stats-only/);
        expect(r.applyCost.rows).toBeGreaterThan(0);
      }
      // groups as sets of changes: ids and benefits come from each side's own cost model
      const groups = (o: typeof withRun) => {
        const by = new Map<string, string[]>();
        for (const r of o.recommendations) by.set(r.group, [...(by.get(r.group) ?? []), `${r.table} ${r.kind} ${r.proposed}`]);
        return [...by.values()].map((g) => g.sort().join(' | ')).sort();
      };
      expect(groups(statsRun)).toEqual(groups(withRun));
      expect(groups(withRun).some((g) => g.includes('sortkey'))).toBe(true);

      // with encodings asked for: every column of the tables with data is judged, none of the stats-only ones
      const enc = { shadow: false, skewCheck: false, whatIf: false } as const;
      const withEnc = await runAdvisor(other, enc);
      expect(new Set(withEnc.encodings.map((c) => c.table))).toEqual(new Set(['sales', 'customers', 'items']));
      const statsEnc = await runAdvisor(db, enc);
      expect(statsEnc.encodings).toEqual([]);
      expect(statsEnc.recommendations.filter((r) => r.kind === 'encoding')).toEqual([]);
      // left to ENCODE AUTO, as Redshift's own choice
      for (const t of Object.values(db.catalog().tables)) for (const c of t.columns) expect(c.encoding).toBe('auto');
    } finally {
      other.close();
    }
  });
});
