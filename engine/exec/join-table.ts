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
export function joinKeys(b: Batch, keys: readonly number[], interners: readonly (Map<string, number> | null)[], build: boolean): JoinKeys {
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
  const hashes = new Int32Array(n);
  for (let k = 0; k < cols.length; k++) hashColumn(cols[k]!, n, hashes, k === 0);
  for (let i = 0; i < n; i++) hashes[i] = mix(hashes[i]!);
  return { cols, nulls, hashes };
}

export class JoinTable {
  /** heads[slot] = first build row of the chain, -1 for none; next[row] = following row. */
  readonly heads: Int32Array;
  readonly next: Int32Array;
  readonly mask: number;
  readonly keys: JoinKeys;
  /** Any build row with a NULL key part (NOT IN needs to know). */
  readonly hasNullKey: boolean;
  /** Per key column: the build side's strings -> ids, or null for a numeric key. */
  readonly interners: (Map<string, number> | null)[];

  constructor(right: Batch, keyCols: readonly number[]) {
    const n = right.length;
    this.interners = keyCols.map((k) => (right.columns[k]!.kind === 'str' ? new Map<string, number>() : null));
    const keys = joinKeys(right, keyCols, this.interners, true);
    this.keys = keys;
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.mask = cap - 1;
    const heads = new Int32Array(cap).fill(-1);
    const next = new Int32Array(n);
    const hashes = keys.hashes;
    const nulls = keys.nulls;
    const mask = this.mask;
    let hasNullKey = false;
    // inserted in reverse so that each chain runs in input order
    for (let r = n - 1; r >= 0; r--) {
      if (nulls !== null && nulls[r] === 1) {
        hasNullKey = true;
        next[r] = -1;
        continue;
      }
      const slot = hashes[r]! & mask;
      next[r] = heads[slot]!;
      heads[slot] = r;
    }
    this.heads = heads;
    this.next = next;
    this.hasNullKey = hasNullKey;
  }

  /** The probe batch's keys, comparable with the build side's. */
  probeKeys(b: Batch, keyCols: readonly number[]): JoinKeys {
    return joinKeys(b, keyCols, this.interners, false);
  }

  /**
   * Candidate pairs of probe rows [from, n) and build rows with equal keys,
   * written to li/ri up to their capacity. Returns the count and where to resume
   * (probe row, and build row within its chain, -1 at a chain's start).
   * With `firstOnly`, a probe row stops at its first match (semi/anti joins).
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
    const heads = this.heads;
    const next = this.next;
    const mask = this.mask;
    const hashes = probe.hashes;
    const pnulls = probe.nulls;
    const cap = li.length;
    let count = 0;
    const arity = probe.cols.length;
    if (arity === 1) {
      const bk = this.keys.cols[0]!;
      const pk = probe.cols[0]!;
      for (let i = from; i < n; i++) {
        if (pnulls !== null && pnulls[i] === 1) continue;
        const key = pk[i]!;
        let r = i === from && resumeRow >= 0 ? resumeRow : heads[hashes[i]! & mask]!;
        for (; r >= 0; r = next[r]!) {
          if (bk[r] !== key) continue;
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
    } else {
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
    }
    out.count = count;
    out.row = n;
    out.chain = -1;
  }
}
