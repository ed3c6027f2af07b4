/**
 * The hash table of a hash join: the inner (build) side's rows chained by the
 * hash of their key, over typed arrays only. Keys are compared as numbers:
 * numeric key columns as their values (an INTEGER 7 equals a BIGINT 7, and
 * hashes alike), string keys as ids of the build side's distinct strings (a
 * probe string the build side lacks gets -1, which matches nothing). Rows with
 * a NULL key part are left out of the chains: they never match.
 */
import { hashNumber } from '../storage/hash.js';
import type { Batch, Vector } from '../types.js';
import { gatherVector } from './batch.js';

export type KeyArray = Int32Array | Float64Array | Uint8Array;

/** Key columns of a batch turned into comparable numbers, a NULL mask and per-row hashes. */
export interface JoinKeys {
  readonly cols: readonly KeyArray[];
  /** 1 where some key part is NULL; null when none is. */
  readonly nulls: Uint8Array | null;
  readonly hashes: Int32Array;
}

/** 32-bit mix of a key number; equal numbers (whatever their array type) hash alike. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** hashes[i] = (first ? 0 : hashes[i] * 31) + mix(x[i]), the numbers read as keys. */
function hashColumn(x: KeyArray, n: number, hashes: Int32Array, first: boolean): void {
  if (x instanceof Float64Array) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      const k = v | 0;
      const h = k === v ? mix(k) : hashNumber(v) | 0;
      hashes[i] = first ? h : (Math.imul(hashes[i]!, 31) + h) | 0;
    }
    return;
  }
  if (first) for (let i = 0; i < n; i++) hashes[i] = mix(x[i]!);
  else for (let i = 0; i < n; i++) hashes[i] = (Math.imul(hashes[i]!, 31) + mix(x[i]!)) | 0;
}

/**
 * The numbers a key vector compares as. Strings map through `ids` (the build
 * side's string -> id); on the build side `ids` grows, on the probe side a
 * string it lacks becomes -1.
 */
function keyArray(v: Vector, ids: Map<string, number> | null, grow: boolean): KeyArray {
  if (v.kind !== 'str') return v.values;
  const n = v.length;
  const dict = v.dict;
  const codes = v.codes;
  const out = new Int32Array(n);
  const lookup = (s: string): number => {
    let id = ids!.get(s);
    if (id === undefined) {
      if (!grow) return -1;
      id = ids!.size;
      ids!.set(s, id);
    }
    return id;
  };
  if (dict.length > n) {
    for (let i = 0; i < n; i++) out[i] = lookup(dict[codes[i]!]!);
    return out;
  }
  const byCode = new Int32Array(dict.length);
  for (let d = 0; d < dict.length; d++) byCode[d] = lookup(dict[d]!);
  for (let i = 0; i < n; i++) out[i] = byCode[codes[i]!]!;
  return out;
}

/** Key columns `keys` of `b`, ready to build or probe. */
export function joinKeys(b: Batch, keys: readonly number[], interners: readonly (Map<string, number> | null)[], build: boolean, withHashes = true): JoinKeys {
  const n = b.length;
  const cols: KeyArray[] = [];
  let nulls: Uint8Array | null = null;
  for (let k = 0; k < keys.length; k++) {
    const v = b.columns[keys[k]!]!;
    cols.push(keyArray(v, interners[k]!, build));
    if (v.nulls !== null) {
      if (nulls === null) nulls = new Uint8Array(n);
      const m = v.nulls;
      for (let i = 0; i < n; i++) nulls[i]! |= m[i]!;
    }
  }
  const hashes = new Int32Array(withHashes ? n : 0);
  if (withHashes) {
    for (let k = 0; k < cols.length; k++) hashColumn(cols[k]!, n, hashes, k === 0);
    for (let i = 0; i < n; i++) hashes[i] = mix(hashes[i]!);
  }
  return { cols, nulls, hashes };
}

/**
 * Build rows by key. One key column (the common case) uses open addressing
 * over distinct keys, each slot the pair (key, first row) side by side in one
 * Float64Array, so a probe costs one cache line; rows sharing a key are chained
 * through `next` in input order, and a table of unique keys never reads it.
 * Several key columns chain every row from a bucket head (`heads`) instead.
 */
/** The [min, max] of a key column's non-NULL values when they are all int32s; null otherwise. */
function intRange(x: KeyArray, nulls: Uint8Array | null, n: number): { min: number; size: number } | null {
  let min = Infinity;
  let max = -Infinity;
  const integral = !(x instanceof Float64Array);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const v = x[i]!;
    if (!integral && (v | 0) !== v) return null;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return { min: 0, size: 1 };
  return { min, size: max - min + 1 };
}

/** The hash of one key number, as joinKeys computes it for a single key column. */
function keyHash1(v: number): number {
  const k = v | 0;
  return mix(k === v ? mix(k) : hashNumber(v) | 0);
}

// Key tests over a probe column's selected rows, one loop per array type so each stays monomorphic.

function keepI32InBits(x: Int32Array, m: Uint8Array | null, bits: Int32Array, base: number, sel: Uint32Array, count: number): number {
  const span = bits.length * 32;
  let k = 0;
  for (let j = 0; j < count; j++) {
    const i = sel[j]!;
    const d = x[i]! - base;
    sel[k] = i;
    k += d >= 0 && d < span && (bits[d >>> 5]! & (1 << (d & 31))) !== 0 && (m === null || m[i] === 0) ? 1 : 0;
  }
  return k;
}

function keepF64InBits(x: Float64Array, m: Uint8Array | null, bits: Int32Array, base: number, sel: Uint32Array, count: number): number {
  const span = bits.length * 32;
  let k = 0;
  for (let j = 0; j < count; j++) {
    const i = sel[j]!;
    const v = x[i]!;
    const d = v - base;
    sel[k] = i;
    // build keys are int32s: a fraction never matches
    k += (v | 0) === v && d >= 0 && d < span && (bits[d >>> 5]! & (1 << (d & 31))) !== 0 && (m === null || m[i] === 0) ? 1 : 0;
  }
  return k;
}

function keepInSlots(x: Int32Array | Float64Array, m: Uint8Array | null, slots: Float64Array, mask: number, sel: Uint32Array, count: number): number {
  let k = 0;
  for (let j = 0; j < count; j++) {
    const i = sel[j]!;
    if (m !== null && m[i] === 1) continue;
    const key = x[i]!;
    let s = keyHash1(key) & mask;
    for (;;) {
      if (slots[2 * s + 1]! < 0) break;
      if (slots[2 * s] === key) {
        sel[k++] = i;
        break;
      }
      s = (s + 1) & mask;
    }
  }
  return k;
}

/** A JoinTable's fields (JoinTable.state): its arrays, read only once built. */
export interface JoinTableState {
  readonly first: Int32Array | null;
  readonly base: number;
  readonly present: Int32Array | null;
  readonly firstBits: Int32Array | null;
  readonly slots: Float64Array | null;
  readonly heads: Int32Array | null;
  readonly next: Int32Array;
  readonly mask: number;
  readonly unique: boolean;
  readonly identity: boolean;
  readonly keys: JoinKeys;
  readonly hasNullKey: boolean;
  readonly interners: (Map<string, number> | null)[];
}

export class JoinTable {
  /**
   * Direct (one key column of int32s spanning at most 64 slots per row, 16 when shared, 2^23 in
   * all): first[key - base] = first row with that key, -1 for none.
   */
  private readonly first: Int32Array | null = null;
  private readonly base: number = 0;
  /**
   * Open addressing over int32 keys that are too sparse for `first`: a bit per
   * value of their range (up to 2^26), so that most probes of keys the build
   * side lacks stop at one bit test.
   */
  private readonly present: Int32Array | null = null;
  /** The keys of `first` as a bit set, made by keyTest when first asked for. */
  private firstBits: Int32Array | null = null;
  /** The arrays are (to be) in shared memory: the table is read by several threads. */
  private readonly shared: boolean;
  /** Open addressing (one key column): slots[2s] = key, slots[2s + 1] = first row, -1 when empty. */
  private readonly slots: Float64Array | null = null;
  /** Chaining (several key columns): heads[bucket] = first row, -1 for none. */
  private readonly heads: Int32Array | null = null;
  /** next[row] = the following row with the same key (open addressing) or in the same bucket (chaining); -1 ends. */
  private readonly next: Int32Array;
  private readonly mask: number;
  /** No two build rows share a key: a probe stops at its slot's row. */
  private readonly unique: boolean;
  /**
   * `first` is the identity: row r holds key base + r, every key of the range
   * once (build rows put in key order, see keyOrder), so a probe's key is its
   * row and matching reads nothing but the probe key.
   */
  private readonly identity: boolean = false;
  readonly keys: JoinKeys;
  /** Any build row with a NULL key part (NOT IN needs to know). */
  readonly hasNullKey: boolean;
  /** Per key column: the build side's strings -> ids, or null for a numeric key. */
  readonly interners: (Map<string, number> | null)[];

  /**
   * About the bytes of this table's own arrays (its index and the build keys
   * as numbers), for the memory accountant; the build rows are the caller's,
   * and the interners' strings are counted at 32 bytes plus 2 a character.
   */
  get bytes(): number {
    let b = this.next.byteLength + (this.first?.byteLength ?? 0) + (this.present?.byteLength ?? 0) + (this.slots?.byteLength ?? 0) + (this.heads?.byteLength ?? 0);
    b += this.keys.hashes.byteLength + (this.keys.nulls?.byteLength ?? 0);
    for (const c of this.keys.cols) b += c.byteLength;
    for (const m of this.interners) if (m) for (const s of m.keys()) b += 32 + 2 * s.length;
    return b;
  }

  /**
   * Builds the table of `right`'s rows by key columns `keyCols`; with
   * `shared`, its arrays in shared memory (SharedArrayBuffer) from the start,
   * to be read on other threads without a copy. With `state` (another
   * table's, see state()), takes that table's arrays as they are instead: a
   * table built on one thread is probed on every thread without being built
   * again.
   */
  constructor(right: Batch, keyCols: readonly number[], how: { readonly state?: JoinTableState; readonly shared?: boolean } = {}) {
    const state = how.state;
    this.shared = how.shared === true || state !== undefined;
    if (state !== undefined) {
      this.first = state.first;
      this.base = state.base;
      this.present = state.present;
      this.firstBits = state.firstBits;
      this.slots = state.slots;
      this.heads = state.heads;
      this.next = state.next;
      this.mask = state.mask;
      this.unique = state.unique;
      this.identity = state.identity;
      this.keys = state.keys;
      this.hasNullKey = state.hasNullKey;
      this.interners = state.interners;
      return;
    }
    const n = right.length;
    this.interners = keyCols.map((k) => (right.columns[k]!.kind === 'str' ? new Map<string, number>() : null));
    const single = keyCols.length === 1;
    // one key column hashes on the fly (keyHash1); several are hashed up front
    const keys = joinKeys(right, keyCols, this.interners, true, !single);
    const range = single ? intRange(keys.cols[0]!, keys.nulls, n) : null;
    // a shared table is built by one thread while the others wait for it (shared-build.ts): the direct
    // layout only where its array is about the size open addressing's would be (16 slots of 4 bytes a
    // row against 1.5-3 slots of 16), since writing fresh pages is most of a sparse direct table's build
    const slotsPerRow = this.shared ? 16 : 64;
    const dense = range && range.size <= Math.max(4096, slotsPerRow * n) && range.size <= 1 << 23 ? range : null;
    this.keys = keys;
    const hashes = keys.hashes;
    const nulls = keys.nulls;
    const next = int32(n, this.shared).fill(-1);
    let hasNullKey = false;
    let unique = true;
    if (dense) {
      const first = int32(dense.size, this.shared).fill(-1);
      const bk = keys.cols[0]!;
      const base = dense.min;
      // inserted in reverse so that each chain runs in input order
      for (let r = n - 1; r >= 0; r--) {
        if (nulls !== null && nulls[r] === 1) {
          hasNullKey = true;
          continue;
        }
        const k = bk[r]! - base;
        const head = first[k]!;
        if (head >= 0) unique = false;
        next[r] = head;
        first[k] = r;
      }
      this.first = first;
      this.base = base;
      this.mask = 0;
      this.identity = unique && !hasNullKey && n === dense.size && isIdentity(first);
    } else if (single) {
      if (range && range.size <= 1 << 26) {
        const present = int32((range.size + 31) >>> 5, this.shared);
        const bk = keys.cols[0]!;
        for (let r = 0; r < n; r++) {
          if (nulls !== null && nulls[r] === 1) continue;
          const k = bk[r]! - range.min;
          present[k >>> 5]! |= 1 << (k & 31);
        }
        this.present = present;
        this.base = range.min;
      }
      let cap = 16;
      while (cap < n + (n >> 1)) cap *= 2;
      const mask = cap - 1;
      const slots = this.shared ? new Float64Array(new SharedArrayBuffer(16 * cap)) : new Float64Array(2 * cap);
      for (let s = 1; s < slots.length; s += 2) slots[s] = -1;
      // last[s]: the row a new duplicate of slot s's key is chained after
      const last = new Int32Array(cap);
      const bk = keys.cols[0]!;
      for (let r = 0; r < n; r++) {
        if (nulls !== null && nulls[r] === 1) {
          hasNullKey = true;
          continue;
        }
        const key = bk[r]!;
        let s = keyHash1(key) & mask;
        for (;;) {
          const row = slots[2 * s + 1]!;
          if (row < 0) {
            slots[2 * s] = key;
            slots[2 * s + 1] = r;
            last[s] = r;
            break;
          }
          if (slots[2 * s] === key) {
            next[last[s]!] = r;
            last[s] = r;
            unique = false;
            break;
          }
          s = (s + 1) & mask;
        }
      }
      this.slots = slots;
      this.mask = mask;
    } else {
      let cap = 16;
      while (cap < n * 2) cap *= 2;
      const mask = cap - 1;
      const heads = int32(cap, this.shared).fill(-1);
      // inserted in reverse so that each chain runs in input order
      for (let r = n - 1; r >= 0; r--) {
        if (nulls !== null && nulls[r] === 1) {
          hasNullKey = true;
          continue;
        }
        const slot = hashes[r]! & mask;
        next[r] = heads[slot]!;
        heads[slot] = r;
      }
      this.heads = heads;
      this.mask = mask;
      unique = false;
    }
    this.next = next;
    this.unique = unique;
    this.hasNullKey = hasNullKey;
  }

  /**
   * Everything the table holds, as plain data (typed arrays, Maps): what a
   * structured clone carries to another thread, where `new JoinTable(batch,
   * keys, state)` makes the same table again without building it.
   */
  state(): JoinTableState {
    return {
      first: this.first,
      base: this.base,
      present: this.present,
      firstBits: this.firstBits,
      slots: this.slots,
      heads: this.heads,
      next: this.next,
      mask: this.mask,
      unique: this.unique,
      identity: this.identity,
      keys: this.keys,
      hasNullKey: this.hasNullKey,
      interners: this.interners,
    };
  }

  /**
   * The build rows in key order, when their keys are one integer column that
   * holds every value of its range exactly once (a dimension's primary key,
   * unfiltered: TPC-H's c_custkey, s_suppkey, p_partkey) and they are not in
   * that order already: a table built over the rows so ordered is the
   * identity (see `identity`), which saves every probe a read of `first`,
   * a cache miss per row when the table is larger than the cache. Null otherwise.
   */
  keyOrder(): Int32Array | null {
    const first = this.first;
    if (first === null || this.identity || !this.unique || this.hasNullKey || first.length !== this.next.length) return null;
    return first;
  }

  /**
   * For a one-numeric-column key: keeps, of rows sel[0..count) of `col` (the
   * probe side's key), those some build row may match (exactly so for the
   * direct and bit-set layouts; open addressing looks the key up), in place;
   * returns how many. NULLs and fractions against integer keys never match.
   * Null when the key has several columns or is a string.
   */
  keyTest(): ((col: Vector, sel: Uint32Array, count: number) => number) | null {
    if (this.keys.cols.length !== 1 || this.interners[0] !== null) return null;
    // a bit per value of the keys' range stays in cache where the direct table's
    // first rows (32 bits each) or the open-addressed slots would not
    let bits = this.present;
    if (bits === null && this.first !== null) {
      // made once per table: a broadcast table serves every slice
      if (this.firstBits === null) {
        const made = int32((this.first.length + 31) >>> 5, this.shared);
        const bk = this.keys.cols[0]!;
        const nulls = this.keys.nulls;
        const base = this.base;
        for (let r = 0; r < this.next.length; r++) {
          if (nulls !== null && nulls[r] === 1) continue;
          const d = bk[r]! - base;
          made[d >>> 5]! |= 1 << (d & 31);
        }
        this.firstBits = made;
      }
      bits = this.firstBits;
    }
    if (bits !== null) {
      const set = bits;
      const base = this.base;
      return (col, sel, count) => {
        if (col.kind === 'i32') return keepI32InBits(col.values, col.nulls, set, base, sel, count);
        if (col.kind === 'f64') return keepF64InBits(col.values, col.nulls, set, base, sel, count);
        return count;
      };
    }
    if (this.slots !== null) {
      const slots = this.slots;
      const mask = this.mask;
      return (col, sel, count) => (col.kind === 'i32' || col.kind === 'f64' ? keepInSlots(col.values, col.nulls, slots, mask, sel, count) : count);
    }
    return null;
  }

  /** The probe batch's keys, comparable with the build side's. */
  probeKeys(b: Batch, keyCols: readonly number[]): JoinKeys {
    return joinKeys(b, keyCols, this.interners, false, this.heads !== null);
  }

  /**
   * Candidate pairs of probe rows [from, n) and build rows with equal keys,
   * written to li/ri up to their capacity. Sets out.count, and where to resume:
   * out.row (the probe row) and out.chain (the build row within its chain, -1
   * to start the row afresh). With `firstOnly`, a probe row stops at its first
   * match (semi/anti joins).
   */
  match(
    probe: JoinKeys,
    n: number,
    from: number,
    resumeRow: number,
    li: Int32Array,
    ri: Int32Array,
    firstOnly: boolean,
    out: { count: number; row: number; chain: number },
  ): void {
    if (this.first !== null) this.matchDense(probe, n, from, resumeRow, li, ri, firstOnly, out);
    else if (this.slots !== null) this.matchOne(probe, n, from, resumeRow, li, ri, firstOnly, out);
    else this.matchMany(probe, n, from, resumeRow, li, ri, firstOnly, out);
  }

  private matchDense(
    probe: JoinKeys,
    n: number,
    from: number,
    resumeRow: number,
    li: Int32Array,
    ri: Int32Array,
    firstOnly: boolean,
    out: { count: number; row: number; chain: number },
  ): void {
    const first = this.first!;
    const size = first.length;
    const base = this.base;
    const next = this.next;
    const pnulls = probe.nulls;
    const pk = probe.cols[0]!;
    const cap = li.length;
    const single = this.unique || firstOnly;
    let count = 0;
    let i = from;
    if (resumeRow >= 0) {
      for (let r = resumeRow; r >= 0; r = next[r]!) {
        if (count === cap) {
          out.count = count;
          out.row = i;
          out.chain = r;
          return;
        }
        li[count] = i;
        ri[count] = r;
        count++;
        if (single) break;
      }
      i++;
    }
    if (this.identity) {
      // every key of the range is there, at its row: nothing to read but the probe key
      for (; i < n; i++) {
        if (pnulls !== null && pnulls[i] === 1) continue;
        const x = pk[i]!;
        const k = x - base;
        if ((x | 0) !== x || !(k >= 0 && k < size)) continue;
        if (count === cap) {
          out.count = count;
          out.row = i;
          out.chain = k;
          return;
        }
        li[count] = i;
        ri[count] = k;
        count++;
      }
      out.count = count;
      out.row = n;
      out.chain = -1;
      return;
    }
    for (; i < n; i++) {
      if (pnulls !== null && pnulls[i] === 1) continue;
      const x = pk[i]!;
      const k = x - base;
      // a fraction, or outside the range: no build row has it (build keys are int32s)
      if ((x | 0) !== x || !(k >= 0 && k < size)) continue;
      let r = first[k]!;
      if (r < 0) continue;
      if (count === cap) {
        out.count = count;
        out.row = i;
        out.chain = r;
        return;
      }
      li[count] = i;
      ri[count] = r;
      count++;
      if (single) continue;
      for (r = next[r]!; r >= 0; r = next[r]!) {
        if (count === cap) {
          out.count = count;
          out.row = i;
          out.chain = r;
          return;
        }
        li[count] = i;
        ri[count] = r;
        count++;
      }
    }
    out.count = count;
    out.row = n;
    out.chain = -1;
  }

  private matchOne(
    probe: JoinKeys,
    n: number,
    from: number,
    resumeRow: number,
    li: Int32Array,
    ri: Int32Array,
    firstOnly: boolean,
    out: { count: number; row: number; chain: number },
  ): void {
    const slots = this.slots!;
    const next = this.next;
    const mask = this.mask;
    const present = this.present;
    const base = this.base;
    const span = present === null ? 0 : present.length * 32;
    const pnulls = probe.nulls;
    const pk = probe.cols[0]!;
    const cap = li.length;
    const single = this.unique || firstOnly;
    let count = 0;
    let i = from;
    if (resumeRow >= 0) {
      // finish the chain of probe row `from` that the last call left off
      for (let r = resumeRow; r >= 0; r = next[r]!) {
        if (count === cap) {
          out.count = count;
          out.row = i;
          out.chain = r;
          return;
        }
        li[count] = i;
        ri[count] = r;
        count++;
        if (single) break;
      }
      i++;
    }
    for (; i < n; i++) {
      if (pnulls !== null && pnulls[i] === 1) continue;
      const key = pk[i]!;
      if (present !== null) {
        // build keys are int32s: a fraction, a key outside their range or without its bit has no match
        const k = key - base;
        if ((key | 0) !== key || !(k >= 0 && k < span) || (present[k >>> 5]! & (1 << (k & 31))) === 0) continue;
      }
      let s = keyHash1(key) & mask;
      let r = -1;
      for (;;) {
        const row = slots[2 * s + 1]!;
        if (row < 0) break;
        if (slots[2 * s] === key) {
          r = row;
          break;
        }
        s = (s + 1) & mask;
      }
      if (r < 0) continue;
      if (count === cap) {
        out.count = count;
        out.row = i;
        out.chain = r;
        return;
      }
      li[count] = i;
      ri[count] = r;
      count++;
      if (single) continue;
      for (r = next[r]!; r >= 0; r = next[r]!) {
        if (count === cap) {
          out.count = count;
          out.row = i;
          out.chain = r;
          return;
        }
        li[count] = i;
        ri[count] = r;
        count++;
      }
    }
    out.count = count;
    out.row = n;
    out.chain = -1;
  }

  private matchMany(
    probe: JoinKeys,
    n: number,
    from: number,
    resumeRow: number,
    li: Int32Array,
    ri: Int32Array,
    firstOnly: boolean,
    out: { count: number; row: number; chain: number },
  ): void {
    const heads = this.heads!;
    const next = this.next;
    const mask = this.mask;
    const hashes = probe.hashes;
    const pnulls = probe.nulls;
    const cap = li.length;
    let count = 0;
    const arity = probe.cols.length;
    const bks = this.keys.cols;
    const pks = probe.cols;
    for (let i = from; i < n; i++) {
      if (pnulls !== null && pnulls[i] === 1) continue;
      let r = i === from && resumeRow >= 0 ? resumeRow : heads[hashes[i]! & mask]!;
      for (; r >= 0; r = next[r]!) {
        let eq = true;
        for (let c = 0; c < arity; c++) {
          if (bks[c]![r] !== pks[c]![i]) {
            eq = false;
            break;
          }
        }
        if (!eq) continue;
        if (count === cap) {
          out.count = count;
          out.row = i;
          out.chain = r;
          return;
        }
        li[count] = i;
        ri[count] = r;
        count++;
        if (firstOnly) break;
      }
    }
    out.count = count;
    out.row = n;
    out.chain = -1;
  }
}

/**
 * A runtime join filter (keyFilter): the keys it was made from, kept so that
 * another thread can make it again, and the filter itself, one per source
 * slice.
 */
export interface KeyFilter {
  readonly keys: Batch;
  readonly probeCols: readonly number[];
  /**
   * The filter for one slice's rows. It decides whether to stay on from
   * those rows only, so a slice's rows are filtered alike wherever the slice
   * runs (the calling thread routing every slice in turn, or a worker), and
   * the rows that move are the same.
   */
  forSlice(): (batch: Batch) => Batch;
}

/**
 * A runtime join filter: drops the rows of a batch whose key (columns
 * `probeCols`) none of `keys` has, before the rows cross slices. `keys` are the
 * other join input's key columns, gathered from every slice. It is a Bloom
 * filter (16 bits and two probes per key, about 1% false positives): rows it
 * lets through by mistake the join itself drops, and at a few bits per key it
 * stays in cache where a hash table would not. Each slice's filter watches
 * what it keeps and turns itself off once it is clearly not dropping enough
 * to pay for itself.
 */
export function keyFilter(keys: Batch, probeCols: readonly number[]): KeyFilter {
  const interners = keys.columns.map((v) => (v.kind === 'str' ? new Map<string, number>() : null));
  const built = joinKeys(keys, keys.columns.map((_, i) => i), interners, true);
  let bitsLog = 10;
  while (1 << bitsLog < 16 * keys.length && bitsLog < 30) bitsLog++;
  const bits = new Int32Array(1 << (bitsLog - 5));
  const shift = 32 - bitsLog;
  const mask = (1 << bitsLog) - 1;
  const bh = built.hashes;
  const bn = built.nulls;
  for (let i = 0; i < keys.length; i++) {
    if (bn !== null && bn[i] === 1) continue;
    const h = bh[i]!;
    const a = h & mask;
    const b = Math.imul(h, 0x9e3779b1) >>> shift;
    bits[a >>> 5]! |= 1 << (a & 31);
    bits[b >>> 5]! |= 1 << (b & 31);
  }
  const forSlice = (): ((batch: Batch) => Batch) => {
    let seen = 0;
    let kept = 0;
    let on = true;
    let sel = new Int32Array(0);
    return (batch) => {
      if (!on) return batch;
      const n = batch.length;
      if (sel.length < n) sel = new Int32Array(n);
      const probe = joinKeys(batch, probeCols, interners, false);
      const ph = probe.hashes;
      const pn = probe.nulls;
      let count = 0;
      for (let i = 0; i < n; i++) {
        if (pn !== null && pn[i] === 1) continue;
        const h = ph[i]!;
        const a = h & mask;
        const b = Math.imul(h, 0x9e3779b1) >>> shift;
        if ((bits[a >>> 5]! & (1 << (a & 31))) !== 0 && (bits[b >>> 5]! & (1 << (b & 31))) !== 0) sel[count++] = i;
      }
      seen += n;
      kept += count;
      if (seen >= 65_536 && kept > 0.7 * seen) on = false;
      if (count === n) return batch;
      return { length: count, columns: batch.columns.map((v) => gatherVector(v, sel, count)) };
    };
  };
  return { keys, probeCols, forSlice };
}

/** A zeroed Int32Array, in shared memory when `shared`. */
function int32(n: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n);
}

/** Whether first[k] = k for every k. */
function isIdentity(first: Int32Array): boolean {
  for (let k = 0; k < first.length; k++) if (first[k] !== k) return false;
  return true;
}
