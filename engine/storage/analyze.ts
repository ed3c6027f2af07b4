/**
 * ANALYZE of one table: per column, the NULLs, the smallest and largest
 * value and an estimate of the distinct values (HyperLogLog, the sketch
 * APPROXIMATE COUNT(DISTINCT) uses), over the rows a query sees. The scan
 * reads the current version without the writer lock, pausing like any
 * background build; the statistics are committed under the lock onto the
 * table as it is then, with the change counter the scan saw, so changes made
 * meanwhile count toward stats_off. The table's version does not change: a
 * rewrite under way is not disturbed.
 *
 * Like Redshift (analyze_threshold_percent = 10), a table whose rows changed
 * by less than 10 percent since its last ANALYZE is skipped, unless a column
 * asked for has no statistics yet.
 */
import * as path from 'node:path';
import { SqlError, StorageError } from '../errors.js';
import { visibleRows, type ColumnStats, type TableMeta, type TableStats } from '../catalog/catalog.js';
import { hashValues, Sketches } from '../exec/ops/hyperloglog.js';
import { readDeleteVector } from './deletes.js';
import { tableDir } from './datadir.js';
import { checkSegment } from './integrity.js';
import { Pacer } from './pacer.js';
import { newScanCounters, scanSegments, wholeSegment } from './scan.js';
import { SegmentReader } from './segment.js';
import { tableView } from './segment-columns.js';
import type { Store } from './store.js';
import { statsOff } from './table-health.js';
import { zoneMap } from './vectors.js';
import type { BackgroundOptions } from './vacuum-delete.js';

/** Redshift's analyze_threshold_percent default. */
export const ANALYZE_THRESHOLD_PERCENT = 10;

export type AnalyzeOutcome =
  | { readonly kind: 'skipped'; readonly table: string; readonly reason: string }
  | { readonly kind: 'done'; readonly table: string; readonly rows: number; readonly columns: readonly string[] };

/** Why ANALYZE would skip `table` for `columns` now, or null. */
export function analyzeSkip(table: TableMeta, columns: readonly string[]): string | null {
  const missing = columns.some((c) => !table.stats?.columns.some((s) => s.name === c));
  if (missing) return null;
  const off = statsOff(table);
  return off < ANALYZE_THRESHOLD_PERCENT ? `stats_off ${off.toFixed(2)} is below analyze_threshold_percent (${ANALYZE_THRESHOLD_PERCENT})` : null;
}

/** Computes and commits statistics of `columns` (all when null) of `name`. */
export async function analyzeTable(store: Store, name: string, columns: readonly string[] | null, options: BackgroundOptions = {}): Promise<AnalyzeOutcome> {
  const catalog = store.catalog();
  const table = catalog.tables[name];
  if (!table) return { kind: 'skipped', table: name, reason: 'the table no longer exists' };
  const wanted = columns ?? table.columns.map((c) => c.name);
  for (const c of wanted) if (!table.columns.some((x) => x.name === c)) throw new SqlError('UNKNOWN_COLUMN', `column "${c}" of table "${name}" does not exist`);
  const skip = analyzeSkip(table, wanted);
  if (skip) return { kind: 'skipped', table: name, reason: skip };
  const aborted = () => new StorageError('ABORTED', `ANALYZE of table "${name}" was aborted; its statistics are as they were`);
  const pacer = new Pacer(undefined, options.signal, aborted, options.pauseWhile);
  const idx = wanted.map((c) => table.columns.findIndex((x) => x.name === c));
  const computed = await scanStats(store, catalog.slices, table, idx, pacer, options);
  const stats: TableStats = { analyzedAt: Date.now(), rows: visibleRows(table), changedRows: table.changedRows ?? 0, columns: computed };
  await store.change(
    (fresh) => {
      const cur = fresh.tables[name];
      if (!cur || cur.id !== table.id) throw new StorageError('CONFLICT', `table "${name}" was dropped or replaced while ANALYZE read it; no statistics were kept`);
      // columns not analyzed now keep what an earlier ANALYZE found, if they still exist
      const kept = (cur.stats?.columns ?? []).filter((c) => !wanted.includes(c.name) && cur.columns.some((x) => x.name === c.name));
      const next: TableMeta = { ...cur, stats: { ...stats, columns: [...kept, ...computed.filter((c) => cur.columns.some((x) => x.name === c.name))] } };
      return { catalog: { ...fresh, tables: { ...fresh.tables, [name]: next } }, result: undefined };
    },
    options.lockWaitMs !== undefined ? { waitMs: options.lockWaitMs } : {},
  );
  return { kind: 'done', table: name, rows: stats.rows, columns: wanted };
}

async function scanStats(store: Store, slices: number, table: TableMeta, idx: readonly number[], pacer: Pacer, options: BackgroundOptions): Promise<ColumnStats[]> {
  const n = idx.length;
  const nulls = new Array<number>(n).fill(0);
  const mins: (number | string | null)[] = new Array(n).fill(null);
  const maxes: (number | string | null)[] = new Array(n).fill(null);
  const sketches = new Sketches();
  sketches.grow(n);
  let hi = new Uint32Array(0);
  let lo = new Uint32Array(0);
  const rowsTotal = visibleRows(table);
  let rowsDone = 0;
  for (const s of table.segments) {
    // opened now: an open file stays readable if a change retires and deletes it while we read
    const reader = SegmentReader.open(store.segmentPath(table, s.file));
    try {
      checkSegment(reader, { table, segment: s, slices });
      const deleted = s.deletes ? readDeleteVector(path.join(tableDir(store.dir, table.id), s.deletes.file), s.deletes.rows, s.rows) : null;
      // through the table's columns: a segment written before an ADD or DROP COLUMN holds others
      for (const batch of scanSegments(table, [wholeSegment(tableView(reader, table, s), deleted)], idx, null, newScanCounters())) {
        const len = batch.length;
        if (hi.length < len) {
          hi = new Uint32Array(len);
          lo = new Uint32Array(len);
        }
        for (let c = 0; c < n; c++) {
          const v = batch.columns[c]!;
          const zm = zoneMap(v);
          nulls[c]! += zm.nullCount;
          if (zm.min !== null && (mins[c] === null || zm.min < mins[c]!)) mins[c] = zm.min;
          if (zm.max !== null && (maxes[c] === null || zm.max > maxes[c]!)) maxes[c] = zm.max;
          hashValues(v, len, hi, lo);
          const vn = v.nulls;
          for (let i = 0; i < len; i++) if (vn === null || vn[i] !== 1) sketches.add(c, hi[i]!, lo[i]!);
        }
        rowsDone += len;
        options.onProgress?.({ rowsDone, rowsTotal, bytesWritten: 0 });
        await pacer.pace(0);
      }
    } finally {
      reader.close();
    }
  }
  return idx.map((i, c) => ({
    name: table.columns[i]!.name,
    nulls: nulls[c]!,
    distinct: Math.round(sketches.estimate(c)),
    min: mins[c]!,
    max: maxes[c]!,
  }));
}
