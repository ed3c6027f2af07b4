/**
 * What the daemon may apply on its own, and when (docs/autonomics.md,
 * "Policy"). Everything is still recommended; the policy only decides what
 * is applied without a person asking.
 */
import * as os from 'node:os';
import type { Catalog } from '../../engine/index.js';
import type { Recommendation } from '../recommendations/index.js';
import { inMaintenanceWindow, type AutonomicsConfig, type Kind } from './config.js';
import { applyingProcess } from './lifecycle.js';

/** Encoded bytes of a table, all slices and copies. */
export function tableBytes(catalog: Catalog, table: string): number {
  const t = catalog.tables[table];
  if (!t) return 0;
  let n = 0;
  for (const s of t.segments) n += s.bytes;
  return n;
}

/** Why the daemon will not apply `r` on its own, or null when it may. */
export function blockedBy(r: Recommendation, all: readonly Recommendation[], catalog: Catalog, config: AutonomicsConfig): string | null {
  if (r.status !== 'proposed') return `it is ${r.status}`;
  if (!config.applyKinds.includes(r.kind as Kind)) return `applyKinds does not include ${r.kind}`;
  if (config.excludeTables.includes(r.table)) return `${r.table} is in excludeTables`;
  if (r.userSet && !config.applyUserSet) return `the setting of ${r.table} was written in DDL (set applyUserSet to let the daemon change it)`;
  if (!catalog.tables[r.table]) return `${r.table} no longer exists`;
  const bytes = tableBytes(catalog, r.table);
  if (bytes > config.maxTableBytes) return `${r.table} holds ${bytes} bytes, more than maxTableBytes (${config.maxTableBytes})`;
  const undone = all.find((x) => x.status === 'reverted' && x.table === r.table && x.kind === r.kind && x.proposed === r.proposed);
  if (undone) return `the same change (${undone.id}) was reverted: ${undone.statusReason ?? 'by hand'}`;
  return null;
}

/** Why no apply may start now, or null when one may. */
export function gateClosed(dataDir: string, all: readonly Recommendation[], config: AutonomicsConfig, now: Date): string | null {
  if (!inMaintenanceWindow(config, now)) return `outside the maintenance window (${config.maintenanceWindow})`;
  const load = os.loadavg()[0]!;
  if (load >= config.maxLoadAverage) return `load average ${load.toFixed(2)} is at or above maxLoadAverage ${config.maxLoadAverage}`;
  const pid = applyingProcess(dataDir);
  if (pid !== null) return `process ${pid} is applying a change`;
  // one change in flight: the next waits until this one is verified, so each verification measures one change
  const open = all.find((r) => r.status === 'applying' || r.status === 'applied');
  if (open) return `${open.id} (${open.table}) is ${open.status}, not yet verified`;
  return null;
}

/** The benefit a recommendation reports, for ordering: its share of the workload. */
function benefitOf(r: Recommendation): number {
  const b = r.benefit as { percent?: number };
  return typeof b?.percent === 'number' ? b.percent : 0;
}

/** The proposed recommendations the policy allows, best first, and the others with the reason. */
export function candidates(all: readonly Recommendation[], catalog: Catalog, config: AutonomicsConfig): { allowed: Recommendation[]; held: { id: string; reason: string }[] } {
  const allowed: Recommendation[] = [];
  const held: { id: string; reason: string }[] = [];
  for (const r of all) {
    if (r.status !== 'proposed') continue;
    const why = blockedBy(r, all, catalog, config);
    if (why) held.push({ id: r.id, reason: why });
    else allowed.push(r);
  }
  allowed.sort((a, b) => benefitOf(b) - benefitOf(a) || (a.id < b.id ? -1 : 1));
  return { allowed, held };
}
