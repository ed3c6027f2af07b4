/**
 * Hash aggregation. Group keys become dense ids through a KeyTable; each
 * aggregate keeps its state in typed arrays indexed by group id, updated in one
 * tight loop per batch and aggregate. Runs as 'partial' per slice (emitting
 * states), 'final' (merging states after an exchange) or 'complete'.
 */
import type { Batch, PhysicalKind, SqlType, Vector } from '../../types.js';
import { physicalKind } from '../../types.js';
import type { AggregateNode, AggSpec } from '../../plan/physical.js';
import { KeyTable, StringInterner, keyNumbers } from '../key-table.js';
import * as rt from '../runtime.js';
import { ListAggAcc, MedianAcc } from './ordered-aggregates.js';
import { PercentileAcc } from './percentile.js';
import { HllAcc } from './hyperloglog.js';

/** One aggregate's state across groups. */
export interface Acc {
  update(v: Vector | null, ids: Int32Array, n: number): void;
  /** When present, called instead of update with the whole input batch (LISTAGG reads its WITHIN GROUP keys). */
  updateBatch?(batch: Batch, ids: Int32Array, n: number): void;
  grow(groups: number): void;
  result(groups: number): Vector;
}

const SAFE = Number.MAX_SAFE_INTEGER;
/** 2^53: integers summing within it sum exactly in doubles. */
const EXACT = 2 ** 53;

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
class GroupState {
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

class CountAcc implements Acc {
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
class SumAcc implements Acc {
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

class MinMaxAcc implements Acc {
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
class AvgAcc implements Acc {
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
  /** Merging partial states: v is the partial sum, c the partial count. */
  merge(sum: Vector, count: Vector, ids: Int32Array, n: number): void {
    this.sum.update(sum, ids, n);
    this.count.add((count as Exclude<Vector, { kind: 'str' }>).values, ids, n);
  }
  result(g: number): Vector {
    const s = this.sum.result(g) as Extract<Vector, { kind: 'f64' }>;
    return { kind: 'f64', values: averages(s.values, this.count.counts(g), g, this.argScale, this.resultType), nulls: s.nulls, length: g };
  }
}

/** Per group: sum / count as the result type (0 where count is 0; those rows are NULL). */
function averages(sums: ArrayLike<number>, counts: ArrayLike<number>, g: number, argScale: number, resultType: SqlType): Float64Array {
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
  constructor(private readonly fn: 'countDistinct' | 'sumDistinct' | 'avgDistinct', private readonly argScale: number, private readonly resultType: SqlType) {}
  grow(g: number): void {
    while (this.sets.length < g) this.sets.push(new Set());
  }
  update(v: Vector | null, ids: Int32Array, n: number): void {
    const vec = v!;
    const nulls = vec.nulls;
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      this.sets[ids[i]!]!.add(vec.kind === 'str' ? vec.dict[vec.codes[i]!]! : vec.values[i]!);
    }
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

function makeAcc(spec: AggSpec, input: AggregateNode['input'], mode: AggregateNode['mode'], state: GroupState): Acc {
  const argType = spec.arg >= 0 ? input.fields[spec.arg]!.type : null;
  const argScale = argType && argType.id === 'decimal' ? (argType.scale ?? 0) : 0;
  const integral = argType !== null && argType.id !== 'double' && argType.id !== 'real';
  switch (spec.fn) {
    case 'countStar':
      return mode === 'final' ? new SumAcc(true, 'bigint', state) : new CountAcc(true, state);
    case 'count':
      return mode === 'final' ? new SumAcc(true, 'bigint', state) : new CountAcc(false, state);
    case 'sum':
      return new SumAcc(spec.type.id !== 'double' && spec.type.id !== 'real', spec.type.id, state, isWideDecimal(spec.type));
    case 'min':
    case 'max':
    case 'anyValue':
      return new MinMaxAcc(spec.fn === 'max', physicalKind(spec.type));
    case 'avg':
      // in 'final' mode the argument is the partial sum, typed like the original argument's sum
      return new AvgAcc(argScale, spec.type, integral, state);
    case 'countDistinct':
    case 'sumDistinct':
    case 'avgDistinct':
      return new DistinctAcc(spec.fn, argScale, spec.type);
    case 'median':
      return new MedianAcc(spec.type);
    case 'listagg':
      return new ListAggAcc(spec);
    case 'percentileCont':
    case 'percentileDisc':
      return new PercentileAcc(spec, spec.type);
    case 'approxCountDistinct':
      return new HllAcc(mode);
  }
}

/** One step of a fused update: a count (of all rows, or of an argument's), or a sum of integers or of doubles. */
interface FusedOp {
  readonly kind: 'count' | 'isum' | 'dsum';
  /** Offset of the state in the GroupState stride. */
  readonly off: number;
  /** Input column, -1 for COUNT(*). */
  readonly arg: number;
}

type FusedUpdate = (x: readonly ArrayLike<number>[], ids: Int32Array, n: number, d: Float64Array, st: number) => void;

const fusedCache = new Map<string, FusedUpdate>();

/**
 * Every COUNT, SUM and AVG of an aggregate updated in one generated loop:
 * each row reads its group's state once, not once per aggregate. For batches
 * whose arguments have no NULLs; the same arithmetic as the accumulators'
 * own update (SumAcc, CountAcc). Null when an aggregate is of another kind.
 */
function fusedUpdate(node: AggregateNode, accs: readonly Acc[]): { fn: FusedUpdate; args: number[] } | null {
  const ops: FusedOp[] = [];
  for (let a = 0; a < accs.length; a++) {
    const acc = accs[a] as Acc & { fuse?: (arg: number) => FusedOp[] };
    if (!acc.fuse || (node.mode === 'final' && node.aggs[a]!.fn === 'avg')) return null;
    ops.push(...acc.fuse(node.aggs[a]!.arg));
  }
  if (ops.length < 2) return null;
  const args = [...new Set(ops.filter((o) => o.arg >= 0).map((o) => o.arg))];
  const key = ops.map((o) => `${o.kind}${o.off}:${args.indexOf(o.arg)}`).join(',');
  let fn = fusedCache.get(key);
  if (!fn) {
    const body: string[] = [];
    for (const o of ops) {
      if (o.kind === 'count') {
        body.push(`d[g + ${o.off}] += 1;`);
        continue;
      }
      const x = `x${args.indexOf(o.arg)}`;
      const exact = o.kind === 'isum' ? `if (!(t < E && t > -E && a < E && a > -E)) ` : '';
      body.push(`{ const at = g + ${o.off}; const a = d[at]; const b = ${x}[i]; const t = a + b; ${exact}d[at + 1] += Math.abs(a) >= Math.abs(b) ? a - t + b : b - t + a; d[at] = t; d[at + 2] = 1; }`);
    }
    const src = `${args.map((_, k) => `const x${k} = x[${k}];`).join(' ')}
      const E = ${EXACT};
      for (let i = 0; i < n; i++) {
        const g = ids[i] * st;
        ${body.join('\n        ')}
      }`;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    fn = new Function(`return function fusedUpdate(x, ids, n, d, st) {${src}\n};`)() as FusedUpdate;
    fusedCache.set(key, fn);
  }
  return { fn, args };
}

/**
 * Output columns: group keys, then per aggregate its result (complete/final)
 * or its state (partial: AVG emits sum and count).
 */
export function runAggregate(node: AggregateNode, input: Iterable<Batch>, emptyInputGroup: boolean): Batch {
  const table = new KeyTable(node.groups.length);
  const interners = node.groups.map((g) => (physicalKind(node.input.fields[g]!.type) === 'str' ? new StringInterner() : null));
  const state = new GroupState();
  const accs = node.aggs.map((a) => makeAcc(a, node.input, node.mode, state));
  const fused = fusedUpdate(node, accs);
  let keyCols: Float64Array[] = node.groups.map(() => new Float64Array(0));
  let ids = new Int32Array(0);
  // In 'final' mode aggregate args point at state columns; AVG's count follows its sum.
  for (const batch of input) {
    const n = batch.length;
    if (n === 0) continue;
    if (ids.length < n) {
      ids = new Int32Array(n);
      keyCols = node.groups.map(() => new Float64Array(n));
    }
    if (node.groups.length === 0) {
      ids.fill(0, 0, n);
      if (table.size === 0) table.size = 1;
    } else {
      for (let k = 0; k < node.groups.length; k++) keyNumbers(batch.columns[node.groups[k]!]!, interners[k]!, keyCols[k]!);
      table.insert(keyCols, n, ids);
    }
    state.grow(table.size);
    if (fused !== null && fused.args.every((c) => batch.columns[c]!.nulls === null)) {
      fused.fn(fused.args.map((c) => (batch.columns[c] as Exclude<Vector, { kind: 'str' }>).values), ids, n, state.data, state.stride);
      continue;
    }
    for (let a = 0; a < accs.length; a++) {
      const spec = node.aggs[a]!;
      const acc = accs[a]!;
      acc.grow(table.size);
      if (node.mode === 'final' && spec.fn === 'avg') {
        (acc as AvgAcc).merge(batch.columns[spec.arg]!, batch.columns[spec.arg + 1]!, ids, n);
      } else if (acc.updateBatch) {
        acc.updateBatch(batch, ids, n);
      } else {
        acc.update(spec.arg >= 0 ? batch.columns[spec.arg]! : null, ids, n);
      }
    }
  }
  // A global aggregate over no rows still returns one row (COUNT = 0, SUM = NULL).
  if (node.groups.length === 0 && table.size === 0 && emptyInputGroup) table.size = 1;
  const groups = table.size;
  state.grow(groups);
  for (const acc of accs) acc.grow(groups);
  const keys = table.keys;
  const columns: Vector[] = node.groups.map((g, k) => keyVector(keys[k]!, groups, physicalKind(node.input.fields[g]!.type), interners[k]!));
  for (let a = 0; a < accs.length; a++) {
    const acc = accs[a]!;
    if (node.mode === 'partial' && node.aggs[a]!.fn === 'avg') {
      const avg = acc as AvgAcc;
      columns.push(avg.sum.result(groups), avg.count.result(groups));
    } else {
      columns.push(castResult(acc.result(groups), physicalKind(node.fields[columns.length]!.type)));
    }
  }
  return { length: groups, columns };
}

/** Aggregate results are computed in f64; narrow to the declared kind (e.g. MIN of an INTEGER). */
export function castResult(v: Vector, kind: PhysicalKind): Vector {
  if (v.kind === kind || v.kind === 'str') return v;
  if (kind === 'i32') return { kind, values: Int32Array.from((v as { values: ArrayLike<number> }).values), nulls: v.nulls, length: v.length };
  if (kind === 'bool') return { kind, values: Uint8Array.from((v as { values: ArrayLike<number> }).values), nulls: v.nulls, length: v.length };
  return v;
}

function keyVector(keys: Float64Array, n: number, kind: PhysicalKind, interner: StringInterner | null): Vector {
  const nulls = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++) if (keys[i] !== keys[i]) { nulls[i] = 1; any = true; }
  const nl = any ? nulls : null;
  switch (kind) {
    case 'str': {
      const codes = new Uint32Array(n);
      for (let i = 0; i < n; i++) codes[i] = nulls[i] ? 0 : keys[i]!;
      const dict = interner!.values.length ? interner!.values : [''];
      return { kind, codes, dict, nulls: nl, length: n };
    }
    case 'i32': {
      const values = new Int32Array(n);
      for (let i = 0; i < n; i++) values[i] = nulls[i] ? 0 : keys[i]!;
      return { kind, values, nulls: nl, length: n };
    }
    case 'bool': {
      const values = new Uint8Array(n);
      for (let i = 0; i < n; i++) values[i] = nulls[i] ? 0 : keys[i]!;
      return { kind, values, nulls: nl, length: n };
    }
    case 'f64': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = nulls[i] ? 0 : keys[i]!;
      return { kind, values, nulls: nl, length: n };
    }
  }
}
