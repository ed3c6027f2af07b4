/**
 * Parquet files as a stream of batches, read row group by row group with
 * hyparquet (snappy, zstd, gzip, brotli, lz4 through hyparquet-compressors).
 *
 * Table columns are matched to the file's top-level columns by name, ignoring
 * case; a table column the file lacks is an error, file columns the table lacks
 * are not read. Values keep their exact meaning:
 * - DECIMAL columns are read as their unscaled integers (hyparquet would turn
 *   them into floats, so the schema handed to it has the DECIMAL annotation
 *   removed) and rescaled exactly to the table's scale;
 * - DATE stays days; TIMESTAMP (millis, micros, nanos, INT96) becomes microseconds
 *   (nanoseconds are floored to the microsecond);
 * - strings are decoded from UTF-8 once per distinct dictionary value.
 * Errors name the 1-based row of the file.
 */
import * as fs from 'node:fs';
import { parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, FileMetaData, SchemaElement, SchemaTree } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { LoadError } from '../errors.js';
import type { ColumnDef } from '../types.js';
import type { LoadedBatch } from './options.js';
import type { SourceKind } from './values.js';
import { BatchAssembler, compatible, fillColumn } from './values.js';

/**
 * An AsyncBuffer over an open file handle (hyparquet asks for byte ranges).
 * `chunks`, once set, are the column chunks to check: the pages of each one
 * wholly inside a range read are checked before hyparquet gets the bytes.
 */
function fileBuffer(handle: fs.promises.FileHandle, size: number): AsyncBuffer & { chunks: readonly ChunkClaim[] } {
  return {
    byteLength: size,
    chunks: [],
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = end === undefined ? size : Math.min(end, size);
      const length = Math.max(0, stop - start);
      const buf = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buf, done, length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      for (const c of this.chunks) if (c.start >= start && c.start + c.length <= stop) checkPages(buf.subarray(c.start - start, c.start - start + c.length), c);
      return buf.buffer;
    },
  };
}

/** What a Parquet column holds, from its physical type and annotations; a reason string when unsupported. */
export function parquetSource(el: SchemaElement): SourceKind | string {
  const ctype = el.converted_type;
  const ltype = el.logical_type;
  const label = describe(el);
  if (ctype === 'DECIMAL' || ltype?.type === 'DECIMAL') {
    const scale = ltype?.type === 'DECIMAL' ? ltype.scale : (el.scale ?? 0);
    return { k: 'decimal', scale, label };
  }
  switch (el.type) {
    case 'BOOLEAN':
      return { k: 'bool', label };
    case 'INT32':
      if (ctype === 'DATE' || ltype?.type === 'DATE') return { k: 'date', label };
      if (ctype === 'TIME_MILLIS' || ltype?.type === 'TIME') return `${label} is not supported`;
      return { k: 'int', label };
    case 'INT64':
      if (ctype === 'TIMESTAMP_MILLIS' || ctype === 'TIMESTAMP_MICROS' || ltype?.type === 'TIMESTAMP') return { k: 'timestamp', label };
      if (ctype === 'TIME_MICROS' || ltype?.type === 'TIME') return `${label} is not supported`;
      return { k: 'int', label };
    case 'INT96':
      return { k: 'timestamp', label };
    case 'FLOAT':
    case 'DOUBLE':
      return { k: 'float', label };
    case 'BYTE_ARRAY':
      if (ctype === 'BSON' || ltype?.type === 'BSON' || ltype?.type === 'VARIANT' || ltype?.type === 'GEOMETRY' || ltype?.type === 'GEOGRAPHY') {
        return `${label} is not supported`;
      }
      return { k: 'string', label };
    case 'FIXED_LEN_BYTE_ARRAY':
      if (ltype?.type === 'FLOAT16') return { k: 'float', label };
      if (ltype?.type === 'UUID') return { k: 'string', label };
      return `${label} is not supported`;
    default:
      return `${label} is not supported`;
  }
}

function describe(el: SchemaElement): string {
  const ann = el.logical_type?.type ?? el.converted_type;
  return ann && ann !== (el.type as string) ? `${el.type} (${ann})` : String(el.type);
}

// ------------------------------------------------------------------ checking what hyparquet will trust

/**
 * The most values keel reads from one row group or page. hyparquet builds a
 * JavaScript array of a page's values, and past about 134 million elements V8
 * does not throw but ends the process ("invalid size error"): a count beyond
 * this, written or damaged, is refused before hyparquet sees it.
 */
const MAX_VALUES = 100_000_000;

class Damaged extends Error {}

/**
 * A Thrift compact-protocol reader, as far as page headers need: a struct's
 * fields by id (integers as numbers, nested structs as maps, the rest
 * skipped), every length checked against the bytes there are.
 */
class CompactReader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  private byte(): number {
    if (this.pos >= this.bytes.length) throw new Damaged('a page header runs past its column chunk');
    return this.bytes[this.pos++]!;
  }

  private varint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      mul *= 128;
    }
    throw new Damaged('a page header holds a malformed number');
  }

  private zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  private skip(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) throw new Damaged('a page header runs past its column chunk');
    this.pos += n;
  }

  private value(type: number, depth: number): unknown {
    switch (type) {
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return this.byte();
      case 4:
      case 5:
      case 6:
        return this.zigzag();
      case 7:
        this.skip(8);
        return null;
      case 8:
        this.skip(this.varint());
        return null;
      case 9:
      case 10: {
        const h = this.byte();
        const n = h >> 4 === 15 ? this.varint() : h >> 4;
        const t = h & 15;
        for (let i = 0; i < n; i++) {
          if (t === 1 || t === 2) this.byte();
          else this.value(t, depth + 1);
        }
        return null;
      }
      case 11: {
        const n = this.varint();
        if (n === 0) return null;
        const kv = this.byte();
        for (let i = 0; i < n; i++) {
          this.value(kv >> 4, depth + 1);
          this.value(kv & 15, depth + 1);
        }
        return null;
      }
      case 12:
        return this.struct(depth + 1);
      default:
        throw new Damaged(`a page header holds a field of unknown type ${type}`);
    }
  }

  struct(depth = 0): Map<number, unknown> {
    if (depth > 16) throw new Damaged('a page header nests too deeply');
    const fields = new Map<number, unknown>();
    let id = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return fields;
      const delta = h >> 4;
      id = delta === 0 ? this.zigzag() : id + delta;
      fields.set(id, this.value(h & 15, depth));
    }
  }
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) ? v : -1);

/** A column chunk keel reads, as its metadata states it. */
interface ChunkClaim {
  readonly start: number;
  readonly length: number;
  readonly values: number;
  readonly where: string;
}

/**
 * Checks what hyparquet takes on trust in a row group's metadata: its row
 * count, and each column chunk read (its value count, inside the file). The
 * chunks, to check their pages when their bytes are read (checkPages).
 */
function checkRowGroup(group: FileMetaData['row_groups'][number], names: ReadonlySet<string>, size: number): ChunkClaim[] {
  const rows = Number(group.num_rows);
  if (!Number.isSafeInteger(rows) || rows < 0 || rows > MAX_VALUES) throw new Damaged(`it has ${group.num_rows} rows (keel reads at most ${MAX_VALUES.toLocaleString('en-US')} in one row group)`);
  const claims: ChunkClaim[] = [];
  for (const chunk of group.columns) {
    const meta = chunk.meta_data;
    if (!meta || !names.has(meta.path_in_schema[0]!)) continue;
    const values = Number(meta.num_values);
    const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
    const length = Number(meta.total_compressed_size);
    const where = `column ${meta.path_in_schema.join('.')}`;
    if (!Number.isSafeInteger(values) || values < 0 || values > MAX_VALUES) throw new Damaged(`${where} has ${meta.num_values} values`);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 0 || length < 0 || start + length > size) {
      throw new Damaged(`${where} lies outside the file (${length} bytes at byte ${start} of ${size})`);
    }
    claims.push({ start, length, values, where });
  }
  return claims;
}

/**
 * Checks a column chunk's pages, page header by page header, before hyparquet
 * decodes them: each inside the chunk, sizes not negative, value counts within
 * the chunk's. A damaged page fails here, where hyparquet could make an array
 * too large for V8 and end the process.
 */
function checkPages(bytes: Uint8Array, claim: ChunkClaim): void {
  const r = new CompactReader(bytes);
  let seen = 0;
  while (r.pos < bytes.length) {
    const header = r.struct();
    const uncompressed = count(header.get(2));
    const compressed = count(header.get(3));
    if (uncompressed < 0 || compressed < 0 || r.pos + compressed > bytes.length) throw new Damaged(`${claim.where} has a page whose sizes do not fit its column chunk`);
    r.pos += compressed;
    for (const id of [5, 7, 8]) {
      const sub = header.get(id);
      if (!(sub instanceof Map)) continue;
      const n = count(sub.get(1));
      if (n < 0 || n > claim.values) throw new Damaged(`${claim.where} has a page of ${String(sub.get(1))} values in a column chunk of ${claim.values}`);
      if (id !== 7) seen += n;
    }
  }
  if (seen > claim.values) throw new Damaged(`${claim.where} has pages of ${seen} values in a column chunk of ${claim.values}`);
}

/** Reads a Parquet file as batches. */
export async function* readParquet(file: string, columns: readonly ColumnDef[], batchRows: number, totalBytes: number, byPosition = false): AsyncGenerator<LoadedBatch> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = fileBuffer(handle, totalBytes);
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(buffer);
    } catch (err) {
      throw new LoadError('LOAD_FORMAT', `not a readable Parquet file (${(err as Error).message})`, file);
    }
    const tree = parquetSchema(metadata);
    const byName = new Map<string, SchemaTree>();
    for (const child of tree.children) byName.set(child.element.name.toLowerCase(), child);

    const names: string[] = [];
    const sources: SourceKind[] = [];
    const decimalNames = new Set<string>();
    // by position (COPY, as Redshift): the file has exactly as many columns as are loaded
    if (byPosition && tree.children.length !== columns.length) {
      const have = tree.children.map((c) => c.element.name).join(', ');
      throw new LoadError('LOAD_FORMAT', `the file has ${tree.children.length} columns (${have}), the load takes ${columns.length}`, file);
    }
    for (let i = 0; i < columns.length; i++) {
      const col = columns[i]!;
      const child = byPosition ? tree.children[i] : byName.get(col.name.toLowerCase());
      if (!child) {
        const have = tree.children.map((c) => c.element.name).join(', ');
        throw new LoadError('LOAD_FORMAT', `column ${col.name} is not in the file (its columns: ${have})`, file, undefined, col.name);
      }
      if (child.children.length > 0) throw new LoadError('LOAD_FORMAT', `nested column ${child.element.name} cannot be loaded`, file, undefined, col.name);
      const src = parquetSource(child.element);
      if (typeof src === 'string') throw new LoadError('LOAD_FORMAT', `column ${child.element.name}: ${src}`, file, undefined, col.name);
      const out = new BatchAssembler([col], 1).outs[0]!;
      if (!compatible(src, out.code)) {
        throw new LoadError('LOAD_FORMAT', `cannot load Parquet ${src.label} into ${out.label}`, file, undefined, col.name);
      }
      names.push(child.element.name);
      sources.push(src);
      if (src.k === 'decimal') decimalNames.add(child.element.name);
    }

    // Decimals: hide the annotation so hyparquet hands over the unscaled integers.
    const readMeta: FileMetaData = {
      ...metadata,
      schema: metadata.schema.map((el) => (decimalNames.has(el.name) ? { ...el, converted_type: undefined, logical_type: undefined } : el)),
    };
    const parsers = {
      dateFromDays: (days: number) => days,
      timestampFromMilliseconds: (ms: bigint) => Number(ms) * 1000,
      timestampFromMicroseconds: (us: bigint) => Number(us),
      timestampFromNanoseconds: (ns: bigint) => {
        const big = BigInt(ns);
        let q = big / 1000n;
        if (big < 0n && q * 1000n !== big) q -= 1n;
        return Number(q);
      },
      jsonFromBytes: (bytes: Uint8Array) => bytes && new TextDecoder().decode(bytes),
    };

    const asm = new BatchAssembler(columns, batchRows);
    const selected = new Set(names);
    const totalRows = Number(metadata.num_rows);
    let groupStart = 0;
    for (const group of metadata.row_groups) {
      const groupRows = Number(group.num_rows);
      if (groupRows === 0) continue;
      const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>();
      try {
        buffer.chunks = checkRowGroup(group, selected, totalBytes);
      } catch (err) {
        if (!(err instanceof Damaged)) throw err;
        throw new LoadError('LOAD_FORMAT', `the row group at row ${groupStart + 1} is damaged: ${err.message}`, file, groupStart + 1);
      }
      try {
        await parquetRead({
          file: buffer,
          metadata: readMeta,
          columns: names,
          rowStart: groupStart,
          rowEnd: groupStart + groupRows,
          compressors,
          parsers,
          utf8: false,
          onChunk: ({ columnName, columnData, rowStart }) => {
            let list = chunks.get(columnName);
            if (!list) chunks.set(columnName, (list = []));
            list.push({ rowStart, data: columnData as ArrayLike<unknown> });
          },
        });
      } catch (err) {
        throw new LoadError('LOAD_FORMAT', `cannot read row group at row ${groupStart + 1} (${(err as Error).message})`, file, groupStart + 1);
      }
      const data = names.map((n) => joinChunks(chunks.get(n) ?? [], groupRows));
      data.forEach((d, c) => {
        if (d.length !== groupRows) {
          throw new LoadError('LOAD_FORMAT', `column ${names[c]} has ${d.length} values in a row group of ${groupRows} rows`, file, groupStart + 1, columns[c]!.name);
        }
      });
      let off = 0;
      while (off < groupRows) {
        const k = Math.min(asm.room, groupRows - off);
        for (let c = 0; c < columns.length; c++) {
          fillColumn(asm.outs[c]!, data[c]!, null, off, off + k, asm.rows, sources[c]!, file, groupStart);
        }
        asm.rows += k;
        off += k;
        if (asm.full) yield { ...asm.take(), bytesRead: progress(groupStart + off, totalRows, totalBytes), totalBytes };
      }
      groupStart += groupRows;
    }
    if (asm.rows > 0) yield { ...asm.take(), bytesRead: totalBytes, totalBytes };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function progress(rowsDone: number, totalRows: number, totalBytes: number): number {
  return totalRows > 0 ? Math.round((totalBytes * rowsDone) / totalRows) : totalBytes;
}

/** One array for a column's chunks within a row group (usually there is just one). */
function joinChunks(list: { rowStart: number; data: ArrayLike<unknown> }[], rows: number): ArrayLike<unknown> {
  if (list.length === 1 && list[0]!.data.length === rows) return list[0]!.data;
  list.sort((a, b) => a.rowStart - b.rowStart);
  const first = list[0]?.data;
  const sameTyped = first !== undefined && ArrayBuffer.isView(first) && list.every((c) => c.data.constructor === first.constructor);
  if (sameTyped) {
    const total = list.reduce((n, c) => n + c.data.length, 0);
    const out = new (first.constructor as new (n: number) => { set(a: ArrayLike<unknown>, o: number): void } & ArrayLike<unknown>)(total);
    let at = 0;
    for (const c of list) {
      out.set(c.data, at);
      at += c.data.length;
    }
    return out;
  }
  const out: unknown[] = [];
  for (const c of list) for (let i = 0; i < c.data.length; i++) out.push(c.data[i]);
  return out;
}
