/**
 * A binary raw segment's records (format 3, or 2) as a columnar part, built
 * as the frames are read (layout: binary-codec.ts). Numbers go straight into
 * typed arrays; each string column keeps the segment's string numbers it has
 * met and maps them to its own dictionary codes with one array read per row,
 * the SQL text included (format 3 writes each distinct text once per
 * segment); ids and error messages are copied as UTF-8 bytes, decoded only
 * when read. One pass per record: a record that turns out malformed half-way
 * is taken back out of the columns.
 */
import { buildPart, codedTexts, partColumns, utf8Texts, type Codes, type Texts, type WorkloadPart } from './columns.js';
import { NULL_TEXT, RECORD_TAG } from './binary-codec.js';
import { SEGMENT_FORMAT } from './frame.js';
import { QUERY_RECORD_VERSION } from '../engine/index.js';

/** A string column coded against a segment's string table: each segment string gets a code on first use. */
class StringCodes {
  private remap = new Int32Array(64).fill(-1);
  private codes = new Int32Array(64);
  n = 0;
  private readonly dict: string[] = [];
  constructor(private readonly strings: readonly (string | undefined)[]) {}
  push(id: number): void {
    if (this.n === this.codes.length) this.codes = grow(this.codes, this.n * 2);
    if (id < 0) {
      this.codes[this.n++] = -1;
      return;
    }
    if (id >= this.remap.length) {
      const r = new Int32Array(Math.max(id + 1, this.remap.length * 2)).fill(-1);
      r.set(this.remap);
      this.remap = r;
    }
    let code = this.remap[id]!;
    if (code < 0) this.remap[id] = code = this.dict.push(this.strings[id]!) - 1;
    this.codes[this.n++] = code;
  }
  /** A value of this row alone (the inline SQL of format 2): its own dictionary entry, not hashed. */
  own(s: string): void {
    if (this.n === this.codes.length) this.codes = grow(this.codes, this.n * 2);
    this.codes[this.n++] = this.dict.push(s) - 1;
  }
  /** Forgets the codes of segment strings from `id` on: a rolled-back record defined them. */
  forget(id: number): void {
    if (id < this.remap.length) this.remap.fill(-1, id);
  }
  /** The codes are a view (appends go past it; a rolled-back record only rewrites what follows it). */
  coded(): Codes {
    return { codes: this.codes.subarray(0, this.n), dict: this.dict.slice() };
  }
}

class SegmentCodes extends StringCodes {
  done(): Codes {
    return this.coded();
  }
}

/** The SQL column: coded like the others, given to readers as text. */
class SqlCodes extends StringCodes {
  done(): Texts {
    return codedTexts(this.coded());
  }
}

function grow(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/** UTF-8 values copied out of the payloads. */
class Utf8Builder {
  private data = new Uint8Array(4096);
  private offsets = new Int32Array(65);
  private nulls: Uint8Array | null = null;
  n = 0;
  push(seg: Buffer, start: number, end: number): void {
    if (this.n + 1 === this.offsets.length) this.offsets = grow(this.offsets, this.offsets.length * 2);
    const at = this.offsets[this.n]!;
    if (start < 0) {
      if (!this.nulls || this.nulls.length < this.offsets.length) {
        const b = new Uint8Array(this.offsets.length);
        if (this.nulls) b.set(this.nulls);
        this.nulls = b;
      }
      this.nulls[this.n] = 1;
      this.offsets[++this.n] = at;
      return;
    }
    const len = end - start;
    if (at + len > this.data.length) {
      const b = new Uint8Array(Math.max(at + len, this.data.length * 2));
      b.set(this.data.subarray(0, at));
      this.data = b;
    }
    // ids are short, SQL a few hundred bytes: a native copy only pays for the long ones (Buffer.copy: no view made)
    if (len > 64) seg.copy(this.data, at, start, end);
    else for (let k = 0; k < len; k++) this.data[at + k] = seg[start + k]!;
    if (this.nulls && this.n < this.nulls.length) this.nulls[this.n] = 0;
    this.offsets[++this.n] = at + len;
  }
  done(): Texts {
    const n = this.n;
    // views, as SegmentCodes.done() gives
    return utf8Texts({
      offsets: this.offsets.subarray(0, n + 1),
      data: this.data.subarray(0, this.offsets[n]!),
      nulls: this.nulls ? this.nulls.subarray(0, n) : null,
    });
  }
}

class Malformed extends Error {}

/** Reads a binary segment's payloads (format 3 or 2), in order, into columns. */
export class SegmentPartBuilder {
  /** The segment's string table: every string its records defined so far; undefined where a lost frame defined one. */
  private readonly strings: (string | undefined)[] = [];
  private readonly cols = partColumns(
    () => new SegmentCodes(this.strings),
    () => new Utf8Builder(),
    () => new SqlCodes(this.strings),
  );
  /** Every column builder, for taking a malformed record back out. */
  private readonly all: { n: number }[] = [this.cols.q, this.cols.s, this.cols.p, this.cols.j].flatMap((t) => Object.values(t) as { n: number }[]);
  /** Each column builder's length before the record being read. */
  private readonly marks = new Int32Array(this.all.length);
  private buf: Buffer = Buffer.alloc(0);
  private dv: DataView = new DataView(new ArrayBuffer(0));
  private p = 0;
  private end = 0;
  /** The record's own strings are numbered first..known-1; those below `first` must be read already. */
  private first = 0;
  private known = 0;

  /** The format of the segment being read: 3 holds the SQL as a string of the segment, 2 inline. */
  constructor(private format: number = SEGMENT_FORMAT) {}

  get length(): number {
    return this.cols.q.status.n;
  }

  /**
   * Reads another segment's records into the same columns (compaction reads
   * all it consumes into one part, with nothing to concatenate): the string
   * table starts over, the columns' dictionaries go on.
   */
  startSegment(format: number): void {
    this.format = format;
    this.strings.length = 0;
    this.first = 0;
    this.known = 0;
    for (const c of this.all) if (c instanceof StringCodes) c.forget(0);
  }

  /** Adds the record in `seg[start..end)`; a message when it cannot be read (nothing is added then). */
  add(seg: Buffer, start: number, end: number): string | null {
    if (seg !== this.buf) {
      this.buf = seg;
      this.dv = new DataView(seg.buffer, seg.byteOffset, seg.byteLength);
    }
    this.p = start;
    this.end = end;
    const strings = this.strings.length;
    for (let i = 0; i < this.all.length; i++) this.marks[i] = this.all[i]!.n;
    try {
      this.record();
      return null;
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      for (let i = 0; i < this.all.length; i++) {
        const c = this.all[i]!;
        c.n = this.marks[i]!;
        if (c instanceof StringCodes) c.forget(strings);
      }
      this.strings.length = strings;
      return e.message;
    }
  }

  private record(): void {
    if (this.u8() !== RECORD_TAG) throw new Malformed('not a record');
    const version = this.u8();
    if (version > QUERY_RECORD_VERSION) throw new Malformed(`record version ${version} is newer than this keel reads (${QUERY_RECORD_VERSION})`);
    this.first = this.varint();
    const defs = this.varint();
    if (this.first < this.strings.length) throw new Malformed(`its strings are numbered from ${this.first}, but ${this.strings.length} were read before it`);
    // strings a lost frame defined stay holes: the records that use them are refused by ref()
    while (this.strings.length < this.first) this.strings.push(undefined);
    for (let i = 0; i < defs; i++) {
      const n = this.u32();
      this.need(n);
      this.strings.push(this.buf.toString('utf8', this.p, this.p + n));
      this.p += n;
    }
    this.known = this.first + defs;
    // one method per table: each small enough for the JIT to inline the field readers into it
    const row = this.cols.q.status.n;
    this.query();
    const scans = this.varint();
    for (let k = 0; k < scans; k++) {
      this.scan(row);
      const scanRow = this.cols.s.query.n - 1;
      const preds = this.varint();
      for (let m = 0; m < preds; m++) this.predicate(scanRow);
    }
    const joins = this.varint();
    for (let k = 0; k < joins; k++) this.join(row);
    if (this.p !== this.end) throw new Malformed(`${this.end - this.p} bytes follow the record`);
  }

  private query(): void {
    const q = this.cols.q;
    this.need(65);
    const start = this.f64();
    if (Number.isNaN(start)) throw new Malformed('startTime is not a time');
    q.startMs.push(start);
    q.durationMs.push(this.f64());
    q.rowsReturned.push(this.f64());
    q.rowsMoved.push(this.f64());
    q.bytesMoved.push(this.f64());
    q.blocksTotal.push(this.f64());
    q.blocksScanned.push(this.f64());
    q.blocksSkipped.push(this.f64());
    const flags = this.buf[this.p++]!;
    if (flags > 15) throw new Malformed(`flags ${flags} hold more than a status, a result-cache hit, a user id and a queue time`);
    q.status.push(flags & 1);
    q.resultCacheHit.push((flags >> 1) & 1);
    q.user.push(this.required('user'));
    q.session.push(this.required('session'));
    q.source.push(this.required('source'));
    q.fingerprint.push(this.required('fingerprint'));
    q.command.push(this.required('command'));
    q.errorCode.push(this.ref());
    q.groupBy.push(this.required('groupBy'));
    q.orderBy.push(this.required('orderBy'));
    q.transactionId.push(this.ref());
    if (this.format >= 3) q.sql.push(this.required('sql'));
    this.need(((flags >> 2) & 1) * 8 + ((flags >> 3) & 1) * 8);
    q.userId.push(flags & 4 ? this.f64() : NaN);
    q.queueMs.push(flags & 8 ? this.f64() : NaN);
    this.text(q.id, 'id');
    if (this.format < 3) this.inlineSql(q.sql);
    this.text(q.errorMessage, null);
  }

  private scan(row: number): void {
    const s = this.cols.s;
    s.query.push(row);
    s.table.push(this.required('a scan table'));
    s.columns.push(this.required('scan columns'));
    this.need(40);
    s.blocksTotal.push(this.f64());
    s.blocksScanned.push(this.f64());
    s.blocksSkipped.push(this.f64());
    s.rowsScanned.push(this.f64());
    s.rowsOut.push(this.f64());
  }

  private predicate(scanRow: number): void {
    const p = this.cols.p;
    p.scan.push(scanRow);
    p.column.push(this.required('a predicate column'));
    p.op.push(this.required('a predicate operator'));
    p.literal.push(this.ref());
    this.need(16);
    p.estSelectivity.push(this.f64());
    p.actualSelectivity.push(this.f64());
  }

  private join(row: number): void {
    const j = this.cols.j;
    j.query.push(row);
    j.left.push(this.required('a join side'));
    j.right.push(this.required('a join side'));
    j.keys.push(this.required('join keys'));
    j.type.push(this.required('a join type'));
    j.action.push(this.required('a distribution action'));
    this.need(32);
    j.leftRows.push(this.f64());
    j.rightRows.push(this.f64());
    j.rowsMoved.push(this.f64());
    j.bytesMoved.push(this.f64());
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
    const p = this.p;
    if (p < this.end) {
      const b = this.buf[p]!;
      if (b < 0x80) {
        this.p = p + 1;
        return b;
      }
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
  private ref(): number {
    const r = this.varint() - 1;
    if (r >= this.known || (r >= 0 && r < this.first && this.strings[r] === undefined)) this.lost(r);
    return r;
  }
  private lost(r: number): never {
    throw new Malformed(`it uses string ${r}, which no record before it in this segment that was read defined (a damaged one did)`);
  }
  private required(what: string): number {
    const r = this.ref();
    if (r < 0) throw new Malformed(`${what} is missing`);
    return r;
  }
  private text(b: Utf8Builder, what: string | null): void {
    const n = this.u32();
    if (n === NULL_TEXT) {
      if (what) throw new Malformed(`${what} is missing`);
      b.push(this.buf, -1, -1);
      return;
    }
    this.need(n);
    b.push(this.buf, this.p, this.p + n);
    this.p += n;
  }

  /** Format 2's SQL, in the record's frame: its own entry of the column's dictionary. */
  private inlineSql(c: SqlCodes): void {
    const n = this.u32();
    if (n === NULL_TEXT) throw new Malformed('sql is missing');
    this.need(n);
    c.own(this.buf.toString('utf8', this.p, this.p + n));
    this.p += n;
  }

  build(): WorkloadPart {
    return buildPart(this.cols);
  }
}


