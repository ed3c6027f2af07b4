/**
 * The workload log through the keel command (run from dist/ via bin/keel.js;
 * `npm run build` first): statements recorded by `keel sql`, `keel replay`
 * and its summary, `keel log` and its subcommands, `keel gen workload`, and a
 * replay killed with SIGKILL mid-way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, WorkloadStore } from '../../index.js';
import { FRAME_HEADER_BYTES, sealFrame } from '../../workload-log/frame.js';
import { RecordEncoder } from '../../workload-log/binary-codec.js';
import { KEEL_BIN, runKeel } from './helpers.js';

let work: string;

const keel = (args: string[], input?: string) => runKeel(args, { cwd: work, ...(input === undefined ? {} : { input }) });

function writeTrace(name: string, lines: string[]): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-wl-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('keel sql records its statements', () => {
  it('writes a record for a success and for a failure, marked as coming from the CLI', () => {
    const data = path.join(work, 'sql');
    expect(keel(['sql', '--data', data, 'create table t (a int, b varchar(5)); insert into t values (1, \'x\'), (2, \'y\')']).code).toBe(0);
    expect(keel(['sql', '--data', data, 'select b from t where a = 2']).stdout).toContain('y');
    const failed = keel(['sql', '--data', data, 'select nope from t']);
    expect(failed.code).toBe(1);
    const recs = [...new WorkloadStore(data).records()];
    expect(recs.map((r) => [r.command, r.status, r.source])).toEqual([
      ['CREATE TABLE', 'ok', 'cli'],
      ['INSERT', 'ok', 'cli'],
      ['SELECT', 'ok', 'cli'],
      ['ERROR', 'error', 'cli'],
    ]);
    expect(recs[2]).toMatchObject({ fingerprint: 'select b from t where a = ?', rowsReturned: 1 });
    expect(recs[3]!.error).toMatchObject({ code: 'UNKNOWN_COLUMN' });
    // and the history is queryable from the CLI
    const out = keel(['sql', '--data', data, '--json', "select command, status from sys_query_history where source = 'cli' order by start_time"]);
    expect(JSON.parse(out.stdout).rows).toEqual([
      ['CREATE TABLE', 'success'],
      ['INSERT', 'success'],
      ['SELECT', 'success'],
      ['ERROR', 'failed'],
    ]);
  });
});

describe('keel replay', () => {
  let data: string;
  beforeAll(() => {
    data = path.join(work, 'replay');
    keel(['sql', '--data', data, "create table t (a int, b varchar(5)); insert into t values (1, 'x'), (2, 'y'), (3, 'x')"]);
  });

  it('prints the --json summary of DESIGN.md and reports bad lines by number', () => {
    const trace = writeTrace('mixed.jsonl', [
      JSON.stringify({ ts: 0, sql: 'select count(*) from t' }),
      '{ broken',
      JSON.stringify({ ts: 5, sql: 'select nope from t' }),
      JSON.stringify({ ts: 9, sql: "select a from t where b = 'x'", user: 'u1' }),
    ]);
    const r = keel(['replay', trace, '--data', data, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    for (const k of ['queries', 'errors', 'elapsedMs', 'bytesMoved', 'rowsMoved', 'blocksScanned', 'blocksSkipped', 'p50Ms', 'p95Ms', 'p99Ms', 'badLines']) {
      expect(typeof s[k]).toBe('number');
    }
    expect(s).toMatchObject({ queries: 3, errors: 1, badLines: 1, rowsReturned: 3, stopped: false });
    expect(s.problems.map((p: { line: number }) => p.line)).toEqual([2, 3]);
    expect(r.stderr).toContain(`${trace}:2: bad line`);
    expect(r.stderr).toContain(`${trace}:3: query failed: UNKNOWN_COLUMN`);
    // no progress bar when not on a terminal
    expect(r.stderr).not.toContain('[#');
  });

  it('prints a readable summary, and stops with exit 1 under --stop-on-error', () => {
    const trace = writeTrace('stop.jsonl', [JSON.stringify({ sql: 'select 1' }), JSON.stringify({ sql: 'select nope from t' }), JSON.stringify({ sql: 'select 2' })]);
    const human = keel(['replay', trace, '--data', data]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/queries\s+\|\s+3/);
    expect(human.stdout).toMatch(/latency p99/);
    const stopped = keel(['replay', trace, '--data', data, '--stop-on-error', '--json']);
    expect(stopped.code).toBe(1);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ queries: 2, errors: 1, stopped: true });
  });

  it('rejects bad flags as usage errors', () => {
    const trace = writeTrace('one.jsonl', [JSON.stringify({ sql: 'select 1' })]);
    expect(keel(['replay', trace, '--data', data, '--pace', 'slow'])).toMatchObject({ code: 1, stderr: expect.stringContaining('--pace') });
    expect(keel(['replay', trace, '--data', data, '--concurrency', '0'])).toMatchObject({ code: 1, stderr: expect.stringContaining('--concurrency') });
    expect(keel(['replay', path.join(work, 'missing.jsonl'), '--data', data])).toMatchObject({ code: 1, stderr: expect.stringContaining('no such trace') });
  });
});

describe('keel log', () => {
  let data: string;
  beforeAll(() => {
    data = path.join(work, 'log');
    keel(['sql', '--data', data, "create table t (a int, b varchar(5)); insert into t values (1, 'x'), (2, 'y'), (3, 'x')"]);
    const lines = [];
    for (let i = 0; i < 12; i++) lines.push(JSON.stringify({ sql: `select count(*) from t where a > ${i % 4}` }));
    for (let i = 0; i < 3; i++) lines.push(JSON.stringify({ sql: `select b, count(*) from t where b in (${"'x', ".repeat(i)}'y') group by b` }));
    lines.push(JSON.stringify({ sql: 'select nope from t' }));
    keel(['replay', writeTrace('log.jsonl', lines), '--data', data]);
  });

  it('prints the top fingerprints by total time, count and bytes moved', () => {
    const human = keel(['log', '--data', data]);
    expect(human.code).toBe(0);
    for (const t of ['Top fingerprints by total time', 'Top fingerprints by count', 'Top fingerprints by bytes moved']) expect(human.stdout).toContain(t);
    const j = JSON.parse(keel(['log', '--data', data, '--json', '--limit', '3']).stdout);
    expect(j).toMatchObject({ statements: 18, errors: 1, fingerprints: 5 });
    expect(j.byCount[0]).toMatchObject({ fingerprint: 'select count(*) from t where a > ?', count: 12 });
    expect(j.byCount[1]).toMatchObject({ fingerprint: 'select b, count(*) from t where b in(?) group by b', count: 3 });
    expect(j.byTotalTime).toHaveLength(3);
    expect(j.byBytesMoved).toHaveLength(3);
    expect(JSON.parse(keel(['log', '--data', data, '--json', '--since', '2099-01-01']).stdout)).toMatchObject({ statements: 0 });
  });

  it('lists the latest statements', () => {
    const j = JSON.parse(keel(['log', 'history', '--data', data, '--json', '--limit', '2']).stdout);
    expect(j.map((r: { sql: string }) => r.sql)).toEqual(['select nope from t', "select b, count(*) from t where b in ('x', 'x', 'y') group by b"]);
  });

  it('does not create a data directory to read its log', () => {
    const r = keel(['log', '--data', path.join(work, 'nowhere')]);
    expect(r.code).toBe(1);
    expect(fs.existsSync(path.join(work, 'nowhere'))).toBe(false);
  });

  it('exports history as a trace that replays to the same workload', () => {
    const src = path.join(work, 'export-src');
    keel(['sql', '--data', src, "create table t (a int); insert into t values (1), (2); select count(*) from t where a = 1; select sum(a) from t"]);
    keel(['sql', '--data', src, 'select a from nowhere']);
    const out = path.join(work, 'exported.jsonl');
    expect(keel(['log', 'export', '--data', src, '--out', out]).stdout).toMatch(/exported 5 statements/);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.sql)).toEqual(['create table t (a int)', 'insert into t values (1), (2)', 'select count(*) from t where a = 1', 'select sum(a) from t', 'select a from nowhere']);
    expect(lines.every((l) => typeof l.ts === 'string' && l.user && l.session)).toBe(true);
    const dst = path.join(work, 'export-dst');
    const s = JSON.parse(keel(['replay', out, '--data', dst, '--json']).stdout);
    expect(s).toMatchObject({ queries: 5, errors: 1, badLines: 0 });
    const fps = (dir: string, source: string) => [...new WorkloadStore(dir).records()].filter((r) => r.source === source).map((r) => `${r.status} ${r.fingerprint}`);
    expect(fps(dst, 'replay')).toEqual(fps(src, 'cli'));
    // stdout without --out
    expect(keel(['log', 'export', '--data', src]).stdout.trim().split('\n')).toHaveLength(5);
  });

  it('imports a Redshift history and lists what it could not use', () => {
    const dir = path.join(work, 'rs');
    keel(['sql', '--data', dir, 'create table events (id int, kind varchar(20), at timestamp)']);
    const csv = path.join(work, 'history.csv');
    fs.writeFileSync(
      csv,
      'query_id,user_id,status,start_time,elapsed_time,query_text\n' +
        `1,100,success,2024-05-01 10:00:00,2000,"select kind, count(*)\nfrom events\nwhere at >= '2024-01-01'\ngroup by kind"\n` +
        '2,100,success,2024-05-01 10:00:01,1000,CALL refresh_events(1)\n' +
        '3,101,failed,2024-05-01 10:00:02,1000,select * from clicks\n',
    );
    const r = keel(['log', 'import', '--format', 'redshift', csv, '--data', dir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: 3, imported: 3, planned: 1, notParsed: 1, notBound: 1 });
    const human = keel(['log', 'import', '--format', 'redshift', csv, '--data', dir]);
    expect(human.stdout).toMatch(/imported 0 of 3 queries/);
    expect(keel(['log', 'import', csv, '--data', dir])).toMatchObject({ code: 1, stderr: expect.stringContaining('--format') });
  });

  it('exports as a Redshift cluster does, and imports that into the DDL alone: stats-only tables', () => {
    const src = path.join(work, 'rs-src');
    const ddl = path.join(work, 'rs-ddl.sql');
    fs.writeFileSync(ddl, "set search_path to public;\ncreate table public.f (id int identity(1, 1) encode az64, d int, primary key (id));\ncreate table d (id int, name varchar(9));\ncomment on table f is 'facts';\n");
    expect(keel(['sql', '--data', src, '-f', ddl]).code).toBe(0);
    const rows = Array.from({ length: 300 }, (_, i) => `(${i}, ${i % 50})`).join(', ');
    expect(keel(['sql', '--data', src, `insert into f values ${rows}; insert into d select distinct d, 'n' || d from f`]).code).toBe(0);
    expect(keel(['sql', '--data', src, 'select name, count(*) from f join d on f.d = d.id group by name']).code).toBe(0);
    const out = path.join(work, 'rs-out');
    expect(keel(['log', 'export', '--format', 'redshift', '--data', src])).toMatchObject({ code: 1, stderr: expect.stringContaining('--out DIR') });
    const e = keel(['log', 'export', '--format', 'redshift', '--out', out, '--data', src, '--json']);
    expect(e.code).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ out, tables: 2, columns: 4 });
    expect(fs.readdirSync(out).sort()).toEqual(['pg_stats.csv', 'svv_table_info.csv', 'sys_query_detail.csv', 'sys_query_history.csv']);

    const dst = path.join(work, 'rs-dst');
    expect(keel(['sql', '--data', dst, '-f', ddl]).code).toBe(0);
    const i = keel(['log', 'import', '--format', 'redshift', out, '--data', dst, '--json']);
    expect(i.code).toBe(0);
    const summary = JSON.parse(i.stdout);
    expect(summary.files.map((f: { kind: string }) => f.kind)).toEqual(['svv_table_info', 'pg_stats', 'sys_query_detail', 'sys_query_history']);
    // the INSERT ... SELECT (a scan) and the join have steps
    expect(summary.measured).toBe(2);
    const refused = keel(['sql', '--data', dst, 'select count(*) from f']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/table "f" is stats-only/);
    const plan = keel(['sql', '--data', dst, 'explain select name, count(*) from f join d on f.d = d.id group by name']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/f/);
    const human = keel(['log', 'import', '--format', 'redshift', path.join(out, 'svv_table_info.csv'), '--data', dst]);
    expect(human.stdout).toMatch(/imported svv_table_info from .*: 2 tables from 2 rows/);
    const other = path.join(work, 'not-redshift.csv');
    fs.writeFileSync(other, 'a,b\n1,2\n');
    expect(keel(['log', 'import', '--format', 'redshift', other, '--data', dst])).toMatchObject({ code: 1, stderr: expect.stringContaining('not a Redshift export') });
  });

  it('compacts and applies retention', () => {
    const r = JSON.parse(keel(['log', 'compact', '--data', data, '--json', '--max-age', '7d', '--max-size', '100MB']).stdout);
    expect(r).toMatchObject({ totalRecords: 18, droppedByAge: 0, droppedBySize: 0 });
    expect(new WorkloadStore(data).readManifest().retention).toEqual({ maxAgeDays: 7, maxBytes: 100 * 1024 * 1024 });
    expect(JSON.parse(keel(['log', '--data', data, '--json']).stdout)).toMatchObject({ statements: 18 });
    expect(keel(['log', 'compact', '--data', data, '--max-size', 'lots'])).toMatchObject({ code: 1 });
  });
});

describe('keel gen workload tpch', () => {
  it('writes a deterministic trace of TPC-H queries', () => {
    const a = keel(['gen', 'workload', 'tpch', '--queries', '25', '--seed', '5']);
    expect(a.code).toBe(0);
    const lines = a.stdout.trim().split('\n');
    expect(lines).toHaveLength(25);
    for (const l of lines) expect(Object.keys(JSON.parse(l))).toEqual(['ts', 'sql', 'user', 'session']);
    expect(keel(['gen', 'workload', 'tpch', '--queries', '25', '--seed', '5']).stdout).toBe(a.stdout);
    expect(keel(['gen', 'workload', 'tpch', '--queries', '25', '--seed', '6']).stdout).not.toBe(a.stdout);
    const out = path.join(work, 'w.jsonl');
    expect(keel(['gen', 'workload', 'tpch', '--queries', '25', '--seed', '5', '--out', out]).stdout).toMatch(/wrote 25 TPC-H queries/);
    expect(fs.readFileSync(out, 'utf8')).toBe(a.stdout);
    expect(keel(['gen', 'workload', 'tpch'])).toMatchObject({ code: 1, stderr: expect.stringContaining('--queries') });
    expect(keel(['gen', 'workload', 'tpcds', '--queries', '3'])).toMatchObject({ code: 1 });
  });
});

describe('a replay killed with SIGKILL', () => {
  it('leaves every finished statement recorded; a torn tail is dropped with a warning', async () => {
    const data = path.join(work, 'crash');
    const db = await Database.open(data, { workloadLog: false });
    await db.execute(`create table t (a int, b varchar(8)); insert into t values ${Array.from({ length: 200 }, (_, i) => `(${i}, 'v${i % 7}')`).join(', ')}`);
    db.close();
    const N = 50_000;
    const sqls = Array.from({ length: N }, (_, i) => `select count(*) from t where a = ${i % 200}`);
    const trace = writeTrace('crash.jsonl', sqls.map((sql) => JSON.stringify({ sql })));
    const raw = path.join(data, 'workload', 'raw');

    const child = spawn(process.execPath, [KEEL_BIN, 'replay', trace, '--data', data, '--json'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // kill once a few hundred records are on disk, well before the end
    const deadline = Date.now() + 60_000;
    for (;;) {
      const open = fs.existsSync(raw) ? fs.readdirSync(raw).filter((f) => f.endsWith('.open')) : [];
      if (open.length && fs.statSync(path.join(raw, open[0]!)).size > 200_000) break;
      if (Date.now() > deadline) throw new Error('the replay wrote no records');
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const files = fs.readdirSync(raw);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.open$/); // never sealed
    const messages: string[] = [];
    const recs = [...new WorkloadStore(data, { warn: (m) => messages.push(m) }).records()];
    const n = recs.length;
    expect(n).toBeGreaterThan(100);
    expect(n).toBeLessThan(N);
    // the records are exactly the first n lines, in order: every group written before the kill is whole
    // (the statements of the group still in memory, at most 64, are the only ones missing)
    expect(recs.map((r) => r.sql)).toEqual(sqls.slice(0, n));
    expect(recs.every((r) => r.status === 'ok' && r.source === 'replay')).toBe(true);
    expect(messages).toEqual([]);

    // a power loss could also tear the last write: half a frame at the end
    const { buf, end } = new RecordEncoder().encode({ ...recs[0]!, id: 'torn' }, 'replay', Buffer.alloc(FRAME_HEADER_BYTES), FRAME_HEADER_BYTES);
    sealFrame(buf, 0, end);
    fs.appendFileSync(path.join(raw, files[0]!), buf.subarray(0, Math.floor(end / 2)));
    const after = [...new WorkloadStore(data, { warn: (m) => messages.push(m) }).records()];
    expect(after).toHaveLength(n);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/dropped a torn last record/);

    // the CLI says the same, once, without a stack, and counts the same records
    const log = keel(['log', '--data', data, '--json']);
    expect(JSON.parse(log.stdout)).toMatchObject({ statements: n, errors: 0 });
    expect(log.stderr).toMatch(/^keel: warning: workload log: .*dropped a torn last record.*\n$/);
    // the dead writer's segment is compacted like a sealed one
    expect(JSON.parse(keel(['log', 'compact', '--data', data, '--json']).stdout)).toMatchObject({ records: n, totalRecords: n });
    expect(fs.readdirSync(raw)).toEqual([]);
    const count = JSON.parse(keel(['sql', '--data', data, '--json', "select count(*) from sys_query_history where source = 'replay'"]).stdout);
    expect(count.rows).toEqual([[n]]);
  });
});
