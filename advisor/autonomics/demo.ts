/**
 * The autonomics loop end to end on TPC-H (`keel demo`): generate the data on
 * the default (AUTO) layout, replay a generated query stream, run the
 * advisor on what it recorded, apply every change the policy allows through
 * the engine's online ALTER, and measure the stream on the tuned layout and
 * on a copy of the default one side by side (a paired replay: each statement
 * on both, back to back), so both are timed in the same minutes of the
 * machine. Each change is verified on those two measurements, and if the
 * stream as a whole measured slower with 95% confidence, every change goes
 * back. Returns both sides' costs.
 *
 * Then the views step (advisor/matviews): automatic materialized views are
 * made from the same mined stream, one a cycle until none pays, on the tuned
 * layout, and the stream is measured again side by side on the tuned layout
 * with rewriting off (a second handle, mv_enable_aqmv_for_session off) and on
 * (both warm). The report says what the views did to the time, including
 * when they did nothing measurable or made it slower.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, tpchTables } from '../../engine/index.js';
import { attachWorkloadLog, replayPaired, replayTrace, tpchWorkload, traceLine, type PairedSide } from '../../workload-log/index.js';
import { listRecommendations } from '../recommendations/index.js';
import { runAdvisor } from '../run.js';
import { loadConfig, type AutonomicsConfig } from './config.js';
import { applyGroup, groupOf, revertGroup } from './lifecycle.js';
import { candidates } from './policy.js';
import { verifyGroup, type Window } from './verify.js';
import { viewsStep } from '../matviews/index.js';
import type { Verdict } from './types.js';

export interface DemoOptions {
  readonly sf: number;
  /** Queries in the replayed stream (default 200). */
  readonly queries?: number;
  /** Measured rounds of the paired replay (default 3). */
  readonly rounds?: number;
  readonly seed?: number;
  readonly slices?: number;
  /** Progress: a phase starts (total known) or advances. */
  readonly onPhase?: (phase: DemoPhase, done: number, total: number) => void;
}

export type DemoPhase = 'generate' | 'warm-up' | 'replay-before' | 'advise' | 'copy' | 'apply' | 'replay' | 'verify' | 'views' | 'replay-views';

/** One replay's cost, and the layout's storage, as `keel demo --json` prints them (DESIGN.md). */
export interface DemoMeasure {
  readonly workloadMs: number;
  readonly bytesMoved: number;
  readonly blocksScanned: number;
  readonly storageBytes: number;
  readonly rowsMoved: number;
  readonly blocksSkipped: number;
  readonly queries: number;
  readonly errors: number;
}

export interface DemoReport {
  readonly sf: number;
  readonly queries: number;
  readonly trace: string;
  readonly before: DemoMeasure;
  readonly after: DemoMeasure;
  /** (after - before) / before per measure, in percent. */
  readonly changePercent: Readonly<Record<'workloadMs' | 'bytesMoved' | 'blocksScanned' | 'storageBytes', number>>;
  /** Tuned over default time in the paired replay, with its bootstrap 95% interval (workload-log/replay-paired.ts). */
  readonly timeRatio: { readonly estimate: number; readonly low: number; readonly high: number };
  /** Measured rounds of the paired replay. */
  readonly rounds: number;
  /** Why every change was reverted (the stream measured slower), or null. */
  readonly reverted: string | null;
  readonly changes: readonly { id: string; group: string; table: string; kind: string; ddl: string; status: string; verdict: Verdict | null; applyMs: number | null }[];
  /** Recommendations the policy did not apply, with why. */
  readonly held: readonly { id: string; reason: string }[];
  /** The views step on the tuned layout, and the stream timed without and with its views. */
  readonly views: DemoViews;
  readonly timings: Readonly<Partial<Record<DemoPhase, number>>>;
  readonly elapsedMs: number;
}

export interface DemoViews {
  /** Why the views step did nothing (its gate), or null. */
  readonly skipped: string | null;
  readonly created: readonly { readonly name: string; readonly sql: string; readonly reason: string }[];
  /** Candidates not created, with why (the first few). */
  readonly held: readonly { readonly sql: string; readonly reason: string }[];
  /** The paired replay on the tuned layout, rewriting off (before) and on (after); null when no view was made. */
  readonly before: DemoMeasure | null;
  readonly after: DemoMeasure | null;
  readonly timeRatio: { readonly estimate: number; readonly low: number; readonly high: number } | null;
  /** Queries of the measured rounds that read a view. */
  readonly hits: number;
  /** What the views did to the stream, in words: faster, slower, or not measurably either (or why there are none). */
  readonly verdict: string;
}

async function storageBytes(db: Database): Promise<number> {
  const r = await db.query('select sum(size_bytes) from svv_table_info');
  return Number(r.rows()[0]?.[0] ?? 0);
}

function measure(s: PairedSide, storage: number): DemoMeasure {
  return {
    workloadMs: s.workloadMs,
    bytesMoved: s.bytesMoved,
    blocksScanned: s.blocksScanned,
    storageBytes: storage,
    rowsMoved: s.rowsMoved,
    blocksSkipped: s.blocksSkipped,
    queries: s.queries,
    errors: s.errors,
  };
}

const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round(((a - b) / b) * 1000) / 10);

/** Runs the loop in `dir`, which must not hold a data directory yet. */
export async function runDemo(dir: string, options: DemoOptions): Promise<DemoReport> {
  const t0 = performance.now();
  const timings: Partial<Record<DemoPhase, number>> = {};
  const phase = async <T>(name: DemoPhase, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    options.onPhase?.(name, 0, 1);
    try {
      return await fn();
    } finally {
      timings[name] = Math.round(performance.now() - t);
    }
  };
  const db = await Database.create(dir, { slices: options.slices ?? 4 });
  // the replays are the workload; the demo's own statements (DDL, loads) are recorded as such
  const log = attachWorkloadLog(db, { source: 'demo' });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-demo-untuned-'));
  let untuned: Database | null = null;
  try {
    await phase('generate', async () => {
      const tables = tpchTables(options.sf);
      const total = tables.reduce((s, t) => s + t.rows, 0);
      let done = 0;
      for (const t of tables) {
        await db.execute(t.ddl);
        const batches = (function* () {
          for (const b of t.batches()) {
            done += b.length;
            options.onPhase?.('generate', done, total);
            yield b;
          }
        })();
        await db.append(t.name, batches, t.rows);
      }
    });
    const queries = options.queries ?? 200;
    const trace = path.join(dir, 'demo-workload.jsonl');
    fs.writeFileSync(trace, [...tpchWorkload({ queries, seed: options.seed ?? 1, sf: options.sf })].map(({ query: _q, ...l }) => traceLine(l)).join('\n') + '\n');

    // the stream the advisor mines: the first replay of a process pays for compiling and caching, so it is a warm-up
    const replay = async (name: 'warm-up' | 'replay-before'): Promise<Window> =>
      phase(name, async () => {
        const since = Date.now() - 1;
        await replayTrace(db, trace, { onProgress: (p) => options.onPhase?.(name, p.done, queries) });
        log.flush();
        return { since, until: Date.now() + 1 };
      });
    await replay('warm-up');
    const mined = await replay('replay-before');
    await phase('advise', () => runAdvisor(db, { filter: { since: mined.since, until: mined.until } }));
    const config = loadConfig(dir);
    const { allowed, held } = candidates(listRecommendations(dir), db.catalog(), config);
    const groups = [...new Set(allowed.map((r) => r.group))];
    // the default layout is kept in a copy, so before and after can be measured side by side, in the same minutes
    const untunedDir = path.join(scratch, 'data');
    await phase('copy', async () => {
      fs.cpSync(dir, untunedDir, { recursive: true });
    });
    const storageBefore = await storageBytes(db);
    await phase('apply', async () => {
      for (const [k, g] of groups.entries()) {
        options.onPhase?.('apply', k, groups.length);
        await applyGroup(db, g, { by: 'daemon', ...(config.maxBytesPerSecond !== null ? { maxBytesPerSecond: config.maxBytesPerSecond } : {}) });
      }
      options.onPhase?.('apply', groups.length, groups.length);
    });
    untuned = await Database.open(untunedDir, { resultCache: false, ...(db.workerPool() ? { workers: db.workerPool()!.size } : {}) });
    const untunedLog = attachWorkloadLog(untuned, { source: 'demo' });
    const since = Date.now() - 1;
    const paired = await phase('replay', () => replayPaired(untuned!, db, trace, { rounds: options.rounds ?? 3, warmup: 1, onProgress: (d, t) => options.onPhase?.('replay', d, t) }));
    log.flush();
    untunedLog.flush();
    const window = { since, until: Date.now() + 1 };
    const before = measure(paired.a, storageBefore);
    const after = measure(paired.b, await storageBytes(db));
    const verdicts = new Map<string, Verdict | null>();
    let guard: string | null = null;
    await phase('verify', async () => {
      for (const g of groups) {
        const v = await verifyGroup(db, g, config, { windows: { before: { ...window, dir: untunedDir }, after: window } });
        verdicts.set(g, v.verification?.verdict ?? null);
      }
      // the whole workload is the last word: slower with 95% confidence, every change still in place goes back
      if (paired.timeRatio.low > 1) {
        guard = `the stream measured slower on the tuned layout: ${ratioText(paired.timeRatio)}`;
        for (const g of groups) if (groupOf(db.dir, g).every((m) => m.status === 'verified' || m.status === 'applied')) await revertGroup(db, g, guard);
      }
    });
    const views = await demoViews(db, dir, trace, config, options, phase);
    const final = new Map(listRecommendations(dir).map((r) => [r.id, r]));
    return {
      sf: options.sf,
      queries,
      trace,
      before,
      after,
      changePercent: {
        workloadMs: pct(after.workloadMs, before.workloadMs),
        bytesMoved: pct(after.bytesMoved, before.bytesMoved),
        blocksScanned: pct(after.blocksScanned, before.blocksScanned),
        storageBytes: pct(after.storageBytes, before.storageBytes),
      },
      timeRatio: paired.timeRatio,
      rounds: paired.rounds,
      reverted: guard,
      changes: allowed.map((r) => {
        const f = final.get(r.id) ?? r;
        return { id: r.id, group: r.group, table: r.table, kind: r.kind, ddl: r.ddl, status: f.status, verdict: verdicts.get(r.group) ?? null, applyMs: f.lifecycle?.applyMs ?? null };
      }),
      held,
      views,
      timings,
      elapsedMs: Math.round(performance.now() - t0),
    };
  } finally {
    untuned?.close();
    db.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

type Phase = <T>(name: DemoPhase, fn: () => Promise<T>) => Promise<T>;

/** Held candidates the report lists. */
const HELD_SHOWN = 5;

/**
 * The views step until it makes no view (one a cycle, as the daemon does),
 * then the stream side by side on the tuned layout without and with them.
 * The demo runs the step at once instead of on its schedule: its load gate
 * would hold it on a machine busy with the demo itself, and the maintenance
 * window is the daemon's, not the demo's.
 */
async function demoViews(db: Database, dir: string, trace: string, config: AutonomicsConfig, options: DemoOptions, phase: Phase): Promise<DemoViews> {
  const policy: AutonomicsConfig = { ...config, maxLoadAverage: Infinity, maintenanceWindow: '* * * * *' };
  const created: DemoViews['created'][number][] = [];
  let held: DemoViews['held'] = [];
  let skipped: string | null = null;
  await phase('views', async () => {
    for (let k = 0; k < config.views.maxViews; k++) {
      const r = await viewsStep(db, policy);
      skipped = r.skipped;
      held = r.held.filter((h) => h.reason !== 'one view is created a cycle').slice(0, HELD_SHOWN);
      if (r.skipped || r.created.length === 0) break;
      created.push(...r.created);
    }
  });
  if (created.length === 0) {
    const verdict = skipped ? `no views: the views step did not run (${skipped})` : `no views: no candidate paid on the mined stream${held.length ? ` (${held[0]!.reason})` : ''}`;
    return { skipped, created, held, before: null, after: null, timeRatio: null, hits: 0, verdict };
  }
  // the same tuned layout in a second handle that does not read views: the pair differs only in rewriting
  const plain = await Database.open(dir, { resultCache: false, ...(db.workerPool() ? { workers: db.workerPool()!.size } : {}) });
  try {
    await plain.query('set mv_enable_aqmv_for_session to off');
    let hits = 0;
    const count = db.onQuery((r) => {
      if (r.scans.some((x) => x.table.startsWith('mv_tbl__'))) hits++;
    });
    let paired;
    try {
      paired = await phase('replay-views', () => replayPaired(plain, db, trace, { rounds: options.rounds ?? 3, warmup: 1, onProgress: (d, t) => options.onPhase?.('replay-views', d, t) }));
    } finally {
      count();
    }
    const storage = await storageBytes(db);
    const r = paired.timeRatio;
    const verdict =
      r.high < 1 ? `the views made the stream faster: ${ratioText(r)}`
      : r.low > 1 ? `the views made the stream slower: ${ratioText(r)}`
      : `the views made no measurable difference to the stream: ${ratioText(r)}`;
    return { skipped, created, held, before: measure(paired.a, storage), after: measure(paired.b, storage), timeRatio: r, hits, verdict };
  } finally {
    plain.close();
  }
}

/** "x0.912 (95% interval 0.884-0.941)" */
export function ratioText(r: { estimate: number; low: number; high: number }): string {
  return `x${r.estimate.toFixed(3)} (95% interval ${r.low.toFixed(3)}-${r.high.toFixed(3)})`;
}
