/** The machine's psql binary, run against a test server (psql.test.ts, psql-catalog.test.ts). */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { TEST_PASSWORD } from './wire-client.js';

const run = promisify(execFile);
export const PSQL = ['/usr/bin/psql', '/usr/local/bin/psql'].find((p) => fs.existsSync(p)) ?? whichPsql();
export const MISSING = PSQL === undefined;

/** psql's major version (16 for "psql (PostgreSQL) 16.2"), or 0 when there is no psql. */
function psqlMajor(): number {
  if (MISSING) return 0;
  const m = /\(PostgreSQL\) (\d+)/.exec(execFileSync(PSQL!, ['--version'], { encoding: 'utf8' }));
  return m ? Number(m[1]) : 0;
}
export const MAJOR = psqlMajor();

function whichPsql(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, 'psql');
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

/** psql's output and exit code; the child runs asynchronously, as the server shares this process. */
export async function psql(port: number, args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(PSQL!, ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'u', '-d', 'keel', ...args], {
      env: { PATH: process.env.PATH ?? '', PGCONNECT_TIMEOUT: '10', PGPASSWORD: TEST_PASSWORD, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

