/**
 * Distribution strategies: every join type and aggregation shape over every
 * pair of table layouts (EVEN, ALL, KEY on the join column, KEY on another
 * column), against DuckDB. Rows that cross slices wrongly show up here as
 * missing, duplicated or unmatched rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiniDb, type TableLayout } from '../../helpers/mini-db.js';
import { compareResults } from '../../helpers/oracle.js';
import { charColumns, decimalScales } from '../../helpers/keel-tpch.js';

const LAYOUTS: Record<string, TableLayout> = {
  even: { style: 'even' },
  all: { style: 'all' },
  keyid: { style: 'key', key: 'id' },
  keyg: { style: 'key', key: 'g' },
};

let db: MiniDb;

beforeAll(async () => {
  db = await MiniDb.create(4, 3);
  const aRows = Array.from({ length: 60 }, (_, i) => [i % 17 === 5 ? null : i % 23, i % 5, (i * 13) % 97 / 4, `s${i % 7}`]);
  const bRows = Array.from({ length: 40 }, (_, i) => [i % 19 === 3 ? null : (i * 3) % 29, i % 4, i * 2]);
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    await db.table(`create table a_${name} (id integer, g integer, v decimal(10,2), s varchar(10))`, aRows, layout);
    await db.table(`create table b_${name} (id integer, g integer, w integer)`, bRows, layout);
  }
});

afterAll(() => db?.close());

const SHAPES = [
  'select a.id, a.v, b.w from A a join B b on a.id = b.id',
  'select a.id, b.w from A a left join B b on a.id = b.id',
  'select a.id, b.w from A a right join B b on a.id = b.id',
  'select a.id, b.w from A a full join B b on a.id = b.id',
  'select a.id, b.w from A a full join B b on a.id < b.id - 25',
  'select a.id, b.w from A a left join B b on a.g = b.g and b.w > 30',
  'select a.id, b.w from A a right join B b on a.id > b.id + 20',
  'select a.id from A a where exists (select 1 from B b where b.id = a.id)',
  'select a.id from A a where not exists (select 1 from B b where b.id = a.id and b.g <> a.g)',
  'select a.id from A a where a.id not in (select b.id from B b where b.id is not null)',
  'select a.id from A a where a.id not in (select b.id from B b)',
  'select a.id, (select max(b.w) from B b where b.g = a.g) from A a',
  'select a.id, (select count(*) from B b where b.id = a.id) from A a',
  'select a.g, a.s, count(*), sum(a.v), avg(a.v) from A a group by a.g, a.s',
  'select x.g, x.s, x.n, b.w from (select g, s, count(*) n from A group by g, s) x join B b on x.g = b.g',
  'select x.g, x.n, b.w from (select g, count(distinct s) n from A group by g) x join B b on x.g = b.id',
  'select a.g, count(*) from A a join B b on a.id = b.id group by a.g',
  'select b.g, sum(a.v) from A a join B b on a.g = b.g where a.id > 3 group by b.g',
  'select count(*), count(distinct a.s), sum(b.w) from A a join B b on a.id = b.id',
  'select a.id from A a union select b.id from B b',
  'select a.id, a.g from A a intersect select b.id, b.g from B b',
  'select a.g from A a except select b.g from B b',
  'select a.id, b.w from A a cross join B b where a.id = 7',
  'select a1.id, a2.s from A a1 join A a2 on a1.id = a2.id and a1.g = a2.g',
  'select id, w from B order by w desc limit 5',
];

describe.each(Object.keys(LAYOUTS))('A = a_%s', (la) => {
  describe.each(Object.keys(LAYOUTS))('B = b_%s', (lb) => {
    it.each(SHAPES)('%s', async (shape) => {
      const sql = shape.replace(/\bA\b/g, `a_${la}`).replace(/\bB\b/g, `b_${lb}`);
      const got = db.query(sql);
      const want = await db.duck.query(sql);
      expect(compareResults(got.rows, want.rows, { ordered: /order by/.test(sql), scales: decimalScales(got.fields), blankPadded: charColumns(got.fields) }), sql).toBeNull();
    });
  });
});
