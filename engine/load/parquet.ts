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
import type { LoadedBatch } from './index.js';
import type { SourceKind } from './values.js';
import { BatchAssembler, compatible, fillColumn } from './values.js';

/** An AsyncBuffer over an open file handle (hyparquet asks for byte ranges). */
function fileBuffer(handle: fs.promises.FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
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

/** Reads a Parquet file as batches. */
export async function* readParquet(file: string, columns: readonly ColumnDef[], batchRows: number, totalBytes: number): AsyncGenerator<LoadedBatch> {
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
    for (const col of columns) {
      const child = byName.get(col.name.toLowerCase());
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
    const totalRows = Number(metadata.num_rows);
    let groupStart = 0;
    for (const group of metadata.row_groups) {
      const groupRows = Number(group.num_rows);
      if (groupRows === 0) continue;
      const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>();
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
