/**
 * Binder and executor semantics on small tables with NULLs, duplicates and
 * mixed types: query results checked against DuckDB where the two engines
 * agree on semantics, and against explicit values where keel follows
 * PostgreSQL/Redshift instead (integer division, NULL ordering, names, errors).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiniDb } from '../../helpers/mini-db.js';
import { compareResults, hasOrderBy } from '../../helpers/oracle.js';
import { charColumns, decimalScales } from '../../helpers/keel-tpch.js';
import { SqlError } from '../../../engine/errors.js';

let db: MiniDb;

beforeAll(async () => {
  db = await MiniDb.create(4, 2);
  await db.table('create table t (a integer, b integer, d decimal(10,2), s varchar(20), c char(5), dt date, x double precision)', [
    [1, 10, 1.5, 'apple', 'ab', '2020-01-15', 1.5],
    [2, 20, 2.25, 'banana', 'cd', '2020-02-29', 2.5],
    [3, null, -3.1, 'cherry', null, '2021-12-31', null],
    [null, 40, 0.05, null, 'ab', null, -1.0],
    [5, 50, 100.0, 'Apple', 'ef', '2019-06-01', 0.0],
    [2, 20, 2.25, 'banana', 'cd', '2020-02-29', 2.5],
    [7, 70, null, 'date', 'gh', '2020-01-01', 7.25],
  ]);
  await db.table('create table u (k integer, v varchar(10), w decimal(8,3))', [
    [1, 'one', 1.001],
    [2, 'two', 2.5],
    [2, 'deux', 0.125],
    [4, 'four', null],
    [null, 'none', 9.999],
  ], { style: 'key', key: 'k' });
  await db.table('create table e (k integer, v varchar(10))', [], { style: 'all' });
  await db.table('create table big (id integer, grp integer, amt decimal(12,2), name varchar(12))',
    Array.from({ length: 300 }, (_, i) => [i, i % 7, (i * 37 % 1000) / 100, `n${i % 13}`]), { style: 'even' });
});

afterAll(() => db?.close());

async function same(sql: string, ordered = hasOrderBy(sql)): Promise<void> {
  const got = db.query(sql);
  const want = await db.duck.query(sql);
  const diff = compareResults(got.rows, want.rows, { ordered, scales: decimalScales(got.fields), blankPadded: charColumns(got.fields) });
  expect(diff, sql).toBeNull();
}

function err(sql: string): SqlError & { code: string } {
  const e = db.error(sql);
  expect(e, sql).not.toBeNull();
  return e as SqlError & { code: string };
}

describe('matches DuckDB', () => {
  const queries = [
    // arithmetic and decimals
    'select a, b, a + b, a * b, a - b, -a from t',
    'select d, d * 2, d + 1, d - 0.5, d * d, -d, d * 1.5 from t',
    'select d + w, d * w, d - w from t, u where t.a = u.k',
    'select x * 2, x + d, x / 4 from t',
    'select a, d from t where d > 2', 'select a from t where d = 2.25', 'select a from t where d < 2.251', 'select a from t where d >= 2.249',
    'select a from t where d = 2.251', 'select a from t where d <> 2.250', 'select a from t where 1.5 <= d', 'select a from t where a < 2.5',
    'select a from t where a >= 1.9999',
    // strings
    "select a, s, c from t where c = 'ab'",
    "select s || '-' || c, upper(s), lower(s), length(s), substring(s from 2 for 3), substring(s, 3), position('an' in s) from t",
    "select replace(s, 'a', 'A'), left(s, 2), right(s, 2), lpad(s, 8, '*'), rpad(s, 8, '*'), reverse(s), repeat(c, 2) from t",
    "select split_part('a-b-c', '-', 2), concat(s, null, c), trim('  x  '), ltrim('  x'), rtrim('x  '), trim('xxaxx', 'x') from t",
    "select s from t where s like 'a%'", "select s from t where s ilike 'a%'", "select s from t where s not like '%an%'", "select s from t where s like '_a%'",
    // CASE and friends
    "select case when a > 2 then 'big' when a > 1 then 'mid' else 'small' end, coalesce(b, -1), nullif(a, 2), greatest(a, b), least(a, b) from t",
    "select case a when 1 then 'one' when 2 then 'two' end, coalesce(d, 0), coalesce(x, a, b) from t",
    'select greatest(d, 2), least(a, 3.5), greatest(a, null, b) from t',
    // predicates
    'select a from t where a between 2 and 5', 'select a from t where a not between 2 and 5', 'select a from t where a in (1, 2, null)',
    'select a from t where a not in (1, 2)', 'select a from t where a not in (1, null)', 'select a, a in (1, 2, null), a not in (3, null) from t',
    'select a from t where d in (2.25, 1.500, 0.051, 100)', 'select a from t where d not in (2.25, 1.505)', 'select a from t where a in (1.0, 2.5, 7)',
    'select a from t where b is null', 'select a from t where not (a > 2 or b is null)', 'select a from t where (a > 2) is not true',
    'select a, (a > 2) and (b > 30), (a > 2) or (b > 30) from t',
    // dates
    "select dt + 1, dt - 1, dt - date '2020-01-01', extract(year from dt), extract(month from dt), extract(day from dt), extract(dow from dt), extract(doy from dt), extract(quarter from dt) from t",
    "select date_trunc('month', dt), date_trunc('year', dt), date_trunc('week', dt), date_trunc('quarter', dt) from t",
    "select dt from t where dt < '2020-02-01'", "select dt from t where dt between date '2020-01-01' and date '2020-12-31'",
    "select dt + interval '1' month, dt - interval '10' day, dt + interval '1' year from t",
    "select a from t where dt <= date '2020-03-01' - interval '1' day", "select a from t where dt > date '2020-01-15' + interval '12' hour",
    // casts
    "select cast(d as integer), cast(a as varchar), cast('42' as integer), cast(x as decimal(10,1)), cast(dt as varchar), cast(a as double precision) from t",
    "select cast('2020-05-06' as date), cast(d as decimal(10,1)), cast(d as decimal(12,4)), cast(a as boolean) from t",
    // aggregates
    'select count(*), count(a), count(distinct a), sum(a), sum(d), min(s), max(s), min(dt), max(dt), avg(d), avg(a), avg(x), sum(x) from t',
    'select a, count(*), sum(d), avg(d), max(c) from t group by a',
    'select s, count(*) from t group by s having count(*) > 1',
    'select a % 2 as parity, count(*) from t group by parity',
    'select a % 2, count(*), sum(b) from t group by 1',
    'select count(*), sum(a), avg(d), min(s) from t where a > 100',
    'select a, count(*) from t where a > 100 group by a',
    'select count(distinct s), count(distinct c), sum(distinct b), avg(distinct b) from t',
    'select a from t group by a having sum(b) > 25',
    'select extract(year from dt) y, count(*) from t group by extract(year from dt)',
    'select a + 1 as z, count(*) from t group by a + 1',
    'select sum(d) / count(*), sum(d) / sum(x), sum(b) / count(b) from t',
    'select grp, count(*), sum(amt), avg(amt), min(name), max(name), count(distinct name) from big group by grp',
    'select name, grp, sum(amt) from big group by name, grp',
    'select count(*) from big b1, big b2 where b1.id = b2.grp',
    // math
    'select round(d, 1), round(x), floor(d), ceil(d), abs(d), trunc(d), mod(a, 3), sqrt(abs(x)), power(a, 2), sign(d), round(d) from t',
    'select round(x, 1), floor(x), ceil(x), trunc(x), abs(x), exp(a), ln(a + 1) from t',
    // joins
    'select t.a, u.v from t left join u on t.a = u.k',
    'select t.a, u.v from t right join u on t.a = u.k',
    'select t.a, u.v from t full join u on t.a = u.k',
    'select t.a, u.v from t left join u on t.a = u.k and u.v <> \'two\'',
    'select t.a, u.v from t left join u on t.a = u.k where u.v is null',
    'select t.a, u.v from t join u on t.a < u.k',
    'select t.a, u.v from t full join u on t.a = u.k and t.b > 15',
    'select * from u u1 join u u2 using (k)',
    'select k, u1.v, u2.v from u u1 left join u u2 using (k)',
    'select * from u natural join u u2',
    'select count(*) from t t1, t t2 where t1.a = t2.a',
    'select t1.a, t2.b from t t1 cross join t t2 where t1.a = 1',
    'select t.a, e.v from t left join e on t.a = e.k',
    'select e.k, t.a from e right join t on t.a = e.k',
    // subqueries
    'select a, (select max(w) from u where u.k = t.a) from t',
    'select a, (select count(*) from u where u.k = t.a) as n from t',
    'select a, (select count(w) + 1 from u where u.k = t.a) as n from t',
    'select a from t where exists (select 1 from u where u.k = t.a)',
    'select a from t where not exists (select 1 from u where u.k = t.a)',
    'select a from t where a in (select k from u)',
    'select a from t where a not in (select k from u)',
    'select a from t where a not in (select k from u where k is not null)',
    'select a from t where a not in (select k from e)',
    'select a, a in (select k from u) from t',
    'select a, a not in (select k from u where k < 3) from t',
    'select a, a in (select k from e) from t',
    'select a from t where a > all (select k from u where k is not null)',
    'select a from t where a < any (select k from u)',
    'select a from t where a = any (select k from u)',
    'select a, a > all (select k from u), a >= any (select k from u), a <> all (select k from u where k > 1) from t',
    'select a, exists (select 1 from u where u.k = t.a), not exists (select 1 from e) from t',
    'select a from t where exists (select 1 from u where u.k = t.a and u.v <> t.s)',
    'select a from t where not exists (select 1 from u where u.k = t.a and u.w > t.d)',
    'select a from t where d > (select avg(w) from u)',
    'select a, sum(b) from t group by a having sum(b) > (select count(*) from u)',
    'select a from t where a in (select k from u) or b = 50',
    'select a from t where exists (select 1 from u where u.k = t.a) or b is null',
    "select k, v from u where k not in (select a from t where t.s = u.v)",
    "select k, v from u where k in (select a from t where t.b > u.k * 10)",
    'select k, (select v from u u2 where u2.k = u.k and u2.v <> u.v) from u',
    'select a from t where b > (select min(b) from t t2 where t2.a = t.a - 1)',
    'select grp, (select count(*) from big b2 where b2.grp = big.grp and b2.amt > 5) from big where id < 10',
    'select a from t where a = (select max(k) from u)',
    'select (select max(k) from u), (select min(a) from t where a > 1)',
    'select a from t where (select count(*) from u where u.k = t.a) = 0',
    // correlations other than equality (grouped by the distinct outer values)
    'select a, (select count(*) from u where u.k < t.a) from t',
    'select a, (select sum(w) from u where u.k <= t.a and u.v <> t.s) from t',
    'select id, (select sum(amt) from big b2 where b2.id <= big.id and b2.grp = big.grp) from big where id < 20',
    'select a, exists (select 1 from u where u.k > t.a) from t',
    'select a, a in (select k from u where u.k <> t.b / 10) from t',
    'select a from t where b > (select count(*) * 10 from u where u.k < t.a or t.a is null)',
    'select a, (select count(*) from u where t.a is null) from t',
    'select k, v from u where k not in (select a from t where t.b > u.k * 10)',
    // composed aggregates
    'select stddev_samp(b), var_samp(d), stddev_pop(x), var_pop(a), stddev(a), variance(b) from t',
    'select grp, stddev(amt), variance(id), bool_and(id > 5), bool_or(amt > 9) from big group by grp',
    'select a, (select stddev_pop(w) from u where u.k = t.a) from t',
    // non-constant LIKE patterns, LAST_DAY
    "select s, c, s like c || '%', s ilike '%' || lower(c) from t",
    "select dt, last_day(dt) from t",
    // subqueries inside aggregates
    'select sum(case when exists (select 1 from u where u.k = t.a) then 1 else 0 end), count(case when a in (select k from u) then 1 end) from t',
    'select a, sum((select count(*) from u where u.k = t.a)) from t group by a',
    // lateral column aliases
    'select a + 1 as x, x * 2 as y, y - x from t',
    'select sum(b) as total, total / 2 from t group by a',
    // set operations
    'select a, b from t union select k, null from u',
    'select a from t union all select k from u',
    'select a from t intersect select k from u',
    'select a from t except select k from u',
    'select a, c from t intersect select a, c from t where a > 1',
    'select s from t except select v from u',
    'select a from t union select k from u order by 1 nulls first',
    'select 1 union select 2 union all select 1',
    // CTEs, derived tables, VALUES, views
    'with q as (select a, sum(d) sd from t group by a) select * from q where sd > 2',
    'with q as (select a from t), r as (select a from q where a > 2) select * from r',
    'select x, y from (select a, b from t) as z(x, y) where x > 1',
    "select * from (values (1, 'a'), (2, null)) as v(n, m)",
    'select distinct s from t', 'select distinct a, c from t',
    // ordering and limits
    'select a, b from t order by a nulls first, b desc nulls last',
    'select a, b from t order by b desc nulls last limit 3 offset 1',
    'select a from t group by a order by sum(b) desc nulls last, a nulls last',
    'select s, count(*) c from t group by s order by c desc, s nulls last',
    'select a, s from t order by s nulls first, a limit 4',
    'select id from big order by amt desc, id limit 5',
    'select a, count(*) from t group by a order by 2 desc, 1 nulls last',
  ];
  it.each(queries)('%s', async (sql) => {
    await same(sql);
  });
});

describe('PostgreSQL/Redshift semantics', () => {
  it('integer division truncates; decimal division rounds at scale max(6, s1, s2)', () => {
    expect(db.query('select 7 / 2, -7 / 2, 7 % 3, 7.0 / 2, 1 / 3.0, 2 / 3.0, -2 / 3.0').rows).toEqual([[3, -3, 1, 3.5, 0.333333, 0.666667, -0.666667]]);
  });

  it('types literals like PostgreSQL', () => {
    const r = db.query("select 1, 2147483648, 1.50, 1e3, 'x', date '2020-01-01', true");
    expect(r.fields.map((f) => f.type.id)).toEqual(['integer', 'bigint', 'decimal', 'double', 'varchar', 'date', 'boolean']);
    expect(r.rows).toEqual([[1, 2147483648, 1.5, 1000, 'x', '2020-01-01', true]]);
  });

  it('names output columns as PostgreSQL does', () => {
    const r = db.query('select a, a + 1, count(*), sum(b) as total, upper(s), case when true then 1 end, (select max(k) from u), exists(select 1 from u), t.c from t group by a, s, t.c');
    expect(r.fields.map((f) => f.name)).toEqual(['a', '?column?', 'count', 'total', 'upper', 'case', 'max', 'exists', 'c']);
  });

  it('sorts NULLs last ascending and first descending by default', () => {
    expect(db.query('select a from t order by a').rows.map((r) => r[0])).toEqual([1, 2, 2, 3, 5, 7, null]);
    expect(db.query('select a from t order by a desc').rows.map((r) => r[0])).toEqual([null, 7, 5, 3, 2, 2, 1]);
  });

  it('gives decimal results exact types', () => {
    const r = db.query('select d * 2, d + 0.001, sum(d), avg(d), d / 3 from t where a = 1 group by d');
    expect(r.fields.map((f) => [f.type.id, f.type.scale])).toEqual([['decimal', 2], ['decimal', 3], ['decimal', 2], ['decimal', 6], ['decimal', 6]]);
    expect(r.rows).toEqual([[3, 1.501, 1.5, 1.5, 0.5]]);
  });

  it('averages decimals exactly, rounded half away from zero', () => {
    // 0.01 + 0.02 = 0.03 / 2 = 0.015; avg at scale 6 is exact
    expect(db.query('select avg(v) from (values (0.01), (0.02)) as q(v)').rows).toEqual([[0.015]]);
    expect(db.query('select avg(v) from (values (1), (2), (2)) as q(v)').rows[0]![0]).toBeCloseTo(5 / 3, 12);
    expect(db.query('select avg(v) from (values (0.000001), (0.000002)) as q(v)').rows).toEqual([[0.000002]]);
  });

  it('compares CHAR ignoring trailing blanks', () => {
    expect(db.query("select count(*) from t where c = 'ab   '").rows).toEqual([[2]]);
    expect(db.query("select count(*) from t where c = cast('ab  ' as varchar(10))").rows).toEqual([[2]]);
  });

  it('returns one row for a global aggregate over no rows', () => {
    expect(db.query('select count(*), sum(a), max(s), avg(d) from e, t where e.k = t.a').rows).toEqual([[0, null, null, null]]);
    expect(db.query('select count(*) from e').rows).toEqual([[0]]);
  });

  it('keeps scalar subquery COUNT over no rows at 0, not NULL', () => {
    expect(db.query('select a, (select count(*) from u where u.k = t.a) from t order by a nulls last').rows).toEqual([
      [1, 1], [2, 2], [2, 2], [3, 0], [5, 0], [7, 0], [null, 0],
    ]);
  });

  it('evaluates NOT IN with SQL NULL semantics', () => {
    expect(db.query('select a from t where a not in (select k from u)').rows).toEqual([]);
    expect(db.query('select count(*) from t where a not in (select k from e)').rows).toEqual([[7]]);
    expect(db.query('select count(*) from t where a not in (select k from u where k > 100)').rows).toEqual([[7]]);
  });

  it('raises CARDINALITY when a scalar subquery yields two rows', () => {
    expect(err('select a, (select v from u where u.k = 2) from t').code).toBe('CARDINALITY');
    expect(err('select a, (select v from u where u.k = t.a) from t').code).toBe('CARDINALITY');
    expect(db.query('select (select v from u where u.k = 1)').rows).toEqual([['one']]);
    expect(db.query('select (select v from u where u.k = 9)').rows).toEqual([[null]]);
  });

  it('supports SELECT without FROM, LIMIT 0, OFFSET past the end', () => {
    expect(db.query("select 1 + 1, 'a' || 'b', upper('x')").rows).toEqual([[2, 'ab', 'X']]);
    expect(db.query('select a from t limit 0').rows).toEqual([]);
    expect(db.query('select a from t order by a offset 10').rows).toEqual([]);
  });

  it('reads views, nested views and CTEs shadowing tables', async () => {
    await db.view('v1', 'select a, b from t where a > 1');
    await db.view('v2', 'select a, b * 2 as bb from v1', ['x', 'y']);
    expect(db.query('select x, y from v2 order by x, y').rows).toEqual([[2, 40], [2, 40], [3, null], [5, 100], [7, 140]]);
    expect(db.query('with t as (select 1 as a) select a from t').rows).toEqual([[1]]);
    await db.view('loop1', 'select * from loop2');
    await db.view('loop2', 'select * from loop1');
    expect(err('select * from loop1').message).toMatch(/infinite recursion/);
  });

  it('reads system tables', () => {
    const r = db.query("select \"table\", tbl_rows, diststyle from svv_table_info where \"table\" in ('t', 'u') order by 1");
    expect(r.rows).toEqual([['t', 7, 'EVEN'], ['u', 5, 'KEY(k)']]);
  });

  it('DATEADD, DATEDIFF and date parts as in Redshift', () => {
    const r = db.query("select dateadd(month, 1, date '2020-01-31'), dateadd(day, -1, date '2020-03-01'), datediff(day, date '2020-01-01', date '2020-03-01'), datediff(month, date '2020-01-31', date '2020-02-01'), datediff(year, date '2019-12-31', date '2020-01-01'), date_part('year', date '2020-05-01')");
    expect(r.rows).toEqual([['2020-02-29 00:00:00', '2020-02-29 00:00:00', 60, 1, 1, 2020]]);
  });

  it('LIKE with an escape character', () => {
    expect(db.query("select 'a_c' like 'a\\_c', 'abc' like 'a\\_c', 'a%c' like 'a!%c' escape '!'").rows).toEqual([[true, false, true]]);
  });

  it('binds INSERT sources to the table columns', () => {
    const r = db.insertRows("insert into t (s, a, dt) values ('new', 9, '2024-02-29'), ('x', 2.6, null)");
    expect(r.fields.map((f) => f.name)).toEqual(['a', 'b', 'd', 's', 'c', 'dt', 'x']);
    expect(r.rows).toEqual([
      [9, null, null, 'new', null, '2024-02-29', null],
      [3, null, null, 'x', null, null, null],
    ]);
    const q = db.insertRows('insert into u select a, s, d from t where a = 1');
    expect(q.rows).toEqual([[1, 'apple', 1.5]]);
    expect(() => db.insertRows("insert into u (k, v) values (1, 'far too long for ten')")).toThrow(/value too long/);
    expect(() => db.insertRows('insert into u values (1)')).toThrow(/more target columns than expressions/);
    expect(() => db.insertRows('insert into u (k, zz) values (1, 2)')).toThrow(/column "zz" of table "u" does not exist/);
    expect(() => db.insertRows("insert into u (k, v) select a, s || s || s from t")).toThrow(/value too long/);
  });
});

describe('errors', () => {
  it('unknown column, with a suggestion and position', () => {
    const e = err('select a,\n  sx from t');
    expect(e.code).toBe('UNKNOWN_COLUMN');
    expect(e.message).toBe('column "sx" does not exist; did you mean "s"?');
    expect(e.position).toMatchObject({ line: 2, column: 3 });
  });

  it('unknown table and unknown alias', () => {
    expect(err('select * from tt').message).toBe('table "tt" does not exist; did you mean "t"?');
    expect(err('select * from tt').code).toBe('UNKNOWN_TABLE');
    expect(err('select q.a from t').message).toMatch(/missing FROM-clause entry for table "q"/);
    expect(err('select t.zz from t').message).toMatch(/column t.zz does not exist/);
  });

  it('ambiguous column', () => {
    const e = err('select a from t t1, t t2');
    expect(e.code).toBe('AMBIGUOUS_COLUMN');
    expect(e.message).toBe('column reference "a" is ambiguous');
  });

  it('type mismatches name both types', () => {
    expect(err('select a + s from t').message).toBe('operator does not exist: integer + varchar');
    expect(err('select * from t where a = s').message).toBe('cannot compare integer with varchar');
    expect(err('select dt + true from t').message).toBe('operator does not exist: date + boolean');
    expect(err('select * from t where a').message).toMatch(/argument of WHERE must be type boolean/);
    expect(err("select case when a > 1 then 1 else 'x' || s end from t").code).toBe('TYPE_MISMATCH');
    expect(err('select a from t union select s from t').message).toBe('UNION types integer and varchar cannot be matched');
    expect(err("select * from t where dt = 'not a date'").code).toBe('INVALID_VALUE');
  });

  it('grouping errors', () => {
    expect(err('select a, b from t group by a').message).toBe('column "b" must appear in the GROUP BY clause or be used in an aggregate function');
    expect(err('select a from t where sum(a) > 1').message).toBe('aggregate functions are not allowed in WHERE');
    expect(err('select sum(count(a)) from t').message).toBe('aggregate function calls cannot be nested');
    expect(err('select a from t union select a, b from t').message).toMatch(/same number of columns/);
    expect(err('select distinct a from t order by b').message).toMatch(/ORDER BY expressions must appear in select list/);
    expect(err('select a from t order by 3').message).toMatch(/ORDER BY position 3/);
  });

  it('runtime errors', () => {
    expect(err('select a / 0 from t').code).toBe('DIVISION_BY_ZERO');
    expect(err('select d / 0 from t').code).toBe('DIVISION_BY_ZERO');
    expect(err('select cast(100000 as smallint)').code).toBe('OVERFLOW');
    expect(err('select 2147483647 + a from t').code).toBe('OVERFLOW');
    expect(err('select cast(s as integer) from t').code).toBe('INVALID_VALUE');
    expect(err("select cast('abc' as date)").code).toBe('INVALID_VALUE');
    expect(err('select 123456789012345678901').code).toBe('OVERFLOW');
  });

  it('window function errors name the clause, the window or the function', () => {
    const cases: [string, string, string][] = [
      ['select a from t where rank() over (order by a) = 1', 'SYNTAX', 'window functions are not allowed in WHERE'],
      ['select a, count(*) from t group by a having rank() over (order by a) > 1', 'SYNTAX', 'window functions are not allowed in HAVING'],
      ['select sum(a) from t group by row_number() over ()', 'SYNTAX', 'window functions are not allowed in GROUP BY'],
      ['select sum(rank() over (order by a)) from t', 'SYNTAX', 'window functions are not allowed in aggregate function sum'],
      ['select sum(rank() over (order by a)) over () from t', 'SYNTAX', 'window function calls cannot be nested'],
      ['select rank() over (partition by row_number() over ()) from t', 'SYNTAX', 'window functions are not allowed in window definitions'],
      ['select row_number() from t', 'SYNTAX', 'window function row_number requires an OVER clause'],
      ['select upper(s) over () from t', 'SYNTAX', 'OVER specified, but upper() is neither a window function nor an aggregate'],
      ['select sum(a) over w from t', 'SYNTAX', 'window "w" does not exist'],
      ['select sum(a) over w from t window w as (v), v as (order by a)', 'SYNTAX', 'window "v" does not exist'],
      ['select sum(a) over (w partition by b) from t window w as (order by a)', 'SYNTAX', 'cannot override PARTITION BY clause of window "w"'],
      ['select sum(a) over (w order by b) from t window w as (order by a)', 'SYNTAX', 'cannot override ORDER BY clause of window "w"'],
      ['select rank(a) over (order by a) from t', 'SYNTAX', 'window function rank takes 0 arguments, got 1'],
      ['select lag(a, 1, 2, 3) over (order by a) from t', 'SYNTAX', 'window function lag takes 1 to 3 arguments, got 4'],
      ['select ntile(a) over (order by a) from t', 'SYNTAX', 'the argument of NTILE must be a constant'],
      ['select ntile(0) over (order by a) from t', 'INVALID_VALUE', 'argument of ntile must be greater than zero'],
      ["select lag(a, 'x') over (order by a) from t", 'INVALID_VALUE', 'invalid input syntax for type integer: "x"'],
      ['select nth_value(a, 0) over (order by a) from t', 'INVALID_VALUE', 'argument of nth_value must be greater than zero'],
      ['select sum(a) over (order by b rows between a preceding and current row) from t', 'SYNTAX', 'the offset of a ROWS frame must be a constant'],
      ['select sum(a) over (order by b rows between 1.5 preceding and current row) from t', 'TYPE_MISMATCH', 'the offset of a ROWS frame must be an integer, not decimal(2,1)'],
      ['select sum(a) over (order by a, b range between 1 preceding and current row) from t', 'SYNTAX', 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column'],
      ['select sum(a) over (range between 1 preceding and current row) from t', 'SYNTAX', 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column'],
      ['select sum(a) over (order by s range between 1 preceding and current row) from t', 'TYPE_MISMATCH', 'RANGE with offset PRECEDING/FOLLOWING is not supported for an ORDER BY key of type varchar'],
      ["select sum(a) over (order by a range between interval '1' day preceding and current row) from t", 'TYPE_MISMATCH', 'a RANGE offset that is an INTERVAL needs a DATE or TIMESTAMP ORDER BY key, not integer'],
      ['select sum(a) over (order by dt range between 1.5 preceding and current row) from t', 'TYPE_MISMATCH', 'the offset of a RANGE frame over date must be an integer number of days or an INTERVAL, not decimal(2,1)'],
      ['select count(distinct a) over (order by a) from t', 'UNSUPPORTED', 'COUNT(DISTINCT ...) as a window function takes PARTITION BY only (as in Redshift): ORDER BY and frames are not supported'],
      ['select median(a) over (partition by b rows 1 preceding) from t', 'UNSUPPORTED', 'MEDIAN as a window function takes PARTITION BY only (as in Redshift): ORDER BY and frames are not supported'],
      ['select percentile_cont(0.5) within group (order by a) over (order by b) from t', 'UNSUPPORTED', 'PERCENTILE_CONT as a window function takes PARTITION BY only (as in Redshift): ORDER BY and frames are not supported'],
      ['select approximate count(distinct a) over () from t', 'UNSUPPORTED', 'APPROXIMATE COUNT(DISTINCT ...) as a window function is not supported'],
      ['select rank() filter (where a > 1) over (order by a) from t', 'SYNTAX', 'FILTER is only allowed with aggregates, not with rank()'],
      ['select sum(a) filter (where rank() over (order by a) > 1) over () from t', 'SYNTAX', 'window functions are not allowed in FILTER'],
      ['select rank() ignore nulls over (order by a) from t', 'SYNTAX', 'IGNORE NULLS is not allowed with rank()'],
      ['select sum(a) ignore nulls over () from t', 'SYNTAX', 'IGNORE NULLS is not allowed with aggregate sum()'],
      ['select lag(distinct a) over (order by a) from t', 'UNSUPPORTED', 'DISTINCT is not supported in window function lag()'],
      ['select a from t union select a from t order by rank() over (order by a)', 'UNSUPPORTED', 'window function rank() is not supported here (a correlated subquery, or the ORDER BY of a set operation)'],
    ];
    for (const [sql, code, message] of cases) expect({ code: err(sql).code, message: err(sql).message }, sql).toEqual({ code, message });
  });

  it('aggregate misuse is refused by the registry entries with the messages the binder gave', () => {
    const cases: [string, string, string][] = [
      ['select sum(a) within group (order by a) from t', 'SYNTAX', 'WITHIN GROUP is only allowed with LISTAGG, PERCENTILE_CONT and PERCENTILE_DISC, not with sum()'],
      ['select approximate count(distinct a) within group (order by a) from t', 'SYNTAX', 'WITHIN GROUP is not allowed with APPROXIMATE COUNT'],
      ['select median(distinct a) from t', 'UNSUPPORTED', 'MEDIAN(DISTINCT ...) is not supported'],
      ['select stddev(distinct a) from t', 'UNSUPPORTED', 'stddev(DISTINCT ...) is not supported'],
      ['select bit_and(a) from t', 'UNSUPPORTED', 'aggregate function bit_and is not supported'],
      ['select sum(a, b) from t', 'SYNTAX', 'aggregate function sum takes one argument, got 2'],
      ["select listagg(s, ',', s) from t", 'SYNTAX', 'aggregate function listagg takes 1 or 2 arguments, got 3'],
      ['select listagg(s, s) from t', 'SYNTAX', 'the delimiter of LISTAGG must be a constant string'],
      ['select sum(s) from t', 'TYPE_MISMATCH', 'function sum(varchar) does not exist'],
      ['select var_pop(s) from t', 'TYPE_MISMATCH', 'function var_pop(varchar) does not exist'],
      ['select bool_and(a) from t', 'TYPE_MISMATCH', 'function bool_and(integer) does not exist'],
      ['select median(s) from t', 'TYPE_MISMATCH', 'function median(varchar) does not exist'],
      ['select sum(sum(a)) from t', 'SYNTAX', 'aggregate function calls cannot be nested'],
      ['select listagg(s) within group (order by count(*)) from t', 'SYNTAX', 'aggregate function calls cannot be nested'],
      ['select a from t where count(*) > 1', 'SYNTAX', 'aggregate functions are not allowed in WHERE'],
      ["select lag(a, 1.5) over (order by a) from t", 'TYPE_MISMATCH', 'the offset of lag must be an integer, not decimal(2,1)'],
      ['select first_value(a, 2) over (order by a) from t', 'SYNTAX', 'window function first_value takes 1 argument, got 2'],
      ['select listagg(s) within group (order by a) over (order by a) from t', 'UNSUPPORTED', 'LISTAGG as a window function takes PARTITION BY only (as in Redshift): ORDER BY and frames are not supported'],
      ['select sum(distinct a) over (partition by b rows 1 preceding) from t', 'UNSUPPORTED', 'SUM(DISTINCT ...) as a window function takes PARTITION BY only (as in Redshift): ORDER BY and frames are not supported'],
    ];
    for (const [sql, code, message] of cases) expect({ code: err(sql).code, message: err(sql).message }, sql).toEqual({ code, message });
  });

  it('reports unsupported shapes clearly', () => {
    expect(err('select a from t intersect all select k from u').code).toBe('UNSUPPORTED');
    expect(err('select mode() within group (order by a) from t').code).toBe('UNSUPPORTED');
    expect(err('select frobnicate(a) from t').code).toBe('UNSUPPORTED');
  });

  it('names what is wrong with grouping sets, FILTER, percentiles and APPROXIMATE', () => {
    const cases: [string, string, RegExp][] = [
      ['select a, grouping(b) from t group by rollup(a)', 'SYNTAX', /^arguments to GROUPING must be grouping expressions of the associated query level$/],
      ['select grouping(a) from t', 'SYNTAX', /^GROUPING is only allowed in the select list, HAVING and ORDER BY of a query with GROUP BY$/],
      ['select a from t group by rollup(a) having sum(grouping(a)) > 0', 'SYNTAX', /^GROUPING is only allowed/],
      ['select a, b from t group by rollup(a)', 'SYNTAX', /^column "b" must appear in the GROUP BY clause/],
      ['select count(*) from t group by cube(a, b, d, s, c, dt, x)', 'TOO_COMPLEX', /^too many grouping sets: CUBE of 7 items makes 128, more than 64$/],
      ['select count(*) from t group by rollup(a, b, d, s, c, dt, x, a), cube(a, b, d)', 'TOO_COMPLEX', /^too many grouping sets: more than 64/],
      ['select abs(a) filter (where a > 1) from t', 'SYNTAX', /^FILTER is only allowed with aggregate functions, not with abs\(\)$/],
      ['select count(*) filter (where sum(a) > 1) from t', 'SYNTAX', /^aggregate functions are not allowed in FILTER$/],
      ['select sum(a) filter (where a) from t', 'TYPE_MISMATCH', /^argument of FILTER must be type boolean, not type integer$/],
      ['select percentile_cont(1.5) within group (order by a) from t', 'INVALID_VALUE', /^the fraction of PERCENTILE_CONT must be between 0 and 1, not 1.5$/],
      ['select percentile_disc(null) within group (order by a) from t', 'INVALID_VALUE', /^the fraction of PERCENTILE_DISC must not be NULL$/],
      ['select percentile_cont(a) within group (order by a) from t', 'SYNTAX', /^the fraction of PERCENTILE_CONT must be a constant$/],
      ['select percentile_cont(0.5) from t', 'SYNTAX', /^PERCENTILE_CONT needs WITHIN GROUP \(ORDER BY one expression\)$/],
      ['select percentile_cont(0.5) within group (order by a, b) from t', 'SYNTAX', /^PERCENTILE_CONT needs WITHIN GROUP \(ORDER BY one expression\), got 2$/],
      ['select percentile_disc(0.5) within group (order by s) from t', 'TYPE_MISMATCH', /^PERCENTILE_DISC needs a number, DATE or TIMESTAMP to order by, not varchar$/],
      ['select approximate count(a) from t', 'SYNTAX', /^APPROXIMATE is only supported with COUNT\(DISTINCT expression\)$/],
      ['select a, (select count(*) from u where u.k = t.a group by rollup(u.v)) from t', 'UNSUPPORTED', /^ROLLUP, CUBE and GROUPING SETS in a correlated subquery are not supported$/],
    ];
    for (const [sql, code, message] of cases) expect(err(sql), sql).toMatchObject({ code, message: expect.stringMatching(message) });
  });
});
