/**
 * Builds the query record of a statement from its physical plan and what the
 * executor counted: per scan the predicates and blocks, per join the
 * distribution action and the rows and bytes its exchanges moved.
 */
import type { Expr } from './plan/expr.js';
import type { ExchangeNode, Field, PlanNode } from './plan/physical.js';
import { childrenOf } from './plan/physical.js';
import { conjuncts } from './plan/rules/predicates.js';
import { selectivity } from './plan/estimate.js';
import type { ExecContext } from './exec/context.js';
import type { QueryStats } from './result.js';
import { QUERY_RECORD_VERSION, type JoinRecord, type PredicateRecord, type QueryRecord, type ScanRecord } from './query-record.js';
import { formatDate, formatTimestamp, formatTimestampTz } from './types.js';

/** What a statement leaves behind for its record: the plan it ran and the counters. */
export interface RecordParts {
  plan?: PlanNode;
  exec?: ExecContext;
  /** The answer came from the result cache: nothing was planned or run. */
  resultCacheHit?: boolean;
}

export function emptyRecordParts(): RecordParts {
  return {};
}

export interface RecordInput {
  readonly id: string;
  readonly startTime: string;
  readonly durationMs: number;
  readonly user: string;
  readonly session: string;
  readonly sql: string;
  readonly fingerprint: string;
  readonly command: string;
  readonly status: 'ok' | 'error';
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly stats: QueryStats;
  readonly rowsReturned: number;
  /** See QueryRecord.transactionId; absent for a record of a statement that ran elsewhere (planRecord). */
  readonly transactionId?: string;
  /** See QueryRecord.userId and queueMs. */
  readonly userId?: number;
  readonly queueMs?: number;
  readonly parts: RecordParts;
}

const OPS: Partial<Record<string, string>> = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };
const FLIPPED: Partial<Record<string, string>> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' };

function literalText(e: Expr): string | null {
  if (e.k !== 'lit' || e.value === null) return null;
  if (typeof e.value === 'string') return e.value;
  switch (e.type.id) {
    case 'date':
      return formatDate(e.value);
    case 'timestamp':
      return formatTimestamp(e.value);
    case 'timestamptz':
      return formatTimestampTz(e.value);
    case 'decimal':
      return String(e.value / 10 ** (e.type.scale ?? 0));
    default:
      return String(e.value);
  }
}

/** Peels casts the binder put around a column, so `cast(l_quantity as decimal) < 24` names l_quantity. */
function baseColumn(e: Expr): number | null {
  if (e.k === 'col') return e.index;
  if (e.k === 'call' && e.op === 'cast') return baseColumn(e.args[0]!);
  return null;
}

function predicateRecords(filter: Expr | null, fields: readonly Field[], actual: number | null): PredicateRecord[] {
  if (!filter) return [];
  const name = (i: number) => fields[i]!.source?.column ?? fields[i]!.name;
  const out: PredicateRecord[] = [];
  for (const c of conjuncts(filter)) {
    const est = selectivity(c);
    const rec = (column: number, op: string, literal: string | null) =>
      out.push({ column: name(column), op, literal, estSelectivity: est, actualSelectivity: actual });
    if (c.k === 'call' && OPS[c.op]) {
      const [a, b] = c.args as [Expr, Expr];
      const ca = baseColumn(a);
      const cb = baseColumn(b);
      if (ca !== null && b.k === 'lit') rec(ca, OPS[c.op]!, literalText(b));
      else if (cb !== null && a.k === 'lit') rec(cb, OPS[FLIPPED[c.op] ?? c.op]!, literalText(a));
      else if (ca !== null) rec(ca, 'other', null);
      continue;
    }
    if (c.k === 'in') {
      const col = baseColumn(c.arg);
      if (col !== null) {
        const first = c.values[0];
        rec(col, c.negated ? 'not in' : 'in', first === undefined ? null : literalText({ k: 'lit', value: first, type: c.arg.type }));
      }
      continue;
    }
    if (c.k === 'like') {
      const col = baseColumn(c.arg);
      if (col !== null) rec(col, c.negated ? 'not like' : 'like', c.pattern);
      continue;
    }
    const cols = [...new Set(collectColumns(c))];
    for (const col of cols) rec(col, 'other', null);
  }
  return out;
}

function collectColumns(e: Expr, out: number[] = []): number[] {
  switch (e.k) {
    case 'col':
      out.push(e.index);
      break;
    case 'lit':
      break;
    case 'call':
    case 'fn':
      e.args.forEach((a) => collectColumns(a, out));
      break;
    case 'case':
      e.whens.forEach((w) => {
        collectColumns(w.when, out);
        collectColumns(w.then, out);
      });
      if (e.otherwise) collectColumns(e.otherwise, out);
      break;
    case 'in':
    case 'like':
      collectColumns(e.arg, out);
      break;
  }
  return out;
}

/** Exchanges that feed a join side directly (through projections and filters). */
function feedingExchanges(n: PlanNode): ExchangeNode[] {
  if (n.op === 'exchange') return n.mode === 'pick' ? [] : [n];
  if (n.op === 'project' || n.op === 'filter') return feedingExchanges(n.input);
  return [];
}

function sourceName(f: Field): string {
  return f.source ? `${f.source.table}.${f.source.column}` : f.name;
}

export function buildRecord(input: RecordInput): QueryRecord {
  const scans: ScanRecord[] = [];
  const joins: JoinRecord[] = [];
  const groupBy: string[] = [];
  const orderBy: string[] = [];
  const { plan, exec } = input.parts;
  const walk = (n: PlanNode): void => {
    const s = exec?.stats.get(n.id);
    switch (n.op) {
      case 'scan': {
        const rowsScanned = s?.rowsScanned ?? 0;
        // the predicates' selectivity: rows a join's key filter dropped after them had passed them
        const actual = s && rowsScanned > 0 ? (s.rowsOut + s.rowsJoinFiltered) / rowsScanned : null;
        scans.push({
          table: n.table.name,
          columns: n.columns.map((c) => n.table.columns[c]!.name),
          predicates: predicateRecords(n.filter, n.fields, actual),
          blocksTotal: s?.blocksTotal ?? 0,
          blocksScanned: s?.blocksScanned ?? 0,
          blocksSkipped: s?.blocksSkipped ?? 0,
          rowsScanned,
          rowsOut: s?.rowsOut ?? 0,
        });
        break;
      }
      case 'join': {
        const moved = [...feedingExchanges(n.left), ...feedingExchanges(n.right)];
        let rowsMoved = s?.rowsMoved ?? 0;
        let bytesMoved = s?.bytesMoved ?? 0;
        for (const x of moved) {
          const xs = exec?.stats.get(x.id);
          rowsMoved += xs?.rowsMoved ?? 0;
          bytesMoved += xs?.bytesMoved ?? 0;
        }
        const first = n.keyNames[0];
        joins.push({
          left: first?.left ?? '',
          right: first?.right ?? '',
          keys: n.keyNames,
          type: n.type,
          action: n.action,
          leftRows: s?.leftRows ?? 0,
          rightRows: s?.rightRows ?? 0,
          rowsMoved,
          bytesMoved,
        });
        break;
      }
      case 'aggregate':
        // a grouping-sets aggregate's last group is the set number, not a column of the query
        if (n.mode !== 'final') for (const g of n.grouping ? n.groups.slice(0, -1) : n.groups) groupBy.push(sourceName(n.input.fields[g]!));
        break;
      case 'window':
        // a window's partition keys bring rows together as GROUP BY keys do; the record has no field of its own for them
        for (const c of n.partition) groupBy.push(sourceName(n.input.fields[c]!));
        break;
      case 'sort':
        for (const k of n.keys) orderBy.push(sourceName(n.input.fields[k.column]!));
        break;
      default:
        break;
    }
    for (const c of childrenOf(n)) walk(c);
  };
  if (plan) walk(plan);
  const st = input.stats;
  return {
    version: QUERY_RECORD_VERSION,
    id: input.id,
    startTime: input.startTime,
    durationMs: input.durationMs,
    user: input.user,
    session: input.session,
    sql: input.sql,
    fingerprint: input.fingerprint,
    command: input.command,
    status: input.status,
    error: input.error,
    rowsReturned: input.rowsReturned,
    rowsMoved: st.rowsMoved,
    bytesMoved: st.bytesMoved,
    blocksTotal: st.blocksTotal,
    blocksScanned: st.blocksScanned,
    blocksSkipped: st.blocksSkipped,
    scans,
    joins,
    ...(input.transactionId !== undefined ? { transactionId: input.transactionId } : {}),
    ...(input.parts.resultCacheHit ? { resultCacheHit: true as const } : {}),
    ...(input.userId !== undefined ? { userId: input.userId } : {}),
    ...(input.queueMs !== undefined ? { queueMs: input.queueMs } : {}),
    groupBy: [...new Set(groupBy)],
    orderBy: [...new Set(orderBy)],
  };
}
