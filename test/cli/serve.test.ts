/**
 * keel serve as a process: it prints where it listens (--json), serves the
 * data directory to a user created with keel sql, who logs in by SCRAM,
 * records the statements in the workload log with the client's user, and
 * stops cleanly on SIGTERM. Runs the built keel:
 * `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KEEL_BIN, runKeel } from './helpers.js';
import { dataRow, loggedIn, TEST_PASSWORD } from '../server/wire-client.js';
import { daemonStatus } from '../../advisor/daemon/index.js';

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-serve-cli-'));
  expect(runKeel(['sql', '--data', 'd', `create table t (x integer); insert into t values (1), (2), (3); create user wiremark password '${TEST_PASSWORD}'; grant select on t to wiremark`], { cwd: dir }).code).toBe(0);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts keel serve; resolves with the process and the first line it prints. */
function serve(args: readonly string[]): Promise<{ child: ChildProcess; line: string; stderr: () => string }> {
  const child = spawn(process.execPath, [KEEL_BIN, 'serve', '--data', 'd', '--port', '0', ...args], { cwd: dir });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, line: out.slice(0, nl), stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`keel serve exited with ${code}: ${err}`)));
  });
}

describe('keel serve', () => {
  it('serves the data directory, logs the statements with their user, and stops on SIGTERM', async () => {
    const { child, line, stderr } = await serve(['--json']);
    const info = JSON.parse(line) as { host: string; port: number; auth: string; tls: boolean; users: number };
    expect(info.host).toBe('127.0.0.1');
    expect(info).toMatchObject({ auth: 'scram-sha-256', tls: false, users: 1 });
    const c = await loggedIn(info.port, 'wiremark');
    c.query('select sum(x) from t');
    const msgs = await c.until('Z');
    expect(dataRow(msgs.find((m) => m.type === 'D')!)).toEqual(['6']);
    c.end();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr()).toBe('');
    const history = runKeel(['log', 'history', '--data', 'd', '--json'], { cwd: dir });
    expect(history.code).toBe(0);
    expect(history.stdout).toContain('wiremark');
    // the user statement of the setup is in the log with its password masked
    expect(history.stdout).not.toContain(TEST_PASSWORD);
  });

  it('--daemon runs the advisor daemon in the process, on its schedule, while clients query; --wlm-slots records queue times', async () => {
    const data = path.join(dir, 'd');
    const never = '0 0 1 1 *';
    // mining every second (a sixth, leading field is seconds), nothing else
    fs.writeFileSync(path.join(data, 'keel.config.json'), JSON.stringify({ schedule: { mine: '* * * * * *', apply: never, verify: never, maintain: never, views: never } }));
    try {
      const { child, line, stderr } = await serve(['--json', '--daemon', '--wlm-slots', '2']);
      const info = JSON.parse(line) as { port: number; daemon: boolean; wlmSlots: number; maxConnections: number };
      expect(info).toMatchObject({ daemon: true, wlmSlots: 2, maxConnections: 100 });
      // the daemon holds the directory's daemon lock: another keel process cannot start a second one
      const status = daemonStatus(data);
      expect([status.running, status.pid]).toEqual([true, child.pid]);
      const second = runKeel(['daemon', 'start', '--data', 'd'], { cwd: dir });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/already running/);
      const c = await loggedIn(info.port, 'wiremark');
      // queries go on while the daemon's cycles run, until one has mined (and at least one query ran)
      for (let i = 0; i === 0 || !daemonStatus(data).state?.last.mine; i++) {
        c.query(`select count(*) from t where x > ${i % 3}`);
        const msgs = await c.until('Z');
        expect(msgs.map((m) => m.type)).toEqual(['T', 'D', 'C', 'Z']);
      }
      expect(daemonStatus(data).state!.last.mine!.summary).toMatch(/^mine: /);
      c.end();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr()).toBe('');
      // the daemon stopped with the server and released its lock
      expect(daemonStatus(data).running).toBe(false);
      const history = runKeel(['log', 'history', '--data', 'd', '--json', '--user', 'wiremark'], { cwd: dir });
      expect(history.code).toBe(0);
      const records = JSON.parse(history.stdout) as { user: string; userId?: number; queueMs?: number; sql: string }[];
      expect(records.length).toBeGreaterThan(0);
      expect(new Set(records.map((r) => r.user))).toEqual(new Set(['wiremark']));
      const served = records.filter((r) => r.sql.startsWith('select count(*) from t where x >'));
      expect(served.length).toBeGreaterThan(0);
      for (const r of served) {
        expect(r.userId).toBeGreaterThanOrEqual(100);
        expect(r.queueMs).toBeGreaterThanOrEqual(0);
      }
    } finally {
      fs.rmSync(path.join(data, 'keel.config.json'), { force: true });
    }
  });

  it("reads the queue's slots and short-query time from keel.config.json's wlm keys; the flags override them; a bad value names its key", async () => {
    const data = path.join(dir, 'd');
    const config = path.join(data, 'keel.config.json');
    const listening = async (args: readonly string[]) => {
      const { child, line } = await serve(['--json', ...args]);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      return JSON.parse(line) as { wlmSlots: number; wlmShortMs: number };
    };
    try {
      expect(await listening([])).toMatchObject({ wlmSlots: 0, wlmShortMs: 1000 });
      fs.writeFileSync(config, JSON.stringify({ wlm: { slots: 3, shortQueryTime: '2s' } }));
      expect(await listening([])).toMatchObject({ wlmSlots: 3, wlmShortMs: 2000 });
      expect(await listening(['--wlm-slots', '1'])).toMatchObject({ wlmSlots: 1, wlmShortMs: 2000 });
      expect(await listening(['--wlm-slots', '0', '--wlm-short-ms', '50'])).toMatchObject({ wlmSlots: 0, wlmShortMs: 50 });
      fs.writeFileSync(config, JSON.stringify({ wlm: { slots: 'many' } }));
      const bad = runKeel(['serve', '--data', 'd', '--port', '0'], { cwd: dir });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe(`error: ${path.join('d', 'keel.config.json')}: "wlm.slots" must be a whole number of at least 0 (0: no queue), got "many"\n`);
    } finally {
      fs.rmSync(config, { force: true });
    }
  });

  it('refuses bad limits with one line', () => {
    const max = runKeel(['serve', '--data', 'd', '--max-connections', '0'], { cwd: dir });
    expect(max.code).toBe(1);
    expect(max.stderr).toBe('error: --max-connections: expected a whole number of at least 1, got 0\n');
    const slots = runKeel(['serve', '--data', 'd', '--wlm-slots', '-1'], { cwd: dir });
    expect(slots.code).toBe(1);
    expect(slots.stderr).toBe('error: --wlm-slots: expected a whole number of at least 0, got -1\n');
    const timeout = runKeel(['serve', '--data', 'd', '--statement-timeout', '5s'], { cwd: dir });
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toBe('error: --statement-timeout: expected a whole number of at least 0, got 5s\n');
  });

  it('refuses a bad --port and a bad --auth with one line', () => {
    const port = runKeel(['serve', '--data', 'd', '--port', 'x'], { cwd: dir });
    expect(port.code).toBe(1);
    expect(port.stderr).toBe('error: --port: expected a port number (0 to 65535), got x\n');
    const auth = runKeel(['serve', '--data', 'd', '--auth', 'trust'], { cwd: dir });
    expect(auth.code).toBe(1);
    expect(auth.stderr).toBe('error: --auth: expected scram-sha-256, md5, cleartext, got trust\n');
    const tls = runKeel(['serve', '--data', 'd', '--tls-cert', 'cert.pem'], { cwd: dir });
    expect(tls.code).toBe(1);
    expect(tls.stderr).toBe('error: --tls-cert and --tls-key go together: TLS needs the certificate and its key\n');
  });
});
