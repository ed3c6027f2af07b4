/**
 * The sort-key what-if: a sample of the table's rows laid out as the table
 * would be under a candidate key, cut into blocks like the real table's, with
 * a zone map per block and column; then, for each logged scan, the blocks whose
 * zone maps cannot rule it out.
 *
 * Scaling (docs/advisor.md, "Sort keys"): the table has B_s blocks on slice s
 * (ceil(rows_s / blockRows) after a rewrite). The sample's n rows are dealt to
 * the slices round robin (the sample is spread over the whole table, so this
 * is as random as the real placement with respect to the sorted values), each
 * slice's share is sorted by the candidate and cut into B_s blocks of equal
 * size: a sample block stands for a real block of blockRows rows, holding
 * blockRows * n / N of its rows. Zone maps of a sample block are narrower than
 * the real block's (fewer rows, so fewer extremes), which counts slightly too
 * few blocks for every candidate alike; the sample size keeps at least 32 rows
 * per sample block so the error stays small (sortkey/choose.ts).
 *
 * An interleaved candidate orders each slice's share by the engine's own
 * z-value (engine/storage/zorder.ts), with the mapping set from the whole
 * sample, as a rewrite sets it from the whole table's zone maps.
 */
import type { Vector } from '../../engine/index.js';
import { sortByZ, ZOrder, zKindOf } from '../../engine/index.js';
import type { TableSample } from '../sample.js';
import { mayMatch, type ZoneTest } from './predicates.js';

/** Per column, per block: bounds (null when the block is all NULL). */
export interface BlockZones {
  readonly blocks: number;
  readonly min: ReadonlyMap<string, (number | string | null)[]>;
  readonly max: ReadonlyMap<string, (number | string | null)[]>;
}

/** Sort ranks of a vector's values: numbers as they are, strings by their place in sorted order; NULL last. */
export function ranks(v: Vector): Float64Array {
  const out = new Float64Array(v.length);
  if (v.kind === 'str') {
    const order = v.dict.map((_, i) => i).sort((a, b) => (v.dict[a]! < v.dict[b]! ? -1 : v.dict[a]! > v.dict[b]! ? 1 : 0));
    const rank = new Float64Array(v.dict.length);
    order.forEach((code, r) => (rank[code] = r));
    for (let i = 0; i < v.length; i++) out[i] = rank[v.codes[i]!]!;
  } else {
    for (let i = 0; i < v.length; i++) out[i] = v.values[i]!;
  }
  if (v.nulls) for (let i = 0; i < v.length; i++) if (v.nulls[i]) out[i] = Infinity;
  return out;
}

/** How a key orders rows: column by column, or by z-value (every column with equal weight). */
export type SortStyle = 'compound' | 'interleaved';

/**
 * Row order and slice boundaries of the sample under a key: rows dealt to
 * `slices` round robin, each slice sorted by the key's columns in turn
 * (compound) or by their z-value (interleaved). An empty key keeps the
 * sample's storage order as one run (the table as it is).
 */
export function layoutOrder(sample: TableSample, key: readonly string[], slices: number, style: SortStyle = 'compound'): { order: Uint32Array; starts: number[] } {
  const n = sample.rows;
  if (key.length === 0) return { order: Uint32Array.from({ length: n }, (_, i) => i), starts: [0, n] };
  const sampled = key.map((c) => {
    const s = sample.columns.find((x) => x.name === c);
    if (!s) throw new Error(`column ${c} not in the sample of ${sample.table}`);
    return s;
  });
  let sortPart: (part: Uint32Array) => void;
  if (style === 'interleaved') {
    const vectors = sampled.map((s) => s.vector);
    const mapping = new ZOrder(sampled.map((s) => zKindOf(s.type)));
    mapping.cover([vectors]);
    const z = mapping.zValues(vectors);
    sortPart = (part) => sortByZ(part, z);
  } else {
    const cols = sampled.map((s) => ranks(s.vector));
    sortPart = (part) =>
      part.sort((a, b) => {
        for (const r of cols) {
          const d = r[a]! - r[b]!;
          if (d !== 0) return d < 0 ? -1 : 1;
        }
        return a - b;
      });
  }
  const order = new Uint32Array(n);
  const starts: number[] = [0];
  let k = 0;
  for (let s = 0; s < slices; s++) {
    const from = k;
    for (let i = s; i < n; i += slices) order[k++] = i;
    sortPart(order.subarray(from, k));
    starts.push(k);
  }
  return { order, starts };
}

/**
 * Zone maps of `columns` over the sample laid out by `order`: run r (rows
 * starts[r]..starts[r+1]) is cut into blocksPerRun[r] blocks of equal size.
 */
export function blockZones(sample: TableSample, columns: readonly string[], order: Uint32Array, starts: readonly number[], blocksPerRun: readonly number[]): BlockZones {
  const bounds: [number, number][] = [];
  for (let r = 0; r + 1 < starts.length; r++) {
    const from = starts[r]!;
    const len = starts[r + 1]! - from;
    const b = Math.max(1, Math.min(blocksPerRun[r] ?? 1, len));
    for (let j = 0; j < b; j++) {
      const lo = from + Math.floor((j * len) / b);
      const hi = from + Math.floor(((j + 1) * len) / b);
      if (hi > lo) bounds.push([lo, hi]);
    }
  }
  const min = new Map<string, (number | string | null)[]>();
  const max = new Map<string, (number | string | null)[]>();
  for (const c of columns) {
    const v = sample.columns.find((x) => x.name === c)?.vector;
    if (!v) continue;
    const mins: (number | string | null)[] = [];
    const maxs: (number | string | null)[] = [];
    const nulls = v.nulls;
    for (const [lo, hi] of bounds) {
      if (v.kind === 'str') {
        let a: string | null = null;
        let z: string | null = null;
        for (let k = lo; k < hi; k++) {
          const i = order[k]!;
          if (nulls && nulls[i]) continue;
          const s = v.dict[v.codes[i]!]!;
          if (a === null || s < a) a = s;
          if (z === null || s > z) z = s;
        }
        mins.push(a);
        maxs.push(z);
      } else {
        let a = Infinity;
        let z = -Infinity;
        let any = false;
        for (let k = lo; k < hi; k++) {
          const i = order[k]!;
          if (nulls && nulls[i]) continue;
          const x = v.values[i]!;
          any = true;
          if (x < a) a = x;
          if (x > z) z = x;
        }
        mins.push(any ? a : null);
        maxs.push(any ? z : null);
      }
    }
    min.set(c, mins);
    max.set(c, maxs);
  }
  return { blocks: bounds.length, min, max };
}

/** Blocks of `zones` that no test rules out (a block all NULL in a tested column is ruled out). */
export function blocksScanned(zones: BlockZones, tests: readonly ZoneTest[]): number {
  let scanned = 0;
  for (let b = 0; b < zones.blocks; b++) {
    let keep = true;
    for (const t of tests) {
      const lo = zones.min.get(t.column)?.[b];
      const hi = zones.max.get(t.column)?.[b];
      if (lo === undefined || hi === undefined) continue;
      if (lo === null || hi === null || !mayMatch(lo, hi, t)) {
        keep = false;
        break;
      }
    }
    if (keep) scanned++;
  }
  return scanned;
}
