/**
 * Hash aggregation. Group keys become dense ids through a KeyTable; each
 * aggregate keeps its state in typed arrays indexed by group id, updated in one
 * tight loop per batch and aggregate. Runs as 'partial' per slice (emitting
 * states), 'final' (merging states after an exchange) or 'complete'. Which
 * accumulator an aggregate uses is its kind's (functions/aggregate-kinds.ts),
 * looked up once per aggregate and query.
 */
import type { Batch, PhysicalKind, Vector } from '../../types.js';
import { physicalKind } from '../../types.js';
import type { AggregateNode } from '../../plan/physical.js';
import { aggregateKind } from '../../functions/registry.js';
import { KeyTable, StringInterner, keyNumbers, knownKeyNumbers } from '../key-table.js';
import { gatherBatch } from '../batch.js';
import type { ExecContext } from '../context.js';
import { readSpill, removeSpillFile } from '../memory/index.js';
import { AggregatePartitions, MAX_DEPTH } from './aggregate-spill.js';
import { EXACT, GroupState, castResult, type Acc, type FusedOp } from './accumulators.js';
import { compileClock, timedCompile } from '../compile-clock.js';

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
    const acc = accs[a]!;
    // merging a state of several columns is not a plain update
    if (!acc.fuse || (node.mode === 'final' && acc.merge)) return null;
    ops.push(...acc.fuse(node.aggs[a]!.arg));
  }
  if (ops.length < 2) return null;
  const args = [...new Set(ops.filter((o) => o.arg >= 0).map((o) => o.arg))];
  const key = ops.map((o) => `${o.kind}${o.off}:${args.indexOf(o.arg)}`).join(',');
  let fn = fusedCache.get(key);
  if (fn) compileClock.reused++;
  else {
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
    fn = timedCompile(() => new Function(`return function fusedUpdate(x, ids, n, d, st) {${src}\n};`)() as FusedUpdate);
    compileClock.compiled++;
    fusedCache.set(key, fn);
  }
  return { fn, args };
}

/**
 * Output columns: group keys, then per aggregate its result (complete/final)
 * or its state (partial: AVG emits sum and count). Under a memory limit
 * (`ctx`), a table that outgrows it stops taking new groups: their rows go to
 * partition files (aggregate-spill.ts), each aggregated after the table's
 * groups are out, so the output is several batches.
 */
export function runAggregate(node: AggregateNode, input: Iterable<Batch>, emptyInputGroup: boolean, ctx: ExecContext | null = null, depth = 0): Batch[] {
  const out: Batch[] = [];
  const once = aggregateOnce(node, input, emptyInputGroup, ctx, depth);
  out.push(once.batch);
  const files = once.partitions;
  try {
    for (const f of files) {
      for (const b of runAggregate(node, readSpill(f), false, ctx, depth + 1)) if (b.length > 0) out.push(b);
      removeSpillFile(f);
    }
  } finally {
    for (const f of files) removeSpillFile(f);
  }
  return out;
}

/** The in-memory part of an aggregation: the table's groups, and the files of the partitions it spilled (none without a limit). */
function aggregateOnce(node: AggregateNode, input: Iterable<Batch>, emptyInputGroup: boolean, ctx: ExecContext | null, depth: number): { batch: Batch; partitions: string[] } {
  const table = new KeyTable(node.groups.length);
  const interners = node.groups.map((g) => (physicalKind(node.input.fields[g]!.type) === 'str' ? new StringInterner() : null));
  const state = new GroupState();
  const accs = node.aggs.map((spec) =>
    aggregateKind(spec.fn).accumulator({ spec, argType: spec.arg >= 0 ? node.input.fields[spec.arg]!.type : null, mode: node.mode, state }),
  );
  const fused = fusedUpdate(node, accs);
  let keyCols: Float64Array[] = node.groups.map(() => new Float64Array(0));
  let ids = new Int32Array(0);
  // the accountant counts the table by groups: the GroupState's slots, ~40 bytes a key column in the
  // KeyTable (its (key, id) slot pairs at half load, and the key), 16 an aggregate for state kept outside
  // the GroupState; and the interned strings of the keys (sizes.ts's rate)
  const memory = ctx !== null && ctx.memory.limited && node.groups.length > 0 ? ctx.memory : null;
  const perGroup = 8 * state.stride + 40 * node.groups.length + 16 * node.aggs.length;
  let reserved = 0;
  let internBytes = 0;
  const interned = interners.map(() => 0);
  let partitions: AggregatePartitions | null = null;
  let missing = new Uint8Array(0);
  let keep = new Uint32Array(0);
  let divert = new Uint32Array(0);
  /** The table is full: the rows of groups it lacks go to their partitions; returns the rest. */
  const diverted = (batch: Batch): Batch => {
    const n = batch.length;
    if (missing.length < n) {
      missing = new Uint8Array(n);
      keep = new Uint32Array(n);
      divert = new Uint32Array(n);
    }
    missing.fill(0, 0, n);
    for (let k = 0; k < node.groups.length; k++) knownKeyNumbers(batch.columns[node.groups[k]!]!, interners[k]!, keyCols[k]!, missing);
    table.find(keyCols, n, ids);
    let kept = 0;
    let gone = 0;
    for (let i = 0; i < n; i++) {
      if (missing[i] === 1 || ids[i]! < 0) divert[gone++] = i;
      else keep[kept++] = i;
    }
    if (gone === 0) return batch;
    partitions!.add(gatherBatch(batch, divert, gone));
    return gatherBatch(batch, keep, kept);
  };
  try {
    // In 'final' mode aggregate args point at state columns; AVG's count follows its sum.
    for (let batch of input) {
      let n = batch.length;
      if (n === 0) continue;
      if (ids.length < n) {
        ids = new Int32Array(n);
        keyCols = node.groups.map(() => new Float64Array(n));
      }
      if (partitions !== null) {
        batch = diverted(batch);
        n = batch.length;
        if (n === 0) continue;
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
      } else for (let a = 0; a < accs.length; a++) {
        const spec = node.aggs[a]!;
        const acc = accs[a]!;
        acc.grow(table.size);
        if (node.mode === 'final' && acc.merge) {
          acc.merge(batch, spec.arg, ids, n);
        } else if (acc.updateBatch) {
          acc.updateBatch(batch, ids, n);
        } else {
          acc.update(spec.arg >= 0 ? batch.columns[spec.arg]! : null, ids, n);
        }
      }
      if (memory !== null && partitions === null) {
        for (let k = 0; k < interners.length; k++) {
          const values = interners[k]?.values;
          if (!values) continue;
          for (let j = interned[k]!; j < values.length; j++) internBytes += 32 + 2 * values[j]!.length;
          interned[k] = values.length;
        }
        let want = table.size * perGroup + internBytes;
        for (const acc of accs) if (acc.bytes) want += acc.bytes();
        if (want > reserved) {
          if (memory.tryReserve(want - reserved)) reserved = want;
          // a partition that still does not fit after MAX_DEPTH splits (one huge group set of equal hashes): give up clearly
          else if (depth >= MAX_DEPTH) memory.reserve(want - reserved, 'hash aggregate (after spilling)');
          else partitions = new AggregatePartitions(node.groups, depth, ctx!, ctx!.statsFor(node.id));
        }
      }
    }
  } catch (e) {
    partitions?.abort();
    memory?.release(reserved);
    throw e;
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
    if (node.mode === 'partial' && acc.states) {
      columns.push(...acc.states(groups));
    } else {
      columns.push(castResult(acc.result(groups), physicalKind(node.fields[columns.length]!.type)));
    }
  }
  // the table's state is dropped with this frame: the partitions aggregated next get its room
  memory?.release(reserved);
  return { batch: { length: groups, columns }, partitions: partitions === null ? [] : partitions.finish() };
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
