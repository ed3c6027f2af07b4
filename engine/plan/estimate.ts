/**
 * Cardinality guesses for planning. We keep no histograms: a predicate's
 * selectivity comes from its shape (the classic System R defaults), and an
 * equi-join is assumed to be key/foreign-key: each row of the larger input
 * finds about one partner, scaled by how much of the smaller input survived.
 */
import type { Expr } from './expr.js';
import { equalitySelectivity, type ColumnDistribution } from './imported-column-stats.js';

/** Fraction of rows a predicate keeps. */
export function selectivity(e: Expr): number {
  if (e.k === 'call') {
    switch (e.op) {
      case 'and':
        return selectivity(e.args[0]!) * selectivity(e.args[1]!);
      case 'or':
        return Math.min(1, selectivity(e.args[0]!) + selectivity(e.args[1]!));
      case 'not':
        return 1 - selectivity(e.args[0]!);
      case 'eq':
        return 0.1;
      case 'ne':
        return 0.9;
      case 'lt':
      case 'le':
      case 'gt':
      case 'ge':
        return 1 / 3;
      case 'isNull':
        return 0.05;
      case 'isNotNull':
        return 0.95;
      default:
        return 0.5;
    }
  }
  if (e.k === 'in') return e.negated ? 0.9 : Math.min(1, 0.1 * Math.max(1, e.values.length));
  if (e.k === 'like') {
    if (e.negated) return 0.9;
    // each fixed character narrows the match (as PostgreSQL's like_selectivity): '%green%' keeps far fewer rows than 'a%'
    const fixed = e.pattern.replace(/[%_]/g, '').length;
    return Math.max(0.02, 0.2 * 0.8 ** Math.max(0, fixed - 1));
  }
  return 0.5;
}

/**
 * Fraction of rows a conjunction over one table's columns keeps, using each
 * numeric column's [min, max] where known: the range conditions on a column
 * are intersected first (a BETWEEN is one interval, not two independent
 * halves), equality and IN keep 1/(distinct values) each; everything else
 * takes the shape defaults of selectivity(). Where a column's distribution is
 * known (a stats-only table's imported pg_stats), equality, IN and NULL tests
 * read it (a common value keeps its own frequency), and ranges keep only the
 * non-NULL rows.
 */
export function scanSelectivity(
  preds: readonly Expr[],
  rangeOf: (column: number) => { readonly min: number; readonly max: number; readonly integral: boolean } | null,
  rows: number,
  distinctOf: (column: number) => number | null = () => null,
  distributionOf: (column: number) => ColumnDistribution | null = () => null,
): number {
  const intervals = new Map<number, { lo: number; hi: number }>();
  let sel = 1;
  for (const p of preds) {
    const n = nullTest(p);
    const nd = n ? distributionOf(n.column) : null;
    if (n && nd) {
      sel *= n.isNull ? nd.nullFrac : 1 - nd.nullFrac;
      continue;
    }
    const eq = equalityTest(p);
    const ed = eq ? distributionOf(eq.column) : null;
    if (eq && ed) {
      sel *= equalitySelectivity(ed, eq.values, eq.negated);
      continue;
    }
    const s = stringTest(p);
    const ndv = s ? distinctOf(s.column) : null;
    if (s && ndv) {
      sel *= s.negated ? Math.max(0, 1 - s.count / ndv) : Math.min(1, s.count / ndv);
      continue;
    }
    const r = rangeTest(p);
    const range = r ? rangeOf(r.column) : null;
    if (!r || !range) {
      sel *= selectivity(p);
      continue;
    }
    const distinct = range.integral ? Math.max(1, Math.min(rows, range.max - range.min + 1)) : Math.max(1, rows);
    if (r.op === 'eq') {
      sel *= r.values.every((v) => v >= range.min && v <= range.max) || r.values.length > 1 ? Math.min(1, r.values.length / distinct) : 0;
      continue;
    }
    const iv = intervals.get(r.column) ?? { lo: range.min, hi: range.max };
    const v = r.values[0]!;
    // on an integral column the bounds are values, not points on a line: x >= max keeps the rows
    // equal to max, x > 3 starts at 4
    if (r.op === 'lt' || r.op === 'le') iv.hi = Math.min(iv.hi, !range.integral ? v : r.op === 'lt' ? Math.ceil(v) - 1 : Math.floor(v));
    else iv.lo = Math.max(iv.lo, !range.integral ? v : r.op === 'gt' ? Math.floor(v) + 1 : Math.ceil(v));
    intervals.set(r.column, iv);
  }
  for (const [column, iv] of intervals) {
    const range = rangeOf(column)!;
    const span = range.max - range.min;
    const frac = range.integral
      ? Math.max(0, iv.hi - iv.lo + 1) / (span + 1)
      : span <= 0 ? (iv.lo <= iv.hi ? 1 : 0) : (iv.hi - iv.lo) / span;
    const nonNull = 1 - (distributionOf(column)?.nullFrac ?? 0);
    // never quite zero: the zone maps are bounds, and an estimate of no rows misleads every join above
    sel *= Math.min(1, Math.max(frac * nonNull, 1 / Math.max(1, rows)));
  }
  return sel;
}

/** col IS [NOT] NULL. */
function nullTest(p: Expr): { column: number; isNull: boolean } | null {
  if (p.k !== 'call' || (p.op !== 'isNull' && p.op !== 'isNotNull') || p.args[0]?.k !== 'col') return null;
  return { column: p.args[0].index, isNull: p.op === 'isNull' };
}

/** col = literal, col <> literal, col [NOT] IN (literals), text or numbers in the column's units: the column and the values. */
function equalityTest(p: Expr): { column: number; values: (number | string)[]; negated: boolean } | null {
  const s = stringTest(p);
  if (s) {
    const values = p.k === 'in' ? (p.values as string[]) : p.k === 'call' ? p.args.flatMap((a) => (a.k === 'lit' && typeof a.value === 'string' ? [a.value] : [])) : [];
    return { column: s.column, values, negated: s.negated };
  }
  if (p.k === 'in' && p.negated && p.arg.k === 'col' && p.values.length > 0 && p.values.every((v) => typeof v === 'number')) {
    return { column: p.arg.index, values: p.values as number[], negated: true };
  }
  if (p.k === 'call' && p.op === 'ne' && p.args.length === 2) {
    const r = rangeTest({ ...p, op: 'eq' });
    return r ? { column: r.column, values: r.values, negated: true } : null;
  }
  const r = rangeTest(p);
  return r && r.op === 'eq' ? { column: r.column, values: r.values, negated: false } : null;
}

/** col = 'text' (either way round), col <> 'text', col [NOT] IN ('a', 'b'): the column and how many values it names. */
function stringTest(p: Expr): { column: number; count: number; negated: boolean } | null {
  if (p.k === 'in' && p.arg.k === 'col' && p.values.length > 0 && p.values.every((v) => typeof v === 'string')) {
    return { column: p.arg.index, count: new Set(p.values).size, negated: p.negated };
  }
  if (p.k !== 'call' || (p.op !== 'eq' && p.op !== 'ne') || p.args.length !== 2) return null;
  const [a, b] = p.args as [Expr, Expr];
  const col = a.k === 'col' && b.k === 'lit' && typeof b.value === 'string' ? a : b.k === 'col' && a.k === 'lit' && typeof a.value === 'string' ? b : null;
  return col && col.k === 'col' ? { column: col.index, count: 1, negated: p.op === 'ne' } : null;
}

/** col op numeric literal (either way round), or col IN (numbers): the column and the test. */
function rangeTest(p: Expr): { column: number; op: 'eq' | 'lt' | 'le' | 'gt' | 'ge'; values: number[] } | null {
  if (p.k === 'in' && !p.negated && p.arg.k === 'col' && p.values.length > 0 && p.values.every((v) => typeof v === 'number')) {
    return { column: p.arg.index, op: 'eq', values: p.values as number[] };
  }
  if (p.k !== 'call' || p.args.length !== 2) return null;
  const flip: Record<string, 'eq' | 'lt' | 'le' | 'gt' | 'ge'> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq' };
  if (!(p.op in flip)) return null;
  const [a, b] = p.args as [Expr, Expr];
  if (a.k === 'col' && b.k === 'lit' && typeof b.value === 'number' && sameUnits(a, b)) return { column: a.index, op: p.op as 'eq', values: [b.value] };
  if (b.k === 'col' && a.k === 'lit' && typeof a.value === 'number' && sameUnits(b, a)) return { column: b.index, op: flip[p.op]!, values: [a.value] };
  return null;
}

/** A literal compares in the column's stored units (same type family and decimal scale). */
function sameUnits(col: Expr, lit: Expr): boolean {
  const a = col.type;
  const b = lit.type;
  if (a.id === 'decimal' || b.id === 'decimal') return a.id === b.id && (a.scale ?? 0) === (b.scale ?? 0);
  if ((a.id === 'date') !== (b.id === 'date') || (a.id === 'timestamp') !== (b.id === 'timestamp')) return false;
  return true;
}

/** Rows out of an equi-join of inputs with `left` and `right` rows whose unfiltered sizes were the bases. */
export function joinRows(left: number, right: number, leftBase: number, rightBase: number): number {
  // the input with the smaller base is the key side: each row of the other finds a partner with the
  // probability that its key survived the key side's filters (right / rightBase, or left / leftBase)
  return keyJoinRows(left, right, leftBase, rightBase);
}

/**
 * Rows out of an equi-join whose key takes at most `leftDomain` distinct values
 * on the left and `rightDomain` on the right (each bounded by its input's
 * unfiltered size and by the key columns' value ranges): the smaller domain is
 * taken to be contained in the larger, every row meeting rows / domain partners.
 * With one side a key this is the key/foreign-key estimate; with a small shared
 * domain (25 nations) it is the many-to-many one.
 */
export function keyJoinRows(left: number, right: number, leftDomain: number, rightDomain: number): number {
  return Math.max(1, (left * right) / Math.max(1, Math.min(leftDomain, rightDomain)));
}

/** Typical bytes per value of a physical type, for costing exchanges. */
export function widthOf(typeId: string, length?: number): number {
  switch (typeId) {
    case 'smallint':
    case 'integer':
    case 'date':
      return 4;
    case 'boolean':
      return 1;
    case 'char':
      return (length ?? 1) + 4;
    case 'varchar':
      return Math.min(length ?? 32, 64) / 2 + 4;
    default:
      return 8;
  }
}
