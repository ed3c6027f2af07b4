/**
 * Starting the daemon in the background and stopping it, from another
 * process: start spawns `keel daemon start --foreground` detached (its output
 * goes to the log file) and waits until it holds the lock; stop sends SIGTERM
 * and waits until the process is gone.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeelError } from '../../engine/index.js';
import { processAlive } from '../autonomics/file-lock.js';
import { daemonStatus, logPath, outPath, readState, type DaemonStatus } from './state.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Last lines of a file, for an error message. */
function tail(file: string, lines = 5): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Spawns the daemon detached (`node KEEL_SCRIPT daemon start --foreground
 * --data DIR`) and resolves once it runs (its state file names its pid).
 */
export async function startInBackground(dataDir: string, keelScript: string, timeoutMs = 20_000): Promise<DaemonStatus> {
  const now = daemonStatus(dataDir);
  if (now.running) throw new KeelError('LOCKED', `an advisor daemon is already running on ${dataDir} (pid ${now.pid})`);
  // its standard output and error go to a file: a closed pipe would kill it at its first stray write
  const outFile = outPath(dataDir);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const out = fs.openSync(outFile, 'a');
  const child = spawn(process.execPath, [keelScript, 'daemon', 'start', '--foreground', '--data', dataDir], { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = readState(dataDir);
    if (s && s.pid === child.pid && s.stoppedAt === null && processAlive(child.pid)) break;
    if (exited !== null) throw new KeelError('IO', `the daemon exited at start (code ${exited}): ${tail(outFile) || tail(logPath(dataDir))}`);
    if (Date.now() > deadline) throw new KeelError('IO', `the daemon did not start within ${timeoutMs} ms; see ${logPath(dataDir)}`);
    await sleep(50);
  }
  child.unref();
  return daemonStatus(dataDir);
}

/** Sends SIGTERM and waits for the daemon to exit; false when none was running. */
export async function stopDaemon(dataDir: string, timeoutMs = 60_000): Promise<{ stopped: boolean; pid: number | null; waitedMs: number }> {
  const s = daemonStatus(dataDir);
  if (!s.running || s.pid === null) return { stopped: false, pid: null, waitedMs: 0 };
  const t0 = Date.now();
  process.kill(s.pid, 'SIGTERM');
  while (processAlive(s.pid)) {
    if (Date.now() - t0 > timeoutMs) throw new KeelError('IO', `the daemon (pid ${s.pid}) did not stop within ${timeoutMs} ms of SIGTERM; see ${logPath(dataDir)}`);
    await sleep(50);
  }
  return { stopped: true, pid: s.pid, waitedMs: Date.now() - t0 };
}
