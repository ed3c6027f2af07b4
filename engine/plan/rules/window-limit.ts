/**
 * Top-N per partition: a filter over a window node that keeps rows only up to
 * a rank, `ROW_NUMBER() OVER (...) <= k` or `RANK() OVER (...) <= k` (QUALIFY,
 * or WHERE over a derived table; also <, = and the operands swapped), as a
 * conjunct of its condition. The window is then planned with a WindowLimit
 * node below it (window-placement.ts), below the exchange that brings each
 * partition's rows together: each slice keeps, per partition, the rows within
 * the k smallest ORDER BY keys (ties included) and sends only those, and the
 * window sorts only those (exec/ops/window-limit.ts says why that is exact).
 * The filter stays above the window as it was.
 *
 * Only when every function of the window node has, on a row the filter keeps,
 * a value that depends on nothing but the rows before it and its peers: the
 * ranks (not PERCENT_RANK, CUME_DIST or NTILE, which count the whole
 * partition), LAG by a constant offset, and aggregates and FIRST_VALUE /
 * LAST_VALUE / NTH_VALUE over frames that end at the current row or before.
 * DENSE_RANK() <= k is not a limit here: it can keep more than k rows' worth of keys.
 */
import type { Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import type { FrameBound, WindowFunc } from '../window-spec.js';
import { isInteger } from '../coerce.js';
import { conjuncts } from './predicates.js';

type WindowLogical = Extract<LogicalNode, { op: 'window' }>;

/** The rank limit the predicate (over the window's fields) puts on the window's rows, or null. */
export function rankLimit(window: WindowLogical, predicate: Expr): number | null {
  if (window.order.length === 0 || !window.funcs.every(prefixOnly)) return null;
  const width = window.input.fields.length;
  let best: number | null = null;
  for (const c of conjuncts(predicate)) {
    const limit = limitOf(c, window, width);
    if (limit !== null && (best === null || limit < best)) best = limit;
  }
  return best;
}

/** `rank <= k` and its spellings, on a ROW_NUMBER or RANK of the window: k as a count of rows (0 or more); else null. */
function limitOf(e: Expr, window: WindowLogical, width: number): number | null {
  if (e.k !== 'call' || e.args.length !== 2) return null;
  let [a, b] = e.args as [Expr, Expr];
  let op = e.op;
  if (a.k === 'lit') {
    [a, b] = [b, a];
    const flipped = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq' } as const;
    if (!(op in flipped)) return null;
    op = flipped[op as keyof typeof flipped];
  }
  if (a.k !== 'col' || a.index < width || b.k !== 'lit' || typeof b.value !== 'number' || !isInteger(b.type)) return null;
  const f = window.funcs[a.index - width];
  if (f === undefined || (f.kind !== 'rowNumber' && f.kind !== 'rank')) return null;
  const k = b.value;
  // = k keeps a subset of <= k
  if (op === 'le' || op === 'eq') return Math.max(0, k);
  if (op === 'lt') return Math.max(0, k - 1);
  return null;
}

/** Whether the function's value on a row depends only on the rows before it in window order and its peers. */
function prefixOnly(f: WindowFunc<Expr>): boolean {
  switch (f.kind) {
    case 'rowNumber':
    case 'rank':
    case 'denseRank':
      return true;
    case 'percentRank':
    case 'cumeDist':
    case 'ntile':
    case 'lead':
      return false;
    case 'lag':
      return f.offsetArg === null && f.offset !== null && f.offset >= 0;
    case 'firstValue':
    case 'lastValue':
    case 'nthValue':
    case 'aggregate':
      return endsByCurrentRow(f.frame.start) && endsByCurrentRow(f.frame.end);
  }
}

/** A frame bound at the current row or before it. */
function endsByCurrentRow(b: FrameBound): boolean {
  return b.kind === 'unboundedPreceding' || b.kind === 'preceding' || b.kind === 'currentRow';
}
