/**
 * Statistics imported from another warehouse (a Redshift cluster's
 * SVV_TABLE_INFO, pg_stats and SYS_QUERY_DETAIL, read by `keel log import
 * --format redshift`): per table its rows, size, skew and layout, per column
 * its NULL fraction, distinct count, most common values and bounds, per query
 * its steps' rows and bytes. They live in one JSON file of the data directory
 * beside the catalog, not in it: they describe data keel does not hold, and no
 * commit of keel's own changes them.
 *
 * A table is stats-only when it holds no rows and imported statistics name
 * it: queries that read it are refused (an empty answer would be wrong),
 * while EXPLAIN and the advisor plan with the imported rows and layout
 * (`withImportedStats`). docs/redshift.md describes the flow.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeDurably } from '../storage/datadir.js';
import type { Catalog, DistStyle, TableMeta } from './catalog.js';

export const IMPORTED_STATS_FILE = 'imported-stats.json';
export const IMPORTED_STATS_FORMAT = 1;

export interface ImportedColumnStats {
  /** Fraction of rows that are NULL, 0 to 1. */
  readonly nullFrac: number;
  /** Distinct non-NULL values, as a count (pg_stats' negative n_distinct, a fraction of rows, is resolved on import). */
  readonly distinct: number | null;
  readonly mostCommonVals: readonly string[];
  readonly mostCommonFreqs: readonly number[];
  /** Smallest and largest value, as text; null when not exported. */
  readonly min: string | null;
  readonly max: string | null;
}

export interface ImportedTableStats {
  readonly rows: number;
  /** Encoded bytes, all slices and copies (SVV_TABLE_INFO.size is in 1 MB blocks; keel's export adds size_bytes). */
  readonly sizeBytes: number;
  readonly skewRows: number | null;
  /** As SVV_TABLE_INFO prints it: EVEN, ALL, KEY(c), AUTO(ALL), AUTO(EVEN), AUTO(KEY(c)); null when not exported. */
  readonly diststyle: string | null;
  readonly sortkey1: string | null;
  readonly unsorted: number | null;
  readonly columns: Readonly<Record<string, ImportedColumnStats>>;
}

/** One step of a query as SYS_QUERY_DETAIL records it. */
export interface ImportedStep {
  readonly segment: number;
  readonly step: number;
  /** scan, hash, hashjoin, mergejoin, nestloop, broadcast, distribute, aggregate, sort, ... */
  readonly name: string;
  readonly table: string | null;
  readonly inputRows: number;
  readonly inputBytes: number;
  readonly outputRows: number;
  readonly outputBytes: number;
  readonly blocksRead: number;
}

export interface ImportedStats {
  readonly format: typeof IMPORTED_STATS_FORMAT;
  readonly tables: Readonly<Record<string, ImportedTableStats>>;
  /** Steps by the query's id in the cluster (SYS_QUERY_HISTORY.query_id), in segment and step order. */
  readonly queries: Readonly<Record<string, readonly ImportedStep[]>>;
}

export function emptyImportedStats(): ImportedStats {
  return { format: IMPORTED_STATS_FORMAT, tables: {}, queries: {} };
}

/** The data directory's imported statistics, or null when none were imported. */
export function readImportedStats(dir: string): ImportedStats | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, IMPORTED_STATS_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const parsed = JSON.parse(text) as ImportedStats;
  return parsed.format === IMPORTED_STATS_FORMAT ? parsed : null;
}

export function writeImportedStats(dir: string, stats: ImportedStats): void {
  writeDurably(path.join(dir, IMPORTED_STATS_FILE), JSON.stringify(stats));
}

/** Whether the table is stats-only: no rows of its own, and imported statistics for it. */
export function isStatsOnly(t: Pick<TableMeta, 'name' | 'rows'>, stats: ImportedStats | null): boolean {
  return t.rows === 0 && stats !== null && stats.tables[t.name] !== undefined;
}

/** The style an SVV_TABLE_INFO diststyle places rows by: AUTO(KEY(c)) and KEY(c) by c, and so on; null when unreadable. */
export function parseDistStyle(text: string): { style: DistStyle; key: string | null; auto: boolean } | null {
  const t = text.trim();
  const auto = /^AUTO\((.*)\)$/i.exec(t);
  const inner = auto ? auto[1]!.trim() : t;
  const key = /^KEY\((.+)\)$/i.exec(inner);
  if (key) return { style: 'key', key: key[1]!.trim().replace(/^"|"$/g, '').toLowerCase(), auto: !!auto };
  const word = inner.toLowerCase();
  if (word === 'even' || word === 'all') return { style: word, key: null, auto: !!auto };
  return null;
}

/**
 * The catalog as planning sees a cluster's tables: every stats-only table
 * with the imported row count and, when it is AUTO, the style the cluster's
 * AUTO resolved to (keel's own AUTO would place an empty table ALL), and its
 * imported column statistics for the planner's selectivities. Never
 * committed: storage keeps writing the table's own (empty) state.
 */
export function withImportedStats(catalog: Catalog, stats: ImportedStats | null): Catalog {
  if (!stats) return catalog;
  let tables: Record<string, TableMeta> | null = null;
  for (const t of Object.values(catalog.tables)) {
    if (!isStatsOnly(t, stats)) continue;
    const s = stats.tables[t.name]!;
    const layout = s.diststyle ? parseDistStyle(s.diststyle) : null;
    const keyOk = layout?.style !== 'key' || t.columns.some((c) => c.name === layout.key);
    const placed = t.distAuto && layout && keyOk ? { distStyle: layout.style, distKey: layout.key } : {};
    (tables ??= { ...catalog.tables })[t.name] = { ...t, ...placed, rows: Math.max(0, Math.round(s.rows)), importedColumns: s.columns };
  }
  return tables ? { ...catalog, tables } : catalog;
}

/** What one file of an import says of a table: SVV_TABLE_INFO its size and layout, pg_stats its columns. */
export type ImportedTablePart = Partial<Omit<ImportedTableStats, 'columns'>> & { readonly columns?: Readonly<Record<string, ImportedColumnStats>> };

const NO_TABLE: ImportedTableStats = { rows: 0, sizeBytes: 0, skewRows: null, diststyle: null, sortkey1: null, unsorted: null, columns: {} };

/** Merges a later import over an earlier one: the fields, columns and queries the later names replace the earlier's. */
export function mergeImportedStats(a: ImportedStats, b: { tables?: Readonly<Record<string, ImportedTablePart>>; queries?: ImportedStats['queries'] }): ImportedStats {
  const tables: Record<string, ImportedTableStats> = { ...a.tables };
  for (const [name, t] of Object.entries(b.tables ?? {})) {
    const before = tables[name] ?? NO_TABLE;
    tables[name] = { ...before, ...t, columns: { ...before.columns, ...(t.columns ?? {}) } };
  }
  return { format: IMPORTED_STATS_FORMAT, tables, queries: { ...a.queries, ...(b.queries ?? {}) } };
}
