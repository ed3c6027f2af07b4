/**
 * APPROXIMATE COUNT(DISTINCT x) (Redshift): the number of distinct non-NULL
 * values of x estimated with a HyperLogLog sketch (exec/ops/hyperloglog.ts),
 * a BIGINT, 0 over no rows. Unlike COUNT(DISTINCT) it has a partial state (the
 * sketch), so it runs in two phases like SUM and moves sketches, not rows.
 */
import type * as ast from '../sql/ast.js';
import type { AggregateBinding, CallBinder, ExprEnv } from './bind-env.js';
import { BIGINT, VARCHAR, isUnknown } from './coerce.js';

export function bindApproximateCount(b: CallBinder, e: ast.FunctionCall, env: ExprEnv): AggregateBinding {
  if (e.name !== 'count' || !e.distinct || e.args.length !== 1) {
    throw b.error('SYNTAX', 'APPROXIMATE is only supported with COUNT(DISTINCT expression)', e.pos);
  }
  if (e.withinGroup) throw b.error('SYNTAX', 'WITHIN GROUP is not allowed with APPROXIMATE COUNT', e.pos);
  let x = b.bind(e.args[0]!, env);
  if (isUnknown(x)) x = b.castTo(x, VARCHAR, 'implicit', e.args[0]!.pos);
  return { parts: [{ fn: 'approxCountDistinct', arg: x, type: BIGINT }], combine: (c) => c[0]! };
}
