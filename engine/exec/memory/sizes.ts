/**
 * What the accountant is told a batch held in memory costs: its typed arrays'
 * bytes, and for a string column its dictionary at 2 bytes a character plus
 * 32 bytes an entry (V8's string header and the array slot, rounded up). A
 * dictionary shared by several batches is counted once per batch: an
 * overestimate, which spills earlier rather than later.
 */
import type { Batch } from '../../types.js';

export function batchMemory(b: Batch): number {
  let bytes = 0;
  for (const v of b.columns) {
    if (v.nulls !== null) bytes += v.nulls.byteLength;
    if (v.kind === 'str') {
      bytes += v.codes.byteLength;
      const d = v.dict;
      for (let i = 0; i < d.length; i++) bytes += 32 + 2 * d[i]!.length;
    } else bytes += v.values.byteLength;
  }
  return bytes;
}
