/**
 * How a log record was stored in a format-1 raw segment's frame (segments of
 * format 3, written now, and 2 hold binary records: binary-codec.ts; format-1
 * segments are still read): a JSON array with the record's fields in a fixed
 * order, nested scans, predicates and joins as arrays too. Layout (record version 1):
 *
 *   [version, id, startTime, durationMs, user, session, sql, fingerprint, command,
 *    status, errorCode, errorMessage, rowsReturned, rowsMoved, bytesMoved,
 *    blocksTotal, blocksScanned, blocksSkipped, scans, joins, groupBy, orderBy, source, transactionId, resultCacheHit,
 *    userId, queueMs]
 *   (transactionId came later: null when the record has none, absent from records written before it;
 *   resultCacheHit later still: 1 for a result-cache hit, null or absent otherwise; userId and queueMs
 *   last: a number or null, absent when the record has neither)
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
  'scans', 'joins', 'groupBy', 'orderBy', 'source', 'transactionId', 'resultCacheHit',
  'userId', 'queueMs',
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
  const fields: unknown[] = [
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
  ];
  // only the records that have them carry the later fields: every other record stays as long as before
  const later: unknown[] = [r.resultCacheHit ? 1 : null, r.userId ?? null, r.queueMs ?? null];
  while (later.length > 0 && later[later.length - 1] === null) later.pop();
  fields.push(...later);
  return JSON.stringify(fields);
}

/** A payload that recordProblem() accepted: the layout above, every field of its type. */
export type EncodedRecord = readonly [
  number, string, string, number, string, string, string, string, string,
  'ok' | 'error', string | null, string | null, number, number, number,
  number, number, number, readonly EncodedScan[], readonly EncodedJoin[], readonly string[], readonly string[], string,
  (string | null)?,
  (1 | null)?,
  (number | null)?,
  (number | null)?,
];
export type EncodedScan = readonly [string, readonly string[], readonly EncodedPredicate[], number, number, number, number, number];
export type EncodedPredicate = readonly [string, string, string | null, number, number | null];
export type EncodedJoin = readonly [string, string, readonly (readonly [string, string])[], string, string, number, number, number, number];

// Checks without building anything, so a reader can take the fields straight into columns
// (PartBuilder.addEncoded) and build record objects only when asked (decodeRecord).
const isStr = (v: unknown) => typeof v === 'string';
const isNum = (v: unknown) => typeof v === 'number';
const isNullableStr = (v: unknown) => v === null || typeof v === 'string';

function strsProblem(v: unknown, what: string): string | null {
  if (!Array.isArray(v)) return `${what} is not a list`;
  for (const x of v) if (!isStr(x)) return `${what} is not a string`;
  return null;
}

function predicateProblem(v: unknown): string | null {
  if (!Array.isArray(v)) return 'a predicate is not a list';
  if (!isStr(v[0])) return 'a predicate column is not a string';
  if (!isStr(v[1])) return 'a predicate operator is not a string';
  if (!isNullableStr(v[2])) return 'a predicate literal is not a string';
  if (!isNum(v[3])) return 'an estimated selectivity is not a number';
  if (v[4] !== null && !isNum(v[4])) return 'a selectivity is not a number';
  return null;
}

const SCAN_NUMBERS = ['blocksTotal', 'blocksScanned', 'blocksSkipped', 'rowsScanned', 'rowsOut'];

function scanProblem(v: unknown): string | null {
  if (!Array.isArray(v)) return 'a scan is not a list';
  if (!isStr(v[0])) return 'a scan table is not a string';
  const columns = strsProblem(v[1], 'scan columns');
  if (columns) return columns;
  if (!Array.isArray(v[2])) return 'predicates is not a list';
  for (const p of v[2] as unknown[]) {
    const problem = predicateProblem(p);
    if (problem) return problem;
  }
  for (let k = 0; k < 5; k++) if (!isNum(v[3 + k])) return `${SCAN_NUMBERS[k]} is not a number`;
  return null;
}

const JOIN_NUMBERS = ['leftRows', 'rightRows', 'rowsMoved', 'bytesMoved'];

function joinProblem(v: unknown): string | null {
  if (!Array.isArray(v)) return 'a join is not a list';
  if (!isStr(v[0]) || !isStr(v[1])) return 'a join side is not a string';
  if (!Array.isArray(v[2])) return 'join keys is not a list';
  for (const k of v[2] as unknown[]) {
    if (!Array.isArray(k)) return 'a join key is not a list';
    if (!isStr(k[0]) || !isStr(k[1])) return 'a join key is not a string';
  }
  if (!isStr(v[3])) return 'a join type is not a string';
  if (!isStr(v[4])) return 'a distribution action is not a string';
  for (let k = 0; k < 4; k++) if (!isNum(v[5 + k])) return `${JOIN_NUMBERS[k]} is not a number`;
  return null;
}

const RECORD_NUMBERS: readonly (readonly [number, string])[] = [
  [12, 'rowsReturned'],
  [13, 'rowsMoved'],
  [14, 'bytesMoved'],
  [15, 'blocksTotal'],
  [16, 'blocksScanned'],
  [17, 'blocksSkipped'],
];

/** What is wrong with a decoded payload (the first thing found), or null when it is a record this reader takes. */
export function recordProblem(v: unknown): string | null {
  if (!Array.isArray(v)) return 'the record is not a list';
  const a = v as unknown[];
  if (!isNum(a[0])) return 'the version is not a number';
  if ((a[0] as number) > QUERY_RECORD_VERSION) return `record version ${a[0] as number} is newer than this keel reads (${QUERY_RECORD_VERSION})`;
  if (!isStr(a[2])) return 'startTime is not a string';
  if (Number.isNaN(Date.parse(a[2] as string))) return 'startTime is not a time';
  if (!isStr(a[9])) return 'status is not a string';
  if (a[9] !== 'ok' && a[9] !== 'error') return `status "${a[9] as string}" is neither ok nor error`;
  if (!isNullableStr(a[10])) return 'the error code is not a string';
  if (!isStr(a[1])) return 'id is not a string';
  if (!isNum(a[3])) return 'durationMs is not a number';
  if (!isStr(a[4])) return 'user is not a string';
  if (!isStr(a[5])) return 'session is not a string';
  if (!isStr(a[6])) return 'sql is not a string';
  if (!isStr(a[7])) return 'fingerprint is not a string';
  if (!isStr(a[8])) return 'command is not a string';
  if (a[10] !== null && !isNullableStr(a[11])) return 'the error message is not a string';
  for (const [i, what] of RECORD_NUMBERS) if (!isNum(a[i])) return `${what} is not a number`;
  if (!Array.isArray(a[18])) return 'scans is not a list';
  for (const x of a[18] as unknown[]) {
    const problem = scanProblem(x);
    if (problem) return problem;
  }
  if (!Array.isArray(a[19])) return 'joins is not a list';
  for (const x of a[19] as unknown[]) {
    const problem = joinProblem(x);
    if (problem) return problem;
  }
  if (a[23] !== undefined && !isNullableStr(a[23])) return 'transactionId is not a string';
  if (a[24] !== undefined && a[24] !== null && a[24] !== 1) return 'resultCacheHit is not 1';
  if (a[25] !== undefined && a[25] !== null && !isNum(a[25])) return 'userId is not a number';
  if (a[26] !== undefined && a[26] !== null && !isNum(a[26])) return 'queueMs is not a number';
  return strsProblem(a[20], 'groupBy') ?? strsProblem(a[21], 'orderBy') ?? (isStr(a[22]) ? null : 'source is not a string');
}

/** The record in a decoded payload, or a message saying what is wrong with it. */
export function decodeRecord(v: unknown): LogRecord | string {
  const problem = recordProblem(v);
  if (problem) return problem;
  const a = v as EncodedRecord;
  const errorCode = a[10];
  return {
    version: QUERY_RECORD_VERSION,
    id: a[1],
    startTime: a[2],
    durationMs: a[3],
    user: a[4],
    session: a[5],
    sql: a[6],
    fingerprint: a[7],
    command: a[8],
    status: a[9],
    error: errorCode === null ? null : { code: errorCode, message: a[11] ?? '' },
    rowsReturned: a[12],
    rowsMoved: a[13],
    bytesMoved: a[14],
    blocksTotal: a[15],
    blocksScanned: a[16],
    blocksSkipped: a[17],
    scans: a[18].map(
      (s): ScanRecord => ({
        table: s[0],
        columns: [...s[1]],
        predicates: s[2].map((p): PredicateRecord => ({ column: p[0], op: p[1], literal: p[2], estSelectivity: p[3], actualSelectivity: p[4] })),
        blocksTotal: s[3],
        blocksScanned: s[4],
        blocksSkipped: s[5],
        rowsScanned: s[6],
        rowsOut: s[7],
      }),
    ),
    joins: a[19].map(
      (j): JoinRecord => ({
        left: j[0],
        right: j[1],
        keys: j[2].map((k) => ({ left: k[0], right: k[1] })),
        type: j[3],
        action: j[4],
        leftRows: j[5],
        rightRows: j[6],
        rowsMoved: j[7],
        bytesMoved: j[8],
      }),
    ),
    groupBy: [...a[20]],
    orderBy: [...a[21]],
    source: a[22],
    ...(a[23] !== undefined && a[23] !== null ? { transactionId: a[23] } : {}),
    ...(a[24] === 1 ? { resultCacheHit: true as const } : {}),
    ...(typeof a[25] === 'number' ? { userId: a[25] } : {}),
    ...(typeof a[26] === 'number' ? { queueMs: a[26] } : {}),
  };
}
