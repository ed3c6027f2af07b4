/**
 * Fingerprints: queries that differ only in literals, IN-list length,
 * whitespace or keyword case share one; queries that differ otherwise do not.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fingerprint } from '../../index.js';

const classes: string[][] = [
  [
    'select * from orders where o_id = 1',
    "SELECT *\n  FROM orders\n WHERE o_id=99999",
    'select * from orders where o_id = -2.5e3',
    'Select * From ORDERS Where O_ID = 3 ;',
    'select * from orders where o_id = 7 -- trailing comment',
  ],
  [
    "select count(*) from t where c in ('A')",
    "select count(*) from t where c in ('A', 'B', 'C', 'D')",
    "SELECT COUNT(*) FROM t WHERE c IN ( 'it''s' ,'x' )",
    'select count(*) from t where c in (1, -2, 3.5)',
  ],
  [
    "select sum(x) from t where d >= date '1994-01-01' and d < date '1994-01-01' + interval '1' year",
    "select sum(x) from t where d >= DATE '1997-07-01' and d < DATE '1997-07-01' + INTERVAL '3' MONTH",
  ],
  ['select a from t where b between 1 and 10 limit 5', 'select a from t where b between 0.5 and 1e9 limit 100'],
  ["insert into t values (1, 'a')", "insert into t values (2, 'b'), (3, 'c'), (4, 'd')"],
  // a prepared statement's parameters are literals given later
  ['select a from t where b = $1 and c < $2', "select a from t where b = 5 and c < 'x'"],
];

const different = [
  'select * from orders where o_id = 1',
  'select * from orders where o_cust = 1',
  'select * from orders where o_id > 1',
  'select o_id from orders where o_id = 1',
  'select * from customers where o_id = 1',
  'select * from orders where o_id = 1 and o_cust = 2',
  'select * from orders where o_id in (select c_id from customers)',
  'select * from "Orders" where o_id = 1',
];

describe('fingerprints', () => {
  it.each(classes.map((c, i) => [i, c] as const))('class %i shares one fingerprint', (_i, members) => {
    const fps = new Set(members.map(fingerprint));
    expect([...fps]).toHaveLength(1);
  });

  it('keeps different queries apart', () => {
    expect(new Set(different.map(fingerprint)).size).toBe(different.length);
    const reps = classes.map((c) => fingerprint(c[0]!));
    expect(new Set(reps).size).toBe(classes.length);
  });

  it('ignores literal values, IN-list lengths, spacing and keyword case (property)', () => {
    const literal = fc.oneof(
      fc.integer({ min: -1e9, max: 1e9 }).map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((x) => String(Math.abs(x) < 1e-6 ? 0 : x)),
      fc.string({ maxLength: 12 }).map((s) => `'${s.replace(/'/g, "''")}'`),
      fc.date({ min: new Date('1990-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => `date '${d.toISOString().slice(0, 10)}'`),
    );
    const space = fc.constantFrom(' ', '  ', '\n', '\t', ' \n  ');
    const kw = (w: string) => fc.constantFrom(w, w.toUpperCase(), w[0]!.toUpperCase() + w.slice(1));
    const query = fc
      .record({
        a: literal,
        list: fc.array(literal, { minLength: 1, maxLength: 20 }),
        lim: fc.nat(1000),
        sp: fc.array(space, { minLength: 8, maxLength: 8 }),
        select: kw('select'),
        from: kw('from'),
        where: kw('where'),
        and: kw('and'),
        inw: kw('in'),
      })
      .map((q) => `${q.select}${q.sp[0]}x, y${q.sp[1]}${q.from} t${q.sp[2]}${q.where} x = ${q.a}${q.sp[3]}${q.and} y ${q.inw}${q.sp[4]}(${q.list.join(`,${q.sp[5]}`)})${q.sp[6]}limit ${q.lim}${q.sp[7]}`);
    const expected = 'select x, y from t where x = ? and y in(?) limit ?';
    fc.assert(fc.property(query, (sql) => fingerprint(sql) === expected), { numRuns: 300 });
  });
});
