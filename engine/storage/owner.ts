/**
 * Who owns a lock or a staging folder: a process id plus that process's start
 * time. The start time is what makes a leftover recognizable after the pid was
 * reused by an unrelated process (common in containers, where pids restart
 * low): a live process with the same pid but another start time is not the
 * owner. Where /proc is missing the start time is empty and only the pid counts.
 */
import * as fs from 'node:fs';

export interface Owner {
  readonly pid: number;
  /** Start time in clock ticks since boot (/proc/PID/stat field 22), or '' when unknown. */
  readonly start: string;
}

function startTimeOf(pid: number): string | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // the command name (field 2) may hold spaces and parentheses: count fields after its closing one
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest[19] ?? null;
}

/** This process. */
export const SELF: Owner = { pid: process.pid, start: startTimeOf(process.pid) ?? '' };

/** Whether the owner is still running (the same process, not a later one with its pid). */
export function ownerAlive(owner: Owner): boolean {
  if (owner.pid === SELF.pid) return owner.start === SELF.start || owner.start === '' || SELF.start === '';
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.start === '') return true;
  const now = startTimeOf(owner.pid);
  return now === null || now === owner.start;
}

/** "pid.start", safe in a file name. */
export function ownerTag(owner: Owner = SELF): string {
  return `${owner.pid}.${owner.start || '0'}`;
}

export function parseOwnerTag(tag: string): Owner | null {
  const m = /^(\d+)\.(\d+)/.exec(tag);
  if (!m) return null;
  return { pid: Number(m[1]), start: m[2] === '0' ? '' : m[2]! };
}
