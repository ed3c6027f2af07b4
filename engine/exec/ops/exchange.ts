/**
 * Exchanges move rows between slices: by hash of key columns, to every slice
 * (broadcast), or to one slice (gather, return). They run their input on every
 * slice once and hand each slice its share, counting the rows and bytes that
 * left their slice: the network cost the distribution advisor minimizes.
 */
import type { Batch } from '../../types.js';
import type { ExchangeNode } from '../../plan/physical.js';
import { hashSlices } from '../../storage/table-writer.js';
import { batchBytes, gatherBatch } from '../batch.js';
import type { ExecContext } from '../context.js';


/** Runs the exchange's input on every slice; returns the batches each slice receives. */
export function runExchange(node: ExchangeNode, inputFor: (slice: number) => Iterable<Batch>, ctx: ExecContext): Batch[][] {
  const slices = ctx.slices;
  const stats = ctx.statsFor(node.id);
  const out: Batch[][] = Array.from({ length: slices }, () => []);
  const counted = node.mode !== 'return';
  if (node.mode === 'pick') {
    for (const batch of inputFor(0)) if (batch.length) out[0]!.push(batch);
    for (const b of out[0]!) stats.rowsOut += b.length;
    return out;
  }
  for (let s = 0; s < slices; s++) {
    for (const batch of inputFor(s)) {
      const n = batch.length;
      if (n === 0) continue;
      switch (node.mode) {
        case 'gather':
        case 'return':
          out[0]!.push(batch);
          if (s !== 0 && counted) {
            stats.rowsMoved += n;
            stats.bytesMoved += batchBytes(batch);
          }
          break;
        case 'broadcast': {
          const bytes = batchBytes(batch);
          for (let t = 0; t < slices; t++) out[t]!.push(batch);
          stats.rowsMoved += n * (slices - 1);
          stats.bytesMoved += bytes * (slices - 1);
          break;
        }
        case 'hash': {
          const target = new Uint32Array(n);
          if (node.keys.length === 1) hashSlices(batch.columns[node.keys[0]!]!, slices, target);
          else combinedHash(batch, node.keys, slices, target);
          const counts = new Int32Array(slices);
          for (let i = 0; i < n; i++) counts[target[i]!]!++;
          for (let t = 0; t < slices; t++) {
            const c = counts[t]!;
            if (c === 0) continue;
            let part: Batch;
            if (c === n) part = batch;
            else {
              const sel = new Uint32Array(c);
              let k = 0;
              for (let i = 0; i < n; i++) if (target[i] === t) sel[k++] = i;
              part = gatherBatch(batch, sel, c);
            }
            out[t]!.push(part);
            if (t !== s) {
              stats.rowsMoved += c;
              stats.bytesMoved += batchBytes(part);
            }
          }
          break;
        }
      }
    }
  }
  for (const batches of out) for (const b of batches) stats.rowsOut += b.length;
  return out;
}

/** Slice per row from several key columns: the per-column slice hashes mixed together. */
function combinedHash(batch: Batch, keys: readonly number[], slices: number, out: Uint32Array): void {
  const n = batch.length;
  const acc = new Uint32Array(n);
  const part = new Uint32Array(n);
  // hash each column into the full 32-bit space (slices = 2^32 - 1 keeps the hash), then mix
  for (const k of keys) {
    hashSlices(batch.columns[k]!, 0xffffffff, part);
    for (let i = 0; i < n; i++) acc[i] = (Math.imul(acc[i]! ^ part[i]!, 0x01000193) >>> 0);
  }
  for (let i = 0; i < n; i++) out[i] = acc[i]! % slices;
}
