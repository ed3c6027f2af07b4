/**
 * The query shapes a change affects: the logged SELECTs that scan one of its
 * tables, per fingerprint with its executions, its latest statement and
 * every table that statement reads (the shadow copy needs them all).
 */
import type { Workload } from '../../workload-log/index.js';
import { tablesByQuery } from '../query-tables.js';

export interface AffectedShape {
  readonly fingerprint: string;
  /** The statement of its latest successful execution. */
  readonly sql: string;
  /** Successful executions in the mined log. */
  readonly count: number;
  /** Their logged time, summed (ms). */
  readonly ms: number;
  readonly tables: ReadonlySet<string>;
}

/** The heaviest `limit` shapes (by executions) that scan any of `tables`. */
export function affectedShapes(w: Workload, tables: ReadonlySet<string>, limit: number): AffectedShape[] {
  const shapes = new Map<string, { sql: string; latest: number; count: number; ms: number; tables: Set<string> }>();
  w.parts.forEach((p, k) => {
    const q = p.queries;
    const mask = w.masks[k];
    const tablesOf = tablesByQuery(p.scans);
    for (let i = 0; i < q.length; i++) {
      if ((mask && !mask[i]) || q.status[i] !== 0 || q.command.dict[q.command.codes[i]!] !== 'SELECT') continue;
      const read = tablesOf.get(i);
      if (!read || ![...read].some((t) => tables.has(t))) continue;
      const sql = q.sql.get(i);
      if (sql === null) continue;
      const fp = q.fingerprint.dict[q.fingerprint.codes[i]!] ?? sql;
      const start = q.startMs[i]!;
      let sh = shapes.get(fp);
      if (!sh) shapes.set(fp, (sh = { sql, latest: start, count: 0, ms: 0, tables: new Set() }));
      else if (start >= sh.latest) {
        sh.sql = sql;
        sh.latest = start;
      }
      sh.count++;
      sh.ms += q.durationMs[i]!;
      for (const t of read) sh.tables.add(t);
    }
  });
  return [...shapes.entries()]
    .map(([fingerprint, s]) => ({ fingerprint, sql: s.sql, count: s.count, ms: s.ms, tables: s.tables }))
    .sort((a, b) => b.count - a.count || (a.fingerprint < b.fingerprint ? -1 : 1))
    .slice(0, limit);
}
