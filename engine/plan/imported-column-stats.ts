/**
 * A stats-only table's imported column statistics (pg_stats: NULL fraction,
 * distinct count, most common values with their frequencies, min and max) in
 * the planner's terms: the value range of stats.ts, and the distribution
 * estimate.ts reads equality and NULL tests by, values in physical form.
 * Only tables the planning catalog marks (TableMeta.importedColumns) have them;
 * a table with rows plans from its own zone maps.
 */
import type { TableMeta } from '../catalog/catalog.js';
import type { ImportedColumnStats } from '../catalog/imported-stats.js';
import { physicalFromText, type SqlType } from '../types.js';
import type { ColumnRange } from './stats.js';

/** How a column's non-NULL values are spread, as pg_stats describes them. */
export interface ColumnDistribution {
  readonly nullFrac: number;
  /** Distinct non-NULL values. */
  readonly distinct: number;
  /** The most common values (physical) and the fraction of all rows each holds. */
  readonly common: ReadonlyMap<number | string, number>;
  /** The common values' fractions, summed. */
  readonly commonTotal: number;
}

const INTEGRAL = new Set(['smallint', 'integer', 'bigint', 'date', 'decimal', 'timestamp', 'timestamptz']);

/** Text as a physical value, integral types rounded (a scaled decimal's product is not always exact); null when unreadable. */
function physical(text: string, type: SqlType): number | string | null {
  const v = physicalFromText(text, type);
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return null;
  return INTEGRAL.has(type.id) ? Math.round(v) : v;
}

/** The imported statistics of a stats-only table's column, with its type; null when none. */
function importedOf(table: TableMeta, column: number): { s: ImportedColumnStats; type: SqlType } | null {
  const meta = table.columns[column];
  const s = meta && table.segments.length === 0 ? table.importedColumns?.[meta.name] : undefined;
  return s && meta ? { s, type: meta.type } : null;
}

/** A numeric column's [min, max] from the imported bounds; null for strings, booleans or missing bounds. */
export function importedRange(table: TableMeta, column: number): ColumnRange | null {
  const x = importedOf(table, column);
  if (!x || x.s.min === null || x.s.max === null) return null;
  const min = physical(x.s.min, x.type);
  const max = physical(x.s.max, x.type);
  if (typeof min !== 'number' || typeof max !== 'number' || !(min <= max)) return null;
  return { min, max, integral: INTEGRAL.has(x.type.id) };
}

/** The column's distribution from its imported statistics; null without a distinct count. */
export function importedDistribution(table: TableMeta, column: number): ColumnDistribution | null {
  const x = importedOf(table, column);
  if (!x || x.s.distinct === null) return null;
  const common = new Map<number | string, number>();
  x.s.mostCommonVals.forEach((text, i) => {
    const v = physical(text, x.type);
    const f = x.s.mostCommonFreqs[i];
    if (v !== null && f !== undefined && f > 0) common.set(v, (common.get(v) ?? 0) + f);
  });
  let commonTotal = 0;
  for (const f of common.values()) commonTotal += f;
  return { nullFrac: Math.min(1, Math.max(0, x.s.nullFrac)), distinct: Math.max(1, x.s.distinct, common.size), common, commonTotal };
}

/**
 * Fraction of rows equal to one of `values` (distinct, physical), or with
 * `negated` to none of them (NULLs pass neither): a common value keeps its
 * own frequency, any other an equal share of what the common ones leave.
 */
export function equalitySelectivity(d: ColumnDistribution, values: readonly (number | string)[], negated: boolean): number {
  const nonNull = 1 - d.nullFrac;
  const others = Math.max(0, nonNull - d.commonTotal) / Math.max(1, d.distinct - d.common.size);
  let s = 0;
  for (const v of new Set(values)) s += d.common.get(v) ?? others;
  s = Math.min(nonNull, s);
  return negated ? Math.max(0, nonNull - s) : s;
}
