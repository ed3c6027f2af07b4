/**
 * The cost model's inputs: per logged query, what it did (blocks, rows and
 * estimated bytes scanned, rows out of its scans' filters, rows joined, rows
 * and bytes moved between slices, joins, scans, rows returned) and how long
 * it took. Only successful queries
 * that scanned something are used: DDL, loads and errors are not queries the
 * model should explain.
 */
import type { Catalog } from '../../engine/index.js';
import type { Workload } from '../../workload-log/index.js';

export const FEATURES = ['blocksScanned', 'rowsScanned', 'bytesScanned', 'rowsJoined', 'rowsMoved', 'bytesMoved', 'joins', 'scans', 'rowsReturned', 'rowsFiltered'] as const;
export type Feature = (typeof FEATURES)[number];

export interface QueryFeatures {
  /** One row per query, in FEATURES order. */
  readonly x: Float64Array[];
  /** Duration in ms. */
  readonly y: Float64Array;
  readonly fingerprints: readonly string[];
  readonly startMs: Float64Array;
}

/**
 * Bytes one block of one column of `table` takes, from the catalog (the
 * table's encoded bytes over its column blocks): how a logged scan's blocks
 * become bytes, since the log counts blocks, not bytes.
 */
export function bytesPerColumnBlock(catalog: Catalog, table: string): number | null {
  const t = catalog.tables[table];
  if (!t || t.rows === 0) return null;
  const blocks = t.segments.reduce((s, x) => s + Math.ceil(x.rows / catalog.blockRows), 0);
  const bytes = t.segments.reduce((s, x) => s + x.bytes, 0);
  return blocks > 0 ? bytes / (blocks * t.columns.length) : null;
}

/** The features and durations of the workload's successful queries that scanned at least one block. */
export function queryFeatures(w: Workload, catalog: Catalog): QueryFeatures {
  const x: Float64Array[] = [];
  const y: number[] = [];
  const fps: string[] = [];
  const starts: number[] = [];
  const perBlock = new Map<string, number | null>();
  const blockBytes = (t: string) => {
    if (!perBlock.has(t)) perBlock.set(t, bytesPerColumnBlock(catalog, t));
    return perBlock.get(t);
  };
  w.parts.forEach((part, k) => {
    const { queries: q, scans: s, joins: j } = part;
    const mask = w.masks[k];
    const n = q.length;
    const f = Array.from({ length: n }, () => new Float64Array(FEATURES.length));
    for (let i = 0; i < s.length; i++) {
      const qi = s.query[i]!;
      const row = f[qi]!;
      row[1] += s.rowsScanned[i]!;
      const tc = s.table.codes[i]!;
      const bb = tc >= 0 ? blockBytes(s.table.dict[tc]!) : null;
      // a table gone since (or never measured) is charged the mean of the others later; 0 here
      row[2] += bb === null || bb === undefined ? 0 : s.blocksScanned[i]! * bb;
      row[7] += 1;
      row[9] += s.rowsOut[i]!;
    }
    for (let i = 0; i < j.length; i++) {
      const row = f[j.query[i]!]!;
      row[3] += j.leftRows[i]! + j.rightRows[i]!;
      row[6] += 1;
    }
    for (let i = 0; i < n; i++) {
      if (mask && !mask[i]) continue;
      if (q.status[i] !== 0) continue;
      const row = f[i]!;
      if (row[7] === 0 || q.blocksScanned[i]! + q.blocksSkipped[i]! === 0) continue;
      row[0] = q.blocksScanned[i]!;
      row[4] = q.rowsMoved[i]!;
      row[5] = q.bytesMoved[i]!;
      row[8] = q.rowsReturned[i]!;
      x.push(row);
      y.push(q.durationMs[i]!);
      const fc = q.fingerprint.codes[i]!;
      fps.push(fc >= 0 ? q.fingerprint.dict[fc]! : '');
      starts.push(q.startMs[i]!);
    }
  });
  return { x, y: Float64Array.from(y), fingerprints: fps, startMs: Float64Array.from(starts) };
}
