/**
 * What-if planning: statements bound once against the current catalog, then
 * planned under hypothetical table distributions, each plan's estimated bytes
 * moved between slices read off its exchanges. The advisor uses it to see what
 * its pairwise join graph cannot: a query that joins a table on two columns
 * moves its intermediate result once whatever the layout, a GROUP BY on a
 * table's distribution key needs no exchange, and the planner may reorder
 * joins under a new layout. Nothing changes; only observe() runs anything.
 *
 * Estimates are only as good as the planner's row counts, and a HAVING or a
 * semi join can be off by orders of magnitude. observe() runs a statement once
 * under the current layout and keeps the rows each planning site (planner.ts
 * `sites`) produced; later plans of that statement, under any layout, use
 * those rows in place of estimates, as DB2's LEO feeds observed cardinalities
 * back to its optimizer.
 */
import { isStatsOnly } from './catalog/imported-stats.js';
import type { Database } from './database.js';
import { parseStatements } from './sql/index.js';
import { bindQuery } from './plan/binder.js';
import type { LogicalNode } from './plan/logical.js';
import { Planner } from './plan/planner.js';
import { planBytesMoved, type TableLayout } from './plan/join-placement.js';
import { childrenOf, type PlanNode } from './plan/physical.js';
import { ExecContext } from './exec/context.js';
import { Executor } from './exec/executor.js';

export type { TableLayout } from './plan/join-placement.js';

export class WhatIfPlanner {
  private readonly roots: (LogicalNode | null)[];
  private readonly slices: number;
  /** Per statement, rows observed at planning sites (observe()). */
  private readonly rows: (Map<string, number> | null)[];
  /** Some table is stats-only: running a statement would count none of its rows, so estimates stand. */
  private readonly statsOnly: boolean;

  /** Binds each statement; one that is not a single SELECT or does not bind is kept as unplannable. */
  constructor(
    private readonly db: Database,
    sqls: readonly string[],
  ) {
    // stats-only tables are planned with their imported rows and layout
    const catalog = db.planningCatalog();
    const imported = db.importedStats();
    this.statsOnly = Object.values(db.catalog().tables).some((t) => isStatsOnly(t, imported));
    this.slices = catalog.slices;
    const ctx = { catalog, systemTable: (name: string) => db.systemTable(name), sql: '' };
    this.roots = sqls.map((sql) => {
      try {
        const parsed = parseStatements(sql);
        const s = parsed.length === 1 ? parsed[0]!.statement : null;
        if (!s || s.kind !== 'select') return null;
        return bindQuery(s.query, { ...ctx, sql: parsed[0]!.text });
      } catch {
        // a statement of the log that no longer binds (a dropped table or column) has no what-if
        return null;
      }
    });
    this.rows = this.roots.map(() => null);
  }

  /**
   * Runs statement i once under the current layout (serially, not logged) and
   * keeps the rows each planning site produced, for its later plans. Sites of
   * replicated inputs are left to estimates: they run once per slice.
   * Returns the milliseconds it took.
   */
  observe(i: number): number {
    const root = this.roots[i];
    if (!root || this.statsOnly) return 0;
    const t0 = performance.now();
    const planner = new Planner(this.slices, this.db.store);
    const plan = planner.planQuery(root);
    const ctx = new ExecContext(this.db.store, this.slices);
    new Executor(ctx).collect(plan);
    const byId = new Map<number, PlanNode>();
    const visit = (n: PlanNode): void => {
      byId.set(n.id, n);
      for (const c of childrenOf(n)) visit(c);
    };
    visit(plan);
    const rows = new Map<string, number>();
    for (const [id, key] of planner.sites) {
      const node = byId.get(id);
      const s = ctx.stats.get(id);
      if (!node || !s || node.dist.kind === 'all') continue;
      // a scan's rows are those its own predicate keeps, before a join's key filter dropped some
      rows.set(key, s.rowsOut + (node.op === 'scan' ? s.rowsJoinFiltered : 0));
    }
    this.rows[i] = rows;
    return performance.now() - t0;
  }

  /** Whether statement i could be bound (and so planned). */
  plannable(i: number): boolean {
    return this.roots[i] !== null;
  }

  /**
   * Statement i's estimated bytes moved between slices with `layouts` in place
   * of the catalog's distributions (tables not named keep theirs); 0 for an
   * unplannable statement.
   */
  bytesMoved(i: number, layouts: ReadonlyMap<string, TableLayout>): number {
    const root = this.roots[i];
    if (!root) return 0;
    const rows = this.rows[i];
    return planBytesMoved(new Planner(this.slices, this.db.store, { layouts, ...(rows ? { rows } : {}) }).planQuery(root), this.slices);
  }
}
