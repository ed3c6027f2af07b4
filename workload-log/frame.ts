/**
 * Raw log segments: an 8-byte header, then one frame per record:
 *
 *   "KEELWL" u16le format (3; 1 and 2 are still read)
 *   frame: u32le payload length | u32le crc32(payload) | payload
 *
 * A payload of format 3 or 2 is a binary record (binary-codec.ts: format 3
 * writes each distinct SQL text once per segment, format 2 wrote it in every
 * record's frame); format 1, written before, held a UTF-8 JSON array
 * (codec.ts). A keel that does not read a segment's format names the format it
 * met and ignores the segment.
 *
 * A writer appends each frame with one write(2) on an O_APPEND descriptor, so a
 * process that dies (even by SIGKILL) leaves whole frames behind; a machine
 * that loses power can leave a torn last frame (the page cache had not reached
 * the disk). The reader keeps every whole, checksummed frame, skips a damaged
 * frame in the middle when it can find the next good one, and drops a torn
 * tail, with a warning either way.
 */
import { crc32 } from 'node:zlib';
import { RECORD_TAG } from './binary-codec.js';

export const SEGMENT_MAGIC = Buffer.from('KEELWL', 'latin1');
/** The format this keel writes. */
export const SEGMENT_FORMAT = 3;
/** The formats this keel reads. */
export const READ_FORMATS: readonly number[] = [1, 2, 3];
export const HEADER_BYTES = 8;
export const FRAME_HEADER_BYTES = 8;
/** Larger frames are taken as damage: no query record comes near this. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function segmentHeader(format = SEGMENT_FORMAT): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  SEGMENT_MAGIC.copy(h, 0);
  h.writeUInt16LE(format, 6);
  return h;
}

/** Completes the frame whose payload was written at `at + FRAME_HEADER_BYTES` up to `end`: its length and checksum. */
export function sealFrame(buf: Buffer, at: number, end: number): void {
  const start = at + FRAME_HEADER_BYTES;
  buf.writeUInt32LE(end - start, at);
  buf.writeUInt32LE(crc32(buf.subarray(start, end)), at + 4);
}

/** A format-1 frame of a JSON payload (old segments, written by tests that check they are still read). */
export function jsonFrame(json: string): Buffer {
  const payload = Buffer.from(json, 'utf8');
  const buf = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
  payload.copy(buf, FRAME_HEADER_BYTES);
  sealFrame(buf, 0, buf.length);
  return buf;
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

/** The first byte of every payload of a segment format: a cheap filter before the checksum when looking for the next frame. */
export function payloadTag(format: number): number {
  return format === 1 ? 0x5b /* '[' */ : RECORD_TAG;
}

/** The next offset after `from` where a whole, checksummed frame starts, or -1. */
function resync(buf: Buffer, from: number, tag: number): number {
  for (let q = from; q + FRAME_HEADER_BYTES < buf.length; q++) {
    if (buf[q + FRAME_HEADER_BYTES] === tag && frameAt(buf, q) > 0) return q;
  }
  return -1;
}

/**
 * Calls `onPayload` with the bounds of every good frame's payload in `buf`
 * (bounds, not a view: a million frames would make a million views), from
 * `start` (an offset past the header); `tag` is payloadTag(format).
 */
export function scanFrames(buf: Buffer, start: number, tag: number, onPayload: (from: number, to: number) => void): ScanResult {
  const skipped: [number, number][] = [];
  let p = start;
  while (p < buf.length) {
    const len = frameAt(buf, p);
    if (len > 0) {
      onPayload(p + FRAME_HEADER_BYTES, p + FRAME_HEADER_BYTES + len);
      p += FRAME_HEADER_BYTES + len;
      continue;
    }
    const next = resync(buf, p + 1, tag);
    if (next < 0) return { end: p, tornBytes: buf.length - p, skipped };
    skipped.push([p, next - p]);
    p = next;
  }
  return { end: p, tornBytes: 0, skipped };
}

/** The segment's format when `buf` starts with a header this reader understands; a message when not. */
export function headerFormat(buf: Buffer): number | string {
  if (buf.length < HEADER_BYTES) return 'the header is incomplete';
  if (!buf.subarray(0, 6).equals(SEGMENT_MAGIC)) return 'not a workload log segment';
  const format = buf.readUInt16LE(6);
  if (!READ_FORMATS.includes(format)) return `segment format ${format}; this keel reads formats ${READ_FORMATS.slice(0, -1).join(', ')} and ${READ_FORMATS[READ_FORMATS.length - 1]}`;
  return format;
}
