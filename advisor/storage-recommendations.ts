/**
 * Sort-key and encoding recommendations (the contract of DESIGN.md, beside the
 * distribution ones of recommend.ts): the choosers' results turned into
 * recommendations with their DDL, evidence, plain-words reason and estimated
 * benefit, and the cost model that states every recommendation's benefit in
 * seconds per day of the observed workload.
 */
import type { Catalog, Database, EncodingId, ImportedStats, TableMeta } from '../engine/index.js';
import { isInterleaved, isStatsOnly, redshiftNameFor } from '../engine/index.js';
import type { Workload } from '../workload-log/index.js';
import { describeStyle, formatBytes } from './join-graph.js';
import type { EncodingRecommendation, Recommendation, ShadowEvidence, SortKeyRecommendation } from './recommendations/index.js';
import { chooseSortKeys, keyText, type SortKeyChoice, type SortKeyOptions } from './sortkey/index.js';
import { chooseEncodings, DEFAULT_BYTES_PER_NS, type EncodingChoice, type EncodingOptions } from './encoding/index.js';
import { evaluateCostModel, fitCostModel, msSaved, queryFeatures, secondsPerDay, workloadDays, type CostModel } from './cost-model/index.js';

export interface SortKeyEvidence {
  /** The table's logged scan predicates: executions, distinct literals, whether zone maps can use them, fingerprints. */
  readonly predicates: readonly { readonly column: string; readonly op: string; readonly count: number; readonly literals: number; readonly prunable: boolean; readonly fingerprints: readonly { readonly fingerprint: string; readonly count: number }[] }[];
  /**
   * Candidate keys judged, best first, compound and interleaved side by side:
   * estimated column blocks the logged scans would read, and that over all
   * their blocks. `text` is the key as `proposed` would read ("a, b" or
   * "INTERLEAVED(a, b)").
   */
  readonly candidates: readonly { readonly key: readonly string[]; readonly style: 'compound' | 'interleaved'; readonly text: string; readonly blocks: number; readonly fraction: number }[];
  readonly before: { readonly blocks: number; readonly fraction: number };
  readonly after: { readonly blocks: number; readonly fraction: number };
  readonly sample: { readonly rows: number; readonly tableRows: number; readonly blocks: number; readonly storedBlocks: number; readonly slices: number; readonly rowsPerSampleBlock: number };
  /** Scan executions with a predicate zone maps can use. */
  readonly scans: number;
  /**
   * Present when the table is stats-only: the sample was drawn from its
   * imported column statistics (pg_stats), and these tested columns had none
   * to draw from and were left out.
   */
  readonly importedStats?: { readonly undrawn: readonly { readonly column: string; readonly why: string }[] };
  /**
   * The other sort key the shadow proof set this one against, besides the
   * current order: for an interleaved key, the best compound key it had to
   * beat; for a compound key proposed instead, the interleaved key that did
   * not beat it. `shadow` is that measurement (current = the compound key).
   */
  readonly rival?: { readonly proposed: string; readonly shadow: ShadowEvidence };
}

export interface EncodingEvidence {
  readonly column: string;
  /** Every codec tried on the sample (Redshift names), cheapest first: bytes, measured decode ns per value, and the cost it was ranked by. */
  readonly sizes: readonly { readonly encoding: string; readonly bytes: number; readonly decodeNs: number; readonly cost: number }[];
  readonly current: { readonly encoding: string; readonly bytes: number; readonly decodeNs: number };
  readonly sample: { readonly rows: number; readonly blocks: number; readonly blockRows: number; readonly tableRows: number };
  /** The column's size scaled to the whole table, now and proposed. */
  readonly tableBytes: { readonly current: number; readonly proposed: number };
  readonly leadingSortKey: boolean;
  /** How the logged workload reads the column. */
  readonly reads: { readonly scans: number; readonly rowsScanned: number };
  /** The exchange rate of decode time against size the choice used. */
  readonly bytesPerNs: number;
}

const ident = (s: string) => (/^[a-z_][a-z0-9_]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

/**
 * A table's sort key as recommendations show it: "a, b", "INTERLEAVED(a, b)",
 * NONE, or any of these in AUTO(...) while the engine may still choose. The
 * same text as a proposal of that key, so a recommendation goes stale when
 * the key or its style changes.
 */
export function currentSortKeyText(t: TableMeta): string {
  const list = t.sortKey.length ? keyText(t.sortKey, isInterleaved(t) ? 'interleaved' : 'compound') : 'NONE';
  return t.sortAuto ? `AUTO(${list})` : list;
}

/** A column's ENCODE as recommendations show it (Redshift's names; AUTO). */
export function currentEncodingText(t: TableMeta, column: string): string {
  const c = t.columns.find((x) => x.name === column);
  if (!c) return 'NONE';
  return c.encoding === 'auto' ? 'AUTO' : redshiftNameFor(c.encoding);
}

/** The setting a recommendation changes, as it reads now (to tell whether the recommendation went stale). */
export function currentSetting(t: TableMeta, r: Recommendation): string {
  if (r.kind === 'sortkey') return currentSortKeyText(t);
  if (r.kind === 'encoding') return currentEncodingText(t, r.evidence.encoding.column);
  return describeStyle(t);
}

/** What the log teaches about time: the linear cost model, the days the log spans, bytes per moved row. */
export interface WorkloadCost {
  readonly model: CostModel;
  readonly days: number;
  readonly bytesPerRowMoved: number;
  readonly queries: number;
  /** The logged queries' time per day. */
  readonly secondsPerDay: number;
  /** The model's held-out median absolute percentage error (1 when too few queries to hold any out): a benefit's relative uncertainty. */
  readonly relativeError: number;
}

/**
 * The linear cost model of the log. When the fit leaves every scan feature out
 * (too few queries to fit, or scans that never varied), scanning is charged at
 * the log's average: its total time over its blocks scanned, an upper bound of
 * a block's cost, so a sort key's or encoding's saving is not stated as zero.
 */
export function workloadCost(w: Workload, catalog: Catalog): WorkloadCost {
  const data = queryFeatures(w, catalog);
  let rows = 0;
  let bytes = 0;
  let blocks = 0;
  let ms = 0;
  data.x.forEach((x, i) => {
    blocks += x[0]!;
    rows += x[4]!;
    bytes += x[5]!;
    ms += data.y[i]!;
  });
  let model = fitCostModel(data, 'linear');
  if (model.weights.blocksScanned + model.weights.rowsScanned + model.weights.bytesScanned === 0 && blocks > 0) {
    model = { ...model, weights: { ...model.weights, blocksScanned: ms / blocks } };
  }
  const days = workloadDays(w);
  const held = data.y.length >= 20 ? evaluateCostModel(data, 'linear').medianApe : NaN;
  return { model, days, bytesPerRowMoved: rows > 0 ? bytes / rows : 16, queries: data.y.length, secondsPerDay: ms / 1000 / days, relativeError: Number.isFinite(held) ? Math.min(1, held) : 1 };
}

/**
 * A benefit from its seconds per day: with its uncertainty and its share of
 * the workload. No change saves more time than the logged workload takes: a
 * model fitted on few query shapes can extrapolate past that (a weight learned
 * from one shape's bytes moved, applied to bytes it never saw vary), so the
 * estimate and its error are capped at the workload's time per day.
 */
export function benefitOf(bytes: number, secondsPerDay: number, cost: WorkloadCost): Recommendation['benefit'] {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const whole = Math.max(0, cost.secondsPerDay);
  secondsPerDay = Math.min(secondsPerDay, whole);
  return {
    secondsPerDay: round(secondsPerDay),
    secondsPerDayError: round(Math.min(Math.abs(secondsPerDay) * cost.relativeError, whole)),
    percent: cost.secondsPerDay > 0 ? Math.round((secondsPerDay / cost.secondsPerDay) * 10000) / 100 : 0,
    bytes: Math.round(bytes),
  };
}

/** Seconds per day a distribution recommendation saves: its bytes no longer moved, at the model's marginal costs. */
export function distributionSecondsPerDay(r: Pick<Recommendation, 'benefit'>, cost: WorkloadCost): number {
  const bytes = Math.max(0, r.benefit.bytes);
  return secondsPerDay(msSaved(cost.model, { bytesMoved: bytes, rowsMoved: bytes / cost.bytesPerRowMoved }), cost.days);
}

export interface StorageOptions {
  /** Sort-key chooser options, or false to skip sort keys. */
  sortKeys?: SortKeyOptions | false;
  /** Encoding chooser options, or false to skip encodings. */
  encodings?: EncodingOptions | false;
}

const round = (x: number) => Math.round(x);
const pct = (x: number) => Math.round(x * 10000) / 100;

type Base = Pick<Recommendation, 'status' | 'statusReason' | 'history' | 'createdAt' | 'updatedAt' | 'run'>;

/** Rows and bytes a rewrite of the table handles: its own, or a stats-only table's imported ones. */
function rewriteSize(t: TableMeta, imported: ImportedStats | null): { rows: number; bytes: number } {
  if (isStatsOnly(t, imported)) return { rows: imported!.tables[t.name]!.rows, bytes: imported!.tables[t.name]!.sizeBytes };
  return { rows: t.rows, bytes: t.segments.reduce((s, x) => s + x.bytes, 0) };
}

function sortKeyRecommendation(c: SortKeyChoice, t: TableMeta, cost: WorkloadCost, base: Base, id: string, size: { rows: number; bytes: number }): SortKeyRecommendation {
  const key = c.proposed!;
  const style = c.proposedStyle ?? 'compound';
  const bytes = size.bytes;
  const ms = msSaved(cost.model, { blocksScanned: c.saved.blocks, rowsScanned: c.saved.rows, bytesScanned: c.saved.bytes });
  const fps = new Map<string, number>();
  for (const p of c.predicates) if (p.prunable) for (const f of p.fingerprints) fps.set(f.fingerprint, Math.max(fps.get(f.fingerprint) ?? 0, f.count));
  const r: SortKeyRecommendation = {
    ...base,
    id,
    group: '',
    table: t.name,
    kind: 'sortkey',
    current: currentSortKeyText(t),
    proposed: keyText(key, style),
    ddl: `ALTER TABLE ${ident(t.name)} ALTER ${style === 'interleaved' ? 'INTERLEAVED' : 'COMPOUND'} SORTKEY (${key.map(ident).join(', ')})`,
    benefit: benefitOf(c.saved.bytes, secondsPerDay(ms, cost.days), cost),
    applyCost: { rows: size.rows, rewriteBytes: bytes, storageBytesBefore: bytes, storageBytesAfter: bytes },
    userSet: c.userSet,
    reason: '',
    evidence: {
      fingerprints: [...fps.entries()].map(([fingerprint, count]) => ({ fingerprint, count, bytesMoved: 0 })).sort((a, b) => b.count - a.count),
      sortKey: {
        predicates: c.predicates,
        candidates: c.candidates.map((k) => ({ key: k.key, style: k.style, text: keyText(k.key, k.style), blocks: round(k.blocks), fraction: Math.round(k.fraction * 1e4) / 1e4 })),
        before: { blocks: round(c.before.blocks), fraction: Math.round(c.before.fraction * 1e4) / 1e4 },
        after: { blocks: round(c.best.blocks), fraction: Math.round(c.best.fraction * 1e4) / 1e4 },
        sample: c.sample,
        scans: c.scans,
        ...(c.source.kind === 'imported-stats' ? { importedStats: { undrawn: c.source.undrawn } } : {}),
      },
    },
  };
  return { ...r, reason: sortKeyReason(r, c) };
}

const pctOfBlocks = (f: number | undefined) => (f === undefined ? '?' : `${(f * 100).toFixed(1)}%`);

function sortKeyReason(r: SortKeyRecommendation, c: SortKeyChoice): string {
  const used = c.predicates.filter((p) => p.prunable && c.proposed!.includes(p.column));
  const shapes = r.evidence.fingerprints.length;
  const words = used.slice(0, 4).map((p) => `${p.column} ${p.op} (${p.count}x, ${p.literals} distinct value${p.literals === 1 ? '' : 's'})`);
  const parts = [
    `Scans of ${r.table} in the log filter on ${words.join(', ')}${used.length > 4 ? ' and more' : ''}: ${c.scans} scan executions of ${shapes} query shape${shapes === 1 ? '' : 's'} with predicates zone maps can use.`,
    (c.proposedStyle === 'interleaved'
      ? `Laying ${r.table} out in z-order over (${c.proposed!.join(', ')}) (an interleaved key: each column with equal weight) keeps rows close in all of them in the same blocks, so each block's min/max lets scans on any of those columns, alone or together, skip it;` +
        ` the best compound key, (${c.candidates.find((k) => k.style === 'compound')?.key.join(', ')}), would read ${pctOfBlocks(c.candidates.find((k) => k.style === 'compound')?.fraction)} of the blocks where it reads ${pctOfBlocks(c.best.fraction)}.`
      : `Sorting ${r.table} by (${r.proposed}) keeps nearby values in the same blocks, so each block's min/max lets those scans skip it.`) +
      (c.source.kind === 'imported-stats'
        ? ` ${r.table} is stats-only: judged on ${c.sample.rows.toLocaleString('en-US')} rows drawn from its imported column statistics (NULL fraction, distinct count, most common values, min and max) for its ${c.sample.tableRows.toLocaleString('en-US')} imported rows, cut into ${c.sample.blocks} blocks,` +
          (c.source.undrawn.length ? ` leaving out ${c.source.undrawn.map((u) => u.column).join(', ')} (no statistics to draw from),` : '')
        : ` Judged on a sample of ${c.sample.rows.toLocaleString('en-US')} of ${c.sample.tableRows.toLocaleString('en-US')} rows cut into the table's ${c.sample.blocks} blocks (${c.sample.rowsPerSampleBlock} sample rows per block),`) +
      ` the logged scans would read ${(c.best.fraction * 100).toFixed(1)}% of their blocks instead of ${(c.before.fraction * 100).toFixed(1)}% in the current order (${r.current}).` +
      (c.sample.storedBlocks > c.sample.blocks
        ? ` Part of that is the rewrite itself: ${r.table} now holds ${c.sample.storedBlocks} blocks where a rewrite writes ${c.sample.blocks}, since appends left partial blocks that the rewrite merges.`
        : ''),
    `Estimated benefit: ${formatBytes(r.benefit.bytes)} less read over the logged workload, about ${r.benefit.secondsPerDay} ± ${r.benefit.secondsPerDayError} s of query time per day (${r.benefit.percent}% of the workload's) by the cost model fitted on the log.`,
    `Applying it rewrites ${r.table} once (${r.applyCost.rows.toLocaleString('en-US')} rows, ${formatBytes(r.applyCost.rewriteBytes)}).` +
      (r.userSet ? ` ${r.table}'s sort key was set by hand, so it is only applied when asked for by id.` : ''),
  ];
  return parts.join(' ');
}

function encodingRecommendation(c: EncodingChoice, t: TableMeta, cost: WorkloadCost, base: Base, id: string, bytesPerNs: number): EncodingRecommendation {
  const proposed = c.proposed as EncodingId;
  const name = redshiftNameFor(proposed);
  const bytes = t.segments.reduce((s, x) => s + x.bytes, 0);
  const ms = msSaved(cost.model, { bytesScanned: Math.max(0, c.saved.bytes) }) + c.saved.decodeMs;
  const best = c.sizes.find((s) => s.codec === proposed)!;
  const smaller = c.currentSize.bytes > 0 ? pct((c.currentSize.bytes - best.bytes) / c.currentSize.bytes) : 0;
  const r: EncodingRecommendation = {
    ...base,
    id,
    group: '',
    table: t.name,
    kind: 'encoding',
    current: currentEncodingText(t, c.column),
    proposed: name,
    ddl: `ALTER TABLE ${ident(t.name)} ALTER COLUMN ${ident(c.column)} ENCODE ${name}`,
    benefit: benefitOf(Math.max(0, c.saved.bytes), secondsPerDay(Math.max(0, ms), cost.days), cost),
    applyCost: { rows: t.rows, rewriteBytes: bytes, storageBytesBefore: bytes, storageBytesAfter: Math.max(0, bytes - (c.tableBytes.current - c.tableBytes.best)) },
    userSet: c.userSet,
    reason: '',
    evidence: {
      fingerprints: [],
      encoding: {
        column: c.column,
        sizes: c.sizes.map((s) => ({ encoding: s.codec === 'auto' ? 'AUTO' : redshiftNameFor(s.codec), bytes: s.bytes, decodeNs: Math.round(s.decodeNs * 100) / 100, cost: round(s.cost) })),
        current: { encoding: currentEncodingText(t, c.column), bytes: c.currentSize.bytes, decodeNs: Math.round(c.currentSize.decodeNs * 100) / 100 },
        sample: c.sample,
        tableBytes: { current: c.tableBytes.current, proposed: c.tableBytes.best },
        leadingSortKey: c.leadingSortKey,
        reads: c.reads,
        bytesPerNs,
      },
    },
  };
  const e = r.evidence.encoding;
  const reason = [
    `${t.name}.${c.column} (${c.kind === 'str' ? 'text' : c.kind === 'bool' ? 'boolean' : 'numbers'}) was encoded every way the engine can on a sample of ${e.sample.blocks} block${e.sample.blocks === 1 ? '' : 's'} (${e.sample.rows.toLocaleString('en-US')} of ${e.sample.tableRows.toLocaleString('en-US')} rows).`,
    `${name} takes ${formatBytes(best.bytes)} where ${r.current} takes ${formatBytes(c.currentSize.bytes)} (${smaller}% less; about ${formatBytes(e.tableBytes.current)} -> ${formatBytes(e.tableBytes.proposed)} for the whole column)` +
      ` and decodes at ${best.decodeNs.toFixed(1)} ns per value against ${c.currentSize.decodeNs.toFixed(1)} (measured here; each ns per value is charged as ${bytesPerNs} byte per value).`,
    c.leadingSortKey ? `It leads the sort key, so ZSTD was not offered: range scans decode it first.` : '',
    c.reads.scans
      ? `The logged workload read it in ${c.reads.scans} scans (${c.reads.rowsScanned.toLocaleString('en-US')} rows): ${formatBytes(r.benefit.bytes)} less to read, about ${r.benefit.secondsPerDay} ± ${r.benefit.secondsPerDayError} s per day by the cost model and the measured decode speeds.`
      : `No logged scan read it: the saving is storage only, so it is proposed only with other changes to ${t.name} that pay in time (one rewrite for all).`,
    `Applying it rewrites ${t.name} once (${t.rows.toLocaleString('en-US')} rows).` + (r.userSet ? ` The column's ENCODE was set by hand, so it is only applied when asked for by id.` : ''),
  ].filter(Boolean);
  return { ...r, reason: reason.join(' ') };
}

/**
 * The sort-key and encoding recommendations of the workload (not yet stored;
 * ids from `firstId`). Sort keys come first; each table's encodings are judged
 * against the sort key it has or is proposed.
 */
export async function storageRecommendations(
  db: Database,
  w: Workload,
  cost: WorkloadCost,
  at: { now: Date; runId: string; firstId: number },
  o: StorageOptions = {},
): Promise<{ recommendations: Recommendation[]; sortKeys: SortKeyChoice[]; encodings: EncodingChoice[]; compoundFallbacks: Map<string, SortKeyRecommendation> }> {
  const catalog = db.catalog();
  const imported = db.importedStats();
  const iso = at.now.toISOString();
  const base = { status: 'proposed' as const, statusReason: null, history: [{ status: 'proposed' as const, at: iso, reason: null }], createdAt: iso, updatedAt: iso, run: at.runId };
  let next = at.firstId;
  const out: Recommendation[] = [];
  const sortKeys = o.sortKeys === false ? [] : await chooseSortKeys(db, w, o.sortKeys ?? {});
  // an interleaved proposal keeps the compound key it must beat on the shadow copy, to propose instead if it does not
  const compoundFallbacks = new Map<string, SortKeyRecommendation>();
  for (const c of sortKeys) {
    if (!c.proposed) continue;
    const size = rewriteSize(catalog.tables[c.table]!, imported);
    out.push(sortKeyRecommendation(c, catalog.tables[c.table]!, cost, base, `r${next++}`, size));
    if (c.compound) {
      const alt: SortKeyChoice = { ...c, proposed: c.compound.best.key, proposedStyle: 'compound', best: c.compound.best, saved: c.compound.saved, compound: null };
      compoundFallbacks.set(c.table, sortKeyRecommendation(alt, catalog.tables[c.table]!, cost, base, '', size));
    }
  }
  let encodings: EncodingChoice[] = [];
  if (o.encodings !== false) {
    const keys = new Map(sortKeys.filter((c) => c.proposed).map((c) => [c.table, c.proposed!]));
    encodings = await chooseEncodings(db, w, { sortKeys: keys, ...(o.encodings ?? {}) });
    const rate = (o.encodings && o.encodings.bytesPerNs) ?? DEFAULT_BYTES_PER_NS;
    const recs: Recommendation[] = encodings.filter((c) => c.proposed).map((c) => encodingRecommendation(c, catalog.tables[c.table]!, cost, base, '', rate));
    recs.sort((a, b) => (b.benefit.secondsPerDay ?? 0) - (a.benefit.secondsPerDay ?? 0) || b.applyCost.storageBytesBefore - b.applyCost.storageBytesAfter - (a.applyCost.storageBytesBefore - a.applyCost.storageBytesAfter));
    for (const r of recs) out.push({ ...r, id: `r${next++}` });
  }
  return { recommendations: out, sortKeys, encodings, compoundFallbacks };
}
