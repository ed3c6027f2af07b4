/**
 * The logged scans a sort key can help: per table, every distinct conjunction
 * of scan predicates (column, operator, literal) with how often it ran, the
 * fingerprints behind it and what those scans read. Mined straight from the
 * workload log's columnar parts, like workload-log/mining.ts.
 */
import type { Codes, Workload } from '../../workload-log/index.js';

const str = (c: Codes, i: number): string | null => {
  const code = c.codes[i]!;
  return code < 0 ? null : c.dict[code]!;
};

export interface LoggedPredicate {
  readonly column: string;
  readonly op: string;
  /** The literal as logged (the first value of an IN list); null when not a literal comparison. */
  readonly literal: string | null;
}

export interface LoggedScan {
  readonly table: string;
  readonly predicates: readonly LoggedPredicate[];
  /** Executions of this scan shape (with these literals). */
  count: number;
  /** Sum over executions of the logged blocks (column blocks: blocks times columns read). */
  blocksTotal: number;
  blocksScanned: number;
  rowsScanned: number;
  /** Executions per fingerprint. */
  readonly fingerprints: Map<string, number>;
}

function predicateKey(p: LoggedPredicate): string {
  return `${p.column}\u0001${p.op}\u0001${p.literal ?? '\u0002'}`;
}

/** Every logged scan with at least one predicate, grouped by table and predicate set (order-independent). */
export function loggedScans(w: Workload): LoggedScan[] {
  const groups = new Map<string, LoggedScan>();
  w.parts.forEach((part, k) => {
    const { queries: q, scans: s, predicates: p } = part;
    const mask = w.masks[k];
    // predicates are stored scan by scan; collect each scan's list, then group
    const perScan = new Map<number, LoggedPredicate[]>();
    for (let m = 0; m < p.length; m++) {
      const scan = p.scan[m]!;
      if (mask && !mask[s.query[scan]!]) continue;
      let list = perScan.get(scan);
      if (!list) perScan.set(scan, (list = []));
      list.push({ column: str(p.column, m) ?? '', op: str(p.op, m) ?? '', literal: str(p.literal, m) });
    }
    for (const [scan, preds] of perScan) {
      const table = str(s.table, scan) ?? '';
      if (!table) continue;
      preds.sort((a, b) => (predicateKey(a) < predicateKey(b) ? -1 : 1));
      const key = `${table}\u0000${preds.map(predicateKey).join('\u0000')}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { table, predicates: preds, count: 0, blocksTotal: 0, blocksScanned: 0, rowsScanned: 0, fingerprints: new Map() }));
      g.count++;
      g.blocksTotal += s.blocksTotal[scan]!;
      g.blocksScanned += s.blocksScanned[scan]!;
      g.rowsScanned += s.rowsScanned[scan]!;
      const fp = str(q.fingerprint, s.query[scan]!) ?? '';
      g.fingerprints.set(fp, (g.fingerprints.get(fp) ?? 0) + 1);
    }
  });
  return [...groups.values()];
}
