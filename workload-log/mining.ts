/**
 * Mining the workload: the recorded queries grouped by fingerprint, scan
 * predicates aggregated per table.column and operator, and the join graph's
 * edges. Works straight on the columnar parts (dictionary codes and typed
 * arrays), so a million records take well under a second once loaded
 * (docs/performance.md). This is the advisor's input.
 */
import { Interner, RecordReader, type WorkloadPart } from './columns.js';
import type { LogRecord } from './record.js';
import { WorkloadStore, type Warn } from './store.js';

export interface Workload {
  readonly parts: readonly WorkloadPart[];
  /** Per part, 1 for the rows selected; null when all are. */
  readonly masks: readonly (Uint8Array | null)[];
  /** Queries selected. */
  readonly queries: number;
}

export interface WorkloadFilter {
  /** Only queries that started at or after this time. */
  since?: Date | number | string;
  /** Only queries that started before this time. */
  until?: Date | number | string;
  /** Only the statements of this user (QueryRecord.user: the login, or the OS user of a local process). */
  user?: string;
}

export function timeMs(t: Date | number | string): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (Number.isNaN(ms)) throw new RangeError(`not a time: ${String(t)}`);
  return ms;
}

/** Selects the queries of `parts` that started in [since, until), of `user` when given. */
export function workloadOf(parts: readonly WorkloadPart[], filter: WorkloadFilter = {}): Workload {
  const since = filter.since === undefined ? -Infinity : timeMs(filter.since);
  const until = filter.until === undefined ? Infinity : timeMs(filter.until);
  let queries = 0;
  const masks = parts.map((p) => {
    const start = p.queries.startMs;
    if (since === -Infinity && until === Infinity && filter.user === undefined) {
      queries += start.length;
      return null;
    }
    // the user's code in this part's dictionary: -2 (matching no row) when the part has none of theirs
    const user = filter.user === undefined ? null : p.queries.user.dict.indexOf(filter.user);
    const userCode = user === -1 ? -2 : user;
    const mask = new Uint8Array(start.length);
    for (let i = 0; i < start.length; i++) {
      if (start[i]! >= since && start[i]! < until && (userCode === null || p.queries.user.codes[i] === userCode)) {
        mask[i] = 1;
        queries++;
      }
    }
    return mask;
  });
  return { parts, masks, queries };
}

/** Loads the recorded workload of a data directory (compacted chunks and raw segments). */
export function loadWorkload(dataDir: string, options: WorkloadFilter & { warn?: Warn } = {}): Workload {
  const store = new WorkloadStore(dataDir, options.warn ? { warn: options.warn } : {});
  const parts = store.parts(options.since === undefined ? {} : { sinceMs: timeMs(options.since) });
  return workloadOf(parts, options);
}

/** The selected records, oldest first (for export); with `newest`, only the last that many. */
export function* workloadRecords(w: Workload, options: { newest?: number } = {}): Generator<LogRecord> {
  const parts: number[] = [];
  const rows: number[] = [];
  const starts: number[] = [];
  w.parts.forEach((p, k) => {
    const mask = w.masks[k];
    for (let i = 0; i < p.queries.length; i++) {
      if (mask && !mask[i]) continue;
      parts.push(k);
      rows.push(i);
      starts.push(p.queries.startMs[i]!);
    }
  });
  const order = Uint32Array.from(starts.keys()).sort((a, b) => starts[a]! - starts[b]! || a - b);
  const readers = w.parts.map((p) => new RecordReader(p));
  const from = options.newest === undefined ? 0 : Math.max(0, order.length - options.newest);
  for (let k = from; k < order.length; k++) yield readers[parts[order[k]!]!]!.at(rows[order[k]!]!);
}

// ------------------------------------------------------------ fingerprints

export interface FingerprintStats {
  readonly fingerprint: string;
  readonly count: number;
  readonly errors: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly maxMs: number;
  readonly rowsReturned: number;
  readonly rowsMoved: number;
  readonly bytesMoved: number;
  readonly blocksScanned: number;
  readonly blocksSkipped: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The text of the latest query with this fingerprint. */
  readonly sampleSql: string;
}

export type FingerprintOrder = 'totalTime' | 'count' | 'bytesMoved';

/** Every fingerprint's totals, in no particular order. */
export function fingerprintStats(w: Workload): FingerprintStats[] {
  const fps = new Interner();
  const acc: { count: number; errors: number; totalMs: number; maxMs: number; rowsReturned: number; rowsMoved: number; bytesMoved: number; blocksScanned: number; blocksSkipped: number; first: number; last: number; part: number; row: number }[] = [];
  w.parts.forEach((part, k) => {
    const q = part.queries;
    const mask = w.masks[k];
    const remap = fps.remap(q.fingerprint);
    const codes = q.fingerprint.codes;
    for (let i = 0; i < q.length; i++) {
      if (mask && !mask[i]) continue;
      const g = remap[codes[i]!]!;
      let a = acc[g];
      if (!a) a = acc[g] = { count: 0, errors: 0, totalMs: 0, maxMs: 0, rowsReturned: 0, rowsMoved: 0, bytesMoved: 0, blocksScanned: 0, blocksSkipped: 0, first: Infinity, last: -Infinity, part: k, row: i };
      const d = q.durationMs[i]!;
      const t = q.startMs[i]!;
      a.count++;
      a.errors += q.status[i]!;
      a.totalMs += d;
      if (d > a.maxMs) a.maxMs = d;
      a.rowsReturned += q.rowsReturned[i]!;
      a.rowsMoved += q.rowsMoved[i]!;
      a.bytesMoved += q.bytesMoved[i]!;
      a.blocksScanned += q.blocksScanned[i]!;
      a.blocksSkipped += q.blocksSkipped[i]!;
      if (t < a.first) a.first = t;
      if (t >= a.last) {
        a.last = t;
        a.part = k;
        a.row = i;
      }
    }
  });
  const out: FingerprintStats[] = [];
  acc.forEach((a, g) => {
    if (!a) return;
    const part = w.parts[a.part]!;
    out.push({
      fingerprint: fps.values[g]!,
      count: a.count,
      errors: a.errors,
      totalMs: a.totalMs,
      meanMs: a.totalMs / a.count,
      maxMs: a.maxMs,
      rowsReturned: a.rowsReturned,
      rowsMoved: a.rowsMoved,
      bytesMoved: a.bytesMoved,
      blocksScanned: a.blocksScanned,
      blocksSkipped: a.blocksSkipped,
      firstSeen: new Date(a.first).toISOString(),
      lastSeen: new Date(a.last).toISOString(),
      get sampleSql() {
        return part.queries.sql.get(a.row) ?? '';
      },
    });
  });
  return out;
}

/** One user's statements: how many, how long they ran, and how long they waited in keel serve's queue. */
export interface UserStats {
  readonly user: string;
  /** The catalog user's id (sys_query_history.user_id), null for the data directory's owner. */
  readonly userId: number | null;
  readonly statements: number;
  readonly errors: number;
  readonly sessions: number;
  readonly totalMs: number;
  /** Summed over the statements that went through a queue. */
  readonly queueMs: number;
}

/** Every user's totals, the most total time first. */
export function userStats(w: Workload): UserStats[] {
  const users = new Map<string, { userId: number | null; statements: number; errors: number; sessions: Set<string>; totalMs: number; queueMs: number }>();
  w.parts.forEach((part, k) => {
    const q = part.queries;
    const mask = w.masks[k];
    for (let i = 0; i < q.length; i++) {
      if (mask && !mask[i]) continue;
      const name = q.user.dict[q.user.codes[i]!] ?? '';
      let u = users.get(name);
      if (!u) users.set(name, (u = { userId: null, statements: 0, errors: 0, sessions: new Set(), totalMs: 0, queueMs: 0 }));
      if (!Number.isNaN(q.userId[i]!)) u.userId = q.userId[i]!;
      u.statements++;
      u.errors += q.status[i]!;
      const s = q.session.codes[i]!;
      if (s >= 0) u.sessions.add(q.session.dict[s]!);
      u.totalMs += q.durationMs[i]!;
      if (!Number.isNaN(q.queueMs[i]!)) u.queueMs += q.queueMs[i]!;
    }
  });
  return [...users]
    .map(([user, u]) => ({ user, userId: u.userId, statements: u.statements, errors: u.errors, sessions: u.sessions.size, totalMs: u.totalMs, queueMs: u.queueMs }))
    .sort((a, b) => b.totalMs - a.totalMs || (a.user < b.user ? -1 : 1));
}

const ORDER: Record<FingerprintOrder, (s: FingerprintStats) => number> = {
  totalTime: (s) => s.totalMs,
  count: (s) => s.count,
  bytesMoved: (s) => s.bytesMoved,
};

/** The fingerprints with the most total time, executions or bytes moved. */
export function topFingerprints(w: Workload, options: { by?: FingerprintOrder; limit?: number } = {}, all = fingerprintStats(w)): FingerprintStats[] {
  const key = ORDER[options.by ?? 'totalTime'];
  return [...all].sort((a, b) => key(b) - key(a) || b.count - a.count || (a.fingerprint < b.fingerprint ? -1 : 1)).slice(0, options.limit ?? 10);
}

// ------------------------------------------------------------ scan predicates

export interface PredicateStats {
  readonly table: string;
  readonly column: string;
  readonly op: string;
  /** Times the predicate appeared (in any scan of any query). */
  readonly count: number;
  /** Queries with at least one such predicate. */
  readonly queries: number;
  /** Distinct fingerprints among them. */
  readonly fingerprints: number;
  /** Time of those queries, in ms. */
  readonly totalMs: number;
  readonly meanEstSelectivity: number;
  /** Mean over the scans that measured it; null when none did. */
  readonly meanActualSelectivity: number | null;
  /** Blocks of the scans with this predicate. */
  readonly blocksTotal: number;
  readonly blocksScanned: number;
  readonly blocksSkipped: number;
}

/** Scan predicates per table, column and operator, most frequent first. */
export function scanPredicateStats(w: Workload): PredicateStats[] {
  const names = new Interner();
  const keys = new Map<string, number>();
  const acc: {
    table: number; column: number; op: number; count: number; queries: number; fps: Set<number>; totalMs: number;
    est: number; actual: number; measured: number; blocksTotal: number; blocksScanned: number; blocksSkipped: number;
    lastQuery: number; lastScan: number;
  }[] = [];
  let queryBase = 0;
  let scanBase = 0;
  w.parts.forEach((part, k) => {
    const { queries: q, scans: s, predicates: p } = part;
    const mask = w.masks[k];
    const tRemap = names.remap(s.table);
    const cRemap = names.remap(p.column);
    const oRemap = names.remap(p.op);
    const fRemap = names.remap(q.fingerprint);
    const local = new Map<number, number>();
    const nc = p.column.dict.length + 1;
    const no = p.op.dict.length + 1;
    for (let m = 0; m < p.length; m++) {
      const scan = p.scan[m]!;
      const qi = s.query[scan]!;
      if (mask && !mask[qi]) continue;
      const tc = s.table.codes[scan]!;
      const cc = p.column.codes[m]!;
      const oc = p.op.codes[m]!;
      const lk = (tc * nc + cc) * no + oc;
      let g = local.get(lk);
      if (g === undefined) {
        const t = tRemap[tc]!;
        const c = cRemap[cc]!;
        const o = oRemap[oc]!;
        const sk = `${t}\u0000${c}\u0000${o}`;
        g = keys.get(sk);
        if (g === undefined) {
          keys.set(sk, (g = acc.length));
          acc.push({ table: t, column: c, op: o, count: 0, queries: 0, fps: new Set(), totalMs: 0, est: 0, actual: 0, measured: 0, blocksTotal: 0, blocksScanned: 0, blocksSkipped: 0, lastQuery: -1, lastScan: -1 });
        }
        local.set(lk, g);
      }
      const a = acc[g]!;
      a.count++;
      a.est += p.estSelectivity[m]!;
      const act = p.actualSelectivity[m]!;
      if (!Number.isNaN(act)) {
        a.actual += act;
        a.measured++;
      }
      if (a.lastScan !== scanBase + scan) {
        a.lastScan = scanBase + scan;
        a.blocksTotal += s.blocksTotal[scan]!;
        a.blocksScanned += s.blocksScanned[scan]!;
        a.blocksSkipped += s.blocksSkipped[scan]!;
      }
      if (a.lastQuery !== queryBase + qi) {
        a.lastQuery = queryBase + qi;
        a.queries++;
        a.totalMs += q.durationMs[qi]!;
        a.fps.add(fRemap[q.fingerprint.codes[qi]!]!);
      }
    }
    queryBase += q.length;
    scanBase += s.length;
  });
  return acc
    .map((a) => ({
      table: names.values[a.table]!,
      column: names.values[a.column]!,
      op: names.values[a.op]!,
      count: a.count,
      queries: a.queries,
      fingerprints: a.fps.size,
      totalMs: a.totalMs,
      meanEstSelectivity: a.est / a.count,
      meanActualSelectivity: a.measured ? a.actual / a.measured : null,
      blocksTotal: a.blocksTotal,
      blocksScanned: a.blocksScanned,
      blocksSkipped: a.blocksSkipped,
    }))
    .sort((x, y) => y.count - x.count || y.totalMs - x.totalMs);
}

// ------------------------------------------------------------ join edges

export interface JoinEdge {
  /** table.column, the lesser of the two (edges are undirected). */
  readonly left: string;
  readonly right: string;
  readonly count: number;
  readonly queries: number;
  readonly fingerprints: number;
  readonly totalMs: number;
  /** Input rows on each side, summed. */
  readonly leftRows: number;
  readonly rightRows: number;
  readonly rowsMoved: number;
  readonly bytesMoved: number;
  /** Joins per distribution action (DS_DIST_NONE, DS_BCAST_INNER, ...). */
  readonly actions: Readonly<Record<string, number>>;
  /** Joins per join type (inner, left, semi, ...). */
  readonly types: Readonly<Record<string, number>>;
}

/** The join graph's edges (table.column pairs), most bytes moved first. */
export function joinEdges(w: Workload): JoinEdge[] {
  const names = new Interner();
  const keys = new Map<string, number>();
  const acc: {
    left: number; right: number; count: number; queries: number; fps: Set<number>; totalMs: number;
    leftRows: number; rightRows: number; rowsMoved: number; bytesMoved: number; actions: number[]; types: number[]; lastQuery: number;
  }[] = [];
  let queryBase = 0;
  w.parts.forEach((part, k) => {
    const { queries: q, joins: j } = part;
    const mask = w.masks[k];
    const lRemap = names.remap(j.left);
    const rRemap = names.remap(j.right);
    const aRemap = names.remap(j.action);
    const tRemap = names.remap(j.type);
    const fRemap = names.remap(q.fingerprint);
    // per part, (left code, right code) -> edge and whether its sides are swapped; -1 for no edge
    const local = new Map<number, number>();
    const nr = j.right.dict.length + 1;
    for (let m = 0; m < j.length; m++) {
      const qi = j.query[m]!;
      if (mask && !mask[qi]) continue;
      const lc = j.left.codes[m]!;
      const rc = j.right.codes[m]!;
      if (lc < 0 || rc < 0) continue;
      const lk = lc * nr + rc;
      let e = local.get(lk);
      if (e === undefined) {
        let l = lRemap[lc]!;
        let r = rRemap[rc]!;
        const ln = names.values[l]!;
        const rn = names.values[r]!;
        if (ln === '' || rn === '') e = -1;
        else {
          const swap = rn < ln;
          if (swap) [l, r] = [r, l];
          const sk = `${l}\u0000${r}`;
          let g = keys.get(sk);
          if (g === undefined) {
            keys.set(sk, (g = acc.length));
            acc.push({ left: l, right: r, count: 0, queries: 0, fps: new Set(), totalMs: 0, leftRows: 0, rightRows: 0, rowsMoved: 0, bytesMoved: 0, actions: [], types: [], lastQuery: -1 });
          }
          e = g * 2 + (swap ? 1 : 0);
        }
        local.set(lk, e);
      }
      if (e < 0) continue;
      const swap = (e & 1) === 1;
      const a = acc[e >> 1]!;
      a.count++;
      a.leftRows += swap ? j.rightRows[m]! : j.leftRows[m]!;
      a.rightRows += swap ? j.leftRows[m]! : j.rightRows[m]!;
      a.rowsMoved += j.rowsMoved[m]!;
      a.bytesMoved += j.bytesMoved[m]!;
      const act = aRemap[j.action.codes[m]!]!;
      a.actions[act] = (a.actions[act] ?? 0) + 1;
      const typ = tRemap[j.type.codes[m]!]!;
      a.types[typ] = (a.types[typ] ?? 0) + 1;
      if (a.lastQuery !== queryBase + qi) {
        a.lastQuery = queryBase + qi;
        a.queries++;
        a.totalMs += q.durationMs[qi]!;
        a.fps.add(fRemap[q.fingerprint.codes[qi]!]!);
      }
    }
    queryBase += q.length;
  });
  const counts = (m: number[]) => Object.fromEntries(m.flatMap((v, k) => (v ? [[names.values[k]!, v]] : [])));
  return acc
    .map((a) => ({
      left: names.values[a.left]!,
      right: names.values[a.right]!,
      count: a.count,
      queries: a.queries,
      fingerprints: a.fps.size,
      totalMs: a.totalMs,
      leftRows: a.leftRows,
      rightRows: a.rightRows,
      rowsMoved: a.rowsMoved,
      bytesMoved: a.bytesMoved,
      actions: counts(a.actions),
      types: counts(a.types),
    }))
    .sort((x, y) => y.bytesMoved - x.bytesMoved || y.count - x.count);
}
