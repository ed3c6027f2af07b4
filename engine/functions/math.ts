/**
 * Numeric functions. Exact types stay exact where the result can be: ROUND and
 * TRUNC of a DECIMAL give a DECIMAL at the new scale, ABS keeps the type;
 * transcendental functions work in DOUBLE PRECISION.
 */
import { roundHalfAway } from '../exec/runtime.js';
import { call, fnCall, type Expr } from '../plan/expr.js';
import { DATE, DOUBLE, INTEGER, decimalType, isFloat, isInteger, isTemporal, lit, precisionOf, scaleOf } from '../plan/coerce.js';
import type { Binding, CodeArgs, Family, ScalarFunction } from './types.js';

/** ROUND(x, digits) of a double, half away from zero. */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return roundHalfAway(x * f) / f;
}

/** TRUNC(x, digits) of a double. */
export function truncTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.trunc(x * f) / f;
}

type Rounding = 'round' | 'trunc' | 'floor' | 'ceil';

const ROUNDING_FN: Record<Rounding, string> = { round: 'rt.roundHalfAway', floor: 'Math.floor', ceil: 'Math.ceil', trunc: 'Math.trunc' };

/**
 * ROUND, TRUNC, FLOOR, CEIL: a DECIMAL to a smaller scale is its scaled value
 * divided and then rounded the SQL way; a double with digits goes through
 * roundTo/truncTo.
 */
function roundingCode(kind: Rounding) {
  return (c: CodeArgs): string => {
    const [x, digits] = c.args;
    const from = c.call.args[0]!.type;
    if (from.id === 'decimal') {
      const div = 10 ** (scaleOf(from) - scaleOf(c.call.type));
      return div === 1 ? `${c.target} = ${x};` : `${c.target} = ${ROUNDING_FN[kind]}(${x} / ${div});`;
    }
    if (digits !== undefined) return `${c.target} = ${c.constant(kind === 'round' ? roundTo : truncTo)}(${x}, ${digits});`;
    return `${c.target} = ${ROUNDING_FN[kind]}(${x});`;
  };
}

/**
 * ROUND(x [, digits]) and TRUNC(x [, digits]): integers stay integers (a
 * negative digits count rounds to tens, hundreds...); a DECIMAL(p,s) becomes
 * DECIMAL at scale digits (one more integer digit for ROUND's carry); floats
 * stay DOUBLE PRECISION. TRUNC of a date or timestamp is its date (Redshift).
 */
function roundLike(kind: 'round' | 'trunc', b: Binding): Expr {
  b.argc(1, 2);
  const x0 = b.arg(0);
  if (kind === 'trunc' && b.count === 1 && isTemporal(x0.type)) return b.castTo(x0, DATE, 'explicit', b.pos);
  const x = b.number(0, `the argument of ${b.name.toUpperCase()}`);
  let digits: number | null = 0;
  let digitsExpr: Expr = lit(0, INTEGER);
  if (b.count === 2) {
    digitsExpr = b.fold(b.int(1, `the second argument of ${b.name.toUpperCase()}`));
    digits = digitsExpr.k === 'lit' ? (digitsExpr.value as number | null) : null;
    if (digitsExpr.k === 'lit' && digitsExpr.value === null) return lit(null, x.type);
  }
  if (isInteger(x.type)) {
    if (digits !== null && digits >= 0) return x;
    const d = b.castTo(x, DOUBLE, 'explicit', b.pos);
    return b.castTo(b.fold(fnCall(kind, [d, digitsExpr], DOUBLE)), x.type, 'explicit', b.pos);
  }
  if (x.type.id === 'decimal' && digits !== null) {
    const s = scaleOf(x.type);
    const p = precisionOf(x.type);
    if (digits >= s) return x;
    if (digits >= 0) return fnCall(kind, [x], decimalType(p - s + digits + (kind === 'round' ? 1 : 0), digits));
    const d = b.castTo(x, DOUBLE, 'explicit', b.pos);
    return b.castTo(b.fold(fnCall(kind, [d, digitsExpr], DOUBLE)), decimalType(p - s + 1, 0), 'explicit', b.pos);
  }
  const d = b.castTo(x, DOUBLE, 'implicit', b.pos);
  return fnCall(kind, b.count === 2 ? [d, digitsExpr] : [d], DOUBLE);
}

/** FLOOR, CEIL: integers unchanged, a DECIMAL(p,s) to DECIMAL(p-s+1, 0), floats as they are. */
function floorLike(kind: 'floor' | 'ceil', names: readonly [string, ...string[]], doc: string): ScalarFunction {
  return {
    names,
    syntax: [`${names[0].toUpperCase()}(x)`],
    returns: 'integers: the type; DECIMAL(p,s): DECIMAL(p-s+1,0); floats: DOUBLE PRECISION',
    doc,
    bind(b) {
      b.argc(1);
      const x = b.number(0, `the argument of ${b.name.toUpperCase()}`);
      if (isInteger(x.type)) return x;
      if (x.type.id === 'decimal') return fnCall(kind, [x], decimalType(precisionOf(x.type) - scaleOf(x.type) + 1, 0));
      return fnCall(kind, [x], x.type);
    },
    nulls: 'strict',
    compile: roundingCode(kind),
  };
}

/** A DOUBLE PRECISION function of one DOUBLE PRECISION argument. */
function transcendental(name: string, doc: string, compile: (c: CodeArgs) => string): ScalarFunction {
  return {
    names: [name],
    syntax: [`${name.toUpperCase()}(x)`],
    returns: 'DOUBLE PRECISION',
    doc,
    bind(b) {
      b.argc(1);
      return fnCall(name, [b.double(0, `the argument of ${name.toUpperCase()}`)], DOUBLE);
    },
    nulls: 'strict',
    compile,
  };
}

export const MATH: Family = {
  name: 'numbers',
  functions: [
    {
      names: ['abs'],
      syntax: ['ABS(x)'],
      returns: 'the argument\'s type',
      doc: 'the absolute value (OVERFLOW for the smallest integer)',
      bind(b) {
        b.argc(1);
        const x = b.number(0, 'the argument of ABS');
        return fnCall('abs', [x], x.type);
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = Math.abs(${c.args[0]}); ${c.rangeCheck(c.call.type, c.target)}`,
    },
    {
      names: ['sign'],
      syntax: ['SIGN(x)'],
      returns: 'floats: DOUBLE PRECISION; else INTEGER',
      doc: '-1, 0 or 1',
      bind(b) {
        b.argc(1);
        const x = b.number(0, 'the argument of SIGN');
        return fnCall('sign', [x], isFloat(x.type) ? DOUBLE : INTEGER);
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = Math.sign(${c.args[0]});`,
    },
    {
      names: ['round'],
      syntax: ['ROUND(x [, digits])'],
      returns: 'integers: the type; DECIMAL: DECIMAL at scale digits; floats: DOUBLE PRECISION',
      doc: 'rounded half away from zero to digits decimal places (0 by default; negative rounds to tens, hundreds, ...)',
      bind: (b) => roundLike('round', b),
      nulls: 'strict',
      compile: roundingCode('round'),
    },
    {
      names: ['trunc', 'truncate'],
      syntax: ['TRUNC(x [, digits])', 'TRUNC(date or timestamp)'],
      returns: 'as ROUND; of a date or timestamp, a DATE',
      doc: 'truncated toward zero to digits decimal places; of a date or timestamp, its date (Redshift)',
      bind: (b) => roundLike('trunc', b),
      nulls: 'strict',
      compile: roundingCode('trunc'),
    },
    floorLike('floor', ['floor'], 'the largest integer not above x'),
    floorLike('ceil', ['ceil', 'ceiling'], 'the smallest integer not below x'),
    transcendental('sqrt', 'the square root; of a negative number INVALID_VALUE', (c) =>
      `if (${c.args[0]} < 0) rt.invalid('cannot take square root of a negative number'); ${c.target} = Math.sqrt(${c.args[0]});`,
    ),
    transcendental('ln', 'the natural logarithm; of zero or a negative number INVALID_VALUE', (c) =>
      `if (${c.args[0]} <= 0) rt.invalid('cannot take logarithm of zero or a negative number'); ${c.target} = ${c.call.param === 'log10' ? 'Math.log10' : 'Math.log'}(${c.args[0]});`,
    ),
    transcendental('exp', 'e raised to x', (c) => `${c.target} = Math.exp(${c.args[0]});`),
    {
      names: ['log'],
      syntax: ['LOG(x)', 'LOG(base, x)'],
      returns: 'DOUBLE PRECISION',
      doc: 'the base-10 logarithm, or the logarithm to a base',
      nulls: 'strict',
      bind(b) {
        b.argc(1, 2);
        if (b.count === 1) return fnCall('ln', [b.double(0, 'the argument of LOG')], DOUBLE, 'log10');
        const base = fnCall('ln', [b.double(0, 'the base of LOG')], DOUBLE);
        const x = fnCall('ln', [b.double(1, 'the argument of LOG')], DOUBLE);
        return call('div', [x, base], DOUBLE);
      },
    },
    {
      names: ['power', 'pow'],
      syntax: ['POWER(x, y)'],
      returns: 'DOUBLE PRECISION',
      doc: 'x raised to y',
      bind(b) {
        b.argc(2);
        return fnCall('power', [b.double(0, 'the base of POWER'), b.double(1, 'the exponent of POWER')], DOUBLE);
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = Math.pow(${c.args[0]}, ${c.args[1]});`,
    },
    {
      names: ['mod'],
      syntax: ['MOD(a, b)'],
      returns: 'as a % b',
      doc: 'the remainder, as the % operator (its sign is a\'s; b = 0 is DIVISION_BY_ZERO)',
      nulls: 'strict',
      bind(b) {
        b.argc(2);
        return b.arith('%', b.arg(0), b.arg(1), b.pos);
      },
    },
  ],
};
