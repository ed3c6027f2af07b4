/**
 * A table scan: only the columns the query uses are read; the filters over the
 * table become the scan's filter and the zone-map tests that skip blocks
 * without reading them; the scan's distribution is the table's (or a what-if
 * one), hashed on its key when the key is read; its rows are estimated from
 * the column statistics storage keeps (stats.ts, estimate.ts).
 */
import { physicalKind } from '../../types.js';
import { columnsOf, remapColumns, type Expr } from '../expr.js';
import type { LogicalNode } from '../logical.js';
import type { Distribution, ScanNode, ZonePredicate } from '../physical.js';
import { scanSelectivity } from '../estimate.js';
import { allOf } from './predicates.js';
import type { PlanContext, Planned } from './context.js';

export function planScan(ctx: PlanContext, get: Extract<LogicalNode, { op: 'get' }>, required: readonly number[], preds: readonly Expr[]): Planned {
  const needed = new Set<number>(required);
  for (const p of preds) columnsOf(p, needed);
  const columns = [...needed].sort((a, b) => a - b);
  const pos = new Map(columns.map((c, i) => [c, i]));
  const local = preds.map((p) => remapColumns(p, (i) => pos.get(i)!));
  const filter = local.length ? allOf(local) : null;
  const zone = local.flatMap((p) => zonePredicates(p));
  const t = get.table;
  const layout = ctx.layout(t);
  let dist: Distribution;
  if (layout.style === 'all') dist = { kind: 'all' };
  else if (layout.style === 'key') {
    const keyIdx = t.columns.findIndex((c) => c.name === layout.key);
    dist = pos.has(keyIdx) ? { kind: 'hash', keys: [pos.get(keyIdx)!] } : { kind: 'any' };
  } else dist = { kind: 'any' };
  const stats = ctx.scanStats(t);
  const site = ctx.site('scan', get.fields.length);
  const est = ctx.observed(site, Math.max(1, t.rows * scanSelectivity(preds, stats.range, t.rows, stats.distinct, stats.distribution)));
  const scan: ScanNode = {
    op: 'scan',
    id: ctx.id(),
    table: t,
    alias: get.alias,
    columns,
    filter,
    zone,
    fields: columns.map((c) => get.fields[c]!),
    dist,
    estRows: est,
  };
  ctx.recordSite(scan.id, site);
  // columns read only by the filter leave here, so no exchange above carries them
  const keep = [...new Set(required)].sort((a, b) => a - b);
  if (keep.length > 0 && keep.length < columns.length) {
    const exprs = keep.map((c) => ({ k: 'col', index: pos.get(c)!, type: scan.fields[pos.get(c)!]!.type }) as Expr);
    const node = ctx.project(scan, exprs, keep.map((c) => scan.fields[pos.get(c)!]!));
    return { node, pos: new Map(keep.map((c, i) => [c, i])), base: Math.max(1, t.rows) };
  }
  return { node: scan, pos, base: Math.max(1, t.rows) };
}

/** Zone-map tests implied by a conjunct over scan columns: col op literal. */
export function zonePredicates(p: Expr): ZonePredicate[] {
  if (p.k === 'call') {
    const flip: Record<string, ZonePredicate['op']> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq' };
    if (p.op in flip && p.args.length === 2) {
      const [a, b] = p.args;
      if (a!.k === 'col' && b!.k === 'lit' && b!.value !== null && sameKind(a!, b!)) return [{ column: a!.index, op: p.op as ZonePredicate['op'], value: b!.value }];
      if (b!.k === 'col' && a!.k === 'lit' && a!.value !== null && sameKind(a!, b!)) return [{ column: b!.index, op: flip[p.op]!, value: a!.value }];
    }
    return [];
  }
  if (p.k === 'in' && !p.negated && p.arg.k === 'col' && p.values.length > 0) {
    return [{ column: p.arg.index, op: 'in', value: p.values[0]!, values: p.values }];
  }
  if (p.k === 'like' && !p.negated && !p.caseInsensitive && p.arg.k === 'col') {
    const m = /^([^%_\\]+)%/.exec(p.pattern);
    if (m && p.escape === null) return [{ column: p.arg.index, op: 'prefix', value: m[1]! }];
  }
  return [];
}

/** Zone maps hold physical values; a test is only sound when the literal has the column's physical kind and scale. */
function sameKind(col: Expr, lit: Expr): boolean {
  const a = col.type;
  const b = lit.type;
  if (physicalKind(a) !== physicalKind(b)) return false;
  if (a.id === 'decimal' || b.id === 'decimal') return a.id === b.id && (a.scale ?? 0) === (b.scale ?? 0);
  if ((a.id === 'date') !== (b.id === 'date') || (a.id === 'timestamp') !== (b.id === 'timestamp')) return false;
  return true;
}
