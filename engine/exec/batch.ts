/** Batch-level helpers used by every operator: gather by selection, concatenation, sizes. */
import type { Batch, PhysicalKind, Vector } from '../types.js';

/** Rows sel[0..count) of v (a new vector; the row indexes must be in range). */
export function gatherVector(v: Vector, sel: Int32Array | Uint32Array, count: number): Vector {
  const src = v.nulls;
  let nulls: Uint8Array | null = null;
  if (src !== null) {
    const out = new Uint8Array(count);
    let any = 0;
    for (let i = 0; i < count; i++) any |= out[i] = src[sel[i]!]!;
    if (any) nulls = out;
  }
  switch (v.kind) {
    case 'str': {
      const codes = new Uint32Array(count);
      const c = v.codes;
      for (let i = 0; i < count; i++) codes[i] = c[sel[i]!]!;
      if (v.dict.length > 2 * count + 64) return compactDict(codes, v.dict, nulls, count);
      return { kind: 'str', codes, dict: v.dict.length ? v.dict : [''], nulls, length: count };
    }
    case 'i32': {
      const values = new Int32Array(count);
      const x = v.values;
      for (let i = 0; i < count; i++) values[i] = x[sel[i]!]!;
      return { kind: 'i32', values, nulls, length: count };
    }
    case 'f64': {
      const values = new Float64Array(count);
      const x = v.values;
      for (let i = 0; i < count; i++) values[i] = x[sel[i]!]!;
      return { kind: 'f64', values, nulls, length: count };
    }
    case 'bool': {
      const values = new Uint8Array(count);
      const x = v.values;
      for (let i = 0; i < count; i++) values[i] = x[sel[i]!]!;
      return { kind: 'bool', values, nulls, length: count };
    }
  }
}

/**
 * A string vector the caller just made (its codes are rewritten in place), with
 * its dictionary cut down to the entries its rows use when it holds many more.
 */
export function compactStrings(v: Extract<Vector, { kind: 'str' }>): Vector {
  if (v.dict.length > 2 * v.length + 64) return compactDict(v.codes, v.dict, v.nulls, v.length);
  return v;
}

/** Scratch for compactDict: remap[old code] = new code + 1 (0: not seen), reset after each use. */
let remapScratch = new Int32Array(1024);

/**
 * A string vector whose dictionary only holds the entries its rows use. Without
 * this a few rows gathered from a large vector (a join's output, a selective
 * filter) would drag the whole dictionary along, and every per-entry step
 * downstream (interning group keys, ranking for a sort, dictionary-wise
 * expression evaluation) would pay for entries no row has. Costs O(rows), not
 * O(dictionary): a scratch array indexed by old code is cleared after use.
 */
function compactDict(codes: Uint32Array, dict: readonly string[], nulls: Uint8Array | null, count: number): Vector {
  if (remapScratch.length < dict.length) remapScratch = new Int32Array(Math.max(dict.length, remapScratch.length * 2));
  const remap = remapScratch;
  const out: string[] = [];
  const olds: number[] = [];
  for (let i = 0; i < count; i++) {
    const old = codes[i]!;
    let code = remap[old]!;
    if (code === 0) {
      out.push(dict[old]!);
      olds.push(old);
      code = out.length;
      remap[old] = code;
    }
    codes[i] = code - 1;
  }
  for (let d = 0; d < olds.length; d++) remap[olds[d]!] = 0;
  return { kind: 'str', codes, dict: out.length ? out : [''], nulls, length: count };
}
export function gatherBatch(b: Batch, sel: Int32Array | Uint32Array, count: number): Batch {
  return { length: count, columns: b.columns.map((v) => gatherVector(v, sel, count)) };
}

/** A vector of n NULLs. */
export function nullVector(kind: PhysicalKind, n: number): Vector {
  const nulls = new Uint8Array(n).fill(1);
  switch (kind) {
    case 'i32':
      return { kind, values: new Int32Array(n), nulls, length: n };
    case 'f64':
      return { kind, values: new Float64Array(n), nulls, length: n };
    case 'bool':
      return { kind, values: new Uint8Array(n), nulls, length: n };
    case 'str':
      return { kind, codes: new Uint32Array(n), dict: [''], nulls, length: n };
  }
}

/** Concatenates batches of the same shape into one (strings re-coded into one dictionary). */
export function concatBatches(batches: readonly Batch[], kinds: readonly PhysicalKind[]): Batch {
  if (batches.length === 1) return batches[0]!;
  let total = 0;
  for (const b of batches) total += b.length;
  const columns = kinds.map((kind, c) => concatVectors(batches.map((b) => b.columns[c]!), kind, total));
  return { length: total, columns };
}

function concatVectors(parts: readonly Vector[], kind: PhysicalKind, total: number): Vector {
  let nulls: Uint8Array | null = null;
  if (parts.some((p) => p.nulls !== null)) {
    nulls = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      if (p.nulls) nulls.set(p.nulls, at);
      at += p.length;
    }
  }
  if (kind === 'str') {
    const codes = new Uint32Array(total);
    const dict: string[] = [];
    let at = 0;
    for (const p of parts as readonly Extract<Vector, { kind: 'str' }>[]) {
      const base = dict.length;
      for (let d = 0; d < p.dict.length; d++) dict.push(p.dict[d]!);
      for (let i = 0; i < p.length; i++) codes[at + i] = base + p.codes[i]!;
      at += p.length;
    }
    return { kind: 'str', codes, dict, nulls, length: total };
  }
  const Ctor = kind === 'i32' ? Int32Array : kind === 'f64' ? Float64Array : Uint8Array;
  const values = new Ctor(total);
  let at = 0;
  for (const p of parts as readonly Exclude<Vector, { kind: 'str' }>[]) {
    values.set(p.values as never, at);
    at += p.length;
  }
  return { kind, values, nulls, length: total } as Vector;
}

/**
 * Bytes a batch occupies on the wire between slices: fixed-width values at
 * their width, strings as UTF-16 length + 4-byte length prefix, plus a NULL bit.
 */
export function batchBytes(b: Batch): number {
  let bytes = 0;
  for (const v of b.columns) {
    bytes += Math.ceil(v.length / 8);
    switch (v.kind) {
      case 'i32':
        bytes += 4 * v.length;
        break;
      case 'f64':
        bytes += 8 * v.length;
        break;
      case 'bool':
        bytes += v.length;
        break;
      case 'str': {
        const lens = new Int32Array(v.dict.length);
        for (let d = 0; d < v.dict.length; d++) lens[d] = v.dict[d]!.length;
        const codes = v.codes;
        let s = 0;
        for (let i = 0; i < v.length; i++) s += lens[codes[i]!]!;
        bytes += s + 4 * v.length;
        break;
      }
    }
  }
  return bytes;
}

export function emptyBatch(kinds: readonly PhysicalKind[]): Batch {
  return { length: 0, columns: kinds.map((k) => nullVector(k, 0)) };
}

/** Rows [from, to) of `v`, sharing its buffers. */
export function rowsView(v: Vector, from: number, to: number): Vector {
  const nulls = v.nulls === null ? null : v.nulls.subarray(from, to);
  const length = to - from;
  switch (v.kind) {
    case 'i32':
      return { kind: 'i32', values: v.values.subarray(from, to), nulls, length };
    case 'f64':
      return { kind: 'f64', values: v.values.subarray(from, to), nulls, length };
    case 'bool':
      return { kind: 'bool', values: v.values.subarray(from, to), nulls, length };
    case 'str':
      return { kind: 'str', codes: v.codes.subarray(from, to), dict: v.dict, nulls, length };
  }
}
