/**
 * Constant folding: a bound expression without columns evaluated at bind time
 * by the same compiled code that runs it per row, so a constant means exactly
 * what the expression would compute. Apart from the type rules (coerce.ts):
 * it needs the compiler, which needs the function registry, whose type rules
 * use coerce.ts.
 */
import { compileExpr } from '../exec/compile.js';
import type { Expr } from './expr.js';
import { isConstant, lit } from './coerce.js';

/** Evaluates a constant expression at bind time; returns it unchanged if it has columns or raises an error. */
export function fold(e: Expr): Expr {
  if (e.k === 'lit' || e.k === 'col') return e;
  if (!isConstant(e)) return e;
  try {
    const v = compileExpr(e, [])([], 1);
    if (v.nulls !== null && v.nulls[0] === 1) return lit(null, e.type);
    const value = v.kind === 'str' ? v.dict[v.codes[0]!]! : v.values[0]!;
    return lit(value, e.type);
  } catch {
    return e;
  }
}

/** Evaluates a constant expression, letting a runtime error (bad cast, overflow) surface. */
export function evaluate(e: Expr): number | string | null {
  const v = compileExpr(e, [])([], 1);
  if (v.nulls !== null && v.nulls[0] === 1) return null;
  return v.kind === 'str' ? v.dict[v.codes[0]!]! : v.values[0]!;
}
