/**
 * The parser's side of grouping sets and Redshift's aggregate syntax: GROUP BY
 * ROLLUP / CUBE / GROUPING SETS / (), FILTER (WHERE ...), WITHIN GROUP for the
 * percentiles, APPROXIMATE COUNT(DISTINCT ...), SELECT TOP n; and the errors
 * that name what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../engine/errors.js';
import { parseStatement, parseStatements, type GroupingElement, type Query, type SelectBody } from '../../../engine/sql/index.js';
import { sx } from './sexpr.js';

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

/** A grouping element as compact text: (rollup a (b c)), (sets (a) () ...). */
function gx(g: GroupingElement): string {
  switch (g.kind) {
    case 'set':
      return `(${g.exprs.map(sx).join(' ')})`;
    case 'rollup':
    case 'cube':
      return `(${g.kind} ${g.items.map((i) => (i.length === 1 ? sx(i[0]!) : `(${i.map(sx).join(' ')})`)).join(' ')})`;
    case 'groupingSets':
      return `(sets ${g.elements.map(gx).join(' ')})`;
  }
}

function failure(sql: string): { code: string; message: string; at: string } {
  try {
    parseStatements(sql);
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return { code: e.code, message: e.message, at: `${e.position?.line}:${e.position?.column}` };
  }
  throw new Error(`parsed: ${sql}`);
}

describe('GROUP BY grouping sets', () => {
  it('ROLLUP, CUBE and GROUPING SETS apart from the plain expressions, in order', () => {
    const s = select('select 1 from t group by a, rollup(b, (c, d)), cube(e), grouping sets ((a, b), (), c, rollup(a)), f + 1');
    expect(s.groupBy.map(sx)).toEqual(['a', '(+ f 1)']);
    expect(s.groupingSets!.map(gx)).toEqual(['(rollup b (c d))', '(cube e)', '(sets (a b) () (c) (rollup a))']);
  });

  it('() alone, and nested GROUPING SETS', () => {
    const s = select('select count(*) from t group by ()');
    expect(s.groupBy).toEqual([]);
    expect(s.groupingSets!.map(gx)).toEqual(['()']);
    expect(select('select 1 from t group by grouping sets (grouping sets ((a)), ())').groupingSets!.map(gx)).toEqual(['(sets (sets (a)) ())']);
  });

  it('a parenthesized item is a list when it is one, else an expression', () => {
    const s = select('select 1 from t group by rollup((a + b) * 2, (a), (a, b)), grouping sets (((a + b) * 2), (a + b) * 2)');
    expect(s.groupingSets!.map(gx)).toEqual(['(rollup (* (+ a b) 2) a (a b))', '(sets ((* (+ a b) 2)) ((* (+ a b) 2)))']);
  });

  it('a plain GROUP BY has no grouping elements; rollup and cube are still names elsewhere', () => {
    expect(select('select a from t group by a, (b)').groupingSets).toBeUndefined();
    expect(select('select rollup, cube from t group by rollup, cube').groupBy.map(sx)).toEqual(['rollup', 'cube']);
    expect(select('select grouping(a, b), grouping_id(a) from t group by a, b').items.map((i) => (i.kind === 'expr' ? sx(i.expr) : '*'))).toEqual([
      '(grouping a b)',
      '(grouping_id a)',
    ]);
  });

  it('malformed grouping elements are syntax errors at the offending token', () => {
    expect(failure('select 1 from t group by rollup()')).toMatchObject({ code: 'SYNTAX', at: '1:33' });
    expect(failure('select 1 from t group by cube(a,)')).toMatchObject({ code: 'SYNTAX', at: '1:33' });
    expect(failure('select 1 from t group by grouping sets (a, (b)')).toMatchObject({ code: 'SYNTAX', message: 'expected ")" but found end of input' });
  });
});

describe('aggregate syntax', () => {
  it('FILTER (WHERE ...) after a call, also after WITHIN GROUP', () => {
    const s = select("select count(*) filter (where a > 1), sum(distinct b) filter (where c), listagg(s, ',') within group (order by a) filter (where b is null) from t");
    expect(s.items.map((i) => (i.kind === 'expr' ? sx(i.expr) : '*'))).toEqual([
      '(count * (filter (> a 1)))',
      '(sum distinct b (filter c))',
      "(listagg s ',' (within group a) (filter (is-null b)))",
    ]);
    // FILTER stays a name where no "( WHERE" follows
    expect(select('select filter from t').items.map((i) => (i.kind === 'expr' ? sx(i.expr) : '*'))).toEqual(['filter']);
  });

  it('PERCENTILE_CONT and PERCENTILE_DISC WITHIN GROUP (ORDER BY ...)', () => {
    const s = select('select percentile_cont(0.25) within group (order by x desc), percentile_disc(0.5) within group (order by x) from t');
    expect(s.items.map((i) => (i.kind === 'expr' ? sx(i.expr) : '*'))).toEqual(['(percentile_cont 0.25 (within group x desc))', '(percentile_disc 0.5 (within group x))']);
  });

  it('APPROXIMATE COUNT(DISTINCT x), and approximate as a name', () => {
    expect(select('select approximate count(distinct x) from t').items.map((i) => (i.kind === 'expr' ? sx(i.expr) : '*'))).toEqual(['(approximate count distinct x)']);
    expect(select('select approximate from t').items.map((i) => (i.kind === 'expr' ? sx(i.expr) : '*'))).toEqual(['approximate']);
    expect(failure('select approximate sum(distinct x) from t')).toMatchObject({ code: 'SYNTAX', message: 'expected COUNT after APPROXIMATE but found "sum"', at: '1:20' });
    expect(failure('select approximate percentile_disc(0.5) within group (order by x) from t')).toMatchObject({
      code: 'UNSUPPORTED',
      message: 'APPROXIMATE PERCENTILE_DISC is not supported',
      at: '1:20',
    });
  });
});

describe('SELECT TOP n', () => {
  it('is the query\'s LIMIT, after its ORDER BY', () => {
    const q = query('select top 5 a from t order by a');
    expect(sx(q.limit!)).toBe('5');
    expect(q.orderBy.map((o) => sx(o.expr))).toEqual(['a']);
    expect('top' in q.body).toBe(false);
    expect(sx(query('select top 3 distinct a from t').limit!)).toBe('3');
  });

  it('limits its own operand of a set operation, in a subquery its own query', () => {
    const q = query('select top 2 a from t union all select b from u limit 10');
    expect(sx(q.limit!)).toBe('10');
    const body = q.body;
    if (body.kind !== 'setOp' || body.left.kind !== 'nested') throw new Error(`not a union of a nested query: ${body.kind}`);
    expect(sx(body.left.query.limit!)).toBe('2');
    expect(body.right.kind).toBe('select');
    const sub = select('select * from (select top 1 a from t order by a desc) s').from[0]!;
    if (sub.kind !== 'subquery') throw new Error('not a subquery');
    expect(sx(sub.query.limit!)).toBe('1');
  });

  it('top is still a column name, and TOP with LIMIT is an error at TOP\'s count', () => {
    expect(select('select top from t').items.map((i) => (i.kind === 'expr' ? sx(i.expr) : '*'))).toEqual(['top']);
    expect(failure('select top 2 a from t limit 3')).toMatchObject({ code: 'SYNTAX', message: 'SELECT TOP and LIMIT cannot be used together', at: '1:12' });
  });
});
