/**
 * SELECT and EXPLAIN: bind, plan, and run on the database's worker threads
 * (or the calling thread), counting what the plan read and moved.
 */
import { SqlError, positionAt } from '../errors.js';
import type { ParsedStatement } from '../sql/index.js';
import type * as ast from '../sql/ast.js';
import type { Catalog, TableMeta } from '../catalog/catalog.js';
import { bindQuery } from '../plan/binder.js';
import { Planner } from '../plan/planner.js';
import type { PlanNode } from '../plan/physical.js';
import { explainText } from '../plan/explain.js';
import { ExecContext } from '../exec/context.js';
import { MemoryAccountant, threadShare } from '../exec/memory/index.js';
import type { Batch } from '../types.js';
import { Executor } from '../exec/executor.js';
import { collectParallel } from '../exec/parallel.js';
import { ThreadCpuAccount, threadCpuOn } from '../exec/thread-cpu.js';
import type { CancelFlag } from '../exec/cancel.js';
import type { QueryPhases, QueryStats } from '../result.js';
import { compileClock } from '../exec/compile-clock.js';
import type { RecordParts } from '../record-builder.js';
import type { SessionHost } from './host.js';
import { bindContext } from './common.js';
import { volatileFunctionIn } from '../sql/volatile.js';
import { readsSystemTable, tablesRead } from '../plan/logical-walks.js';
import type { LogicalNode } from '../plan/logical.js';
import { viewRewrite } from '../matview/rewrite.js';
import { rewriteBlocks } from '../matview/blocks.js';
import { planKey, planSettingsKey } from '../plan-cache.js';
import { textResult, zeroStats, type StatementOutcome } from './outcome.js';
import { checkedUser } from './privileges.js';

export async function select(db: SessionHost, s: ast.SelectStatement, p: ParsedStatement, parts: RecordParts, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const catalog = db.catalog();
  // a block that wrote reads files no other catalog names: its answers are its own
  // a user whose reads are checked gets no cached answer: a hit skips the binding that checks them (a REVOKE since would not be seen)
  const volatile = volatileFunctionIn(p.text) !== null;
  const cacheable = db.settings.resultCache && !db.transaction.writing && !volatile && checkedUser(db.principal, catalog) === null;
  // a prepared statement's answer depends on its parameters' values as much as on its text (the result cache's key and the plan cache's)
  const key = planKey(p.text, p.params);
  if (cacheable) {
    const hit = db.resultCache.get(key, catalog);
    if (hit) {
      parts.resultCacheHit = true;
      const stats = zeroStats(performance.now() - t0);
      stats.rowsReturned = hit.batch.length;
      return { command: 'SELECT', fields: hit.fields, batch: hit.batch, stats, rowCount: hit.batch.length };
    }
  }
  const { plan, read, phases, system, code } = bindAndPlan(db, s.query, catalog, p, t0, true, { key, volatile });
  const out = await execute(db, plan, catalog, parts, t0, 'SELECT', cancel, phases, code);
  if (cacheable && !system) db.resultCache.put(key, catalog, read, out.fields, out.batch);
  return out;
}

/**
 * The query bound: as written, or with each of its blocks (itself, its WITH
 * queries, derived tables and subqueries: matview/blocks.ts) that a fresh
 * materialized view answers (matview/rewrite.ts) read from that view, when
 * the session allows rewriting. A block's rewrite is used only when it yields
 * the block's columns, names and types, and the whole only when it yields the
 * query's. `reads`: the statement reads rows (bindContext), false for a plain
 * EXPLAIN.
 */
function bindRewritten(db: SessionHost, query: ast.Query, catalog: Catalog, p: ParsedStatement, reads: boolean): { logical: LogicalNode; views: readonly RewriteNote[]; read: TableMeta[] } {
  const ctx = bindContext(db, catalog, p.text, p.params, reads);
  const logical = bindQuery(query, ctx);
  const asWritten = { logical, views: [], read: tablesRead(logical) };
  if (!db.settings.viewRewrite) return asWritten;
  // a rewrite the binder refuses (an expression it cannot type over the view's columns) is no answer: the block runs as written
  const bound = (q: ast.Query): LogicalNode | null => {
    try {
      return bindQuery(q, ctx);
    } catch (e) {
      if (e instanceof SqlError) return null;
      throw e;
    }
  };
  const views: RewriteNote[] = [];
  const rewritten = rewriteBlocks(query, (block, where) => {
    const match = viewRewrite(block, catalog);
    if (!match) return null;
    // a nested block bound alone: its output, and whether it reads only its own FROM (a correlated one fails to bind alone)
    const alone = block === query ? logical : bound(block);
    if (!alone) return null;
    const over = match.rewrite(alone.fields.map((f) => f.name));
    const overBound = bound(over);
    if (!overBound || !sameFields(overBound, alone)) return null;
    views.push({ name: match.view.name, reason: match.reason, where });
    return over;
  });
  if (rewritten === query) return asWritten;
  const over = bound(rewritten);
  if (!over || !sameFields(over, logical)) return asWritten;
  // what the answer depends on: the views' rows, and the base tables (a change to them makes a view stale, the answer different)
  return { logical: over, views, read: tablesRead(over, tablesRead(logical)) };
}

function sameFields(a: LogicalNode, b: LogicalNode): boolean {
  return a.fields.length === b.fields.length && a.fields.every((f, i) => f.name === b.fields[i]!.name && JSON.stringify(f.type) === JSON.stringify(b.fields[i]!.type));
}

/** Which view answered which block of a query, and how (EXPLAIN's first lines). */
interface RewriteNote {
  readonly name: string;
  readonly reason: string;
  /** The block: "this query", "an IN subquery", "the derived table t", "the WITH query q", ... (matview/blocks.ts). */
  readonly where: string;
}

interface BoundPlan {
  readonly plan: PlanNode;
  readonly views: readonly RewriteNote[];
  readonly read: readonly TableMeta[];
  readonly phases: QueryPhases;
  /** The plan reads a system table (whose rows it holds: never cached). */
  readonly system: boolean;
  /** Compiled code kept with the cached plan (ExecContext.compiledFor), null when the plan is not cached. */
  readonly code: Map<string, unknown> | null;
}

/**
 * Binds (bindRewritten) and plans a query, timing both (parse: from the
 * statement's start to here). With `cache`, from the session's plan cache
 * when it holds the statement's plan for the current catalog, and kept there
 * after planning otherwise (plan-cache.ts says when it may be).
 */
function bindAndPlan(db: SessionHost, query: ast.Query, catalog: Catalog, p: ParsedStatement, t0: number, reads = true, cache: { readonly key: string; readonly volatile: boolean } | null = null): BoundPlan {
  const tBind = performance.now();
  const plans = cache ? db.planCache : null;
  const inputs = plans && { catalog, imported: db.importedStats(), settings: planSettingsKey(db.settings) };
  const hit = plans && plans.get(cache!.key, inputs!);
  if (hit) {
    const bindMs = performance.now() - tBind;
    const phases: QueryPhases = { parseMs: tBind - t0, bindMs, planMs: 0, compileMs: 0, compiled: 0, reused: 0, plansReused: 1, firstBatchMs: 0, executeMs: 0 };
    return { plan: hit.plan, views: hit.views, read: hit.read, phases, system: false, code: hit.code };
  }
  const { logical, views, read } = bindRewritten(db, query, catalog, p, reads);
  const tPlan = performance.now();
  const plan = new Planner(catalog.slices, db.store).planQuery(logical);
  const system = readsSystemTable(logical);
  // a system table's rows are read at planning, a volatile function's value may be folded into the plan
  const kept = plans && !system && !cache!.volatile ? plans.put(cache!.key, inputs!, { plan, views, read }) : null;
  const tDone = performance.now();
  const phases: QueryPhases = { parseMs: tBind - t0, bindMs: tPlan - tBind, planMs: tDone - tPlan, compileMs: 0, compiled: 0, reused: 0, plansReused: 0, firstBatchMs: 0, executeMs: 0 };
  return { plan, views, read, phases, system, code: kept && kept.code };
}

async function execute(
  db: SessionHost,
  plan: PlanNode,
  catalog: Catalog,
  parts: RecordParts,
  t0: number,
  command: string,
  cancel: CancelFlag | null,
  phases: QueryPhases,
  code: Map<string, unknown> | null = null,
): Promise<StatementOutcome> {
  // a block's uncommitted files are read on this thread only (TransactionBlock.writing)
  const pool = catalog.slices > 1 && !db.transaction.writing ? db.workerPool() : null;
  const ctx = new ExecContext(db.store, catalog.slices, undefined, cancel, code, new MemoryAccountant(threadShare(db.memoryLimit, pool ? pool.size + 1 : 1)));
  const clock = { ...compileClock };
  const account = threadCpuOn ? new ThreadCpuAccount() : null;
  const tExec = performance.now();
  let batch: Batch;
  try {
    batch = pool ? await collectParallel(plan, ctx, pool, account) : new Executor(ctx).collect(plan);
  } finally {
    ctx.close();
  }
  const tDone = performance.now();
  const threads = account?.finish();
  phases.compileMs = compileClock.ms - clock.ms;
  phases.compiled = compileClock.compiled - clock.compiled;
  phases.reused = compileClock.reused - clock.reused;
  phases.firstBatchMs = (ctx.firstBatchAt ?? tDone) - tExec;
  phases.executeMs = tDone - tExec;
  const stats = collectStats(ctx, plan, tDone - t0, batch.length);
  stats.phases = phases;
  if (threads) stats.threads = threads;
  parts.plan = plan;
  parts.exec = ctx;
  return { command, fields: plan.fields, batch, stats, rowCount: batch.length };
}

export function collectStats(ctx: ExecContext, plan: PlanNode, elapsedMs: number, rowsReturned: number): QueryStats {
  const stats = zeroStats(elapsedMs);
  stats.rowsReturned = rowsReturned;
  const visit = (n: PlanNode): void => {
    const s = ctx.stats.get(n.id);
    if (s) {
      stats.rowsMoved += s.rowsMoved;
      stats.bytesMoved += s.bytesMoved;
      stats.bytesSpilled += s.bytesSpilled;
      stats.spillFiles += s.spillFiles;
      if (n.op === 'scan') {
        stats.blocksScanned += s.blocksScanned;
        stats.blocksSkipped += s.blocksSkipped;
        stats.blocksTotal += s.blocksTotal;
        stats.rowsScanned += s.rowsScanned;
      }
    }
    switch (n.op) {
      case 'scan':
      case 'rows':
        return;
      case 'join':
        visit(n.left);
        visit(n.right);
        return;
      case 'union':
        n.inputs.forEach(visit);
        return;
      default:
        visit(n.input);
    }
  };
  visit(plan);
  return stats;
}

export async function explain(db: SessionHost, s: ast.ExplainStatement, p: ParsedStatement, parts: RecordParts, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const inner = s.statement;
  if (inner.kind !== 'select') throw new SqlError('UNSUPPORTED', 'EXPLAIN takes a SELECT statement', positionAt(p.text, inner.pos), p.text);
  const catalog = db.catalog();
  // plain EXPLAIN reads no rows: a stats-only table is planned with its imported statistics
  const { plan, views, phases } = bindAndPlan(db, inner.query, catalog, p, t0, s.analyze);
  // which view answers which block, and why: the block's query is answered from the view's, and no base table changed since its refresh
  const head = views.map((v) => `Materialized view ${v.name} answers ${v.where}: ${v.reason}, and the view is fresh`);
  if (!s.analyze) return textResult('EXPLAIN', [...head, ...explainText(plan).split('\n')], t0);
  const ran = await execute(db, plan, catalog, parts, t0, 'EXPLAIN', cancel, phases);
  const ctx = parts.exec!;
  const lines = [...head, ...explainText(plan, ctx.stats).split('\n')];
  const st = ran.stats;
  // the phases before the total, which stays the last line
  lines.push(
    `Phases: parse ${ms(phases.parseMs)}, bind ${ms(phases.bindMs)}, plan ${ms(phases.planMs)}, ` +
      `compile ${ms(phases.compileMs)} (${phases.compiled} functions compiled, ${phases.reused} reused), ` +
      `first batch ${ms(phases.firstBatchMs)}, execute ${ms(phases.executeMs)}`,
    `Total: ${st.elapsedMs.toFixed(1)} ms, rows returned ${ran.rowCount}, rows moved ${st.rowsMoved}, bytes moved ${st.bytesMoved}, ` +
      `blocks scanned ${st.blocksScanned}, skipped ${st.blocksSkipped}` +
      (st.spillFiles > 0 ? `, spilled ${st.bytesSpilled} bytes in ${st.spillFiles} files` : ''),
  );
  return textResult('EXPLAIN', lines, t0, { ...st, rowsReturned: lines.length });
}

const ms = (x: number): string => `${x.toFixed(2)} ms`;
