/**
 * The catalog: what tables and views exist, their layout, and which immutable
 * segment files hold each table's current version. It is one JSON document,
 * replaced atomically on every change (see datadir.ts), so a reader always sees
 * a whole version of every table and never a mix.
 */
import type { ColumnDef } from '../types.js';
import type { EncodingId } from '../storage/codecs/codec.js';
import type { RelationAccess, UserMeta } from './users.js';
import type { ImportedColumnStats } from './imported-stats.js';

/**
 * The data format, in the KEEL marker and the catalog's `format`.
 * 4: the catalog may hold materialized views (`materializedViews`), whose
 *    rows are in tables named mv_tbl__<view>__0 that only REFRESH may change,
 *    and whose records keep segment files their tables let go. A keel that
 *    ignored them would let those tables be written and the views' files be
 *    swept, so keels of format 3 and before must refuse the directory. The
 *    last keels of format 3 wrote `materializedViews` already, under format
 *    3: a reader of format 4 reads a catalog of format 3 as one of format 4
 *    (a view recorded without base segments refreshes in full once).
 * 3: a segment's catalog entry may name a delete vector (`deletes`) and the
 *    column ids its file holds (`columns`, after ADD or DROP COLUMN). A keel
 *    that ignored them would show deleted rows or misread columns, so keels
 *    of format 2 and before must refuse the directory (VERSION, from the marker).
 * 2: the catalog carries a checksum and segment footers record their
 *    placement (storage/integrity.ts). The last keels of format 2 wrote
 *    `deletes` and `columns` already, under format 2: a reader of format 3
 *    reads a catalog of format 2 as one of format 3.
 * 1: written by keels before checksums.
 * Formats 1 to 3 are read, and upgraded to the current one by the next commit.
 */
export const CATALOG_FORMAT = 4;
/** The first format whose catalog carries a checksum. */
export const SEALED_CATALOG_FORMAT = 2;
export const LEGACY_CATALOG_FORMAT = 1;

/** How a table's rows are placed on slices. */
export type DistStyle = 'even' | 'key' | 'all';

export interface ColumnMeta extends ColumnDef {
  /** The codec for this column, or 'auto' to pick the smallest per block. */
  readonly encoding: EncodingId | 'auto';
  /** True when the user wrote ENCODE in DDL: the advisor recommends but does not apply. */
  readonly encodingExplicit: boolean;
  /**
   * Stable id of the column within its table, which segment entries name
   * (SegmentMeta.columns). Absent in tables whose columns were never added,
   * dropped or renamed: the id is then the column's position.
   */
  readonly id?: number;
  /**
   * DEFAULT value, as its vector holds it (numbers for i32/f64/bool, the text
   * for strings); absent means NULL. Rows written before the column was added
   * read it (storage/segment-columns.ts), and INSERTs that omit the column.
   */
  readonly default?: number | string;
  /**
   * IDENTITY(seed, step) as the DDL wrote it: kept so the table's DDL reads
   * back the same; keel does not generate the values (an INSERT must give
   * them: docs/sql.md, "DDL from Redshift").
   */
  readonly identity?: { readonly seed: number; readonly step: number };
}

export interface SegmentMeta {
  /** File name inside the table's folder. */
  readonly file: string;
  /** Slice that owns the rows; -1 for the single physical copy of a DISTSTYLE ALL table. */
  readonly slice: number;
  readonly rows: number;
  /** Encoded bytes of the file (all columns, blocks and footer). */
  readonly bytes: number;
  /**
   * Rows deleted since the segment was written: their positions are in the
   * delete vector `file` (storage/deletes.ts), `rows` of them (at least one,
   * fewer than the segment's rows: a segment whose every row is deleted
   * leaves the catalog). Absent when none is.
   */
  readonly deletes?: { readonly file: string; readonly rows: number };
  /**
   * Ids (ColumnMeta.id) of the columns the file holds, in the file's order,
   * set when ADD or DROP COLUMN changed the table's columns after the file
   * was written (storage/segment-columns.ts maps them). Absent when the file
   * holds exactly the table's columns, in order.
   */
  readonly columns?: readonly number[];
}

/** owner and acl (RelationAccess, users.ts): absent in catalogs written before users, and for the directory owner's tables without grants. */
export interface TableMeta extends RelationAccess {
  readonly id: number;
  readonly name: string;
  readonly columns: readonly ColumnMeta[];
  /** The style rows are placed by now. */
  readonly distStyle: DistStyle;
  readonly distKey: string | null;
  /** AUTO: the engine chose the style and the advisor may change it. */
  readonly distAuto: boolean;
  /**
   * AUTO with a style the advisor chose (an apply with keepAuto): the
   * small-table rule (ALL up to autoAllMaxRows, EVEN beyond) no longer changes
   * it on appends. Absent or false: the rule applies.
   */
  readonly distPinned?: boolean;
  /** Sort key column names, in order; empty for none. */
  readonly sortKey: readonly string[];
  /**
   * How the sort key orders rows: 'interleaved' by z-value, every column with
   * equal weight (storage/zorder.ts); absent or 'compound' column by column.
   * Absent in catalogs written before interleaved keys, and for compound keys,
   * so those read and write unchanged.
   */
  readonly sortStyle?: 'compound' | 'interleaved';
  readonly sortAuto: boolean;
  /** Incremented by every rewrite; segment files are named after it. */
  readonly version: number;
  readonly segments: readonly SegmentMeta[];
  readonly rows: number;
  /** Next slice for EVEN round-robin placement, so appends continue the rotation. */
  readonly evenCursor: number;
  /** Sequence for segment file names within this table. */
  readonly nextSegment: number;
  /** Milliseconds since epoch of the last change. */
  readonly modifiedAt: number;
  /**
   * Rows inserted or deleted over the table's life (a monotone counter that
   * appends, deletes and truncates raise and rewrites keep): how far the
   * statistics are off is how much it grew since ANALYZE. Absent in catalogs
   * written before it: 0.
   */
  readonly changedRows?: number;
  /** What the last ANALYZE found; absent for a table never analyzed. */
  readonly stats?: TableStats;
  /**
   * A stats-only table's imported column statistics (pg_stats), set only in
   * the planning catalog (imported-stats.ts withImportedStats) so the
   * planner's selectivities read them; never in a committed catalog.
   */
  readonly importedColumns?: Readonly<Record<string, ImportedColumnStats>>;
}

/** Table statistics, as ANALYZE computes them (engine/statements/maintenance.ts). */
export interface TableStats {
  /** Milliseconds since epoch of the ANALYZE. */
  readonly analyzedAt: number;
  /** Rows a query saw when it ran. */
  readonly rows: number;
  /** The table's changedRows when it ran. */
  readonly changedRows: number;
  readonly columns: readonly ColumnStats[];
}

export interface ColumnStats {
  readonly name: string;
  readonly nulls: number;
  /** Distinct non-NULL values, estimated (HyperLogLog). */
  readonly distinct: number;
  /** Smallest and largest non-NULL value in physical form (numbers, day or microsecond counts, strings); null when none. */
  readonly min: number | string | null;
  readonly max: number | string | null;
}

export interface ViewMeta extends RelationAccess {
  readonly name: string;
  readonly sql: string;
  readonly columns: readonly string[] | null;
  /** Created WITH NO SCHEMA BINDING: depends on no table until queried (DROP COLUMN does not look at it). */
  readonly lateBinding?: boolean;
}

/**
 * What a base table of a materialized view held when the view was last
 * computed. Appends keep a table's id and version and raise its nextSegment
 * (the new rows are in the segments numbered from the recorded nextSegment
 * on); deletes, updates, truncates and rewrites raise its version.
 */
export interface BaseTableState {
  readonly name: string;
  readonly id: number;
  readonly version: number;
  readonly nextSegment: number;
  /**
   * The table's segments as the view reflects them, with their delete
   * vectors: a refresh finds the rows deleted since (engine/matview/changes.ts)
   * by comparing them with the table's, and reads those rows from these files,
   * which stay on disk while a view names them (storage/datadir.ts liveFiles).
   * Absent in views refreshed before deletes were applied incrementally.
   */
  readonly segments?: readonly SegmentMeta[];
}

/** How a refresh brought a materialized view up to date (svl_mv_refresh_status). */
export type RefreshKind = 'full' | 'incremental' | 'unchanged';

export interface RefreshEntry {
  /** Milliseconds since epoch. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly kind: RefreshKind;
  /** CREATE, a REFRESH statement, or an automatic refresh after a change to a base table. */
  readonly trigger: 'create' | 'manual' | 'auto';
  /** Rows of base tables the refresh read: all of them for a full one, the new ones for an incremental one. */
  readonly rowsRead: number;
  /** Rows the view holds after it. */
  readonly rows: number;
}

/**
 * A materialized view: its defining query, and the keel table that stores its
 * rows (Redshift's mv_tbl__<name>__0), whose layout the advisor tunes like any
 * table's. The table's first columns are the view's; after them come the
 * states an incremental refresh merges that the view does not show (the sum
 * and count behind each AVG), engine/matview/shape.ts.
 */
export interface MaterializedViewMeta extends Pick<RelationAccess, 'acl'> {
  readonly name: string;
  readonly sql: string;
  /** The name of the table that holds the rows. */
  readonly table: string;
  /** The view's column names: the table's first columns. */
  readonly columns: readonly string[];
  readonly autoRefresh: boolean;
  /** Who created it (svv_mv_info's user_name). */
  readonly owner: string;
  /** The base tables as the stored rows reflect them. */
  readonly base: readonly BaseTableState[];
  /** Milliseconds since epoch. */
  readonly createdAt: number;
  /** The latest refreshes, newest last (at most MAX_REFRESH_ENTRIES); the first is the CREATE's. */
  readonly refreshes: readonly RefreshEntry[];
  /**
   * Set on a view the advisor created on its own (Redshift's AutoMV): only such
   * views may the advisor drop. Absent on a user's view and in catalogs written
   * before it (catalog/auto-views.ts).
   */
  readonly auto?: true;
}

/** Refreshes a view keeps in its record: enough to see its recent pattern, small enough for the catalog document. */
export const MAX_REFRESH_ENTRIES = 20;

export interface Catalog {
  readonly format: number;
  readonly slices: number;
  /** Rows per block; fixed for the life of a data directory. */
  readonly blockRows: number;
  /** AUTO tables with at most this many rows are placed ALL, larger ones EVEN. */
  readonly autoAllMaxRows: number;
  /** Incremented by every committed change; readers use it to notice changes. */
  readonly generation: number;
  readonly nextTableId: number;
  readonly tables: Readonly<Record<string, TableMeta>>;
  readonly views: Readonly<Record<string, ViewMeta>>;
  /** Absent in catalogs written before materialized views: none. */
  readonly materializedViews?: Readonly<Record<string, MaterializedViewMeta>>;
  /**
   * Who may log in over the network (engine/catalog/users.ts), by name.
   * Absent in catalogs written before users: none. Additive: a keel that
   * ignores it serves no user and reads every table as before.
   */
  readonly users?: Readonly<Record<string, UserMeta>>;
  /** The id the next user gets; absent: FIRST_USER_ID. */
  readonly nextUserId?: number;
  /**
   * Files a change made obsolete (paths relative to the data directory) and when.
   * They stay on disk for a grace period, so a reader in another process that
   * started on the old version can finish on it; a later writer removes them.
   */
  readonly retired?: readonly RetiredFile[];
}

export interface RetiredFile {
  readonly file: string;
  /** Milliseconds since epoch of the commit that retired it. */
  readonly at: number;
}

/**
 * 16,384 rows per block. Large enough that the per-block work (footer entry, zone
 * map check, one dispatch per batch into compiled loops) is amortized over many
 * rows in JavaScript; small enough that a block of 8-byte values (128 KiB) stays in
 * L2 cache while operators run over it, and that a 100,000-row table still has
 * several blocks per slice for zone maps to prune.
 */
export const DEFAULT_BLOCK_ROWS = 16_384;

/**
 * AUTO starts small tables as ALL: a copy on every slice removes every join move
 * for them at a small storage price. 10,000 rows keeps TPC-H's nation, region and
 * (up to SF 1) supplier ALL and the rest EVEN, like Redshift's small-table rule.
 */
export const DEFAULT_AUTO_ALL_MAX_ROWS = 10_000;

export function emptyCatalog(slices: number, blockRows = DEFAULT_BLOCK_ROWS): Catalog {
  return {
    format: CATALOG_FORMAT,
    slices,
    blockRows,
    autoAllMaxRows: DEFAULT_AUTO_ALL_MAX_ROWS,
    generation: 0,
    nextTableId: 1,
    tables: {},
    views: {},
  };
}

/** The catalog's materialized views (none in catalogs written before them). */
export function materializedViews(catalog: Pick<Catalog, 'materializedViews'>): Readonly<Record<string, MaterializedViewMeta>> {
  return catalog.materializedViews ?? {};
}

/** The materialized view whose rows `table` stores, if any: such a table changes only by REFRESH. */
export function viewOfTable(catalog: Pick<Catalog, 'materializedViews'>, table: string): MaterializedViewMeta | undefined {
  for (const v of Object.values(materializedViews(catalog))) if (v.table === table) return v;
  return undefined;
}

/** Redshift's rendering of a table's distribution: EVEN, ALL, KEY(c), AUTO(ALL), AUTO(KEY(c)). */
export function describeDistStyle(t: TableMeta): string {
  const inner = t.distStyle === 'key' ? `KEY(${t.distKey})` : t.distStyle.toUpperCase();
  return t.distAuto ? `AUTO(${inner})` : inner;
}

/** Whether the table's sort key is interleaved (a compound key, or none, otherwise). */
export function isInterleaved(t: Pick<TableMeta, 'sortKey' | 'sortStyle'>): boolean {
  return t.sortStyle === 'interleaved' && t.sortKey.length > 0;
}

/** The style AUTO resolves to for a table of this many rows, when no key was chosen. */
export function autoStyleFor(rows: number, catalog: Catalog): DistStyle {
  return rows <= catalog.autoAllMaxRows ? 'all' : 'even';
}

/** Rows a query sees: the table's rows less those its delete vectors mark (Redshift's estimated_visible_rows). */
export function visibleRows(t: Pick<TableMeta, 'rows' | 'segments'>): number {
  let deleted = 0;
  for (const s of t.segments) if (s.deletes) deleted += s.deletes.rows;
  return t.rows - deleted;
}

/** The stable ids of a table's columns (ColumnMeta.id, or the position where absent). */
export function columnIds(t: Pick<TableMeta, 'columns'>): number[] {
  return t.columns.map((c, i) => c.id ?? i);
}

export function columnIndex(t: TableMeta, name: string): number {
  return t.columns.findIndex((c) => c.name === name);
}
