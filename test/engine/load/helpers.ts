/** Shared helpers for the loader tests: temp files, column definitions, reading everything back. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { LoadError } from '../../../engine/errors.js';
import { readFile, type LoadOptions, type LoadedBatch } from '../../../engine/load/index.js';
import type { ColumnDef, SqlType, Vector } from '../../../engine/types.js';

export type Value = number | string | null;

export function tmpDir(prefix = 'keel-load-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A column from a short type spelling: "integer", "decimal(15,2)", "varchar(10)", "char(3)". */
export function col(name: string, type: string, notNull = false): ColumnDef {
  return { name, type: sqlType(type), notNull };
}

export function sqlType(spec: string): SqlType {
  const m = /^(\w+)(?:\((\d+)(?:,\s*(\d+))?\))?$/.exec(spec.trim());
  if (!m) throw new Error(`bad type ${spec}`);
  const id = m[1]!.toLowerCase();
  const a = m[2] === undefined ? undefined : Number(m[2]);
  const b = m[3] === undefined ? undefined : Number(m[3]);
  switch (id) {
    case 'decimal':
      return { id: 'decimal', precision: a ?? 18, scale: b ?? 0 };
    case 'char':
    case 'varchar':
      return a === undefined ? { id } : { id, length: a };
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'real':
    case 'double':
    case 'boolean':
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return { id };
    default:
      throw new Error(`bad type ${spec}`);
  }
}

/** Row i of a vector as a plain value (NULL → null; booleans stay 0/1). */
export function valueAt(v: Vector, i: number): Value {
  if (v.nulls && v.nulls[i]) return null;
  if (v.kind === 'str') return v.dict[v.codes[i]!]!;
  return v.values[i]!;
}

/** Reads a whole file into rows, checking the batch invariants on the way. */
export async function readRows(file: string, columns: readonly ColumnDef[], options: LoadOptions = {}): Promise<{ rows: Value[][]; batches: LoadedBatch[] }> {
  const rows: Value[][] = [];
  const batches: LoadedBatch[] = [];
  for await (const b of readFile(file, columns, options)) {
    checkBatch(b, columns);
    batches.push(b);
    for (let i = 0; i < b.length; i++) rows.push(b.columns.map((v) => valueAt(v, i)));
  }
  return { rows, batches };
}

/** Shapes every consumer relies on: one vector per column, right kind and length, valid codes. */
export function checkBatch(b: LoadedBatch, columns: readonly ColumnDef[]): void {
  expect(b.columns.length).toBe(columns.length);
  expect(b.length).toBeGreaterThan(0);
  for (const v of b.columns) {
    expect(v.length).toBe(b.length);
    if (v.nulls) expect(v.nulls.length).toBe(b.length);
    if (v.kind === 'str') {
      expect(v.codes.length).toBe(b.length);
      let bad = 0;
      for (let i = 0; i < v.length; i++) if (!(v.codes[i]! < v.dict.length)) bad++;
      expect(bad, 'string codes outside the dictionary').toBe(0);
    } else expect(v.values.length).toBe(b.length);
  }
  expect(b.bytesRead).toBeGreaterThanOrEqual(0);
  expect(b.bytesRead).toBeLessThanOrEqual(b.totalBytes);
}

/** Writes text to a file in dir and returns its path. */
export function write(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Expects reading to fail with a LoadError of this shape. */
export async function loadError(
  file: string,
  columns: readonly ColumnDef[],
  options: LoadOptions,
  want: { code: string; line?: number; column?: string; message?: string | RegExp },
): Promise<LoadError> {
  let caught: unknown;
  try {
    await readRows(file, columns, options);
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a LoadError').toBeInstanceOf(LoadError);
  const e = caught as LoadError;
  expect(e.code).toBe(want.code);
  expect(e.file).toBe(file);
  if ('line' in want) expect(e.line).toBe(want.line);
  if ('column' in want) expect(e.column).toBe(want.column);
  if (want.message !== undefined) {
    if (typeof want.message === 'string') expect(e.message).toContain(want.message);
    else expect(e.message).toMatch(want.message);
  }
  return e;
}

/** Days since epoch of a YYYY-MM-DD date (independent of the code under test). */
export function days(iso: string): number {
  return Date.parse(iso + 'T00:00:00Z') / 86_400_000;
}

/** Microseconds since epoch of an ISO timestamp (UTC), whole milliseconds plus extra micros. */
export function micros(iso: string, extraMicros = 0): number {
  return Date.parse(iso + 'Z') * 1000 + extraMicros;
}

/** The TPC-H schema shared with the other suites (../shared/tpch). */
export const TPCH_DIR = fileURLToPath(new URL('../../../../shared/tpch', import.meta.url));

/** Column definitions of a TPC-H table, from schema.sql. */
export function tpchColumns(table: string): ColumnDef[] {
  const sql = fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8');
  const m = new RegExp(`create table ${table}\\s*\\((.*)\\);`).exec(sql);
  if (!m) throw new Error(`no table ${table} in schema.sql`);
  return m[1]!.split(/,(?![^()]*\))/).map((def) => {
    const d = /^\s*(\w+)\s+(\w+(?:\(\d+(?:,\d+)?\))?)/.exec(def)!;
    return col(d[1]!, d[2]!, /not null/i.test(def));
  });
}
