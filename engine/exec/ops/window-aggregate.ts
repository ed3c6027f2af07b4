/**
 * Aggregates over window frames, each in O(n) for the whole partition however
 * wide its frames:
 *  - COUNT, SUM and AVG from per-partition prefix sums: a frame's sum is the
 *    prefix at its end minus the prefix at its start. The prefixes are kept
 *    as double-doubles (Neumaier's two-sum), so a difference is as exact as
 *    the frame's own sum would be: exact for integers and DECIMALs below
 *    2^53, within a unit of the last place for doubles;
 *  - MIN and MAX with a monotone deque: both frame bounds only move forward,
 *    so each row enters and leaves the deque once;
 *  - ANY_VALUE as the frame's first non-NULL value;
 *  - the aggregates that need the whole partition at once (DISTINCT forms,
 *    MEDIAN, LISTAGG, PERCENTILE_CONT/DISC; the binder gives them no ORDER BY
 *    and no frame) with the GROUP BY accumulators, one group per partition.
 */
import type { Batch, SqlType, Vector } from '../../types.js';
import { physicalKind } from '../../types.js';
import type { AggSpec } from '../../plan/physical.js';
import type { WindowFunc } from '../../plan/window-spec.js';
import * as rt from '../runtime.js';
import { gatherVector } from '../batch.js';
import { castResult, isWideDecimal, type Acc } from './accumulators.js';
import { dictRanks, type WindowLayout } from './window-layout.js';
import type { FrameBounds } from './window-frame.js';

export type AggFunc = Extract<WindowFunc<number>, { kind: 'aggregate' }>;

const SAFE = Number.MAX_SAFE_INTEGER;

/** What an aggregate over frames reads (functions/aggregate-kinds.ts picks the evaluator). */
export interface FrameInput {
  readonly f: AggFunc;
  /** The argument's column (null for COUNT(*)) and type. */
  readonly arg: Vector | null;
  readonly argType: SqlType | null;
  readonly layout: WindowLayout;
  readonly bounds: FrameBounds;
}

/** COUNT(*): the frame's size. */
export function countStar({ layout, bounds: b }: FrameInput): Vector {
  const { n, perm } = layout;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[perm[i]!] = b.end[i]! - b.start[i]!;
  return { kind: 'f64', values, nulls: null, length: n };
}

/**
 * COUNT(x), SUM(x), AVG(x). Per partition [s, e): exclusive prefixes at the
 * positions [s, e) and the partition's total standing for position e.
 */
export function sums({ f, arg: a, argType, layout, bounds: b }: FrameInput): Vector {
  const arg = a!;
  const { n, perm, parts } = layout;
  const nulls = arg.nulls;
  const x = arg.kind === 'str' ? null : arg.values;
  const hi = new Float64Array(n);
  const lo = new Float64Array(n);
  const cnt = new Int32Array(n);
  const values = new Float64Array(n);
  const outNulls = new Uint8Array(n);
  let anyNull = false;
  const resultType = f.type;
  const argScale = argType?.id === 'decimal' ? (argType.scale ?? 0) : 0;
  const checkOverflow = f.fn === 'sum' && resultType.id !== 'double' && resultType.id !== 'real' && !isWideDecimal(resultType);
  const decimalAvg = f.fn === 'avg' && resultType.id === 'decimal';
  const shift = decimalAvg ? (resultType.scale ?? 0) - argScale : 0;
  const unit = 10 ** argScale;
  for (let p = 0; p + 1 < parts.length; p++) {
    const s = parts[p]!;
    const e = parts[p + 1]!;
    let h = 0;
    let l = 0;
    let c = 0;
    for (let i = s; i < e; i++) {
      hi[i] = h;
      lo[i] = l;
      cnt[i] = c;
      const row = perm[i]!;
      if (nulls !== null && nulls[row] === 1) continue;
      c++;
      if (x === null) continue;
      const v = x[row]!;
      const t = h + v;
      l += Math.abs(h) >= Math.abs(v) ? h - t + v : v - t + h;
      h = t;
    }
    for (let i = s; i < e; i++) {
      const fs = b.start[i]!;
      const fe = b.end[i]!;
      const row = perm[i]!;
      // position e (past the partition) reads the partition's totals
      const count = (fe === e ? c : cnt[fe]!) - (fs === e ? c : cnt[fs]!);
      if (f.fn === 'count') {
        values[row] = count;
        continue;
      }
      if (count === 0) {
        outNulls[row] = 1;
        anyNull = true;
        continue;
      }
      const sum = (fe === e ? h : hi[fe]!) - hi[fs]! + ((fe === e ? l : lo[fe]!) - lo[fs]!);
      // (fs < e here: an empty frame has count 0)
      if (f.fn === 'sum') {
        if (checkOverflow && Math.abs(sum) > SAFE) rt.overflow(resultType.id);
        values[row] = sum;
      } else {
        values[row] = decimalAvg ? rt.decDiv(Math.round(sum), count, shift) : sum / count / unit;
      }
    }
  }
  return { kind: 'f64', values, nulls: anyNull ? outNulls : null, length: n };
}

/** MIN / MAX over each frame with a monotone deque of sorted positions (best value at its head). */
export function minMax({ f, arg: a, layout, bounds: b }: FrameInput): Vector {
  const isMax = f.fn === 'max';
  const arg = a!;
  const { n, perm, parts } = layout;
  // the values in sorted order, as numbers that compare as the values do (a string's dictionary rank)
  const key = new Float64Array(n);
  if (arg.kind === 'str') {
    const rank = dictRanks(arg);
    for (let i = 0; i < n; i++) key[i] = rank[arg.codes[perm[i]!]!]!;
  } else {
    const x = arg.values;
    for (let i = 0; i < n; i++) key[i] = x[perm[i]!]!;
  }
  const nulls = arg.nulls;
  const src = new Int32Array(n).fill(-1);
  const deque = new Int32Array(n);
  for (let p = 0; p + 1 < parts.length; p++) {
    const s = parts[p]!;
    const e = parts[p + 1]!;
    let head = 0;
    let tail = 0;
    let next = s;
    for (let i = s; i < e; i++) {
      const fe = b.end[i]!;
      while (next < fe) {
        if (nulls === null || nulls[perm[next]!] !== 1) {
          const v = key[next]!;
          // values no better than the newcomer can never be a frame's answer again
          if (isMax) while (tail > head && key[deque[tail - 1]!]! <= v) tail--;
          else while (tail > head && key[deque[tail - 1]!]! >= v) tail--;
          deque[tail++] = next;
        }
        next++;
      }
      const fs = b.start[i]!;
      while (head < tail && deque[head]! < fs) head++;
      if (head < tail) src[perm[i]!] = perm[deque[head]!]!;
    }
  }
  return gatherOrNull(arg, src);
}

/** ANY_VALUE: the frame's first non-NULL value. */
export function firstNonNull({ arg: a, layout, bounds: b }: FrameInput): Vector {
  const arg = a!;
  const { n, perm } = layout;
  const nulls = arg.nulls;
  // nextValue[i]: the first position at or after i with a value (n when none)
  const nextValue = new Int32Array(n + 1);
  nextValue[n] = n;
  for (let i = n - 1; i >= 0; i--) nextValue[i] = nulls === null || nulls[perm[i]!] !== 1 ? i : nextValue[i + 1]!;
  const src = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const j = nextValue[b.start[i]!]!;
    if (j < b.end[i]!) src[perm[i]!] = perm[j]!;
  }
  return gatherOrNull(arg, src);
}

/** The argument's value at src[r] for each row r (NULL where src is -1). */
function gatherOrNull(arg: Vector, src: Int32Array): Vector {
  const n = src.length;
  const sel = new Int32Array(n);
  const nulls = new Uint8Array(n);
  let any = false;
  for (let r = 0; r < n; r++) {
    const j = src[r]!;
    if (j < 0) {
      nulls[r] = 1;
      any = true;
    } else sel[r] = j;
  }
  const v = gatherVector(arg, sel, n);
  if (!any) return v;
  if (v.nulls !== null) for (let r = 0; r < n; r++) nulls[r] |= v.nulls[r]!;
  return { ...v, nulls } as Vector;
}

/**
 * An aggregate that needs its partition whole (DISTINCT forms, MEDIAN,
 * LISTAGG, the percentiles): its GROUP BY accumulator (`acc`, made for `spec`)
 * with one group per partition, the result spread to the partition's rows.
 */
export function partitionAggregate(f: AggFunc, batch: Batch, layout: WindowLayout, acc: Acc): Vector {
  const { n, perm, parts } = layout;
  const groups = parts.length - 1;
  const ids = new Int32Array(n);
  for (let p = 0; p < groups; p++) for (let i = parts[p]!; i < parts[p + 1]!; i++) ids[perm[i]!] = p;
  acc.grow(groups);
  if (acc.updateBatch) acc.updateBatch(batch, ids, n);
  else acc.update(f.arg !== null ? batch.columns[f.arg]! : null, ids, n);
  const perPartition = castResult(acc.result(groups), physicalKind(f.type));
  return gatherVector(perPartition, ids, n);
}

/** The GROUP BY spec of a whole-partition aggregate (its WITHIN GROUP keys as input columns). */
export function partitionSpec(f: AggFunc): AggSpec {
  return {
    fn: f.fn,
    arg: f.arg ?? -1,
    type: f.type,
    ...(f.order ? { order: f.order.map((o) => ({ column: o.key, desc: o.desc, nullsFirst: o.nullsFirst })) } : {}),
    ...(f.separator !== undefined ? { separator: f.separator } : {}),
    ...(f.distinct ? { distinct: true } : {}),
    ...(f.fraction !== undefined ? { fraction: f.fraction } : {}),
    ...(f.desc ? { desc: true } : {}),
  };
}
