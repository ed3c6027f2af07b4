/**
 * The extended query protocol's frontend messages, read from their bodies
 * (protocol 3.0, "Message Formats"). A field that runs past the body's end,
 * a negative count or a bytes left over is a FrameError: the message lies
 * about its contents and the connection ends with a protocol violation.
 */
import { FieldReader, FrameError } from './frames.js';

/** Parse ('P'): a statement name ('' is the unnamed one), its SQL, and the parameter types the client declares (0: not declared). */
export interface ParseMessage {
  readonly name: string;
  readonly sql: string;
  readonly typeOids: readonly number[];
}

/** Bind ('B'): a portal over a prepared statement, with its parameters' values (null: NULL) and formats, and the result columns' formats. */
export interface BindMessage {
  readonly portal: string;
  readonly statement: string;
  /** None: every parameter is text; one: it applies to all; else one per parameter. 0 text, 1 binary; others are refused at the Bind (an ERROR, not a broken message). */
  readonly paramFormats: readonly number[];
  readonly values: readonly (Buffer | null)[];
  /** None: every column is text; one: it applies to all; else one per column. */
  readonly resultFormats: readonly number[];
}

/** Describe ('D') and Close ('C'): a prepared statement ('S') or a portal ('P'), by name. */
export interface TargetMessage {
  readonly target: 'S' | 'P';
  readonly name: string;
}

/** Execute ('E'): a portal, and the most rows to return (0: all). */
export interface ExecuteMessage {
  readonly portal: string;
  readonly maxRows: number;
}

export function readParse(body: Buffer): ParseMessage {
  const f = new FieldReader(body);
  const name = f.cstring();
  const sql = f.cstring();
  const typeOids = Array.from({ length: count(f) }, () => f.int32() >>> 0);
  done(f);
  return { name, sql, typeOids };
}

export function readBind(body: Buffer): BindMessage {
  const f = new FieldReader(body);
  const portal = f.cstring();
  const statement = f.cstring();
  const paramFormats = Array.from({ length: count(f) }, () => f.int16());
  const values = Array.from({ length: count(f) }, () => {
    const n = f.int32();
    if (n < -1) throw new FrameError(`invalid parameter length ${n}`);
    // a copy: the frame's body is a view into the connection's buffer, reused by later messages
    return n === -1 ? null : Buffer.from(f.bytes(n));
  });
  const resultFormats = Array.from({ length: count(f) }, () => f.int16());
  done(f);
  return { portal, statement, paramFormats, values, resultFormats };
}

export function readTarget(body: Buffer): TargetMessage {
  const f = new FieldReader(body);
  const t = f.bytes(1)[0]!;
  if (t !== 0x53 /* S */ && t !== 0x50 /* P */) throw new FrameError(`invalid Describe or Close target type 0x${t.toString(16)}`);
  const name = f.cstring();
  done(f);
  return { target: t === 0x53 ? 'S' : 'P', name };
}

export function readExecute(body: Buffer): ExecuteMessage {
  const f = new FieldReader(body);
  const portal = f.cstring();
  const maxRows = f.int32();
  done(f);
  // PostgreSQL reads a negative limit as "all rows", as 0
  return { portal, maxRows: Math.max(0, maxRows) };
}

function count(f: FieldReader): number {
  const n = f.int16();
  if (n < 0) throw new FrameError(`invalid count ${n}`);
  return n;
}

function done(f: FieldReader): void {
  if (f.remaining !== 0) throw new FrameError(`a message has ${f.remaining} bytes after its fields`);
}
