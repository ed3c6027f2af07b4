/**
 * Reading binary raw segments into columns (workload-log/segment-part.ts):
 * the strings segments repeat become one dictionary entry per column, and a
 * part keeps the rows it was built with while its segment grows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkloadLog, WorkloadStore, type LogRecord } from '../../index.js';
import { record, tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function fresh(): string {
  const d = tempDir('segpart');
  dirs.push(d);
  return d;
}

const byId = (rs: LogRecord[]) => [...rs].sort((a, b) => (a.id < b.id ? -1 : 1));
const distinct = (xs: readonly string[]) => new Set(xs).size;

describe('segment parts', () => {
  it('compacts many segments into chunks whose dictionaries hold each string once, records unchanged', () => {
    const dir = fresh();
    // three SQL texts and fingerprints repeated over many small segments: every segment defines them anew
    const recs = Array.from({ length: 300 }, (_, n) => record({ n, sql: `select ${n % 3}`, fingerprint: `f${n % 3}`, user: `u${n % 2}` }));
    const log = new WorkloadLog(dir, { autoCompact: false, segmentBytes: 2048, groupRecords: 5 });
    for (const r of recs) log.append(r);
    log.close();
    const segments = fs.readdirSync(path.join(dir, 'workload', 'raw')).length;
    expect(segments).toBeGreaterThan(10);
    const store = new WorkloadStore(dir);
    const result = store.compact({ chunkRecords: 120 })!;
    expect(result.records).toBe(300);
    expect(result.chunks).toBe(3);
    const parts = new WorkloadStore(dir).parts();
    expect(parts.map((p) => p.queries.length)).toEqual([120, 120, 60]);
    for (const p of parts) {
      const sql = p.queries.sql.coded!()!;
      expect(sql.dict.length).toBe(3);
      expect(p.queries.fingerprint.dict.length).toBe(3);
      expect(p.queries.user.dict.length).toBe(2);
      expect(distinct(p.scans.table.dict)).toBe(p.scans.table.dict.length);
      expect(distinct(p.predicates.literal.dict)).toBe(p.predicates.literal.dict.length);
    }
    expect(byId([...new WorkloadStore(dir).records()])).toEqual(byId(recs));
  });

  it('keeps the rows a raw part was built with while its segment grows, children included', () => {
    const dir = fresh();
    const log = new WorkloadLog(dir, { autoCompact: false, groupRecords: 1 });
    for (let n = 0; n < 10; n++) log.append(record({ n }));
    const store = new WorkloadStore(dir);
    const [first] = store.read((parts) => parts);
    // more records, written into the same open segment, before the first part's children are first used
    for (let n = 10; n < 25; n++) log.append(record({ n }));
    const [second] = store.read((parts) => parts);
    expect(first!.queries.length).toBe(10);
    expect(first!.scans.length).toBe(10);
    expect(first!.predicates.length).toBe(10);
    expect(first!.scans.query).toEqual(Int32Array.from({ length: 10 }, (_, i) => i));
    expect(second!.queries.length).toBe(25);
    expect(second!.scans.length).toBe(25);
    expect([...first!.predicates.literal.codes].map((c) => first!.predicates.literal.dict[c])).toEqual(Array.from({ length: 10 }, (_, n) => String(n)));
    log.close();
  });
});
