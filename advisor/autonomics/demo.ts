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
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, tpchTables } from '../../engine/index.js';
import { attachWorkloadLog, replayPaired, replayTrace, tpchWorkload, traceLine, type PairedSide } from '../../workload-log/index.js';
import { listRecommendations } from '../recommendations/index.js';
import { runAdvisor } from '../run.js';
import { loadConfig } from './config.js';
import { applyGroup, groupOf, revertGroup } from './lifecycle.js';
import { candidates } from './policy.js';
import { verifyGroup, type Window } from './verify.js';
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

export type DemoPhase = 'generate' | 'warm-up' | 'replay-before' | 'advise' | 'copy' | 'apply' | 'replay' | 'verify';

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
  readonly timings: Readonly<Record<DemoPhase, number>>;
  readonly elapsedMs: number;
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
  const timings = {} as Record<DemoPhase, number>;
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
      timings,
      elapsedMs: Math.round(performance.now() - t0),
    };
  } finally {
    untuned?.close();
    db.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** "x0.912 (95% interval 0.884-0.941)" */
export function ratioText(r: { estimate: number; low: number; high: number }): string {
  return `x${r.estimate.toFixed(3)} (95% interval ${r.low.toFixed(3)}-${r.high.toFixed(3)})`;
}
