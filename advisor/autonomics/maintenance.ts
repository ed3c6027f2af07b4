/**
 * Automatic maintenance (docs/autonomics.md, "Automatic vacuum and
 * analyze"): the daemon's step that runs VACUUM DELETE, VACUUM SORT and
 * ANALYZE by itself where they pay, while the load is low, within the
 * maintenance window and the byte budget. It reads what the engine shows
 * (svv_table_info, the catalog) and what the workload log recorded, and
 * changes tables only through VACUUM and ANALYZE statements
 * (Database.maintainInBackground), paced and paused like a layout apply.
 * Every action is announced in the audit (audit.ts).
 *
 * What pays:
 * - vacuum sort: the blocks the workload would stop reading, over the mining
 *   window (blocks its scans with a predicate on the first sort-key column
 *   read, times vacuum_sort_benefit), at least `sortPayback` times the
 *   blocks the sort writes (every block of the table);
 * - vacuum delete: deleted rows at least `minDeletedPercent` of the table's
 *   rows (Redshift's default delete threshold, 95% visible, is 5); the space
 *   they hold is reclaimed, and every scan stops reading them;
 * - analyze: stats_off at least `analyzeStatsOff` (Redshift's
 *   analyze_threshold_percent, 10).
 * A sort also reclaims deleted rows, so a table due both is sorted only.
 */
import * as os from 'node:os';
import type { Database } from '../../engine/index.js';
import { loadWorkload, type Workload } from '../../workload-log/index.js';
import { AuditLog, readAudit, type AuditEvent, type AutoAction } from './audit.js';
import { inMaintenanceWindow, type AutonomicsConfig } from './config.js';
import type { StepContext } from './cycle.js';

export interface MaintenanceContext extends StepContext {
  /** The 1-minute load average (default os.loadavg); a test passes its own. */
  readonly loadAverage?: () => number;
}

/** One table as svv_table_info and the catalog show it. */
interface TableHealth {
  readonly id: number;
  readonly name: string;
  readonly rows: number;
  readonly visible: number;
  readonly bytes: number;
  readonly unsorted: number | null;
  readonly statsOff: number;
  readonly sortBenefit: number | null;
  readonly sortKey1: string | null;
  /** Blocks a rewrite of the table writes (every column). */
  readonly blocks: number;
}

/** An action that pays, with the numbers that say so. */
export interface DueAction {
  readonly table: string;
  readonly tableId: number;
  readonly action: AutoAction;
  readonly sql: string;
  /** Why it is due, for the audit and the log. */
  readonly why: string;
  /** Bytes it is expected to write (the budget counts them). */
  readonly cost: number;
  /** For ordering: blocks saved over the window, or bytes reclaimed, or stats_off. */
  readonly score: number;
}

export interface MaintenanceOutcomeRow {
  readonly table: string;
  readonly action: AutoAction;
  readonly status: 'complete' | 'skipped' | 'abort';
  readonly reason: string | null;
  readonly rows: number;
  readonly bytes: number;
}

export type MaintainResult = { readonly ran: false; readonly reason: string; readonly due: readonly DueAction[] } | { readonly ran: true; readonly actions: readonly MaintenanceOutcomeRow[] };

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function healthOf(db: Database): Promise<TableHealth[]> {
  const r = await db.query('select table_id, "table", tbl_rows, estimated_visible_rows, size_bytes, unsorted, stats_off, vacuum_sort_benefit, sortkey1 from svv_table_info');
  const catalog = db.catalog();
  return r.rows().map((row) => {
    const name = String(row[1]);
    const t = catalog.tables[name];
    const blocks = t ? t.segments.reduce((n, s) => n + Math.ceil(s.rows / catalog.blockRows), 0) * t.columns.length : 0;
    const num = (v: unknown) => (v === null ? null : Number(v));
    return {
      id: Number(row[0]),
      name,
      rows: Number(row[2]),
      visible: Number(row[3]),
      bytes: Number(row[4]),
      unsorted: num(row[5]),
      statsOff: Number(row[6]),
      sortBenefit: num(row[7]),
      sortKey1: row[8] === null ? null : String(row[8]),
      blocks,
    };
  });
}

/** Per table, the blocks the workload's scans read that had a predicate on `column` (each scan counted once). */
export function blocksReadWithPredicateOn(w: Workload, column: (table: string) => string | null): Map<string, number> {
  const out = new Map<string, number>();
  w.parts.forEach((part, k) => {
    const mask = w.masks[k];
    const { scans: s, predicates: p } = part;
    let lastScan = -1;
    for (let m = 0; m < p.length; m++) {
      const scan = p.scan[m]!;
      if (scan === lastScan) continue;
      if (mask && !mask[s.query[scan]!]) continue;
      const table = s.table.dict[s.table.codes[scan]!]!;
      if (p.column.dict[p.column.codes[m]!] !== column(table)) continue;
      lastScan = scan;
      out.set(table, (out.get(table) ?? 0) + s.blocksScanned[scan]!);
    }
  });
  return out;
}

/** The actions that pay now, best first. */
export async function dueActions(db: Database, config: AutonomicsConfig, now: Date): Promise<DueAction[]> {
  const m = config.maintenance;
  const tables = (await healthOf(db)).filter((t) => !config.excludeTables.includes(t.name));
  const keyOf = new Map(tables.map((t) => [t.name, t.sortKey1]));
  const w = loadWorkload(db.dir, { since: now.getTime() - config.mining.sinceMs });
  const sortScans = blocksReadWithPredicateOn(w, (t) => keyOf.get(t) ?? null);
  const out: DueAction[] = [];
  for (const t of tables) {
    if (t.rows === 0) continue;
    const deleted = t.rows - t.visible;
    const deletedPct = (100 * deleted) / t.rows;
    const saved = ((sortScans.get(t.name) ?? 0) * (t.sortBenefit ?? 0)) / 100;
    let sorts = false;
    if (m.actions.includes('vacuum sort') && t.sortBenefit !== null && t.sortBenefit > 0 && (t.unsorted ?? 0) > 0 && saved >= m.sortPayback * t.blocks) {
      sorts = true;
      out.push({
        table: t.name,
        tableId: t.id,
        action: 'vacuum sort',
        sql: `vacuum sort only ${quote(t.name)} to 100 percent`,
        why: `vacuum_sort_benefit ${t.sortBenefit.toFixed(2)}%: the workload would read ${Math.round(saved)} fewer blocks over the mining window; the sort writes ${t.blocks}`,
        cost: t.bytes,
        score: saved - t.blocks,
      });
    }
    if (!sorts && m.actions.includes('vacuum delete') && deleted > 0 && deletedPct >= m.minDeletedPercent) {
      out.push({
        table: t.name,
        tableId: t.id,
        action: 'vacuum delete',
        sql: `vacuum delete only ${quote(t.name)} to 100 percent`,
        why: `${deleted} deleted rows (${deletedPct.toFixed(2)}% of ${t.rows}) hold about ${Math.round((t.bytes * deleted) / t.rows)} bytes`,
        cost: t.bytes,
        score: (t.bytes * deleted) / t.rows,
      });
    }
    if (m.actions.includes('analyze') && t.visible > 0 && t.statsOff >= m.analyzeStatsOff) {
      out.push({ table: t.name, tableId: t.id, action: 'analyze', sql: `analyze ${quote(t.name)}`, why: `stats_off ${t.statsOff.toFixed(2)}`, cost: 0, score: t.statsOff });
    }
  }
  // vacuums first (they change what analyze would read only in layout, not content), each kind by its gain
  const rank: Record<AutoAction, number> = { 'vacuum sort': 0, 'vacuum delete': 1, analyze: 2 };
  return out.sort((a, b) => rank[a.action] - rank[b.action] || b.score - a.score || (a.table < b.table ? -1 : 1));
}

/** Why no maintenance may start now, or null. */
function gateClosed(config: AutonomicsConfig, now: Date, load: number): string | null {
  if (!inMaintenanceWindow(config, now)) return `outside the maintenance window (${config.maintenanceWindow})`;
  if (load >= config.maxLoadAverage) return `load average ${load.toFixed(2)} is at or above maxLoadAverage ${config.maxLoadAverage}`;
  return null;
}

/** Audits a skip unless the last event of the same table and action already says the same. */
function skipOnce(audit: AuditLog, dataDir: string, d: DueAction, reason: string, now: Date): void {
  const last = readAudit(dataDir).filter((r) => r.table === d.table && r.action === d.action).pop();
  if (last && last.status === 'skipped' && last.reason === reason) return;
  audit.append({ tableId: d.tableId, table: d.table, action: d.action, status: 'skipped', reason, progress: 0, rows: 0, bytes: 0 }, now);
}

/** One maintenance cycle: the due actions, best first, until the byte budget is spent. */
export async function maintainStep(db: Database, config: AutonomicsConfig, ctx: MaintenanceContext = {}): Promise<MaintainResult> {
  const now = ctx.now ?? new Date();
  const load = ctx.loadAverage ?? (() => os.loadavg()[0]!);
  if (!config.maintenance.enabled) return { ran: false, reason: 'maintenance.enabled is false', due: [] };
  const due = await dueActions(db, config, now);
  const audit = new AuditLog(db.dir);
  const closed = gateClosed(config, now, load());
  if (closed) {
    for (const d of due) skipOnce(audit, db.dir, d, closed, now);
    return { ran: false, reason: closed, due };
  }
  const out: MaintenanceOutcomeRow[] = [];
  let spent = 0;
  for (const d of due) {
    ctx.signal?.throwIfAborted();
    const event = (e: Omit<AuditEvent, 'tableId' | 'table' | 'action'>) => audit.append({ tableId: d.tableId, table: d.table, action: d.action, ...e });
    const bytes = db.catalog().tables[d.table]?.segments.reduce((n, s) => n + s.bytes, 0) ?? 0;
    const skip = bytes > config.maxTableBytes ? `${d.table} holds ${bytes} bytes, more than maxTableBytes (${config.maxTableBytes})` : spent + d.cost > config.maintenance.maxBytesPerCycle ? `the byte budget of this cycle (maintenance.maxBytesPerCycle ${config.maintenance.maxBytesPerCycle}) is spent` : null;
    if (skip) {
      skipOnce(audit, db.dir, d, skip, now);
      out.push({ table: d.table, action: d.action, status: 'skipped', reason: skip, rows: 0, bytes: 0 });
      continue;
    }
    event({ status: 'start', reason: d.why, progress: 0, rows: 0, bytes: 0 });
    let nextCheckpoint = 25;
    try {
      const [r] = await db.maintainInBackground(d.sql, {
        ...(config.maxBytesPerSecond !== null ? { maxBytesPerSecond: config.maxBytesPerSecond } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        pauseWhile: () => load() >= config.maxLoadAverage,
        onProgress: (p) => {
          const pct = p.rowsTotal === 0 ? 100 : (100 * p.rowsDone) / p.rowsTotal;
          if (pct < nextCheckpoint || pct >= 100) return;
          nextCheckpoint = Math.floor(pct / 25) * 25 + 25;
          event({ status: 'checkpoint', reason: null, progress: Math.round(pct * 100) / 100, rows: p.rowsDone, bytes: p.bytesWritten });
        },
      });
      if (!r || r.kind === 'skipped') {
        const reason = r?.reason ?? 'nothing to do';
        event({ status: 'skipped', reason, progress: 0, rows: 0, bytes: 0 });
        out.push({ table: d.table, action: d.action, status: 'skipped', reason, rows: 0, bytes: 0 });
        continue;
      }
      const written = r.action === 'vacuum' ? r.bytesWritten : 0;
      const rows = r.rows;
      const reason = r.action === 'vacuum' ? `${r.rowsReclaimed} deleted rows reclaimed; ${r.bytesBefore} bytes before, ${r.bytesAfter} after` : `${r.columns.length} columns`;
      spent += written;
      event({ status: 'complete', reason, progress: 100, rows, bytes: written });
      out.push({ table: d.table, action: d.action, status: 'complete', reason, rows, bytes: written });
    } catch (e) {
      const reason = ctx.signal?.aborted ? 'the daemon is stopping; the table keeps its previous version' : e instanceof Error ? e.message : String(e);
      event({ status: 'abort', reason, progress: 0, rows: 0, bytes: 0 });
      out.push({ table: d.table, action: d.action, status: 'abort', reason, rows: 0, bytes: 0 });
      if (ctx.signal?.aborted) break;
    }
  }
  return { ran: true, actions: out };
}
