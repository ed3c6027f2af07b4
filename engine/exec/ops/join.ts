/**
 * Hash join on one slice. The inner (right) side is built into a KeyTable with
 * a chain of rows per key; the outer (left) side streams through, batch by
 * batch, emitting matched row pairs (and, for outer joins, unmatched rows with
 * NULLs). Rows whose key has a NULL never match. A residual condition is checked
 * on each candidate pair before it counts as a match.
 */
import type { Batch, PhysicalKind } from '../../types.js';
import type { JoinNode } from '../../plan/physical.js';
import { KeyTable, StringInterner, keyNumbers } from '../key-table.js';
import { compileFilter, type CompiledFilter } from '../compile.js';
import { concatBatches, emptyBatch, gatherVector, nullVector } from '../batch.js';
import type { ExecContext } from '../context.js';
import { kindsOf } from '../context.js';
import { ExecError } from '../../errors.js';

const OUT_BATCH = 16_384;

interface Built {
  batch: Batch;
  table: KeyTable;
  /** first[id] = first right row with key id; next[row] = following row, -1 ends. */
  first: Int32Array;
  next: Int32Array;
  interners: (StringInterner | null)[];
  /** Any right row with a NULL key part (NOT IN needs to know). */
  hasNullKey: boolean;
}

function build(node: JoinNode, right: Batch): Built {
  const n = right.length;
  const keyKinds = node.rightKeys.map((k) => right.columns[k]!.kind);
  const interners = keyKinds.map((k) => (k === 'str' ? new StringInterner() : null));
  const table = new KeyTable(node.rightKeys.length, Math.max(16, n));
  const cols = node.rightKeys.map(() => new Float64Array(n));
  node.rightKeys.forEach((k, i) => keyNumbers(right.columns[k]!, interners[i]!, cols[i]!));
  const ids = new Int32Array(n);
  table.insert(cols, n, ids);
  const first = new Int32Array(table.size).fill(-1);
  const next = new Int32Array(n).fill(-1);
  let hasNullKey = false;
  // insert in reverse so chains run in input order
  for (let r = n - 1; r >= 0; r--) {
    let isNull = false;
    for (const c of cols) if (c[r] !== c[r]) isNull = true;
    if (isNull) {
      hasNullKey = true;
      continue;
    }
    const id = ids[r]!;
    next[r] = first[id]!;
    first[id] = r;
  }
  return { batch: right, table, first, next, interners, hasNullKey };
}

function combine(left: Batch, right: Batch, li: Int32Array, ri: Int32Array, count: number): Batch {
  return {
    length: count,
    columns: [...left.columns.map((v) => gatherVector(v, li, count)), ...right.columns.map((v) => gatherVector(v, ri, count))],
  };
}

export function* runHashJoin(node: JoinNode, leftInput: Iterable<Batch>, rightInput: Iterable<Batch>, ctx: ExecContext): Generator<Batch> {
  const stats = ctx.statsFor(node.id);
  const rightKinds = kindsOf(node.right);
  const leftKinds = kindsOf(node.left);
  const rightBatches = [...rightInput];
  const right = rightBatches.length ? concatBatches(rightBatches, rightKinds) : emptyBatch(rightKinds);
  stats.rightRows += right.length;
  const built = build(node, right);
  const residual: CompiledFilter | null = node.residual
    ? ctx.cached(`join${node.id}`, () => compileFilter(node.residual!, [...leftKinds, ...rightKinds]))
    : null;
  const matchedRight = node.type === 'right' || node.type === 'full' ? new Uint8Array(right.length) : null;
  const outer = node.type === 'left' || node.type === 'full' || node.type === 'single';
  const type = node.type;
  const single = type === 'single';

  // NOT IN: a NULL on the inner side makes every comparison unknown: no row qualifies.
  if (type === 'antiNullAware' && built.hasNullKey) {
    for (const b of leftInput) stats.leftRows += b.length;
    return;
  }

  let li = new Int32Array(OUT_BATCH);
  let ri = new Int32Array(OUT_BATCH);
  let keyCols: Float64Array[] = [];
  let ids = new Int32Array(0);
  let sel = new Uint32Array(0);
  for (const left of leftInput) {
    const n = left.length;
    stats.leftRows += n;
    if (n === 0) continue;
    if (ids.length < n) {
      ids = new Int32Array(n);
      keyCols = node.leftKeys.map(() => new Float64Array(n));
    }
    node.leftKeys.forEach((k, i) => keyNumbers(left.columns[k]!, built.interners[i] ?? null, keyCols[i]!));
    built.table.find(keyCols, n, ids);
    const leftHasMatch = type === 'inner' ? null : new Uint8Array(n);
    // candidate pairs, in chunks
    let count = 0;
    const emitsPairs = type === 'inner' || type === 'left' || type === 'right' || type === 'full' || single;
    const flush = function* (): Generator<Batch> {
      if (count === 0) return;
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
      for (let i = 0; i < keep; i++) {
        if (single && leftHasMatch![kl[i]!] === 1) {
          throw new ExecError('CARDINALITY', 'more than one row returned by a subquery used as an expression');
        }
        if (leftHasMatch) leftHasMatch[kl[i]!] = 1;
        if (matchedRight) matchedRight[kr[i]!] = 1;
      }
      count = 0;
      if (keep > 0 && emitsPairs) {
        stats.rowsOut += keep;
        yield pairs ?? combine(left, right, kl, kr, keep);
      }
    };
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (id < 0) continue;
      let nullKey = false;
      for (const c of keyCols) if (c[i] !== c[i]) nullKey = true;
      if (nullKey) continue;
      for (let r = built.first[id]!; r >= 0; r = built.next[r]!) {
        li[count] = i;
        ri[count] = r;
        count++;
        if (count === li.length) {
          // the emitted batch may still reference these arrays: start fresh ones
          yield* flush();
          li = new Int32Array(OUT_BATCH);
          ri = new Int32Array(OUT_BATCH);
        }
        // semi/anti without residual need only know a match exists
        if (!residual && (type === 'semi' || type === 'anti' || type === 'antiNullAware')) break;
      }
    }
    yield* flush();
    if (type === 'semi' || type === 'anti' || type === 'antiNullAware' || outer) {
      const want = type === 'semi' ? 1 : 0;
      const rows = new Int32Array(n);
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (leftHasMatch![i] !== want) continue;
        if (type === 'antiNullAware' && right.length > 0) {
          let nullKey = false;
          for (const c of keyCols) if (c[i] !== c[i]) nullKey = true;
          if (nullKey) continue; // NULL NOT IN (non-empty set) is unknown
        }
        rows[k++] = i;
      }
      if (k > 0) {
        const columns = left.columns.map((v) => gatherVector(v, rows, k));
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

/** Cross join: every left row with every right row, the right side materialized. */
export function* runCrossJoin(node: JoinNode, leftInput: Iterable<Batch>, rightInput: Iterable<Batch>, ctx: ExecContext): Generator<Batch> {
  const stats = ctx.statsFor(node.id);
  const rightKinds = kindsOf(node.right);
  const leftKinds = kindsOf(node.left);
  const rb = [...rightInput];
  const right = rb.length ? concatBatches(rb, rightKinds) : emptyBatch(rightKinds);
  stats.rightRows += right.length;
  const residual = node.residual ? ctx.cached(`join${node.id}`, () => compileFilter(node.residual!, [...leftKinds, ...rightKinds])) : null;
  const m = right.length;
  for (const left of leftInput) {
    stats.leftRows += left.length;
    if (m === 0) continue;
    const rowsPerChunk = Math.max(1, Math.floor(OUT_BATCH / m));
    for (let start = 0; start < left.length; start += rowsPerChunk) {
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
