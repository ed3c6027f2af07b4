/**
 * Hash join on one slice. The inner (right) side is built into a JoinTable
 * (its rows chained by key hash); the outer (left) side streams through, batch by
 * batch, emitting matched row pairs (and, for outer joins, unmatched rows with
 * NULLs). Rows whose key has a NULL never match. A residual condition is checked
 * on each candidate pair before it counts as a match.
 */
import type { Batch, PhysicalKind, Vector } from '../../types.js';
import type { JoinNode } from '../../plan/physical.js';
import { JoinTable } from '../join-table.js';
import { compileFilter, type CompiledFilter } from '../compile.js';
import { concatBatches, emptyBatch, gatherBatch, gatherVector, nullVector } from '../batch.js';
import type { ExecContext, NodeStats } from '../context.js';
import { batchMemory, type MemoryAccountant } from '../memory/index.js';
import { kindsOf } from '../context.js';
import { ExecError } from '../../errors.js';

const OUT_BATCH = 16_384;

/** Stands for an output column nothing above the join reads (see runHashJoin's `needed`). */
const UNREAD: Vector = { kind: 'i32', values: new Int32Array(0), nulls: null, length: 0 };

function combine(left: Batch, right: Batch, li: Int32Array, ri: Int32Array, count: number, passLeft = true, needed: Uint8Array | null = null): Batch {
  const columns: Vector[] = [];
  // a probe batch whose every row matched exactly once, in order, is passed through as it is
  const identity = passLeft && count === left.length && isIdentity(li, count);
  const nl = left.columns.length;
  for (let c = 0; c < nl; c++) {
    const v = left.columns[c]!;
    columns.push(identity ? v : needed !== null && needed[c] === 0 ? UNREAD : gatherVector(v, li, count));
  }
  for (let c = 0; c < right.columns.length; c++) columns.push(needed !== null && needed[nl + c] === 0 ? UNREAD : gatherVector(right.columns[c]!, ri, count));
  return { length: count, columns };
}

function isIdentity(sel: Int32Array, count: number): boolean {
  for (let i = 0; i < count; i++) if (sel[i] !== i) return false;
  return true;
}

/** The build side: its rows concatenated and their hash table; `bytes` reserved for them with the query's accountant. */
export interface Built {
  readonly batch: Batch;
  readonly table: JoinTable;
  readonly bytes: number;
}

/** What a build side that is over the memory limit fails as: joins do not spill (docs/memory.md). */
const BUILD = 'hash join build side (joins do not spill)';

/**
 * Builds the inner side, reserving its rows and table with `memory` as they
 * come (MEMORY_LIMIT when they do not fit). The caller releases `bytes` when
 * the join is done; a build shared for the query (broadcast, prebuilt) keeps
 * them until the query ends. With `shared`, the table's arrays are in shared
 * memory (JoinTable), to be read by other threads.
 */
export function buildSide(node: JoinNode, rightInput: Iterable<Batch>, memory: MemoryAccountant | null = null, shared = false): Built {
  const rightKinds = kindsOf(node.right);
  const rightBatches: Batch[] = [];
  let bytes = 0;
  try {
    for (const b of rightInput) {
      if (b.length === 0) continue;
      if (memory !== null) {
        const m = batchMemory(b);
        memory.reserve(m, BUILD);
        bytes += m;
      }
      rightBatches.push(b);
    }
    const right = rightBatches.length ? concatBatches(rightBatches, rightKinds) : emptyBatch(rightKinds);
    let batch = right;
    let table = new JoinTable(right, node.rightKeys, { shared });
    // keys that are each value of their range once: the rows put in key order make every probe's key its row
    const order = table.keyOrder();
    if (order !== null) {
      batch = gatherBatch(right, order, order.length);
      table = new JoinTable(batch, node.rightKeys, { shared });
    }
    if (memory !== null) {
      const t = table.bytes;
      memory.reserve(t, BUILD);
      bytes += t;
    }
    return { batch, table, bytes };
  } catch (e) {
    memory?.release(bytes);
    throw e;
  }
}

/**
 * `built` is given when the build side was built once for every slice (a
 * broadcast inner side is the same on each); otherwise it is built from rightInput.
 * onBuilt sees the table before the first probe row is pulled. `needed`, when
 * given, marks the output columns the node above reads (a projection): the
 * others are not gathered, and stand as empty placeholders it never touches.
 */
export function* runHashJoin(
  node: JoinNode,
  leftInput: Iterable<Batch>,
  rightInput: Iterable<Batch> | Built,
  ctx: ExecContext,
  onBuilt?: (table: JoinTable) => void,
  needed: Uint8Array | null = null,
): Generator<Batch> {
  const stats = ctx.statsFor(node.id);
  const rightKinds = kindsOf(node.right);
  const leftKinds = kindsOf(node.left);
  const own = !('table' in rightInput);
  const built = own ? buildSide(node, rightInput, ctx.memory) : rightInput;
  try {
    yield* probeBuilt(node, leftInput, built, ctx, stats, leftKinds, rightKinds, onBuilt, needed);
  } finally {
    // a build of this join's own (not shared across slices) is done with once the probe side is
    if (own) ctx.memory.release(built.bytes);
  }
}

function* probeBuilt(
  node: JoinNode,
  leftInput: Iterable<Batch>,
  built: Built,
  ctx: ExecContext,
  stats: NodeStats,
  leftKinds: PhysicalKind[],
  rightKinds: PhysicalKind[],
  onBuilt: ((table: JoinTable) => void) | undefined,
  needed: Uint8Array | null,
): Generator<Batch> {
  // the probe side has not started yet: whatever narrows it must be in place now
  onBuilt?.(built.table);
  const right = built.batch;
  const table = built.table;
  stats.rightRows += right.length;
  const residual: CompiledFilter | null = node.residual
    ? ctx.compiledFor(`join${node.id}`, () => compileFilter(node.residual!, [...leftKinds, ...rightKinds]))
    : null;
  const matchedRight = node.type === 'right' || node.type === 'full' ? new Uint8Array(right.length) : null;
  const outer = node.type === 'left' || node.type === 'full' || node.type === 'single';
  const type = node.type;
  const single = type === 'single';
  const existence = type === 'semi' || type === 'anti' || type === 'antiNullAware';
  const emitsPairs = !existence;
  const firstOnly = existence && !residual;

  // NOT IN: a NULL on the inner side makes every comparison unknown: no row qualifies.
  if (type === 'antiNullAware' && table.hasNullKey) {
    for (const b of leftInput) stats.leftRows += b.length;
    return;
  }

  const li = new Int32Array(OUT_BATCH);
  const ri = new Int32Array(OUT_BATCH);
  let sel = new Uint32Array(0);
  const at = { count: 0, row: 0, chain: -1 };
  for (const left of leftInput) {
    const n = left.length;
    stats.leftRows += n;
    if (n === 0) continue;
    const probe = table.probeKeys(left, node.leftKeys);
    const leftHasMatch = type === 'inner' ? null : new Uint8Array(n);
    let from = 0;
    let resume = -1;
    while (from < n) {
      table.match(probe, n, from, resume, li, ri, firstOnly, at);
      from = at.row;
      resume = at.chain;
      const count = at.count;
      if (count === 0) continue;
      let kl = li;
      let kr = ri;
      let keep = count;
      let pairs: Batch | null = null;
      if (residual) {
        pairs = combine(left, right, li, ri, count);
        if (sel.length < count) sel = new Uint32Array(count);
        keep = residual(pairs.columns, count, sel);
        if (keep < count) {
          kl = new Int32Array(keep);
          kr = new Int32Array(keep);
          for (let i = 0; i < keep; i++) {
            kl[i] = li[sel[i]!]!;
            kr[i] = ri[sel[i]!]!;
          }
          pairs = null;
        }
      }
      if (leftHasMatch) {
        for (let i = 0; i < keep; i++) {
          const l = kl[i]!;
          if (single && leftHasMatch[l] === 1) throw new ExecError('CARDINALITY', 'more than one row returned by a subquery used as an expression');
          leftHasMatch[l] = 1;
        }
      }
      if (matchedRight) for (let i = 0; i < keep; i++) matchedRight[kr[i]!] = 1;
      if (keep > 0 && emitsPairs) {
        stats.rowsOut += keep;
        // (gathered copies: li and ri are free for the next chunk)
        yield pairs ?? combine(left, right, kl, kr, keep, true, needed);
      }
    }
    if (existence || outer) {
      const want = type === 'semi' ? 1 : 0;
      const rows = new Int32Array(n);
      let k = 0;
      const pnulls = probe.nulls;
      const nullAware = type === 'antiNullAware' && right.length > 0;
      for (let i = 0; i < n; i++) {
        if (leftHasMatch![i] !== want) continue;
        // NULL NOT IN (non-empty set) is unknown
        if (nullAware && pnulls !== null && pnulls[i] === 1) continue;
        rows[k++] = i;
      }
      if (k > 0) {
        const all = k === n;
        const columns = left.columns.map((v, c) => (all ? v : needed !== null && needed[c] === 0 ? UNREAD : gatherVector(v, rows, k)));
        if (outer) for (const kind of rightKinds) columns.push(nullVector(kind, k));
        stats.rowsOut += k;
        yield { length: k, columns };
      }
    }
  }
  if (matchedRight) {
    const rows = new Int32Array(right.length);
    let k = 0;
    for (let r = 0; r < right.length; r++) if (!matchedRight[r]) rows[k++] = r;
    if (k > 0) {
      const columns = [...leftKinds.map((kind: PhysicalKind) => nullVector(kind, k)), ...right.columns.map((v) => gatherVector(v, rows, k))];
      stats.rowsOut += k;
      yield { length: k, columns };
    }
  }
}

/**
 * A semi or anti join built on its outer side: for an outer input much smaller
 * than the inner one, the outer rows (this slice's `left`, already collected)
 * go into the hash table and the inner rows stream through it, marking the
 * outer rows they match. Then the marked rows (semi) or the unmarked ones
 * (anti) come out, in the outer input's order, as with the inner side built.
 */
export function* runSemiJoinBuildOuter(node: JoinNode, leftBatches: readonly Batch[], rightInput: Iterable<Batch>, ctx: ExecContext): Generator<Batch> {
  const stats = ctx.statsFor(node.id);
  const leftKinds = kindsOf(node.left);
  const rightKinds = kindsOf(node.right);
  const left = leftBatches.length ? concatBatches(leftBatches, leftKinds) : emptyBatch(leftKinds);
  stats.leftRows += left.length;
  const residual: CompiledFilter | null = node.residual
    ? ctx.compiledFor(`join${node.id}`, () => compileFilter(node.residual!, [...leftKinds, ...rightKinds]))
    : null;
  const table = new JoinTable(left, node.leftKeys);
  // the outer rows were collected on every slice before (Executor.outerSides); this slice's and its table are held until the join ends
  const held = batchMemory(left) + table.bytes;
  ctx.memory.reserve(held, BUILD);
  try {
    yield* probeOuterTable(node, leftBatches, left, table, rightInput, ctx, residual);
  } finally {
    ctx.memory.release(held);
  }
}

function* probeOuterTable(
  node: JoinNode,
  leftBatches: readonly Batch[],
  left: Batch,
  table: JoinTable,
  rightInput: Iterable<Batch>,
  ctx: ExecContext,
  residual: CompiledFilter | null,
): Generator<Batch> {
  const stats = ctx.statsFor(node.id);
  const type = node.type;
  const matched = new Uint8Array(left.length);
  let rightRows = 0;
  let rightNullKey = false;
  const ri = new Int32Array(OUT_BATCH);
  const lo = new Int32Array(OUT_BATCH);
  let sel = new Uint32Array(0);
  const at = { count: 0, row: 0, chain: -1 };
  for (const right of rightInput) {
    const n = right.length;
    stats.rightRows += n;
    rightRows += n;
    if (n === 0 || left.length === 0) continue;
    const probe = table.probeKeys(right, node.rightKeys);
    if (probe.nulls !== null) for (let i = 0; i < n && !rightNullKey; i++) if (probe.nulls[i] === 1) rightNullKey = true;
    let from = 0;
    let resume = -1;
    while (from < n) {
      // pairs (right row, left row); every left row a right row meets, so duplicates on the left are all marked
      table.match(probe, n, from, resume, ri, lo, false, at);
      from = at.row;
      resume = at.chain;
      const count = at.count;
      if (count === 0) continue;
      if (!residual) {
        for (let i = 0; i < count; i++) matched[lo[i]!] = 1;
        continue;
      }
      const pairs = combine(left, right, lo, ri, count, false);
      if (sel.length < count) sel = new Uint32Array(count);
      const keep = residual(pairs.columns, count, sel);
      for (let i = 0; i < keep; i++) matched[lo[sel[i]!]!] = 1;
    }
  }
  // NOT IN: a NULL on the inner side makes every comparison unknown: no row qualifies.
  if (type === 'antiNullAware' && rightNullKey) return;
  const want = type === 'semi' ? 1 : 0;
  const nullAware = type === 'antiNullAware' && rightRows > 0;
  const lnulls = nullAware ? table.keys.nulls : null;
  // out in the outer input's batches, each filtered
  let base = 0;
  for (const b of leftBatches) {
    const m = b.length;
    const rows = new Int32Array(m);
    let k = 0;
    for (let i = 0; i < m; i++) {
      if (matched[base + i] !== want) continue;
      // NULL NOT IN (non-empty set) is unknown
      if (lnulls !== null && lnulls[base + i] === 1) continue;
      rows[k++] = i;
    }
    base += m;
    if (k === 0) continue;
    stats.rowsOut += k;
    yield k === m ? b : { length: k, columns: b.columns.map((v) => gatherVector(v, rows, k)) };
  }
}

/** Cross join: every left row with every right row, the right side materialized. */
export function* runCrossJoin(node: JoinNode, leftInput: Iterable<Batch>, rightInput: Iterable<Batch>, ctx: ExecContext): Generator<Batch> {
  const stats = ctx.statsFor(node.id);
  const rightKinds = kindsOf(node.right);
  const leftKinds = kindsOf(node.left);
  const rb = [...rightInput];
  const right = rb.length ? concatBatches(rb, rightKinds) : emptyBatch(rightKinds);
  stats.rightRows += right.length;
  const residual = node.residual ? ctx.compiledFor(`join${node.id}`, () => compileFilter(node.residual!, [...leftKinds, ...rightKinds])) : null;
  const m = right.length;
  for (const left of leftInput) {
    stats.leftRows += left.length;
    if (m === 0) continue;
    const rowsPerChunk = Math.max(1, Math.floor(OUT_BATCH / m));
    for (let start = 0; start < left.length; start += rowsPerChunk) {
      // one left batch can make millions of pairs that a residual all drops: check per chunk too
      ctx.checkCancel();
      const end = Math.min(left.length, start + rowsPerChunk);
      const count = (end - start) * m;
      const li = new Int32Array(count);
      const ri = new Int32Array(count);
      let k = 0;
      for (let i = start; i < end; i++) for (let r = 0; r < m; r++) { li[k] = i; ri[k] = r; k++; }
      let out = combine(left, right, li, ri, count);
      if (residual) {
        const sel = new Uint32Array(count);
        const keep = residual(out.columns, count, sel);
        out = { length: keep, columns: out.columns.map((v) => gatherVector(v, sel, keep)) };
      }
      if (out.length > 0) {
        stats.rowsOut += out.length;
        yield out;
      }
    }
  }
}
