/**
 * System tables: read-only relations computed when a query reads them. The
 * engine provides svv_table_info; other layers (the workload log) register
 * their own through Database.registerSystemTable.
 */
import type { Batch } from '../types.js';
import type { Field, ZonePredicate } from '../plan/physical.js';
import { batchFromRows, type PhysicalValue } from '../rows.js';
import type { Catalog } from './catalog.js';
import { describeDistStyle, isInterleaved, visibleRows } from './catalog.js';
import { rowsPerSlice, storedBytes } from '../storage/tables.js';
import { statsOff, unsortedPercent, vacuumSortBenefit, type FooterOf } from '../storage/table-health.js';

export interface SystemTable {
  readonly name: string;
  readonly fields: readonly Field[];
  /**
   * The rows, computed when a query is planned: only the columns it reads
   * (`columns`: indexes into fields, in that order), so a query over a large
   * table (the workload log's) pays for the columns it uses, not for all of
   * them. `zone` (column: an index into fields) lets the table skip parts of
   * its rows that cannot match, as a scan's zone maps skip blocks; the query
   * still applies its own filter to every row returned.
   */
  read(catalog: Catalog, columns: readonly number[], zone: readonly ZonePredicate[]): readonly Batch[];
}

/** A small system table computed whole, as rows of values; a query gets the columns it reads. */
export function rowsTable(name: string, fields: readonly Field[], rows: (catalog: Catalog) => PhysicalValue[][]): SystemTable {
  return {
    name,
    fields,
    read(catalog, columns) {
      const all = batchFromRows(fields.map((f) => f.type), rows(catalog));
      return [{ length: all.length, columns: columns.map((c) => all.columns[c]!) }];
    },
  };
}

const VARCHAR = { id: 'varchar', length: 256 } as const;
const BIGINT = { id: 'bigint' } as const;
const DOUBLE = { id: 'double' } as const;
const INTEGER = { id: 'integer' } as const;

/**
 * svv_table_info, as in Redshift: one row per table. size_bytes is the encoded
 * size as the cluster holds it (an ALL table once per slice); skew_rows is the
 * rows on the fullest slice over the rows on the emptiest (NULL when a slice is
 * empty); unsorted is the percent of rows outside each slice's sorted run
 * (NULL without a sort key). tbl_rows counts rows marked deleted but not yet
 * vacuumed away, estimated_visible_rows only those a query sees. sortkey1 is the first sort-key column, or
 * 'INTERLEAVED' for an interleaved key, which has no first column (Redshift
 * shows that word there too); sortkey_num counts the key's columns either way.
 * stats_off and vacuum_sort_benefit are defined in storage/table-health.ts;
 * the benefit reads the segments' footers through `footerOf`.
 */
export function svvTableInfo(footerOf: FooterOf): SystemTable {
  return rowsTable(
    'svv_table_info',
    [
      { name: 'table_id', type: INTEGER },
      { name: 'table', type: VARCHAR },
      { name: 'diststyle', type: VARCHAR },
      { name: 'sortkey1', type: VARCHAR },
      { name: 'sortkey_num', type: INTEGER },
      { name: 'encoded', type: VARCHAR },
      { name: 'tbl_rows', type: BIGINT },
      { name: 'estimated_visible_rows', type: BIGINT },
      { name: 'size_bytes', type: BIGINT },
      { name: 'skew_rows', type: DOUBLE },
      { name: 'unsorted', type: DOUBLE },
      { name: 'stats_off', type: DOUBLE },
      { name: 'vacuum_sort_benefit', type: DOUBLE },
      { name: 'version', type: INTEGER },
    ],
    (catalog) =>
      Object.values(catalog.tables)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((t): PhysicalValue[] => {
          const perSlice = rowsPerSlice(catalog, t);
          const max = Math.max(...perSlice);
          const min = Math.min(...perSlice);
          const skew = t.rows === 0 || min === 0 ? null : Math.round((max / min) * 100) / 100;
          const unsorted = unsortedPercent(t);
          const benefit = vacuumSortBenefit(t, footerOf);
          return [
            t.id,
            t.name,
            describeDistStyle(t),
            isInterleaved(t) ? 'INTERLEAVED' : (t.sortKey[0] ?? null),
            t.sortKey.length,
            t.columns.some((c) => c.encoding !== 'raw') ? 'Y' : 'N',
            t.rows,
            visibleRows(t),
            storedBytes(catalog, t),
            skew,
            round2(unsorted),
            round2(statsOff(t)),
            round2(benefit),
            t.version,
          ];
        }),
  );
}

/** Redshift shows these columns as numeric(5,2). */
function round2(x: number | null): number | null {
  return x === null ? null : Math.round(x * 100) / 100;
}
