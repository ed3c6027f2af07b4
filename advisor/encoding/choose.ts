/**
 * Choosing each column's encoding from sampled data: every codec the engine
 * has encodes the same sampled blocks, and the smallest wins once each codec's
 * decode time (measured on this machine, encoding/speed.ts) is charged at a
 * fixed exchange rate of bytes per nanosecond. The leading sort-key column
 * never gets zstd (docs/advisor.md, "Encodings", says why).
 */
import type { Database, EncodingId, PhysicalKind, TableMeta, Vector } from '../../engine/index.js';
import { ALL_CODECS, codecById, encodeAuto, physicalKind } from '../../engine/index.js';
import type { Workload } from '../../workload-log/index.js';
import { sampleRuns, sliceVector } from '../sample.js';
import { decodeSpeeds, timeDecode, type DecodeSpeeds } from './speed.js';
import { columnReads, type ColumnReads } from './usage.js';

/**
 * The exchange rate between decode time and size: a byte per value saved pays
 * for 10 ns per value of extra decoding. That is what reading a byte costs
 * from a disk streaming about 100 MB/s, a cold scan's price; from the page
 * cache bytes are cheaper and decode time matters more, but then storage is
 * the other half of what encodings are for.
 */
export const DEFAULT_BYTES_PER_NS = 0.1;

/** A change must make the whole column at least this many bytes smaller (one page). */
const MIN_GAIN_BYTES = 4096;

export interface EncodingOptions {
  /** Blocks sampled per column (default 16), as runs of blockRows consecutive rows spread over the table. */
  sampleBlocks?: number;
  /** Bytes a codec must save per nanosecond of extra decode time per value (default 0.1: a byte per value for every 10 ns per value). */
  bytesPerNs?: number;
  /** A change is proposed only when it cuts the column's cost by at least this fraction (default 0.05). */
  minSaving?: number;
  /** Only these tables (default all). */
  tables?: readonly string[];
  /** Sort keys to assume (e.g. proposed ones); a table's own key otherwise. */
  sortKeys?: ReadonlyMap<string, readonly string[]>;
  /** Decode speeds to use instead of measuring (tests). */
  speeds?: DecodeSpeeds;
}

export interface CodecSize {
  /** A codec, or 'auto' (ENCODE AUTO's choice per block). */
  readonly codec: EncodingId | 'auto';
  /** Encoded bytes of the sampled blocks. */
  readonly bytes: number;
  /** Measured decode time, ns per value. */
  readonly decodeNs: number;
  /** bytes + bytesPerNs * decodeNs * rows: what the choice minimizes. */
  readonly cost: number;
}

export interface EncodingChoice {
  readonly table: string;
  readonly column: string;
  readonly kind: PhysicalKind;
  readonly current: EncodingId | 'auto';
  /** The encoding was written by the user (ENCODE in DDL): recommended, applied only when asked for. */
  readonly userSet: boolean;
  /** The best codec, or null when the current setting should stay. */
  readonly proposed: EncodingId | null;
  readonly best: EncodingId;
  /** Every codec that applies, cheapest first, and the current setting. */
  readonly sizes: readonly CodecSize[];
  readonly currentSize: CodecSize;
  readonly sample: { readonly rows: number; readonly blocks: number; readonly blockRows: number; readonly tableRows: number };
  /** The column's encoded size scaled from the sample to the whole table, now and with the best codec. */
  readonly tableBytes: { readonly current: number; readonly best: number };
  readonly leadingSortKey: boolean;
  readonly reads: ColumnReads;
  /** Over the logged workload: bytes the column's scans would stop reading, and decode ms saved (negative = slower). */
  readonly saved: { readonly bytes: number; readonly decodeMs: number };
  readonly note: string | null;
}

interface EncodedBlock {
  readonly id: EncodingId;
  readonly bytes: Uint8Array;
  readonly rows: number;
}

/** Each block encoded with `codec` (AUTO: its per-block choice); a block the codec cannot hold is written RAW, as the segment writer does. */
function encodeBlocks(codec: EncodingId | 'auto', blocks: readonly Vector[]): EncodedBlock[] {
  return blocks.map((b) => {
    if (codec === 'auto') {
      const e = encodeAuto(b);
      return { id: e.id, bytes: e.bytes, rows: b.length };
    }
    const c = codecById(codec);
    const id: EncodingId = Number.isFinite(c.encodedSize(b)) ? codec : 'raw';
    return { id, bytes: codecById(id).encode(b), rows: b.length };
  });
}

/** Decode time of encoded blocks in ns per value, each block by its own codec. */
function decodeNs(kind: PhysicalKind, blocks: readonly EncodedBlock[]): number {
  let total = 0;
  let rows = 0;
  for (const id of new Set(blocks.map((b) => b.id))) {
    const mine = blocks.filter((b) => b.id === id);
    const n = mine.reduce((s, b) => s + b.rows, 0);
    total += timeDecode(id, kind, mine) * n;
    rows += n;
  }
  return rows ? total / rows : 0;
}

/** Size and measured decode speed of the sampled blocks under one setting. */
function measure(codec: EncodingId | 'auto', kind: PhysicalKind, blocks: readonly Vector[], rate: number, speeds: DecodeSpeeds | undefined): CodecSize {
  const enc = encodeBlocks(codec, blocks);
  const bytes = enc.reduce((s, b) => s + b.bytes.length, 0);
  const rows = enc.reduce((s, b) => s + b.rows, 0);
  // the reference table's measurement warms every decoder up before the sample is timed
  const table = speeds ?? decodeSpeeds();
  const ns = speeds ? enc.reduce((s, b) => s + (table[kind][b.id] ?? 0) * b.rows, 0) / Math.max(1, rows) : decodeNs(kind, enc);
  return { codec, bytes, decodeNs: ns, cost: bytes + rate * ns * rows };
}

/**
 * The encoding choice of one column over its sampled blocks: every codec that
 * can hold every sampled block, scored by size plus measured decode time at
 * the exchange rate; the leading sort-key column is not offered zstd.
 */
export function chooseColumnEncoding(
  table: TableMeta,
  column: string,
  blocks: readonly Vector[],
  tableRows: number,
  reads: ColumnReads,
  leadingSortKey: boolean,
  o: EncodingOptions & { blockRows: number },
): EncodingChoice {
  const meta = table.columns.find((c) => c.name === column)!;
  const kind = physicalKind(meta.type);
  const rate = o.bytesPerNs ?? DEFAULT_BYTES_PER_NS;
  const rows = blocks.reduce((s, b) => s + b.length, 0);
  const sizes: CodecSize[] = [];
  for (const codec of ALL_CODECS) {
    if (!codec.supports(kind)) continue;
    if (leadingSortKey && codec.id === 'zstd') continue;
    // a codec that cannot hold some sampled block would write it RAW: not a real candidate for the column
    if (!blocks.every((b) => Number.isFinite(codec.encodedSize(b)))) continue;
    sizes.push(measure(codec.id, kind, blocks, rate, o.speeds));
  }
  sizes.sort((a, b) => a.cost - b.cost);
  const currentSize = sizes.find((s) => s.codec === meta.encoding) ?? measure(meta.encoding, kind, blocks, rate, o.speeds);
  const best = sizes[0]!;
  const scale = rows > 0 ? tableRows / rows : 0;
  // Only a codec that makes the column smaller is a candidate: decode times are measured and carry noise
  // (ENCODE AUTO often wrote the very blocks the best codec would, and only the clock tells them apart), so
  // a change for speed alone, or one that trades size for speed, is never proposed. The cheapest smaller
  // codec must cut the cost by minSaving and the whole column by a page, so a 5-row table is not rewritten.
  const pick = sizes.find((x) => x.bytes < currentSize.bytes * 0.99 && x.codec !== meta.encoding) ?? null;
  const saving = pick && currentSize.cost > 0 ? (currentSize.cost - pick.cost) / currentSize.cost : 0;
  const gain = pick ? (currentSize.bytes - pick.bytes) * scale : 0;
  const changes = pick !== null && saving >= (o.minSaving ?? 0.05) && gain >= MIN_GAIN_BYTES;
  const perRowBytes = pick && rows > 0 ? (currentSize.bytes - pick.bytes) / rows : 0;
  const perRowNs = pick ? currentSize.decodeNs - pick.decodeNs : 0;
  return {
    table: table.name,
    column,
    kind,
    current: meta.encoding,
    userSet: meta.encodingExplicit,
    proposed: changes ? (pick!.codec as EncodingId) : null,
    best: best.codec as EncodingId,
    sizes,
    currentSize,
    sample: { rows, blocks: blocks.length, blockRows: o.blockRows, tableRows },
    tableBytes: { current: Math.round(currentSize.bytes * scale), best: Math.round((changes ? pick! : currentSize).bytes * scale) },
    leadingSortKey,
    reads,
    saved: changes ? { bytes: perRowBytes * reads.rowsScanned, decodeMs: (perRowNs * reads.rowsScanned) / 1e6 } : { bytes: 0, decodeMs: 0 },
    note: changes
      ? null
      : !pick
        ? best.codec === meta.encoding
          ? 'the current encoding is already the best'
          : `no codec makes the column more than 1% smaller (the cheapest by size and decode time, ${best.codec}, is not smaller: a change for decode speed alone is not proposed, since decode timings carry noise)`
        : saving < (o.minSaving ?? 0.05)
          ? `the smallest candidate (${pick.codec}) would save ${(saving * 100).toFixed(1)}% of the column's cost, under the ${((o.minSaving ?? 0.05) * 100).toFixed(0)}% a rewrite must earn`
          : `the smallest candidate (${pick.codec}) would make the whole column about ${Math.round(gain)} bytes smaller, under the ${MIN_GAIN_BYTES} a rewrite must earn`,
  };
}

/** The sampled blocks of one column: runs of blockRows consecutive rows. */
function blocksOf(v: Vector, blockRows: number): Vector[] {
  const out: Vector[] = [];
  for (let from = 0; from < v.length; from += blockRows) out.push(sliceVector(v, null, from, Math.min(v.length, from + blockRows)));
  return out;
}

/** Every column's encoding choice (tables with rows only), reading one column at a time. */
export async function chooseEncodings(db: Database, workload: Workload | null, o: EncodingOptions = {}): Promise<EncodingChoice[]> {
  const catalog = db.catalog();
  const reads = workload ? columnReads(workload) : new Map<string, ColumnReads>();
  const out: EncodingChoice[] = [];
  for (const name of Object.keys(catalog.tables).sort()) {
    if (o.tables && !o.tables.includes(name)) continue;
    const table = catalog.tables[name]!;
    if (table.rows === 0) continue;
    const key = o.sortKeys?.get(name) ?? table.sortKey;
    for (const col of table.columns) {
      const sample = await sampleRuns(db, table, [col.name], o.sampleBlocks ?? 16, catalog.blockRows);
      const blocks = blocksOf(sample.columns[0]!.vector, catalog.blockRows);
      out.push(
        chooseColumnEncoding(table, col.name, blocks, sample.tableRows, reads.get(`${name}.${col.name}`) ?? { scans: 0, rowsScanned: 0 }, key[0] === col.name, {
          ...o,
          blockRows: catalog.blockRows,
        }),
      );
    }
  }
  return out;
}
