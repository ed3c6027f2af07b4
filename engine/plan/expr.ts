/**
 * Bound expressions: what the binder makes of SQL expressions once names are
 * resolved and types are known. Literals hold physical values (a DECIMAL as its
 * scaled integer, a DATE as days, a TIMESTAMP as microseconds, a BOOLEAN as 0/1),
 * and every implicit conversion is an explicit 'cast' node, so the compiler never
 * has to reason about types beyond the physical kind of each node.
 */
import type { SqlType } from '../types.js';

export type Expr = ColumnExpr | LiteralExpr | CallExpr | FnExpr | CaseExpr | InListExpr | LikeExpr;

export interface ColumnExpr {
  readonly k: 'col';
  /** Index into the input batch's columns. */
  readonly index: number;
  readonly type: SqlType;
}

export interface LiteralExpr {
  readonly k: 'lit';
  readonly value: number | string | null;
  readonly type: SqlType;
}

/**
 * The operators of the expression language, which the compiler knows itself.
 * Arithmetic works on physical values of the result type (the binder rescales
 * decimals first); comparisons take two operands of the same physical kind.
 * Functions are not operators: they are FnExprs, looked up in the registry
 * (engine/functions).
 */
export type Op =
  | 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'neg'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'
  | 'and' | 'or' | 'not'
  | 'isNull' | 'isNotNull' | 'isTrue' | 'isFalse' | 'isNotTrue' | 'isNotFalse'
  | 'cast'
  /** s || t */
  | 'concat'
  /** The first non-NULL argument, each evaluated only while those before were NULL (as CASE). */
  | 'coalesce'
  /** Date arithmetic: date + days, timestamp + months (clamped to the month's end), timestamp + microseconds, date - date. */
  | 'addDays' | 'addMonths' | 'addMicros' | 'dateDiffDays'
  /** s LIKE pattern [ESCAPE e] with a pattern computed per row (constant patterns are a LikeExpr); field 'i' for ILIKE. */
  | 'like';

export interface CallExpr {
  readonly k: 'call';
  readonly op: Op;
  readonly args: readonly Expr[];
  readonly type: SqlType;
  /** 'assign' for a cast that INSERT makes (too long a string is an error); 'i' for ILIKE. */
  readonly field?: string;
}

/** A function call: `fn` names an implementation of the function registry (engine/functions). */
export interface FnExpr {
  readonly k: 'fn';
  readonly fn: string;
  readonly args: readonly Expr[];
  readonly type: SqlType;
  /** A constant the binder fixed: a date part ('month'), a variant ('log10'). */
  readonly param?: string;
}

export interface CaseExpr {
  readonly k: 'case';
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly otherwise: Expr | null;
  readonly type: SqlType;
}

export interface InListExpr {
  readonly k: 'in';
  readonly arg: Expr;
  /** Physical values of the list, NULLs removed. */
  readonly values: readonly (number | string)[];
  /** Whether the list held a NULL (x NOT IN (1, NULL) is never true). */
  readonly hasNull: boolean;
  readonly negated: boolean;
  readonly type: SqlType;
}

export interface LikeExpr {
  readonly k: 'like';
  readonly arg: Expr;
  readonly pattern: string;
  readonly escape: string | null;
  readonly caseInsensitive: boolean;
  readonly negated: boolean;
  readonly type: SqlType;
}

export const BOOLEAN: SqlType = { id: 'boolean' };
export const INTEGER: SqlType = { id: 'integer' };
export const BIGINT: SqlType = { id: 'bigint' };
export const DOUBLE: SqlType = { id: 'double' };
export const VARCHAR: SqlType = { id: 'varchar', length: 65535 };
export const DATE: SqlType = { id: 'date' };
export const TIMESTAMP: SqlType = { id: 'timestamp' };

export function call(op: Op, args: readonly Expr[], type: SqlType, field?: string): Expr {
  return field === undefined ? { k: 'call', op, args, type } : { k: 'call', op, args, type, field };
}

export function fnCall(fn: string, args: readonly Expr[], type: SqlType, param?: string): FnExpr {
  return param === undefined ? { k: 'fn', fn, args, type } : { k: 'fn', fn, args, type, param };
}

export function decimal(precision: number, scale: number): SqlType {
  return { id: 'decimal', precision: Math.min(precision, 38), scale };
}

/**
 * Operands joined by a binary operator as a balanced tree, in their order:
 * for AND, OR and string concatenation, which are associative, so that a chain
 * of 20,000 is 15 levels deep rather than 20,000 (everything that walks an
 * expression recurses). Three or fewer operands give the left-deep tree the
 * parser would have made.
 */
export function balanced<T>(items: readonly T[], join: (a: T, b: T) => T): T {
  if (items.length === 0) throw new Error('balanced: no operands');
  let level: readonly T[] = items;
  while (level.length > 1) {
    const next: T[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? join(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

/** The operands of a tree of `op` calls (AND's conjuncts, OR's disjuncts), left to right, without recursion. */
export function operandsOf(e: Expr, op: 'and' | 'or'): Expr[] {
  const out: Expr[] = [];
  const stack: Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.k === 'call' && x.op === op) for (let i = x.args.length - 1; i >= 0; i--) stack.push(x.args[i]!);
    else out.push(x);
  }
  return out;
}

/** The column indexes an expression reads. */
export function columnsOf(e: Expr, out: Set<number> = new Set()): Set<number> {
  switch (e.k) {
    case 'col':
      out.add(e.index);
      break;
    case 'lit':
      break;
    case 'call':
    case 'fn':
      for (const a of e.args) columnsOf(a, out);
      break;
    case 'case':
      for (const w of e.whens) {
        columnsOf(w.when, out);
        columnsOf(w.then, out);
      }
      if (e.otherwise) columnsOf(e.otherwise, out);
      break;
    case 'in':
    case 'like':
      columnsOf(e.arg, out);
      break;
  }
  return out;
}

/** Rewrites column indexes (after projection pruning or join concatenation). */
export function remapColumns(e: Expr, map: (index: number) => number): Expr {
  switch (e.k) {
    case 'col':
      return { ...e, index: map(e.index) };
    case 'lit':
      return e;
    case 'call':
    case 'fn':
      return { ...e, args: e.args.map((a) => remapColumns(a, map)) };
    case 'case':
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: remapColumns(w.when, map), then: remapColumns(w.then, map) })),
        otherwise: e.otherwise ? remapColumns(e.otherwise, map) : null,
      };
    case 'in':
    case 'like':
      return { ...e, arg: remapColumns(e.arg, map) };
  }
}
