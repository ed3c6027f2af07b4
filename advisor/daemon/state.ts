/**
 * The daemon's files in the data directory:
 *
 *   advisor/daemon.pid    the single-instance lock: the running daemon's pid
 *   advisor/daemon.json   what it is doing (replaced atomically): heartbeat, step, last results
 *   advisor/daemon.log    pino JSON lines
 *   advisor/daemon.out    standard output and error of a background daemon
 *
 * `keel daemon status` reads them from any process; a pid file whose process
 * is gone is a stale lock, recovered by the next start.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lockHolder, processAlive } from '../autonomics/file-lock.js';

export const pidPath = (dataDir: string) => path.join(dataDir, 'advisor', 'daemon.pid');
export const statePath = (dataDir: string) => path.join(dataDir, 'advisor', 'daemon.json');
export const logPath = (dataDir: string) => path.join(dataDir, 'advisor', 'daemon.log');
/** Standard output and error of a daemon started in the background (normally empty). */
export const outPath = (dataDir: string) => path.join(dataDir, 'advisor', 'daemon.out');

export type StepName = 'mine' | 'apply' | 'verify' | 'maintain' | 'views';

export interface DaemonState {
  readonly pid: number;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  readonly schedule: Readonly<Record<StepName, string>>;
  /** The step running now, if any. */
  readonly busy: StepName | null;
  readonly last: Partial<Record<StepName, { readonly at: string; readonly ms: number; readonly summary: string; readonly error?: string }>>;
  readonly stoppedAt: string | null;
}

export function writeState(dataDir: string, s: DaemonState): void {
  const file = statePath(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 1) + '\n');
  fs.renameSync(tmp, file);
}

export function readState(dataDir: string): DaemonState | null {
  try {
    return JSON.parse(fs.readFileSync(statePath(dataDir), 'utf8')) as DaemonState;
  } catch {
    return null;
  }
}

export interface DaemonStatus {
  readonly running: boolean;
  readonly pid: number | null;
  /** A pid file was left by a process that is gone (recovered at the next start). */
  readonly stale: boolean;
  readonly state: DaemonState | null;
  readonly logFile: string;
}

export function daemonStatus(dataDir: string): DaemonStatus {
  const pid = lockHolder(pidPath(dataDir));
  const running = pid !== null && processAlive(pid);
  return { running, pid: running ? pid : null, stale: pid !== null && !running, state: readState(dataDir), logFile: logPath(dataDir) };
}
