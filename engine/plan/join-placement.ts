/**
 * How a join's two inputs meet (Redshift's DS_* actions), decided without
 * building anything: the planner applies the decision
 * (rules/join-distribution.ts), and the join orderer asks what each candidate join would
 * move before choosing one, so both see the same choice and the same bytes.
 *
 * A side's bytes are its estimated rows times the in-flight width of the
 * columns it actually carries (estimate.ts widthOf), which is what the
 * exchange counts: a hash redistribution moves the (n-1)/n of the rows that
 * leave their slice, a broadcast n-1 copies, a gather the rows not already on
 * the receiving slice.
 */
import type { Distribution, JoinDistAction, JoinType, PlanNode } from './physical.js';
import { childrenOf } from './physical.js';
import type { DistStyle } from '../catalog/catalog.js';
import { widthOf } from './estimate.js';

/** A table's distribution, as the planner places its rows (the catalog's, or a what-if one). */
export interface TableLayout {
  readonly style: DistStyle;
  readonly key: string | null;
}

/** What happens to one side before the join; `pick` first reads a replicated side from one copy. */
export interface SideMove {
  readonly pick: boolean;
  readonly move: 'none' | 'gather' | 'broadcast' | { readonly hash: number };
}

export interface JoinPlacement {
  readonly action: JoinDistAction;
  readonly left: SideMove;
  readonly right: SideMove;
  /** Where the join's output rows are (left-side column indexes for hash). */
  readonly dist: Distribution;
  /** Estimated bytes the moves send across slices. */
  readonly bytes: number;
}

/** Estimated in-flight bytes per row of a node's columns. */
export function rowWidth(node: Pick<PlanNode, 'fields'>): number {
  let w = 0;
  for (const f of node.fields) w += widthOf(f.type.id, f.type.length);
  return Math.max(1, w);
}

/** Estimated in-flight bytes of a node's output. */
export function nodeBytes(node: Pick<PlanNode, 'fields' | 'estRows'>): number {
  return node.estRows * rowWidth(node);
}

const STAY: SideMove = { pick: false, move: 'none' };

/**
 * The cheapest correct placement by the bytes each option moves. Key arrays
 * hold each equi-key's column in its input, or -1 for a computed key (which no
 * distribution can match yet; the planner projects it first).
 */
export function joinPlacement(
  slices: number,
  type: JoinType,
  left: Pick<PlanNode, 'fields' | 'estRows' | 'dist'>,
  right: Pick<PlanNode, 'fields' | 'estRows' | 'dist'>,
  leftKeys: readonly number[],
  rightKeys: readonly number[],
): JoinPlacement {
  const n = slices;
  const leave = (n - 1) / n;
  const lBytes = nodeBytes(left);
  const rBytes = nodeBytes(right);
  const canBroadcastInner = type !== 'right' && type !== 'full';
  const needsWholeInner = type === 'antiNullAware' || leftKeys.length === 0;
  const ld = left.dist;
  const rd = right.dist;
  if (rd.kind === 'all' && ld.kind === 'all') return { action: 'DS_DIST_ALL_NONE', left: STAY, right: STAY, dist: { kind: 'all' }, bytes: 0 };
  // a replicated inner: every outer row meets all of it where it is (not for right/full joins: unmatched inner rows would repeat)
  if (rd.kind === 'all' && canBroadcastInner) return { action: 'DS_DIST_ALL_NONE', left: STAY, right: STAY, dist: ld, bytes: 0 };
  // a replicated outer meets each slice's share of the inner: right for joins that keep only matched outer rows
  if (ld.kind === 'all' && (type === 'inner' || type === 'cross' || type === 'right') && rd.kind !== 'single') {
    const w = left.fields.length;
    const dist: Distribution = rd.kind === 'hash' ? { kind: 'hash', keys: rd.keys.map((k) => k + w) } : rd;
    return { action: 'DS_DIST_ALL_NONE', left: STAY, right: STAY, dist, bytes: 0 };
  }
  // from here a replicated input is read from one copy (on one slice), so no row is counted twice
  const lPick = ld.kind === 'all';
  const rPick = rd.kind === 'all';
  const lKind = lPick ? 'single' : ld.kind;
  const rKind = rPick ? 'single' : rd.kind;
  const side = (pick: boolean, move: SideMove['move']): SideMove => (pick || move !== 'none' ? { pick, move } : STAY);
  if (lKind === 'single' && rKind === 'single') return { action: 'DS_DIST_NONE', left: side(lPick, 'none'), right: side(rPick, 'none'), dist: { kind: 'single' }, bytes: 0 };
  if (!canBroadcastInner && leftKeys.length === 0) {
    // right/full join without keys: both sides on one slice
    const bytes = (lKind === 'single' ? 0 : lBytes * leave) + (rKind === 'single' ? 0 : rBytes * leave);
    return { action: 'DS_DIST_BOTH', left: side(lPick, 'gather'), right: side(rPick, 'gather'), dist: { kind: 'single' }, bytes };
  }
  const bcast = (dist: Distribution): JoinPlacement => ({
    action: 'DS_BCAST_INNER',
    left: side(lPick, 'none'),
    right: side(rPick, 'broadcast'),
    dist,
    bytes: rBytes * (n - 1),
  });
  const lDist: Distribution = lPick ? { kind: 'single' } : ld;
  if (needsWholeInner) return bcast(lDist);
  // index j such that the side is hashed on exactly keys[j]
  const hashOn = (d: Distribution, keys: readonly number[]): number => (d.kind !== 'hash' || d.keys.length !== 1 ? -1 : keys.indexOf(d.keys[0]!));
  const lj = lPick ? -1 : hashOn(ld, leftKeys);
  const rj = rPick ? -1 : hashOn(rd, rightKeys);
  const keyed = (j: number): Distribution => ({ kind: 'hash', keys: [leftKeys[j]!] });
  if (lj >= 0 && rj >= 0 && lj === rj) return { action: 'DS_DIST_NONE', left: STAY, right: STAY, dist: keyed(lj), bytes: 0 };
  const bcastCost = canBroadcastInner ? rBytes * (n - 1) : Infinity;
  if (lj >= 0) {
    // outer already on a key: move the inner to it, or broadcast the inner
    if (rBytes <= bcastCost) return { action: 'DS_DIST_INNER', left: STAY, right: side(rPick, { hash: rightKeys[lj]! }), dist: keyed(lj), bytes: rBytes * leave };
    return bcast(lDist);
  }
  if (rj >= 0) {
    // an inner join's output is placed on both keys at once (they are equal in every row); it is named by the
    // inner side's, the column its table is distributed on, which a GROUP BY or join above more likely uses
    const dist: Distribution = type === 'inner' ? { kind: 'hash', keys: [left.fields.length + rightKeys[rj]!] } : keyed(rj);
    if (lBytes <= bcastCost) return { action: 'DS_DIST_OUTER', left: side(lPick, { hash: leftKeys[rj]! }), right: STAY, dist, bytes: lBytes * leave };
    return bcast(lDist);
  }
  if (lBytes + rBytes <= bcastCost || lKind === 'single') {
    return {
      action: 'DS_DIST_BOTH',
      left: side(lPick, { hash: leftKeys[0]! }),
      right: side(rPick, { hash: rightKeys[0]! }),
      dist: keyed(0),
      bytes: (lBytes + rBytes) * leave,
    };
  }
  return bcast(lDist);
}

/**
 * The bytes a plan's exchanges are estimated to move between slices, counted
 * as the executor counts them (exec/ops/exchange.ts): a hash exchange moves the
 * (n-1)/n of its rows that leave their slice, a broadcast n-1 copies, a gather
 * the rows not already on slice 0; returning the result and reading one copy
 * of a replicated input move nothing.
 */
export function planBytesMoved(plan: PlanNode, slices: number): number {
  let bytes = 0;
  const visit = (node: PlanNode): void => {
    if (node.op === 'exchange') {
      const input = node.input;
      const spread = input.dist.kind !== 'single';
      if (node.mode === 'hash') bytes += nodeBytes(input) * ((slices - 1) / slices);
      else if (node.mode === 'broadcast') bytes += nodeBytes(input) * (slices - 1);
      else if (node.mode === 'gather' && spread) bytes += nodeBytes(input) * ((slices - 1) / slices);
    }
    for (const c of childrenOf(node)) visit(c);
  };
  visit(plan);
  return bytes;
}
