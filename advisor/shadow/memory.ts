/**
 * The shadow proof's memory: a group it measured and refused is remembered
 * (the store's `refusals`), so that a later run neither proposes it nor
 * measures it again while the workload it was measured on stands. Without
 * it, every run re-measures the same slower change, and one run in twenty
 * finds it faster in noise and proposes it (docs/advisor.md, "Remembered
 * refusals").
 *
 * A refusal stands while none of these changed since it was measured:
 * - the statements the proof would run (the heaviest affected query shapes):
 *   a new one among them is a workload the refusal says nothing about;
 * - their mix: the proof weights each statement by its executions, so a
 *   uniform growth (the same stream run again) measures the same ratio, but a
 *   shape whose share of the executions grew MIX_GROWTH-fold does not;
 * - the data: a table the statements read whose rows grew or shrank
 *   DATA_GROWTH-fold is sampled and pruned differently;
 * - the settings the group would change (its change keys name the current
 *   setting): a refusal none of whose changes still applies is dropped.
 */
import type { Catalog, TableMeta } from '../../engine/index.js';
import type { Workload } from '../../workload-log/index.js';
import { describeStyle } from '../join-graph.js';
import { parseChoice, type Choice } from '../distkey/index.js';
import { currentEncodingText, currentSortKeyText } from '../storage-recommendations.js';
import { changeKey } from '../recommendations/groups.js';
import type { Recommendation, RefusedChange, Refusal, ShadowEvidence } from '../recommendations/types.js';
import { affectedShapes, type AffectedShape } from './shapes.js';

/**
 * A measured shape whose share of the affected executions grew this many
 * times reopens a refusal. The time ratio is the executions-weighted sum of
 * the statements' times, so only a shift in the weights (not their total)
 * moves it. Twice the share catches a statement that has become a major part
 * of the affected work (10% to 20%, 30% to 60%), while the drift of a steady
 * workload's mix from one run to the next (a few percent) leaves the refusal
 * standing instead of re-measuring it every run.
 */
export const MIX_GROWTH = 2;

/**
 * A table the statements read whose row count grew (or shrank) this many
 * times reopens a refusal: the shadow copy samples to a fixed size, so twice
 * the rows is half the sample fraction, and blocks per slice, zone maps and
 * skew all change with it.
 */
export const DATA_GROWTH = 2;

/** The statements the proof runs for `tables`: the heaviest `limit` affected shapes whose tables all exist (as proveGroup picks them). */
export function measuredShapes(w: Workload, tables: ReadonlySet<string>, catalog: Catalog, limit: number): AffectedShape[] {
  return affectedShapes(w, tables, limit).filter((s) => [...s.tables].every((t) => catalog.tables[t]));
}

export function refusedChange(r: Recommendation): RefusedChange {
  return { table: r.table, kind: r.kind, current: r.current, proposed: r.proposed, ddl: r.ddl, ...(r.kind === 'encoding' ? { column: r.evidence.encoding.column } : {}) };
}

/** A group's identity: its sorted change keys (the shadow proofs are cached by the same key). */
export function groupKey(changes: readonly Pick<RefusedChange, 'table' | 'kind' | 'ddl' | 'current'>[]): string {
  return changes.map(changeKey).sort().join('\u0001');
}

/** The setting a change would change, as it reads now (null: its table or column is gone). */
export function settingNow(t: TableMeta | undefined, c: RefusedChange): string | null {
  if (!t) return null;
  if (c.kind === 'sortkey') return currentSortKeyText(t);
  if (c.kind === 'encoding') return c.column !== undefined && t.columns.some((x) => x.name === c.column) ? currentEncodingText(t, c.column) : null;
  return describeStyle(t);
}

/** The refused changes that still apply: those whose table's setting is still the one they would change. */
export function applicable(r: Refusal, catalog: Catalog): RefusedChange[] {
  return r.changes.filter((c) => settingNow(catalog.tables[c.table], c) === c.current);
}

/** A refusal to remember: the group, its measurement, and the workload it was measured on. */
export function refusalOf(
  group: { readonly tables: readonly string[]; readonly members: readonly Recommendation[] },
  shadow: ShadowEvidence,
  w: Workload,
  catalog: Catalog,
  run: string,
  maxStatements: number,
): Refusal {
  const shapes = measuredShapes(w, new Set(group.tables), catalog, maxStatements);
  return {
    tables: [...group.tables],
    changes: group.members.map(refusedChange),
    at: shadow.at,
    run,
    reason: shadow.reason,
    shadow,
    workload: {
      fingerprints: shapes.map((s) => ({ fingerprint: s.fingerprint, count: s.count })),
      executions: shapes.reduce((n, s) => n + s.count, 0),
      rows: shadow.tables.map((t) => ({ table: t.table, rows: t.tableRows })),
    },
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** What changed in the workload since `r` was measured, in words; null when nothing did. */
export function workloadChange(r: Refusal, w: Workload, catalog: Catalog, maxStatements: number): string | null {
  const shapes = measuredShapes(w, new Set(r.tables), catalog, maxStatements);
  const then = new Map(r.workload.fingerprints.map((f) => [f.fingerprint, f.count]));
  const fresh = shapes.filter((s) => !then.has(s.fingerprint));
  if (fresh.length) return `${fresh.length} new query shape${fresh.length === 1 ? '' : 's'} among the ${shapes.length} it affects most`;
  const before = r.workload.fingerprints.reduce((n, f) => n + f.count, 0);
  const after = shapes.reduce((n, s) => n + s.count, 0);
  for (const s of shapes) {
    const was = then.get(s.fingerprint)! / Math.max(1, before);
    const is = s.count / Math.max(1, after);
    if (is >= MIX_GROWTH * was) return `a query shape's share of the affected executions grew from ${pct(was)} to ${pct(is)}`;
  }
  for (const t of r.workload.rows) {
    const now = catalog.tables[t.table]?.rows;
    if (now === undefined) return `${t.table} was dropped`;
    const ratio = (now + 1) / (t.rows + 1);
    if (ratio >= DATA_GROWTH || ratio <= 1 / DATA_GROWTH) return `${t.table} went from ${t.rows.toLocaleString('en-US')} to ${now.toLocaleString('en-US')} rows`;
  }
  return null;
}

export interface Recalled {
  /** Refusals that still hold: not proposed, not measured again, their distributions kept from the solver. */
  readonly standing: readonly Refusal[];
  /** Refusals whose workload changed: their groups are measured again if proposed, and a new verdict replaces them. */
  readonly reopened: readonly { readonly refusal: Refusal; readonly why: string }[];
}

/** Sorts the remembered refusals into those that stand and those the workload has reopened; those no change of which still applies are dropped. */
export function recall(refusals: readonly Refusal[], w: Workload, catalog: Catalog, maxStatements: number): Recalled {
  const standing: Refusal[] = [];
  const reopened: { refusal: Refusal; why: string }[] = [];
  for (const r of refusals) {
    if (applicable(r, catalog).length === 0) continue;
    const why = workloadChange(r, w, catalog, maxStatements);
    if (why) reopened.push({ refusal: r, why });
    else standing.push(r);
  }
  return { standing, reopened };
}

/** The distributions the solver must not choose: each standing refusal's distribution changes that still apply, by table. */
export function forbiddenBy(standing: readonly Refusal[], catalog: Catalog): Map<string, Choice[]> {
  const out = new Map<string, Choice[]>();
  for (const r of standing) {
    for (const c of applicable(r, catalog)) {
      if (c.kind === 'distkey' || c.kind === 'diststyle') out.set(c.table, [...(out.get(c.table) ?? []), parseChoice(c.proposed)]);
    }
  }
  return out;
}

/** Why a remembered group is not proposed: "refused on 2026-12-07 09:26 UTC (<the proof's reason>); the workload has not changed since". */
export function rememberedReason(r: Refusal): string {
  return `refused on ${r.at.slice(0, 16).replace('T', ' ')} UTC (${r.reason}); the workload has not changed since`;
}

/** A run's changes as the run record states them ("f: sortkey AUTO(NONE) -> x"). */
export function changeText(c: Pick<RefusedChange, 'table' | 'kind' | 'current' | 'proposed'>): string {
  return `${c.table}: ${c.kind} ${c.current} -> ${c.proposed}`;
}
