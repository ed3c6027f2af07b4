/**
 * How an aggregate splits into a partial phase (per slice, before rows move)
 * and a final one (merging the partial states after they move), shared by the
 * plain aggregate planner (rules/aggregate-split.ts) and the
 * grouping-sets one (rules/grouping-sets.ts).
 *
 * Partial states: COUNT a count (summed), SUM a sum, MIN/MAX/ANY_VALUE a
 * value, AVG a sum and a count, APPROXIMATE COUNT(DISTINCT) a HyperLogLog
 * sketch as text (exec/ops/hyperloglog.ts). DISTINCT aggregates, MEDIAN,
 * LISTAGG and the percentiles have none: they need all of a group's rows.
 */
import type { SqlType } from '../types.js';
import type { LogicalAgg } from './logical.js';
import type { AggFn } from './agg-fn.js';
import type { AggSpec, Field, SortKey } from './physical.js';

const WHOLE_GROUP: ReadonlySet<AggFn> = new Set<AggFn>(['countDistinct', 'sumDistinct', 'avgDistinct', 'median', 'listagg', 'percentileCont', 'percentileDisc']);

/** Whether the aggregate can run in two phases. */
export function hasPartialState(fn: AggFn): boolean {
  return !WHOLE_GROUP.has(fn);
}

/** The physical aggregate of a logical one, its argument (and WITHIN GROUP keys) planned as input columns. */
export function aggSpec(a: LogicalAgg, arg: number, type: SqlType, order: readonly SortKey[] | undefined): AggSpec {
  return {
    fn: a.fn,
    arg,
    type,
    ...(order ? { order } : {}),
    ...(a.separator !== undefined ? { separator: a.separator } : {}),
    ...(a.distinct ? { distinct: true } : {}),
    ...(a.fraction !== undefined ? { fraction: a.fraction } : {}),
    ...(a.desc ? { desc: true } : {}),
  };
}

/**
 * The columns a partial aggregate emits after its `keyFields` (one per
 * aggregate, two for AVG: its sum and count), and the final aggregate's specs
 * over them (keys first, in the same positions). `argType` gives the type of
 * an input column of the partial aggregate.
 */
export function partialStates(specs: readonly AggSpec[], keyFields: readonly Field[], argType: (column: number) => SqlType): { stateFields: Field[]; finalSpecs: AggSpec[] } {
  const stateFields: Field[] = [...keyFields];
  const finalSpecs: AggSpec[] = [];
  for (const s of specs) {
    const at = stateFields.length;
    if (s.fn === 'avg') {
      // the partial sum keeps the argument's scale, so the final division is exact
      const t = argType(s.arg);
      const sumType: SqlType = t.id === 'decimal' ? { id: 'decimal', precision: 38, scale: t.scale ?? 0 } : t.id === 'double' || t.id === 'real' ? { id: 'double' } : { id: 'bigint' };
      stateFields.push({ name: 'sum', type: sumType }, { name: 'count', type: { id: 'bigint' } });
      finalSpecs.push({ fn: 'avg', arg: at, type: s.type });
    } else {
      const stateType: SqlType =
        s.fn === 'count' || s.fn === 'countStar' ? { id: 'bigint' } : s.fn === 'approxCountDistinct' ? { id: 'varchar', length: 65535 } : s.type;
      stateFields.push({ name: s.fn, type: stateType });
      finalSpecs.push({ fn: s.fn, arg: at, type: s.type });
    }
  }
  return { stateFields, finalSpecs };
}
