/**
 * sys_query_history, sys_query_scans and sys_query_joins: the workload log as
 * relations any query can read (filters, GROUP BY, joins between them). They
 * are computed from the log's files when a query reads them, so they show the
 * records of every process that wrote to the data directory, up to the
 * statement before the one reading them. Columns: docs/workload-log.md.
 */
import type { Batch, SqlType, SystemTable, Vector, ZonePredicate } from '../engine/index.js';
import { childStarts, str, type Codes, type Texts, type WorkloadPart } from './columns.js';
import type { WorkloadStore } from './store.js';

const TEXT: SqlType = { id: 'varchar', length: 65535 };
const NAME: SqlType = { id: 'varchar', length: 256 };
const BIGINT: SqlType = { id: 'bigint' };
const DOUBLE: SqlType = { id: 'double' };
const INTEGER: SqlType = { id: 'integer' };
const TIMESTAMP: SqlType = { id: 'timestamp' };
const BOOL: SqlType = { id: 'boolean' };

/** Builds one column of one part's rows: typed arrays of the part reused where they already are the column. */
type ColumnSpec = { readonly name: string; readonly type: SqlType; readonly build: (p: WorkloadPart) => Vector };

/** The dictionary of a column that is NULL on every row (a dictionary is never empty). */
const NO_STRINGS: readonly string[] = [''];

/** Interns strings computed per row (labels, predicate texts): rows that repeat share an entry. */
function strVector(n: number, at: (i: number) => string | null): Vector {
  const codes = new Uint32Array(n);
  const dict: string[] = [];
  const ids = new Map<string, number>();
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const s = at(i);
    if (s === null) (nulls ??= new Uint8Array(n))[i] = 1;
    else {
      let id = ids.get(s);
      if (id === undefined) ids.set(s, (id = dict.push(s) - 1));
      codes[i] = id;
    }
  }
  return { kind: 'str', codes, dict: dict.length ? dict : NO_STRINGS, nulls, length: n };
}

/** Dictionary codes as a string vector: the part's own codes and dictionary, copied only to mark NULLs. */
function codesVector(c: Codes): Vector {
  const src = c.codes;
  const n = src.length;
  const dict = c.dict.length ? c.dict : NO_STRINGS;
  let nullAt = -1;
  for (let i = 0; i < n; i++) {
    if (src[i]! < 0) {
      nullAt = i;
      break;
    }
  }
  if (nullAt < 0) return { kind: 'str', codes: new Uint32Array(src.buffer, src.byteOffset, n), dict, nulls: null, length: n };
  const codes = new Uint32Array(n);
  const nulls = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = src[i]!;
    if (x < 0) nulls[i] = 1;
    else codes[i] = x;
  }
  return { kind: 'str', codes, dict, nulls, length: n };
}

/** A column of the parent query on each child row: the parent's code, through the child's pointer. */
function parentCodesVector(c: Codes, parent: Int32Array): Vector {
  const n = parent.length;
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = c.codes[parent[i]!]!;
  return codesVector({ codes, dict: c.dict });
}

/** Text that rarely repeats (ids, SQL): each row (or each parent row, through `rows`) its own dictionary entry, no hashing. */
function textVector(values: readonly (string | null)[], rows: Int32Array | null): Vector {
  const n = rows ? rows.length : values.length;
  let nulls: Uint8Array | null = null;
  const dict: string[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) dict[i] = values[i] ?? '';
  if (rows) {
    for (let i = 0; i < n; i++) if (values[rows[i]!] === null) (nulls ??= new Uint8Array(n))[i] = 1;
    return { kind: 'str', codes: new Uint32Array(rows.buffer, rows.byteOffset, n), dict: dict.length ? dict : NO_STRINGS, nulls, length: n };
  }
  const codes = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    codes[i] = i;
    if (values[i] === null) (nulls ??= new Uint8Array(n))[i] = 1;
  }
  return { kind: 'str', codes, dict: dict.length ? dict : NO_STRINGS, nulls, length: n };
}

/** A stored number column as it is; NaN (not measured) reads as NULL, which needs a copy of the nulls only. */
function f64Vector(values: Float64Array): Vector {
  const n = values.length;
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) if (Number.isNaN(values[i]!)) (nulls ??= new Uint8Array(n))[i] = 1;
  if (!nulls) return { kind: 'f64', values, nulls: null, length: n };
  const copy = new Float64Array(n);
  for (let i = 0; i < n; i++) if (!nulls[i]) copy[i] = values[i]!;
  return { kind: 'f64', values: copy, nulls, length: n };
}

/** Whole numbers stored as doubles (ids), NaN read as NULL. */
function i32OrNull(values: Float64Array): Vector {
  const n = values.length;
  const out = new Int32Array(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(values[i]!)) (nulls ??= new Uint8Array(n))[i] = 1;
    else out[i] = values[i]!;
  }
  return { kind: 'i32', values: out, nulls, length: n };
}

/** Numbers computed per row; null or NaN reads as NULL. */
function computedF64(n: number, at: (i: number) => number | null): Vector {
  const values = new Float64Array(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const x = at(i);
    if (x === null || Number.isNaN(x)) (nulls ??= new Uint8Array(n))[i] = 1;
    else values[i] = x;
  }
  return { kind: 'f64', values, nulls, length: n };
}

type Table = 'queries' | 'scans' | 'joins';

function codes(name: string, get: (p: WorkloadPart) => Codes, type = NAME): ColumnSpec {
  return { name, type, build: (p) => codesVector(get(p)) };
}

/** Text; held coded (the SQL), its codes and dictionary as they are. */
function texts(name: string, get: (p: WorkloadPart) => Texts): ColumnSpec {
  return {
    name,
    type: TEXT,
    build: (p) => {
      const t = get(p);
      const coded = t.coded?.();
      return coded ? codesVector(coded) : textVector(t.values(), null);
    },
  };
}

/** A few distinct values computed per row (labels). */
function labels(name: string, t: Table, get: (p: WorkloadPart) => (i: number) => string | null): ColumnSpec {
  return { name, type: NAME, build: (p) => strVector(p[t].length, get(p)) };
}

function numbers(name: string, t: Table, get: (p: WorkloadPart) => (i: number) => number | null, type = BIGINT): ColumnSpec {
  return { name, type, build: (p) => computedF64(p[t].length, get(p)) };
}

function array(name: string, get: (p: WorkloadPart) => Float64Array, type = BIGINT): ColumnSpec {
  return { name, type, build: (p) => f64Vector(get(p)) };
}

/** Timestamps in microseconds (the engine's), from milliseconds. */
function micros(name: string, n: (p: WorkloadPart) => number, at: (p: WorkloadPart) => (i: number) => number): ColumnSpec {
  return {
    name,
    type: TIMESTAMP,
    build: (p) => {
      const f = at(p);
      return computedF64(n(p), (i) => us(f(i)));
    },
  };
}

/** The 1-based position of each child among its parent's children. */
function ordinals(name: string, t: 'scans' | 'joins'): ColumnSpec {
  return {
    name,
    type: INTEGER,
    build: (p) => {
      const parent = p[t].query;
      const values = new Int32Array(parent.length);
      for (let i = 0; i < parent.length; i++) values[i] = i > 0 && parent[i] === parent[i - 1] ? values[i - 1]! + 1 : 1;
      return { kind: 'i32', values, nulls: null, length: parent.length };
    },
  };
}

const us = (ms: number) => Math.round(ms * 1000);

function commonChildColumns(t: 'scans' | 'joins'): ColumnSpec[] {
  return [
    { name: 'query_id', type: TEXT, build: (p) => textVector(p.queries.id.values(), p[t].query) },
    micros('start_time', (p) => p[t].length, (p) => (i) => p.queries.startMs[p[t].query[i]!]!),
    { name: 'fingerprint', type: TEXT, build: (p) => parentCodesVector(p.queries.fingerprint, p[t].query) },
  ];
}

function literalText(lit: string | null): string {
  if (lit === null) return '?';
  return /^-?\d+(\.\d+)?$/.test(lit) ? lit : `'${lit.replace(/'/g, "''")}'`;
}

/** "col op literal AND ..." for each scan. */
function predicateTexts(p: WorkloadPart): (i: number) => string | null {
  const pr = p.predicates;
  const starts = childStarts(pr.scan, p.scans.length);
  return (k) => {
    const parts: string[] = [];
    for (let m = starts[k]!; m < starts[k + 1]!; m++) {
      const col = str(pr.column, m)!;
      const op = str(pr.op, m)!;
      const lit = str(pr.literal, m);
      if (op === 'other') parts.push(`${col} (expression)`);
      else if (op === 'in' || op === 'not in') parts.push(`${col} ${op} (${literalText(lit)}, ...)`);
      else parts.push(`${col} ${op} ${literalText(lit)}`);
    }
    return parts.length ? parts.join(' AND ') : null;
  };
}

function predicateColumns(p: WorkloadPart): (i: number) => string | null {
  const pr = p.predicates;
  const starts = childStarts(pr.scan, p.scans.length);
  return (k) => {
    const cols = new Set<string>();
    for (let m = starts[k]!; m < starts[k + 1]!; m++) cols.add(pr.column.dict[pr.column.codes[m]!]!);
    return cols.size ? [...cols].join(',') : null;
  };
}

/** The product of the predicates' estimates (independence), null without predicates. */
function estimatedSelectivity(p: WorkloadPart): (i: number) => number | null {
  const pr = p.predicates;
  const starts = childStarts(pr.scan, p.scans.length);
  return (k) => {
    if (starts[k] === starts[k + 1]) return null;
    let x = 1;
    for (let m = starts[k]!; m < starts[k + 1]!; m++) x *= pr.estSelectivity[m]!;
    return x;
  };
}

/** Table and columns of one side of each join, from its key pairs "l.a=r.b,...". */
function joinSide(p: WorkloadPart, side: 0 | 1, part: 'table' | 'columns'): (i: number) => string | null {
  const keys = p.joins.keys;
  return (k) => {
    const text = keys.codes[k]! < 0 ? '' : keys.dict[keys.codes[k]!]!;
    if (!text) return null;
    const refs = text.split(',').map((pair) => pair.split('=')[side]!);
    const dot = (r: string) => r.lastIndexOf('.');
    if (part === 'table') return refs[0]!.slice(0, Math.max(0, dot(refs[0]!))) || null;
    return refs.map((r) => r.slice(dot(r) + 1)).join(',');
  };
}

/** Redshift's words for a finished query (SYS_QUERY_HISTORY.status), so its monitoring queries run unchanged. */
const STATUS: readonly string[] = ['success', 'failed'];

const HISTORY: ColumnSpec[] = [
  texts('query_id', (p) => p.queries.id),
  micros('start_time', (p) => p.queries.length, (p) => (i) => p.queries.startMs[i]!),
  // start plus elapsed, each in whole microseconds, so that end_time - start_time is elapsed_time exactly (rounding the sum could differ by 1)
  micros('end_time', (p) => p.queries.length, (p) => (i) => (us(p.queries.startMs[i]!) + us(p.queries.durationMs[i]!)) / 1000),
  array('elapsed_ms', (p) => p.queries.durationMs, DOUBLE),
  // Redshift's elapsed_time: whole microseconds
  numbers('elapsed_time', 'queries', (p) => (i) => us(p.queries.durationMs[i]!)),
  // Redshift's queue_time, whole microseconds in keel serve's workload-management queue; NULL for a statement that went through none
  numbers('queue_time', 'queries', (p) => (i) => us(p.queries.queueMs[i]!)),
  array('queue_ms', (p) => p.queries.queueMs, DOUBLE),
  codes('user_name', (p) => p.queries.user),
  // Redshift's user_id (pg_user.usesysid) of a catalog user; NULL for the data directory's owner
  { name: 'user_id', type: INTEGER, build: (p) => i32OrNull(p.queries.userId) },
  codes('session_id', (p) => p.queries.session),
  codes('transaction_id', (p) => p.queries.transactionId),
  codes('source', (p) => p.queries.source),
  codes('command', (p) => p.queries.command),
  // Redshift's name for the statement's kind
  codes('query_type', (p) => p.queries.command),
  // status is 0 (ok: 'success') or 1 (error: 'failed'): the codes of a two-entry dictionary as they are
  { name: 'status', type: NAME, build: (p) => ({ kind: 'str', codes: Uint32Array.from(p.queries.status), dict: STATUS, nulls: null, length: p.queries.length }) },
  codes('error_code', (p) => p.queries.errorCode),
  texts('error_message', (p) => p.queries.errorMessage),
  codes('fingerprint', (p) => p.queries.fingerprint, TEXT),
  texts('query_text', (p) => p.queries.sql),
  array('returned_rows', (p) => p.queries.rowsReturned),
  array('rows_moved', (p) => p.queries.rowsMoved),
  array('bytes_moved', (p) => p.queries.bytesMoved),
  array('blocks_total', (p) => p.queries.blocksTotal),
  array('blocks_scanned', (p) => p.queries.blocksScanned),
  array('blocks_skipped', (p) => p.queries.blocksSkipped),
  codes('group_by', (p) => p.queries.groupBy, TEXT),
  codes('order_by', (p) => p.queries.orderBy, TEXT),
  // Redshift's column: true when the rows came from the result cache
  { name: 'result_cache_hit', type: BOOL, build: (p) => ({ kind: 'bool', values: p.queries.resultCacheHit, nulls: null, length: p.queries.length }) },
];

const SCANS: ColumnSpec[] = [
  ...commonChildColumns('scans'),
  ordinals('scan_no', 'scans'),
  codes('table_name', (p) => p.scans.table),
  codes('columns', (p) => p.scans.columns, TEXT),
  labels('predicates', 'scans', predicateTexts),
  labels('predicate_columns', 'scans', predicateColumns),
  numbers('est_selectivity', 'scans', estimatedSelectivity, DOUBLE),
  numbers('selectivity', 'scans', (p) => (i) => (p.scans.rowsScanned[i]! > 0 ? p.scans.rowsOut[i]! / p.scans.rowsScanned[i]! : null), DOUBLE),
  array('blocks_total', (p) => p.scans.blocksTotal),
  array('blocks_scanned', (p) => p.scans.blocksScanned),
  array('blocks_skipped', (p) => p.scans.blocksSkipped),
  array('rows_scanned', (p) => p.scans.rowsScanned),
  array('rows_out', (p) => p.scans.rowsOut),
];

const JOINS: ColumnSpec[] = [
  ...commonChildColumns('joins'),
  ordinals('join_no', 'joins'),
  labels('left_table', 'joins', (p) => joinSide(p, 0, 'table')),
  labels('left_columns', 'joins', (p) => joinSide(p, 0, 'columns')),
  labels('right_table', 'joins', (p) => joinSide(p, 1, 'table')),
  labels('right_columns', 'joins', (p) => joinSide(p, 1, 'columns')),
  codes('join_type', (p) => p.joins.type),
  codes('dist_action', (p) => p.joins.action),
  array('left_rows', (p) => p.joins.leftRows),
  array('right_rows', (p) => p.joins.rightRows),
  array('rows_moved', (p) => p.joins.rowsMoved),
  array('bytes_moved', (p) => p.joins.bytesMoved),
];

/**
 * Parts whose start times may satisfy the zone tests on `start_time`, in
 * milliseconds: [since, until]. A child row's start time is its query's, so
 * the same bounds hold for sys_query_scans and sys_query_joins.
 */
function startBounds(zone: readonly ZonePredicate[], startColumn: number): { sinceMs?: number; untilMs?: number } {
  let since = -Infinity;
  let until = Infinity;
  for (const z of zone) {
    if (z.column !== startColumn) continue;
    const vs = (z.op === 'in' ? (z.values ?? [z.value]) : [z.value]).filter((v): v is number => typeof v === 'number');
    if (vs.length === 0) continue;
    // microseconds to milliseconds, rounded outward: a bound may only widen what is kept
    const lo = Math.floor(Math.min(...vs) / 1000);
    const hi = Math.ceil(Math.max(...vs) / 1000);
    if (z.op === 'gt' || z.op === 'ge' || z.op === 'eq' || z.op === 'in') since = Math.max(since, lo);
    if (z.op === 'lt' || z.op === 'le' || z.op === 'eq' || z.op === 'in') until = Math.min(until, hi);
  }
  return { ...(since > -Infinity ? { sinceMs: since } : {}), ...(until < Infinity ? { untilMs: until } : {}) };
}

/** Whether some query of the part started within the bounds. */
function overlaps(p: WorkloadPart, b: { sinceMs?: number; untilMs?: number }): boolean {
  if (b.sinceMs === undefined && b.untilMs === undefined) return true;
  const since = b.sinceMs ?? -Infinity;
  const until = b.untilMs ?? Infinity;
  const start = p.queries.startMs;
  for (let i = 0; i < start.length; i++) if (start[i]! >= since && start[i]! <= until) return true;
  return false;
}

function systemTable(name: string, specs: readonly ColumnSpec[], store: WorkloadStore, t: Table): SystemTable {
  const startColumn = specs.findIndex((s) => s.name === 'start_time');
  return {
    name,
    fields: specs.map((s) => ({ name: s.name, type: s.type })),
    read(_catalog, columns, zone): Batch[] {
      const bounds = startBounds(zone, startColumn);
      // one batch per part (a compacted chunk, a raw segment), its columns built only when read
      return store.read(
        (parts) => parts.filter((p) => p[t].length > 0 && overlaps(p, bounds)).map((p) => ({ length: p[t].length, columns: columns.map((c) => specs[c]!.build(p)) })),
        bounds,
      );
    },
  };
}

/** The three system tables over a data directory's workload log. */
export function workloadSystemTables(store: WorkloadStore): SystemTable[] {
  return [
    systemTable('sys_query_history', HISTORY, store, 'queries'),
    systemTable('sys_query_scans', SCANS, store, 'scans'),
    systemTable('sys_query_joins', JOINS, store, 'joins'),
  ];
}
