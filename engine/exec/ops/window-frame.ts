/**
 * Frame bounds of every row: the sorted positions [start[i], end[i]) a frame
 * function reads for the row at sorted position i, always within its
 * partition, with end >= start (an empty frame has end == start).
 *
 * Both bounds are non-decreasing along a partition for every frame ROWS and
 * RANGE can describe, which is what lets the aggregates slide (prefix sums,
 * a monotone deque) in O(n) overall:
 *  - ROWS: the row's position plus or minus the offset, clamped;
 *  - RANGE without an offset: the partition's ends or the row's peer group;
 *  - RANGE with an offset: the first row whose key is at least (at most, for
 *    DESC) the row's key minus (plus) the offset, found by a pointer that only
 *    moves forward. A row with a NULL key has its NULL peers as those bounds;
 *    NULLs are never within an offset of a value, so a value's offset bounds
 *    stay among the values, and the NULLs join a frame only through UNBOUNDED
 *    bounds (PostgreSQL's and DuckDB's reading).
 */
import type { Batch, SqlType, Vector } from '../../types.js';
import type { SortKey } from '../../plan/physical.js';
import type { FrameBound, WindowFrame } from '../../plan/window-spec.js';
import * as rt from '../runtime.js';
import type { WindowLayout } from './window-layout.js';

export interface FrameBounds {
  readonly start: Int32Array;
  readonly end: Int32Array;
}

/** The ORDER BY key a RANGE offset measures, in sorted order. */
export interface RangeKey {
  readonly values: Float64Array;
  readonly nulls: Uint8Array | null;
  readonly desc: boolean;
  readonly type: SqlType;
}

/** The single ORDER BY key of a RANGE frame with offsets, read in sorted order. */
export function rangeKey(batch: Batch, layout: WindowLayout, key: SortKey, type: SqlType): RangeKey {
  const v = batch.columns[key.column]! as Exclude<Vector, { kind: 'str' }>;
  const n = layout.n;
  const perm = layout.perm;
  const values = new Float64Array(n);
  const x = v.values;
  for (let i = 0; i < n; i++) values[i] = x[perm[i]!]!;
  let nulls: Uint8Array | null = null;
  if (v.nulls !== null) {
    const src = v.nulls;
    nulls = new Uint8Array(n);
    for (let i = 0; i < n; i++) nulls[i] = src[perm[i]!]!;
  }
  return { values, nulls, desc: key.desc, type };
}

/** Frame bounds of every row (see the module comment). `key` is needed for RANGE with offsets only. */
export function frameBounds(frame: WindowFrame, layout: WindowLayout, key: RangeKey | null): FrameBounds {
  const n = layout.n;
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const parts = layout.parts;
  for (let p = 0; p + 1 < parts.length; p++) {
    const s = parts[p]!;
    const e = parts[p + 1]!;
    if (frame.unit === 'rows') {
      rowsBound(frame.start, s, e, start, true);
      rowsBound(frame.end, s, e, end, false);
    } else {
      rangeBound(frame.start, s, e, layout, key, start, true);
      rangeBound(frame.end, s, e, layout, key, end, false);
    }
    for (let i = s; i < e; i++) if (end[i]! < start[i]!) end[i] = start[i]!;
  }
  return { start, end };
}

/** ROWS: a start bound is the first position of the frame, an end bound the position just past it. */
function rowsBound(b: FrameBound, s: number, e: number, out: Int32Array, isStart: boolean): void {
  const past = isStart ? 0 : 1;
  switch (b.kind) {
    case 'unboundedPreceding':
      out.fill(s, s, e);
      return;
    case 'unboundedFollowing':
      out.fill(e, s, e);
      return;
    case 'currentRow':
      for (let i = s; i < e; i++) out[i] = i + past;
      return;
    case 'preceding':
    case 'following': {
      const d = b.kind === 'preceding' ? -b.offset : b.offset;
      for (let i = s; i < e; i++) {
        const at = i + d + past;
        out[i] = at < s ? s : at > e ? e : at;
      }
    }
  }
}

/** RANGE bounds of one partition [s, e). */
function rangeBound(b: FrameBound, s: number, e: number, layout: WindowLayout, key: RangeKey | null, out: Int32Array, isStart: boolean): void {
  switch (b.kind) {
    case 'unboundedPreceding':
      out.fill(s, s, e);
      return;
    case 'unboundedFollowing':
      out.fill(e, s, e);
      return;
    case 'currentRow': {
      const peers = isStart ? layout.peerStart : layout.peerEnd;
      out.set(peers.subarray(s, e), s);
      return;
    }
    case 'preceding':
    case 'following':
      rangeOffsetBound(b.kind === 'preceding', b.offset, b.months, s, e, layout, key!, out, isStart);
  }
}

/**
 * An offset bound: over the partition's non-NULL keys [vs, ve), the first
 * position at or past the row's key moved by the offset (a start), or the
 * first past it (an end), in sort order; a NULL key's bound is its peer group's.
 */
function rangeOffsetBound(
  preceding: boolean,
  offset: number,
  months: number,
  s: number,
  e: number,
  layout: WindowLayout,
  key: RangeKey,
  out: Int32Array,
  isStart: boolean,
): void {
  const x = key.values;
  const nulls = key.nulls;
  let vs = s;
  let ve = e;
  if (nulls !== null) {
    while (vs < e && nulls[vs] === 1) vs++;
    while (ve > vs && nulls[ve - 1] === 1) ve--;
  }
  for (let i = s; i < vs; i++) out[i] = isStart ? layout.peerStart[i]! : layout.peerEnd[i]!;
  for (let i = ve; i < e; i++) out[i] = isStart ? layout.peerStart[i]! : layout.peerEnd[i]!;
  // towards the partition's start is towards smaller keys ascending, larger descending
  const sign = preceding !== key.desc ? -1 : 1;
  const dir = key.desc ? -1 : 1;
  const shiftMonths = months === 0 ? null : key.type.id === 'date' ? rt.addMonths : rt.addMonthsTs;
  let j = vs;
  for (let i = vs; i < ve; i++) {
    const base = shiftMonths === null ? x[i]! : shiftMonths(x[i]!, sign * months);
    const target = base + sign * offset;
    // a start stops at the first key at or past the target, an end at the first key past it
    if (isStart) while (j < ve && dir * (x[j]! - target) < 0) j++;
    else while (j < ve && dir * (x[j]! - target) <= 0) j++;
    out[i] = j;
  }
}
