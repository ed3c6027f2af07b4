/**
 * How the logged workload reads each column: scans that read it and the rows
 * they read, so an encoding's smaller size and slower or faster decoding can be
 * turned into time over the workload (the cost model's unit).
 */
import type { Workload } from '../../workload-log/index.js';

export interface ColumnReads {
  /** Scan executions that read the column. */
  scans: number;
  /** Rows those scans read (after block skipping). */
  rowsScanned: number;
}

/** Reads per "table.column". */
export function columnReads(w: Workload): Map<string, ColumnReads> {
  const out = new Map<string, ColumnReads>();
  w.parts.forEach((part, k) => {
    const s = part.scans;
    const mask = w.masks[k];
    // the column lists are dictionary-coded: split each distinct list once
    const lists = new Map<number, string[]>();
    for (let i = 0; i < s.length; i++) {
      if (mask && !mask[s.query[i]!]) continue;
      const tc = s.table.codes[i]!;
      const cc = s.columns.codes[i]!;
      if (tc < 0 || cc < 0) continue;
      let cols = lists.get(cc);
      if (!cols) lists.set(cc, (cols = s.columns.dict[cc]!.split(',').filter(Boolean)));
      const table = s.table.dict[tc]!;
      for (const c of cols) {
        const key = `${table}.${c}`;
        let r = out.get(key);
        if (!r) out.set(key, (r = { scans: 0, rowsScanned: 0 }));
        r.scans++;
        r.rowsScanned += s.rowsScanned[i]!;
      }
    }
  });
  return out;
}
