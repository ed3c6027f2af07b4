/**
 * The backend (server-to-client) messages of protocol 3.0, each appended to a
 * MessageWriter. Field layouts follow the PostgreSQL documentation, chapter
 * "Frontend/Backend Protocol", section "Message Formats".
 */
import type { MessageWriter } from './writer.js';

/** A column of a RowDescription. */
export interface ColumnDescription {
  readonly name: string;
  readonly typeOid: number;
  /** pg_type.typlen: bytes of a fixed-width type, -1 for a variable-width one. */
  readonly typeSize: number;
  /** The type modifier (varchar(n): n + 4; numeric(p,s): (p << 16 | s) + 4), -1 when none. */
  readonly typeModifier: number;
}

/** ReadyForQuery's transaction status: idle, in a transaction block, or in a failed one. */
export type TransactionStatus = 'I' | 'T' | 'E';

/** ErrorResponse and NoticeResponse fields, by their one-letter codes. */
export interface ErrorFields {
  /** ERROR, FATAL, PANIC (errors); WARNING, NOTICE, INFO ... (notices). */
  readonly severity: string;
  /** The SQLSTATE. */
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  /** 1-based character position in the query string. */
  readonly position?: number;
}

export function authenticationOk(w: MessageWriter): void {
  w.begin('R').int32(0).end();
}

export function authenticationCleartextPassword(w: MessageWriter): void {
  w.begin('R').int32(3).end();
}

export function authenticationMd5Password(w: MessageWriter, salt: Uint8Array): void {
  w.begin('R').int32(5).raw(salt).end();
}

/** AuthenticationSASL: the mechanisms offered, each a C string, then an empty one. */
export function authenticationSasl(w: MessageWriter, mechanisms: readonly string[]): void {
  const m = w.begin('R').int32(10);
  for (const name of mechanisms) m.cstring(name);
  m.cstring('').end();
}

export function authenticationSaslContinue(w: MessageWriter, data: string): void {
  w.begin('R').int32(11).raw(Buffer.from(data, 'utf8')).end();
}

export function authenticationSaslFinal(w: MessageWriter, data: string): void {
  w.begin('R').int32(12).raw(Buffer.from(data, 'utf8')).end();
}

export function parameterStatus(w: MessageWriter, name: string, value: string): void {
  w.begin('S').cstring(name).cstring(value).end();
}

export function backendKeyData(w: MessageWriter, processId: number, secretKey: number): void {
  w.begin('K').int32(processId).int32(secretKey).end();
}

export function readyForQuery(w: MessageWriter, status: TransactionStatus): void {
  w.begin('Z').byte(status.charCodeAt(0)).end();
}

/** NegotiateProtocolVersion: the newest minor version we speak, and the protocol options (_pq_.*) we did not recognize. */
export function negotiateProtocolVersion(w: MessageWriter, newestMinor: number, unrecognized: readonly string[]): void {
  w.begin('v').int32((3 << 16) | newestMinor).int32(unrecognized.length);
  for (const o of unrecognized) w.cstring(o);
  w.end();
}

/** `formats`: each column's format code (0 text, 1 binary); none: all text (the simple protocol, and a statement not yet bound). */
export function rowDescription(w: MessageWriter, columns: readonly ColumnDescription[], formats?: readonly number[]): void {
  w.begin('T').int16(columns.length);
  columns.forEach((c, i) => {
    // table OID and attribute number 0: not a plain table column
    w.cstring(c.name).int32(0).int16(0).int32(c.typeOid).int16(c.typeSize).int32(c.typeModifier).int16(formats?.[i] ?? 0);
  });
  w.end();
}

export function parseComplete(w: MessageWriter): void {
  w.begin('1').end();
}

export function bindComplete(w: MessageWriter): void {
  w.begin('2').end();
}

export function closeComplete(w: MessageWriter): void {
  w.begin('3').end();
}

/** Describe of a statement or portal that returns no rows. */
export function noData(w: MessageWriter): void {
  w.begin('n').end();
}

export function parameterDescription(w: MessageWriter, typeOids: readonly number[]): void {
  w.begin('t').int16(typeOids.length);
  for (const oid of typeOids) w.int32(oid);
  w.end();
}

/** An Execute reached its row limit: the portal has more rows for the next Execute. */
export function portalSuspended(w: MessageWriter): void {
  w.begin('s').end();
}

export function commandComplete(w: MessageWriter, tag: string): void {
  w.begin('C').cstring(tag).end();
}

export function emptyQueryResponse(w: MessageWriter): void {
  w.begin('I').end();
}

function fields(w: MessageWriter, f: ErrorFields): void {
  // S is localized, V (9.6+) is not: clients match on V
  w.byte(0x53).cstring(f.severity).byte(0x56).cstring(f.severity).byte(0x43).cstring(f.code).byte(0x4d).cstring(f.message);
  if (f.detail !== undefined) w.byte(0x44).cstring(f.detail);
  if (f.hint !== undefined) w.byte(0x48).cstring(f.hint);
  if (f.position !== undefined) w.byte(0x50).cstring(String(f.position));
  w.byte(0);
}

export function errorResponse(w: MessageWriter, f: ErrorFields): void {
  w.begin('E');
  fields(w, f);
  w.end();
}

export function noticeResponse(w: MessageWriter, f: ErrorFields): void {
  w.begin('N');
  fields(w, f);
  w.end();
}

/** CopyInResponse / CopyOutResponse: text format (0) overall and for each of the columns. */
function copyResponse(w: MessageWriter, type: 'G' | 'H', columns: number): void {
  w.begin(type).byte(0).int16(columns);
  for (let i = 0; i < columns; i++) w.int16(0);
  w.end();
}

export function copyInResponse(w: MessageWriter, columns: number): void {
  copyResponse(w, 'G', columns);
}

export function copyOutResponse(w: MessageWriter, columns: number): void {
  copyResponse(w, 'H', columns);
}

export function copyData(w: MessageWriter, data: string): void {
  w.begin('d').raw(Buffer.from(data, 'utf8')).end();
}

export function copyDone(w: MessageWriter): void {
  w.begin('c').end();
}
