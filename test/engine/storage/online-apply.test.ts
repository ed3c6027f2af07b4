/**
 * Background ALTER TABLE (Database.alterInBackground): queries running on the
 * same Database during the rebuild return what they returned before (checked
 * against DuckDB), the change swaps in at the end, appended rows are carried
 * over, other changes make it fail with CONFLICT, an abort leaves the table as
 * it was, and the byte-rate cap holds.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, KeelError } from '../../../engine/index.js';
import { DuckOracle, TPCH_DIR, TPCH_TABLES, compareResults, hasOrderBy, scalesOfTypeNames, tpchQuery, type Value } from '../../helpers/oracle.js';

const DATA = path.join(TPCH_DIR, 'sf0.01');

let work: string;
let db: Database;
let duck: DuckOracle;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-online-'));
  db = await Database.open(path.join(work, 'tpch'), { slices: 4 });
  await db.execute(fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8'));
  for (const t of TPCH_TABLES) await db.load(t, path.join(DATA, `${t}.tbl.gz`));
  duck = await DuckOracle.create();
  await duck.loadTpch(DATA);
});

afterAll(() => {
  db?.close();
  duck?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

interface Known {
  readonly sql: string;
  readonly rows: Value[][];
  readonly ordered: boolean;
  readonly scales: (number | null)[];
}

/** Queries over lineitem (the table being rebuilt) and its joins. */
const SQL = [
  ...[1, 3, 5, 6, 10, 12, 14, 19].map(tpchQuery),
  'select l_returnflag, l_linestatus, count(*), sum(l_quantity), min(l_comment), max(l_shipdate) from lineitem group by 1, 2 order by 1, 2',
  "select l_orderkey, l_linenumber, l_extendedprice from lineitem where l_shipdate between date '1994-03-01' and date '1994-03-07' order by 1, 2",
];

async function known(): Promise<Known[]> {
  const out: Known[] = [];
  for (const sql of SQL) {
    const r = await db.query(sql);
    const rows = r.rows() as Value[][];
    const ordered = hasOrderBy(sql);
    const scales = scalesOfTypeNames(r.columns.map((c) => c.type));
    const expected = await duck.query(sql);
    expect(compareResults(rows, expected.rows, { ordered, scales }), sql).toBeNull();
    out.push({ sql, rows, ordered, scales });
  }
  return out;
}

async function tableInfo(name: string): Promise<{ diststyle: string; sortkey1: string | null; rows: number; size: number; version: number }> {
  const r = await db.query(`select diststyle, sortkey1, tbl_rows, size_bytes, version from svv_table_info where "table" = '${name}'`);
  const [diststyle, sortkey1, rows, size, version] = r.rows()[0]!;
  return { diststyle: String(diststyle), sortkey1: sortkey1 as string | null, rows: Number(rows), size: Number(size), version: Number(version) };
}

function errorOf(p: Promise<unknown>): Promise<KeelError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(KeelError);
      return e as KeelError;
    },
  );
}

describe('alterInBackground', () => {
  it('queries on the same Database during the rebuild return the results they returned before (and DuckDB returns)', async () => {
    const before = await known();
    const changes: { sql: string; check: (i: Awaited<ReturnType<typeof tableInfo>>) => void }[] = [
      { sql: 'alter table lineitem alter distkey l_orderkey', check: (i) => expect(i.diststyle).toBe('KEY(l_orderkey)') },
      { sql: 'alter table lineitem alter compound sortkey (l_shipdate, l_orderkey)', check: (i) => expect(i.sortkey1).toBe('l_shipdate') },
      { sql: 'alter table lineitem alter column l_comment encode zstd', check: () => {} },
    ];
    for (const change of changes) {
      const info = await tableInfo('lineitem');
      // about two seconds of rebuild (runs and their merge write the table's bytes about twice)
      const rate = Math.max(200_000, info.size);
      let finished = false;
      let progressCalls = 0;
      const apply = db.alterInBackground(change.sql, { maxBytesPerSecond: rate, onProgress: () => progressCalls++ }).finally(() => (finished = true));
      let during = 0;
      let i = 0;
      while (!finished) {
        const q = before[i++ % before.length]!;
        const r = await db.query(q.sql);
        if (finished) break; // finished while this query ran: it may have seen either version, both must match anyway
        expect(compareResults(r.rows() as Value[][], q.rows, { ordered: q.ordered, scales: q.scales }), `${change.sql} / ${q.sql}`).toBeNull();
        during++;
      }
      const done = await apply;
      expect(done.rowsWritten).toBe(info.rows);
      expect(done.bytesWritten).toBeGreaterThan(0);
      expect(progressCalls).toBeGreaterThan(1);
      // the stream really ran alongside the rebuild, not after it
      expect(during, change.sql).toBeGreaterThanOrEqual(3);
      const after = await tableInfo('lineitem');
      expect(after.version).toBe(info.version + 1);
      expect(after.rows).toBe(info.rows);
      change.check(after);
      for (const q of before) {
        const r = await db.query(q.sql);
        expect(compareResults(r.rows() as Value[][], q.rows, { ordered: q.ordered, scales: q.scales }), `after ${change.sql} / ${q.sql}`).toBeNull();
      }
    }
  });

  it('keeps the setting under AUTO with keepAuto, and makes it the user\'s without', async () => {
    await db.execute('create table auto_t (a integer, b varchar(10), c date)');
    const day = (i: number) => new Date(Date.UTC(1998, 0, 1 + (i % 300))).toISOString().slice(0, 10);
    const rows = Array.from({ length: 12_000 }, (_, i) => `(${i}, 'v${i % 97}', '${day(i)}')`);
    for (let i = 0; i < rows.length; i += 3000) await db.execute(`insert into auto_t values ${rows.slice(i, i + 3000).join(',')}`);
    expect((await tableInfo('auto_t')).diststyle).toBe('AUTO(EVEN)');
    await db.alterInBackground('alter table auto_t alter distkey a', { keepAuto: true });
    expect((await tableInfo('auto_t')).diststyle).toBe('AUTO(KEY(a))');
    await db.alterInBackground('alter table auto_t alter diststyle all', { keepAuto: true });
    expect((await tableInfo('auto_t')).diststyle).toBe('AUTO(ALL)');
    // the advisor's ALL stays as the table grows past the small-table limit
    await db.execute("insert into auto_t values (-1, 'x', '2000-01-01')");
    expect((await tableInfo('auto_t')).diststyle).toBe('AUTO(ALL)');
    await db.alterInBackground('alter table auto_t alter sortkey (c)', { keepAuto: true });
    await db.alterInBackground('alter table auto_t alter column b encode bytedict', { keepAuto: true });
    let t = db.catalog().tables['auto_t']!;
    expect([t.sortAuto, t.sortKey, t.columns[1]!.encoding, t.columns[1]!.encodingExplicit]).toEqual([true, ['c'], 'dict', false]);
    await db.alterInBackground('alter table auto_t alter diststyle even');
    await db.alterInBackground('alter table auto_t alter column b encode zstd');
    t = db.catalog().tables['auto_t']!;
    expect((await tableInfo('auto_t')).diststyle).toBe('EVEN');
    expect([t.columns[1]!.encoding, t.columns[1]!.encodingExplicit]).toEqual(['zstd', true]);
    // back to AUTO: the small-table rule decides again
    await db.alterInBackground('alter table auto_t alter diststyle auto', { keepAuto: true });
    expect((await tableInfo('auto_t')).diststyle).toBe('AUTO(EVEN)');
    const r = await db.query('select count(*), sum(a), count(distinct b), min(c), max(c) from auto_t');
    expect(r.rows()[0]).toEqual([12_001, (11_999 * 12_000) / 2 - 1, 98, '1998-01-01', '2000-01-01']);
  });

  it('carries over rows appended during the rebuild', async () => {
    await db.execute('create table grow (id integer, s varchar(20)) diststyle even sortkey (id)');
    await db.execute(`insert into grow select l_orderkey * 10 + l_linenumber, l_shipmode from lineitem`);
    const base = Number((await db.query('select count(*) from grow')).rows()[0]![0]);
    const info = await tableInfo('grow');
    const apply = db.alterInBackground('alter table grow alter distkey s', { maxBytesPerSecond: Math.max(100_000, info.size) });
    await new Promise((r) => setTimeout(r, 150));
    await db.execute("insert into grow values (-1, 'late'), (-2, 'late'), (-3, NULL)");
    await apply;
    const t = db.catalog().tables['grow']!;
    expect([t.distStyle, t.distKey, t.rows]).toEqual(['key', 's', base + 3]);
    const keel = (await db.query("select count(*), sum(id), count(s), sum(case when s = 'late' then 1 else 0 end) from grow")).rows();
    const duckRows = await duck.query(
      "select count(*) + 3, sum(l_orderkey * 10 + l_linenumber) - 6, count(l_shipmode) + 2, 2 from lineitem",
    );
    expect(compareResults(keel as Value[][], duckRows.rows, { ordered: true })).toBeNull();
    // every row sits on the slice its key hashes to: a join on s needs no move
    const plan = (await db.query("explain select count(*) from grow a join grow b on a.s = b.s")).rows().map((r) => r[0]).join('\n');
    expect(plan).toContain('DS_DIST_NONE');
  });

  it('fails with CONFLICT when another ALTER or a DROP changed the table meanwhile, and changes nothing', async () => {
    await db.execute('create table clash (id integer, s varchar(50)) diststyle even');
    await db.execute('insert into clash select l_orderkey, l_comment from lineitem');
    const info = await tableInfo('clash');
    const slow = { maxBytesPerSecond: Math.max(100_000, info.size / 2) };
    const apply = db.alterInBackground('alter table clash alter distkey id', slow);
    await new Promise((r) => setTimeout(r, 100));
    await db.execute('alter table clash alter sortkey (s)');
    expect((await errorOf(apply)).code).toBe('CONFLICT');
    const t = db.catalog().tables['clash']!;
    expect([t.distStyle, t.sortKey, t.rows, t.version]).toEqual(['even', ['s'], info.rows, info.version + 1]);
    const dropped = db.alterInBackground('alter table clash alter distkey id', slow);
    await new Promise((r) => setTimeout(r, 100));
    await db.execute('drop table clash');
    expect((await errorOf(dropped)).code).toBe('CONFLICT');
    expect(fs.readdirSync(path.join(db.dir, 'staging'))).toEqual([]);
  });

  it('aborts cleanly: the table keeps its version and no staged file is left', async () => {
    const info = await tableInfo('orders');
    const sum = (await db.query('select count(*), sum(o_totalprice), max(o_comment) from orders')).rows();
    const files = () => fs.readdirSync(path.join(db.dir, 'tables', String(db.catalog().tables['orders']!.id))).sort();
    const filesBefore = files();
    const ctl = new AbortController();
    let lastProgress = 0;
    const apply = db.alterInBackground('alter table orders alter sortkey (o_orderdate)', {
      maxBytesPerSecond: Math.max(50_000, info.size / 4),
      signal: ctl.signal,
      onProgress: (p) => (lastProgress = p.bytesWritten),
    });
    setTimeout(() => ctl.abort(), 300);
    const e = await errorOf(apply);
    expect(e.code).toBe('ABORTED');
    expect(lastProgress).toBeGreaterThan(0); // it was under way
    const after = await tableInfo('orders');
    expect([after.version, after.sortkey1, after.rows]).toEqual([info.version, info.sortkey1, info.rows]);
    expect((await db.query('select count(*), sum(o_totalprice), max(o_comment) from orders')).rows()).toEqual(sum);
    expect(files()).toEqual(filesBefore);
    expect(fs.readdirSync(path.join(db.dir, 'staging'))).toEqual([]);
    // an already aborted signal stops it before anything is written
    expect((await errorOf(db.alterInBackground('alter table orders alter distkey o_orderkey', { signal: AbortSignal.abort() }))).code).toBe('ABORTED');
  });

  it('holds the bytes-per-second cap', async () => {
    const info = await tableInfo('lineitem');
    const rate = Math.max(100_000, Math.round(info.size / 1.5));
    let samples = 0;
    let worst = 0;
    const t0 = performance.now();
    const done = await db.alterInBackground('alter table lineitem alter sortkey (l_receiptdate)', {
      maxBytesPerSecond: rate,
      onProgress: (p) => {
        const s = (performance.now() - t0) / 1000;
        // a block is written whole before the pause that pays for it: allow one block group's burst early on
        if (s > 0.5) worst = Math.max(worst, p.bytesWritten / s);
        samples++;
      },
    });
    const seconds = done.elapsedMs / 1000;
    const measured = done.bytesWritten / seconds;
    expect(samples).toBeGreaterThan(2);
    expect(measured).toBeLessThanOrEqual(rate * 1.25);
    expect(worst).toBeLessThanOrEqual(rate * 1.5);
  });

  it('sleeps while pauseWhile says so, and goes on after', async () => {
    let paused = true;
    let bytes = 0;
    let calls = 0;
    const apply = db.alterInBackground('alter table partsupp alter distkey ps_partkey', {
      pauseWhile: () => {
        calls++;
        return paused;
      },
      onProgress: (p) => (bytes = p.bytesWritten),
    });
    await new Promise((r) => setTimeout(r, 600));
    expect(bytes).toBe(0);
    expect(calls).toBeGreaterThan(1); // asked again while paused
    paused = false;
    const done = await apply;
    expect(done.bytesWritten).toBeGreaterThan(0);
    expect((await tableInfo('partsupp')).diststyle).toBe('KEY(ps_partkey)');
  });

  it('rejects what it cannot run with a typed error', async () => {
    expect((await errorOf(db.alterInBackground('select 1'))).code).toBe('UNSUPPORTED');
    expect((await errorOf(db.alterInBackground('alter table nope alter distkey a'))).code).toBe('UNKNOWN_TABLE');
    expect((await errorOf(db.alterInBackground('alter table orders alter distkey nope'))).code).toBe('UNKNOWN_COLUMN');
    expect((await errorOf(db.alterInBackground('alter table orders alter distkey o_orderkey; select 1'))).code).toBe('SYNTAX');
    expect((await errorOf(db.alterInBackground('alter table orders alter distkey o_orderkey', { maxBytesPerSecond: -5 }))).code).toBe('INVALID_VALUE');
  });

  it('writes an unsorted table in whole blocks, as many as a synchronous rewrite does', async () => {
    // small blocks, so the rebuild writes each slice in many runs
    const small = await Database.open(path.join(work, 'small-blocks'), { slices: 3, blockRows: 500 });
    try {
      await small.execute(fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8'));
      await small.load('orders', path.join(DATA, 'orders.tbl.gz'));
      const blocks = async () => (await small.query('select sum(o_totalprice) from orders')).stats.blocksTotal;
      const orders = () => small.catalog().tables['orders']!;
      const expected = () => orders().segments.reduce((n, s) => n + Math.ceil(s.rows / 500), 0);
      await small.alterInBackground('alter table orders alter distkey o_custkey');
      const background = await blocks();
      expect(orders().segments.length).toBeGreaterThan(3);
      await small.execute('alter table orders alter distkey o_orderkey');
      await small.execute('alter table orders alter distkey o_custkey');
      expect(background).toBe(await blocks());
      // every segment but the last of its slice holds whole blocks only
      await small.alterInBackground('alter table orders alter distkey o_orderkey');
      expect(await blocks()).toBe(expected());
      const bySlice = new Map<number, number[]>();
      for (const s of orders().segments) bySlice.set(s.slice, [...(bySlice.get(s.slice) ?? []), s.rows]);
      for (const rows of bySlice.values()) for (const r of rows.slice(0, -1)) expect(r % 500).toBe(0);
    } finally {
      small.close();
    }
  });
});
