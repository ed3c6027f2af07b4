/**
 * The column statistics one planning run reads (stats.ts: value ranges from
 * zone maps, distinct counts of dictionary-encoded strings), each looked up
 * once per table version and column, and what the rules ask of them: how many
 * distinct values key expressions over a planned subtree can take. A field
 * leads to its base column through `source`, for the tables this query scans.
 * A stats-only table (no segments; the planning catalog gives it imported
 * column statistics) answers from those instead (imported-column-stats.ts).
 */
import type { TableMeta } from '../catalog/catalog.js';
import { remapColumns, type Expr } from './expr.js';
import type { Field } from './physical.js';
import { columnDistinct, columnRange, type ColumnRange, type StatsSource } from './stats.js';
import { importedDistribution, importedRange, type ColumnDistribution } from './imported-column-stats.js';
import type { Planned } from './rules/context.js';

export class PlanStatistics {
  /** Tables scanned by this query, by name: where a field's `source` leads for statistics. */
  private readonly tables = new Map<string, TableMeta>();
  private readonly ranges = new Map<string, ColumnRange | null>();
  private readonly distincts = new Map<string, number | null>();

  /** `stats`: where column ranges come from (the data directory's segments); without it estimates use shape defaults only. */
  constructor(private readonly stats: StatsSource | null) {}

  /** A scanned table's column statistics; the table is then known to fields copied from it. */
  scanned(table: TableMeta): { range(column: number): ColumnRange | null; distinct(column: number): number | null; distribution(column: number): ColumnDistribution | null } {
    this.tables.set(table.name, table);
    return { range: (c) => this.range(table, c), distinct: (c) => this.distinct(table, c), distribution: (c) => importedDistribution(table, c) };
  }

  /**
   * At most how many distinct values the key expressions (over the relation's
   * logical fields) take in `p`: its unfiltered size, or less when the keys are
   * integral columns with a known range.
   */
  keyDomain(p: Planned, keys: readonly Expr[]): number {
    return Math.max(1, Math.min(p.base, this.rangeProduct(p, keys)));
  }

  /** The product of the key expressions' integral value ranges; Infinity when one is unknown. */
  rangeProduct(p: Planned, keys: readonly Expr[]): number {
    let prod = 1;
    for (const k of keys) {
      const m = remapColumns(k, (f) => p.pos.get(f) ?? -1);
      const f = m.k === 'col' && m.index >= 0 ? p.node.fields[m.index] : undefined;
      const r = this.fieldRange(f);
      prod *= r && r.integral ? r.max - r.min + 1 : (this.fieldDistinct(f) ?? Infinity);
    }
    return prod;
  }

  /** The value range of a base table column, when statistics are available. */
  private range(table: TableMeta, column: number): ColumnRange | null {
    if (table.importedColumns) return importedRange(table, column);
    if (!this.stats) return null;
    const key = `${table.id}:${table.version}:${table.segments.length}:${column}`;
    let r = this.ranges.get(key);
    if (r === undefined) {
      r = columnRange(this.stats, table, column);
      this.ranges.set(key, r);
    }
    return r;
  }

  /** The distinct values of a base table's string column, when few and statistics are available. */
  private distinct(table: TableMeta, column: number): number | null {
    if (table.importedColumns) return importedDistribution(table, column)?.distinct ?? null;
    if (!this.stats) return null;
    const key = `${table.id}:${table.version}:${table.segments.length}:${column}`;
    let d = this.distincts.get(key);
    if (d === undefined) {
      d = columnDistinct(this.stats, table, column);
      this.distincts.set(key, d);
    }
    return d;
  }

  /** Distinct values of the base string column a field is a copy of, when known. */
  private fieldDistinct(f: Field | undefined): number | null {
    if (!f?.source) return null;
    const t = this.tables.get(f.source.table);
    if (!t) return null;
    const c = t.columns.findIndex((x) => x.name === f.source!.column);
    return c < 0 ? null : this.distinct(t, c);
  }

  /** The range of the base column a field is a copy of. */
  private fieldRange(f: Field | undefined): ColumnRange | null {
    if (!f?.source) return null;
    const t = this.tables.get(f.source.table);
    if (!t) return null;
    const c = t.columns.findIndex((x) => x.name === f.source!.column);
    return c < 0 ? null : this.range(t, c);
  }
}
