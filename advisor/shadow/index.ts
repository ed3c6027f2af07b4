/**
 * The shadow proof: every group the advisor would propose is first measured
 * on a sampled copy of its tables under the current and the proposed layout;
 * only groups the measurement proves are proposed.
 */
import type { Database } from '../../engine/index.js';
import type { Workload } from '../../workload-log/index.js';
import { changeKey, groupBenefit, groupTables } from '../recommendations/groups.js';
import type { Recommendation, ShadowEvidence } from '../recommendations/types.js';
import { proveGroup, type ShadowOptions } from './prove.js';

export { proveGroup, ratioInterval, decide, type ShadowOptions } from './prove.js';
export { affectedShapes, type AffectedShape } from './shapes.js';
export { createTableSql } from './copy.js';

export interface ProveOptions extends ShadowOptions {
  /** Stop proving after this long (default 60 s); groups not reached are not proposed this run. */
  budgetMs?: number;
}

export interface Proven {
  /** The proven groups' recommendations, each carrying its group's shadow evidence. */
  readonly kept: Recommendation[];
  readonly rejected: { readonly tables: string[]; readonly changes: string[]; readonly reason: string; readonly members: readonly Recommendation[] }[];
}

/**
 * Proves every group of `recs`, best estimated first, within the budget.
 * `proofs` keeps each group's measurement by its changes, so a group proven
 * (or refused) once in a run is not measured again.
 */
export async function proveGroups(db: Database, w: Workload, recs: readonly Recommendation[], o: ProveOptions = {}, proofs = new Map<string, ShadowEvidence>()): Promise<Proven> {
  const units = groupTables(recs).map((tables) => recs.filter((r) => tables.includes(r.table)));
  units.sort((a, b) => groupBenefit(b) - groupBenefit(a));
  const deadline = performance.now() + (o.budgetMs ?? 60_000);
  const kept: Recommendation[] = [];
  const rejected: Proven['rejected'][number][] = [];
  for (const members of units) {
    const tables = [...new Set(members.map((r) => r.table))].sort();
    const changes = members.map((r) => `${r.table}: ${r.kind} ${r.current} -> ${r.proposed}`);
    const key = members.map(changeKey).sort().join('\u0001');
    let shadow = proofs.get(key);
    if (!shadow) {
      if (performance.now() > deadline) {
        rejected.push({ tables, changes, members, reason: `not proven: the shadow proof's budget (${o.budgetMs ?? 60_000} ms) ran out before this group` });
        continue;
      }
      shadow = await proveGroup(db, w, members, o);
      proofs.set(key, shadow);
    }
    if (shadow.verdict === 'proven') for (const r of members) kept.push({ ...r, evidence: { ...r.evidence, shadow } } as Recommendation);
    else rejected.push({ tables, changes, members, reason: shadow.reason });
  }
  return { kept, rejected };
}
