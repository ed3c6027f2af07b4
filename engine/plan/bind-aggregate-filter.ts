/**
 * An aggregate's FILTER (WHERE c): the aggregate then sees only the rows where
 * c is TRUE. Every aggregate skips NULL arguments, so the filter is the
 * argument made NULL where c is not TRUE: agg(x) FILTER (WHERE c) is
 * agg(CASE WHEN c THEN x END), and COUNT(*) counts CASE WHEN c THEN 1 END.
 * The filtered aggregate is then an ordinary one: it runs in the same phases
 * and across slices like the others, and identical filtered aggregates are
 * computed once.
 */
import type { AggregateBinding, AggregatePart } from './bind-env.js';
import type { Expr } from './expr.js';
import { INTEGER, lit } from './coerce.js';

export function withFilter(b: AggregateBinding, condition: Expr): AggregateBinding {
  // a FILTER that is always TRUE filters nothing
  if (condition.k === 'lit' && condition.value === 1) return b;
  const only = (x: Expr): Expr => ({ k: 'case', whens: [{ when: condition, then: x }], otherwise: null, type: x.type });
  const parts = b.parts.map((p): AggregatePart => {
    if (p.arg === null) return { ...p, fn: 'count', arg: only(lit(1, INTEGER)) };
    return { ...p, arg: only(p.arg) };
  });
  return { parts, combine: b.combine };
}
