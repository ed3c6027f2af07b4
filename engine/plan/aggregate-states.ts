/**
 * How an aggregate splits into a partial phase (per slice, before rows move)
 * and a final one (merging the partial states after they move), shared by the
 * plain aggregate planner (rules/aggregate-split.ts) and the
 * grouping-sets one (rules/grouping-sets.ts). Each aggregate kind's partial
 * state is its own (functions/aggregate-kinds.ts): COUNT a count (summed), SUM
 * a sum, AVG a sum and a count, APPROXIMATE COUNT(DISTINCT) a HyperLogLog
 * sketch; DISTINCT aggregates, MEDIAN, LISTAGG and the percentiles have none.
 */
import type { SqlType } from '../types.js';
import { aggregateKind } from '../functions/registry.js';
import type { LogicalAgg } from './logical.js';
import type { AggFn } from '../functions/aggregate-kinds.js';
import type { AggSpec, Field, SortKey } from './physical.js';

/** Whether the aggregate can run in two phases. */
export function hasPartialState(fn: AggFn): boolean {
  return aggregateKind(fn).partial !== null;
}

/** How many columns the aggregate's partial state takes (what a final aggregate reads from its argument on). */
export function stateWidth(fn: AggFn, argType: SqlType | null, resultType: SqlType): number {
  return aggregateKind(fn).partial?.(argType, resultType).length ?? 1;
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
    const partial = aggregateKind(s.fn).partial;
    if (!partial) throw new Error(`aggregate ${s.fn} has no partial state`);
    stateFields.push(...partial(s.arg >= 0 ? argType(s.arg) : null, s.type));
    finalSpecs.push({ fn: s.fn, arg: at, type: s.type });
  }
  return { stateFields, finalSpecs };
}
