/**
 * What bench:advisor-suite does to each workload: build it, replay its stream
 * and count what the stream cost, measure several layouts of it side by side,
 * and run the advisor's loop (mine the log, apply what it proposes).
 */
import { Database } from '../../index.js';
import type { QueryRecord } from '../../engine/index.js';
import { keyText, listRecommendations, runAdvisor, styleRivals, type KeyScore, type Recommendation, type SortKeyChoice, type SortKeyRecommendation } from '../../advisor/index.js';
import { applyGroup } from '../../advisor/autonomics/lifecycle.js';
import type { SuiteWorkload } from './workloads.js';

/** A new data directory with the workload's tables, loaded; the workload log is on (Database's default). */
export async function buildWorkload(dir: string, w: SuiteWorkload, scale: number): Promise<Database> {
  const db = await Database.create(dir, { slices: 4 });
  try {
    for (const sql of w.ddl) await db.execute(sql);
    await w.load(db, scale);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

export interface Replay {
  /** Wall time of the statements, summed. */
  readonly ms: number;
  readonly queries: number;
  readonly errors: number;
  /** The first few failures, for the report (a failing query counts nothing else). */
  readonly failures: readonly string[];
  readonly blocksScanned: number;
  readonly blocksSkipped: number;
  /** Rows the scans decoded: blocks of different sizes make blocks alone a partial measure. */
  readonly rowsScanned: number;
  readonly bytesMoved: number;
  readonly rowsMoved: number;
}

/** What a run of statements on one database cost so far: wall time timed here, the rest from the engine's query records. */
class Tally {
  ms = 0;
  queries = 0;
  errors = 0;
  readonly failures: string[] = [];
  blocksScanned = 0;
  blocksSkipped = 0;
  rowsScanned = 0;
  bytesMoved = 0;
  rowsMoved = 0;

  record(r: QueryRecord): void {
    this.blocksScanned += r.blocksScanned;
    this.blocksSkipped += r.blocksSkipped;
    this.rowsScanned += r.scans.reduce((s, x) => s + x.rowsScanned, 0);
    this.bytesMoved += r.bytesMoved;
    this.rowsMoved += r.rowsMoved;
  }

  /** Runs one statement; a failure is counted, not thrown. */
  async run(db: Database, sql: string): Promise<void> {
    const t0 = performance.now();
    try {
      await db.execute(sql);
    } catch (e) {
      this.errors++;
      if (this.failures.length < 5) this.failures.push(`${e instanceof Error ? e.message : String(e)} in: ${sql.slice(0, 160)}`);
    }
    this.ms += performance.now() - t0;
    this.queries++;
  }

  result(): Replay {
    const { ms, queries, errors, failures, blocksScanned, blocksSkipped, rowsScanned, bytesMoved, rowsMoved } = this;
    return { ms, queries, errors, failures, blocksScanned, blocksSkipped, rowsScanned, bytesMoved, rowsMoved };
  }
}

/** Runs each statement in turn; totals from the engine's own query records. A failing statement is counted, not thrown. */
export async function replay(db: Database, sqls: readonly string[]): Promise<Replay> {
  const tally = new Tally();
  const off = db.onQuery((r) => tally.record(r));
  try {
    for (const sql of sqls) await tally.run(db, sql);
  } finally {
    off();
  }
  return tally.result();
}

/** Encoded bytes of every table, an ALL table once per copy (svv_table_info's size_bytes). */
export async function storageBytes(db: Database): Promise<number> {
  const rows = (await db.query('select sum(size_bytes) from svv_table_info')).rows();
  return Number(rows[0]?.[0] ?? 0);
}

export interface Measurement {
  /** Median stream time over the counted rounds. */
  readonly ms: number;
  /** Every counted round's time, in order. */
  readonly rounds: readonly number[];
  /** Each statement's time, the median over the counted rounds: paired with another layout's, statement by statement. */
  readonly statementMs: Float64Array;
  /** Counters of the first counted round (they do not depend on timing). */
  readonly blocksScanned: number;
  readonly blocksSkipped: number;
  readonly rowsScanned: number;
  readonly bytesMoved: number;
  readonly rowsMoved: number;
  readonly errors: number;
  readonly storageBytes: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * The stream on every database, warm (one whole replay each first, not
 * counted), then `runs` counted rounds. A round interleaves the databases
 * statement by statement, in an order that rotates with every statement, so
 * that a burst of load from another process on a shared machine falls on
 * every layout alike: replaying whole streams in turn let identical layouts
 * differ by up to 9% on a busy 2-core machine.
 */
export async function measure(dbs: Readonly<Record<string, Database>>, sqls: readonly string[], runs: number, onRound?: (round: number) => void): Promise<Record<string, Measurement>> {
  const names = Object.keys(dbs);
  for (const n of names) await replay(dbs[n]!, sqls);
  const counted: Record<string, Replay[]> = Object.fromEntries(names.map((n) => [n, []]));
  // times[k][q * runs + i]: statement q's time on database k in round i
  const times = names.map(() => new Float64Array(sqls.length * runs));
  for (let i = 0; i < runs; i++) {
    onRound?.(i + 1);
    const tallies = names.map(() => new Tally());
    const offs = names.map((n, k) => dbs[n]!.onQuery((r) => tallies[k]!.record(r)));
    try {
      for (const [q, sql] of sqls.entries()) {
        for (let j = 0; j < names.length; j++) {
          const k = (i + q + j) % names.length;
          const before = tallies[k]!.ms;
          await tallies[k]!.run(dbs[names[k]!]!, sql);
          times[k]![q * runs + i] = tallies[k]!.ms - before;
        }
      }
    } finally {
      for (const off of offs) off();
    }
    names.forEach((n, k) => counted[n]!.push(tallies[k]!.result()));
  }
  // a statement's time is its median over the rounds: one that stalled in one round (a collection, a burst of other work) would
  // carry the stall whole into a mean, and on a loaded machine that made two copies of one layout differ by 10%
  const statementMs = times.map((t) => Float64Array.from(sqls, (_, q) => median(Array.from(t.subarray(q * runs, (q + 1) * runs)))));
  const out: Record<string, Measurement> = {};
  for (const [k, n] of names.entries()) {
    const rs = counted[n]!;
    const first = rs[0]!;
    out[n] = {
      ms: median(rs.map((r) => r.ms)),
      rounds: rs.map((r) => r.ms),
      statementMs: statementMs[k]!,
      blocksScanned: first.blocksScanned,
      blocksSkipped: first.blocksSkipped,
      rowsScanned: first.rowsScanned,
      bytesMoved: first.bytesMoved,
      rowsMoved: first.rowsMoved,
      errors: first.errors,
      storageBytes: await storageBytes(dbs[n]!),
    };
  }
  return out;
}

/**
 * The advisor's whole loop once: mine the workload log, then apply every
 * proposed group the way `keel advisor apply --all` does (the one apply path,
 * applyGroup), best first; a group that fails is recorded failed and skipped.
 */
export async function adviseAndApply(db: Database): Promise<{ applied: string[]; appliedCount: number; proposed: number; refused: string[]; sortStyles: string[] }> {
  const out = await runAdvisor(db);
  const refused = (out.run.rejected ?? []).map((g) => `${g.changes.join('; ')}: ${g.reason}`);
  const proposed = listRecommendations(db.dir).filter((r) => r.status === 'proposed');
  const applied: string[] = [];
  let appliedCount = 0;
  for (const group of [...new Set(proposed.map((r) => r.group))]) {
    const done = await applyGroup(db, group, { by: 'user' });
    const shadow = done.find((r) => r.evidence.shadow)?.evidence.shadow;
    const why = shadow ? ` (shadow: ${shadow.reason})` : '';
    const ddls = done.filter((r) => r.status === 'applied').map((r) => `\`${r.ddl}\``);
    appliedCount += ddls.length;
    if (ddls.length) applied.push(`${ddls.join(', ')}${why}`);
  }
  return { applied, appliedCount, proposed: proposed.length, refused, sortStyles: sortStyles(out.sortKeys, proposed) };
}

/** Per table with interleaved candidates: the best compound and interleaved keys as the model judged them, and the shadow's verdict between them. */
function sortStyles(choices: readonly SortKeyChoice[], proposed: readonly Recommendation[]): string[] {
  const out: string[] = [];
  for (const c of choices) {
    const best = (style: string) => c.candidates.find((k) => k.style === style);
    const compound = best('compound');
    const interleaved = best('interleaved');
    if (!compound || !interleaved) continue;
    const share = (k: { fraction: number }) => `${(k.fraction * 100).toFixed(1)}% of blocks`;
    const text = (k: KeyScore) => (k.style === 'interleaved' ? keyText(k.key, k.style) : `(${keyText(k.key, k.style)})`);
    const rec = proposed.find((r): r is SortKeyRecommendation => r.kind === 'sortkey' && r.table === c.table);
    const styles = rec ? styleRivals(rec) : null;
    const verdict = styles
      ? `; the shadow copy set ${styles.interleaved} against (${styles.compound}): ${styles.shadow.verdict}, ${styles.shadow.reason}`
      : c.compound === null && c.proposedStyle !== 'interleaved'
        ? '; the model kept the compound key (an interleaved key must read 10% fewer blocks than the best compound key before it is measured)'
        : '';
    out.push(`${c.table}: model estimate for the best compound key ${text(compound)} ${share(compound)}, best interleaved ${text(interleaved)} ${share(interleaved)}${verdict}`);
  }
  return out;
}
