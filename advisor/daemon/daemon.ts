/**
 * The advisor daemon: one per data directory (advisor/daemon.pid), beside any
 * number of processes running queries on it. node-cron runs the loop's four
 * steps (mine, apply, verify, and maintain: automatic vacuum and analyze) on
 * the schedules of keel.config.json, one step at a time; each step re-reads
 * the config, so policy edits apply without a restart (schedule
 * edits need one). SIGTERM or SIGINT stops the schedules, abandons a running
 * apply through its AbortSignal (the table keeps its old version, the
 * recommendation goes back to proposed) or lets a short step finish, then
 * releases the lock and exits.
 */
import * as os from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { Database } from '../../index.js';
import { KeelError } from '../../engine/index.js';
import { lockHolder, tryLock } from '../autonomics/file-lock.js';
import { loadConfig, type AutonomicsConfig } from '../autonomics/config.js';
import { applyStep, mineStep, verifyStep } from '../autonomics/cycle.js';
import { maintainStep } from '../autonomics/maintenance.js';
import { viewsStep } from '../matviews/step.js';
import { resumeInterrupted } from '../autonomics/lifecycle.js';
import { hasOnlineAlter } from '../autonomics/engine-alter.js';
import { createLogger } from './logger.js';
import { pidPath, writeState, type DaemonState, type StepName } from './state.js';

export interface DaemonOptions {
  /** Log to standard output too (pretty on a terminal). */
  readonly foreground?: boolean;
  /** Run mine, apply, verify and maintain once each, then exit (for an outside scheduler or a test). */
  readonly once?: boolean;
  /** Stop when this aborts (besides SIGTERM/SIGINT). */
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Called once the lock is held and the schedules run. */
  readonly onReady?: () => void;
}

const STEPS: readonly StepName[] = ['mine', 'apply', 'verify', 'maintain', 'views'];
const HEARTBEAT_MS = 5_000;

export async function runDaemon(dataDir: string, options: DaemonOptions = {}): Promise<void> {
  const release = tryLock(pidPath(dataDir));
  if (!release) throw new KeelError('LOCKED', `an advisor daemon is already running on ${dataDir} (pid ${lockHolder(pidPath(dataDir))}); keel daemon stop ends it`);
  const log = options.logger ?? createLogger(dataDir, { foreground: options.foreground === true });
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) return;
    log.info({ signal: sig }, `${sig}: stopping (a running apply is abandoned, the table keeps its old version)`);
    stop.abort(sig);
  };
  const onTerm = () => onSignal('SIGTERM');
  const onInt = () => onSignal('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  const onOuter = () => stop.abort(options.signal?.reason ?? 'stopped');
  options.signal?.addEventListener('abort', onOuter, { once: true });

  let db: Database | undefined;
  const tasks: ScheduledTask[] = [];
  let heartbeat: NodeJS.Timeout | undefined;
  let config: AutonomicsConfig;
  let state: DaemonState;
  try {
    config = loadConfig(dataDir);
    // its own statements (skew counts, ALTERs) are not workload: unrecorded, they never feed the next mining run
    db = await Database.open(dataDir, { create: false, workloadLog: false });
    const now = new Date().toISOString();
    state = { pid: process.pid, startedAt: now, heartbeatAt: now, schedule: config.schedule, busy: null, last: {}, stoppedAt: null };
    writeState(dataDir, state);
    log.info({ dataDir, host: os.hostname(), schedule: config.schedule, onlineApply: hasOnlineAlter(db) }, `advisor daemon started on ${dataDir}`);

    const resumed = await resumeInterrupted(db, { by: 'daemon', maxAttempts: config.maxAttempts, signal: stop.signal });
    for (const r of resumed) log.info({ group: r.group, action: r.action, status: r.recommendations[0]?.status, reason: r.recommendations[0]?.statusReason }, `${r.group}: interrupted apply ${r.action}`);

    const d = db;
    const runStep = async (name: StepName): Promise<void> => {
      if (stop.signal.aborted) return;
      const t0 = performance.now();
      state = { ...state, busy: name, heartbeatAt: new Date().toISOString() };
      writeState(dataDir, state);
      let summary = '';
      let error: string | undefined;
      try {
        // the policy is read at every step, so an edit takes effect without a restart
        config = loadConfig(dataDir);
        summary = await STEP[name](d, config, stop.signal, log);
      } catch (e) {
        if (stop.signal.aborted) summary = `${name} abandoned: stopping`;
        else {
          error = e instanceof Error ? e.message : String(e);
          log.error({ step: name, err: e instanceof KeelError ? { code: e.code, message: e.message } : e }, `${name} failed: ${error}`);
        }
      }
      const ms = Math.round(performance.now() - t0);
      if (!error) log.info({ step: name, ms }, summary);
      state = { ...state, busy: null, heartbeatAt: new Date().toISOString(), last: { ...state.last, [name]: { at: new Date().toISOString(), ms, summary, ...(error ? { error } : {}) } } };
      writeState(dataDir, state);
    };
    // one step at a time: a mining run and an apply never race on the same table
    let chain: Promise<void> = Promise.resolve();
    const queued = new Set<StepName>();
    const enqueue = (name: StepName): Promise<void> => {
      if (queued.has(name) || stop.signal.aborted) return chain;
      queued.add(name);
      chain = chain
        .then(() => runStep(name))
        // a step that could not even record its outcome (state file unwritable) must not stop the daemon
        .catch((e: unknown) => log.error({ step: name, err: e }, `${name}: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => queued.delete(name));
      return chain;
    };

    if (options.once) {
      for (const s of STEPS) await enqueue(s);
    } else {
      // node-cron's own notices into our log; "missed execution" is expected while a long step holds the event loop
      const cronLog = {
        info: (m: string) => log.debug({ cron: true }, m),
        warn: (m: string) => log.debug({ cron: true }, m),
        error: (m: string | Error) => log.error({ cron: true, err: m }, String(m)),
        debug: (m: string | Error) => log.debug({ cron: true }, String(m)),
      };
      for (const s of STEPS) tasks.push(cron.schedule(config.schedule[s], () => void enqueue(s), { name: `keel-${s}`, noOverlap: true, logger: cronLog }));
      heartbeat = setInterval(() => {
        state = { ...state, heartbeatAt: new Date().toISOString() };
        writeState(dataDir, state);
      }, HEARTBEAT_MS);
      options.onReady?.();
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
      for (const t of tasks) await t.stop();
      await chain;
    }
    state = { ...state, busy: null, stoppedAt: new Date().toISOString() };
    writeState(dataDir, state);
    log.info('advisor daemon stopped');
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    for (const t of tasks) await t.destroy();
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    options.signal?.removeEventListener('abort', onOuter);
    db?.close();
    release();
  }
}

type Step = (db: Database, config: AutonomicsConfig, signal: AbortSignal, log: Logger) => Promise<string>;

const STEP: Record<StepName, Step> = {
  async mine(db, config, signal) {
    const r = await mineStep(db, config, { signal });
    if (!r.ran) return `mine: skipped, ${r.reason}`;
    return `mine: ${r.run} over ${r.queries} queries proposed ${r.proposed.length} change${r.proposed.length === 1 ? '' : 's'}${r.proposed.length ? ': ' + r.proposed.map((p) => `${p.id} ${p.ddl}`).join('; ') : ''}`;
  },
  async apply(db, config, signal, log) {
    const r = await applyStep(db, config, { signal });
    for (const x of r.resumed) log.info({ group: x.group, action: x.action }, `${x.group}: interrupted apply ${x.action}`);
    if (!r.applied) return `apply: nothing applied, ${r.skipped}`;
    const a = r.applied[0]!;
    const what = r.applied.map((m) => `${m.id} ${m.ddl}`).join('; ');
    if (a.status === 'applied') return `apply: group ${a.group} applied (${what}), ${a.statusReason}`;
    return `apply: group ${a.group} ${a.status} (${what}): ${a.statusReason}`;
  },
  async maintain(db, config, signal) {
    const r = await maintainStep(db, config, { signal });
    if (!r.ran) return `maintain: nothing run, ${r.reason}${r.due.length ? ` (due: ${r.due.map((d) => `${d.action} ${d.table}`).join(', ')})` : ''}`;
    if (r.actions.length === 0) return 'maintain: nothing due';
    return `maintain: ${r.actions.map((a) => `${a.action} ${a.table} ${a.status}${a.reason ? ` (${a.reason})` : ''}`).join('; ')}`;
  },
  async views(db, config, signal) {
    const r = await viewsStep(db, config, { signal });
    const parts = [
      ...r.reconciled.map((x) => `${x.name} ${x.status} (${x.reason})`),
      ...r.refreshed.map((x) => `refreshed ${x.name} in ${Math.round(x.ms)} ms`),
      ...r.dropped.map((x) => `dropped ${x.name}: ${x.reason}`),
      ...r.created.map((x) => `created ${x.name}: ${x.reason}`),
    ];
    if (r.skipped) return `views: ${parts.length ? parts.join('; ') + '; ' : ''}nothing else done, ${r.skipped}`;
    return `views: ${parts.length ? parts.join('; ') : `nothing to do${r.held.length ? ` (${r.held.length} candidates held: ${r.held[0]!.reason}${r.held.length > 1 ? ', ...' : ''})` : ''}`}`;
  },
  async verify(db, config, signal) {
    const r = await verifyStep(db, config, { signal });
    if (r.judged.length === 0) return `verify: nothing to judge${r.waiting.length ? ` (${r.waiting.join(', ')} still measuring)` : ''}`;
    return `verify: ${r.judged.map((j) => `group ${j.group} (${j.tables.join(', ')}) ${j.status} (${j.verification.verdict})`).join('; ')}`;
  },
};
