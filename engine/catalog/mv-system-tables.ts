/**
 * The materialized views' system tables, with Redshift's names and columns
 * first and keel's additions after them:
 *
 *  - svv_mv_info: one row per view. is_stale is 't' when a base table changed
 *    since the last refresh; state is Redshift's code for how the next refresh
 *    runs (1 incremental, 0 a full recompute; engine/matview/shape.ts decides).
 *    keel adds the stored table, its rows, the last refresh's time and kind,
 *    and why a view refreshes in full.
 *  - svl_mv_refresh_status: the latest refreshes of each view (the catalog
 *    keeps MAX_REFRESH_ENTRIES of them), with Redshift's status texts; keel
 *    adds the kind ('full', 'incremental', 'unchanged'), the trigger, and the
 *    base rows read.
 */
import type { Field } from '../plan/physical.js';
import type { PhysicalValue } from '../rows.js';
import type { Catalog, MaterializedViewMeta, RefreshEntry } from './catalog.js';
import { materializedViews } from './catalog.js';
import { rowsTable, type SystemTable } from './system-tables.js';
import { SCHEMA } from './schema-views.js';
import { isFresh, viewQuery } from '../matview/refresh.js';
import { viewShape } from '../matview/shape.js';

const TEXT = { id: 'varchar', length: 256 } as const;
const FLAG = { id: 'char', length: 1 } as const;
const INTEGER = { id: 'integer' } as const;
const BIGINT = { id: 'bigint' } as const;
const TIMESTAMP = { id: 'timestamp' } as const;

const micros = (ms: number) => ms * 1000;
const flag = (b: boolean) => (b ? 't' : 'f');

/** How the view's next refresh runs, and why it recomputes in full when it does (null when incremental). */
function fullReason(mv: MaterializedViewMeta, catalog: Catalog): string | null {
  try {
    const shape = viewShape(viewQuery(mv.sql), catalog);
    return shape.kind === 'full' ? shape.reason : null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const MV_INFO_FIELDS: Field[] = [
  { name: 'database_name', type: TEXT },
  { name: 'schema_name', type: TEXT },
  { name: 'user_name', type: TEXT },
  { name: 'name', type: TEXT },
  { name: 'is_stale', type: FLAG },
  { name: 'state', type: INTEGER },
  { name: 'autorewrite', type: FLAG },
  { name: 'autorefresh', type: FLAG },
  { name: 'table_name', type: TEXT },
  { name: 'rows', type: BIGINT },
  { name: 'last_refresh', type: TIMESTAMP },
  { name: 'refresh_kind', type: TEXT },
  { name: 'full_refresh_reason', type: TEXT },
];

export function svvMvInfo(database: () => string): SystemTable {
  return rowsTable('svv_mv_info', MV_INFO_FIELDS, (catalog) =>
    Object.values(materializedViews(catalog))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((mv): PhysicalValue[] => {
        const reason = fullReason(mv, catalog);
        // the last refresh that did something: an 'unchanged' one leaves the kind of the one before it
        const last = [...mv.refreshes].reverse().find((r) => r.kind !== 'unchanged') ?? mv.refreshes[mv.refreshes.length - 1]!;
        return [
          database(),
          SCHEMA,
          mv.owner,
          mv.name,
          flag(!isFresh(mv, catalog)),
          reason === null ? 1 : 0,
          // every view can answer the queries it matches exactly while it is fresh (matview/rewrite.ts)
          flag(true),
          flag(mv.autoRefresh),
          mv.table,
          catalog.tables[mv.table]?.rows ?? 0,
          micros(mv.refreshes[mv.refreshes.length - 1]!.endedAt),
          last.kind,
          reason,
        ];
      }),
  );
}

/** Redshift's status text for a refresh. */
function statusText(r: RefreshEntry): string {
  switch (r.kind) {
    case 'full':
      return r.trigger === 'create' ? 'MV was created and computed' : 'Refresh successfully recomputed MV from scratch';
    case 'incremental':
      return 'Refresh successfully updated MV incrementally';
    case 'unchanged':
      return 'MV was already updated';
  }
}

const REFRESH_FIELDS: Field[] = [
  { name: 'db_name', type: TEXT },
  { name: 'schema_name', type: TEXT },
  { name: 'mv_name', type: TEXT },
  { name: 'starttime', type: TIMESTAMP },
  { name: 'endtime', type: TIMESTAMP },
  { name: 'status', type: TEXT },
  { name: 'refresh_type', type: TEXT },
  { name: 'kind', type: TEXT },
  { name: 'rows_read', type: BIGINT },
  { name: 'rows', type: BIGINT },
];

export function svlMvRefreshStatus(database: () => string): SystemTable {
  return rowsTable('svl_mv_refresh_status', REFRESH_FIELDS, (catalog) =>
    Object.values(materializedViews(catalog)).flatMap((mv) =>
      mv.refreshes.map((r): PhysicalValue[] => [
        database(),
        SCHEMA,
        mv.name,
        micros(r.startedAt),
        micros(r.endedAt),
        statusText(r),
        // Redshift's words: Manual for REFRESH, Auto for a refresh it started
        r.trigger === 'auto' ? 'Auto' : r.trigger === 'create' ? 'Create' : 'Manual',
        r.kind,
        r.rowsRead,
        r.rows,
      ]),
    ),
  );
}
