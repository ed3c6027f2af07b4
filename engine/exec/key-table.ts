/**
 * Key tuples to dense ids 0..size-1: the structure behind GROUP BY and
 * DISTINCT (joins use join-table.ts). Keys are numbers: numeric columns as
 * their physical values, strings as ids from a StringInterner (so a probe
 * compares numbers, never strings). No per-row objects: a directly indexed
 * Int32Array or an open-addressing Float64Array of (key, id) pairs.
 */
import { hashNumber } from '../storage/hash.js';
import type { Vector } from '../types.js';

const EMPTY = -1;

/** 32-bit hash of a key number: a cheap mix for int32 values, the storage hash otherwise (NaN, the NULL mark, included). */
function keyHash(x: number): number {
  const k = x | 0;
  if (k === x) {
    let h = Math.imul(k ^ (k >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }
  return hashNumber(x);
}

/** Radix for packing two ids into one exact number: ids stay below 2^26 (67M groups), the pair below 2^52. */
const PACK = 2 ** 26;

/**
 * A pair table's grid (KeyTable.insertGrid) holds at most 2^20 cells (4 MB),
 * and at most GRID_SPREAD cells per entry once past GRID_MIN (64 KB): beyond
 * either, most cells are empty and a probe misses cache more often than a
 * hash probe would.
 */
const GRID_MAX = 1 << 20;
const GRID_MIN = 1 << 14;
const GRID_SPREAD = 16;

/**
 * Key tuples to dense ids 0..size-1. One key column is the core (see
 * insert1); several are folded pairwise through one-column tables: each
 * column's values get ids, and the running tuple id and the next column's id
 * are packed into one number (id * 2^26 + id) that a one-column table turns
 * into the next tuple id. Every step is then a tight loop over typed arrays
 * (directly indexed while the ids are small), and no tuple is compared part by part.
 */
export class KeyTable {
  size = 0;
  /** Several key columns: a table per column, and per further column one for the packed pairs. */
  private readonly columnTables: KeyTable[] = [];
  private readonly pairTables: KeyTable[] = [];
  private scratchIds = new Int32Array(0);
  private scratchPacked = new Float64Array(0);
  /**
   * One key column of integers over a small range starts out directly indexed:
   * dense[key - denseBase] = id, -1 for none (sorted or clustered keys then
   * walk the array in order, and a random key costs 4 bytes of cache, not 16).
   * Keys that are not integers, or spread too thin, move everything to `pairs`.
   */
  private dense: Int32Array | null = null;
  private denseBase = 0;
  private denseOff = false;
  /** The smallest and largest key in the dense array. */
  private seenMin = 0;
  private seenMax = 0;
  /** The id of the NULL key while dense (NaN cannot index). */
  private nullId = -1;
  /** A pair table's grid (insertGrid): grid[left << gridShift | right] = id, gridRows left ids deep; off for good once too big. */
  private grid: Int32Array | null = null;
  private gridShift = 0;
  private gridRows = 0;
  private gridOff = false;
  /** One key column: pairs[2s] = key, pairs[2s + 1] = id, -1 when the slot is empty (a probe reads one cache line). */
  private pairs: Float64Array | null = null;
  private mask: number;
  /** own[id] = the key of entry id (one key column). */
  private own: Float64Array;

  constructor(readonly arity: number, capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.mask = cap - 1;
    this.own = new Float64Array(arity === 1 ? Math.max(16, capacity) : 0);
    if (arity === 1) {
      this.pairs = new Float64Array(2 * cap);
      for (let s = 1; s < this.pairs.length; s += 2) this.pairs[s] = EMPTY;
    } else if (arity > 1) {
      for (let c = 0; c < arity; c++) this.columnTables.push(new KeyTable(1));
      // packed pairs (id * 2^26 + id) are never a small range: hashed from the start
      for (let c = 1; c < arity; c++) {
        const t = new KeyTable(1);
        t.denseOff = true;
        this.pairTables.push(t);
      }
    }
  }

  /** keys[c][id] = key column c of entry id; NaN marks a NULL key part. */
  get keys(): Float64Array[] {
    if (this.arity === 1) return [this.own];
    if (this.arity === 0) return [];
    // unpack each tuple id back into its columns' ids, last column first
    const out = this.columnTables.map(() => new Float64Array(this.size));
    const ids = new Float64Array(this.size);
    for (let g = 0; g < this.size; g++) ids[g] = g;
    for (let c = this.arity - 1; c >= 1; c--) {
      const packed = this.pairTables[c - 1]!.own;
      const values = this.columnTables[c]!.own;
      for (let g = 0; g < this.size; g++) {
        const p = packed[ids[g]!]!;
        const left = Math.floor(p / PACK);
        out[c]![g] = values[p - left * PACK]!;
        ids[g] = left;
      }
    }
    const first = this.columnTables[0]!.own;
    for (let g = 0; g < this.size; g++) out[0]![g] = first[ids[g]!]!;
    return out;
  }

  /**
   * Finds or adds the key of each row; writes its id to ids. `cols` are key
   * columns already turned into numbers (see keyNumbers), NaN for NULL.
   */
  insert(cols: readonly Float64Array[], n: number, ids: Int32Array): void {
    if (this.arity === 1) {
      this.insert1(cols[0]!, n, ids);
      return;
    }
    if (this.scratchIds.length < n) {
      this.scratchIds = new Int32Array(n);
      this.scratchPacked = new Float64Array(n);
    }
    const col = this.scratchIds;
    const packed = this.scratchPacked;
    this.columnTables[0]!.insert1(cols[0]!, n, ids);
    let leftSize = this.columnTables[0]!.size;
    for (let c = 1; c < this.arity; c++) {
      const right = this.columnTables[c]!;
      right.insert1(cols[c]!, n, col);
      const pairs = this.pairTables[c - 1]!;
      if (!pairs.insertGrid(ids, leftSize, col, right.size, n)) {
        for (let i = 0; i < n; i++) packed[i] = ids[i]! * PACK + col[i]!;
        pairs.insert1(packed, n, ids);
      }
      leftSize = pairs.size;
    }
    this.size = this.pairTables[this.arity - 2]!.size;
  }

  /**
   * A pair table's inserts while both sides' ids are few: (left, right) pairs
   * directly indexed in a grid, grid[left << shift | right] = id, so a row
   * costs one read (a GROUP BY of two low-cardinality columns, as most are,
   * hashes nothing). Ids go to `left` in place. The entries keep their packed
   * keys in `own`, as insert1 would, so `keys` and a later switch to hashing
   * (when the grid would grow past GRID_MAX or become sparse) see the same
   * entries. False, having done nothing, once the grid is off.
   */
  private insertGrid(left: Int32Array, leftSize: number, right: Int32Array, rightSize: number, n: number): boolean {
    if (this.gridOff) return false;
    if (this.grid === null || leftSize > this.gridRows || rightSize > 1 << this.gridShift) {
      let shift = this.gridShift;
      while (1 << shift < rightSize) shift++;
      let rows = Math.max(this.gridRows, 16);
      while (rows < leftSize) rows *= 2;
      const cells = rows << shift;
      // a grid much sparser than the entries it holds reads more cache than the hash table would
      if (cells > GRID_MAX || cells > Math.max(GRID_MIN, GRID_SPREAD * (this.size + n))) {
        this.gridOff = true;
        this.grid = null;
        this.denseToPairs();
        return false;
      }
      const grid = new Int32Array(cells).fill(EMPTY);
      const own = this.own;
      for (let id = 0; id < this.size; id++) {
        const p = own[id]!;
        const l = Math.floor(p / PACK);
        grid[(l << shift) | (p - l * PACK)] = id;
      }
      this.grid = grid;
      this.gridShift = shift;
      this.gridRows = rows;
    }
    const grid = this.grid;
    const shift = this.gridShift;
    for (let i = 0; i < n; i++) {
      const l = left[i]!;
      const r = right[i]!;
      const at = (l << shift) | r;
      let id = grid[at]!;
      if (id === EMPTY) {
        id = this.newId(l * PACK + r);
        grid[at] = id;
      }
      left[i] = id;
    }
    return true;
  }

  /** find for a pair table while its grid holds the entries (insertGrid): ids go to `left` in place, -1 for a pair the table lacks. */
  private findGrid(left: Int32Array, right: Int32Array, n: number): void {
    const grid = this.grid!;
    const shift = this.gridShift;
    const rows = this.gridRows;
    const width = 1 << shift;
    for (let i = 0; i < n; i++) {
      const l = left[i]!;
      const r = right[i]!;
      left[i] = l >= 0 && r >= 0 && l < rows && r < width ? grid[(l << shift) | r]! : EMPTY;
    }
  }

  /**
   * The id of each row's key, -1 for a key the table lacks; adds nothing (a
   * spilling aggregate's table, once full, only takes rows of groups it has).
   */
  find(cols: readonly Float64Array[], n: number, ids: Int32Array): void {
    if (this.arity === 1) {
      this.find1(cols[0]!, n, ids);
      return;
    }
    if (this.scratchIds.length < n) {
      this.scratchIds = new Int32Array(n);
      this.scratchPacked = new Float64Array(n);
    }
    const col = this.scratchIds;
    const packed = this.scratchPacked;
    this.columnTables[0]!.find1(cols[0]!, n, ids);
    for (let c = 1; c < this.arity; c++) {
      this.columnTables[c]!.find1(cols[c]!, n, col);
      // -1 (a key part the table lacks) packs to a negative number no pair has
      const pairs = this.pairTables[c - 1]!;
      if (pairs.grid !== null) {
        pairs.findGrid(ids, col, n);
        continue;
      }
      for (let i = 0; i < n; i++) packed[i] = ids[i]! < 0 || col[i]! < 0 ? -1 : ids[i]! * PACK + col[i]!;
      pairs.find1(packed, n, ids);
    }
  }

  private find1(col: Float64Array, n: number, ids: Int32Array): void {
    if (!this.denseOff) {
      // while dense, every key is in the dense array (or is the NULL key)
      const dense = this.dense;
      const base = this.denseBase;
      for (let i = 0; i < n; i++) {
        const x = col[i]!;
        if (x !== x) {
          ids[i] = this.nullId;
          continue;
        }
        const k = x - base;
        ids[i] = dense !== null && (x | 0) === x && k >= 0 && k < dense.length ? dense[k]! : EMPTY;
      }
      return;
    }
    const pairs = this.pairs!;
    const mask = this.mask;
    for (let i = 0; i < n; i++) {
      const x = col[i]!;
      let s = keyHash(x) & mask;
      let id = EMPTY;
      for (;;) {
        const at = pairs[2 * s + 1]!;
        if (at === EMPTY) break;
        const k = pairs[2 * s]!;
        if (k === x || (k !== k && x !== x)) {
          id = at;
          break;
        }
        s = (s + 1) & mask;
      }
      ids[i] = id;
    }
  }

  /** insert for one key column: directly indexed while that works, then over the (key, id) pairs. */
  private insert1(col: Float64Array, n: number, ids: Int32Array): void {
    let from = 0;
    if (!this.denseOff) {
      from = this.insertDense(col, n, ids);
      if (from === n) return;
    }
    let pairs = this.pairs!;
    let mask = this.mask;
    let prev = NaN;
    let prevId = -1;
    for (let i = from; i < n; i++) {
      const x = col[i]!;
      // runs of equal keys (sorted or clustered input) skip the probe
      if (x === prev) {
        ids[i] = prevId;
        continue;
      }
      let s = keyHash(x) & mask;
      let id: number;
      for (;;) {
        const at = pairs[2 * s + 1]!;
        if (at === EMPTY) {
          id = this.size++;
          pairs[2 * s] = x;
          pairs[2 * s + 1] = id;
          if (id >= this.own.length) this.growEntries();
          this.own[id] = x;
          if (this.size * 2 > mask + 1) {
            this.rehash1();
            pairs = this.pairs!;
            mask = this.mask;
          }
          break;
        }
        const k = pairs[2 * s]!;
        if (k === x || (k !== k && x !== x)) {
          id = at;
          break;
        }
        s = (s + 1) & mask;
      }
      ids[i] = id;
      prev = x;
      prevId = id;
    }
  }

  /** Directly indexed inserts from row 0; returns the row where they stopped (n when done, else dense is off). */
  private insertDense(col: Float64Array, n: number, ids: Int32Array): number {
    let dense = this.dense;
    let base = this.denseBase;
    for (let i = 0; i < n; i++) {
      const x = col[i]!;
      let k = x - base;
      // (dense keys are int32s: testing x, not k, so that a tiny fraction cannot round into a slot)
      if (dense === null || (x | 0) !== x || !(k >= 0 && k < dense.length)) {
        if (x !== x) {
          if (this.nullId < 0) this.nullId = this.newId(x);
          ids[i] = this.nullId;
          continue;
        }
        if (!this.widenDense(col, i, n)) return i;
        dense = this.dense!;
        base = this.denseBase;
        k = x - base;
      }
      let id = dense[k]!;
      if (id < 0) {
        id = this.newId(x);
        dense[k] = id;
        if (x < this.seenMin) this.seenMin = x;
        if (x > this.seenMax) this.seenMax = x;
      }
      ids[i] = id;
    }
    return n;
  }

  /**
   * Makes the dense array cover the integer keys of col[i..n) as well, or turns
   * dense indexing off (moving the ids into `pairs`) and returns false.
   */
  private widenDense(col: Float64Array, i: number, n: number): boolean {
    let min = this.dense ? this.seenMin : Infinity;
    let max = this.dense ? this.seenMax : -Infinity;
    const growsDown = this.dense !== null;
    let below = false;
    for (let j = i; j < n; j++) {
      const x = col[j]!;
      if (x !== x) continue;
      if (Math.floor(x) !== x) return this.denseToPairs();
      if (x < min) {
        min = x;
        below = growsDown;
      }
      if (x > max) max = x;
    }
    const size = max - min + 1;
    // up to 8M slots (32 MB), and no sparser than one key in 128: a hash-distributed share of a key's
    // range seen partly (the first of several senders) is sparse before it fills in
    const cap = 1 << 23;
    if (!(size <= Math.max(1 << 16, 128 * (this.size + n)) && size <= cap) || min < -(2 ** 31) || max > 2 ** 31 - 1) return this.denseToPairs();
    // room to grow the way the keys went (doubling), so that slowly widening keys copy rarely
    const length = Math.min(cap, Math.max(2 * size, 2 * (this.dense?.length ?? 0), 1024));
    const lo = below ? Math.max(max - length + 1, -(2 ** 31)) : min;
    const grown = new Int32Array(Math.min(length, 2 ** 31 - lo)).fill(EMPTY);
    if (this.dense) {
      // the ids of keys seen so far, at their new places
      const from = this.seenMin - this.denseBase;
      grown.set(this.dense.subarray(from, from + (this.seenMax - this.seenMin + 1)), this.seenMin - lo);
    }
    this.dense = grown;
    this.denseBase = lo;
    this.seenMin = min;
    this.seenMax = max;
    return true;
  }

  private denseToPairs(): boolean {
    this.denseOff = true;
    this.dense = null;
    const keys = this.own;
    let cap = 16;
    while (cap < this.size * 2 + 2) cap *= 2;
    this.mask = cap - 1;
    const pairs = new Float64Array(2 * cap);
    for (let s = 1; s < pairs.length; s += 2) pairs[s] = EMPTY;
    this.pairs = pairs;
    for (let id = 0; id < this.size; id++) {
      const x = keys[id]!;
      let s = keyHash(x) & this.mask;
      while (pairs[2 * s + 1] !== EMPTY) s = (s + 1) & this.mask;
      pairs[2 * s] = x;
      pairs[2 * s + 1] = id;
    }
    return false;
  }

  private newId(x: number): number {
    const id = this.size++;
    if (id >= this.own.length) this.growEntries();
    this.own[id] = x;
    return id;
  }

  private growEntries(): void {
    const grown = new Float64Array(this.own.length * 2);
    grown.set(this.own);
    this.own = grown;
  }

  private rehash1(): void {
    const cap = (this.mask + 1) * 2;
    const mask = cap - 1;
    const pairs = new Float64Array(2 * cap);
    for (let s = 1; s < pairs.length; s += 2) pairs[s] = EMPTY;
    const keys = this.own;
    for (let id = 0; id < this.size; id++) {
      const x = keys[id]!;
      let s = keyHash(x) & mask;
      while (pairs[2 * s + 1] !== EMPTY) s = (s + 1) & mask;
      pairs[2 * s] = x;
      pairs[2 * s + 1] = id;
    }
    this.pairs = pairs;
    this.mask = mask;
  }
}

/** Gives each distinct string a stable number, so string keys hash and compare as numbers. */
export class StringInterner {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  /** The number of `s`, -1 when it has none (adds nothing). */
  find(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(s, id);
      this.values.push(s);
    }
    return id;
  }
}

/**
 * Turns a key vector into numbers for KeyTable: numeric values as they are,
 * strings by interned id (looked up once per dictionary entry), NULL as NaN.
 */
export function keyNumbers(v: Vector, interner: StringInterner | null, out: Float64Array): void {
  const n = v.length;
  const nulls = v.nulls;
  if (v.kind === 'str') {
    const codes = v.codes;
    const dict = v.dict;
    if (dict.length > n) {
      // more entries than rows: intern only what the rows use
      for (let i = 0; i < n; i++) out[i] = nulls !== null && nulls[i] === 1 ? NaN : interner!.id(dict[codes[i]!]!);
      return;
    }
    const dictIds = new Float64Array(dict.length);
    for (let d = 0; d < dict.length; d++) dictIds[d] = interner!.id(dict[d]!);
    for (let i = 0; i < n; i++) out[i] = nulls !== null && nulls[i] === 1 ? NaN : dictIds[codes[i]!]!;
    return;
  }
  const values = v.values;
  if (nulls === null) for (let i = 0; i < n; i++) out[i] = values[i]!;
  else for (let i = 0; i < n; i++) out[i] = nulls[i] === 1 ? NaN : values[i]!;
}

/**
 * keyNumbers without adding strings to the interner: a row whose string has
 * no number yet gets NaN and missing[i] = 1 (its group cannot be in a table
 * keyed by the interner's numbers).
 */
export function knownKeyNumbers(v: Vector, interner: StringInterner | null, out: Float64Array, missing: Uint8Array): void {
  if (v.kind !== 'str') {
    keyNumbers(v, interner, out);
    return;
  }
  const n = v.length;
  const nulls = v.nulls;
  const codes = v.codes;
  const dict = v.dict;
  const perEntry = dict.length <= n;
  const dictIds = perEntry ? new Float64Array(dict.length) : null;
  if (dictIds) for (let d = 0; d < dict.length; d++) dictIds[d] = interner!.find(dict[d]!);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) {
      out[i] = NaN;
      continue;
    }
    const id = dictIds ? dictIds[codes[i]!]! : interner!.find(dict[codes[i]!]!);
    if (id < 0) {
      missing[i] = 1;
      out[i] = NaN;
    } else out[i] = id;
  }
}
