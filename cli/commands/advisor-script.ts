/**
 * `keel advisor apply --dry-run [--dialect redshift]`: the DDL of the
 * recommendations as a script. The Redshift script is for running on a
 * cluster whose workload was imported (keel log import --format redshift):
 * one statement per recommendation, each preceded by comments with what it
 * changes, the estimated benefit and the evidence, so a reviewer can judge it.
 */
import type { Recommendation } from '../../advisor/index.js';

function evidenceLines(r: Recommendation): string[] {
  const ev = r.evidence as { fingerprints?: readonly { fingerprint: string; count: number; bytesMoved?: number }[]; edges?: readonly { edge: string; count: number }[] };
  const out: string[] = [];
  if (ev?.edges?.length) out.push(`joins: ${ev.edges.slice(0, 4).map((e) => `${e.edge} (${e.count} executions)`).join(', ')}`);
  const fps = ev?.fingerprints ?? [];
  if (fps.length) {
    const runs = fps.reduce((s, f) => s + f.count, 0);
    out.push(`driven by ${runs} executions of ${fps.length} query shape${fps.length === 1 ? '' : 's'}, most frequent:`);
    for (const f of fps.slice(0, 3)) out.push(`  ${f.count}x ${f.fingerprint.replace(/\s+/g, ' ').slice(0, 110)}`);
  }
  return out;
}

function wrapComment(text: string, width = 96): string[] {
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

/** A SQL script of the recommendations' DDL with comments; `redshift` adds the evidence and how to run it on a cluster. */
export function ddlScript(recs: readonly Recommendation[], options: { dialect: 'keel' | 'redshift'; source: string; now?: Date }): string {
  const at = (options.now ?? new Date()).toISOString();
  const lines: string[] = [];
  if (options.dialect === 'redshift') {
    lines.push(
      `-- Table layout changes recommended by the keel advisor for the workload of ${options.source}`,
      `-- generated ${at}: ${recs.length} statement${recs.length === 1 ? '' : 's'}.`,
      '--',
      '-- Run each statement on its own (for example psql -f this file), not inside BEGIN ... END:',
      '-- Redshift does not run ALTER DISTSTYLE / ALTER DISTKEY / ALTER SORTKEY in a transaction block.',
      '-- Each one rewrites its table on the cluster, which takes a while on a large table.',
      '-- Check the result with: SELECT "table", diststyle, sortkey1 FROM svv_table_info;',
      '',
    );
  } else {
    lines.push(`-- keel advisor: ${recs.length} change${recs.length === 1 ? '' : 's'} for ${options.source} (${at}); nothing was applied`);
  }
  for (const r of recs) {
    const b = r.benefit;
    lines.push(
      `-- ${r.id} (group ${r.group}): ${r.table} ${r.kind} ${r.current} -> ${r.proposed}, estimated ${b.secondsPerDay} ± ${b.secondsPerDayError} s/day (${b.percent}% of the logged workload's time)` +
        `${r.evidence.shadow ? `; shadow-measured time x${r.evidence.shadow.timeRatio.estimate.toFixed(2)}` : ''}${r.userSet ? ' (the current setting was written in DDL)' : ''}`,
    );
    if (options.dialect === 'redshift') {
      for (const l of [...wrapComment(r.reason), ...evidenceLines(r)]) lines.push(`--   ${l}`);
    }
    lines.push(...r.ddl.split(';').map((s) => s.trim()).filter(Boolean).map((s) => `${s};`), '');
  }
  return lines.join('\n');
}
