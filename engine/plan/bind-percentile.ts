/**
 * PERCENTILE_CONT(f) and PERCENTILE_DISC(f) WITHIN GROUP (ORDER BY x [ASC | DESC]),
 * as in Redshift and PostgreSQL: over the group's non-NULL values of x in the
 * WITHIN GROUP order,
 *   PERCENTILE_CONT interpolates linearly at row 1 + f * (n - 1);
 *   PERCENTILE_DISC is the first value whose cumulative distribution (row / n)
 *   is at least f.
 * f is a constant from 0 to 1. x is a number, DATE or TIMESTAMP. The result is
 * NULL over no values. Types: PERCENTILE_DISC keeps x's type; PERCENTILE_CONT
 * keeps DECIMAL, DATE and TIMESTAMP (an interpolated value truncated to the
 * type's last unit, as MEDIAN's is) and gives DOUBLE PRECISION for integers and
 * floats (Redshift: DECIMAL for integers; DuckDB, the oracle, DOUBLE).
 * The values are gathered per group, so like MEDIAN these have no partial
 * state (exec/ops/percentile.ts).
 */
import type * as ast from '../sql/ast.js';
import type { AggregateBinding, CallBinder, ExprEnv } from './bind-env.js';
import { containsAggregate } from './ast-walks.js';
import { DOUBLE, isInteger, isNumeric, isTemporal, isUnknown, shortName } from './coerce.js';
import { fold } from './fold.js';

export function isPercentileCall(e: ast.FunctionCall): boolean {
  return e.name === 'percentile_cont' || e.name === 'percentile_disc';
}

export function bindPercentile(b: CallBinder, e: ast.FunctionCall, env: ExprEnv): AggregateBinding {
  const cont = e.name === 'percentile_cont';
  const fname = e.name.toUpperCase();
  if (e.distinct || e.star) throw b.error('SYNTAX', `${fname} takes a fraction, not ${e.star ? '*' : 'DISTINCT'}`, e.pos);
  if (e.args.length !== 1) throw b.error('SYNTAX', `${fname} takes one argument (the fraction), got ${e.args.length}`, e.pos);
  const order = e.withinGroup;
  if (!order || order.length !== 1) {
    throw b.error('SYNTAX', `${fname} needs WITHIN GROUP (ORDER BY one expression)${order ? `, got ${order.length}` : ''}`, order?.[1]?.pos ?? e.pos);
  }
  const fraction = fractionOf(b, e.args[0]!, env, fname);
  const o = order[0]!;
  if (containsAggregate(o.expr)) throw b.error('SYNTAX', 'aggregate function calls cannot be nested', o.expr.pos);
  let x = b.bind(o.expr, { ...env, clause: 'WITHIN GROUP' });
  if (isUnknown(x)) x = b.castTo(x, DOUBLE, 'implicit', o.expr.pos);
  const t = x.type;
  if (!isNumeric(t) && !isTemporal(t)) {
    throw b.error('TYPE_MISMATCH', `${fname} needs a number, DATE or TIMESTAMP to order by, not ${shortName(t)}`, o.expr.pos);
  }
  const type = cont && (isInteger(t) || t.id === 'real' || t.id === 'double') ? DOUBLE : t;
  // NULLs are skipped, so NULLS FIRST / LAST changes nothing
  const part = { fn: cont ? ('percentileCont' as const) : ('percentileDisc' as const), arg: x, type, fraction, ...(o.desc ? { desc: true } : {}) };
  return { parts: [part], combine: (c) => c[0]! };
}

/** The fraction: a constant from 0 to 1 (a DECIMAL literal read as its value, not its scaled integer). */
function fractionOf(b: CallBinder, arg: ast.Expr, env: ExprEnv, fname: string): number {
  if (containsAggregate(arg)) throw b.error('SYNTAX', 'aggregate function calls cannot be nested', arg.pos);
  const bound = b.bind(arg, { ...env, clause: fname });
  if (!isUnknown(bound) && !isNumeric(bound.type)) throw b.error('TYPE_MISMATCH', `the fraction of ${fname} must be a number, not ${shortName(bound.type)}`, arg.pos);
  const f = fold(b.castTo(bound, DOUBLE, 'explicit', arg.pos));
  if (f.k !== 'lit') throw b.error('SYNTAX', `the fraction of ${fname} must be a constant`, arg.pos);
  if (f.value === null) throw b.error('INVALID_VALUE', `the fraction of ${fname} must not be NULL`, arg.pos);
  const v = f.value as number;
  if (!(v >= 0 && v <= 1)) throw b.error('INVALID_VALUE', `the fraction of ${fname} must be between 0 and 1, not ${v}`, arg.pos);
  return v;
}
