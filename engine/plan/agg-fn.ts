/**
 * The aggregate functions the engine computes, named once for the logical
 * plan, the physical plan and window functions (window-spec.ts), so that none
 * of those modules has to import another for it.
 *
 * The DISTINCT forms, 'median', 'listagg' and the percentiles need all of a
 * group's rows in one place (no partial states): they run after the rows are
 * moved by group (plan/aggregate-states.ts).
 */
export type AggFn =
  | 'sum' | 'count' | 'countStar' | 'min' | 'max' | 'avg' | 'countDistinct' | 'sumDistinct' | 'avgDistinct' | 'anyValue'
  | 'median' | 'listagg' | 'percentileCont' | 'percentileDisc'
  /** APPROXIMATE COUNT(DISTINCT x): a HyperLogLog sketch, which partial aggregates emit and final ones merge. */
  | 'approxCountDistinct';
