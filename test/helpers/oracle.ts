/**
 * The correctness oracle: DuckDB (in memory) loaded with the same data, and a
 * comparison of result sets that tolerates what legitimately differs between
 * engines (row order without ORDER BY, float rounding, our DECIMAL results
 * against DuckDB's DOUBLE ones).
 *
 *   const duck = await DuckOracle.create();
 *   await duck.loadTpch(path.join(TPCH_DIR, 'sf0.01'));
 *   const expected = await duck.query(sql);
 *   const diff = compareResults(keelRows, expected.rows, { ordered: true, scales });
 *   expect(diff).toBeNull();
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export type Value = number | string | boolean | null;

/** ../shared/tpch beside the repository (tests read the shared material in place, never a copy). */
export const TPCH_DIR = path.resolve(__dirname, '../../../shared/tpch');
export const TPCH_TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'] as const;

export interface DuckResult {
  readonly columns: readonly string[];
  readonly types: readonly string[];
  readonly rows: Value[][];
}

export class DuckOracle {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly con: DuckDBConnection,
  ) {}

  static async create(): Promise<DuckOracle> {
    const instance = await DuckDBInstance.create(':memory:');
    return new DuckOracle(instance, await instance.connect());
  }

  /** `values`: a prepared statement's $1, $2 ... */
  async run(sql: string, values?: (string | null)[]): Promise<void> {
    await this.con.run(sql, values);
  }

  /**
   * Settings that bring DuckDB's semantics closer to PostgreSQL/Redshift, which
   * keel follows: INTEGER / INTEGER truncates (DuckDB's default `/` is a DOUBLE
   * division), and NULLs sort as the largest value (NULLS LAST ascending, NULLS
   * FIRST descending; DuckDB's default puts NULLs last both ways), and the
   * session's time zone is UTC. What still
   * differs (x / 0 is NULL in DuckDB and an error in Redshift, DECIMAL division
   * and AVG answer in DOUBLE, no CHAR padding) is the corpus's to handle.
   */
  async redshiftSemantics(): Promise<void> {
    await this.run('SET integer_division = true');
    await this.run("SET default_null_order = 'nulls_last_on_asc_first_on_desc'");
    // TIMESTAMPTZ prints and truncates in the session's zone: keel's (and a default Redshift's) is UTC
    await this.run("SET TimeZone = 'UTC'");
  }

  /** Runs a query; numbers (DECIMAL, BIGINT, HUGEINT arrive as text) become JS numbers. */
  async query(sql: string, values?: (string | null)[]): Promise<DuckResult> {
    const r = await this.con.runAndReadAll(sql, values);
    const types = r.columnTypes().map(String);
    const numeric = types.map((t) => /^(DECIMAL|BIGINT|HUGEINT|UHUGEINT|INTEGER|SMALLINT|TINYINT|DOUBLE|FLOAT|REAL|UBIGINT|UINTEGER|USMALLINT|UTINYINT)/.test(t));
    const rows = (r.getRowsJson() as unknown[][]).map((row) =>
      row.map((v, i) => {
        if (v === null || v === undefined) return null;
        if (numeric[i]) return Number(v);
        if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
        return String(v);
      }),
    );
    return { columns: r.columnNames(), types, rows };
  }

  /** Creates the TPC-H tables (schema.sql) and loads dbgen's .tbl.gz files from dir. */
  async loadTpch(dir: string): Promise<void> {
    const schema = fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8');
    for (const stmt of schema.split(';').map((s) => s.replace(/--.*$/gm, '').trim()).filter(Boolean)) await this.run(stmt);
    for (const t of TPCH_TABLES) {
      const cols = await this.query(`select column_name from information_schema.columns where table_name = '${t}' order by ordinal_position`);
      const spec = [...cols.rows.map((r) => `'${r[0]}': 'VARCHAR'`), `'extra__': 'VARCHAR'`].join(', ');
      const file = path.join(dir, `${t}.tbl.gz`);
      await this.run(`insert into ${t} select * exclude (extra__) from read_csv('${file}', delim='|', header=false, quote='', escape='', columns={${spec}})`);
    }
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }
}

export interface CompareOptions {
  /** Compare row by row in order (the query has an ORDER BY over a total order); else as multisets. */
  readonly ordered: boolean;
  /** Relative tolerance for numbers (default 1e-9). */
  readonly relTol?: number;
  /**
   * Per column: the scale of a DECIMAL result of ours (null otherwise). Such a
   * column may differ from the oracle's value by half a unit of its last digit
   * (DuckDB answers AVG and decimal division in DOUBLE).
   */
  readonly scales?: readonly (number | null)[];
  /** Absolute tolerance for every number (default 0): a DOUBLE sum that cancels to ~0 differs only in rounding noise. */
  readonly absTol?: number;
  /**
   * Per column: its values are CHAR(n), whose trailing blanks are padding
   * (compared without them). Everywhere else trailing blanks are data: 'ab '
   * is not 'ab' in a VARCHAR column.
   */
  readonly blankPadded?: readonly boolean[];
}

function valuesEqual(a: Value, b: Value, relTol: number, absTol: number, padded: boolean): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
    const diff = Math.abs(a - b);
    return diff <= absTol || diff <= relTol * Math.max(Math.abs(a), Math.abs(b));
  }
  if (typeof a === 'string' && typeof b === 'string') return a === b || (padded && a.replace(/ +$/, '') === b.replace(/ +$/, ''));
  return a === b;
}

function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function compareRows(a: readonly Value[], b: readonly Value[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Null when the results agree; otherwise a description of the first difference. */
export function compareResults(actual: readonly (readonly Value[])[], expected: readonly (readonly Value[])[], options: CompareOptions): string | null {
  const relTol = options.relTol ?? 1e-9;
  const absTol = options.absTol ?? 0;
  const absTols = (options.scales ?? []).map((s) => Math.max(absTol, s === null || s === undefined ? 0 : 0.5 * 10 ** -s * (1 + 1e-9)));
  if (actual.length !== expected.length) {
    return `row count: got ${actual.length}, expected ${expected.length}\n  first got:      ${JSON.stringify(actual[0])}\n  first expected: ${JSON.stringify(expected[0])}`;
  }
  const a = options.ordered ? actual : [...actual].sort(compareRows);
  const e = options.ordered ? expected : [...expected].sort(compareRows);
  for (let r = 0; r < a.length; r++) {
    const ra = a[r]!;
    const re = e[r]!;
    if (ra.length !== re.length) return `row ${r}: ${ra.length} columns, expected ${re.length}`;
    for (let c = 0; c < ra.length; c++) {
      if (!valuesEqual(normalize(ra[c]!), normalize(re[c]!), relTol, absTols[c] ?? absTol, options.blankPadded?.[c] === true)) {
        return `row ${r}, column ${c}: got ${JSON.stringify(ra[c])}, expected ${JSON.stringify(re[c])}\n  got:      ${JSON.stringify(ra)}\n  expected: ${JSON.stringify(re)}`;
      }
    }
  }
  return null;
}

/** Timestamps at midnight print as dates in one engine and with a time in the other. */
function normalize(v: Value): Value {
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2} 00:00:00$/.test(v)) return v.slice(0, 10);
  return v;
}

/** The queries of the TPC-H query folder, by number. */
export function tpchQuery(n: number): string {
  return fs.readFileSync(path.join(TPCH_DIR, 'queries', `q${String(n).padStart(2, '0')}.sql`), 'utf8');
}

/** Whether the (last) SELECT of a script ends in an ORDER BY (then order is checked). */
export function hasOrderBy(sql: string): boolean {
  const selects = sql.split(';').map((s) => s.trim()).filter((s) => /^(select|with)\b/i.test(s));
  let last = selects[selects.length - 1] ?? '';
  // only the top level counts: drop parenthesized parts (subqueries) innermost first
  while (/\([^()]*\)/.test(last)) last = last.replace(/\([^()]*\)/g, '');
  return /\border\s+by\b/i.test(last);
}

/** Per result column, the scale of a "decimal(p,s)" type name (Database results), else null. */
/** Per column, whether a type name is CHAR(n) (blank-padded), for CompareOptions.blankPadded. */
export function paddedOfTypeNames(types: readonly string[]): boolean[] {
  return types.map((t) => /^(char|character|bpchar)\b/i.test(t));
}

export function scalesOfTypeNames(types: readonly string[]): (number | null)[] {
  return types.map((t) => {
    const m = /^decimal\((\d+),(\d+)\)$/i.exec(t);
    return m ? Number(m[2]) : null;
  });
}

/** Rows for a failure message: at most `max` of them, one per line, and how many were left out. */
export function formatRows(rows: readonly (readonly Value[])[], max = 12): string {
  if (rows.length === 0) return '    (no rows)';
  const shown = rows.slice(0, max).map((r) => `    ${JSON.stringify(r)}`);
  if (rows.length > max) shown.push(`    ... ${rows.length - max} more rows (${rows.length} in all)`);
  return shown.join('\n');
}
