/**
 * A migration script for a Redshift cluster (`keel advisor apply --all
 * --dialect redshift`): the proposed recommendations as the ALTER TABLE
 * statements Redshift accepts, group by group (the unit that only pays whole,
 * as Redshift's group_id), best estimated benefit first, each group and change
 * with a comment giving its evidence and benefit; and the inverse script that
 * puts every changed setting back, groups in the opposite order.
 *
 * Changes to settings the user wrote in DDL (userSet) are listed as advice,
 * commented out, unless asked for; so are changes Redshift has no ALTER for
 * (an INTERLEAVED sort key is CREATE-only there). Nothing here touches a data
 * directory: the script is text.
 */
import type { Recommendation } from '../recommendations/types.js';
import { groupBenefit } from '../recommendations/groups.js';
import { ident, snapshotFromCurrent } from '../autonomics/layout.js';
import type { LayoutSnapshot } from '../autonomics/types.js';

/** One statement of the script, with the recommendation it comes from. */
export interface ScriptStatement {
  readonly id: string;
  readonly group: string;
  readonly table: string;
  readonly kind: Recommendation['kind'];
  readonly sql: string;
}

/** A change the script lists and does not run, with why. */
export interface ScriptAdvice {
  readonly id: string;
  readonly group: string;
  readonly table: string;
  readonly kind: Recommendation['kind'];
  readonly current: string;
  readonly proposed: string;
  /** The statement that would apply it, when Redshift has one. */
  readonly sql: string | null;
  readonly why: 'user-set' | 'no-alter';
}

export interface ScriptGroup {
  readonly group: string;
  readonly tables: readonly string[];
  readonly secondsPerDay: number;
  readonly secondsPerDayError: number;
  readonly percent: number;
  readonly members: readonly string[];
}

export interface MigrationScript {
  /** The script that applies the changes, and the one that undoes them. */
  readonly forward: string;
  readonly inverse: string;
  /** Groups in the order the script applies them (best benefit first). */
  readonly groups: readonly ScriptGroup[];
  readonly statements: readonly ScriptStatement[];
  readonly inverseStatements: readonly ScriptStatement[];
  readonly advice: readonly ScriptAdvice[];
}

export interface MigrationOptions {
  /** Emit changes to settings the user wrote in DDL too (default: listed as advice only). */
  readonly includeUserSet?: boolean;
  /** Where the workload came from, for the header. */
  readonly source: string;
  readonly now?: Date;
}

const sortList = (cols: readonly string[]) => cols.map(ident).join(', ');

/** The statement that applies `r` on Redshift, or null when Redshift has no ALTER for it. */
export function redshiftAlter(r: Pick<Recommendation, 'table' | 'kind' | 'proposed' | 'ddl'>): string | null {
  const t = `ALTER TABLE ${ident(r.table)}`;
  switch (r.kind) {
    case 'distkey':
    case 'diststyle': {
      const snap = snapshotFromCurrent({ table: r.table, kind: r.kind, current: r.proposed, ddl: r.ddl });
      return snap.distStyle === 'key' ? `${t} ALTER DISTSTYLE KEY DISTKEY ${ident(snap.distKey!)}` : `${t} ALTER DISTSTYLE ${snap.distStyle.toUpperCase()}`;
    }
    case 'sortkey': {
      const snap = snapshotFromCurrent({ table: r.table, kind: r.kind, current: r.proposed, ddl: r.ddl });
      if (snap.sortStyle === 'interleaved') return null;
      return snap.sortKey.length ? `${t} ALTER COMPOUND SORTKEY (${sortList(snap.sortKey)})` : `${t} ALTER SORTKEY NONE`;
    }
    case 'encoding':
      // the advisor's own DDL is already Redshift's: ALTER TABLE t ALTER COLUMN c ENCODE e
      return r.ddl;
  }
}

/**
 * The statements that put back what `r` changes, read from its `current`
 * setting. An AUTO setting goes back to AUTO: the key it held first (a sort
 * key, since ALTER SORTKEY AUTO keeps the key it finds), then AUTO. An
 * encoding the engine chose goes back with ALTER ENCODE AUTO, Redshift's only
 * way back to AUTO (it hands every column of the table to AUTO, as they were
 * while the table was ENCODE AUTO). Null when Redshift cannot put it back by
 * ALTER (an INTERLEAVED sort key).
 */
export function redshiftInverse(r: Pick<Recommendation, 'table' | 'kind' | 'current' | 'ddl'>): string[] | null {
  const t = `ALTER TABLE ${ident(r.table)}`;
  const snap: LayoutSnapshot = snapshotFromCurrent(r);
  const auto = /^AUTO\(/i.test(r.current.trim());
  switch (r.kind) {
    case 'distkey':
    case 'diststyle':
      if (auto) return [`${t} ALTER DISTSTYLE AUTO`];
      return [snap.distStyle === 'key' ? `${t} ALTER DISTSTYLE KEY DISTKEY ${ident(snap.distKey!)}` : `${t} ALTER DISTSTYLE ${snap.distStyle.toUpperCase()}`];
    case 'sortkey': {
      if (snap.sortStyle === 'interleaved') return null;
      const key = snap.sortKey.length ? `${t} ALTER COMPOUND SORTKEY (${sortList(snap.sortKey)})` : `${t} ALTER SORTKEY NONE`;
      return auto ? [key, `${t} ALTER SORTKEY AUTO`] : [key];
    }
    case 'encoding': {
      const cols = Object.entries(snap.encodings);
      if (cols.length === 0) return null;
      if (cols.every(([, e]) => !e.explicit)) return [`${t} ALTER ENCODE AUTO`];
      return cols.map(([c]) => `${t} ALTER COLUMN ${ident(c)} ENCODE ${r.current.trim().replace(/^ENCODE\s+/i, '').toUpperCase()}`);
    }
  }
}

function wrap(text: string, width = 94): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

/** The evidence of a recommendation in a few comment lines: the joins or scans behind it, the query shapes that drive it. */
function evidenceLines(r: Recommendation): string[] {
  const out: string[] = [];
  if (r.kind === 'distkey' || r.kind === 'diststyle') {
    const edges = r.evidence.edges.slice(0, 4);
    if (edges.length) out.push(`joins: ${edges.map((e) => `${e.edge} (${e.count} executions)`).join(', ')}`);
  } else if (r.kind === 'sortkey') {
    const s = r.evidence.sortKey;
    out.push(`scans would read ${(s.after.fraction * 100).toFixed(1)}% of their blocks instead of ${(s.before.fraction * 100).toFixed(1)}% (${s.scans} scan executions${s.importedStats ? ', judged on the imported column statistics' : ''})`);
  } else if (r.kind === 'encoding') {
    const e = r.evidence.encoding;
    out.push(`column ${e.column}: about ${e.tableBytes.current} -> ${e.tableBytes.proposed} bytes`);
  }
  const fps = r.evidence.fingerprints;
  if (fps.length) {
    const runs = fps.reduce((s, f) => s + f.count, 0);
    out.push(`driven by ${runs} executions of ${fps.length} query shape${fps.length === 1 ? '' : 's'}, most frequent:`);
    for (const f of fps.slice(0, 3)) out.push(`  ${f.count}x ${f.fingerprint.replace(/\s+/g, ' ').slice(0, 100)}`);
  }
  return out;
}

const benefitText = (b: { secondsPerDay: number; secondsPerDayError: number; percent: number }) =>
  `${b.secondsPerDay} ± ${b.secondsPerDayError} s/day (${b.percent}% of the logged workload's time)`;

/** The migration script of `recs` (the proposed ones; others are left out) and its inverse. */
export function redshiftMigration(recs: readonly Recommendation[], o: MigrationOptions): MigrationScript {
  const proposed = recs.filter((r) => r.status === 'proposed');
  const byGroup = new Map<string, Recommendation[]>();
  for (const r of proposed) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
  const ordered = [...byGroup.entries()].sort(([ga, a], [gb, b]) => groupBenefit(b) - groupBenefit(a) || (ga < gb ? -1 : ga > gb ? 1 : 0));
  const groups: ScriptGroup[] = [];
  const statements: ScriptStatement[] = [];
  const inverseStatements: ScriptStatement[] = [];
  const advice: ScriptAdvice[] = [];
  const at = (o.now ?? new Date()).toISOString();
  const fwd: string[] = [
    `-- Table layout changes recommended by the keel advisor for the workload of ${o.source}`,
    `-- generated ${at}.`,
    '--',
    '-- Groups are applied whole (each is a table with its co-located partners: its changes only pay together),',
    '-- the best estimated benefit first. Run each statement on its own (psql -f this file), not inside',
    '-- BEGIN ... END: Redshift does not run ALTER DISTSTYLE / DISTKEY / SORTKEY in a transaction block.',
    '-- Each one rewrites its table on the cluster in the background. The inverse script undoes them.',
    '-- Check the result with: SELECT "table", diststyle, sortkey1 FROM svv_table_info;',
  ];
  const inv: string[] = [
    `-- Undoes the keel advisor's migration script for ${o.source} (generated ${at}):`,
    '-- puts back every setting it changes, groups in the opposite order. Run each statement on its own.',
  ];
  const invBlocks: string[][] = [];
  for (const [group, members] of ordered) {
    const b = { secondsPerDay: round3(members.reduce((s, r) => s + r.benefit.secondsPerDay, 0)), secondsPerDayError: round3(members.reduce((s, r) => s + r.benefit.secondsPerDayError, 0)), percent: round2(members.reduce((s, r) => s + r.benefit.percent, 0)) };
    const tables = [...new Set(members.map((r) => r.table))].sort();
    groups.push({ group, tables, ...b, members: members.map((r) => r.id) });
    fwd.push('', `-- ===== group ${group}: ${tables.join(', ')}; estimated ${benefitText(b)}`);
    const block: string[] = [];
    const undone = new Set<string>();
    for (const r of members) {
      const sql = redshiftAlter(r);
      const userHeld = r.userSet && !o.includeUserSet;
      fwd.push(`-- ${r.id} (group ${group}): ${r.table} ${r.kind} ${r.current} -> ${r.proposed}, estimated ${benefitText(r.benefit)}${r.evidence.shadow ? `; shadow-measured time x${r.evidence.shadow.timeRatio.estimate.toFixed(2)}` : ''}`);
      for (const l of [...wrap(r.reason), ...evidenceLines(r)]) fwd.push(`--   ${l}`);
      if (sql === null || userHeld) {
        const why = sql === null ? 'no-alter' : 'user-set';
        advice.push({ id: r.id, group, table: r.table, kind: r.kind, current: r.current, proposed: r.proposed, sql, why });
        fwd.push(
          why === 'user-set'
            ? `-- advice only: ${r.table}'s ${r.kind} was written in its DDL; --include-user-set emits it:`
            : `-- advice only: Redshift alters sort keys to COMPOUND ones only; an INTERLEAVED key needs a deep copy (CREATE TABLE ... INTERLEAVED SORTKEY (...); INSERT INTO ... SELECT; rename).`,
        );
        if (sql) fwd.push(`-- ${sql};`);
        continue;
      }
      fwd.push(`${sql};`);
      statements.push({ id: r.id, group, table: r.table, kind: r.kind, sql });
      const back = redshiftInverse(r);
      if (back === null) {
        block.unshift(`-- ${r.id}: ${r.table}'s ${r.kind} was ${r.current}, which Redshift cannot set by ALTER (an INTERLEAVED key needs a deep copy).`);
        continue;
      }
      // ALTER ENCODE AUTO puts a whole table back: once per table
      const fresh = back.filter((s) => !undone.has(s));
      for (const s of fresh) undone.add(s);
      if (fresh.length === 0) continue;
      block.unshift(`-- ${r.id}: ${r.table} ${r.kind} back to ${r.current}`, ...fresh.map((s) => `${s};`));
      inverseStatements.unshift(...fresh.map((s) => ({ id: r.id, group, table: r.table, kind: r.kind, sql: s })));
    }
    invBlocks.unshift(['', `-- ===== group ${group}: ${tables.join(', ')}`, ...block]);
  }
  // the inverse statements run group by group in reverse, each group's members in reverse
  const order = new Map(ordered.map(([g], i) => [g, i]));
  inverseStatements.sort((a, b) => order.get(b.group)! - order.get(a.group)!);
  if (ordered.length === 0) fwd.push('', '-- No proposed recommendation: nothing to change.');
  return { forward: fwd.join('\n') + '\n', inverse: [...inv, ...invBlocks.flat()].join('\n') + '\n', groups, statements, inverseStatements, advice };
}

/** Where a script's inverse is written: tune.sql -> tune.undo.sql; any other name gets .undo.sql appended. */
export function undoPath(file: string): string {
  return /\.sql$/i.test(file) ? file.replace(/\.sql$/i, '.undo.sql') : `${file}.undo.sql`;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const round2 = (x: number) => Math.round(x * 100) / 100;
