/**
 * A list of strings as bytes: the varint length of each string in UTF-16 code
 * units, then the UTF-8 of all strings concatenated, running to the end of the
 * block. Every codec that stores strings (raw rows, dictionary entries, run
 * values) stores them this way, always last in its block.
 *
 * Why lengths in UTF-16 units rather than bytes: the decoder turns the whole
 * UTF-8 run into one JS string with a single native call and then slices it, which
 * is several times faster than decoding each string on its own; slicing needs
 * offsets in the JS string's units. UTF-8 <-> UTF-16 preserves the number of units
 * of every well-formed string, and the encoder writes a lone surrogate (which is
 * not Unicode text and cannot come from a UTF-8 file) as U+FFFD, one unit for one
 * unit, so the offsets stay aligned even then.
 */
import { ByteReader, corrupt, varintSize, writeVarint } from './bytes.js';

const utf8 = new TextEncoder();
// ignoreBOM: a string that starts with U+FEFF must keep it.
const fromUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Strings measured once, so that sizing and writing do not repeat the work. */
export interface TextLayout {
  readonly joined: string;
  readonly bytes: number;
}

export function layoutText(strings: readonly string[]): TextLayout {
  // One join and one native byte count beat a byteLength call per string.
  const joined = strings.join('');
  return { joined, bytes: Buffer.byteLength(joined, 'utf8') };
}

/** Bytes that writeText takes for these strings. */
export function textSize(strings: readonly string[], layout: TextLayout): number {
  let size = layout.bytes;
  for (let i = 0; i < strings.length; i++) size += varintSize(strings[i]!.length);
  return size;
}

export function writeText(strings: readonly string[], layout: TextLayout, out: Uint8Array, at: number): number {
  for (let i = 0; i < strings.length; i++) at = writeVarint(out, at, strings[i]!.length);
  const { written } = utf8.encodeInto(layout.joined, out.subarray(at, at + layout.bytes));
  if (written !== layout.bytes) throw new Error(`UTF-8 length mismatch (${written} of ${layout.bytes} bytes)`);
  return at + written;
}

/** Reads `count` strings written by writeText starting at `at`; they run to the end of bytes. */
export function readText(bytes: Uint8Array, at: number, count: number): string[] {
  const lengths = new Uint32Array(count);
  const reader = new ByteReader(bytes, at);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const len = reader.varint();
    lengths[i] = len;
    total += len;
  }
  const joined = fromUtf8.decode(bytes.subarray(reader.pos));
  if (joined.length !== total) throw corrupt(`string data holds ${joined.length} UTF-16 units, lengths say ${total}`);
  const out = new Array<string>(count);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const end = pos + lengths[i]!;
    out[i] = joined.slice(pos, end);
    pos = end;
  }
  return out;
}
