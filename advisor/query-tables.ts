/** Which tables each logged query of a workload part scanned. */
import type { ScanColumns } from '../workload-log/index.js';

/** Per query (its index in the part), the tables its scans read. */
export function tablesByQuery(scans: ScanColumns): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (let j = 0; j < scans.length; j++) {
    const t = scans.table.dict[scans.table.codes[j]!];
    if (t === undefined) continue;
    let set = out.get(scans.query[j]!);
    if (!set) out.set(scans.query[j]!, (set = new Set()));
    set.add(t);
  }
  return out;
}
