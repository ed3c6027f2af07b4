/**
 * The aggregates the engine computes, by id: what the SQL aggregate functions
 * of aggregate.ts bind to (an AggregatePart names one; STDDEV is three, BOOL_AND
 * is MIN). A kind holds everything the planner and the executor need of it:
 *
 *  - its partial state (the columns a per-slice aggregate emits, which a final
 *    aggregate after the exchange merges), or none when it needs all of a
 *    group's rows in one place (DISTINCT forms, MEDIAN, LISTAGG, the
 *    percentiles: the planner moves rows by group first);
 *  - its value over no rows (0 for the counts, NULL for the rest);
 *  - as a window aggregate, whether it runs over any frame or only over the
 *    whole partition (Redshift allows the latter PARTITION BY only);
 *  - its accumulator (exec/ops/accumulators.ts and the others) and, for frames,
 *    its frame evaluator (exec/ops/window-aggregate.ts).
 *
 * The plans name kinds by id (plans cross to worker threads as data); the
 * aggregate and window operators look the kind up once per query, never per row.
 */
import type { SqlType, Vector } from '../types.js';
import { physicalKind } from '../types.js';
import type { AggSpec, AggregateNode, Field } from '../plan/physical.js';
import { AvgAcc, CountAcc, DistinctAcc, GroupState, MinMaxAcc, SumAcc, isWideDecimal, type Acc } from '../exec/ops/accumulators.js';
import { ListAggAcc, MedianAcc } from '../exec/ops/ordered-aggregates.js';
import { PercentileAcc } from '../exec/ops/percentile.js';
import { HllAcc } from '../exec/ops/hyperloglog.js';
import { countStar, firstNonNull, minMax, sums, type FrameInput } from '../exec/ops/window-aggregate.js';

/** The ids of the aggregate kinds (AggregatePart.fn, AggSpec.fn, a window aggregate's fn). */
export type AggFn =
  | 'sum' | 'count' | 'countStar' | 'min' | 'max' | 'avg' | 'countDistinct' | 'sumDistinct' | 'avgDistinct' | 'anyValue'
  | 'median' | 'listagg' | 'percentileCont' | 'percentileDisc'
  /** APPROXIMATE COUNT(DISTINCT x): a HyperLogLog sketch, which partial aggregates emit and final ones merge. */
  | 'approxCountDistinct';

/** What an accumulator is made from. */
export interface AccumulatorArgs {
  readonly spec: AggSpec;
  /** The type of the input column it reads (in 'final' mode, of its partial state); null for COUNT(*). */
  readonly argType: SqlType | null;
  readonly mode: AggregateNode['mode'];
  /** The numeric states shared by the node's COUNT, SUM and AVG accumulators. */
  readonly state: GroupState;
}

export interface AggregateKind {
  /**
   * The columns a partial aggregate emits for it, from its argument's type
   * and its result type; null: no partial state (it runs in one phase, after
   * its group's rows are brought together).
   */
  readonly partial: ((argType: SqlType | null, resultType: SqlType) => readonly Field[]) | null;
  /** Its value over no rows: 0 for the counts, NULL (null) for the others. */
  readonly empty: 0 | null;
  /** As a window aggregate: over any frame, over the whole partition only, or not at all. */
  readonly window: 'frames' | 'partition' | null;
  accumulator(a: AccumulatorArgs): Acc;
  /** The value over each row's frame ('frames' kinds), in O(n) for the whole partition. */
  frame?(input: FrameInput): Vector;
}

const BIGINT: SqlType = { id: 'bigint' };

const scaleOf = (t: SqlType | null): number => (t && t.id === 'decimal' ? (t.scale ?? 0) : 0);

/** A partial state of one column named after the kind. */
const oneState = (name: string, type: (resultType: SqlType) => SqlType) => (_arg: SqlType | null, resultType: SqlType): Field[] => [{ name, type: type(resultType) }];
const sameType = (t: SqlType) => t;

const distinct = (fn: 'countDistinct' | 'sumDistinct' | 'avgDistinct', empty: 0 | null): AggregateKind => ({
  partial: null,
  empty,
  window: 'partition',
  accumulator: ({ spec, argType }) => new DistinctAcc(fn, scaleOf(argType), spec.type),
});

export const AGGREGATE_KINDS: Readonly<Record<AggFn, AggregateKind>> = {
  countStar: {
    partial: oneState('countStar', () => BIGINT),
    empty: 0,
    window: 'frames',
    // a final aggregate sums the partial counts
    accumulator: ({ mode, state }) => (mode === 'final' ? new SumAcc(true, 'bigint', state) : new CountAcc(true, state)),
    frame: countStar,
  },
  count: {
    partial: oneState('count', () => BIGINT),
    empty: 0,
    window: 'frames',
    accumulator: ({ mode, state }) => (mode === 'final' ? new SumAcc(true, 'bigint', state) : new CountAcc(false, state)),
    frame: sums,
  },
  sum: {
    partial: oneState('sum', sameType),
    empty: null,
    window: 'frames',
    accumulator: ({ spec, state }) => new SumAcc(spec.type.id !== 'double' && spec.type.id !== 'real', spec.type.id, state, isWideDecimal(spec.type)),
    frame: sums,
  },
  avg: {
    // the partial sum keeps the argument's scale, so the final division is exact
    partial: (t) => [
      { name: 'sum', type: t?.id === 'decimal' ? { id: 'decimal', precision: 38, scale: t.scale ?? 0 } : t?.id === 'double' || t?.id === 'real' ? { id: 'double' } : BIGINT },
      { name: 'count', type: BIGINT },
    ],
    empty: null,
    window: 'frames',
    // in 'final' mode the argument is the partial sum, typed like the original argument's sum
    accumulator: ({ spec, argType, state }) => new AvgAcc(scaleOf(argType), spec.type, argType !== null && argType.id !== 'double' && argType.id !== 'real', state),
    frame: sums,
  },
  min: {
    partial: oneState('min', sameType),
    empty: null,
    window: 'frames',
    accumulator: ({ spec }) => new MinMaxAcc(false, physicalKind(spec.type)),
    frame: minMax,
  },
  max: {
    partial: oneState('max', sameType),
    empty: null,
    window: 'frames',
    accumulator: ({ spec }) => new MinMaxAcc(true, physicalKind(spec.type)),
    frame: minMax,
  },
  anyValue: {
    partial: oneState('anyValue', sameType),
    empty: null,
    window: 'frames',
    accumulator: ({ spec }) => new MinMaxAcc(false, physicalKind(spec.type)),
    frame: firstNonNull,
  },
  countDistinct: distinct('countDistinct', 0),
  sumDistinct: distinct('sumDistinct', null),
  avgDistinct: distinct('avgDistinct', null),
  median: { partial: null, empty: null, window: 'partition', accumulator: ({ spec }) => new MedianAcc(spec.type) },
  listagg: { partial: null, empty: null, window: 'partition', accumulator: ({ spec }) => new ListAggAcc(spec) },
  percentileCont: { partial: null, empty: null, window: 'partition', accumulator: ({ spec }) => new PercentileAcc(spec, spec.type) },
  percentileDisc: { partial: null, empty: null, window: 'partition', accumulator: ({ spec }) => new PercentileAcc(spec, spec.type) },
  approxCountDistinct: {
    // the sketch, as text (exec/ops/hyperloglog.ts)
    partial: oneState('approxCountDistinct', () => ({ id: 'varchar', length: 65535 })),
    empty: 0,
    window: null,
    accumulator: ({ mode }) => new HllAcc(mode),
  },
};
