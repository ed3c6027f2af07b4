/**
 * VACUUM of one table, as Redshift runs it: a sort phase that merges the
 * unsorted rows into sort order (skipped when at least `threshold` percent
 * of the rows are sorted already), and a delete phase that reclaims the space
 * of deleted rows (until at least `threshold` percent of the rows left are
 * visible). FULL runs both, SORT ONLY and DELETE ONLY one, REINDEX re-derives
 * an interleaved key's z-order mapping by sorting every row whatever the
 * threshold.
 *
 * The sort phase is the online rewrite into the table's own layout
 * (online-rewrite.ts): it writes every visible row sorted, one sorted segment
 * per slice, so it reclaims deleted rows on the way and FULL's delete phase
 * then has nothing left to do. The delete phase compacts only the segments
 * holding deleted rows (vacuum-delete.ts). Both run online: readers and
 * appends never wait; a conflicting change makes it fail with CONFLICT.
 */
import { visibleRows, type TableMeta } from '../catalog/catalog.js';
import { rewriteOnline, type RewriteProgress } from './online-rewrite.js';
import type { Store } from './store.js';
import { unsortedPercent } from './table-health.js';
import { segmentsToCompact, vacuumDelete, type BackgroundOptions } from './vacuum-delete.js';

export type VacuumMode = 'full' | 'sortOnly' | 'deleteOnly' | 'reindex';

/** Redshift's default threshold for both phases: 95 percent. */
export const DEFAULT_VACUUM_THRESHOLD = 95;

export type VacuumOutcome =
  | { readonly kind: 'skipped'; readonly table: string; readonly reason: string }
  | {
      readonly kind: 'done';
      readonly table: string;
      /** The phases that ran. */
      readonly phases: readonly ('sort' | 'delete')[];
      /** Rows the table holds after (deleted ones not reclaimed included), and the deleted rows reclaimed. */
      readonly rows: number;
      readonly rowsReclaimed: number;
      readonly bytesBefore: number;
      readonly bytesAfter: number;
      readonly bytesWritten: number;
    };

function tableBytes(t: TableMeta): number {
  let n = 0;
  for (const s of t.segments) n += s.bytes;
  return n;
}

/** What VACUUM `mode` would do to `table` now: the phases to run, or why it skips it. */
export function vacuumPlan(table: TableMeta, mode: VacuumMode, threshold = DEFAULT_VACUUM_THRESHOLD): { sort: boolean; delete: boolean } | { skip: string } {
  if (table.rows === 0) return { skip: 'the table is empty' };
  const unsorted = unsortedPercent(table) ?? 0;
  const deleted = table.rows - visibleRows(table);
  const sortable = table.sortKey.length > 0;
  if (mode === 'reindex') return sortable ? { sort: true, delete: false } : { skip: 'the table has no sort key to reindex' };
  const sort = mode !== 'deleteOnly' && sortable && unsorted > 0 && 100 - unsorted < threshold;
  const del = mode !== 'sortOnly' && !sort && segmentsToCompact(table, threshold).length > 0;
  if (sort || del) return { sort, delete: del };
  if (mode === 'sortOnly') return { skip: !sortable ? 'the table has no sort key' : unsorted === 0 ? 'the table is fully sorted' : `sorted >= ${threshold}%` };
  if (mode === 'deleteOnly') return { skip: deleted === 0 ? 'no row is marked deleted' : `visible >= ${threshold}% of the rows` };
  return { skip: deleted === 0 && unsorted === 0 ? 'the table is sorted and has no deleted rows' : `sorted and visible >= ${threshold}%` };
}

export async function vacuumTable(store: Store, name: string, mode: VacuumMode, threshold = DEFAULT_VACUUM_THRESHOLD, options: BackgroundOptions = {}): Promise<VacuumOutcome> {
  const before = store.catalog().tables[name];
  if (!before) return { kind: 'skipped', table: name, reason: 'the table no longer exists' };
  const plan = vacuumPlan(before, mode, threshold);
  if ('skip' in plan) return { kind: 'skipped', table: name, reason: plan.skip };
  if (plan.sort) {
    const { onProgress, ...rest } = options;
    const done = await rewriteOnline(store, name, (t) => t, {
      ...rest,
      ...(onProgress ? { onProgress: (p: RewriteProgress) => onProgress({ rowsDone: p.rowsWritten, rowsTotal: p.rowsTotal, bytesWritten: p.bytesWritten }) } : {}),
    });
    return {
      kind: 'done',
      table: name,
      phases: ['sort'],
      rows: done.table.rows,
      rowsReclaimed: before.rows - visibleRows(before),
      bytesBefore: tableBytes(before),
      bytesAfter: tableBytes(done.table),
      bytesWritten: done.bytesWritten,
    };
  }
  const done = await vacuumDelete(store, name, segmentsToCompact(before, threshold), options);
  return {
    kind: 'done',
    table: name,
    phases: ['delete'],
    rows: done.table.rows,
    rowsReclaimed: done.rowsReclaimed,
    bytesBefore: tableBytes(before),
    bytesAfter: tableBytes(done.table),
    bytesWritten: done.bytesWritten,
  };
}
