/**
 * How a log record is stored in a raw segment's frame (format 3): binary, with
 * the strings that repeat (users, fingerprints, table and column names,
 * operators, literals, and the SQL text itself) written once per segment and
 * referred to by number afterwards. The SQL text is most of a record's bytes
 * (about 900 of 1,000 for TPC-H): a workload that repeats statements exactly
 * (dashboards, scheduled reports) stores, checksums, reads and compacts each
 * text once per segment instead of once per statement. Compaction then reads a record with a few dozen number
 * reads and byte copies: no JSON, no string built or hashed per record (a
 * million records used to spend most of their 32 s of CPU in JSON.parse and in
 * hashing the fingerprint strings it made). Payload layout:
 *
 *   u8 0xC1 (a record; JSON payloads of format 1 start with '[')   u8 record version
 *   varint number of the first new string, varint count of new strings, each: u32le byte length, UTF-8 bytes
 *     (the segment's strings are numbered in order; the number is written so that a reader that lost a frame
 *     still numbers the strings after it right)
 *   f64le x8: startMs durationMs rowsReturned rowsMoved bytesMoved blocksTotal blocksScanned blocksSkipped
 *   u8 flags: bit 0 the status (0 ok, 1 error), bit 1 a result-cache hit (QueryRecord.resultCacheHit),
 *     bit 2 a userId follows, bit 3 a queueMs follows
 *   ref x10: user session source fingerprint command errorCode groupBy orderBy transactionId sql
 *   f64le userId (when flagged), f64le queueMs (when flagged)
 *   text x2: id errorMessage
 *   (format 2, still read: ref x9 without sql, then text x3: id sql errorMessage)
 *   varint scans, each: ref table, ref columns, f64le x5 (blocksTotal blocksScanned blocksSkipped rowsScanned rowsOut),
 *     varint predicates, each: ref column, ref op, ref literal, f64le estSelectivity, f64le actualSelectivity (NaN: null)
 *   varint joins, each: ref left, ref right, ref keys, ref type, ref action, f64le x4 (leftRows rightRows rowsMoved bytesMoved)
 *
 *   ref:  varint, 0 NULL, k the segment's string k-1
 *   text: u32le 0xFFFFFFFF NULL, else byte length, then the UTF-8 bytes (unique per record: not in the dictionary)
 *   lists (groupBy, orderBy, scan columns) are stored joined by ',', join keys as "l.a=r.b,l.c=r.d": as the columns hold them
 *
 * segment-part.ts reads it. A record only refers to strings of its own frame
 * or of frames before it in the same segment, so a reader that lost a frame (a damaged one, skipped)
 * loses with it the later records that use a string it introduced; they are
 * skipped with a warning. The writer forgets its strings with every new
 * segment and after a write that failed.
 */
import type { QueryRecord } from '../engine/index.js';
import { joinKeysText } from './columns.js';
import type { LogRecord, RecordSource } from './record.js';

export const RECORD_TAG = 0xc1;
export const NULL_TEXT = 0xffffffff;

/** Encodes records of one segment, remembering the strings already written to it. */
export class RecordEncoder {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];
  /** Strings defined by the records encoded since mark(). */
  private marked = 0;
  private body: Buffer = Buffer.allocUnsafe(16 * 1024);
  private at = 0;
  private defs: string[] = [];

  /** Forgets every string: the next record starts a new segment. */
  reset(): void {
    this.ids.clear();
    this.strings.length = 0;
    this.marked = 0;
  }

  /** The strings known now are on disk: rollback() keeps them. */
  mark(): void {
    this.marked = this.strings.length;
  }

  /** Forgets the strings defined since mark(): the frames that defined them were not written. */
  rollback(): void {
    for (let i = this.marked; i < this.strings.length; i++) this.ids.delete(this.strings[i]!);
    this.strings.length = this.marked;
  }

  /** Writes the record's payload into `out` at `pos`; returns the buffer (larger when it had to grow) and the end. */
  encode(r: QueryRecord | LogRecord, source: RecordSource, out: Buffer, pos: number): { buf: Buffer; end: number } {
    this.at = 0;
    this.defs = [];
    this.body = ensure(this.body, 0, 0, 512);
    // the body first (it finds the new strings), then header and definitions, then the body copied after them
    for (const x of [Date.parse(r.startTime), r.durationMs, r.rowsReturned, r.rowsMoved, r.bytesMoved, r.blocksTotal, r.blocksScanned, r.blocksSkipped]) this.f64(x);
    this.u8((r.status === 'ok' ? 0 : 1) | (r.resultCacheHit ? 2 : 0) | (r.userId !== undefined ? 4 : 0) | (r.queueMs !== undefined ? 8 : 0));
    this.ref(r.user);
    this.ref(r.session);
    this.ref('source' in r ? r.source : source);
    this.ref(r.fingerprint);
    this.ref(r.command);
    this.ref(r.error?.code ?? null);
    this.ref(r.groupBy.join(','));
    this.ref(r.orderBy.join(','));
    this.ref(r.transactionId ?? null);
    this.ref(r.sql);
    if (r.userId !== undefined) this.f64(r.userId);
    if (r.queueMs !== undefined) this.f64(r.queueMs);
    this.text(r.id);
    this.text(r.error ? r.error.message : null);
    this.varint(r.scans.length);
    for (const s of r.scans) {
      this.ref(s.table);
      this.ref(s.columns.join(','));
      this.f64(s.blocksTotal);
      this.f64(s.blocksScanned);
      this.f64(s.blocksSkipped);
      this.f64(s.rowsScanned);
      this.f64(s.rowsOut);
      this.varint(s.predicates.length);
      for (const p of s.predicates) {
        this.ref(p.column);
        this.ref(p.op);
        this.ref(p.literal);
        this.f64(p.estSelectivity);
        this.f64(p.actualSelectivity ?? NaN);
      }
    }
    this.varint(r.joins.length);
    for (const j of r.joins) {
      this.ref(j.left);
      this.ref(j.right);
      this.ref(joinKeysText(j.keys));
      this.ref(j.type);
      this.ref(j.action);
      this.f64(j.leftRows);
      this.f64(j.rightRows);
      this.f64(j.rowsMoved);
      this.f64(j.bytesMoved);
    }
    let defBytes = 10;
    for (const d of this.defs) defBytes += 4 + d.length * 3;
    let buf = ensure(out, pos, pos, 2 + defBytes + this.at);
    let p = pos;
    buf[p++] = RECORD_TAG;
    buf[p++] = r.version;
    p = writeVarint(buf, p, this.strings.length - this.defs.length);
    p = writeVarint(buf, p, this.defs.length);
    for (const d of this.defs) {
      const n = buf.write(d, p + 4, 'utf8');
      buf.writeUInt32LE(n, p);
      p += 4 + n;
    }
    this.body.copy(buf, p, 0, this.at);
    return { buf, end: p + this.at };
  }

  private room(n: number): void {
    if (this.at + n > this.body.length) this.body = ensure(this.body, this.at, this.at, n);
  }
  private u8(x: number): void {
    this.room(1);
    this.body[this.at++] = x;
  }
  private f64(x: number): void {
    this.room(8);
    this.body.writeDoubleLE(x, this.at);
    this.at += 8;
  }
  private varint(x: number): void {
    this.room(5);
    this.at = writeVarint(this.body, this.at, x);
  }
  private ref(s: string | null): void {
    if (s === null) return this.varint(0);
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.push(s) - 1;
      this.ids.set(s, id);
      this.defs.push(s);
    }
    this.varint(id + 1);
  }
  private text(s: string | null): void {
    if (s === null) {
      this.room(4);
      this.body.writeUInt32LE(NULL_TEXT, this.at);
      this.at += 4;
      return;
    }
    this.room(4 + s.length * 3);
    const n = this.body.write(s, this.at + 4, 'utf8');
    this.body.writeUInt32LE(n, this.at);
    this.at += 4 + n;
  }
}

/** `buf`, or a larger copy of its first `keep` bytes, with room for `need` bytes from `at`. */
function ensure(buf: Buffer, keep: number, at: number, need: number): Buffer {
  if (at + need <= buf.length) return buf;
  const bigger = Buffer.allocUnsafe(Math.max(at + need, buf.length * 2));
  buf.copy(bigger, 0, 0, keep);
  return bigger;
}

function writeVarint(buf: Buffer, p: number, x: number): number {
  while (x >= 0x80) {
    buf[p++] = (x & 0x7f) | 0x80;
    x >>>= 7;
  }
  buf[p++] = x;
  return p;
}
