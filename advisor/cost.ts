/**
 * The advisor's cost model for one join: how many bytes cross slices for each
 * placement of its two inputs. It mirrors the planner's choice of distribution
 * action (engine/plan/rules/join-distribution.ts, distributeJoin) and the exchange's counting
 * (engine/exec/ops/exchange.ts): a hash redistribution moves the (n-1)/n of a
 * side's rows that leave their slice, a broadcast moves the inner side n-1
 * times, a replicated (ALL) side moves nothing.
 *
 * A side's *state* with respect to a join is one of
 *   OFF  the table is EVEN, or KEY on a column this join does not use;
 *   ON   the table is KEY on this join's column;
 *   ALL  the table is replicated.
 * A join's cost is a 3 x 3 table over (state of one side, state of the other),
 * plus one entry for "both ON, but on different key pairs" (multi-column joins).
 */
import type { ColumnDef } from '../engine/index.js';

export const OFF = 0;
export const ON = 1;
export const ALL = 2;
export type SideState = typeof OFF | typeof ON | typeof ALL;

/** Index of the "both ON, different key pairs" entry of a cost table. */
export const MISMATCH = 9;

/**
 * Cost table of one edge: c[s * 3 + t] for the source side in state s and the
 * target side in state t; c[MISMATCH] when both are ON different key pairs.
 * c[ON * 3 + ON] is 0 by construction (co-located).
 */
export type CostTable = Float64Array;

export function newCostTable(): CostTable {
  return new Float64Array(10);
}

/** Cost of the edge for the given side states and whether ON/ON share the same key pair. */
export function costOf(c: CostTable, s: number, t: number, samePair = true): number {
  if (s === ON && t === ON && !samePair) return c[MISMATCH]!;
  return c[s * 3 + t]!;
}

/**
 * Bytes one execution of a join moves for each state of its outer (left,
 * probe) and inner (right, build) sides, in the planner's terms:
 * - both ON: DS_DIST_NONE, nothing;
 * - outer ON only: DS_DIST_INNER (the inner's leaving share) unless
 *   broadcasting the inner is cheaper (DS_BCAST_INNER);
 * - inner ON only: DS_DIST_OUTER or DS_BCAST_INNER, likewise;
 * - neither: DS_DIST_BOTH or DS_BCAST_INNER;
 * - inner ALL (not for right/full joins), or outer ALL for inner/cross/right
 *   joins: DS_DIST_ALL_NONE, nothing; an ALL side that cannot be used so is
 *   read from one copy and counts as OFF.
 * Returned in (outer state, inner state) order, with MISMATCH as outer-ON.
 */
export function joinCostTable(outerBytes: number, innerBytes: number, type: string, slices: number): CostTable {
  const n = Math.max(1, slices);
  const leave = (n - 1) / n;
  const canBroadcastInner = type !== 'right' && type !== 'full';
  const bcast = canBroadcastInner ? innerBytes * (n - 1) : Infinity;
  const L = outerBytes;
  const R = innerBytes;
  const onOff = R <= bcast ? R * leave : bcast; // outer on the key: move the inner to it
  const offOn = L <= bcast ? L * leave : bcast; // inner on the key: move the outer to it
  const offOff = L + R <= bcast ? (L + R) * leave : bcast;
  const base = (o: number, i: number): number => (o === ON ? (i === ON ? 0 : onOff) : i === ON ? offOn : offOff);
  const outerAllFree = type === 'inner' || type === 'cross' || type === 'right';
  const c = newCostTable();
  for (let o = 0; o < 3; o++) {
    for (let i = 0; i < 3; i++) {
      let v: number;
      if (o === ALL && i === ALL) v = 0;
      else if (i === ALL && canBroadcastInner) v = 0;
      else if (o === ALL && outerAllFree) v = 0;
      else v = base(o === ALL ? OFF : o, i === ALL ? OFF : i);
      c[o * 3 + i] = v;
    }
  }
  c[MISMATCH] = onOff;
  return c;
}

/** Adds `w` times `c` (in outer/inner order) to `acc` (in source/target order); `outerIsSource` says which is which. */
export function addOriented(acc: CostTable, c: CostTable, outerIsSource: boolean, w: number): void {
  for (let s = 0; s < 3; s++) {
    for (let t = 0; t < 3; t++) acc[s * 3 + t]! += w * (outerIsSource ? c[s * 3 + t]! : c[t * 3 + s]!);
  }
  acc[MISMATCH]! += w * c[MISMATCH]!;
}

/**
 * Bytes per row of a column in flight, as the planner estimates it
 * (engine/plan/estimate.ts widthOf): 4 for 32-bit kinds, 8 for 64-bit ones,
 * the declared length plus 4 for CHAR, half the length (at most 64) plus 4 for
 * VARCHAR, 1 for BOOLEAN.
 */
export function columnWidth(c: Pick<ColumnDef, 'type'>): number {
  const t = c.type;
  switch (t.id) {
    case 'smallint':
    case 'integer':
    case 'date':
      return 4;
    case 'boolean':
      return 1;
    case 'char':
      return (t.length ?? 1) + 4;
    case 'varchar':
      return Math.min(t.length ?? 32, 64) / 2 + 4;
    default:
      return 8;
  }
}
