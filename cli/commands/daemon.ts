/**
 * keel daemon start [--foreground] [--once] | status | stop: the advisor
 * daemon of a data directory (advisor/daemon, docs/autonomics.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database } from '../../engine/index.js';
import { UsageError } from '../../engine/index.js';
import { daemonStatus, runDaemon, startInBackground, stopDaemon, type DaemonStatus } from '../../advisor/daemon/index.js';
import { listRecommendations } from '../../advisor/index.js';
import { configPath, loadConfig, readAudit, type AuditRow } from '../../advisor/autonomics/index.js';
import { formatTable, reportError } from '../output.js';
import { printJson, type CommonOptions } from '../context.js';

export interface DaemonFlags extends CommonOptions {
  foreground?: boolean;
  once?: boolean;
  timeout?: string;
}

async function guarded(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

/** Fails early, with the engine's own message, when DIR is not a data directory; and checks the config. */
async function checkDir(dir: string): Promise<void> {
  const db = await Database.open(dir, { create: false });
  db.close();
  loadConfig(dir);
}

export async function daemonStartCommand(flags: DaemonFlags): Promise<void> {
  await guarded(async () => {
    const dir = path.resolve(flags.data);
    await checkDir(dir);
    if (flags.foreground || flags.once) {
      await runDaemon(dir, { foreground: true, once: flags.once === true });
      return;
    }
    const script = process.argv[1];
    if (!script || !fs.existsSync(script)) throw new UsageError('cannot find the keel script to start the daemon with; use keel daemon start --foreground');
    const s = await startInBackground(dir, script);
    if (flags.json) printJson(statusJson(dir, s));
    else process.stdout.write(`advisor daemon started on ${dir} (pid ${s.pid}); log: ${s.logFile}\n`);
  });
}

/** The last event of each of the latest automatic actions (table and action), newest first. */
function lastAutoActions(dir: string, limit = 10): AuditRow[] {
  const seen = new Set<string>();
  const out: AuditRow[] = [];
  for (const r of readAudit(dir).reverse()) {
    const key = `${r.table}\u0000${r.action}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
    if (out.length === limit) break;
  }
  return out;
}

function statusJson(dir: string, s: DaemonStatus) {
  const counts: Record<string, number> = {};
  let recs: ReturnType<typeof listRecommendations> = [];
  try {
    recs = listRecommendations(dir);
  } catch {
    /* an unreadable recommendations file is reported by keel advisor list */
  }
  for (const r of recs) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return { dataDir: dir, running: s.running, pid: s.pid, stale: s.stale, logFile: s.logFile, config: fs.existsSync(configPath(dir)) ? configPath(dir) : null, state: s.state, recommendations: counts, autoActions: lastAutoActions(dir) };
}

export async function daemonStatusCommand(flags: DaemonFlags): Promise<void> {
  await guarded(async () => {
    const dir = path.resolve(flags.data);
    const s = daemonStatus(dir);
    const j = statusJson(dir, s);
    if (flags.json) {
      printJson(j);
      return;
    }
    const lines = [
      s.running ? `advisor daemon running on ${dir} (pid ${s.pid})` : `no advisor daemon running on ${dir}${s.stale ? ' (a stale pid file from a process that is gone; the next start recovers it)' : ''}`,
    ];
    const st = s.state;
    if (st) {
      lines.push(`started ${st.startedAt}, last heartbeat ${st.heartbeatAt}${st.stoppedAt ? `, stopped ${st.stoppedAt}` : ''}${s.running && st.busy ? `, now: ${st.busy}` : ''}`);
      lines.push(`schedule: mine "${st.schedule.mine}", apply "${st.schedule.apply}", verify "${st.schedule.verify}"${st.schedule.maintain ? `, maintain "${st.schedule.maintain}"` : ''}`);
      const last = (['mine', 'apply', 'verify', 'maintain'] as const).filter((k) => st.last[k]).map((k) => [k, st.last[k]!.at, st.last[k]!.ms, st.last[k]!.error ? `error: ${st.last[k]!.error}` : st.last[k]!.summary] as const);
      if (last.length) lines.push('', formatTable(['step', 'last run', 'ms', 'outcome'], last.map((r) => [...r])));
    }
    if (j.autoActions.length) {
      lines.push('', 'last automatic actions (svl_auto_worker_action):', formatTable(['at', 'table', 'action', 'status', 'reason'], j.autoActions.map((a) => [a.at, a.table, a.action, a.status, a.reason ?? ''])));
    }
    lines.push('', `recommendations: ${Object.entries(j.recommendations).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}`, `log: ${s.logFile}`, `config: ${j.config ?? `${configPath(dir)} (absent: defaults)`}`);
    process.stdout.write(lines.join('\n') + '\n');
  });
}

export async function daemonStopCommand(flags: DaemonFlags): Promise<void> {
  await guarded(async () => {
    const dir = path.resolve(flags.data);
    const timeout = flags.timeout === undefined ? 60 : Number(flags.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got "${flags.timeout}"`);
    const r = await stopDaemon(dir, timeout * 1000);
    if (flags.json) printJson({ dataDir: dir, ...r });
    else process.stdout.write(r.stopped ? `advisor daemon (pid ${r.pid}) stopped after ${(r.waitedMs / 1000).toFixed(1)} s\n` : `no advisor daemon running on ${dir}\n`);
  });
}
