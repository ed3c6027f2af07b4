/** The SQL parser: TPC-H as written, tree shapes, literals, names, DDL, and errors that point at the right token. */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqlError } from '../../../engine/errors.js';
import {
  type DeleteStatement,
  type UpdateStatement,
  parseExpression,
  parseStatement,
  parseStatements,
  type AlterTableStatement,
  type CreateTableStatement,
  type CreateViewStatement,
  type Query,
  type SelectBody,
  type SelectStatement,
  type SetOpBody,
  type TableRef,
} from '../../../engine/sql/index.js';
import { sx, sxWindow, withoutPos } from './sexpr.js';

const TPCH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/tpch');

const e = (sql: string): string => sx(parseExpression(sql));

function query(sql: string): Query {
  const s = parseStatement(sql);
  if (s.kind !== 'select') throw new Error(`not a query: ${s.kind}`);
  return s.query;
}

function select(sql: string): SelectBody {
  const body = query(sql).body;
  if (body.kind !== 'select') throw new Error(`not a select body: ${body.kind}`);
  return body;
}

function createTable(sql: string): CreateTableStatement {
  const s = parseStatement(sql);
  if (s.kind !== 'createTable') throw new Error(`not CREATE TABLE: ${s.kind}`);
  return s;
}

function alter(sql: string): AlterTableStatement['actions'][number] {
  const s = parseStatement(sql);
  if (s.kind !== 'alterTable') throw new Error(`not ALTER TABLE: ${s.kind}`);
  expect(s.actions).toHaveLength(1);
  return withoutPos(s.actions[0]!);
}

function sqlError(f: () => unknown): SqlError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(SqlError);
    return err as SqlError;
  }
  throw new Error('parsed without error');
}

/** The error for `sql`, as code, message and 1-based line:column. */
function failure(sql: string): { code: string; message: string; at: string } {
  const err = sqlError(() => parseStatements(sql));
  return { code: err.code, message: err.message, at: `${err.position?.line}:${err.position?.column}` };
}

/** Set operations as a nested tuple: ['union', left, right] with select bodies as their first item's text. */
function setShape(body: Query['body']): unknown {
  if (body.kind === 'setOp') return [body.op + (body.all ? ' all' : ''), setShape((body as SetOpBody).left), setShape(body.right)];
  if (body.kind === 'select') {
    const item = body.items[0]!;
    return item.kind === 'expr' ? sx(item.expr) : '*';
  }
  if (body.kind === 'nested') return ['nested', setShape(body.query.body)];
  return 'values';
}

function joinShape(ref: TableRef): unknown {
  if (ref.kind === 'table') return ref.alias ? `${ref.name.name} ${ref.alias.name}` : ref.name.name;
  if (ref.kind === 'subquery') return `(subquery) ${ref.alias?.name ?? ''}`.trim();
  const cond = ref.on ? sx(ref.on) : ref.using ? `using ${ref.using.map((u) => u.name).join(',')}` : null;
  return [(ref.natural ? 'natural ' : '') + ref.type, joinShape(ref.left), joinShape(ref.right), cond];
}

describe('TPC-H', () => {
  const files = fs.readdirSync(path.join(TPCH, 'queries')).filter((f) => f.endsWith('.sql'));

  it('finds all 22 queries', () => {
    expect(files).toHaveLength(22);
  });

  it.each(files)('parses %s', (file) => {
    const sql = fs.readFileSync(path.join(TPCH, 'queries', file), 'utf8');
    const statements = parseStatements(sql);
    expect(statements.length).toBe(file === 'q15.sql' ? 3 : 1);
    for (const s of statements) expect(sql.slice(s.pos, s.pos + s.text.length)).toBe(s.text);
  });

  it('parses the schema into eight tables with their types', () => {
    const statements = parseStatements(fs.readFileSync(path.join(TPCH, 'schema.sql'), 'utf8'));
    expect(statements.map((s) => s.statement.kind)).toEqual(Array(8).fill('createTable'));
    const lineitem = statements[7]!.statement as CreateTableStatement;
    expect(lineitem.name.name).toBe('lineitem');
    expect(lineitem.columns).toHaveLength(16);
    const byName = Object.fromEntries(lineitem.columns.map((c) => [c.name.name, c]));
    expect(byName.l_quantity!.type).toEqual({ id: 'decimal', precision: 15, scale: 2 });
    expect(byName.l_returnflag!.type).toEqual({ id: 'char', length: 1 });
    expect(byName.l_comment!.type).toEqual({ id: 'varchar', length: 44 });
    expect(byName.l_shipdate!.type).toEqual({ id: 'date' });
    expect(lineitem.columns.every((c) => c.notNull)).toBe(true);
  });

  it('q15: view with column list and its exact query text, select, drop', () => {
    const sql = fs.readFileSync(path.join(TPCH, 'queries', 'q15.sql'), 'utf8');
    const [view, main, drop] = parseStatements(sql);
    const v = view!.statement as CreateViewStatement;
    expect(v.name.name).toBe('revenue0');
    expect(v.columns!.map((c) => c.name)).toEqual(['supplier_no', 'total_revenue']);
    expect(v.queryText.startsWith('select\n\t\tl_suppkey,')).toBe(true);
    expect(v.queryText.endsWith('group by\n\t\tl_suppkey')).toBe(true);
    expect(view!.text).toBe('create view revenue0 (supplier_no, total_revenue) as\n\t' + v.queryText);
    expect(main!.statement.kind).toBe('select');
    expect(drop!.text).toBe('drop view revenue0');
    expect(drop!.pos).toBe(sql.indexOf('drop view'));
  });

  it('q13: left outer join in a derived table with column aliases', () => {
    const sql = fs.readFileSync(path.join(TPCH, 'queries', 'q13.sql'), 'utf8');
    const from = select(sql).from[0]!;
    expect(from.kind).toBe('subquery');
    if (from.kind !== 'subquery') return;
    expect(from.alias?.name).toBe('c_orders');
    expect(from.columnAliases?.map((c) => c.name)).toEqual(['c_custkey', 'c_count']);
    const inner = from.query.body as SelectBody;
    expect(joinShape(inner.from[0]!)).toEqual([
      'left',
      'customer',
      'orders',
      "(and (= c_custkey o_custkey) (not-like o_comment '%special%requests%'))",
    ]);
  });

  it('q01, q06, q22: intervals, BETWEEN over arithmetic, SUBSTRING ... FROM ... FOR', () => {
    const read = (f: string): string => fs.readFileSync(path.join(TPCH, 'queries', f), 'utf8');
    expect(sx(select(read('q01.sql')).where!)).toBe("(<= l_shipdate (- (date '1998-12-01') (interval 0 90 0)))");
    const q6 = select(read('q06.sql')).where!;
    expect(sx(q6)).toContain('(between l_discount (- .06 0.01) (+ .06 0.01))');
    const q22 = select(read('q22.sql')).from[0]!;
    if (q22.kind !== 'subquery') throw new Error('q22 derived table');
    const item = (q22.query.body as SelectBody).items[0]!;
    expect(item.kind === 'expr' && sx(item.expr)).toBe('(substring c_phone 1 2)');
  });
});

describe('expression precedence', () => {
  it.each([
    ['a or b and c', '(or a (and b c))'],
    ['a and b or c', '(or (and a b) c)'],
    ['-2*3', '(* (- 2) 3)'],
    ['1 + 2 * 3 - 4', '(- (+ 1 (* 2 3)) 4)'],
    ['1 - 2 - 3', '(- (- 1 2) 3)'],
    ['10 / 2 % 3', '(% (/ 10 2) 3)'],
    ['x between 1 and 2 and y', '(and (between x 1 2) y)'],
    ['x not between a + 1 and b * 2', '(not-between x (+ a 1) (* b 2))'],
    ['not a = b', '(not (= a b))'],
    ['not a and b', '(and (not a) b)'],
    ['not not a', '(not (not a))'],
    ['a || b = c', '(= (|| a b) c)'],
    ['a || b + 1', '(|| a (+ b 1))'],
    ['a = b is null', '(is-null (= a b))'],
    ['not a is not null', '(not (is-not-null a))'],
    ['a is true or b is not false', '(or (is-true a) (is-not-false b))'],
    ['a is unknown', '(is-null a)'],
    ['a != b', '(<> a b)'],
    ['a <> b and c <= d and e >= f', '(and (and (<> a b) (<= c d)) (>= e f))'],
    ['-x::int', '(- (cast x integer))'],
    ['(-x)::int', '(cast (- x) integer)'],
    ['x::varchar::date', '(cast (cast x varchar(256)) date)'],
    ['a like b || c escape d', '(like a (|| b c) d)'],
    ['a not ilike \'x%\'', "(not-ilike a 'x%')"],
    ['a in (1, 2) = true', '(= (in a (1 2)) true)'],
    ['a not in (1)', '(not-in a (1))'],
    ['+a - -b', '(- (+ a) (- b))'],
    ['(a or b) and c', '(and (or a b) c)'],
    ['a between 1 and 2 is false', '(is-false (between a 1 2))'],
    ["a ~ 'x' || y", "(~ a (|| 'x' y))"],
    ["a !~* b and c ~* d", '(and (not-~* a b) (~* c d))'],
    ["a !~ 'x'", "(not-~ a 'x')"],
    ["a similar to 'x%' escape '#'", "(similar a 'x%' '#')"],
    ["a not similar to b || c", '(not-similar a (|| b c))'],
    ['a is distinct from b + 1', '(is-distinct-from a (+ b 1))'],
    ['a is not distinct from b = c', '(is-not-distinct-from a (= b c))'],
    ['not a is distinct from b', '(not (is-distinct-from a b))'],
  ])('%s', (sql, tree) => {
    expect(e(sql)).toBe(tree);
  });

  it('reads $1, $2 as parameters, at their position, and refuses $0 and numbers past 65535', () => {
    expect(e('a = $1 and b < $12 + 1')).toBe('(and (= a $1) (< b (+ $12 1)))');
    expect(parseExpression('x + $2')).toMatchObject({ right: { kind: 'param', index: 2, pos: 4 } });
    expect(sqlError(() => parseExpression('$0')).message).toBe('parameter $0 is out of range (1 to 65535)');
    expect(sqlError(() => parseExpression('a = $65536')).position!.offset).toBe(4);
    // $ after the first character of a name is part of the name, as in PostgreSQL
    expect(e('a$1')).toBe('a$1');
  });

  it('rejects chained comparisons like PostgreSQL', () => {
    expect(sqlError(() => parseExpression('a = b = c')).message).toBe('syntax error at or near "="');
  });

  it('keeps NOT EXISTS as a negated EXISTS and NOT IN as a negated IN', () => {
    expect(e('not exists (select 1)')).toBe('(not-exists <query>)');
    expect(e('exists (select 1) and not exists (select 2)')).toBe('(and (exists <query>) (not-exists <query>))');
    expect(e('x not in (select y from t)')).toBe('(not-in x <query>)');
  });

  it('quantified comparisons', () => {
    expect(e('x > all (select y from t)')).toBe('(> all x <query>)');
    expect(e('x = some (select y from t)')).toBe('(= any x <query>)');
    expect(e('x <> any (select y from t)')).toBe('(<> any x <query>)');
  });

  it('tells subqueries from parenthesized expressions', () => {
    expect(e('(select 1) + 2')).toBe('(+ <query> 2)');
    expect(e('((select 1) + 2)')).toBe('(+ <query> 2)');
    expect(e('x in ((select 1), 2)')).toBe('(in x (<query> 2))');
    expect(e('x in ((select 1))')).toBe('(in x <query>)');
    const sub = parseExpression('(select a from t union select b from u)');
    expect(sub.kind === 'subquery' && setShape(sub.query.body)).toEqual(['union', 'a', 'b']);
  });
});

describe('special expression syntax', () => {
  it.each([
    ["case when a = 1 then 'x' when a = 2 then 'y' else 'z' end", "(case (when (= a 1) 'x') (when (= a 2) 'y') (else 'z'))"],
    ['case a when 1 then 2 end', '(case a (when 1 2))'],
    ['cast(a as decimal(15, 2))', '(cast a decimal(15,2))'],
    ['convert(integer, a)', '(cast a integer)'],
    ['a::double precision', '(cast a double precision)'],
    ['extract(year from d)', '(extract year d)'],
    ["extract('month' from d)", '(extract month d)'],
    ['extract(dow from d)', '(extract dow d)'],
    ["date_part('yrs', d)", "(date_part 'yrs' d)"],
    ['extract(isodow from d)', '(extract isodow d)'],
    ["extract('Century' from d)", '(extract century d)'],
    ['date_part(dayofweek, d)', "(date_part 'dayofweek' d)"],
    ['datepart(Month, d)', "(datepart 'month' d)"],
    ['substring(s from 2 for 3)', '(substring s 2 3)'],
    ['substring(s from 2)', '(substring s 2)'],
    ['substring(s for 3)', '(substring s 1 3)'],
    ['substring(s, 2, 3)', '(substring s 2 3)'],
    ["position('a' in s)", "(position 'a' s)"],
    ['trim(s)', '(btrim s)'],
    ["trim(both 'x' from s)", "(btrim s 'x')"],
    ["trim(leading 'x' from s)", "(ltrim s 'x')"],
    ['trim(trailing from s)', '(rtrim s)'],
    ["trim(s, 'x')", "(btrim s 'x')"],
    ['count(*)', '(count *)'],
    ['count(distinct a)', '(count distinct a)'],
    ['sum(all a)', '(sum a)'],
    ['coalesce(a, b, 0)', '(coalesce a b 0)'],
    ['now()', '(now)'],
    ['left(s, 3) || right(s, 2)', '(|| (left s 3) (right s 2))'],
    ['dateadd(month, 3, d)', "(dateadd 'month' 3 d)"],
    ["dateadd('mons', -1, d)", "(dateadd 'mons' (- 1) d)"],
    ['datediff(day, a, b)', "(datediff 'day' a b)"],
    ['current_date - 1', '(- (current_date) 1)'],
    ['getdate()', '(getdate)'],
    ["date '1998-12-01'", "(date '1998-12-01')"],
    ["timestamp '2001-02-03 04:05:06'", "(timestamp '2001-02-03 04:05:06')"],
    ["timestamp without time zone '2001-02-03'", "(timestamp '2001-02-03')"],
    ["timestamp with time zone '2001-02-03 04:05:06+02'", "(timestamptz '2001-02-03 04:05:06+02')"],
    ["timestamptz '2001-02-03'", "(timestamptz '2001-02-03')"],
    ["ts at time zone 'UTC'", "(timezone 'UTC' ts)"],
    ["a::timestamp at time zone z at time zone 'Asia/Tokyo' + 1", "(+ (timezone 'Asia/Tokyo' (timezone z (cast a timestamp))) 1)"],
    ['"Weird Func"(1)', '(Weird Func 1)'],
    ["listagg(s, ',') within group (order by a desc, b nulls first)", "(listagg s ',' (within group a desc, b nulls first))"],
    ['listagg(distinct s) within group (order by s)', '(listagg distinct s (within group s))'],
    ['median(a) + 1', '(+ (median a) 1)'],
  ])('%s', (sql, tree) => {
    expect(e(sql)).toBe(tree);
  });
});

describe('literals', () => {
  it('keeps number text as written', () => {
    for (const text of ['0.06', '.06', '42', '1e5', '1.5E-3', '007', '12.', '99999999999999999999.000001']) {
      expect(parseExpression(text)).toEqual({ kind: 'number', text, pos: 0 });
    }
  });

  it('unescapes doubled quotes in strings and keeps everything else', () => {
    expect(parseExpression("'it''s'")).toEqual({ kind: 'string', value: "it's", pos: 0 });
    expect(parseExpression("''")).toEqual({ kind: 'string', value: '', pos: 0 });
    expect(parseExpression("'a -- b /* c */\nd'")).toEqual({ kind: 'string', value: 'a -- b /* c */\nd', pos: 0 });
  });

  it('reads booleans and NULL', () => {
    expect(e('TRUE and false or NULL')).toBe('(or (and true false) null)');
  });

  it.each([
    ["interval '90' day", 0, 90, 0],
    ["interval '90' day(3)", 0, 90, 0],
    ["interval '3' month", 3, 0, 0],
    ["interval '1' year", 12, 0, 0],
    ["interval '2' week", 0, 14, 0],
    ["interval '5' hour", 0, 0, 5 * 3_600_000_000],
    ["interval '1 year 2 months'", 14, 0, 0],
    ["interval '5 days'", 0, 5, 0],
    ["interval '3 mons 2 yrs'", 27, 0, 0],
    ["interval '1 day 2 hours 3 minutes 4 seconds'", 0, 1, ((2 * 60 + 3) * 60 + 4) * 1_000_000],
    ["interval '1 d 1 h 1 m 1 s 1 ms 1 us'", 0, 1, 3_661_001_001],
    ["interval '-1 day'", 0, -1, 0],
    ["interval '2 weeks ago'", 0, -14, 0],
    ["interval '1.5 years'", 18, 0, 0],
    ["interval '1.5' month", 1, 15, 0],
    ["interval '1.5 days'", 0, 1, 43_200_000_000],
    ["interval '10:30'", 0, 0, 37_800_000_000],
    ["interval '1 day 01:02:03.5'", 0, 1, 3_723_500_000],
    ["interval '7'", 0, 0, 7_000_000],
    ["INTERVAL '1 Year'", 12, 0, 0],
    ["interval '1 decade'", 120, 0, 0],
  ])('%s', (sql, months, days, micros) => {
    expect(parseExpression(sql)).toEqual({ kind: 'interval', months, days, micros, pos: 0 });
  });

  it('rejects malformed intervals at the string', () => {
    expect(failure("select interval 'three days'")).toEqual({ code: 'SYNTAX', message: 'invalid interval "three days"', at: '1:17' });
    expect(failure("select interval '1 fortnight'").message).toBe('invalid interval "1 fortnight"');
    expect(failure("select interval '1' year to month").code).toBe('UNSUPPORTED');
  });
});

describe('identifiers', () => {
  it('lower-cases unquoted names and keeps quoted ones', () => {
    expect(e('MyTable.MyCol')).toBe('mytable.mycol');
    const col = parseExpression('"MyTable"."My ""Col"""');
    expect(col).toEqual({ kind: 'column', table: { name: 'MyTable', pos: 0 }, name: { name: 'My "Col"', pos: 10 }, pos: 0 });
  });

  it('allows non-reserved keywords as column, table and alias names', () => {
    const s = select('select year, value, date, month, interval, text, key, first from data as values where date > 1');
    expect(s.items.map((i) => (i.kind === 'expr' ? sx(i.expr) : '*'))).toEqual(['year', 'value', 'date', 'month', 'interval', 'text', 'key', 'first']);
    expect(joinShape(s.from[0]!)).toBe('data values');
    expect(e('extract + position')).toBe('(+ extract position)');
    expect(select('select sum(x) as value from t').items[0]).toMatchObject({ alias: { name: 'value' } });
    expect(select('select sum(x) value from t').items[0]).toMatchObject({ alias: { name: 'value' } });
  });

  it('takes any word after AS for a column alias, but reserved names need quotes elsewhere', () => {
    expect(select('select 1 as from').items[0]).toMatchObject({ alias: { name: 'from' } });
    expect(select('select "select" from "from"').from[0]).toMatchObject({ name: { name: 'from' } });
    expect(failure('select a from order')).toEqual({ code: 'SYNTAX', message: 'syntax error at or near "order"', at: '1:15' });
    expect(failure('select select from t').message).toBe('syntax error at or near "select"');
  });

  it('accepts the public schema and rejects others', () => {
    expect(select('select * from public.t').from[0]).toMatchObject({ kind: 'table', name: { name: 't' } });
    expect(failure('select * from other.t')).toMatchObject({ code: 'UNSUPPORTED', at: '1:15' });
  });
});

describe('queries', () => {
  it('select list: star, qualified star, aliases with and without AS', () => {
    const s = select('select *, t.*, "T".*, a + 1 as b, c d, e from t');
    expect(withoutPos(s.items)).toEqual([
      { kind: 'star', table: null },
      { kind: 'star', table: { name: 't' } },
      { kind: 'star', table: { name: 'T' } },
      { kind: 'expr', expr: withoutPos(parseExpression('a + 1')), alias: { name: 'b' } },
      { kind: 'expr', expr: { kind: 'column', table: null, name: { name: 'c' } }, alias: { name: 'd' } },
      { kind: 'expr', expr: { kind: 'column', table: null, name: { name: 'e' } }, alias: null },
    ]);
  });

  it('DISTINCT, WHERE, GROUP BY with ordinals, HAVING', () => {
    const s = select('select distinct a, count(*) from t where b > 0 group by 1, a having count(*) > 2');
    expect(s.distinct).toBe(true);
    expect(sx(s.where!)).toBe('(> b 0)');
    expect(s.groupBy.map(sx)).toEqual(['1', 'a']);
    expect(sx(s.having!)).toBe('(> (count *) 2)');
    expect(select('select all a from t').distinct).toBe(false);
  });

  it('a select without FROM', () => {
    expect(select('select 1').from).toEqual([]);
  });

  it('ORDER BY, LIMIT, OFFSET', () => {
    const q = query('select a from t order by a desc nulls first, b asc, c nulls last, 2 limit 10 offset 5');
    expect(q.orderBy.map((o) => [sx(o.expr), o.desc, o.nullsFirst])).toEqual([
      ['a', true, true],
      ['b', false, null],
      ['c', false, false],
      ['2', false, null],
    ]);
    expect(sx(q.limit!)).toBe('10');
    expect(sx(q.offset!)).toBe('5');
    expect(query('select a from t limit all').limit).toBeNull();
    expect(sx(query('select a from t offset 2 limit 3').limit!)).toBe('3');
    expect(sx(query('select a from t fetch first 7 rows only').limit!)).toBe('7');
    expect(failure('select a from t limit 1 limit 2').message).toBe('syntax error at or near "limit"');
  });

  it('joins of every kind, left-associative, with ON, USING and NATURAL', () => {
    const s = select(
      'select * from a join b on a.x = b.x left outer join c using (y, z) right join d on true ' +
        'full outer join e on false cross join f natural join g inner join h h1 on h1.k = 1, i',
    );
    expect(s.from.map(joinShape)).toEqual([
      [
        'inner',
        [
          'natural inner',
          [
            'cross',
            ['full', ['right', ['left', ['inner', 'a', 'b', '(= a.x b.x)'], 'c', 'using y,z'], 'd', 'true'], 'e', 'false'],
            'f',
            null,
          ],
          'g',
          null,
        ],
        'h h1',
        '(= h1.k 1)',
      ],
      'i',
    ]);
    expect(joinShape(select('select * from a natural left join b').from[0]!)).toEqual(['natural left', 'a', 'b', null]);
    expect(joinShape(select('select * from a left join (b join c on p) on q').from[0]!)).toEqual([
      'left',
      'a',
      ['inner', 'b', 'c', 'p'],
      'q',
    ]);
  });

  it('derived tables with and without AS, and parenthesized joins that hold one', () => {
    const s = select('select * from (select 1) x, (select 2) as y (c), ((select 3) z join w on true)');
    expect(s.from.map(joinShape)).toEqual(['(subquery) x', '(subquery) y', ['inner', '(subquery) z', 'w', 'true']]);
    expect(s.from[1]).toMatchObject({ columnAliases: [{ name: 'c' }] });
    expect(joinShape(select('select * from ((select 1) union (select 2)) u').from[0]!)).toBe('(subquery) u');
    expect(select('select * from t as x (a, b)').from[0]).toMatchObject({ alias: { name: 'x' }, columnAliases: [{ name: 'a' }, { name: 'b' }] });
  });

  it('WITH, with column lists', () => {
    const q = query('with a (x, y) as (select 1, 2), b as (select * from a) select * from b');
    expect(q.with.map((c) => [c.name.name, c.columns?.map((n) => n.name) ?? null])).toEqual([
      ['a', ['x', 'y']],
      ['b', null],
    ]);
    expect(setShape(q.with[0]!.query.body)).toBe('1');
  });

  it('set operations: INTERSECT binds tighter, the rest is left-associative, MINUS is EXCEPT', () => {
    const shape = (sql: string): unknown => setShape(query(sql).body);
    expect(shape('select 1 union select 2 intersect select 3')).toEqual(['union', '1', ['intersect', '2', '3']]);
    expect(shape('select 1 intersect select 2 union all select 3')).toEqual(['union all', ['intersect', '1', '2'], '3']);
    expect(shape('select 1 except select 2 minus select 3')).toEqual(['except', ['except', '1', '2'], '3']);
    expect(shape('select 1 union distinct select 2')).toEqual(['union', '1', '2']);
    expect(shape('select 1 union (select 2 union select 3)')).toEqual(['union', '1', ['union', '2', '3']]);
    expect(shape('select 1 intersect all select 2')).toEqual(['intersect all', '1', '2']);
  });

  it('ORDER BY and LIMIT after set operations belong to the whole query; inside parentheses to the operand', () => {
    const q = query('select a from t union select b from u order by 1 limit 3');
    expect(q.body.kind).toBe('setOp');
    expect(q.orderBy).toHaveLength(1);
    const nested = query('(select a from t order by a limit 1) union all (select b from u)');
    expect(setShape(nested.body)).toEqual(['union all', ['nested', 'a'], 'b']);
    expect(nested.orderBy).toEqual([]);
    // Redundant parentheses around a whole query vanish.
    expect(withoutPos(query('((select a from t))'))).toEqual(withoutPos(query('select a from t')));
    const wrapped = query('(select a from t order by a) limit 2');
    expect(wrapped.body.kind).toBe('nested');
  });

  it('VALUES as a query body', () => {
    const q = query("values (1, 'a'), (2, 'b')");
    if (q.body.kind !== 'values') throw new Error(`not VALUES: ${q.body.kind}`);
    expect(q.body.rows.map((r) => r.map(sx))).toEqual([['1', "'a'"], ['2', "'b'"]]);
    expect(failure('values (1, 2), (3)')).toMatchObject({ message: 'VALUES lists must all be the same length', at: '1:16' });
    expect(select('select * from (values (1), (2)) as v (x)').from[0]).toMatchObject({ kind: 'subquery', alias: { name: 'v' } });
  });
});

describe('window functions', () => {
  it('OVER with PARTITION BY, ORDER BY and frames', () => {
    expect(e('row_number() over ()')).toBe('(row_number (over))');
    expect(e('rank() over (partition by a, b order by c desc nulls last, d)')).toBe('(rank (over (partition a b) (order c desc nulls last, d)))');
    expect(e('sum(x) over (order by d rows between 2 preceding and current row)')).toBe('(sum x (over (order d) (rows 2 preceding, currentRow)))');
    expect(e('sum(x) over (order by d rows unbounded preceding)')).toBe('(sum x (over (order d) (rows unboundedPreceding, currentRow)))');
    expect(e('avg(x) over (order by d range between interval \'1\' day preceding and unbounded following)')).toBe(
      '(avg x (over (order d) (range (interval 0 1 0) preceding, unboundedFollowing)))',
    );
    expect(e('count(*) over (partition by g rows between 1 following and 3 following)')).toBe('(count * (over (partition g) (rows 1 following, 3 following)))');
    // the AND of BETWEEN ... AND is the frame's, not an operator of the offset
    expect(e('min(x) over (order by d range between a + 1 preceding and 2 * b following)')).toBe('(min x (over (order d) (range (+ a 1) preceding, (* 2 b) following)))');
  });

  it('named windows, refined windows and QUALIFY', () => {
    const b = select('select sum(x) over w, rank() over (w order by y) from t window w as (partition by g), v as (w rows 1 preceding) qualify rank() over w = 1');
    expect(b.items.map((i) => (i.kind === 'expr' ? sx(i.expr) : '*'))).toEqual(['(sum x (over w))', '(rank (over w (order y)))']);
    expect(b.windows.map((w) => `${w.name.name}: ${sxWindow(w.spec)}`)).toEqual(['w: (over (partition g))', 'v: (over w (rows 1 preceding, currentRow))']);
    expect(sx(b.qualify!)).toBe('(= (rank (over w)) 1)');
    // QUALIFY before WINDOW too, and never as a table alias
    const c = select('select a from t qualify a > 1 window w as ()');
    expect(c.from).toMatchObject([{ kind: 'table', alias: null }]);
    expect(sx(c.qualify!)).toBe('(> a 1)');
    expect(c.windows).toHaveLength(1);
    expect(select('select a from t as qualify').from).toMatchObject([{ alias: { name: 'qualify' } }]);
  });

  it('IGNORE NULLS inside the parentheses or after them; LISTAGG ... WITHIN GROUP ... OVER', () => {
    expect(e('lag(x, 2 ignore nulls) over (order by d)')).toBe('(lag x 2 ignore-nulls (over (order d)))');
    expect(e('first_value(x) ignore nulls over (order by d)')).toBe('(first_value x ignore-nulls (over (order d)))');
    expect(e('last_value(x) respect nulls over (order by d)')).toBe('(last_value x (over (order d)))');
    expect(e("listagg(s, ',') within group (order by s) over (partition by g)")).toBe("(listagg s ',' (within group s) (over (partition g)))");
  });

  it('malformed window clauses are syntax errors at the offending token', () => {
    const cases: [string, string, string][] = [
      ['select rank() over (partition g) from t', 'expected BY but found "g"', '1:31'],
      ['select sum(x) over (order by a rows between 1 preceding) from t', 'expected AND but found ")"', '1:56'],
      ['select sum(x) over (order by a rows 1) from t', 'expected PRECEDING or FOLLOWING but found ")"', '1:38'],
      ['select sum(x) over (order by a rows between unbounded and current row) from t', 'expected PRECEDING or FOLLOWING but found "and"', '1:55'],
      ['select sum(x) over (order by a rows between current and 1 following) from t', 'expected ROW but found "and"', '1:53'],
      ['select sum(x) over (order by a rows between unbounded following and current row) from t', 'frame start cannot be UNBOUNDED FOLLOWING', '1:45'],
      ['select sum(x) over (order by a rows between current row and unbounded preceding) from t', 'frame end cannot be UNBOUNDED PRECEDING', '1:61'],
      ['select sum(x) over (order by a rows between current row and 2 preceding) from t', 'frame starting from current row cannot have preceding rows', '1:61'],
      ['select sum(x) over (order by a range between 1 following and current row) from t', 'frame starting from following row cannot have preceding rows', '1:62'],
      ['select sum(x) over (order by a rows 1 preceding from t', 'expected ")" but found "from"', '1:49'],
      // a second OVER reads as the column's alias, which no parenthesis may follow
      ['select sum(x) over (order by a) over (order by b) from t', 'syntax error at or near "("', '1:38'],
      ['select lag(x) ignore nulls from t', 'expected OVER but found "from"', '1:28'],
      ['select sum(x) over w from t window w as (partition by a), w as (order by b)', 'window "w" is already defined', '1:59'],
      ['select sum(x) over w from t window w (partition by a)', 'expected AS but found "("', '1:38'],
      ['select a from t qualify a > 1 qualify a < 3', 'syntax error at or near "qualify"', '1:31'],
    ];
    for (const [sql, message, at] of cases) expect(failure(sql), sql).toEqual({ code: 'SYNTAX', message, at });
  });

  it('frames keel does not run are UNSUPPORTED, named', () => {
    expect(failure('select sum(x) over (order by a groups 1 preceding) from t')).toEqual({ code: 'UNSUPPORTED', message: 'GROUPS frames (use ROWS or RANGE) is not supported', at: '1:32' });
    expect(failure('select sum(x) over (order by a rows 1 preceding exclude current row) from t')).toEqual({ code: 'UNSUPPORTED', message: 'EXCLUDE in a window frame is not supported', at: '1:49' });
  });
});

describe('statements and scripts', () => {
  it('splits on semicolons, reports each text and offset, skips empty statements and comments', () => {
    const sql = '  select 1 ;; -- comment\n/* block */ select 2 -- trailing\n; ;select 3';
    const parsed = parseStatements(sql);
    expect(parsed.map((p) => [p.text, p.pos])).toEqual([
      ['select 1', 2],
      ['select 2', sql.indexOf('select 2')],
      ['select 3', sql.indexOf('select 3')],
    ]);
    expect(parseStatements('')).toEqual([]);
    expect(parseStatements(' ;; ; ')).toEqual([]);
    expect(parseStatements('-- only a comment\n/* and /* a nested */ one */')).toEqual([]);
  });

  it('positions are offsets into the whole script', () => {
    const sql = 'select 1;\nselect x from t';
    const s = parseStatements(sql)[1]!.statement as SelectStatement;
    expect(s.pos).toBe(10);
    const item = (s.query.body as SelectBody).items[0]!;
    expect(item.pos).toBe(17);
    expect(sql[item.pos]).toBe('x');
  });

  it('parseStatement wants exactly one statement', () => {
    expect(parseStatement('select 1;').kind).toBe('select');
    expect(sqlError(() => parseStatement('select 1; select 2')).message).toBe('expected one statement but found 2');
    expect(sqlError(() => parseStatement(' -- nothing')).message).toBe('expected a statement but found end of input');
  });

  it('EXPLAIN [ANALYZE]', () => {
    const s = parseStatement('explain analyze select 1');
    expect(s).toMatchObject({ kind: 'explain', analyze: true, statement: { kind: 'select' } });
    expect(parseStatement('explain select 1')).toMatchObject({ kind: 'explain', analyze: false });
  });

  it('INSERT with VALUES, with a column list, with a query', () => {
    const a = parseStatement("insert into t values (1, 'a'), (2, null)");
    expect(a).toMatchObject({ kind: 'insert', table: { name: 't' }, columns: null, source: { body: { kind: 'values' } } });
    const b = parseStatement('insert into t (x, "Y") select a, b from u');
    expect(b).toMatchObject({ columns: [{ name: 'x' }, { name: 'Y' }], source: { body: { kind: 'select' } } });
    const c = parseStatement('insert into t (select 1 union select 2)');
    expect(c).toMatchObject({ columns: null, source: { body: { kind: 'setOp' } } });
    expect(failure('insert into t set x = 1')).toMatchObject({ message: 'expected VALUES or SELECT but found "set"' });
  });

  it('DROP TABLE and DROP VIEW with IF EXISTS and several names', () => {
    expect(withoutPos(parseStatement('drop table if exists a, "B"'))).toEqual({ kind: 'dropTable', names: [{ name: 'a' }, { name: 'B' }], ifExists: true });
    expect(withoutPos(parseStatement('drop view v'))).toEqual({ kind: 'dropView', names: [{ name: 'v' }], ifExists: false });
  });

  it('CREATE [OR REPLACE] VIEW keeps the exact query text', () => {
    const sql = 'create or replace view v (a, b) as\n  select x, y\n  from t -- note\n  where x > 1 ;';
    const v = parseStatement(sql) as CreateViewStatement;
    expect(v.orReplace).toBe(true);
    expect(v.columns?.map((c) => c.name)).toEqual(['a', 'b']);
    expect(v.queryText).toBe('select x, y\n  from t -- note\n  where x > 1');
    const late = parseStatement('create view w as select 1 with no schema binding') as CreateViewStatement;
    expect(late).toMatchObject({ orReplace: false, columns: null, queryText: 'select 1' });
  });

  it('recognized but unsupported statements say so', () => {
    for (const sql of ['call p()', 'lock t']) {
      expect(failure(sql)).toMatchObject({ code: 'UNSUPPORTED', message: `${sql.split(' ')[0]!.toUpperCase()} is not supported`, at: '1:1' });
    }
    expect(failure('create index i on t (a)')).toEqual({ code: 'UNSUPPORTED', message: 'CREATE INDEX is not supported', at: '1:8' });
    // GRANT is taken on tables (parse-users.ts); on other objects it is refused, naming them
    expect(failure('grant usage on schema s to u')).toMatchObject({ code: 'UNSUPPORTED', message: 'the USAGE privilege is not supported' });
    expect(failure('grant select on schema s to u')).toMatchObject({ code: 'UNSUPPORTED', message: 'GRANT ON SCHEMA is not supported' });
    expect(failure('grant select on t to group g')).toMatchObject({ code: 'UNSUPPORTED', message: 'GROUP grantees (keel has users, not groups or roles) is not supported' });
  });
});

describe('transaction control', () => {
  it('parses every Redshift spelling of BEGIN, COMMIT and ROLLBACK', () => {
    const cases: [string, string, boolean][] = [
      ['begin', 'begin', false],
      ['begin work', 'begin', false],
      ['begin transaction isolation level serializable read only', 'begin', true],
      ['start transaction read write, isolation level repeatable read', 'begin', false],
      ['start transaction isolation level read uncommitted', 'begin', false],
      ['commit', 'commit', false],
      ['commit transaction', 'commit', false],
      ['end work', 'commit', false],
      ['end', 'commit', false],
      ['rollback', 'rollback', false],
      ['rollback work', 'rollback', false],
      ['abort transaction', 'rollback', false],
    ];
    for (const [sql, action, readOnly] of cases) expect(parseStatement(sql), sql).toMatchObject({ kind: 'transaction', action, readOnly });
    expect(parseStatements('begin; select 1; end;').map((p) => p.statement.kind)).toEqual(['transaction', 'select', 'transaction']);
  });

  it('refuses what it does not take, naming it', () => {
    expect(failure('rollback to savepoint s')).toMatchObject({ code: 'UNSUPPORTED', message: 'ROLLBACK TO SAVEPOINT is not supported' });
    expect(failure('start')).toMatchObject({ code: 'SYNTAX' });
    expect(failure('begin isolation level chaos')).toMatchObject({ code: 'SYNTAX' });
    expect(failure('commit now')).toMatchObject({ code: 'SYNTAX' });
  });
});

describe('DELETE, UPDATE, TRUNCATE', () => {
  it('parse with Redshift\'s optional words', () => {
    expect(withoutPos(parseStatement('delete t where a = 1'))).toMatchObject({ kind: 'delete', table: { name: 't' }, using: [], where: { kind: 'binary' } });
    const d = parseStatement('delete from public.t using u, v as w where t.a = u.a') as DeleteStatement;
    expect(d.using.map((r) => (r.kind === 'table' ? r.name.name : r.kind))).toEqual(['u', 'v']);
    expect(withoutPos(parseStatement('delete from t'))).toMatchObject({ kind: 'delete', where: null });
    const u = parseStatement('update t as x set a = a + 1, b = default from u where x.k = u.k') as UpdateStatement;
    expect(u).toMatchObject({ kind: 'update', table: { name: 't' }, alias: { name: 'x' } });
    expect(u.set.map((a) => [a.column.name, a.value?.kind ?? 'default'])).toEqual([['a', 'binary'], ['b', 'default']]);
    expect(u.from).toHaveLength(1);
    expect(withoutPos(parseStatement('truncate table t'))).toEqual({ kind: 'truncate', table: { name: 't' } });
    expect(withoutPos(parseStatement('truncate t'))).toEqual({ kind: 'truncate', table: { name: 't' } });
  });

  it('MERGE takes Redshift\'s two clauses', () => {
    const m = parseStatement('merge into t using (select a, b from u) s on t.a = s.a when matched then update set b = s.b when not matched then insert (a, b) values (s.a, s.b)');
    expect(m).toMatchObject({ kind: 'merge', table: { name: 't' }, source: { kind: 'subquery', alias: { name: 's' } }, matched: { kind: 'update' }, notMatched: { columns: [{ name: 'a' }, { name: 'b' }] } });
    expect(parseStatement('merge into t using u on t.a = u.a when matched then delete when not matched then insert values (u.a, 1)')).toMatchObject({ matched: { kind: 'delete' }, notMatched: { columns: null } });
    expect(failure('merge into t x using u on t.a = u.a when matched then delete when not matched then insert values (1)')).toMatchObject({ code: 'UNSUPPORTED', at: '1:14' });
    expect(failure('merge into t using u on t.a = u.a when not matched then insert values (1)')).toMatchObject({ code: 'SYNTAX', at: '1:40' });
    expect(failure('merge into t using u on t.a = u.a remove duplicates')).toMatchObject({ code: 'UNSUPPORTED' });
    expect(failure('merge into t using u on t.a = u.a when matched then delete')).toMatchObject({ code: 'SYNTAX' });
  });

  it('refuse what Redshift does not have, at its position', () => {
    expect(failure('delete from t x where a = 1')).toMatchObject({ code: 'UNSUPPORTED', at: '1:15' });
    expect(failure('update t set x.a = 1')).toMatchObject({ code: 'UNSUPPORTED' });
    expect(failure('update t where a = 1')).toMatchObject({ code: 'SYNTAX', at: '1:10' });
    expect(failure('update t set a 1')).toMatchObject({ code: 'SYNTAX', at: '1:16' });
  });
});

describe('CREATE TABLE', () => {
  it('maps every type spelling to an engine type with Redshift defaults', () => {
    const spellings: [string, object][] = [
      ['smallint', { id: 'smallint' }],
      ['int2', { id: 'smallint' }],
      ['integer', { id: 'integer' }],
      ['int', { id: 'integer' }],
      ['int4', { id: 'integer' }],
      ['bigint', { id: 'bigint' }],
      ['int8', { id: 'bigint' }],
      ['decimal', { id: 'decimal', precision: 18, scale: 0 }],
      ['numeric(10)', { id: 'decimal', precision: 10, scale: 0 }],
      ['numeric(38, 38)', { id: 'decimal', precision: 38, scale: 38 }],
      ['real', { id: 'real' }],
      ['float4', { id: 'real' }],
      ['double precision', { id: 'double' }],
      ['float8', { id: 'double' }],
      ['float', { id: 'double' }],
      ['float(10)', { id: 'real' }],
      ['boolean', { id: 'boolean' }],
      ['bool', { id: 'boolean' }],
      ['char', { id: 'char', length: 1 }],
      ['character(10)', { id: 'char', length: 10 }],
      ['nchar(3)', { id: 'char', length: 3 }],
      ['bpchar', { id: 'char', length: 1 }],
      ['varchar', { id: 'varchar', length: 256 }],
      ['varchar(max)', { id: 'varchar', length: 65535 }],
      ['character varying(30)', { id: 'varchar', length: 30 }],
      ['nvarchar(12)', { id: 'varchar', length: 12 }],
      ['text', { id: 'varchar', length: 256 }],
      ['date', { id: 'date' }],
      ['timestamp', { id: 'timestamp' }],
      ['timestamp without time zone', { id: 'timestamp' }],
      ['timestamptz', { id: 'timestamptz' }],
      ['timestamp with time zone', { id: 'timestamptz' }],
    ];
    const t = createTable(`create table t (${spellings.map(([s], i) => `c${i} ${s}`).join(', ')})`);
    expect(t.columns.map((c) => c.type)).toEqual(spellings.map(([, type]) => type));
  });

  it('validates type parameters with a clear error at the number', () => {
    expect(failure('create table t (a decimal(39, 2))')).toEqual({ code: 'SYNTAX', message: 'DECIMAL precision 39 must be between 1 and 38', at: '1:27' });
    expect(failure('create table t (a decimal(5, 6))').message).toBe('DECIMAL scale 6 must be between 0 and 5');
    expect(failure('create table t (a numeric(0))').message).toBe('DECIMAL precision 0 must be between 1 and 38');
    expect(failure('create table t (a varchar(70000))').message).toBe('VARCHAR length 70000 must be between 1 and 65535');
    expect(failure('create table t (a char(0))').message).toBe('CHAR length 0 must be between 1 and 4096');
    expect(failure('create table t (a decimal(1.5))').message).toBe('expected an integer but found "1.5"');
  });

  it('column attributes in any order', () => {
    const t = createTable(
      'create table if not exists t (a int sortkey encode az64 not null distkey, b varchar(10) encode Zstd null unique, ' +
        'c date primary key references other (x), d bigint constraint nn not null)',
    );
    expect(t.ifNotExists).toBe(true);
    expect(withoutPos(t.columns).map(({ type: _type, ...rest }) => rest)).toEqual([
      { name: { name: 'a' }, notNull: true, encode: 'AZ64', distKey: true, sortKey: true, primaryKey: false, default: null },
      { name: { name: 'b' }, notNull: false, encode: 'ZSTD', distKey: false, sortKey: false, primaryKey: false, default: null },
      { name: { name: 'c' }, notNull: true, encode: null, distKey: false, sortKey: false, primaryKey: true, default: null },
      { name: { name: 'd' }, notNull: true, encode: null, distKey: false, sortKey: false, primaryKey: false, default: null },
    ]);
    expect(t.primaryKey.map((k) => k.name)).toEqual(['c']);
  });

  it('table constraints: PRIMARY KEY marks its columns NOT NULL, the others are accepted', () => {
    const t = createTable(
      'create table t (a int, b int, c int, primary key (a, b), unique (c), foreign key (c) references u (x), constraint fk foreign key (b) references v)',
    );
    expect(t.primaryKey.map((k) => k.name)).toEqual(['a', 'b']);
    expect(t.columns.map((c) => [c.notNull, c.primaryKey])).toEqual([
      [true, true],
      [true, true],
      [false, false],
    ]);
    expect(failure('create table t (a int primary key, b int, primary key (b))')).toMatchObject({
      message: 'multiple primary keys for table "t" are not allowed',
      at: '1:43',
    });
    expect(failure('create table t (a int, primary key (z))')).toMatchObject({ code: 'UNKNOWN_COLUMN', at: '1:37' });
  });

  it('table attributes in any order', () => {
    const a = createTable('create table t (a int, b int) sortkey (b, a) diststyle key distkey (a)');
    const b = createTable('create table t (a int, b int) distkey (a) compound sortkey (b, a) diststyle key');
    for (const t of [a, b]) {
      expect(t.distStyle?.style).toBe('key');
      expect(t.distKey?.name).toBe('a');
      expect(t.sortKey).toMatchObject({ style: 'compound', auto: false, columns: [{ name: 'b' }, { name: 'a' }] });
    }
    expect(createTable('create table t (a int) interleaved sortkey (a) diststyle even').sortKey).toMatchObject({ style: 'interleaved' });
    expect(createTable('create table t (a int) sortkey auto diststyle auto backup no encode auto')).toMatchObject({
      sortKey: { auto: true, columns: [] },
      distStyle: { style: 'auto' },
    });
    const plain = createTable('create table t (a int)');
    expect([plain.distStyle, plain.distKey, plain.sortKey, plain.as]).toEqual([null, null, null, null]);
    expect(failure('create table t (a int) diststyle all diststyle even')).toMatchObject({ message: 'DISTSTYLE is specified more than once', at: '1:38' });
    expect(failure('create table t (a int) diststyle round')).toMatchObject({ message: 'expected AUTO, EVEN, KEY or ALL but found "round"' });
  });

  it('CREATE TABLE AS with layout attributes', () => {
    const t = createTable('create table t2 diststyle all sortkey (x) as select a as x from t where a > 0');
    expect(t.columns).toEqual([]);
    expect(t.distStyle?.style).toBe('all');
    expect(t.sortKey?.columns.map((c) => c.name)).toEqual(['x']);
    expect(setShape(t.as!.body)).toBe('a');
    expect(createTable('create table t2 as (select 1) union (select 2)').as?.body.kind).toBe('setOp');
  });

  it('IDENTITY(seed, step) in both of Redshift\'s spellings', () => {
    expect(createTable('create table t (a bigint identity(0, 1) not null, b int)').columns[0]!.identity).toEqual({ seed: 0, step: 1 });
    expect(createTable('create table t (a int generated by default as identity(-5, -2))').columns[0]!.identity).toEqual({ seed: -5, step: -2 });
    expect(createTable('create table t (a int)').columns[0]!.identity).toBeUndefined();
  });

  it('rejects what it does not implement, politely', () => {
    expect(failure('create table t (a int default 0 default 1)')).toMatchObject({ code: 'SYNTAX', message: 'multiple default values specified for column "a"', at: '1:33' });
    expect(failure('create table t (a int, like u)')).toMatchObject({ code: 'UNSUPPORTED', at: '1:24' });
    expect(failure('create table t like u')).toMatchObject({ code: 'SYNTAX', at: '1:16' });
    expect(failure('create table t (like u) diststyle all')).toMatchObject({ code: 'UNSUPPORTED', at: '1:25' });
    expect(failure('create table t (a int identity(1, 1) identity(1, 1))')).toMatchObject({ code: 'SYNTAX', message: 'multiple IDENTITY clauses for column "a"' });
    expect(failure('create table t (a int identity(1, 0))')).toMatchObject({ code: 'INVALID_DDL', message: 'IDENTITY step must not be 0' });
    expect(failure('create table t (a int generated always as identity)').code).toBe('UNSUPPORTED');
    expect(failure('create temp table t (a int)').code).toBe('UNSUPPORTED');
    expect(failure('create table t (a timetz)')).toEqual({ code: 'UNSUPPORTED', message: 'type "timetz" is not supported', at: '1:19' });
  });
});

describe('ALTER TABLE', () => {
  it.each([
    ['alter table t alter diststyle even', { kind: 'distStyle', style: 'even', distKey: null }],
    ['alter table t alter diststyle all', { kind: 'distStyle', style: 'all', distKey: null }],
    ['alter table t alter diststyle auto', { kind: 'distStyle', style: 'auto', distKey: null }],
    ['alter table t alter diststyle key distkey c', { kind: 'distStyle', style: 'key', distKey: { name: 'c' } }],
    ['alter table t alter distkey c', { kind: 'distKey', column: { name: 'c' } }],
    ['alter table t alter sortkey (a, b)', { kind: 'sortKey', style: 'compound', columns: [{ name: 'a' }, { name: 'b' }], none: false, auto: false }],
    ['alter table t alter compound sortkey (a)', { kind: 'sortKey', style: 'compound', columns: [{ name: 'a' }], none: false, auto: false }],
    ['alter table t alter interleaved sortkey (a, b)', { kind: 'sortKey', style: 'interleaved', columns: [{ name: 'a' }, { name: 'b' }], none: false, auto: false }],
    ['alter table t alter sortkey none', { kind: 'sortKey', style: 'compound', columns: [], none: true, auto: false }],
    ['alter table t alter sortkey auto', { kind: 'sortKey', style: 'compound', columns: [], none: false, auto: true }],
    ['alter table t alter column c encode zstd', { kind: 'encode', column: { name: 'c' }, encoding: 'ZSTD' }],
    ['ALTER TABLE t ALTER COLUMN "C" ENCODE ByteDict', { kind: 'encode', column: { name: 'C' }, encoding: 'BYTEDICT' }],
    ['alter table t alter encode auto', { kind: 'encodeAuto' }],
  ])('%s', (sql, action) => {
    expect(alter(sql)).toEqual(action);
  });

  it('the action position is the word after ALTER', () => {
    const s = parseStatement('alter table lineitem alter distkey l_orderkey') as AlterTableStatement;
    expect(s.table.name).toBe('lineitem');
    expect(s.actions[0]!.pos).toBe('alter table lineitem alter '.length);
  });

  it('takes several comma-separated actions, in order', () => {
    const s = parseStatement('alter table t alter distkey a, alter compound sortkey (b, c), alter column d encode zstd') as AlterTableStatement;
    expect(s.actions.map(withoutPos)).toEqual([
      { kind: 'distKey', column: { name: 'a' } },
      { kind: 'sortKey', style: 'compound', columns: [{ name: 'b' }, { name: 'c' }], none: false, auto: false },
      { kind: 'encode', column: { name: 'd' }, encoding: 'ZSTD' },
    ]);
    expect(failure('alter table t alter distkey a,')).toMatchObject({ message: 'expected ALTER but found end of input' });
  });

  it('errors', () => {
    expect(failure('alter table t alter diststyle key')).toMatchObject({ message: 'expected DISTKEY but found end of input', at: '1:34' });
    // OWNER TO is accepted and ignored (keel has no owners); OWNER without TO is not Redshift's
    expect(parseStatement('alter table public.t owner to x')).toMatchObject({ kind: 'ignored', command: 'ALTER TABLE', table: { name: 't' }, columns: [] });
    expect(failure('alter table t owner x')).toMatchObject({ code: 'UNSUPPORTED', at: '1:15' });
    expect(failure('alter table t alter sortkey')).toMatchObject({ message: 'expected "(" but found end of input' });
    // NONE and AUTO are not keys of a style
    expect(failure('alter table t alter interleaved sortkey none')).toMatchObject({ message: 'expected "(" but found "none"' });
  });
});

describe('ALTER TABLE schema changes, CREATE TABLE LIKE and CTAS names', () => {
  it.each([
    ['alter table t add column c int', { kind: 'addColumn', name: { name: 'c' }, type: { id: 'integer' }, default: null, encode: null, notNull: false }],
    ['alter table t add c varchar(3) encode zstd not null default \'x\'', { kind: 'addColumn', name: { name: 'c' }, type: { id: 'varchar', length: 3 }, default: { kind: 'string', value: 'x' }, encode: 'ZSTD', notNull: true }],
    ['alter table t drop column c', { kind: 'dropColumn', column: { name: 'c' }, cascade: false }],
    ['alter table t drop c restrict', { kind: 'dropColumn', column: { name: 'c' }, cascade: false }],
    ['alter table t drop c cascade', { kind: 'dropColumn', column: { name: 'c' }, cascade: true }],
    ['alter table t rename column c to "D"', { kind: 'renameColumn', column: { name: 'c' }, to: { name: 'D' } }],
    ['alter table t rename to u', { kind: 'renameTable', to: { name: 'u' } }],
    ['alter table t alter column c type varchar(20)', { kind: 'columnType', column: { name: 'c' }, type: { id: 'varchar', length: 20 } }],
  ])('%s', (sql, change) => {
    const s = parseStatement(sql);
    if (s.kind !== 'alterSchema') throw new Error(`not a schema change: ${s.kind}`);
    expect(s.table.name).toBe('t');
    expect(withoutPos(s.change)).toMatchObject(change);
  });

  it('LIKE with and without DEFAULTS, and CTAS column names', () => {
    expect(createTable('create table n (like p)').like).toMatchObject({ table: { name: 'p' }, includingDefaults: false });
    expect(createTable('create table n (like p including defaults)').like).toMatchObject({ includingDefaults: true });
    expect(createTable('create table n (like p excluding defaults)').like).toMatchObject({ includingDefaults: false });
    const ctas = createTable('create table n (x, y) diststyle key distkey (y) as select 1, 2');
    expect(ctas.asColumns?.map((c) => c.name)).toEqual(['x', 'y']);
    expect(ctas.distKey?.name).toBe('y');
  });

  it('errors', () => {
    expect(failure('alter table t add column')).toMatchObject({ code: 'SYNTAX', at: '1:25' });
    expect(failure('alter table t add c int null not null')).toMatchObject({ code: 'SYNTAX', message: 'NULL/NOT NULL is specified more than once for column "c"', at: '1:30' });
    expect(failure('alter table t rename c to d')).toMatchObject({ code: 'SYNTAX', message: 'expected TO but found "c"' });
    expect(failure('alter table t alter column c type')).toMatchObject({ code: 'SYNTAX', at: '1:34' });
    expect(failure('alter table t drop column a, drop column b')).toMatchObject({ code: 'UNSUPPORTED', at: '1:28' });
    // constraints added later are accepted and not kept (informational in Redshift too), their columns named for checking
    expect(parseStatement('alter table only t add constraint k primary key (a, b)')).toMatchObject({ kind: 'ignored', command: 'ALTER TABLE', columns: [{ name: 'a' }, { name: 'b' }] });
    expect(parseStatement('alter table t add foreign key (a) references u (x)')).toMatchObject({ kind: 'ignored', columns: [{ name: 'a' }] });
    expect(failure('alter table t add constraint k check (a > 0)')).toMatchObject({ code: 'SYNTAX' });
    expect(failure('alter table t alter distkey a, alter column c type varchar(3)')).toMatchObject({ code: 'UNSUPPORTED' });
  });
});

describe('statements of a schema dump that change nothing here', () => {
  it('SET search_path to public and inert settings; COMMENT ON TABLE and COLUMN', () => {
    expect(parseStatement("set search_path to '$user', public")).toMatchObject({ kind: 'ignored', command: 'SET', table: null });
    expect(parseStatement('set session lock_timeout = 0')).toMatchObject({ kind: 'ignored', command: 'SET' });
    expect(failure('set search_path = analytics, public')).toMatchObject({ code: 'UNSUPPORTED', message: 'SET search_path to schema "analytics" (keel has one schema, public) is not supported', at: '1:5' });
    expect(failure('set work_mem to 64')).toMatchObject({ code: 'UNSUPPORTED', message: 'SET work_mem is not supported' });
    // a setting keel has is a SET of the session, not an ignored one
    expect(parseStatement('set enable_result_cache_for_session to off')).toMatchObject({ kind: 'set', setting: 'enable_result_cache_for_session', value: 'off', reset: false });
    expect(parseStatement("comment on table public.t is 'x'")).toMatchObject({ kind: 'ignored', command: 'COMMENT', table: { name: 't' }, columns: [] });
    expect(parseStatement('comment on column public.t.c is null')).toMatchObject({ kind: 'ignored', table: { name: 't' }, columns: [{ name: 'c' }] });
    expect(parseStatement("comment on column t.c is 'y'")).toMatchObject({ table: { name: 't' }, columns: [{ name: 'c' }] });
    expect(failure("comment on schema s is 'x'")).toMatchObject({ code: 'UNSUPPORTED', message: 'COMMENT ON SCHEMA (only TABLE and COLUMN) is not supported' });
  });
});

describe('syntax errors', () => {
  it('name the offending token and point at it', () => {
    expect(failure('select * form t')).toEqual({ code: 'SYNTAX', message: 'syntax error at or near "form"', at: '1:10' });
    expect(failure('selec a from t')).toEqual({ code: 'SYNTAX', message: 'syntax error at or near "selec"', at: '1:1' });
    expect(failure('select a from where a = 1')).toEqual({ code: 'SYNTAX', message: 'syntax error at or near "where"', at: '1:15' });
    expect(failure('select (a + 1 from t')).toEqual({ code: 'SYNTAX', message: 'expected ")" but found "from"', at: '1:15' });
    expect(failure('select count(a from t')).toEqual({ code: 'SYNTAX', message: 'expected ")" but found "from"', at: '1:16' });
    expect(failure("select 'abc from t")).toEqual({ code: 'SYNTAX', message: 'unterminated quoted string', at: '1:8' });
    expect(failure('select "abc from t')).toEqual({ code: 'SYNTAX', message: 'unterminated quoted identifier', at: '1:8' });
    expect(failure('select a from t /* open')).toEqual({ code: 'SYNTAX', message: 'unterminated /* comment', at: '1:17' });
    expect(failure('select a from t where')).toEqual({ code: 'SYNTAX', message: 'unexpected end of input', at: '1:22' });
    expect(failure('select a from t where a = 1 )')).toEqual({ code: 'SYNTAX', message: 'syntax error at or near ")"', at: '1:29' });
    expect(failure('select a from t t2 t3')).toEqual({ code: 'SYNTAX', message: 'syntax error at or near "t3"', at: '1:20' });
    expect(failure('select a ^ b')).toEqual({ code: 'SYNTAX', message: 'syntax error at or near "^"', at: '1:10' });
    expect(failure('select a similar b')).toEqual({ code: 'SYNTAX', message: 'expected TO but found "b"', at: '1:18' });
    expect(failure('select a is distinct b')).toEqual({ code: 'SYNTAX', message: 'expected FROM but found "b"', at: '1:22' });
    expect(failure('create table t (a integr)')).toEqual({ code: 'SYNTAX', message: 'type "integr" does not exist', at: '1:19' });
    expect(failure('select cast(a as)')).toEqual({ code: 'SYNTAX', message: 'expected a type name but found ")"', at: '1:17' });
    expect(failure('select case when a then b')).toEqual({ code: 'SYNTAX', message: 'expected END but found end of input', at: '1:26' });
    expect(failure('select a from t join u')).toEqual({ code: 'SYNTAX', message: 'expected ON or USING but found end of input', at: '1:23' });
    expect(failure('select extract(1 from d)')).toEqual({ code: 'SYNTAX', message: 'expected a date part but found "1"', at: '1:16' });
  });

  it('point at the right line and column in multi-line scripts', () => {
    const sql = 'select 1;\n\nselect a,\n       b\n  from t\n where a = = 2;';
    const err = sqlError(() => parseStatements(sql));
    expect(err.message).toBe('syntax error at or near "="');
    expect(err.position).toEqual({ offset: sql.lastIndexOf('= 2'), line: 6, column: 12 });
    expect(err.describe()).toBe('line 6, column 12: syntax error at or near "="\n   where a = = 2;\n             ^');
  });

  it('end of input points just past the last token, not at trailing blanks', () => {
    const sql = 'select a,\n  b from\n\n  -- trailing comment\n';
    const err = sqlError(() => parseStatements(sql));
    expect(err.message).toBe('unexpected end of input');
    expect(err.position).toMatchObject({ line: 2, column: 9 });
  });

  it('keep line and column out of the message (describe() adds them)', () => {
    const err = sqlError(() => parseStatements('select\n  1 +'));
    expect(err.message).not.toMatch(/line|column/);
    expect(err.describe()).toMatch(/^line 2, column 6: unexpected end of input\n {2}\s*1 \+\n\s*\^$/);
  });

  it('unsupported features are UNSUPPORTED errors with a position', () => {
    const cases: [string, string][] = [
      ['with recursive r as (select 1) select * from r', '1:6'],
      ['select * from t where x = any (1, 2)', '1:27'],
      ['select * from generate_series(1, 3)', '1:30'],
      ['insert into t values (default)', '1:23'],
      ['select listagg(s) within group (order by a) within group (order by b) from t', '1:45'],
      ['select listagg(s) within group (order by a) over () within group (order by b) from t', '1:53'],
    ];
    for (const [sql, at] of cases) expect(failure(sql)).toMatchObject({ code: 'UNSUPPORTED', at });
  });
});

describe('limits', () => {
  it('absurd nesting is a TOO_COMPLEX SqlError at the first level too many, not a crash', () => {
    const deep = '('.repeat(100_000) + '1' + ')'.repeat(100_000);
    const message = 'statement too complex: parentheses, calls and subqueries nested deeper than 400 levels';
    // the 401st parenthesis, at offset 400
    expect(sqlError(() => parseExpression(deep))).toMatchObject({ code: 'TOO_COMPLEX', message, position: { offset: 400 } });
    expect(sqlError(() => parseStatements('select ' + '- '.repeat(100_000) + '1'))).toMatchObject({ code: 'TOO_COMPLEX', message, position: { offset: 7 + 2 * 400 } });
    expect(sqlError(() => parseStatements('select ' + 'not '.repeat(100_000) + 'true'))).toMatchObject({ code: 'TOO_COMPLEX', message });
    expect(sqlError(() => parseStatements('select ' + 'abs('.repeat(100_000) + '1' + ')'.repeat(100_000)))).toMatchObject({ code: 'TOO_COMPLEX', message });
    expect(sqlError(() => parseStatements('(('.repeat(50_000) + 'select 1' + '))'.repeat(50_000)))).toMatchObject({ code: 'TOO_COMPLEX', message });
    expect(sqlError(() => parseStatements('select * from ' + '('.repeat(100_000) + 't' + ')'.repeat(100_000)))).toMatchObject({ code: 'TOO_COMPLEX', message });
  });

  it('moderate nesting parses, up to 400 levels', () => {
    let sql = '(select 1)';
    for (let i = 0; i < 200; i++) sql = `(${sql} + ${i})`;
    expect(parseExpression(sql).kind).toBe('binary');
    expect(e('('.repeat(400) + 'x' + ')'.repeat(400))).toBe('x');
    expect(parseStatements('select ' + '('.repeat(400) + 'x' + ')'.repeat(400))).toHaveLength(1);
    expect(sqlError(() => parseStatements('select ' + '('.repeat(401) + 'x' + ')'.repeat(401)))).toMatchObject({ code: 'TOO_COMPLEX', position: { offset: 7 + 400 } });
  });
});
