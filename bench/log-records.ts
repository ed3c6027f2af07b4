/**
 * The synthetic workload-log records the log's benches write: copies of the
 * records of a real TPC-H replay on SF 0.01 (220 statements), each copy given
 * its own id, start time (50 ms apart, ending a day ago), a varied duration
 * and one of 50 variants of its fingerprint, so 1,000,000 records carry about
 * 1,100 distinct fingerprints, as a warehouse's day does. Their SQL texts are
 * the 220 replayed statements': a workload that repeats its statements exactly
 * (dashboards), which is what the raw segments' SQL deduplication is for.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database, type QueryRecord } from '../index.js';
import { replayTrace, tpchWorkload, traceLine, WorkloadLog } from '../workload-log/index.js';
import { TPCH_DIR, TPCH_TABLES } from './args.js';

/** Loads TPC-H SF 0.01 into `dir` (no log). */
export async function loadTpch(dir: string): Promise<void> {
  const db = await Database.open(dir, { workloadLog: false });
  await db.execute(fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8'));
  for (const t of TPCH_TABLES) await db.load(t, path.join(TPCH_DIR, 'sf0.01', `${t}.tbl.gz`), { delimiter: '|' });
  db.close();
}

/** The records of 220 TPC-H stream statements replayed on the SF 0.01 data in `data` (loaded first when `load`). */
export async function tpchTemplates(work: string, data: string, load: boolean): Promise<QueryRecord[]> {
  if (load) await loadTpch(data);
  const records: QueryRecord[] = [];
  const db = await Database.open(data, { workloadLog: false });
  db.onQuery((r) => records.push(r));
  const trace = path.join(work, 'tpch.jsonl');
  fs.writeFileSync(trace, [...tpchWorkload({ queries: 220, seed: 1, sf: 0.01 })].map(traceLine).join('\n') + '\n');
  await replayTrace(db, trace);
  db.close();
  return records;
}

/** The base time of the synthetic records: record i starts at base + 50 i ms. */
export const syntheticBase = (): number => Date.now() - 86_400_000;

/** Appends synthetic records from..to-1 to `dir`'s log through one WorkloadLog (one or more raw segments), sealed at the end. */
export function writeSynthetic(dir: string, templates: readonly QueryRecord[], from: number, to: number, base: number): void {
  const w = new WorkloadLog(dir, { autoCompact: false, syncIntervalMs: -1 });
  for (let i = from; i < to; i++) {
    const t = templates[i % templates.length]!;
    w.append({
      ...t,
      id: `q${i}`,
      startTime: new Date(base + i * 50).toISOString(),
      durationMs: t.durationMs * (0.5 + ((i * 7919) % 1000) / 1000),
      fingerprint: `${t.fingerprint} -- v${i % 50}`,
      source: 'replay',
    });
  }
  w.close();
}
