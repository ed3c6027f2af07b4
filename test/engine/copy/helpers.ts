/** Shared helpers for the COPY and UNLOAD tests: a fresh database, random typed rows, CSV text, DuckDB's reading of a file. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Database } from '../../../engine/database.js';
import { rng } from '../../helpers/random.js';

export function tmpDir(prefix = 'keel-copy-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function freshDb(dir = tmpDir()): Promise<Database> {
  return Database.open(path.join(dir, 'db'), { workers: 0 });
}

/** Every column type COPY and UNLOAD handle, with DuckDB's spelling of it. */
export const ALL_TYPES = [
  { name: 'i2', sql: 'smallint', duck: 'SMALLINT' },
  { name: 'i4', sql: 'integer', duck: 'INTEGER' },
  { name: 'i8', sql: 'bigint', duck: 'BIGINT' },
  { name: 'dec', sql: 'decimal(12,3)', duck: 'DECIMAL(12,3)' },
  { name: 'dbl', sql: 'double precision', duck: 'DOUBLE' },
  { name: 'flag', sql: 'boolean', duck: 'BOOLEAN' },
  { name: 'day', sql: 'date', duck: 'DATE' },
  { name: 'ts', sql: 'timestamp', duck: 'TIMESTAMP' },
  { name: 'tstz', sql: 'timestamptz', duck: 'TIMESTAMPTZ' },
  { name: 'txt', sql: 'varchar(40)', duck: 'VARCHAR' },
] as const;

export const ALL_TYPES_DDL = ALL_TYPES.map((c) => `${c.name} ${c.sql}`).join(', ');

const PIECES = ['a', 'b', ',', '|', '"', '\n', ' ', 'é', 'x y', '\\N', "'"];

/** One random text value (delimiters, quotes, line ends, blanks, non-ASCII), never empty. */
function text(r: () => number): string {
  let s = '';
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)]!;
  return s;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Random rows of ALL_TYPES as the text the loader reads (null for NULL); every fifth value or so is NULL. */
export function randomRows(seed: number, n: number): (string | null)[][] {
  const r = rng(seed);
  const rows: (string | null)[][] = [];
  for (let i = 0; i < n; i++) {
    const maybe = (v: string) => (r() < 0.15 ? null : v);
    const y = 1970 + Math.floor(r() * 80);
    const date = `${y}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`;
    const time = `${pad(Math.floor(r() * 24))}:${pad(Math.floor(r() * 60))}:${pad(Math.floor(r() * 60))}${r() < 0.5 ? '.' + String(Math.floor(r() * 1e6)).padStart(6, '0') : ''}`;
    rows.push([
      maybe(String(Math.floor(r() * 65535) - 32767)),
      maybe(String(Math.floor(r() * 4e9) - 2e9)),
      maybe(String(Math.floor((r() - 0.5) * 2 ** 52))),
      maybe(`${r() < 0.5 ? '-' : ''}${Math.floor(r() * 1e9)}.${String(Math.floor(r() * 1000)).padStart(3, '0')}`),
      maybe(String((r() - 0.5) * 10 ** Math.floor(r() * 20))),
      maybe(r() < 0.5 ? 't' : 'f'),
      maybe(date),
      maybe(`${date} ${time}`),
      maybe(`${date} ${time}+00`),
      r() < 0.1 ? '' : maybe(text(r)),
    ]);
  }
  return rows;
}

/** Rows as CSV: NULL the unquoted empty field, '' as "", quotes where needed. */
export function csvText(rows: readonly (readonly (string | null)[])[], delimiter = ','): string {
  const field = (v: string | null): string => {
    if (v === null) return '';
    if (v === '' || v === '\\N' || v.includes(delimiter) || v.includes('"') || v.includes('\n') || v.includes('\r')) return `"${v.replace(/"/g, '""')}"`;
    return v;
  };
  return rows.map((r) => r.map(field).join(delimiter) + '\n').join('');
}

/** DuckDB's reading of a query, every value as text (NULL as null); timestamptz printed in UTC. */
export async function duckRows(sql: string): Promise<(string | null)[][]> {
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  try {
    await duck.run(`SET TimeZone = 'UTC'`);
    return (await duck.runAndReadAll(sql)).getRowsJS().map((r) => r.map((v) => (v === null ? null : String(v))));
  } finally {
    duck.closeSync();
    instance.closeSync();
  }
}

/** A SELECT that prints ALL_TYPES columns of `from` as keel's textRows() does. */
export function duckTextSelect(from: string): string {
  const cols = ALL_TYPES.map((c) => {
    switch (c.duck) {
      case 'BOOLEAN':
        return `CASE WHEN ${c.name} THEN 'true' WHEN NOT ${c.name} THEN 'false' END`;
      case 'TIMESTAMPTZ':
        return `strftime(${c.name}, '%Y-%m-%d %H:%M:%S') || CASE WHEN microsecond(${c.name}) % 1000000 = 0 THEN '' ELSE rtrim('.' || lpad((microsecond(${c.name}) % 1000000)::VARCHAR, 6, '0'), '0') END || '+00'`;
      case 'DOUBLE':
        return `${c.name}`;
      default:
        return `${c.name}::VARCHAR`;
    }
  });
  return `SELECT ${cols.join(', ')} FROM ${from}`;
}
