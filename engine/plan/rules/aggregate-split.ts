/**
 * Aggregation split: an aggregate runs in two phases around an exchange (a
 * partial aggregate per slice, its states moved by group, a final one merging
 * them) unless its input is already on one slice or distributed on group
 * keys (then it runs in place), or some aggregate has no partial state
 * (DISTINCT, MEDIAN, LISTAGG, percentiles: aggregate-states.ts), or grouping
 * would not shrink each slice's rows (GROUP BY a key): then the rows move once,
 * hashed on one group column when its domain spreads them, and are aggregated
 * where they land. DISTINCT is an aggregate without aggregates.
 */
import { columnsOf, remapColumns, type Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import type { AggSpec, Distribution, Field, PlanNode } from '../physical.js';
import { aggSpec, hasPartialState, partialStates } from '../aggregate-states.js';
import type { PlanContext, Planned } from './context.js';

/** SELECT DISTINCT: grouped on every column. */
export function planDistinct(ctx: PlanContext, node: Extract<LogicalNode, { op: 'distinct' }>, required: readonly number[]): Planned {
  const all = node.fields.map((_, i) => i);
  const agg: LogicalNode = {
    op: 'aggregate',
    input: node.input,
    groups: all.map((i) => ({ k: 'col', index: i, type: node.fields[i]!.type })),
    aggs: [],
    fields: node.fields,
  };
  return planAggregate(ctx, agg, required);
}

export function planAggregate(ctx: PlanContext, node: Extract<LogicalNode, { op: 'aggregate' }>, required: readonly number[]): Planned {
  const site = ctx.site('aggregate', node.fields.length);
  const need = new Set<number>();
  for (const g of node.groups) columnsOf(g, need);
  for (const a of node.aggs) {
    if (a.arg) columnsOf(a.arg, need);
    for (const o of a.order ?? []) columnsOf(o.expr, need);
  }
  const input = ctx.plan(node.input, [...need].sort((a, b) => a - b));
  // compute group keys and aggregate arguments as columns
  const exprs: Expr[] = [];
  const colFor = (e: Expr): number => {
    const m = remapColumns(e, (i) => input.pos.get(i)!);
    const key = JSON.stringify(m);
    let at = exprs.findIndex((x) => JSON.stringify(x) === key);
    if (at < 0) {
      at = exprs.length;
      exprs.push(m);
    }
    return at;
  };
  const groupCols = node.groups.map(colFor);
  const argCols = node.aggs.map((a) => (a.arg ? colFor(a.arg) : -1));
  // LISTAGG's WITHIN GROUP keys are input columns too
  const orderCols = node.aggs.map((a) => a.order?.map((o) => ({ column: colFor(o.expr), desc: o.desc, nullsFirst: o.nullsFirst })));
  // plain columns keep their field (name, table, source) for EXPLAIN and the query record
  const projFields: Field[] = exprs.map((e, i) => (e.k === 'col' ? input.node.fields[e.index]! : { name: `c${i}`, type: e.type }));
  let child = ctx.project(input.node, exprs, projFields);
  if (child.dist.kind === 'all') child = ctx.exchange(child, 'pick', []);
  const g = groupCols.length;
  const specs: AggSpec[] = node.aggs.map((a, i) => aggSpec(a, argCols[i]!, node.fields[g + i]!.type, orderCols[i]));
  // groups: bounded by the product of the group columns' domains where known (a column without
  // statistics is taken to depend on the others, as GROUP BY key, name, address usually does),
  // else a quarter of the rows
  const domains = node.groups.map((e) => ctx.domain(input, [e]));
  const known = domains.filter((d) => Number.isFinite(d));
  const domain = g === 0 ? 1 : known.length ? known.reduce((a, b) => a * b, 1) : Infinity;
  // rows of a group meet on one slice when hashed on any one group column: the one with the widest
  // domain spreads them (and is a placement joins above can use); else all of them together
  let spread = -1;
  domains.forEach((d, j) => {
    if (Number.isFinite(d) && d >= 64 * ctx.slices && (spread < 0 || d > domains[spread]!)) spread = j;
  });
  const estGroups = g === 0 ? 1 : ctx.observed(site, Math.max(1, Math.min(child.estRows, Number.isFinite(domain) ? domain : child.estRows / 4)));
  // a partial aggregate pays off only when each slice's rows fold into clearly fewer groups;
  // when they do not (GROUP BY a key), the rows move once and are aggregated where they land
  const partialPays = !Number.isFinite(domain) || estGroups < (child.estRows / ctx.slices) * 0.5;
  const outFields = node.fields;
  // DISTINCT aggregates, MEDIAN, LISTAGG and the percentiles have no partial states: a group's rows meet first
  const hasDistinct = specs.some((s) => !hasPartialState(s.fn));
  const colocated =
    child.dist.kind === 'single' || (child.dist.kind === 'hash' && child.dist.keys.every((k) => groupCols.includes(k)));
  let out: PlanNode;
  // where the rows went: by the spreading column (a placement joins above can use), else by all group keys together
  const outDist = (): Distribution => (g === 0 ? { kind: 'single' } : { kind: 'hash', keys: spread >= 0 ? [spread] : groupCols.map((_, i) => i) });
  if (colocated) {
    const dist: Distribution = child.dist.kind === 'single' ? { kind: 'single' } : { kind: 'hash', keys: (child.dist as { keys: readonly number[] }).keys.map((k) => groupCols.indexOf(k)) };
    out = { op: 'aggregate', id: ctx.id(), input: child, groups: groupCols, aggs: specs, mode: 'complete', fields: outFields, dist, estRows: estGroups };
  } else if (hasDistinct || !partialPays) {
    const moved = g === 0 ? ctx.exchange(child, 'gather', []) : ctx.exchange(child, 'hash', spread >= 0 ? [groupCols[spread]!] : groupCols);
    out = { op: 'aggregate', id: ctx.id(), input: moved, groups: groupCols, aggs: specs, mode: 'complete', fields: outFields, dist: outDist(), estRows: estGroups };
  } else {
    // partial per slice: groups, then each aggregate's state (AVG: sum and count)
    const { stateFields, finalSpecs } = partialStates(specs, groupCols.map((c) => projFields[c]!), (c) => projFields[c]!.type);
    const partial: PlanNode = { op: 'aggregate', id: ctx.id(), input: child, groups: groupCols, aggs: specs, mode: 'partial', fields: stateFields, dist: child.dist, estRows: Math.min(child.estRows, estGroups * ctx.slices) };
    const moved = g === 0 ? ctx.exchange(partial, 'gather', []) : ctx.exchange(partial, 'hash', spread >= 0 ? [spread] : groupCols.map((_, i) => i));
    out = {
      op: 'aggregate',
      id: ctx.id(),
      input: moved,
      groups: groupCols.map((_, i) => i),
      aggs: finalSpecs,
      mode: 'final',
      fields: outFields,
      dist: outDist(),
      estRows: estGroups,
    };
  }
  void required;
  ctx.recordSite(out.id, site);
  return { node: out, pos: new Map(outFields.map((_, i) => [i, i])), base: estGroups };
}
