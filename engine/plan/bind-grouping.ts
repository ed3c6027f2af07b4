/**
 * Grouping sets: GROUP BY ROLLUP (...), CUBE (...), GROUPING SETS (...) and (),
 * mixed with plain expressions, and the GROUPING() / GROUPING_ID() function.
 *
 * The binder keeps one list of distinct grouping keys (every expression the
 * GROUP BY names, bound once) and describes each grouping set as the indexes
 * of its keys. The aggregate then groups by the keys and the set's number:
 * a key outside a row's set reads as NULL, and the set number tells such a
 * NULL from a NULL in the data, which is what GROUPING() reports.
 *
 * The sets are the cross product of the GROUP BY elements' sets, in
 * PostgreSQL's order; a set that appears twice gives its rows twice, as in
 * PostgreSQL and DuckDB (GROUPING SETS ((a), (a))).
 */
import type * as ast from '../sql/ast.js';
import type { SqlError } from '../errors.js';
import type { Expr } from './expr.js';
import { INTEGER, lit } from './coerce.js';

/** Redshift's limit on the grouping sets of one GROUP BY, counting the sets ROLLUP and CUBE imply. */
export const MAX_GROUPING_SETS = 64;

/** GROUPING() takes at most this many arguments: its bits make an INTEGER (PostgreSQL's limit). */
const MAX_GROUPING_ARGS = 31;

type ErrorFn = (code: 'SYNTAX' | 'TOO_COMPLEX', message: string, pos: number) => SqlError;

/**
 * The grouping sets of a GROUP BY, each as a sorted list of key indexes, or
 * null when they amount to one set of every key (a plain GROUP BY, also
 * `GROUP BY ()` alone or `GROUPING SETS ((a, b))`). `plain` holds the key
 * index of each plain GROUP BY expression; `key` binds an expression written
 * in a grouping element and returns its key index.
 */
export function groupingSets(plain: readonly number[], elements: readonly ast.GroupingElement[], key: (e: ast.Expr) => number, error: ErrorFn): number[][] | null {
  let product: number[][] = [plain.slice()];
  for (const el of elements) {
    const sets = elementSets(el, key, error);
    if (product.length * sets.length > MAX_GROUPING_SETS) {
      throw error('TOO_COMPLEX', `too many grouping sets: more than ${MAX_GROUPING_SETS} (ROLLUP of n items makes n + 1, CUBE 2^n, and GROUP BY elements multiply)`, el.pos);
    }
    const next: number[][] = [];
    for (const a of product) for (const b of sets) next.push([...a, ...b]);
    product = next;
  }
  const sets = product.map((s) => [...new Set(s)].sort((a, b) => a - b));
  return sets.length === 1 ? null : sets;
}

/** One element's sets (key indexes, unsorted, possibly repeated). */
function elementSets(el: ast.GroupingElement, key: (e: ast.Expr) => number, error: ErrorFn): number[][] {
  switch (el.kind) {
    case 'set':
      return [el.exprs.map(key)];
    case 'rollup': {
      const items = el.items.map((item) => item.map(key));
      const out: number[][] = [];
      for (let n = items.length; n >= 0; n--) out.push(items.slice(0, n).flat());
      return out;
    }
    case 'cube': {
      const items = el.items.map((item) => item.map(key));
      if (items.length > 6) throw error('TOO_COMPLEX', `too many grouping sets: CUBE of ${items.length} items makes ${2 ** items.length}, more than ${MAX_GROUPING_SETS}`, el.pos);
      // every subset, the largest first, as PostgreSQL lists them
      const out: number[][] = [];
      const n = items.length;
      const masks = Array.from({ length: 1 << n }, (_, m) => m).sort((a, b) => popcount(b) - popcount(a) || b - a);
      for (const m of masks) out.push(items.filter((_, i) => m & (1 << (n - 1 - i))).flat());
      return out;
    }
    case 'groupingSets': {
      const out: number[][] = [];
      for (const inner of el.elements) {
        for (const s of elementSets(inner, key, error)) {
          out.push(s);
          if (out.length > MAX_GROUPING_SETS) throw error('TOO_COMPLEX', `too many grouping sets: more than ${MAX_GROUPING_SETS}`, el.pos);
        }
      }
      return out;
    }
  }
}

function popcount(m: number): number {
  let c = 0;
  for (let x = m; x; x &= x - 1) c++;
  return c;
}

/** GROUPING(a, b, ...) and GROUPING_ID, its other name. */
export function isGroupingCall(e: ast.Expr): boolean {
  return e.kind === 'function' && (e.name === 'grouping' || e.name === 'grouping_id');
}

/** The grouping sets of a grouped query, as the expression binder reads them (AggState.grouping). */
export interface GroupingState {
  /** Where the set number is among the aggregate's output columns, and each set's key indexes; null for one set. */
  readonly sets: { readonly column: number; readonly sets: readonly (readonly number[])[] } | null;
  /** The key (exprKey) of a GROUPING() argument, resolved as a GROUP BY item is (output aliases too). */
  readonly keyOf: (arg: ast.Expr) => string;
}

/**
 * GROUPING(e1, ..., en): an INTEGER whose bit n-i (counting from 0 at the
 * right) is 1 when ei is not in the row's grouping set, i.e. the row is a
 * subtotal over ei and ei reads NULL because of that. Each argument must be
 * one of the GROUP BY's expressions. With grouping sets it is a CASE over the
 * set number; for a plain GROUP BY it is 0. `keyOf` resolves the arguments
 * where the query has no GroupingState (a grouped subquery's own binding).
 */
export function bindGrouping(
  e: ast.FunctionCall,
  agg: { readonly groupKeys: readonly string[]; readonly grouping?: GroupingState },
  keyOf: (arg: ast.Expr) => string,
  error: ErrorFn,
): Expr {
  const fname = e.name.toUpperCase();
  if (e.distinct || e.star || e.withinGroup || e.filter) throw error('SYNTAX', `${fname} takes grouping expressions only`, e.pos);
  if (e.args.length === 0) throw error('SYNTAX', `${fname} needs at least one argument`, e.pos);
  if (e.args.length > MAX_GROUPING_ARGS) throw error('SYNTAX', `${fname} must have fewer than ${MAX_GROUPING_ARGS + 1} arguments`, e.args[MAX_GROUPING_ARGS]!.pos);
  const keys = e.args.map((a) => {
    const k = agg.groupKeys.indexOf((agg.grouping?.keyOf ?? keyOf)(a));
    if (k < 0) throw error('SYNTAX', `arguments to ${fname} must be grouping expressions of the associated query level`, a.pos);
    return k;
  });
  const sets = agg.grouping?.sets;
  if (!sets) return lit(0, INTEGER);
  // the value of each set, then one WHEN per distinct non-zero value over the sets that give it
  const bySet = sets.sets.map((set) => keys.reduce((acc, k) => acc * 2 + (set.includes(k) ? 0 : 1), 0));
  const values = [...new Set(bySet)].filter((v) => v !== 0).sort((a, b) => a - b);
  if (values.length === 0) return lit(0, INTEGER);
  const setColumn: Expr = { k: 'col', index: sets.column, type: INTEGER };
  const whens = values.map((v) => {
    const ids = bySet.flatMap((x, id) => (x === v ? [id] : []));
    const when: Expr = { k: 'in', arg: setColumn, values: ids, hasNull: false, negated: false, type: { id: 'boolean' } };
    return { when, then: lit(v, INTEGER) };
  });
  return { k: 'case', whens, otherwise: lit(0, INTEGER), type: INTEGER };
}
