/**
 * A query record's steps as SYS_QUERY_DETAIL rows, and back: the one mapping
 * between keel's per-scan and per-join counters and a cluster's per-step rows
 * and bytes, used by the export (stepsOf) and by the history import
 * (withSteps) so that a record survives the round trip.
 */
import type { ImportedStep, JoinRecord, QueryRecord, ScanRecord } from '../engine/index.js';

export interface DetailStep {
  readonly segment: number;
  readonly step: number;
  readonly name: string;
  readonly table: string | null;
  readonly inputRows: number | null;
  readonly inputBytes: number | null;
  readonly outputRows: number | null;
  readonly outputBytes: number | null;
  readonly blocksRead: number | null;
}

/**
 * A record's steps as SYS_QUERY_DETAIL rows: each scan a `scan` step (rows
 * read in, rows out, blocks read); each join a segment of its own, first the
 * movement its distribution needed (`broadcast` for DS_BCAST_INNER,
 * `distribute` for the DS_DIST_ kinds that move rows, with the rows and bytes
 * moved), then `hash` over the inner input and `hashjoin` over the outer one,
 * as a cluster builds and probes. Scans come first, joins in the record's order.
 */
export function stepsOf(r: QueryRecord): DetailStep[] {
  const steps: DetailStep[] = [];
  r.scans.forEach((s, k) => {
    steps.push({ segment: k, step: 0, name: 'scan', table: s.table, inputRows: s.rowsScanned, inputBytes: null, outputRows: s.rowsOut, outputBytes: null, blocksRead: s.blocksScanned });
  });
  r.joins.forEach((j, k) => {
    const segment = r.scans.length + k;
    let step = 0;
    const moved = j.action === 'DS_BCAST_INNER' ? 'broadcast' : j.action === 'DS_DIST_INNER' || j.action === 'DS_DIST_OUTER' || j.action === 'DS_DIST_BOTH' ? 'distribute' : null;
    if (moved) steps.push({ segment, step: step++, name: moved, table: null, inputRows: j.rowsMoved, inputBytes: j.bytesMoved, outputRows: j.rowsMoved, outputBytes: j.bytesMoved, blocksRead: null });
    steps.push({ segment, step: step++, name: 'hash', table: null, inputRows: j.rightRows, inputBytes: null, outputRows: j.rightRows, outputBytes: null, blocksRead: null });
    steps.push({ segment, step: step++, name: 'hashjoin', table: null, inputRows: j.leftRows, inputBytes: null, outputRows: null, outputBytes: null, blocksRead: null });
  });
  return steps;
}

/**
 * The planned record of a query with the rows and bytes its cluster measured:
 * each scan takes the next `scan` step of its table (rows in, rows out,
 * blocks read), each join the next `hashjoin` step (its outer input), the
 * `hash` step before it (its inner input) and the `broadcast` or `distribute`
 * steps between the previous join and it (rows and bytes moved). What no step
 * matches keeps the plan's numbers. A cluster's join order may differ from
 * keel's plan of the same text; joins are matched in order.
 */
export function withSteps(r: QueryRecord, steps: readonly ImportedStep[]): QueryRecord {
  const used = new Set<number>();
  const scans: ScanRecord[] = r.scans.map((s) => {
    const k = steps.findIndex((x, i) => !used.has(i) && x.name === 'scan' && x.table === s.table);
    if (k < 0) return s;
    used.add(k);
    const x = steps[k]!;
    return { ...s, rowsScanned: x.inputRows, rowsOut: x.outputRows, blocksScanned: x.blocksRead, blocksTotal: Math.max(s.blocksTotal, x.blocksRead), blocksSkipped: Math.max(0, s.blocksTotal - x.blocksRead) };
  });
  const joinSteps: { inner: number; outer: number; rowsMoved: number; bytesMoved: number }[] = [];
  let pending = { inner: -1, rowsMoved: 0, bytesMoved: 0 };
  for (const x of steps) {
    if (x.name === 'broadcast' || x.name === 'distribute') {
      pending.rowsMoved += x.inputRows;
      pending.bytesMoved += x.inputBytes;
    } else if (x.name === 'hash') pending.inner = x.inputRows;
    else if (x.name === 'hashjoin' || x.name === 'mergejoin' || x.name === 'nestloop') {
      joinSteps.push({ inner: pending.inner, outer: x.inputRows, rowsMoved: pending.rowsMoved, bytesMoved: pending.bytesMoved });
      pending = { inner: -1, rowsMoved: 0, bytesMoved: 0 };
    }
  }
  const joins: JoinRecord[] = r.joins.map((j, k) => {
    const x = joinSteps[k];
    if (!x) return j;
    return { ...j, leftRows: x.outer, rightRows: x.inner >= 0 ? x.inner : j.rightRows, rowsMoved: x.rowsMoved, bytesMoved: x.bytesMoved };
  });
  const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
  return {
    ...r,
    scans,
    joins,
    rowsMoved: sum(joins, (j) => j.rowsMoved),
    bytesMoved: sum(joins, (j) => j.bytesMoved),
    blocksTotal: sum(scans, (s) => s.blocksTotal),
    blocksScanned: sum(scans, (s) => s.blocksScanned),
    blocksSkipped: sum(scans, (s) => s.blocksSkipped),
  };
}
