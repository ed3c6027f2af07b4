/**
 * Binary raw segments' records (format 3, or 2) as a columnar part, built as
 * the frames are read (layout: binary-codec.ts). Every table is a set of
 * typed arrays that grow together, so a record costs one capacity check per
 * row and then plain array stores: no per-field builder objects, no per-row
 * objects. Strings are not coded per column while reading: each string a
 * segment defines is looked up once in the part's string table (so a text
 * that every segment repeats, a fingerprint or an SQL text, is one entry), and
 * a row stores that entry's number; build() gives each column its own
 * dictionary with one pass over its numbers. Ids and error messages are
 * copied as UTF-8 bytes, decoded only when read. A record that turns out
 * malformed half-way is taken back out by resetting four row counts.
 */
import { codedTexts, utf8Texts, type Codes, type JoinColumns, type PredicateColumns, type ScanColumns, type Texts, type WorkloadPart } from './columns.js';
import { NULL_TEXT, RECORD_TAG } from './binary-codec.js';
import { FRAME_HEADER_BYTES, SEGMENT_FORMAT } from './frame.js';
import { QUERY_RECORD_VERSION } from '../engine/index.js';

class Malformed extends Error {}

// the query's numbers: the eight the payload starts with, in its order, then the two a flag announces
const Q_USER_ID = 8;
const Q_QUEUE_MS = 9;
const Q_NUMS = 10;
// the query's strings in the payload's order (format 2 has no SQL reference: its SQL is inline, after the id)
const Q_REFS = ['user', 'session', 'source', 'fingerprint', 'command', null, 'groupBy', 'orderBy', null, 'sql'] as const;
const Q_ERROR_CODE = 5;
const Q_TRANSACTION = 8;
const Q_SQL = 9;

/** Rows of one table: numbers, string-table entries (-1 NULL), flags and a parent row, grown together. */
class Rows {
  n = 0;
  // small: a segment of a few records is common (each CLI command writes one); the first growth goes to the estimate
  private cap = 256;
  nums: Float64Array[];
  refs: Int32Array[];
  flags: Uint8Array[];
  parent: Int32Array;
  constructor(nums: number, refs: number, flags: number) {
    this.nums = Array.from({ length: nums }, () => new Float64Array(this.cap));
    this.refs = Array.from({ length: refs }, () => new Int32Array(this.cap));
    this.flags = Array.from({ length: flags }, () => new Uint8Array(this.cap));
    this.parent = new Int32Array(this.cap);
  }
  get full(): boolean {
    return this.n === this.cap;
  }
  /** Room for more rows; `estimate` is the rows the builder expects this table to reach. */
  grow(estimate: number): void {
    // growing by the estimate copies the columns once or twice instead of log2(rows) times
    const cap = Math.max(this.cap * 2, Math.ceil(estimate * 1.05));
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.nums = this.nums.map((a) => grow(a, (k) => new Float64Array(k)));
    this.refs = this.refs.map((a) => grow(a, (k) => new Int32Array(k)));
    this.flags = this.flags.map((a) => grow(a, (k) => new Uint8Array(k)));
    this.parent = grow(this.parent, (k) => new Int32Array(k));
    this.cap = cap;
  }
  /**
   * The rows so far: views of the columns (rows are only appended past them,
   * or rewritten past them after a rollback; growing makes new arrays).
   */
  snapshot(): { n: number; nums: Float64Array[]; refs: Int32Array[]; parent: Int32Array } {
    const n = this.n;
    return { n, nums: this.nums.map((a) => a.subarray(0, n)), refs: this.refs.map((a) => a.subarray(0, n)), parent: this.parent.subarray(0, n) };
  }
  /** A view of a number column: rows are only appended past it (or rewritten past it after a rollback). */
  num(k: number): Float64Array {
    return this.nums[k]!.subarray(0, this.n);
  }
}

/** UTF-8 values copied out of the payloads, one per query row. */
class Utf8Rows {
  n = 0;
  private data = new Uint8Array(4096);
  private offsets = new Int32Array(257);
  private nulls: Uint8Array | null = null;
  push(seg: Uint8Array, start: number, len: number): void {
    const n = this.n;
    if (n + 1 === this.offsets.length) this.growOffsets();
    const at = this.offsets[n]!;
    if (at + len > this.data.length) {
      const b = new Uint8Array(Math.max(at + len, this.data.length * 2));
      b.set(this.data.subarray(0, at));
      this.data = b;
    }
    const data = this.data;
    // ids are short: a byte loop beats making a view for a native copy
    if (len > 64) data.set(seg.subarray(start, start + len), at);
    else for (let k = 0; k < len; k++) data[at + k] = seg[start + k]!;
    if (this.nulls !== null) this.nulls[n] = 0;
    this.offsets[n + 1] = at + len;
    this.n = n + 1;
  }
  pushNull(): void {
    const n = this.n;
    if (n + 1 === this.offsets.length) this.growOffsets();
    if (this.nulls === null) this.nulls = new Uint8Array(this.offsets.length);
    this.nulls[n] = 1;
    this.offsets[n + 1] = this.offsets[n]!;
    this.n = n + 1;
  }
  private growOffsets(): void {
    const o = new Int32Array(this.offsets.length * 2);
    o.set(this.offsets);
    this.offsets = o;
    if (this.nulls) {
      const b = new Uint8Array(o.length);
      b.set(this.nulls);
      this.nulls = b;
    }
  }
  done(): Texts {
    const n = this.n;
    return utf8Texts({
      offsets: this.offsets.subarray(0, n + 1),
      data: this.data.subarray(0, this.offsets[n]!),
      nulls: this.nulls ? this.nulls.subarray(0, n) : null,
    });
  }
}

/** Reads binary segments' payloads (format 3 or 2), in order, into columns. */
export class SegmentPartBuilder {
  /** The part's strings, each distinct one once (format 2's inline SQL texts excepted: each its own, not hashed). */
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  /** The current segment's string k is the part's string segIds[k]; -1 where a lost frame defined it. */
  private segIds = new Int32Array(256);
  private segCount = 0;
  private readonly q = new Rows(Q_NUMS, Q_REFS.length, 2);
  private readonly s = new Rows(5, 2, 0);
  private readonly pr = new Rows(2, 3, 0);
  private readonly j = new Rows(4, 5, 0);
  private readonly ids = new Utf8Rows();
  private readonly errors = new Utf8Rows();
  /** Scratch for build(): the column code of each part string, -1 when not yet met. */
  private remap = new Int32Array(0);
  private buf: Uint8Array = new Uint8Array(0);
  private dv: DataView = new DataView(new ArrayBuffer(0));
  private p = 0;
  private end = 0;
  /** The record's own strings are numbered first..known-1; those below `first` must be read already. */
  private first = 0;
  private known = 0;
  /** Frame bytes read, and those the reader said will come: a table that must grow grows to its share of them. */
  private bytesSeen = 0;
  private bytesExpected = 0;
  /** Of the bytes seen, those defining strings: a segment's first records define most of its strings, so they are left out of rows per byte. */
  private defBytes = 0;

  /** The format of the segment being read: 3 holds the SQL as a string of the segment, 2 inline. */
  constructor(private format: number = SEGMENT_FORMAT) {}

  get length(): number {
    return this.q.n;
  }

  /**
   * Reads another segment's records into the same columns (compaction reads
   * all it consumes into one part, with nothing to concatenate): the
   * segment's string numbering starts over, the part's strings go on.
   */
  startSegment(format: number): void {
    this.format = format;
    this.segCount = 0;
    this.first = 0;
    this.known = 0;
  }

  /** `bytes` more of frames will be added (a segment's size): tables then grow once to their share, not by doubling. */
  expect(bytes: number): void {
    this.bytesExpected += bytes;
  }

  /** The rows a table of `n` rows will reach when the expected bytes have been read, rows per byte as so far. */
  private estimate(n: number): number {
    const rowBytes = this.bytesSeen - this.defBytes;
    return rowBytes > 0 && this.bytesExpected > this.bytesSeen ? (n * this.bytesExpected) / rowBytes : 0;
  }

  /** Adds the record in `seg[start..end)`; a message when it cannot be read (nothing is added then). */
  add(seg: Uint8Array, start: number, end: number): string | null {
    this.bytesSeen += end - start + FRAME_HEADER_BYTES;
    if (seg !== this.buf) {
      this.buf = seg;
      this.dv = new DataView(seg.buffer, seg.byteOffset, seg.byteLength);
    }
    this.p = start;
    this.end = end;
    const qn = this.q.n;
    const sn = this.s.n;
    const pn = this.pr.n;
    const jn = this.j.n;
    const segCount = this.segCount;
    try {
      this.record();
      return null;
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      this.q.n = qn;
      this.s.n = sn;
      this.pr.n = pn;
      this.j.n = jn;
      // one id and one error message per query row
      this.ids.n = qn;
      this.errors.n = qn;
      // the part keeps the strings the record defined (unused, they get no code); the segment forgets them
      this.segCount = segCount;
      return e.message;
    }
  }

  private record(): void {
    if (this.u8() !== RECORD_TAG) throw new Malformed('not a record');
    const version = this.u8();
    if (version > QUERY_RECORD_VERSION) throw new Malformed(`record version ${version} is newer than this keel reads (${QUERY_RECORD_VERSION})`);
    this.first = this.varint();
    const defs = this.varint();
    if (this.first < this.segCount) throw new Malformed(`its strings are numbered from ${this.first}, but ${this.segCount} were read before it`);
    if (this.first + defs > this.segIds.length) {
      const b = new Int32Array(Math.max(this.first + defs, this.segIds.length * 2));
      b.set(this.segIds.subarray(0, this.segCount));
      this.segIds = b;
    }
    // strings a lost frame defined stay holes: the records that use them are refused by ref()
    this.segIds.fill(-1, this.segCount, this.first);
    this.segCount = this.first;
    for (let i = 0; i < defs; i++) {
      const n = this.u32();
      this.need(n);
      this.defBytes += 4 + n;
      this.segIds[this.segCount++] = this.intern(textOf(this.buf, this.p, this.p + n));
      this.p += n;
    }
    this.known = this.segCount;
    // one method per table: each small enough for the JIT to inline the field readers into it
    const row = this.q.n;
    this.query();
    const scans = this.varint();
    for (let k = 0; k < scans; k++) {
      const scanRow = this.scan(row);
      const preds = this.varint();
      for (let m = 0; m < preds; m++) this.predicate(scanRow);
    }
    const joins = this.varint();
    for (let k = 0; k < joins; k++) this.join(row);
    if (this.p !== this.end) throw new Malformed(`${this.end - this.p} bytes follow the record`);
  }

  private intern(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.push(s) - 1;
      this.stringIds.set(s, id);
    }
    return id;
  }

  private query(): void {
    const q = this.q;
    if (q.full) q.grow(this.estimate(q.n));
    const n = q.n;
    const nums = q.nums;
    this.need(65);
    const start = this.f64();
    if (Number.isNaN(start)) throw new Malformed('startTime is not a time');
    nums[0]![n] = start;
    for (let k = 1; k < 8; k++) nums[k]![n] = this.f64();
    const flags = this.buf[this.p++]!;
    if (flags > 15) throw new Malformed(`flags ${flags} hold more than a status, a result-cache hit, a user id and a queue time`);
    q.flags[0]![n] = flags & 1;
    q.flags[1]![n] = (flags >> 1) & 1;
    const refs = q.refs;
    const count = this.format >= 3 ? Q_REFS.length : Q_SQL;
    for (let k = 0; k < count; k++) {
      const r = this.ref();
      if (r < 0 && k !== Q_ERROR_CODE && k !== Q_TRANSACTION) throw new Malformed(`${Q_REFS[k]} is missing`);
      refs[k]![n] = r;
    }
    this.need(((flags >> 2) & 1) * 8 + ((flags >> 3) & 1) * 8);
    nums[Q_USER_ID]![n] = flags & 4 ? this.f64() : NaN;
    nums[Q_QUEUE_MS]![n] = flags & 8 ? this.f64() : NaN;
    this.text(this.ids, 'id');
    // format 2's SQL, in the record's frame: its own string, not hashed (texts rarely repeat there)
    if (this.format < 3) refs[Q_SQL]![n] = this.inlineSql();
    this.text(this.errors, null);
    q.n = n + 1;
  }

  private scan(row: number): number {
    const s = this.s;
    if (s.full) s.grow(this.estimate(s.n));
    const n = s.n;
    s.parent[n] = row;
    s.refs[0]![n] = this.required('a scan table');
    s.refs[1]![n] = this.required('scan columns');
    this.need(40);
    const nums = s.nums;
    for (let k = 0; k < 5; k++) nums[k]![n] = this.f64();
    s.n = n + 1;
    return n;
  }

  private predicate(scanRow: number): void {
    const p = this.pr;
    if (p.full) p.grow(this.estimate(p.n));
    const n = p.n;
    p.parent[n] = scanRow;
    p.refs[0]![n] = this.required('a predicate column');
    p.refs[1]![n] = this.required('a predicate operator');
    p.refs[2]![n] = this.ref();
    this.need(16);
    p.nums[0]![n] = this.f64();
    p.nums[1]![n] = this.f64();
    p.n = n + 1;
  }

  private join(row: number): void {
    const j = this.j;
    if (j.full) j.grow(this.estimate(j.n));
    const n = j.n;
    j.parent[n] = row;
    const refs = j.refs;
    refs[0]![n] = this.required('a join side');
    refs[1]![n] = this.required('a join side');
    refs[2]![n] = this.required('join keys');
    refs[3]![n] = this.required('a join type');
    refs[4]![n] = this.required('a distribution action');
    this.need(32);
    const nums = j.nums;
    for (let k = 0; k < 4; k++) nums[k]![n] = this.f64();
    j.n = n + 1;
  }

  private need(n: number): void {
    if (this.p + n > this.end) throw new Malformed('the record ends early');
  }
  private u8(): number {
    this.need(1);
    return this.buf[this.p++]!;
  }
  private u32(): number {
    this.need(4);
    const x = this.dv.getUint32(this.p, true);
    this.p += 4;
    return x;
  }
  /** After need(): the bounds of a run of numbers are checked once. */
  private f64(): number {
    const x = this.dv.getFloat64(this.p, true);
    this.p += 8;
    return x;
  }
  private varint(): number {
    // a segment numbers thousands of strings: most references take two bytes, so both short forms are read here
    const p = this.p;
    const buf = this.buf;
    if (p + 1 < this.end) {
      const b0 = buf[p]!;
      if (b0 < 0x80) {
        this.p = p + 1;
        return b0;
      }
      const b1 = buf[p + 1]!;
      if (b1 < 0x80) {
        this.p = p + 2;
        return (b0 & 0x7f) | (b1 << 7);
      }
    } else if (p < this.end && buf[p]! < 0x80) {
      this.p = p + 1;
      return buf[p]!;
    }
    return this.longVarint();
  }
  private longVarint(): number {
    let x = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      this.need(1);
      const b = this.buf[this.p++]!;
      x += (b & 0x7f) * scale;
      if (b < 0x80) return x;
      scale *= 0x80;
    }
    throw new Malformed('a number is too long');
  }
  /** A reference: the part's string number, -1 for NULL. */
  private ref(): number {
    const v = this.varint();
    if (v === 0) return -1;
    if (v > this.known) this.lost(v - 1);
    const id = this.segIds[v - 1]!;
    if (id < 0) this.lost(v - 1);
    return id;
  }
  private lost(r: number): never {
    throw new Malformed(`it uses string ${r}, which no record before it in this segment that was read defined (a damaged one did)`);
  }
  private required(what: string): number {
    const r = this.ref();
    if (r < 0) throw new Malformed(`${what} is missing`);
    return r;
  }
  private text(into: Utf8Rows, what: string | null): void {
    const n = this.u32();
    if (n === NULL_TEXT) {
      if (what) throw new Malformed(`${what} is missing`);
      into.pushNull();
      return;
    }
    this.need(n);
    into.push(this.buf, this.p, n);
    this.p += n;
  }
  private inlineSql(): number {
    const n = this.u32();
    if (n === NULL_TEXT) throw new Malformed('sql is missing');
    this.need(n);
    const id = this.strings.push(textOf(this.buf, this.p, this.p + n)) - 1;
    this.p += n;
    return id;
  }

  /** A string column of `rows` with a dictionary of its own: the part's strings it uses, in order of first use. */
  private codes(rows: Rows, k: number): Codes {
    return this.codesOf(rows.refs[k]!, rows.n);
  }

  /** The first `n` string numbers of `src` as codes into a dictionary of their own. */
  private codesOf(src: Int32Array, n: number): Codes {
    if (this.remap.length < this.strings.length) this.remap = new Int32Array(Math.max(this.strings.length, this.remap.length * 2)).fill(-1);
    const remap = this.remap;
    const codes = new Int32Array(n);
    const dict: string[] = [];
    const used: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = src[i]!;
      if (id < 0) {
        codes[i] = -1;
        continue;
      }
      let c = remap[id]!;
      if (c < 0) {
        c = remap[id] = dict.push(this.strings[id]!) - 1;
        used.push(id);
      }
      codes[i] = c;
    }
    // the scratch goes back to all -1 for the next column
    for (const id of used) remap[id] = -1;
    return { codes, dict };
  }

  /**
   * The part read so far. The scans, predicates and joins are given their
   * dictionaries when first used: sys_query_history never uses them. Their
   * arrays and row counts are taken now, so rows read later are not in it.
   */
  build(): WorkloadPart {
    const { q } = this;
    const s = this.s.snapshot();
    const p = this.pr.snapshot();
    const j = this.j.snapshot();
    const scans = once(
      (): ScanColumns => ({
        length: s.n,
        query: s.parent,
        table: this.codesOf(s.refs[0]!, s.n),
        columns: this.codesOf(s.refs[1]!, s.n),
        blocksTotal: s.nums[0]!,
        blocksScanned: s.nums[1]!,
        blocksSkipped: s.nums[2]!,
        rowsScanned: s.nums[3]!,
        rowsOut: s.nums[4]!,
      }),
    );
    const predicates = once(
      (): PredicateColumns => ({
        length: p.n,
        scan: p.parent,
        column: this.codesOf(p.refs[0]!, p.n),
        op: this.codesOf(p.refs[1]!, p.n),
        literal: this.codesOf(p.refs[2]!, p.n),
        estSelectivity: p.nums[0]!,
        actualSelectivity: p.nums[1]!,
      }),
    );
    const joins = once(
      (): JoinColumns => ({
        length: j.n,
        query: j.parent,
        left: this.codesOf(j.refs[0]!, j.n),
        right: this.codesOf(j.refs[1]!, j.n),
        keys: this.codesOf(j.refs[2]!, j.n),
        type: this.codesOf(j.refs[3]!, j.n),
        action: this.codesOf(j.refs[4]!, j.n),
        leftRows: j.nums[0]!,
        rightRows: j.nums[1]!,
        rowsMoved: j.nums[2]!,
        bytesMoved: j.nums[3]!,
      }),
    );
    return {
      queries: {
        length: q.n,
        id: this.ids.done(),
        sql: codedTexts(this.codes(q, Q_SQL)),
        errorMessage: this.errors.done(),
        startMs: q.num(0),
        durationMs: q.num(1),
        rowsReturned: q.num(2),
        rowsMoved: q.num(3),
        bytesMoved: q.num(4),
        blocksTotal: q.num(5),
        blocksScanned: q.num(6),
        blocksSkipped: q.num(7),
        userId: q.num(Q_USER_ID),
        queueMs: q.num(Q_QUEUE_MS),
        status: q.flags[0]!.subarray(0, q.n),
        resultCacheHit: q.flags[1]!.subarray(0, q.n),
        user: this.codes(q, 0),
        session: this.codes(q, 1),
        source: this.codes(q, 2),
        fingerprint: this.codes(q, 3),
        command: this.codes(q, 4),
        errorCode: this.codes(q, Q_ERROR_CODE),
        groupBy: this.codes(q, 6),
        orderBy: this.codes(q, 7),
        transactionId: this.codes(q, Q_TRANSACTION),
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
}

/** A value computed on first use. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

const decoder = new TextDecoder();

/** UTF-8 bytes as a string (the payloads are Buffers, but a plain Uint8Array reads the same). */
function textOf(buf: Uint8Array, start: number, end: number): string {
  return Buffer.isBuffer(buf) ? buf.toString('utf8', start, end) : decoder.decode(buf.subarray(start, end));
}
