/**
 * Aggregate functions: each binds its call to the aggregate kinds it needs
 * (aggregate-kinds.ts) and the expression that makes its value of them. The
 * same entries bind a call with OVER (plan/bind-window.ts): whether a kind
 * runs over frames or only over whole partitions is the kind's.
 *
 * Every aggregate skips NULL arguments. Over no rows the counts are 0 and the
 * others NULL.
 */
import type * as ast from '../sql/ast.js';
import type { SqlType } from '../types.js';
import type { AggregateBinder, AggregateBinding, AggregatePart, ExprEnv } from '../plan/bind-env.js';
import { call, fnCall, type Expr } from '../plan/expr.js';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  VARCHAR,
  decimalType,
  isInteger,
  isNumeric,
  isTemporal,
  isUnknown,
  lit,
  numericLiteralType,
  scaleOf,
  shortName,
} from '../plan/coerce.js';
import type { AggFn } from './aggregate-kinds.js';
import type { AggregateFamily, AggregateFunction } from './types.js';

const SKIPPED = 'skipped; NULL over no values';

function one(fn: AggFn, arg: Expr | null, type: SqlType): AggregateBinding {
  return { parts: [{ fn, arg, type }], combine: (c) => c[0]! };
}

/** The single argument of an aggregate that takes one, bound. */
function single(b: AggregateBinder, e: ast.FunctionCall, env: ExprEnv): Expr {
  if (e.args.length !== 1) throw b.error('SYNTAX', `aggregate function ${e.name} takes one argument, got ${e.args.length}`, e.pos);
  return b.bind(e.args[0]!, env);
}

/** The single argument as a number (an untyped literal takes its literal type). */
function numeric(b: AggregateBinder, e: ast.FunctionCall, env: ExprEnv): Expr {
  let x = single(b, e, env);
  if (isUnknown(x)) x = b.castTo(x, numericLiteralType(x), 'implicit', e.args[0]!.pos);
  if (!isNumeric(x.type)) throw b.error('TYPE_MISMATCH', `function ${e.name}(${shortName(x.type)}) does not exist`, e.pos);
  return x;
}

/** The single argument of any type (an untyped literal is `unknown`'s type). */
function anyType(b: AggregateBinder, e: ast.FunctionCall, env: ExprEnv, unknown: SqlType): Expr {
  const x = single(b, e, env);
  return isUnknown(x) ? b.castTo(x, unknown, 'implicit', e.args[0]!.pos) : x;
}

const COUNT: AggregateFunction = {
  names: ['count'],
  syntax: ['COUNT(*)', 'COUNT([DISTINCT] x)', 'APPROXIMATE COUNT(DISTINCT x)'],
  returns: 'BIGINT',
  doc: 'The number of rows (`*`), of non-NULL values, or of distinct non-NULL values. APPROXIMATE COUNT(DISTINCT x) estimates the last with a HyperLogLog sketch (0.81% standard error; see below).',
  nulls: 'skipped; 0 over no rows',
  withinGroup: false,
  bind(b, e, env) {
    if (e.star) return one('countStar', null, BIGINT);
    const x = anyType(b, e, env, VARCHAR);
    return one(e.distinct ? 'countDistinct' : 'count', x, BIGINT);
  },
  approximate(b, e, env) {
    if (!e.distinct || e.args.length !== 1) throw b.error('SYNTAX', 'APPROXIMATE is only supported with COUNT(DISTINCT expression)', e.pos);
    if (e.withinGroup) throw b.error('SYNTAX', 'WITHIN GROUP is not allowed with APPROXIMATE COUNT', e.pos);
    let x = b.bind(e.args[0]!, env);
    if (isUnknown(x)) x = b.castTo(x, VARCHAR, 'implicit', e.args[0]!.pos);
    return one('approxCountDistinct', x, BIGINT);
  },
};

const SUM: AggregateFunction = {
  names: ['sum'],
  syntax: ['SUM([DISTINCT] x)'],
  returns: 'BIGINT for integers; DECIMAL(38,s) for DECIMAL(p,s); DOUBLE PRECISION for REAL and DOUBLE',
  doc: 'The sum of the values. An integer sum past 2^53 − 1 is an OVERFLOW error; a DECIMAL sum is accumulated exactly up to 2^106 ([DECIMAL](#decimal)).',
  nulls: SKIPPED,
  withinGroup: false,
  bind(b, e, env) {
    const x = numeric(b, e, env);
    const t = x.type;
    return one(e.distinct ? 'sumDistinct' : 'sum', x, isInteger(t) ? BIGINT : t.id === 'decimal' ? decimalType(38, scaleOf(t)) : DOUBLE);
  },
};

const AVG: AggregateFunction = {
  names: ['avg'],
  syntax: ['AVG([DISTINCT] x)'],
  returns: 'DOUBLE PRECISION for integers, REAL and DOUBLE; DECIMAL(38, max(6, s)) for DECIMAL(p,s)',
  doc: 'The mean of the values; for a DECIMAL the quotient of the sum by the count, exact and rounded half away from zero. Redshift truncates the mean of integers to an integer; keel gives DOUBLE PRECISION, as DuckDB does.',
  nulls: SKIPPED,
  withinGroup: false,
  bind(b, e, env) {
    const x = numeric(b, e, env);
    const t = x.type;
    return one(e.distinct ? 'avgDistinct' : 'avg', x, t.id === 'decimal' ? decimalType(38, Math.max(6, scaleOf(t))) : DOUBLE);
  },
};

/** MIN, MAX, ANY_VALUE: a value of the argument's own type (DISTINCT changes nothing). */
function pick(name: 'min' | 'max' | 'any_value', fn: AggFn, doc: string): AggregateFunction {
  return {
    names: [name],
    syntax: [`${name.toUpperCase()}(x)`],
    returns: "the argument's type",
    doc,
    nulls: SKIPPED,
    withinGroup: false,
    bind(b, e, env) {
      const x = anyType(b, e, env, VARCHAR);
      return one(fn, x, x.type);
    },
  };
}

/** BOOL_AND and BOOL_OR: MIN and MAX of booleans. */
function boolean(name: 'bool_and' | 'bool_or', fn: 'min' | 'max', doc: string): AggregateFunction {
  return {
    names: [name],
    syntax: [`${name.toUpperCase()}(b)`],
    returns: 'BOOLEAN',
    doc,
    nulls: SKIPPED,
    withinGroup: false,
    bind(b, e, env) {
      const x = anyType(b, e, env, BOOLEAN);
      if (x.type.id !== 'boolean') throw b.error('TYPE_MISMATCH', `function ${e.name}(${shortName(x.type)}) does not exist`, e.pos);
      return one(fn, x, BOOLEAN);
    },
  };
}

/**
 * VAR_SAMP, VAR_POP, STDDEV_SAMP, STDDEV_POP (VARIANCE and STDDEV are the
 * sample forms, as in Redshift), in DOUBLE PRECISION from COUNT, SUM(x) and
 * SUM(x*x): (sum(x^2) - sum(x)^2 / n) / (n - 1), NULL below 2 rows (1 for the
 * population forms). They split into partial states like their parts.
 */
function variance(names: readonly [string, ...string[]], pop: boolean, root: boolean): AggregateFunction {
  const what = `${pop ? 'population' : 'sample'} ${root ? 'standard deviation' : 'variance'}`;
  return {
    names,
    syntax: [`${names[0].toUpperCase()}(x)`],
    returns: 'DOUBLE PRECISION',
    doc: `The ${what} of the values.`,
    nulls: pop ? SKIPPED : 'skipped; NULL below 2 values',
    withinGroup: false,
    bind(b, e, env) {
      const x = numeric(b, e, env);
      if (e.distinct) throw b.error('UNSUPPORTED', `${e.name}(DISTINCT ...) is not supported`, e.pos);
      const d = b.castTo(x, DOUBLE, 'implicit', e.pos);
      const parts: AggregatePart[] = [
        { fn: 'count', arg: x, type: BIGINT },
        { fn: 'sum', arg: d, type: DOUBLE },
        { fn: 'sum', arg: call('mul', [d, d], DOUBLE), type: DOUBLE },
      ];
      return {
        parts,
        combine: ([count, sx, sxx]) => {
          const n = call('cast', [count!], DOUBLE);
          const centered = call('sub', [sxx!, call('div', [call('mul', [sx!, sx!], DOUBLE), n], DOUBLE)], DOUBLE);
          // rounding can leave a tiny negative for constant data
          const ss = fnCall('greatest', [centered, lit(0, DOUBLE)], DOUBLE);
          let v = call('div', [ss, pop ? n : call('sub', [n, lit(1, DOUBLE)], DOUBLE)], DOUBLE);
          if (root) v = fnCall('sqrt', [v], DOUBLE);
          return { k: 'case', whens: [{ when: call('ge', [count!, lit(pop ? 1 : 2, BIGINT)], BOOLEAN), then: v }], otherwise: null, type: DOUBLE };
        },
      };
    },
  };
}

/**
 * MEDIAN(x): the middle value of the group's non-NULL values, or the mean of
 * the two middle ones (NULL when there are none). Types as DuckDB's: integers
 * give DOUBLE PRECISION (Redshift documents DECIMAL), floats DOUBLE
 * PRECISION; DECIMAL(p,s) keeps its type, the mean of two middle values
 * rounded down to scale s (DuckDB's interpolation); DATE (Redshift's type; DuckDB answers a
 * TIMESTAMP) and TIMESTAMP keep theirs, a mean rounded down to a day or microsecond.
 */
const MEDIAN: AggregateFunction = {
  names: ['median'],
  syntax: ['MEDIAN(x)'],
  returns: 'DOUBLE PRECISION for integers, REAL and DOUBLE; DECIMAL(p,s), DATE and TIMESTAMP keep their type',
  doc: "The middle value, or the mean of the two middle ones (rounded down to the type's last unit for DECIMAL, DATE and TIMESTAMP). Redshift documents DECIMAL for integers; keel gives DOUBLE PRECISION, as DuckDB does.",
  nulls: SKIPPED,
  withinGroup: false,
  bind(b, e, env) {
    let x = single(b, e, env);
    if (e.distinct) throw b.error('UNSUPPORTED', 'MEDIAN(DISTINCT ...) is not supported', e.pos);
    if (isUnknown(x)) x = b.castTo(x, numericLiteralType(x), 'implicit', e.args[0]!.pos);
    const t = x.type;
    if (!isNumeric(t) && !isTemporal(t)) throw b.error('TYPE_MISMATCH', `function median(${shortName(t)}) does not exist`, e.pos);
    return one('median', x, isInteger(t) || t.id === 'real' ? DOUBLE : t);
  },
};

/** The WITHIN GROUP keys, bound over the aggregate's input (no aggregate may be nested in them). */
function withinGroupKeys(b: AggregateBinder, e: ast.FunctionCall, env: ExprEnv): { expr: Expr; desc: boolean; nullsFirst: boolean }[] {
  return (e.withinGroup ?? []).map((o) => {
    if (b.containsAggregate(o.expr)) throw b.error('SYNTAX', 'aggregate function calls cannot be nested', o.expr.pos);
    let k = b.bind(o.expr, { ...env, clause: 'WITHIN GROUP' });
    if (isUnknown(k)) k = b.castTo(k, VARCHAR, 'implicit', o.expr.pos);
    return { expr: k, desc: o.desc, nullsFirst: o.nullsFirst ?? o.desc };
  });
}

/**
 * LISTAGG([DISTINCT] x [, 'delimiter']) [WITHIN GROUP (ORDER BY ...)], as in
 * Redshift: the group's values as text, NULLs and empty strings skipped,
 * joined by the delimiter (a constant; none when omitted or NULL), in the
 * WITHIN GROUP order (else in no particular order); DISTINCT keeps the first
 * of equal values. NULL when no value remains; a VARCHAR(65535) whose limit
 * is an error (INVALID_VALUE) when passed.
 */
const LISTAGG: AggregateFunction = {
  names: ['listagg'],
  syntax: ["LISTAGG([DISTINCT] x [, 'delimiter']) [WITHIN GROUP (ORDER BY ...)]"],
  returns: 'VARCHAR(65535)',
  doc: 'The values as text joined by the delimiter (a constant; none when omitted), in the WITHIN GROUP order; DISTINCT keeps the first of equal values. A result longer than 65,535 bytes is an INVALID_VALUE error, as in Redshift.',
  nulls: 'NULLs and empty strings skipped; NULL over no values',
  withinGroup: true,
  bind(b, e, env) {
    if (e.star || e.args.length < 1 || e.args.length > 2) {
      throw b.error('SYNTAX', `aggregate function listagg takes 1 or 2 arguments, got ${e.star ? '*' : e.args.length}`, e.pos);
    }
    const x = b.asString(b.bind(e.args[0]!, env), e.args[0]!.pos);
    let separator: string | undefined;
    if (e.args.length === 2) {
      const d = b.fold(b.asString(b.bind(e.args[1]!, env), e.args[1]!.pos));
      if (d.k !== 'lit') throw b.error('SYNTAX', 'the delimiter of LISTAGG must be a constant string', e.args[1]!.pos);
      if (d.value !== null && d.value !== '') separator = d.value as string;
    }
    const order = withinGroupKeys(b, e, env);
    const part: AggregatePart = {
      fn: 'listagg',
      arg: x,
      type: VARCHAR,
      ...(order.length ? { order } : {}),
      ...(separator !== undefined ? { separator } : {}),
      ...(e.distinct ? { distinct: true } : {}),
    };
    return { parts: [part], combine: (c) => c[0]! };
  },
};

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
function percentile(cont: boolean): AggregateFunction {
  const name = cont ? 'percentile_cont' : 'percentile_disc';
  const fname = name.toUpperCase();
  return {
    names: [name],
    syntax: [`${fname}(f) WITHIN GROUP (ORDER BY x [ASC | DESC])`],
    returns: cont ? 'DOUBLE PRECISION for integers, REAL and DOUBLE; DECIMAL(p,s), DATE and TIMESTAMP keep their type' : "x's type (a number, DATE or TIMESTAMP)",
    doc: cont
      ? 'The value at fraction f (a constant from 0 to 1) of the ordered values of x, interpolated linearly between the two nearest. Redshift gives DECIMAL for integers; keel DOUBLE PRECISION, as DuckDB.'
      : 'The first of the ordered values of x whose cumulative distribution reaches f (a constant from 0 to 1).',
    nulls: SKIPPED,
    withinGroup: true,
    bind(b, e, env) {
      if (e.distinct || e.star) throw b.error('SYNTAX', `${fname} takes a fraction, not ${e.star ? '*' : 'DISTINCT'}`, e.pos);
      if (e.args.length !== 1) throw b.error('SYNTAX', `${fname} takes one argument (the fraction), got ${e.args.length}`, e.pos);
      const order = e.withinGroup;
      if (!order || order.length !== 1) {
        throw b.error('SYNTAX', `${fname} needs WITHIN GROUP (ORDER BY one expression)${order ? `, got ${order.length}` : ''}`, order?.[1]?.pos ?? e.pos);
      }
      const fraction = fractionOf(b, e.args[0]!, env, fname);
      const o = order[0]!;
      if (b.containsAggregate(o.expr)) throw b.error('SYNTAX', 'aggregate function calls cannot be nested', o.expr.pos);
      let x = b.bind(o.expr, { ...env, clause: 'WITHIN GROUP' });
      if (isUnknown(x)) x = b.castTo(x, DOUBLE, 'implicit', o.expr.pos);
      const t = x.type;
      if (!isNumeric(t) && !isTemporal(t)) {
        throw b.error('TYPE_MISMATCH', `${fname} needs a number, DATE or TIMESTAMP to order by, not ${shortName(t)}`, o.expr.pos);
      }
      const type = cont && (isInteger(t) || t.id === 'real' || t.id === 'double') ? DOUBLE : t;
      // NULLs are skipped, so NULLS FIRST / LAST changes nothing
      const part: AggregatePart = { fn: cont ? 'percentileCont' : 'percentileDisc', arg: x, type, fraction, ...(o.desc ? { desc: true } : {}) };
      return { parts: [part], combine: (c) => c[0]! };
    },
  };
}

/** The fraction: a constant from 0 to 1 (a DECIMAL literal read as its value, not its scaled integer). */
function fractionOf(b: AggregateBinder, arg: ast.Expr, env: ExprEnv, fname: string): number {
  if (b.containsAggregate(arg)) throw b.error('SYNTAX', 'aggregate function calls cannot be nested', arg.pos);
  const bound = b.bind(arg, { ...env, clause: fname });
  if (!isUnknown(bound) && !isNumeric(bound.type)) throw b.error('TYPE_MISMATCH', `the fraction of ${fname} must be a number, not ${shortName(bound.type)}`, arg.pos);
  const f = b.fold(b.castTo(bound, DOUBLE, 'explicit', arg.pos));
  if (f.k !== 'lit') throw b.error('SYNTAX', `the fraction of ${fname} must be a constant`, arg.pos);
  if (f.value === null) throw b.error('INVALID_VALUE', `the fraction of ${fname} must not be NULL`, arg.pos);
  const v = f.value as number;
  if (!(v >= 0 && v <= 1)) throw b.error('INVALID_VALUE', `the fraction of ${fname} must be between 0 and 1, not ${v}`, arg.pos);
  return v;
}

export const AGGREGATES: AggregateFamily = {
  name: 'aggregates',
  functions: [
    COUNT,
    SUM,
    AVG,
    pick('min', 'min', 'The smallest value.'),
    pick('max', 'max', 'The largest value.'),
    pick('any_value', 'anyValue', 'One of the values, for columns that depend on the GROUP BY keys.'),
    boolean('bool_and', 'min', 'TRUE when every value is TRUE.'),
    boolean('bool_or', 'max', 'TRUE when some value is TRUE.'),
    variance(['stddev_samp', 'stddev'], false, true),
    variance(['stddev_pop'], true, true),
    variance(['var_samp', 'variance'], false, false),
    variance(['var_pop'], true, false),
    MEDIAN,
    LISTAGG,
    percentile(true),
    percentile(false),
  ],
  // aggregates of Redshift or PostgreSQL keel does not compute: refused by name, not as unknown functions
  refused: ['bit_and', 'bit_or', 'approximate', 'string_agg', 'array_agg', 'mode'],
};
