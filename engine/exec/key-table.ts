/**
 * An open-addressing hash table from key tuples to dense ids 0..size-1, the one
 * structure behind GROUP BY, DISTINCT and hash joins. Keys are numbers: numeric
 * columns as their physical values, strings as ids from a StringInterner (so a
 * probe compares numbers, never strings). No per-row objects: keys live in one
 * Float64Array per key column, slots in an Int32Array.
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

export class KeyTable {
  size = 0;
  private slots: Int32Array;
  private mask: number;
  /** keys[c][id] = key column c of entry id; NaN marks a NULL key part. */
  keys: Float64Array[];
  private hashes: Uint32Array;

  constructor(readonly arity: number, capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.slots = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    this.keys = Array.from({ length: arity }, () => new Float64Array(Math.max(16, capacity)));
    this.hashes = new Uint32Array(Math.max(16, capacity));
  }

  private hashRow(cols: readonly Float64Array[], i: number): number {
    if (this.arity === 1) return keyHash(cols[0]![i]!);
    let h = 0x9e3779b9;
    for (let c = 0; c < this.arity; c++) h = Math.imul(h ^ keyHash(cols[c]![i]!), 0x01000193) >>> 0;
    return h;
  }

  /**
   * Finds or adds the key of each row; writes its id to ids. `cols` are key
   * columns already turned into numbers (see KeyEncoder), NaN for NULL.
   */
  insert(cols: readonly Float64Array[], n: number, ids: Int32Array): void {
    if (this.arity === 1) {
      this.insert1(cols[0]!, n, ids);
      return;
    }
    for (let i = 0; i < n; i++) {
      const h = this.hashRow(cols, i);
      let slot = h & this.mask;
      for (;;) {
        const id = this.slots[slot]!;
        if (id === EMPTY) {
          ids[i] = this.add(cols, i, h, slot);
          break;
        }
        if (this.hashes[id] === h && this.equal(id, cols, i)) {
          ids[i] = id;
          break;
        }
        slot = (slot + 1) & this.mask;
      }
    }
  }

  /** insert for one key column: the same, with the column loop and the tuple comparison unrolled. */
  private insert1(col: Float64Array, n: number, ids: Int32Array): void {
    let slots = this.slots;
    let mask = this.mask;
    let keys = this.keys[0]!;
    let prev = NaN;
    let prevId = -1;
    for (let i = 0; i < n; i++) {
      const x = col[i]!;
      // runs of equal keys (sorted or clustered input) skip the probe
      if (x === prev) {
        ids[i] = prevId;
        continue;
      }
      const h = keyHash(x);
      let slot = h & mask;
      let found = -1;
      for (;;) {
        const id = slots[slot]!;
        if (id === EMPTY) break;
        const k = keys[id]!;
        if (k === x || (k !== k && x !== x)) {
          found = id;
          break;
        }
        slot = (slot + 1) & mask;
      }
      if (found < 0) {
        found = this.add1(col, i, h, slot);
        slots = this.slots;
        mask = this.mask;
        keys = this.keys[0]!;
      }
      ids[i] = found;
      prev = x;
      prevId = found;
    }
  }

  /** Looks each row's key up; writes its id or -1. */
  find(cols: readonly Float64Array[], n: number, ids: Int32Array): void {
    for (let i = 0; i < n; i++) {
      const h = this.hashRow(cols, i);
      let slot = h & this.mask;
      for (;;) {
        const id = this.slots[slot]!;
        if (id === EMPTY) {
          ids[i] = -1;
          break;
        }
        if (this.hashes[id] === h && this.equal(id, cols, i)) {
          ids[i] = id;
          break;
        }
        slot = (slot + 1) & this.mask;
      }
    }
  }

  private equal(id: number, cols: readonly Float64Array[], i: number): boolean {
    for (let c = 0; c < this.arity; c++) {
      const a = this.keys[c]![id]!;
      const b = cols[c]![i]!;
      // NULL parts (NaN) group together
      if (a !== b && !(a !== a && b !== b)) return false;
    }
    return true;
  }

  private add(cols: readonly Float64Array[], i: number, h: number, slot: number): number {
    const id = this.size++;
    if (id >= this.hashes.length) this.growEntries();
    for (let c = 0; c < this.arity; c++) this.keys[c]![id] = cols[c]![i]!;
    this.hashes[id] = h;
    this.slots[slot] = id;
    if (this.size * 2 > this.slots.length) this.rehash();
    return id;
  }

  private add1(col: Float64Array, i: number, h: number, slot: number): number {
    const id = this.size++;
    if (id >= this.hashes.length) this.growEntries();
    this.keys[0]![id] = col[i]!;
    this.hashes[id] = h;
    this.slots[slot] = id;
    if (this.size * 2 > this.slots.length) this.rehash();
    return id;
  }

  private growEntries(): void {
    const cap = this.hashes.length * 2;
    const hashes = new Uint32Array(cap);
    hashes.set(this.hashes);
    this.hashes = hashes;
    this.keys = this.keys.map((k) => {
      const grown = new Float64Array(cap);
      grown.set(k);
      return grown;
    });
  }

  private rehash(): void {
    const cap = this.slots.length * 2;
    const slots = new Int32Array(cap).fill(EMPTY);
    const mask = cap - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = this.hashes[id]! & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Gives each distinct string a stable number, so string keys hash and compare as numbers. */
export class StringInterner {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

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
