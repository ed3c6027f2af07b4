/**
 * sys_query_history, sys_query_scans and sys_query_joins: the workload log as
 * relations any query can read (filters, GROUP BY, joins between them). They
 * are computed from the log's files when a query reads them, so they show the
 * records of every process that wrote to the data directory, up to the
 * statement before the one reading them. Columns: docs/workload-log.md.
 */
import type { Batch, SqlType, SystemTable, Vector } from '../engine/index.js';
import { childStarts, str, type Codes, type Texts, type WorkloadPart } from './columns.js';
import type { WorkloadStore } from './store.js';

const TEXT: SqlType = { id: 'varchar', length: 65535 };
const NAME: SqlType = { id: 'varchar', length: 256 };
const BIGINT: SqlType = { id: 'bigint' };
const DOUBLE: SqlType = { id: 'double' };
const INTEGER: SqlType = { id: 'integer' };
const TIMESTAMP: SqlType = { id: 'timestamp' };

/** Builds one column over all parts, row by row. */
type ColumnSpec = { readonly name: string; readonly type: SqlType; readonly build: (parts: readonly WorkloadPart[]) => Vector };

function strVector(n: number, fill: (put: (s: string | null) => void) => void): Vector {
  const codes = new Uint32Array(n);
  const dict: string[] = [];
  const ids = new Map<string, number>();
  let nulls: Uint8Array | null = null;
  let i = 0;
  fill((s) => {
    if (s === null) (nulls ??= new Uint8Array(n))[i] = 1;
    else {
      let id = ids.get(s);
      if (id === undefined) ids.set(s, (id = dict.push(s) - 1));
      codes[i] = id;
    }
    i++;
  });
  return { kind: 'str', codes, dict: dict.length ? dict : [''], nulls, length: n };
}

function f64Vector(n: number, fill: (put: (x: number | null) => void) => void): Vector {
  const values = new Float64Array(n);
  let nulls: Uint8Array | null = null;
  let i = 0;
  fill((x) => {
    if (x === null || Number.isNaN(x)) (nulls ??= new Uint8Array(n))[i] = 1;
    else values[i] = x;
    i++;
  });
  return { kind: 'f64', values, nulls, length: n };
}

function i32Vector(n: number, fill: (put: (x: number) => void) => void): Vector {
  const values = new Int32Array(n);
  let i = 0;
  fill((x) => (values[i++] = x));
  return { kind: 'i32', values, nulls: null, length: n };
}

type Table = 'queries' | 'scans' | 'joins';
const lengthOf = (parts: readonly WorkloadPart[], t: Table) => parts.reduce((a, p) => a + p[t].length, 0);

/** A coded column of one of the part's tables. */
function codes(name: string, t: Table, get: (p: WorkloadPart) => Codes, type = NAME): ColumnSpec {
  return {
    name,
    type,
    build: (parts) =>
      strVector(lengthOf(parts, t), (put) => {
        for (const p of parts) {
          const c = get(p);
          for (let i = 0; i < c.codes.length; i++) put(c.codes[i]! < 0 ? null : c.dict[c.codes[i]!]!);
        }
      }),
  };
}

/** Text that rarely repeats (ids, SQL): each row its own dictionary entry, no hashing. */
function texts(name: string, t: Table, get: (p: WorkloadPart) => Texts | ((i: number) => string | null)): ColumnSpec {
  return {
    name,
    type: TEXT,
    build: (parts) => {
      const n = lengthOf(parts, t);
      const dict: string[] = new Array(n);
      const codes = new Uint32Array(n);
      let nulls: Uint8Array | null = null;
      let k = 0;
      for (const p of parts) {
        const g = get(p);
        const at = typeof g === 'function' ? g : (i: number) => g.get(i);
        for (let i = 0; i < p[t].length; i++, k++) {
          const s = at(i);
          codes[k] = k;
          dict[k] = s ?? '';
          if (s === null) (nulls ??= new Uint8Array(n))[k] = 1;
        }
      }
      return { kind: 'str', codes, dict: n ? dict : [''], nulls, length: n };
    },
  };
}

/** A few distinct values computed per row (labels). */
function labels(name: string, t: Table, get: (p: WorkloadPart) => (i: number) => string | null): ColumnSpec {
  return {
    name,
    type: NAME,
    build: (parts) =>
      strVector(lengthOf(parts, t), (put) => {
        for (const p of parts) {
          const at = get(p);
          for (let i = 0; i < p[t].length; i++) put(at(i));
        }
      }),
  };
}

function numbers(name: string, t: Table, get: (p: WorkloadPart) => (i: number) => number | null, type = BIGINT): ColumnSpec {
  return {
    name,
    type,
    build: (parts) =>
      f64Vector(lengthOf(parts, t), (put) => {
        for (const p of parts) {
          const at = get(p);
          for (let i = 0; i < p[t].length; i++) put(at(i));
        }
      }),
  };
}

function array(name: string, t: Table, get: (p: WorkloadPart) => Float64Array, type = BIGINT): ColumnSpec {
  return numbers(name, t, (p) => {
    const a = get(p);
    return (i) => a[i]!;
  }, type);
}

/** The 1-based position of each child among its parent's children. */
function ordinals(name: string, t: 'scans' | 'joins'): ColumnSpec {
  return {
    name,
    type: INTEGER,
    build: (parts) =>
      i32Vector(lengthOf(parts, t), (put) => {
        for (const p of parts) {
          const parent = p[t].query;
          let n = 0;
          for (let i = 0; i < parent.length; i++) put((n = i > 0 && parent[i] === parent[i - 1] ? n + 1 : 1));
        }
      }),
  };
}

/** A column of the parent query, repeated on each child row. */
function parentCodes(name: string, t: 'scans' | 'joins', get: (p: WorkloadPart) => Codes): ColumnSpec {
  return codes(name, t, (p) => {
    const c = get(p);
    const parent = p[t].query;
    return { codes: Int32Array.from(parent, (q) => c.codes[q]!), dict: c.dict };
  });
}

const us = (ms: number) => Math.round(ms * 1000);

function commonChildColumns(t: 'scans' | 'joins'): ColumnSpec[] {
  return [
    texts('query_id', t, (p) => (i) => p.queries.id.get(p[t].query[i]!)),
    numbers('start_time', t, (p) => (i) => us(p.queries.startMs[p[t].query[i]!]!), TIMESTAMP),
    parentCodes('fingerprint', t, (p) => p.queries.fingerprint),
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

const HISTORY: ColumnSpec[] = [
  texts('query_id', 'queries', (p) => p.queries.id),
  numbers('start_time', 'queries', (p) => (i) => us(p.queries.startMs[i]!), TIMESTAMP),
  numbers('end_time', 'queries', (p) => (i) => us(p.queries.startMs[i]! + p.queries.durationMs[i]!), TIMESTAMP),
  array('elapsed_ms', 'queries', (p) => p.queries.durationMs, DOUBLE),
  codes('user_name', 'queries', (p) => p.queries.user),
  codes('session_id', 'queries', (p) => p.queries.session),
  codes('transaction_id', 'queries', (p) => p.queries.transactionId),
  codes('source', 'queries', (p) => p.queries.source),
  codes('command', 'queries', (p) => p.queries.command),
  labels('status', 'queries', (p) => (i) => (p.queries.status[i] === 0 ? 'ok' : 'error')),
  codes('error_code', 'queries', (p) => p.queries.errorCode),
  texts('error_message', 'queries', (p) => p.queries.errorMessage),
  codes('fingerprint', 'queries', (p) => p.queries.fingerprint, TEXT),
  texts('query_text', 'queries', (p) => p.queries.sql),
  array('returned_rows', 'queries', (p) => p.queries.rowsReturned),
  array('rows_moved', 'queries', (p) => p.queries.rowsMoved),
  array('bytes_moved', 'queries', (p) => p.queries.bytesMoved),
  array('blocks_total', 'queries', (p) => p.queries.blocksTotal),
  array('blocks_scanned', 'queries', (p) => p.queries.blocksScanned),
  array('blocks_skipped', 'queries', (p) => p.queries.blocksSkipped),
  codes('group_by', 'queries', (p) => p.queries.groupBy, TEXT),
  codes('order_by', 'queries', (p) => p.queries.orderBy, TEXT),
];

const SCANS: ColumnSpec[] = [
  ...commonChildColumns('scans'),
  ordinals('scan_no', 'scans'),
  codes('table_name', 'scans', (p) => p.scans.table),
  codes('columns', 'scans', (p) => p.scans.columns, TEXT),
  labels('predicates', 'scans', predicateTexts),
  labels('predicate_columns', 'scans', predicateColumns),
  numbers('est_selectivity', 'scans', estimatedSelectivity, DOUBLE),
  numbers('selectivity', 'scans', (p) => (i) => (p.scans.rowsScanned[i]! > 0 ? p.scans.rowsOut[i]! / p.scans.rowsScanned[i]! : null), DOUBLE),
  array('blocks_total', 'scans', (p) => p.scans.blocksTotal),
  array('blocks_scanned', 'scans', (p) => p.scans.blocksScanned),
  array('blocks_skipped', 'scans', (p) => p.scans.blocksSkipped),
  array('rows_scanned', 'scans', (p) => p.scans.rowsScanned),
  array('rows_out', 'scans', (p) => p.scans.rowsOut),
];

const JOINS: ColumnSpec[] = [
  ...commonChildColumns('joins'),
  ordinals('join_no', 'joins'),
  labels('left_table', 'joins', (p) => joinSide(p, 0, 'table')),
  labels('left_columns', 'joins', (p) => joinSide(p, 0, 'columns')),
  labels('right_table', 'joins', (p) => joinSide(p, 1, 'table')),
  labels('right_columns', 'joins', (p) => joinSide(p, 1, 'columns')),
  codes('join_type', 'joins', (p) => p.joins.type),
  codes('dist_action', 'joins', (p) => p.joins.action),
  array('left_rows', 'joins', (p) => p.joins.leftRows),
  array('right_rows', 'joins', (p) => p.joins.rightRows),
  array('rows_moved', 'joins', (p) => p.joins.rowsMoved),
  array('bytes_moved', 'joins', (p) => p.joins.bytesMoved),
];

function systemTable(name: string, specs: readonly ColumnSpec[], store: WorkloadStore, t: Table): SystemTable {
  return {
    name,
    fields: specs.map((s) => ({ name: s.name, type: s.type })),
    rows(): Batch {
      return store.read((parts) => ({ length: lengthOf(parts, t), columns: specs.map((s) => s.build(parts)) }));
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
