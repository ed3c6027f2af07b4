/**
 * How a log record is stored in a raw segment's frame: a JSON array with the
 * record's fields in a fixed order, nested scans, predicates and joins as
 * arrays too. Half the bytes of the record as a JSON object and about twice as
 * fast to write and to read, which is most of what recording costs
 * (docs/performance.md). Layout (record version 1):
 *
 *   [version, id, startTime, durationMs, user, session, sql, fingerprint, command,
 *    status, errorCode, errorMessage, rowsReturned, rowsMoved, bytesMoved,
 *    blocksTotal, blocksScanned, blocksSkipped, scans, joins, groupBy, orderBy, source, transactionId]
 *   (transactionId came later: null when the record has none, absent from records written before it)
 *   scan:      [table, columns, predicates, blocksTotal, blocksScanned, blocksSkipped, rowsScanned, rowsOut]
 *   predicate: [column, op, literal, estSelectivity, actualSelectivity]
 *   join:      [left, right, keys ([[left, right], ...]), type, action, leftRows, rightRows, rowsMoved, bytesMoved]
 */
import { QUERY_RECORD_VERSION, type JoinRecord, type PredicateRecord, type QueryRecord, type ScanRecord } from '../engine/index.js';
import type { LogRecord, RecordSource } from './record.js';

/** Every field of a record has a place in the array; the compiler checks none is forgotten. */
const FIELDS = [
  'version', 'id', 'startTime', 'durationMs', 'user', 'session', 'sql', 'fingerprint', 'command',
  'status', 'error', 'rowsReturned', 'rowsMoved', 'bytesMoved', 'blocksTotal', 'blocksScanned', 'blocksSkipped',
  'scans', 'joins', 'groupBy', 'orderBy', 'source', 'transactionId',
] as const satisfies readonly (keyof LogRecord)[];
type Unplaced = Exclude<keyof LogRecord, (typeof FIELDS)[number]>;
const everyFieldPlaced: [Unplaced] extends [never] ? true : Unplaced = true;
void everyFieldPlaced;

const scanArray = (s: ScanRecord) => [
  s.table,
  s.columns,
  s.predicates.map((p) => [p.column, p.op, p.literal, p.estSelectivity, p.actualSelectivity]),
  s.blocksTotal,
  s.blocksScanned,
  s.blocksSkipped,
  s.rowsScanned,
  s.rowsOut,
];

const joinArray = (j: JoinRecord) => [j.left, j.right, j.keys.map((k) => [k.left, k.right]), j.type, j.action, j.leftRows, j.rightRows, j.rowsMoved, j.bytesMoved];

/** The stored text of a record; `source` is used when the record has none. */
export function encodeRecord(r: QueryRecord | LogRecord, source: RecordSource): string {
  return JSON.stringify([
    r.version,
    r.id,
    r.startTime,
    r.durationMs,
    r.user,
    r.session,
    r.sql,
    r.fingerprint,
    r.command,
    r.status,
    r.error?.code ?? null,
    r.error?.message ?? null,
    r.rowsReturned,
    r.rowsMoved,
    r.bytesMoved,
    r.blocksTotal,
    r.blocksScanned,
    r.blocksSkipped,
    r.scans.map(scanArray),
    r.joins.map(joinArray),
    r.groupBy,
    r.orderBy,
    'source' in r ? r.source : source,
    r.transactionId ?? null,
  ]);
}

class Bad extends Error {}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Bad(`${what} is not a string`);
  return v;
}
function num(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new Bad(`${what} is not a number`);
  return v;
}
function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Bad(`${what} is not a list`);
  return v;
}
const strs = (v: unknown, what: string) => arr(v, what).map((x) => str(x, what));
const nullable = (v: unknown, what: string) => (v === null ? null : str(v, what));

function predicate(v: unknown): PredicateRecord {
  const p = arr(v, 'a predicate');
  return {
    column: str(p[0], 'a predicate column'),
    op: str(p[1], 'a predicate operator'),
    literal: nullable(p[2], 'a predicate literal'),
    estSelectivity: num(p[3], 'an estimated selectivity'),
    actualSelectivity: p[4] === null ? null : num(p[4], 'a selectivity'),
  };
}

function scan(v: unknown): ScanRecord {
  const s = arr(v, 'a scan');
  return {
    table: str(s[0], 'a scan table'),
    columns: strs(s[1], 'scan columns'),
    predicates: arr(s[2], 'predicates').map(predicate),
    blocksTotal: num(s[3], 'blocksTotal'),
    blocksScanned: num(s[4], 'blocksScanned'),
    blocksSkipped: num(s[5], 'blocksSkipped'),
    rowsScanned: num(s[6], 'rowsScanned'),
    rowsOut: num(s[7], 'rowsOut'),
  };
}

function join(v: unknown): JoinRecord {
  const j = arr(v, 'a join');
  return {
    left: str(j[0], 'a join side'),
    right: str(j[1], 'a join side'),
    keys: arr(j[2], 'join keys').map((k) => {
      const pair = arr(k, 'a join key');
      return { left: str(pair[0], 'a join key'), right: str(pair[1], 'a join key') };
    }),
    type: str(j[3], 'a join type'),
    action: str(j[4], 'a distribution action'),
    leftRows: num(j[5], 'leftRows'),
    rightRows: num(j[6], 'rightRows'),
    rowsMoved: num(j[7], 'rowsMoved'),
    bytesMoved: num(j[8], 'bytesMoved'),
  };
}

/** The record in a decoded payload, or a message saying what is wrong with it. */
export function decodeRecord(v: unknown): LogRecord | string {
  try {
    const a = arr(v, 'the record');
    const version = num(a[0], 'the version');
    if (version > QUERY_RECORD_VERSION) return `record version ${version} is newer than this keel reads (${QUERY_RECORD_VERSION})`;
    const startTime = str(a[2], 'startTime');
    if (Number.isNaN(Date.parse(startTime))) return 'startTime is not a time';
    const status = str(a[9], 'status');
    if (status !== 'ok' && status !== 'error') return `status "${status}" is neither ok nor error`;
    const errorCode = nullable(a[10], 'the error code');
    const transactionId = a[23] === undefined ? null : nullable(a[23], 'transactionId');
    return {
      version: QUERY_RECORD_VERSION,
      id: str(a[1], 'id'),
      startTime,
      durationMs: num(a[3], 'durationMs'),
      user: str(a[4], 'user'),
      session: str(a[5], 'session'),
      sql: str(a[6], 'sql'),
      fingerprint: str(a[7], 'fingerprint'),
      command: str(a[8], 'command'),
      status,
      error: errorCode === null ? null : { code: errorCode, message: nullable(a[11], 'the error message') ?? '' },
      rowsReturned: num(a[12], 'rowsReturned'),
      rowsMoved: num(a[13], 'rowsMoved'),
      bytesMoved: num(a[14], 'bytesMoved'),
      blocksTotal: num(a[15], 'blocksTotal'),
      blocksScanned: num(a[16], 'blocksScanned'),
      blocksSkipped: num(a[17], 'blocksSkipped'),
      scans: arr(a[18], 'scans').map(scan),
      joins: arr(a[19], 'joins').map(join),
      groupBy: strs(a[20], 'groupBy'),
      orderBy: strs(a[21], 'orderBy'),
      source: str(a[22], 'source'),
      ...(transactionId !== null ? { transactionId } : {}),
    };
  } catch (e) {
    if (e instanceof Bad) return e.message;
    throw e;
  }
}
