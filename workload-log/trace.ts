/**
 * Traces (DESIGN.md): JSON Lines, one query a line,
 *
 *   {"ts": "2024-01-01T08:00:00.000Z" | 1500, "sql": "...", "user": "...", "session": "..."}
 *
 * ts is an ISO-8601 time or a millisecond offset; user and session are
 * optional; a line's sql may hold several statements, run in order as one
 * script. Blank lines are ignored; other fields are ignored too.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { LogRecord } from './record.js';

export interface TraceEntry {
  /** 1-based line number in the trace file. */
  readonly line: number;
  /** Milliseconds (since the epoch for ISO times; an offset otherwise); null when absent. */
  readonly ts: number | null;
  readonly sql: string;
  readonly user?: string;
  readonly session?: string;
}

export type TraceItem = { readonly entry: TraceEntry; readonly problem?: undefined } | { readonly entry?: undefined; readonly problem: { readonly line: number; readonly message: string } };

/** Parses one line; null for a blank line. */
export function parseTraceLine(text: string, line: number): TraceItem | null {
  if (text.trim() === '') return null;
  const bad = (message: string): TraceItem => ({ problem: { line, message } });
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return bad(`not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('not a JSON object');
  const o = v as Record<string, unknown>;
  if (typeof o.sql !== 'string' || o.sql.trim() === '') return bad('no "sql" string');
  let ts: number | null = null;
  if (typeof o.ts === 'number' && Number.isFinite(o.ts)) ts = o.ts;
  else if (typeof o.ts === 'string') {
    ts = Date.parse(o.ts);
    if (Number.isNaN(ts)) return bad(`"ts" is not an ISO-8601 time: ${JSON.stringify(o.ts)}`);
  } else if (o.ts !== undefined && o.ts !== null) return bad('"ts" must be an ISO-8601 string or a number of milliseconds');
  for (const k of ['user', 'session'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string') return bad(`"${k}" must be a string`);
  }
  return {
    entry: {
      line,
      ts,
      sql: o.sql,
      ...(typeof o.user === 'string' ? { user: o.user } : {}),
      ...(typeof o.session === 'string' ? { session: o.session } : {}),
    },
  };
}

/** The items of a trace file in order, with the bytes read so far (for progress). */
export async function* readTrace(file: string): AsyncGenerator<TraceItem & { readonly bytesRead: number }> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  let bytesRead = 0;
  for await (const text of rl) {
    line++;
    bytesRead += Buffer.byteLength(text) + 1;
    const item = parseTraceLine(text, line);
    if (item) yield { ...item, bytesRead };
  }
}

export interface TraceLine {
  readonly ts: string | number;
  readonly sql: string;
  readonly user?: string;
  readonly session?: string;
}

export function traceLine(t: TraceLine): string {
  return JSON.stringify(t);
}

/** A recorded statement as a trace line. */
export function recordTraceLine(r: LogRecord): string {
  return traceLine({ ts: r.startTime, sql: r.sql, user: r.user, session: r.session });
}
