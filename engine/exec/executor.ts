/**
 * Runs a physical plan: each node yields, per slice, a stream of batches.
 * Pipelines (scan, filter, project, probe) stream block by block; breakers
 * (build side, aggregate, sort, exchange) materialize what they need. Time per
 * node is measured exclusive of its inputs.
 */
import type { Batch, PhysicalKind, Vector } from '../types.js';
import type { ExchangeNode, JoinNode, PlanNode, ScanNode } from '../plan/physical.js';
import { compileExpr, compileFilter } from './compile.js';
import { concatBatches, emptyBatch, gatherBatch } from './batch.js';
import { ExecContext, kindsOf, type ScanKeyFilter } from './context.js';
import { runScan } from './ops/scan.js';
import { runAggregate } from './ops/aggregate.js';
import { runExpand, withEmptySets } from './ops/grouping-sets.js';
import { runSort } from './ops/external-sort.js';
import { runWindow } from './ops/window.js';
import { runWindowLimit } from './ops/window-limit.js';
import { buildSide, runCrossJoin, runHashJoin, runSemiJoinBuildOuter, type Built } from './ops/join.js';
import { routedExchange, runExchange, type Routed } from './ops/exchange.js';
import { keyFilter, type JoinTable, type KeyFilter } from './join-table.js';
import { columnsOf, type Expr } from '../plan/expr.js';
import { shareBuilt, type SharedBuild } from './shared-build.js';

/** The label of a `rows` node standing for a broadcast exchange's output (in a worker's plan fragment). */
export const BROADCAST = 'broadcast';

/** The key columns `cols` of batches, as one batch (for a runtime join filter). */
function keyColumns(batches: readonly Batch[], cols: readonly number[], kinds: readonly PhysicalKind[]): Batch {
  const parts = batches.filter((b) => b.length > 0).map((b) => ({ length: b.length, columns: cols.map((c) => b.columns[c]!) }));
  const keyKinds = cols.map((c) => kinds[c]!);
  return parts.length ? concatBatches(parts, keyKinds) : emptyBatch(keyKinds);
}

/**
 * What an exchange computes, as text: its subtree without node ids and
 * estimates, tables as id and version. Null for subtrees with literal rows
 * (their batches are not worth serializing) or runtime filters below them.
 */
function shapeOf(node: PlanNode): string | null {
  let plain = true;
  const text = JSON.stringify(node, (key, value: unknown) => {
    if (key === 'id' || key === 'estRows') return undefined;
    if (key === 'table' && value && typeof value === 'object' && 'segments' in value) {
      const t = value as { id: number; version: number; segments: readonly unknown[] };
      return `${t.id}@${t.version}/${t.segments.length}`;
    }
    if (key === 'batches') {
      plain = false;
      return undefined;
    }
    return value;
  });
  return plain ? text : null;
}

/**
 * The scan and scan column that column `col` of `node`'s output streams from,
 * through nodes that pass rows of that scan on as they are (or drop them) and
 * run while they are pulled: projections of plain columns, filters, and the
 * probe (left) side of joins whose output rows each carry one probe row's
 * values (inner, left, semi, anti). Null when anything else is in the way.
 */
function scanColumnOf(node: PlanNode, col: number): { scan: ScanNode; column: number } | null {
  switch (node.op) {
    case 'scan':
      return { scan: node, column: col };
    case 'filter':
      return scanColumnOf(node.input, col);
    case 'project': {
      const e = node.exprs[col];
      return e && e.k === 'col' ? scanColumnOf(node.input, e.index) : null;
    }
    case 'join': {
      const passes = node.type === 'inner' || node.type === 'left' || node.type === 'semi' || node.type === 'anti' || node.type === 'antiNullAware';
      return passes && !node.buildOuter && node.leftKeys.length > 0 && col < node.left.fields.length ? scanColumnOf(node.left, col) : null;
    }
    default:
      return null;
  }
}

/**
 * A key test that switches itself off once it has seen 64K rows and kept more
 * than 80% of them: it then costs more than the decoding it spares.
 */
function adaptive(column: number, test: (col: Vector, sel: Uint32Array, count: number) => number): ScanKeyFilter {
  let seen = 0;
  let kept = 0;
  let on = true;
  return {
    column,
    keep(col, sel, count) {
      if (!on) return count;
      const k = test(col, sel, count);
      seen += count;
      kept += k;
      if (seen >= 65_536 && kept > 0.8 * seen) on = false;
      return k;
    },
  };
}

/** 1 for each probe-side column a join reads (its keys, its residual's) or passes on to a reader above (`needed`). */
function probeNeeds(node: JoinNode, needed: Uint8Array): Uint8Array {
  const width = node.left.fields.length;
  const mask = new Uint8Array(width);
  for (let c = 0; c < width; c++) mask[c] = needed[c]!;
  for (const k of node.leftKeys) mask[k] = 1;
  if (node.residual) for (const c of columnsOf(node.residual)) if (c < width) mask[c] = 1;
  return mask;
}

/** 1 for each input column (of `width`) some expression reads. */
function readColumns(exprs: readonly Expr[], width: number): Uint8Array {
  const mask = new Uint8Array(width);
  for (const e of exprs) for (const c of columnsOf(e)) mask[c] = 1;
  return mask;
}

export class Executor {
  private readonly exchanged = new Map<number, Batch[][]>();
  /** Per join or scan node: the output columns the projection above it reads. */
  private readonly needed = new Map<number, Uint8Array>();

  constructor(readonly ctx: ExecContext) {}

  /** All result rows: the plan's root must deliver them on slice 0. */
  collect(root: PlanNode): Batch {
    const batches: Batch[] = [];
    for (const b of this.run(root, 0)) {
      if (batches.length === 0) this.ctx.firstBatchAt = performance.now();
      batches.push(b);
    }
    return concatBatches(batches.length ? batches : [], kindsOf(root)) ?? { length: 0, columns: [] };
  }

  run(node: PlanNode, slice: number): Iterable<Batch> {
    return this.timed(node, this.dispatch(node, slice));
  }

  /**
   * Time spent in the timed wrappers nested inside the current one (they run
   * synchronously inside its next()), so each node's time excludes its inputs'.
   */
  private nested = 0;

  /**
   * Attributes time spent producing each batch to the node, minus the time of its inputs' wrappers.
   * Every batch of every node passes here: the statement's cancel flag is checked before each is asked for.
   */
  private *timed(node: PlanNode, inner: Iterator<Batch> | Iterable<Batch>): Generator<Batch> {
    const stats = this.ctx.statsFor(node.id);
    const it = (inner as Iterable<Batch>)[Symbol.iterator]();
    const countRows = node.op !== 'join' && node.op !== 'exchange';
    for (;;) {
      this.ctx.checkCancel();
      const outer = this.nested;
      this.nested = 0;
      const t0 = performance.now();
      let r: IteratorResult<Batch>;
      try {
        r = it.next();
      } finally {
        const elapsed = performance.now() - t0;
        stats.ms += elapsed - this.nested;
        this.nested = outer + elapsed;
      }
      if (r.done) return;
      if (countRows) stats.rowsOut += r.value.length;
      yield r.value;
    }
  }

  private *dispatch(node: PlanNode, slice: number): Generator<Batch> {
    const ctx = this.ctx;
    switch (node.op) {
      case 'scan':
        yield* runScan(node, slice, ctx, this.needed.get(node.id) ?? null);
        return;
      case 'rows':
        if (slice === 0 || node.dist.kind === 'all') yield* node.batches;
        return;
      case 'filter': {
        const f = ctx.compiledFor(`filter${node.id}`, () => compileFilter(node.predicate, kindsOf(node.input)));
        let sel = new Uint32Array(0);
        for (const b of this.run(node.input, slice)) {
          if (sel.length < b.length) sel = new Uint32Array(b.length);
          const k = f(b.columns, b.length, sel);
          if (k === b.length) yield b;
          else if (k > 0) yield gatherBatch(b, sel, k);
        }
        return;
      }
      case 'project': {
        const fns = ctx.compiledFor(`project${node.id}`, () => node.exprs.map((e) => compileExpr(e, kindsOf(node.input))));
        // a join or scan right below need not materialize the columns the projection drops
        if (node.input.op === 'join' || node.input.op === 'scan') this.needed.set(node.input.id, ctx.compiledFor(`needed${node.id}`, () => readColumns(node.exprs, node.input.fields.length)));
        for (const b of this.run(node.input, slice)) {
          yield { length: b.length, columns: fns.map((f) => f(b.columns, b.length)) };
        }
        return;
      }
      case 'join': {
        const needed = this.needed.get(node.id) ?? null;
        // a hash join's probe side, when a join or scan, need not materialize what neither this join nor the projection above reads
        const hashed = node.leftKeys.length > 0 && !node.buildOuter;
        if (hashed && needed !== null && (node.left.op === 'join' || node.left.op === 'scan')) this.needed.set(node.left.id, ctx.cached(`needed${node.id}`, () => probeNeeds(node, needed)));
        const left = this.run(node.left, slice);
        if (node.type === 'cross' && node.leftKeys.length === 0) {
          yield* runCrossJoin(node, left, this.run(node.right, slice), ctx);
          return;
        }
        if (node.buildOuter) {
          const lefts = this.outerSides(node);
          yield* runSemiJoinBuildOuter(node, lefts[slice]!, this.run(node.right, slice), ctx);
          return;
        }
        const prebuilt = this.prebuild(node);
        // a broadcast inner side is the same on every slice: its hash table is built once, shared
        const broadcast = (node.right.op === 'exchange' && node.right.mode === 'broadcast') || (node.right.op === 'rows' && node.right.label === BROADCAST);
        const right = prebuilt ? prebuilt[slice]! : broadcast ? this.sharedBuild(node, slice) : this.run(node.right, slice);
        yield* runHashJoin(node, left, right, ctx, (table) => this.filterProbeScan(node, slice, table), this.needed.get(node.id) ?? null);
        return;
      }
      case 'exchange':
        yield* this.exchange(node)[slice]!;
        return;
      case 'aggregate': {
        let out = runAggregate(node, this.run(node.input, slice), node.groups.length === 0 && (node.dist.kind !== 'single' || slice === 0), ctx);
        if (node.grouping?.emptySets.length && slice === 0) out = [withEmptySets(node, concatBatches(out, kindsOf(node)))];
        for (const b of out) if (b.length > 0) yield b;
        return;
      }
      case 'expand':
        yield* runExpand(node, this.run(node.input, slice));
        return;
      case 'window': {
        const out = runWindow(node, this.run(node.input, slice));
        if (out !== null) yield out;
        return;
      }
      case 'windowLimit': {
        const out = runWindowLimit(node, this.run(node.input, slice));
        if (out !== null) yield out;
        return;
      }
      case 'sort':
        yield* runSort(node, this.run(node.input, slice), kindsOf(node.input), ctx);
        return;
      case 'limit': {
        let skip = node.offset;
        let left = node.limit ?? Infinity;
        for (const b of this.run(node.input, slice)) {
          if (left <= 0) return;
          let from = 0;
          if (skip > 0) {
            from = Math.min(skip, b.length);
            skip -= from;
          }
          const to = Math.min(b.length, from + left);
          if (to <= from) continue;
          left -= to - from;
          if (from === 0 && to === b.length) yield b;
          else {
            const sel = new Uint32Array(to - from);
            for (let i = 0; i < sel.length; i++) sel[i] = from + i;
            yield gatherBatch(b, sel, sel.length);
          }
          // done: returning closes the input's generators, so the scans below stop reading
          if (left <= 0) return;
        }
        return;
      }
      case 'union':
        for (const input of node.inputs) yield* this.run(input, slice);
        return;
    }
  }

  /**
   * An inner or semi join's probe side that streams from a scan on this slice
   * (through projections, filters and the probe sides of other joins) gets the
   * built table's key test as a scan filter: probe rows whose key the build
   * side lacks are dropped before their other columns are decoded.
   */
  private filterProbeScan(node: JoinNode, slice: number, table: JoinTable): void {
    if ((node.type !== 'inner' && node.type !== 'semi') || node.leftKeys.length !== 1) return;
    const target = scanColumnOf(node.left, node.leftKeys[0]!);
    if (!target) return;
    const test = table.keyTest();
    if (!test) return;
    this.ctx.addScanFilter(target.scan.id, slice, adaptive(target.column, test));
  }

  /**
   * The hash table of a broadcast inner side, built once per query. A worker
   * finds it in its context, built on the calling thread (shareBuild).
   */
  private sharedBuild(node: JoinNode, slice: number): Built {
    return this.ctx.cached(`build${node.id}`, () => buildSide(node, this.run(node.right, slice), this.ctx.memory));
  }

  /**
   * A broadcast inner side's build (its exchange delivered), in shared memory
   * for the tasks that probe it on other threads; made once per query, and
   * the build this thread's slices probe too.
   */
  shareBuild(node: JoinNode): SharedBuild {
    // built in shared memory from the start, and the calling thread's own build too: a large table is not copied
    const built = (): Built => this.ctx.cached(`build${node.id}`, () => buildSide(node, this.run(node.right, 0), this.ctx.memory, true));
    return this.ctx.cached(`sharedBuild${node.id}`, () => shareBuilt(built(), node.rightKeys));
  }

  private exchange(node: ExchangeNode): Batch[][] {
    let out = this.exchanged.get(node.id);
    if (!out) {
      // the same subtree twice in one plan (a view or CTE used twice, TPC-H q15) is computed once
      const shape = this.filters.has(node.id) ? null : shapeOf(node);
      out = shape === null ? undefined : this.shapes.get(shape);
      if (!out) {
        out = runExchange(node, (s) => this.run(node.input, s), this.ctx, this.filters.get(node.id) ?? null);
        if (shape !== null) this.shapes.set(shape, out);
      }
      this.exchanged.set(node.id, out);
    }
    return out;
  }

  /** Exchange outputs by the shape of the exchange's subtree (shapeOf). */
  private readonly shapes = new Map<string, Batch[][]>();

  /**
   * Routes an exchange whose input batches were computed elsewhere (by workers,
   * inputs[slice]); the plan's later run uses the routed batches.
   */
  exchangeFrom(node: ExchangeNode, inputs: readonly (readonly Batch[])[]): Batch[][] {
    const t0 = performance.now();
    const out = runExchange(node, (s) => inputs[s] ?? [], this.ctx, this.filters.get(node.id) ?? null);
    // the routing's own time (its inputs ran elsewhere), so EXPLAIN ANALYZE shows it as the serial path does
    this.ctx.statsFor(node.id).ms += performance.now() - t0;
    return this.delivered(node, out);
  }

  /**
   * Takes a hash exchange whose input was computed and cut by target slice
   * where each slice ran (routed[slice], routeByKeys, through the slice's
   * runtime filter when filterOf gives one); the plan's later run uses the
   * batches.
   */
  exchangeRouted(node: ExchangeNode, routed: readonly Routed[]): Batch[][] {
    const t0 = performance.now();
    const out = routedExchange(node, routed, this.ctx);
    this.ctx.statsFor(node.id).ms += performance.now() - t0;
    return this.delivered(node, out);
  }

  /** The runtime join filter installed on the exchange, if any. */
  filterOf(id: number): KeyFilter | null {
    return this.filters.get(id) ?? null;
  }

  private delivered(node: ExchangeNode, out: Batch[][]): Batch[][] {
    this.exchanged.set(node.id, out);
    const shape = this.filters.has(node.id) ? null : shapeOf(node);
    if (shape !== null) this.shapes.set(shape, out);
    return out;
  }

  /** The output of an exchange of the same shape computed before in this plan (see exchange), now this one's too; else null. */
  reuseExchange(node: ExchangeNode): Batch[][] | null {
    if (this.filters.has(node.id)) return null;
    const shape = shapeOf(node);
    const out = shape === null ? undefined : this.shapes.get(shape);
    if (!out) return null;
    this.exchanged.set(node.id, out);
    return out;
  }

  /** Installs a runtime join filter on an exchange that has not run. */
  filterExchange(id: number, filter: KeyFilter): void {
    this.filters.set(id, filter);
  }

  /**
   * Runtime join filters, by exchange: when one side of a join is complete on
   * every slice before the other side's exchange runs, the exchange drops the
   * rows whose key that side lacks before they move (see keyFilter).
   */
  private readonly filters = new Map<number, KeyFilter>();
  private readonly outers = new Map<number, Batch[][]>();
  private readonly prebuilt = new Map<number, Built[] | null>();

  /** An exchange that has not run yet, which a filter installed now would still reach. */
  private filterable(n: PlanNode): n is ExchangeNode {
    return n.op === 'exchange' && (n.mode === 'hash' || n.mode === 'broadcast' || n.mode === 'gather') && !this.exchanged.has(n.id);
  }

  /**
   * The outer input of a semi/anti join built on its outer side, collected on
   * every slice at once; then the inner side's exchange keeps only rows whose
   * key some outer row has (except for NOT IN, which must see every inner row).
   */
  outerSides(node: JoinNode): Batch[][] {
    let lefts = this.outers.get(node.id);
    if (!lefts) {
      lefts = [];
      for (let s = 0; s < this.ctx.slices; s++) lefts.push([...this.run(node.left, s)].filter((b) => b.length > 0));
      this.outers.set(node.id, lefts);
      if (node.type !== 'antiNullAware' && this.filterable(node.right)) {
        const keys = keyColumns(lefts.flat(), node.leftKeys, kindsOf(node.left));
        this.filters.set(node.right.id, keyFilter(keys, node.rightKeys));
      }
    }
    return lefts;
  }

  /** Whether this executor holds a join's outer sides or built inner sides (outerSides, prebuild): the join should run here. */
  holdsSides(node: JoinNode): boolean {
    return this.outers.has(node.id) || (this.prebuilt.get(node.id) ?? null) !== null;
  }

  /**
   * For an inner or semi join whose outer input comes through an exchange that
   * has not run: every slice's inner side built first, and a filter on that
   * exchange from their keys. Null when the join is not of that shape.
   */
  prebuild(node: JoinNode): Built[] | null {
    let built = this.prebuilt.get(node.id);
    if (built !== undefined) return built;
    built = null;
    if ((node.type === 'inner' || node.type === 'semi') && this.filterable(node.left)) {
      const shared = node.right.op === 'exchange' && node.right.mode === 'broadcast';
      built = [];
      for (let s = 0; s < this.ctx.slices; s++) built.push(shared && s > 0 ? built[0]! : buildSide(node, this.run(node.right, s), this.ctx.memory));
      const rights = shared ? [built[0]!.batch] : built.map((b) => b.batch);
      const keys = keyColumns(rights, node.rightKeys, kindsOf(node.right));
      this.filters.set(node.left.id, keyFilter(keys, node.leftKeys));
    }
    this.prebuilt.set(node.id, built);
    return built;
  }
}
