/**
 * Log records in columnar form: four tables (queries, scans, predicates,
 * joins), children pointing at their parent's row. Strings that repeat
 * (fingerprints, users, table and column names) are dictionary codes; text that
 * does not (ids, SQL, error messages) is read lazily. The same form serves the
 * compacted Arrow files, the system tables and the mining functions.
 */
import { QUERY_RECORD_VERSION, type JoinRecord, type ScanRecord } from '../engine/index.js';
import type { LogRecord } from './record.js';
import type { EncodedRecord } from './codec.js';

/** Dictionary-coded strings; code -1 is NULL. */
export interface Codes {
  readonly codes: Int32Array;
  readonly dict: readonly string[];
}

/** Strings read on demand. */
export interface Texts {
  readonly length: number;
  get(i: number): string | null;
  /** Every value, decoded at once (far cheaper than get() row by row over a compacted chunk). */
  values(): readonly (string | null)[];
  /** The values as UTF-8 bytes, when they are held so: compaction moves them without decoding. */
  utf8?(): Utf8Column;
  /**
   * The values as dictionary codes, when they are held so (the SQL of raw
   * segments of format 3 and of the chunks compacted from them: each distinct
   * text once); null when not.
   */
  coded?(): Codes | null;
}

/** A text column as Arrow holds it: value i is data[offsets[i]..offsets[i+1]), NULL where nulls[i] is 1. */
export interface Utf8Column {
  readonly offsets: Int32Array;
  readonly data: Uint8Array;
  readonly nulls: Uint8Array | null;
}

export interface QueryColumns {
  readonly length: number;
  readonly id: Texts;
  readonly sql: Texts;
  readonly errorMessage: Texts;
  readonly startMs: Float64Array;
  readonly durationMs: Float64Array;
  /** 0 ok, 1 error. */
  readonly status: Uint8Array;
  /** 1 where the rows came from the result cache (QueryRecord.resultCacheHit), else 0. */
  readonly resultCacheHit: Uint8Array;
  readonly user: Codes;
  readonly session: Codes;
  readonly source: Codes;
  readonly fingerprint: Codes;
  readonly command: Codes;
  readonly errorCode: Codes;
  /** Comma-separated table.column lists. */
  readonly groupBy: Codes;
  readonly orderBy: Codes;
  /** The record's transactionId; -1 (NULL) for records without one. */
  readonly transactionId: Codes;
  /** The record's userId (the catalog user's id); NaN for records without one. */
  readonly userId: Float64Array;
  /** The record's queueMs (time in keel serve's queue); NaN for records without one. */
  readonly queueMs: Float64Array;
  readonly rowsReturned: Float64Array;
  readonly rowsMoved: Float64Array;
  readonly bytesMoved: Float64Array;
  readonly blocksTotal: Float64Array;
  readonly blocksScanned: Float64Array;
  readonly blocksSkipped: Float64Array;
}

export interface ScanColumns {
  readonly length: number;
  /** Row of the query in this part. */
  readonly query: Int32Array;
  readonly table: Codes;
  /** Comma-separated column names. */
  readonly columns: Codes;
  readonly blocksTotal: Float64Array;
  readonly blocksScanned: Float64Array;
  readonly blocksSkipped: Float64Array;
  readonly rowsScanned: Float64Array;
  readonly rowsOut: Float64Array;
}

export interface PredicateColumns {
  readonly length: number;
  /** Row of the scan in this part. */
  readonly scan: Int32Array;
  readonly column: Codes;
  readonly op: Codes;
  readonly literal: Codes;
  readonly estSelectivity: Float64Array;
  /** NaN when not measured. */
  readonly actualSelectivity: Float64Array;
}

export interface JoinColumns {
  readonly length: number;
  readonly query: Int32Array;
  /** table.column of the first key of each side. */
  readonly left: Codes;
  readonly right: Codes;
  /** All key pairs: "l.a=r.b,l.c=r.d". */
  readonly keys: Codes;
  readonly type: Codes;
  readonly action: Codes;
  readonly leftRows: Float64Array;
  readonly rightRows: Float64Array;
  readonly rowsMoved: Float64Array;
  readonly bytesMoved: Float64Array;
}

export interface WorkloadPart {
  readonly queries: QueryColumns;
  readonly scans: ScanColumns;
  readonly predicates: PredicateColumns;
  readonly joins: JoinColumns;
}

// ------------------------------------------------------------ building

export class F64 {
  a = new Float64Array(64);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  /** A view, not a copy: values are only ever appended past it (or the array replaced when it grows). */
  done(): Float64Array {
    return this.a.subarray(0, this.n);
  }
}

export class U8 {
  a = new Uint8Array(64);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Uint8Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  done(): Uint8Array {
    return this.a.subarray(0, this.n);
  }
}

export class I32 {
  a = new Int32Array(64);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  done(): Int32Array {
    return this.a.subarray(0, this.n);
  }
}

class Dict {
  readonly codes = new I32();
  private readonly names = new Interner();
  push(s: string | null | undefined): void {
    this.codes.push(s === null || s === undefined ? -1 : this.names.id(s));
  }
  done(): Codes {
    return { codes: this.codes.done(), dict: this.names.values.slice() };
  }
}

function texts(values: (string | null)[]): Texts {
  return { length: values.length, get: (i) => values[i] ?? null, values: () => values };
}

/** Texts held as dictionary codes: each distinct value decoded once. */
export function codedTexts(c: Codes): Texts {
  let all: (string | null)[] | null = null;
  return {
    length: c.codes.length,
    get: (i) => str(c, i),
    values: () => {
      if (all) return all;
      all = new Array(c.codes.length);
      for (let i = 0; i < c.codes.length; i++) all[i] = c.codes[i]! < 0 ? null : c.dict[c.codes[i]!]!;
      return all;
    },
    coded: () => c,
  };
}

/** A text column as dictionary codes: its own when it has them, else each row its own entry (no hashing). */
function asCodes(t: Texts): Codes {
  const own = t.coded?.();
  if (own) return own;
  const values = t.values();
  const codes = new Int32Array(values.length);
  const dict: string[] = [];
  for (let i = 0; i < values.length; i++) codes[i] = values[i] === null ? -1 : dict.push(values[i]!) - 1;
  return { codes, dict };
}

/** Texts held as UTF-8 bytes, decoded when read. */
export function utf8Texts(col: Utf8Column): Texts {
  const buf = Buffer.from(col.data.buffer, col.data.byteOffset, col.data.byteLength);
  let all: (string | null)[] | null = null;
  return {
    length: col.offsets.length - 1,
    get: (i) => (col.nulls?.[i] ? null : buf.toString('utf8', col.offsets[i]!, col.offsets[i + 1]!)),
    values: () => (all ??= utf8Strings(col)),
    utf8: () => col,
  };
}

/**
 * A UTF-8 column's values: text that is all ASCII (SQL nearly always is) is
 * decoded once and each value is a slice of it, instead of one decoder call
 * per value.
 */
export function utf8Strings(col: Utf8Column): (string | null)[] {
  const { offsets, data, nulls } = col;
  const n = offsets.length - 1;
  const out: (string | null)[] = new Array(n);
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const from = offsets[0]!;
  const to = offsets[n]!;
  let ascii = true;
  for (let k = from; k < to; k++) {
    if (data[k]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  const whole = ascii ? buf.toString('latin1', from, to) : '';
  for (let i = 0; i < n; i++) {
    if (nulls?.[i]) out[i] = null;
    else out[i] = ascii ? whole.slice(offsets[i]! - from, offsets[i + 1]! - from) : buf.toString('utf8', offsets[i]!, offsets[i + 1]!);
  }
  return out;
}

/** Several UTF-8 columns as one: the bytes copied once, the offsets shifted. */
function concatUtf8(cols: readonly Utf8Column[]): Utf8Column {
  const n = cols.reduce((a, c) => a + c.offsets.length - 1, 0);
  const bytes = cols.reduce((a, c) => a + c.offsets[c.offsets.length - 1]! - c.offsets[0]!, 0);
  const offsets = new Int32Array(n + 1);
  const data = new Uint8Array(bytes);
  let nulls: Uint8Array | null = null;
  let row = 0;
  let at = 0;
  for (const c of cols) {
    const m = c.offsets.length - 1;
    const base = c.offsets[0]!;
    data.set(c.data.subarray(base, c.offsets[m]!), at);
    for (let i = 0; i < m; i++) offsets[row + i + 1] = c.offsets[i + 1]! - base + at;
    if (c.nulls) (nulls ??= new Uint8Array(n)).set(c.nulls.subarray(0, m), row);
    at += c.offsets[m]! - base;
    row += m;
  }
  return { offsets, data, nulls };
}

/** The chosen rows of a UTF-8 column, in that order. */
function takeUtf8(c: Utf8Column, rows: ArrayLike<number>): Utf8Column {
  let bytes = 0;
  for (let i = 0; i < rows.length; i++) bytes += c.offsets[rows[i]! + 1]! - c.offsets[rows[i]!]!;
  const offsets = new Int32Array(rows.length + 1);
  const data = new Uint8Array(bytes);
  const nulls = c.nulls ? new Uint8Array(rows.length) : null;
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const a = c.offsets[r]!;
    const b = c.offsets[r + 1]!;
    // most values are short (ids) or a few hundred bytes (SQL): a native copy only pays for long ones
    if (b - a > 64) data.set(c.data.subarray(a, b), at);
    else for (let k = a; k < b; k++) data[at + k - a] = c.data[k]!;
    at += b - a;
    offsets[i + 1] = at;
    if (nulls) nulls[i] = c.nulls![r]!;
  }
  return { offsets, data, nulls };
}

class Strs {
  readonly values: (string | null)[] = [];
  push(s: string | null): void {
    this.values.push(s);
  }
  done(): Texts {
    return texts(this.values.slice());
  }
}

export function joinKeysText(keys: JoinRecord['keys']): string {
  return keys.map((k) => `${k.left}=${k.right}`).join(',');
}

/** What a part's columns are built with: numbers as here, strings by the builder's own kinds. */
interface DictBuilder {
  done(): Codes;
}
interface TextBuilder {
  done(): Texts;
}

/** The column builders of a part, strings made by `dict` and `text`, the SQL by `sql` (raw segments hold it coded). */
export function partColumns<D extends DictBuilder, T extends TextBuilder, S extends TextBuilder = T>(dict: () => D, text: () => T, sql: () => S) {
  return {
    q: {
      id: text(),
      sql: sql(),
      errorMessage: text(),
      startMs: new F64(),
      durationMs: new F64(),
      status: new U8(),
      resultCacheHit: new U8(),
      user: dict(),
      session: dict(),
      source: dict(),
      fingerprint: dict(),
      command: dict(),
      errorCode: dict(),
      groupBy: dict(),
      orderBy: dict(),
      transactionId: dict(),
      userId: new F64(),
      queueMs: new F64(),
      rowsReturned: new F64(),
      rowsMoved: new F64(),
      bytesMoved: new F64(),
      blocksTotal: new F64(),
      blocksScanned: new F64(),
      blocksSkipped: new F64(),
    },
    s: {
      query: new I32(),
      table: dict(),
      columns: dict(),
      blocksTotal: new F64(),
      blocksScanned: new F64(),
      blocksSkipped: new F64(),
      rowsScanned: new F64(),
      rowsOut: new F64(),
    },
    p: {
      scan: new I32(),
      column: dict(),
      op: dict(),
      literal: dict(),
      estSelectivity: new F64(),
      actualSelectivity: new F64(),
    },
    j: {
      query: new I32(),
      left: dict(),
      right: dict(),
      keys: dict(),
      type: dict(),
      action: dict(),
      leftRows: new F64(),
      rightRows: new F64(),
      rowsMoved: new F64(),
      bytesMoved: new F64(),
    },
  };
}

/** Appends log records, then builds a part from them. */
export class PartBuilder {
  private readonly cols = partColumns(
    () => new Dict(),
    () => new Strs(),
    () => new Strs(),
  );
  private readonly q = this.cols.q;
  private readonly s = this.cols.s;
  private readonly p = this.cols.p;
  private readonly j = this.cols.j;

  get length(): number {
    return this.q.status.n;
  }

  add(r: LogRecord): void {
    const q = this.q;
    const row = q.status.n;
    q.id.push(r.id);
    q.sql.push(r.sql);
    q.errorMessage.push(r.error?.message ?? null);
    q.startMs.push(Date.parse(r.startTime));
    q.durationMs.push(r.durationMs);
    q.status.push(r.status === 'ok' ? 0 : 1);
    q.resultCacheHit.push(r.resultCacheHit ? 1 : 0);
    q.user.push(r.user);
    q.session.push(r.session);
    q.source.push(r.source ?? 'api');
    q.fingerprint.push(r.fingerprint);
    q.command.push(r.command);
    q.errorCode.push(r.error?.code ?? null);
    q.groupBy.push((r.groupBy ?? []).join(','));
    q.orderBy.push((r.orderBy ?? []).join(','));
    q.transactionId.push(r.transactionId);
    q.userId.push(r.userId ?? NaN);
    q.queueMs.push(r.queueMs ?? NaN);
    q.rowsReturned.push(r.rowsReturned ?? 0);
    q.rowsMoved.push(r.rowsMoved ?? 0);
    q.bytesMoved.push(r.bytesMoved ?? 0);
    q.blocksTotal.push(r.blocksTotal ?? 0);
    q.blocksScanned.push(r.blocksScanned ?? 0);
    q.blocksSkipped.push(r.blocksSkipped ?? 0);
    for (const sc of r.scans) this.addScan(row, sc);
    for (const jn of r.joins) {
      const j = this.j;
      j.query.push(row);
      j.left.push(jn.left);
      j.right.push(jn.right);
      j.keys.push(joinKeysText(jn.keys ?? []));
      j.type.push(jn.type);
      j.action.push(jn.action);
      j.leftRows.push(jn.leftRows);
      j.rightRows.push(jn.rightRows);
      j.rowsMoved.push(jn.rowsMoved);
      j.bytesMoved.push(jn.bytesMoved);
    }
  }

  /**
   * Appends a raw segment's record as stored (codec.ts), checked by
   * recordProblem(): its fields go straight into the columns, with no record
   * object built on the way (compaction reads a million of them).
   */
  addEncoded(a: EncodedRecord): void {
    const q = this.q;
    const row = q.status.n;
    q.id.push(a[1]);
    q.sql.push(a[6]);
    q.errorMessage.push(a[10] === null ? null : (a[11] ?? ''));
    q.startMs.push(Date.parse(a[2]));
    q.durationMs.push(a[3]);
    q.status.push(a[9] === 'ok' ? 0 : 1);
    q.resultCacheHit.push(a[24] === 1 ? 1 : 0);
    q.user.push(a[4]);
    q.session.push(a[5]);
    q.source.push(a[22]);
    q.fingerprint.push(a[7]);
    q.command.push(a[8]);
    q.errorCode.push(a[10]);
    q.groupBy.push(a[20].join(','));
    q.orderBy.push(a[21].join(','));
    q.transactionId.push(a[23] ?? null);
    q.userId.push(a[25] ?? NaN);
    q.queueMs.push(a[26] ?? NaN);
    q.rowsReturned.push(a[12]);
    q.rowsMoved.push(a[13]);
    q.bytesMoved.push(a[14]);
    q.blocksTotal.push(a[15]);
    q.blocksScanned.push(a[16]);
    q.blocksSkipped.push(a[17]);
    const s = this.s;
    const p = this.p;
    for (const sc of a[18]) {
      const scanRow = s.query.n;
      s.query.push(row);
      s.table.push(sc[0]);
      s.columns.push(sc[1].join(','));
      s.blocksTotal.push(sc[3]);
      s.blocksScanned.push(sc[4]);
      s.blocksSkipped.push(sc[5]);
      s.rowsScanned.push(sc[6]);
      s.rowsOut.push(sc[7]);
      for (const pr of sc[2]) {
        p.scan.push(scanRow);
        p.column.push(pr[0]);
        p.op.push(pr[1]);
        p.literal.push(pr[2]);
        p.estSelectivity.push(pr[3]);
        p.actualSelectivity.push(pr[4] ?? NaN);
      }
    }
    const j = this.j;
    for (const jn of a[19]) {
      j.query.push(row);
      j.left.push(jn[0]);
      j.right.push(jn[1]);
      let keys = '';
      for (let k = 0; k < jn[2].length; k++) keys += `${k ? ',' : ''}${jn[2][k]![0]}=${jn[2][k]![1]}`;
      j.keys.push(keys);
      j.type.push(jn[3]);
      j.action.push(jn[4]);
      j.leftRows.push(jn[5]);
      j.rightRows.push(jn[6]);
      j.rowsMoved.push(jn[7]);
      j.bytesMoved.push(jn[8]);
    }
  }

  private addScan(row: number, sc: ScanRecord): void {
    const s = this.s;
    const scanRow = s.query.n;
    s.query.push(row);
    s.table.push(sc.table);
    s.columns.push(sc.columns.join(','));
    s.blocksTotal.push(sc.blocksTotal);
    s.blocksScanned.push(sc.blocksScanned);
    s.blocksSkipped.push(sc.blocksSkipped);
    s.rowsScanned.push(sc.rowsScanned);
    s.rowsOut.push(sc.rowsOut);
    for (const pr of sc.predicates) {
      const p = this.p;
      p.scan.push(scanRow);
      p.column.push(pr.column);
      p.op.push(pr.op);
      p.literal.push(pr.literal);
      p.estSelectivity.push(pr.estSelectivity);
      p.actualSelectivity.push(pr.actualSelectivity ?? NaN);
    }
  }

  build(): WorkloadPart {
    return buildPart(this.cols);
  }
}

/** The part the column builders hold now (copies: the builders may go on). */
export function buildPart({ q, s, p, j }: ReturnType<typeof partColumns<DictBuilder, TextBuilder, TextBuilder>>): WorkloadPart {
  return {
    queries: {
      length: q.status.n,
      id: q.id.done(),
      sql: q.sql.done(),
      errorMessage: q.errorMessage.done(),
      startMs: q.startMs.done(),
      durationMs: q.durationMs.done(),
      status: q.status.done(),
      resultCacheHit: q.resultCacheHit.done(),
      user: q.user.done(),
      session: q.session.done(),
      source: q.source.done(),
      fingerprint: q.fingerprint.done(),
      command: q.command.done(),
      errorCode: q.errorCode.done(),
      groupBy: q.groupBy.done(),
      orderBy: q.orderBy.done(),
      transactionId: q.transactionId.done(),
      userId: q.userId.done(),
      queueMs: q.queueMs.done(),
      rowsReturned: q.rowsReturned.done(),
      rowsMoved: q.rowsMoved.done(),
      bytesMoved: q.bytesMoved.done(),
      blocksTotal: q.blocksTotal.done(),
      blocksScanned: q.blocksScanned.done(),
      blocksSkipped: q.blocksSkipped.done(),
    },
    scans: {
      length: s.query.n,
      query: s.query.done(),
      table: s.table.done(),
      columns: s.columns.done(),
      blocksTotal: s.blocksTotal.done(),
      blocksScanned: s.blocksScanned.done(),
      blocksSkipped: s.blocksSkipped.done(),
      rowsScanned: s.rowsScanned.done(),
      rowsOut: s.rowsOut.done(),
    },
    predicates: {
      length: p.scan.n,
      scan: p.scan.done(),
      column: p.column.done(),
      op: p.op.done(),
      literal: p.literal.done(),
      estSelectivity: p.estSelectivity.done(),
      actualSelectivity: p.actualSelectivity.done(),
    },
    joins: {
      length: j.query.n,
      query: j.query.done(),
      left: j.left.done(),
      right: j.right.done(),
      keys: j.keys.done(),
      type: j.type.done(),
      action: j.action.done(),
      leftRows: j.leftRows.done(),
      rightRows: j.rightRows.done(),
      rowsMoved: j.rowsMoved.done(),
      bytesMoved: j.bytesMoved.done(),
    },
  };
}

// ------------------------------------------------------------ reshaping

/** One id per distinct string, shared by the dictionaries of many columns or parts. */
export class Interner {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly remaps = new Map<readonly string[], Int32Array>();
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) this.ids.set(s, (id = this.values.push(s) - 1));
    return id;
  }
  /** The shared id of each entry of a coded column's dictionary (index it by code). */
  remap(c: Codes): Int32Array {
    let r = this.remaps.get(c.dict);
    if (!r) {
      r = new Int32Array(c.dict.length);
      for (let i = 0; i < c.dict.length; i++) r[i] = this.id(c.dict[i]!);
      this.remaps.set(c.dict, r);
    }
    return r;
  }
}

/** Strings of several coded columns under one dictionary. */
function mergeCodes(columns: readonly Codes[]): Codes {
  const names = new Interner();
  const codes = new Int32Array(columns.reduce((a, c) => a + c.codes.length, 0));
  let at = 0;
  for (const c of columns) {
    const remap = names.remap(c);
    for (let i = 0; i < c.codes.length; i++) codes[at++] = c.codes[i]! < 0 ? -1 : remap[c.codes[i]!]!;
  }
  return { codes, dict: names.values };
}

function concat<T extends Float64Array | Uint8Array>(xs: readonly T[], make: (n: number) => T): T {
  const out = make(xs.reduce((a, x) => a + x.length, 0));
  let at = 0;
  for (const x of xs) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}
const concatF64 = (xs: readonly Float64Array[]) => concat(xs, (n) => new Float64Array(n));

/** Parent pointers of several parts, shifted by the parents before each part. */
function concatParents(xs: readonly Int32Array[], parentCounts: readonly number[]): Int32Array {
  const out = new Int32Array(xs.reduce((a, x) => a + x.length, 0));
  let at = 0;
  let base = 0;
  xs.forEach((x, k) => {
    for (let i = 0; i < x.length; i++) out[at++] = x[i]! + base;
    base += parentCounts[k]!;
  });
  return out;
}

function concatTexts(xs: readonly Texts[]): Texts {
  // coded stays coded (an older chunk's plain text joins it, each of its rows its own entry)
  if (xs.some((t) => t.coded?.())) return codedTexts(mergeCodes(xs.map(asCodes)));
  if (xs.every((t) => t.utf8)) return utf8Texts(concatUtf8(xs.map((t) => t.utf8!())));
  const values: (string | null)[] = [];
  for (const t of xs) for (const v of t.values()) values.push(v ?? null);
  return texts(values);
}

/** The rows of several parts as one part (dictionaries merged, pointers shifted). */
export function concatParts(parts: readonly WorkloadPart[]): WorkloadPart {
  if (parts.length === 1) return parts[0]!;
  const q = parts.map((p) => p.queries);
  const s = parts.map((p) => p.scans);
  const p = parts.map((x) => x.predicates);
  const j = parts.map((x) => x.joins);
  const qn = q.map((x) => x.length);
  const sn = s.map((x) => x.length);
  return {
    queries: {
      length: qn.reduce((a, b) => a + b, 0),
      id: concatTexts(q.map((x) => x.id)),
      sql: concatTexts(q.map((x) => x.sql)),
      errorMessage: concatTexts(q.map((x) => x.errorMessage)),
      startMs: concatF64(q.map((x) => x.startMs)),
      durationMs: concatF64(q.map((x) => x.durationMs)),
      status: concat(q.map((x) => x.status), (n) => new Uint8Array(n)),
      resultCacheHit: concat(q.map((x) => x.resultCacheHit), (n) => new Uint8Array(n)),
      user: mergeCodes(q.map((x) => x.user)),
      session: mergeCodes(q.map((x) => x.session)),
      source: mergeCodes(q.map((x) => x.source)),
      fingerprint: mergeCodes(q.map((x) => x.fingerprint)),
      command: mergeCodes(q.map((x) => x.command)),
      errorCode: mergeCodes(q.map((x) => x.errorCode)),
      groupBy: mergeCodes(q.map((x) => x.groupBy)),
      orderBy: mergeCodes(q.map((x) => x.orderBy)),
      transactionId: mergeCodes(q.map((x) => x.transactionId)),
      userId: concatF64(q.map((x) => x.userId)),
      queueMs: concatF64(q.map((x) => x.queueMs)),
      rowsReturned: concatF64(q.map((x) => x.rowsReturned)),
      rowsMoved: concatF64(q.map((x) => x.rowsMoved)),
      bytesMoved: concatF64(q.map((x) => x.bytesMoved)),
      blocksTotal: concatF64(q.map((x) => x.blocksTotal)),
      blocksScanned: concatF64(q.map((x) => x.blocksScanned)),
      blocksSkipped: concatF64(q.map((x) => x.blocksSkipped)),
    },
    scans: {
      length: sn.reduce((a, b) => a + b, 0),
      query: concatParents(s.map((x) => x.query), qn),
      table: mergeCodes(s.map((x) => x.table)),
      columns: mergeCodes(s.map((x) => x.columns)),
      blocksTotal: concatF64(s.map((x) => x.blocksTotal)),
      blocksScanned: concatF64(s.map((x) => x.blocksScanned)),
      blocksSkipped: concatF64(s.map((x) => x.blocksSkipped)),
      rowsScanned: concatF64(s.map((x) => x.rowsScanned)),
      rowsOut: concatF64(s.map((x) => x.rowsOut)),
    },
    predicates: {
      length: p.reduce((a, x) => a + x.length, 0),
      scan: concatParents(p.map((x) => x.scan), sn),
      column: mergeCodes(p.map((x) => x.column)),
      op: mergeCodes(p.map((x) => x.op)),
      literal: mergeCodes(p.map((x) => x.literal)),
      estSelectivity: concatF64(p.map((x) => x.estSelectivity)),
      actualSelectivity: concatF64(p.map((x) => x.actualSelectivity)),
    },
    joins: {
      length: j.reduce((a, x) => a + x.length, 0),
      query: concatParents(j.map((x) => x.query), qn),
      left: mergeCodes(j.map((x) => x.left)),
      right: mergeCodes(j.map((x) => x.right)),
      keys: mergeCodes(j.map((x) => x.keys)),
      type: mergeCodes(j.map((x) => x.type)),
      action: mergeCodes(j.map((x) => x.action)),
      leftRows: concatF64(j.map((x) => x.leftRows)),
      rightRows: concatF64(j.map((x) => x.rightRows)),
      rowsMoved: concatF64(j.map((x) => x.rowsMoved)),
      bytesMoved: concatF64(j.map((x) => x.bytesMoved)),
    },
  };
}

/** Gathers rows into a new column; the dictionary keeps only the strings used. */
function takeCodes(c: Codes, rows: ArrayLike<number>): Codes {
  const remap = new Int32Array(c.dict.length).fill(-1);
  const dict: string[] = [];
  const codes = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const code = c.codes[rows[i]!]!;
    if (code < 0) {
      codes[i] = -1;
      continue;
    }
    if (remap[code]! < 0) remap[code] = dict.push(c.dict[code]!) - 1;
    codes[i] = remap[code]!;
  }
  return { codes, dict };
}

function takeF64(a: Float64Array, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = a[rows[i]!]!;
  return out;
}

function takeTexts(t: Texts, rows: ArrayLike<number>): Texts {
  const coded = t.coded?.();
  if (coded) return codedTexts(takeCodes(coded, rows));
  if (t.utf8) return utf8Texts(takeUtf8(t.utf8(), rows));
  const all = t.values();
  const values: (string | null)[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) values[i] = all[rows[i]!] ?? null;
  return texts(values);
}

/** Children of the chosen parents, in the parents' new order: their rows and their new parent pointers. */
function takeChildren(parent: Int32Array, parents: number, chosen: ArrayLike<number>): { rows: Int32Array; parent: Int32Array } {
  const starts = childStarts(parent, parents);
  let n = 0;
  for (let i = 0; i < chosen.length; i++) n += starts[chosen[i]! + 1]! - starts[chosen[i]!]!;
  const rows = new Int32Array(n);
  const newParent = new Int32Array(n);
  let at = 0;
  for (let i = 0; i < chosen.length; i++) {
    for (let k = starts[chosen[i]!]!; k < starts[chosen[i]! + 1]!; k++) {
      rows[at] = k;
      newParent[at++] = i;
    }
  }
  return { rows, parent: newParent };
}

/** The first index of the ascending `a` whose value is at least `x`. */
function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether `rows` is lo, lo + 1, ...: a stretch of the part, whose numbers can be views instead of copies. */
function isRange(rows: ArrayLike<number>): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i] !== rows[0]! + i) return false;
  return rows.length > 0;
}

/** The children of parents lo..hi-1, which are stored in parent order: a stretch too, with parent pointers from 0. */
function childRange(parent: Int32Array, lo: number, hi: number): { from: number; to: number; parent: Int32Array } {
  const from = lowerBound(parent, lo);
  const to = lowerBound(parent, hi);
  const shifted = new Int32Array(to - from);
  for (let i = from; i < to; i++) shifted[i - from] = parent[i]! - lo;
  return { from, to, parent: shifted };
}

/** from, from + 1, ..., to - 1. */
function range(from: number, to: number): Int32Array {
  const rows = new Int32Array(to - from);
  for (let i = 0; i < rows.length; i++) rows[i] = from + i;
  return rows;
}

/** Query rows lo..hi-1 of `part` and their children: numbers as views, strings with dictionaries of their own. */
function takeRange(part: WorkloadPart, lo: number, hi: number): WorkloadPart {
  const { queries: q, scans: s, predicates: p, joins: j } = part;
  const rows = range(lo, hi);
  const sc = childRange(s.query, lo, hi);
  const pr = childRange(p.scan, sc.from, sc.to);
  const jn = childRange(j.query, lo, hi);
  const scanRows = range(sc.from, sc.to);
  const predRows = range(pr.from, pr.to);
  const joinRows = range(jn.from, jn.to);
  return {
    queries: {
      length: hi - lo,
      id: takeTexts(q.id, rows),
      sql: takeTexts(q.sql, rows),
      errorMessage: takeTexts(q.errorMessage, rows),
      startMs: q.startMs.subarray(lo, hi),
      durationMs: q.durationMs.subarray(lo, hi),
      status: q.status.subarray(lo, hi),
      resultCacheHit: q.resultCacheHit.subarray(lo, hi),
      user: takeCodes(q.user, rows),
      session: takeCodes(q.session, rows),
      source: takeCodes(q.source, rows),
      fingerprint: takeCodes(q.fingerprint, rows),
      command: takeCodes(q.command, rows),
      errorCode: takeCodes(q.errorCode, rows),
      groupBy: takeCodes(q.groupBy, rows),
      orderBy: takeCodes(q.orderBy, rows),
      transactionId: takeCodes(q.transactionId, rows),
      userId: q.userId.subarray(lo, hi),
      queueMs: q.queueMs.subarray(lo, hi),
      rowsReturned: q.rowsReturned.subarray(lo, hi),
      rowsMoved: q.rowsMoved.subarray(lo, hi),
      bytesMoved: q.bytesMoved.subarray(lo, hi),
      blocksTotal: q.blocksTotal.subarray(lo, hi),
      blocksScanned: q.blocksScanned.subarray(lo, hi),
      blocksSkipped: q.blocksSkipped.subarray(lo, hi),
    },
    scans: {
      length: sc.to - sc.from,
      query: sc.parent,
      table: takeCodes(s.table, scanRows),
      columns: takeCodes(s.columns, scanRows),
      blocksTotal: s.blocksTotal.subarray(sc.from, sc.to),
      blocksScanned: s.blocksScanned.subarray(sc.from, sc.to),
      blocksSkipped: s.blocksSkipped.subarray(sc.from, sc.to),
      rowsScanned: s.rowsScanned.subarray(sc.from, sc.to),
      rowsOut: s.rowsOut.subarray(sc.from, sc.to),
    },
    predicates: {
      length: pr.to - pr.from,
      scan: pr.parent,
      column: takeCodes(p.column, predRows),
      op: takeCodes(p.op, predRows),
      literal: takeCodes(p.literal, predRows),
      estSelectivity: p.estSelectivity.subarray(pr.from, pr.to),
      actualSelectivity: p.actualSelectivity.subarray(pr.from, pr.to),
    },
    joins: {
      length: jn.to - jn.from,
      query: jn.parent,
      left: takeCodes(j.left, joinRows),
      right: takeCodes(j.right, joinRows),
      keys: takeCodes(j.keys, joinRows),
      type: takeCodes(j.type, joinRows),
      action: takeCodes(j.action, joinRows),
      leftRows: j.leftRows.subarray(jn.from, jn.to),
      rightRows: j.rightRows.subarray(jn.from, jn.to),
      rowsMoved: j.rowsMoved.subarray(jn.from, jn.to),
      bytesMoved: j.bytesMoved.subarray(jn.from, jn.to),
    },
  };
}

/** A part holding the given query rows of `part`, in that order, with their scans, predicates and joins. */
export function takeRows(part: WorkloadPart, rows: ArrayLike<number>): WorkloadPart {
  if (isWhole(rows, part.queries.length)) return part;
  // compaction cuts records already in time order (nearly always) into chunks: stretches of the part
  if (isRange(rows)) return takeRange(part, rows[0]!, rows[0]! + rows.length);
  const { queries: q, scans: s, predicates: p, joins: j } = part;
  const sc = takeChildren(s.query, q.length, rows);
  const pr = takeChildren(p.scan, s.length, sc.rows);
  const jn = takeChildren(j.query, q.length, rows);
  return {
    queries: {
      length: rows.length,
      id: takeTexts(q.id, rows),
      sql: takeTexts(q.sql, rows),
      errorMessage: takeTexts(q.errorMessage, rows),
      startMs: takeF64(q.startMs, rows),
      durationMs: takeF64(q.durationMs, rows),
      status: Uint8Array.from({ length: rows.length }, (_, i) => q.status[rows[i]!]!),
      resultCacheHit: Uint8Array.from({ length: rows.length }, (_, i) => q.resultCacheHit[rows[i]!]!),
      user: takeCodes(q.user, rows),
      session: takeCodes(q.session, rows),
      source: takeCodes(q.source, rows),
      fingerprint: takeCodes(q.fingerprint, rows),
      command: takeCodes(q.command, rows),
      errorCode: takeCodes(q.errorCode, rows),
      groupBy: takeCodes(q.groupBy, rows),
      orderBy: takeCodes(q.orderBy, rows),
      transactionId: takeCodes(q.transactionId, rows),
      userId: takeF64(q.userId, rows),
      queueMs: takeF64(q.queueMs, rows),
      rowsReturned: takeF64(q.rowsReturned, rows),
      rowsMoved: takeF64(q.rowsMoved, rows),
      bytesMoved: takeF64(q.bytesMoved, rows),
      blocksTotal: takeF64(q.blocksTotal, rows),
      blocksScanned: takeF64(q.blocksScanned, rows),
      blocksSkipped: takeF64(q.blocksSkipped, rows),
    },
    scans: {
      length: sc.rows.length,
      query: sc.parent,
      table: takeCodes(s.table, sc.rows),
      columns: takeCodes(s.columns, sc.rows),
      blocksTotal: takeF64(s.blocksTotal, sc.rows),
      blocksScanned: takeF64(s.blocksScanned, sc.rows),
      blocksSkipped: takeF64(s.blocksSkipped, sc.rows),
      rowsScanned: takeF64(s.rowsScanned, sc.rows),
      rowsOut: takeF64(s.rowsOut, sc.rows),
    },
    predicates: {
      length: pr.rows.length,
      scan: pr.parent,
      column: takeCodes(p.column, pr.rows),
      op: takeCodes(p.op, pr.rows),
      literal: takeCodes(p.literal, pr.rows),
      estSelectivity: takeF64(p.estSelectivity, pr.rows),
      actualSelectivity: takeF64(p.actualSelectivity, pr.rows),
    },
    joins: {
      length: jn.rows.length,
      query: jn.parent,
      left: takeCodes(j.left, jn.rows),
      right: takeCodes(j.right, jn.rows),
      keys: takeCodes(j.keys, jn.rows),
      type: takeCodes(j.type, jn.rows),
      action: takeCodes(j.action, jn.rows),
      leftRows: takeF64(j.leftRows, jn.rows),
      rightRows: takeF64(j.rightRows, jn.rows),
      rowsMoved: takeF64(j.rowsMoved, jn.rows),
      bytesMoved: takeF64(j.bytesMoved, jn.rows),
    },
  };
}

/** The rows of `part` that `keep` accepts, ordered by start time (stable). */
export function rowsByStart(part: WorkloadPart, keep?: (row: number) => boolean): Int32Array {
  const n = part.queries.length;
  let rows = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) if (!keep || keep(i)) rows[k++] = i;
  if (k < n) rows = rows.slice(0, k);
  const start = part.queries.startMs;
  // a segment's records are nearly always in time order already: check before sorting
  let sorted = true;
  for (let i = 1; i < k && sorted; i++) sorted = start[rows[i - 1]!]! <= start[rows[i]!]!;
  return sorted ? rows : rows.sort((a, b) => start[a]! - start[b]! || a - b);
}

/** Whether `rows` is 0, 1, ... up to the part's length: the part as it is. */
function isWhole(rows: ArrayLike<number>, n: number): boolean {
  if (rows.length !== n) return false;
  for (let i = 0; i < n; i++) if (rows[i] !== i) return false;
  return true;
}

// ------------------------------------------------------------ reading back

export function str(c: Codes, i: number): string | null {
  const code = c.codes[i]!;
  return code < 0 ? null : c.dict[code]!;
}

function list(s: string | null): string[] {
  return s ? s.split(',') : [];
}

/** First child row per parent row (children are stored in parent order): starts[i]..starts[i+1]. */
export function childStarts(parent: Int32Array, parents: number): Int32Array {
  const starts = new Int32Array(parents + 1);
  for (let i = 0; i < parent.length; i++) starts[parent[i]! + 1]!++;
  for (let i = 0; i < parents; i++) starts[i + 1]! += starts[i]!;
  return starts;
}

/** Rebuilds whole records from a part, by row (for export, compaction and retention). */
export class RecordReader {
  private readonly scanStarts: Int32Array;
  private readonly predStarts: Int32Array;
  private readonly joinStarts: Int32Array;

  constructor(readonly part: WorkloadPart) {
    this.scanStarts = childStarts(part.scans.query, part.queries.length);
    this.predStarts = childStarts(part.predicates.scan, part.scans.length);
    this.joinStarts = childStarts(part.joins.query, part.queries.length);
  }

  at(i: number): LogRecord {
    const { queries: q, scans: s, predicates: p, joins: j } = this.part;
    const scans: ScanRecord[] = [];
    for (let k = this.scanStarts[i]!; k < this.scanStarts[i + 1]!; k++) {
      const predicates = [];
      for (let m = this.predStarts[k]!; m < this.predStarts[k + 1]!; m++) {
        const actual = p.actualSelectivity[m]!;
        predicates.push({
          column: str(p.column, m)!,
          op: str(p.op, m)!,
          literal: str(p.literal, m),
          estSelectivity: p.estSelectivity[m]!,
          actualSelectivity: Number.isNaN(actual) ? null : actual,
        });
      }
      scans.push({
        table: str(s.table, k)!,
        columns: list(str(s.columns, k)),
        predicates,
        blocksTotal: s.blocksTotal[k]!,
        blocksScanned: s.blocksScanned[k]!,
        blocksSkipped: s.blocksSkipped[k]!,
        rowsScanned: s.rowsScanned[k]!,
        rowsOut: s.rowsOut[k]!,
      });
    }
    const joins: JoinRecord[] = [];
    for (let k = this.joinStarts[i]!; k < this.joinStarts[i + 1]!; k++) {
      const keys = list(str(j.keys, k)).map((pair) => {
        const at = pair.indexOf('=');
        return { left: pair.slice(0, at), right: pair.slice(at + 1) };
      });
      joins.push({
        left: str(j.left, k)!,
        right: str(j.right, k)!,
        keys,
        type: str(j.type, k)!,
        action: str(j.action, k)!,
        leftRows: j.leftRows[k]!,
        rightRows: j.rightRows[k]!,
        rowsMoved: j.rowsMoved[k]!,
        bytesMoved: j.bytesMoved[k]!,
      });
    }
    const errorCode = str(q.errorCode, i);
    const transactionId = str(q.transactionId, i);
    return {
      version: QUERY_RECORD_VERSION,
      id: q.id.get(i)!,
      startTime: new Date(q.startMs[i]!).toISOString(),
      durationMs: q.durationMs[i]!,
      user: str(q.user, i)!,
      session: str(q.session, i)!,
      sql: q.sql.get(i)!,
      fingerprint: str(q.fingerprint, i)!,
      command: str(q.command, i)!,
      status: q.status[i] === 0 ? 'ok' : 'error',
      error: errorCode === null ? null : { code: errorCode, message: q.errorMessage.get(i) ?? '' },
      rowsReturned: q.rowsReturned[i]!,
      rowsMoved: q.rowsMoved[i]!,
      bytesMoved: q.bytesMoved[i]!,
      blocksTotal: q.blocksTotal[i]!,
      blocksScanned: q.blocksScanned[i]!,
      blocksSkipped: q.blocksSkipped[i]!,
      scans,
      joins,
      groupBy: list(str(q.groupBy, i)),
      orderBy: list(str(q.orderBy, i)),
      source: str(q.source, i)!,
      ...(transactionId !== null ? { transactionId } : {}),
      ...(q.resultCacheHit[i] === 1 ? { resultCacheHit: true as const } : {}),
      ...(Number.isNaN(q.userId[i]!) ? {} : { userId: q.userId[i]! }),
      ...(Number.isNaN(q.queueMs[i]!) ? {} : { queueMs: q.queueMs[i]! }),
    };
  }
}

/** The records of a part in row order, optionally only the rows `keep` accepts. */
export function* recordsOf(part: WorkloadPart, keep?: (row: number) => boolean): Generator<LogRecord> {
  const reader = new RecordReader(part);
  for (let i = 0; i < part.queries.length; i++) if (!keep || keep(i)) yield reader.at(i);
}
