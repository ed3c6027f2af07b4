/**
 * The store: framed append-only segments that survive a torn or damaged
 * write, several writers in one directory, compaction into Arrow chunks and
 * retention by age and size.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkloadLog, WorkloadStore, type LogRecord } from '../../index.js';
import { record, tempDir, warnings } from './helpers.js';
import { jsonFrame, segmentHeader } from '../../workload-log/frame.js';
import { encodeRecord } from '../../workload-log/codec.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function fresh(): string {
  const d = tempDir('store');
  dirs.push(d);
  return d;
}

function write(dir: string, records: LogRecord[], options = {}): WorkloadLog {
  const log = new WorkloadLog(dir, { autoCompact: false, ...options });
  for (const r of records) log.append(r);
  return log;
}

const rawFiles = (dir: string) => fs.readdirSync(path.join(dir, 'workload', 'raw')).map((f) => path.join(dir, 'workload', 'raw', f));
const byId = (rs: LogRecord[]) => [...rs].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('raw segments', () => {
  it('round-trips records exactly', () => {
    const dir = fresh();
    const recs = Array.from({ length: 50 }, (_, n) => record({ n, status: n % 7 ? 'ok' : 'error', error: n % 7 ? null : { code: 'X', message: `m${n}` } }));
    write(dir, recs).close();
    expect([...new WorkloadStore(dir).records()]).toEqual(recs);
  });

  it('drops a torn last record with a warning and keeps everything before it', () => {
    const dir = fresh();
    write(dir, Array.from({ length: 20 }, (_, n) => record({ n }))).close();
    const [file] = rawFiles(dir);
    const size = fs.statSync(file!).size;
    fs.truncateSync(file!, size - 17); // the last frame loses its tail, as after a power loss
    const w = warnings();
    const got = [...new WorkloadStore(dir, { warn: w.warn }).records()];
    expect(got.map((r) => r.id)).toEqual(Array.from({ length: 19 }, (_, n) => `r${n}`));
    expect(w.messages).toHaveLength(1);
    expect(w.messages[0]).toMatch(/dropped a torn last record .* every record before it is kept/);
  });

  it('skips a damaged record in the middle and keeps the ones after it', () => {
    const dir = fresh();
    write(dir, Array.from({ length: 10 }, (_, n) => record({ n }))).close();
    const [file] = rawFiles(dir);
    const buf = fs.readFileSync(file!);
    const at = buf.indexOf('select * from t where a = 4');
    buf[at + 2] ^= 0xff; // flips a byte of r4's SQL: its checksum no longer matches
    fs.writeFileSync(file!, buf);
    const w = warnings();
    const got = [...new WorkloadStore(dir, { warn: w.warn }).records()];
    expect(got.map((r) => r.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r5', 'r6', 'r7', 'r8', 'r9']);
    expect(w.messages.join('\n')).toMatch(/skipped \d+ damaged bytes/);
  });

  it('skips, with one warning, the later records that use a string only a damaged record held', () => {
    const dir = fresh();
    // r3 is the first with user "ann": r4..r9 refer to the string r3's frame defined
    write(dir, Array.from({ length: 10 }, (_, n) => record({ n, user: n >= 3 ? 'ann' : 'u' }))).close();
    const [file] = rawFiles(dir);
    const buf = fs.readFileSync(file!);
    buf[buf.indexOf('select * from t where a = 3') + 2] ^= 0xff;
    fs.writeFileSync(file!, buf);
    const w = warnings();
    const got = [...new WorkloadStore(dir, { warn: w.warn }).records()];
    expect(got.map((r) => r.id)).toEqual(['r0', 'r1', 'r2']);
    expect(w.messages).toHaveLength(2);
    expect(w.messages.join('\n')).toMatch(/6 records, the first at byte \d+ \(it uses string \d+, which no record before it .* defined/);
  });

  it('still reads segments of format 1 (JSON records) and compacts them with format-2 ones', () => {
    const dir = fresh();
    write(dir, [record({ n: 1 }), record({ n: 2 })]).close();
    const old = [record({ n: 3, user: 'ann' }), { ...record({ n: 4 }), transactionId: 'tx-4' }];
    const file = path.join(dir, 'workload', 'raw', `w-000000001-4194305-000000abcdef.wlog`);
    fs.writeFileSync(file, Buffer.concat([segmentHeader(1), ...old.map((r) => jsonFrame(encodeRecord(r, 'api')))]));
    const store = new WorkloadStore(dir);
    expect(byId([...store.records()])).toEqual(byId([record({ n: 1 }), record({ n: 2 }), ...old]));
    expect(store.compact()).toMatchObject({ segments: 2, records: 4 });
    expect(byId([...store.records()])).toEqual(byId([record({ n: 1 }), record({ n: 2 }), ...old]));
  });

  it('writes each distinct SQL text once per segment and once per chunk, and reads every record back with its own', () => {
    const dir = fresh();
    const dashboard = `select region, sum(amount) from sales where day >= date '2024-01-01' group by region /* ${'x'.repeat(200)} */`;
    const recs = Array.from({ length: 40 }, (_, n) => record({ n, ...(n % 4 ? { sql: dashboard } : {}) }));
    write(dir, recs).close();
    const count = (file: string) => fs.readFileSync(file).toString('latin1').split(dashboard).length - 1;
    expect(rawFiles(dir).map(count)).toEqual([1]);
    expect([...new WorkloadStore(dir).records()]).toEqual(recs);
    new WorkloadStore(dir).compact();
    const chunks = path.join(dir, 'workload', 'chunks');
    expect(fs.readdirSync(chunks).filter((f) => f.endsWith('.text.arrow')).map((f) => count(path.join(chunks, f)))).toEqual([1]);
    expect([...new WorkloadStore(dir).records()]).toEqual(recs);
  });

  it('names the format of a segment this keel does not read, and reads the others', () => {
    const dir = fresh();
    write(dir, [record({ n: 1 })]).close();
    fs.writeFileSync(path.join(dir, 'workload', 'raw', `w-000000001-4194305-000000abcdef.wlog`), Buffer.concat([segmentHeader(4), Buffer.alloc(20)]));
    const w = warnings();
    expect([...new WorkloadStore(dir, { warn: w.warn }).records()].map((r) => r.id)).toEqual(['r1']);
    expect(w.messages).toEqual([expect.stringMatching(/segment format 4; this keel reads formats 1, 2 and 3; its 28 bytes are ignored/)]);
  });

  it('reads a live writer without warnings, even mid-frame', () => {
    const dir = fresh();
    const log = write(dir, [record({ n: 1 }), record({ n: 2 })]);
    log.flush();
    const [file] = rawFiles(dir);
    expect(file).toMatch(/\.open$/);
    fs.appendFileSync(file!, Buffer.from([200, 0, 0, 0, 1, 2])); // a frame being written
    const w = warnings();
    expect([...new WorkloadStore(dir, { warn: w.warn }).records()]).toHaveLength(2);
    expect(w.messages).toEqual([]);
    log.close();
  });

  it('writes records in groups: when 64 wait, after groupMs, for a reader in this process, at close', async () => {
    const dir = fresh();
    const onDisk = () => (fs.existsSync(path.join(dir, 'workload', 'raw')) ? rawFiles(dir).reduce((a, f) => a + fs.statSync(f).size, 0) : 0);
    const log = new WorkloadLog(dir, { autoCompact: false, groupMs: 50 });
    for (let n = 0; n < 10; n++) log.append(record({ n }));
    expect(onDisk()).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    const afterTimer = onDisk();
    expect(afterTimer).toBeGreaterThan(0);
    for (let n = 10; n < 74; n++) log.append(record({ n }));
    // the 64th waiting record wrote the group
    expect(onDisk()).toBeGreaterThan(afterTimer);
    for (let n = 74; n < 80; n++) log.append(record({ n }));
    const before = onDisk();
    expect([...new WorkloadStore(dir).records()]).toHaveLength(80);
    expect(onDisk()).toBeGreaterThan(before);
    log.close();
    const each = new WorkloadLog(dir, { autoCompact: false, groupRecords: 1 });
    each.append(record({ n: 80 }));
    expect(rawFiles(dir).filter((f) => f.endsWith('.open')).map((f) => fs.statSync(f).size)[0]).toBeGreaterThan(8);
    each.close();
  });

  it('keeps each writer in its own segment and reads them all', () => {
    const dir = fresh();
    const a = new WorkloadLog(dir, { autoCompact: false });
    const b = new WorkloadLog(dir, { autoCompact: false });
    for (let n = 0; n < 30; n++) (n % 2 ? a : b).append(record({ n }));
    a.close();
    b.close();
    expect(rawFiles(dir)).toHaveLength(2);
    expect(byId([...new WorkloadStore(dir).records()]).map((r) => r.id)).toEqual(byId(Array.from({ length: 30 }, (_, n) => record({ n }))).map((r) => r.id));
  });

  it('rotates a segment past its size limit', () => {
    const dir = fresh();
    write(dir, Array.from({ length: 40 }, (_, n) => record({ n })), { segmentBytes: 1024, groupRecords: 4 }).close();
    const files = rawFiles(dir);
    expect(files.length).toBeGreaterThan(3);
    expect(files.every((f) => f.endsWith('.wlog'))).toBe(true);
    expect([...new WorkloadStore(dir).records()].map((r) => r.id)).toEqual(Array.from({ length: 40 }, (_, n) => `r${n}`));
  });

  it('does not count a segment whose writer died as live', () => {
    const dir = fresh();
    write(dir, [record({ n: 1 })]).close();
    const [file] = rawFiles(dir);
    // a segment left open by a process that no longer exists (pid 2^22 + 1 is beyond pid_max)
    const dead = file!.replace(/-\d+-([0-9a-f]+)\.wlog$/, '-4194305-$1.open');
    fs.renameSync(file!, dead);
    const store = new WorkloadStore(dir);
    expect(store.status()).toMatchObject({ segments: 1, liveSegments: 0 });
    expect(store.compact()).toMatchObject({ segments: 1, records: 1 });
    expect(fs.existsSync(dead)).toBe(false);
  });
});

describe('compaction', () => {
  it('moves records into Arrow chunks without losing or changing any', () => {
    const dir = fresh();
    const recs = Array.from({ length: 300 }, (_, n) =>
      record({
        n,
        joins: n % 3 ? [] : [{ left: 't.a', right: 'u.b', keys: [{ left: 't.a', right: 'u.b' }, { left: 't.c', right: 'u.d' }], type: 'inner', action: 'DS_BCAST_INNER', leftRows: n, rightRows: 2, rowsMoved: 3, bytesMoved: 40 }],
        groupBy: n % 2 ? ['t.a', 't.b'] : [],
        error: n % 5 ? null : { code: 'E', message: 'boom, "quoted"' },
        status: n % 5 ? 'ok' : 'error',
        // records of blocks share a transaction id; some records (older ones) have none
        ...(n % 7 ? { transactionId: `tx${n >> 2}` } : {}),
      }),
    );
    write(dir, recs.slice(0, 150)).close();
    write(dir, recs.slice(150)).close();
    const store = new WorkloadStore(dir);
    const result = store.compact({ chunkRecords: 100 })!;
    expect(result).toMatchObject({ segments: 2, records: 300, droppedByAge: 0, droppedBySize: 0, chunks: 3, totalRecords: 300 });
    expect(rawFiles(dir)).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'workload', 'chunks')).filter((f) => f.endsWith('.arrow'))).toHaveLength(15);
    expect(byId([...new WorkloadStore(dir).records()])).toEqual(byId(recs));
  });

  it('reads many segments into one part: each keeps its own strings, whether a reader cached it first or not, and a damaged one skips only its own', () => {
    const dir = fresh();
    // small segments, each numbering its strings from 0: the users, tables and fingerprints differ between them
    const recs = Array.from({ length: 120 }, (_, n) =>
      record({ n, user: `user${Math.floor(n / 7)}`, fingerprint: `fp ${n % 11}`, scans: [{ table: `t${n % 13}`, columns: [`c${n % 5}`], predicates: [], blocksTotal: 1, blocksScanned: 1, blocksSkipped: 0, rowsScanned: n, rowsOut: n }] }),
    );
    write(dir, recs, { segmentBytes: 2048, groupRecords: 3 }).close();
    const files = rawFiles(dir).sort();
    expect(files.length).toBeGreaterThan(5);
    // the third segment's first record is damaged: the records of that segment that need the strings it defined go, no others
    const buf = fs.readFileSync(files[2]!);
    const damaged = buf.indexOf('select * from t where a = ');
    const victim = Number(/a = (\d+)/.exec(buf.toString('latin1', damaged, damaged + 40))![1]);
    buf[damaged + 2] ^= 0xff;
    fs.writeFileSync(files[2]!, buf);
    // the same directory, for a store that has read nothing before it compacts
    const again = fresh();
    fs.cpSync(dir, again, { recursive: true });
    const store = new WorkloadStore(dir, { warn: () => {} });
    // a reader reads (and caches) every segment; then one more segment appears that no reader has seen
    const before = [...store.records()];
    expect(before.map((r) => r.id)).not.toContain(`r${victim}`);
    const late = Array.from({ length: 10 }, (_, n) => record({ n: 200 + n, user: 'late', fingerprint: 'fp late' }));
    write(dir, late).close();
    const result = store.compact()!;
    expect(result.records).toBe(before.length + late.length);
    const after = byId([...new WorkloadStore(dir).records()]);
    expect(after).toEqual(byId([...before, ...late]));
    // a store that cached no segment compacts the same records the same way
    write(again, late).close();
    expect(new WorkloadStore(again, { warn: () => {} }).compact()).toMatchObject({ records: before.length + late.length });
    expect(byId([...new WorkloadStore(again).records()])).toEqual(byId([...before, ...late]));
  });

  it('merges new records into a small last chunk', () => {
    const dir = fresh();
    write(dir, [record({ n: 1 })]).close();
    new WorkloadStore(dir).compact();
    write(dir, [record({ n: 2 })]).close();
    const r = new WorkloadStore(dir).compact()!;
    expect(r).toMatchObject({ chunks: 1, totalRecords: 2 });
    expect(fs.readdirSync(path.join(dir, 'workload', 'chunks'))).toHaveLength(5);
  });

  it('drops records older than the age limit, from segments and chunks alike', () => {
    const dir = fresh();
    const day = 86_400_000;
    const now = Date.UTC(2024, 0, 31);
    const at = (daysAgo: number, n: number) => record({ n, startTime: new Date(now - daysAgo * day).toISOString() });
    write(dir, [at(40, 1), at(20, 2), at(5, 3)]).close();
    new WorkloadStore(dir).compact({ nowMs: now });
    // 40 days old: beyond the default 30
    expect([...new WorkloadStore(dir).records()].map((r) => r.id)).toEqual(['r2', 'r3']);
    write(dir, [at(1, 4)]).close();
    const r = new WorkloadStore(dir).compact({ nowMs: now, retention: { maxAgeDays: 7 } })!;
    expect(r.droppedByAge).toBe(1);
    expect([...new WorkloadStore(dir).records()].map((r) => r.id)).toEqual(['r3', 'r4']);
    // the setting is remembered for this directory
    expect(new WorkloadStore(dir).readManifest().retention).toMatchObject({ maxAgeDays: 7 });
  });

  it('drops the oldest records beyond the size limit', () => {
    const dir = fresh();
    const base = Date.now() - 1000;
    const recs = Array.from({ length: 2000 }, (_, n) => record({ n, startTime: new Date(base + n).toISOString() }));
    write(dir, recs).close();
    const full = new WorkloadStore(dir).compact({ chunkRecords: 500 })!;
    expect(full.chunks).toBe(4);
    const limit = Math.floor(full.bytes / 2);
    const r = new WorkloadStore(dir).compact({ chunkRecords: 500, retention: { maxBytes: limit } })!;
    expect(r.bytes).toBeLessThanOrEqual(limit);
    expect(r.droppedBySize).toBeGreaterThan(0);
    const kept = [...new WorkloadStore(dir).records()].map((x) => Number(x.id.slice(1))).sort((a, b) => a - b);
    expect(kept.length).toBe(2000 - r.droppedBySize);
    // the newest survive, in one unbroken run
    expect(kept[kept.length - 1]).toBe(1999);
    expect(kept[0]).toBe(2000 - kept.length);
  });

  it('refuses to run twice at once', () => {
    const dir = fresh();
    write(dir, [record()]).close();
    fs.mkdirSync(path.join(dir, 'workload', 'chunks'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'workload', 'compact.lock'), String(process.ppid));
    expect(new WorkloadStore(dir).compact()).toBeNull();
    // a lock left by a dead process is taken over
    fs.writeFileSync(path.join(dir, 'workload', 'compact.lock'), '4194305');
    expect(new WorkloadStore(dir).compact()).toMatchObject({ records: 1 });
  });

  it('compacts on close once enough sealed segments pile up', () => {
    const dir = fresh();
    for (let i = 0; i < 3; i++) write(dir, [record({ n: i })]).close();
    const log = new WorkloadLog(dir, { autoCompact: { segments: 4 } });
    log.append(record({ n: 9 }));
    log.close();
    expect(new WorkloadStore(dir).status()).toMatchObject({ segments: 0, chunks: 1, chunkRecords: 4 });
  });
});
