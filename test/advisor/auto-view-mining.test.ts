/**
 * The view advisor's mining, candidate merging and benefit/cost rule
 * (advisor/matviews) on generated logs of several shapes: star joins with
 * grouping, a single-table roll-up, filters with changing literals, GROUP BY
 * by position, queries a view already answered, CTEs, and the changes to
 * base tables that set the refresh rate.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../workload-log/index.js';
import { candidatesOf, changedTable, doesNotPay, estimate, mineWorkload, stoppedPaying, type Candidate, type MinedWorkload } from '../../advisor/matviews/index.js';
import { rollupViews } from '../../advisor/matviews/rollup.js';
import { parseStatement } from '../../engine/sql/index.js';
import { fakeCatalog, fakeTable, workloadFrom } from './helpers.js';

const T0 = Date.UTC(2024, 0, 10);
let n = 0;

/** A SELECT's record: the tables it scanned (rows each), whether it joined, its grouping. */
function select(sql: string, o: { tables: string[]; ms?: number; rows?: number; scanned?: number; join?: boolean; groupBy?: string[]; source?: string; fingerprint?: string }): LogRecord {
  return {
    version: 1,
    id: `q${++n}`,
    startTime: new Date(T0 + n * 1000).toISOString(),
    durationMs: o.ms ?? 10,
    user: 'u',
    session: 's',
    sql,
    fingerprint: o.fingerprint ?? sql.replace(/\d+/g, '?'),
    command: 'SELECT',
    status: 'ok',
    error: null,
    rowsReturned: o.rows ?? 5,
    rowsMoved: 0,
    bytesMoved: 0,
    blocksTotal: 0,
    blocksScanned: 0,
    blocksSkipped: 0,
    scans: o.tables.map((table) => ({ table, columns: [], predicates: [], blocksTotal: 1, blocksScanned: 1, blocksSkipped: 0, rowsScanned: o.scanned ?? 20_000, rowsOut: 1 })),
    joins: o.join ? [{ left: 'f.d', right: 'd.id', keys: [{ left: 'f.d', right: 'd.id' }], type: 'inner', action: 'DS_DIST_NONE', leftRows: 1, rightRows: 1, rowsMoved: 0, bytesMoved: 0 }] : [],
    groupBy: o.groupBy ?? [],
    orderBy: [],
    source: o.source ?? 'api',
  };
}

function change(sql: string, command: string): LogRecord {
  return { ...select(sql, { tables: [] }), command, sql, fingerprint: sql };
}

const times = <T>(k: number, f: (i: number) => T): T[] => Array.from({ length: k }, (_, i) => f(i));

const catalog = fakeCatalog([fakeTable('f', 100_000, ['id', 'd', 'v']), fakeTable('d', 50, ['id', 'name']), fakeTable('events', 30_000, ['day', 'kind', 'n'])]);

const STAR_A = 'select d.name, sum(f.v) from f join d on f.d = d.id group by d.name';
const STAR_B = 'select sum(f.v) as total, d.name, count(*) from f join d on f.d = d.id group by d.name order by total desc limit 3';
const ROLLUP = 'select day, count(*) as c from events group by day';

function log(): LogRecord[] {
  return [
    ...times(3, () => select(STAR_A, { tables: ['f', 'd'], join: true, groupBy: ['d.name'], ms: 40 })),
    ...times(2, () => select(STAR_B, { tables: ['f', 'd'], join: true, groupBy: ['d.name'], ms: 50 })),
    // changing literals: each text is its own exact shape
    ...times(4, (i) => select(`select d.name, max(f.v) from f join d on f.d = d.id where f.v > ${i % 2} group by d.name`, { tables: ['f', 'd'], join: true, groupBy: ['d.name'] })),
    ...times(5, () => select(ROLLUP, { tables: ['events'], groupBy: ['day'], ms: 20 })),
    // GROUP BY by position: the select list is part of the shape
    select('select d.name, sum(f.v) from f join d on f.d = d.id group by 1', { tables: ['f', 'd'], join: true, groupBy: ['d.name'] }),
    select('select d.name, min(f.v) from f join d on f.d = d.id group by 1', { tables: ['f', 'd'], join: true, groupBy: ['d.name'] }),
    // not mined: no join nor grouping; answered by a view already; the advisor's own; a CTE; a table gone from the catalog
    select('select v from f where id = 3', { tables: ['f'], ms: 2, scanned: 100 }),
    select('select c1, c2 from auto_mv_9', { tables: ['mv_tbl__auto_mv_9__0'], groupBy: ['d.name'] }),
    select(STAR_A, { tables: ['f', 'd'], join: true, groupBy: ['d.name'], source: 'advisor', ms: 1000 }),
    select('with x as (select d, sum(v) as s from f group by d) select * from x', { tables: ['f'], groupBy: ['d'] }),
    select('select g.k, count(*) from gone g group by g.k', { tables: ['gone'], groupBy: ['g.k'] }),
    change('insert into f values (1, 2, 3)', 'INSERT'),
    change('insert into f select * from f', 'INSERT'),
    change('copy "d" from \'/tmp/d.csv\'', 'COPY'),
    change('delete from events where day < 3', 'DELETE'),
  ];
}

describe('mining the log for views', () => {
  const mined = mineWorkload(workloadFrom(log()));

  it('keeps the joined or grouped SELECTs that base tables answered, by exact text, with executions and time', () => {
    const byText = new Map(mined.queries.map((q) => [q.sql, q]));
    expect(byText.get(STAR_A)).toMatchObject({ count: 3, totalMs: 120, tables: ['d', 'f'] });
    expect(byText.get(ROLLUP)).toMatchObject({ count: 5, totalMs: 100, tables: ['events'] });
    expect(byText.has('select v from f where id = 3')).toBe(false);
    expect(byText.has('select c1, c2 from auto_mv_9')).toBe(false);
    expect(mined.queries.some((q) => q.totalMs >= 1000)).toBe(false);
    // the two star texts, two filtered, the roll-up, two by position, the CTE and the query over a dropped table
    expect(mined.queries).toHaveLength(9);
  });

  it('counts the changes to each table, and prices rows from the large scans and queries from the cheapest', () => {
    expect(Object.fromEntries(mined.changes)).toEqual({ f: 2, d: 1, events: 1 });
    // every SELECT that scanned 20,000 rows took 10 to 50 ms: well under 0.01 ms a row; the cheapest scan took 2 ms
    expect(mined.msPerRow).toBeGreaterThan(0);
    expect(mined.msPerRow).toBeLessThan(0.003);
    expect(mined.msPerQuery).toBe(2);
    expect(changedTable('update public.events set n = 1')).toBe('events');
    expect(changedTable('truncate table "Weird"')).toBe('Weird');
  });

  it('merges queries of one shape into one candidate that answers all of them, and keeps other shapes apart', () => {
    const cands = candidatesOf(mined.queries, catalog);
    const star = cands.find((c) => c.serves.some((q) => q.sql === STAR_A))!;
    expect(star.serves.map((q) => q.sql).sort()).toEqual([STAR_B, STAR_A].sort());
    // the union of their outputs, each once, named apart
    expect(star.sql).toBe('select d.name as c1, sum(f.v) as c2, count(*) as c3 from f join d on f.d = d.id group by d.name');
    expect(star.tables).toEqual(['d', 'f']);
    const filtered = cands.filter((c) => c.sql.includes('where'));
    expect(filtered.map((c) => c.sql).sort()).toEqual([
      'select d.name as c1, max(f.v) as c2 from f join d on f.d = d.id where f.v > 0 group by d.name',
      'select d.name as c1, max(f.v) as c2 from f join d on f.d = d.id where f.v > 1 group by d.name',
    ]);
    const ordinal = cands.filter((c) => c.sql.includes('group by 1'));
    expect(ordinal.map((c) => c.sql).sort()).toEqual([
      'select d.name, min(f.v) from f join d on f.d = d.id group by 1',
      'select d.name, sum(f.v) from f join d on f.d = d.id group by 1',
    ]);
    expect(cands.find((c) => c.tables[0] === 'events')!.sql).toBe('select day as c1, count(*) as c2 from events group by day');
    // and the roll-up family of f join d (rollup.ts): all its texts, the two filtered ones, and those grouped by d.name alone,
    // each answering what the rewrite rolls up from it; without statistics each is taken to be as large as f
    const rollups = cands.filter((c) => c.rows !== null);
    expect(rollups.map((c) => [c.sql, c.serves.length, c.rows])).toEqual([
      ['select d.name as g1, count(*) as a1, sum(f.v) as a2 from f join d on f.d = d.id group by d.name', 3, 100_000],
      ['select d.name as g1, f.v as g2, count(*) as a1, max(f.v) as a2, sum(f.v) as a3 from f join d on f.d = d.id group by d.name, f.v', 5, 100_000],
      ['select d.name as g1, f.v as g2, max(f.v) as a1 from f join d on f.d = d.id group by d.name, f.v', 2, 100_000],
    ]);
    expect(cands).toHaveLength(9);
  });
});

describe('the benefit/cost rule', () => {
  const candidate = (sql: string, serves: Partial<Candidate['serves'][number]>[]): Candidate => ({
    sql,
    tables: ['d', 'f'],
    serves: serves.map((s, i) => ({ sql: `q${i}`, fingerprint: `fp${i}`, count: 100, totalMs: 10_000, maxRows: 10, tables: ['d', 'f'], ...s })),
    rows: null,
  });
  const workload = (changes: Record<string, number>): MinedWorkload => ({ queries: [], msPerRow: 0.01, msPerQuery: 1, changes: new Map(Object.entries(changes)) });

  it('nets the queries\' time per day against reading the view, refreshes at the observed rate, and the build', () => {
    const e = estimate(candidate('select d.name as c1, sum(f.v) as c2 from f join d on f.d = d.id group by d.name', [{}]), workload({ f: 3, d: 1 }), catalog, 2, 7);
    expect(e.baseSecondsPerDay).toBeCloseTo(5, 9); // 10 s over 2 days
    expect(e.readSecondsPerDay).toBeCloseTo((100 * (1 + 10 * 0.01)) / 1000 / 2, 9);
    expect(e.buildMs).toBe(100);
    expect(e.refreshesPerDay).toBe(2);
    expect(e.refreshSecondsPerDay).toBeCloseTo(0.2, 9);
    expect(e.buildSecondsPerDay).toBeCloseTo(0.1 / 7, 9);
    expect(e.netSecondsPerDay).toBeCloseTo(5 - 0.055 - 0.2 - 0.1 / 7, 9);
    expect(e.storageBytes).toBe(10 * 2 * 8);
    expect(doesNotPay(e, 1)).toBeNull();
  });

  it('refuses a view whose base tables change faster than its queries save', () => {
    // 100 executions of 100 ms a day; the tables change 200 times a day and each refresh is a 100 ms build
    const e = estimate(candidate('select 1 as c1 from f join d on f.d = d.id', [{}]), workload({ f: 150, d: 50 }), catalog, 1, 7);
    expect(e.netSecondsPerDay).toBeLessThan(0);
    expect(doesNotPay(e, 1)).toMatch(/less than views.minSecondsPerDay/);
  });

  it('takes a view behind a LIMIT query to be as large as its largest base table', () => {
    const e = estimate(candidate('select d.name as c1 from f join d on f.d = d.id group by d.name', [{ sql: 'select d.name from f join d on f.d = d.id group by d.name limit 3', maxRows: 3 }]), workload({}), catalog, 1, 7);
    expect(e.rows).toBe(100_000);
    expect(e.readSecondsPerDay).toBeCloseTo((100 * (1 + 100_000 * 0.01)) / 1000, 9);
    expect(doesNotPay(e, 1)).not.toBeNull();
  });

  it('drops a view without hits, or whose refreshes cost more than its hits save, and keeps one that pays', () => {
    const m = { hits: 10, hitMs: 50, baselineMs: 5000, refreshes: 2, refreshMs: 200, days: 1 };
    expect(stoppedPaying(m, 1)).toBeNull();
    expect(stoppedPaying({ ...m, hits: 0, hitMs: 0, baselineMs: 0 }, 1)).toMatch(/no query read it/);
    expect(stoppedPaying({ ...m, refreshMs: 5500 }, 1)).toMatch(/net -0\.550 s\/day, less than/);
    // per day: the same saving over five days is a fifth a day
    expect(stoppedPaying({ ...m, days: 5 }, 1)).toMatch(/net 0\.950 s\/day/);
  });
});

describe('roll-up candidates', () => {
  const of = (sqls: string[]) =>
    rollupViews(
      sqls.map((sql) => {
        const s = parseStatement(sql);
        if (s.kind !== 'select' || s.query.body.kind !== 'select') throw new Error('not a select');
        return { sql, query: s.query, fromKey: JSON.stringify(s.query.body.from, (k, v) => (k === 'pos' ? undefined : v)) };
      }),
    );

  it('groups one FROM by every grouped or filtered column, with the aggregates its queries need and no WHERE', () => {
    expect(
      of([
        "select d.name, sum(f.v) from f join d on f.d = d.id where f.day between 3 and 9 group by d.name",
        "select d.name, avg(f.v) as a from f join d on f.d = d.id where d.name in ('x', 'y') group by d.name order by a",
        'select f.day, count(*) from f join d on f.d = d.id group by f.day',
      ]),
    ).toEqual([{ sql: 'select d.name as g1, f.day as g2, count(*) as a1, count(f.v) as a2, sum(f.v) as a3 from f join d on f.d = d.id group by d.name, f.day', groupBy: [expect.objectContaining({ name: expect.objectContaining({ name: 'name' }) }), expect.objectContaining({ name: expect.objectContaining({ name: 'day' }) })] }]);
  });

  it('needs two queries of the family, and leaves out what it cannot roll up', () => {
    expect(of(['select d.name, sum(f.v) from f join d on f.d = d.id group by d.name'])).toEqual([]);
    expect(
      of([
        'select d.name, sum(f.v) from f join d on f.d = d.id group by d.name having sum(f.v) > 3',
        'select d.name, count(distinct f.v) from f join d on f.d = d.id group by d.name',
        'select d.name, sum(f.v) + 1 from f join d on f.d = d.id group by d.name',
        'select d.name, sum(f.v) from f join d on f.d = d.id where f.v > f.d group by d.name',
      ]),
    ).toEqual([]);
  });

  it('rolls up aggregates of expressions under a bound made of constants: TPC-H Q1 with its moving date', () => {
    const q1 = (delta: number) =>
      `select l_returnflag, l_linestatus, sum(l_quantity) as sum_qty, sum(l_extendedprice * (1 - l_discount)) as sum_disc_price, avg(l_discount) as avg_disc, count(*) as count_order from lineitem where l_shipdate <= date '1998-12-01' - interval '${delta}' day group by l_returnflag, l_linestatus order by l_returnflag, l_linestatus`;
    const views = of([q1(90), q1(61), 'select l_shipmode, sum(l_quantity) from lineitem where l_discount between 0.05 and 0.07 group by l_shipmode']);
    const expected =
      'select l_linestatus as g1, l_returnflag as g2, l_shipdate as g3, count(*) as a1, count(l_discount) as a2, sum(l_discount) as a3, sum(l_extendedprice * (1 - l_discount)) as a4, sum(l_quantity) as a5 from lineitem group by l_linestatus, l_returnflag, l_shipdate';
    // Q1's own family, and the whole FROM's (grouped by all five columns, which the cost rule weighs with its rows)
    expect(views.map((v) => v.sql)).toContain(expected);
    expect(views).toHaveLength(2);
    const lineitem = fakeTable('lineitem', 6_000_000, ['l_returnflag', 'l_linestatus', 'l_shipdate', 'l_quantity', 'l_extendedprice', 'l_discount', 'l_shipmode']);
    const stats = (name: string, distinct: number) => ({ name, nulls: 0, distinct, min: null, max: null });
    const analyzed = { ...lineitem, stats: { analyzedAt: 0, rows: 6_000_000, changedRows: 0, columns: [stats('l_returnflag', 3), stats('l_linestatus', 2), stats('l_shipdate', 2526), stats('l_shipmode', 7), stats('l_discount', 11)] } };
    const mined = (sql: string) => ({ sql, fingerprint: 'q1', count: 5, totalMs: 5000, maxRows: 4, tables: ['lineitem'] });
    for (const [cat, rows] of [[fakeCatalog([analyzed]), 3 * 2 * 2526], [fakeCatalog([lineitem]), 6_000_000]] as const) {
      const cands = candidatesOf([mined(q1(90)), mined(q1(61)), mined(q1(117))], cat);
      const rollup = cands.find((c) => c.sql === expected)!;
      // the engine's rewrite answers every Q1 text from it, whatever its date
      expect(rollup.serves.map((q) => q.sql)).toEqual([q1(90), q1(61), q1(117)]);
      // its rows from ANALYZE's distinct counts; without statistics, as many as the table's
      expect(rollup.rows).toBe(rows);
    }
  });
});
