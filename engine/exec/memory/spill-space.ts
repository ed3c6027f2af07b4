/**
 * Where a query's spill files go: `<data dir>/spill/<pid>-<thread>-<n>-<random>/`,
 * made at the first spill and removed when the query (or a worker's task)
 * ends. A process that crashed leaves its folders behind; opening the data
 * directory removes the folders of processes that no longer run (not those
 * of another live process sharing the directory).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';

export const SPILL_DIR = 'spill';

let spaces = 0;

export class SpillSpace {
  private dir: string | null = null;
  private files = 0;

  constructor(private readonly dataDir: string) {}

  /** A path for a new spill file (the folder made on first use); `what` names the operator, for someone looking at the folder. */
  file(what: string): string {
    if (this.dir === null) {
      const dir = path.join(this.dataDir, SPILL_DIR, `${process.pid}-${threadId}-${spaces++}-${randomBytes(4).toString('hex')}`);
      fs.mkdirSync(dir, { recursive: true });
      this.dir = dir;
    }
    return path.join(this.dir, `${what}-${this.files++}.kspl`);
  }

  /** Removes the folder and whatever is left in it. */
  close(): void {
    if (this.dir === null) return;
    fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

/** Removes one spill file, if it is there. */
export function removeSpillFile(file: string): void {
  fs.rmSync(file, { force: true });
}

/** Removes the spill folders of processes that are gone (a crash mid-query) from a data directory. */
export function cleanStaleSpill(dataDir: string): void {
  const root = path.join(dataDir, SPILL_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, under another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
