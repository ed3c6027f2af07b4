/**
 * Delimited text (TPC-H .tbl, CSV, TSV; gzip'd when the name ends in .gz) as a
 * stream of batches.
 *
 * The file is read in 512 KiB chunks (through zlib's streaming gunzip for .gz).
 * Each chunk is cut after its last line end and that part is decoded once, into a
 * flat string the record scanner walks with charCodeAt; the bytes after the cut
 * wait for the next chunk. Integers, decimals and dates are parsed while their
 * end is found, straight from char codes; only string fields become substrings.
 * Memory holds one chunk, one partial record and one batch of rows.
 *
 * Record rules (docs/loading.md has the user-facing version):
 * - Records end at \n; a \r right before it is dropped (CRLF). The last record
 *   may lack its newline.
 * - A record has as many fields as the table has columns, or one more when that
 *   last one is empty (the trailing delimiter dbgen writes: `a|b|c|`).
 * - A field that starts with the quote character is quoted: it runs to the next
 *   lone quote, a doubled quote stands for one, and delimiters and newlines inside
 *   are data. A quote elsewhere in a field is an ordinary character. After the
 *   closing quote comes a delimiter or the end of the record, else LOAD_FORMAT.
 * - NULL: an unquoted field equal to the NULL marker (default \N), or an empty
 *   unquoted field, in any column. A quoted empty field ("") is the empty string in
 *   CHAR/VARCHAR columns and NULL in others; a quoted \N is the text \N.
 * - Empty lines at the end of the file are ignored. An empty line elsewhere is a
 *   row with one NULL field when the table has one column, else LOAD_FORMAT.
 * - With `header`, the first record is skipped.
 * Line numbers in errors are 1-based physical lines of the decompressed text,
 * where the offending record starts.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { isAscii, isUtf8 } from 'node:buffer';
import { KeelError, LoadError } from '../errors.js';
import type { ColumnDef } from '../types.js';
import type { BadRecord, LoadedBatch } from './options.js';
import { BatchAssembler, POW10, T_BIGINT, T_CHAR, T_DATE, T_DECIMAL, T_INTEGER, T_SMALLINT, T_VARCHAR, ValueProblem, isoDate, storeText, type ValueOptions } from './values.js';

export interface TextOptions {
  readonly delimiter: string;
  readonly quote: string;
  readonly nullAs: string;
  /** Records to skip at the start (a header). */
  readonly skipRecords: number;
  readonly batchRows: number;
  readonly gzip: boolean;
  readonly values?: ValueOptions;
  /** Invalid UTF-8 becomes this character (else it is an error). */
  readonly acceptInvChars?: string | null;
  /** Bad records go here and are skipped (else the first one fails the load). */
  readonly onBadRecord?: ((bad: BadRecord) => void) | null;
}

/** Raw text kept of a bad record and field (stl_load_errors keeps 1,024 characters of each). */
const RAW_CHARS = 1024;

/**
 * Bytes per read from disk (and per gunzip output chunk). Below 1 MB on purpose:
 * Node turns larger decodes into external strings, which are slower to scan.
 */
const CHUNK_BYTES = 512 << 10;
/** A single record longer than this is an error: almost surely an unterminated quote. */
const MAX_RECORD_BYTES = 64 << 20;

/** Result of splitting one record the slow (quote-aware, allocating) way. */
interface SplitRecord {
  readonly fields: string[];
  readonly quoted: boolean[];
  /** Position after the record's terminator. */
  readonly next: number;
  /** Newlines the record spans, its terminator included. */
  readonly newlines: number;
}

/**
 * Parses records from decoded text into a batch's column buffers. `parse` is
 * called repeatedly with the current text; it returns where it stopped: at the
 * first record not wholly inside the text (unless at end of file), or when the
 * batch is full.
 */
export class DelimitedParser extends BatchAssembler {
  private readonly ncols: number;
  private readonly D: number;
  private readonly delim: string;
  private readonly Q: number;
  private readonly quote: string;
  private readonly nullAs: string;
  private readonly null0: number;
  private readonly nullLen: number;
  /** 1-based physical line of the next unparsed record. */
  line = 1;
  /** Whether the text being parsed is pure ASCII (string lengths are byte lengths). */
  ascii = true;
  /** Records still to skip as the header. */
  private headerPending: number;
  private pendingBlank = 0;
  private pendingBlankLine = 0;
  private readonly onBadRecord: ((bad: BadRecord) => void) | null;
  /** Where the record that failed starts (for skipping it), and whether it was empty lines that failed. */
  private failedAt = 0;
  private blankFailed = false;

  constructor(
    private readonly file: string,
    columns: readonly ColumnDef[],
    opts: TextOptions,
  ) {
    // NULL AS '': an empty field is NULL in every column, whatever emptyAsNull says
    super(columns, opts.batchRows, opts.nullAs === '' ? { ...opts.values, emptyAsNull: true } : opts.values);
    this.ncols = columns.length;
    this.delim = opts.delimiter;
    this.D = opts.delimiter.charCodeAt(0);
    this.quote = opts.quote;
    this.Q = opts.quote === '' ? -1 : opts.quote.charCodeAt(0);
    this.nullAs = opts.nullAs;
    this.null0 = opts.nullAs === '' ? -1 : opts.nullAs.charCodeAt(0);
    this.nullLen = opts.nullAs === '' ? -1 : opts.nullAs.length;
    this.headerPending = opts.skipRecords;
    this.onBadRecord = opts.onBadRecord ?? null;
  }

  /**
   * Parses complete records of s from pos. Returns the position of the first
   * character not consumed (s.length when all of it was). A bad record fails
   * the load, or, with onBadRecord, is handed to it and skipped.
   */
  parse(s: string, pos: number, eof: boolean): number {
    for (;;) {
      try {
        return this.parseFrom(s, pos, eof);
      } catch (err) {
        const onBad = this.onBadRecord;
        if (onBad === null || !(err instanceof LoadError)) throw err;
        pos = this.skipBad(err, s, eof, onBad);
      }
    }
  }

  /**
   * Hands the record that failed to onBadRecord and returns where the next one
   * starts: past the record when it splits into fields, else past its physical
   * line (a malformed quote). Failing empty lines are dropped and the record
   * after them is parsed again.
   */
  private skipBad(error: LoadError, s: string, eof: boolean, onBad: (bad: BadRecord) => void): number {
    const rec = this.failedAt;
    const line = this.line;
    this.clearRow(this.rows);
    if (this.blankFailed) {
      this.blankFailed = false;
      this.pendingBlank = 0;
      onBad({ error, rawLine: '', rawField: null });
      return rec;
    }
    let split: SplitRecord | null = null;
    try {
      split = this.split(s, rec, eof, line);
    } catch {
      split = null;
    }
    let next: number;
    let newlines: number;
    if (split) {
      next = split.next;
      newlines = split.newlines;
    } else {
      const nl = s.indexOf('\n', rec);
      next = nl < 0 ? s.length : nl + 1;
      newlines = nl < 0 ? 0 : 1;
    }
    let end = next;
    if (end > rec && s.charCodeAt(end - 1) === 10) end--;
    if (end > rec && s.charCodeAt(end - 1) === 13) end--;
    const col = error.column === undefined ? -1 : this.outs.findIndex((o) => o.name === error.column);
    const field = split && col >= 0 && col < split.fields.length ? split.fields[col]! : null;
    onBad({ error, rawLine: s.slice(rec, Math.min(end, rec + RAW_CHARS)), rawField: field === null ? null : field.slice(0, RAW_CHARS) });
    this.line = line + newlines;
    return next;
  }

  private parseFrom(s: string, pos: number, eof: boolean): number {
    const len = s.length;
    const ncols = this.ncols;
    const outs = this.outs;
    const D = this.D;
    const delim = this.delim;
    const quote = this.quote;
    const nullAs = this.nullAs;
    const null0 = this.null0;
    const nullLen = this.nullLen;
    const ascii = this.ascii;
    const batchRows = this.batchRows;
    let row = this.rows;
    let line = this.line;
    // Next quote at or after the scan position, cached so a search that
    // overshoots the record is reused instead of repeated (keeps the scan linear
    // in a file without quotes). -1: search again; len: none left.
    let nq = quote === '' ? len : -1;
    let rec = pos;
    let col = 0;
    try {
      while (pos < len) {
        rec = pos;
        col = 0;
        if (row === batchRows) break;
        let nl = s.indexOf('\n', pos);
        if (nl < 0) {
          if (!eof) break;
          nl = len;
        }
        if (nq < pos) {
          nq = s.indexOf(quote, pos);
          if (nq < 0) nq = len;
        }
        if (nq < nl) {
          // A quote in this line: the slow, quote-aware path for the whole record.
          if (this.headerPending > 0 || this.pendingBlank > 0) {
            row = this.prelude(row);
            if (this.headerPending > 0) {
              const split = this.split(s, pos, eof, line);
              if (split === null) break;
              this.headerPending--;
              pos = split.next;
              line += split.newlines;
              continue;
            }
            if (row === batchRows) break;
          }
          const split = this.split(s, pos, eof, line);
          if (split === null) break;
          this.storeSplit(split, row, line);
          row++;
          pos = split.next;
          line += split.newlines;
          continue;
        }
        let end = nl;
        if (end > pos && s.charCodeAt(end - 1) === 13) end--;
        if (end === pos) {
          // An empty line: ignored at the end of the file, judged when a record follows.
          if (this.pendingBlank++ === 0) this.pendingBlankLine = line;
          line++;
          pos = nl + 1;
          continue;
        }
        if (this.headerPending > 0 || this.pendingBlank > 0) {
          row = this.prelude(row);
          if (this.headerPending > 0) {
            this.headerPending--;
            line++;
            pos = nl + 1;
            continue;
          }
          if (row === batchRows) break;
        }
        // The fast path: fields of [pos, end), no quotes. Common types are
        // parsed while their end is found (one pass over the chars); anything
        // unusual (NULL, blanks, signs, exponents, errors) falls back to the
        // general path below, which finds the field end and calls storeText.
        let p = pos;
        for (;;) {
          const out = outs[col]!;
          let e = -1;
          switch (out.code) {
            case T_SMALLINT:
            case T_INTEGER:
            case T_BIGINT: {
              let q = p;
              const neg = q < end && s.charCodeAt(q) === 45;
              if (neg) q++;
              const q0 = q;
              let v = 0;
              for (; q < end; q++) {
                const d = s.charCodeAt(q) - 48;
                if (d >>> 0 > 9) break;
                v = v * 10 + d;
              }
              if (q > q0 && q - q0 <= 15 && (q === end || s.charCodeAt(q) === D)) {
                if (neg) v = 0 - v;
                if (v >= out.lo && v <= out.hi) {
                  if (out.kind === 'i32') out.i32[row] = v;
                  else out.f64[row] = v;
                  e = q;
                }
              }
              break;
            }
            case T_DECIMAL: {
              let q = p;
              const neg = q < end && s.charCodeAt(q) === 45;
              if (neg) q++;
              const q0 = q;
              let v = 0;
              for (; q < end; q++) {
                const d = s.charCodeAt(q) - 48;
                if (d >>> 0 > 9) break;
                v = v * 10 + d;
              }
              let digits = q - q0;
              let frac = 0;
              if (q < end && s.charCodeAt(q) === 46) {
                const f0 = ++q;
                for (; q < end; q++) {
                  const d = s.charCodeAt(q) - 48;
                  if (d >>> 0 > 9) break;
                  v = v * 10 + d;
                }
                frac = q - f0;
                digits += frac;
              }
              const scale = out.scale;
              // Up to 15 digits the integer is exact; more fraction digits than the scale need rounding: general path.
              if (digits > 0 && digits <= 15 && frac <= scale && (q === end || s.charCodeAt(q) === D)) {
                if (frac < scale) v *= POW10[scale - frac]!;
                if (neg) v = 0 - v;
                if (v >= out.lo && v <= out.hi) {
                  out.f64[row] = v;
                  e = q;
                }
              }
              break;
            }
            case T_DATE: {
              if (out.dateParser !== null) break;
              const q = p + 10;
              if (q <= end && (q === end || s.charCodeAt(q) === D)) {
                const v = isoDate(s, p);
                if (v === v) {
                  out.i32[row] = v;
                  e = q;
                }
              }
              break;
            }
            case T_CHAR:
            case T_VARCHAR: {
              if (!out.plain) break; // COPY's options: storeText applies them
              // Short fields: a char loop; longer ones: indexOf from there.
              let q = p;
              const lim = p + 16 < end ? p + 16 : end;
              while (q < lim && s.charCodeAt(q) !== D) q++;
              if (q === lim && q < end) {
                q = s.indexOf(delim, q);
                if (q < 0 || q > end) q = end;
              }
              if (q === p || (q - p === nullLen && s.charCodeAt(p) === null0 && s.startsWith(nullAs, p))) break;
              let b = q;
              if (out.code === T_CHAR) while (b > p && s.charCodeAt(b - 1) === 32) b--;
              const n = b - p;
              if (n > out.maxBytes / 3 && (n > out.maxBytes || !ascii)) break; // let storeText measure and judge
              out.addRange(row, s, p, b);
              e = q;
              break;
            }
          }
          if (e < 0) {
            e = p;
            while (e < end && s.charCodeAt(e) !== D) e++;
            if (e === p) out.putEmpty(row);
            else if (e - p === nullLen && s.charCodeAt(p) === null0 && s.startsWith(nullAs, p)) out.setNull(row);
            else storeText(out, row, s, p, e, ascii);
          }
          if (++col === ncols) {
            // Done unless there is more than a trailing delimiter.
            if (e < end && e + 1 !== end) throw this.countError(s, rec, eof, line);
            break;
          }
          if (e === end) throw this.countError(s, rec, eof, line);
          p = e + 1;
        }
        row++;
        line++;
        pos = nl + 1;
      }
    } catch (err) {
      this.rows = row;
      this.line = line;
      this.failedAt = rec;
      if (err instanceof ValueProblem) throw this.valueError(err, s, rec, eof, line, col);
      throw err;
    }
    this.rows = row;
    this.line = line;
    return pos < len ? pos : len;
  }

  /** Called when text runs out at end of file; anything pending is settled. */
  finish(): void {
    // Trailing empty lines are ignored.
    this.pendingBlank = 0;
  }

  /**
   * Before a record: forgets empty lines ahead of the header, and emits NULL rows
   * for pending empty lines (one-column tables) or rejects them. Returns the new
   * row count; stops early when the batch fills up (the caller then stops too and
   * comes back to the same record after the batch is taken).
   */
  private prelude(row: number): number {
    if (this.headerPending > 0) {
      this.pendingBlank = 0;
      return row;
    }
    if (this.ncols !== 1) {
      this.blankFailed = true;
      throw new LoadError('LOAD_FORMAT', `empty line; expected ${this.ncols} fields`, this.file, this.pendingBlankLine);
    }
    const out = this.outs[0]!;
    while (this.pendingBlank > 0 && row < this.batchRows) {
      try {
        out.putEmpty(row);
      } catch (err) {
        this.blankFailed = true;
        if (err instanceof ValueProblem) throw new LoadError('LOAD_VALUE', err.message, this.file, this.pendingBlankLine, out.name);
        throw err;
      }
      row++;
      this.pendingBlank--;
      this.pendingBlankLine++;
    }
    return row;
  }

  /** Stores the fields of a record split the slow way. */
  private storeSplit(split: SplitRecord, row: number, line: number): void {
    const { fields, quoted } = split;
    const n = fields.length;
    const ncols = this.ncols;
    if (!(n === ncols || (n === ncols + 1 && fields[ncols] === '' && !quoted[ncols]))) {
      throw new LoadError('LOAD_FORMAT', `expected ${ncols} fields, found ${n}`, this.file, line);
    }
    for (let c = 0; c < ncols; c++) {
      const out = this.outs[c]!;
      const f = fields[c]!;
      try {
        if (quoted[c]) {
          if (out.kind === 'str') out.putString(row, f);
          else if (f === '') out.setNull(row);
          else storeText(out, row, f, 0, f.length, false);
        } else if (f === this.nullAs) out.setNull(row);
        else if (f === '') out.putEmpty(row);
        else storeText(out, row, f, 0, f.length, false);
      } catch (err) {
        if (err instanceof ValueProblem) throw new LoadError('LOAD_VALUE', err.message, this.file, line, out.name);
        throw err;
      }
    }
  }

  /**
   * Splits the record at pos into fields, honouring quotes. null when the record
   * may continue past the end of s (and this is not the end of the file).
   */
  split(s: string, pos: number, eof: boolean, line: number): SplitRecord | null {
    const len = s.length;
    const D = this.D;
    const Q = this.Q;
    const fields: string[] = [];
    const quoted: boolean[] = [];
    let newlines = 0;
    let p = pos;
    for (;;) {
      if (Q >= 0 && p < len && s.charCodeAt(p) === Q) {
        let value = '';
        let q = p + 1;
        for (;;) {
          const k = s.indexOf(this.quote, q);
          if (k < 0) {
            if (!eof) return null;
            throw new LoadError('LOAD_FORMAT', 'unterminated quoted field', this.file, line, this.outs[fields.length]?.name);
          }
          value += s.slice(q, k);
          if (k + 1 < len && s.charCodeAt(k + 1) === Q) {
            value += this.quote;
            q = k + 2;
            continue;
          }
          if (k + 1 >= len && !eof) return null; // the next chunk may start with a second quote
          p = k + 1;
          break;
        }
        for (let i = value.indexOf('\n'); i >= 0; i = value.indexOf('\n', i + 1)) newlines++;
        fields.push(value);
        quoted.push(true);
        if (p >= len) return { fields, quoted, next: len, newlines };
        const c = s.charCodeAt(p);
        if (c === D) {
          p++;
          continue;
        }
        if (c === 10) return { fields, quoted, next: p + 1, newlines: newlines + 1 };
        if (c === 13) {
          if (p + 1 >= len) {
            if (!eof) return null;
            return { fields, quoted, next: len, newlines };
          }
          if (s.charCodeAt(p + 1) === 10) return { fields, quoted, next: p + 2, newlines: newlines + 1 };
        }
        throw new LoadError(
          'LOAD_FORMAT',
          `unexpected character ${JSON.stringify(s[p])} after closing quote (expected a delimiter or end of line)`,
          this.file,
          line,
          this.outs[fields.length - 1]?.name,
        );
      }
      let e = p;
      let c = -1;
      while (e < len) {
        c = s.charCodeAt(e);
        if (c === D || c === 10) break;
        e++;
      }
      if (e >= len) {
        if (!eof) return null;
        c = -1;
      }
      let fe = e;
      if (c !== D && fe > p && s.charCodeAt(fe - 1) === 13) fe--;
      fields.push(s.slice(p, fe));
      quoted.push(false);
      if (c === D) {
        p = e + 1;
        continue;
      }
      if (c === 10) return { fields, quoted, next: e + 1, newlines: newlines + 1 };
      return { fields, quoted, next: len, newlines };
    }
  }

  private countError(s: string, rec: number, eof: boolean, line: number): LoadError {
    const split = this.split(s, rec, eof, line);
    const found = split ? split.fields.length : 0;
    return new LoadError('LOAD_FORMAT', `expected ${this.ncols} fields, found ${found}`, this.file, line);
  }

  /** A bad value, unless the record has the wrong number of fields (which explains it better). */
  private valueError(err: ValueProblem, s: string, rec: number, eof: boolean, line: number, col: number): LoadError {
    let split: SplitRecord | null = null;
    try {
      split = this.split(s, rec, eof, line);
    } catch {
      split = null;
    }
    if (split) {
      const n = split.fields.length;
      const ncols = this.ncols;
      if (!(n === ncols || (n === ncols + 1 && split.fields[ncols] === ''))) {
        return new LoadError('LOAD_FORMAT', `expected ${ncols} fields, found ${n}`, this.file, line);
      }
    }
    return new LoadError('LOAD_VALUE', err.message, this.file, line, this.outs[col]?.name);
  }
}

/**
 * Decodes bytes [0, end) of buf: Latin-1 when pure ASCII (the fastest decode),
 * else UTF-8 after validation (invalid UTF-8 is an error, not U+FFFD).
 */
function decode(buf: Buffer, end: number, ascii: boolean, file: string, line: number, replacement: string | null): string {
  if (ascii) return buf.toString('latin1', 0, end);
  if (!isUtf8(buf.subarray(0, end))) {
    // ACCEPTINVCHARS: the decoder's U+FFFD for each invalid sequence becomes the replacement
    if (replacement !== null) return buf.toString('utf8', 0, end).replace(/\uFFFD/g, replacement);
    // Find the physical line with the bad bytes (error path: cost is no concern).
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      const stop = nl < 0 || nl >= end ? end : nl;
      if (!isUtf8(buf.subarray(start, stop))) break;
      if (stop === end) break;
      start = stop + 1;
      line++;
    }
    throw new LoadError('LOAD_VALUE', 'invalid UTF-8 in the text', file, line);
  }
  return buf.toString('utf8', 0, end);
}

/**
 * Reads delimited text as batches: the file's, or `input`'s when given (COPY
 * FROM STDIN: the client's data, `file` then only names it in errors).
 */
export async function* readDelimited(
  file: string,
  columns: readonly ColumnDef[],
  opts: TextOptions,
  totalBytes: number,
  input?: AsyncIterable<Buffer>,
): AsyncGenerator<LoadedBatch> {
  const parser = new DelimitedParser(file, columns, opts);
  const raw = input === undefined ? fs.createReadStream(file, { highWaterMark: CHUNK_BYTES }) : null;
  const gunzip = raw && opts.gzip ? zlib.createGunzip({ chunkSize: CHUNK_BYTES }) : null;
  let source: AsyncIterable<Buffer>;
  if (gunzip) {
    raw!.on('error', (e) => gunzip.destroy(e));
    source = raw!.pipe(gunzip);
  } else source = raw ?? input!;
  let inputBytes = 0;
  const batch = (): LoadedBatch => ({ ...parser.take(), bytesRead: raw ? raw.bytesRead : inputBytes, totalBytes });
  // Bytes read but not yet parsed: the start of a record cut by the chunk end.
  // They are kept as bytes and decoded together with the next chunk, so every
  // text handed to the parser is a fresh flat string (a concatenated string
  // would make every charCodeAt slower) that ends at a line end.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let first = true;
  try {
    const iterator = source[Symbol.asyncIterator]();
    for (;;) {
      let chunk: Buffer | undefined;
      try {
        const r = await iterator.next();
        chunk = r.done ? undefined : r.value;
      } catch (err) {
        throw ioError(err, file, parser.line);
      }
      const eof = chunk === undefined;
      if (!eof) inputBytes += chunk!.length;
      if (!eof && chunk!.indexOf(10) < 0) {
        // No line end yet: keep collecting (concatenated once a newline arrives).
        pending.push(chunk!);
        pendingBytes += chunk!.length;
        if (pendingBytes > MAX_RECORD_BYTES) throw tooLong(file, parser.line);
        continue;
      }
      let buf: Buffer;
      if (eof) buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
      else buf = pending.length > 0 ? Buffer.concat([...pending, chunk!]) : chunk!;
      pending = [];
      pendingBytes = 0;
      if (first && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3); // UTF-8 BOM
      if (buf.length >= 3 || eof) first = false;
      // Parse up to the last newline (all of it at end of file).
      const cut = eof ? buf.length : buf.lastIndexOf(10) + 1;
      const ascii = isAscii(buf.subarray(0, cut));
      const text = decode(buf, cut, ascii, file, parser.line, opts.acceptInvChars ?? null);
      parser.ascii = ascii;
      let pos = 0;
      for (;;) {
        pos = parser.parse(text, pos, eof);
        if (parser.full) {
          yield batch();
          continue;
        }
        break;
      }
      if (eof) break;
      // What the parser left (a record with a quoted newline running past the cut) stays pending.
      const used = pos === text.length ? cut : ascii ? pos : cut - Buffer.byteLength(text.slice(pos));
      if (used < buf.length) {
        // A copy, so the chunk it came from can be collected.
        pending = [Buffer.from(buf.subarray(used))];
        pendingBytes = buf.length - used;
        if (pendingBytes > MAX_RECORD_BYTES) throw tooLong(file, parser.line);
      }
    }
    parser.finish();
    if (parser.rows > 0) yield batch();
  } finally {
    raw?.destroy();
    gunzip?.destroy();
  }
}

function tooLong(file: string, line: number): LoadError {
  return new LoadError('LOAD_FORMAT', `record longer than ${MAX_RECORD_BYTES >> 20} MiB (unterminated quoted field?)`, file, line);
}

function ioError(err: unknown, file: string, line: number): KeelError {
  // a source's own error (a COPY FROM STDIN the client failed) stays as it is
  if (err instanceof KeelError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && e.code.startsWith('Z_')) {
    return new LoadError('LOAD_FORMAT', `invalid gzip data (${e.message})`, file, line);
  }
  return new LoadError('IO', `read failed: ${e?.message ?? String(err)}`, file);
}
