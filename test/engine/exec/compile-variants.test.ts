/**
 * Compiled predicates and expressions have a variant for batches without NULLs
 * (no NULL tests; a filter's leading numeric comparisons as one JavaScript
 * condition). It must select and compute exactly what the general code does:
 * the same random predicates over the same values, once with no NULL mask
 * (the fast variant) and once with an all-zero one (the general code).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExpr, compileFilter } from '../../../engine/exec/compile.js';
import type { Expr } from '../../../engine/plan/expr.js';
import type { PhysicalKind, Vector } from '../../../engine/types.js';

const BOOL = { id: 'boolean' } as const;
const INT = { id: 'integer' } as const;
const DBL = { id: 'double' } as const;
const KINDS: PhysicalKind[] = ['i32', 'f64', 'bool'];
const TYPES = [INT, DBL, BOOL];

const num = fc.oneof(
  fc.integer({ min: 0, max: 1 }).map((c): Expr => ({ k: 'col', index: c, type: TYPES[c]! })),
  fc.integer({ min: -5, max: 5 }).map((v): Expr => ({ k: 'lit', value: v, type: INT })),
  fc.constantFrom(0.5, -0, NaN).map((v): Expr => ({ k: 'lit', value: v, type: DBL })),
);

const pred: fc.Arbitrary<Expr> = fc.letrec((tie) => ({
  p: fc.oneof(
    { depthSize: 'small' },
    fc.tuple(fc.constantFrom('eq', 'ne', 'lt', 'le', 'gt', 'ge'), num, num).map(([op, a, b]): Expr => ({ k: 'call', op: op as 'eq', args: [a, b], type: BOOL })),
    fc.constant<Expr>({ k: 'col', index: 2, type: BOOL }),
    fc.tuple(num, fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 4 }), fc.boolean()).map(([a, values, negated]): Expr => ({ k: 'in', arg: a, values, hasNull: false, negated, type: BOOL })),
    fc.tuple(fc.constantFrom('and', 'or'), tie('p'), tie('p')).map(([op, a, b]): Expr => ({ k: 'call', op: op as 'and', args: [a as Expr, b as Expr], type: BOOL })),
    tie('p').map((a): Expr => ({ k: 'call', op: 'not', args: [a as Expr], type: BOOL })),
  ),
})).p;

function columns(xs: number[], ys: number[], bs: boolean[], masked: boolean): Vector[] {
  const n = xs.length;
  const m = () => (masked ? new Uint8Array(n) : null);
  return [
    { kind: 'i32', values: Int32Array.from(xs), nulls: m(), length: n },
    { kind: 'f64', values: Float64Array.from(ys), nulls: m(), length: n },
    { kind: 'bool', values: Uint8Array.from(bs, (b) => (b ? 1 : 0)), nulls: m(), length: n },
  ];
}

describe('compiled code without NULL tests', () => {
  it('filters exactly as the general code', () => {
    fc.assert(
      fc.property(pred, fc.array(fc.tuple(fc.integer({ min: -4, max: 4 }), fc.constantFrom(-1, 0, 0.5, 2, NaN), fc.boolean()), { minLength: 1, maxLength: 60 }), (e, rows) => {
        const f = compileFilter(e, KINDS);
        const n = rows.length;
        const xs = rows.map((r) => r[0]);
        const ys = rows.map((r) => r[1]);
        const bs = rows.map((r) => r[2]);
        const a = new Uint32Array(n);
        const b = new Uint32Array(n);
        const ka = f(columns(xs, ys, bs, false), n, a);
        const kb = f(columns(xs, ys, bs, true), n, b);
        expect(Array.from(a.subarray(0, ka))).toEqual(Array.from(b.subarray(0, kb)));
        const g = compileExpr(e, KINDS);
        const va = g(columns(xs, ys, bs, false), n);
        const vb = g(columns(xs, ys, bs, true), n);
        expect(Array.from((va as { values: Uint8Array }).values)).toEqual(Array.from((vb as { values: Uint8Array }).values));
      }),
      { numRuns: 300 },
    );
  });
});

describe('range tests fused from two bounds of one integer column', () => {
  const I32 = fc.oneof(fc.integer(), fc.constantFrom(-2147483648, -2147483647, 2147483647, 2147483646, 0, -1, 1));
  const bound = fc.tuple(fc.constantFrom('lt', 'le', 'gt', 'ge'), I32, fc.boolean()).map(([op, v, litFirst]): Expr => {
    const col: Expr = { k: 'col', index: 0, type: INT };
    const lit: Expr = { k: 'lit', value: v, type: INT };
    return { k: 'call', op: op as 'lt', args: litFirst ? [lit, col] : [col, lit], type: BOOL };
  });
  it('select exactly the rows the general code selects, at the ends of the int32 range too', () => {
    fc.assert(
      fc.property(fc.array(bound, { minLength: 2, maxLength: 4 }), fc.array(I32, { minLength: 1, maxLength: 80 }), (bounds, xs) => {
        const e = bounds.reduce((a, b): Expr => ({ k: 'call', op: 'and', args: [a, b], type: BOOL }));
        const f = compileFilter(e, KINDS);
        const n = xs.length;
        const ys = xs.map(() => 0);
        const bs = xs.map(() => false);
        const a = new Uint32Array(n);
        const b = new Uint32Array(n);
        const ka = f(columns(xs, ys, bs, false), n, a);
        const kb = f(columns(xs, ys, bs, true), n, b);
        expect(Array.from(a.subarray(0, ka))).toEqual(Array.from(b.subarray(0, kb)));
      }),
      { numRuns: 500 },
    );
  });
});
