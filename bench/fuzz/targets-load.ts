/**
 * Loading fuzz targets: delimited text (csv), Arrow IPC (arrow) and Parquet
 * (parquet) files loaded with Database.load into tables of every type.
 *
 *  - csv: files of generated records, valid or damaged (wrong field counts,
 *    bad quotes, huge numbers, impossible dates, NUL bytes, invalid UTF-8,
 *    stray CRs, cut-off text, bad gzip), under random delimiter, quote, header
 *    and NULL options. A file made without damage must load, and load exactly
 *    the values written into it.
 *  - arrow, parquet: valid files (written by apache-arrow and by DuckDB) with
 *    random bytes flipped, cut, inserted or zeroed. An undamaged file must load
 *    all its rows.
 * Every load ends in a result or a LoadError/KeelError; a failed load must
 * leave the table as it was (empty), a successful one must have added exactly
 * the rows it reports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { Bool, DateDay, Float64, Int32, TimestampMicrosecond, Utf8, tableToIPC, vectorFromArray, Table, type Vector } from 'apache-arrow';
import { Database, type LoadOptions } from '../../engine/index.js';
import type { Target } from './campaign.js';
import { classify, OK, wrong, type Outcome } from './outcome.js';
import type { Rng } from './rng.js';
import type { Value } from './sql.js';

interface LoadColumn {
  readonly name: string;
  readonly sqlType: string;
  readonly kind: 'small' | 'int' | 'big' | 'dec' | 'real' | 'dbl' | 'bool' | 'char' | 'vc' | 'date' | 'ts';
  readonly notNull?: boolean;
}

const LOAD_TABLES: Readonly<Record<string, readonly LoadColumn[]>> = {
  load_t: [
    { name: 'c_small', sqlType: 'smallint', kind: 'small' },
    { name: 'c_int', sqlType: 'integer', kind: 'int' },
    { name: 'c_big', sqlType: 'bigint', kind: 'big' },
    { name: 'c_dec', sqlType: 'decimal(10,2)', kind: 'dec' },
    { name: 'c_real', sqlType: 'real', kind: 'real' },
    { name: 'c_dbl', sqlType: 'double precision', kind: 'dbl' },
    { name: 'c_bool', sqlType: 'boolean', kind: 'bool' },
    { name: 'c_char', sqlType: 'char(5)', kind: 'char' },
    { name: 'c_vc', sqlType: 'varchar(10)', kind: 'vc' },
    { name: 'c_date', sqlType: 'date', kind: 'date' },
    { name: 'c_ts', sqlType: 'timestamp', kind: 'ts' },
  ],
  load_one: [{ name: 'v', sqlType: 'varchar(10)', kind: 'vc' }],
  load_nn: [
    { name: 'id', sqlType: 'integer', kind: 'int', notNull: true },
    { name: 'v', sqlType: 'varchar(4)', kind: 'vc' },
  ],
  /** The columns of the Arrow seeds (Arrow and Parquet match columns by name; every table column must be in the file). */
  load_arrow: [
    { name: 'c_int', sqlType: 'integer', kind: 'int' },
    { name: 'c_dbl', sqlType: 'double precision', kind: 'dbl' },
    { name: 'c_vc', sqlType: 'varchar(10)', kind: 'vc' },
    { name: 'c_bool', sqlType: 'boolean', kind: 'bool' },
    { name: 'c_date', sqlType: 'date', kind: 'date' },
    { name: 'c_ts', sqlType: 'timestamp', kind: 'ts' },
  ],
};

function ddl(name: string): string {
  return `create table ${name} (${LOAD_TABLES[name]!.map((c) => `${c.name} ${c.sqlType}${c.notNull ? ' not null' : ''}`).join(', ')})`;
}

export interface LoadContext {
  readonly work: string;
  db: Database;
  /** Valid files to damage: arrow and parquet seeds, with their row counts. */
  readonly seeds: { readonly arrow: readonly Seed[]; readonly parquet: readonly Seed[] };
}

export interface Seed {
  readonly name: string;
  readonly table: string;
  readonly bytes: Buffer;
  readonly rows: number;
}

// ------------------------------------------------------------------ byte mutations

export type ByteOp =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'set'; readonly at: number; readonly byte: number }
  | { readonly op: 'cut'; readonly at: number }
  | { readonly op: 'del'; readonly at: number; readonly n: number }
  | { readonly op: 'ins'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly op: 'dup'; readonly at: number; readonly n: number }
  | { readonly op: 'zero'; readonly at: number; readonly n: number };

/** Positions are fractions of the length at the time of the edit (so an op means the same whatever came before). */
export function applyByteOps(input: Buffer, ops: readonly ByteOp[]): Buffer {
  let b = Buffer.from(input);
  for (const o of ops) {
    const at = Math.min(b.length, Math.floor(o.at * b.length));
    switch (o.op) {
      case 'flip':
        if (at < b.length) b[at] = b[at]! ^ (1 << o.bit);
        break;
      case 'set':
        if (at < b.length) b[at] = o.byte;
        break;
      case 'cut':
        b = b.subarray(0, at);
        break;
      case 'del':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + o.n)]);
        break;
      case 'ins':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(o.bytes), b.subarray(at)]);
        break;
      case 'dup':
        b = Buffer.concat([b.subarray(0, at + o.n), b.subarray(at, at + o.n), b.subarray(at + o.n)]);
        break;
      case 'zero':
        b = Buffer.from(b);
        b.fill(0, at, Math.min(b.length, at + o.n));
        break;
    }
  }
  return b;
}

/** Damage where formats keep their structure most often: the first and last bytes (headers, footers, lengths). */
function position(rng: Rng): number {
  const r = rng.float();
  if (r < 0.3) return rng.float() * 0.05;
  if (r < 0.6) return 0.95 + rng.float() * 0.05;
  return rng.float();
}

export function randomByteOps(rng: Rng, count = 1 + rng.small(3)): ByteOp[] {
  const ops: ByteOp[] = [];
  for (let i = 0; i < count; i++) {
    const at = position(rng);
    switch (rng.weighted({ flip: 5, set: 3, cut: 1, del: 1, ins: 2, dup: 1, zero: 1 })) {
      case 'flip':
        ops.push({ op: 'flip', at, bit: rng.int(0, 7) });
        break;
      case 'set':
        ops.push({ op: 'set', at, byte: rng.pick([0, 0xff, 0x7f, 0x80, 1, rng.int(0, 255)]) });
        break;
      case 'cut':
        ops.push({ op: 'cut', at });
        break;
      case 'del':
        ops.push({ op: 'del', at, n: 1 + rng.small(8) });
        break;
      case 'ins':
        ops.push({ op: 'ins', at, bytes: Array.from({ length: 1 + rng.small(6) }, () => rng.pick([0, 0xff, 0xfe, 0xc3, 0xed, 0xa0, 0x80, 10, 13, 34, 44, 124, rng.int(0, 255)])) });
        break;
      case 'dup':
        ops.push({ op: 'dup', at, n: 1 + rng.small(10) * 8 });
        break;
      case 'zero':
        ops.push({ op: 'zero', at, n: 1 + rng.small(6) * 4 });
        break;
    }
  }
  return ops;
}

// ------------------------------------------------------------------ the database

async function setupLoad(work: string): Promise<LoadContext> {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const db = await Database.open(path.join(work, 'db'), { slices: 2, blockRows: 4, workers: 0 });
  for (const t of Object.keys(LOAD_TABLES)) await db.execute(ddl(t));
  return { work, db, seeds: { arrow: arrowSeeds(), parquet: await parquetSeeds(work) } };
}

/** Loads `file` into `table`: the outcome, checked as far as `expected` (rows, or a row count) allows. */
async function loadAndCheck(ctx: LoadContext, table: string, file: string, options: LoadOptions, expected: readonly (readonly Value[])[] | number | null): Promise<{ outcome: Outcome; checked: boolean }> {
  const before = ctx.db.catalog().tables[table]!.rows;
  let outcome: Outcome;
  let checked = false;
  try {
    const { rows } = await ctx.db.load(table, file, options);
    const after = ctx.db.catalog().tables[table]!.rows;
    outcome = OK;
    if (after - before !== rows) outcome = wrong('load reports other rows than it added', `reported ${rows}, the table grew by ${after - before}`);
    else if (typeof expected === 'number') {
      checked = true;
      if (rows !== expected) outcome = wrong('an undamaged file loads other rows', `loaded ${rows} rows, the file holds ${expected}`);
    } else if (expected) {
      checked = true;
      const got = (await ctx.db.query(`select * from ${table}`)).rows().map((r) => JSON.stringify(r)).sort();
      const want = expected.map((r) => JSON.stringify(r)).sort();
      const diff = got.length !== want.length ? `${got.length} rows, expected ${want.length}` : got.findIndex((g, i) => g !== want[i]!);
      if (diff !== -1) {
        const i = typeof diff === 'number' ? diff : 0;
        outcome = wrong('an undamaged file loads other values', typeof diff === 'string' ? diff : `loaded ${got[i]}, the file holds ${want[i]}`);
      }
    }
  } catch (e) {
    outcome = classify(e);
    const after = ctx.db.catalog().tables[table]?.rows;
    if (outcome.kind === 'error' && after !== before) outcome = wrong('a failed load changed the table', `${before} rows before, ${after} after (${outcome.code})`);
    else if (outcome.kind === 'error' && expected !== null) outcome = wrong('an undamaged file fails to load', `${(e as Error).message}`);
  }
  if (ctx.db.catalog().tables[table]!.rows > 0) {
    await ctx.db.execute(`drop table ${table}`);
    await ctx.db.execute(ddl(table));
  }
  return { outcome, checked };
}

let recoveries = 0;

/** After a hang: a new database in a new directory (the hung load may still be running against the old one). */
async function recoverLoad(ctx: LoadContext): Promise<LoadContext> {
  const dir = path.join(ctx.work, `db-${++recoveries}`);
  ctx.db = await Database.open(dir, { slices: 2, blockRows: 4, workers: 0 });
  for (const t of Object.keys(LOAD_TABLES)) await ctx.db.execute(ddl(t));
  return ctx;
}

// ------------------------------------------------------------------ csv

export interface CsvInput {
  readonly table: string;
  /** File name: its extension picks the default delimiter and gzip. */
  readonly name: string;
  readonly options: LoadOptions;
  readonly bytes: Buffer;
  /** The rows an undamaged file holds; null for a damaged one. */
  readonly expected: Value[][] | null;
  /** What was done to it, for the report. */
  readonly damage: readonly string[];
}

const ALPHA = ['a', 'b', 'Z', ' ', 'é', 'ß', 'x', '1', ',', '|', '\t', '"', "'", ';', 'Ω', '-', '\\', 'N', '\n'];

/** Up to `chars` characters of ALPHA, at most `maxBytes` bytes of UTF-8 (the loader's length limit counts bytes). */
function text(rng: Rng, chars: number, maxBytes: number): string {
  let s = '';
  for (let i = 0; i < chars; i++) {
    const c = rng.pick(ALPHA);
    if (Buffer.byteLength(s + c) <= maxBytes) s += c;
  }
  return s;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** A valid field for a column: its text and the value keel must read from it. */
function validField(rng: Rng, c: LoadColumn): { text: string; value: Value; mustQuote?: boolean } {
  switch (c.kind) {
    case 'small': {
      const v = rng.chance(0.2) ? rng.pick([-32768, 32767, 0]) : rng.int(-999, 999);
      return { text: String(v), value: v };
    }
    case 'int': {
      const v = rng.chance(0.2) ? rng.pick([-2147483648, 2147483647, 0]) : rng.int(-100000, 100000);
      return { text: String(v), value: v };
    }
    case 'big': {
      const v = rng.chance(0.2) ? rng.pick([9007199254740991, -9007199254740991, 0]) : rng.int(-1e9, 1e9) * rng.pick([1, 1000, 1_000_000]);
      return { text: String(v), value: v };
    }
    case 'dec': {
      const cents = rng.chance(0.1) ? rng.pick([9_999_999_999, -9_999_999_999, 0]) : rng.int(-10_000_000, 10_000_000);
      const abs = Math.abs(cents);
      const whole = Math.floor(abs / 100);
      const frac = abs % 100;
      const sign = cents < 0 ? '-' : '';
      const text = rng.chance(0.2) && frac === 0 ? `${sign}${whole}` : rng.chance(0.2) && frac % 10 === 0 ? `${sign}${whole}.${frac / 10}` : `${sign}${whole}.${pad2(frac)}`;
      return { text, value: cents / 100 };
    }
    case 'real': {
      const v = rng.pick([0, 0.5, -1.25, 3, 1024.5, 1e10, -0.125, 65504]);
      return { text: String(v), value: v };
    }
    case 'dbl': {
      const v = rng.chance(0.3) ? rng.pick([0, -1, 1e300, 5e-324, 123.456]) : (rng.float() - 0.5) * 10 ** rng.int(-5, 12);
      return { text: String(v), value: v };
    }
    case 'bool': {
      const v = rng.chance(0.5);
      return { text: rng.pick(v ? ['t', 'true', 'TRUE', '1', 'y', 'yes', ' True '] : ['f', 'false', 'FALSE', '0', 'n', 'no']), value: v };
    }
    case 'char': {
      const s = text(rng, rng.int(1, 5), 5);
      const value = s.replace(/ +$/, '');
      return { text: s, value: value === '' ? '' : value, mustQuote: s.trim() === '' };
    }
    case 'vc': {
      const max = c.sqlType === 'varchar(4)' ? 4 : 10;
      const s = text(rng, rng.int(0, max), max);
      return { text: s, value: s, mustQuote: s === '' || s === '\\N' };
    }
    case 'date': {
      const d = new Date(Date.UTC(rng.int(1900, 2100), rng.int(0, 11), rng.int(1, 28)));
      const text = d.toISOString().slice(0, 10);
      return { text, value: text };
    }
    case 'ts': {
      const d = new Date(Date.UTC(rng.int(1950, 2050), rng.int(0, 11), rng.int(1, 28), rng.int(0, 23), rng.int(0, 59), rng.int(0, 59)));
      const base = d.toISOString().slice(0, 19).replace('T', ' ');
      if (rng.chance(0.3)) {
        const us = rng.int(1, 999_999);
        const frac = String(us).padStart(6, '0');
        return { text: `${base}.${frac}`, value: `${base}.${frac.replace(/0+$/, '')}` };
      }
      return { text: base, value: base };
    }
  }
}

/** Values a column cannot take (or text that is not a value at all). */
const BAD: Readonly<Record<LoadColumn['kind'], readonly string[]>> = {
  small: ['32768', '-32769', '1.5', '1e3', 'abc', '99999999999999999999', '0x10', '+', '-', ' 12 ', '1,000'],
  int: ['2147483648', '-2147483649', '3.0', 'NaN', '1e400', '99999999999999999999999', '12abc', '--1', '٣'],
  big: ['9007199254740992', '-9007199254740993', '1e16', '123456789012345678901234567890', '1.0e1', 'Infinity'],
  dec: ['123456789012.5', '1.234', '1e5', '99999999999999999999.99', '.', '-', '1..2', '1.2.3', 'NaN', '0.001', '-0.005'],
  real: ['1e39', '-1e39', 'NaN', 'Infinity', '-inf', '1e-50', 'abc', '1,5', '0x1p3'],
  dbl: ['1e400', '-1e400', 'NaN', 'inf', '1e-400', '', '1.7976931348623159e308', '4e-324', '.e1'],
  bool: ['maybe', '2', 'tru', 'yess', 'on', 'off', 'null', 'TRUE1'],
  char: ['abcdef', 'x'.repeat(5000), 'ab\u0000c', '😀😀😀', '\ud800x'],
  vc: ['abcdefghijk', 'x'.repeat(70000), 'a\u0000b', '\u{1F600}'.repeat(6), '\udc00'],
  date: ['2020-02-30', '2020-13-01', '20200101', '2020-1-1', '0000-01-01', '+10000-01-01', '2020-01-01T', '2019-02-29', '1999-00-10', '9999-12-32', '2020/01/01', '-0001-01-01', '5874898-01-01'],
  ts: ['2020-01-01 25:00:00', '2020-01-01 10:60', '2020-01-01 10:00:61', '2020-02-30 00:00:00', '2020-01-01 10:00:00.1234567', '2020-01-01T', '294277-01-01 00:00:00', '2020-01-01 1:2:3', '2020-01-01 10:00:00+02'],
};

function quoteField(text: string, q: string): string {
  return q + text.split(q).join(q + q) + q;
}

export function generateCsv(rng: Rng): CsvInput {
  const table = rng.weighted({ load_t: 7, load_one: 1.5, load_nn: 1.5, load_arrow: 0.5 });
  const columns = LOAD_TABLES[table]!;
  const delimiter = rng.pick([',', '|', '\t', ';']);
  const quote = rng.weighted({ '"': 17, '': 2, "'": 1 });
  const header = rng.chance(0.2);
  const nullAs = rng.weighted({ '\\N': 8, NULL: 1, '': 1 });
  const gzip = rng.chance(0.1);
  const ext = delimiter === ',' ? '.csv' : delimiter === '|' ? '.tbl' : delimiter === '\t' ? '.tsv' : '.txt';
  const options: LoadOptions = {};
  if (delimiter === ';' || rng.chance(0.3)) (options as { delimiter?: string }).delimiter = delimiter === '\t' && rng.chance(0.5) ? '\\t' : delimiter;
  if (quote !== '"') (options as { quote?: string }).quote = quote;
  if (header) (options as { header?: boolean }).header = true;
  if (nullAs !== '\\N') (options as { nullAs?: string }).nullAs = nullAs;
  if (rng.chance(0.2)) (options as { batchRows?: number }).batchRows = rng.int(1, 3);
  const damage: string[] = [];
  const damaged = rng.chance(0.45);
  const rowCount = rng.chance(0.05) ? rng.int(50, 200) : rng.small(5) + rng.int(0, 3);
  const expected: Value[][] = [];
  const lines: string[] = [];
  const encode = (text: string, force = false): string => {
    const special = text.includes(delimiter) || text.includes('\n') || text.includes('\r') || (quote !== '' && text.startsWith(quote));
    if (quote !== '' && (force || special || rng.chance(0.05))) return quoteField(text, quote);
    return text;
  };
  if (header) lines.push(columns.map((c) => c.name).join(delimiter));
  for (let r = 0; r < rowCount; r++) {
    const row: Value[] = [];
    const fields: string[] = [];
    for (const c of columns) {
      if (!c.notNull && rng.chance(0.1)) {
        row.push(null);
        fields.push(nullAs === '' || rng.chance(0.5) ? '' : nullAs);
        continue;
      }
      let f = validField(rng, c);
      // without quoting, text holding the delimiter or a line break cannot be written: write another value
      for (let tries = 0; tries < 20 && quote === '' && (f.mustQuote || /[\n\r]/.test(f.text) || f.text.includes(delimiter)); tries++) f = validField(rng, c);
      if (quote === '' && (f.mustQuote || /[\n\r]/.test(f.text) || f.text.includes(delimiter))) f = { text: 'x', value: c.kind === 'char' || c.kind === 'vc' ? 'x' : null };
      // a field equal to the NULL marker reads as NULL unless quoted
      const marker = f.text === nullAs || (f.text === '' && nullAs === '');
      if (quote === '' && marker) f = { text: 'x', value: c.kind === 'char' || c.kind === 'vc' ? 'x' : null };
      if (f.value === null && quote === '') {
        row.push(null);
        fields.push('');
        continue;
      }
      row.push(f.value);
      fields.push(encode(f.text, f.mustQuote === true || f.text === nullAs));
    }
    if (columns.length === 1 && fields[0] === '') {
      // an empty line is a NULL row only for a one-column table, and is dropped at the end of the file
      fields[0] = quote !== '' ? quoteField('', quote) : 'x';
      row[0] = quote !== '' ? '' : 'x';
    }
    let line = fields.join(delimiter);
    if (rng.chance(0.1)) line += delimiter; // dbgen's trailing delimiter
    lines.push(line);
    expected.push(row);
  }
  if (damaged) {
    for (let k = 1 + rng.small(2); k > 0; k--) {
      const i = rng.int(0, lines.length);
      const what = rng.weighted({ badValue: 5, fewer: 2, more: 2, badQuote: 3, nul: 1, crlf: 1, cr: 1, blank: 1, long: 0.3, bom: 0.5, utf8: 2, controls: 1 });
      damage.push(what);
      const c = rng.pick(columns);
      const ci = columns.indexOf(c);
      const fieldsOf = (line: string) => line.split(delimiter);
      if (i >= lines.length) lines.push(columns.map((cc) => validField(rng, cc).text.replace(/[\n\r",|;\t']/g, 'q')).join(delimiter));
      const line = lines[i]!;
      switch (what) {
        case 'badValue': {
          const fs_ = fieldsOf(line);
          fs_[Math.min(ci, fs_.length - 1)] = rng.pick(BAD[c.kind]);
          lines[i] = fs_.join(delimiter);
          break;
        }
        case 'fewer':
          lines[i] = fieldsOf(line).slice(0, Math.max(0, columns.length - 1 - rng.small(2))).join(delimiter);
          break;
        case 'more':
          lines[i] = line + delimiter + rng.pick(['x', '1', '', '""']) + (rng.chance(0.5) ? delimiter + 'y' : '');
          break;
        case 'badQuote': {
          const q = quote || '"';
          lines[i] = rng.pick([`${q}${line}`, `${line}${q}`, line.replace(delimiter, `${delimiter}${q}ab${q}x`), line.replace(delimiter, `${delimiter}a${q}b`), `${q}${q}${q}${line}`, `${line}${delimiter}${q}unterminated\n${q}${q}`]);
          break;
        }
        case 'nul':
          lines[i] = line.slice(0, line.length >> 1) + '\u0000' + line.slice(line.length >> 1);
          break;
        case 'crlf':
          lines[i] = line + '\r';
          break;
        case 'cr':
          lines[i] = line.replace(delimiter, `\r${delimiter}`);
          break;
        case 'blank':
          lines.splice(i, 0, rng.pick(['', ' ', '\r', '\t']));
          break;
        case 'long':
          lines[i] = line + delimiter + 'y'.repeat(rng.pick([100_000, 1_000_000]));
          break;
        case 'bom':
          lines[i] = '\ufeff' + line;
          break;
        case 'utf8':
        case 'controls':
          // applied to the bytes below
          break;
      }
    }
  }
  // records end in LF or CRLF (a line break inside a quoted field is data, whatever the records end in)
  const eol = rng.chance(0.25) ? '\r\n' : '\n';
  let text = lines.join(eol);
  if (rng.chance(0.8) && lines.length) text += rng.pick([eol, eol, `${eol}${eol}${eol}`]);
  let bytes: Buffer = Buffer.from(text, 'utf8');
  if (damage.includes('utf8')) bytes = applyByteOps(bytes, [{ op: 'ins', at: rng.float(), bytes: rng.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) }]);
  if (damage.includes('controls')) bytes = applyByteOps(bytes, randomByteOps(rng));
  let name = `input${ext}`;
  if (gzip) {
    let z: Buffer = zlib.gzipSync(bytes);
    if (damaged && rng.chance(0.5)) {
      damage.push('gzip');
      z = applyByteOps(z, randomByteOps(rng));
    }
    bytes = z;
    name += rng.chance(0.8) ? '.gz' : '';
  }
  return { table, name, options, bytes, expected: damaged ? null : expected, damage };
}

export const csvTarget: Target<LoadContext, CsvInput> = {
  kind: 'csv',
  setup: (work) => setupLoad(work),
  generate: (rng) => generateCsv(rng),
  async run(ctx, input) {
    const file = path.join(ctx.work, input.name);
    fs.writeFileSync(file, input.bytes);
    try {
      return await loadAndCheck(ctx, input.table, file, input.options, input.expected);
    } finally {
      fs.rmSync(file, { force: true });
    }
  },
  show: (i) => {
    const gz = i.bytes[0] === 0x1f && i.bytes[1] === 0x8b;
    let body: string;
    if (!gz) body = JSON.stringify(i.bytes.toString('latin1').slice(0, 2000));
    else {
      try {
        body = `gzip of ${JSON.stringify(zlib.gunzipSync(i.bytes).toString('latin1').slice(0, 2000))}`;
      } catch {
        body = `damaged gzip, base64 ${i.bytes.toString('base64').slice(0, 2000)}`;
      }
    }
    return `load ${i.table} from ${i.name} ${JSON.stringify(i.options)}${i.damage.length ? ` damaged: ${i.damage.join(', ')}` : ''}: ${body}`;
  },
  parts: (input) => ({
    // shrinking keeps the file damaged: what the undamaged file must load no longer holds for a part of it
    items: [...input.bytes],
    rebuild: (items) => ({ ...input, bytes: Buffer.from(items as number[]), expected: null }),
  }),
  recover: recoverLoad,
  async teardown(ctx) {
    ctx.db.close();
  },
};

// ------------------------------------------------------------------ arrow and parquet

/** Arrow IPC files (file and stream format) over columns of load_t and load_one. */
export function arrowSeeds(): Seed[] {
  const n = 7;
  const ints = Int32Array.from({ length: n }, (_, i) => i * 1000 - 3000);
  const dbl = Float64Array.from({ length: n }, (_, i) => i / 3);
  const strs = Array.from({ length: n }, (_, i) => (i === 3 ? null : `s${i}é`));
  const bools = Array.from({ length: n }, (_, i) => (i === 2 ? null : i % 2 === 0));
  const days = Array.from({ length: n }, (_, i) => new Date(Date.UTC(2020, 0, 1 + i * 40)));
  const tss = Array.from({ length: n }, (_, i) => new Date(Date.UTC(2021, 5, 1, i, 30)));
  const table = new Table({
    c_int: vectorFromArray([...ints], new Int32()) as Vector,
    c_dbl: vectorFromArray([...dbl], new Float64()) as Vector,
    c_vc: vectorFromArray(strs, new Utf8()) as Vector,
    c_bool: vectorFromArray(bools, new Bool()) as Vector,
    c_date: vectorFromArray(days, new DateDay()) as Vector,
    c_ts: vectorFromArray(tss, new TimestampMicrosecond()) as Vector,
  });
  const one = new Table({ v: vectorFromArray(strs, new Utf8()) as Vector });
  // a type keel cannot load into the column (strings into an INTEGER column)
  const mismatch = new Table({ c_int: vectorFromArray(strs, new Utf8()) as Vector });
  return [
    { name: 'all.arrow', table: 'load_arrow', bytes: Buffer.from(tableToIPC(table, 'file')), rows: n },
    { name: 'all.arrows', table: 'load_arrow', bytes: Buffer.from(tableToIPC(table, 'stream')), rows: n },
    { name: 'one.arrow', table: 'load_one', bytes: Buffer.from(tableToIPC(one, 'file')), rows: n },
    { name: 'mismatch.arrow', table: 'load_arrow', bytes: Buffer.from(tableToIPC(mismatch, 'file')), rows: -1 },
  ];
}

/** Parquet files written by DuckDB: every load_t type, several compressions and row groups. */
export async function parquetSeeds(work: string): Promise<Seed[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const seeds: Seed[] = [];
  try {
    const select = `select (i * 7 - 20)::smallint as c_small, (i * 1000 - 5)::integer as c_int, (i * 123456789)::bigint as c_big, (i * 1.25 - 3)::decimal(10,2) as c_dec,
      (i / 4)::real as c_real, (i / 3)::double as c_dbl, (i % 2 = 0) as c_bool, case when i % 3 = 0 then null else 'c' || i end as c_char,
      'v' || i || 'é' as c_vc, date '2020-01-01' + (i * 30)::integer as c_date, timestamp '2021-01-01 10:00:00' + i * interval 1 hour as c_ts
      from range(0, 9) t(i)`;
    for (const [name, opts] of [
      ['snappy.parquet', "COMPRESSION snappy, ROW_GROUP_SIZE 4"],
      ['zstd.parquet', 'COMPRESSION zstd'],
      ['gzip.parquet', 'COMPRESSION gzip, ROW_GROUP_SIZE 2'],
      ['plain.parquet', 'COMPRESSION uncompressed'],
    ] as const) {
      const file = path.join(work, `seed-${name}`);
      await con.run(`copy (${select}) to '${file}' (FORMAT parquet, ${opts})`);
      seeds.push({ name, table: 'load_t', bytes: fs.readFileSync(file), rows: 9 });
      fs.rmSync(file);
    }
    const file = path.join(work, 'seed-one.parquet');
    await con.run(`copy (select case when i = 2 then null else 'x' || i end as v from range(0, 5) t(i)) to '${file}' (FORMAT parquet)`);
    seeds.push({ name: 'one.parquet', table: 'load_one', bytes: fs.readFileSync(file), rows: 5 });
    fs.rmSync(file);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
  return seeds;
}

export interface BinaryInput {
  readonly seed: number;
  readonly ops: readonly ByteOp[];
}

function binaryTarget(kind: 'arrow' | 'parquet'): Target<LoadContext, BinaryInput> {
  return {
    kind,
    setup: (work) => setupLoad(work),
    generate(rng, ctx) {
      const seeds = ctx.seeds[kind];
      return { seed: rng.int(0, seeds.length - 1), ops: rng.chance(0.08) ? [] : randomByteOps(rng) };
    },
    async run(ctx, input) {
      const seed = ctx.seeds[kind][input.seed]!;
      const file = path.join(ctx.work, `input-${seed.name}`);
      fs.writeFileSync(file, applyByteOps(seed.bytes, input.ops));
      try {
        const expected = input.ops.length === 0 && seed.rows >= 0 ? seed.rows : null;
        return await loadAndCheck(ctx, seed.table, file, {}, expected);
      } finally {
        fs.rmSync(file, { force: true });
      }
    },
    show: (i) => `${kind} seed ${i.seed} with ${JSON.stringify(i.ops)}`,
    parts: (input) => ({ items: input.ops, rebuild: (items) => ({ seed: input.seed, ops: items as ByteOp[] }) }),
    recover: recoverLoad,
    async teardown(ctx) {
      ctx.db.close();
    },
  };
}

export const arrowTarget = binaryTarget('arrow');
export const parquetTarget = binaryTarget('parquet');
