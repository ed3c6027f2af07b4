/**
 * Loads the TPC-DS-shaped tables of tpcds-data.ts into a keel database (in a
 * chosen layout) and into DuckDB, the same rows in both.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database } from '../../engine/index.js';
import { batchFromRows, type PhysicalValue } from '../../engine/rows.js';
import { parseDate, type SqlType } from '../../engine/types.js';
import type { DuckOracle } from './oracle.js';
import { tpcdsDdl, type Plain, type TpcdsTable } from './tpcds-data.js';

export type TpcdsTableLayout = { readonly style: 'even' | 'all' } | { readonly style: 'key'; readonly key: string; readonly sortKey?: string };

function keelDdl(t: TpcdsTable, l: TpcdsTableLayout): string {
  const base = tpcdsDdl(t);
  if (l.style !== 'key') return `${base} diststyle ${l.style}`;
  return `${base} diststyle key distkey(${l.key})${l.sortKey ? ` sortkey(${l.sortKey})` : ''}`;
}

function physical(v: Plain, t: SqlType): PhysicalValue {
  if (v === null) return null;
  if (t.id === 'decimal') return Math.round(Number(v) * 10 ** (t.scale ?? 0));
  if (t.id === 'date') return parseDate(String(v));
  return v;
}

export async function loadTpcdsKeel(db: Database, tables: readonly TpcdsTable[], layout: (t: TpcdsTable) => TpcdsTableLayout): Promise<void> {
  for (const t of tables) {
    await db.execute(keelDdl(t, layout(t)));
    const types = db.tableOrThrow(t.name).columns.map((col) => col.type);
    const batches = function* (): Generator<ReturnType<typeof batchFromRows>> {
      for (let i = 0; i < t.rows.length; i += 4096) yield batchFromRows(types, t.rows.slice(i, i + 4096).map((row) => row.map((v, c) => physical(v, types[c]!))));
    };
    await db.append(t.name, batches(), t.rows.length);
  }
}

/** `tmp`: a directory for the tab-separated files DuckDB copies from. */
export async function loadTpcdsDuck(duck: DuckOracle, tables: readonly TpcdsTable[], tmp: string): Promise<void> {
  for (const t of tables) {
    await duck.run(tpcdsDdl(t));
    const file = path.join(tmp, `${t.name}.tsv`);
    fs.writeFileSync(file, t.rows.map((row) => row.map((v) => (v === null ? '\\N' : String(v))).join('\t')).join('\n') + '\n');
    await duck.run(`COPY ${t.name} FROM '${file}' (DELIMITER '\t', HEADER false, NULLSTR '\\N', QUOTE '', ESCAPE '')`);
  }
}
