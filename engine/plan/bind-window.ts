/**
 * Window functions of one SELECT. The calls are collected from the select
 * list, QUALIFY and ORDER BY; each OVER clause is resolved against the WINDOW
 * clause and bound over the relation as it stands after GROUP BY and HAVING
 * (so `sum(sum(x)) OVER (PARTITION BY g)` reads the query's aggregates); calls
 * over the same (PARTITION BY, ORDER BY) share one window node, whose rows are
 * sorted once for all of them. The nodes are stacked on the relation, and each
 * call then reads as an expression over their columns (ExprEnv.windows), so
 * the select list, QUALIFY and ORDER BY bind as if window results were columns.
 *
 * Frames: ROWS and RANGE with UNBOUNDED or n PRECEDING/FOLLOWING and CURRENT
 * ROW; without a frame, the standard's default (RANGE UNBOUNDED PRECEDING to
 * the current row's last peer with ORDER BY, the whole partition without). A
 * RANGE offset needs exactly one ORDER BY key, a number (offset a number) or
 * a DATE or TIMESTAMP (offset an INTERVAL, or whole days for a DATE).
 *
 * The functions themselves are the function registry's: a window function's
 * entry (functions/window.ts) binds its arguments, an aggregate's
 * (functions/aggregate.ts) binds as in GROUP BY, and its kinds say whether it
 * runs over frames or only over whole partitions. Here: what every window call
 * shares (OVER, nesting, FILTER, DISTINCT, IGNORE NULLS).
 */
import type * as ast from '../sql/ast.js';
import { DAY_US, type SqlType } from '../types.js';
import { BIGINT, DOUBLE, INTEGER, VARCHAR, isInteger, isNumeric, isTemporal, isUnknown, scaleOf, shortName, sqlError } from './coerce.js';
import { fold } from './fold.js';
import type { Expr } from './expr.js';
import type { Field } from './physical.js';
import type { LogicalNode } from './logical.js';
import { col, isAggregateName, isSubqueryNode, someNode, type ExprBinder, type ExprEnv, type Rel } from './bind-expr.js';
import { children } from '../sql/expr-children.js';
import { Scope } from './bind-scope.js';
import { PARTITION_FRAME, RUNNING_FRAME, type FrameBound, type WindowFrame, type WindowFunc, type WindowSortKey } from './window-spec.js';
import { aggregateKind, lookupWindowFunction } from '../functions/registry.js';
import type { TypeRules, WindowCall } from '../functions/types.js';
import { CallBinding as ArgumentBinding } from './bind-call.js';
import { withFilter } from './bind-aggregate-filter.js';

/** Window calls of an expression, outermost only (one nested in another's arguments is an error when binding). */
export function collectWindowCalls(e: ast.Expr, out: ast.FunctionCall[]): void {
  const stack: ast.Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.kind === 'function' && x.over) {
      out.push(x);
      continue;
    }
    const cs = children(x);
    for (let i = cs.length - 1; i >= 0; i--) stack.push(cs[i]!);
  }
}

function isWindowCall(e: ast.Expr): boolean {
  return e.kind === 'function' && e.over !== undefined;
}

/** An OVER clause with its base window's parts filled in. */
interface ResolvedSpec {
  readonly partitionBy: readonly ast.Expr[];
  readonly orderBy: readonly ast.OrderItem[];
  readonly frame: ast.WindowFrame | null;
}

/** A bound (PARTITION BY, ORDER BY): one window node. */
interface SpecGroup {
  readonly partition: Expr[];
  readonly order: WindowSortKey<Expr>[];
  readonly funcs: WindowFunc<Expr>[];
  readonly names: string[];
  readonly keys: string[];
  /** The first column of its functions, once the nodes are stacked. */
  base: number;
}

/** A call's value from its functions' columns (an aggregate such as STDDEV is made of several). */
interface CallBinding {
  readonly group: SpecGroup;
  readonly parts: readonly number[];
  readonly combine: (columns: readonly Expr[]) => Expr;
}

/** Frame offsets and constant arguments read no columns. */
const EMPTY_SCOPE = Scope.empty();

export class WindowBinder {
  constructor(
    private readonly exprs: ExprBinder,
    private readonly sql: string,
  ) {}

  private error(code: Parameters<typeof sqlError>[1], message: string, pos: number) {
    return sqlError(this.sql, code, message, pos);
  }

  /**
   * Binds the window calls found in `sources` over `rel` (env: after GROUP BY
   * and HAVING), stacks their window nodes on rel.node and returns each call's
   * expression over the result; null when there are none.
   */
  bind(body: ast.SelectBody, sources: readonly ast.Expr[], env: ExprEnv, rel: Rel): ReadonlyMap<ast.FunctionCall, Expr> | null {
    const calls: ast.FunctionCall[] = [];
    for (const s of sources) collectWindowCalls(s, calls);
    if (calls.length === 0) return null;
    const named = this.namedWindows(body.windows);
    const groups: SpecGroup[] = [];
    const byKey = new Map<string, SpecGroup>();
    const bindings = new Map<ast.FunctionCall, CallBinding>();
    const specEnv: ExprEnv = { ...env, clause: 'window definition' };
    for (const c of calls) {
      if (bindings.has(c)) continue;
      const spec = this.resolve(c.over!, named, named.size);
      const partition = spec.partitionBy.map((p) => this.key(p, specEnv));
      const order = spec.orderBy.map((o) => ({ key: this.key(o.expr, specEnv), desc: o.desc, nullsFirst: o.nullsFirst ?? o.desc }));
      const key = JSON.stringify([partition, order]);
      let group = byKey.get(key);
      if (!group) {
        group = { partition, order, funcs: [], names: [], keys: [], base: 0 };
        byKey.set(key, group);
        groups.push(group);
      }
      const frame = this.frame(spec.frame, order, spec.orderBy);
      const b = this.func(c, env, { ordered: order.length > 0, framed: spec.frame !== null, frame });
      const parts = b.funcs.map((f) => {
        const k = JSON.stringify(f);
        let at = group.keys.indexOf(k);
        if (at < 0) {
          at = group.funcs.length;
          group.keys.push(k);
          group.funcs.push(f);
          group.names.push(c.name);
        }
        return at;
      });
      bindings.set(c, { group, parts, combine: b.combine });
    }
    // one node per (PARTITION BY, ORDER BY), each adding its functions' columns after its input's
    for (const g of groups) {
      g.base = rel.node.fields.length;
      const fields: Field[] = [...rel.node.fields, ...g.funcs.map((f, i) => ({ name: g.names[i]!, type: f.type }))];
      rel.node = { op: 'window', input: rel.node, partition: g.partition, order: g.order, funcs: g.funcs, fields } satisfies LogicalNode;
    }
    const out = new Map<ast.FunctionCall, Expr>();
    for (const [c, b] of bindings) out.set(c, b.combine(b.parts.map((p) => col(b.group.base + p, b.group.funcs[p]!.type))));
    return out;
  }

  // ------------------------------------------------------------ OVER clauses

  /** The WINDOW clause by name (each may build on one defined before it). */
  private namedWindows(list: readonly ast.NamedWindow[]): Map<string, { spec: ast.WindowSpec; index: number }> {
    const out = new Map<string, { spec: ast.WindowSpec; index: number }>();
    list.forEach((w, index) => out.set(w.name.name, { spec: w.spec, index }));
    return out;
  }

  /**
   * An OVER clause (or a named window, which may only build on windows defined
   * before it: `before`) with its base window's parts: PARTITION BY from the
   * base only, ORDER BY from one of the two, the frame from one of the two (as
   * in PostgreSQL, a window cannot override what its base already says).
   */
  private resolve(spec: ast.WindowSpec, named: ReadonlyMap<string, { spec: ast.WindowSpec; index: number }>, before: number): ResolvedSpec {
    if (!spec.base) return spec;
    const name = spec.base.name;
    const def = named.get(name);
    if (!def || def.index >= before) throw this.error('SYNTAX', `window "${name}" does not exist`, spec.base.pos);
    const base = this.resolve(def.spec, named, def.index);
    if (spec.partitionBy.length) throw this.error('SYNTAX', `cannot override PARTITION BY clause of window "${name}"`, spec.partitionBy[0]!.pos);
    if (spec.orderBy.length && base.orderBy.length) throw this.error('SYNTAX', `cannot override ORDER BY clause of window "${name}"`, spec.orderBy[0]!.pos);
    if (spec.frame && base.frame) throw this.error('SYNTAX', `cannot override the frame clause of window "${name}"`, spec.frame.pos);
    return { partitionBy: base.partitionBy, orderBy: spec.orderBy.length ? spec.orderBy : base.orderBy, frame: spec.frame ?? base.frame };
  }

  /** A PARTITION BY or ORDER BY expression (an untyped string literal is text). */
  private key(e: ast.Expr, env: ExprEnv): Expr {
    if (someNode(e, isWindowCall)) throw this.error('SYNTAX', 'window functions are not allowed in window definitions', e.pos);
    const b = this.exprs.bind(e, env);
    return isUnknown(b) ? this.exprs.castTo(b, VARCHAR, 'implicit', e.pos) : b;
  }

  // ------------------------------------------------------------ frames

  private frame(f: ast.WindowFrame | null, order: readonly WindowSortKey<Expr>[], orderAst: readonly ast.OrderItem[]): WindowFrame {
    if (!f) return order.length ? RUNNING_FRAME : PARTITION_FRAME;
    const bound = (b: ast.FrameBound): FrameBound => {
      if (b.kind !== 'preceding' && b.kind !== 'following') return { kind: b.kind };
      if (f.unit === 'rows') return { kind: b.kind, offset: this.rowsOffset(b.offset), months: 0 };
      if (order.length !== 1) {
        throw this.error('SYNTAX', 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column', (orderAst[1] ?? b).pos);
      }
      return { kind: b.kind, ...this.rangeOffset(b.offset, order[0]!.key.type, orderAst[0]!.expr.pos) };
    };
    return { unit: f.unit, start: bound(f.start), end: bound(f.end) };
  }

  /** A constant of a frame bound or a function argument that must be one; null for NULL. */
  private constant(e: ast.Expr, what: string): Expr & { k: 'lit' } {
    if (someNode(e, (n) => n.kind === 'column' || isSubqueryNode(n) || n.kind === 'function' && (n.over !== undefined || isAggregateName(n.name)))) {
      throw this.error('SYNTAX', `${what} must be a constant`, e.pos);
    }
    const b = fold(this.exprs.bind(e, { scope: EMPTY_SCOPE, rel: null, agg: null, clause: what }));
    if (b.k !== 'lit') throw this.error('SYNTAX', `${what} must be a constant`, e.pos);
    return b;
  }

  /** A constant integer (an untyped literal read as one); null for NULL. Window functions' arguments use it too. */
  constantInteger(e: ast.Expr, what: string): number | null {
    let b: Expr = this.constant(e, what);
    if (isUnknown(b)) b = this.exprs.castTo(b, BIGINT, 'implicit', e.pos);
    if (b.k !== 'lit') throw this.error('SYNTAX', `${what} must be a constant`, e.pos);
    if (b.value === null) return null;
    if (!isInteger(b.type)) throw this.error('TYPE_MISMATCH', `${what} must be an integer, not ${shortName(b.type)}`, e.pos);
    return b.value as number;
  }

  private rowsOffset(e: ast.Expr): number {
    const n = this.constantInteger(e, 'the offset of a ROWS frame');
    if (n === null) throw this.error('INVALID_VALUE', 'frame offset must not be null', e.pos);
    if (n < 0) throw this.error('INVALID_VALUE', 'frame offset must not be negative', e.pos);
    return n;
  }

  /** A RANGE offset in the ORDER BY key's physical unit (months apart, for an interval). */
  private rangeOffset(e: ast.Expr, keyType: SqlType, keyPos: number): { offset: number; months: number } {
    const negative = () => this.error('INVALID_VALUE', 'frame offset must not be negative', e.pos);
    if (e.kind === 'interval') {
      if (!isTemporal(keyType)) {
        throw this.error('TYPE_MISMATCH', `a RANGE offset that is an INTERVAL needs a DATE or TIMESTAMP ORDER BY key, not ${shortName(keyType)}`, e.pos);
      }
      if (e.months < 0 || e.days < 0 || e.micros < 0) throw negative();
      const micros = e.days * DAY_US + e.micros;
      return { offset: keyType.id === 'date' ? micros / DAY_US : micros, months: e.months };
    }
    if (!isNumeric(keyType) && keyType.id !== 'date') {
      const why = isTemporal(keyType) ? ' (use an INTERVAL)' : '';
      throw this.error('TYPE_MISMATCH', `RANGE with offset PRECEDING/FOLLOWING is not supported for an ORDER BY key of type ${shortName(keyType)}${why}`, keyPos);
    }
    let b: Expr = this.constant(e, 'the offset of a RANGE frame');
    if (isUnknown(b)) b = this.exprs.castTo(b, keyType.id === 'date' ? INTEGER : DOUBLE, 'implicit', e.pos);
    if (b.k !== 'lit') throw this.error('SYNTAX', 'the offset of a RANGE frame must be a constant', e.pos);
    if (b.value === null) throw this.error('INVALID_VALUE', 'frame offset must not be null', e.pos);
    if (keyType.id === 'date' ? !isInteger(b.type) : !isNumeric(b.type)) {
      const want = keyType.id === 'date' ? 'an integer number of days or an INTERVAL' : 'a number';
      throw this.error('TYPE_MISMATCH', `the offset of a RANGE frame over ${shortName(keyType)} must be ${want}, not ${shortName(b.type)}`, e.pos);
    }
    // the offset's value, in the key's physical unit (a DECIMAL key's scaled integers)
    const value = (b.value as number) / 10 ** (b.type.id === 'decimal' ? scaleOf(b.type) : 0);
    if (value < 0) throw negative();
    return { offset: keyType.id === 'decimal' ? value * 10 ** scaleOf(keyType) : value, months: 0 };
  }

  // ------------------------------------------------------------ functions

  /** A window call as the window functions it needs, and its value from their columns. */
  private func(
    c: ast.FunctionCall,
    env: ExprEnv,
    spec: { readonly ordered: boolean; readonly framed: boolean; readonly frame: WindowFrame },
  ): { funcs: WindowFunc<Expr>[]; combine: (columns: readonly Expr[]) => Expr } {
    const name = c.name;
    for (const a of [...c.args, ...(c.withinGroup ?? []).map((o) => o.expr)]) {
      if (someNode(a, isWindowCall)) throw this.error('SYNTAX', 'window function calls cannot be nested', a.pos);
    }
    const one = (f: WindowFunc<Expr>) => ({ funcs: [f], combine: (cols: readonly Expr[]) => cols[0]! });
    const argEnv: ExprEnv = { ...env, clause: `window function ${name}` };
    if (isAggregateName(name)) {
      if (c.ignoreNulls) throw this.error('SYNTAX', `IGNORE NULLS is not allowed with aggregate ${name}()`, c.pos);
      if (c.approximate) throw this.error('UNSUPPORTED', 'APPROXIMATE COUNT(DISTINCT ...) as a window function is not supported', c.pos);
      let b = this.exprs.bindAggregate(c, argEnv, true);
      // FILTER (WHERE c): the argument made NULL where c is not TRUE, as for GROUP BY's aggregates
      if (c.filter) b = withFilter(b, this.exprs.bindCondition(c.filter, { ...argEnv, clause: 'FILTER' }));
      const funcs = b.parts.map((p): WindowFunc<Expr> => {
        // over frames, or (Redshift) over whole partitions only: the aggregate kind's
        const over = aggregateKind(p.fn).window;
        if (over === null) throw this.error('UNSUPPORTED', `${name}() as a window function is not supported`, c.pos);
        const whole = over === 'partition';
        if (whole && (spec.ordered || spec.framed)) {
          const what = p.fn.endsWith('Distinct') ? `${name.toUpperCase()}(DISTINCT ...)` : name.toUpperCase();
          throw this.error('UNSUPPORTED', `${what} as a window function takes PARTITION BY only (as in Redshift): ORDER BY and frames are not supported`, c.pos);
        }
        const f: WindowFunc<Expr> = { kind: 'aggregate', fn: p.fn, arg: p.arg, frame: whole ? PARTITION_FRAME : spec.frame, type: p.type };
        const order = p.order?.map((o) => ({ key: o.expr, desc: o.desc, nullsFirst: o.nullsFirst }));
        return {
          ...f,
          ...(order ? { order } : {}),
          ...(p.separator !== undefined ? { separator: p.separator } : {}),
          ...(p.distinct ? { distinct: true } : {}),
          ...(p.fraction !== undefined ? { fraction: p.fraction } : {}),
          ...(p.desc ? { desc: true } : {}),
        };
      });
      return { funcs, combine: b.combine };
    }
    if (c.filter) throw this.error('SYNTAX', `FILTER is only allowed with aggregates, not with ${name}()`, c.pos);
    const f = lookupWindowFunction(name);
    if (!f) throw this.error('SYNTAX', `OVER specified, but ${name}() is neither a window function nor an aggregate`, c.pos);
    if (c.distinct) throw this.error('UNSUPPORTED', `DISTINCT is not supported in window function ${name}()`, c.pos);
    if (c.star) throw this.error('SYNTAX', `* is only allowed in COUNT(*), not in ${name}()`, c.pos);
    if (c.withinGroup) throw this.error('SYNTAX', `WITHIN GROUP is only allowed with LISTAGG, not with ${name}()`, c.pos);
    if (c.ignoreNulls && !f.ignoreNulls) throw this.error('SYNTAX', `IGNORE NULLS is not allowed with ${name}()`, c.pos);
    return one(f.bind(new WindowCallBinding(this.exprs, this, c, argEnv, spec.frame)));
  }
}

/** A window function's call as its registry entry binds it (functions/types.ts, WindowCall). */
class WindowCallBinding implements WindowCall {
  private readonly args: ArgumentBinding<ExprEnv>;

  constructor(
    exprs: ExprBinder,
    private readonly windows: WindowBinder,
    private readonly c: ast.FunctionCall,
    env: ExprEnv,
    readonly frame: WindowFrame,
  ) {
    this.args = new ArgumentBinding(exprs, c, env);
  }

  get name(): string {
    return this.c.name;
  }

  get pos(): number {
    return this.c.pos;
  }

  get count(): number {
    return this.c.args.length;
  }

  get ignoreNulls(): boolean {
    return this.c.ignoreNulls === true;
  }

  get rules(): TypeRules {
    return this.args;
  }

  argc(min: number, max: number): void {
    const n = this.count;
    if (n < min || n > max) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      throw this.args.error('SYNTAX', `window function ${this.name} takes ${want} argument${max === 1 ? '' : 's'}, got ${n}`, this.pos);
    }
  }

  arg(i: number): Expr {
    return this.args.arg(i);
  }

  value(i: number): Expr {
    const x = this.arg(i);
    return isUnknown(x) ? this.args.castTo(x, VARCHAR, 'implicit', this.argPos(i)) : x;
  }

  argPos(i: number): number {
    return this.args.argPos(i);
  }

  constantInteger(i: number, what: string): number | null {
    return this.windows.constantInteger(this.args.syntaxOf(i), what);
  }
}
