/**
 * Planning an aggregate over grouping sets (ROLLUP, CUBE, GROUPING SETS; see
 * bind-grouping.ts) in one pass over its input, not one aggregate per set.
 *
 * When every aggregate has a partial state (COUNT, SUM, AVG, MIN, MAX,
 * APPROXIMATE COUNT(DISTINCT); aggregate-states.ts), the input is aggregated
 * once at the finest grouping (every key), per slice; those partial states are
 * then expanded to every set (an 'expand' node: each state row once per set,
 * the keys outside the set NULL, the set number added) and merged by a final
 * aggregate grouped on the keys and the set number. A finest group feeds each
 * set once, so the work per input row is that of a plain GROUP BY.
 *
 * Aggregates without partial states (DISTINCT, MEDIAN, LISTAGG, percentiles)
 * expand the input rows themselves and aggregate them in one 'complete' pass
 * grouped on the keys and the set number: one hash table keyed by (set, keys).
 *
 * Where rows meet, as for a plain GROUP BY (aggregate-split.ts):
 *  - the input already on one slice, or distributed on keys that every set
 *    contains: everything runs in place;
 *  - keys common to every set: the (partial) rows move once, hashed on those,
 *    and expand where they land;
 *  - otherwise (a set without some key, as ROLLUP's grand total): the expanded
 *    rows move, hashed on the keys with NULLs in place. The rows of an empty
 *    set (GROUP BY ()) then all have NULL keys and land on slice 0, which makes
 *    such a set's row when no input row reached it (AggregateNode.emptySets).
 */
import { columnsOf, remapColumns, type Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import type { AggSpec, Distribution, Field, PlanNode, SortKey } from '../physical.js';
import { aggSpec, hasPartialState, partialStates, stateWidth } from '../aggregate-states.js';
import type { PlanContext, Planned } from './context.js';

type GroupingAggregate = Extract<LogicalNode, { op: 'aggregate' }>;

export function planGroupingSets(host: PlanContext, node: GroupingAggregate): Planned {
  const sets = node.grouping!.sets;
  const site = host.site('aggregate', node.fields.length);
  const need = new Set<number>();
  for (const g of node.groups) columnsOf(g, need);
  for (const a of node.aggs) {
    if (a.arg) columnsOf(a.arg, need);
    for (const o of a.order ?? []) columnsOf(o.expr, need);
  }
  const input = host.plan(node.input, [...need].sort((a, b) => a - b));
  // group keys and aggregate arguments as columns of a projection
  const exprs: Expr[] = [];
  const colFor = (e: Expr): number => {
    const m = remapColumns(e, (i) => input.pos.get(i)!);
    const key = JSON.stringify(m);
    let at = exprs.findIndex((x) => JSON.stringify(x) === key);
    if (at < 0) at = exprs.push(m) - 1;
    return at;
  };
  const keyCols = node.groups.map(colFor);
  const argCols = node.aggs.map((a) => (a.arg ? colFor(a.arg) : -1));
  const orderCols = node.aggs.map((a) => a.order?.map((o): SortKey => ({ column: colFor(o.expr), desc: o.desc, nullsFirst: o.nullsFirst })));
  const projFields: Field[] = exprs.map((e, i) => (e.k === 'col' ? input.node.fields[e.index]! : { name: `c${i}`, type: e.type }));
  let child = host.project(input.node, exprs, projFields);
  if (child.dist.kind === 'all') child = host.exchange(child, 'pick', []);

  const k = keyCols.length;
  const setField = node.fields[k]!;
  const specs: AggSpec[] = node.aggs.map((a, i) => aggSpec(a, argCols[i]!, node.fields[k + 1 + i]!.type, orderCols[i]));
  const emptySets = sets.flatMap((s, i) => (s.length === 0 ? [i] : []));
  // keys in every set: the rows of one output group agree on them
  const common = keyCols.map((_, j) => j).filter((j) => sets.every((s) => s.includes(j)));
  const single = child.dist.kind === 'single';
  const childKeys = child.dist.kind === 'hash' ? child.dist.keys : null;
  const inPlace = single || (childKeys !== null && common.length > 0 && childKeys.every((c) => common.some((j) => keyCols[j] === c)));

  // groups per set: the product of its keys' domains where known, else a quarter of the rows
  const domains = node.groups.map((e) => host.domain(input, [e]));
  const rows = child.estRows;
  const perSet = sets.map((s) => {
    const d = s.reduce((acc, j) => acc * domains[j]!, 1);
    return s.length === 0 ? 1 : Math.max(1, Math.min(rows, Number.isFinite(d) ? d : rows / 4));
  });
  const estGroups = host.observed(site, perSet.reduce((a, b) => a + b, 0));
  const finestDomain = domains.reduce((a, b) => a * b, 1);
  const finest = Math.max(1, Math.min(rows, Number.isFinite(finestDomain) ? finestDomain : rows / 4));

  const decomposable = specs.every((s) => hasPartialState(s.fn));
  // below: what the expand reads; its key columns; which of its columns the final aggregates read
  let below: PlanNode;
  let keysBelow: readonly number[];
  let aggsAbove: readonly AggSpec[];
  if (decomposable) {
    const { stateFields, finalSpecs } = partialStates(specs, keyCols.map((c) => projFields[c]!), (c) => projFields[c]!.type);
    below = { op: 'aggregate', id: host.id(), input: child, groups: keyCols, aggs: specs, mode: 'partial', fields: stateFields, dist: child.dist, estRows: Math.min(rows, finest * host.slices) };
    keysBelow = keyCols.map((_, j) => j);
    aggsAbove = finalSpecs;
  } else {
    below = child;
    keysBelow = keyCols;
    aggsAbove = specs;
  }
  let dist: Distribution;
  let expanded: { node: PlanNode; remap: (c: number) => number };
  if (inPlace) {
    expanded = expand(host, below, keysBelow, sets, aggsAbove, setField, decomposable);
    dist = single ? { kind: 'single' } : { kind: 'hash', keys: childKeys!.map((c) => keyCols.indexOf(c)) };
  } else if (common.length > 0) {
    below = host.exchange(below, 'hash', common.map((j) => keysBelow[j]!));
    expanded = expand(host, below, keysBelow, sets, aggsAbove, setField, decomposable);
    dist = { kind: 'hash', keys: common };
  } else {
    expanded = expand(host, below, keysBelow, sets, aggsAbove, setField, decomposable);
    // keys with their NULLs in place: an empty set's rows all land on slice 0 (see AggregateNode.emptySets)
    const all = keyCols.map((_, j) => j);
    expanded = { ...expanded, node: k === 0 ? host.exchange(expanded.node, 'gather', []) : host.exchange(expanded.node, 'hash', all) };
    dist = k === 0 ? { kind: 'single' } : { kind: 'hash', keys: all };
  }
  const remap = expanded.remap;
  const top: PlanNode = {
    op: 'aggregate',
    id: host.id(),
    input: expanded.node,
    groups: [...keyCols.map((_, j) => j), k],
    aggs: aggsAbove.map((s) => ({ ...s, arg: s.arg >= 0 ? remap(s.arg) : -1, ...(s.order ? { order: s.order.map((o) => ({ ...o, column: remap(o.column) })) } : {}) })),
    mode: decomposable ? 'final' : 'complete',
    fields: node.fields,
    dist,
    estRows: estGroups,
    grouping: { emptySets },
  };
  host.recordSite(top.id, site);
  return { node: top, pos: new Map(node.fields.map((_, i) => [i, i])), base: estGroups };
}

/**
 * `input` expanded to every grouping set, then narrowed to what the aggregate
 * above reads: the keys (NULL outside the set), the set number, and the
 * columns its aggregates read (remap: input column to column here). The
 * input's own key columns stay available unchanged to aggregates that read
 * them (COUNT(DISTINCT a) under ROLLUP(a) counts a's values in every set).
 */
function expand(
  host: PlanContext,
  input: PlanNode,
  keys: readonly number[],
  sets: readonly (readonly number[])[],
  aggs: readonly AggSpec[],
  setField: Field,
  merging: boolean,
): { node: PlanNode; remap: (c: number) => number } {
  const n = input.fields.length;
  const keyFields = keys.map((c) => input.fields[c]!);
  const node: PlanNode = {
    op: 'expand',
    id: host.id(),
    input,
    keys,
    sets,
    fields: [...input.fields, ...keyFields, setField],
    dist: input.dist,
    estRows: input.estRows * sets.length,
  };
  const read = new Set<number>();
  for (const a of aggs) {
    if (a.arg >= 0) read.add(a.arg);
    // merging partial states, one may be several columns (AVG's: sum, count)
    if (merging) for (let w = 1; w < stateWidth(a.fn, input.fields[a.arg]!.type, a.type); w++) read.add(a.arg + w);
    for (const o of a.order ?? []) read.add(o.column);
  }
  const payload = [...read].sort((a, b) => a - b);
  const k = keys.length;
  const exprs: Expr[] = [
    ...keyFields.map((f, j): Expr => ({ k: 'col', index: n + j, type: f.type })),
    { k: 'col', index: n + k, type: setField.type },
    ...payload.map((c): Expr => ({ k: 'col', index: c, type: input.fields[c]!.type })),
  ];
  const fields = [...keyFields, setField, ...payload.map((c) => input.fields[c]!)];
  const at = new Map(payload.map((c, i) => [c, k + 1 + i]));
  return { node: host.project(node, exprs, fields), remap: (c) => at.get(c)! };
}
