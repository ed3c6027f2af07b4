/**
 * Batches crossing threads: typed arrays go as transferred buffers (no copy),
 * strings by structured clone. A typed array that is a view into part of a
 * larger buffer is copied out first, so that transferring it neither ships
 * nor detaches memory that is not its own. One in shared memory (an
 * exchange's share, passed on as it came) is shared again as it is.
 */
import type { Batch, Vector } from '../types.js';

type Typed = Int32Array | Float64Array | Uint8Array | Uint32Array;

function own<T extends Typed>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as T);
}

function ownVector(v: Vector): Vector {
  const nulls = v.nulls === null ? null : own(v.nulls);
  switch (v.kind) {
    case 'str':
      return { kind: 'str', codes: own(v.codes), dict: v.dict, nulls, length: v.length };
    case 'i32':
      return { kind: 'i32', values: own(v.values), nulls, length: v.length };
    case 'f64':
      return { kind: 'f64', values: own(v.values), nulls, length: v.length };
    case 'bool':
      return { kind: 'bool', values: own(v.values), nulls, length: v.length };
  }
}

/** The batches with every typed array owning its whole buffer, and those buffers (each once) to transfer. */
export function forTransfer(batches: readonly Batch[]): { batches: Batch[]; transfer: ArrayBuffer[] } {
  const { lists, transfer } = listsForTransfer([batches]);
  return { batches: lists[0]!, transfer };
}

/** forTransfer for several lists of batches sent in one message (a buffer may be transferred only once). */
export function listsForTransfer(lists: readonly (readonly Batch[])[]): { lists: Batch[][]; transfer: ArrayBuffer[] } {
  const out = lists.map((batches) => batches.map((b) => ({ length: b.length, columns: b.columns.map(ownVector) })));
  const seen = new Set<ArrayBuffer>();
  for (const list of out) {
    for (const b of list) {
      for (const v of b.columns) {
        const arrays: Typed[] = v.kind === 'str' ? [v.codes] : [v.values];
        if (v.nulls) arrays.push(v.nulls);
        for (const a of arrays) if (a.buffer instanceof ArrayBuffer) seen.add(a.buffer);
      }
    }
  }
  return { lists: out, transfer: [...seen] };
}
