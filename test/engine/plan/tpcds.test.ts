/**
 * TPC-DS queries on keel against DuckDB. The queries in tpcds/ are the TPC-DS
 * kit's templates with their qualification substitution parameters, spelled
 * as the kit writes them for ANSI/PostgreSQL-like dialects (see
 * tpcds/SOURCES). They run over one seeded TPC-DS-shaped data set
 * (test/helpers/tpcds-data.ts) loaded into both engines, under two layouts:
 * every table EVEN on 4 slices, and the fact tables distributed on their
 * item key and sorted on their date key, the dimensions ALL or keyed, on 3
 * slices with small blocks.
 *
 * Comparison. A query whose ORDER BY is a total order over its result is
 * compared row by row. TPC-DS does not always order totally (q44's rank can
 * tie, q73 orders by count and last name only): a query file whose first line
 * is `-- ties: why` is compared as a multiset, and the data keeps its result
 * under its LIMIT, so no tie straddles the cut; or, when its next line gives
 * the ORDER BY's keys as output columns (`-- order key: 8-7, 3`), in order
 * with tied rows as multisets, and a tied group cut by the LIMIT by its keys
 * only. Every query must select rows on DuckDB, or the comparison would prove
 * nothing.
 *
 * Where DuckDB refuses the kit's spelling (a keyword as a bare alias: q77's
 * `coalesce(returns, 0) returns`, q90's `) at,`) or answers in DOUBLE where keel
 * keeps an exact DECIMAL that the comparison cannot absorb (q66), a file
 * `qNN.duckdb.sql` holds what DuckDB runs instead, its first line saying why.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../engine/index.js';
import { DuckOracle, compareResults, type CompareOptions, paddedOfTypeNames, scalesOfTypeNames, type DuckResult, type Value } from '../../helpers/oracle.js';
import { tpcdsTables, type TpcdsTable } from '../../helpers/tpcds-data.js';
import { loadTpcdsDuck, loadTpcdsKeel, type TpcdsTableLayout } from '../../helpers/tpcds-load.js';

const QUERY_DIR = path.join(__dirname, 'tpcds');

interface Query {
  readonly name: string;
  readonly sql: string;
  readonly duckSql: string;
  /** The ORDER BY leaves ties (the reason is the file's first line, `-- ties: why`). */
  readonly ties: boolean;
  /**
   * With ties: the ORDER BY's keys as output columns (`-- order key: 8-7, 3` is
   * column 8 minus column 7, then column 3), so that rows are compared in
   * order and as a multiset only among rows whose keys tie.
   */
  readonly key: ((row: readonly Value[]) => Value[]) | null;
  readonly limit: number | null;
}

/** `8-7, 3` → a function of a row: [row[7] - row[6], row[2]]. */
function parseOrderKey(spec: string, file: string): (row: readonly Value[]) => Value[] {
  const terms = spec.split(',').map((t) => {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(t);
    if (!m) throw new Error(`${file}: order key term "${t}" is neither "n" nor "n-m"`);
    return [Number(m[1]) - 1, m[2] ? Number(m[2]) - 1 : null] as const;
  });
  return (row) => terms.map(([a, b]) => (b === null ? row[a]! : row[a] === null || row[b] === null ? null : Number(row[a]) - Number(row[b])));
}

const QUERIES: Query[] = fs
  .readdirSync(QUERY_DIR)
  .filter((f) => /^q\d+\.sql$/.test(f))
  .sort()
  .map((f) => {
    const sql = fs.readFileSync(path.join(QUERY_DIR, f), 'utf8');
    const duckFile = path.join(QUERY_DIR, f.replace(/\.sql$/, '.duckdb.sql'));
    const duckSql = fs.existsSync(duckFile) ? fs.readFileSync(duckFile, 'utf8') : sql;
    if (duckSql !== sql && !/^-- \S/.test(duckSql)) throw new Error(`${duckFile}: the first line must say why DuckDB's spelling differs`);
    const key = /^-- order key: (.*)$/m.exec(sql);
    const limit = /\blimit\s+(\d+)\s*;?\s*$/i.exec(sql);
    return {
      name: f.replace(/\.sql$/, ''),
      sql: sql.replace(/;\s*$/, ''),
      duckSql: duckSql.replace(/;\s*$/, ''),
      ties: /^-- ties: \S/.test(sql),
      key: key ? parseOrderKey(key[1]!, f) : null,
      limit: limit ? Number(limit[1]) : null,
    };
  });

/**
 * Keys agree within 1e-6: keel's AVG of a DECIMAL is exact to 6 places (DuckDB's a
 * DOUBLE), so a key that is a difference with an average is off by up to 5e-7.
 */
function sameKey(a: readonly Value[], b: readonly Value[]): boolean {
  return a.every((x, i) => {
    const y = b[i]!;
    if (typeof x === 'number' && typeof y === 'number') return Math.abs(x - y) <= 1e-6;
    if (typeof x === 'string' && typeof y === 'string') return x.replace(/ +$/, '') === y.replace(/ +$/, '');
    return x === y;
  });
}

/**
 * Ordered comparison under ties: the expected rows fall into runs of equal
 * keys; keel's rows must have the same keys in the same order, and each run
 * the same rows in any order. When the LIMIT cut the result, the last run may
 * hold different members of the tied group, so only its keys are compared.
 */
function compareWithTies(got: readonly Value[][], want: readonly Value[][], key: (row: readonly Value[]) => Value[], cut: boolean, options: CompareOptions): string | null {
  if (got.length !== want.length) return `row count: got ${got.length}, expected ${want.length}`;
  for (let i = 0; i < want.length; ) {
    const k = key(want[i]!);
    let j = i + 1;
    while (j < want.length && sameKey(key(want[j]!), k)) j++;
    for (let r = i; r < j; r++) {
      if (!sameKey(key(got[r]!), k)) return `row ${r}: order key ${JSON.stringify(key(got[r]!))}, expected ${JSON.stringify(k)}\n  got:      ${JSON.stringify(got[r])}\n  expected: ${JSON.stringify(want[r])}`;
    }
    if (!(cut && j === want.length)) {
      const diff = compareResults(got.slice(i, j), want.slice(i, j), { ...options, ordered: false });
      if (diff) return `rows ${i}-${j - 1} (tied on their order key): ${diff}`;
    }
    i = j;
  }
  return null;
}

interface Layout {
  readonly name: string;
  readonly slices: number;
  readonly blockRows: number;
  readonly table: (t: TpcdsTable) => TpcdsTableLayout;
}

const FACT_KEYS: Record<string, [string, string]> = {
  store_sales: ['ss_item_sk', 'ss_sold_date_sk'],
  store_returns: ['sr_item_sk', 'sr_returned_date_sk'],
  catalog_sales: ['cs_item_sk', 'cs_sold_date_sk'],
  catalog_returns: ['cr_item_sk', 'cr_returned_date_sk'],
  web_sales: ['ws_item_sk', 'ws_sold_date_sk'],
  web_returns: ['wr_item_sk', 'wr_returned_date_sk'],
  inventory: ['inv_item_sk', 'inv_date_sk'],
};

const LAYOUTS: Layout[] = [
  { name: 'even', slices: 4, blockRows: 16_384, table: () => ({ style: 'even' }) },
  {
    name: 'keyed',
    slices: 3,
    blockRows: 1_000,
    table: (t) => {
      const fact = FACT_KEYS[t.name];
      if (fact) return { style: 'key', key: fact[0], sortKey: fact[1] };
      if (t.name === 'item') return { style: 'key', key: 'i_item_sk' };
      if (t.name === 'customer') return { style: 'key', key: 'c_customer_sk' };
      return { style: 'all' };
    },
  },
];

const tables = tpcdsTables();

let duck: DuckOracle;
let tmp: string;
const expected = new Map<string, DuckResult | Error>();

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-tpcds-'));
  duck = await DuckOracle.create();
  await duck.redshiftSemantics();
  await loadTpcdsDuck(duck, tables, tmp);
  for (const q of QUERIES) {
    try {
      expected.set(q.name, await duck.query(q.duckSql));
    } catch (e) {
      expected.set(q.name, e as Error);
    }
  }
});

afterAll(() => {
  duck?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

it('covers at least 80 TPC-DS queries', () => {
  expect(QUERIES.length).toBeGreaterThanOrEqual(80);
});

it.each(QUERIES.map((q) => [q.name, q] as const))('%s selects rows on DuckDB', (_name, q) => {
  const want = expected.get(q.name);
  expect(want instanceof Error ? want.message : null).toBeNull();
  const rows = (want as DuckResult).rows;
  expect(rows.length).toBeGreaterThan(0);
});

// a multiset comparison is sound only when the LIMIT cuts no group of tied rows
const COMPARED_AS_SETS = QUERIES.filter((q) => q.ties && !q.key && q.limit !== null);
it.each(COMPARED_AS_SETS.map((q) => [q.name, q] as const))('%s, compared as a set of tied rows, stays under its LIMIT on DuckDB', (_name, q) => {
  expect((expected.get(q.name) as DuckResult).rows.length).toBeLessThan(q.limit!);
});

describe.each(LAYOUTS.map((l) => [l.name, l] as const))('TPC-DS, layout %s', (_name, layout) => {
  let db: Database;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `keel-tpcds-${layout.name}-`));
    db = await Database.create(path.join(dir, 'data'), { slices: layout.slices, blockRows: layout.blockRows });
    await loadTpcdsKeel(db, tables, layout.table);
  });

  afterAll(() => {
    db?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(QUERIES.map((q) => [q.name, q] as const))('%s matches DuckDB', async (_n, q) => {
    const want = expected.get(q.name);
    if (!(want && !(want instanceof Error))) throw new Error(`DuckDB failed on ${q.name}: ${want instanceof Error ? want.message : 'not run'}`);
    const [result] = await db.execute(q.sql);
    const types = result!.columns.map((col) => col.type);
    expect(types.length).toBe(want.types.length);
    const got = result!.rows() as Value[][];
    const options: CompareOptions = { ordered: !q.ties, scales: scalesOfTypeNames(types), blankPadded: paddedOfTypeNames(types), absTol: 1e-9 };
    const diff = q.key ? compareWithTies(got, want.rows, q.key, want.rows.length === q.limit, options) : compareResults(got, want.rows, options);
    expect(diff).toBeNull();
  });
});
