/**
 * Staging folders: where a background rewrite builds a table's next version
 * without holding the writer lock. They live outside tables/ (DIR/staging/),
 * so the orphan sweep that every writer runs on tables/ cannot take files that
 * are still being written; at commit the finished files are renamed into the
 * table's folder under the lock. A folder is named after its owner process
 * (pid and start time): the sweep removes the folders of dead owners, which is
 * how a crashed rewrite's partial files go.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ownerAlive, ownerTag, parseOwnerTag, SELF } from './owner.js';

const STAGING = 'staging';

/** Folders this process is using now: its own leftovers from a pid it shares with a dead process are not among them. */
const active = new Set<string>();

export class Staging {
  private constructor(readonly folder: string) {}

  static create(dir: string): Staging {
    const folder = path.join(dir, STAGING, `${ownerTag()}.${randomBytes(6).toString('hex')}`);
    fs.mkdirSync(folder, { recursive: true });
    active.add(folder);
    return new Staging(folder);
  }

  /** Removes the folder and whatever is left in it. */
  remove(): void {
    fs.rmSync(this.folder, { recursive: true, force: true });
    active.delete(this.folder);
  }
}

/** Removes staging folders whose owner is gone; returns how many. Called by writers under the lock. */
export function sweepStaging(dir: string): number {
  const root = path.join(dir, STAGING);
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const folder = path.join(root, name);
    const owner = parseOwnerTag(name);
    const mine = owner !== null && owner.pid === SELF.pid && owner.start === (SELF.start || '');
    const live = owner !== null && (mine ? active.has(folder) : ownerAlive(owner));
    if (live) continue;
    fs.rmSync(folder, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
