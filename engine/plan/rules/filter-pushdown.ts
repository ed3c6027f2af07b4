/**
 * Filter pushdown: a filter moves below the node under it wherever that keeps
 * the result, so that a filter on a view, CTE or derived table reaches the
 * scan (its zone maps skip blocks) or the join region (where it filters one
 * relation before the joins). What cannot move stays a filter node where it is;
 * a filter over a table becomes the scan's (scan.ts), one over inner joins
 * part of the region (join-order.ts).
 */
import { columnsOf, remapColumns, type Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import type { PlanNode } from '../physical.js';
import { selectivity } from '../estimate.js';
import { and, conjuncts, filterOf } from './predicates.js';
import { unionFields, type PlanContext, type Planned } from './context.js';
import { planScan } from './scan.js';
import { planSystemTable } from './system-table.js';
import { planJoinRegion } from './join-order.js';
import { planWindow } from './window-placement.js';
import { rankLimit } from './window-limit.js';

export function planFilter(ctx: PlanContext, node: Extract<LogicalNode, { op: 'filter' }>, required: readonly number[]): Planned {
  const pushed = pushFilter(node);
  if (pushed) return ctx.plan(pushed, required);
  if (node.input.op === 'get') return planScan(ctx, node.input, required, conjuncts(node.predicate));
  if (node.input.op === 'system') return planSystemTable(ctx, node.input, required, conjuncts(node.predicate));
  if (node.input.op === 'join' && (node.input.type === 'inner' || node.input.type === 'cross')) return planJoinRegion(ctx, node, required);
  const site = ctx.site('filter', node.fields.length);
  const need = unionFields(required, [...columnsOf(node.predicate)]);
  // a rank limit on a window below (QUALIFY ROW_NUMBER() ... <= k) cuts its rows before they are brought together
  const limit = node.input.op === 'window' ? rankLimit(node.input, node.predicate) : null;
  const input = limit !== null && node.input.op === 'window' ? planWindow(ctx, node.input, need, limit) : ctx.plan(node.input, need);
  const predicate = remapColumns(node.predicate, (i) => input.pos.get(i)!);
  const est = ctx.observed(site, Math.max(1, input.node.estRows * selectivity(node.predicate)));
  const filtered: PlanNode = { op: 'filter', id: ctx.id(), input: input.node, predicate, fields: input.node.fields, dist: input.node.dist, estRows: est };
  ctx.recordSite(filtered.id, site);
  return { node: filtered, pos: input.pos, base: input.base };
}

/**
 * A filter moved below the node under it, where that keeps the result: through
 * projections (its columns replaced by their expressions), other filters,
 * DISTINCT, sorts and UNION ALL inputs; below an aggregate for conditions on
 * group columns only, and below a window for conditions on partition columns; to the preserved side of LEFT/RIGHT and semi/anti joins.
 * A filter on a view, CTE or derived table so reaches the scan and its zone
 * maps. Null when nothing moves.
 */
function pushFilter(node: Extract<LogicalNode, { op: 'filter' }>): LogicalNode | null {
  const input = node.input;
  const preds = conjuncts(node.predicate);
  switch (input.op) {
    case 'filter':
      return { ...input, predicate: and(input.predicate, node.predicate) };
    case 'project': {
      const below = preds.map((p) => substitute(p, input.exprs));
      return { ...input, input: filterOf(input.input, below) };
    }
    case 'distinct':
    case 'sort':
      return { ...input, input: filterOf(input.input, preds) } as LogicalNode;
    case 'window': {
      // a condition on PARTITION BY columns keeps or drops whole partitions, whose results do not depend on the others
      const keys = new Set(input.partition.flatMap((e) => (e.k === 'col' ? [e.index] : [])));
      const down = preds.filter((p) => {
        const cols = [...columnsOf(p)];
        return cols.length > 0 && cols.every((c) => keys.has(c));
      });
      if (down.length === 0) return null;
      const stay = preds.filter((p) => !down.includes(p));
      return filterOf({ ...input, input: filterOf(input.input, down) }, stay);
    }
    case 'union':
      return { ...input, inputs: input.inputs.map((i) => filterOf(i, preds)) };
    case 'aggregate': {
      const g = input.groups.length;
      // without GROUP BY the aggregate makes its one row whatever its input: a condition (a constant one,
      // the only kind that names no aggregate) must stay above it, or FALSE would leave that row standing
      if (g === 0) return null;
      // with grouping sets a key reads NULL in the sets without it: a condition on it holds of other rows there
      if (input.grouping) return null;
      const down = preds.filter((p) => [...columnsOf(p)].every((c) => c < g));
      if (down.length === 0) return null;
      const stay = preds.filter((p) => !down.includes(p));
      const inner: LogicalNode = { ...input, input: filterOf(input.input, down.map((p) => substitute(p, input.groups))) };
      return filterOf(inner, stay);
    }
    case 'join': {
      const w = input.left.fields.length;
      if (input.type === 'semi' || input.type === 'anti' || input.type === 'antiNullAware') {
        return { ...input, left: filterOf(input.left, preds) };
      }
      if (input.type === 'left' || input.type === 'single' || input.type === 'right') {
        const leftSide = input.type !== 'right';
        const down = preds.filter((p) => {
          const cols = [...columnsOf(p)];
          return cols.length > 0 && cols.every((c) => (leftSide ? c < w : c >= w));
        });
        if (down.length === 0) return null;
        const stay = preds.filter((p) => !down.includes(p));
        const moved: LogicalNode = leftSide
          ? { ...input, left: filterOf(input.left, down) }
          : { ...input, right: filterOf(input.right, down.map((p) => remapColumns(p, (c) => c - w))) };
        return filterOf(moved, stay);
      }
      return null;
    }
    default:
      return null;
  }
}

/** e with each column reference i replaced by exprs[i]. */
/** e with each column reference i replaced by exprs[i]. */
function substitute(e: Expr, exprs: readonly Expr[]): Expr {
  switch (e.k) {
    case 'col':
      return exprs[e.index]!;
    case 'lit':
      return e;
    case 'call':
    case 'fn':
      return { ...e, args: e.args.map((a) => substitute(a, exprs)) };
    case 'case':
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: substitute(w.when, exprs), then: substitute(w.then, exprs) })),
        otherwise: e.otherwise ? substitute(e.otherwise, exprs) : null,
      };
    case 'in':
    case 'like':
      return { ...e, arg: substitute(e.arg, exprs) };
  }
}
