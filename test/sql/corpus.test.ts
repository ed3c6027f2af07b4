/**
 * The SQL corpus: every record of test/sql/*.slt runs on keel and on DuckDB
 * (the oracle) over the same data, and the two answers must agree. Expected
 * results are never written by hand. The format is documented in
 * test/sql/README.md.
 *
 * DuckDB runs the whole corpus once (one in-memory connection); keel runs it
 * once per layout, each in a fresh data directory: every CREATE TABLE gets that
 * layout's DISTSTYLE/DISTKEY/SORTKEY, and `load` records fill the large tables
 * from a deterministic generator.
 *
 * A record preceded by `# known-failure: reason` must still fail on keel (the
 * test passes while it fails, and fails with "now passes" once the engine is
 * fixed, so the marker has to be removed).
 *
 * Environment:
 *   KEEL_SLT_FILES=regex      only the .slt files whose name matches (DuckDB still
 *                             runs every file, so shared tables exist)
 *   KEEL_SLT_LAYOUTS=even,key only these layouts
 *   KEEL_SLT_STRICT=1         ignore known-failure markers (see what fails now)
 *   KEEL_SLT_REPORT=file      append one JSON line per record and layout: outcome and message
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, KeelError } from '../../engine/index.js';
import { batchFromRows, type PhysicalValue } from '../../engine/rows.js';
import { parseDate, type ParamValue, type SqlType } from '../../engine/types.js';
import { DuckOracle, compareResults, formatRows, paddedOfTypeNames, scalesOfTypeNames, type Value } from '../helpers/oracle.js';
import { rng } from '../helpers/random.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- the .slt format

type Expect =
  /** both engines succeed (statement) or return the same rows (query) */
  | { readonly kind: 'ok' }
  /** both engines fail; keel with a KeelError (of `code` when given) */
  | { readonly kind: 'error'; readonly code: string | null }
  /** keel fails with a KeelError of `code`; DuckDB is not consulted (it differs from Redshift here) */
  | { readonly kind: 'keel-error'; readonly code: string };

interface SltRecord {
  readonly file: string;
  readonly line: number;
  readonly kind: 'statement' | 'query' | 'load';
  readonly expect: Expect;
  readonly ordered: boolean;
  /** The SQL keel runs (and DuckDB too unless `duckSql`). For `load`: the table name. */
  readonly sql: string;
  readonly duckSql: string | null;
  /** Only this engine runs the record (`onlyif keel` / `onlyif duckdb`). */
  readonly onlyIf: 'keel' | 'duckdb' | null;
  readonly knownFailure: KnownFailure | null;
  /** `# params: [...]`: run as a prepared statement with these values of $1, $2 ... */
  readonly params: readonly ParamValue[] | null;
}

/**
 * `# params: ["5", null, {"type": "date", "text": "1998-01-01"}]`: a JSON
 * array of the values of $1, $2 ...; a string (or null) is untyped, as a
 * driver sends a value with no type; an object gives the type (a plain type
 * name: integer, bigint, double, boolean, date, timestamp, varchar).
 */
function parseParams(json: string): ParamValue[] | string {
  let a: unknown;
  try {
    a = JSON.parse(json);
  } catch (e) {
    return `# params: not JSON (${(e as Error).message})`;
  }
  if (!Array.isArray(a)) return '# params: expected a JSON array';
  const out: ParamValue[] = [];
  for (const v of a) {
    if (v === null || typeof v === 'string') out.push({ type: null, text: v });
    else if (typeof v === 'object' && typeof v.type === 'string' && (v.text === null || typeof v.text === 'string')) out.push({ type: { id: v.type } as SqlType, text: v.text });
    else return `# params: ${JSON.stringify(v)} is neither a string, null nor {"type", "text"}`;
  }
  return out;
}

/**
 * A documented failure, with what keel gives instead, so the test checks that
 * difference and no other: an error of `code`, or the rows a DuckDB query
 * reproducing keel's (wrong) answer returns.
 */
interface KnownFailure {
  readonly reason: string;
  readonly layouts: readonly string[] | null;
  readonly gives: { readonly kind: 'error'; readonly code: string } | { readonly kind: 'rows'; readonly duckSql: string };
}

class SltSyntaxError extends Error {}

function parseSlt(file: string, text: string): SltRecord[] {
  const lines = text.split(/\r?\n/);
  const records: SltRecord[] = [];
  let comments: string[] = [];
  let known: { reason: string; layouts: readonly string[] | null; line: number } | null = null;
  let givesError: string | null = null;
  let onlyIf: SltRecord['onlyIf'] = null;
  let params: ParamValue[] | null = null;
  const fail = (i: number, msg: string): never => {
    throw new SltSyntaxError(`${file}:${i + 1}: ${msg}`);
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (line === '') {
      comments = [];
      known = null;
      givesError = null;
      onlyIf = null;
      params = null;
      continue;
    }
    if (line.startsWith('#')) {
      const pm = /^#\s*params\s*:\s*(.*)$/.exec(line);
      if (pm) {
        const parsed = parseParams(pm[1]!);
        if (typeof parsed === 'string') fail(i, parsed);
        params = parsed as ParamValue[];
        continue;
      }
      const m = /^#\s*known-failure(?:\(([\w,\s]+)\))?\s*:\s*(.*)$/.exec(line);
      const g = /^#\s*keel-gives\s*:\s*(.*)$/.exec(line);
      if (m) {
        if (!m[2]!.trim()) fail(i, 'a known-failure marker needs a reason');
        known = { reason: m[2]!.trim(), layouts: m[1] ? m[1].split(',').map((s) => s.trim()) : null, line: i };
      } else if (g) {
        const e = /^error\s+([A-Z_]+)$/.exec(g[1]!.trim());
        if (!e) fail(i, '# keel-gives: takes "error CODE" (for rows, use a ---- keel-gives block in the record)');
        givesError = e![1]!;
      } else comments.push(line.replace(/^#\s*/, ''));
      continue;
    }
    const onlyM = /^onlyif\s+(keel|duckdb)$/.exec(line);
    if (onlyM) {
      onlyIf = onlyM[1] as 'keel' | 'duckdb';
      continue;
    }
    const header = line.split(/\s+/);
    const start = i;
    let kind: SltRecord['kind'];
    let expectation: Expect = { kind: 'ok' };
    let ordered = false;
    if (header[0] === 'load') {
      if (header.length !== 2) fail(i, 'load takes one table name');
      if (known) fail(known.line, 'a load cannot be a known failure');
      if (params) fail(i, 'a load takes no # params');
      records.push({ file, line: start + 1, kind: 'load', expect: expectation, ordered, sql: header[1]!, duckSql: null, onlyIf, knownFailure: null, params: null });
      comments = [];
      givesError = null;
      onlyIf = null;
      continue;
    } else if (header[0] === 'statement' || header[0] === 'query') {
      kind = header[0];
      const mode = header[1];
      if (mode === 'error') expectation = { kind: 'error', code: header[2] ?? null };
      else if (mode === 'keel-error') {
        if (!header[2]) fail(i, 'keel-error needs an error code');
        if (comments.length === 0) fail(i, 'keel-error needs a comment above it saying why DuckDB is not the oracle here');
        expectation = { kind: 'keel-error', code: header[2]! };
      } else if (kind === 'statement') {
        if (mode !== 'ok') fail(i, `statement ok|error [CODE]|keel-error CODE, not "${mode}"`);
      } else if (mode === 'ordered' || mode === 'unordered') ordered = mode === 'ordered';
      else fail(i, `query ordered|unordered|error [CODE]|keel-error CODE, not "${mode}"`);
    } else {
      fail(i, `expected statement, query, load, onlyif or a # comment, found "${line}"`);
    }
    const body: string[] = [];
    const duck: string[] = [];
    const gives: string[] = [];
    let section: 'body' | 'duck' | 'gives' = 'body';
    let inDuck = false;
    let inGives = false;
    while (i + 1 < lines.length && lines[i + 1]!.trim() !== '') {
      i++;
      const l = lines[i]!;
      if (l.trim() === '---- duckdb' || l.trim() === '---- keel-gives') {
        section = l.trim() === '---- duckdb' ? 'duck' : 'gives';
        if (section === 'duck') inDuck = true;
        else inGives = true;
        continue;
      }
      if (l.trim().startsWith('#')) fail(i, 'comments go above the record, not inside it');
      (section === 'duck' ? duck : section === 'gives' ? gives : body).push(l);
    }
    const sql = body.join('\n').trim().replace(/;\s*$/, '');
    if (!sql) fail(start, 'the record has no SQL');
    if (inDuck && !duck.join('').trim()) fail(start, '---- duckdb with no SQL after it');
    if (inGives && !gives.join('').trim()) fail(start, '---- keel-gives with no SQL after it');
    if ((inGives || givesError) && !known) fail(start, 'keel-gives belongs to a # known-failure record');
    if (inGives && givesError) fail(start, 'a known failure gives an error or rows, not both');
    if (known && !inGives && !givesError) fail(known.line, 'a known failure must say what keel gives instead: # keel-gives: error CODE, or a ---- keel-gives block with a DuckDB query for keel\'s rows');
    const knownFailure: KnownFailure | null = known
      ? { reason: known.reason, layouts: known.layouts, gives: givesError ? { kind: 'error', code: givesError } : { kind: 'rows', duckSql: gives.join('\n').trim().replace(/;\s*$/, '') } }
      : null;
    records.push({
      file,
      line: start + 1,
      kind: kind!,
      expect: expectation,
      ordered,
      sql,
      duckSql: inDuck ? duck.join('\n').trim().replace(/;\s*$/, '') : null,
      onlyIf,
      knownFailure,
      params,
    });
    comments = [];
    known = null;
    givesError = null;
    onlyIf = null;
    params = null;
  }
  return records;
}

// ---------------------------------------------------------------- layouts

interface LayoutSpec {
  readonly name: string;
  readonly slices: number;
  readonly blockRows: number;
  /** mixed: each table gets EVEN, KEY or ALL (see mixedStyle), so joins mix distribution strategies. */
  readonly style: 'even' | 'key' | 'all' | 'mixed';
  /** Keep the SORTKEY clauses written in the corpus. */
  readonly sortKeys: boolean;
}

const LAYOUTS: readonly LayoutSpec[] = [
  // round robin on 4 slices, no sort keys, default block size
  { name: 'even', slices: 4, blockRows: 16_384, style: 'even', sortKeys: false },
  // hash distributed on the written DISTKEY (else the first column), sorted, small blocks: zone maps prune
  { name: 'key', slices: 4, blockRows: 1_000, style: 'key', sortKeys: true },
  // a full copy on each of 3 slices, sorted
  { name: 'all', slices: 3, blockRows: 4_096, style: 'all', sortKeys: true },
  // EVEN, KEY or ALL per table on 5 slices: outer joins with a replicated or broadcast side, redistribution
  { name: 'mixed', slices: 5, blockRows: 2_048, style: 'mixed', sortKeys: true },
];

/** The style the mixed layout gives a table: fixed for the large tables, else EVEN, KEY, ALL in turn by first creation. */
const MIXED_FIXED: Readonly<Record<string, 'even' | 'key' | 'all'>> = { big_cust: 'all', big_orders: 'key', big_lines: 'even' };
const mixedStyles = new Map<string, 'even' | 'key' | 'all'>();
function mixedStyle(table: string): 'even' | 'key' | 'all' {
  let style = MIXED_FIXED[table] ?? mixedStyles.get(table);
  if (!style) {
    style = (['even', 'key', 'all'] as const)[mixedStyles.size % 3]!;
    mixedStyles.set(table, style);
  }
  return style;
}

interface CreateParts {
  readonly name: string;
  /** `create table t (...)` as written (column attributes such as ENCODE included), without the table attributes. */
  readonly rawHead: string;
  /** The same without ENCODE, for DuckDB. */
  readonly head: string;
  readonly columns: readonly string[];
  readonly distKey: string | null;
  readonly sortKey: string | null;
}

/** Splits `create table t (...) [diststyle ..] [distkey(c)] [sortkey(a, b)]`; null for anything else (CTAS included). */
function splitCreateTable(sql: string): CreateParts | null {
  const m = /^\s*create\s+table\s+(?:if\s+not\s+exists\s+)?([\w"]+)\s*\(/i.exec(sql);
  if (!m) return null;
  let depth = 0;
  let end = -1;
  for (let i = m[0].length - 1; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const inner = sql.slice(m[0].length, end);
  const columns = inner
    .split(/,(?![^()]*\))/)
    .map((c) => c.trim().split(/\s+/)[0]!.toLowerCase())
    .filter((c) => c && !/^(primary|unique|foreign|constraint)$/.test(c));
  const tail = sql.slice(end + 1);
  const dk = /distkey\s*\(\s*(\w+)\s*\)/i.exec(tail);
  const sk = /(?:compound\s+|interleaved\s+)?sortkey\s*\(([^)]*)\)/i.exec(tail);
  const rawHead = sql.slice(0, end + 1);
  return { name: m[1]!.replace(/"/g, '').toLowerCase(), rawHead, head: rawHead.replace(/\s+encode\s+\w+/gi, ''), columns, distKey: dk ? dk[1]!.toLowerCase() : null, sortKey: sk ? sk[1]!.trim() : null };
}

/** The statement as keel runs it under `layout`. */
function keelSql(sql: string, layout: LayoutSpec): string {
  const c = splitCreateTable(sql);
  if (!c) return sql;
  const style = layout.style === 'mixed' ? mixedStyle(c.name) : layout.style;
  // keel keeps the column attributes (ENCODE); the table attributes are the layout's
  const head = c.rawHead;
  const sort = layout.sortKeys && c.sortKey ? ` sortkey(${c.sortKey})` : '';
  switch (style) {
    case 'even':
      return `${head} diststyle even${sort}`;
    case 'all':
      return `${head} diststyle all${sort}`;
    case 'key':
      return `${head} diststyle key distkey(${c.distKey ?? c.columns[0]})${sort}`;
  }
}

/** The statement as DuckDB runs it: no distribution, sort or encoding clauses. */
function duckSql(rec: SltRecord): string {
  if (rec.duckSql) return rec.duckSql;
  const c = splitCreateTable(rec.sql);
  return c ? c.head : rec.sql;
}

// ---------------------------------------------------------------- generated tables


const DAY_MS = 86_400_000;
const dateOf = (days: number): string => new Date(days * DAY_MS).toISOString().slice(0, 10);
const D2015 = Date.UTC(2015, 0, 1) / DAY_MS;
const D2019 = Date.UTC(2019, 0, 1) / DAY_MS;

type Plain = number | string | boolean | null;

interface Generator {
  readonly rows: number;
  /** Row i (0-based) in column order; decimals as numbers with at most their scale's digits, dates as YYYY-MM-DD. */
  row(i: number, r: () => number): Plain[];
}

const REGIONS = ['north', 'south', 'east', 'west'];
const SEGMENTS = ['AUTOMOBILE', 'BUILDING', 'MACHINERY', 'HOUSEHOLD', 'FURNITURE'];
const PRIOS = ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'];
const WORDS = ['quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'special', 'requests', 'deposits', 'final', 'pending', 'ironic', 'bold', 'express'];

const pick = <T,>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const maybeNull = <T,>(r: () => number, p: number, v: T): T | null => (r() < p ? null : v);

/**
 * The large tables. Their CREATE TABLE is in 00_data.slt; `load NAME` fills
 * them. Rows are generated once and go to both engines.
 */
const GENERATORS: Record<string, Generator> = {
  // big_cust(c_id int, c_name varchar(20), c_region varchar(10), c_segment varchar(12), c_balance decimal(12,2), c_since date, c_score double precision)
  big_cust: {
    rows: 10_000,
    row: (i, r) => [
      i + 1,
      `cust#${String(i + 1).padStart(5, '0')}`,
      maybeNull(r, 0.05, pick(r, REGIONS)),
      pick(r, SEGMENTS),
      maybeNull(r, 0.02, int(r, -99_999, 999_999) / 100),
      dateOf(D2015 + int(r, 0, 3000)),
      maybeNull(r, 0.03, int(r, 0, 100_000) / 1000),
    ],
  },
  // big_orders(o_id int, o_cust int, o_date date, o_amount decimal(12,2), o_qty int, o_status varchar(1), o_prio varchar(15), o_disc double precision, o_big bigint)
  big_orders: {
    rows: 50_000,
    row: (i, r) => [
      i + 1,
      maybeNull(r, 0.01, int(r, 1, 11_000)),
      dateOf(D2019 + Math.floor(i / 30) + int(r, 0, 5)),
      int(r, 1, 500_000) / 100,
      int(r, 1, 50),
      pick(r, ['O', 'F', 'P']),
      pick(r, PRIOS),
      int(r, 0, 100) / 1000,
      int(r, 0, 1_000_000) * 10_007,
    ],
  },
  // big_lines(l_order int, l_line int, l_part int, l_price decimal(10,2), l_qty int, l_tax decimal(4,2), l_ship date, l_flag varchar(1), l_comment varchar(60))
  big_lines: {
    rows: 100_000,
    row: (i, r) => {
      const order = int(r, 1, 50_000);
      return [
        order,
        (i % 7) + 1,
        maybeNull(r, 0.005, int(r, 1, 2000)),
        int(r, 100, 200_000) / 100,
        int(r, 1, 50),
        int(r, 0, 8) / 100,
        dateOf(D2019 + Math.floor(order / 30) + int(r, 1, 120)),
        pick(r, ['A', 'N', 'R']),
        Array.from({ length: int(r, 2, 6) }, () => pick(r, WORDS)).join(' '),
      ];
    },
  },
};

const generated = new Map<string, Plain[][]>();
function generatedRows(table: string): Plain[][] {
  let rows = generated.get(table);
  if (!rows) {
    const g = GENERATORS[table];
    if (!g) throw new Error(`no generator for table ${table}; known: ${Object.keys(GENERATORS).join(', ')}`);
    const r = rng(table.split('').reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7));
    rows = Array.from({ length: g.rows }, (_, i) => g.row(i, r));
    generated.set(table, rows);
  }
  return rows;
}

function physical(v: Plain, t: SqlType): PhysicalValue {
  if (v === null) return null;
  switch (t.id) {
    case 'decimal':
      return Math.round(Number(v) * 10 ** (t.scale ?? 0));
    case 'date':
      return parseDate(String(v));
    case 'boolean':
      return v ? 1 : 0;
    default:
      return typeof v === 'boolean' ? Number(v) : v;
  }
}

async function loadKeel(db: Database, table: string): Promise<void> {
  const meta = db.tableOrThrow(table);
  const types = meta.columns.map((c) => c.type);
  const rows = generatedRows(table);
  const batches = function* () {
    for (let i = 0; i < rows.length; i += 10_000) {
      yield batchFromRows(types, rows.slice(i, i + 10_000).map((row) => row.map((v, c) => physical(v, types[c]!))));
    }
  };
  await db.append(table, batches(), rows.length);
}

async function loadDuck(duck: DuckOracle, table: string, tmp: string): Promise<void> {
  const rows = generatedRows(table);
  const file = path.join(tmp, `${table}.tsv`);
  fs.writeFileSync(file, rows.map((row) => row.map((v) => (v === null ? '\\N' : String(v))).join('\t')).join('\n') + '\n');
  await duck.run(`COPY ${table} FROM '${file}' (DELIMITER '\t', HEADER false, NULLSTR '\\N', QUOTE '', ESCAPE '')`);
}

// ---------------------------------------------------------------- running and checking

type Outcome =
  | { readonly ok: true; readonly types: readonly string[]; readonly rows: Value[][] }
  | { readonly ok: false; readonly keel: boolean; readonly code: string; readonly message: string };

function describeOutcome(o: Outcome | undefined, max = 12): string {
  if (!o) return '    (not run)';
  if (o.ok) return `    columns: ${JSON.stringify(o.types)}\n${formatRows(o.rows, max)}`;
  return `    ${o.keel ? `error ${o.code}` : `ERROR (not a KeelError: ${o.code})`}: ${o.message}`;
}

async function runKeel(db: Database, rec: SltRecord, layout: LayoutSpec): Promise<Outcome> {
  try {
    if (rec.kind === 'load') {
      await loadKeel(db, rec.sql);
      return { ok: true, types: [], rows: [] };
    }
    const results = await db.execute(keelSql(rec.sql, layout), undefined, rec.params ? { params: rec.params } : {});
    const last = results[results.length - 1];
    return { ok: true, types: last ? last.columns.map((c) => c.type) : [], rows: last ? (last.rows() as Value[][]) : [] };
  } catch (e) {
    if (e instanceof KeelError) return { ok: false, keel: true, code: e.code, message: e.message };
    const err = e as Error;
    return { ok: false, keel: false, code: err?.name ?? 'Error', message: `${err?.message}\n${(err?.stack ?? '').split('\n').slice(1, 6).join('\n')}` };
  }
}

async function runDuck(duck: DuckOracle, rec: SltRecord, tmp: string): Promise<Outcome> {
  try {
    if (rec.kind === 'load') {
      await loadDuck(duck, rec.sql, tmp);
      return { ok: true, types: [], rows: [] };
    }
    const sql = duckSql(rec);
    // DuckDB gets every value as text and casts it to the type its context asks for
    const values = rec.params ? rec.params.map((p) => p.text) : undefined;
    if (rec.kind === 'statement') {
      await duck.run(sql, values);
      return { ok: true, types: [], rows: [] };
    }
    const r = await duck.query(sql, values);
    return { ok: true, types: r.types, rows: r.rows };
  } catch (e) {
    return { ok: false, keel: false, code: 'DuckDB', message: String((e as Error).message).split('\n')[0]! };
  }
}

/** A problem of the corpus itself (DuckDB disagrees with what the record says): never hidden by a known-failure marker. */
function corpusProblem(rec: SltRecord, want: Outcome | undefined): string | null {
  if (rec.expect.kind === 'keel-error' || rec.onlyIf === 'keel') return null;
  if (!want) return 'DuckDB did not run this record';
  if (rec.expect.kind === 'error') return want.ok ? 'DuckDB succeeded where the record expects both engines to fail (fix the corpus)' : null;
  return want.ok ? null : 'DuckDB failed on this record (fix the corpus)';
}

/** Null when keel's outcome is what the record expects; otherwise why not. */
function check(rec: SltRecord, got: Outcome, want: Outcome | undefined): string | null {
  const e = rec.expect;
  if (e.kind === 'keel-error') {
    if (got.ok) return `keel succeeded; expected error ${e.code}`;
    if (!got.keel) return `keel crashed instead of raising ${e.code}`;
    return got.code === e.code ? null : `keel raised ${got.code}; expected ${e.code}`;
  }
  if (rec.onlyIf === 'keel') return got.ok ? null : 'keel failed';
  if (!want) return 'DuckDB did not run this record';
  if (e.kind === 'error') {
    if (want.ok) return 'DuckDB succeeded where the record expects both engines to fail (fix the corpus)';
    if (got.ok) return 'keel succeeded; expected an error (DuckDB failed too)';
    if (!got.keel) return 'keel crashed: the error is not a KeelError';
    return e.code && got.code !== e.code ? `keel raised ${got.code}; expected ${e.code}` : null;
  }
  if (!want.ok) return 'DuckDB failed on this record (fix the corpus)';
  if (!got.ok) return got.keel ? `keel raised ${got.code}` : 'keel crashed: the error is not a KeelError';
  if (rec.kind !== 'query') return null;
  const gotCols = got.rows[0]?.length ?? got.types.length;
  const wantCols = want.rows[0]?.length ?? want.types.length;
  if (got.types.length !== want.types.length || gotCols !== wantCols) return `column count: got ${got.types.length}, expected ${want.types.length}`;
  return compareResults(got.rows, want.rows, { ordered: rec.ordered, scales: scalesOfTypeNames(got.types), blankPadded: paddedOfTypeNames(got.types), absTol: 1e-9 });
}

/** Null when keel fails exactly as the known failure documents; otherwise how it differs. */
function knownDifference(rec: SltRecord, known: KnownFailure, got: Outcome): string | null {
  const g = known.gives;
  if (g.kind === 'error') {
    if (got.ok) return `keel succeeded with other rows; the marker says it raises ${g.code}`;
    if (!got.keel) return `keel crashed (${got.code}); the marker says it raises ${g.code}`;
    return got.code === g.code ? null : `keel raised ${got.code}; the marker says ${g.code}`;
  }
  if (!got.ok) return `keel raised ${got.code}; the marker says it gives the rows of its ---- keel-gives query`;
  const want = givesOutcomes.get(rec);
  if (!want?.ok) return `the ---- keel-gives query failed on DuckDB (fix the corpus)`;
  const diff = compareResults(got.rows, want.rows, { ordered: rec.ordered, scales: scalesOfTypeNames(got.types), blankPadded: paddedOfTypeNames(got.types), absTol: 1e-9 });
  return diff === null ? null : `keel's rows are not the ones its ---- keel-gives query documents: ${diff}`;
}

function failureText(rec: SltRecord, layout: LayoutSpec, why: string, got: Outcome, want: Outcome | undefined): string {
  const lines = [
    `${rec.file}:${rec.line} [layout ${layout.name}] ${why}`,
    `  SQL (keel):`,
    ...keelSql(rec.sql, layout).split('\n').map((l) => `    ${l}`),
  ];
  if (rec.duckSql || duckSql(rec) !== rec.sql) lines.push('  SQL (DuckDB):', ...duckSql(rec).split('\n').map((l) => `    ${l}`));
  lines.push('  keel:', describeOutcome(got));
  if (rec.expect.kind !== 'keel-error') lines.push('  DuckDB:', describeOutcome(want));
  return lines.join('\n');
}

// ---------------------------------------------------------------- the suite

const fileFilter = process.env.KEEL_SLT_FILES ? new RegExp(process.env.KEEL_SLT_FILES) : null;
const layoutFilter = process.env.KEEL_SLT_LAYOUTS ? process.env.KEEL_SLT_LAYOUTS.split(',') : null;
const strict = process.env.KEEL_SLT_STRICT === '1';
const reportFile = process.env.KEEL_SLT_REPORT;

const files = fs
  .readdirSync(HERE)
  .filter((f) => f.endsWith('.slt'))
  .sort();
const allRecords = files.flatMap((f) => parseSlt(f, fs.readFileSync(path.join(HERE, f), 'utf8')));
const records = allRecords.filter((r) => !fileFilter || fileFilter.test(r.file) || r.kind === 'load' || /^00_/.test(r.file));

let duck: DuckOracle;
let tmp: string;
const duckOutcomes = new Map<SltRecord, Outcome>();
/** For a known failure that gives rows: the rows keel is documented to give, from its ---- keel-gives query. */
const givesOutcomes = new Map<SltRecord, Outcome>();

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-slt-'));
  duck = await DuckOracle.create();
  await duck.redshiftSemantics();
  for (const rec of allRecords) {
    if (rec.onlyIf === 'keel' || rec.expect.kind === 'keel-error') continue;
    duckOutcomes.set(rec, await runDuck(duck, rec, tmp));
    const g = rec.knownFailure?.gives;
    if (g?.kind === 'rows') givesOutcomes.set(rec, await runDuck(duck, { ...rec, duckSql: g.duckSql }, tmp));
  }
});

afterAll(() => {
  duck?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

it('the corpus has at least 300 queries', () => {
  expect(allRecords.filter((r) => r.kind === 'query').length).toBeGreaterThanOrEqual(300);
});

describe.each(LAYOUTS.filter((l) => !layoutFilter || layoutFilter.includes(l.name)).map((l) => [l.name, l] as const))('layout %s', (_name, layout) => {
  let db: Database;
  let dir: string;
  const report: object[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `keel-slt-${layout.name}-`));
    db = await Database.create(path.join(dir, 'data'), { slices: layout.slices, blockRows: layout.blockRows });
  });

  afterAll(() => {
    db?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (reportFile) fs.appendFileSync(reportFile, report.map((r) => JSON.stringify(r) + '\n').join(''));
  });

  for (const rec of records) {
    if (rec.onlyIf === 'duckdb') continue;
    const known = !strict && rec.knownFailure && (!rec.knownFailure.layouts || rec.knownFailure.layouts.includes(layout.name)) ? rec.knownFailure : null;
    const title = `${rec.file}:${rec.line} ${rec.kind === 'load' ? `load ${rec.sql}` : rec.sql.replace(/\s+/g, ' ').slice(0, 90)}${known ? ' [known failure]' : ''}`;
    it(title, async () => {
      const got = await runKeel(db, rec, layout);
      const want = duckOutcomes.get(rec);
      const corpus = corpusProblem(rec, want);
      const why = corpus ?? check(rec, got, want);
      const detail = why === null ? null : failureText(rec, layout, why, got, want);
      report.push({ layout: layout.name, file: rec.file, line: rec.line, kind: rec.kind, known: rec.knownFailure?.reason ?? null, pass: why === null, why, sql: rec.sql, detail });
      // a problem of the corpus itself fails whatever the markers say
      expect(corpus === null ? null : detail).toBeNull();
      if (known) {
        expect(why, `${rec.file}:${rec.line} [layout ${layout.name}] is marked "# known-failure: ${known.reason}" but now passes: remove the marker`).not.toBeNull();
        const changed = knownDifference(rec, known, got);
        expect(changed === null ? null : `${rec.file}:${rec.line} [layout ${layout.name}] fails differently from its "# known-failure: ${known.reason}": ${changed}\n${detail}`).toBeNull();
      } else {
        expect(detail).toBeNull();
      }
    });
  }
});
