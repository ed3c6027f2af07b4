/** Shared pieces of the workload-log tests: temporary directories, TPC-H data, collected warnings, synthetic records. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Database } from '../../index.js';
import type { LogRecord } from '../../workload-log/index.js';

/** ../shared/tpch beside the project's root, wherever it is cloned. */
export const TPCH = path.resolve(__dirname, '../../../shared/tpch');
export const TPCH_TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'] as const;

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `keel-${prefix}-`));
}

/** Creates the TPC-H schema and loads SF 0.01 from the shared material. */
export async function loadTpch(db: Database): Promise<void> {
  await db.execute(fs.readFileSync(path.join(TPCH, 'schema.sql'), 'utf8'));
  for (const t of TPCH_TABLES) await db.load(t, path.join(TPCH, 'sf0.01', `${t}.tbl.gz`), { delimiter: '|' });
}

export function warnings(): { warn: (m: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { warn: (m) => messages.push(m), messages };
}

const BASE_MS = Date.now() - 86_400_000;

/** A synthetic record: one scan of `table` with the given predicates, and optional joins; record n started n seconds after a day ago. */
export function record({ n = 0, ...over }: Partial<LogRecord> & { n?: number } = {}): LogRecord {
  return {
    version: 1,
    id: `r${n}`,
    startTime: new Date(BASE_MS + n * 1000).toISOString(),
    durationMs: 10,
    user: 'u',
    session: 's',
    sql: `select * from t where a = ${n}`,
    fingerprint: 'select * from t where a = ?',
    command: 'SELECT',
    status: 'ok',
    error: null,
    rowsReturned: 1,
    rowsMoved: 0,
    bytesMoved: 0,
    blocksTotal: 2,
    blocksScanned: 1,
    blocksSkipped: 1,
    scans: [
      {
        table: 't',
        columns: ['a', 'b'],
        predicates: [{ column: 'a', op: '=', literal: String(n), estSelectivity: 0.1, actualSelectivity: 0.05 }],
        blocksTotal: 2,
        blocksScanned: 1,
        blocksSkipped: 1,
        rowsScanned: 100,
        rowsOut: 5,
      },
    ],
    joins: [],
    groupBy: [],
    orderBy: [],
    source: 'api',
    ...over,
  };
}
