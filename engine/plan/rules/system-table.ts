/**
 * A system table (svv_table_info, the workload log's sys_query_history, ...):
 * read when the query is planned, for the columns the query uses only, so a
 * GROUP BY over two columns of a million-row log does not build the other
 * twenty. The filters over it are applied by a filter node above its rows;
 * their zone-map tests are handed to the table too, which may skip whole
 * parts of its rows (the log's compacted chunks, by start time) without
 * building them.
 */
import { columnsOf, remapColumns, type Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import type { PlanNode, RowsNode, ZonePredicate } from '../physical.js';
import { selectivity } from '../estimate.js';
import { allOf } from './predicates.js';
import type { PlanContext, Planned } from './context.js';
import { zonePredicates } from './scan.js';

export function planSystemTable(ctx: PlanContext, node: Extract<LogicalNode, { op: 'system' }>, required: readonly number[], preds: readonly Expr[]): Planned {
  const site = preds.length ? ctx.site('filter', node.fields.length) : null;
  const needed = new Set<number>(required);
  for (const p of preds) columnsOf(p, needed);
  const columns = [...needed].sort((a, b) => a - b);
  // zone tests name the table's own columns: the table knows nothing of this query's positions
  const zone: ZonePredicate[] = preds.flatMap((p) => zonePredicates(p));
  const t = node.table;
  const batches = t.read(node.catalog, columns, zone);
  const estRows = batches.reduce((a, b) => a + b.length, 0);
  const rows: RowsNode = { op: 'rows', id: ctx.id(), batches, label: t.name, fields: columns.map((c) => node.fields[c]!), dist: { kind: 'single' }, estRows };
  const pos = new Map(columns.map((c, i) => [c, i]));
  if (!preds.length) return { node: rows, pos, base: estRows };
  const predicate = remapColumns(allOf(preds), (i) => pos.get(i)!);
  const est = ctx.observed(site!, Math.max(1, estRows * selectivity(allOf(preds))));
  const filtered: PlanNode = { op: 'filter', id: ctx.id(), input: rows, predicate, fields: rows.fields, dist: rows.dist, estRows: est };
  ctx.recordSite(filtered.id, site!);
  return { node: filtered, pos, base: estRows };
}
