/**
 * The shadow proof: every group the advisor would propose is first measured
 * on a sampled copy of its tables under the current and the proposed layout;
 * only groups the measurement proves are proposed.
 */
import { isStatsOnly, type Database } from '../../engine/index.js';
import type { Workload } from '../../workload-log/index.js';
import { changeKey, groupBenefit, groupTables } from '../recommendations/groups.js';
import type { Recommendation, Refusal, ShadowEvidence, SortKeyRecommendation } from '../recommendations/types.js';
import { proveGroup, type ShadowOptions } from './prove.js';
import { changeText, groupKey, rememberedReason } from './memory.js';

export { proveGroup, decide, type ShadowOptions } from './prove.js';
export { pairedTimeRatio, type TimeRatio } from './time-ratio.js';
export { affectedShapes, shadowStatements, type AffectedShape } from './shapes.js';
export { createTableSql } from './copy.js';
export { recall, forbiddenBy, refusalOf, rememberedReason, workloadChange, groupKey, changeText, applicable, MIX_GROWTH, DATA_GROWTH, type Recalled } from './memory.js';

/** A group a round of the run measured and did not prove: its change keys, its changes in words and why. */
export interface NotProven {
  readonly keys: ReadonlySet<string>;
  readonly changes: readonly string[];
  readonly reason: string;
}

/** The groups of a round's rejected ones that were measured and not proven (a refusal, or an inconclusive measurement). */
export function notProvenOf(rejected: Proven['rejected']): NotProven[] {
  return rejected.flatMap((g) => (g.shadow && g.shadow.verdict !== 'proven' ? [{ keys: new Set(g.members.map(changeKey)), changes: g.changes, reason: g.reason }] : []));
}

/**
 * The not-proven group `members` is a smaller part of, or null. An interleaved sort key
 * counts as its compound fallback too, since the proof may have put that in
 * its place.
 */
function partOf(members: readonly Recommendation[], notProven: readonly NotProven[], fallbacks: ReadonlyMap<string, SortKeyRecommendation>): NotProven | null {
  const keys = members.map((r) => {
    const compound = r.kind === 'sortkey' ? fallbacks.get(r.table) : undefined;
    return compound ? [changeKey(r), changeKey(compound)] : [changeKey(r)];
  });
  // the same group again is no part: it keeps its measurement (proveGroups' proofs)
  return notProven.find((g) => members.length < g.keys.size && keys.every((ks) => ks.some((k) => g.keys.has(k)))) ?? null;
}

export interface ProveOptions extends ShadowOptions {
  /** Stop proving after this long (default 60 s); groups not reached are not proposed this run. */
  budgetMs?: number;
}

export interface Proven {
  /** The proven groups' recommendations, each carrying its group's shadow evidence. */
  readonly kept: Recommendation[];
  readonly rejected: {
    readonly tables: string[];
    readonly changes: string[];
    readonly reason: string;
    readonly members: readonly Recommendation[];
    /** The measurement that refused it (absent when it was not measured: the budget ran out, or a remembered refusal stands). */
    readonly shadow?: ShadowEvidence;
    /** When an earlier run refused it, for a group not measured again because that refusal stands. */
    readonly refusedAt?: string;
  }[];
}

/**
 * Proves every group of `recs`, best estimated first, within the budget.
 * `proofs` keeps each group's measurement by its changes, so a group proven
 * (or refused) once in a run is not measured again. `fallbacks` holds, by
 * table, the best compound key for a table whose proposal is an interleaved
 * key: the interleaved key is kept only when the shadow copy measures it
 * beating that compound key too (docs/advisor.md, "Interleaved keys");
 * otherwise the group goes on with the compound key. A group whose changes
 * are those of a `remembered` refusal (by groupKey) that still stands is
 * refused again without measuring. `notProven` holds the change keys of the
 * groups an earlier round of the same run measured and did not prove: a
 * group made only of one's changes (a table's sort key without the KEY it
 * was measured with, after a solve without that KEY) is refused with it,
 * not measured as a rival (docs/advisor.md, "Groups").
 */
export async function proveGroups(
  db: Database,
  w: Workload,
  recs: readonly Recommendation[],
  o: ProveOptions = {},
  proofs = new Map<string, ShadowEvidence>(),
  fallbacks: ReadonlyMap<string, SortKeyRecommendation> = new Map(),
  remembered: ReadonlyMap<string, Refusal> = new Map(),
  notProven: readonly NotProven[] = [],
): Promise<Proven> {
  const units = groupTables(recs).map((tables) => recs.filter((r) => tables.includes(r.table)));
  units.sort((a, b) => groupBenefit(b) - groupBenefit(a));
  const budget = o.budgetMs ?? 60_000;
  const deadline = performance.now() + budget;
  const kept: Recommendation[] = [];
  const rejected: Proven['rejected'][number][] = [];
  const imported = db.importedStats();
  const catalog = db.catalog();
  const statsOnly = (t: string) => catalog.tables[t] !== undefined && isStatsOnly(catalog.tables[t]!, imported);
  const measure = async (members: readonly Recommendation[], baseline: readonly Recommendation[] = []): Promise<ShadowEvidence | null> => {
    const key = [...members.map(changeKey).sort(), ...(baseline.length ? ['vs', ...baseline.map(changeKey).sort()] : [])].join('\u0001');
    let shadow = proofs.get(key);
    if (!shadow) {
      if (performance.now() > deadline) return null;
      shadow = await proveGroup(db, w, members, o, baseline);
      proofs.set(key, shadow);
    }
    return shadow;
  };
  for (const unit of units) {
    let members = unit;
    const tables = [...new Set(members.map((r) => r.table))].sort();
    const changes = () => members.map(changeText);
    const outOfBudget = () => rejected.push({ tables, changes: changes(), members, reason: `not proven: the shadow proof's budget (${budget} ms) ran out before this group` });
    const recalled = () => remembered.get(groupKey(members));
    const refuseAgain = (r: Refusal) => rejected.push({ tables, changes: changes(), members, reason: rememberedReason(r), refusedAt: r.at });
    const known = recalled();
    if (known) {
      refuseAgain(known);
      continue;
    }
    // a part of a group measured whole and not proven is no new candidate: measured alone, the part and the whole would compete, and
    // the noise of the clock would pick between them (two-facts' invoices: its sort key proven alone after the group with its KEY was not)
    const whole = partOf(members, notProven, fallbacks);
    if (whole) {
      rejected.push({ tables, changes: changes(), members, reason: `measured this run as part of the group ${whole.changes.join('; ')}, which was not proven (${whole.reason})` });
      continue;
    }
    // a stats-only table has no rows to copy: its group stands on the imported measurements alone, as with the proof off
    if (tables.some(statsOnly)) {
      kept.push(...members);
      continue;
    }
    // an interleaved key must first beat the same group with the best compound key
    const interleaved = members.find((r): r is SortKeyRecommendation => r.kind === 'sortkey' && fallbacks.has(r.table));
    if (interleaved) {
      const compound = fallbacks.get(interleaved.table)!;
      const withCompound = members.map((r) => (r === interleaved ? compound : r));
      const vs = await measure(members, withCompound);
      if (!vs) {
        outOfBudget();
        continue;
      }
      const rival = (r: SortKeyRecommendation, proposed: string): SortKeyRecommendation => ({ ...r, evidence: { ...r.evidence, sortKey: { ...r.evidence.sortKey, rival: { proposed, shadow: vs } } } });
      members = vs.verdict === 'proven'
        ? members.map((r) => (r === interleaved ? rival(interleaved, compound.proposed) : r))
        : withCompound.map((r) => (r === compound ? rival(compound, interleaved.proposed) : r));
    }
    // the interleaved key lost to the compound one, and the group with the compound key is a remembered refusal
    const knownNow = recalled();
    if (knownNow) {
      refuseAgain(knownNow);
      continue;
    }
    const shadow = await measure(members);
    if (!shadow) {
      outOfBudget();
      continue;
    }
    if (shadow.verdict === 'proven') for (const r of members) kept.push({ ...r, evidence: { ...r.evidence, shadow } } as Recommendation);
    else rejected.push({ tables, changes: changes(), members, reason: shadow.reason, shadow });
  }
  return { kept, rejected };
}
