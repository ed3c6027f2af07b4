/**
 * Cardinality guesses for planning. We keep no histograms: a predicate's
 * selectivity comes from its shape (the classic System R defaults), and an
 * equi-join is assumed to be key/foreign-key: each row of the larger input
 * finds about one partner, scaled by how much of the smaller input survived.
 */
import type { Expr } from './expr.js';

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
  if (e.k === 'like') return e.negated ? 0.9 : 0.2;
  return 0.5;
}

/** Rows out of an equi-join of inputs with `left` and `right` rows whose unfiltered sizes were the bases. */
export function joinRows(left: number, right: number, leftBase: number, rightBase: number): number {
  // the input with the smaller base is the key side: each row of the other finds a partner with the
  // probability that its key survived the key side's filters (right / rightBase, or left / leftBase)
  return Math.max(1, (left * right) / Math.max(1, Math.min(leftBase, rightBase)));
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
