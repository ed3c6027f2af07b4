/**
 * The partitions of a hash aggregate that spilled (aggregate.ts). Once its
 * table is as large as the memory limit lets it be, the aggregate keeps
 * updating the groups it has and diverts the rows of every other group here:
 * by a hash of their key values into PARTITIONS spill files, each later
 * aggregated on its own. A group is wholly in the table or wholly in one
 * partition (its first row decides), so no group is split. A partition too
 * large again is split again by the next PARTITION_BITS of the hash, down to
 * MAX_DEPTH levels.
 */
import type { Batch } from '../../types.js';
import { fmix32, hashInt32, hashNumber, hashString, NULL_HASH } from '../../storage/hash.js';
import { gatherBatch } from '../batch.js';
import type { ExecContext, NodeStats } from '../context.js';
import { SpillWriter } from '../memory/index.js';

export const PARTITION_BITS = 4;
const PARTITIONS = 1 << PARTITION_BITS;
/** 6 levels of 16: 16M partitions, 24 of the hash's 32 bits. */
export const MAX_DEPTH = 6;
/** Mixed into every row's hash, so that the partitions do not follow the slice hash the rows were distributed by. */
const SEED = 0x2c1b3c6d;

export class AggregatePartitions {
  private readonly writers: (SpillWriter | null)[] = new Array<SpillWriter | null>(PARTITIONS).fill(null);
  private hashes = new Uint32Array(0);
  private sel = new Uint32Array(0);
  private readonly counts = new Int32Array(PARTITIONS + 1);

  constructor(
    private readonly keys: readonly number[],
    private readonly depth: number,
    private readonly ctx: ExecContext,
    private readonly stats: NodeStats,
  ) {}

  /** Writes the rows of `batch` to their partitions' files. */
  add(batch: Batch): void {
    const n = batch.length;
    if (this.hashes.length < n) {
      this.hashes = new Uint32Array(n);
      this.sel = new Uint32Array(n);
    }
    const h = this.hashes;
    rowHashes(batch, this.keys, h);
    const shift = PARTITION_BITS * this.depth;
    const counts = this.counts;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((h[i]! >>> shift) & (PARTITIONS - 1)) + 1]!++;
    for (let p = 0; p < PARTITIONS; p++) counts[p + 1]! += counts[p]!;
    // a counting sort of the row numbers by partition; counts[p] ends at partition p's end
    const sel = this.sel;
    const at = counts.slice(0, PARTITIONS);
    for (let i = 0; i < n; i++) sel[at[(h[i]! >>> shift) & (PARTITIONS - 1)]!++] = i;
    for (let p = 0; p < PARTITIONS; p++) {
      const from = counts[p]!;
      const to = counts[p + 1]!;
      if (to === from) continue;
      let w = this.writers[p];
      if (!w) w = this.writers[p] = new SpillWriter(this.ctx.spill.file(`aggregate-d${this.depth}-p${p}`));
      w.write(gatherBatch(batch, sel.subarray(from, to), to - from));
    }
  }

  /** Closes the files; returns their paths, in partition order (the statistics count them). */
  finish(): string[] {
    const files: string[] = [];
    for (const w of this.writers) {
      if (!w) continue;
      w.close();
      this.stats.bytesSpilled += w.bytes;
      this.stats.spillFiles++;
      files.push(w.path);
    }
    return files;
  }

  /** Closes the files after a failure (the query's spill folder goes with them). */
  abort(): void {
    for (const w of this.writers) w?.close();
  }
}

/** A hash of each row's key values: strings by value (batches' dictionaries differ), numbers by value, NULL as NULL_HASH. */
function rowHashes(batch: Batch, keys: readonly number[], out: Uint32Array): void {
  const n = batch.length;
  out.fill(SEED, 0, n);
  for (const c of keys) {
    const v = batch.columns[c]!;
    const nulls = v.nulls;
    if (v.kind === 'str') {
      const dh = new Uint32Array(v.dict.length);
      for (let d = 0; d < dh.length; d++) dh[d] = hashString(v.dict[d]!);
      const codes = v.codes;
      for (let i = 0; i < n; i++) out[i] = fmix32(Math.imul(out[i]! ^ (nulls !== null && nulls[i] === 1 ? NULL_HASH : dh[codes[i]!]!), 0x9e3779b1));
    } else if (v.kind === 'f64') {
      const x = v.values;
      for (let i = 0; i < n; i++) out[i] = fmix32(Math.imul(out[i]! ^ (nulls !== null && nulls[i] === 1 ? NULL_HASH : hashNumber(x[i]!)), 0x9e3779b1));
    } else {
      const x = v.values;
      for (let i = 0; i < n; i++) out[i] = fmix32(Math.imul(out[i]! ^ (nulls !== null && nulls[i] === 1 ? NULL_HASH : hashInt32(x[i]!)), 0x9e3779b1));
    }
  }
}
