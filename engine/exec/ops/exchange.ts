/**
 * Exchanges move rows between slices: by hash of key columns, to every slice
 * (broadcast), or to one slice (gather, return). They run their input on every
 * slice once and hand each slice its share, counting the rows and bytes that
 * left their slice: the network cost the distribution advisor minimizes.
 *
 * A hash exchange places rows exactly as a KEY table's writer does (storage's
 * hashSlices; slicesOf below is the same function, with its int32 case inlined),
 * so a redistributed input meets a table distributed on the same key. Each input
 * batch is cut by one counting sort: every column is gathered once in slice
 * order and each slice's share is a view of its run. The gathered columns live
 * in shared memory (SharedArrayBuffer): a slice's share then goes to the worker
 * thread that runs that slice's next fragment without a copy (parallel.ts),
 * where an ordinary buffer would be cloned whole, every slice's run with it.
 */
import type { Batch, Vector } from '../../types.js';
import type { ExchangeNode } from '../../plan/physical.js';
import { fmix32, hashNumber, hashString, NULL_HASH } from '../../storage/hash.js';
import { batchBytes, compactStrings, rowsView } from '../batch.js';
import type { ExecContext } from '../context.js';
import type { KeyFilter } from '../join-table.js';

/**
 * Runs the exchange's input on every slice; returns the batches each slice
 * receives. A runtime join filter (`filter`, see Executor) drops the rows
 * whose keys the join's other side cannot match before they move.
 */
export function runExchange(node: ExchangeNode, inputFor: (slice: number) => Iterable<Batch>, ctx: ExecContext, filter: KeyFilter | null = null): Batch[][] {
  const slices = ctx.slices;
  const stats = ctx.statsFor(node.id);
  const out: Batch[][] = Array.from({ length: slices }, () => []);
  const counted = node.mode !== 'return';
  if (node.mode === 'pick') {
    for (const batch of inputFor(0)) if (batch.length) out[0]!.push(batch);
    for (const b of out[0]!) stats.rowsOut += b.length;
    return out;
  }
  let target = new Uint32Array(0);
  for (let s = 0; s < slices; s++) {
    const keep = filter ? filter.forSlice() : null;
    for (const input of inputFor(s)) {
      const batch = keep && input.length ? keep(input) : input;
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
          if (target.length < n) target = new Uint32Array(n);
          if (node.keys.length === 1) slicesOf(batch.columns[node.keys[0]!]!, slices, target);
          else combinedSlices(batch, node.keys, slices, target);
          const parts = partition(batch, target, slices);
          for (let t = 0; t < slices; t++) {
            const part = parts[t];
            if (!part) continue;
            out[t]!.push(part);
            if (t !== s) {
              stats.rowsMoved += part.length;
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

/**
 * One slice's output cut for a hash exchange where it was computed (on the
 * thread that ran the slice's fragment, parallel.ts): the parts bound for
 * each slice, in input order, and their bytes (batchBytes), so that the
 * calling thread only has to count and append them (routedExchange).
 */
export interface Routed {
  readonly parts: Batch[][];
  readonly bytes: number[];
}

/**
 * Cuts one slice's batches by the slice their keys hash to, exactly as
 * runExchange's hash mode does, through the slice's runtime join filter
 * (`keep`, KeyFilter.forSlice) when the exchange has one.
 */
export function routeByKeys(keys: readonly number[], batches: Iterable<Batch>, slices: number, keep: ((batch: Batch) => Batch) | null = null): Routed {
  const parts: Batch[][] = Array.from({ length: slices }, () => []);
  const bytes: number[] = new Array<number>(slices).fill(0);
  let target = new Uint32Array(0);
  for (const input of batches) {
    const batch = keep && input.length ? keep(input) : input;
    const n = batch.length;
    if (n === 0) continue;
    if (target.length < n) target = new Uint32Array(n);
    if (keys.length === 1) slicesOf(batch.columns[keys[0]!]!, slices, target);
    else combinedSlices(batch, keys, slices, target);
    const cut = partition(batch, target, slices);
    for (let t = 0; t < slices; t++) {
      const part = cut[t];
      if (!part) continue;
      parts[t]!.push(part);
      bytes[t]! += batchBytes(part);
    }
  }
  return { parts, bytes };
}

/**
 * A hash exchange whose every slice's output was cut where it was computed
 * (routed[s], routeByKeys): the batches each slice receives, in the order
 * runExchange would give them (by source slice, then input batch), and the
 * same counts of rows and bytes moved.
 */
export function routedExchange(node: ExchangeNode, routed: readonly Routed[], ctx: ExecContext): Batch[][] {
  const slices = ctx.slices;
  const stats = ctx.statsFor(node.id);
  const out: Batch[][] = Array.from({ length: slices }, () => []);
  for (let s = 0; s < routed.length; s++) {
    const r = routed[s]!;
    for (let t = 0; t < slices; t++) {
      const parts = r.parts[t]!;
      let rows = 0;
      for (const p of parts) {
        out[t]!.push(p);
        rows += p.length;
      }
      stats.rowsOut += rows;
      if (t !== s) {
        stats.rowsMoved += rows;
        stats.bytesMoved += r.bytes[t]!;
      }
    }
  }
  return out;
}

/** Each slice's rows of `batch` (null for none): the batch itself when all go to one slice. */
function partition(batch: Batch, target: Uint32Array, slices: number): (Batch | null)[] {
  const n = batch.length;
  const counts = new Int32Array(slices);
  for (let i = 0; i < n; i++) counts[target[i]!]!++;
  const parts: (Batch | null)[] = new Array(slices).fill(null);
  for (let t = 0; t < slices; t++) {
    if (counts[t] === n) {
      parts[t] = batch;
      return parts;
    }
  }
  // counting sort: order lists the rows of slice 0, then slice 1, ...
  const starts = new Int32Array(slices + 1);
  for (let t = 0; t < slices; t++) starts[t + 1] = starts[t]! + counts[t]!;
  const at = starts.slice(0, slices);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[at[target[i]!]!++] = i;
  const cut: Vector[][] = Array.from({ length: slices }, () => []);
  for (const v of batch.columns) {
    const g = gatherAll(v, order, n);
    for (let t = 0; t < slices; t++) if (counts[t]! > 0) cut[t]!.push(view(g, starts[t]!, starts[t + 1]!));
  }
  for (let t = 0; t < slices; t++) if (counts[t]! > 0) parts[t] = { length: counts[t]!, columns: cut[t]! };
  return parts;
}

/** v's rows in `order` (a permutation of all n rows), in shared memory. */
function gatherAll(v: Vector, order: Uint32Array, n: number): Vector {
  let nulls: Uint8Array | null = null;
  if (v.nulls !== null) {
    const src = v.nulls;
    nulls = new Uint8Array(new SharedArrayBuffer(n));
    for (let i = 0; i < n; i++) nulls[i] = src[order[i]!]!;
  }
  switch (v.kind) {
    case 'i32': {
      const x = v.values;
      const values = new Int32Array(new SharedArrayBuffer(n * 4));
      for (let i = 0; i < n; i++) values[i] = x[order[i]!]!;
      return { kind: 'i32', values, nulls, length: n };
    }
    case 'f64': {
      const x = v.values;
      const values = new Float64Array(new SharedArrayBuffer(n * 8));
      for (let i = 0; i < n; i++) values[i] = x[order[i]!]!;
      return { kind: 'f64', values, nulls, length: n };
    }
    case 'bool': {
      const x = v.values;
      const values = new Uint8Array(new SharedArrayBuffer(n));
      for (let i = 0; i < n; i++) values[i] = x[order[i]!]!;
      return { kind: 'bool', values, nulls, length: n };
    }
    case 'str': {
      const c = v.codes;
      const codes = new Uint32Array(new SharedArrayBuffer(n * 4));
      for (let i = 0; i < n; i++) codes[i] = c[order[i]!]!;
      return { kind: 'str', codes, dict: v.dict, nulls, length: n };
    }
  }
}

/** Rows [from, to) of v as views of its buffers (a string share keeps only the dictionary entries it uses when that is much smaller). */
function view(v: Vector, from: number, to: number): Vector {
  const share = rowsView(v, from, to);
  return share.kind === 'str' ? compactStrings(share) : share;
}

/** fmix32(0xffffffff): the high word's hash for a negative int32 (a non-negative one's is fmix32(0) = 0). */
const NEG_HIGH = fmix32(0xffffffff);

/** hashInt32 and hashNumber of storage/hash.ts for an int32 value. */
function int32Hash(x: number): number {
  return fmix32(x ^ (x < 0 ? NEG_HIGH : 0));
}

/**
 * h % s for a uint32 h and an int32 s > 0, in int32 arithmetic: V8 computes
 * `%` of a number above 2^31 with a call to fmod, tens of times slower.
 */
function modU32(h: number, s: number): number {
  return ((((h >>> 1) % s) << 1) + (h & 1)) % s;
}

/** The slice of every row (hash % slices), exactly as storage's hashSlices computes it. */
export function slicesOf(v: Vector, slices: number, out: Uint32Array): void {
  hashesOf(v, out);
  const n = v.length;
  if ((slices & (slices - 1)) === 0) {
    const mask = slices - 1;
    for (let i = 0; i < n; i++) out[i] = out[i]! & mask;
  } else if (slices < 1 << 30) {
    for (let i = 0; i < n; i++) out[i] = modU32(out[i]!, slices);
  } else {
    for (let i = 0; i < n; i++) out[i] = out[i]! % slices;
  }
}

/** The 32-bit hash of every row (NULL_HASH for NULLs), as storage/hash.ts computes it. */
function hashesOf(v: Vector, out: Uint32Array): void {
  const n = v.length;
  const nulls = v.nulls;
  switch (v.kind) {
    case 'i32':
    case 'bool': {
      const x = v.values;
      if (nulls === null) for (let i = 0; i < n; i++) out[i] = int32Hash(x[i]!);
      else for (let i = 0; i < n; i++) out[i] = nulls[i] ? NULL_HASH : int32Hash(x[i]!);
      return;
    }
    case 'f64': {
      const x = v.values;
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i]) {
          out[i] = NULL_HASH;
          continue;
        }
        const y = x[i]!;
        const k = y | 0;
        out[i] = k === y ? int32Hash(k) : hashNumber(y);
      }
      return;
    }
    case 'str': {
      const { codes, dict } = v;
      if (dict.length > n) {
        for (let i = 0; i < n; i++) out[i] = nulls !== null && nulls[i] ? NULL_HASH : hashString(dict[codes[i]!]!);
        return;
      }
      // each dictionary entry hashed once
      const byCode = new Uint32Array(dict.length);
      for (let d = 0; d < dict.length; d++) byCode[d] = hashString(dict[d]!);
      for (let i = 0; i < n; i++) out[i] = nulls !== null && nulls[i] ? NULL_HASH : byCode[codes[i]!]!;
      return;
    }
  }
}

/** Slice per row from several key columns: the per-column hashes mixed together. */
function combinedSlices(batch: Batch, keys: readonly number[], slices: number, out: Uint32Array): void {
  const n = batch.length;
  const acc = new Uint32Array(n);
  const part = new Uint32Array(n);
  for (const k of keys) {
    hashesOf(batch.columns[k]!, part);
    // (a hash of 2^32 - 1 counts as 0, as it always has here)
    for (let i = 0; i < n; i++) acc[i] = Math.imul(acc[i]! ^ (part[i] === 0xffffffff ? 0 : part[i]!), 0x01000193) >>> 0;
  }
  const mask = slices - 1;
  const pow2 = (slices & mask) === 0;
  for (let i = 0; i < n; i++) out[i] = pow2 ? acc[i]! & mask : slices < 1 << 30 ? modU32(acc[i]!, slices) : acc[i]! % slices;
}
