/**
 * Query results: the Arrow table handed to API users, and the plain JSON rows
 * the CLI prints (dates as YYYY-MM-DD, decimals as numbers, NULL as null).
 */
import * as arrow from 'apache-arrow';
import type { Batch, SqlType, Vector, WallClock } from './types.js';
import { formatDate, formatTimestamp, formatTimestampTz, pow10 } from './types.js';
import type { Field } from './plan/physical.js';

export interface QueryStats {
  /** Parse to last row, in this process. */
  elapsedMs: number;
  rowsReturned: number;
  rowsMoved: number;
  bytesMoved: number;
  blocksScanned: number;
  blocksSkipped: number;
  blocksTotal: number;
  rowsScanned: number;
  /** Bytes a SELECT's sorts, aggregates and joins wrote to spill files under the memory limit, and how many files (docs/memory.md). */
  bytesSpilled: number;
  spillFiles: number;
  /** Where a SELECT's (or EXPLAIN ANALYZE's) time went; absent for other statements. */
  phases?: QueryPhases;
  /** A SELECT's execution CPU time per thread, with KEEL_THREAD_CPU=1 on Linux (exec/thread-cpu.ts); absent otherwise. */
  threads?: ThreadCpu;
}

/**
 * CPU time of a statement's execution by thread, in ms (docs/execution.md,
 * "Where parallel execution's time goes").
 */
export interface ThreadCpu {
  /** The calling thread's. */
  callingMs: number;
  /** Of callingMs, the part with no worker running a task of the statement: inline fragments, exchange routing, the top fragment. */
  serialMs: number;
  /** The worker threads', on the statement's tasks, all together. */
  workersMs: number;
  /** Tasks the workers ran. */
  workerTasks: number;
  /** serialMs plus, for each parallel phase, its busiest thread's CPU time: about how long execution takes on otherwise idle cores. */
  criticalMs: number;
}

/**
 * A query's fixed costs and the rest, in ms (docs/execution.md, "Where a
 * query's time goes"). parse + bind + plan + execute = elapsedMs, about.
 */
export interface QueryPhases {
  /** Parsing the statement: the whole script's parse for its first statement, 0 for the others (parsed with it). */
  parseMs: number;
  /** Name resolution and type checking (plan/binder.ts). */
  bindMs: number;
  /** Optimizing and distributing the plan (plan/planner.ts). */
  planMs: number;
  /** Generating and compiling code on this thread, within execute (exec/compile-clock.ts). */
  compileMs: number;
  /** Functions compiled for this statement, and compiled functions it found cached. */
  compiled: number;
  reused: number;
  /** 1 when the bound and planned plan came from the plan cache (engine/plan-cache.ts; bindMs is then the lookup, planMs 0), else 0. */
  plansReused: number;
  /** From the start of execution to the root's first batch (compile time before it included). */
  firstBatchMs: number;
  /** All of execution: every batch, the result assembled. */
  executeMs: number;
}

export interface ResultColumn {
  readonly name: string;
  /** The SQL type, as Redshift names it. */
  readonly type: string;
}

/** A plain JS value of row i: number, string, boolean or null. */
export function valueAt(v: Vector, type: SqlType, i: number, zone?: WallClock): number | string | boolean | null {
  if (v.nulls !== null && v.nulls[i] === 1) return null;
  switch (v.kind) {
    case 'str':
      return v.dict[v.codes[i]!]!;
    case 'bool':
      return v.values[i] === 1;
    case 'i32':
      return type.id === 'date' ? formatDate(v.values[i]!) : v.values[i]!;
    case 'f64': {
      const x = v.values[i]!;
      if (type.id === 'decimal') return x / pow10(type.scale ?? 0);
      if (type.id === 'timestamp') return formatTimestamp(x);
      if (type.id === 'timestamptz') return formatTimestampTz(x, zone);
      return x;
    }
  }
}

/**
 * The digits of an integral number without exponent form: String() for
 * |x| < 1e21, else the shortest digits that round-trip, padded with zeros
 * (a double past 2^53 holds about 16 significant digits; the zeros say so
 * rather than inventing the binary value's noise digits).
 */
export function integerText(x: number): string {
  const s = String(x);
  const m = /^(-?)(\d)(?:\.(\d+))?e\+(\d+)$/.exec(s);
  if (!m) return s;
  const digits = m[2]! + (m[3] ?? '');
  return m[1]! + digits + '0'.repeat(Number(m[4]) - (digits.length - 1));
}

/** A DECIMAL's text at its scale from its scaled integer: decimalText(1250, 2) is "12.50", decimalText(-5, 3) "-0.005". */
export function decimalText(scaled: number, scale: number): string {
  const digits = integerText(Math.abs(scaled));
  const sign = scaled < 0 ? '-' : '';
  if (scale <= 0) return sign + digits;
  const padded = digits.padStart(scale + 1, '0');
  return `${sign}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/** A REAL (single precision, stored as the double it rounds to) in its shortest single-precision digits: 0.1, not 0.10000000149011612. */
export function realText(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  for (let p = 1; p < 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return String(y);
  }
  return String(Number(x.toPrecision(9)));
}

/**
 * Row i as text, as a person reads it: integers with all their digits,
 * DECIMAL at its scale (12.50; exact, from the scaled integer), DOUBLE in
 * JavaScript's shortest round-trip form (exponent form only for doubles, as
 * 1e-7 or 1e+21), REAL in its shortest single-precision form, dates and
 * timestamps as valueAt gives them, booleans as true/false; NULL is null.
 */
export function textAt(v: Vector, type: SqlType, i: number, zone?: WallClock): string | null {
  if (v.nulls !== null && v.nulls[i] === 1) return null;
  switch (v.kind) {
    case 'str':
      return v.dict[v.codes[i]!]!;
    case 'bool':
      return v.values[i] === 1 ? 'true' : 'false';
    case 'i32':
      return type.id === 'date' ? formatDate(v.values[i]!) : String(v.values[i]!);
    case 'f64': {
      const x = v.values[i]!;
      switch (type.id) {
        case 'decimal':
          return decimalText(x, type.scale ?? 0);
        case 'timestamp':
          return formatTimestamp(x);
        case 'timestamptz':
          return formatTimestampTz(x, zone);
        case 'double':
          return String(x);
        case 'real':
          return realText(x);
        default:
          return integerText(x);
      }
    }
  }
}

/** The rows as text (textAt): what the CLI prints, exact where rows() gives numbers. */
export function toTextRows(fields: readonly Field[], batch: Batch, zone?: WallClock): (string | null)[][] {
  const rows = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const row = new Array(fields.length);
    for (let c = 0; c < fields.length; c++) row[c] = textAt(batch.columns[c]!, fields[c]!.type, i, zone);
    rows[i] = row;
  }
  return rows;
}

export function toRows(fields: readonly Field[], batch: Batch, zone?: WallClock): (number | string | boolean | null)[][] {
  const rows = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const row = new Array(fields.length);
    for (let c = 0; c < fields.length; c++) row[c] = valueAt(batch.columns[c]!, fields[c]!.type, i, zone);
    rows[i] = row;
  }
  return rows;
}

function arrowVector(v: Vector, type: SqlType): arrow.Vector {
  const n = v.length;
  const nullBitmap = v.nulls ? validityBitmap(v.nulls, n) : undefined;
  const nullCount = v.nulls ? v.nulls.reduce((a, b) => a + b, 0) : 0;
  switch (type.id) {
    case 'smallint':
    case 'integer':
      return arrow.makeVector(arrow.makeData({ type: new arrow.Int32(), length: n, nullCount, nullBitmap, data: (v as { values: Int32Array }).values }));
    case 'date':
      return arrow.makeVector(arrow.makeData({ type: new arrow.DateDay(), length: n, nullCount, nullBitmap, data: (v as { values: Int32Array }).values }));
    case 'boolean': {
      const vals = (v as { values: Uint8Array }).values;
      const bits = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (vals[i]) bits[i >> 3]! |= 1 << (i & 7);
      return arrow.makeVector(arrow.makeData({ type: new arrow.Bool(), length: n, nullCount, nullBitmap, data: bits }));
    }
    case 'bigint': {
      const src = (v as { values: Float64Array }).values;
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = BigInt(src[i]!);
      return arrow.makeVector(arrow.makeData({ type: new arrow.Int64(), length: n, nullCount, nullBitmap, data }));
    }
    case 'timestamp':
    case 'timestamptz': {
      const src = (v as { values: Float64Array }).values;
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = BigInt(src[i]!);
      // a TIMESTAMPTZ is an instant: Arrow's timestamp with a zone, whose values are UTC
      const ty = type.id === 'timestamptz' ? new arrow.TimestampMicrosecond('UTC') : new arrow.TimestampMicrosecond();
      return arrow.makeVector(arrow.makeData({ type: ty, length: n, nullCount, nullBitmap, data }));
    }
    case 'decimal': {
      // 128-bit two's complement little-endian words from the exact scaled integer
      const src = (v as { values: Float64Array }).values;
      const words = new Uint32Array(n * 4);
      for (let i = 0; i < n; i++) {
        const x = BigInt.asUintN(128, BigInt(src[i]!));
        for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((x >> BigInt(32 * w)) & 0xffffffffn);
      }
      return arrow.makeVector(arrow.makeData({ type: new arrow.Decimal(type.scale ?? 0, type.precision ?? 18, 128), length: n, nullCount, nullBitmap, data: words }));
    }
    case 'real':
    case 'double':
      return arrow.makeVector(arrow.makeData({ type: new arrow.Float64(), length: n, nullCount, nullBitmap, data: (v as { values: Float64Array }).values }));
    case 'char':
    case 'varchar': {
      const sv = v as Extract<Vector, { kind: 'str' }>;
      const values: (string | null)[] = new Array(n);
      for (let i = 0; i < n; i++) values[i] = sv.nulls && sv.nulls[i] ? null : sv.dict[sv.codes[i]!]!;
      return arrow.vectorFromArray(values, new arrow.Utf8());
    }
  }
}

/** Arrow validity: bit set = valid (the opposite of our NULL mask). */
function validityBitmap(mask: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (!mask[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** The result as an Arrow table, one Arrow column per output field. */
export function toArrowTable(fields: readonly Field[], batch: Batch): arrow.Table {
  const columns: Record<string, arrow.Vector> = {};
  const names = new Map<string, number>();
  fields.forEach((f, i) => {
    // duplicate output names (select a, a) stay distinct in Arrow: a, a_1
    const seen = names.get(f.name) ?? 0;
    names.set(f.name, seen + 1);
    const v = batch.columns[i];
    columns[seen ? `${f.name}_${seen}` : f.name] = v ? arrowVector(v, f.type) : arrow.vectorFromArray([]);
  });
  return new arrow.Table(columns);
}
