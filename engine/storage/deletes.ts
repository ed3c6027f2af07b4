/**
 * Delete vectors: the rows of a segment deleted since it was written, kept
 * beside it so a DELETE never rewrites a segment (segments stay immutable).
 *
 * A segment's catalog entry names its vector (`deletes: {file, rows}`); the
 * vector file is immutable too. A DELETE writes a new file holding the old
 * vector's rows and the new ones and commits a catalog naming it; the old file
 * is retired like an obsolete segment. So the catalog commit is the one atomic
 * step: a crash before it leaves the old vector named (and the new file an
 * orphan), after it the new one.
 *
 * File format (little-endian), `<segment number>-<sequence>.del` in the
 * table's folder:
 *
 *     "KDV1"  u32 count  count × u32 row (strictly ascending, < segment rows)
 *     32 bytes: SHA-256 of everything before it
 *
 * A sorted row list costs 4 bytes per deleted row; a scan finds a block's
 * deleted rows with two binary searches, and a block with none costs nothing
 * more per row.
 */
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { StorageError } from '../errors.js';

const MAGIC = Buffer.from('KDV1', 'latin1');
const HASH_BYTES = 32;
export const DELETE_FILE = /^(\d{6,})-(\d{6,})\.del$/;

/** The name of a segment's delete vector written at `sequence` (the table's nextSegment counter, so names never repeat). */
export function deleteFileName(segmentFile: string, sequence: number): string {
  return `${segmentFile.replace(/\.seg$/, '')}-${String(sequence).padStart(6, '0')}.del`;
}

/** The segment number in a segment file's name (000012.seg -> 12). */
export function segmentNumber(segmentFile: string): number {
  return Number.parseInt(segmentFile, 10);
}

export function encodeDeleteVector(rows: Uint32Array): Uint8Array {
  const out = Buffer.alloc(8 + rows.length * 4 + HASH_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(rows.length, 4);
  for (let i = 0; i < rows.length; i++) out.writeUInt32LE(rows[i]!, 8 + i * 4);
  const body = out.subarray(0, out.length - HASH_BYTES);
  createHash('sha256').update(body).digest().copy(out, body.length);
  return out;
}

/** Writes and fsyncs a new vector file; the commit that names it fsyncs its folder (datadir.syncNewSegments). */
export function writeDeleteVector(file: string, rows: Uint32Array): void {
  const bytes = encodeDeleteVector(rows);
  const fd = fs.openSync(file, 'wx');
  try {
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a vector file and checks it against what the catalog says: `count`
 * rows, each below `segmentRows`, ascending, checksum intact. Any mismatch is
 * CORRUPT naming the file.
 */
export function readDeleteVector(file: string, count: number, segmentRows: number): Uint32Array {
  const bad = (what: string): never => {
    throw new StorageError('CORRUPT', `delete vector ${file} is damaged: ${what}`);
  };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return bad('the file is missing');
    throw e;
  }
  if (bytes.length < 8 + HASH_BYTES || !bytes.subarray(0, 4).equals(MAGIC)) return bad('not a delete vector');
  const n = bytes.readUInt32LE(4);
  if (bytes.length !== 8 + n * 4 + HASH_BYTES) bad(`it says ${n} rows but has ${bytes.length} bytes`);
  const body = bytes.subarray(0, bytes.length - HASH_BYTES);
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(body.length))) bad('its checksum does not match its content');
  if (n !== count) bad(`the catalog says ${count} deleted rows, the file holds ${n}`);
  const rows = new Uint32Array(n);
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const r = bytes.readUInt32LE(8 + i * 4);
    if (r <= prev || r >= segmentRows) bad(`row ${r} is out of order or beyond the segment's ${segmentRows} rows`);
    rows[i] = r;
    prev = r;
  }
  return rows;
}

/** The union of two ascending row lists, ascending, without repeats. */
export function unionRows(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity;
    const y = j < b.length ? b[j]! : Infinity;
    const v = x <= y ? x : y;
    if (x === v) i++;
    if (y === v) j++;
    out[n++] = v;
  }
  return out.subarray(0, n);
}

/** Index of the first entry of ascending `rows` at or above `row`. */
export function lowerBound(rows: Uint32Array, row: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]! < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Removes from `sel` (ascending positions within a block starting at segment
 * row `start`, `k` of them) the positions deleted rows[lo, hi) name; returns
 * how many remain, compacted at the front of `sel`.
 */
export function dropDeleted(sel: Uint32Array, k: number, rows: Uint32Array, lo: number, hi: number, start: number): number {
  let n = 0;
  let d = lo;
  for (let i = 0; i < k; i++) {
    const pos = sel[i]!;
    const row = start + pos;
    while (d < hi && rows[d]! < row) d++;
    if (d < hi && rows[d] === row) continue;
    sel[n++] = pos;
  }
  return n;
}
