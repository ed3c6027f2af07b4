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
    // the table whose rows moved (both sides' for DS_DIST_BOTH, which the record does not split: no name)
    const movedTable = j.action === 'DS_BCAST_INNER' || j.action === 'DS_DIST_INNER' ? tableOf(j.right) : j.action === 'DS_DIST_OUTER' ? tableOf(j.left) : null;
    if (moved) steps.push({ segment, step: step++, name: moved, table: movedTable, inputRows: j.rowsMoved, inputBytes: j.bytesMoved, outputRows: j.rowsMoved, outputBytes: j.bytesMoved, blocksRead: null });
    // the table of each side's key, where a cluster leaves table_name empty: keel's plan of the text may put the sides the other way round
    steps.push({ segment, step: step++, name: 'hash', table: tableOf(j.right), inputRows: j.rightRows, inputBytes: null, outputRows: j.rightRows, outputBytes: null, blocksRead: null });
    steps.push({ segment, step: step++, name: 'hashjoin', table: tableOf(j.left), inputRows: j.leftRows, inputBytes: null, outputRows: null, outputBytes: null, blocksRead: null });
  });
  return steps;
}

/** The table of a "table.column" join side; null when the side is not a base table's column. */
function tableOf(side: string): string | null {
  const dot = side.lastIndexOf('.');
  return dot > 0 ? side.slice(0, dot) : null;
}

/** One join as its steps measured it. */
interface MeasuredJoin {
  inner: number;
  outer: number;
  innerTable: string | null;
  outerTable: string | null;
  rowsMoved: number;
  bytesMoved: number;
  /** The movement steps: broadcast or distribute, with the moved table when named. */
  moves: { name: string; table: string | null }[];
}

function measuredJoins(steps: readonly ImportedStep[]): MeasuredJoin[] {
  const out: MeasuredJoin[] = [];
  const fresh = (): MeasuredJoin => ({ inner: -1, outer: 0, innerTable: null, outerTable: null, rowsMoved: 0, bytesMoved: 0, moves: [] });
  let pending = fresh();
  for (const x of steps) {
    if (x.name === 'broadcast' || x.name === 'distribute') {
      pending.rowsMoved += x.inputRows;
      pending.bytesMoved += x.inputBytes;
      pending.moves.push({ name: x.name, table: x.table });
    } else if (x.name === 'hash') {
      pending.inner = x.inputRows;
      pending.innerTable = x.table;
    } else if (x.name === 'hashjoin' || x.name === 'mergejoin' || x.name === 'nestloop') {
      pending.outer = x.inputRows;
      pending.outerTable = x.table;
      out.push(pending);
      pending = fresh();
    }
  }
  return out;
}

const MOVES = new Set(['DS_BCAST_INNER', 'DS_DIST_INNER', 'DS_DIST_OUTER', 'DS_DIST_BOTH']);

/**
 * The distribution action the steps show: a broadcast is DS_BCAST_INNER; a
 * redistribution of the inner, the outer or both sides' tables (when the steps
 * name them) DS_DIST_INNER, _OUTER or _BOTH; with no movement, the plan's
 * co-located action. Unnamed redistributions (a cluster's) keep the plan's
 * moving action, DS_DIST_BOTH when the plan moved nothing.
 */
function measuredAction(m: MeasuredJoin, planned: string): string {
  if (m.moves.length === 0) return MOVES.has(planned) ? 'DS_DIST_NONE' : planned;
  if (m.moves.some((x) => x.name === 'broadcast')) return 'DS_BCAST_INNER';
  const named = m.moves.map((x) => x.table);
  if (named.includes(null)) return MOVES.has(planned) && planned !== 'DS_BCAST_INNER' ? planned : 'DS_DIST_BOTH';
  const inner = m.innerTable !== null && named.includes(m.innerTable);
  const outer = m.outerTable !== null && named.includes(m.outerTable);
  return inner && outer ? 'DS_DIST_BOTH' : outer ? 'DS_DIST_OUTER' : 'DS_DIST_INNER';
}

/** The join with its sides exchanged (outer becomes inner), keys and all. */
function flipped(j: JoinRecord): JoinRecord {
  return { ...j, left: j.right, right: j.left, keys: j.keys.map((k) => ({ left: k.right, right: k.left })), leftRows: j.rightRows, rightRows: j.leftRows };
}

/**
 * The planned record of a query with the rows and bytes its cluster measured:
 * each scan takes the next `scan` step of its table (rows in, rows out,
 * blocks read), each join the next `hashjoin` step (its outer input), the
 * `hash` step before it (its inner input) and the `broadcast` or `distribute`
 * steps between the previous join and it (rows and bytes moved, and the
 * action: measuredAction). What no step matches keeps the plan's numbers. A
 * cluster's join order may differ from keel's plan of the same text: joins
 * are matched in order, and when the steps name the sides' tables (keel's
 * export does) and keel's plan has them the other way round, the join is
 * recorded the way it ran.
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
  const measured = measuredJoins(steps);
  const joins: JoinRecord[] = r.joins.map((planned, k) => {
    const m = measured[k];
    if (!m) return planned;
    const reversed = m.outerTable !== null && m.innerTable !== null && m.outerTable !== m.innerTable && tableOf(planned.left) === m.innerTable && tableOf(planned.right) === m.outerTable;
    const j = reversed ? flipped(planned) : planned;
    return { ...j, leftRows: m.outer, rightRows: m.inner >= 0 ? m.inner : j.rightRows, rowsMoved: m.rowsMoved, bytesMoved: m.bytesMoved, action: measuredAction(m, planned.action) };
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
