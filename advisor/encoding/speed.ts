/**
 * Decode speed on this machine. `decodeSpeeds` measures, once per process, ns
 * per value of every codec on a synthetic block of each physical kind: the
 * reference table in the docs, and the warm-up of every decoder. The chooser
 * then times each codec on the column's own sampled blocks (`timeDecode`):
 * decode cost depends on the data as much as on the codec (a dictionary of 5
 * strings decodes far faster than one of 16,384 distinct comments, which
 * costs a JS string per row like RAW; delta decodes sorted keys from packed
 * deltas several times faster than jumpy values from varints).
 *
 * The first decodes of a codec run before the JIT has optimized it, up to 100x
 * slower; and the machine is shared. So each figure is the fastest of many
 * timed rounds after warm-up rounds (interference only ever adds time).
 */
import type { EncodingId, PhysicalKind, Vector } from '../../engine/index.js';
import { ALL_CODECS, codecById } from '../../engine/index.js';

export type DecodeSpeeds = Readonly<Record<PhysicalKind, Readonly<Partial<Record<EncodingId, number>>>>>;

const ROWS = 16_384;

/** A block of `kind` values: clustered runs of a few hundred distinct values (every codec applies, none degenerates). */
function syntheticBlock(kind: PhysicalKind): Vector {
  const n = ROWS;
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  const base = Array.from({ length: n }, (_, i) => Math.floor(i / 8) % 700 + (next() % 3));
  switch (kind) {
    case 'i32':
      return { kind, values: Int32Array.from(base), nulls: null, length: n };
    case 'f64':
      return { kind, values: Float64Array.from(base, (x) => x * 100 + 7), nulls: null, length: n };
    case 'bool':
      return { kind, values: Uint8Array.from(base, (x) => x & 1), nulls: null, length: n };
    case 'str': {
      const dict = Array.from({ length: 703 }, (_, i) => `value ${i} of some text ${(i * 7919) % 1000}`);
      return { kind, codes: Uint32Array.from(base), dict, nulls: null, length: n };
    }
  }
}

let measured: DecodeSpeeds | null = null;

/** ns per value to decode, per kind and codec (median of several timed rounds), measured on first call. */
export function decodeSpeeds(): DecodeSpeeds {
  if (measured) return measured;
  const out: Record<string, Record<string, number>> = {};
  for (const kind of ['i32', 'f64', 'bool', 'str'] as const) {
    const block = syntheticBlock(kind);
    out[kind] = {};
    for (const codec of ALL_CODECS) {
      if (!codec.supports(kind) || !Number.isFinite(codec.encodedSize(block))) continue;
      const bytes = codec.encode(block);
      out[kind]![codec.id] = timeDecode(codec.id, kind, [{ bytes, rows: ROWS }], 40, 40);
    }
  }
  measured = out as unknown as DecodeSpeeds;
  return measured;
}

/** Fastest of `rounds` timed decodes (after `warmup` untimed ones) of the encoded blocks, in ns per value. */
export function timeDecode(codec: EncodingId, kind: PhysicalKind, blocks: readonly { readonly bytes: Uint8Array; readonly rows: number }[], rounds = 3, warmup = 1): number {
  const c = codecById(codec);
  let rows = 0;
  for (const b of blocks) rows += b.rows;
  for (let w = 0; w < warmup; w++) for (const b of blocks) c.decode(b.bytes, kind, b.rows);
  if (rows === 0) return 0;
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (const b of blocks) c.decode(b.bytes, kind, b.rows);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / rows);
  }
  return best;
}
