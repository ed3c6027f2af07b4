/**
 * keel daemon through the command (dist/ via bin/keel.js; `npm run build`
 * first): start in the background, status, the single-instance lock, a stale
 * lock's recovery, stop, and SIGTERM while an apply is running (it finishes or
 * is abandoned cleanly: the table is whole and the recommendation says which).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getRecommendation, updateStore, type Recommendation } from '../../advisor/index.js';
import { KEEL_BIN, runKeel } from './helpers.js';

let work: string;
let data: string;

const keel = (args: string[]) => runKeel([...args, '--data', data], { cwd: work, timeout: 120_000 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const NEVER = '0 0 1 1 *';

function writeConfig(c: object): void {
  fs.writeFileSync(path.join(data, 'keel.config.json'), JSON.stringify(c));
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-daemon-'));
  data = path.join(work, 'data');
  expect(keel(['gen', 'tpch', '--sf', '0.01', '--json']).code).toBe(0);
});
afterAll(() => {
  // never leave a daemon behind
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(data, 'advisor', 'daemon.pid'), 'utf8'), 10);
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    /* none */
  }
  fs.rmSync(work, { recursive: true, force: true });
});

describe('keel daemon', () => {
  it('starts in the background, holds a single-instance lock, reports status, stops', async () => {
    writeConfig({ schedule: { mine: NEVER, apply: NEVER, verify: NEVER } });
    const start = keel(['daemon', 'start', '--json']);
    expect(start.code, start.stderr).toBe(0);
    const s = JSON.parse(start.stdout);
    expect(s.running).toBe(true);
    expect(alive(s.pid)).toBe(true);
    const second = keel(['daemon', 'start']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`error: an advisor daemon is already running on .* \\(pid ${s.pid}\\)`));
    const status = JSON.parse(keel(['daemon', 'status', '--json']).stdout);
    expect(status).toMatchObject({ running: true, pid: s.pid, stale: false });
    expect(status.state.schedule.mine).toBe(NEVER);
    expect(keel(['daemon', 'status']).stdout).toMatch(/advisor daemon running on .* \(pid \d+\)/);
    const stop = JSON.parse(keel(['daemon', 'stop', '--json']).stdout);
    expect(stop).toMatchObject({ stopped: true, pid: s.pid });
    expect(alive(s.pid)).toBe(false);
    const after = JSON.parse(keel(['daemon', 'status', '--json']).stdout);
    expect(after.running).toBe(false);
    expect(after.state.stoppedAt).not.toBeNull();
    expect(fs.existsSync(path.join(data, 'advisor', 'daemon.pid'))).toBe(false);
    const log = fs.readFileSync(path.join(data, 'advisor', 'daemon.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.some((l) => /advisor daemon started/.test(l.msg))).toBe(true);
    expect(log.some((l) => l.signal === 'SIGTERM')).toBe(true);
    expect(keel(['daemon', 'stop']).stdout).toMatch(/no advisor daemon running/);
  });

  it('recovers a stale lock left by a process that is gone', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.writeFileSync(path.join(data, 'advisor', 'daemon.pid'), `${dead}\n`);
    expect(JSON.parse(keel(['daemon', 'status', '--json']).stdout)).toMatchObject({ running: false, stale: true });
    const start = keel(['daemon', 'start', '--json']);
    expect(start.code, start.stderr).toBe(0);
    expect(JSON.parse(start.stdout).pid).not.toBe(dead);
    expect(keel(['daemon', 'stop']).code).toBe(0);
  });

  it('rejects a bad config before starting, naming the key', () => {
    writeConfig({ schedule: { apply: 'every minute' } });
    const r = keel(['daemon', 'start']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/keel\.config\.json: "schedule\.apply" must be a cron expression/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('SIGTERM during an apply finishes it or abandons it cleanly', async () => {
    // a slow rebuild: the write rate is capped, so the signal lands while it runs
    writeConfig({ schedule: { mine: NEVER, apply: '* * * * * *', verify: NEVER }, maxLoadAverage: 1000, maxBytesPerSecond: '200KB' });
    const id = updateStore(data, (s) => {
      const at = new Date().toISOString();
      const rec = {
        id: `r${s.nextId}`, table: 'lineitem', kind: 'distkey', current: 'AUTO(EVEN)', proposed: 'KEY(l_orderkey)', ddl: 'ALTER TABLE lineitem ALTER DISTKEY l_orderkey',
        benefit: { bytes: 1, percent: 1 }, applyCost: { rows: 0, rewriteBytes: 0, storageBytesBefore: 0, storageBytesAfter: 0 }, userSet: false, reason: 'test',
        evidence: { edges: [], fingerprints: [], rejectedKeys: [] }, status: 'proposed', statusReason: null, history: [{ status: 'proposed', at, reason: null }], createdAt: at, updatedAt: at, run: 'test',
      } as unknown as Recommendation;
      return { store: { ...s, nextId: s.nextId + 1, recommendations: [...s.recommendations, rec] }, result: rec.id };
    });
    const child = spawn(process.execPath, [KEEL_BIN, 'daemon', 'start', '--foreground', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
    const deadline = Date.now() + 60_000;
    while (getRecommendation(data, id).status !== 'applying' && Date.now() < deadline) await sleep(50);
    expect(getRecommendation(data, id).status).toBe('applying');
    await sleep(300);
    child.kill('SIGTERM');
    expect(await exited, out).toBe(0);
    const r = getRecommendation(data, id);
    // abandoned (back to proposed, the table keeps its version) or finished; never left "applying"
    expect(['proposed', 'applied']).toContain(r.status);
    if (r.status === 'proposed') expect(r.statusReason).toMatch(/apply abandoned \(SIGTERM\); lineitem keeps its old version/);
    const info = JSON.parse(keel(['sql', "select diststyle, tbl_rows from svv_table_info where \"table\" = 'lineitem'", '--json']).stdout.trim());
    expect(info.rows[0]).toEqual([r.status === 'applied' ? 'AUTO(KEY(l_orderkey))' : 'AUTO(EVEN)', 60175]);
    expect(JSON.parse(keel(['sql', 'select count(*) from lineitem', '--json']).stdout.trim()).rows[0][0]).toBe(60175);
    expect(fs.existsSync(path.join(data, 'advisor', 'daemon.pid'))).toBe(false);
  });
});
