/**
 * Compacted records as Arrow IPC files, one per table of a part:
 * <stem>.queries.arrow, <stem>.text.arrow (ids, SQL and error messages: the
 * bulk of the bytes, kept apart so mining never reads them),
 * <stem>.scans.arrow, <stem>.predicates.arrow, <stem>.joins.arrow. Repeating strings (the SQL text too) are Dictionary<Int32, Utf8>, numbers
 * Float64 (Int32 for row pointers, Uint8 for status), NULL as Arrow nulls, so
 * any Arrow reader (DuckDB, pyarrow, polars) can mine them too. Reading maps the
 * buffers without copying and decodes text only when asked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { codedTexts, utf8Strings, utf8Texts, type Codes, type JoinColumns, type PredicateColumns, type ScanColumns, type Texts, type Utf8Column, type WorkloadPart } from './columns.js';

export const CHUNK_TABLES = ['queries', 'text', 'scans', 'predicates', 'joins'] as const;
type TableName = (typeof CHUNK_TABLES)[number];

export function chunkFile(dir: string, stem: string, table: TableName): string {
  return path.join(dir, `${stem}.${table}.arrow`);
}

// ------------------------------------------------------------ writing

/** Arrow's validity bitmap (1 = a value) from a NULL flag per row; no bitmap when nothing is NULL. */
function bitmapOf(isNull: Uint8Array | null, length: number): { bitmap: Uint8Array | null; nullCount: number } {
  if (!isNull) return { bitmap: null, nullCount: 0 };
  const bitmap = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    if (isNull[i]) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return nullCount ? { bitmap, nullCount } : { bitmap: null, nullCount: 0 };
}

/**
 * A Utf8 column: the strings joined and encoded with one call, each value's
 * offset from its length in characters when the whole is ASCII (one byte a
 * character; SQL nearly always is), else from its own byte length.
 */
function utf8Data(values: readonly (string | null)[]): arrow.Data<arrow.Utf8> {
  const length = values.length;
  const offsets = new Int32Array(length + 1);
  let isNull: Uint8Array | null = null;
  let chars = 0;
  const strings: string[] = new Array(length);
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      (isNull ??= new Uint8Array(length))[i] = 1;
      strings[i] = '';
    } else strings[i] = v;
    chars += strings[i]!.length;
    offsets[i + 1] = chars;
  }
  let data = Buffer.from(strings.join(''), 'utf8');
  if (data.length !== chars) {
    // not ASCII: each value on its own (joined, a value's lone surrogate could pair with its neighbour's)
    const parts = strings.map((x) => Buffer.from(x, 'utf8'));
    for (let i = 0; i < length; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
    data = Buffer.concat(parts);
  }
  const { bitmap, nullCount } = bitmapOf(isNull, length);
  return arrow.makeData({
    type: new arrow.Utf8(),
    length,
    nullCount,
    nullBitmap: bitmap,
    valueOffsets: offsets,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  } as never) as unknown as arrow.Data<arrow.Utf8>;
}

/** A Utf8 column from bytes already encoded (raw segments and chunks hold their text so): no decoding, no copy. */
function utf8ColumnData(col: Utf8Column): arrow.Data<arrow.Utf8> {
  let { offsets, data } = col;
  if (offsets[0] !== 0) {
    const base = offsets[0]!;
    data = data.subarray(base, offsets[offsets.length - 1]!);
    offsets = offsets.map((o) => o - base);
  }
  const length = offsets.length - 1;
  const { bitmap, nullCount } = bitmapOf(col.nulls, length);
  return arrow.makeData({ type: new arrow.Utf8(), length, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data } as never) as unknown as arrow.Data<arrow.Utf8>;
}

type Column = arrow.Data;

class Writer {
  private dictId = 0;
  readonly columns: Record<string, Column> = {};
  f64(name: string, a: Float64Array, nanIsNull = false): void {
    let isNull: Uint8Array | null = null;
    if (nanIsNull) for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i]!)) (isNull ??= new Uint8Array(a.length))[i] = 1;
    const v = bitmapOf(isNull, a.length);
    this.columns[name] = arrow.makeData({ type: new arrow.Float64(), length: a.length, nullCount: v.nullCount, nullBitmap: v.bitmap, data: a });
  }
  i32(name: string, a: Int32Array): void {
    this.columns[name] = arrow.makeData({ type: new arrow.Int32(), length: a.length, data: a });
  }
  u8(name: string, a: Uint8Array): void {
    this.columns[name] = arrow.makeData({ type: new arrow.Uint8(), length: a.length, data: a });
  }
  text(name: string, t: Texts): void {
    // text held coded (the SQL) is written coded: each distinct text once per chunk
    const coded = t.coded?.();
    if (coded) this.codes(name, coded);
    else this.columns[name] = t.utf8 ? utf8ColumnData(t.utf8()) : utf8Data(t.values());
  }
  codes(name: string, c: Codes): void {
    const n = c.codes.length;
    let isNull: Uint8Array | null = null;
    for (let i = 0; i < n; i++) if (c.codes[i]! < 0) (isNull ??= new Uint8Array(n))[i] = 1;
    const { bitmap, nullCount } = bitmapOf(isNull, n);
    const dict = arrow.makeVector(utf8Data(c.dict));
    this.columns[name] = arrow.makeData({
      type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32(), this.dictId++),
      length: n,
      nullCount,
      nullBitmap: bitmap,
      data: nullCount ? c.codes.map((x) => (x < 0 ? 0 : x)) : c.codes,
      dictionary: dict,
    });
  }
  /** The IPC file as the pieces Arrow's writer made (headers, padding, and the columns' own buffers), in order. */
  pieces(): readonly Uint8Array[] {
    const vectors: Record<string, arrow.Vector> = {};
    for (const [k, d] of Object.entries(this.columns)) vectors[k] = arrow.makeVector(d);
    const writer = arrow.RecordBatchFileWriter.writeAll(new arrow.Table(vectors));
    // the writer's byte queue holds the pieces; joining them (toUint8Array) would copy the whole file into fresh
    // memory, which cost compaction more than making it. Its shape is private: anything else takes the public way.
    const values = (writer as unknown as { _sink?: { _values?: unknown } })._sink?._values;
    if (Array.isArray(values) && values.every((v) => v instanceof Uint8Array)) return values as Uint8Array[];
    return [writer.toUint8Array(true)];
  }
}

/** Writes all of `pieces` at the descriptor's position (a write may take fewer bytes than asked: the rest follows). */
function writeAll(fd: number, pieces: readonly Uint8Array[]): number {
  let total = 0;
  // a few hundred pieces a write: under any system's IOV_MAX
  for (let i = 0; i < pieces.length; i += 256) {
    const batch = pieces.slice(i, i + 256);
    const want = batch.reduce((a, b) => a + b.byteLength, 0);
    let done = fs.writevSync(fd, batch);
    while (done < want) {
      // the rest, piece by piece from where the short write stopped
      let skip = done;
      for (const b of batch) {
        if (skip >= b.byteLength) {
          skip -= b.byteLength;
          continue;
        }
        done += fs.writeSync(fd, b, skip);
        skip = 0;
        break;
      }
    }
    total += want;
  }
  return total;
}

function tablePieces(part: WorkloadPart, table: TableName): readonly Uint8Array[] {
  const w = new Writer();
  switch (table) {
    case 'queries': {
      const q = part.queries;
      w.f64('start_ms', q.startMs);
      w.f64('duration_ms', q.durationMs);
      w.codes('user', q.user);
      w.codes('session', q.session);
      w.codes('source', q.source);
      w.codes('fingerprint', q.fingerprint);
      w.codes('command', q.command);
      w.u8('status', q.status);
      w.u8('result_cache_hit', q.resultCacheHit);
      w.codes('error_code', q.errorCode);
      w.codes('group_by', q.groupBy);
      w.codes('order_by', q.orderBy);
      w.codes('transaction_id', q.transactionId);
      w.f64('user_id', q.userId, true);
      w.f64('queue_ms', q.queueMs, true);
      w.f64('rows_returned', q.rowsReturned);
      w.f64('rows_moved', q.rowsMoved);
      w.f64('bytes_moved', q.bytesMoved);
      w.f64('blocks_total', q.blocksTotal);
      w.f64('blocks_scanned', q.blocksScanned);
      w.f64('blocks_skipped', q.blocksSkipped);
      break;
    }
    case 'text': {
      const q = part.queries;
      w.text('id', q.id);
      w.text('sql', q.sql);
      w.text('error_message', q.errorMessage);
      break;
    }
    case 'scans': {
      const s = part.scans;
      w.i32('query', s.query);
      w.codes('table', s.table);
      w.codes('columns', s.columns);
      w.f64('blocks_total', s.blocksTotal);
      w.f64('blocks_scanned', s.blocksScanned);
      w.f64('blocks_skipped', s.blocksSkipped);
      w.f64('rows_scanned', s.rowsScanned);
      w.f64('rows_out', s.rowsOut);
      break;
    }
    case 'predicates': {
      const p = part.predicates;
      w.i32('scan', p.scan);
      w.codes('column', p.column);
      w.codes('op', p.op);
      w.codes('literal', p.literal);
      w.f64('est_selectivity', p.estSelectivity);
      w.f64('actual_selectivity', p.actualSelectivity, true);
      break;
    }
    case 'joins': {
      const j = part.joins;
      w.i32('query', j.query);
      w.codes('left', j.left);
      w.codes('right', j.right);
      w.codes('keys', j.keys);
      w.codes('type', j.type);
      w.codes('action', j.action);
      w.f64('left_rows', j.leftRows);
      w.f64('right_rows', j.rightRows);
      w.f64('rows_moved', j.rowsMoved);
      w.f64('bytes_moved', j.bytesMoved);
      break;
    }
  }
  return w.pieces();
}

/** Writes a part's four files (fsync'd, not yet named by any manifest); returns the bytes written. */
export function writeChunk(dir: string, stem: string, part: WorkloadPart): number {
  let total = 0;
  for (const t of CHUNK_TABLES) {
    const pieces = tablePieces(part, t);
    const fd = fs.openSync(chunkFile(dir, stem, t), 'w');
    try {
      total += writeAll(fd, pieces);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  return total;
}

// ------------------------------------------------------------ reading

class Reader {
  private readonly table: arrow.Table;
  constructor(file: string) {
    this.table = arrow.tableFromIPC(fs.readFileSync(file));
  }
  get length(): number {
    return this.table.numRows;
  }
  private data(name: string): readonly arrow.Data[] {
    const v = this.table.getChild(name);
    if (!v) throw new Error(`column ${name} missing`);
    return v.data;
  }
  private isNull(d: arrow.Data, i: number): boolean {
    if (!d.nullCount || !d.nullBitmap) return false;
    const k = d.offset + i;
    return (d.nullBitmap[k >> 3]! & (1 << (k & 7))) === 0;
  }
  f64(name: string): Float64Array {
    const parts = this.data(name);
    const one = parts[0];
    // one batch without nulls: a view of the file's buffer, no copy
    if (parts.length === 1 && one && !one.nullCount) return (one.values as Float64Array).subarray(one.offset, one.offset + one.length);
    const out = new Float64Array(this.length);
    let at = 0;
    for (const d of parts) {
      const values = (d.values as Float64Array).subarray(d.offset, d.offset + d.length);
      out.set(values, at);
      if (d.nullCount) for (let i = 0; i < d.length; i++) if (this.isNull(d, i)) out[at + i] = NaN;
      at += d.length;
    }
    return out;
  }
  private fixed<T extends Int32Array | Uint8Array>(name: string, make: (n: number) => T): T {
    const parts = this.data(name);
    if (parts.length === 1) {
      const d = parts[0]!;
      return (d.values as T).subarray(d.offset, d.offset + d.length) as T;
    }
    const out = make(this.length);
    let at = 0;
    for (const d of parts) {
      out.set((d.values as T).subarray(d.offset, d.offset + d.length), at);
      at += d.length;
    }
    return out;
  }
  i32(name: string): Int32Array {
    return this.fixed(name, (n) => new Int32Array(n));
  }
  u8(name: string): Uint8Array {
    return this.fixed(name, (n) => new Uint8Array(n));
  }
  has(name: string): boolean {
    return this.table.getChild(name) !== null;
  }
  text(name: string): Texts {
    const v = this.table.getChild(name)!;
    // the SQL of chunks compacted since raw segments of format 3 is Dictionary<Int32, Utf8>; before, Utf8
    if (arrow.DataType.isDictionary(v.type)) return codedTexts(this.codes(name));
    const parts = v.data as arrow.Data<arrow.Utf8>[];
    if (parts.length === 1) return utf8Texts(utf8Column(parts[0]!));
    let all: (string | null)[] | null = null;
    return { length: v.length, get: (i) => (v.get(i) as string | null) ?? null, values: () => (all ??= parts.flatMap((d) => utf8Strings(utf8Column(d)))) };
  }
  codes(name: string): Codes {
    const parts = this.data(name);
    const dictData = parts[0]?.dictionary;
    const single = parts.length === 1 && dictData;
    if (single) {
      const d = parts[0]!;
      const dict = dictData.toArray() as string[];
      let codes = (d.values as Int32Array).subarray(d.offset, d.offset + d.length);
      if (d.nullCount) {
        codes = codes.slice();
        for (let i = 0; i < d.length; i++) if (this.isNull(d, i)) codes[i] = -1;
      }
      return { codes, dict };
    }
    // several batches (another writer's file): re-code by value
    const v = this.table.getChild(name)!;
    const ids = new Map<string, number>();
    const dict: string[] = [];
    const codes = new Int32Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const s = v.get(i) as string | null;
      if (s === null) {
        codes[i] = -1;
        continue;
      }
      let id = ids.get(s);
      if (id === undefined) ids.set(s, (id = dict.push(s) - 1));
      codes[i] = id;
    }
    return { codes, dict };
  }
}

/** One batch of an Arrow Utf8 column as UTF-8 bytes (views of the file's buffers; the NULL flags unpacked). */
function utf8Column(d: arrow.Data<arrow.Utf8>): Utf8Column {
  const offsets = d.valueOffsets.subarray(d.offset, d.offset + d.length + 1) as Int32Array;
  let nulls: Uint8Array | null = null;
  if (d.nullCount && d.nullBitmap) {
    nulls = new Uint8Array(d.length);
    for (let i = 0; i < d.length; i++) {
      const k = d.offset + i;
      if ((d.nullBitmap[k >> 3]! & (1 << (k & 7))) === 0) nulls[i] = 1;
    }
  }
  return { offsets, data: d.values, nulls };
}

/** A value computed on first use. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/**
 * Reads a chunk's files into a part. The queries file is read now; each other
 * file when a column of its table is first used (sys_query_history never
 * reads the scans, predicates and joins; mining never reads the text). A file
 * removed meanwhile by a compaction throws ENOENT there, which
 * WorkloadStore.read() answers by starting over.
 */
export function readChunk(dir: string, stem: string): WorkloadPart {
  const q = new Reader(chunkFile(dir, stem, 'queries'));
  let text: Reader | null = null;
  const lazy = (name: string): Texts => {
    let t: Texts | null = null;
    const open = () => (t ??= (text ??= new Reader(chunkFile(dir, stem, 'text'))).text(name));
    return { length: q.length, get: (i) => open().get(i), values: () => open().values(), coded: () => open().coded?.() ?? null };
  };
  const scans = once(() => readScans(dir, stem));
  const predicates = once(() => readPredicates(dir, stem));
  const joins = once(() => readJoins(dir, stem));
  return {
    queries: {
      length: q.length,
      id: lazy('id'),
      sql: lazy('sql'),
      errorMessage: lazy('error_message'),
      startMs: q.f64('start_ms'),
      durationMs: q.f64('duration_ms'),
      status: q.u8('status'),
      // chunks written before the field hold no hits
      resultCacheHit: q.has('result_cache_hit') ? q.u8('result_cache_hit') : new Uint8Array(q.length),
      user: q.codes('user'),
      session: q.codes('session'),
      source: q.codes('source'),
      fingerprint: q.codes('fingerprint'),
      command: q.codes('command'),
      errorCode: q.codes('error_code'),
      groupBy: q.codes('group_by'),
      orderBy: q.codes('order_by'),
      // chunks compacted before records had a transaction id have no such column
      transactionId: q.has('transaction_id') ? q.codes('transaction_id') : { codes: new Int32Array(q.length).fill(-1), dict: [] },
      // chunks compacted before records had a user id or queue time: none (NaN)
      userId: q.has('user_id') ? q.f64('user_id') : new Float64Array(q.length).fill(NaN),
      queueMs: q.has('queue_ms') ? q.f64('queue_ms') : new Float64Array(q.length).fill(NaN),
      rowsReturned: q.f64('rows_returned'),
      rowsMoved: q.f64('rows_moved'),
      bytesMoved: q.f64('bytes_moved'),
      blocksTotal: q.f64('blocks_total'),
      blocksScanned: q.f64('blocks_scanned'),
      blocksSkipped: q.f64('blocks_skipped'),
    },
    get scans() {
      return scans();
    },
    get predicates() {
      return predicates();
    },
    get joins() {
      return joins();
    },
  };
}

function readScans(dir: string, stem: string): ScanColumns {
  const s = new Reader(chunkFile(dir, stem, 'scans'));
  return {
    length: s.length,
    query: s.i32('query'),
    table: s.codes('table'),
    columns: s.codes('columns'),
    blocksTotal: s.f64('blocks_total'),
    blocksScanned: s.f64('blocks_scanned'),
    blocksSkipped: s.f64('blocks_skipped'),
    rowsScanned: s.f64('rows_scanned'),
    rowsOut: s.f64('rows_out'),
  };
}

function readPredicates(dir: string, stem: string): PredicateColumns {
  const p = new Reader(chunkFile(dir, stem, 'predicates'));
  return {
    length: p.length,
    scan: p.i32('scan'),
    column: p.codes('column'),
    op: p.codes('op'),
    literal: p.codes('literal'),
    estSelectivity: p.f64('est_selectivity'),
    actualSelectivity: p.f64('actual_selectivity'),
  };
}

function readJoins(dir: string, stem: string): JoinColumns {
  const j = new Reader(chunkFile(dir, stem, 'joins'));
  return {
    length: j.length,
    query: j.i32('query'),
    left: j.codes('left'),
    right: j.codes('right'),
    keys: j.codes('keys'),
    type: j.codes('type'),
    action: j.codes('action'),
    leftRows: j.f64('left_rows'),
    rightRows: j.f64('right_rows'),
    rowsMoved: j.f64('rows_moved'),
    bytesMoved: j.f64('bytes_moved'),
  };
}
