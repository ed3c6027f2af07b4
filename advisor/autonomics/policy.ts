/**
 * What the daemon may apply on its own, and when (docs/autonomics.md,
 * "Policy"). Everything is still recommended; the policy only decides what
 * is applied without a person asking.
 */
import * as os from 'node:os';
import type { Catalog } from '../../engine/index.js';
import type { Recommendation } from '../recommendations/index.js';
import { groupBenefit } from '../recommendations/groups.js';
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
  const undone = all.find((x) => x.status === 'reverted' && x.table === r.table && x.kind === r.kind && x.ddl === r.ddl);
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
  // one group in flight: the next waits until this one is verified, so each verification measures one group
  const open = all.find((r) => r.status === 'applying' || r.status === 'applied');
  if (open) return `group ${open.group} (${open.id}, ${open.table}) is ${open.status}, not yet verified`;
  return null;
}

/**
 * The proposed groups the policy allows, best first (by estimated seconds per
 * day), their members in order; and the recommendations held, with why. A
 * group is allowed only whole: a member that is held holds its group.
 */
export function candidates(all: readonly Recommendation[], catalog: Catalog, config: AutonomicsConfig): { allowed: Recommendation[]; held: { id: string; reason: string }[] } {
  const groups = new Map<string, Recommendation[]>();
  for (const r of all) if (r.status === 'proposed') groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  const allowedGroups: Recommendation[][] = [];
  const held: { id: string; reason: string }[] = [];
  for (const members of groups.values()) {
    const why = members.map((r) => ({ r, why: blockedBy(r, all, catalog, config) })).filter((x) => x.why !== null);
    if (why.length === 0) {
      allowedGroups.push(members);
      continue;
    }
    for (const r of members) {
      const own = why.find((x) => x.r === r);
      held.push({ id: r.id, reason: own ? own.why! : `its group ${r.group} is held: ${why[0]!.r.id} ${why[0]!.why}` });
    }
  }
  allowedGroups.sort((a, b) => groupBenefit(b) - groupBenefit(a) || (a[0]!.id < b[0]!.id ? -1 : 1));
  return { allowed: allowedGroups.flat(), held };
}
