/**
 * Raw log segments: an 8-byte header, then one frame per record:
 *
 *   "KEELWL" u16le format (1)
 *   frame: u32le payload length | u32le crc32(payload) | payload (UTF-8 JSON array: codec.ts)
 *
 * A writer appends each frame with one write(2) on an O_APPEND descriptor, so a
 * process that dies (even by SIGKILL) leaves whole frames behind; a machine
 * that loses power can leave a torn last frame (the page cache had not reached
 * the disk). The reader keeps every whole, checksummed frame, skips a damaged
 * frame in the middle when it can find the next good one, and drops a torn
 * tail, with a warning either way.
 */
import { crc32 } from 'node:zlib';

export const SEGMENT_MAGIC = Buffer.from('KEELWL', 'latin1');
export const SEGMENT_FORMAT = 1;
export const HEADER_BYTES = 8;
export const FRAME_HEADER_BYTES = 8;
/** Larger frames are taken as damage: no query record comes near this. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function segmentHeader(): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  SEGMENT_MAGIC.copy(h, 0);
  h.writeUInt16LE(SEGMENT_FORMAT, 6);
  return h;
}

/**
 * Encodes one frame into `buf` at `at` and returns the buffer (a larger copy
 * when it was too small) and where the frame ends. Buffers are reused across
 * calls to spare an allocation per record.
 */
export function encodeFrame(json: string, buf: Buffer, at = 0): { buf: Buffer; end: number } {
  const max = at + FRAME_HEADER_BYTES + json.length * 3;
  if (buf.length < max) {
    const bigger = Buffer.allocUnsafe(Math.max(max, buf.length * 2));
    buf.copy(bigger, 0, 0, at);
    buf = bigger;
  }
  const start = at + FRAME_HEADER_BYTES;
  const n = buf.write(json, start, 'utf8');
  buf.writeUInt32LE(n, at);
  buf.writeUInt32LE(crc32(buf.subarray(start, start + n)), at + 4);
  return { buf, end: start + n };
}

export interface ScanResult {
  /** Offset just after the last whole frame. */
  readonly end: number;
  /** Bytes after `end` that do not make a whole frame (a torn tail). */
  readonly tornBytes: number;
  /** Damaged stretches skipped in the middle: [offset, length]. */
  readonly skipped: readonly (readonly [number, number])[];
}

function frameAt(buf: Buffer, p: number): number {
  if (p + FRAME_HEADER_BYTES > buf.length) return -1;
  const len = buf.readUInt32LE(p);
  if (len === 0 || len > MAX_FRAME_BYTES || p + FRAME_HEADER_BYTES + len > buf.length) return -1;
  const payload = buf.subarray(p + FRAME_HEADER_BYTES, p + FRAME_HEADER_BYTES + len);
  if (crc32(payload) !== buf.readUInt32LE(p + 4)) return -1;
  return len;
}

/** The next offset after `from` where a whole, checksummed JSON frame starts, or -1. */
function resync(buf: Buffer, from: number): number {
  for (let q = from; q + FRAME_HEADER_BYTES < buf.length; q++) {
    // a payload is a JSON array: a cheap filter before the checksum
    if (buf[q + FRAME_HEADER_BYTES] === 0x5b && frameAt(buf, q) > 0) return q;
  }
  return -1;
}

/** Calls `onPayload` for every good frame of `buf` from `start` (an offset past the header). */
export function scanFrames(buf: Buffer, start: number, onPayload: (payload: Buffer, offset: number) => void): ScanResult {
  const skipped: [number, number][] = [];
  let p = start;
  while (p < buf.length) {
    const len = frameAt(buf, p);
    if (len > 0) {
      onPayload(buf.subarray(p + FRAME_HEADER_BYTES, p + FRAME_HEADER_BYTES + len), p);
      p += FRAME_HEADER_BYTES + len;
      continue;
    }
    const next = resync(buf, p + 1);
    if (next < 0) return { end: p, tornBytes: buf.length - p, skipped };
    skipped.push([p, next - p]);
    p = next;
  }
  return { end: p, tornBytes: 0, skipped };
}

/** Whether `buf` starts with a segment header this reader understands; a message when not. */
export function headerProblem(buf: Buffer): string | null {
  if (buf.length < HEADER_BYTES) return 'the header is incomplete';
  if (!buf.subarray(0, 6).equals(SEGMENT_MAGIC)) return 'not a workload log segment';
  const format = buf.readUInt16LE(6);
  if (format !== SEGMENT_FORMAT) return `segment format ${format}; this keel reads format ${SEGMENT_FORMAT}`;
  return null;
}
