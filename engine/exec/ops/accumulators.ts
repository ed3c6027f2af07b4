/**
 * The GROUP BY accumulators of the aggregates that keep numeric states
 * (COUNT, SUM, MIN/MAX/ANY_VALUE, AVG) and of the DISTINCT forms: one object
 * per aggregate, its states in typed arrays indexed by group id and updated in
 * one tight loop per batch. Which aggregate uses which is the function
 * registry's business (functions/aggregate-kinds.ts); the aggregate operator
 * (aggregate.ts) drives them through the Acc interface.
 */
import type { Batch, PhysicalKind, SqlType, Vector } from '../../types.js';
import * as rt from '../runtime.js';

/** One aggregate's state across groups. */
export interface Acc {
  update(v: Vector | null, ids: Int32Array, n: number): void;
  /** When present, called instead of update with the whole input batch (LISTAGG reads its WITHIN GROUP keys). */
  updateBatch?(batch: Batch, ids: Int32Array, n: number): void;
  grow(groups: number): void;
  result(groups: number): Vector;
  /**
   * Merging partial states ('final' mode) when this aggregate's state is
   * several columns (AVG: sum and count), starting at input column `arg`;
   * absent: a one-column state is read by update.
   */
  merge?(batch: Batch, arg: number, ids: Int32Array, n: number): void;
  /** The state columns a 'partial' aggregate emits, when more than result()'s one. */
  states?(groups: number): Vector[];
  /** The steps of the fused update of COUNT, SUM and AVG (aggregate.ts), when it has them. */
  fuse?(arg: number): FusedOp[];
  /** About the bytes of state kept outside the GroupState (per-group sets), for the memory accountant; absent: none worth counting. */
  bytes?(): number;
}

/** One step of a fused update: a count (of all rows, or of an argument's), or a sum of integers or of doubles. */
export interface FusedOp {
  readonly kind: 'count' | 'isum' | 'dsum';
  /** Offset of the state in the GroupState stride. */
  readonly off: number;
  /** Input column, -1 for COUNT(*). */
  readonly arg: number;
}

const SAFE = Number.MAX_SAFE_INTEGER;
/** 2^53: integers summing within it sum exactly in doubles. */
export const EXACT = 2 ** 53;

function growF64(a: Float64Array, n: number, fill = 0): Float64Array {
  if (a.length >= n) return a;
  const b = new Float64Array(Math.max(n, a.length * 2));
  if (fill) b.fill(fill);
  b.set(a);
  return b;
}
function growU8(a: Uint8Array, n: number): Uint8Array {
  if (a.length >= n) return a;
  const b = new Uint8Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/**
 * The numeric states (counts, sums) of all a group's aggregates side by side:
 * group g's state is data[g * stride .. g * stride + stride). A high-cardinality
 * GROUP BY touches groups at random, so one cache line per row beats one per
 * aggregate array.
 */
export class GroupState {
  stride = 0;
  data = new Float64Array(0);
  private cap = 0;
  /** Reserves `slots` numbers per group (before the first grow); returns their offset. */
  alloc(slots: number): number {
    const at = this.stride;
    this.stride += slots;
    return at;
  }
  grow(groups: number): void {
    if (groups <= this.cap || this.stride === 0) return;
    const cap = Math.max(groups, this.cap * 2, 16);
    const data = new Float64Array(cap * this.stride);
    data.set(this.data);
    this.data = data;
    this.cap = cap;
  }
}

export class CountAcc implements Acc {
  private readonly off: number;
  constructor(
    private readonly star: boolean,
    private readonly state: GroupState,
  ) {
    this.off = state.alloc(1);
  }
  grow(): void {
    // the GroupState grows for everyone
  }
  update(v: Vector | null, ids: Int32Array, n: number): void {
    const d = this.state.data;
    const st = this.state.stride;
    const o = this.off;
    const nulls = this.star || !v ? null : v.nulls;
    if (nulls === null) for (let i = 0; i < n; i++) d[ids[i]! * st + o]!++;
    else for (let i = 0; i < n; i++) if (nulls[i] !== 1) d[ids[i]! * st + o]!++;
  }
  fuse(arg: number): FusedOp[] {
    return [{ kind: 'count', off: this.off, arg: this.star ? -1 : arg }];
  }

  /** Adds partial counts (merging AVG states). */
  add(c: ArrayLike<number>, ids: Int32Array, n: number): void {
    const d = this.state.data;
    const st = this.state.stride;
    const o = this.off;
    for (let i = 0; i < n; i++) d[ids[i]! * st + o]! += c[i]!;
  }
  counts(g: number): Float64Array {
    const d = this.state.data;
    const st = this.state.stride;
    const o = this.off;
    const out = new Float64Array(g);
    for (let i = 0; i < g; i++) out[i] = d[i * st + o]!;
    return out;
  }
  result(g: number): Vector {
    return { kind: 'f64', values: this.counts(g), nulls: null, length: g };
  }
}

/** SUM over physical values; with `merge` it sums partial sums. NULL when no value was seen. */
export class SumAcc implements Acc {
  /** Per group in the GroupState: the sum, its rounding error so far (Neumaier's compensation; exact while the sums stay below 2^106), and 1 once a value was seen. */
  private readonly off: number;
  /**
   * integral: a type with an exact range (integers, decimals). A DECIMAL sum
   * (wide: precision 16 and more) may pass 2^53 scaled units: it is summed
   * exactly and the result rounded to the nearest double, about 16 significant
   * digits, as its decimal range allows; integer sums past 2^53 raise OVERFLOW.
   */
  constructor(
    private readonly integral: boolean,
    private readonly typeName: string,
    private readonly state: GroupState,
    private readonly wide = false,
  ) {
    this.off = state.alloc(3);
  }
  grow(): void {
    // the GroupState grows for everyone
  }
  fuse(arg: number): FusedOp[] {
    return [{ kind: this.integral ? 'isum' : 'dsum', off: this.off, arg }];
  }
  update(v: Vector | null, ids: Int32Array, n: number): void {
    const x = (v as Exclude<Vector, { kind: 'str' }>).values;
    const nulls = v!.nulls;
    const d = this.state.data;
    const st = this.state.stride;
    const o = this.off;
    if (this.integral && nulls === null) {
      // integers (scaled decimals): a sum that stays within 2^53 is exact and needs no error term
      for (let i = 0; i < n; i++) {
        const at = ids[i]! * st + o;
        const a = d[at]!;
        const b = x[i]!;
        const t = a + b;
        if (!(t < EXACT && t > -EXACT && a < EXACT && a > -EXACT)) d[at + 1]! += Math.abs(a) >= Math.abs(b) ? a - t + b : b - t + a;
        d[at] = t;
        d[at + 2] = 1;
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const at = ids[i]! * st + o;
      const a = d[at]!;
      const b = x[i]!;
      const t = a + b;
      // exact as long as the running sum is below 2^53: then the error terms are all 0
      d[at + 1]! += Math.abs(a) >= Math.abs(b) ? a - t + b : b - t + a;
      d[at] = t;
      d[at + 2] = 1;
    }
  }
  result(g: number): Vector {
    const nulls = new Uint8Array(g);
    const values = new Float64Array(g);
    const d = this.state.data;
    const st = this.state.stride;
    const o = this.off;
    let any = false;
    for (let i = 0; i < g; i++) {
      const at = i * st + o;
      values[i] = d[at]! + d[at + 1]!;
      if (!d[at + 2]) { nulls[i] = 1; any = true; }
      else if (this.integral && !this.wide && Math.abs(values[i]!) > SAFE) rt.overflow(this.typeName);
    }
    return { kind: 'f64', values, nulls: any ? nulls : null, length: g };
  }
}

export class MinMaxAcc implements Acc {
  nums: Float64Array = new Float64Array(16);
  strs: string[] = [];
  seen: Uint8Array = new Uint8Array(16);
  constructor(private readonly isMax: boolean, private readonly kind: PhysicalKind) {}
  grow(g: number): void {
    this.nums = growF64(this.nums, g);
    this.seen = growU8(this.seen, g);
  }
  update(v: Vector | null, ids: Int32Array, n: number): void {
    const vec = v!;
    const nulls = vec.nulls;
    const seen = this.seen;
    if (vec.kind === 'str') {
      const { codes, dict } = vec;
      const out = this.strs;
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] === 1) continue;
        const g = ids[i]!;
        const s = dict[codes[i]!]!;
        if (!seen[g] || (this.isMax ? s > out[g]! : s < out[g]!)) { out[g] = s; seen[g] = 1; }
      }
      return;
    }
    const x = vec.values;
    const m = this.nums;
    if (this.isMax) {
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] === 1) continue;
        const g = ids[i]!;
        if (!seen[g] || x[i]! > m[g]!) { m[g] = x[i]!; seen[g] = 1; }
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] === 1) continue;
        const g = ids[i]!;
        if (!seen[g] || x[i]! < m[g]!) { m[g] = x[i]!; seen[g] = 1; }
      }
    }
  }
  result(g: number): Vector {
    const nulls = new Uint8Array(g);
    let any = false;
    for (let i = 0; i < g; i++) if (!this.seen[i]) { nulls[i] = 1; any = true; }
    const nl = any ? nulls : null;
    switch (this.kind) {
      case 'str': {
        const codes = new Uint32Array(g);
        const dict = new Array<string>(g);
        for (let i = 0; i < g; i++) { codes[i] = i; dict[i] = this.strs[i] ?? ''; }
        return { kind: 'str', codes, dict, nulls: nl, length: g };
      }
      case 'i32':
        return { kind: 'i32', values: Int32Array.from(this.nums.subarray(0, g)), nulls: nl, length: g };
      case 'bool':
        return { kind: 'bool', values: Uint8Array.from(this.nums.subarray(0, g)), nulls: nl, length: g };
      case 'f64':
        return { kind: 'f64', values: this.nums.slice(0, g), nulls: nl, length: g };
    }
  }
}

/**
 * AVG from a sum and a count (in 'final' mode both come from partial states).
 * The sum is of the argument's physical values (a DECIMAL's scaled integers,
 * exact below 2^53); a DECIMAL result is the exact quotient at its own scale,
 * rounded half away from zero; a DOUBLE result is sum / count.
 */
export class AvgAcc implements Acc {
  sum: SumAcc;
  count: CountAcc;
  constructor(private readonly argScale: number, private readonly resultType: SqlType, integralSum: boolean, state: GroupState) {
    this.sum = new SumAcc(integralSum, 'numeric', state, isWideDecimal(resultType));
    this.count = new CountAcc(false, state);
  }
  grow(): void {
    // the GroupState grows for everyone
  }
  update(v: Vector | null, ids: Int32Array, n: number): void {
    this.sum.update(v, ids, n);
    this.count.update(v, ids, n);
  }
  fuse(arg: number): FusedOp[] {
    return [...this.sum.fuse(arg), ...this.count.fuse(arg)];
  }
  /** Merging partial states: column arg is the partial sum, arg + 1 the partial count. */
  merge(batch: Batch, arg: number, ids: Int32Array, n: number): void {
    this.sum.update(batch.columns[arg]!, ids, n);
    this.count.add((batch.columns[arg + 1] as Exclude<Vector, { kind: 'str' }>).values, ids, n);
  }
  /** The partial state: the sum (at the argument's scale) and the count. */
  states(g: number): Vector[] {
    return [this.sum.result(g), this.count.result(g)];
  }
  result(g: number): Vector {
    const s = this.sum.result(g) as Extract<Vector, { kind: 'f64' }>;
    return { kind: 'f64', values: averages(s.values, this.count.counts(g), g, this.argScale, this.resultType), nulls: s.nulls, length: g };
  }
}

/** Per group: sum / count as the result type (0 where count is 0; those rows are NULL). */
export function averages(sums: ArrayLike<number>, counts: ArrayLike<number>, g: number, argScale: number, resultType: SqlType): Float64Array {
  const values = new Float64Array(g);
  if (resultType.id === 'decimal') {
    const shift = (resultType.scale ?? 0) - argScale;
    for (let i = 0; i < g; i++) values[i] = counts[i]! > 0 ? rt.decDiv(sums[i]!, counts[i]!, shift) : 0;
  } else {
    const div = 10 ** argScale;
    for (let i = 0; i < g; i++) values[i] = counts[i]! > 0 ? sums[i]! / counts[i]! / div : 0;
  }
  return values;
}

/** DISTINCT aggregates: a set of values per group (only in 'complete' mode, after rows are co-located by group). */
export class DistinctAcc implements Acc {
  sets: Set<number | string>[] = [];
  /** Values held in all the sets, and the characters of the strings among them (for bytes()). */
  private held = 0;
  private chars = 0;
  constructor(private readonly fn: 'countDistinct' | 'sumDistinct' | 'avgDistinct', private readonly argScale: number, private readonly resultType: SqlType) {}
  grow(g: number): void {
    while (this.sets.length < g) this.sets.push(new Set());
  }
  update(v: Vector | null, ids: Int32Array, n: number): void {
    const vec = v!;
    const nulls = vec.nulls;
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const set = this.sets[ids[i]!]!;
      const size = set.size;
      const x = vec.kind === 'str' ? vec.dict[vec.codes[i]!]! : vec.values[i]!;
      set.add(x);
      if (set.size !== size) {
        this.held++;
        if (typeof x === 'string') this.chars += x.length;
      }
    }
  }
  /** V8's Set: ~64 bytes empty, ~24 a number entry (hash table slots at their load); strings at 2 bytes a character. */
  bytes(): number {
    return 64 * this.sets.length + 24 * this.held + 2 * this.chars;
  }
  result(g: number): Vector {
    const values = new Float64Array(g);
    const nulls = new Uint8Array(g);
    let any = false;
    for (let i = 0; i < g; i++) {
      const set = this.sets[i]!;
      if (this.fn === 'countDistinct') { values[i] = set.size; continue; }
      if (set.size === 0) { nulls[i] = 1; any = true; continue; }
      let s = 0;
      for (const x of set) s += x as number;
      if (this.fn === 'sumDistinct') {
        if (this.resultType.id !== 'double' && this.resultType.id !== 'real' && Math.abs(s) > SAFE) rt.overflow(this.resultType.id);
        values[i] = s;
      } else values[i] = averages([s], [set.size], 1, this.argScale, this.resultType)[0]!;
    }
    return { kind: 'f64', values, nulls: any ? nulls : null, length: g };
  }
}

/** DECIMAL of 16 or more digits: its range passes 2^53 scaled units, where values are rounded to the nearest double. */
export function isWideDecimal(t: SqlType): boolean {
  return t.id === 'decimal' && (t.precision ?? 18) >= 16;
}

/** Aggregate results are computed in f64; narrow to the declared kind (e.g. MIN of an INTEGER). */
export function castResult(v: Vector, kind: PhysicalKind): Vector {
  if (v.kind === kind || v.kind === 'str') return v;
  if (kind === 'i32') return { kind, values: Int32Array.from((v as { values: ArrayLike<number> }).values), nulls: v.nulls, length: v.length };
  if (kind === 'bool') return { kind, values: Uint8Array.from((v as { values: ArrayLike<number> }).values), nulls: v.nulls, length: v.length };
  return v;
}
