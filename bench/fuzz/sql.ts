/**
 * SQL for the fuzzers: a fixture of small tables (every type, NULLs, several
 * layouts), a grammar-aware generator of statements over them (expressions of
 * every type, functions, aggregates, subqueries, joins, set operations, CTEs,
 * ORDER BY / LIMIT, DDL and INSERT on scratch tables), a narrower generator of
 * queries whose answers DuckDB must agree with, and text mutations of valid
 * statements (deleted, duplicated and swapped spans, stray tokens, extreme
 * numbers, bad bytes, cut-off text).
 */
import type { Rng } from './rng.js';

export type Value = number | string | boolean | null;
/** Expression types the generator reasons about. */
export type T = 'int' | 'dec' | 'float' | 'str' | 'bool' | 'date' | 'ts';
const TYPES: readonly T[] = ['int', 'dec', 'float', 'str', 'bool', 'date', 'ts'];

export interface FixtureColumn {
  readonly name: string;
  readonly sqlType: string;
  readonly t: T;
}

export interface FixtureTable {
  readonly name: string;
  readonly columns: readonly FixtureColumn[];
  /** Table attributes after the column list (keel only; DuckDB gets the plain table). */
  readonly attributes: string;
  readonly rows: readonly (readonly Value[])[];
}

const col = (name: string, sqlType: string, t: T): FixtureColumn => ({ name, sqlType, t });

function dateText(days: number): string {
  return new Date(Date.UTC(2019, 0, 1) + days * 86_400_000).toISOString().slice(0, 10);
}

function timestampText(seconds: number): string {
  return new Date(Date.UTC(2019, 0, 1) + seconds * 1000).toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace('Z', '');
}

/** Rows of a fixture table, made from its own seed so the fixture never changes. */
function fixtureRows(rng: Rng, columns: readonly FixtureColumn[], n: number, notNull: ReadonlySet<string> = new Set()): Value[][] {
  const STR = ['a', 'ab', 'abc', 'B', '', 'x y', 'foo', 'bar', 'Foo', 'a%b', 'a_b', "it's", 'zz', 'abcd'];
  const rows: Value[][] = [];
  for (let r = 0; r < n; r++) {
    rows.push(
      columns.map((c) => {
        if (!notNull.has(c.name) && rng.chance(0.15)) return null;
        switch (c.sqlType.replace(/\(.*$/, '')) {
          case 'smallint':
            return rng.int(-100, 100);
          case 'integer':
            return rng.int(-5, 20);
          case 'bigint':
            return rng.int(-1_000_000, 1_000_000) * rng.pick([1, 1000, 1_000_000]);
          case 'decimal':
            return rng.int(-99_999, 99_999) / 100;
          case 'double precision':
            return rng.pick([0, 1.5, -2.25, 1e10, 3.25, -0.5, 100, 7]);
          case 'real':
            return rng.pick([0, 0.5, -1.25, 2, 1024]);
          case 'boolean':
            return rng.chance(0.5);
          case 'char':
            return rng.pick(['ab', 'abcd', 'x', 'Q', 'zz']);
          case 'varchar':
            return rng.pick(STR);
          case 'date':
            return dateText(rng.int(0, 800));
          case 'timestamp':
            return timestampText(rng.int(0, 60_000_000));
          default:
            throw new Error(`fixture type ${c.sqlType}`);
        }
      }),
    );
  }
  return rows;
}

export function fixtureTables(rng: Rng): FixtureTable[] {
  const t1 = [
    col('a', 'integer', 'int'),
    col('b', 'integer', 'int'),
    col('c', 'varchar(20)', 'str'),
    col('d', 'date', 'date'),
    col('e', 'decimal(10,2)', 'dec'),
    col('f', 'double precision', 'float'),
    col('g', 'boolean', 'bool'),
    col('h', 'bigint', 'int'),
    col('i', 'smallint', 'int'),
    col('j', 'char(4)', 'str'),
    col('k', 'timestamp', 'ts'),
    col('r', 'real', 'float'),
  ];
  const t2 = [col('a', 'integer', 'int'), col('x', 'integer', 'int'), col('s', 'varchar(30)', 'str'), col('d', 'date', 'date')];
  const t3 = [col('id', 'integer', 'int'), col('name', 'varchar(10)', 'str'), col('grp', 'integer', 'int'), col('amt', 'decimal(12,3)', 'dec'), col('ts', 'timestamp', 'ts')];
  const t4 = [col('a', 'integer', 'int'), col('s', 'varchar(5)', 'str')];
  return [
    { name: 't1', columns: t1, attributes: 'distkey(a) sortkey(d)', rows: fixtureRows(rng, t1, 24) },
    { name: 't2', columns: t2, attributes: 'diststyle all', rows: fixtureRows(rng, t2, 12) },
    { name: 't3', columns: t3, attributes: 'diststyle even interleaved sortkey(id, grp)', rows: fixtureRows(rng, t3, 16, new Set(['id'])) },
    { name: 't4', columns: t4, attributes: 'diststyle key distkey(s)', rows: [] },
  ];
}

export function sqlValue(v: Value): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return `'${v.replace(/'/g, "''")}'`;
}

/** The script that creates and fills the fixture in keel (with layouts) or in DuckDB (plain tables). */
export function fixtureScript(tables: readonly FixtureTable[], engine: 'keel' | 'duckdb'): string[] {
  const out: string[] = [];
  for (const t of tables) {
    const cols = t.columns.map((c) => `${c.name} ${engine === 'duckdb' && c.sqlType.startsWith('char') ? 'varchar' : c.sqlType}${t.name === 't3' && c.name === 'id' ? ' not null' : ''}`);
    out.push(`create table ${t.name} (${cols.join(', ')})${engine === 'keel' ? ' ' + t.attributes : ''}`);
    if (t.rows.length) out.push(`insert into ${t.name} values ${t.rows.map((r) => `(${r.map(sqlValue).join(', ')})`).join(', ')}`);
  }
  out.push('create view v1 as select a, b, c from t1 where b > 0');
  return out;
}

/** A column a query can name, with the type the generator believes it has. */
interface ScopeColumn {
  readonly ref: string;
  readonly t: T;
}

interface Relation {
  readonly sql: string;
  readonly columns: readonly ScopeColumn[];
}

const INT_EDGES = ['0', '1', '-1', '2147483647', '-2147483648', '2147483648', '32767', '-32768', '9007199254740991', '9007199254740992', '99999999999999999999', '100000', '7'];
const DEC_EDGES = ['1.5', '-0.01', '123456789.123', '0.000000001', '1.0', '99999999999999.99', '0.5', '-2.50', '12345678901234567.8'];
const FLOAT_EDGES = ['1e3', '1.5e-10', '1e308', '1e309', '-0.0e0', '2.5e0', '1e-320', '123.456e2'];
const STR_EDGES = ["''", "'a'", "'it''s'", "'Ωmega'", "'😀'", "'%'", "'_'", "'\\'", "'2020-02-30'", "'NaN'", "'abc'", "'  padded  '", "'1.5'", "'42'", "'true'", "'2020-01-01'", "'2020-01-01 10:00:00'", "'\u0000'", "'\ud800'"];
const DATE_EDGES = ["date '2020-01-01'", "date '0001-01-01'", "date '9999-12-31'", "date '2020-02-29'", "date '2019-02-29'", "'2020-03-01'::date", 'current_date', "date '1970-01-01'", "date '2019-06-15'"];
const TS_EDGES = ["timestamp '2020-01-01 12:34:56.789'", "timestamp '1970-01-01'", "timestamp '2019-12-31 23:59:59.999999'", 'getdate()', 'sysdate', "timestamp '2020-06-01T08:00:00'", "'2020-01-01 00:00:00'::timestamp"];
const INTERVALS = ["interval '1 day'", "interval '3 months'", "interval '90' day", "interval '1 day 2 hours'", "interval '-1 year'", "interval '1000000 years'", "interval '0.5 days'"];
const DATE_PARTS = ['year', 'quarter', 'month', 'week', 'day', 'dow', 'doy', 'hour', 'minute', 'second', 'epoch', 'isodow', 'yr', 'mon', 'qtr', 'hrs'];
const DATE_UNITS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'mm', 'd'];
const CAST_TYPES: Record<T, readonly string[]> = {
  int: ['integer', 'int', 'smallint', 'bigint', 'int8', 'int2'],
  dec: ['decimal(10,2)', 'numeric(5,0)', 'decimal(38,10)', 'decimal', 'numeric(18,4)', 'decimal(3,3)'],
  float: ['double precision', 'real', 'float', 'float4', 'float8'],
  str: ['varchar', 'varchar(3)', 'char(2)', 'text', 'varchar(max)', 'char'],
  bool: ['boolean', 'bool'],
  date: ['date'],
  ts: ['timestamp', 'timestamp without time zone'],
};

/** SQL of the fixture schema for the generator: tables, view, CTE names are added per query. */
export interface SchemaInfo {
  readonly tables: readonly { readonly name: string; readonly columns: readonly { readonly name: string; readonly t: T }[] }[];
}

export function schemaOf(tables: readonly FixtureTable[]): SchemaInfo {
  return {
    tables: [
      ...tables.map((t) => ({ name: t.name, columns: t.columns.map((c) => ({ name: c.name, t: c.t })) })),
      { name: 'v1', columns: [{ name: 'a', t: 'int' as T }, { name: 'b', t: 'int' as T }, { name: 'c', t: 'str' as T }] },
    ],
  };
}

/**
 * Statements over the fixture, mostly valid, sometimes not (an operand of the
 * wrong type, a column that is not grouped, a bad literal): the typed errors
 * are as much the point as the results.
 */
export class SqlGenerator {
  private aliasSeq = 0;
  private readonly maxDepth: number;

  constructor(
    private readonly rng: Rng,
    private readonly schema: SchemaInfo,
    maxDepth = 3,
  ) {
    this.maxDepth = maxDepth;
  }

  private alias(): string {
    return `x${++this.aliasSeq}`;
  }

  // ------------------------------------------------------------ literals

  literal(t: T): string {
    const r = this.rng;
    if (r.chance(0.06)) return r.chance(0.5) ? 'NULL' : `cast(NULL as ${r.pick(CAST_TYPES[t])})`;
    const edge = r.chance(0.2);
    switch (t) {
      case 'int':
        return edge ? r.pick(INT_EDGES) : String(r.int(-20, 40));
      case 'dec':
        return edge ? r.pick(DEC_EDGES) : `${r.int(-500, 500)}.${String(r.int(0, 99)).padStart(2, '0')}`;
      case 'float':
        return edge ? r.pick(FLOAT_EDGES) : `${r.int(-50, 50)}.${r.int(0, 9)}e0`;
      case 'str':
        return edge ? r.pick(STR_EDGES) : `'${r.pick(['a', 'ab', 'abc', 'B', 'foo', 'x y', 'a%', '%b%', '_b', 'Foo', 'zz'])}'`;
      case 'bool':
        return r.pick(['true', 'false', 'TRUE', "'yes'::boolean", 'not false']);
      case 'date':
        return edge ? r.pick(DATE_EDGES) : `date '${dateText(r.int(-100, 900))}'`;
      case 'ts':
        return edge ? r.pick(TS_EDGES) : `timestamp '${timestampText(r.int(0, 60_000_000))}'`;
    }
  }

  // ------------------------------------------------------------ expressions

  private column(scope: readonly ScopeColumn[], t: T): string | null {
    const fit = scope.filter((c) => c.t === t || (t === 'int' && c.t === 'int'));
    return fit.length ? this.rng.pick(fit).ref : null;
  }

  /** An expression of type `t` (sometimes deliberately of another type). */
  expr(t: T, scope: readonly ScopeColumn[], depth: number, agg = false): string {
    const r = this.rng;
    if (r.chance(0.03)) t = r.pick(TYPES);
    if (depth <= 0 || r.chance(0.3)) {
      const c = r.chance(0.75) ? this.column(scope, t) : null;
      return c ?? this.literal(t);
    }
    const d = depth - 1;
    const e = (tt: T) => this.expr(tt, scope, d, agg);
    if (agg && r.chance(0.3)) return this.aggregate(t, scope, d);
    if (r.chance(0.08)) return `case when ${e('bool')} then ${e(t)} ${r.chance(0.7) ? `else ${e(t)} ` : ''}end`;
    if (r.chance(0.05)) return `case ${e(t)} when ${e(t)} then ${e(t)} when ${e(t)} then ${e(t)} else ${e(t)} end`;
    if (r.chance(0.05)) return `coalesce(${e(t)}, ${e(t)}${r.chance(0.3) ? `, ${e(t)}` : ''})`;
    if (r.chance(0.03)) return `nullif(${e(t)}, ${e(t)})`;
    if (r.chance(0.03)) return `${r.pick(['greatest', 'least'])}(${e(t)}, ${e(t)})`;
    if (r.chance(0.03)) return `nvl2(${e(r.pick(TYPES))}, ${e(t)}, ${e(t)})`;
    if (r.chance(0.02)) return `decode(${e('int')}, ${e('int')}, ${e(t)}, ${e('int')}, ${e(t)}, ${e(t)})`;
    if (r.chance(0.04)) return this.castTo(t, e(r.pick(TYPES)));
    if (r.chance(0.03) && d > 0) return `(${this.scalarSubquery(t, scope, d)})`;
    switch (t) {
      case 'int':
        return r.pick([
          () => `${e('int')} ${r.pick(['+', '-', '*', '/', '%'])} ${e('int')}`,
          () => `-${e('int')}`,
          () => `abs(${e('int')})`,
          () => `${r.pick(['length', 'len', 'char_length', 'character_length'])}(${e('str')})`,
          () => `extract(${r.pick(DATE_PARTS)} from ${e(r.pick(['date', 'ts'] as const))})`,
          () => `date_part('${r.pick(DATE_PARTS)}', ${e('date')})`,
          () => `${e('date')} - ${e('date')}`,
          () => `mod(${e('int')}, ${e('int')})`,
          () => `sign(${e('int')})`,
          () => `position(${e('str')} in ${e('str')})`,
          () => `strpos(${e('str')}, ${e('str')})`,
          () => `charindex(${e('str')}, ${e('str')})`,
          () => `datediff(${r.pick(DATE_UNITS)}, ${e(r.pick(['date', 'ts'] as const))}, ${e(r.pick(['date', 'ts'] as const))})`,
          () => `round(${e(r.pick(['dec', 'float'] as const))})::int`,
          () => `(${e('int')})`,
        ])();
      case 'dec':
        return r.pick([
          () => `${e('dec')} ${r.pick(['+', '-', '*', '/', '%'])} ${e(r.pick(['dec', 'int'] as const))}`,
          () => `round(${e('dec')}, ${r.int(-2, 4)})`,
          () => `trunc(${e('dec')}${r.chance(0.5) ? `, ${r.int(0, 3)}` : ''})`,
          () => `abs(${e('dec')})`,
          () => `floor(${e('dec')})`,
          () => `ceil(${e('dec')})`,
          () => `-${e('dec')}`,
          () => `${e('int')} * ${this.literal('dec')}`,
        ])();
      case 'float':
        return r.pick([
          () => `${e('float')} ${r.pick(['+', '-', '*', '/'])} ${e(r.pick(['float', 'int', 'dec'] as const))}`,
          () => `sqrt(${e('float')})`,
          () => `${r.pick(['ln', 'exp', 'log'])}(${e('float')})`,
          () => `power(${e('float')}, ${e('int')})`,
          () => `log(${e('float')}, ${e('float')})`,
          () => `${e('int')}::double precision`,
          () => `${e('float')} * 1.5e0`,
        ])();
      case 'str':
        return r.pick([
          () => `${e('str')} || ${e(r.chance(0.8) ? 'str' : r.pick(TYPES))}`,
          () => `${r.pick(['upper', 'lower', 'reverse', 'btrim', 'ltrim', 'rtrim', 'trim'])}(${e('str')})`,
          () => `substring(${e('str')}, ${e('int')}${r.chance(0.5) ? `, ${e('int')}` : ''})`,
          () => `substring(${e('str')} from ${e('int')}${r.chance(0.5) ? ` for ${e('int')}` : ''})`,
          () => `substr(${e('str')}, ${e('int')})`,
          () => `replace(${e('str')}, ${e('str')}, ${e('str')})`,
          () => `${r.pick(['left', 'right'])}(${e('str')}, ${e('int')})`,
          () => `${r.pick(['lpad', 'rpad'])}(${e('str')}, ${e('int')}${r.chance(0.5) ? `, ${e('str')}` : ''})`,
          () => `repeat(${e('str')}, ${e('int')})`,
          () => `split_part(${e('str')}, ${e('str')}, ${e('int')})`,
          () => `concat(${e('str')}, ${e(r.pick(TYPES))})`,
          () => `trim(${r.pick(['both', 'leading', 'trailing'])} ${e('str')} from ${e('str')})`,
          () => `${e(r.pick(TYPES))}::varchar`,
          () => `to_char(${e('date')}, 'YYYY')`,
        ])();
      case 'bool':
        return this.predicate(scope, d, agg);
      case 'date':
        return r.pick([
          () => `${e('date')} ${r.pick(['+', '-'])} ${e('int')}`,
          () => `${e('int')} + ${e('date')}`,
          () => `last_day(${e(r.pick(['date', 'ts'] as const))})`,
          () => `cast(${e('ts')} as date)`,
          () => `trunc(${e('ts')})`,
        ])();
      case 'ts':
        return r.pick([
          () => `${e(r.pick(['date', 'ts'] as const))} ${r.pick(['+', '-'])} ${r.pick(INTERVALS)}`,
          () => `dateadd(${r.pick(DATE_UNITS)}, ${e('int')}, ${e(r.pick(['date', 'ts'] as const))})`,
          () => `date_trunc('${r.pick(DATE_UNITS)}', ${e(r.pick(['date', 'ts'] as const))})`,
          () => `add_months(${e(r.pick(['date', 'ts'] as const))}, ${e('int')})`,
          () => `cast(${e('date')} as timestamp)`,
        ])();
    }
  }

  private castTo(t: T, inner: string): string {
    const type = this.rng.pick(CAST_TYPES[t]);
    return this.rng.pick([`cast(${inner} as ${type})`, `(${inner})::${type}`, `convert(${type}, ${inner})`]);
  }

  predicate(scope: readonly ScopeColumn[], depth: number, agg = false): string {
    const r = this.rng;
    const d = Math.max(0, depth - 1);
    const e = (tt: T) => this.expr(tt, scope, d, agg);
    const any = (): T => r.pick(TYPES);
    return r.pick([
      () => {
        const t = any();
        return `${e(t)} ${r.pick(['=', '<>', '!=', '<', '<=', '>', '>='])} ${e(r.chance(0.9) ? t : any())}`;
      },
      () => `${e('bool')} ${r.pick(['and', 'or'])} ${e('bool')}`,
      () => `not ${e('bool')}`,
      () => `${e(any())} is ${r.pick(['', 'not '])}null`,
      () => `${e('bool')} is ${r.pick(['', 'not '])}${r.pick(['true', 'false', 'unknown'])}`,
      () => {
        const t = any();
        return `${e(t)} ${r.pick(['', 'not '])}between ${e(t)} and ${e(t)}`;
      },
      () => {
        const t = any();
        return `${e(t)} ${r.pick(['', 'not '])}in (${Array.from({ length: r.int(1, 4) }, () => e(t)).join(', ')})`;
      },
      () => `${e('str')} ${r.pick(['', 'not '])}${r.pick(['like', 'ilike'])} ${r.chance(0.6) ? this.literal('str') : e('str')}${r.chance(0.1) ? ` escape ${r.pick(["'!'", "''", "'ab'"])}` : ''}`,
      () => (d > 0 ? `${r.pick(['', 'not '])}exists (${this.subquery(scope, d, null)})` : e('bool')),
      () => {
        if (d === 0) return e('bool');
        const t = any();
        return `${e(t)} ${r.pick(['', 'not '])}in (${this.subquery(scope, d, t)})`;
      },
      () => {
        if (d === 0) return e('bool');
        const t = any();
        return `${e(t)} ${r.pick(['=', '<>', '<', '>='])} ${r.pick(['any', 'some', 'all'])} (${this.subquery(scope, d, t)})`;
      },
      () => `(${e('bool')})`,
      () => this.column(scope, 'bool') ?? 'true',
    ])();
  }

  aggregate(t: T, scope: readonly ScopeColumn[], depth: number): string {
    const r = this.rng;
    const e = (tt: T) => this.expr(tt, scope, Math.min(depth, 1), false);
    const distinct = r.chance(0.15) ? 'distinct ' : '';
    switch (t) {
      case 'int':
        return r.pick([() => 'count(*)', () => `count(${distinct}${e(r.pick(TYPES))})`, () => `sum(${distinct}${e('int')})`, () => `${r.pick(['min', 'max', 'any_value'])}(${e('int')})`])();
      case 'dec':
        return r.pick([() => `sum(${distinct}${e('dec')})`, () => `avg(${distinct}${e('dec')})`, () => `median(${e('dec')})`, () => `${r.pick(['min', 'max'])}(${e('dec')})`])();
      case 'float':
        return r.pick([
          () => `avg(${distinct}${e(r.pick(['int', 'float'] as const))})`,
          () => `${r.pick(['stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop'])}(${e(r.pick(['int', 'float', 'dec'] as const))})`,
          () => `median(${e('int')})`,
          () => `sum(${e('float')})`,
        ])();
      case 'str':
        return r.pick([
          () => `${r.pick(['min', 'max'])}(${e('str')})`,
          () => `listagg(${distinct}${e('str')}${r.chance(0.5) ? `, ${r.pick(["','", "'; '", "''", 'NULL'])}` : ''})${r.chance(0.4) ? ` within group (order by ${e('str')}${r.chance(0.5) ? ' desc' : ''})` : ''}`,
        ])();
      case 'bool':
        return r.chance(0.5) ? `${r.pick(['bool_and', 'bool_or'])}(${e('bool')})` : `count(*) ${r.pick(['>', '=', '<'])} ${r.int(0, 5)}`;
      case 'date':
        return `${r.pick(['min', 'max', 'median'])}(${e('date')})`;
      case 'ts':
        return `${r.pick(['min', 'max'])}(${e('ts')})`;
    }
  }

  // ------------------------------------------------------------ queries

  private baseTable(): Relation {
    const r = this.rng;
    const t = r.pick(this.schema.tables);
    const a = this.alias();
    if (r.chance(0.03)) return { sql: 'svv_table_info', columns: [{ ref: '"table"', t: 'str' }, { ref: 'tbl_rows', t: 'int' }, { ref: 'skew_rows', t: 'float' }] };
    return { sql: `${t.name} ${r.chance(0.3) ? 'as ' : ''}${a}`, columns: t.columns.map((c) => ({ ref: `${a}.${c.name}`, t: c.t })) };
  }

  /** A FROM clause: one to three tables, derived tables and joins. */
  fromClause(depth: number, outer: readonly ScopeColumn[] = []): Relation {
    const r = this.rng;
    const primary = (): Relation => {
      if (depth > 0 && r.chance(0.15)) {
        const q = this.query(depth - 1, outer, null);
        const a = this.alias();
        const names = q.columns.map((_, i) => `c${i}`);
        return { sql: `(${q.sql}) as ${a} (${names.join(', ')})`, columns: q.columns.map((c, i) => ({ ref: `${a}.${names[i]}`, t: c })) };
      }
      if (r.chance(0.04)) {
        const a = this.alias();
        const n = r.int(1, 3);
        const types = Array.from({ length: r.int(1, 3) }, () => r.pick(TYPES));
        const rows = Array.from({ length: n }, () => `(${types.map((t) => this.literal(t)).join(', ')})`);
        return { sql: `(values ${rows.join(', ')}) as ${a} (${types.map((_, i) => `v${i}`).join(', ')})`, columns: types.map((t, i) => ({ ref: `${a}.v${i}`, t })) };
      }
      return this.baseTable();
    };
    let rel = primary();
    const joins = r.small(2);
    for (let j = 0; j < joins; j++) {
      const right = primary();
      const kind = r.weighted({ inner: 5, left: 3, right: 1, full: 1, cross: 1, comma: 1, natural: 0.3, using: 0.5 });
      const both = [...rel.columns, ...right.columns];
      if (kind === 'comma') rel = { sql: `${rel.sql}, ${right.sql}`, columns: both };
      else if (kind === 'cross') rel = { sql: `${rel.sql} cross join ${right.sql}`, columns: both };
      else if (kind === 'natural') rel = { sql: `${rel.sql} natural join ${right.sql}`, columns: both };
      else if (kind === 'using') rel = { sql: `${rel.sql} join ${right.sql} using (${r.pick(['a', 'd', 'id', 's'])})`, columns: both };
      else {
        const t = r.pick<T>(['int', 'int', 'str', 'date']);
        const lc = rel.columns.filter((c) => c.t === t);
        const rc = right.columns.filter((c) => c.t === t);
        let on = lc.length && rc.length ? `${r.pick(lc).ref} = ${r.pick(rc).ref}` : this.predicate(both, 1);
        if (r.chance(0.25)) on += ` and ${this.predicate(both, 1)}`;
        rel = { sql: `${rel.sql} ${kind === 'inner' ? r.pick(['join', 'inner join']) : `${kind} ${r.chance(0.5) ? 'outer ' : ''}join`} ${right.sql} on ${on}`, columns: both };
      }
    }
    return rel;
  }

  /** A subquery for EXISTS / IN (one column of type `t`, or any when null), possibly correlated to `outer`. */
  subquery(outer: readonly ScopeColumn[], depth: number, t: T | null): string {
    const r = this.rng;
    const from = this.baseTable();
    const scope = [...from.columns, ...(r.chance(0.5) ? outer : [])];
    const item = t ? this.expr(t, from.columns, 1) : r.pick(['1', '*', from.columns[0]!.ref]);
    const where = r.chance(0.8) ? ` where ${this.predicate(scope, Math.min(depth, 2))}` : '';
    const grouped = r.chance(0.1) ? ` group by ${from.columns[0]!.ref}` : '';
    return `select ${item} from ${from.sql}${where}${grouped}${r.chance(0.05) ? ' limit 3' : ''}`;
  }

  private scalarSubquery(t: T, outer: readonly ScopeColumn[], depth: number): string {
    const r = this.rng;
    const from = this.baseTable();
    const scope = [...from.columns, ...(r.chance(0.6) ? outer : [])];
    const item = r.chance(0.8) ? this.aggregate(t, from.columns, 1) : this.expr(t, from.columns, 1);
    return `select ${item} from ${from.sql}${r.chance(0.8) ? ` where ${this.predicate(scope, Math.min(depth, 2))}` : ''}`;
  }

  /** A query; returns its SQL and the types of its columns. */
  query(depth: number, outer: readonly ScopeColumn[] = [], want: T | null = null): { sql: string; columns: T[] } {
    const r = this.rng;
    if (depth > 0 && r.chance(0.1)) {
      const left = this.query(depth - 1, outer, want);
      const right = this.selectWithTypes(depth - 1, left.columns);
      const op = r.pick(['union', 'union all', 'intersect', 'except', 'minus']);
      return { sql: `${r.chance(0.2) ? `(${left.sql})` : left.sql} ${op} ${right}${r.chance(0.2) ? ` order by 1${r.chance(0.5) ? ' limit 5' : ''}` : ''}`, columns: left.columns };
    }
    if (r.chance(0.03)) {
      const types = Array.from({ length: r.int(1, 3) }, () => want ?? r.pick(TYPES));
      return { sql: `values ${Array.from({ length: r.int(1, 3) }, () => `(${types.map((t) => this.literal(t)).join(', ')})`).join(', ')}`, columns: types };
    }
    if (depth > 0 && r.chance(0.08)) {
      const cte = this.query(depth - 1, [], null);
      const name = `w${++this.aliasSeq}`;
      const a = this.alias();
      const names = cte.columns.map((_, i) => `k${i}`);
      const body = this.selectBody(depth, outer, want, { sql: `${name} ${a}`, columns: cte.columns.map((t, i) => ({ ref: `${a}.${names[i]}`, t })) });
      return { sql: `with ${name} (${names.join(', ')}) as (${cte.sql}) ${body.sql}`, columns: body.columns };
    }
    return this.selectBody(depth, outer, want, null);
  }

  /** A SELECT whose columns have the given types (the right side of a set operation). */
  private selectWithTypes(depth: number, types: readonly T[]): string {
    const from = this.fromClause(Math.min(depth, 1), []);
    const items = types.map((t) => this.expr(t, from.columns, 1));
    return `select ${items.join(', ')} from ${from.sql}${this.rng.chance(0.5) ? ` where ${this.predicate(from.columns, 1)}` : ''}`;
  }

  private selectBody(depth: number, outer: readonly ScopeColumn[], want: T | null, extra: Relation | null): { sql: string; columns: T[] } {
    const r = this.rng;
    const noFrom = !extra && r.chance(0.04);
    const from = noFrom ? { sql: '', columns: [] } : (extra ?? this.fromClause(depth, outer));
    const scope = [...from.columns, ...outer];
    const grouped = !noFrom && r.chance(0.3);
    const aggOnly = !grouped && !noFrom && r.chance(0.1);
    const exprDepth = Math.min(depth + 1, this.maxDepth);
    const items: string[] = [];
    const types: T[] = [];
    let groupBy = '';
    if (grouped) {
      const keys = Array.from({ length: r.int(1, 2) }, () => (r.chance(0.8) && from.columns.length ? r.pick(from.columns) : { ref: this.expr('int', scope, 1), t: 'int' as T }));
      groupBy = ` group by ${keys.map((k) => (r.chance(0.1) ? String(r.int(1, keys.length + 1)) : k.ref)).join(', ')}`;
      for (const k of keys) if (r.chance(0.8)) (items.push(k.ref), types.push(k.t));
      for (let i = r.int(want ? 0 : 1, 3); i > 0; i--) {
        const t = r.pick(TYPES);
        items.push(r.chance(0.9) ? this.aggregate(t, scope, 1) : this.expr(t, scope, 1)), types.push(t);
      }
      if (want) (items.unshift(this.aggregate(want, scope, 1)), types.unshift(want));
    } else if (aggOnly) {
      const n = r.int(1, 3);
      for (let i = 0; i < n; i++) {
        const t = i === 0 && want ? want : r.pick(TYPES);
        items.push(this.aggregate(t, scope, 1)), types.push(t);
      }
    } else if (!want && r.chance(0.08) && !noFrom) {
      items.push(r.chance(0.5) ? '*' : `${from.columns[0]!.ref.split('.')[0]}.*`);
      for (const c of from.columns) types.push(c.t);
    } else {
      const n = want ? 1 : r.int(1, 4);
      for (let i = 0; i < n; i++) {
        const t = want ?? r.pick(TYPES);
        items.push(this.expr(t, scope, exprDepth));
        types.push(t);
      }
    }
    const named = items.map((it) => (it !== '*' && !it.endsWith('.*') && r.chance(0.3) ? `${it} as ${r.pick(['o1', 'o2', 'total', 'value', '"Mixed Case"', 'year'])}` : it));
    let sql = `select ${r.chance(0.1) ? 'distinct ' : ''}${named.join(', ')}`;
    if (!noFrom) sql += ` from ${from.sql}`;
    if (!noFrom && r.chance(0.6)) sql += ` where ${this.predicate(scope, exprDepth)}`;
    sql += groupBy;
    if (grouped && r.chance(0.3)) sql += ` having ${this.expr('bool', scope, 1, true)}`;
    if (r.chance(0.35)) {
      const keys = Array.from({ length: r.int(1, 3) }, () =>
        r.chance(0.4) ? String(r.int(1, Math.max(1, types.length) + (r.chance(0.05) ? 1 : 0))) : grouped ? this.aggregate(r.pick(TYPES), scope, 1) : this.expr(r.pick(TYPES), scope, 1),
      );
      sql += ` order by ${keys.map((k) => `${k}${r.pick(['', ' asc', ' desc'])}${r.pick(['', '', ' nulls first', ' nulls last'])}`).join(', ')}`;
    }
    if (r.chance(0.2)) sql += ` ${r.pick([`limit ${r.int(0, 10)}`, `limit ${r.int(0, 5)} offset ${r.int(0, 5)}`, 'limit all', `offset ${r.int(0, 3)}`, `fetch first ${r.int(1, 4)} rows only`, `limit ${r.pick(['-1', '1.5', "'3'", '2147483648'])}`])}`;
    return { sql, columns: types };
  }

  // ------------------------------------------------------------ statements

  /** Column definitions for a scratch table. */
  private columnDefs(): { defs: string; cols: { name: string; t: T }[] } {
    const r = this.rng;
    const cols: { name: string; t: T }[] = [];
    const defs: string[] = [];
    const n = r.int(1, 5);
    for (let i = 0; i < n; i++) {
      const t = r.pick(TYPES);
      const name = r.chance(0.05) ? `"Col ${i}"` : `c${i}`;
      cols.push({ name, t });
      let def = `${name} ${r.chance(0.1) ? r.pick(['varchar(0)', 'char(5000)', 'decimal(39,2)', 'decimal(5,6)', 'float(60)', 'varchar(70000)', 'interval', 'money', 'int4', 'numeric(38,38)']) : r.pick(CAST_TYPES[t])}`;
      if (r.chance(0.1)) def += ' not null';
      if (r.chance(0.1)) def += ` encode ${r.pick(['raw', 'az64', 'bytedict', 'runlength', 'delta', 'delta32k', 'mostly8', 'zstd', 'lzo', 'text255', 'bogus'])}`;
      if (r.chance(0.04)) def += r.pick([' primary key', ' unique', ' distkey', ' sortkey', ' references t1(a)', ' default 1']);
      defs.push(def);
    }
    if (r.chance(0.05)) defs.push(`primary key (${cols[0]!.name})`);
    return { defs: defs.join(', '), cols };
  }

  private attributes(cols: readonly { name: string }[]): string {
    const r = this.rng;
    const parts: string[] = [];
    if (r.chance(0.3)) parts.push(`diststyle ${r.pick(['auto', 'even', 'all', 'key'])}`);
    if (r.chance(0.3)) parts.push(`distkey(${r.pick(cols).name})`);
    if (r.chance(0.3)) parts.push(`${r.pick(['', 'compound ', 'interleaved '])}sortkey(${cols.slice(0, r.int(1, cols.length)).map((c) => c.name).join(', ')})`);
    if (r.chance(0.05)) parts.push(r.pick(['sortkey auto', 'backup no', 'encode auto']));
    return parts.join(' ');
  }

  /** A script on scratch tables (s1, s2) and views (sv1): DDL, INSERT, ALTER, queries over them. */
  scratchScript(): string {
    const r = this.rng;
    const { defs, cols } = this.columnDefs();
    const out: string[] = [`create table ${r.chance(0.1) ? 'if not exists ' : ''}s1 (${defs}) ${this.attributes(cols)}`.trim()];
    const scope = cols.map((c) => ({ ref: c.name, t: c.t }));
    for (let i = r.int(0, 3); i > 0; i--) {
      const kind = r.weighted({ values: 4, select: 2, columns: 1 });
      if (kind === 'values') out.push(`insert into s1 values ${Array.from({ length: r.int(1, 4) }, () => `(${cols.map((c) => (r.chance(0.9) ? this.literal(c.t) : this.literal(r.pick(TYPES)))).join(', ')})`).join(', ')}`);
      else if (kind === 'select') out.push(`insert into s1 ${this.selectWithTypes(1, cols.map((c) => c.t))}`);
      else out.push(`insert into s1 (${cols[0]!.name}) values (${this.literal(cols[0]!.t)})`);
    }
    const tail = r.weighted({ select: 4, ctas: 2, alter: 2, view: 2, describe: 1, drop: 1 });
    switch (tail) {
      case 'select':
        out.push(`select ${scope.map((c) => this.expr(c.t, scope, 1)).join(', ')} from s1${r.chance(0.5) ? ` where ${this.predicate(scope, 1)}` : ''}`);
        break;
      case 'ctas': {
        const q = this.query(1);
        out.push(`create table s2 ${this.rng.chance(0.3) ? 'diststyle even ' : ''}as ${q.sql}`, 'select * from s2');
        break;
      }
      case 'alter': {
        const c = r.pick(cols).name;
        const action = r.pick([
          `alter distkey ${c}`,
          `alter diststyle ${r.pick(['even', 'all', 'auto', `key distkey ${c}`])}`,
          `alter ${r.pick(['', 'compound ', 'interleaved '])}sortkey (${c})`,
          'alter sortkey none',
          `alter column ${c} encode ${r.pick(['raw', 'zstd', 'bytedict', 'az64', 'runlength', 'delta'])}`,
          'alter encode auto',
          `alter distkey ${c}, alter sortkey (${c})`,
          'alter distkey nosuch',
        ]);
        out.push(`alter table s1 ${action}`, 'select count(*) from s1');
        break;
      }
      case 'view':
        out.push(`create ${r.chance(0.3) ? 'or replace ' : ''}view sv1 as ${this.query(1).sql}`, 'select * from sv1');
        break;
      case 'describe':
        out.push(r.pick(['describe s1', 'show tables', 'describe t1', 'describe v1']));
        break;
      case 'drop':
        out.push(r.pick(['drop table s1', 'drop table if exists s1, s2', 'drop view if exists sv1', 'drop table s1 restrict']));
        break;
    }
    return out.join(';\n');
  }

  /** One input: a query, EXPLAIN, a scratch script, DESCRIBE, ... */
  statement(): string {
    const r = this.rng;
    const kind = r.weighted({ query: 70, explain: 6, scratch: 16, misc: 3, script: 5, deep: 1 });
    switch (kind) {
      case 'query':
        return this.query(r.int(0, this.maxDepth - 1)).sql;
      case 'explain':
        return `explain ${r.pick(['', 'analyze ', 'verbose '])}${this.query(1).sql}`;
      case 'scratch':
        return this.scratchScript();
      case 'misc':
        return r.pick(['show tables', 'describe t1', 'describe v1', 'describe svv_table_info', 'select * from svv_table_info', 'describe nosuch', 'select 1', 'values (1)', ';', '', '  -- nothing\n']);
      case 'script':
        return Array.from({ length: r.int(2, 3) }, () => this.query(1).sql).join(r.pick([';', ';\n', ' ; ']));
      case 'deep':
        return deepSql(r);
    }
  }
}

/**
 * Deep nesting and long chains, within the limits and past them (docs/sql.md,
 * "Limits"): each must run or be TOO_COMPLEX, never overflow the stack.
 */
export function deepSql(r: Rng): string {
  const n = r.pick([10, 50, 200, 900, 1100, 3000]);
  switch (r.int(0, 6)) {
    case 0:
      return `select ${'('.repeat(n)}a${')'.repeat(n)} from t1`;
    case 1:
      return `select ${'abs('.repeat(n)}a${')'.repeat(n)} from t1`;
    case 2:
      return `select ${Array.from({ length: n * 5 }, (_, i) => `a + ${i}`).join(' + ')} from t1`;
    case 3:
      return `select count(*) from t1 where ${Array.from({ length: n * 5 }, (_, i) => `a <> ${i}`).join(r.pick([' and ', ' or ']))}`;
    case 4: {
      const d = Math.min(n, 300);
      return `${'select * from ('.repeat(d)}select a from t1${Array.from({ length: d }, (_, i) => `) as q${i}`).join('')}`;
    }
    case 5:
      return Array.from({ length: Math.min(n, 2000) }, (_, i) => `select a + ${i} from t1`).join(r.pick([' union all ', ' union ']));
    default:
      return `select ${'case when a > 0 then '.repeat(Math.min(n, 1500))}1${' else 0 end'.repeat(Math.min(n, 1500))} from t1`;
  }
}

// ------------------------------------------------------------------ mutations

const TOKENS = [
  'select', 'from', 'where', 'group', 'by', 'order', 'having', 'limit', 'offset', 'join', 'on', 'using', 'union', 'all', 'distinct', 'as', 'and', 'or', 'not', 'null', 'is',
  'in', 'exists', 'between', 'like', 'case', 'when', 'then', 'else', 'end', 'cast', '::', 'with', 'values', 'insert', 'into', 'create', 'table', 'view', 'drop', 'alter',
  'explain', 'interval', 'date', 'timestamp', 'true', 'false', 'count(*)', 'sum(', 'over', 'partition', 'window', 'filter',
  'rows', 'range', 'between', 'preceding', 'following', 'unbounded', 'current', 'row', 'qualify', 'rank()', 'lag(', 'ignore', 'nulls',
  '(', ')', ',', ';', '.', '*', '+', '-', '/', '%', '=', '<', '>', '<=', '>=', '<>', '!=', '||', '[', ']',
  "'", '"', '/*', '*/', '--', '\n', '\\', '$1', '?', ':', '@', '#', '{', '}', '`', '\u0000', '\ud800', '\udfff', '😀', 'Ω', '\u200b', '\t', '\r',
  't1', 't2', 't3', 'v1', 'a', 'b', 'x1', 'nosuch', '"t1"', '"A"', 'public.t1', 'other.t1',
];
const NUMBERS = ['0', '-0', '1e400', '-1e400', '1e-400', '99999999999999999999999', '9007199254740993', '2147483648', '-2147483649', '0.0000000000000000001', '1.', '.5', '1e', '0x10', '1_000', 'NaN', 'Infinity', '00012', '123456789012345678901234567890.5'];

/** Applies one to four random edits to a statement's text. */
export function mutateSql(rng: Rng, sql: string, donor?: string): string {
  let s = sql;
  const edits = 1 + rng.small(3);
  for (let i = 0; i < edits; i++) {
    const at = rng.int(0, s.length);
    const span = Math.min(s.length - at, 1 + rng.small(6) * rng.int(1, 5));
    switch (rng.weighted({ del: 3, ins: 4, dup: 1, swap: 1, num: 2, cut: 1, str: 1, splice: 1, kw: 1, deep: 0.3 })) {
      case 'del':
        s = s.slice(0, at) + s.slice(at + span);
        break;
      case 'ins':
        s = s.slice(0, at) + rng.pick([' ', '']) + rng.pick(TOKENS) + rng.pick([' ', '']) + s.slice(at);
        break;
      case 'dup':
        s = s.slice(0, at + span) + s.slice(at, at + span) + s.slice(at + span);
        break;
      case 'swap': {
        const b = rng.int(0, s.length);
        const [x, y] = at < b ? [at, b] : [b, at];
        const l = Math.min(span, y - x);
        s = s.slice(0, x) + s.slice(y, y + l) + s.slice(x + l, y) + s.slice(x, x + l) + s.slice(y + l);
        break;
      }
      case 'num': {
        const nums = [...s.matchAll(/\b\d+(\.\d+)?\b/g)];
        if (nums.length) {
          const m = rng.pick(nums);
          s = s.slice(0, m.index) + rng.pick(NUMBERS) + s.slice(m.index + m[0].length);
        } else s = s + ' ' + rng.pick(NUMBERS);
        break;
      }
      case 'cut':
        s = s.slice(0, at);
        break;
      case 'str': {
        const strs = [...s.matchAll(/'(?:[^']|'')*'/g)];
        const weird = rng.pick(["'", "''", "'\u0000'", "'\\'", "'" + 'x'.repeat(rng.pick([300, 5000, 70000])) + "'", "'2020-13-45'", "'1e999'", "'-'", "'   '", "'\ud83d'"]);
        if (strs.length) {
          const m = rng.pick(strs);
          s = s.slice(0, m.index) + weird + s.slice(m.index + m[0].length);
        } else s = s.slice(0, at) + weird + s.slice(at);
        break;
      }
      case 'splice':
        if (donor) {
          const d0 = rng.int(0, donor.length);
          s = s.slice(0, at) + donor.slice(d0, d0 + rng.int(1, 40)) + s.slice(at);
        }
        break;
      case 'kw': {
        const words = [...s.matchAll(/\b[a-z_]+\b/g)];
        if (words.length) {
          const m = rng.pick(words);
          s = s.slice(0, m.index) + rng.pick(TOKENS) + s.slice(m.index + m[0].length);
        }
        break;
      }
      case 'deep': {
        // modest nesting, far below the limits (deep nesting is counted apart)
        const n = rng.int(20, 200);
        s = s.slice(0, at) + '('.repeat(n) + '1' + ')'.repeat(n) + s.slice(at);
        break;
      }
    }
  }
  return s;
}

// ------------------------------------------------------------------ oracle subset

/**
 * Queries in the part of the dialect where keel and DuckDB (with
 * integer_division and Redshift's NULL order) must give the same rows:
 * integers, strings (ASCII), dates and booleans of t1 and t2; comparisons,
 * AND/OR/NOT, IS NULL, IN, BETWEEN, LIKE; + - * and division by nonzero
 * constants; CASE, COALESCE; joins on integer keys; GROUP BY with COUNT, SUM,
 * MIN, MAX; DISTINCT; IN and EXISTS subqueries; UNION ALL. ORDER BY ... LIMIT
 * only over all output columns, so the rows kept are determined.
 */
export class OracleGenerator {
  private seq = 0;

  constructor(
    private readonly rng: Rng,
    private readonly schema: SchemaInfo,
  ) {}

  private table(): Relation {
    const r = this.rng;
    const t = r.pick(this.schema.tables.filter((x) => x.name === 't1' || x.name === 't2' || x.name === 't4'));
    const a = `q${++this.seq}`;
    return { sql: `${t.name} ${a}`, columns: t.columns.filter((c) => c.t === 'int' || c.t === 'str' || c.t === 'date' || c.t === 'bool').filter((c) => c.name !== 'j').map((c) => ({ ref: `${a}.${c.name}`, t: c.t })) };
  }

  private lit(t: T): string {
    const r = this.rng;
    // a typed NULL: an untyped one takes its type from the other operand, which DuckDB and keel do differently (NULL - d)
    if (r.chance(0.05)) return `cast(NULL as ${t === 'int' ? 'integer' : t === 'str' ? 'varchar' : t === 'date' ? 'date' : 'boolean'})`;
    switch (t) {
      case 'int':
        return String(r.int(-5, 20));
      case 'str':
        return `'${r.pick(['a', 'ab', 'abc', 'B', '', 'foo', 'bar', 'x y', 'zz'])}'`;
      case 'date':
        return `date '${dateText(r.int(0, 800))}'`;
      case 'bool':
        return r.pick(['true', 'false']);
      default:
        return 'NULL';
    }
  }

  expr(t: T, scope: readonly ScopeColumn[], depth: number): string {
    const r = this.rng;
    const fit = scope.filter((c) => c.t === t);
    if (depth <= 0 || r.chance(0.35)) return fit.length && r.chance(0.8) ? r.pick(fit).ref : this.lit(t);
    const e = (tt: T) => this.expr(tt, scope, depth - 1);
    if (r.chance(0.08)) return `case when ${this.pred(scope, depth - 1)} then ${e(t)} else ${e(t)} end`;
    if (r.chance(0.06)) return `coalesce(${e(t)}, ${e(t)})`;
    switch (t) {
      case 'int':
        return r.pick([
          () => `(${e('int')} ${r.pick(['+', '-', '*'])} ${e('int')})`,
          () => `(${e('int')} ${r.pick(['/', '%'])} ${r.pick(['2', '3', '-4', '7'])})`,
          () => `abs(${e('int')})`,
          () => `length(${e('str')})`,
          () => `extract(${r.pick(['year', 'month', 'day'])} from ${e('date')})`,
          () => `(${e('date')} - ${e('date')})`,
        ])();
      case 'str':
        return r.pick([() => `(${e('str')} || ${e('str')})`, () => `upper(${e('str')})`, () => `lower(${e('str')})`, () => `substring(${e('str')}, ${r.int(1, 3)}, ${r.int(0, 3)})`, () => `replace(${e('str')}, 'a', 'q')`])();
      case 'date':
        return `(${e('date')} + ${r.int(-40, 40)})`;
      case 'bool':
        // in parentheses: as an operand, a bare predicate would bind by PostgreSQL's precedence (x > 0 NOT IN (...) is x > (0 NOT IN (...))), which DuckDB does not share
        return `(${this.pred(scope, depth - 1)})`;
      default:
        return this.lit(t);
    }
  }

  pred(scope: readonly ScopeColumn[], depth: number): string {
    const r = this.rng;
    const t = r.pick<T>(['int', 'int', 'str', 'date', 'bool']);
    const e = (tt: T) => this.expr(tt, scope, Math.max(0, depth - 1));
    return r.pick([
      () => `${e(t)} ${r.pick(['=', '<>', '<', '<=', '>', '>='])} ${e(t)}`,
      () => (depth > 0 ? `(${this.pred(scope, depth - 1)} ${r.pick(['and', 'or'])} ${this.pred(scope, depth - 1)})` : `${e('int')} > 0`),
      () => (depth > 0 ? `not (${this.pred(scope, depth - 1)})` : `${e('int')} < 5`),
      () => `${e(t)} is ${r.pick(['', 'not '])}null`,
      () => `${e('int')} ${r.pick(['', 'not '])}between ${e('int')} and ${e('int')}`,
      () => `${e(t)} ${r.pick(['', 'not '])}in (${Array.from({ length: r.int(1, 3) }, () => this.lit(t)).join(', ')})`,
      () => `${e('str')} ${r.pick(['', 'not '])}like '${r.pick(['a%', '%b%', '_', '%', 'ab_', 'F%', '%y'])}'`,
      () => {
        const inner = this.table();
        const ic = inner.columns.filter((c) => c.t === 'int');
        const corr = r.chance(0.5) && scope.length ? ` and ${ic[0]!.ref} = ${this.expr('int', scope, 0)}` : '';
        return `${r.pick(['', 'not '])}exists (select 1 from ${inner.sql} where ${this.pred(inner.columns, 0)}${corr})`;
      },
      () => {
        const inner = this.table();
        const ic = inner.columns.filter((c) => c.t === 'int');
        // NOT IN with NULLs is three-valued in both engines
        return `${e('int')} ${r.pick(['', 'not '])}in (select ${r.pick(ic).ref} from ${inner.sql} where ${this.pred(inner.columns, 0)})`;
      },
    ])();
  }

  /**
   * A window function whose value does not depend on how rows that tie are
   * ordered: aggregates over whole partitions or over the default frame (which
   * takes a row's peers along), RANK and DENSE_RANK.
   */
  private window(scope: readonly ScopeColumn[]): string {
    const r = this.rng;
    const ints = scope.filter((c) => c.t === 'int');
    const partition = r.chance(0.7) ? `partition by ${r.pick(scope).ref}` : '';
    const order = r.chance(0.6) ? `${partition ? ' ' : ''}order by ${r.pick(scope).ref}${r.pick(['', ' desc', ' nulls first', ' desc nulls last'])}` : '';
    const fn = r.pick([() => 'count(*)', () => `sum(${r.pick(ints).ref})`, () => `${r.pick(['min', 'max'])}(${r.pick(scope).ref})`, () => `count(${r.pick(scope).ref})`, () => (order ? r.pick(['rank()', 'dense_rank()']) : 'count(*)')])();
    return `${fn} over (${partition}${order})`;
  }

  /** A query and whether its row order is determined (ORDER BY over every output column). */
  /** A FROM item: a table, or (now and then) a derived table that aggregates one, filtered from outside. */
  private source(): Relation {
    const r = this.rng;
    if (r.chance(0.85)) return this.table();
    const inner = this.table();
    const ints = inner.columns.filter((c) => c.t === 'int');
    const a = `d${++this.seq}`;
    const grouped = r.chance(0.5);
    const key = r.pick(ints).ref;
    const body = grouped
      ? `select ${key} as k, count(*) as n, max(${r.pick(ints).ref}) as m from ${inner.sql}${r.chance(0.5) ? ` where ${this.pred(inner.columns, 1)}` : ''} group by ${key}`
      : `select count(*) as n, max(${r.pick(ints).ref}) as m${r.chance(0.5) ? `, min(${key}) as k` : `, 0 as k`} from ${inner.sql}${r.chance(0.7) ? ` where ${this.pred(inner.columns, 1)}` : ''}`;
    return { sql: `(${body}) as ${a}`, columns: ['k', 'n', 'm'].map((c) => ({ ref: `${a}.${c}`, t: 'int' as T })) };
  }

  query(): { sql: string; ordered: boolean } {
    const r = this.rng;
    if (r.chance(0.1)) {
      // a set operation of two queries of the same column types
      const a = this.table();
      const b = this.table();
      const types = Array.from({ length: r.int(1, 2) }, () => r.pick<T>(['int', 'str', 'date']));
      const side = (rel: Relation) => `select ${types.map((t) => this.expr(t, rel.columns, 1)).join(', ')} from ${rel.sql}${r.chance(0.6) ? ` where ${this.pred(rel.columns, 1)}` : ''}`;
      const ordered = r.chance(0.4);
      return { sql: `${side(a)} ${r.pick(['union', 'union all', 'intersect', 'except'])} ${side(b)}${ordered ? ` order by ${types.map((_, i) => i + 1).join(', ')}` : ''}`, ordered };
    }
    let rel = this.source();
    if (r.chance(0.4)) {
      const right = this.source();
      const li = rel.columns.filter((c) => c.t === 'int');
      const ri = right.columns.filter((c) => c.t === 'int');
      const kind = r.pick(['join', 'left join', 'inner join', 'right join', 'full join']);
      // no subquery in ON (keel: UNSUPPORTED, docs/sql.md)
      const both = [...rel.columns, ...right.columns];
      const extra = r.chance(0.2) ? ` and ${this.expr('int', both, 0)} ${r.pick(['=', '<', '>=', '<>'])} ${this.expr('int', both, 0)}` : '';
      rel = { sql: `${rel.sql} ${kind} ${right.sql} on ${r.pick(li).ref} = ${r.pick(ri).ref}${extra}`, columns: [...rel.columns, ...right.columns] };
    }
    const scope = rel.columns;
    const where = r.chance(0.7) ? ` where ${this.pred(scope, 2)}` : '';
    let items: string[];
    let tail = '';
    if (r.chance(0.35)) {
      const keys = Array.from({ length: r.int(1, 2) }, () => r.pick(scope).ref);
      const aggs = Array.from({ length: r.int(1, 3) }, () => {
        const ints = scope.filter((c) => c.t === 'int');
        return r.pick([() => 'count(*)', () => `count(${r.pick(scope).ref})`, () => `sum(${r.pick(ints).ref})`, () => `${r.pick(['min', 'max'])}(${r.pick(scope).ref})`, () => `count(distinct ${r.pick(scope).ref})`])();
      });
      items = [...keys, ...aggs];
      tail = ` group by ${keys.join(', ')}${r.chance(0.3) ? ` having count(*) ${r.pick(['>', '>=', '='])} ${r.int(0, 3)}` : ''}`;
    } else {
      items = Array.from({ length: r.int(1, 3) }, () => this.expr(r.pick<T>(['int', 'str', 'date', 'bool', 'int']), scope, 2));
      if (r.chance(0.15)) {
        // a scalar subquery with an aggregate, correlated or not
        const inner = this.table();
        const ic = inner.columns.filter((c) => c.t === 'int');
        const corr = r.chance(0.6) ? ` where ${r.pick(ic).ref} = ${this.expr('int', scope, 0)}` : r.chance(0.5) ? ` where ${this.pred(inner.columns, 0)}` : '';
        items.push(`(select ${r.pick(['count(*)', `max(${r.pick(ic).ref})`, `sum(${r.pick(ic).ref})`, `min(${r.pick(inner.columns).ref})`])} from ${inner.sql}${corr})`);
      }
      if (r.chance(0.15)) items.push(this.window(scope));
    }
    const distinct = r.chance(0.15) ? 'distinct ' : '';
    let sql = `select ${distinct}${items.map((it, i) => `${it} as o${i}`).join(', ')} from ${rel.sql}${where}${tail}`;
    let ordered = false;
    if (r.chance(0.1)) {
      sql = `${sql} union all select ${items.map((_, i) => `o${i}`).join(', ')} from (${sql}) as u${++this.seq}`;
    }
    if (r.chance(0.35)) {
      ordered = true;
      sql += ` order by ${items.map((_, i) => `${i + 1}${r.pick(['', ' desc', ' asc nulls first', ' desc nulls last'])}`).join(', ')}`;
      if (r.chance(0.6)) sql += ` limit ${r.int(0, 8)}${r.chance(0.3) ? ` offset ${r.int(0, 5)}` : ''}`;
    }
    return { sql, ordered };
  }
}
