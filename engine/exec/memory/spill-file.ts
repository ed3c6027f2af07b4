/**
 * Spill files: batches written to disk and read back in order, in a plain
 * columnar layout over the engine's typed arrays (docs/memory.md, "Spill
 * file format"). A file is the magic "KSP1" and then frames, one per batch:
 *
 *   u32 bodyBytes | u32 rows | u32 columns | per column:
 *     u8 kind (0 i32, 1 f64, 2 bool, 3 str) | u8 hasNulls | [rows bytes of NULL flags]
 *     i32: 4*rows | f64: 8*rows | bool: rows
 *     str: u32 dictEntries | u32 per entry its UTF-8 byte length | the entries' UTF-8 bytes | u32 codes, 4*rows
 *
 * Numbers are in the machine's byte order: a spill file lives only as long as
 * the query that wrote it, on the machine that wrote it. A string column
 * carries its own dictionary, cut down first to the entries its rows use, so
 * a frame never drags a large shared dictionary along.
 */
import * as fs from 'node:fs';
import type { Batch, PhysicalKind, Vector } from '../../types.js';
import { compactStrings } from '../batch.js';
import { ExecError } from '../../errors.js';

const MAGIC = Buffer.from('KSP1', 'latin1');
const KIND_CODE: Record<PhysicalKind, number> = { i32: 0, f64: 1, bool: 2, str: 3 };
const KINDS: readonly PhysicalKind[] = ['i32', 'f64', 'bool', 'str'];

/** Appends batches to a new spill file. */
export class SpillWriter {
  private fd: number;
  /** Bytes written so far, the magic included. */
  bytes = 0;
  rows = 0;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'wx');
    this.put(MAGIC);
  }

  write(batch: Batch): void {
    if (batch.length === 0) return;
    const columns = batch.columns.map((v) => (v.kind === 'str' && v.dict.length > v.length ? compactStrings({ ...v, codes: v.codes.slice(0, v.length) }) : v));
    const n = batch.length;
    const dicts = columns.map((v) => (v.kind === 'str' ? v.dict.map((s) => Buffer.from(s, 'utf8')) : null));
    let size = 12;
    for (let c = 0; c < columns.length; c++) {
      const v = columns[c]!;
      size += 2 + (v.nulls !== null ? n : 0);
      switch (v.kind) {
        case 'i32':
          size += 4 * n;
          break;
        case 'f64':
          size += 8 * n;
          break;
        case 'bool':
          size += n;
          break;
        case 'str': {
          const d = dicts[c]!;
          size += 4 + 4 * d.length + 4 * n;
          for (const e of d) size += e.length;
          break;
        }
      }
    }
    const buf = Buffer.allocUnsafe(size);
    let at = 0;
    at = buf.writeUInt32LE(size - 4, at);
    at = buf.writeUInt32LE(n, at);
    at = buf.writeUInt32LE(columns.length, at);
    for (let c = 0; c < columns.length; c++) {
      const v = columns[c]!;
      buf[at++] = KIND_CODE[v.kind];
      buf[at++] = v.nulls !== null ? 1 : 0;
      if (v.nulls !== null) at += copyIn(buf, at, v.nulls, n);
      switch (v.kind) {
        case 'i32':
        case 'f64':
        case 'bool':
          at += copyIn(buf, at, v.values, n);
          break;
        case 'str': {
          const d = dicts[c]!;
          at = buf.writeUInt32LE(d.length, at);
          for (const e of d) at = buf.writeUInt32LE(e.length, at);
          for (const e of d) at += e.copy(buf, at);
          at += copyIn(buf, at, v.codes, n);
          break;
        }
      }
    }
    this.put(buf);
    this.rows += n;
  }

  close(): void {
    if (this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  private put(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    this.bytes += buf.length;
  }
}

/** The bytes of the first n elements of a typed array, copied into buf at `at`; returns how many. */
function copyIn(buf: Buffer, at: number, a: Int32Array | Float64Array | Uint8Array | Uint32Array, n: number): number {
  const bytes = n * a.BYTES_PER_ELEMENT;
  buf.set(new Uint8Array(a.buffer, a.byteOffset, bytes), at);
  return bytes;
}

/** Reads a spill file's batches back, one frame at a time. */
export function* readSpill(path: string): Generator<Batch> {
  const fd = fs.openSync(path, 'r');
  try {
    let pos = 0;
    const head = Buffer.alloc(4);
    if (fs.readSync(fd, head, 0, 4, pos) !== 4 || !head.equals(MAGIC)) throw corrupt(path);
    pos += 4;
    for (;;) {
      const got = fs.readSync(fd, head, 0, 4, pos);
      if (got === 0) return;
      if (got !== 4) throw corrupt(path);
      const size = head.readUInt32LE(0);
      const body = Buffer.allocUnsafe(size);
      if (readFully(fd, body, pos + 4) !== size) throw corrupt(path);
      pos += 4 + size;
      yield decodeFrame(body, path);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function readFully(fd: number, buf: Buffer, pos: number): number {
  let off = 0;
  while (off < buf.length) {
    const k = fs.readSync(fd, buf, off, buf.length - off, pos + off);
    if (k === 0) break;
    off += k;
  }
  return off;
}

function decodeFrame(buf: Buffer, path: string): Batch {
  let at = 0;
  const n = buf.readUInt32LE(at);
  const width = buf.readUInt32LE(at + 4);
  at += 8;
  const columns: Vector[] = [];
  for (let c = 0; c < width; c++) {
    const kind = KINDS[buf[at]!];
    const hasNulls = buf[at + 1] === 1;
    at += 2;
    if (kind === undefined) throw corrupt(path);
    let nulls: Uint8Array | null = null;
    if (hasNulls) {
      nulls = copyOut(buf, at, new Uint8Array(n));
      at += n;
    }
    switch (kind) {
      case 'i32':
        columns.push({ kind, values: copyOut(buf, at, new Int32Array(n)), nulls, length: n });
        at += 4 * n;
        break;
      case 'f64':
        columns.push({ kind, values: copyOut(buf, at, new Float64Array(n)), nulls, length: n });
        at += 8 * n;
        break;
      case 'bool':
        columns.push({ kind, values: copyOut(buf, at, new Uint8Array(n)), nulls, length: n });
        at += n;
        break;
      case 'str': {
        const entries = buf.readUInt32LE(at);
        at += 4;
        const lens = copyOut(buf, at, new Uint32Array(entries));
        at += 4 * entries;
        const dict: string[] = new Array<string>(entries);
        for (let d = 0; d < entries; d++) {
          dict[d] = buf.toString('utf8', at, at + lens[d]!);
          at += lens[d]!;
        }
        const codes = copyOut(buf, at, new Uint32Array(n));
        at += 4 * n;
        columns.push({ kind, codes, dict: dict.length ? dict : [''], nulls, length: n });
        break;
      }
    }
  }
  if (at !== buf.length) throw corrupt(path);
  return { length: n, columns };
}

/** Copies bytes of buf from `at` into the typed array (spill buffers are not aligned for a view). */
function copyOut<T extends Int32Array | Float64Array | Uint8Array | Uint32Array>(buf: Buffer, at: number, out: T): T {
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(buf.subarray(at, at + out.byteLength));
  return out;
}

function corrupt(path: string): ExecError {
  return new ExecError('CORRUPT', `spill file ${path} is damaged (truncated or overwritten while the query ran)`);
}
