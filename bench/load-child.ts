import * as fs from 'node:fs';
/** One timed `keel load` for the load benchmark: prints {rows, ms, maxRssKb} as JSON. */
import { Database } from '../engine/database.js';

const [, , dir, table, file] = process.argv;
const db = await Database.open(dir!, { create: false });
const t0 = performance.now();
const { rows } = await db.load(table!, file!, { delimiter: '|' });
const ms = performance.now() - t0;
db.close();
process.stdout.write(JSON.stringify({ rows, ms, maxRssKb: peakRssKb() }) + '\n');

/**
 * This process's peak RSS in KiB. VmHWM starts afresh at exec; getrusage's maxrss
 * does not on Linux (it carries the parent's peak over), which would charge a
 * child with the memory of the process that spawned it.
 */
function peakRssKb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    /* not Linux: fall back */
  }
  return process.resourceUsage().maxRSS;
}
