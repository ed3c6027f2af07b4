/**
 * The autonomics loop end to end on TPC-H (`keel demo`): generate the data on
 * the default (AUTO) layout, replay a generated query stream, run the
 * advisor on what it recorded, apply every change the policy allows through
 * the engine's online ALTER, replay the same stream, and verify each change
 * by comparing the two replays. Returns both replays' costs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database, tpchTables } from '../../engine/index.js';
import { attachWorkloadLog, replayTrace, tpchWorkload, traceLine, type ReplaySummary } from '../../workload-log/index.js';
import { listRecommendations } from '../recommendations/index.js';
import { runAdvisor } from '../run.js';
import { loadConfig } from './config.js';
import { applyGroup } from './lifecycle.js';
import { candidates } from './policy.js';
import { verifyGroup, type Window } from './verify.js';
import type { Verdict } from './types.js';

export interface DemoOptions {
  readonly sf: number;
  /** Queries in the replayed stream (default 200). */
  readonly queries?: number;
  readonly seed?: number;
  readonly slices?: number;
  /** Progress: a phase starts (total known) or advances. */
  readonly onPhase?: (phase: DemoPhase, done: number, total: number) => void;
}

export type DemoPhase = 'generate' | 'warm-up' | 'replay-before' | 'advise' | 'apply' | 'warm-up-after' | 'replay-after' | 'verify';

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

function measure(s: ReplaySummary, storage: number): DemoMeasure {
  return {
    workloadMs: Math.round(s.elapsedMs),
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
    const replay = async (name: 'warm-up' | 'replay-before' | 'warm-up-after' | 'replay-after'): Promise<{ summary: ReplaySummary; window: Window }> =>
      phase(name, async () => {
        const since = Date.now() - 1;
        const summary = await replayTrace(db, trace, { onProgress: (p) => options.onPhase?.(name, p.done, queries) });
        log.flush();
        return { summary, window: { since, until: Date.now() + 1 } };
      });

    // both measured replays run warm: the first replay of a process pays for compiling and caching, so it is not measured
    await replay('warm-up');
    const r1 = await replay('replay-before');
    const before = measure(r1.summary, await storageBytes(db));
    await phase('advise', () => runAdvisor(db, { filter: { since: r1.window.since, until: r1.window.until } }));
    const config = loadConfig(dir);
    const { allowed, held } = candidates(listRecommendations(dir), db.catalog(), config);
    const groups = [...new Set(allowed.map((r) => r.group))];
    await phase('apply', async () => {
      for (const [k, g] of groups.entries()) {
        options.onPhase?.('apply', k, groups.length);
        await applyGroup(db, g, { by: 'daemon', ...(config.maxBytesPerSecond !== null ? { maxBytesPerSecond: config.maxBytesPerSecond } : {}) });
      }
      options.onPhase?.('apply', groups.length, groups.length);
    });
    // the new table versions are read for the first time: warm them up too, so both measured replays run warm
    await replay('warm-up-after');
    const r2 = await replay('replay-after');
    const after = measure(r2.summary, await storageBytes(db));
    const verdicts = new Map<string, Verdict | null>();
    await phase('verify', async () => {
      for (const g of groups) {
        const v = await verifyGroup(db, g, config, { windows: { before: r1.window, after: r2.window } });
        verdicts.set(g, v.verification?.verdict ?? null);
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
      changes: allowed.map((r) => {
        const f = final.get(r.id) ?? r;
        return { id: r.id, group: r.group, table: r.table, kind: r.kind, ddl: r.ddl, status: f.status, verdict: verdicts.get(r.group) ?? null, applyMs: f.lifecycle?.applyMs ?? null };
      }),
      held,
      timings,
      elapsedMs: Math.round(performance.now() - t0),
    };
  } finally {
    db.close();
  }
}
