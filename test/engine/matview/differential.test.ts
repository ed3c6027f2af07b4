/**
 * Materialized views against DuckDB, which has none: after every REFRESH a
 * view's rows must equal DuckDB running the view's query over the same base
 * rows. A seeded random sequence of inserts, deletes, updates and refreshes
 * drives both; incremental refreshes (after appends) and full ones (after
 * anything else) are both checked, and the kind each refresh took is checked
 * against what the changes allow.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../helpers/oracle.js';
import { rng } from '../../helpers/random.js';
import { diffRows, keelAndDuck } from './helpers.js';

const VIEWS: Record<string, { sql: string; incremental: boolean }> = {
  by_group: {
    sql: 'select g, count(*) as n, sum(v) as sv, avg(v) as av, min(x) as mn, max(s) as mx, avg(k) as ak, count(x) as cx from fact where k % 3 <> 0 group by g',
    incremental: true,
  },
  by_name: {
    sql: 'select dim.name, sum(fact.v) as sv, count(fact.x) as c, avg(fact.x) as ax, max(fact.k) as mk from fact join dim on fact.k = dim.k group by dim.name',
    incremental: true,
  },
  joined_rows: { sql: 'select f.k, f.v, d.name from fact f join dim d on f.k = d.k where f.g > 2', incremental: true },
  totals: { sql: 'select count(*) as n, sum(x) as sx, min(v) as mn, avg(x) as ax from fact', incremental: true },
  by_bucket: { sql: 'select g % 4 as b, avg(k) as a, sum(k) as s from fact group by 1', incremental: true },
  distinct_keys: { sql: 'select g, count(distinct k) as dk from fact group by g having count(*) > 1', incremental: false },
  outer_rows: { sql: 'select d.k, d.name, f.v from dim d left join fact f on f.k = d.k', incremental: false },
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
    let full = 0;
    for (let step = 0; step < 100; step++) {
      const r = rand();
      if (r < 0.3) {
        await both(`insert into fact values ${factRows(1 + Math.floor(rand() * 40))}`);
        mark('fact', 'appends');
      } else if (r < 0.4) {
        await both(`insert into dim values ${dimRows(1 + Math.floor(rand() * 4))}`);
        mark('dim', 'appends');
      } else if (r < 0.43) {
        await both(`delete from fact where k = ${Math.floor(rand() * 40)}`);
        mark('fact', 'other');
      } else if (r < 0.46) {
        await both(`update fact set v = v + 1, g = (g + 1) % 6 where k = ${Math.floor(rand() * 40)}`);
        mark('fact', 'other');
      } else {
        const name = pick(Object.keys(VIEWS));
        await pair.db.query(`refresh materialized view ${name}`);
        const kind = await lastRefreshKind(name);
        const c = changed.get(name)!;
        const expected = c === 'none' ? 'unchanged' : c === 'appends' && VIEWS[name]!.incremental ? 'incremental' : 'full';
        expect(kind, `${name} after ${c}`).toBe(expected);
        if (kind === 'incremental') incremental++;
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
    expect(full).toBeGreaterThan(2);
  }, 120_000);
});
