/**
 * Twin tables: a table and its staging copy (`t_staging` or `stg_t` beside
 * `t`, or a pair the caller declares), which a load moves rows between with
 * ALTER TABLE t APPEND FROM t_staging. Redshift's APPEND needs both on the same
 * layout, so the advisor keeps them on one: every change it recommends for the
 * table is recommended for its copy too, in the same group, and changes it
 * would make to the copy alone are dropped (the copy follows its table).
 */
import type { Catalog, TableMeta } from '../engine/index.js';
import { describeStyle } from './join-graph.js';
import { currentSetting } from './storage-recommendations.js';
import type { Recommendation } from './recommendations/types.js';
import { ident } from './autonomics/layout.js';

/** Names that mark a staging copy of the table named by the captured part. */
const COPY_NAMES: readonly RegExp[] = [/^(.+)_staging$/, /^stg_(.+)$/];

/** Copy -> table, for every copy whose table exists (by name, or declared as [table, copy]). */
export function twinsOf(catalog: Catalog, declared: readonly (readonly [string, string])[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of Object.keys(catalog.tables).sort()) {
    for (const re of COPY_NAMES) {
      const m = re.exec(name);
      if (m && catalog.tables[m[1]!] && m[1] !== name) out.set(name, m[1]!);
    }
  }
  for (const [table, copy] of declared) if (catalog.tables[table] && catalog.tables[copy] && table !== copy) out.set(copy, table);
  return out;
}

/** The setting a recommendation changes, as a family: the distribution, the sort key, or one column's encoding. */
function family(r: Recommendation): string {
  if (r.kind === 'distkey' || r.kind === 'diststyle') return 'distribution';
  if (r.kind === 'encoding') return `encoding:${r.evidence.encoding.column}`;
  return 'sortkey';
}

/** Columns a recommendation's proposal names (which the copy must have too). */
function columnsNamed(r: Recommendation): string[] {
  if (r.kind === 'distkey') return [r.proposed.replace(/^KEY\((.*)\)$/, '$1')];
  if (r.kind === 'sortkey') return r.proposed.replace(/^INTERLEAVED\((.*)\)$/, '$1').split(',').map((s) => s.trim()).filter((s) => s && s !== 'NONE');
  if (r.kind === 'encoding') return [r.evidence.encoding.column];
  return [];
}

/** `r` for the copy: its own current setting, the DDL naming it, no benefit of its own (it pays through its table). */
function mirrored(r: Recommendation, copy: TableMeta): Recommendation {
  const ddl = r.ddl.replace(/^ALTER TABLE (?:"(?:[^"]|"")+"|\S+)/gm, `ALTER TABLE ${ident(copy.name)}`);
  const current = r.kind === 'distkey' || r.kind === 'diststyle' ? describeStyle(copy) : currentSetting(copy, r);
  let userSet: boolean;
  if (r.kind === 'encoding') userSet = copy.columns.find((c) => c.name === r.evidence.encoding.column)?.encodingExplicit === true;
  else userSet = r.kind === 'sortkey' ? !copy.sortAuto : !copy.distAuto;
  return {
    ...r,
    table: copy.name,
    current,
    ddl,
    userSet,
    twinOf: r.table,
    benefit: { secondsPerDay: 0, secondsPerDayError: 0, percent: 0, bytes: 0 },
    reason: `${copy.name} is ${r.table}'s staging twin: it follows ${r.table}'s layout so that ALTER TABLE ${r.table} APPEND FROM ${copy.name} keeps working (Redshift's APPEND needs both on the same layout). For ${r.table}: ${r.reason}`,
  } as Recommendation;
}

/**
 * The recommendations with every table's changes mirrored onto its twin copy
 * (`twins`: copy -> table), and the copy's own changes to the same settings
 * dropped. A change is not mirrored when the copy lacks a column it names, or
 * already has the proposed setting.
 */
export function withTwins(recs: readonly Recommendation[], catalog: Catalog, twins: ReadonlyMap<string, string>): Recommendation[] {
  if (twins.size === 0) return [...recs];
  const copiesOf = new Map<string, string[]>();
  for (const [copy, table] of twins) copiesOf.set(table, [...(copiesOf.get(table) ?? []), copy]);
  const led = new Set<string>();
  const extra: Recommendation[] = [];
  for (const r of recs) {
    for (const copyName of copiesOf.get(r.table) ?? []) {
      const copy = catalog.tables[copyName];
      if (!copy) continue;
      led.add(`${copyName}\u0000${family(r)}`);
      if (!columnsNamed(r).every((c) => copy.columns.some((x) => x.name === c))) continue;
      const m = mirrored(r, copy);
      if (m.current.replace(/^AUTO\((.*)\)$/, '$1') !== r.proposed) extra.push(m);
    }
  }
  return [...recs.filter((r) => !(twins.has(r.table) && led.has(`${r.table}\u0000${family(r)}`))), ...extra];
}
