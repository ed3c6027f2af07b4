/**
 * Recommendation groups: the unit that is proven, applied, verified and
 * reverted. A group holds every change to one table (so the table is rewritten
 * once) plus the tables whose distribution changes only pay together with it:
 * two tables both proposed KEY on the two sides of one join edge are
 * co-located only when both are in place (Redshift's group_id); and a table
 * with its staging twin, which must keep its layout (advisor/twins.ts).
 *
 * Ids are stable: a recommendation that a new mining run proposes again,
 * unchanged (same table, setting, current and proposed value), keeps its id,
 * and a group whose members are all unchanged keeps its group id, so
 * `keel advisor apply r6` works a minute after `list` whatever ran between.
 */
import { isDistribution, type Recommendation } from './types.js';

/** What makes two recommendations the same change: table, DDL (setting and proposed value) and the value it replaces. */
export function changeKey(r: Pick<Recommendation, 'table' | 'kind' | 'ddl' | 'current'>): string {
  return `${r.table}\u0000${r.kind}\u0000${r.ddl}\u0000${r.current}`;
}

/** Tables whose changes must go together: each table with itself, and co-located distribution pairs. */
export function groupTables(recs: readonly Recommendation[]): string[][] {
  const parent = new Map<string, string>();
  const find = (t: string): string => {
    let p = parent.get(t) ?? t;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p) ?? p;
    parent.set(t, p);
    return p;
  };
  const union = (a: string, b: string) => {
    const x = find(a);
    const y = find(b);
    if (x !== y) parent.set(x < y ? y : x, x < y ? x : y);
  };
  const keyed = new Map<string, string>();
  for (const r of recs) {
    find(r.table);
    if (r.kind === 'distkey') keyed.set(r.table, r.proposed.replace(/^KEY\((.*)\)$/, '$1'));
  }
  // a staging twin changes with the table it follows (advisor/twins.ts)
  for (const r of recs) if (r.twinOf && parent.has(r.twinOf)) union(r.table, r.twinOf);
  for (const r of recs) {
    if (!isDistribution(r) || r.kind !== 'distkey') continue;
    // an edge whose two sides are both proposed KEY on its columns: the join is co-located only with both applied
    for (const e of r.evidence.edges) {
      if (e.costAfter >= e.costBefore) continue;
      const [left, right] = e.edge.split(' and ')[0]!.split('=');
      const sides = [left, right].map((s) => {
        const dot = s!.lastIndexOf('.');
        return { table: s!.slice(0, dot), column: s!.slice(dot + 1) };
      });
      if (sides.every((s) => keyed.get(s.table) === s.column) && sides[0]!.table !== sides[1]!.table) union(sides[0]!.table, sides[1]!.table);
    }
  }
  const groups = new Map<string, string[]>();
  for (const t of parent.keys()) {
    const root = find(t);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = []));
    g.push(t);
  }
  return [...groups.values()].map((g) => g.sort());
}

/** A group's estimated benefit: its members' seconds per day. */
export function groupBenefit(members: readonly Recommendation[]): number {
  return members.reduce((s, r) => s + r.benefit.secondsPerDay, 0);
}

export interface Grouped {
  readonly recommendations: Recommendation[];
  readonly nextId: number;
  readonly nextGroup: number;
}

/**
 * Gives `fresh` (a run's recommendations, ids unset) their groups and ids:
 * an unchanged change keeps the id it had among `previous` (the store's
 * proposed ones), a group of unchanged members keeps its group id; new ones
 * are numbered from nextId / nextGroup. Returned best group first (by
 * estimated seconds per day), members of a group together.
 */
export function assignGroups(fresh: readonly Recommendation[], previous: readonly Recommendation[], nextId: number, nextGroup: number): Grouped {
  const oldByKey = new Map(previous.map((r) => [changeKey(r), r]));
  const oldGroups = new Map<string, string[]>();
  for (const r of previous) {
    let g = oldGroups.get(r.group);
    if (!g) oldGroups.set(r.group, (g = []));
    g.push(changeKey(r));
  }
  const groupOfMembers = new Map([...oldGroups.entries()].map(([g, keys]) => [[...keys].sort().join('\u0001'), g]));
  let id = nextId;
  let group = nextGroup;
  const withIds = fresh.map((r) => {
    const old = oldByKey.get(changeKey(r));
    return old ? { ...r, id: old.id, createdAt: old.createdAt, history: old.history } : { ...r, id: `r${id++}` };
  });
  const out: Recommendation[] = [];
  const units = groupTables(withIds).map((tables) => withIds.filter((r) => tables.includes(r.table)));
  units.sort((a, b) => groupBenefit(b) - groupBenefit(a) || (a[0]!.table < b[0]!.table ? -1 : 1));
  for (const members of units) {
    const keys = members.map(changeKey).sort().join('\u0001');
    const g = groupOfMembers.get(keys) ?? `g${group++}`;
    members.sort((a, b) => b.benefit.secondsPerDay - a.benefit.secondsPerDay || (a.id < b.id ? -1 : 1));
    for (const r of members) out.push({ ...r, group: g });
  }
  return { recommendations: out, nextId: id, nextGroup: group };
}

/** The members of `id`'s group (id may name a recommendation or a group). */
export function membersOf(all: readonly Recommendation[], id: string): Recommendation[] {
  const named = all.find((r) => r.id === id);
  const group = named ? named.group : id;
  return all.filter((r) => r.group === group);
}
