/**
 * The query shapes a change affects: the logged SELECTs that scan one of its
 * tables, per fingerprint with its executions, its latest statement and
 * every table that statement reads (the shadow copy needs them all); and the
 * statements the shadow proof runs for them, a few per shape.
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

/** Calls `f` for every successful logged SELECT that scans one of `tables`, in log order. */
function forEachAffected(w: Workload, tables: ReadonlySet<string>, f: (fingerprint: string, sql: string, start: number, ms: number, read: ReadonlySet<string>) => void): void {
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
      f(q.fingerprint.dict[q.fingerprint.codes[i]!] ?? sql, sql, q.startMs[i]!, q.durationMs[i]!, read);
    }
  });
}

/** The heaviest `limit` shapes (by executions) that scan any of `tables`. */
export function affectedShapes(w: Workload, tables: ReadonlySet<string>, limit: number): AffectedShape[] {
  const shapes = new Map<string, { sql: string; latest: number; count: number; ms: number; tables: Set<string> }>();
  forEachAffected(w, tables, (fp, sql, start, ms, read) => {
    let sh = shapes.get(fp);
    if (!sh) shapes.set(fp, (sh = { sql, latest: start, count: 0, ms: 0, tables: new Set() }));
    else if (start >= sh.latest) {
      sh.sql = sql;
      sh.latest = start;
    }
    sh.count++;
    sh.ms += ms;
    for (const t of read) sh.tables.add(t);
  });
  return [...shapes.entries()]
    .map(([fingerprint, s]) => ({ fingerprint, sql: s.sql, count: s.count, ms: s.ms, tables: s.tables }))
    .sort((a, b) => b.count - a.count || (a.fingerprint < b.fingerprint ? -1 : 1))
    .slice(0, limit);
}

/**
 * The statements the shadow proof runs for `shapes`: per shape up to `perShape`
 * of its logged statements, at evenly spaced executions (the latest always
 * among them), each weighted by its share of the shape's executions and time;
 * the same text twice is one statement with both shares. A fingerprint's
 * literals can change its plan: on the advisor suite's two-facts workload a
 * 90-day range of invoices joined to the account dimension moves the
 * dimension to the invoices' KEY, where a 30-day range broadcasts the
 * invoices under any key, so the latest statement alone (a 30-day range)
 * showed nothing of the KEY's saving (bytes moved -32% over the stream).
 */
export function shadowStatements(w: Workload, shapes: readonly AffectedShape[], perShape: number): AffectedShape[] {
  const per = Math.max(1, Math.floor(perShape));
  if (per === 1) return [...shapes];
  const byFingerprint = new Map(shapes.map((s, k) => [s.fingerprint, k]));
  // per shape: executions seen so far, and the texts drawn with how many of the drawn positions each holds
  const seen = new Int32Array(shapes.length);
  const drawn = shapes.map(() => new Map<string, number>());
  const positions = shapes.map((s) => {
    const n = Math.min(per, s.count);
    // the j-th of n evenly spaced executions, the last one the shape's latest
    return Int32Array.from({ length: n }, (_, j) => Math.floor(((j + 1) * s.count) / n) - 1);
  });
  const tables = new Set(shapes.flatMap((s) => [...s.tables]));
  forEachAffected(w, tables, (fp, sql) => {
    const k = byFingerprint.get(fp);
    if (k === undefined) return;
    const at = seen[k]++;
    const ps = positions[k]!;
    let hits = 0;
    for (let j = 0; j < ps.length; j++) if (ps[j] === at) hits++;
    if (hits > 0) drawn[k]!.set(sql, (drawn[k]!.get(sql) ?? 0) + hits);
  });
  return shapes.flatMap((s, k) => {
    const texts = drawn[k]!;
    // a log read in another order than it was mined (or an empty draw) falls back to the shape's latest statement alone
    if (texts.size === 0) return [s];
    const n = [...texts.values()].reduce((a, b) => a + b, 0);
    return [...texts.entries()].map(([sql, hits]) => ({ ...s, sql, count: (s.count * hits) / n, ms: (s.ms * hits) / n }));
  });
}
