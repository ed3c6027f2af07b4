/**
 * A workload log written before raw segments of format 3 (fixture:
 * test/fixtures/workload-log-format-2, SOURCES): a chunk whose SQL column is
 * plain Utf8 and a raw segment of format 2, each record's SQL in its frame.
 * This keel reads both as they are, compacts them, and compacts them again
 * together with records it writes itself (SQL once per segment, coded chunks).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database, WorkloadLog, WorkloadStore, type LogRecord } from '../../index.js';
import { record, tempDir, warnings } from './helpers.js';

const FIXTURE = path.resolve(__dirname, '../fixtures/workload-log-format-2');
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'data.records.json'), 'utf8')) as LogRecord[];
const byId = (rs: LogRecord[]) => [...rs].sort((a, b) => (a.id < b.id ? -1 : 1));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A data directory holding a copy of the fixture's log. */
async function copy(): Promise<string> {
  const dir = tempDir('format2');
  dirs.push(dir);
  (await Database.open(dir, { workloadLog: false })).close();
  fs.cpSync(path.join(FIXTURE, 'data', 'workload'), path.join(dir, 'workload'), { recursive: true });
  return dir;
}

describe('a workload log of raw format 2', () => {
  it('reads the same records as the keel that wrote it', async () => {
    const dir = await copy();
    const w = warnings();
    expect(fs.readdirSync(path.join(dir, 'workload', 'raw'))).toHaveLength(1);
    expect([...new WorkloadStore(dir, { warn: w.warn }).records()]).toEqual(expected);
    expect(w.messages).toEqual([]);
  });

  it('compacts them, and compacts them again with records of format 3, nothing lost or changed', async () => {
    const dir = await copy();
    const store = new WorkloadStore(dir);
    expect(store.compact({ retention: { maxAgeDays: 100_000 } })).toMatchObject({ segments: 1, records: 4, totalRecords: 8 });
    expect(byId([...new WorkloadStore(dir).records()])).toEqual(byId(expected));
    // new records repeat a text of the old ones and bring their own: the old small chunk is merged with them
    const fresh = [record({ n: 1, sql: expected[0]!.sql }), record({ n: 2 }), record({ n: 3, sql: expected[0]!.sql })];
    const log = new WorkloadLog(dir, { autoCompact: false });
    for (const r of fresh) log.append(r);
    log.close();
    expect(new WorkloadStore(dir).compact()).toMatchObject({ records: 3, totalRecords: 11, chunks: 1 });
    expect(byId([...new WorkloadStore(dir).records()])).toEqual(byId([...expected, ...fresh]));
  });

  it('serves its texts through sys_query_history, before and after compaction', async () => {
    const dir = await copy();
    const texts = byId(expected).map((r) => [r.id, r.sql, r.error?.message ?? null]);
    const sql = "select query_id, query_text, error_message from sys_query_history where query_id like 'fixture-%' order by query_id";
    const db = await Database.open(dir, { workloadLog: { autoCompact: false } });
    expect((await db.query(sql)).rows()).toEqual(texts);
    new WorkloadStore(dir).compact({ retention: { maxAgeDays: 100_000 } });
    expect((await db.query(sql)).rows()).toEqual(texts);
    // the statements above are recorded too (format 3): one GROUP BY over the texts sees them all
    const grouped = (await db.query('select query_text, count(*) from sys_query_history group by query_text order by 2 desc, 1')).rows();
    expect(grouped[0]).toEqual([expected[0]!.sql, 3]);
    db.close();
  });
});
