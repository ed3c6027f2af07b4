/**
 * Segment files: one slice's share of one write, sorted, cut into blocks.
 *
 *   "KSEG0001"
 *   block group 0: column 0 [null bitmap][encoded values], column 1 ..., then block group 1 ...
 *   footer (JSON): rows, placement (slice, slices, dist, distKey), per column its name,
 *                  type and per block: offset, length, encoding, rows, zone map, crc32
 *   u32 footer length, u32 footer crc32, "KSEGEND1"
 *
 * A scan reads only the blocks of the columns it needs, each one contiguous. Files are
 * immutable once written; every block carries a CRC so damage is reported, never
 * returned as data.
 */
import * as fs from 'node:fs';
import { crc32 } from 'node:zlib';
import { StorageError } from '../errors.js';
import type { PhysicalKind, SqlType, Vector } from '../types.js';
import type { DistStyle } from '../catalog/catalog.js';
import type { EncodingId } from './codecs/codec.js';
import { codecById, encodeAuto } from './codecs/index.js';
import { packBits, unpackBits, zoneMap } from './vectors.js';

const HEAD = Buffer.from('KSEG0001');
const TAIL = Buffer.from('KSEGEND1');
const TRAILER_BYTES = 8 + TAIL.length;

export interface BlockMeta {
  /** Offset and length in the file of the block (null bitmap, then values). */
  readonly offset: number;
  readonly length: number;
  readonly encoding: EncodingId;
  readonly rows: number;
  readonly nullCount: number;
  readonly min: number | string | null;
  readonly max: number | string | null;
  /** Bytes of packed NULL bitmap at the start of the block (0 when no NULLs). */
  readonly nullBytes: number;
  readonly crc: number;
}

/**
 * Where a segment's rows are placed, written into its footer so that a catalog
 * entry contradicting the file is noticed when the file is read
 * (integrity.ts). Segments written before data format 2 have none of it.
 */
export interface SegmentPlacement {
  /** The slice that owns the rows; -1 for the single copy of a DISTSTYLE ALL table. */
  readonly slice: number;
  /** The data directory's slice count the rows were placed for. */
  readonly slices: number;
  readonly dist: DistStyle;
  readonly distKey: string | null;
}

export interface SegmentFooter extends Partial<SegmentPlacement> {
  readonly rows: number;
  /** `type` is absent in segments written before data format 2. */
  readonly columns: readonly { readonly name: string; readonly type?: SqlType; readonly blocks: readonly BlockMeta[] }[];
}

/** A column as a segment writer needs it; `type` goes into the footer. */
export interface SegmentColumn {
  readonly name: string;
  readonly encoding: EncodingId | 'auto';
  readonly type?: SqlType;
}

/**
 * Writes a segment file block group by block group, so a segment of any size is
 * written with one block of each column in memory. Block groups are stored one
 * after another (all columns of rows 0..B-1, then of rows B..2B-1, ...): a block of
 * one column is one contiguous read, which is what a scan asks for.
 */
export class SegmentWriter {
  private fd: number;
  private offset = 0;
  private rows = 0;
  private readonly blocks: BlockMeta[][];

  constructor(
    readonly file: string,
    private readonly columns: readonly SegmentColumn[],
    private readonly placement?: SegmentPlacement,
  ) {
    this.fd = fs.openSync(file, 'w');
    this.blocks = columns.map(() => []);
    this.put(HEAD);
  }

  private put(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done, this.offset + done);
    this.offset += bytes.length;
  }

  /** Appends one block of every column (vectors of equal length). */
  writeBlock(vectors: readonly Vector[]): void {
    const rows = vectors[0]!.length;
    for (let c = 0; c < this.columns.length; c++) {
      const part = vectors[c]!;
      const wanted = this.columns[c]!.encoding;
      const zm = zoneMap(part);
      let encoding: EncodingId;
      let values: Uint8Array;
      if (wanted === 'auto') ({ id: encoding, bytes: values } = encodeAuto(part));
      else {
        encoding = encodingOrRaw(wanted, part);
        values = codecById(encoding).encode(part);
      }
      const bitmap = zm.nullCount > 0 ? packBits(part.nulls!, part.length) : new Uint8Array(0);
      const start = this.offset;
      this.put(bitmap);
      this.put(values);
      this.blocks[c]!.push({
        offset: start,
        length: bitmap.length + values.length,
        encoding,
        rows,
        nullCount: zm.nullCount,
        min: zm.min,
        max: zm.max,
        nullBytes: bitmap.length,
        crc: crc32(values, crc32(bitmap)),
      });
    }
    this.rows += rows;
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.offset;
  }

  /** Writes the footer, fsyncs and closes; returns the file size and row count. */
  finish(): { bytes: number; rows: number } {
    const footerData: SegmentFooter = {
      rows: this.rows,
      ...this.placement,
      columns: this.columns.map((c, i) => ({ name: c.name, ...(c.type ? { type: c.type } : {}), blocks: this.blocks[i]! })),
    };
    const footer = Buffer.from(JSON.stringify(footerData));
    this.put(footer);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(footer.length, 0);
    trailer.writeUInt32LE(crc32(footer), 4);
    this.put(trailer);
    this.put(TAIL);
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    return { bytes: this.offset, rows: this.rows };
  }

  /** Abandons the file (an error during the write). */
  abort(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(this.file, { force: true });
  }
}

/** An explicit encoding that cannot hold these values (e.g. delta on fractions) falls back to raw for the block. */
function encodingOrRaw(id: EncodingId, v: Vector): EncodingId {
  const codec = codecById(id);
  if (!codec.supports(v.kind)) return 'raw';
  // sizing zstd means compressing; it holds any values, so skip the check rather than compress twice
  if (ALWAYS_APPLICABLE.has(id)) return id;
  return Number.isFinite(codec.encodedSize(v)) ? id : 'raw';
}

/** Codecs that can encode any vector of a kind they support. */
const ALWAYS_APPLICABLE: ReadonlySet<EncodingId> = new Set(['raw', 'dict', 'rle', 'zstd']);

let readBuffer = Buffer.allocUnsafe(1 << 16);

/** Rows sel[0..count) of a vector just decoded (for encodings without a selective decode). */
function pickRows(v: Vector, sel: Uint32Array, count: number): Vector {
  if (v.kind === 'str') {
    const codes = new Uint32Array(count);
    for (let j = 0; j < count; j++) codes[j] = v.codes[sel[j]!]!;
    return { kind: 'str', codes, dict: v.dict, nulls: null, length: count };
  }
  const values = v.kind === 'i32' ? new Int32Array(count) : v.kind === 'f64' ? new Float64Array(count) : new Uint8Array(count);
  const x = v.values;
  for (let j = 0; j < count; j++) values[j] = x[sel[j]!]!;
  return { kind: v.kind, values, nulls: null, length: count } as Vector;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isInt = (x: unknown, min: number, max = Number.MAX_SAFE_INTEGER): x is number => Number.isSafeInteger(x) && (x as number) >= min && (x as number) <= max;
const ENCODINGS: ReadonlySet<unknown> = new Set<EncodingId>(['raw', 'dict', 'rle', 'delta', 'for', 'zstd']);

/**
 * Checks that a parsed footer holds together and points inside the file: every
 * column with as many blocks as the first, block i of every column with the
 * same rows, blocks between the head and the footer, known encodings, NULL
 * counts and bitmaps that fit the rows, zone maps of numbers or strings, rows
 * adding up. The footer's checksum only says the bytes are the ones written;
 * this keeps a footer that was written wrong (or forged with its checksum)
 * from reaching readers that trust it: CORRUPT, naming the file.
 */
export function validateFooter(parsed: unknown, file: string, blocksEnd: number): SegmentFooter {
  const bad = (what: string): never => {
    throw new StorageError('CORRUPT', `segment file ${file} has a damaged footer: ${what}`);
  };
  if (!isObject(parsed)) return bad('not an object');
  if (!isInt(parsed.rows, 0)) bad(`row count ${JSON.stringify(parsed.rows)}`);
  const columns = parsed.columns;
  if (!Array.isArray(columns) || columns.length === 0) return bad('no columns');
  const groupRows: number[] = [];
  columns.forEach((c: unknown, i) => {
    if (!isObject(c) || typeof c.name !== 'string' || !Array.isArray(c.blocks)) return bad(`column ${i + 1} has missing or wrong fields`);
    if (c.type !== undefined && !isObject(c.type)) bad(`column "${c.name}" has type ${JSON.stringify(c.type)}`);
    const blocks = c.blocks as unknown[];
    if (i > 0 && blocks.length !== groupRows.length) bad(`column "${c.name}" has ${blocks.length} blocks, the first column ${groupRows.length}`);
    blocks.forEach((b: unknown, k) => {
      const where = `block ${k} of column "${c.name}"`;
      if (!isObject(b)) return bad(`${where} has missing or wrong fields`);
      if (!isInt(b.offset, HEAD.length) || !isInt(b.length, 0) || b.offset + b.length > blocksEnd) {
        bad(`${where} lies outside the file's blocks (offset ${JSON.stringify(b.offset)}, length ${JSON.stringify(b.length)})`);
      }
      if (!ENCODINGS.has(b.encoding)) bad(`${where} has unknown encoding ${JSON.stringify(b.encoding)}`);
      if (!isInt(b.rows, 0)) bad(`${where} has row count ${JSON.stringify(b.rows)}`);
      if (i === 0) groupRows.push(b.rows as number);
      else if (b.rows !== groupRows[k]) bad(`${where} holds ${b.rows} rows, block ${k} of the first column ${groupRows[k]}`);
      if (!isInt(b.nullCount, 0, b.rows as number)) bad(`${where} has NULL count ${JSON.stringify(b.nullCount)} for ${b.rows} rows`);
      const bitmap = (b.nullCount as number) > 0 ? Math.ceil((b.rows as number) / 8) : 0;
      if (b.nullBytes !== bitmap || bitmap > (b.length as number)) bad(`${where} has a NULL bitmap of ${JSON.stringify(b.nullBytes)} bytes for ${b.rows} rows`);
      if (!isInt(b.crc, 0, 0xffffffff)) bad(`${where} has checksum ${JSON.stringify(b.crc)}`);
      for (const z of [b.min, b.max]) if (z !== null && typeof z !== 'number' && typeof z !== 'string') bad(`${where} has zone map bound ${JSON.stringify(z)}`);
    });
  });
  const total = groupRows.reduce((a, r) => a + r, 0);
  if (total !== parsed.rows) bad(`its blocks hold ${total} rows, it says ${parsed.rows}`);
  // the placement (absent before data format 2), compared with the catalog's by integrity.ts
  if (parsed.slice !== undefined && !isInt(parsed.slice, -1, 255)) bad(`slice ${JSON.stringify(parsed.slice)}`);
  if (parsed.slices !== undefined && !isInt(parsed.slices, 1, 256)) bad(`slice count ${JSON.stringify(parsed.slices)}`);
  if (parsed.dist !== undefined && parsed.dist !== 'even' && parsed.dist !== 'key' && parsed.dist !== 'all') bad(`distribution ${JSON.stringify(parsed.dist)}`);
  if (parsed.distKey !== undefined && parsed.distKey !== null && typeof parsed.distKey !== 'string') bad(`distribution key ${JSON.stringify(parsed.distKey)}`);
  return parsed as unknown as SegmentFooter;
}

/** An open segment file: its footer and a descriptor for reading blocks. */
export class SegmentReader {
  readonly file: string;
  readonly footer: SegmentFooter;
  /** The file's size in bytes when it was opened. */
  readonly size: number;
  private fd: number;

  private constructor(file: string, fd: number, footer: SegmentFooter, size: number) {
    this.file = file;
    this.fd = fd;
    this.footer = footer;
    this.size = size;
  }

  static open(file: string): SegmentReader {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) {
      throw new StorageError('CORRUPT', `segment file ${file} is missing (${(e as NodeJS.ErrnoException).code})`);
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size < HEAD.length + TRAILER_BYTES) throw new StorageError('CORRUPT', `segment file ${file} is truncated`);
      const trailer = Buffer.alloc(TRAILER_BYTES);
      fs.readSync(fd, trailer, 0, TRAILER_BYTES, size - TRAILER_BYTES);
      if (!trailer.subarray(8).equals(TAIL)) throw new StorageError('CORRUPT', `segment file ${file} is truncated or not a keel segment`);
      const footerLength = trailer.readUInt32LE(0);
      const footerCrc = trailer.readUInt32LE(4);
      if (footerLength > size - HEAD.length - TRAILER_BYTES) throw new StorageError('CORRUPT', `segment file ${file} has a damaged footer`);
      const footerBytes = Buffer.alloc(footerLength);
      fs.readSync(fd, footerBytes, 0, footerLength, size - TRAILER_BYTES - footerLength);
      if (crc32(footerBytes) !== footerCrc) throw new StorageError('CORRUPT', `segment file ${file} has a damaged footer (checksum mismatch)`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(footerBytes.toString('utf8'));
      } catch {
        throw new StorageError('CORRUPT', `segment file ${file} has a damaged footer: not valid JSON`);
      }
      const footer = validateFooter(parsed, file, size - TRAILER_BYTES - footerLength);
      return new SegmentReader(file, fd, footer, size);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** Decodes block `block` of column `column` into a vector of kind `kind`. */
  readBlock(column: number, block: number, kind: PhysicalKind): Vector {
    const { meta, bitmap, values } = this.blockBytes(column, block);
    const decoded = this.decoding(column, block, kind, () => codecById(meta.encoding).decode(values, kind, meta.rows));
    if (meta.nullCount === 0) return decoded;
    const nulls = unpackBits(bitmap, meta.rows);
    return { ...decoded, nulls } as Vector;
  }

  /**
   * Rows sel[0..count) (ascending) of block `block` of column `column`: decodes
   * only those where the encoding allows (see Codec.decodeSelected), else the
   * whole block and picks. The block's CRC is checked either way.
   */
  readBlockSelected(column: number, block: number, kind: PhysicalKind, sel: Uint32Array, count: number): Vector {
    const { meta, bitmap, values } = this.blockBytes(column, block);
    const codec = codecById(meta.encoding);
    const v = this.decoding(column, block, kind, () =>
      codec.decodeSelected ? codec.decodeSelected(values, kind, meta.rows, sel, count) : pickRows(codec.decode(values, kind, meta.rows), sel, count),
    );
    if (meta.nullCount === 0) return v;
    const all = unpackBits(bitmap, meta.rows);
    const nulls = new Uint8Array(count);
    for (let j = 0; j < count; j++) nulls[j] = all[sel[j]!]!;
    return { ...v, nulls } as Vector;
  }

  /** Runs a decoder; a block it finds damaged is named: file, column and block. */
  private decoding(column: number, block: number, kind: PhysicalKind, decode: () => Vector): Vector {
    const encoding = this.footer.columns[column]!.blocks[block]!.encoding;
    if (!codecById(encoding).supports(kind)) {
      // only a footer written wrong (or edited) names an encoding that cannot hold the column's values
      throw new StorageError('CORRUPT', `segment file ${this.file}: block ${block} of column ${this.footer.columns[column]!.name} is ${encoding}-encoded, which cannot hold its values`);
    }
    try {
      return decode();
    } catch (e) {
      if (!(e instanceof StorageError)) throw e;
      throw new StorageError(e.code, `segment file ${this.file}: block ${block} of column ${this.footer.columns[column]!.name}: ${e.message}`);
    }
  }

  /** The bytes of a block (in the shared read buffer, valid until the next read), its CRC checked. */
  private blockBytes(column: number, block: number): { meta: BlockMeta; bitmap: Uint8Array; values: Uint8Array } {
    const meta = this.footer.columns[column]!.blocks[block]!;
    // one read buffer for every block: decoders never keep or alias the bytes they decode
    if (readBuffer.length < meta.length) readBuffer = Buffer.allocUnsafe(Math.max(meta.length, 2 * readBuffer.length));
    const bytes = readBuffer.subarray(0, meta.length);
    let done = 0;
    while (done < meta.length) {
      const n = fs.readSync(this.fd, bytes, done, meta.length - done, meta.offset + done);
      if (n === 0) throw new StorageError('CORRUPT', `segment file ${this.file} is truncated`);
      done += n;
    }
    const bitmap = bytes.subarray(0, meta.nullBytes);
    const values = bytes.subarray(meta.nullBytes);
    if (crc32(values, crc32(bitmap)) !== meta.crc) {
      throw new StorageError('CORRUPT', `segment file ${this.file}: block ${block} of column ${this.footer.columns[column]!.name} is damaged (checksum mismatch)`);
    }
    return { meta, bitmap, values };
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
