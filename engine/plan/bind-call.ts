/**
 * A function call as the registry's binding rules see it (functions/types.ts,
 * Binding): its arguments, each bound once on first use, and the expression
 * binder's type rules.
 */
import type * as ast from '../sql/ast.js';
import type { ErrorCode, SqlError } from '../errors.js';
import type { SqlType } from '../types.js';
import type { Binding } from '../functions/types.js';
import { normalizeField } from '../functions/date.js';
import type { Expr } from './expr.js';
import { fold } from './fold.js';
import { isUnknown } from './coerce.js';

/** What a call's binding needs of the expression binder (bind-expr.ts, ExprBinder). */
export interface ArgumentBinder<Env> {
  readonly sessionZone: string | null;
  readonly sessionUser: string | null;
  bind(e: ast.Expr, env: Env): Expr;
  error(code: ErrorCode, message: string, pos: number): SqlError;
  asString(e: Expr, pos: number): Expr;
  asInt(e: Expr, pos: number, what: string): Expr;
  asDouble(e: Expr, pos: number, what: string): Expr;
  asNumber(e: Expr, pos: number, what: string): Expr;
  asTemporal(e: Expr, pos: number, what: string): Expr;
  castTo(e: Expr, t: SqlType, mode: 'implicit' | 'explicit', pos: number): Expr;
  unify(values: readonly Expr[], positions: readonly number[], what: string): Expr[];
  unifyPair(l: Expr, r: Expr, pos: number): [Expr, Expr];
  compare(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', l: Expr, r: Expr, pos: number): Expr;
  arith(op: '+' | '-' | '*' | '/' | '%', l: Expr, r: Expr, pos: number): Expr;
}

export class CallBinding<Env> implements Binding {
  private readonly bound: (Expr | undefined)[];

  constructor(
    private readonly binder: ArgumentBinder<Env>,
    private readonly call: ast.FunctionCall,
    private readonly env: Env,
  ) {
    this.bound = new Array(call.args.length);
  }

  get name(): string {
    return this.call.name;
  }

  get pos(): number {
    return this.call.pos;
  }

  get count(): number {
    return this.call.args.length;
  }

  argc(min: number, max = min): void {
    const n = this.count;
    if (n >= min && n <= max) return;
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : max === min + 1 ? `${min} or ${max}` : `${min} to ${max}`;
    throw this.error('SYNTAX', `function ${this.name} takes ${want} argument${min === 1 && max === 1 ? '' : 's'}, got ${n}`, this.pos);
  }

  arg(i: number): Expr {
    return (this.bound[i] ??= this.binder.bind(this.syntaxOf(i), this.env));
  }

  argPos(i: number): number {
    return this.syntaxOf(i).pos;
  }

  syntaxOf(i: number): ast.Expr {
    const a = this.call.args[i];
    if (!a) throw new Error(`${this.name}: no argument ${i}`);
    return a;
  }

  str(i: number): Expr {
    return this.binder.asString(this.arg(i), this.argPos(i));
  }

  int(i: number, what = `argument ${i + 1} of ${this.name}`): Expr {
    return this.binder.asInt(this.arg(i), this.argPos(i), what);
  }

  double(i: number, what: string): Expr {
    return this.binder.asDouble(this.arg(i), this.argPos(i), what);
  }

  number(i: number, what: string): Expr {
    return this.binder.asNumber(this.arg(i), this.argPos(i), what);
  }

  temporal(i: number, what: string): Expr {
    return this.binder.asTemporal(this.arg(i), this.argPos(i), what);
  }

  datePart(i: number): string {
    const a = this.syntaxOf(i);
    if (a.kind === 'string') return normalizeField(a.value);
    if (a.kind === 'column' && !a.table) return normalizeField(a.name.name);
    throw this.error('SYNTAX', `the first argument of ${this.name} must be a date part such as 'month'`, a.pos);
  }

  constantString(i: number, what: string): string | null {
    const e = fold(this.str(i));
    if (e.k !== 'lit') throw this.error('SYNTAX', `${what} must be a constant string`, this.argPos(i));
    return e.value as string | null;
  }

  // ------------------------------------------------------------ the binder's type rules

  error(code: ErrorCode, message: string, pos: number): SqlError {
    return this.binder.error(code, message, pos);
  }

  castTo(e: Expr, t: SqlType, mode: 'implicit' | 'explicit', pos: number): Expr {
    return this.binder.castTo(e, t, mode, pos);
  }

  get sessionZone(): string | null {
    return this.binder.sessionZone;
  }

  get sessionUser(): string | null {
    return this.binder.sessionUser;
  }

  unify(values: readonly Expr[], positions: readonly number[], what: string): Expr[] {
    return this.binder.unify(values, positions, what);
  }

  unifyPair(l: Expr, r: Expr, pos: number): [Expr, Expr] {
    return this.binder.unifyPair(l, r, pos);
  }

  compare(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', l: Expr, r: Expr, pos: number): Expr {
    return this.binder.compare(op, l, r, pos);
  }

  arith(op: '+' | '-' | '*' | '/' | '%', l: Expr, r: Expr, pos: number): Expr {
    return this.binder.arith(op, l, r, pos);
  }

  fold(e: Expr): Expr {
    return fold(e);
  }

  isUnknown(e: Expr): boolean {
    return isUnknown(e);
  }

  asNumber(e: Expr, pos: number, what: string): Expr {
    return this.binder.asNumber(e, pos, what);
  }

  asTemporal(e: Expr, pos: number, what: string): Expr {
    return this.binder.asTemporal(e, pos, what);
  }
}
