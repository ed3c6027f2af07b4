/**
 * The ledger as it reads now: each automatic view's entry (ledger.ts) with
 * what the workload log and the catalog say of it at this moment: the
 * queries it answered (fingerprints and hits), the time they saved per day,
 * its refreshes and what they cost, its storage and its staleness. Shown by
 * `keel advisor views` and the system table svv_auto_mv_ledger.
 */
import { isViewFresh, materializedViews, type Batch, type Catalog, type RefreshEntry, type SqlType, type SystemTable } from '../../engine/index.js';
import { batchFromRows, type PhysicalValue } from '../../engine/rows.js';
import { loadWorkload, type Workload } from '../../workload-log/index.js';
import { measured, type ViewMeasure } from './decide.js';
import { readLedger, type AutoViewEntry } from './ledger.js';

export interface ViewHits {
  hits: number;
  ms: number;
  readonly fingerprints: Map<string, { hits: number; ms: number }>;
}

/** Per view table in `tables`: the successful queries (not the advisor's own) that read it, per fingerprint. */
export function viewHits(w: Workload, tables: readonly string[]): Map<string, ViewHits> {
  const out = new Map<string, ViewHits>(tables.map((t) => [t, { hits: 0, ms: 0, fingerprints: new Map() }]));
  w.parts.forEach((part, k) => {
    const mask = w.masks[k];
    const q = part.queries;
    const s = part.scans;
    const codeOf = tables.map((t) => s.table.dict.indexOf(t));
    if (codeOf.every((c) => c < 0)) return;
    const advisor = q.source.dict.indexOf('advisor');
    // per scan table code: which view (index into tables), -1 for none
    const which = new Int32Array(s.table.dict.length).fill(-1);
    codeOf.forEach((c, v) => {
      if (c >= 0) which[c] = v;
    });
    let lastQuery = -1;
    let lastView = -1;
    for (let i = 0; i < s.length; i++) {
      const v = which[s.table.codes[i]!]!;
      if (v < 0) continue;
      const qi = s.query[i]!;
      // a query reading the view twice is one hit
      if (qi === lastQuery && v === lastView) continue;
      lastQuery = qi;
      lastView = v;
      if ((mask && !mask[qi]) || q.status[qi] !== 0 || q.source.codes[qi] === advisor || q.command.dict[q.command.codes[qi]!] !== 'SELECT') continue;
      const h = out.get(tables[v]!)!;
      const fp = q.fingerprint.dict[q.fingerprint.codes[qi]!]!;
      const d = q.durationMs[qi]!;
      h.hits++;
      h.ms += d;
      const f = h.fingerprints.get(fp) ?? { hits: 0, ms: 0 };
      f.hits++;
      f.ms += d;
      h.fingerprints.set(fp, f);
    }
  });
  return out;
}

/** Per view in `names`: the start (ms) and time (ms) of each successful REFRESH the log holds, whoever ran it (a user, the advisor, AUTO REFRESH). */
export function loggedRefreshes(w: Workload, names: readonly string[]): Map<string, { startMs: number[]; ms: number[] }> {
  const out = new Map(names.map((n) => [n, { startMs: [] as number[], ms: [] as number[] }]));
  w.parts.forEach((part, k) => {
    const mask = w.masks[k];
    const q = part.queries;
    const refresh = q.command.dict.indexOf('REFRESH MATERIALIZED VIEW');
    if (refresh < 0) return;
    for (let i = 0; i < q.length; i++) {
      if (q.command.codes[i] !== refresh || q.status[i] !== 0 || (mask && !mask[i])) continue;
      const m = REFRESH_NAME.exec(q.sql.get(i) ?? '');
      if (!m) continue;
      const name = m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!.toLowerCase();
      const r = out.get(name);
      if (!r) continue;
      r.startMs.push(q.startMs[i]!);
      r.ms.push(q.durationMs[i]!);
    }
  });
  return out;
}

const REFRESH_NAME = /^\s*refresh\s+materialized\s+view\s+("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)/i;

/**
 * A view's refreshes since `since`: those the log holds (every REFRESH, the
 * engine's AUTO REFRESH ones included), or those the catalog kept
 * (refreshesSince) when it names more. Each is a lower bound: the catalog keeps
 * only a view's latest MAX_REFRESH_ENTRIES, and the log misses refreshes run
 * by a session without a workload log.
 */
export function refreshCost(logged: { readonly startMs: readonly number[]; readonly ms: readonly number[] } | undefined, refreshes: readonly RefreshEntry[], since: number): { count: number; ms: number } {
  let count = 0;
  let ms = 0;
  if (logged) {
    for (let i = 0; i < logged.startMs.length; i++) {
      if (logged.startMs[i]! < since) continue;
      count++;
      ms += logged.ms[i]!;
    }
  }
  const kept = refreshesSince(refreshes, since);
  return kept.count > count ? kept : { count, ms };
}

/** Refreshes after the CREATE that did some work, since `since` (ms). */
export function refreshesSince(refreshes: readonly RefreshEntry[], since: number): { count: number; ms: number } {
  let count = 0;
  let ms = 0;
  for (const r of refreshes) {
    if (r.trigger === 'create' || r.kind === 'unchanged' || r.startedAt < since) continue;
    count++;
    ms += r.endedAt - r.startedAt;
  }
  return { count, ms };
}

/** What a view's life in [since, now) measured (decide.ts ViewMeasure). */
export function measureOf(e: AutoViewEntry, hits: ViewHits | undefined, refreshes: { count: number; ms: number }, since: number, now: number): ViewMeasure {
  const base = new Map(e.baseline.map((b) => [b.fingerprint, b.meanMs]));
  let baselineMs = 0;
  let hitMs = 0;
  let counted = 0;
  for (const [fp, f] of hits?.fingerprints ?? []) {
    const before = base.get(fp);
    // a query shape the view was not created for has no "before": it counts as a hit that saved nothing
    baselineMs += (before ?? f.ms / f.hits) * f.hits;
    hitMs += f.ms;
    counted += f.hits;
  }
  return { hits: counted, hitMs, baselineMs, refreshes: refreshes.count, refreshMs: refreshes.ms, days: Math.max(1, (now - since) / 86_400_000) };
}

export interface LedgerRow {
  readonly name: string;
  readonly status: AutoViewEntry['status'];
  readonly createdAt: string;
  readonly droppedAt: string | null;
  /** Fingerprints that read the view in the window, most hits first, with their hits. */
  readonly queries: readonly { readonly fingerprint: string; readonly hits: number }[];
  readonly hits: number;
  /** Time the hits saved against the view's baseline, seconds per day; what the advisor expected when it created the view. */
  readonly savedSecondsPerDay: number;
  readonly expectedSecondsPerDay: number;
  readonly buildMs: number | null;
  /** Refreshes that did work in the window, their time (ms) and that per day (seconds). */
  readonly refreshes: number;
  readonly refreshMs: number;
  readonly refreshSecondsPerDay: number;
  /** Encoded bytes and rows of the view's table now (0 once dropped). */
  readonly storageBytes: number;
  readonly rows: number;
  /** Whether a base table changed since the last refresh (null once dropped), and the seconds since that refresh. */
  readonly stale: boolean | null;
  readonly secondsSinceRefresh: number | null;
  /** Why it was created, or why it was dropped. */
  readonly reason: string;
  readonly sql: string;
}

/** The ledger's rows now; the window of hits and refreshes is [max(created, now - sinceMs), now). */
export function ledgerRows(dataDir: string, catalog: Catalog, sinceMs: number, now = Date.now()): LedgerRow[] {
  const entries = readLedger(dataDir).views;
  if (entries.length === 0) return [];
  const w = loadWorkload(dataDir, { since: now - sinceMs });
  const hits = viewHits(w, entries.map((e) => e.table));
  const logged = loggedRefreshes(w, entries.map((e) => e.name));
  const views = materializedViews(catalog);
  return entries.map((e): LedgerRow => {
    const mv = e.status === 'active' ? views[e.name] : undefined;
    const since = Math.max(Date.parse(e.createdAt), now - sinceMs);
    const m = measureOf(e, hits.get(e.table), refreshCost(logged.get(e.name), mv?.refreshes ?? [], since), since, now);
    const r = measured(m);
    const t = mv ? catalog.tables[mv.table] : undefined;
    const last = mv?.refreshes[mv.refreshes.length - 1];
    return {
      name: e.name,
      status: e.status,
      createdAt: e.createdAt,
      droppedAt: e.droppedAt,
      queries: [...(hits.get(e.table)?.fingerprints ?? [])].map(([fingerprint, f]) => ({ fingerprint, hits: f.hits })).sort((a, b) => b.hits - a.hits || (a.fingerprint < b.fingerprint ? -1 : 1)),
      hits: m.hits,
      savedSecondsPerDay: round3(r.savedSecondsPerDay),
      expectedSecondsPerDay: round3(e.estimate.netSecondsPerDay),
      buildMs: e.buildMs,
      refreshes: m.refreshes,
      refreshMs: Math.round(m.refreshMs),
      refreshSecondsPerDay: round3(r.refreshSecondsPerDay),
      storageBytes: t ? t.segments.reduce((n, s) => n + s.bytes, 0) : 0,
      rows: t?.rows ?? 0,
      stale: mv ? !isViewFresh(mv, catalog) : null,
      secondsSinceRefresh: last ? Math.round((now - last.endedAt) / 1000) : null,
      reason: e.status === 'active' || e.status === 'creating' ? e.createReason : (e.dropReason ?? e.createReason),
      sql: e.sql,
    };
  });
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const TEXT: SqlType = { id: 'varchar', length: 65535 };
const BIGINT: SqlType = { id: 'bigint' };
const DOUBLE: SqlType = { id: 'double' };
/** t or f, as svv_mv_info's is_stale. */
const FLAG: SqlType = { id: 'char', length: 1 };
const TIMESTAMP: SqlType = { id: 'timestamp' };

const FIELDS = [
  { name: 'name', type: TEXT },
  { name: 'status', type: TEXT },
  { name: 'created_at', type: TIMESTAMP },
  { name: 'dropped_at', type: TIMESTAMP },
  { name: 'fingerprints', type: BIGINT },
  { name: 'queries_served', type: TEXT },
  { name: 'hits', type: BIGINT },
  { name: 'saved_seconds_per_day', type: DOUBLE },
  { name: 'expected_seconds_per_day', type: DOUBLE },
  { name: 'build_ms', type: BIGINT },
  { name: 'refreshes', type: BIGINT },
  { name: 'refresh_ms', type: BIGINT },
  { name: 'refresh_seconds_per_day', type: DOUBLE },
  { name: 'storage_bytes', type: BIGINT },
  { name: 'rows', type: BIGINT },
  { name: 'is_stale', type: FLAG },
  { name: 'seconds_since_refresh', type: BIGINT },
  { name: 'reason', type: TEXT },
  { name: 'sql', type: TEXT },
] as const;

const micros = (iso: string | null) => (iso === null ? null : Date.parse(iso) * 1000);

/**
 * svv_auto_mv_ledger: one row per automatic view the advisor created, dropped
 * or failed to create; queries_served lists "hits x fingerprint" separated
 * by newlines. The window is the mining window of the policy (`sinceMs`).
 */
export function autoMvLedgerTable(dataDir: string, sinceMs: () => number): SystemTable {
  return {
    name: 'svv_auto_mv_ledger',
    fields: FIELDS,
    read(catalog, columns): readonly Batch[] {
      const rows: PhysicalValue[][] = ledgerRows(dataDir, catalog, sinceMs()).map((r) => [
        r.name,
        r.status,
        micros(r.createdAt),
        micros(r.droppedAt),
        r.queries.length,
        r.queries.map((q) => `${q.hits} x ${q.fingerprint}`).join('\n'),
        r.hits,
        r.savedSecondsPerDay,
        r.expectedSecondsPerDay,
        r.buildMs === null ? null : Math.round(r.buildMs),
        r.refreshes,
        r.refreshMs,
        r.refreshSecondsPerDay,
        r.storageBytes,
        r.rows,
        r.stale === null ? null : r.stale ? 't' : 'f',
        r.secondsSinceRefresh,
        r.reason,
        r.sql,
      ]);
      const all = batchFromRows(FIELDS.map((f) => f.type), rows);
      return [{ length: all.length, columns: columns.map((c) => all.columns[c]!) }];
    },
  };
}
