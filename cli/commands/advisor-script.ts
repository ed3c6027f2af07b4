/**
 * `keel advisor apply --dry-run`: the DDL of the recommendations as a script,
 * one statement per recommendation under a comment with what it changes and
 * the estimated benefit. The Redshift migration script (--dialect redshift)
 * is advisor/migration/redshift-script.ts.
 */
import type { Recommendation } from '../../advisor/index.js';

/** A SQL script of the recommendations' DDL with comments. */
export function ddlScript(recs: readonly Recommendation[], options: { source: string; now?: Date }): string {
  const at = (options.now ?? new Date()).toISOString();
  const lines: string[] = [`-- keel advisor: ${recs.length} change${recs.length === 1 ? '' : 's'} for ${options.source} (${at}); nothing was applied`];
  for (const r of recs) {
    const b = r.benefit;
    lines.push(
      `-- ${r.id} (group ${r.group}): ${r.table} ${r.kind} ${r.current} -> ${r.proposed}, estimated ${b.secondsPerDay} ± ${b.secondsPerDayError} s/day (${b.percent}% of the logged workload's time)` +
        `${r.evidence.shadow ? `; shadow-measured time x${r.evidence.shadow.timeRatio.estimate.toFixed(2)}` : ''}${r.userSet ? ' (the current setting was written in DDL)' : ''}`,
    );
    lines.push(...r.ddl.split(';').map((s) => s.trim()).filter(Boolean).map((s) => `${s};`), '');
  }
  return lines.join('\n');
}
