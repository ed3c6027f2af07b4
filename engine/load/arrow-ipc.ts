/**
 * Arrow IPC files (the random-access "file" format, .arrow/.feather v2) and
 * streams, as a stream of batches, with apache-arrow's RecordBatchReader over a
 * file handle: one record batch is in memory at a time.
 *
 * Table columns are matched to the schema's fields by name, ignoring case. Values
 * are read from the raw buffers where the convenient accessors would lose
 * exactness (decimals are 128/256-bit integers, timestamps 64-bit counts), and
 * dictionary-encoded strings are decoded once per dictionary entry.
 */
import * as fs from 'node:fs';
import { RecordBatchReader, Type, makeVector } from 'apache-arrow';
import type { Data, DataType, Field } from 'apache-arrow';
import { LoadError } from '../errors.js';
import type { ColumnDef } from '../types.js';
import type { LoadedBatch } from './options.js';
import type { SourceKind } from './values.js';
import { BatchAssembler, compatible, fillColumn } from './values.js';

/** Arrow DateUnit.DAY and TimeUnit values (numeric, as in the IPC schema). */
const DATE_DAY = 0;
const TIME_SECOND = 0;
const TIME_MILLISECOND = 1;
const TIME_MICROSECOND = 2;

/** What an Arrow field holds; a reason string when unsupported. */
export function arrowSource(type: DataType): SourceKind | string {
  const label = String(type);
  const t = type.typeId === Type.Dictionary ? (type as unknown as { dictionary: DataType }).dictionary : type;
  switch (t.typeId) {
    case Type.Int:
      return { k: 'int', label };
    case Type.Float:
      return { k: 'float', label };
    case Type.Decimal:
      return { k: 'decimal', scale: (t as unknown as { scale: number }).scale, label };
    case Type.Date:
      return { k: 'date', label };
    case Type.Timestamp:
      return { k: 'timestamp', label };
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary:
      return { k: 'string', label };
    case Type.Bool:
      return { k: 'bool', label };
    default:
      return `${label} is not supported`;
  }
}

/** One Data chunk as plain values (or a typed array) plus a NULL mask. */
function chunkValues(d: Data, src: SourceKind): { values: ArrayLike<unknown>; nulls: Uint8Array | null } {
  const n = d.length;
  let nulls: Uint8Array | null = null;
  if (d.nullCount > 0) {
    nulls = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (!d.getValid(i)) nulls[i] = 1;
  }
  const type = d.type as DataType;
  if (type.typeId === Type.Dictionary) {
    // Decode the dictionary once, then look indices up.
    const dict = d.dictionary!;
    const entries: unknown[] = new Array(dict.length);
    for (let i = 0; i < dict.length; i++) entries[i] = dict.get(i);
    const idx = d.values as ArrayLike<number | bigint>;
    const values: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) if (!nulls || !nulls[i]) values[i] = entries[Number(idx[i])];
    return { values, nulls };
  }
  switch (type.typeId) {
    case Type.Int: {
      return { values: d.values as ArrayLike<number | bigint>, nulls };
    }
    case Type.Float: {
      const v = d.values as ArrayLike<number>;
      if (v instanceof Float32Array || v instanceof Float64Array) return { values: v, nulls };
      break; // half floats: through the accessor
    }
    case Type.Decimal: {
      const words = d.values as Uint32Array;
      const stride = (type as unknown as { bitWidth: number }).bitWidth / 32;
      const values: bigint[] = new Array(n);
      for (let i = 0; i < n; i++) {
        if (nulls && nulls[i]) continue;
        let x = 0n;
        for (let w = stride - 1; w >= 0; w--) x = (x << 32n) | BigInt(words[i * stride + w]!);
        if (words[i * stride + stride - 1]! & 0x80000000) x -= 1n << BigInt(stride * 32);
        values[i] = x;
      }
      return { values, nulls };
    }
    case Type.Date: {
      if ((type as unknown as { unit: number }).unit === DATE_DAY) return { values: d.values as Int32Array, nulls };
      const ms = d.values as BigInt64Array;
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = Math.floor(Number(ms[i]!) / 86_400_000);
      return { values, nulls };
    }
    case Type.Timestamp: {
      const unit = (type as unknown as { unit: number }).unit;
      const raw = d.values as BigInt64Array;
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const x = raw[i]!;
        if (unit === TIME_SECOND) values[i] = Number(x) * 1_000_000;
        else if (unit === TIME_MILLISECOND) values[i] = Number(x) * 1000;
        else if (unit === TIME_MICROSECOND) values[i] = Number(x);
        else {
          let q = x / 1000n;
          if (x < 0n && q * 1000n !== x) q -= 1n;
          values[i] = Number(q);
        }
      }
      return { values, nulls };
    }
  }
  if (src.k === 'date' || src.k === 'timestamp' || src.k === 'decimal') throw new Error(`unexpected Arrow type ${String(type)}`);
  const vec = makeVector(d);
  const values: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) if (!nulls || !nulls[i]) values[i] = vec.get(i);
  return { values, nulls };
}

/** apache-arrow stopped making progress through a damaged file (see guardReads). */
class NoProgress extends Error {}

/**
 * Bounds the reads apache-arrow makes through `handle`. Its reader loops
 * forever on some damaged files (a message length it reads as nothing: the
 * same 4 bytes at the same offset, again and again), and a load must end. A
 * reader going through a file makes far fewer reads than the file has bytes,
 * so more than that is a damaged file, not a big one.
 */
function guardReads(handle: fs.promises.FileHandle, size: number): void {
  const read = handle.read.bind(handle) as (...args: unknown[]) => Promise<unknown>;
  const budget = 1024 + size;
  let reads = 0;
  (handle as unknown as { read: (...args: unknown[]) => Promise<unknown> }).read = (...args: unknown[]) => {
    if (++reads > budget) {
      const at = typeof args[3] === 'number' ? ` (at byte ${args[3]})` : '';
      return Promise.reject(new NoProgress(`the file is damaged: the reader made ${budget} reads of a ${size}-byte file without getting through it${at}`));
    }
    return read(...args);
  };
}

/** Reads an Arrow IPC file or stream as batches. */
export async function* readArrowIpc(file: string, columns: readonly ColumnDef[], batchRows: number, totalBytes: number): AsyncGenerator<LoadedBatch> {
  const handle = await fs.promises.open(file, 'r');
  guardReads(handle, totalBytes);
  try {
    let reader: Awaited<ReturnType<typeof openReader>>;
    try {
      reader = await openReader(handle);
    } catch (err) {
      throw new LoadError('LOAD_FORMAT', `not a readable Arrow IPC file (${(err as Error).message})`, file);
    }
    // a damaged schema can decode to fields without names or types: the file is not readable
    const fields = reader.schema?.fields as Field[] | undefined;
    if (!Array.isArray(fields) || fields.some((f) => typeof f?.name !== 'string' || !f.type)) {
      throw new LoadError('LOAD_FORMAT', 'not a readable Arrow IPC file (its schema is damaged)', file);
    }
    const byName = new Map<string, number>();
    fields.forEach((f, i) => byName.set(f.name.toLowerCase(), i));
    const indexes: number[] = [];
    const sources: SourceKind[] = [];
    for (const col of columns) {
      const idx = byName.get(col.name.toLowerCase());
      if (idx === undefined) {
        throw new LoadError('LOAD_FORMAT', `column ${col.name} is not in the file (its columns: ${fields.map((f) => f.name).join(', ')})`, file, undefined, col.name);
      }
      const src = arrowSource(fields[idx]!.type as DataType);
      if (typeof src === 'string') throw new LoadError('LOAD_FORMAT', `column ${fields[idx]!.name}: ${src}`, file, undefined, col.name);
      const out = new BatchAssembler([col], 1).outs[0]!;
      if (!compatible(src, out.code)) throw new LoadError('LOAD_FORMAT', `cannot load Arrow ${src.label} into ${out.label}`, file, undefined, col.name);
      indexes.push(idx);
      sources.push(src);
    }

    const asm = new BatchAssembler(columns, batchRows);
    let rowBase = 0;
    let bytes = 0;
    const iterator = reader[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<import('apache-arrow').RecordBatch>;
      try {
        next = await iterator.next();
      } catch (err) {
        throw new LoadError('LOAD_FORMAT', `cannot read record batch at row ${rowBase + 1} (${(err as Error).message})`, file, rowBase + 1);
      }
      if (next.done) break;
      const batch = next.value;
      const n = batch.numRows;
      let flat: { values: ArrayLike<unknown>; nulls: Uint8Array | null }[];
      try {
        // A record batch's child is one Data per column; be general and walk its chunks.
        const cols = indexes.map((idx) => batch.getChildAt(idx)!);
        for (const v of cols) bytes += v.byteLength;
        const chunked = cols.map((v, c) => v.data.map((d) => ({ ...chunkValues(d as Data, sources[c]!), length: d.length })));
        flat = chunked.map((list) => (list.length === 1 ? list[0]! : concatChunks(list, n)));
        if (!Number.isSafeInteger(n) || n < 0 || flat.some((f) => f.values.length < n)) throw new Error(`${n} rows, columns of ${flat.map((f) => f.values.length).join(', ')} values`);
      } catch (err) {
        // what apache-arrow decoded from a damaged batch: missing columns, buffers shorter than the rows
        throw new LoadError('LOAD_FORMAT', `the record batch at row ${rowBase + 1} is damaged (${(err as Error).message})`, file, rowBase + 1);
      }
      let off = 0;
      while (off < n) {
        const k = Math.min(asm.room, n - off);
        for (let c = 0; c < columns.length; c++) {
          const f = flat[c]!;
          fillColumn(asm.outs[c]!, f.values, f.nulls, off, off + k, asm.rows, sources[c]!, file, rowBase);
        }
        asm.rows += k;
        off += k;
        if (asm.full) yield { ...asm.take(), bytesRead: Math.min(bytes, totalBytes), totalBytes };
      }
      rowBase += n;
    }
    if (asm.rows > 0) yield { ...asm.take(), bytesRead: totalBytes, totalBytes };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function openReader(handle: fs.promises.FileHandle) {
  const reader = await RecordBatchReader.from(handle);
  await reader.open();
  return reader;
}

function concatChunks(list: { values: ArrayLike<unknown>; nulls: Uint8Array | null; length: number }[], n: number): { values: ArrayLike<unknown>; nulls: Uint8Array | null } {
  const values: unknown[] = new Array(n);
  const anyNull = list.some((c) => c.nulls !== null);
  const nulls = anyNull ? new Uint8Array(n) : null;
  let at = 0;
  for (const c of list) {
    for (let i = 0; i < c.length; i++) {
      values[at + i] = c.values[i];
      if (nulls && c.nulls) nulls[at + i] = c.nulls[i]!;
    }
    at += c.length;
  }
  return { values, nulls };
}
