/**
 * Compaction keeps every record exactly: records of any shape (text in any
 * script, NULLs, no scans or many, joins with several keys, start times in
 * any order, some in the same millisecond), written by several writers and
 * compacted in rounds into chunks of any size, read back equal to what was
 * written, each once. (Runs are few: each writes, fsyncs and compacts files.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import fc from 'fast-check';
import { Database, WorkloadLog, WorkloadStore, type LogRecord } from '../../index.js';
import { record, tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const NOW = Date.UTC(2024, 5, 1);
// any valid Unicode (a lone surrogate is not text: JSON and UTF-8 both refuse it)
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const name = fc.constantFrom('orders', 'lineitem', 'ünïcode_t', 'a');
const count = fc.nat({ max: 1e6 });

const predicate = fc.record({
  column: name,
  op: fc.constantFrom('=', '<', 'in', 'like', 'other'),
  literal: fc.option(text),
  estSelectivity: fc.double({ min: 0, max: 1, noNaN: true }),
  actualSelectivity: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
});

const scan = fc.record({
  table: name,
  columns: fc.array(name, { maxLength: 3 }),
  predicates: fc.array(predicate, { maxLength: 3 }),
  blocksTotal: count,
  blocksScanned: count,
  blocksSkipped: count,
  rowsScanned: count,
  rowsOut: count,
});

const key = fc.record({ left: fc.constantFrom('orders.o_id', 't.a'), right: fc.constantFrom('lineitem.l_id', 'u.b') });
const join = fc.record({
  left: fc.constantFrom('orders.o_id', 't.a'),
  right: fc.constantFrom('lineitem.l_id', 'u.b'),
  keys: fc.array(key, { minLength: 1, maxLength: 3 }),
  type: fc.constantFrom('inner', 'left', 'semi'),
  action: fc.constantFrom('DS_DIST_NONE', 'DS_BCAST_INNER'),
  leftRows: count,
  rightRows: count,
  rowsMoved: count,
  bytesMoved: count,
});

const fields = fc.record({
  // within the last day, in any order; a coarse grid makes equal start times common
  startOffset: fc.integer({ min: 0, max: 86_000 }).map((s) => s * 1000 - (s % 3)),
  durationMs: fc.double({ min: 0, max: 1e5, noNaN: true }),
  user: text,
  session: text,
  sql: text,
  fingerprint: fc.constantFrom('select ?', 'insert into t values (?)', 'sélect ✓'),
  error: fc.option(fc.record({ code: fc.constantFrom('SYNTAX', 'X'), message: text })),
  scans: fc.array(scan, { maxLength: 3 }),
  joins: fc.array(join, { maxLength: 2 }),
  groupBy: fc.array(name, { maxLength: 2 }),
  orderBy: fc.array(name, { maxLength: 2 }),
  source: fc.constantFrom('api', 'replay'),
});

function toRecord(n: number, f: typeof fields extends fc.Arbitrary<infer T> ? T : never): LogRecord {
  const { startOffset, error, ...rest } = f;
  return record({
    n,
    ...rest,
    id: `r${n}`,
    startTime: new Date(NOW - 86_400_000 + startOffset).toISOString(),
    command: error ? 'ERROR' : 'SELECT',
    status: error ? 'error' : 'ok',
    error,
  });
}

const byId = (rs: readonly LogRecord[]) => [...rs].sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));

describe('compaction', () => {
  it('keeps every record exactly, whatever the records, writers, rounds and chunk size', async () => {
    // an empty data directory, copied for each run
    const empty = tempDir('compact-prop');
    dirs.push(empty);
    (await Database.open(empty, { workloadLog: false })).close();
    await fc.assert(
      fc.asyncProperty(
        // rounds of writers, each writer a list of records
        fc.array(fc.array(fc.array(fields, { maxLength: 12 }), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }),
        fc.integer({ min: 1, max: 20 }),
        async (rounds, chunkRecords) => {
          const d = tempDir('compact-prop-run');
          fs.cpSync(empty, d, { recursive: true });
          const written: LogRecord[] = [];
          for (const writers of rounds) {
            for (const w of writers) {
              const log = new WorkloadLog(d, { autoCompact: false });
              for (const f of w) {
                const r = toRecord(written.length, f);
                written.push(r);
                log.append(r);
              }
              log.close();
            }
            const store = new WorkloadStore(d);
            const result = store.compact({ chunkRecords, nowMs: NOW })!;
            expect(result.totalRecords).toBe(written.length);
            expect(result.droppedByAge + result.droppedBySize).toBe(0);
            const read = [...new WorkloadStore(d).records()];
            expect(byId(read)).toEqual(written);
            // each chunk holds its records by start time
            for (const part of store.parts()) {
              const start = [...part.queries.startMs];
              expect(start).toEqual([...start].sort((a, b) => a - b));
            }
          }
          fs.rmSync(d, { recursive: true, force: true });
        },
      ),
      { numRuns: 12, seed: 17 },
    );
  });
});
