/**
 * Planning a window node: its keys and arguments computed by a projection,
 * then the rows of each partition brought to one slice, and the window run
 * there. Where the input already sits hashed on partition columns (a table
 * distributed on its PARTITION BY key, or the output of a GROUP BY on it),
 * it runs in place on every slice and nothing moves; otherwise the rows are
 * redistributed on a partition column, or gathered to one slice when there is
 * no PARTITION BY. EXPLAIN names which (WindowNode.placement); the exchange
 * below counts the rows and bytes moved, as a join's do.
 */
import type { Expr } from '../expr.js';
import { remapColumns } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import type { Field, PlanNode, SortKey, WindowNode } from '../physical.js';
import { mapWindowFunc, windowFuncArgs } from '../window-spec.js';
import type { PlanContext, Planned } from './context.js';

/**
 * A partition key column with at least this many distinct values per slice
 * spreads the partitions evenly by itself (as the aggregate's choice of a
 * column to hash on, aggregate-split.ts): hashing on it alone keeps a placement that a
 * join above on that column can use.
 */
const SPREAD_PER_SLICE = 64;

/**
 * `limit`: the rank a filter above keeps rows up to (window-limit.ts), or null.
 * With one, a WindowLimit node cuts each slice's rows before they are brought
 * together (or, in place, before the window sorts them).
 */
export function planWindow(p: PlanContext, node: Extract<LogicalNode, { op: 'window' }>, required: readonly number[], limit: number | null = null): Planned {
  const width = node.input.fields.length;
  // only the functions something above reads are computed
  const used = [...new Set(required.filter((r) => r >= width).map((r) => r - width))].sort((a, b) => a - b);
  const passed = required.filter((r) => r < width);
  if (used.length === 0) return p.plan(node.input, passed);
  const funcs = used.map((i) => node.funcs[i]!);
  const need = new Set<number>(passed);
  const reads = (e: Expr) => remapColumns(e, (i) => (need.add(i), i));
  node.partition.forEach(reads);
  node.order.forEach((o) => reads(o.key));
  for (const f of funcs) windowFuncArgs(f).forEach(reads);
  const input = p.plan(node.input, [...need].sort((a, b) => a - b));
  // keys and arguments as columns of one projection (each distinct expression once)
  const exprs: Expr[] = [];
  const keys: string[] = [];
  const colFor = (e: Expr): number => {
    const m = remapColumns(e, (i) => input.pos.get(i)!);
    const k = JSON.stringify(m);
    let at = keys.indexOf(k);
    if (at < 0) {
      at = exprs.length;
      keys.push(k);
      exprs.push(m);
    }
    return at;
  };
  const passCols = passed.map((r) => colFor({ k: 'col', index: r, type: node.input.fields[r]!.type }));
  const partition = node.partition.map(colFor);
  const order: SortKey[] = node.order.map((o) => ({ column: colFor(o.key), desc: o.desc, nullsFirst: o.nullsFirst }));
  const physFuncs = funcs.map((f) => mapWindowFunc(f, colFor));
  // plain columns keep their field (name, table, source) for EXPLAIN and the query record
  const projFields: Field[] = exprs.map((e, i) => (e.k === 'col' ? input.node.fields[e.index]! : { name: `w${i}`, type: e.type }));
  let child = p.project(input.node, exprs, projFields);
  let placement: WindowNode['placement'] = 'in place';
  if (child.dist.kind === 'all') child = p.exchange(child, 'pick', []);
  if (limit !== null) child = windowLimit(p, input, node.partition, child, partition, order[0]!, limit);
  if (partition.length === 0) {
    if (child.dist.kind !== 'single') {
      child = p.exchange(child, 'gather', []);
      placement = 'gathered';
    }
  } else if (child.dist.kind !== 'single' && !(child.dist.kind === 'hash' && child.dist.keys.every((k) => partition.includes(k)))) {
    child = p.exchange(child, 'hash', spreadingKeys(p, input, node.partition, partition));
    placement = 'redistributed';
  }
  const fields: Field[] = [...child.fields, ...used.map((i) => node.fields[width + i]!)];
  const win: WindowNode = {
    op: 'window',
    id: p.id(),
    input: child,
    partition,
    order,
    funcs: physFuncs,
    placement,
    fields,
    dist: child.dist,
    estRows: child.estRows,
  };
  const pos = new Map<number, number>();
  passed.forEach((r, i) => pos.set(r, passCols[i]!));
  used.forEach((f, j) => pos.set(width + f, child.fields.length + j));
  return { node: win, pos, base: input.base };
}

/** The WindowLimit node over `child`: at most `limit` rows per partition and slice (ties aside), by the partitions' estimated number. */
function windowLimit(
  p: PlanContext,
  input: Planned,
  logical: readonly Expr[],
  child: PlanNode,
  partition: readonly number[],
  key: SortKey,
  limit: number,
): PlanNode {
  const groups = logical.length ? Math.min(child.estRows, p.keyDomain(input, logical)) : 1;
  const estRows = Math.min(child.estRows, limit * groups * p.slices);
  return { op: 'windowLimit', id: p.id(), input: child, partition, key, limit, fields: child.fields, dist: child.dist, estRows };
}

/** The partition columns to hash on: the one with the widest known domain if it spreads the rows, else all of them. */
function spreadingKeys(p: PlanContext, input: Planned, logical: readonly Expr[], columns: readonly number[]): number[] {
  let best = -1;
  let bestDomain = 0;
  logical.forEach((e, i) => {
    const d = p.domain(input, [e]);
    if (Number.isFinite(d) && d >= SPREAD_PER_SLICE * p.slices && d > bestDomain) {
      best = i;
      bestDomain = d;
    }
  });
  return best >= 0 ? [columns[best]!] : [...new Set(columns)];
}
