/**
 * Materialized views against DuckDB, which has none: after every REFRESH a
 * view's rows must equal DuckDB running the view's query over the same base
 * rows. A seeded random sequence of inserts, deletes, updates, VACUUMs (keel
 * only: they change no row) and refreshes drives both; incremental refreshes
 * (after appends, and after deletes and updates where the view's aggregates
 * allow) and full ones are both checked, and the kind each refresh took is
 * checked against what the changes allow. Retired files go at once
 * (KEEL_RETIRED_GRACE_MS=0, set before the engine loads), so a refresh that
 * read a deleted row's segment after its table let it go would fail here.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../helpers/oracle.js';
import { rng } from '../../helpers/random.js';

process.env.KEEL_RETIRED_GRACE_MS = '0';
const { diffRows, keelAndDuck } = await import('./helpers.js');

/** incremental: after appends; deletes: after deletes and updates too (SUM, COUNT, AVG; MIN and MAX by their groups). */
const VIEWS: Record<string, { sql: string; incremental: boolean; deletes: boolean }> = {
  by_group: {
    sql: 'select g, count(*) as n, sum(v) as sv, avg(v) as av, min(x) as mn, max(s) as mx, avg(k) as ak, count(x) as cx from fact where k % 3 <> 0 group by g',
    incremental: true,
    deletes: true,
  },
  by_name: {
    sql: 'select dim.name, sum(fact.v) as sv, count(fact.x) as c, avg(fact.x) as ax, max(fact.k) as mk from fact join dim on fact.k = dim.k group by dim.name',
    incremental: true,
    deletes: true,
  },
  sums_by_name: {
    sql: 'select d.name, f.s, sum(f.v) as sv, sum(f.x) as sx, count(*) as n, avg(f.v) as av from fact f join dim d on f.k = d.k group by d.name, f.s',
    incremental: true,
    deletes: true,
  },
  // groups of a few rows: some lose every row, some every non-NULL x (a SUM that must turn NULL)
  fine: { sql: 'select k, g, sum(x) as sx, avg(v) as av, count(*) as n from fact group by k, g', incremental: true, deletes: true },
  joined_rows: { sql: 'select f.k, f.v, d.name from fact f join dim d on f.k = d.k where f.g > 2', incremental: true, deletes: false },
  totals: { sql: 'select count(*) as n, sum(x) as sx, min(v) as mn, avg(x) as ax from fact', incremental: true, deletes: false },
  sum_totals: { sql: 'select count(*) as n, sum(v) as sv, avg(x) as ax from fact where g = 1', incremental: true, deletes: true },
  by_bucket: { sql: 'select g % 4 as b, avg(k) as a, sum(k) as s from fact group by 1', incremental: true, deletes: true },
  distinct_keys: { sql: 'select g, count(distinct k) as dk from fact group by g having count(*) > 1', incremental: false, deletes: false },
  outer_rows: { sql: 'select d.k, d.name, f.v from dim d left join fact f on f.k = d.k', incremental: false, deletes: false },
};

const STRINGS = ['a', 'b', 'c', 'dd', 'e'];

describe('materialized views against DuckDB', () => {
  const pair = keelAndDuck('keel-mv-');
  const { both } = pair;

  async function check(name: string): Promise<void> {
    const got = (await pair.db.query(`select * from ${name}`)).rows() as Value[][];
    const want = await pair.duck.query(VIEWS[name]!.sql);
    expect(diffRows(got, want.rows, false), `${name}: ${VIEWS[name]!.sql}`).toBeNull();
  }

  async function lastRefreshKind(name: string): Promise<string> {
    const r = await pair.db.query(`select kind from svl_mv_refresh_status where mv_name = '${name}' order by endtime desc, starttime desc limit 1`);
    return String(r.rows()[0]![0]);
  }

  it('keeps every view equal to its query through random inserts, deletes, updates and refreshes', async () => {
    const rand = rng(18);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    await pair.createBaseTables();
    let nextKey = 0;
    const factRows = (n: number): string =>
      Array.from({ length: n }, () => {
        const k = Math.floor(rand() * 40);
        const g = Math.floor(rand() * 6);
        const v = rand() < 0.1 ? 'null' : (Math.floor(rand() * 100000) / 100 - 300).toFixed(2);
        const x = rand() < 0.1 ? 'null' : String(Math.floor(rand() * 1000) / 8);
        const s = rand() < 0.1 ? 'null' : `'${pick(STRINGS)}'`;
        return `(${k}, ${g}, ${v}, ${x}, ${s})`;
      }).join(', ');
    const dimRows = (n: number): string => Array.from({ length: n }, () => `(${nextKey++ % 45}, '${pick(STRINGS)}')`).join(', ');
    await both(`insert into fact values ${factRows(200)}`);
    await both(`insert into dim values ${dimRows(30)}`);
    for (const [name, v] of Object.entries(VIEWS)) await pair.db.query(`create materialized view ${name} as ${v.sql}`);
    for (const name of Object.keys(VIEWS)) await check(name);

    // what changed since each view's last refresh: appends only, or something else too
    const changed = new Map<string, 'none' | 'appends' | 'other'>(Object.keys(VIEWS).map((n) => [n, 'none']));
    const mark = (table: 'fact' | 'dim', kind: 'appends' | 'other') => {
      for (const [n, c] of changed) if (VIEWS[n]!.sql.includes(table)) changed.set(n, c === 'other' || kind === 'other' ? 'other' : 'appends');
    };
    let incremental = 0;
    let afterDeletes = 0;
    let full = 0;
    for (let step = 0; step < 140; step++) {
      const r = rand();
      if (r < 0.25) {
        await both(`insert into fact values ${factRows(1 + Math.floor(rand() * 40))}`);
        mark('fact', 'appends');
      } else if (r < 0.33) {
        await both(`insert into dim values ${dimRows(1 + Math.floor(rand() * 4))}`);
        mark('dim', 'appends');
      } else if (r < 0.38) {
        await both(`delete from fact where k = ${Math.floor(rand() * 40)}`);
        mark('fact', 'other');
      } else if (r < 0.43) {
        await both(`update fact set v = v + 1, g = (g + 1) % 6, s = ${rand() < 0.3 ? 'null' : "'e'"} where k = ${Math.floor(rand() * 40)}`);
        mark('fact', 'other');
      } else if (r < 0.45) {
        await both(`update fact set x = null where g = ${Math.floor(rand() * 6)} and k < 20`);
        mark('fact', 'other');
      } else if (r < 0.47) {
        await both(`delete from dim where k = ${Math.floor(rand() * 45)}`);
        mark('dim', 'other');
      } else if (r < 0.49) {
        await both(`update dim set name = '${pick(STRINGS)}' where k = ${Math.floor(rand() * 45)}`);
        mark('dim', 'other');
      } else if (r < 0.51) {
        // compacts segments with deletes into new files: to a view, their rows removed and added again
        await pair.db.query('vacuum delete only fact to 100 percent');
        mark('fact', 'other');
      } else {
        const name = pick(Object.keys(VIEWS));
        await pair.db.query(`refresh materialized view ${name}`);
        const kind = await lastRefreshKind(name);
        const c = changed.get(name)!;
        const v = VIEWS[name]!;
        const expected = c === 'none' ? ['unchanged'] : c === 'appends' && v.incremental ? ['incremental'] : c === 'other' && v.deletes ? ['incremental', 'full'] : ['full'];
        expect(expected, `${name} after ${c}: ${kind}`).toContain(kind);
        if (kind === 'incremental') incremental++;
        if (kind === 'incremental' && c === 'other') afterDeletes++;
        if (kind === 'full') full++;
        changed.set(name, 'none');
        await check(name);
      }
    }
    for (const name of Object.keys(VIEWS)) {
      await pair.db.query(`refresh materialized view ${name}`);
      await check(name);
    }
    // the sequence exercises both kinds (a fixed seed: this is a property of the test, not of chance)
    expect(incremental).toBeGreaterThan(5);
    expect(afterDeletes).toBeGreaterThan(5);
    expect(full).toBeGreaterThan(2);
  }, 120_000);
});
