/**
 * Choosing each table's sort key from the logged scan predicates, judged
 * what-if on a sample (sortkey/whatif.ts): the key under which the logged
 * scans, weighted by how often they ran and how many blocks they read, would
 * read the fewest blocks — or none, when no key beats the current order by
 * enough to pay for a rewrite. Compound keys always; interleaved ones (z-order)
 * when scans filter on several columns in combination, chosen only when they
 * beat the best compound key by as much as any key must beat the current order.
 */
import type { Database, TableMeta } from '../../engine/index.js';
import { isInterleaved, isStatsOnly, MAX_INTERLEAVED_COLUMNS } from '../../engine/index.js';
import type { Workload } from '../../workload-log/index.js';
import { sampleRows, type TableSample } from '../sample.js';
import { loggedScans, type LoggedScan } from './scans.js';
import { zoneTest, type ZoneTest } from './predicates.js';
import { blockZones, blocksScanned, layoutOrder, type SortStyle } from './whatif.js';
import { statsSample, type UndrawnColumn } from './stats-sample.js';

export interface SortKeyOptions {
  /** Sample at least this many rows (default 65,536), or the whole table when smaller. */
  sampleRows?: number;
  /** ... and at least this many rows per real block (default 32), up to maxSampleRows. */
  minRowsPerBlock?: number;
  /** Upper bound of the sample (default 262,144 rows). */
  maxSampleRows?: number;
  /** A key is proposed only when it cuts the weighted blocks scanned by at least this fraction (default 0.1). */
  minGain?: number;
  /** Columns considered for compound keys (the best single columns; default 4). */
  compoundColumns?: number;
  /**
   * Columns considered for interleaved keys (default 3; 0 or 1: none): the
   * best single columns among those the logged scans filter on in combination.
   */
  interleavedColumns?: number;
  /** Only these tables (default: every table with logged predicates). */
  tables?: readonly string[];
}

export interface PredicateEvidence {
  readonly column: string;
  readonly op: string;
  /** Executions of scans with this predicate. */
  readonly count: number;
  /** Distinct literals seen. */
  readonly literals: number;
  /** Whether zone maps can use it (see predicates.ts zoneTest). */
  readonly prunable: boolean;
  readonly fingerprints: readonly { readonly fingerprint: string; readonly count: number }[];
}

export interface KeyScore {
  readonly key: readonly string[];
  /** Column by column, or in z-order over the columns. */
  readonly style: SortStyle;
  /** Estimated column blocks the logged scans of this table would read, summed over executions. */
  readonly blocks: number;
  /** That over the blocks they read with no pruning at all. */
  readonly fraction: number;
}

export interface SortKeyChoice {
  readonly table: string;
  readonly current: readonly string[];
  readonly currentStyle: SortStyle;
  /** The sort key was written by the user (not AUTO): recommended, applied only when asked for. */
  readonly userSet: boolean;
  /** The proposed key, or null when the current order should stay. */
  readonly proposed: readonly string[] | null;
  /** The proposed key's style (null with no proposal). */
  readonly proposedStyle: SortStyle | null;
  /** The current order's score and the best candidate's. */
  readonly before: KeyScore;
  readonly best: KeyScore;
  /** Every candidate judged, best first. */
  readonly candidates: readonly KeyScore[];
  readonly sample: { readonly rows: number; readonly tableRows: number; readonly blocks: number; readonly storedBlocks: number; readonly slices: number; readonly rowsPerSampleBlock: number };
  /**
   * Where the sample came from: the table's rows, or (a stats-only table) draws
   * from its imported column statistics, with the tested columns that could
   * not be drawn and were left out of the judgement.
   */
  readonly source: { readonly kind: 'rows' } | { readonly kind: 'imported-stats'; readonly undrawn: readonly UndrawnColumn[] };
  readonly predicates: readonly PredicateEvidence[];
  /** Executions of the scans that have a prunable predicate. */
  readonly scans: number;
  /** What the change would save over the logged workload (positive = fewer), for the cost model. */
  readonly saved: { readonly blocks: number; readonly rows: number; readonly bytes: number };
  /** Why no key is proposed, when none is. */
  readonly note: string | null;
  /**
   * When the proposal is interleaved: the best compound key, which would also
   * pay, with what it would save. The shadow proof must show the interleaved
   * order beats it, or the compound key is proposed instead.
   */
  readonly compound: { readonly best: KeyScore; readonly saved: SortKeyChoice['saved'] } | null;
}

interface PreparedScan {
  readonly scan: LoggedScan;
  readonly tests: readonly ZoneTest[];
  /** Column blocks the scan's executions read with no pruning. */
  readonly weight: number;
}

/** Blocks per slice after a rewrite (ceil(rows / blockRows) on each slice holding rows), slices in order; an ALL table has one copy. */
export function blocksPerSlice(table: TableMeta, slices: number, blockRows: number): number[] {
  const rows = new Map<number, number>();
  for (const s of table.segments) rows.set(s.slice, (rows.get(s.slice) ?? 0) + s.rows);
  const keys = table.distStyle === 'all' ? [-1] : Array.from({ length: slices }, (_, i) => i);
  return keys.map((k) => Math.ceil((rows.get(k) ?? 0) / blockRows));
}

/**
 * The sample (`n` rows spread evenly over the table in storage order, which a
 * SELECT returns slice by slice) cut where the table's slices are, each slice
 * into the blocks its segments hold now.
 */
function storedLayout(table: TableMeta, n: number, blockRows: number): { order: Uint32Array; starts: number[]; blocks: number[] } {
  const rows = new Map<number, number>();
  const blocks = new Map<number, number>();
  for (const s of table.segments) {
    rows.set(s.slice, (rows.get(s.slice) ?? 0) + s.rows);
    blocks.set(s.slice, (blocks.get(s.slice) ?? 0) + Math.ceil(s.rows / blockRows));
  }
  const slices = [...rows.keys()].sort((a, b) => a - b);
  const total = Math.max(1, table.rows);
  const starts = [0];
  let seen = 0;
  for (const s of slices) {
    seen += rows.get(s)!;
    starts.push(Math.min(n, Math.round((seen / total) * n)));
  }
  return { order: Uint32Array.from({ length: n }, (_, i) => i), starts, blocks: slices.map((s) => blocks.get(s)!) };
}

/**
 * What the what-if needs of a table: its rows and blocks now and after a
 * rewrite, its bytes, a sample, and the sample laid out as the table is
 * stored now. A table with rows gives them; a stats-only table (imported from
 * a cluster) its imported counts and a sample drawn from its column statistics.
 */
interface RowSource {
  readonly rows: number;
  readonly bytes: number;
  /** Blocks per slice after a rewrite. */
  readonly perSlice: readonly number[];
  /** Blocks the table holds now. */
  readonly storedBlocks: number;
  readonly kind: SortKeyChoice['source']['kind'];
  sample(columns: readonly string[], n: number): Promise<{ sample: TableSample; undrawn: UndrawnColumn[] }>;
  /** The sample in the table's current order, cut into runs (slices) of `blocks` blocks each. */
  stored(sample: TableSample): { order: Uint32Array; starts: number[]; blocks: number[] };
}

function tableSource(db: Database, table: TableMeta): RowSource {
  const catalog = db.catalog();
  return {
    rows: table.rows,
    bytes: table.segments.reduce((s, x) => s + x.bytes, 0),
    perSlice: blocksPerSlice(table, catalog.slices, catalog.blockRows),
    storedBlocks: table.segments.reduce((n, s) => n + Math.ceil(s.rows / catalog.blockRows), 0),
    kind: 'rows',
    sample: async (columns, n) => ({ sample: await sampleRows(db, table, columns, n), undrawn: [] }),
    stored: (sample) => storedLayout(table, sample.rows, catalog.blockRows),
  };
}

/**
 * A stats-only table as the cluster holds it: its imported rows spread evenly
 * over the slices (one copy when ALL), in blocks of keel's size; stored in its
 * current sort key's order when it has one (the cluster's unsorted region is
 * not modelled), else in no order. The sample is drawn (stats-sample.ts).
 */
function importedSource(db: Database, table: TableMeta): RowSource {
  const catalog = db.catalog();
  const stats = db.importedStats()!.tables[table.name]!;
  const planned = db.planningCatalog().tables[table.name] ?? table;
  const rows = Math.max(0, Math.round(stats.rows));
  const slices = planned.distStyle === 'all' ? 1 : catalog.slices;
  const perSlice = Array.from({ length: slices }, () => Math.ceil(rows / slices / catalog.blockRows));
  const style: SortStyle = isInterleaved(table) ? 'interleaved' : 'compound';
  return {
    rows,
    bytes: planned.distStyle === 'all' ? stats.sizeBytes / catalog.slices : stats.sizeBytes,
    perSlice,
    storedBlocks: perSlice.reduce((a, b) => a + b, 0),
    kind: 'imported-stats',
    sample: async (columns, n) => statsSample(table, rows, stats.columns, columns, n),
    stored: (sample) => {
      const key = table.sortKey.filter((c) => sample.columns.some((x) => x.name === c));
      const { order, starts } = key.length === table.sortKey.length && key.length > 0
        ? layoutOrder(sample, key, slices, style)
        : { order: Uint32Array.from({ length: sample.rows }, (_, i) => i), starts: Array.from({ length: slices + 1 }, (_, s) => Math.round((s * sample.rows) / slices)) };
      return { order, starts, blocks: perSlice };
    },
  };
}

const sameKey = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((c, i) => c === b[i]);

/** A key as the advisor writes it: "a, b" (compound) or "INTERLEAVED(a, b)". */
export function keyText(key: readonly string[], style: SortStyle): string {
  return style === 'interleaved' ? `INTERLEAVED(${key.join(', ')})` : key.join(', ');
}

/**
 * The columns interleaved candidates are built from: those logged scans test
 * together with another column, best single-column score first. Columns never
 * tested together gain nothing from sharing one order (a compound key on one
 * of them serves its scans better).
 */
function combinedColumns(prepared: readonly PreparedScan[], ranked: readonly string[], limit: number): string[] {
  const together = new Set<string>();
  for (const p of prepared) {
    const cols = new Set(p.tests.map((t) => t.column));
    if (cols.size >= 2) for (const c of cols) together.add(c);
  }
  return ranked.filter((c) => together.has(c)).slice(0, Math.min(limit, MAX_INTERLEAVED_COLUMNS));
}

/** Every pair of `cols` (in their order) and, for three or more, all of them. */
function interleavedKeys(cols: readonly string[]): string[][] {
  if (cols.length < 2) return [];
  const keys: string[][] = [];
  for (let i = 0; i < cols.length; i++) for (let j = i + 1; j < cols.length; j++) keys.push([cols[i]!, cols[j]!]);
  if (cols.length > 2) keys.push([...cols]);
  return keys;
}

/** Among `scores`, the shortest key within `slack` blocks of the best: a longer key must earn its columns. */
function shortestNearBest(scores: readonly KeyScore[], slack: number): KeyScore | null {
  if (scores.length === 0) return null;
  const bestBlocks = Math.min(...scores.map((c) => c.blocks));
  return [...scores].filter((c) => c.blocks <= bestBlocks + slack).sort((a, b) => a.key.length - b.key.length || a.blocks - b.blocks)[0]!;
}

function predicateEvidence(scans: readonly LoggedScan[], table: TableMeta): PredicateEvidence[] {
  const acc = new Map<string, { column: string; op: string; count: number; literals: Set<string>; prunable: boolean; fps: Map<string, number> }>();
  for (const s of scans) {
    for (const p of s.predicates) {
      const key = `${p.column}\u0000${p.op}`;
      let a = acc.get(key);
      if (!a) {
        const type = table.columns.find((c) => c.name === p.column)?.type;
        acc.set(key, (a = { column: p.column, op: p.op, count: 0, literals: new Set(), prunable: type ? zoneTest(p, type) !== null : false, fps: new Map() }));
      }
      a.count += s.count;
      if (p.literal !== null) a.literals.add(p.literal);
      for (const [f, n] of s.fingerprints) a.fps.set(f, (a.fps.get(f) ?? 0) + n);
    }
  }
  return [...acc.values()]
    .map((a) => ({
      column: a.column,
      op: a.op,
      count: a.count,
      literals: a.literals.size,
      prunable: a.prunable,
      fingerprints: [...a.fps.entries()].map(([fingerprint, count]) => ({ fingerprint, count })).sort((x, y) => y.count - x.count).slice(0, 10),
    }))
    .sort((x, y) => y.count - x.count || (x.column < y.column ? -1 : 1));
}

/** Sample size for a table of `rows` rows in `blocks` blocks (documented in docs/advisor.md). */
export function sampleSize(rows: number, blocks: number, o: SortKeyOptions = {}): number {
  const want = Math.max(o.sampleRows ?? 65_536, (o.minRowsPerBlock ?? 32) * blocks);
  return Math.min(rows, Math.min(want, o.maxSampleRows ?? 262_144));
}

/** The sort-key choice of one table against its logged scans (null when no logged scan of it has a predicate). */
export async function chooseSortKey(db: Database, table: TableMeta, scans: readonly LoggedScan[], o: SortKeyOptions = {}): Promise<SortKeyChoice | null> {
  const src = isStatsOnly(table, db.importedStats()) ? importedSource(db, table) : tableSource(db, table);
  let prepared: PreparedScan[] = [];
  const perSlice = src.perSlice;
  const totalBlocks = perSlice.reduce((a, b) => a + b, 0);
  // blocks the table holds now: a scan's logged column blocks are counted in these, and so are every layout's
  const storedBlocks = src.storedBlocks;
  for (const scan of scans) {
    const tests: ZoneTest[] = [];
    for (const p of scan.predicates) {
      const col = table.columns.find((c) => c.name === p.column);
      const t = col ? zoneTest(p, col.type) : null;
      if (t) tests.push(t);
    }
    if (tests.length) prepared.push({ scan, tests, weight: scan.blocksTotal > 0 ? scan.blocksTotal : scan.count * storedBlocks });
  }
  if (scans.length === 0) return null;
  const predicates = predicateEvidence(scans, table);
  let testColumns = [...new Set(prepared.flatMap((p) => p.tests.map((t) => t.column)))];
  const current = table.sortKey;
  const currentStyle: SortStyle = isInterleaved(table) ? 'interleaved' : 'compound';
  const userSet = !table.sortAuto;
  const executions = prepared.reduce((s, p) => s + p.scan.count, 0);
  const empty: KeyScore = { key: current, style: currentStyle, blocks: 0, fraction: 1 };
  let source: SortKeyChoice['source'] = src.kind === 'imported-stats' ? { kind: 'imported-stats', undrawn: [] } : { kind: 'rows' };
  const none = (note: string, sample = { rows: 0, tableRows: src.rows, blocks: totalBlocks, storedBlocks, slices: perSlice.length, rowsPerSampleBlock: 0 }): SortKeyChoice => ({
    table: table.name, current, currentStyle, userSet, proposed: null, proposedStyle: null, before: empty, best: empty, candidates: [], sample, source, predicates, scans: executions,
    saved: { blocks: 0, rows: 0, bytes: 0 }, note, compound: null,
  });
  if (prepared.length === 0) return none('no logged predicate on this table can skip blocks by zone maps');
  if (Math.max(...perSlice) < 2) return none(`${table.name} has at most one block per slice, so no order skips blocks`);

  const n = sampleSize(src.rows, totalBlocks, o);
  const drawn = await src.sample([...new Set([...testColumns, ...current])], n);
  const sample: TableSample = drawn.sample;
  if (src.kind === 'imported-stats') {
    // a column with no statistics to draw from cannot be judged: its tests are left out, and named in the evidence
    source = { kind: 'imported-stats', undrawn: drawn.undrawn };
    const have = new Set(sample.columns.map((c) => c.name));
    prepared = prepared.map((p) => ({ ...p, tests: p.tests.filter((t) => have.has(t.column)) })).filter((p) => p.tests.length > 0);
    testColumns = testColumns.filter((c) => have.has(c));
    if (prepared.length === 0) return none(`no imported column statistics to judge ${table.name}'s tested columns by (${drawn.undrawn.map((u) => `${u.column}: ${u.why}`).join('; ')})`);
  }
  const info = { rows: sample.rows, tableRows: sample.tableRows, blocks: totalBlocks, storedBlocks, slices: perSlice.length, rowsPerSampleBlock: Math.round((sample.rows / Math.max(1, totalBlocks)) * 10) / 10 };
  const stored = src.stored(sample);
  const fractions = (key: readonly string[], style: SortStyle): Float64Array => {
    // no key: the table as it is stored now, slice by slice, each slice in the blocks its segments have (appends'
    // partial blocks included, which any rewrite merges); a key: the table as a rewrite would lay it out
    const { order, starts } = key.length ? layoutOrder(sample, key, perSlice.length, style) : { order: stored.order, starts: stored.starts };
    const zones = blockZones(sample, testColumns, order, starts, key.length ? perSlice : stored.blocks);
    const f = new Float64Array(prepared.length);
    // blocks read per block stored now: layouts with fewer (merged) blocks read fewer for the same fraction
    prepared.forEach((p, i) => (f[i] = blocksScanned(zones, p.tests) / Math.max(1, storedBlocks)));
    return f;
  };
  const totalWeight = prepared.reduce((s, p) => s + p.weight, 0);
  const score = (key: readonly string[], style: SortStyle, f: Float64Array): KeyScore => {
    let blocks = 0;
    prepared.forEach((p, i) => (blocks += p.weight * f[i]!));
    return { key, style, blocks, fraction: totalWeight > 0 ? blocks / totalWeight : 1 };
  };
  const beforeF = fractions(current, currentStyle);
  const before = score(current, currentStyle, beforeF);
  const judged = new Map<string, { s: KeyScore; f: Float64Array }>();
  const idOf = (key: readonly string[], style: SortStyle) => `${style}\u0001${key.join('\u0000')}`;
  const judge = (key: readonly string[], style: SortStyle = 'compound') => {
    const id = idOf(key, style);
    if (!judged.has(id)) {
      const f = fractions(key, style);
      judged.set(id, { s: score(key, style, f), f });
    }
    return judged.get(id)!.s;
  };
  const singles = testColumns.map((c) => judge([c])).sort((a, b) => a.blocks - b.blocks);
  const ranked = singles.map((s) => s.key[0]!);
  const top = ranked.slice(0, o.compoundColumns ?? 4);
  for (const a of top) for (const b of top) if (a !== b) judge([a, b]);
  const pairs = [...judged.values()].map((j) => j.s).filter((s) => s.key.length === 2).sort((a, b) => a.blocks - b.blocks);
  if (pairs[0]) for (const c of top) if (!pairs[0].key.includes(c)) judge([...pairs[0].key, c]);
  for (const key of interleavedKeys(combinedColumns(prepared, ranked, o.interleavedColumns ?? 3))) judge(key, 'interleaved');
  const candidates = [...judged.values()].map((j) => j.s).sort((a, b) => a.blocks - b.blocks || a.key.length - b.key.length);
  const minGain = o.minGain ?? 0.1;
  // per style, the shortest key within 1% (of the current cost) of that style's best
  const slack = 0.01 * before.blocks;
  const bestCompound = shortestNearBest(candidates.filter((c) => c.style === 'compound'), slack)!;
  const bestInterleaved = shortestNearBest(candidates.filter((c) => c.style === 'interleaved'), slack);
  // z-order costs the first column's own scans what it gives the others: it must beat the best compound key as any key must beat the current order
  const interleavedWins = bestInterleaved !== null && bestCompound.blocks > 0 && (bestCompound.blocks - bestInterleaved.blocks) / bestCompound.blocks >= minGain;
  const best = interleavedWins ? bestInterleaved : bestCompound;
  const gain = before.blocks > 0 ? (before.blocks - best.blocks) / before.blocks : 0;
  const same = sameKey(best.key, current) && best.style === currentStyle;
  const improves = !same && gain >= minGain;
  const bytesPerColumnBlock = src.bytes / Math.max(1, totalBlocks * table.columns.length);
  const savedBy = (k: KeyScore) => {
    const f = judged.get(idOf(k.key, k.style))!.f;
    let blocks = 0;
    let rows = 0;
    prepared.forEach((p, i) => {
      const d = beforeF[i]! - f[i]!;
      blocks += p.weight * d;
      rows += p.scan.count * src.rows * d;
    });
    return { blocks, rows, bytes: blocks * bytesPerColumnBlock };
  };
  const compoundPays =
    improves && best.style === 'interleaved' && before.blocks > 0 && (before.blocks - bestCompound.blocks) / before.blocks >= minGain && !(sameKey(bestCompound.key, current) && currentStyle === 'compound');
  return {
    table: table.name,
    current,
    currentStyle,
    userSet,
    proposed: improves ? best.key : null,
    proposedStyle: improves ? best.style : null,
    before,
    best,
    // the twelve best, and the best of each style among them, so the evidence always sets the styles side by side
    candidates: [...candidates.slice(0, 12), ...[bestCompound, bestInterleaved].filter((k): k is KeyScore => k !== null && !candidates.slice(0, 12).includes(k))],
    sample: info,
    source,
    predicates,
    scans: executions,
    saved: improves ? savedBy(best) : { blocks: 0, rows: 0, bytes: 0 },
    compound: compoundPays ? { best: bestCompound, saved: savedBy(bestCompound) } : null,
    note: improves
      ? null
      : same
        ? 'the current sort key is already the best candidate'
        : `the best candidate (${keyText(best.key, best.style)}) reads ${(gain * 100).toFixed(1)}% fewer blocks than the current order, under the ${(minGain * 100).toFixed(0)}% a rewrite must earn`,
  };
}

/** Every table's sort-key choice from the workload's scan predicates, tables with no logged predicate left out. */
export async function chooseSortKeys(db: Database, workload: Workload, o: SortKeyOptions = {}): Promise<SortKeyChoice[]> {
  const catalog = db.catalog();
  const byTable = new Map<string, LoggedScan[]>();
  for (const s of loggedScans(workload)) {
    if (!catalog.tables[s.table]) continue;
    if (o.tables && !o.tables.includes(s.table)) continue;
    let l = byTable.get(s.table);
    if (!l) byTable.set(s.table, (l = []));
    l.push(s);
  }
  const out: SortKeyChoice[] = [];
  for (const name of [...byTable.keys()].sort()) {
    const c = await chooseSortKey(db, catalog.tables[name]!, byTable.get(name)!, o);
    if (c) out.push(c);
  }
  return out;
}
